// Mt5Client (connectors/mt5/client) end to end against a scripted bridge: a QWebSocketServer on 127.0.0.1 inside the
// test plays the bridge's side of mt5b v1 with scripted frames (STYLE §7.4 integration/mt5). The client runs on its
// own QThread; the test talks to it only through its ports with queued calls and receives their signals queued.
// Scenarios: handshake (subprotocol, token, welcome, subscribe → symbol.get), hostile frames dropped, bad token
// (Failed, no retry), heartbeat loss → reconnect + resume + replay, seq gap → resync by replay and by snapshot,
// orders (rounding, outbox first, ack/result latency, the in-flight guard), a crash → order.status instead of a resend
// (final, and not_found → same id again), a connection dropped mid-order, wss:// verified against a given CA and
// refused without it. The mt5 logger goes to a file that must never contain the token.

#include "brokermetatypes.h"
#include "logging.h"
#include "memoryorderoutbox.h"
#include "mt5client.h"
#include "sharedoutbox.h"
#include "scriptedbridge.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTemporaryDir>
#include <QThread>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

#include <memory>

using namespace bd;
using namespace bd::mt5;
using namespace bd::test;

// Wait helpers usable in helper functions returning values (QTRY_* return void on failure).
#define QTRY_VERIFY_WITH_TIMEOUT_2(expr, timeout)                                                                    \
    do {                                                                                                              \
        QElapsedTimer t_;                                                                                             \
        t_.start();                                                                                                   \
        while (!(expr) && t_.elapsed() < (timeout))                                                                   \
            QTest::qWait(5);                                                                                          \
    } while (false)

namespace {

// The ports' signals, received on the test thread.
class Recorder : public QObject {
    Q_OBJECT
public:
    QList<Tick> ticks;
    QList<RateBar> bars;
    QList<BrokerSymbol> resolved;
    QStringList subscriptionFailures;
    QList<OrderOutcome> outcomes;
    QStringList acks;
    QList<QPair<QString, QString>> refusals;  // id, reason
    QList<LinkStatus> statuses;
    QList<QVector<Position>> positionSnapshots;
    QList<AccountInfo> accounts;
    QStringList bridgeErrors;
    QList<SymbolFeedState> staleness;

    void attach(Mt5Client *client)
    {
        MarketDataPort *md = client->marketData();
        BrokerPort *br = client->broker();
        connect(md, &MarketDataPort::tickReceived, this, [this](const Tick &t) { ticks << t; });
        connect(md, &MarketDataPort::barReceived, this, [this](const RateBar &b) { bars << b; });
        connect(md, &MarketDataPort::symbolResolved, this, [this](const BrokerSymbol &s) { resolved << s; });
        connect(md, &MarketDataPort::subscriptionFailed, this,
                [this](const QString &requested, const QString &code, const QString &, const QStringList &suggestions) {
                    subscriptionFailures << requested + ":" + code + ":" + suggestions.join(",");
                });
        connect(br, &BrokerPort::orderOutcome, this, [this](const OrderOutcome &o) { outcomes << o; });
        connect(br, &BrokerPort::orderAcknowledged, this, [this](const QString &id) { acks << id; });
        connect(br, &BrokerPort::orderRefused, this,
                [this](const QString &id, const QString &, const QString &reason) { refusals << qMakePair(id, reason); });
        connect(br, &BrokerPort::linkStatusChanged, this, [this](const LinkStatus &s) { statuses << s; });
        connect(br, &BrokerPort::positionsSnapshot, this, [this](const QVector<Position> &p) { positionSnapshots << p; });
        connect(br, &BrokerPort::accountChanged, this, [this](const AccountInfo &a) { accounts << a; });
        connect(md, &MarketDataPort::symbolStalenessChanged, this, [this](const SymbolFeedState &s) { staleness << s; });
        connect(br, &BrokerPort::bridgeError, this, [this](const QString &code, const QString &) { bridgeErrors << code; });
    }
    bool isLive() const { return !statuses.isEmpty() && statuses.last().state == LinkStatus::State::Live; }
    LinkStatus::State state() const { return statuses.isEmpty() ? LinkStatus::State::Disconnected : statuses.last().state; }
};

// One client on its own thread, with a recorder on the test thread.
struct Rig {
    QThread thread;
    Mt5Client *client = nullptr;
    Recorder rec;

    explicit Rig(Mt5ClientConfig config)
    {
        client = Mt5Client::createOn(thread, std::move(config));
        rec.attach(client);
        thread.start();
    }
    // A crash: the thread ends and the client is deleted without a goodbye (its socket aborted).
    ~Rig()
    {
        thread.quit();
        thread.wait();
    }
    template <typename F>
    void onClient(F f)
    {
        QMetaObject::invokeMethod(client, std::move(f), Qt::QueuedConnection);
    }
    void subscribeTicks(const QString &s)
    {
        MarketDataPort *md = client->marketData();
        onClient([md, s] { md->subscribeTicks(s); });
    }
    void sendOrder(const QString &id, const TradeRequest &r, const QString &run)
    {
        BrokerPort *br = client->broker();
        onClient([br, id, r, run] { br->sendOrder(id, r, run); });
    }
    LatencySummary resultLatency()
    {
        std::atomic<bool> done = false;
        LatencySummary s;
        onClient([this, &s, &done] {
            s = client->latency().result();
            done = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT_2(done.load(), 5000);
        return s;
    }
    qint64 lastSeq()
    {
        std::atomic<bool> done = false;
        qint64 seq = -1;
        onClient([this, &seq, &done] {
            seq = client->lastSeq();
            done = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT_2(done.load(), 5000);
        return seq;
    }
};

Mt5ClientConfig configFor(const QUrl &url, std::shared_ptr<MemoryOrderOutbox> box = {})
{
    Mt5ClientConfig c;
    c.url = url;
    c.token = kToken;
    c.clientVersion = QStringLiteral("test");
    c.backoff.initialMs = 100;  // fast tests; the delays' bounds are tst_mt5clientparts' business
    if (box)
        c.outboxFactory = [box] { return std::make_unique<SharedOutbox>(box); };
    return c;
}

TradeRequest buy(double volume, double sl = 0)
{
    TradeRequest r;
    r.action = TradeAction::Deal;
    r.symbol = QStringLiteral("EURUSD");
    r.type = OrderType::Buy;
    r.volume = volume;
    r.sl = sl;
    r.deviation = 10;
    r.magic = 770001;
    r.typeFilling = QStringLiteral("ORDER_FILLING_IOC");
    return r;
}

} // namespace

class TestMt5Client : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_logPath;

private slots:
    void initTestCase()
    {
        registerBrokerMetaTypes();
        m_logPath = m_dir.filePath(QStringLiteral("mt5.log"));
        QVERIFY(logging::addFileSink(m_logPath.toStdString()));
        logging::setLevel("debug");
    }

    void cleanupTestCase()
    {
        logging::get("mt5")->flush();
        QFile log(m_logPath);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray text = log.readAll();
        QVERIFY2(!text.contains(kToken.toUtf8()), "the token appears in the log");
    }

    void handshakeSubscribeAndHostileFrames()
    {
        ScriptedBridge bridge;
        QVERIFY(bridge.listen());
        Rig rig(configFor(bridge.url()));
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.isLive(), 5000);
        QCOMPARE(bridge.offeredSubprotocols.value(0), QStringLiteral("mt5b.v1"));
        const QJsonObject hello = bridge.receivedOfType("hello").value(0);
        QCOMPARE(hello.value("token").toString(), kToken);
        QCOMPARE(hello.value("protocol").toObject().value("max").toInt(), 1);
        QVERIFY(hello.value("resume").isNull());
        const LinkStatus live = rig.rec.statuses.last();
        QCOMPARE(live.sessionId, QStringLiteral("s-1"));
        QCOMPARE(live.bridgeKind, QStringLiteral("simulator"));
        QVERIFY(live.terminalConnected && live.tradeAllowed);
        // A new session: account, positions and orders asked at once.
        QTRY_VERIFY_WITH_TIMEOUT(!rig.rec.accounts.isEmpty() && !rig.rec.positionSnapshots.isEmpty(), 5000);
        QCOMPARE(rig.rec.accounts.last().balance, 10000.0);

        rig.subscribeTicks(QStringLiteral("EURUSD"));
        rig.subscribeTicks(QStringLiteral("GBPUSX"));
        QTRY_VERIFY_WITH_TIMEOUT(!rig.rec.resolved.isEmpty(), 5000);
        QCOMPARE(rig.rec.resolved.first().name, QStringLiteral("EURUSD.sim"));
        QCOMPARE(rig.rec.resolved.first().requested, QStringLiteral("EURUSD"));
        QCOMPARE(rig.rec.resolved.first().volumeStep, 0.01);
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.subscriptionFailures.size(), 1, 5000);
        QCOMPARE(rig.rec.subscriptionFailures.first(), QStringLiteral("GBPUSX:UNKNOWN_SYMBOL:EURUSD.sim"));

        // Valid ticks interleaved with hostile frames: only the valid ones reach the port, in order.
        bridge.tick(1.1);
        bridge.sendRaw("{not json");
        bridge.sendRaw("[1,2,3]");
        bridge.event(QJsonObject{{"type", "tick"}, {"symbol", "EURUSD.sim"}, {"time_msc", "soon"}, {"bid", 1.0},
                                 {"ask", 1.0}});  // a wrong type: dropped (its seq still counts)
        bridge.sendRaw(R"({"v":1,"type":"mystery"})");
        bridge.sendRaw(R"({"v":2,"type":"tick"})");
        bridge.sendRaw(QString(1100 * 1024, QLatin1Char(' ')) + "{}");  // over 1 MiB
        bridge.client->sendBinaryMessage(QByteArray("\x01\x02\x03", 3));
        bridge.tick(1.2);
        bridge.sendRaw(compact(bridge.ring.first()));  // seq backwards (already applied): dropped
        bridge.tick(1.3);
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.ticks.size(), 3, 5000);
        QTest::qWait(100);
        QCOMPARE(rig.rec.ticks.size(), 3);
        QCOMPARE(rig.rec.ticks[0].bid, 1.1);
        QCOMPARE(rig.rec.ticks[1].bid, 1.2);
        QCOMPARE(rig.rec.ticks[2].bid, 1.3);
        QCOMPARE(rig.rec.ticks[0].symbol, QStringLiteral("EURUSD.sim"));
        QCOMPARE(rig.lastSeq(), bridge.seq);
        QCOMPARE(bridge.connections, 1);  // none of that broke the link
        QVERIFY(rig.rec.isLive());
        logging::get("mt5")->flush();
        QFile log(m_logPath);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray text = log.readAll();
        for (const char *logged : {"malformed JSON", "not a JSON object", "field 'time_msc'", "unknown type 'mystery'",
                                   "field 'v' is 2", "over the 1 MiB cap", "binary frame", "goes backwards"})
            QVERIFY2(text.contains(logged), logged);
    }

    void symbolGoesStaleAndFreshAgain()
    {
        ScriptedBridge bridge;
        QVERIFY(bridge.listen());
        Mt5ClientConfig config = configFor(bridge.url());
        config.staleAfterMs = 300;
        Rig rig(config);
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.isLive(), 5000);
        rig.subscribeTicks(QStringLiteral("EURUSD"));
        QTRY_VERIFY_WITH_TIMEOUT(!rig.rec.resolved.isEmpty(), 5000);
        bridge.tick(1.1);
        QElapsedTimer quiet;
        quiet.start();
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.staleness.size(), 1, 5000);
        QVERIFY2(quiet.elapsed() >= 250, qPrintable(QString::number(quiet.elapsed())));
        QCOMPARE(rig.rec.staleness[0].symbol, QStringLiteral("EURUSD.sim"));
        QVERIFY(rig.rec.staleness[0].stale);
        QVERIFY(rig.rec.staleness[0].silentForMs > 300);
        QVERIFY(rig.rec.staleness[0].lastTickAtMs > 0);
        bridge.tick(1.2);
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.staleness.size(), 2, 5000);
        QCOMPARE(rig.rec.staleness[1].symbol, QStringLiteral("EURUSD.sim"));
        QVERIFY(!rig.rec.staleness[1].stale);
        // The terminal disconnects: silence is not staleness then.
        bridge.event(QJsonObject{{"type", "terminal"}, {"connected", false}, {"trade_allowed", true}});
        QTRY_VERIFY_WITH_TIMEOUT(!rig.rec.statuses.isEmpty() && !rig.rec.statuses.last().terminalConnected, 5000);
        QTest::qWait(500);
        QCOMPARE(rig.rec.staleness.size(), 2);
    }

    void badTokenFailsWithoutRetrying()
    {
        ScriptedBridge bridge;
        QVERIFY(bridge.listen());
        Mt5ClientConfig config = configFor(bridge.url());
        config.token = QStringLiteral("wrong-token");
        Rig rig(config);
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.state(), LinkStatus::State::Failed, 5000);
        QVERIFY2(rig.rec.statuses.last().error.contains("refused the token"), qPrintable(rig.rec.statuses.last().error));
        QTest::qWait(600);  // several backoff periods (100 ms initial)
        QCOMPARE(bridge.connections, 1);
        QCOMPARE(rig.rec.state(), LinkStatus::State::Failed);
        // Orders are refused locally while not live.
        rig.sendOrder(QStringLiteral("o-1"), buy(0.1), QStringLiteral("run-1"));
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.refusals.size(), 1, 5000);
        QVERIFY2(rig.rec.refusals.first().second.contains("not connected"), qPrintable(rig.rec.refusals.first().second));
    }

    void heartbeatLossReconnectsAndResumes()
    {
        ScriptedBridge bridge;
        bridge.heartbeatSec = 1;
        QVERIFY(bridge.listen());
        Rig rig(configFor(bridge.url()));
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.isLive(), 5000);
        rig.subscribeTicks(QStringLiteral("EURUSD"));
        QTRY_VERIFY_WITH_TIMEOUT(!rig.rec.resolved.isEmpty(), 5000);
        bridge.tick(1.1);
        bridge.tick(1.2);
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.ticks.size(), 2, 5000);
        const qint64 seqBefore = bridge.seq;

        // The bridge hangs: nothing arrives, three ticks happen meanwhile (kept in its ring).
        QElapsedTimer silence;
        silence.start();
        bridge.silent = true;
        bridge.tick(1.3);
        bridge.tick(1.4);
        bridge.tick(1.5);
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.state() == LinkStatus::State::Reconnecting, 8000);
        const qint64 deadAfter = silence.elapsed();
        QVERIFY2(deadAfter >= 2500 && deadAfter < 6000, qPrintable(QString::number(deadAfter)));
        QVERIFY2(rig.rec.statuses.last().error.contains("declared dead"), qPrintable(rig.rec.statuses.last().error));
        bridge.silent = false;

        QTRY_COMPARE_WITH_TIMEOUT(bridge.connections, 2, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.isLive(), 5000);
        const QJsonObject resume = bridge.receivedOfType("hello").last().value("resume").toObject();
        QCOMPARE(resume.value("session_id").toString(), QStringLiteral("s-1"));
        QCOMPARE(resume.value("last_seq").toInteger(), seqBefore);
        QVERIFY(rig.rec.statuses.last().resumed);
        // The missed ticks are replayed, each once, in order; a resumed session is not re-subscribed.
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.ticks.size(), 5, 5000);
        QCOMPARE(rig.rec.ticks[2].bid, 1.3);
        QCOMPARE(rig.rec.ticks[4].bid, 1.5);
        QVERIFY(rig.rec.ticks[4].replay);
        QCOMPARE(bridge.receivedOfType("subscribe").size(), 1);
        bridge.tick(1.6);
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.ticks.size(), 6, 5000);
        QCOMPARE(rig.lastSeq(), bridge.seq);
    }

    void newSessionResubscribesAndBackfillsBars()
    {
        ScriptedBridge bridge;
        QVERIFY(bridge.listen());
        Rig rig(configFor(bridge.url()));
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.isLive(), 5000);
        MarketDataPort *md = rig.client->marketData();
        rig.onClient([md] { md->subscribeBars(QStringLiteral("EURUSD"), QStringLiteral("M1"), 0, false); });
        QTRY_VERIFY_WITH_TIMEOUT(!rig.rec.resolved.isEmpty(), 5000);
        bridge.event(QJsonObject{{"type", "bar"}, {"symbol", "EURUSD.sim"}, {"timeframe", "M1"}, {"time", 1717999920},
                                 {"open", 1.1}, {"high", 1.2}, {"low", 1.0}, {"close", 1.15}, {"tick_volume", 5},
                                 {"spread", 1}, {"real_volume", 0}, {"closed", true}});
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.bars.size(), 1, 5000);
        // The bridge restarts: the session is gone.
        bridge.resumeAllowed = false;
        bridge.client->abort();
        QTRY_COMPARE_WITH_TIMEOUT(bridge.connections, 2, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.isLive() && !rig.rec.statuses.last().resumed, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(bridge.receivedOfType("subscribe").size(), 2, 5000);
        const QJsonObject again = bridge.receivedOfType("subscribe").last().value("streams").toArray().first().toObject();
        QCOMPARE(again.value("history").toInt(), 0);  // bars come from the backfill instead
        QTRY_VERIFY_WITH_TIMEOUT(!bridge.receivedOfType("history.rates").isEmpty(), 5000);
        QCOMPARE(bridge.receivedOfType("history.rates").first().value("from").toInteger(), 1717999920);
        // The closed bars after 1717999920 (three), the forming one left out, in order, flagged history.
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.bars.size(), 4, 5000);
        QTest::qWait(50);
        QCOMPARE(rig.rec.bars.size(), 4);
        QCOMPARE(rig.rec.bars[1].time, 1717999980);
        QCOMPARE(rig.rec.bars[3].time, 1718000100);
        QVERIFY(rig.rec.bars[3].history && rig.rec.bars[3].closed);
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.accounts.size() >= 2, 5000);  // state rebuilt from account.get
    }

    void seqGapResyncsByReplay()
    {
        ScriptedBridge bridge;
        QVERIFY(bridge.listen());
        Rig rig(configFor(bridge.url()));
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.isLive(), 5000);
        rig.subscribeTicks(QStringLiteral("EURUSD"));
        QTRY_VERIFY_WITH_TIMEOUT(!rig.rec.resolved.isEmpty(), 5000);
        bridge.tick(1.1);
        bridge.tick(1.2, false);  // lost
        bridge.tick(1.3, false);  // lost
        bridge.tick(1.4);
        bridge.tick(1.5);
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.ticks.size(), 5, 5000);
        const auto resync = bridge.receivedOfType("resync");
        QCOMPARE(resync.size(), 1);
        QCOMPARE(resync.first().value("since_seq").toInteger(), 1);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(rig.rec.ticks[i].bid, 1.1 + 0.1 * i);
        QCOMPARE(rig.lastSeq(), bridge.seq);
    }

    void seqGapResyncsBySnapshot()
    {
        ScriptedBridge bridge;
        bridge.resyncMode = QStringLiteral("snapshot");
        QVERIFY(bridge.listen());
        Rig rig(configFor(bridge.url()));
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.isLive(), 5000);
        rig.subscribeTicks(QStringLiteral("EURUSD"));
        QTRY_VERIFY_WITH_TIMEOUT(!rig.rec.resolved.isEmpty(), 5000);
        const int snapshotsBefore = int(rig.rec.positionSnapshots.size());
        bridge.tick(1.1);
        bridge.tick(1.2, false);  // lost
        bridge.tick(1.3);         // held behind the gap; covered by the snapshot (as_of_seq = 3)
        QTRY_COMPARE_WITH_TIMEOUT(int(rig.rec.positionSnapshots.size()), snapshotsBefore + 1, 5000);
        QCOMPARE(rig.rec.positionSnapshots.last().size(), 1);
        QCOMPARE(rig.rec.positionSnapshots.last().first().ticket, Ticket(1000011));
        bridge.tick(1.4);  // seq 4 > as_of_seq: applied on top
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.ticks.size(), 2, 5000);
        QTest::qWait(50);
        QCOMPARE(rig.rec.ticks.size(), 2);
        QCOMPARE(rig.rec.ticks[1].bid, 1.4);
        QCOMPARE(rig.lastSeq(), 4);
    }

    void ordersAreRoundedRecordedFirstAndGuarded()
    {
        ScriptedBridge bridge;
        QVERIFY(bridge.listen());
        auto box = std::make_shared<MemoryOrderOutbox>();
        Rig rig(configFor(bridge.url(), box));
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.isLive(), 5000);

        // Unsubscribed symbol: symbol.get first, then the order rounded to digits and volume_step.
        rig.sendOrder(QStringLiteral("ord-1"), buy(0.1049, 1.0830004), QStringLiteral("run-1"));
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.outcomes.size(), 1, 5000);
        const QJsonObject sent = bridge.receivedOfType("order.send").first();
        QCOMPARE(sent.value("client_req_id").toString(), QStringLiteral("ord-1"));
        const QJsonObject request = sent.value("request").toObject();
        QCOMPARE(request.value("volume").toDouble(), 0.1);
        QCOMPARE(request.value("sl").toDouble(), 1.083);
        QCOMPARE(request.value("symbol").toString(), QStringLiteral("EURUSD.sim"));
        QCOMPARE(request.value("type").toString(), QStringLiteral("ORDER_TYPE_BUY"));
        QVERIFY(!request.contains("position"));  // null members are not sent (canonical form)
        QCOMPARE(rig.rec.acks, QStringList{QStringLiteral("ord-1")});
        const OrderOutcome outcome = rig.rec.outcomes.first();
        QCOMPARE(outcome.clientReqId, QStringLiteral("ord-1"));
        QCOMPARE(outcome.status, OrderOutcome::Status::Done);
        QCOMPARE(outcome.result.deal, Ticket(1000012));
        QCOMPARE(outcome.positionId, Ticket(1000011));
        // The outbox has it, final, with the request as sent.
        auto entry = box->find(QStringLiteral("ord-1"));
        QVERIFY(entry);
        QCOMPARE(entry->state, OutboxEntry::State::Final);
        QCOMPARE(entry->account, QStringLiteral("1000001@Sim-Server"));
        QCOMPARE(QJsonDocument::fromJson(entry->requestJson).object(), request);
        QVERIFY(entry->resultJson.contains("1000012"));
        const LatencySummary latency = rig.resultLatency();
        QCOMPARE(latency.count, 1);
        QVERIFY(latency.p50 > 0 && latency.p50 < 5000);
        // The same figures reach the engine in the link status.
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.statuses.last().orderResultSamples == 1, 5000);
        QCOMPARE(rig.rec.statuses.last().orderResultP50Ms, latency.p50);
        QCOMPARE(rig.rec.statuses.last().orderAckSamples, 1);
        QVERIFY(rig.rec.statuses.last().orderAckP50Ms <= latency.p50);

        // One order per run and symbol in flight: the second is refused locally, nothing sent or recorded.
        bridge.holdOrders = true;
        rig.sendOrder(QStringLiteral("ord-2"), buy(0.1), QStringLiteral("run-1"));
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.acks.size(), 2, 5000);
        rig.sendOrder(QStringLiteral("ord-3"), buy(0.2), QStringLiteral("run-1"));
        rig.sendOrder(QStringLiteral("ord-4"), buy(0.2), QStringLiteral("run-2"));  // another run: fine
        rig.sendOrder(QStringLiteral("ord-5"), buy(0.001), QStringLiteral("run-3"));  // rounds to 0 lots
        rig.sendOrder(QStringLiteral("bad id!"), buy(0.1), QStringLiteral("run-4"));
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.refusals.size(), 3, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.acks.size(), 3, 5000);
        QCOMPARE(rig.rec.refusals[0].first, QStringLiteral("ord-3"));
        QVERIFY2(rig.rec.refusals[0].second.contains("run run-1 already has order ord-2 in flight"),
                 qPrintable(rig.rec.refusals[0].second));
        QCOMPARE(rig.rec.refusals[1].first, QStringLiteral("ord-5"));
        QVERIFY2(rig.rec.refusals[1].second.contains("rounds to 0"), qPrintable(rig.rec.refusals[1].second));
        QVERIFY2(rig.rec.refusals[2].second.contains("use a UUID"), qPrintable(rig.rec.refusals[2].second));
        QVERIFY(!box->find(QStringLiteral("ord-3")));
        QVERIFY(!box->find(QStringLiteral("ord-5")));
        QCOMPARE(bridge.receivedOfType("order.send").size(), 3);  // ord-1, ord-2, ord-4
        QCOMPARE(box->unfinished(QStringLiteral("1000001@Sim-Server"))->size(), size_t(2));
    }

    void aFailedFinalMarkIsRetriedOnTheNextStatusAnswer()
    {
        ScriptedBridge bridge;
        bridge.ackOrders = false;  // the result alone answers the order.send
        QVERIFY(bridge.listen());
        auto box = std::make_shared<MemoryOrderOutbox>();
        Rig rig(configFor(bridge.url(), box));
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.isLive(), 5000);
        box->failNextMarkFinal(QStringLiteral("database unreachable"));
        rig.sendOrder(QStringLiteral("mark-1"), buy(0.1), QStringLiteral("run-1"));
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.outcomes.size(), 1, 5000);
        QVERIFY(rig.rec.acks.isEmpty());
        QCOMPARE(box->find(QStringLiteral("mark-1"))->state, OutboxEntry::State::InFlight);  // the mark failed
        // The next connection asks again; the (dedup) answer marks it final, and is not delivered twice.
        bridge.client->abort();
        QTRY_COMPARE_WITH_TIMEOUT(bridge.receivedOfType("order.status").size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(box->find(QStringLiteral("mark-1"))->state, OutboxEntry::State::Final, 5000);
        QTest::qWait(50);
        QCOMPARE(rig.rec.outcomes.size(), 1);
        QCOMPARE(bridge.receivedOfType("order.send").size(), 1);
    }

    void crashAsksOrderStatusInsteadOfResending()
    {
        ScriptedBridge bridge;
        bridge.holdOrders = true;
        QVERIFY(bridge.listen());
        auto box = std::make_shared<MemoryOrderOutbox>();
        {
            Rig first(configFor(bridge.url(), box));
            QTRY_VERIFY_WITH_TIMEOUT(first.rec.isLive(), 5000);
            first.sendOrder(QStringLiteral("crash-1"), buy(0.1), QStringLiteral("run-1"));
            QTRY_COMPARE_WITH_TIMEOUT(first.rec.acks.size(), 1, 5000);
        }  // the process "crashes" with crash-1 in flight
        // The bridge finished it meanwhile; another order was recorded but its frame never left (crash in between).
        const QJsonObject request = bridge.receivedOfType("order.send").first().value("request").toObject();
        bridge.results.insert(QStringLiteral("crash-1"), bridge.resultBody(QStringLiteral("crash-1"), request, false));
        OutboxEntry unsent;
        unsent.clientReqId = QStringLiteral("crash-2");
        unsent.account = QStringLiteral("1000001@Sim-Server");
        unsent.runId = QStringLiteral("run-2");
        unsent.requestJson = R"({"action":"TRADE_ACTION_DEAL","symbol":"EURUSD.sim","type":"ORDER_TYPE_SELL","volume":0.3})";
        unsent.requestHash = QStringLiteral("0");
        QVERIFY(box->recordBeforeSend(unsent));
        bridge.holdOrders = false;

        Rig second(configFor(bridge.url(), box));
        QTRY_COMPARE_WITH_TIMEOUT(second.rec.outcomes.size(), 2, 8000);
        // crash-1: asked, answered from the bridge's map (dedup), never sent again.
        const auto statuses = bridge.receivedOfType("order.status");
        QCOMPARE(statuses.size(), 2);
        QCOMPARE(statuses[0].value("client_req_id").toString(), QStringLiteral("crash-1"));
        QCOMPARE(statuses[1].value("client_req_id").toString(), QStringLiteral("crash-2"));
        const auto sends = bridge.receivedOfType("order.send");
        QCOMPARE(sends.size(), 2);  // crash-1 once (by the first client), crash-2 once: not_found -> same id
        QCOMPARE(sends[1].value("client_req_id").toString(), QStringLiteral("crash-2"));
        QCOMPARE(QJsonDocument(sends[1].value("request").toObject()).toJson(QJsonDocument::Compact), unsent.requestJson);
        OrderOutcome first, second2;
        for (const OrderOutcome &o : second.rec.outcomes)
            (o.clientReqId == QStringLiteral("crash-1") ? first : second2) = o;
        QVERIFY(first.dedup);
        QCOMPARE(first.status, OrderOutcome::Status::Done);
        QCOMPARE(second2.clientReqId, QStringLiteral("crash-2"));
        QVERIFY(!second2.dedup);
        QCOMPARE(box->unfinished(QStringLiteral("1000001@Sim-Server"))->size(), size_t(0));
    }

    void droppedConnectionMidOrderIsAskedNotResent()
    {
        ScriptedBridge bridge;
        bridge.dropOnOrderSend = true;
        bridge.resumeAllowed = false;  // the reply is not replayed: only order.status can tell
        QVERIFY(bridge.listen());
        auto box = std::make_shared<MemoryOrderOutbox>();
        Rig rig(configFor(bridge.url(), box));
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.isLive(), 5000);
        rig.sendOrder(QStringLiteral("mid-1"), buy(0.1), QStringLiteral("run-1"));
        QTRY_COMPARE_WITH_TIMEOUT(bridge.connections, 2, 5000);
        bridge.dropOnOrderSend = false;
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.outcomes.size(), 1, 5000);
        QCOMPARE(rig.rec.outcomes.first().clientReqId, QStringLiteral("mid-1"));
        QVERIFY(rig.rec.outcomes.first().dedup);
        QCOMPARE(bridge.receivedOfType("order.send").size(), 1);
        QCOMPARE(bridge.receivedOfType("order.status").size(), 1);
        QCOMPARE(box->find(QStringLiteral("mid-1"))->state, OutboxEntry::State::Final);
        // The run's slot is free again.
        bridge.holdOrders = true;
        rig.sendOrder(QStringLiteral("mid-2"), buy(0.1), QStringLiteral("run-1"));
        QTRY_COMPARE_WITH_TIMEOUT(bridge.receivedOfType("order.send").size(), 2, 5000);
        QTest::qWait(50);
        QCOMPARE(rig.rec.outcomes.size(), 1);  // the repeat of mid-1 (if any) is not delivered twice
    }

    void wssIsVerifiedAgainstTheGivenCertificate()
    {
        const QString dir = QStringLiteral(BOTDESK_TEST_DATA_DIR "/mt5tls");
        QFile certFile(dir + "/bridge.crt"), keyFile(dir + "/bridge.key");
        QVERIFY(certFile.open(QIODevice::ReadOnly) && keyFile.open(QIODevice::ReadOnly));
        ScriptedBridge bridge(QWebSocketServer::SecureMode);
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(QSslCertificate(&certFile, QSsl::Pem));
        tls.setPrivateKey(QSslKey(&keyFile, QSsl::Rsa, QSsl::Pem));
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        bridge.server().setSslConfiguration(tls);
        QVERIFY(bridge.listen());
        QCOMPARE(bridge.url().scheme(), QStringLiteral("wss"));
        {
            // Not trusted by the system store: a clear, fatal error, never silently accepted.
            Rig rig(configFor(bridge.url()));
            QTRY_COMPARE_WITH_TIMEOUT(rig.rec.state(), LinkStatus::State::Failed, 8000);
            QVERIFY2(rig.rec.statuses.last().error.contains("TLS verification"), qPrintable(rig.rec.statuses.last().error));
            QTest::qWait(300);
            QCOMPARE(rig.rec.state(), LinkStatus::State::Failed);
        }
        Mt5ClientConfig config = configFor(bridge.url());
        config.caCertificateFile = dir + "/bridge.crt";
        Rig rig(config);
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.isLive(), 8000);
        QVERIFY(!bridge.receivedOfType("hello").isEmpty());
        config.caCertificateFile = dir + "/README.md";
        Rig unreadable(config);
        QTRY_COMPARE_WITH_TIMEOUT(unreadable.rec.state(), LinkStatus::State::Failed, 5000);
        QVERIFY2(unreadable.rec.statuses.last().error.contains("cannot read a PEM certificate"),
                 qPrintable(unreadable.rec.statuses.last().error));
    }
};

QTEST_GUILESS_MAIN(TestMt5Client)
#include "tst_mt5client.moc"
