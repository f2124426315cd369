// TradeService (core/live/tradeservice.h) end to end: the real simulator (botdesk-mt5sim on 127.0.0.1, replaying
// EURUSD 2024), the real MT5 connector on its own thread with its PostgreSQL order outbox, and the PgTradeStore on a
// throwaway PostgreSQL cluster. What must hold: an intent is persisted before its order is sent; the same signal
// submitted again is never a second order at the broker; a guardrail's denial is persisted with its reason and never
// sent; the trade carries its lineage and its close reason; with the database down nothing is sent.

#include "brokermetatypes.h"
#include "database.h"
#include "mt5client.h"
#include "pgharness.h"
#include "pgbotstore.h"
#include "pgliverunstore.h"
#include "pgorderoutbox.h"
#include "pgtradestore.h"
#include "resultcheck.h"
#include "simprocess.h"
#include "strategyregistry.h"
#include "tradeservice.h"

#include <QSignalSpy>
#include <QThread>
#include <QtTest>

using namespace bd;
using namespace bd::mt5;
using bd::pgtest::options;

namespace {

const QString kToken = QStringLiteral("tok-tradeservice-1");
// A server clock two hours ahead of UTC (as an EET broker in winter): trade times must come out in UTC.
constexpr qint64 kServerUtcOffsetSec = 7200;
const QString kAccount = QStringLiteral("sim-demo");
constexpr qint64 kMagic = 4711;

// The connector on its own thread, the simulator behind it, and what the feed says, on the test thread.
struct Venue {
    test::SimProcess sim;
    QThread io;
    Mt5Client *client = nullptr;
    bool live = false;
    std::optional<BrokerSymbol> symbol;
    std::optional<Quote> quote;
    qint64 tickTimeMsc = 0;  // the last tick's time on the server clock
    std::optional<AccountInfo> account;
    QVector<mt5::Position> positions;
    int positionSnapshots = 0;

    bool start(const DatabaseTarget &target, QObject *context, const QStringList &simArgs = {})
    {
        if (!sim.start(QStringLiteral(BOTDESK_MT5SIM),
                       QStringList{"--data", QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz"),
                                   "--symbol", "EURUSD", "--port", "0", "--heartbeat", "1", "--suffix", ".sim",
                                   "--speed", "60"} + simArgs,
                       kToken))
            return false;
        Mt5ClientConfig config;
        config.url = sim.url;
        config.token = kToken;
        config.account = kAccount;
        config.outboxFactory = [target] { return makePgOrderOutbox(target, options("mt5-io")); };
        client = Mt5Client::createOn(io, config);
        MarketDataPort *md = client->marketData();
        BrokerPort *br = client->broker();
        QObject::connect(br, &BrokerPort::linkStatusChanged, context,
                         [this](const LinkStatus &s) { live = s.state == LinkStatus::State::Live; });
        QObject::connect(md, &MarketDataPort::symbolResolved, context, [this](const BrokerSymbol &s) { symbol = s; });
        QObject::connect(md, &MarketDataPort::tickReceived, context,
                         [this](const Tick &t) {
                             quote = Quote{t.bid, t.ask};
                             tickTimeMsc = t.timeMsc;
                         });
        QObject::connect(br, &BrokerPort::accountChanged, context, [this](const AccountInfo &a) { account = a; });
        QObject::connect(br, &BrokerPort::positionsSnapshot, context, [this](const QVector<mt5::Position> &p) {
            positions = p;
            ++positionSnapshots;
        });
        io.start();
        return true;
    }
    template <typename F>
    void onClient(F f) { QMetaObject::invokeMethod(client, std::move(f), Qt::QueuedConnection); }
    void subscribe()
    {
        MarketDataPort *md = client->marketData();
        BrokerPort *br = client->broker();
        onClient([md, br] {
            md->subscribeTicks(QStringLiteral("EURUSD"));
            br->requestAccount();
        });
    }
    // The simulator's open positions with our magic, asked now.
    int openAtBroker()
    {
        const int before = positionSnapshots;
        BrokerPort *br = client->broker();
        onClient([br] { br->requestPositions(); });
        QElapsedTimer t;
        t.start();
        while (positionSnapshots == before && t.elapsed() < 5000)
            QTest::qWait(10);
        if (positionSnapshots == before)
            return -1;
        return int(std::count_if(positions.begin(), positions.end(), [](const mt5::Position &p) { return p.magic == kMagic; }));
    }
    ~Venue()
    {
        if (client)
            QMetaObject::invokeMethod(client, &Mt5Client::stop, Qt::QueuedConnection);
        io.quit();
        io.wait();
    }
};

// A TradeService ready to trade: a migrated database `name` with its store, the simulator and the connector, the
// feed's symbol, quote and account given to the service. Null (and a warning saying why) when any step fails.
struct Rig {
    std::unique_ptr<Database> db;
    std::unique_ptr<PgTradeStore> store;
    Venue venue;
    std::unique_ptr<TradeService> service;
};

std::unique_ptr<Rig> makeRig(PgHarness &pg, const QString &name, QObject *context)
{
    auto url = pg.createMigratedDatabase(name);
    if (!url) {
        qWarning("%s", qPrintable(url.error().message));
        return nullptr;
    }
    auto rig = std::make_unique<Rig>();
    rig->db = std::make_unique<Database>(pg.target(*url), options("live"));
    rig->store = std::make_unique<PgTradeStore>(*rig->db);
    if (!rig->venue.start(pg.target(*url), context)) {
        qWarning("the simulator did not start: %s", rig->venue.sim.stderrText.constData());
        return nullptr;
    }
    TradeServiceConfig config;
    config.account = kAccount;
    config.magic = kMagic;
    rig->service = std::make_unique<TradeService>(config, *rig->store, rig->venue.client->broker());
    const auto waitFor = [](const std::function<bool()> &ready) {
        QElapsedTimer t;
        t.start();
        while (!ready() && t.elapsed() < 10000)
            QTest::qWait(10);
        return ready();
    };
    Venue &v = rig->venue;
    if (!waitFor([&v] { return v.live; }))
        return nullptr;
    v.subscribe();
    if (!waitFor([&v] { return v.symbol && v.quote && v.account; }))
        return nullptr;
    rig->service->setSymbol(QStringLiteral("EURUSD"), *v.symbol);
    rig->service->setQuote(QStringLiteral("EURUSD"), *v.quote);
    rig->service->setServerTimeMs(v.tickTimeMsc);
    rig->service->setServerUtcOffsetSec(kServerUtcOffsetSec);
    rig->service->setAccount(*v.account);
    return rig;
}

// What a host finds in the database for a run: a bot with its first version (the built-in ema_crossover), the
// account, the run. Returns {run id, version id}.
std::pair<QUuid, QUuid> storedRun(Database &db)
{
    PgBotStore bots(db);
    Result<BotVersion> first = defaultVersionOf(QStringLiteral("ema_crossover"));
    if (!first)
        qFatal("%s", qPrintable(first.error().message));
    const QString name = QStringLiteral("ema-%1").arg(QUuid::createUuid().toString(QUuid::Id128).left(8));
    Result<Bot> bot = bots.createBot(name, QStringLiteral("ema_crossover"), first.value());
    if (!bot)
        qFatal("%s", qPrintable(bot.error().message));
    Result<BotVersion> version = bots.findVersion(name, QString());
    if (!version)
        qFatal("%s", qPrintable(version.error().message));
    PgLiveRunStore runs(db);
    LiveAccount account;
    account.name = kAccount;
    account.bridgeUrl = QStringLiteral("ws://127.0.0.1:1");
    account.tokenEnv = QStringLiteral("BOTDESK_TEST_TOKEN");
    account.magic = kMagic;
    if (Result<LiveAccount> known = runs.account(kAccount); !known) {
        if (Result<void> added = runs.addAccount(account); !added)
            qFatal("%s", qPrintable(added.error().message));
    }
    LiveRunSpec spec;
    spec.id = QUuid::createUuid();
    spec.botVersionId = version.value().id;
    spec.botName = name;
    spec.codeHash = version.value().codeHash;
    spec.account = kAccount;
    spec.symbol = QStringLiteral("EURUSD");
    Result<LiveRunRecord> run = runs.createRun(spec);
    if (!run)
        qFatal("%s", qPrintable(run.error().message));
    return {spec.id, spec.botVersionId};
}

OrderPlan openBuy(const QUuid &run, const QUuid &version, const QString &signal)
{
    OrderPlan p;
    p.action = IntentAction::Open;
    p.intent.symbol = QStringLiteral("EURUSD");
    p.intent.side = Side::Buy;
    p.intent.slPoints = 200;
    p.intent.riskPercent = 1.0;
    p.intent.source = TradeSource::Bot;
    p.intent.liveRunId = run;
    p.intent.botVersionId = version;
    p.intent.signalId = signal;
    p.intent.reason = QStringLiteral("EMA cross up");
    p.intent.correlationId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    p.fingerprint = QStringLiteral("OPEN_TRADE BUY sl=200 rr=2");
    return p;
}

} // namespace

class TestTradeService : public QObject {
    Q_OBJECT
    PgHarness pg;

    // Waits until the service's intent `key` reaches a final state; returns it.
    static std::optional<IntentRecord> waitFinal(TradeStore &store, const QString &key, int timeoutMs = 10000)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            QTest::qWait(20);
            Result<IntentRecord> r = store.intent(key);
            if (r && (r.value().state == IntentState::Done || r.value().state == IntentState::Rejected))
                return r.value();
        }
        return std::nullopt;
    }

private slots:
    void initTestCase()
    {
        registerBrokerMetaTypes();
        QVERIFY_OK(pg.start());
    }

    void sendsOnceRecordsTheTradeAndItsClose()
    {
        std::unique_ptr<Rig> rig = makeRig(pg, QStringLiteral("once"), this);
        QVERIFY(rig);
        Database &db = *rig->db;
        PgTradeStore &store = *rig->store;
        Venue &venue = rig->venue;
        TradeService &service = *rig->service;
        QCOMPARE(venue.symbol->name, QStringLiteral("EURUSD.sim"));

        const auto [run, version] = storedRun(db);
        const OrderPlan buy = openBuy(run, version, QStringLiteral("sig-1"));
        const qint64 barTime = 1'704'200'000'000;
        Result<IntentRecord> first = service.submit(buy, barTime);
        QVERIFY_OK(first);
        QCOMPARE(first.value().state, IntentState::Persisted);
        QCOMPARE(first.value().clientReqId, first.value().idempotencyKey.left(32));
        const qint64 serverAtFill = venue.tickTimeMsc;  // the service's broker clock (the rig's last tick given it)
        const std::optional<IntentRecord> done = waitFinal(store, first.value().idempotencyKey);
        QVERIFY(done);
        QCOMPARE(done->state, IntentState::Done);
        QVERIFY(done->orderTicket != 0 && done->fillPrice > 0);
        QCOMPARE(venue.openAtBroker(), 1);

        // Lineage on the trade; the events of the pipeline in order.
        Result<std::vector<LiveTrade>> trades = store.tradesOfRun(run);
        QVERIFY_OK(trades);
        QCOMPARE(trades.value().size(), size_t(1));
        const LiveTrade trade = trades.value().front();
        QCOMPARE(trade.botVersionId, version);
        QCOMPARE(trade.source, TradeSource::Bot);
        QCOMPARE(trade.correlationId, buy.intent.correlationId);
        QCOMPARE(trade.idempotencyKey, first.value().idempotencyKey);
        QCOMPARE(trade.openPrice, done->fillPrice);
        QVERIFY(trade.sl > 0 && trade.tp > trade.openPrice);
        // Opened at the broker's clock in UTC (the simulator replays 2024), not at this machine's wall clock.
        QCOMPARE(trade.openTimeMs, serverAtFill - kServerUtcOffsetSec * 1000);
        Result<std::vector<LiveEvent>> events = store.events(run, 0, 100);
        QVERIFY_OK(events);
        QStringList types;
        for (const LiveEvent &e : events.value())
            types << e.type;
        QCOMPARE(types, (QStringList{"OrderSent", "TradeExecuted"}));
        QVERIFY(events.value().back().payload.contains(QStringLiteral("execution_ms")));
        QCOMPARE(events.value().back().correlationId, buy.intent.correlationId);

        // The same signal of the same bar again (a replayed bar, a restarted run): the stored intent, no new order.
        Result<IntentRecord> again = service.submit(buy, barTime);
        QVERIFY_OK(again);
        QCOMPARE(again.value().idempotencyKey, first.value().idempotencyKey);
        QCOMPARE(again.value().state, IntentState::Done);
        QTest::qWait(500);
        QCOMPARE(venue.openAtBroker(), 1);

        // The strategy's exit closes it; the close is recorded with its reason from the closing intent.
        service.setQuote(QStringLiteral("EURUSD"), *venue.quote);
        service.setServerTimeMs(venue.tickTimeMsc);
        OrderPlan close;
        close.action = IntentAction::Close;
        close.intent = buy.intent;
        close.intent.correlationId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        close.positionTicket = trade.positionTicket;
        close.volume = trade.volume;
        close.fingerprint = QStringLiteral("CLOSE_POSITION BUY");
        close.closeReason = QStringLiteral("STRATEGY_EXIT");
        close.closeSubreason = QStringLiteral("EXIT_LONG");
        QSignalSpy closed(&service, &TradeService::tradeClosed);
        Result<IntentRecord> closing = service.submit(close, barTime + 60'000);
        QVERIFY_OK(closing);
        QVERIFY(waitFinal(store, closing.value().idempotencyKey));
        QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 10000);
        QCOMPARE(venue.openAtBroker(), 0);
        trades = store.tradesOfRun(run);
        QVERIFY_OK(trades);
        const LiveTrade after = trades.value().front();
        QVERIFY(after.closeTimeMs.has_value());
        // The closing deal's time in UTC, on the same clock as the open: a few replayed minutes later at most.
        QVERIFY2(*after.closeTimeMs >= after.openTimeMs && *after.closeTimeMs - after.openTimeMs < 3'600'000,
                 qPrintable(QStringLiteral("open %1, close %2").arg(after.openTimeMs).arg(*after.closeTimeMs)));
        QCOMPARE(after.closeReason, QStringLiteral("STRATEGY_EXIT"));
        QCOMPARE(after.closeSubreason, QStringLiteral("EXIT_LONG"));
        QCOMPARE(after.closedVolume, after.volume);
    }

    void aGuardrailDenialIsRecordedAndNeverSent()
    {
        std::unique_ptr<Rig> rig = makeRig(pg, QStringLiteral("deny"), this);
        QVERIFY(rig);
        Database &db = *rig->db;
        PgTradeStore &store = *rig->store;
        Venue &venue = rig->venue;
        TradeService &service = *rig->service;

        const auto [run, version] = storedRun(db);
        EntryRisk risk;
        risk.state.symbol = QStringLiteral("EURUSD");
        risk.limits.maxOpenPerSymbol = 1;
        risk.state.startingEquity = risk.state.equity = risk.state.dayStartEquity = venue.account->equity;
        risk.state.freeMargin = venue.account->marginFree;
        risk.state.runOpenOnSymbol = 1;  // one already open: a second entry is over the limit
        risk.state.nowMs = QDateTime::currentMSecsSinceEpoch();
        Result<IntentRecord> denied = service.submit(openBuy(run, version, QStringLiteral("sig-2")),
                                                     1'704'200'060'000, &risk);
        QVERIFY_OK(denied);
        QCOMPARE(denied.value().state, IntentState::Denied);
        QVERIFY2(denied.value().message.contains(QLatin1String("EURUSD for this run: 1 open, limit 1")), qPrintable(denied.value().message));
        Result<IntentRecord> stored = store.intent(denied.value().idempotencyKey);
        QVERIFY_OK(stored);
        QCOMPARE(stored.value().state, IntentState::Denied);
        Result<std::vector<LiveEvent>> events = store.events(run, 0, 10);
        QVERIFY_OK(events);
        QCOMPARE(events.value().size(), size_t(2));
        QCOMPARE(events.value()[0].type, QStringLiteral("IntentDenied"));
        QCOMPARE(events.value()[1].type, QStringLiteral("GuardrailTripped"));
        QCOMPARE(events.value()[1].payload.value(QStringLiteral("rule")).toString(), QStringLiteral("MAX_OPEN_PER_SYMBOL"));
        QTest::qWait(300);
        QCOMPARE(venue.openAtBroker(), 0);

        // Within the limit the same kind of entry goes through.
        risk.state.runOpenOnSymbol = 0;
        Result<IntentRecord> allowed = service.submit(openBuy(run, version, QStringLiteral("sig-3")),
                                                      1'704'200'120'000, &risk);
        QVERIFY_OK(allowed);
        QCOMPARE(allowed.value().state, IntentState::Persisted);
        QVERIFY(waitFinal(store, allowed.value().idempotencyKey));
        QCOMPARE(venue.openAtBroker(), 1);
    }

    // A bar's intents of several runs: one commit, the orders after it; a batch rolled back sends nothing.
    void aBatchCommitsOnceThenSendsAndARolledBackOneSendsNothing()
    {
        std::unique_ptr<Rig> rig = makeRig(pg, QStringLiteral("batch"), this);
        QVERIFY(rig);
        Database &db = *rig->db;
        PgTradeStore &store = *rig->store;
        Venue &venue = rig->venue;
        TradeService &service = *rig->service;
        const auto [run, version] = storedRun(db);
        const auto [run2, version2] = storedRun(db);  // two runs deciding on one bar
        Database other(db.target(), options("other"));  // another connection sees only what is committed
        const auto committed = [&other](const QString &key) {
            return other.scalar(QStringLiteral("SELECT count(*) FROM trade_intents WHERE idempotency_key = ?"), {key})->toInt();
        };

        QStringList keys;
        int visibleInside = -1;
        service.submitTogether([&] {
            for (const OrderPlan &plan : {openBuy(run, version, QStringLiteral("sig-b1")),
                                          openBuy(run2, version2, QStringLiteral("sig-b2"))}) {
                Result<IntentRecord> r = service.submit(plan, 1'704'200'240'000);
                if (r)
                    keys << r.value().idempotencyKey;
            }
            visibleInside = keys.size() == 2 ? committed(keys[0]) + committed(keys[1]) : -1;
        });
        QCOMPARE(keys.size(), 2);
        QCOMPARE(visibleInside, 0);  // not committed while the batch ran
        QCOMPARE(committed(keys[0]) + committed(keys[1]), 2);
        QSet<quint64> orders;
        for (const QString &key : keys) {
            const std::optional<IntentRecord> done = waitFinal(store, key);
            QVERIFY(done);
            QCOMPARE(done->state, IntentState::Done);
            orders.insert(done->orderTicket);
        }
        QCOMPARE(orders.size(), 2);
        // The volume our magic holds at the broker (the simulator may net both buys into one position).
        const auto volumeAtBroker = [&venue]() {
            if (venue.openAtBroker() < 0)
                return -1.0;
            double lots = 0.0;
            for (const mt5::Position &p : venue.positions)
                lots += p.magic == kMagic ? p.volume : 0.0;
            return lots;
        };
        const double held = volumeAtBroker();
        QVERIFY(held > 0);

        // A store failure inside the batch (its transaction aborted): the intent queued before it is not durable,
        // so it is reported final and never sent; the one after it fails at once.
        QSignalSpy changed(&service, &TradeService::intentChanged);
        QString queuedKey;
        bool laterFailed = false;
        service.submitTogether([&] {
            Result<IntentRecord> first = service.submit(openBuy(run, version, QStringLiteral("sig-b3")), 1'704'200'300'000);
            if (first)
                queuedKey = first.value().idempotencyKey;
            (void)db.exec(QStringLiteral("SELECT 1 / 0"));  // the transaction is now aborted
            laterFailed = !service.submit(openBuy(run2, version2, QStringLiteral("sig-b4")), 1'704'200'300'000).ok();
        });
        QVERIFY(!queuedKey.isEmpty());
        QVERIFY(laterFailed);
        QVERIFY(!changed.isEmpty());
        const IntentRecord last = changed.last().at(0).value<IntentRecord>();
        QCOMPARE(last.idempotencyKey, queuedKey);
        QCOMPARE(last.state, IntentState::Rejected);
        QVERIFY2(last.message.startsWith(QLatin1String("not recorded (")), qPrintable(last.message));
        QCOMPARE(committed(queuedKey), 0);
        QTest::qWait(500);
        QCOMPARE(volumeAtBroker(), held);
    }

    void withTheDatabaseDownNothingIsSent()
    {
        std::unique_ptr<Rig> rig = makeRig(pg, QStringLiteral("outage"), this);
        QVERIFY(rig);
        Database &db = *rig->db;
        PgTradeStore &store = *rig->store;
        Venue &venue = rig->venue;
        TradeService &service = *rig->service;

        const auto [run, version] = storedRun(db);
        QVERIFY_OK(pg.stopServer());
        const OrderPlan buy = openBuy(run, version, QStringLiteral("sig-4"));
        Result<IntentRecord> refused = service.submit(buy, 1'704'200'180'000);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.startsWith(QLatin1String("the intent could not be recorded, so it was not sent")),
                 qPrintable(refused.error().message));
        QTest::qWait(300);
        QCOMPARE(venue.openAtBroker(), 0);
        QVERIFY_OK(pg.startServer());

        // Back up: the same signal is now persisted and sent, once.
        Result<IntentRecord> sent = service.submit(buy, 1'704'200'180'000);
        QVERIFY_OK(sent);
        QVERIFY(waitFinal(store, sent.value().idempotencyKey));
        QCOMPARE(venue.openAtBroker(), 1);
    }
};

QTEST_GUILESS_MAIN(TestTradeService)
#include "tst_tradeservice.moc"
