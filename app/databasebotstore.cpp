#include "databasebotstore.h"

#include "database.h"
#include "pgbotstore.h"

#include <mutex>
#include <optional>

namespace bd {
namespace {

// Every call fails with `error` (the database choice itself was refused).
class UnavailableBotStore final : public BotStore {
public:
    explicit UnavailableBotStore(Error error) : m_error(std::move(error)) {}
    Result<Bot> createBot(const QString &, const QString &, const BotVersion &) override { return m_error; }
    Result<std::vector<Bot>> listBots() override { return m_error; }
    Result<Bot> findBot(const QString &) override { return m_error; }
    Result<std::pair<BotVersion, bool>> saveVersion(const BotVersion &) override { return m_error; }
    Result<std::vector<BotVersion>> listVersions(const QUuid &) override { return m_error; }
    Result<BotVersion> findVersion(const QString &, const QString &) override { return m_error; }
    Result<void> saveBacktestRun(const BacktestRunRecord &) override { return m_error; }
    Result<std::vector<BacktestRunSummary>> listBacktestRuns(const QString &, int) override { return m_error; }
    Result<BacktestRunRecord> loadBacktestRun(const QUuid &) override { return m_error; }

private:
    Error m_error;
};

// PgBotStore with the Database it uses; the schema is checked once, before the first call that reaches the server.
class ConnectedBotStore final : public BotStore {
public:
    // `passwordNote`: why no password was found (appended to a connection error that asks for one).
    ConnectedBotStore(DatabaseTarget target, const QString &purpose, QString passwordNote = {})
        : m_db(std::move(target), options(purpose))
        , m_store(m_db)
        , m_passwordNote(std::move(passwordNote))
    {
    }

    Result<Bot> createBot(const QString &name, const QString &strategyTemplate, const BotVersion &first) override
    {
        if (auto ready = ensureSchema(); !ready) return ready.error();
        return m_store.createBot(name, strategyTemplate, first);
    }
    Result<std::vector<Bot>> listBots() override
    {
        if (auto ready = ensureSchema(); !ready) return ready.error();
        return m_store.listBots();
    }
    Result<Bot> findBot(const QString &name) override
    {
        if (auto ready = ensureSchema(); !ready) return ready.error();
        return m_store.findBot(name);
    }
    Result<std::pair<BotVersion, bool>> saveVersion(const BotVersion &version) override
    {
        if (auto ready = ensureSchema(); !ready) return ready.error();
        return m_store.saveVersion(version);
    }
    Result<std::vector<BotVersion>> listVersions(const QUuid &botId) override
    {
        if (auto ready = ensureSchema(); !ready) return ready.error();
        return m_store.listVersions(botId);
    }
    Result<BotVersion> findVersion(const QString &botName, const QString &hashPrefix) override
    {
        if (auto ready = ensureSchema(); !ready) return ready.error();
        return m_store.findVersion(botName, hashPrefix);
    }
    Result<void> saveBacktestRun(const BacktestRunRecord &run) override
    {
        if (auto ready = ensureSchema(); !ready) return ready.error();
        return m_store.saveBacktestRun(run);
    }
    Result<std::vector<BacktestRunSummary>> listBacktestRuns(const QString &botName, int limit) override
    {
        if (auto ready = ensureSchema(); !ready) return ready.error();
        return m_store.listBacktestRuns(botName, limit);
    }
    Result<BacktestRunRecord> loadBacktestRun(const QUuid &id) override
    {
        if (auto ready = ensureSchema(); !ready) return ready.error();
        return m_store.loadBacktestRun(id);
    }

private:
    static Database::Options options(const QString &purpose)
    {
        Database::Options o;
        o.purpose = purpose;
        return o;
    }
    Result<void> ensureSchema()
    {
        if (m_schemaReady)
            return {};
        auto ready = m_store.ensureSchema();
        if (!ready)
            return makeError(withPasswordNote(ready.error().message, m_passwordNote));
        m_schemaReady = true;
        return {};
    }

    Database m_db;
    PgBotStore m_store;
    QString m_passwordNote;
    bool m_schemaReady = false;
};

} // namespace

bool isMissingPasswordError(const QString &message)
{
    return message.contains(QLatin1String("no password supplied"))
           || message.contains(QLatin1String("password authentication failed"));
}

QString withPasswordNote(const QString &message, const QString &passwordNote)
{
    if (passwordNote.isEmpty() || !isMissingPasswordError(message))
        return message;
    return QStringLiteral("%1 (BotDesk had no password to give: %2)").arg(message, passwordNote);
}

bool needsStoredPassword(const DatabaseTarget &target)
{
    return !target.isLocalCluster() && target.url.password.isEmpty();
}

BotStoreFactory makeDatabaseBotStoreFactory(const Result<DatabaseTarget> &target, const QString &purpose,
                                            PasswordSource password)
{
    if (!target) {
        return [error = target.error()]() -> std::unique_ptr<BotStore> {
            return std::make_unique<UnavailableBotStore>(error);
        };
    }
    if (password && needsStoredPassword(*target)) {
        // Asked once, by the first store; later stores (after a reconnect of the page) reuse the answer.
        auto asked = std::make_shared<std::optional<Result<QString>>>();
        auto mutex = std::make_shared<std::mutex>();
        return [target = *target, purpose, password, asked, mutex]() -> std::unique_ptr<BotStore> {
            Result<QString> answer = QString();
            {
                const std::lock_guard lock(*mutex);
                if (!*asked)
                    *asked = password();
                answer = **asked;
            }
            DatabaseTarget withPassword = target;
            if (answer && !answer->isEmpty())
                withPassword.url.password = *answer;
            return std::make_unique<ConnectedBotStore>(withPassword, purpose, answer ? QString() : answer.error().message);
        };
    }
    return [target = *target, purpose]() -> std::unique_ptr<BotStore> {
        return std::make_unique<ConnectedBotStore>(target, purpose);
    };
}

} // namespace bd
