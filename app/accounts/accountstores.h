#pragma once
// The LiveRunStore a BotDesk desktop gets from its database choice (the same target as the Bots page:
// app/databasebotstore.h): a PgLiveRunStore with the Database connection it uses, made on and used by one thread
// (AccountDirectory's worker). Nothing connects until the first call; that call connects and brings the schema to
// this binary's (migrations, as the bot store does) — a failure is that call's error, and the next call tries again.
// An unresolved target gives a store whose every call fails with the resolution error.

#include "alertfeed.h"
#include "databasebotstore.h"
#include "liverunstore.h"

#include <functional>
#include <memory>

namespace bd {

using LiveRunStoreFactory = std::function<std::unique_ptr<LiveRunStore>()>;

LiveRunStoreFactory makeDatabaseLiveRunStoreFactory(const Result<DatabaseTarget> &target, const QString &purpose,
                                                    PasswordSource password = {});

// The run and trade stores on one connection for the AlertFeed's worker (the schema is brought to this binary's when
// the stores are made; a failure there shows as the first call's error).
AlertFeed::StoresFactory makeDatabaseAlertStoresFactory(const Result<DatabaseTarget> &target, const QString &purpose,
                                                       PasswordSource password = {});

} // namespace bd
