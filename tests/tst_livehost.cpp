// Live runs end to end in one process (issue 9 §2, §4, §5): LiveRunHost (app/live) with its live thread, the account's
// desk (PgTradeStore, PgLiveRunStore, TradeService, the MT5 connector on its own thread) and the run's executor,
// against botdesk-mt5sim replaying EURUSD M1 2024 at 600x and a throwaway PostgreSQL. The run is a stored version
// of the built-in ema_crossover with short EMAs, so it trades within seconds.
// What must hold: the host claims the run and it becomes RUNNING; it trades (every trade in the database with its
// lineage, one simulator position per open trade, never two orders for one intent); heartbeats are written;
// "stop and close" closes the run's positions and leaves it STOPPED; a drawdown cap closes everything and HALTS the
// run with its event, and only Resume trades again; "stop and close" with an entry in flight waits for it and closes
// its position too. Issue 9 §1: the bars the run's strategy was fed are recorded
// (warm-up flagged), and `botdesk-cli live parity` finds the run's entries in a backtest of them — and fails, naming
// the bar, once a stored entry's side has been changed.

#include "botstrategy.h"
#include "codehash.h"
#include "brokermetatypes.h"
#include "database.h"
#include "heldsignals.h"
#include "liverunhost.h"
#include "accounttoken.h"
#include "brokercheck.h"
#include "pgbotstore.h"
#include "pgharness.h"
#include "pgliverunstore.h"
#include "pgtradestore.h"
#include "processrun.h"
#include "resultcheck.h"
#include "simprocess.h"
#include "strategyregistry.h"

#include <QDateTime>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

using namespace bd;
using bd::pgtest::options;

namespace {

const QString kToken = QStringLiteral("tok-livehost-1");
const QString kAccount = QStringLiteral("sim-demo");
constexpr qint64 kMagic = 5150;

// A bot "ema-fast" (ema_crossover, fast 3 / slow 8: crosses every few minutes of M1) and the account on `simUrl`.
QUuid storedVersion(Database &db, const QUrl &simUrl, QString *name, QString *hash)
{
    PgBotStore bots(db);
    Result<BotVersion> first = defaultVersionOf(QStringLiteral("ema_crossover"));
    if (!first)
        qFatal("%s", qPrintable(first.error().message));
    *name = QStringLiteral("ema-fast-%1").arg(QUuid::createUuid().toString(QUuid::Id128).left(6));
    if (Result<Bot> bot = bots.createBot(*name, QStringLiteral("ema_crossover"), first.value()); !bot)
        qFatal("%s", qPrintable(bot.error().message));
    BotVersion fast = first.value();
    fast.params = QJsonObject{{QStringLiteral("fast"), 3}, {QStringLiteral("slow"), 8}};
    fast.codeHash = computeCodeHash(fast.code, fast.params);
    Result<Bot> bot = bots.findBot(*name);
    if (!bot)
        qFatal("%s", qPrintable(bot.error().message));
    fast.botId = bot.value().id;
    auto saved = bots.saveVersion(fast);
    if (!saved)
        qFatal("%s", qPrintable(saved.error().message));
    *hash = saved.value().first.codeHash;
    PgLiveRunStore runs(db);
    if (!runs.account(kAccount)) {
        LiveAccount account;
        account.name = kAccount;
        account.bridgeUrl = simUrl.toString();
        account.tokenEnv = QStringLiteral("BOTDESK_TEST_BRIDGE_TOKEN");
        account.magic = kMagic;
        if (Result<void> added = runs.addAccount(account); !added)
            qFatal("%s", qPrintable(added.error().message));
    }
    return saved.value().first.id;
}

// botdesk-mt5sim on EURUSD M1 2024 at 600x (1 s heartbeats, suffix .sim), with `extra` options.
bool startSim(test::SimProcess &sim, const QStringList &extra = {})
{
    return sim.start(QStringLiteral(BOTDESK_MT5SIM),
                     QStringList{"--data", QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz"), "--symbol",
                                 "EURUSD", "--port", "0", "--heartbeat", "1", "--suffix", ".sim", "--speed", "600"}
                         + extra,
                     kToken);
}

} // namespace

class TestLiveHost : public QObject {
    Q_OBJECT
    PgHarness pg;
    QTemporaryDir m_home;  // botdesk-cli's BOTDESK_HOME
    Result<SymbolCatalog> catalog = SymbolCatalog::builtin();
    AppVersionStrategies strategies;

    std::unique_ptr<LiveRunHost> makeHost(const DatabaseTarget &target, qint64 staleAfterMs = kStaleAfterMs,
                                          qint64 pollMs = 200)
    {
        LiveRunHost::Options o;
        o.target = target;
        o.dbOptions = options("host");
        o.hostId = QStringLiteral("test-host-%1").arg(QUuid::createUuid().toString(QUuid::Id128).left(6));
        o.threads = 2;
        o.leaseMs = 5000;
        o.pollMs = pollMs;
        o.heartbeatMs = 500;
        o.reconcileMs = 2000;
        o.staleAfterMs = staleAfterMs;
        o.strategies = &strategies;
        o.catalog = catalog.value();
        o.tokenFor = tokenFromEnvironment;
        return std::make_unique<LiveRunHost>(o);
    }

    // A migrated database `name` with a stored bot version (ema_crossover 3/8) and the account on `bridge`, its stores,
    // and the spec of a run of that version. Null when the database cannot be made.
    struct Stage {
        QString url;  // for botdesk-cli --db (no password in it)
        DatabaseTarget target;
        std::unique_ptr<Database> db;
        std::unique_ptr<PgLiveRunStore> runs;
        std::unique_ptr<PgTradeStore> trades;
        QUuid version;
        LiveRunSpec spec;
    };
    std::unique_ptr<Stage> stage(const QString &name, const QUrl &bridge)
    {
        auto url = pg.createMigratedDatabase(name);
        if (!url) {
            qWarning("%s", qPrintable(url.error().message));
            return nullptr;
        }
        auto st = std::make_unique<Stage>();
        st->url = url->redacted();
        st->target = pg.target(*url);
        st->db = std::make_unique<Database>(st->target, options("check"));
        QString botName, hash;
        st->version = storedVersion(*st->db, bridge, &botName, &hash);
        st->runs = std::make_unique<PgLiveRunStore>(*st->db);
        st->trades = std::make_unique<PgTradeStore>(*st->db);
        st->spec = spec(st->version, botName, hash);
        return st;
    }

    // botdesk-cli `args` --db `url`.
    ProcessRun cli(QStringList args, const QString &url)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("BOTDESK_HOME"), m_home.path());
        env.remove(QStringLiteral("BOTDESK_DB_URL"));
        args << QStringLiteral("--db") << url;
        return runProcess(QStringLiteral(BOTDESK_CLI), args, env, 60000);
    }

    static LiveRunSpec spec(const QUuid &version, const QString &name, const QString &hash)
    {
        LiveRunSpec s;
        s.id = QUuid::createUuid();
        s.botVersionId = version;
        s.botName = name;
        s.codeHash = hash;
        s.account = kAccount;
        s.symbol = QStringLiteral("EURUSD");
        s.guardrails.maxRiskPercent = 5.0;
        return s;
    }

private slots:
    void initTestCase()
    {
        mt5::registerBrokerMetaTypes();
        QVERIFY(catalog.ok());
        qputenv("BOTDESK_TEST_BRIDGE_TOKEN", kToken.toLatin1());
        QVERIFY_OK(pg.start());
    }

    // APPROVE mode (issue 9 §2): a signal waits for the trader; nothing is sent until the answer, given through the
    // database (as `botdesk-cli live approve|reject` does) and taken by the host; an approved signal is sent once, a
    // rejected one never; a signal is answered only once.
    void approveModeWaitsForTheTradersAnswer()
    {
        test::SimProcess sim;
        QVERIFY(startSim(sim));
        std::unique_ptr<Stage> st = stage(QStringLiteral("approve"), sim.url);
        QVERIFY(st);
        PgLiveRunStore &runs = *st->runs;
        PgTradeStore &trades = *st->trades;
        LiveRunSpec s = st->spec;
        s.approval = ApprovalMode::Approve;
        s.approvalTimeoutMs = 120'000;
        QVERIFY_OK(runs.createRun(s));
        const auto held = [&] {
            std::vector<LiveEvent> events;
            for (const char *type : {"SignalReceived", "SignalApproved", "SignalRejected", "SignalExpired"}) {
                Result<std::vector<LiveEvent>> some = trades.events(s.id, 0, 100000, QString::fromLatin1(type));
                if (some)
                    events.insert(events.end(), some.value().begin(), some.value().end());
            }
            return heldSignals(events, QDateTime::currentMSecsSinceEpoch());
        };
        const auto intentsOf = [&](const QString &signal) {
            int n = 0;
            if (Result<std::vector<IntentRecord>> all = trades.intentsOfRun(s.id); all)
                for (const IntentRecord &r : all.value())
                    n += r.intent.signalId == signal ? 1 : 0;
            return n;
        };

        std::unique_ptr<LiveRunHost> host = makeHost(st->target);
        QVERIFY_OK(host->start());
        QTRY_VERIFY_WITH_TIMEOUT(held().size() >= 2, 40000);
        QVERIFY(trades.intentsOfRun(s.id).ok());
        QCOMPARE(trades.intentsOfRun(s.id).value().size(), size_t(0));  // nothing sent while signals wait
        const QString approved = held().at(0).signalId, rejected = held().at(1).signalId;

        QVERIFY_OK(runs.decideSignal(s.id, approved, SignalAnswer::Approve));
        const Result<void> again = runs.decideSignal(s.id, approved, SignalAnswer::Reject);
        QVERIFY(!again);
        QVERIFY2(again.error().message.contains(QStringLiteral("already approved")), qPrintable(again.error().message));
        QVERIFY_OK(runs.decideSignal(s.id, rejected, SignalAnswer::Reject));

        QTRY_VERIFY_WITH_TIMEOUT(intentsOf(approved) >= 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(trades.events(s.id, 0, 10, QStringLiteral("SignalRejected")).value().size() == 1, 5000);
        // (events are written in batches every 100 ms: they may trail the intent)
        QTRY_VERIFY_WITH_TIMEOUT(trades.events(s.id, 0, 10, QStringLiteral("SignalApproved")).value().size() == 1, 5000);
        Result<std::vector<LiveEvent>> approval = trades.events(s.id, 0, 10, QStringLiteral("SignalApproved"));
        QVERIFY_OK(approval);
        QCOMPARE(approval.value().size(), size_t(1));
        QCOMPARE(approval.value().front().payload.value(QStringLiteral("signal_id")).toString(), approved);
        QVERIFY(approval.value().front().payload.value(QStringLiteral("approval_delay_ms")).toDouble() > 0);
        QTest::qWait(1000);
        QCOMPARE(intentsOf(rejected), 0);
        const int sent = intentsOf(approved);
        QTRY_VERIFY_WITH_TIMEOUT(held().size() >= 1, 20000);  // later signals wait in turn

        QVERIFY_OK(runs.setDesiredState(s.id, DesiredState::StopAndClose));
        QTRY_VERIFY_WITH_TIMEOUT(runs.run(s.id).value().status == LiveRunStatus::Stopped, 15000);
        host->stop();
        QCOMPARE(intentsOf(approved), sent);  // sent once, whatever came after
        // Only the approved signal opened anything: the unanswered ones never reached the broker.
        Result<std::vector<IntentRecord>> all = trades.intentsOfRun(s.id);
        QVERIFY_OK(all);
        for (const IntentRecord &r : all.value())
            if (r.action == IntentAction::Open)
                QCOMPARE(r.intent.signalId, approved);
    }

    void aRunTradesAndStopsAndCloses()
    {
        test::SimProcess sim;
        QVERIFY(startSim(sim));
        std::unique_ptr<Stage> st = stage(QStringLiteral("trades"), sim.url);
        QVERIFY(st);
        PgLiveRunStore &runs = *st->runs;
        PgTradeStore &trades = *st->trades;
        const LiveRunSpec s = st->spec;
        QVERIFY_OK(runs.createRun(s));

        std::unique_ptr<LiveRunHost> host = makeHost(st->target);
        QVERIFY_OK(host->start());
        QTRY_VERIFY_WITH_TIMEOUT(runs.run(s.id).ok() && runs.run(s.id).value().status == LiveRunStatus::Running, 10000);
        // Fixed from the account's equity (which may come just after the start).
        QTRY_VERIFY_WITH_TIMEOUT(runs.run(s.id).value().startingEquity.has_value(), 5000);
        // It trades: at 600x a 3/8 EMA cross comes every few seconds.
        QTRY_VERIFY_WITH_TIMEOUT(trades.tradesOfRun(s.id).ok() && trades.tradesOfRun(s.id).value().size() >= 3, 40000);
        QTRY_VERIFY_WITH_TIMEOUT(trades.heartbeats(s.id, 5).ok() && !trades.heartbeats(s.id, 5).value().empty(), 5000);

        QVERIFY_OK(runs.setDesiredState(s.id, DesiredState::StopAndClose));
        QTRY_VERIFY_WITH_TIMEOUT(runs.run(s.id).value().status == LiveRunStatus::Stopped, 15000);
        host->stop();

        Result<std::vector<LiveTrade>> all = trades.tradesOfRun(s.id);
        QVERIFY_OK(all);
        std::set<quint64> tickets;
        std::set<QString> keys;
        for (const LiveTrade &t : all.value()) {
            QVERIFY2(t.closeTimeMs.has_value(), qPrintable(QStringLiteral("position %1 still open").arg(t.positionTicket)));
            QCOMPARE(t.botVersionId, st->version);
            QCOMPARE(t.source, TradeSource::Bot);
            QVERIFY(!t.correlationId.isEmpty());
            QVERIFY(QStringList({"STRATEGY_EXIT", "MANUAL_CLOSE", "SL_HIT", "TP_HIT"}).contains(t.closeReason));
            QVERIFY(tickets.insert(t.positionTicket).second);
            QVERIFY2(keys.insert(t.idempotencyKey).second, "two positions from one intent");
        }
        // Every intent is final; the opening ones that executed are exactly the trades.
        Result<std::vector<IntentRecord>> intents = trades.intentsOfRun(s.id);
        QVERIFY_OK(intents);
        int opensDone = 0;
        for (const IntentRecord &r : intents.value()) {
            QVERIFY2(r.state == IntentState::Done || r.state == IntentState::Rejected || r.state == IntentState::Denied,
                     qPrintable(r.clientReqId + QLatin1Char(' ') + QLatin1String(intentStateName(r.state))));
            opensDone += r.action == IntentAction::Open && r.state == IntentState::Done;
        }
        QCOMPARE(size_t(opensDone), all.value().size());
        // The run's life in its events.
        Result<std::vector<LiveEvent>> events = trades.events(s.id, 0, 100000);
        QVERIFY_OK(events);
        QStringList statuses;
        int signalCount = 0;
        for (const LiveEvent &e : events.value()) {
            if (e.type == QLatin1String("RunStatusChanged"))
                statuses << e.payload.value(QStringLiteral("to")).toString();
            signalCount += e.type == QLatin1String("SignalReceived");
        }
        QCOMPARE(statuses, (QStringList{"RUNNING", "STOPPING", "STOPPED"}));
        QVERIFY(signalCount >= 3);

        // Issue 9 §1: the bars its strategy was fed are recorded (warm-up flagged, in time order) ...
        Result<std::vector<RunBar>> bars = trades.runBars(s.id);
        QVERIFY_OK(bars);
        qint64 warmup = 0, live = 0;
        for (size_t i = 0; i < bars.value().size(); ++i) {
            const RunBar &b = bars.value()[i];
            QVERIFY(i == 0 || b.bar.timeMs > bars.value()[i - 1].bar.timeMs);
            QVERIFY(b.bar.low <= b.bar.open && b.bar.open <= b.bar.high && b.bar.close > 0);
            (b.warmup ? warmup : live) += 1;
        }
        const qint64 strategyWarmup = createStrategy(QStringLiteral("ema_crossover"),
                                                     QJsonObject{{QStringLiteral("fast"), 3}, {QStringLiteral("slow"), 8}})
                                          .value()->warmupBars();
        QVERIFY2(warmup >= strategyWarmup, qPrintable(QStringLiteral("%1 warm-up bars, %2 live").arg(warmup).arg(live)));
        QVERIFY2(bars.value().front().warmup, "the first bars are the warm-up history");
        QVERIFY2(live >= 2, qPrintable(QStringLiteral("%1 live bars").arg(live)));
        // ... and replayed through the backtester they give the run's entries (botdesk-cli live parity).
        const QString idText = s.id.toString(QUuid::WithoutBraces);
        ProcessRun parity = cli({"live", "parity", idText}, st->url);
        QVERIFY2(parity.exitCode == 0, qPrintable(describe(parity)));
        const QRegularExpressionMatch m =
            QRegularExpression(QStringLiteral("parity: (\\d+) bars \\((\\d+) live, .*\\); (\\d+) of (\\d+) run entries equal "
                                              "the backtest's \\(side, next bar\\).*; 0 only in the run, 0 only in the backtest"))
                .match(parity.out);
        QVERIFY2(m.hasMatch(), qPrintable(parity.out));
        qInfo("%s", qPrintable(parity.out.trimmed()));
        QCOMPARE(m.captured(1).toLongLong(), qint64(bars.value().size()));
        QCOMPARE(m.captured(2).toLongLong(), live);
        QVERIFY2(m.captured(3).toInt() >= 1, qPrintable(parity.out));
        QCOMPARE(m.captured(3), m.captured(4));

        // One stored entry's side flipped: parity fails and names that bar, both ways.
        std::optional<IntentRecord> flipped;
        std::set<qint64> liveTimes;
        for (size_t i = 0; i + 1 < bars.value().size(); ++i)
            if (!bars.value()[i].warmup)
                liveTimes.insert(bars.value()[i].bar.timeMs);
        for (const IntentRecord &r : intents.value())
            if (r.action == IntentAction::Open && liveTimes.count(r.barTimeMs))
                flipped = r;
        QVERIFY(flipped);
        QVERIFY_OK(st->db->exec(QStringLiteral("UPDATE trade_intents SET side = CASE side WHEN 'BUY' THEN 'SELL' ELSE 'BUY' "
                                               "END WHERE idempotency_key = ?"),
                                {flipped->idempotencyKey}));
        parity = cli({"live", "parity", idText}, st->url);
        QVERIFY2(parity.exitCode == 1, qPrintable(describe(parity)));
        const QString at = QDateTime::fromMSecsSinceEpoch(flipped->barTimeMs, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd hh:mm"));
        const QString was = QLatin1String(sideName(flipped->intent.side));
        const QString now = QLatin1String(sideName(flipped->intent.side == Side::Buy ? Side::Sell : Side::Buy));
        QVERIFY2(parity.out.contains(QStringLiteral("1 only in the run, 1 only in the backtest"))
                     && parity.out.contains(QStringLiteral("%1 UTC %2 only in the run").arg(at, now.leftJustified(4)))
                     && parity.out.contains(QStringLiteral("%1 UTC %2 only in the backtest").arg(at, was.leftJustified(4)))
                     && parity.err.contains(QStringLiteral("does not match its backtest")),
                 qPrintable(describe(parity)));
    }

    void theDrawdownCapHaltsAndClosesEverything()
    {
        test::SimProcess sim;
        QVERIFY(startSim(sim));
        std::unique_ptr<Stage> st = stage(QStringLiteral("halt"), sim.url);
        QVERIFY(st);
        PgLiveRunStore &runs = *st->runs;
        PgTradeStore &trades = *st->trades;
        LiveRunSpec s = st->spec;
        s.guardrails.drawdownCapPercent = 0.01;  // 1 USD on 10,000: the first adverse move trips it
        QVERIFY_OK(runs.createRun(s));

        std::unique_ptr<LiveRunHost> host = makeHost(st->target);
        QVERIFY_OK(host->start());
        QTRY_VERIFY_WITH_TIMEOUT(runs.run(s.id).ok() && runs.run(s.id).value().status == LiveRunStatus::Halted, 40000);
        const LiveRunRecord halted = runs.run(s.id).value();
        QVERIFY2(halted.lastError.contains(QLatin1String("exceeds cap 0.01%; closed")), qPrintable(halted.lastError));
        // Everything of the run is closed as RISK_CUTOFF (or by its own SL/TP in between).
        const auto allClosed = [&] {
            const Result<std::vector<LiveTrade>> all = trades.tradesOfRun(s.id);
            if (!all.ok() || all.value().empty())
                return false;
            for (const LiveTrade &t : all.value()) {
                if (!t.closeTimeMs)
                    return false;
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(allClosed(), 15000);
        bool cutoff = false;
        const Result<std::vector<LiveTrade>> afterHalt = trades.tradesOfRun(s.id);
        QVERIFY_OK(afterHalt);
        for (const LiveTrade &t : afterHalt.value())
            cutoff = cutoff || t.closeReason == QLatin1String("RISK_CUTOFF");
        QVERIFY(cutoff);
        // (the desk writes events in batches every 100 ms: they may trail the trades)
        QTRY_VERIFY_WITH_TIMEOUT(!trades.events(s.id, 0, 1000, QStringLiteral("DrawdownCapTriggered")).value().empty(), 5000);
        Result<std::vector<LiveEvent>> capped = trades.events(s.id, 0, 1000, QStringLiteral("DrawdownCapTriggered"));
        QVERIFY_OK(capped);
        QCOMPARE(capped.value().size(), size_t(1));
        QVERIFY(capped.value().front().message.startsWith(QLatin1String("Drawdown ")));
        // Halted means no new entries: none is persisted while it stays halted.
        const size_t intentsAtHalt = trades.intentsOfRun(s.id).value().size();
        QTest::qWait(3000);
        const std::vector<IntentRecord> later = trades.intentsOfRun(s.id).value();
        for (size_t i = intentsAtHalt; i < later.size(); ++i)
            QVERIFY2(later[i].action != IntentAction::Open, "an entry was sent while HALTED");
        QCOMPARE(runs.run(s.id).value().status, LiveRunStatus::Halted);
        // The trader resumes it (`live resume`): the host's run resumes — and, still beyond the cap, halts again.
        QVERIFY_OK(runs.applyStatusEvent(s.id, LiveRunEvent::Resume, QStringLiteral("resumed by the trader")));
        QTRY_VERIFY_WITH_TIMEOUT(trades.events(s.id, 0, 1000, QStringLiteral("DrawdownCapTriggered")).value().size() == 2,
                                 15000);
        host->stop();
    }

    // "Stop and close" while an entry is in flight (the simulator answers each order after 2 s): the run stays
    // STOPPING until that entry has filled and its position is closed, then STOPPED with nothing left at the broker.
    void stopAndCloseWaitsForAnEntryInFlight()
    {
        test::SimProcess sim;
        QVERIFY(startSim(sim, {"--faults", "latency=2s"}));
        std::unique_ptr<Stage> st = stage(QStringLiteral("inflight"), sim.url);
        QVERIFY(st);
        PgLiveRunStore &runs = *st->runs;
        PgTradeStore &trades = *st->trades;
        const LiveRunSpec s = st->spec;
        QVERIFY_OK(runs.createRun(s));
        std::unique_ptr<LiveRunHost> host = makeHost(st->target);
        QVERIFY_OK(host->start());
        const auto entryInFlight = [&]() -> std::optional<IntentRecord> {
            const Result<std::vector<IntentRecord>> all = trades.intentsOfRun(s.id);
            if (all.ok()) {
                for (const IntentRecord &r : all.value())
                    if (r.action == IntentAction::Open && (r.state == IntentState::Sent || r.state == IntentState::Persisted))
                        return r;
            }
            return std::nullopt;
        };
        QTRY_VERIFY_WITH_TIMEOUT(entryInFlight().has_value(), 30000);
        const IntentRecord inFlight = *entryInFlight();
        QVERIFY_OK(runs.setDesiredState(s.id, DesiredState::StopAndClose));
        QTRY_VERIFY_WITH_TIMEOUT(runs.run(s.id).value().status == LiveRunStatus::Stopping, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(runs.run(s.id).value().status == LiveRunStatus::Stopped, 20000);
        host->stop();
        // The entry filled after the stop, and its position was closed before the run said STOPPED.
        QCOMPARE(trades.intent(inFlight.idempotencyKey).value().state, IntentState::Done);
        const Result<std::vector<LiveTrade>> all = trades.tradesOfRun(s.id);
        QVERIFY_OK(all);
        bool found = false;
        for (const LiveTrade &t : all.value()) {
            QVERIFY2(t.closeTimeMs.has_value(), qPrintable(QStringLiteral("position %1 still open").arg(t.positionTicket)));
            found = found || t.idempotencyKey == inFlight.idempotencyKey;
        }
        QVERIFY2(found, "the entry in flight opened no trade");
        const test::AtBroker broker = test::atBroker(sim.url, kToken, kMagic, this);
        QCOMPARE(broker.openPositions, 0);
    }

    // Issue 9 §6: start is a database command plus NOTIFY: a host whose poll is a minute away hosts a new run at once.
    void aNewRunWakesTheHost()
    {
        std::unique_ptr<Stage> st = stage(QStringLiteral("notify"), QUrl(QStringLiteral("ws://127.0.0.1:9")));
        QVERIFY(st);
        PgLiveRunStore &runs = *st->runs;
        std::unique_ptr<LiveRunHost> host = makeHost(st->target, kStaleAfterMs, 60'000);
        QVERIFY_OK(host->start());
        QTest::qWait(300);  // its first poll is over: only a notification can wake it now
        const LiveRunSpec s = st->spec;
        QVERIFY_OK(runs.createRun(s));
        QTRY_VERIFY_WITH_TIMEOUT(runs.run(s.id).value().status == LiveRunStatus::Running, 10000);  // poll: 60 s
        QVERIFY_OK(runs.setDesiredState(s.id, DesiredState::Stopped));
        QTRY_VERIFY_WITH_TIMEOUT(runs.run(s.id).value().status == LiveRunStatus::Stopped, 10000);
        host->stop();
    }

    // Issue 9 §5: a run that should be trading and writes no heartbeat is flagged stale once, with its event. Here its
    // account's token is missing, so no desk can host it, while the database says RUNNING (a host that died).
    void aQuietRunIsFlaggedStale()
    {
        std::unique_ptr<Stage> st = stage(QStringLiteral("stale"), QUrl(QStringLiteral("ws://127.0.0.1:9")));
        QVERIFY(st);
        PgLiveRunStore &runs = *st->runs;
        PgTradeStore &trades = *st->trades;
        const LiveRunSpec s = st->spec;
        QVERIFY_OK(runs.createRun(s));
        QVERIFY_OK(runs.applyStatusEvent(s.id, LiveRunEvent::Start));
        qunsetenv("BOTDESK_TEST_BRIDGE_TOKEN");
        std::unique_ptr<LiveRunHost> host = makeHost(st->target, 1500);
        QSignalSpy stale(host.get(), &LiveRunHost::runStale);
        QVERIFY_OK(host->start());
        QTRY_COMPARE_WITH_TIMEOUT(stale.size(), 1, 8000);
        QCOMPARE(stale.first().at(0).value<QUuid>(), s.id);
        QTest::qWait(1000);  // more polls: flagged once, not on every poll
        QCOMPARE(stale.size(), 1);
        host->stop();
        qputenv("BOTDESK_TEST_BRIDGE_TOKEN", kToken.toLatin1());
        Result<std::vector<LiveEvent>> events = trades.events(s.id, 0, 10, QStringLiteral("HeartbeatStale"));
        QVERIFY_OK(events);
        QCOMPARE(events.value().size(), size_t(1));
        QVERIFY2(events.value().front().message.startsWith(QLatin1String("no heartbeat for ")),
                 qPrintable(events.value().front().message));
        // A host that cannot reach the account does not keep the run's lease: another host may take it.
        QVERIFY(runs.run(s.id).value().hostId.isEmpty());
    }

    // Issue 9 §7: the bridge executes and drops the reply, sockets drop every few seconds, PostgreSQL stops for
    // 10 s mid-run. Zero duplicate orders at the simulator, every simulator position in the database with its
    // lineage, heartbeats resume, positions reconcile (none left open after stop and close).
    void faultsAndAnOutageNeverDuplicateAnOrder()
    {
        test::SimProcess sim;
        QVERIFY(startSim(sim, {"--faults", "drop-reply=0.3,disconnect=3s", "--seed", "11"}));
        std::unique_ptr<Stage> st = stage(QStringLiteral("faults"), sim.url);
        QVERIFY(st);
        PgLiveRunStore &runs = *st->runs;
        PgTradeStore &trades = *st->trades;
        const LiveRunSpec s = st->spec;
        QVERIFY_OK(runs.createRun(s));

        std::unique_ptr<LiveRunHost> host = makeHost(st->target);
        QVERIFY_OK(host->start());
        QTRY_VERIFY_WITH_TIMEOUT(trades.tradesOfRun(s.id).ok() && trades.tradesOfRun(s.id).value().size() >= 2, 40000);

        QVERIFY_OK(pg.stopServer());
        QTest::qWait(10'000);
        QVERIFY_OK(pg.startServer());
        const qint64 back = QDateTime::currentMSecsSinceEpoch();
        const size_t before = trades.tradesOfRun(s.id).value().size();
        // It trades again and its heartbeats resume.
        QTRY_VERIFY_WITH_TIMEOUT(trades.tradesOfRun(s.id).ok() && trades.tradesOfRun(s.id).value().size() >= before + 2,
                                 40000);
        QTRY_VERIFY_WITH_TIMEOUT(trades.heartbeats(s.id, 1).ok() && !trades.heartbeats(s.id, 1).value().empty()
                                     && trades.heartbeats(s.id, 1).value().front().atMs > back,
                                 5000);

        QVERIFY_OK(runs.setDesiredState(s.id, DesiredState::StopAndClose));
        QTRY_VERIFY_WITH_TIMEOUT(runs.run(s.id).ok() && runs.run(s.id).value().status == LiveRunStatus::Stopped, 30000);
        host->stop();

        const Result<std::vector<LiveTrade>> all = trades.tradesOfRun(s.id);
        QVERIFY_OK(all);
        std::set<QString> keys;
        for (const LiveTrade &t : all.value()) {
            QVERIFY2(keys.insert(t.idempotencyKey).second, "two positions from one intent");
            QCOMPARE(t.botVersionId, st->version);
        }
        const test::AtBroker broker = test::atBroker(sim.url, kToken, kMagic, this);
        QCOMPARE(broker.openPositions, 0);
        // Every position the simulator ever opened for us is one trade in the database: no duplicate, none lost.
        QCOMPARE(broker.entryDeals, int(all.value().size()));
    }
};

QTEST_GUILESS_MAIN(TestLiveHost)
#include "tst_livehost.moc"
