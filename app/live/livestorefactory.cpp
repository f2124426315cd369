#include "livestorefactory.h"

#include "database.h"
#include "pgliverunstore.h"
#include "pgtradestore.h"

namespace bd {

LiveStoreFactory makeLiveStoreFactory(const Result<DatabaseTarget> &target, const QString &purpose,
                                      PasswordSource password)
{
    if (!target) {
        const Error error = target.error();
        return [error]() -> Result<LiveStores> { return error; };
    }
    return [target = *target, purpose, password]() -> Result<LiveStores> {
        DatabaseTarget withPassword = target;
        if (password && needsStoredPassword(target)) {
            if (Result<QString> answer = password(); answer && !answer.value().isEmpty())
                withPassword.url.password = answer.value();
        }
        Database::Options options;
        options.purpose = purpose;
        auto db = std::make_shared<Database>(withPassword, options);
        LiveStores stores;
        stores.runs = std::make_unique<PgLiveRunStore>(*db);
        stores.trades = std::make_unique<PgTradeStore>(*db);
        stores.owner = db;
        return stores;
    };
}

} // namespace bd
