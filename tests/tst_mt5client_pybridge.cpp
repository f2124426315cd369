// Mt5Client against the real terminal-side bridge (connectors/mt5bridge, Python) serving the MetaTrader5 test double
// (python3 -m botdesk_mt5bridge.testserver), through the spec's validating relay (tests/conformance/schemaproxy.py):
// every frame both ways is checked against docs/mt5b/schemas and the live seq rule, and the relay must report no
// violation. The client resolves a symbol, streams ticks and bars, sends a market order (rounded, outbox first) and
// gets its deal; after a "crash" a recorded-but-never-sent order is asked with order.status, found not_found, and
// sent again under the same id.

#include "brokermetatypes.h"
#include "envelope.h"
#include "memoryorderoutbox.h"
#include "mt5client.h"
#include "sharedoutbox.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <memory>

using namespace bd;
using namespace bd::mt5;

namespace {

const QString kToken = QStringLiteral("py-bridge-token-42");
const QString kPython = QStringLiteral("/usr/bin/python3");

// Starts `args` and waits for its first stdout line "listening ws://127.0.0.1:PORT"; returns the URL or empty.
QUrl startListening(QProcess &p, const QStringList &args, const QProcessEnvironment &env)
{
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::SeparateChannels);
    p.start(kPython, args);
    if (!p.waitForStarted(10000))
        return {};
    QElapsedTimer t;
    t.start();
    while (!p.canReadLine() && t.elapsed() < 20000)
        p.waitForReadyRead(200);
    const QString line = QString::fromUtf8(p.readLine()).trimmed();
    if (!line.startsWith(QLatin1String("listening "))) {
        qWarning("no 'listening' line: '%s'; stderr: %s", qPrintable(line), p.readAllStandardError().constData());
        return {};
    }
    return QUrl(line.mid(10));
}

class Recorder : public QObject {
    Q_OBJECT
public:
    QList<Tick> ticks;
    QList<RateBar> bars;
    QList<BrokerSymbol> resolved;
    QList<OrderOutcome> outcomes;
    QList<Deal> deals;
    QStringList refusals;
    LinkStatus status;

    void attach(Mt5Client *client)
    {
        connect(client->marketData(), &MarketDataPort::tickReceived, this, [this](const Tick &t) { ticks << t; });
        connect(client->marketData(), &MarketDataPort::barReceived, this, [this](const RateBar &b) { bars << b; });
        connect(client->marketData(), &MarketDataPort::symbolResolved, this, [this](const BrokerSymbol &s) { resolved << s; });
        connect(client->broker(), &BrokerPort::orderOutcome, this, [this](const OrderOutcome &o) { outcomes << o; });
        connect(client->broker(), &BrokerPort::dealsReceived, this, [this](const QVector<Deal> &d) { deals << d; });
        connect(client->broker(), &BrokerPort::orderRefused, this,
                [this](const QString &id, const QString &, const QString &why) { refusals << id + ": " + why; });
        connect(client->broker(), &BrokerPort::linkStatusChanged, this, [this](const LinkStatus &s) { status = s; });
    }
    bool live() const { return status.state == LinkStatus::State::Live; }
};

struct Rig {
    QThread thread;
    Mt5Client *client = nullptr;
    Recorder rec;
    Rig(const QUrl &url, std::shared_ptr<MemoryOrderOutbox> box)
    {
        Mt5ClientConfig c;
        c.url = url;
        c.token = kToken;
        c.outboxFactory = [box] { return std::make_unique<SharedOutbox>(box); };
        client = Mt5Client::createOn(thread, c);
        rec.attach(client);
        thread.start();
    }
    ~Rig()
    {
        thread.quit();
        thread.wait();
    }
    template <typename F>
    void on(F f) { QMetaObject::invokeMethod(client, std::move(f), Qt::QueuedConnection); }
};

} // namespace

class TestMt5ClientPyBridge : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QProcess m_bridge, m_proxy;
    QUrl m_url;
    QString m_report;

private slots:
    void initTestCase()
    {
        registerBrokerMetaTypes();
        if (!QFile::exists(kPython))
            QSKIP("Debian's /usr/bin/python3 is not installed");
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("PYTHONPATH", QStringLiteral(BOTDESK_SOURCE_DIR "/connectors/mt5bridge"));
        env.insert("PYTHONDONTWRITEBYTECODE", "1");
        const QUrl bridgeUrl = startListening(m_bridge, {"-m", "botdesk_mt5bridge.testserver", "--port", "0", "--token",
                                                         kToken, "--state-dir", m_dir.filePath("state"), "--heartbeat", "1"},
                                              env);
        QVERIFY2(bridgeUrl.isValid() && !bridgeUrl.isEmpty(), "the Python bridge did not start");
        m_report = m_dir.filePath("schemaproxy-report.json");
        m_url = startListening(m_proxy, {QStringLiteral(BOTDESK_SOURCE_DIR "/tests/conformance/schemaproxy.py"),
                                         "--upstream", bridgeUrl.toString(), "--report", m_report, "--port", "0"},
                               env);
        QVERIFY2(m_url.isValid() && !m_url.isEmpty(), "the schema proxy did not start");
    }

    void cleanupTestCase()
    {
        if (m_proxy.state() == QProcess::Running) {
            m_proxy.terminate();
            QVERIFY(m_proxy.waitForFinished(10000));
            QFile report(m_report);
            QVERIFY2(report.open(QIODevice::ReadOnly), "no schema proxy report");
            const QJsonObject r = QJsonDocument::fromJson(report.readAll()).object();
            const QJsonArray violations = r.value("violations").toArray();
            for (const QJsonValue &v : violations)
                qWarning("schema violation: %s", QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact).constData());
            qInfo("schema proxy: %d client frames, %d bridge frames, %d connections, %d violations",
                  r.value("frames").toObject().value("client").toInt(), r.value("frames").toObject().value("bridge").toInt(),
                  r.value("connections").toInt(), int(violations.size()));
            QVERIFY(r.value("frames").toObject().value("client").toInt() > 5);
            QCOMPARE(violations.size(), 0);
            QCOMPARE(m_proxy.exitCode(), 0);
        }
        if (m_bridge.state() == QProcess::Running) {
            m_bridge.terminate();
            if (!m_bridge.waitForFinished(5000))
                m_bridge.kill();
        }
    }

    void streamsAndTradesThroughThePythonBridge()
    {
        auto box = std::make_shared<MemoryOrderOutbox>();
        Rig rig(m_url, box);
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.live(), 10000);
        QCOMPARE(rig.rec.status.bridgeKind, QStringLiteral("mt5-python"));
        MarketDataPort *md = rig.client->marketData();
        rig.on([md] {
            md->subscribeTicks(QStringLiteral("GBPUSD"));
            md->subscribeBars(QStringLiteral("GBPUSD"), QStringLiteral("M1"), 3, false);
        });
        QTRY_VERIFY_WITH_TIMEOUT(!rig.rec.resolved.isEmpty(), 10000);
        QCOMPARE(rig.rec.resolved.first().name, QStringLiteral("GBPUSD.m"));
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.ticks.size() >= 5, 10000);
        QCOMPARE(rig.rec.ticks.first().symbol, QStringLiteral("GBPUSD.m"));
        QVERIFY(rig.rec.ticks.first().ask > rig.rec.ticks.first().bid);
        // Up to 3 history bars (the double's market is as old as this test), then live ones: one closed bar per
        // bar time, in time order (server speed 60: a bar a second).
        QTRY_VERIFY_WITH_TIMEOUT(rig.rec.bars.size() >= 3, 10000);
        for (int i = 0; i < rig.rec.bars.size(); ++i) {
            QVERIFY(rig.rec.bars[i].closed);
            QCOMPARE(rig.rec.bars[i].symbol, QStringLiteral("GBPUSD.m"));
            if (i > 0)
                QVERIFY(rig.rec.bars[i].time > rig.rec.bars[i - 1].time);
        }

        TradeRequest buy;
        buy.symbol = QStringLiteral("GBPUSD");
        buy.type = OrderType::Buy;
        buy.volume = 0.1049;  // sent as 0.1
        buy.deviation = 20;
        buy.magic = 770001;
        BrokerPort *br = rig.client->broker();
        rig.on([br, buy] { br->sendOrder(QStringLiteral("py-order-1"), buy, QStringLiteral("run-py")); });
        QTRY_COMPARE_WITH_TIMEOUT(rig.rec.outcomes.size(), 1, 15000);
        const OrderOutcome o = rig.rec.outcomes.first();
        QVERIFY2(rig.rec.refusals.isEmpty(), qPrintable(rig.rec.refusals.join("; ")));
        QCOMPARE(o.clientReqId, QStringLiteral("py-order-1"));
        QCOMPARE(o.status, OrderOutcome::Status::Done);
        QCOMPARE(o.result.retcode, 10009);
        QCOMPARE(o.result.volume, 0.1);
        QVERIFY(o.positionId != 0);
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(rig.rec.deals.begin(), rig.rec.deals.end(), [](const Deal &d) {
                                     return d.clientReqId == QStringLiteral("py-order-1");
                                 }), 10000);
        QCOMPARE(box->find("py-order-1")->state, OutboxEntry::State::Final);
    }

    void afterACrashARecordedButUnsentOrderIsAskedThenSentUnderTheSameId()
    {
        auto box = std::make_shared<MemoryOrderOutbox>();
        QString account;
        {
            // A first process trades once (which shows the account key it records under: <login>@<server>)...
            Rig rig(m_url, box);
            QTRY_VERIFY_WITH_TIMEOUT(rig.rec.live(), 10000);
            TradeRequest buy;
            buy.symbol = QStringLiteral("GBPUSD");
            buy.type = OrderType::Buy;
            buy.volume = 0.01;
            BrokerPort *br = rig.client->broker();
            rig.on([br, buy] { br->sendOrder(QStringLiteral("py-probe-1"), buy, QString()); });
            QTRY_COMPARE_WITH_TIMEOUT(rig.rec.outcomes.size(), 1, 15000);
            account = box->find("py-probe-1")->account;
            QVERIFY2(account.contains(QLatin1Char('@')), qPrintable(account));
            // ... then records a sell (outbox first) and dies before its frame leaves.
            OutboxEntry e;
            e.clientReqId = QStringLiteral("py-crash-1");
            e.account = account;
            e.runId = QStringLiteral("run-py");
            e.requestJson = R"({"action":"TRADE_ACTION_DEAL","magic":770001,"symbol":"GBPUSD.m","type":"ORDER_TYPE_SELL",)"
                            R"("type_time":"ORDER_TIME_GTC","volume":0.2})";
            e.requestHash = mt5b::sha256Hex(e.requestJson);
            QVERIFY(box->recordBeforeSend(e));
        }
        Rig restarted(m_url, box);
        QTRY_COMPARE_WITH_TIMEOUT(restarted.rec.outcomes.size(), 1, 15000);
        const OrderOutcome o = restarted.rec.outcomes.first();
        QCOMPARE(o.clientReqId, QStringLiteral("py-crash-1"));
        QCOMPARE(o.status, OrderOutcome::Status::Done);
        QVERIFY(!o.dedup);  // the bridge had never seen it: executed now, once
        QCOMPARE(o.result.volume, 0.2);
        QCOMPARE(box->find("py-crash-1")->state, OutboxEntry::State::Final);
        QVERIFY(box->unfinished(account)->empty());
        QVERIFY(restarted.rec.refusals.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMt5ClientPyBridge)
#include "tst_mt5client_pybridge.moc"
