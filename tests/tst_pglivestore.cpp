// PgTradeStore and PgLiveRunStore (connectors/postgres, migration 0003) on a real PostgreSQL 15 (a throwaway cluster,
// pgharness.h): accounts, runs and their status machine in the database, leases between two hosts, the NOTIFY a
// second connection hears, intents under their idempotency key (a replay and a race of two connections create one
// row), trades with partial and repeated closes, events, heartbeats, and row-level security between two logins.

#include "database.h"
#include "idempotencykey.h"
#include "pgharness.h"
#include "pgliverunstore.h"
#include "pgtradestore.h"
#include "resultcheck.h"

#include <QSqlDriver>
#include <QtTest>

#include <atomic>
#include <cmath>
#include <limits>
#include <latch>
#include <mutex>
#include <thread>

using namespace bd;
using namespace bd::pgtest;

namespace {

constexpr qint64 kT0 = 1'717'243'200'000;  // 2024-06-01 12:00:00 UTC

// A bot and one version of it, written as the connection's login; returns the version id.
QUuid makeVersion(Database &db, const QString &botName)
{
    auto bot = db.scalar(QStringLiteral("INSERT INTO bots (name, strategy_template) VALUES (?, 'ema_crossover') "
                                        "RETURNING id"), {botName});
    if (!bot)
        qFatal("%s", qPrintable(bot.error().message));
    auto version = db.scalar(QStringLiteral("INSERT INTO bot_versions (bot_id, code, params, code_hash) VALUES "
                                            "(?::uuid, 'ema_crossover', '{}', repeat('a', 64)) RETURNING id"),
                             {bot->toString()});
    if (!version)
        qFatal("%s", qPrintable(version.error().message));
    return QUuid::fromString(version->toString());
}

LiveAccount demoAccount(const QString &name, qint64 magic = 900001)
{
    LiveAccount a;
    a.name = name;
    a.bridgeUrl = QStringLiteral("ws://127.0.0.1:8765");
    a.tokenEnv = QStringLiteral("BOTDESK_MT5_TOKEN");
    a.magic = magic;
    a.serverUtcOffsetMin = 120;
    a.dstRule = QStringLiteral("EET");
    return a;
}

LiveRunSpec runSpec(const QUuid &versionId, const QString &account, const QString &symbol = QStringLiteral("EURUSD"))
{
    LiveRunSpec s;
    s.id = QUuid::createUuid();
    s.botVersionId = versionId;
    s.botName = QStringLiteral("ema-fast");
    s.codeHash = QString(64, QLatin1Char('a'));
    s.account = account;
    s.symbol = symbol;
    s.timeframe = QStringLiteral("H1");
    s.decision = DecisionMode::Tick;
    s.approval = ApprovalMode::Approve;
    s.approvalTimeoutMs = 30'000;
    s.guardrails.dailyLossPercent = 3.5;
    s.guardrails.drawdownCapPercent = 12.0;
    s.guardrails.maxOpenPerSymbol = 2;
    s.guardrails.maxOpenPerAccountSymbol = 4;
    s.guardrails.cooldownMs = 90'000;
    s.guardrails.maxRiskPercent = 1.25;
    s.guardrails.marginCheck = false;
    return s;
}

// An OPEN intent of `run` on the bar at kT0 + barIndex hours, keyed as the live run keys it.
IntentRecord openIntent(const QUuid &run, const QUuid &version, int barIndex, double volume = 0.1,
                        const QString &account = QStringLiteral("icm-demo"))
{
    IntentRecord r;
    IntentIdentity id{run, kT0 + barIndex * 3'600'000LL, QStringLiteral("EURUSD"), Side::Buy,
                      QStringLiteral("enter_long ema 12/26")};
    r.idempotencyKey = *idempotencyKey(id);
    r.clientReqId = clientReqIdFor(r.idempotencyKey);
    r.action = IntentAction::Open;
    r.intent.account = account;
    r.intent.symbol = QStringLiteral("EURUSD");
    r.intent.side = Side::Buy;
    r.intent.source = TradeSource::Bot;
    r.intent.liveRunId = run;
    r.intent.botVersionId = version;
    r.intent.signalId = QStringLiteral("sig-%1").arg(barIndex);
    r.intent.reason = QStringLiteral("EMA cross up");
    r.intent.correlationId = QStringLiteral("corr-%1").arg(barIndex);
    r.volume = volume;
    r.price = 1.08512;
    r.sl = 1.08312;
    r.tp = 1.08912;
    r.barTimeMs = id.barTimeMs;
    r.request = QJsonObject{{QStringLiteral("action"), QStringLiteral("TRADE_ACTION_DEAL")},
                            {QStringLiteral("volume"), volume}};
    return r;
}

LiveTrade openedTrade(const QString &account, quint64 ticket, const QUuid &run, double volume)
{
    LiveTrade t;
    t.account = account;
    t.positionTicket = ticket;
    t.liveRunId = run;
    t.source = TradeSource::Bot;
    t.correlationId = QStringLiteral("corr-t%1").arg(ticket);
    t.idempotencyKey = QString(64, QLatin1Char('b'));
    t.symbol = QStringLiteral("EURUSD");
    t.side = Side::Sell;
    t.volume = volume;
    t.openPrice = 1.1;
    t.openTimeMs = kT0;
    t.sl = 1.102;
    t.tp = 1.096;
    t.commission = -0.7;
    return t;
}

TradeClose closeDeal(const QString &account, quint64 position, quint64 deal, double volume, double profit,
                     const QString &reason = QStringLiteral("STRATEGY_EXIT"))
{
    TradeClose c;
    c.account = account;
    c.positionTicket = position;
    c.dealTicket = deal;
    c.orderTicket = deal + 1000;
    c.volume = volume;
    c.price = 1.098;
    c.profit = profit;
    c.commission = -0.35;
    c.swap = -0.1;
    c.timeMs = kT0 + qint64(deal) * 60'000;
    c.closeReason = reason;
    c.closeSubreason = QStringLiteral("EXIT_SHORT");
    c.correlationId = QStringLiteral("corr-close-%1").arg(deal);
    return c;
}

} // namespace

class TestPgLiveStore : public QObject {
    Q_OBJECT
    PgHarness pg;

    // A migrated database `name` with a bot version and the account 'icm-demo', as the superuser.
    struct Fixture {
        std::unique_ptr<Database> db;
        QUuid version;
    };
    Fixture fixture(const QString &name)
    {
        Fixture f;
        auto url = pg.createMigratedDatabase(name);
        if (!url)
            qFatal("%s", qPrintable(url.error().message));
        f.db = std::make_unique<Database>(pg.target(*url), options("live"));
        f.version = makeVersion(*f.db, QStringLiteral("ema-fast"));
        PgLiveRunStore runs(*f.db);
        if (auto added = runs.addAccount(demoAccount(QStringLiteral("icm-demo"))); !added)
            qFatal("%s", qPrintable(added.error().message));
        return f;
    }

private slots:
    void initTestCase() { QVERIFY_OK(pg.start()); }

    void namesRoundTrip()
    {
        for (IntentState s : {IntentState::Persisted, IntentState::Sent, IntentState::Done, IntentState::Rejected,
                              IntentState::Denied, IntentState::Unknown})
            QCOMPARE(intentStateFromName(QString::fromLatin1(intentStateName(s))), std::optional<IntentState>(s));
        for (IntentAction a : {IntentAction::Open, IntentAction::Close, IntentAction::Modify})
            QCOMPARE(intentActionFromName(QString::fromLatin1(intentActionName(a))), std::optional<IntentAction>(a));
        QVERIFY(!intentStateFromName(u"persisted"));
        QVERIFY(!intentActionFromName(u"OPEN "));
        QCOMPARE(QLatin1String(intentStateName(IntentState::Denied)), QLatin1String("DENIED"));
    }

    void accounts()
    {
        Fixture f = fixture(QStringLiteral("accounts"));
        PgLiveRunStore store(*f.db);
        QVERIFY_OK(store.addAccount(demoAccount(QStringLiteral("acme-live"), 42)));
        LiveAccount keyed = demoAccount(QStringLiteral("keyed"));
        keyed.tokenEnv.clear();
        keyed.tokenKey = QStringLiteral("botdesk/mt5/keyed");
        keyed.dstRule.clear();
        keyed.serverUtcOffsetMin = -300;
        QVERIFY_OK(store.addAccount(keyed));

        auto again = store.addAccount(demoAccount(QStringLiteral("icm-demo"), 7));
        QVERIFY(!again);
        QCOMPARE(again.error().message, QStringLiteral("account 'icm-demo' exists; choose another name or remove it"));
        QCOMPARE(store.account(QStringLiteral("icm-demo"))->magic, qint64(900001));  // the first stays

        const auto refused = [&](LiveAccount a, const char *needle) {
            auto r = store.addAccount(a);
            QVERIFY2(!r, needle);
            QVERIFY2(r.error().message.contains(QLatin1String(needle)), qPrintable(r.error().message));
        };
        LiveAccount bad = demoAccount(QStringLiteral("bad"));
        bad.magic = 0;
        refused(bad, "magic 0 is not > 0");
        bad = demoAccount(QStringLiteral("bad"));
        bad.bridgeUrl = QStringLiteral("http://127.0.0.1:8765");
        refused(bad, "give ws://host:port or wss://host:port");
        bad = demoAccount(QStringLiteral("bad"));
        bad.tokenKey = QStringLiteral("also");
        refused(bad, "exactly one of a token environment variable");
        bad = demoAccount(QStringLiteral("bad"));
        bad.tokenEnv = QStringLiteral("NOT-A-VAR");
        refused(bad, "'NOT-A-VAR' is not an environment variable name");
        bad = demoAccount(QStringLiteral("has space"));
        refused(bad, "'has space' is not an account name");
        bad = demoAccount(QStringLiteral("bad"));
        bad.serverUtcOffsetMin = 900;
        refused(bad, "outside -720..840");
        bad = demoAccount(QStringLiteral("bad"));
        bad.dstRule = QStringLiteral("US");
        refused(bad, "DST rule 'US'");
        QCOMPARE(count(*f.db, "SELECT count(*) FROM accounts"), 3);

        auto list = store.accounts();
        QVERIFY_OK(list);
        QCOMPARE(list->size(), size_t(3));
        QCOMPARE(list->at(0).name, QStringLiteral("acme-live"));
        QCOMPARE(list->at(1).name, QStringLiteral("icm-demo"));
        const LiveAccount &k = list->at(2);
        QCOMPARE(k.name, QStringLiteral("keyed"));
        QCOMPARE(k.tokenEnv, QString());
        QCOMPARE(k.tokenKey, QStringLiteral("botdesk/mt5/keyed"));
        QCOMPARE(k.serverUtcOffsetMin, -300);
        QCOMPARE(k.magic, qint64(900001));
        QVERIFY(k.createdAtMs > 1'700'000'000'000);
        auto icm = store.account(QStringLiteral("icm-demo"));
        QVERIFY_OK(icm);
        QCOMPARE(icm->bridgeUrl, QStringLiteral("ws://127.0.0.1:8765"));
        QCOMPARE(icm->tokenEnv, QStringLiteral("BOTDESK_MT5_TOKEN"));
        QCOMPARE(icm->dstRule, QStringLiteral("EET"));
        QCOMPARE(icm->serverUtcOffsetMin, 120);

        auto missing = store.account(QStringLiteral("icm-dem0"));
        QVERIFY(!missing);
        QVERIFY2(missing.error().message.contains(
                     QStringLiteral("no account 'icm-dem0'; the accounts are 'acme-live', 'icm-demo', 'keyed'")),
                 qPrintable(missing.error().message));

        // Removal is refused while a run on it is not STOPPED or ERROR.
        PgLiveRunStore runs(*f.db);
        auto run = runs.createRun(runSpec(f.version, QStringLiteral("acme-live")));
        QVERIFY_OK(run);
        auto busy = store.removeAccount(QStringLiteral("acme-live"));
        QVERIFY(!busy);
        QVERIFY2(busy.error().message.contains(run->spec.id.toString(QUuid::WithoutBraces) + QStringLiteral(" (PENDING)"))
                     && busy.error().message.contains(QStringLiteral("stop them first")),
                 qPrintable(busy.error().message));
        QCOMPARE(count(*f.db, "SELECT count(*) FROM accounts WHERE name = 'acme-live'"), 1);
        QVERIFY_OK(runs.applyStatusEvent(run->spec.id, LiveRunEvent::Stop));  // PENDING -> STOPPED
        QVERIFY_OK(store.removeAccount(QStringLiteral("acme-live")));
        QCOMPARE(count(*f.db, "SELECT count(*) FROM accounts WHERE name = 'acme-live'"), 0);
        auto gone = store.removeAccount(QStringLiteral("acme-live"));
        QVERIFY(!gone);
        QVERIFY2(gone.error().message.contains(QStringLiteral("no account 'acme-live'")), qPrintable(gone.error().message));
        // The token itself is nowhere in the table.
        QCOMPARE(count(*f.db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND "
                              "column_name = 'token'"), 0);
    }

    void runsAreCreatedReadAndListed()
    {
        Fixture f = fixture(QStringLiteral("runs"));
        PgLiveRunStore store(*f.db);
        QVERIFY_OK(store.addAccount(demoAccount(QStringLiteral("other"))));
        const LiveRunSpec spec = runSpec(f.version, QStringLiteral("icm-demo"));
        auto created = store.createRun(spec);
        QVERIFY_OK(created);
        QCOMPARE(created->status, LiveRunStatus::Pending);
        QCOMPARE(created->desired, DesiredState::Running);
        QVERIFY(created->createdAtMs > 1'700'000'000'000);
        QCOMPARE(created->startedAtMs, qint64(0));
        QVERIFY(!created->startingEquity);
        QCOMPARE(created->hostId, QString());
        auto read = store.run(spec.id);
        QVERIFY_OK(read);
        const LiveRunSpec &s = read->spec;
        QCOMPARE(s.id, spec.id);
        QCOMPARE(s.botVersionId, f.version);
        QCOMPARE(s.botName, spec.botName);
        QCOMPARE(s.codeHash, spec.codeHash);
        QCOMPARE(s.account, QStringLiteral("icm-demo"));
        QCOMPARE(s.symbol, QStringLiteral("EURUSD"));
        QCOMPARE(s.timeframe, QStringLiteral("H1"));
        QCOMPARE(s.decision, DecisionMode::Tick);
        QCOMPARE(s.approval, ApprovalMode::Approve);
        QCOMPARE(s.approvalTimeoutMs, qint64(30'000));
        QCOMPARE(s.guardrails.dailyLossPercent, 3.5);
        QCOMPARE(s.guardrails.drawdownCapPercent, 12.0);
        QCOMPARE(s.guardrails.maxOpenPerSymbol, 2);
        QCOMPARE(s.guardrails.maxOpenPerAccountSymbol, 4);
        QCOMPARE(s.guardrails.cooldownMs, qint64(90'000));
        QCOMPARE(s.guardrails.maxRiskPercent, 1.25);
        QCOMPARE(s.guardrails.marginCheck, false);

        auto duplicate = store.createRun(spec);
        QVERIFY(!duplicate);
        QVERIFY2(duplicate.error().message.contains(QStringLiteral("a run with this id exists")),
                 qPrintable(duplicate.error().message));
        auto noAccount = store.createRun(runSpec(f.version, QStringLiteral("nope")));
        QVERIFY(!noAccount);
        QVERIFY2(noAccount.error().message.contains(QStringLiteral("no account 'nope'; the accounts are 'icm-demo', 'other'")),
                 qPrintable(noAccount.error().message));
        auto noVersion = store.createRun(runSpec(QUuid::createUuid(), QStringLiteral("icm-demo")));
        QVERIFY(!noVersion);
        QVERIFY2(noVersion.error().message.contains(QStringLiteral("there is no bot version")),
                 qPrintable(noVersion.error().message));
        LiveRunSpec badTf = runSpec(f.version, QStringLiteral("icm-demo"));
        badTf.timeframe = QStringLiteral("M2");
        auto invalid = store.createRun(badTf);
        QVERIFY(!invalid);
        QVERIFY2(invalid.error().message.contains(QStringLiteral("timeframe 'M2'")), qPrintable(invalid.error().message));
        QCOMPARE(count(*f.db, "SELECT count(*) FROM live_runs"), 1);

        auto second = store.createRun(runSpec(f.version, QStringLiteral("other"), QStringLiteral("GBPUSD")));
        QVERIFY_OK(second);
        auto all = store.runs();
        QVERIFY_OK(all);
        QCOMPARE(all->size(), size_t(2));
        QCOMPARE(all->at(0).spec.id, second->spec.id);  // newest first
        auto onOther = store.runs(QStringLiteral("other"));
        QVERIFY_OK(onOther);
        QCOMPARE(onOther->size(), size_t(1));
        QCOMPARE(onOther->at(0).spec.symbol, QStringLiteral("GBPUSD"));
        auto unknown = store.run(QUuid::createUuid());
        QVERIFY(!unknown);
        QVERIFY2(unknown.error().message.contains(QStringLiteral("there is no run")), qPrintable(unknown.error().message));
    }

    void statusEventsFollowTheMachineAndIllegalOnesWriteNothing()
    {
        Fixture f = fixture(QStringLiteral("status"));
        PgLiveRunStore store(*f.db);
        auto run = store.createRun(runSpec(f.version, QStringLiteral("icm-demo")));
        QVERIFY_OK(run);
        const QUuid id = run->spec.id;
        const QString snapshotSql = QStringLiteral("SELECT status || '|' || last_error || '|' || updated_at::text || '|' "
                                                   "|| coalesce(started_at::text, '-') FROM live_runs WHERE id = ?::uuid");
        const auto snapshot = [&] { return f.db->scalar(snapshotSql, {id.toString(QUuid::WithoutBraces)})->toString(); };

        auto started = store.applyStatusEvent(id, LiveRunEvent::Start);
        QVERIFY_OK(started);
        QCOMPARE(started->status, LiveRunStatus::Running);
        QVERIFY(started->startedAtMs >= started->createdAtMs);

        const QString before = snapshot();
        for (LiveRunEvent illegal : {LiveRunEvent::Start, LiveRunEvent::Stopped, LiveRunEvent::Resume,
                                     LiveRunEvent::Restart}) {
            auto refused = store.applyStatusEvent(id, illegal, QStringLiteral("should not be stored"));
            QVERIFY(!refused);
            QVERIFY2(refused.error().message.contains(QStringLiteral("a RUNNING run cannot %1")
                                                          .arg(QLatin1String(liveRunEventName(illegal)))),
                     qPrintable(refused.error().message));
        }
        QCOMPARE(snapshot(), before);

        auto halted = store.applyStatusEvent(id, LiveRunEvent::Halt, QStringLiteral("Drawdown 23.5% exceeds cap 20%"));
        QVERIFY_OK(halted);
        QCOMPARE(halted->status, LiveRunStatus::Halted);
        QCOMPARE(halted->lastError, QStringLiteral("Drawdown 23.5% exceeds cap 20%"));
        QVERIFY(halted->updatedAtMs >= started->updatedAtMs);
        // The trader's Resume: desired RUNNING on a HALTED run.
        auto resumed = store.setDesiredState(id, DesiredState::Running);
        QVERIFY_OK(resumed);
        QCOMPARE(resumed->status, LiveRunStatus::Running);

        auto stop = store.setDesiredState(id, DesiredState::StopAndClose);
        QVERIFY_OK(stop);
        QCOMPARE(stop->desired, DesiredState::StopAndClose);
        QCOMPARE(stop->status, LiveRunStatus::Running);  // the host moves the status
        QCOMPARE(store.applyStatusEvent(id, LiveRunEvent::Stop)->status, LiveRunStatus::Stopping);
        auto stopped = store.applyStatusEvent(id, LiveRunEvent::Stopped);
        QVERIFY_OK(stopped);
        QCOMPARE(stopped->status, LiveRunStatus::Stopped);
        QVERIFY(stopped->stoppedAtMs >= stopped->startedAtMs);
        QVERIFY(!store.applyStatusEvent(id, LiveRunEvent::Fail, QStringLiteral("x")));  // STOPPED is final

        // RUNNING on a STOPPED run restarts it.
        auto restarted = store.setDesiredState(id, DesiredState::Running);
        QVERIFY_OK(restarted);
        QCOMPARE(restarted->status, LiveRunStatus::Pending);
        QCOMPARE(restarted->desired, DesiredState::Running);
        auto failed = store.applyStatusEvent(id, LiveRunEvent::Fail, QStringLiteral("bridge refused the token"));
        QVERIFY_OK(failed);
        QCOMPARE(failed->status, LiveRunStatus::Error);
        QCOMPARE(failed->lastError, QStringLiteral("bridge refused the token"));
        auto again = store.setDesiredState(id, DesiredState::Running);
        QVERIFY_OK(again);
        QCOMPARE(again->status, LiveRunStatus::Pending);
        QCOMPARE(again->lastError, QString());  // Restart clears it
        QVERIFY(!store.applyStatusEvent(QUuid::createUuid(), LiveRunEvent::Start));
        QVERIFY(!store.setDesiredState(QUuid::createUuid(), DesiredState::Stopped));
    }

    void startingEquityKeepsTheFirstValue()
    {
        Fixture f = fixture(QStringLiteral("equity"));
        PgLiveRunStore store(*f.db);
        auto run = store.createRun(runSpec(f.version, QStringLiteral("icm-demo")));
        QVERIFY_OK(run);
        auto first = store.fixStartingEquity(run->spec.id, 10'250.5);
        QVERIFY_OK(first);
        QCOMPARE(*first, 10'250.5);
        auto second = store.fixStartingEquity(run->spec.id, 9'000.0);
        QVERIFY_OK(second);
        QCOMPARE(*second, 10'250.5);
        QCOMPARE(*store.run(run->spec.id)->startingEquity, 10'250.5);
        QVERIFY(!store.fixStartingEquity(run->spec.id, -1.0));
        QVERIFY(!store.fixStartingEquity(run->spec.id, std::nan("")));
        auto unknown = store.fixStartingEquity(QUuid::createUuid(), 100.0);
        QVERIFY(!unknown);
        QVERIFY2(unknown.error().message.contains(QStringLiteral("there is no run")), qPrintable(unknown.error().message));
    }

    void twoHostsShareRunsThroughLeases()
    {
        Fixture f = fixture(QStringLiteral("leases"));
        PgLiveRunStore store(*f.db);
        auto a = store.createRun(runSpec(f.version, QStringLiteral("icm-demo")));
        auto b = store.createRun(runSpec(f.version, QStringLiteral("icm-demo"), QStringLiteral("GBPUSD")));
        auto done = store.createRun(runSpec(f.version, QStringLiteral("icm-demo"), QStringLiteral("USDJPY")));
        QVERIFY_OK(a);
        QVERIFY_OK(b);
        QVERIFY_OK(done);
        // A run stopped and meant to stay stopped needs no host.
        QVERIFY_OK(store.setDesiredState(done->spec.id, DesiredState::Stopped));
        QVERIFY_OK(store.applyStatusEvent(done->spec.id, LiveRunEvent::Stop));

        auto hostA = store.claimRuns(QStringLiteral("host-a"), 60'000);
        QVERIFY_OK(hostA);
        QCOMPARE(hostA->size(), size_t(2));
        QCOMPARE(hostA->at(0).spec.id, a->spec.id);
        QCOMPARE(hostA->at(0).hostId, QStringLiteral("host-a"));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(hostA->at(0).leaseUntilMs > now + 50'000 && hostA->at(0).leaseUntilMs < now + 70'000);
        // Host B finds both leases live.
        auto hostB = store.claimRuns(QStringLiteral("host-b"), 60'000);
        QVERIFY_OK(hostB);
        QCOMPARE(hostB->size(), size_t(0));
        // Host A renews its own.
        auto renewed = store.claimRuns(QStringLiteral("host-a"), 120'000);
        QVERIFY_OK(renewed);
        QCOMPARE(renewed->size(), size_t(2));
        QVERIFY(renewed->at(0).leaseUntilMs > hostA->at(0).leaseUntilMs);
        // Host A dies: run a's lease expires; host B takes that one only.
        QVERIFY_OK(f.db->exec(QStringLiteral("UPDATE live_runs SET lease_until = now() - interval '1 second' WHERE "
                                             "id = ?::uuid"), {a->spec.id.toString(QUuid::WithoutBraces)}));
        hostB = store.claimRuns(QStringLiteral("host-b"), 60'000);
        QVERIFY_OK(hostB);
        QCOMPARE(hostB->size(), size_t(1));
        QCOMPARE(hostB->at(0).spec.id, a->spec.id);
        QCOMPARE(store.run(a->spec.id)->hostId, QStringLiteral("host-b"));
        // Host A coming back does not take it again; releasing a lease it lost is a no-op.
        QCOMPARE(store.claimRuns(QStringLiteral("host-a"), 60'000)->size(), size_t(1));
        QVERIFY_OK(store.releaseRun(a->spec.id, QStringLiteral("host-a")));
        QCOMPARE(store.run(a->spec.id)->hostId, QStringLiteral("host-b"));
        // Host B releases it; host A may take it.
        QVERIFY_OK(store.releaseRun(a->spec.id, QStringLiteral("host-b")));
        QCOMPARE(store.run(a->spec.id)->hostId, QString());
        QCOMPARE(store.run(a->spec.id)->leaseUntilMs, qint64(0));
        QCOMPARE(store.claimRuns(QStringLiteral("host-a"), 60'000)->size(), size_t(2));
        QVERIFY(!store.releaseRun(QUuid::createUuid(), QStringLiteral("host-a")));
        QVERIFY(!store.claimRuns(QString(), 60'000));
        QVERIFY(!store.claimRuns(QStringLiteral("host-a"), 0));

        // Two hosts claiming at once, each on its own connection: every run ends with exactly one of them.
        QVERIFY_OK(f.db->exec(QStringLiteral("UPDATE live_runs SET host_id = '', lease_until = NULL")));
        const DatabaseTarget target = f.db->target();
        std::latch go(2);
        std::atomic<int> claimed[2] = {0, 0};
        std::atomic<int> failures = 0;
        const auto host = [&](int i) {
            Database db(target, options(i == 0 ? "host-x" : "host-y"));
            PgLiveRunStore s(db);
            if (!db.open())
                ++failures;
            go.arrive_and_wait();
            auto got = s.claimRuns(i == 0 ? QStringLiteral("host-x") : QStringLiteral("host-y"), 60'000);
            if (got)
                claimed[i] = int(got->size());
            else
                ++failures;
        };
        std::thread x(host, 0), y(host, 1);
        x.join();
        y.join();
        QCOMPARE(failures.load(), 0);
        QCOMPARE(claimed[0] + claimed[1], 2);
        QCOMPARE(count(*f.db, "SELECT count(*) FROM live_runs WHERE host_id IN ('host-x', 'host-y')"), 2);
    }

    // APPROVE mode: an answer is recorded once per signal; it reaches only the host that leases its run, once.
    void signalAnswersReachTheRunsHostOnce()
    {
        Fixture f = fixture(QStringLiteral("answers"));
        PgLiveRunStore store(*f.db);
        auto a = store.createRun(runSpec(f.version, QStringLiteral("icm-demo")));
        auto b = store.createRun(runSpec(f.version, QStringLiteral("icm-demo"), QStringLiteral("GBPUSD")));
        QVERIFY_OK(a);
        QVERIFY_OK(b);
        QVERIFY_OK(store.decideSignal(a->spec.id, QStringLiteral("sig-1"), SignalAnswer::Approve));
        QVERIFY_OK(store.decideSignal(a->spec.id, QStringLiteral("sig-2"), SignalAnswer::Reject));
        QVERIFY_OK(store.decideSignal(b->spec.id, QStringLiteral("sig-1"), SignalAnswer::Approve));  // another run's
        const Result<void> twice = store.decideSignal(a->spec.id, QStringLiteral("sig-1"), SignalAnswer::Reject);
        QVERIFY(!twice);
        QVERIFY2(twice.error().message.contains(QStringLiteral("already approved at")), qPrintable(twice.error().message));
        QVERIFY(!store.decideSignal(QUuid::createUuid(), QStringLiteral("sig-1"), SignalAnswer::Approve));
        QVERIFY(!store.decideSignal(a->spec.id, QString(), SignalAnswer::Approve));

        // No host leases the runs yet: nobody takes anything.
        QCOMPARE(store.takeSignalDecisions(QStringLiteral("host-a"))->size(), size_t(0));
        QVERIFY_OK(f.db->exec(QStringLiteral("UPDATE live_runs SET host_id = 'host-a', lease_until = now() + "
                                             "interval '1 minute' WHERE id = ?::uuid"),
                              {a->spec.id.toString(QUuid::WithoutBraces)}));
        QCOMPARE(store.takeSignalDecisions(QStringLiteral("host-b"))->size(), size_t(0));
        auto taken = store.takeSignalDecisions(QStringLiteral("host-a"));
        QVERIFY_OK(taken);
        QCOMPARE(taken->size(), size_t(2));  // run a's two, oldest first; not run b's
        QCOMPARE(taken->at(0).liveRunId, a->spec.id);
        QCOMPARE(taken->at(0).signalId, QStringLiteral("sig-1"));
        QCOMPARE(taken->at(0).answer, SignalAnswer::Approve);
        QCOMPARE(taken->at(1).signalId, QStringLiteral("sig-2"));
        QCOMPARE(taken->at(1).answer, SignalAnswer::Reject);
        QVERIFY(taken->at(0).decidedAtMs <= taken->at(1).decidedAtMs && taken->at(0).decidedAtMs > 0);
        QCOMPARE(store.takeSignalDecisions(QStringLiteral("host-a"))->size(), size_t(0));  // once
        QCOMPARE(count(*f.db, "SELECT count(*) FROM signal_decisions WHERE taken_by = 'host-a' AND taken_at IS NOT NULL"), 2);
    }

    void aSecondConnectionHearsTheNotification()
    {
        Fixture f = fixture(QStringLiteral("notify"));
        PgLiveRunStore store(*f.db);
        Database listener(f.db->target(), options("listener"));
        auto connection = listener.connection();
        QVERIFY_OK(connection);
        QSqlDriver *driver = connection->driver();
        QVERIFY(driver->hasFeature(QSqlDriver::EventNotifications));
        QStringList payloads;
        connect(driver, &QSqlDriver::notification, this,
                [&payloads](const QString &name, QSqlDriver::NotificationSource, const QVariant &payload) {
                    if (name == QLatin1String(PgLiveRunStore::kChannel))
                        payloads << payload.toString();
                });
        QVERIFY(driver->subscribeToNotification(QString::fromLatin1(PgLiveRunStore::kChannel)));

        auto run = store.createRun(runSpec(f.version, QStringLiteral("icm-demo")));
        QVERIFY_OK(run);
        const QString id = run->spec.id.toString(QUuid::WithoutBraces);
        QTRY_COMPARE_WITH_TIMEOUT(payloads, QStringList{id}, 5000);
        QVERIFY_OK(store.setDesiredState(run->spec.id, DesiredState::Stopped));
        QTRY_COMPARE_WITH_TIMEOUT(payloads.size(), 2, 5000);
        QCOMPARE(payloads.at(1), id);
        // A status report is not a command: no notification (checked after a later one arrives).
        QVERIFY_OK(store.applyStatusEvent(run->spec.id, LiveRunEvent::Stop));
        QVERIFY_OK(store.setDesiredState(run->spec.id, DesiredState::Running));  // STOPPED -> PENDING, notified
        QTRY_COMPARE_WITH_TIMEOUT(payloads.size(), 3, 5000);
        QTest::qWait(200);
        QCOMPARE(payloads.size(), 3);
        driver->unsubscribeFromNotification(QString::fromLatin1(PgLiveRunStore::kChannel));
    }

    void intentsAreKeptUnderTheirIdempotencyKey()
    {
        Fixture f = fixture(QStringLiteral("intents"));
        PgLiveRunStore runs(*f.db);
        PgTradeStore store(*f.db);
        auto run = runs.createRun(runSpec(f.version, QStringLiteral("icm-demo")));
        QVERIFY_OK(run);
        const QUuid runId = run->spec.id;

        const IntentRecord first = openIntent(runId, f.version, 1, 0.1);
        auto persisted = store.persistIntent(first);
        QVERIFY_OK(persisted);
        QVERIFY(persisted->created);
        QCOMPARE(persisted->stored.idempotencyKey, first.idempotencyKey);
        QCOMPARE(persisted->stored.state, IntentState::Persisted);
        QVERIFY(persisted->stored.createdAtMs > 1'700'000'000'000);

        // The same key again (a replayed bar) with other figures: not created, the first record comes back.
        IntentRecord replay = openIntent(runId, f.version, 1, 0.7);
        replay.state = IntentState::Denied;
        auto second = store.persistIntent(replay);
        QVERIFY_OK(second);
        QVERIFY(!second->created);
        QCOMPARE(second->stored.volume, 0.1);
        QCOMPARE(second->stored.state, IntentState::Persisted);
        QCOMPARE(count(*f.db, "SELECT count(*) FROM trade_intents"), 1);

        auto read = store.intent(first.idempotencyKey);
        QVERIFY_OK(read);
        const IntentRecord &r = *read;
        QCOMPARE(r.clientReqId, first.idempotencyKey.left(32));
        QCOMPARE(r.action, IntentAction::Open);
        QCOMPARE(r.intent.account, QStringLiteral("icm-demo"));
        QCOMPARE(r.intent.symbol, QStringLiteral("EURUSD"));
        QCOMPARE(r.intent.side, Side::Buy);
        QCOMPARE(r.intent.source, TradeSource::Bot);
        QCOMPARE(r.intent.liveRunId, runId);
        QCOMPARE(r.intent.botVersionId, f.version);
        QCOMPARE(r.intent.signalId, QStringLiteral("sig-1"));
        QCOMPARE(r.intent.reason, QStringLiteral("EMA cross up"));
        QCOMPARE(r.intent.correlationId, QStringLiteral("corr-1"));
        QCOMPARE(r.price, 1.08512);
        QCOMPARE(r.sl, 1.08312);
        QCOMPARE(r.tp, 1.08912);
        QCOMPARE(r.barTimeMs, kT0 + 3'600'000);
        QCOMPARE(r.request.value(QStringLiteral("action")).toString(), QStringLiteral("TRADE_ACTION_DEAL"));

        // The outcome.
        IntentRecord outcome = r;
        outcome.state = IntentState::Done;
        outcome.retcode = 10009;
        outcome.orderTicket = 5'000'000'001ULL;
        outcome.dealTicket = 5'000'000'002ULL;
        outcome.fillPrice = 1.08515;
        outcome.message = QStringLiteral("done");
        QVERIFY_OK(store.updateIntent(outcome));
        auto updated = store.intent(first.idempotencyKey);
        QVERIFY_OK(updated);
        QCOMPARE(updated->state, IntentState::Done);
        QCOMPARE(updated->retcode, 10009);
        QCOMPARE(updated->orderTicket, 5'000'000'001ULL);
        QCOMPARE(updated->dealTicket, 5'000'000'002ULL);
        QCOMPARE(updated->fillPrice, 1.08515);
        QCOMPARE(updated->message, QStringLiteral("done"));
        QVERIFY(updated->updatedAtMs >= updated->createdAtMs);

        // Unfinished ones, oldest first, of one account only; a manual intent without a run.
        QVERIFY_OK(store.persistIntent(openIntent(runId, f.version, 2)));
        IntentRecord sent = openIntent(runId, f.version, 3);
        sent.state = IntentState::Sent;
        QVERIFY_OK(store.persistIntent(sent));
        IntentRecord denied = openIntent(runId, f.version, 4);
        denied.state = IntentState::Denied;
        QVERIFY_OK(store.persistIntent(denied));
        IntentRecord manual = openIntent(runId, f.version, 5);
        manual.intent.liveRunId = QUuid();
        manual.intent.botVersionId = QUuid();
        manual.intent.source = TradeSource::Manual;
        manual.intent.account = QStringLiteral("other-acct");
        manual.barTimeMs = 0;
        QVERIFY_OK(store.persistIntent(manual));
        auto open = store.unfinishedIntents(QStringLiteral("icm-demo"));
        QVERIFY_OK(open);
        QCOMPARE(open->size(), size_t(2));
        QCOMPARE(open->at(0).intent.signalId, QStringLiteral("sig-2"));
        QCOMPARE(open->at(1).state, IntentState::Sent);
        auto ofRun = store.intentsOfRun(runId);
        QVERIFY_OK(ofRun);
        QCOMPARE(ofRun->size(), size_t(4));
        auto byId = store.intentByClientReqId(manual.clientReqId);
        QVERIFY_OK(byId);
        QVERIFY(byId->has_value());
        QCOMPARE((*byId)->intent.source, TradeSource::Manual);
        QVERIFY((*byId)->intent.liveRunId.isNull());
        QCOMPARE((*byId)->barTimeMs, qint64(0));
        auto none = store.intentByClientReqId(QString(32, QLatin1Char('0')));
        QVERIFY_OK(none);
        QVERIFY(!none->has_value());

        // Refused input writes nothing.
        IntentRecord badKey = openIntent(runId, f.version, 6);
        badKey.idempotencyKey = badKey.idempotencyKey.toUpper();
        auto refused = store.persistIntent(badKey);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(QStringLiteral("not 64 lowercase hex")), qPrintable(refused.error().message));
        IntentRecord badReq = openIntent(runId, f.version, 6);
        badReq.clientReqId = QStringLiteral("abc");
        QVERIFY(!store.persistIntent(badReq));
        IntentRecord nanVolume = openIntent(runId, f.version, 6);
        nanVolume.volume = std::nan("");
        QVERIFY(!store.persistIntent(nanVolume));
        // Another key with the same first 32 hex digits (its client_req_id) is refused, naming the intent it clashes with.
        IntentRecord clash = openIntent(runId, f.version, 6);
        clash.idempotencyKey = first.idempotencyKey.left(32) + QString(32, QLatin1Char('0'));
        clash.clientReqId = first.clientReqId;
        auto clashed = store.persistIntent(clash);
        QVERIFY(!clashed);
        QVERIFY2(clashed.error().message.contains(QStringLiteral("is taken by intent ") + first.idempotencyKey),
                 qPrintable(clashed.error().message));
        IntentRecord ghost = openIntent(runId, f.version, 7);
        auto unknown = store.updateIntent(ghost);
        QVERIFY(!unknown);
        QVERIFY2(unknown.error().message.contains(ghost.idempotencyKey) && unknown.error().message.contains(
                     QStringLiteral("no intent has this key")), qPrintable(unknown.error().message));
        QVERIFY(!store.intent(ghost.idempotencyKey));
        QCOMPARE(count(*f.db, "SELECT count(*) FROM trade_intents"), 5);
    }

    void twoConnectionsRacingOnOneKeyCreateOneIntent()
    {
        Fixture f = fixture(QStringLiteral("race"));
        PgLiveRunStore runs(*f.db);
        auto run = runs.createRun(runSpec(f.version, QStringLiteral("icm-demo")));
        QVERIFY_OK(run);
        const DatabaseTarget target = f.db->target();
        constexpr int kKeys = 25;
        std::atomic<int> created[2] = {0, 0};
        std::atomic<int> failures = 0;
        QString firstFailure;
        std::mutex failureLock;
        std::latch go(2);
        const QUuid runId = run->spec.id, version = f.version;
        const auto writer = [&](int i) {
            Database db(target, options(i == 0 ? "writer-a" : "writer-b"));
            PgTradeStore store(db);
            if (!db.open())
                ++failures;
            go.arrive_and_wait();
            for (int k = 0; k < kKeys; ++k) {
                auto p = store.persistIntent(openIntent(runId, version, 100 + k, i == 0 ? 0.1 : 0.2));
                if (!p) {
                    ++failures;
                    const std::lock_guard lock(failureLock);
                    if (firstFailure.isEmpty())
                        firstFailure = p.error().message;
                } else if (p->created)
                    ++created[i];
                else if (p->stored.volume != 0.1 && p->stored.volume != 0.2)
                    ++failures;
            }
        };
        std::thread a(writer, 0), b(writer, 1);
        a.join();
        b.join();
        QVERIFY2(failures.load() == 0, qPrintable(firstFailure));
        QCOMPARE(created[0] + created[1], kKeys);
        QCOMPARE(count(*f.db, "SELECT count(*) FROM trade_intents"), kKeys);
        qInfo("of %d keys raced by two connections: %d created by the first, %d by the second", kKeys,
              created[0].load(), created[1].load());
    }

    // The hot writes commit without waiting for the WAL flush; an intent always waits for it, even inside a
    // transaction whose earlier write said otherwise, and a later hot write in its transaction keeps the wait
    // (pglivesql.h: kNoFlushWait / kFlushWait).
    void writesSayWhetherTheirCommitWaitsForTheDisk()
    {
        Fixture f = fixture(QStringLiteral("flushwait"));
        PgLiveRunStore runs(*f.db);
        PgTradeStore store(*f.db);
        auto run = runs.createRun(runSpec(f.version, QStringLiteral("icm-demo")));
        QVERIFY_OK(run);
        const QUuid runId = run->spec.id;
        auto setting = [&]() { return f.db->scalar(QStringLiteral("SELECT current_setting('synchronous_commit')"))->toString(); };
        const QString sessionDefault = setting();  // the test cluster's (off there: tests do not wait for the disk)

        auto tx = f.db->transaction([&]() -> Result<void> {
            if (auto r = store.recordTradeOpened(openedTrade(QStringLiteral("icm-demo"), 8101, runId, 0.2)); !r)
                return r;
            if (setting() != QStringLiteral("off"))
                return Error{QStringLiteral("a trade's opening should commit without a flush wait, got %1").arg(setting())};
            if (auto r = store.recordTradeClose(closeDeal(QStringLiteral("icm-demo"), 8101, 31, 0.1, 2.5)); !r)
                return r;
            if (setting() != QStringLiteral("off"))
                return Error{QStringLiteral("a closing deal should commit without a flush wait, got %1").arg(setting())};
            if (auto r = store.persistIntent(openIntent(runId, f.version, 9, 0.1)); !r)
                return r.error();
            if (setting() != QStringLiteral("on"))
                return Error{QStringLiteral("an intent must commit with a flush wait, got %1").arg(setting())};
            IntentRecord sent = openIntent(runId, f.version, 9, 0.1);
            sent.state = IntentState::Sent;
            if (auto r = store.updateIntent(sent); !r)
                return r;
            if (setting() != QStringLiteral("on"))
                return Error{QStringLiteral("a write after an intent in its transaction must keep the flush wait, got %1").arg(setting())};
            if (auto r = store.persistIntent(openIntent(runId, f.version, 10, 0.1)); !r)
                return r.error();
            return setting() == QStringLiteral("on")
                       ? Result<void>()
                       : Result<void>(Error{QStringLiteral("the second intent must wait for the flush again")});
        });
        QVERIFY_OK(tx);
        QCOMPARE(setting(), sessionDefault);  // set for those transactions only
        // Alone in its transaction, an intent's later state does not wait.
        auto later = f.db->transaction([&]() -> Result<QString> {
            IntentRecord done = openIntent(runId, f.version, 9, 0.1);
            done.state = IntentState::Done;
            if (auto r = store.updateIntent(done); !r)
                return r.error();
            return setting();
        });
        QVERIFY_OK(later);
        QCOMPARE(later.value(), QStringLiteral("off"));
        QCOMPARE(count(*f.db, "SELECT count(*) FROM trade_intents"), 2);
        QCOMPARE(count(*f.db, "SELECT count(*) FROM live_trades WHERE closed_volume = 0.1 AND close_time IS NULL"), 1);
        // Outside a transaction, a statement's setting ends with its own commit.
        QVERIFY_OK(store.persistIntent(openIntent(runId, f.version, 11, 0.1)));
        QCOMPARE(setting(), sessionDefault);
        QVERIFY_OK(store.recordHeartbeat(Heartbeat{runId, kT0, 1, 0, 0, 0, 0, 0, 1.5, 0}));
        QCOMPARE(setting(), sessionDefault);
    }

    void tradesCountEachClosingDealOnce()
    {
        Fixture f = fixture(QStringLiteral("trades"));
        PgLiveRunStore runs(*f.db);
        PgTradeStore store(*f.db);
        auto run = runs.createRun(runSpec(f.version, QStringLiteral("icm-demo")));
        QVERIFY_OK(run);
        const QUuid runId = run->spec.id;
        const QString acct = QStringLiteral("icm-demo");

        QVERIFY_OK(store.recordTradeOpened(openedTrade(acct, 7001, runId, 0.3)));
        LiveTrade changed = openedTrade(acct, 7001, runId, 9.0);
        QVERIFY_OK(store.recordTradeOpened(changed));  // a no-op: the first stays
        LiveTrade adopted = openedTrade(acct, 7002, QUuid(), 0.1);
        adopted.adopted = true;
        adopted.source = TradeSource::Manual;
        adopted.idempotencyKey.clear();
        QVERIFY_OK(store.recordTradeOpened(adopted));
        auto open = store.openTrades(acct);
        QVERIFY_OK(open);
        QCOMPARE(open->size(), size_t(2));
        const LiveTrade &t = open->at(0);
        QCOMPARE(t.positionTicket, quint64(7001));
        QCOMPARE(t.volume, 0.3);
        QCOMPARE(t.liveRunId, runId);
        QCOMPARE(t.side, Side::Sell);
        QCOMPARE(t.openTimeMs, kT0);
        QCOMPARE(t.commission, -0.7);
        QCOMPARE(t.idempotencyKey, QString(64, QLatin1Char('b')));
        QVERIFY(!t.closeTimeMs);
        QVERIFY(open->at(1).adopted);
        QVERIFY(open->at(1).liveRunId.isNull());

        QVERIFY_OK(store.updateTradeStops(acct, 7001, 1.101, 1.095));
        QCOMPARE(store.openTrades(acct)->at(0).sl, 1.101);

        // A partial close, recorded twice (a redelivered deal): counted once.
        QVERIFY_OK(store.recordTradeClose(closeDeal(acct, 7001, 11, 0.1, 12.5)));
        QVERIFY_OK(store.recordTradeClose(closeDeal(acct, 7001, 11, 0.1, 12.5)));
        auto partial = store.openTrades(acct);
        QVERIFY_OK(partial);
        QCOMPARE(partial->at(0).closedVolume, 0.1);
        QCOMPARE(partial->at(0).profit, 12.5);
        QVERIFY(!partial->at(0).closeTimeMs);
        QCOMPARE(partial->at(0).closeReason, QString());
        // The rest in two more deals (0.1 + 0.1 + 0.1 is not exactly 0.3 in binary: within 1e-9 it is).
        QVERIFY_OK(store.recordTradeClose(closeDeal(acct, 7001, 12, 0.1, 7.25)));
        QCOMPARE(store.openTrades(acct)->size(), size_t(2));
        QVERIFY_OK(store.recordTradeClose(closeDeal(acct, 7001, 13, 0.1, -1.75, QStringLiteral("TP_HIT"))));
        QVERIFY_OK(store.recordTradeClose(closeDeal(acct, 7001, 13, 0.1, -1.75, QStringLiteral("TP_HIT"))));
        QCOMPARE(store.openTrades(acct)->size(), size_t(1));
        auto ofRun = store.tradesOfRun(runId);
        QVERIFY_OK(ofRun);
        QCOMPARE(ofRun->size(), size_t(1));
        const LiveTrade &closed = ofRun->at(0);
        QVERIFY(closed.closeTimeMs.has_value());
        QCOMPARE(*closed.closeTimeMs, kT0 + 13 * 60'000);
        QCOMPARE(closed.profit, 18.0);
        QVERIFY(qAbs(closed.commission + 1.75) < 1e-12);
        QVERIFY(qAbs(closed.swap + 0.3) < 1e-12);
        QCOMPARE(closed.closePrice, 1.098);
        QCOMPARE(closed.closeReason, QStringLiteral("TP_HIT"));
        QCOMPARE(closed.closeSubreason, QStringLiteral("EXIT_SHORT"));
        auto closes = store.closesOfTrade(acct, 7001);
        QVERIFY_OK(closes);
        QCOMPARE(closes->size(), size_t(3));
        QCOMPARE(closes->at(0).dealTicket, quint64(11));
        QCOMPARE(closes->at(0).orderTicket, quint64(1011));
        QCOMPARE(closes->at(0).correlationId, QStringLiteral("corr-close-11"));
        QCOMPARE(closes->at(2).closeReason, QStringLiteral("TP_HIT"));

        // Stops of a closed trade and closes of an unknown position are refused and write nothing.
        auto closedStops = store.updateTradeStops(acct, 7001, 1.2, 1.0);
        QVERIFY(!closedStops);
        QVERIFY2(closedStops.error().message.contains(QStringLiteral("the trade is closed")),
                 qPrintable(closedStops.error().message));
        QCOMPARE(store.tradesOfRun(runId)->at(0).sl, 1.101);
        QVERIFY(!store.updateTradeStops(acct, 9999, 1.2, 1.0));
        auto orphan = store.recordTradeClose(closeDeal(acct, 9999, 21, 0.1, 1.0));
        QVERIFY(!orphan);
        QVERIFY2(orphan.error().message.contains(QStringLiteral("position 9999 of account 'icm-demo'"))
                     && orphan.error().message.contains(QStringLiteral("not in the store")),
                 qPrintable(orphan.error().message));
        auto badReason = store.recordTradeClose(closeDeal(acct, 7002, 22, 0.1, 1.0, QStringLiteral("BECAUSE")));
        QVERIFY(!badReason);
        QVERIFY2(badReason.error().message.contains(QStringLiteral("close reason 'BECAUSE' is not one of TP_HIT")),
                 qPrintable(badReason.error().message));
        // The table's CHECK refuses it too, for any writer.
        QVERIFY(!f.db->exec(QStringLiteral("UPDATE live_trades SET close_reason = 'BECAUSE'")));
        QCOMPARE(count(*f.db, "SELECT count(*) FROM trade_closes"), 3);
        QCOMPARE(store.openTrades(acct)->at(0).closedVolume, 0.0);
    }

    // Deferred events (the live desks): appended in memory (id 0), written in order by flushEvents in a few
    // statements, read back after a flush; a read through the same store flushes first; a bad type is still refused
    // at once; what cannot be written while the server is down is kept and written once it is back.
    void deferredEventsAreWrittenInOrderByAFlush()
    {
        Fixture f = fixture(QStringLiteral("deferred"));
        PgLiveRunStore runs(*f.db);
        PgTradeStore store(*f.db);
        store.deferEvents(true);
        Database other(f.db->target(), options("reader"));
        PgTradeStore reader(other);
        auto run = runs.createRun(runSpec(f.version, QStringLiteral("icm-demo")));
        QVERIFY_OK(run);
        const QUuid runId = run->spec.id;
        const auto append = [&](int i) {
            LiveEvent e;
            e.liveRunId = runId;
            e.account = QStringLiteral("icm-demo");
            e.type = QStringLiteral("SignalReceived");
            e.atMs = i % 2 ? kT0 + i : 0;  // 0: stamped when appended, not when written
            e.message = QStringLiteral("event %1").arg(i);
            e.payload = QJsonObject{{QStringLiteral("n"), i}};
            return store.appendEvent(e);
        };
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        for (int i = 0; i < 450; ++i) {  // more than one statement's rows
            Result<qint64> id = append(i);
            QVERIFY_OK(id);
            QCOMPARE(id.value(), qint64(0));
        }
        QCOMPARE(store.deferredEvents(), 450);
        LiveEvent bad;
        bad.type = QStringLiteral("drop table");
        QVERIFY(!store.appendEvent(bad));
        QCOMPARE(reader.events(runId, 0, 1000)->size(), size_t(0));  // nothing written yet
        Result<int> flushed = store.flushEvents();
        QVERIFY_OK(flushed);
        QCOMPARE(flushed.value(), 450);
        QCOMPARE(store.deferredEvents(), 0);
        auto all = reader.events(runId, 0, 1000);
        QVERIFY_OK(all);
        QCOMPARE(all->size(), size_t(450));
        for (int i = 0; i < 450; ++i) {
            QCOMPARE(all->at(size_t(i)).message, QStringLiteral("event %1").arg(i));
            QCOMPARE(all->at(size_t(i)).payload.value(QStringLiteral("n")).toInt(), i);
        }
        QCOMPARE(all->at(1).atMs, kT0 + 1);
        QVERIFY(all->at(0).atMs >= before && all->at(0).atMs <= QDateTime::currentMSecsSinceEpoch());

        // Any text survives the batch as it was given.
        LiveEvent odd;
        odd.liveRunId = runId;
        odd.account = QStringLiteral("icm-demo");
        odd.type = QStringLiteral("OrderRejected");
        odd.correlationId = QStringLiteral("c'\"1");
        odd.message = QStringLiteral("he said \"no\", then \\ and {a,b} 'x'\nnext line \u00e9\u20ac\U0001F600");
        odd.payload = QJsonObject{{QStringLiteral("nested"), QJsonObject{{QStringLiteral("q"), QStringLiteral("\"")}}}};
        QVERIFY_OK(store.appendEvent(odd));
        QVERIFY_OK(store.flushEvents());
        auto oddRead = reader.events(runId, 0, 1000, QStringLiteral("OrderRejected"));
        QVERIFY_OK(oddRead);
        QCOMPARE(oddRead->size(), size_t(1));
        QCOMPARE(oddRead->front().message, odd.message);
        QCOMPARE(oddRead->front().correlationId, odd.correlationId);
        QCOMPARE(oddRead->front().payload, odd.payload);

        // A read through the deferring store sees its own events.
        QVERIFY_OK(append(450));
        QCOMPARE(store.events(runId, 0, 1000)->size(), size_t(452));

        // The server down: the flush fails and keeps them; back up, they are written.
        QVERIFY_OK(append(451));
        QVERIFY_OK(pg.stopServer());
        QVERIFY(!store.flushEvents());
        QCOMPARE(store.deferredEvents(), 1);
        QVERIFY_OK(pg.startServer());
        QTRY_VERIFY_WITH_TIMEOUT(store.flushEvents().ok(), 5000);
        QCOMPARE(store.deferredEvents(), 0);
        QCOMPARE(reader.events(runId, 0, 1000)->size(), size_t(453));
    }

    void eventsAndHeartbeats()
    {
        Fixture f = fixture(QStringLiteral("events"));
        PgLiveRunStore runs(*f.db);
        PgTradeStore store(*f.db);
        auto run = runs.createRun(runSpec(f.version, QStringLiteral("icm-demo")));
        QVERIFY_OK(run);
        const QUuid runId = run->spec.id;
        QList<qint64> ids;
        const QStringList types{QStringLiteral("SignalReceived"), QStringLiteral("OrderSent"),
                                QStringLiteral("TradeExecuted"), QStringLiteral("OrderSent")};
        for (int i = 0; i < types.size(); ++i) {
            LiveEvent e;
            e.liveRunId = runId;
            e.account = QStringLiteral("icm-demo");
            e.type = types[i];
            e.correlationId = i < 3 ? QStringLiteral("corr-a") : QStringLiteral("corr-b");
            e.atMs = kT0 + i * 1000;
            e.message = QStringLiteral("event %1").arg(i);
            e.payload = QJsonObject{{QStringLiteral("execution_ms"), 12.5 + i}};
            auto id = store.appendEvent(e);
            QVERIFY_OK(id);
            ids << *id;
        }
        QVERIFY(ids[0] < ids[1] && ids[1] < ids[2] && ids[2] < ids[3]);
        LiveEvent accountWide;
        accountWide.account = QStringLiteral("icm-demo");
        accountWide.type = QStringLiteral("ReconcilerAdopted");
        QVERIFY_OK(store.appendEvent(accountWide));
        QCOMPARE(count(*f.db, "SELECT count(*) FROM live_events WHERE live_run_id IS NULL AND at > now() - interval "
                              "'1 minute'"), 1);  // atMs 0: the server's clock
        LiveEvent badType = accountWide;
        badType.type = QStringLiteral("drop table");
        QVERIFY(!store.appendEvent(badType));

        auto all = store.events(runId, 0, 100);
        QVERIFY_OK(all);
        QCOMPARE(all->size(), size_t(4));
        QCOMPARE(all->at(2).type, QStringLiteral("TradeExecuted"));
        QCOMPARE(all->at(2).atMs, kT0 + 2000);
        QCOMPARE(all->at(2).payload.value(QStringLiteral("execution_ms")).toDouble(), 14.5);
        QCOMPARE(all->at(2).message, QStringLiteral("event 2"));
        QCOMPARE(all->at(2).liveRunId, runId);
        auto after = store.events(runId, ids[1], 1);
        QVERIFY_OK(after);
        QCOMPARE(after->size(), size_t(1));
        QCOMPARE(after->at(0).id, ids[2]);
        auto sent = store.events(runId, 0, 100, QStringLiteral("OrderSent"));
        QVERIFY_OK(sent);
        QCOMPARE(sent->size(), size_t(2));
        QCOMPARE(sent->at(1).id, ids[3]);
        QVERIFY(!store.events(runId, 0, 0));
        auto corr = store.eventsByCorrelation(QStringLiteral("corr-a"));
        QVERIFY_OK(corr);
        QCOMPARE(corr->size(), size_t(3));
        QVERIFY(!store.eventsByCorrelation(QString()));

        for (int i = 0; i < 3; ++i) {
            Heartbeat h;
            h.liveRunId = runId;
            h.atMs = kT0 + i * 10'000;
            h.signalsReceived = i;
            h.intentsSent = 2 * i;
            h.intentsSucceeded = i;
            h.intentsFailed = i > 1 ? 1 : 0;
            h.trades = i;
            h.errors = 0;
            h.loopMs = 1.5 * (i + 1);
            h.lastActionAtMs = i == 0 ? 0 : kT0 + i * 10'000 - 500;
            QVERIFY_OK(store.recordHeartbeat(h));
        }
        auto beats = store.heartbeats(runId, 2);
        QVERIFY_OK(beats);
        QCOMPARE(beats->size(), size_t(2));
        QCOMPARE(beats->at(0).atMs, kT0 + 20'000);  // newest first
        QCOMPARE(beats->at(0).intentsSent, qint64(4));
        QCOMPARE(beats->at(0).intentsFailed, qint64(1));
        QCOMPARE(beats->at(0).loopMs, 4.5);
        QCOMPARE(beats->at(0).lastActionAtMs, kT0 + 19'500);
        QCOMPARE(beats->at(1).atMs, kT0 + 10'000);
        QCOMPARE(store.heartbeats(runId, 10)->back().lastActionAtMs, qint64(0));
        QCOMPARE(runs.run(runId)->lastHeartbeatAtMs, kT0 + 20'000);
        Heartbeat orphan;
        orphan.liveRunId = QUuid::createUuid();
        auto refused = store.recordHeartbeat(orphan);
        QVERIFY(!refused);  // no such run (foreign key)
        QVERIFY2(refused.error().message.contains(orphan.liveRunId.toString(QUuid::WithoutBraces)),
                 qPrintable(refused.error().message));
    }

    // runActivity (the runs monitor, issue 10 §4): one row per run, hosted or not; realised P/L with costs, open
    // positions, trades opened since a time, and the newest heartbeat only; a run without any has zeros and none.
    void runActivityPerRun()
    {
        Fixture f = fixture(QStringLiteral("activity"));
        PgLiveRunStore runs(*f.db);
        PgTradeStore store(*f.db);
        auto busy = runs.createRun(runSpec(f.version, QStringLiteral("icm-demo")));
        auto idle = runs.createRun(runSpec(f.version, QStringLiteral("icm-demo"), QStringLiteral("GBPUSD")));
        QVERIFY_OK(busy);
        QVERIFY_OK(idle);
        const QUuid runId = busy->spec.id;
        LiveTrade early = openedTrade(QStringLiteral("icm-demo"), 8001, runId, 0.2);   // opened at kT0
        LiveTrade late = openedTrade(QStringLiteral("icm-demo"), 8002, runId, 0.1);
        late.openTimeMs = kT0 + 3'600'000;
        QVERIFY_OK(store.recordTradeOpened(early));
        QVERIFY_OK(store.recordTradeOpened(late));
        QVERIFY_OK(store.recordTradeClose(closeDeal(QStringLiteral("icm-demo"), 8001, 9001, 0.2, -12.5)));
        for (int i = 0; i < 3; ++i) {
            Heartbeat h;
            h.liveRunId = runId;
            h.atMs = kT0 + i * 10'000;
            h.trades = 10 + i;
            h.loopMs = 2.0 + i;
            h.lastActionAtMs = i == 2 ? kT0 + 15'000 : 0;
            QVERIFY_OK(store.recordHeartbeat(h));
        }
        auto all = store.runActivity(kT0 + 1);
        QVERIFY_OK(all);
        QCOMPARE(all->size(), size_t(2));
        const auto of = [&](const QUuid &id) {
            return *std::find_if(all->begin(), all->end(), [&](const RunActivity &a) { return a.liveRunId == id; });
        };
        const RunActivity a = of(runId);
        QCOMPARE(a.trades, 2);
        QCOMPARE(a.openPositions, 1);
        QCOMPARE(a.tradesSince, 1);  // only the later one
        QVERIFY2(std::abs(a.realisedProfit - (-12.5 - 0.7 - 0.35 - 0.1 - 0.7)) < 1e-9, qPrintable(QString::number(a.realisedProfit)));
        QVERIFY(a.lastHeartbeat.has_value());
        QCOMPARE(a.lastHeartbeat->atMs, kT0 + 20'000);
        QCOMPARE(a.lastHeartbeat->trades, qint64(12));
        QCOMPARE(a.lastHeartbeat->loopMs, 4.0);
        QCOMPARE(a.lastHeartbeat->lastActionAtMs, kT0 + 15'000);
        const RunActivity b = of(idle->spec.id);
        QCOMPARE(b.trades, 0);
        QCOMPARE(b.openPositions, 0);
        QCOMPARE(b.realisedProfit, 0.0);
        QVERIFY(!b.lastHeartbeat.has_value());
        auto everything = store.runActivity(0);  // 0: no lower bound
        QVERIFY_OK(everything);
        for (const RunActivity &r : everything.value())
            QCOMPARE(r.tradesSince, r.trades);
    }

    // The bars a run's strategy was fed (migration 0004): one statement per batch whatever its size, read back exactly
    // and in time order; a bar already there keeps its first record; a run that is not there is refused.
    void runBarsAreRecordedInBatches()
    {
        Fixture f = fixture(QStringLiteral("bars"));
        PgLiveRunStore runs(*f.db);
        PgTradeStore store(*f.db);
        auto run = runs.createRun(runSpec(f.version, QStringLiteral("icm-demo")));
        QVERIFY_OK(run);
        const QUuid runId = run->spec.id;
        QCOMPARE(store.runBars(runId)->size(), size_t(0));
        QVERIFY_OK(store.recordRunBars(runId, {}));

        // 70,000 bars: more than PostgreSQL's 65,535 bound values if each value were bound on its own.
        constexpr int kBars = 70'000;
        std::vector<RunBar> bars;
        for (int i = 0; i < kBars; ++i) {
            RunBar b;
            b.bar.timeMs = kT0 + qint64(i) * 60'000;
            b.bar.open = 1.1 + i * 1e-7 + 1.0 / 3.0 * 1e-9;  // not a short decimal: must come back bit for bit
            b.bar.high = b.bar.open + 0.00021;
            b.bar.low = b.bar.open - 0.00013;
            b.bar.close = b.bar.open + 0.00005;
            b.bar.tickVolume = quint32(i % 500);
            b.bar.spreadPoints = i % 3 == 0 ? -1 : 12;
            b.warmup = i < 40;
            bars.push_back(b);
        }
        // Recorded out of order, in two batches; the second repeats a bar with other prices (kept as first written).
        std::vector<RunBar> late(bars.begin() + 100, bars.end());
        std::vector<RunBar> early(bars.begin(), bars.begin() + 101);
        early.back().bar.close = 9.0;
        early.back().warmup = true;
        QVERIFY_OK(store.recordRunBars(runId, late));
        QVERIFY_OK(store.recordRunBars(runId, early));
        auto back = store.runBars(runId);
        QVERIFY_OK(back);
        QCOMPARE(back->size(), size_t(kBars));
        for (int i : {0, 39, 40, 100, 12345, kBars - 1}) {
            const RunBar &got = back->at(size_t(i)), &want = bars[size_t(i)];
            QCOMPARE(got.bar.timeMs, want.bar.timeMs);
            QCOMPARE(got.bar.open, want.bar.open);
            QCOMPARE(got.bar.high, want.bar.high);
            QCOMPARE(got.bar.low, want.bar.low);
            QCOMPARE(got.bar.close, want.bar.close);
            QCOMPARE(got.bar.tickVolume, want.bar.tickVolume);
            QCOMPARE(got.bar.spreadPoints, want.bar.spreadPoints);
            QCOMPARE(got.warmup, want.warmup);
        }
        for (size_t i = 1; i < back->size(); ++i)
            QVERIFY(back->at(i).bar.timeMs > back->at(i - 1).bar.timeMs);

        const QUuid orphan = QUuid::createUuid();
        auto refused = store.recordRunBars(orphan, {bars.front()});
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(orphan.toString(QUuid::WithoutBraces)), qPrintable(refused.error().message));
        RunBar notAPrice = bars.front();
        notAPrice.bar.high = std::numeric_limits<double>::quiet_NaN();
        QVERIFY(!store.recordRunBars(runId, {notAPrice}));
    }

    void anOutageIsAnErrorAndWritesNothing()
    {
        Fixture f = fixture(QStringLiteral("outage"));
        PgLiveRunStore runs(*f.db);
        PgTradeStore store(*f.db);
        auto run = runs.createRun(runSpec(f.version, QStringLiteral("icm-demo")));
        QVERIFY_OK(run);
        QVERIFY_OK(pg.stopServer());
        const IntentRecord intent = openIntent(run->spec.id, f.version, 1);
        auto failed = store.persistIntent(intent);
        QVERIFY_OK(pg.startServer());
        QVERIFY(!failed);
        QVERIFY2(failed.error().message.startsWith(QStringLiteral("cannot persist intent ") + intent.idempotencyKey),
                 qPrintable(failed.error().message));
        QVERIFY(!store.intent(intent.idempotencyKey));  // reconnects; nothing was written
        auto persisted = store.persistIntent(intent);
        QVERIFY_OK(persisted);
        QVERIFY(persisted->created);
    }

    void loginsSeeOnlyTheirOwnRows()
    {
        auto url = pg.createMigratedDatabase(QStringLiteral("rls"));
        QVERIFY_OK(url);
        QVERIFY_OK(pg.createLoginRole(QStringLiteral("alice"), {QStringLiteral("botdesk_user")}));
        QVERIFY_OK(pg.createLoginRole(QStringLiteral("bob"), {QStringLiteral("botdesk_user")}));
        Database aliceDb(pg.target(QStringLiteral("rls"), QStringLiteral("alice")), options("alice"));
        Database bobDb(pg.target(QStringLiteral("rls"), QStringLiteral("bob")), options("bob"));
        PgLiveRunStore aliceRuns(aliceDb), bobRuns(bobDb);
        PgTradeStore aliceTrades(aliceDb), bobTrades(bobDb);

        const QUuid version = makeVersion(aliceDb, QStringLiteral("alice-bot"));
        QVERIFY_OK(aliceRuns.addAccount(demoAccount(QStringLiteral("icm-demo"))));
        auto run = aliceRuns.createRun(runSpec(version, QStringLiteral("icm-demo")));
        QVERIFY_OK(run);
        const IntentRecord intent = openIntent(run->spec.id, version, 1);
        QVERIFY_OK(aliceTrades.persistIntent(intent));
        QVERIFY_OK(aliceTrades.recordTradeOpened(openedTrade(QStringLiteral("icm-demo"), 42, run->spec.id, 0.1)));
        LiveEvent e;
        e.liveRunId = run->spec.id;
        e.type = QStringLiteral("OrderSent");
        e.correlationId = QStringLiteral("corr-1");
        QVERIFY_OK(aliceTrades.appendEvent(e));
        Heartbeat h;
        h.liveRunId = run->spec.id;
        QVERIFY_OK(aliceTrades.recordHeartbeat(h));

        // Bob sees none of it.
        QCOMPARE(bobRuns.accounts()->size(), size_t(0));
        QVERIFY(!bobRuns.account(QStringLiteral("icm-demo")));
        QCOMPARE(bobRuns.runs()->size(), size_t(0));
        QVERIFY(!bobRuns.run(run->spec.id));
        QCOMPARE(bobRuns.claimRuns(QStringLiteral("bob-host"), 60'000)->size(), size_t(0));
        QVERIFY(!bobRuns.setDesiredState(run->spec.id, DesiredState::Stopped));
        QVERIFY(!bobRuns.applyStatusEvent(run->spec.id, LiveRunEvent::Start));
        QVERIFY(!bobTrades.intent(intent.idempotencyKey));
        QCOMPARE(bobTrades.unfinishedIntents(QStringLiteral("icm-demo"))->size(), size_t(0));
        QCOMPARE(bobTrades.openTrades(QStringLiteral("icm-demo"))->size(), size_t(0));
        QCOMPARE(bobTrades.events(run->spec.id, 0, 10)->size(), size_t(0));
        QCOMPARE(bobTrades.eventsByCorrelation(QStringLiteral("corr-1"))->size(), size_t(0));
        QCOMPARE(bobTrades.heartbeats(run->spec.id, 10)->size(), size_t(0));
        // Bob's own account of the same name is his; alice's key is not his to send.
        QVERIFY_OK(bobRuns.addAccount(demoAccount(QStringLiteral("icm-demo"), 5)));
        QCOMPARE(aliceRuns.account(QStringLiteral("icm-demo"))->magic, qint64(900001));
        auto underAliceRun = bobTrades.persistIntent(intent);
        QVERIFY(!underAliceRun);
        QVERIFY2(underAliceRun.error().message.contains(QStringLiteral("writes only under its own runs")),
                 qPrintable(underAliceRun.error().message));
        IntentRecord manual = intent;
        manual.intent.liveRunId = QUuid();
        manual.intent.botVersionId = QUuid();
        manual.intent.source = TradeSource::Manual;
        auto taken = bobTrades.persistIntent(manual);
        QVERIFY(!taken);
        QVERIFY2(taken.error().message.contains(QStringLiteral("not visible to this one; do not send")),
                 qPrintable(taken.error().message));
        // Bob cannot hang his rows under alice's run.
        LiveEvent underAlice = e;
        QVERIFY(!bobTrades.appendEvent(underAlice));
        Heartbeat beat = h;
        QVERIFY(!bobTrades.recordHeartbeat(beat));
        RunBar bar;
        bar.bar.timeMs = kT0;
        bar.bar.open = bar.bar.high = bar.bar.low = bar.bar.close = 1.1;
        QVERIFY(!bobTrades.recordRunBars(run->spec.id, {bar}));
        QVERIFY_OK(aliceTrades.recordRunBars(run->spec.id, {bar}));
        QCOMPARE(bobTrades.runBars(run->spec.id)->size(), size_t(0));
        QCOMPARE(aliceTrades.runBars(run->spec.id)->size(), size_t(1));
        QCOMPARE(aliceRuns.run(run->spec.id)->status, LiveRunStatus::Pending);
        QCOMPARE(aliceTrades.events(run->spec.id, 0, 10)->size(), size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestPgLiveStore)
#include "tst_pglivestore.moc"
