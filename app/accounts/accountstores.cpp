#include "accountstores.h"

#include "database.h"
#include "pgbotstore.h"
#include "pgliverunstore.h"
#include "pgtradestore.h"

namespace bd {

namespace {

// Every call fails with `error` (the database choice itself was refused).
class UnavailableLiveRunStore final : public LiveRunStore {
public:
    explicit UnavailableLiveRunStore(Error error) : m_error(std::move(error)) {}
    Result<void> addAccount(const LiveAccount &) override { return m_error; }
    Result<std::vector<LiveAccount>> accounts() override { return m_error; }
    Result<LiveAccount> account(const QString &) override { return m_error; }
    Result<void> removeAccount(const QString &) override { return m_error; }
    Result<LiveRunRecord> createRun(const LiveRunSpec &) override { return m_error; }
    Result<LiveRunRecord> run(const QUuid &) override { return m_error; }
    Result<std::vector<LiveRunRecord>> runs(const QString &) override { return m_error; }
    Result<LiveRunRecord> setDesiredState(const QUuid &, DesiredState) override { return m_error; }
    Result<LiveRunRecord> applyStatusEvent(const QUuid &, LiveRunEvent, const QString &) override { return m_error; }
    Result<double> fixStartingEquity(const QUuid &, double) override { return m_error; }
    Result<std::vector<LiveRunRecord>> claimRuns(const QString &, qint64) override { return m_error; }
    Result<void> releaseRun(const QUuid &, const QString &) override { return m_error; }
    Result<void> decideSignal(const QUuid &, const QString &, SignalAnswer) override { return m_error; }
    Result<std::vector<SignalDecision>> takeSignalDecisions(const QString &) override { return m_error; }

private:
    Error m_error;
};

// PgLiveRunStore with its Database; the schema is brought to this binary's before the first call reaches the server.
class ConnectedLiveRunStore final : public LiveRunStore {
public:
    ConnectedLiveRunStore(DatabaseTarget target, const QString &purpose, QString passwordNote)
        : m_db(std::move(target), options(purpose)), m_bots(m_db), m_store(m_db), m_passwordNote(std::move(passwordNote))
    {
    }
#define BD_READY(call)                                                                                                 \
    if (auto ready = ensureSchema(); !ready)                                                                           \
        return ready.error();                                                                                          \
    return call
    Result<void> addAccount(const LiveAccount &a) override { BD_READY(m_store.addAccount(a)); }
    Result<std::vector<LiveAccount>> accounts() override { BD_READY(m_store.accounts()); }
    Result<LiveAccount> account(const QString &n) override { BD_READY(m_store.account(n)); }
    Result<void> removeAccount(const QString &n) override { BD_READY(m_store.removeAccount(n)); }
    Result<LiveRunRecord> createRun(const LiveRunSpec &s) override { BD_READY(m_store.createRun(s)); }
    Result<LiveRunRecord> run(const QUuid &id) override { BD_READY(m_store.run(id)); }
    Result<std::vector<LiveRunRecord>> runs(const QString &a) override { BD_READY(m_store.runs(a)); }
    Result<LiveRunRecord> setDesiredState(const QUuid &id, DesiredState d) override { BD_READY(m_store.setDesiredState(id, d)); }
    Result<LiveRunRecord> applyStatusEvent(const QUuid &id, LiveRunEvent e, const QString &m) override
    {
        BD_READY(m_store.applyStatusEvent(id, e, m));
    }
    Result<double> fixStartingEquity(const QUuid &id, double e) override { BD_READY(m_store.fixStartingEquity(id, e)); }
    Result<std::vector<LiveRunRecord>> claimRuns(const QString &h, qint64 l) override { BD_READY(m_store.claimRuns(h, l)); }
    Result<void> releaseRun(const QUuid &id, const QString &h) override { BD_READY(m_store.releaseRun(id, h)); }
    Result<void> decideSignal(const QUuid &id, const QString &s, SignalAnswer a) override
    {
        BD_READY(m_store.decideSignal(id, s, a));
    }
    Result<std::vector<SignalDecision>> takeSignalDecisions(const QString &h) override { BD_READY(m_store.takeSignalDecisions(h)); }
#undef BD_READY

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
        auto ready = m_bots.ensureSchema();
        if (!ready)
            return makeError(withPasswordNote(ready.error().message, m_passwordNote));
        m_schemaReady = true;
        return {};
    }
    Database m_db;
    PgBotStore m_bots;  // for ensureSchema only (the migrations are one set for bots and live runs)
    PgLiveRunStore m_store;
    QString m_passwordNote;
    bool m_schemaReady = false;
};

class ConnectedAlertStores final : public AlertStores {
public:
    ConnectedAlertStores(DatabaseTarget target, const QString &purpose)
        : m_db(std::move(target), dbOptions(purpose)), m_bots(m_db), m_runs(m_db), m_trades(m_db)
    {
        (void)m_bots.ensureSchema();  // an unreachable or newer database shows as the first call's error
        runs = &m_runs;
        trades = &m_trades;
    }

private:
    static Database::Options dbOptions(const QString &purpose)
    {
        Database::Options o;
        o.purpose = purpose;
        return o;
    }
    Database m_db;
    PgBotStore m_bots;
    PgLiveRunStore m_runs;
    PgTradeStore m_trades;
};

// A password for `target` from `password` when it needs one; `note` says why there is none.
DatabaseTarget withStoredPassword(DatabaseTarget target, const PasswordSource &password, QString *note)
{
    if (password && needsStoredPassword(target)) {
        Result<QString> answer = password();
        if (answer && !answer->isEmpty())
            target.url.password = *answer;
        else if (!answer && note)
            *note = answer.error().message;
    }
    return target;
}

} // namespace

AlertFeed::StoresFactory makeDatabaseAlertStoresFactory(const Result<DatabaseTarget> &target, const QString &purpose,
                                                       PasswordSource password)
{
    if (!target)
        return [] { return std::unique_ptr<AlertStores>(); };
    return [target = *target, purpose, password]() -> std::unique_ptr<AlertStores> {
        return std::make_unique<ConnectedAlertStores>(withStoredPassword(target, password, nullptr), purpose);
    };
}

LiveRunStoreFactory makeDatabaseLiveRunStoreFactory(const Result<DatabaseTarget> &target, const QString &purpose,
                                                    PasswordSource password)
{
    if (!target) {
        return [error = target.error()]() -> std::unique_ptr<LiveRunStore> {
            return std::make_unique<UnavailableLiveRunStore>(error);
        };
    }
    return [target = *target, purpose, password]() -> std::unique_ptr<LiveRunStore> {
        QString note;
        DatabaseTarget used = withStoredPassword(target, password, &note);
        return std::make_unique<ConnectedLiveRunStore>(used, purpose, note);
    };
}

} // namespace bd
