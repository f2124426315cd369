// botdesk-mt5sim end to end: the real executable on 127.0.0.1 and a real QWebSocket client. Handshake, bad token
// (4003, token never logged), bad frames (BAD_REQUEST without a drop, UNSUPPORTED_TYPE, 1003, 1009), subscribe with
// symbol resolution and bars closed exactly once, an order round trip with deal events, dedup across a simulator
// restart on the same --state-dir, resume with the original seq, and usage errors (exit 2 naming the option).
#include "selfsignedcert.h"
#include "simprocess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QProcess>
#include <QSslConfiguration>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>
#include <QtTest>

#include <memory>
#include <set>

namespace {

const QString kToken = QStringLiteral("tok-S3CRET-4711");
const QString kData = QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz");

// One simulator process on the EURUSD year (tests/simprocess.h), heartbeat 1 s, suffix .sim, with `extra` options.
struct Sim : bd::test::SimProcess {
    bool start(const QStringList &extra)
    {
        return SimProcess::start(QStringLiteral(BOTDESK_MT5SIM),
                                 QStringList{"--data", kData, "--symbol", "EURUSD", "--port", "0", "--heartbeat", "1",
                                             "--suffix", ".sim"} + extra,
                                 kToken);
    }
};

// A client that records every message received.
struct Client {
    QWebSocket ws;
    QList<QJsonObject> msgs;
    int closeCode = -1;
    bool closed = false;
    int nextId = 0;

    Client()
    {
        QObject::connect(&ws, &QWebSocket::textMessageReceived, [this](const QString &t) {
            msgs.append(QJsonDocument::fromJson(t.toUtf8()).object());
        });
        QObject::connect(&ws, &QWebSocket::disconnected, [this] {
            closed = true;
            closeCode = int(ws.closeCode());
        });
    }
    bool open(const QUrl &url)
    {
        QWebSocketHandshakeOptions options;
        options.setSubprotocols({QStringLiteral("mt5b.v1")});
        ws.open(url, options);
        return QTest::qWaitFor([&] { return ws.state() == QAbstractSocket::ConnectedState; }, 5000);
    }
    void sendText(const QByteArray &text) { ws.sendTextMessage(QString::fromUtf8(text)); }
    QString send(QJsonObject msg)
    {
        const QString id = QStringLiteral("t-%1").arg(++nextId);
        msg.insert(QStringLiteral("v"), 1);
        msg.insert(QStringLiteral("id"), id);
        sendText(QJsonDocument(msg).toJson(QJsonDocument::Compact));
        return id;
    }
    // The first message from index `from` on that satisfies `pred`, waiting up to `ms`.
    std::optional<QJsonObject> waitFor(const std::function<bool(const QJsonObject &)> &pred, int ms = 5000, qsizetype from = 0)
    {
        std::optional<QJsonObject> found;
        (void)QTest::qWaitFor([&] {
            for (qsizetype i = from; i < msgs.size(); ++i)
                if (pred(msgs[i])) {
                    found = msgs[i];
                    return true;
                }
            return false;
        }, ms);
        return found;
    }
    std::optional<QJsonObject> reply(const QString &id, int ms = 5000)
    {
        return waitFor([&](const QJsonObject &m) { return m.value(QStringLiteral("re")).toString() == id; }, ms);
    }
    std::optional<QJsonObject> hello(const QString &token, const QJsonObject &resume = {})
    {
        QJsonObject h{{"type", "hello"}, {"token", token}, {"client", QJsonObject{{"name", "tst"}, {"version", "1"}}},
                      {"protocol", QJsonObject{{"min", 1}, {"max", 1}}}};
        if (!resume.isEmpty())
            h.insert(QStringLiteral("resume"), resume);
        return reply(send(h));
    }
};

QString type(const QJsonObject &m) { return m.value(QStringLiteral("type")).toString(); }

} // namespace

class TestMt5SimServer : public QObject {
    Q_OBJECT
private slots:
    void handshakeWelcomeAndPing()
    {
        Sim sim;
        QVERIFY(sim.start({}));
        Client c;
        QVERIFY(c.open(sim.url));
        QCOMPARE(c.ws.subprotocol(), QStringLiteral("mt5b.v1"));
        const auto w = c.hello(kToken);
        QVERIFY(w);
        QCOMPARE(type(*w), QStringLiteral("welcome"));
        QCOMPARE(w->value("seq").toInt(), 0);
        QCOMPARE(w->value("bridge").toObject().value("kind").toString(), QStringLiteral("simulator"));
        QVERIFY(w->value("capabilities").toArray().contains(QJsonValue(QStringLiteral("sim.control"))));
        QCOMPARE(w->value("heartbeat_sec").toInt(), 1);
        QCOMPARE(w->value("clock").toObject().value("offset_source").toString(), QStringLiteral("dataset"));
        QVERIFY(w->value("account").toObject().value("login").isString());
        const auto pong = c.reply(c.send(QJsonObject{{"type", "ping"}, {"nonce", QJsonObject{{"x", 5}}}}));
        QVERIFY(pong);
        QCOMPARE(pong->value("nonce").toObject().value("x").toInt(), 5);
        // A heartbeat within heartbeat_sec (+ slack), carrying the server clock.
        const auto hb = c.waitFor([](const QJsonObject &m) { return type(m) == QLatin1String("heartbeat"); }, 2500);
        QVERIFY(hb);
        QVERIFY(hb->value("server_time_msc").toDouble() > 1.7e12);
        QCOMPARE(hb->value("seq").toInt(), 1);
        // SIGTERM stops it cleanly.
        sim.stop();
        QCOMPARE(sim.proc->exitStatus(), QProcess::NormalExit);
        QCOMPARE(sim.proc->exitCode(), 0);
        QVERIFY(sim.stderrText.contains("signal received; stopping"));
    }

    void badTokenIsRefusedWith4003AndNeverLogged()
    {
        Sim sim;
        QVERIFY(sim.start({}));
        Client c;
        QVERIFY(c.open(sim.url));
        const auto e = c.hello(QStringLiteral("wrong-token-XYZZY"));
        QVERIFY(e);
        QCOMPARE(e->value("code").toString(), QStringLiteral("AUTH_FAILED"));
        QVERIFY(e->value("fatal").toBool());
        QVERIFY(QTest::qWaitFor([&] { return c.closed; }, 3000));
        QCOMPARE(c.closeCode, 4003);
        // A request before hello is refused the same way.
        Client d;
        QVERIFY(d.open(sim.url));
        d.send(QJsonObject{{"type", "account.get"}});
        QVERIFY(QTest::qWaitFor([&] { return d.closed; }, 3000));
        QCOMPARE(d.closeCode, 4003);
        sim.stop();
        QVERIFY(!sim.stderrText.isEmpty());
        QVERIFY(!sim.stderrText.contains("XYZZY"));
        QVERIFY(!sim.stderrText.contains(kToken.toUtf8()));
        QVERIFY(sim.stderrText.contains("authentication failed"));
    }

    void badFramesAreAnsweredAndChangeNothing()
    {
        Sim sim;
        QVERIFY(sim.start({}));
        Client c;
        QVERIFY(c.open(sim.url));
        QVERIFY(c.hello(kToken));
        auto lastError = [&](qsizetype from) {
            return c.waitFor([](const QJsonObject &m) { return type(m) == QLatin1String("error"); }, 3000, from);
        };
        qsizetype mark = c.msgs.size();
        c.sendText("{not json");
        auto e = lastError(mark);
        QVERIFY(e);
        QCOMPARE(e->value("code").toString(), QStringLiteral("BAD_REQUEST"));
        mark = c.msgs.size();
        c.sendText("[1,2,3]");
        QVERIFY(lastError(mark));
        mark = c.msgs.size();
        c.sendText(R"({"v":2,"type":"ping","id":"x"})");
        QCOMPARE(lastError(mark)->value("details").toObject().value("field").toString(), QStringLiteral("v"));
        // order.send with a volume as a string: BAD_REQUEST, nothing executed, nothing recorded.
        const QString id = c.send(QJsonObject{{"type", "order.send"}, {"client_req_id", "bad-1"},
                                              {"request", QJsonObject{{"action", "TRADE_ACTION_DEAL"}, {"symbol", "EURUSD"},
                                                                      {"volume", "0.1"}, {"type", "ORDER_TYPE_BUY"}}}});
        QCOMPARE(c.reply(id)->value("code").toString(), QStringLiteral("BAD_REQUEST"));
        const auto status = c.reply(c.send(QJsonObject{{"type", "order.status"}, {"client_req_id", "bad-1"}}));
        QCOMPARE(status->value("state").toString(), QStringLiteral("not_found"));
        const auto positions = c.reply(c.send(QJsonObject{{"type", "positions.get"}}));
        QVERIFY(positions->value("items").toArray().isEmpty());
        QCOMPARE(c.reply(c.send(QJsonObject{{"type", "no.such.type"}}))->value("code").toString(),
                 QStringLiteral("UNSUPPORTED_TYPE"));
        // The connection still works.
        QCOMPARE(type(*c.reply(c.send(QJsonObject{{"type", "ping"}, {"nonce", 1}}))), QStringLiteral("pong"));
        // Binary → 1003.
        c.ws.sendBinaryMessage(QByteArray("{\"v\":1}"));
        QVERIFY(QTest::qWaitFor([&] { return c.closed; }, 3000));
        QCOMPARE(c.closeCode, 1003);
        // Over 1 MiB → 1009.
        Client big;
        QVERIFY(big.open(sim.url));
        QVERIFY(big.hello(kToken));
        big.sendText("{\"v\":1,\"type\":\"ping\",\"id\":\"b\",\"nonce\":\"" + QByteArray(1 << 20, 'x') + "\"}");
        QVERIFY(QTest::qWaitFor([&] { return big.closed; }, 5000));
        QCOMPARE(big.closeCode, 1009);
        // The simulator is still alive and serving.
        Client after;
        QVERIFY(after.open(sim.url));
        QVERIFY(after.hello(kToken));
    }

    void subscribeResolvesSymbolAndClosesEachBarOnce()
    {
        Sim sim;
        QVERIFY(sim.start({"--speed", "600", "--tick-mode", "m1_ohlc"}));
        Client c;
        QVERIFY(c.open(sim.url));
        QVERIFY(c.hello(kToken));
        const auto sub = c.reply(c.send(QJsonObject{
            {"type", "subscribe"},
            {"streams", QJsonArray{QJsonObject{{"kind", "bars"}, {"symbol", "eurusd"}, {"timeframe", "M1"}, {"history", 3}},
                                   QJsonObject{{"kind", "bars"}, {"symbol", "EURUSD"}, {"timeframe", "M5"}, {"history", 2}},
                                   QJsonObject{{"kind", "bars"}, {"symbol", "EURUSD"}, {"timeframe", "H2"}},
                                   QJsonObject{{"kind", "ticks"}, {"symbol", "EURUSD.m"}},
                                   QJsonObject{{"kind", "ticks"}, {"symbol", "EURUSX"}}}}}));
        QVERIFY(sub);
        const QJsonArray streams = sub->value("streams").toArray();
        QCOMPARE(streams.size(), 3);
        QCOMPARE(streams[0].toObject().value("symbol").toString(), QStringLiteral("EURUSD.sim"));
        QCOMPARE(streams[0].toObject().value("history_sent").toInt(), 3);
        QCOMPARE(streams[1].toObject().value("history_sent").toInt(), 2);
        QCOMPARE(streams[2].toObject().value("symbol").toString(), QStringLiteral("EURUSD.sim"));
        const QJsonArray errors = sub->value("errors").toArray();
        QCOMPARE(errors.size(), 2);
        QCOMPARE(errors[0].toObject().value("code").toString(), QStringLiteral("UNSUPPORTED_TYPE"));  // H2
        const QJsonObject err = errors[1].toObject();
        QCOMPARE(err.value("code").toString(), QStringLiteral("UNKNOWN_SYMBOL"));
        QCOMPARE(err.value("suggestions").toArray()[0].toString(), QStringLiteral("EURUSD.sim"));
        QTest::qWait(2500);  // ~25 M1 bars at 600×
        std::vector<qint64> closedTimes;
        int history = 0;
        qint64 lastSeq = 0;
        bool liveSeen = false;
        for (const QJsonObject &m : c.msgs) {
            if (m.contains("seq") && type(m) != QLatin1String("welcome")) {
                QCOMPARE(m.value("seq").toInteger(), lastSeq + 1);  // strictly +1
                lastSeq = m.value("seq").toInteger();
            }
            if (type(m) == QLatin1String("tick"))
                QCOMPARE(m.value("symbol").toString(), QStringLiteral("EURUSD.sim"));
            if (type(m) != QLatin1String("bar") || !m.value("closed").toBool()
                || m.value("timeframe").toString() != QLatin1String("M1"))
                continue;
            if (m.value("history").toBool()) {
                QVERIFY(!liveSeen);  // history bars first
                ++history;
            } else {
                liveSeen = true;
            }
            closedTimes.push_back(m.value("time").toInteger());
        }
        QCOMPARE(history, 3);
        QVERIFY2(closedTimes.size() >= 8, qPrintable(QString::number(closedTimes.size())));
        for (size_t i = 1; i < closedTimes.size(); ++i)
            QVERIFY(closedTimes[i] > closedTimes[i - 1]);  // each bar closed once, in order
        // M5 bars, built from M1: closed once each, aligned, and equal to their live M1 bars.
        std::vector<QJsonObject> m1Live, m5Live;
        int m5History = 0;
        for (const QJsonObject &m : c.msgs) {
            if (type(m) != QLatin1String("bar") || !m.value("closed").toBool())
                continue;
            if (m.value("timeframe").toString() == QLatin1String("M5"))
                m.value("history").toBool() ? void(++m5History) : m5Live.push_back(m);
            else if (!m.value("history").toBool())
                m1Live.push_back(m);
        }
        QCOMPARE(m5History, 2);
        QVERIFY2(m5Live.size() >= 2, qPrintable(QString::number(m5Live.size())));
        int checked = 0;
        for (size_t i = 0; i < m5Live.size(); ++i) {
            const qint64 t = m5Live[i].value("time").toInteger();
            QCOMPARE(t % 300, 0);
            if (i > 0)
                QVERIFY(t > m5Live[i - 1].value("time").toInteger());
            if (t < m1Live.front().value("time").toInteger())
                continue;  // part of it closed before the subscription
            double high = 0, low = 1e9;
            std::vector<QJsonObject> parts;
            for (const QJsonObject &b : m1Live)
                if (b.value("time").toInteger() >= t && b.value("time").toInteger() < t + 300)
                    parts.push_back(b);
            QVERIFY(!parts.empty());
            for (const QJsonObject &b : parts) {
                high = std::max(high, b.value("high").toDouble());
                low = std::min(low, b.value("low").toDouble());
            }
            QCOMPARE(m5Live[i].value("open").toDouble(), parts.front().value("open").toDouble());
            QCOMPARE(m5Live[i].value("close").toDouble(), parts.back().value("close").toDouble());
            QCOMPARE(m5Live[i].value("high").toDouble(), high);
            QCOMPARE(m5Live[i].value("low").toDouble(), low);
            ++checked;
        }
        QVERIFY(checked >= 1);
        const auto h1 = c.reply(c.send(QJsonObject{{"type", "history.rates"}, {"symbol", "EURUSD"}, {"timeframe", "H1"}, {"count", 4}}));
        QCOMPARE(h1->value("timeframe").toString(), QStringLiteral("H1"));
        QCOMPARE(h1->value("items").toArray().size(), 4);
        for (const QJsonValue &row : h1->value("items").toArray())
            QCOMPARE(row.toArray()[0].toInteger() % 3600, 0);
        // history.rates agrees with the closed bars.
        const auto rates = c.reply(c.send(QJsonObject{{"type", "history.rates"}, {"symbol", "EURUSD"}, {"count", 5}}));
        QCOMPARE(rates->value("items").toArray().size(), 5);
        QVERIFY(rates->value("complete").toBool());
    }

    void orderRoundTripAndDedupAcrossRestart()
    {
        QTemporaryDir state;
        const QJsonObject request{{"action", "TRADE_ACTION_DEAL"}, {"symbol", "EURUSD"}, {"volume", 0.1},
                                  {"type", "ORDER_TYPE_BUY"}, {"type_filling", "ORDER_FILLING_IOC"}, {"comment", "e2e"}};
        const QJsonObject send{{"type", "order.send"}, {"client_req_id", "e2e-order-1"}, {"request", request}};
        QJsonObject first;
        {
            Sim sim;
            QVERIFY(sim.start({"--state-dir", state.path()}));
            Client c;
            QVERIFY(c.open(sim.url));
            QVERIFY(c.hello(kToken));
            const QString id = c.send(send);
            const auto ack = c.waitFor([&](const QJsonObject &m) { return type(m) == QLatin1String("order.ack"); });
            QVERIFY(ack);
            QCOMPARE(ack->value("state").toString(), QStringLiteral("inflight"));
            const auto result = c.waitFor([&](const QJsonObject &m) {
                return type(m) == QLatin1String("order.result") && m.value("re").toString() == id;
            });
            QVERIFY(result);
            first = *result;
            QCOMPARE(first.value("status").toString(), QStringLiteral("done"));
            QCOMPARE(first.value("retcode").toInt(), 10009);
            QCOMPARE(first.value("class").toString(), QStringLiteral("SUCCESS"));
            QVERIFY(!first.value("dedup").toBool());
            const QString dealTicket = first.value("result").toObject().value("deal").toString();
            QVERIFY(!dealTicket.isEmpty() && dealTicket != QLatin1String("0"));
            const auto deal = c.waitFor([&](const QJsonObject &m) {
                return type(m) == QLatin1String("deal") && m.value("deal").toObject().value("ticket").toString() == dealTicket;
            });
            QVERIFY(deal);
            QCOMPARE(deal->value("client_req_id").toString(), QStringLiteral("e2e-order-1"));
            QVERIFY(deal->value("deal").toObject().value("comment").toString().startsWith(QStringLiteral("e2e|k:")));
            QVERIFY(deal->value("seq").toInteger() < first.value("seq").toInteger());
            // Same id, same request → the stored result, dedup:true, nothing executed again.
            const QString again = c.send(send);
            const auto dup = c.waitFor([&](const QJsonObject &m) { return m.value("re").toString() == again; });
            QVERIFY(dup->value("dedup").toBool());
            QCOMPARE(dup->value("result").toObject().value("deal").toString(), dealTicket);
            QCOMPARE(c.reply(c.send(QJsonObject{{"type", "positions.get"}}))->value("items").toArray().size(), 1);
        }
        // A new simulator process on the same state directory still knows the request.
        Sim sim;
        QVERIFY(sim.start({"--state-dir", state.path()}));
        Client c;
        QVERIFY(c.open(sim.url));
        QVERIFY(c.hello(kToken));
        const QString again = c.send(send);
        const auto dup = c.waitFor([&](const QJsonObject &m) { return m.value("re").toString() == again; });
        QVERIFY(dup);
        QCOMPARE(type(*dup), QStringLiteral("order.result"));
        QVERIFY(dup->value("dedup").toBool());
        QCOMPARE(dup->value("result").toObject().value("deal"), first.value("result").toObject().value("deal"));
        QVERIFY(c.reply(c.send(QJsonObject{{"type", "positions.get"}}))->value("items").toArray().isEmpty());
        const auto status = c.reply(c.send(QJsonObject{{"type", "order.status"}, {"client_req_id", "e2e-order-1"}}));
        QVERIFY(status->value("dedup").toBool());
        // Same id, different request → IDEMPOTENCY_CONFLICT.
        QJsonObject changed = send;
        QJsonObject r2 = request;
        r2.insert(QStringLiteral("volume"), 0.2);
        changed.insert(QStringLiteral("request"), r2);
        QCOMPARE(c.reply(c.send(changed))->value("code").toString(), QStringLiteral("IDEMPOTENCY_CONFLICT"));
        // New tickets stay above the stored ones.
        const QString id2 = c.send(QJsonObject{{"type", "order.send"}, {"client_req_id", "e2e-order-2"}, {"request", request}});
        const auto second = c.waitFor([&](const QJsonObject &m) {
            return type(m) == QLatin1String("order.result") && m.value("re").toString() == id2;
        });
        QVERIFY(second);
        QVERIFY(second->value("result").toObject().value("order").toString().toULongLong()
                > first.value("result").toObject().value("deal").toString().toULongLong());
    }

    void resumeReplaysWithOriginalSeq()
    {
        Sim sim;
        QVERIFY(sim.start({"--speed", "600"}));
        QString sessionId;
        qint64 seenSeq = 0;
        {
            Client c;
            QVERIFY(c.open(sim.url));
            sessionId = c.hello(kToken)->value("session_id").toString();
            c.reply(c.send(QJsonObject{{"type", "subscribe"},
                                       {"streams", QJsonArray{QJsonObject{{"kind", "ticks"}, {"symbol", "EURUSD"}}}}}));
            QVERIFY(c.waitFor([](const QJsonObject &m) { return m.value("seq").toInteger() >= 20; }));
            for (const QJsonObject &m : c.msgs)
                seenSeq = std::max(seenSeq, m.value("seq").toInteger());
            c.ws.abort();
        }
        QTest::qWait(300);  // events keep flowing into the session's ring meanwhile
        const qint64 lastSeq = seenSeq - 5;  // pretend the last 5 were lost
        Client r;
        QVERIFY(r.open(sim.url));
        const auto w = r.hello(kToken, QJsonObject{{"session_id", sessionId}, {"last_seq", lastSeq}});
        QVERIFY(w);
        QVERIFY(w->value("resumed").toBool());
        QCOMPARE(w->value("session_id").toString(), sessionId);
        QVERIFY(r.waitFor([&](const QJsonObject &m) {
            return type(m) == QLatin1String("tick") && !m.value("replay").toBool();  // live again
        }));
        qint64 expect = lastSeq + 1;
        bool sawReplay = false, sawLive = false;
        for (const QJsonObject &m : r.msgs) {
            if (type(m) == QLatin1String("welcome") || !m.contains("seq"))
                continue;
            QCOMPARE(m.value("seq").toInteger(), expect++);
            if (m.value("replay").toBool()) {
                QVERIFY(!sawLive);
                sawReplay = true;
            } else {
                sawLive = true;
            }
        }
        QVERIFY(sawReplay);
        QVERIFY(sawLive);  // the subscription was restored: live ticks continue
        // An unknown session starts fresh.
        Client f;
        QVERIFY(f.open(sim.url));
        const auto fresh = f.hello(kToken, QJsonObject{{"session_id", "s-nope"}, {"last_seq", 3}});
        QVERIFY(!fresh->value("resumed").toBool());
        QVERIFY(fresh->value("session_id").toString() != QLatin1String("s-nope"));
    }

    void tlsServesWssWithTheGivenCertificate()
    {
        QTemporaryDir dir;
        const SelfSignedCert tls = makeSelfSignedCert(dir.path());
        if (tls.noOpenssl)
            QSKIP(qPrintable(tls.error));
        QVERIFY2(tls.error.isEmpty(), qPrintable(tls.error));
        const QString cert = tls.certFile, key = tls.keyFile;
        Sim sim;
        // start() expects ws://; read the wss line by hand.
        sim.proc = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("BOTDESK_MT5SIM_TOKEN"), kToken);
        sim.proc->setProcessEnvironment(env);
        sim.proc->start(QStringLiteral(BOTDESK_MT5SIM), {"--data", kData, "--symbol", "EURUSD", "--port", "0",
                                                        "--tls-cert", cert, "--tls-key", key});
        QVERIFY(QTest::qWaitFor([&] { return sim.proc->canReadLine(); }, 15000));
        const QString first = QString::fromUtf8(sim.proc->readLine()).trimmed();
        QVERIFY2(first.startsWith(QStringLiteral("listening wss://127.0.0.1:")), qPrintable(first));
        // A client that trusts exactly this certificate (the connector verifies the chain and the host).
        Client c;
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath(cert));
        c.ws.setSslConfiguration(ssl);
        QVERIFY(c.open(QUrl(first.mid(10))));
        const auto w = c.hello(kToken);
        QVERIFY(w);
        QCOMPARE(type(*w), QStringLiteral("welcome"));
        // A client that trusts nothing special refuses the self-signed certificate.
        Client untrusting;
        bool failed = false;
        QObject::connect(&untrusting.ws, &QWebSocket::sslErrors, [&] { failed = true; });
        untrusting.ws.open(QUrl(first.mid(10)));
        QVERIFY(QTest::qWaitFor([&] { return failed || untrusting.ws.state() == QAbstractSocket::ConnectedState; }, 5000));
        QVERIFY(failed);
        QVERIFY(untrusting.ws.state() != QAbstractSocket::ConnectedState);
    }

    void faultsTerminalEpisodesConflationAndSocketDrops()
    {
        Sim sim;
        QVERIFY(sim.start({"--speed", "600", "--seed", "5", "--faults",
                           "terminal-off=700ms,terminal-off-for=300ms,conflate=100ms,disconnect=1500ms,drop-reply=1"}));
        Client c;
        QVERIFY(c.open(sim.url));
        const QString sessionId = c.hello(kToken)->value("session_id").toString();
        c.reply(c.send(QJsonObject{{"type", "subscribe"},
                                   {"streams", QJsonArray{QJsonObject{{"kind", "ticks"}, {"symbol", "EURUSD"}}}}}));
        // execute-then-drop-the-reply: the order executed and the answer comes from reconciliation by the tag.
        const QString id = c.send(QJsonObject{{"type", "order.send"}, {"client_req_id", "drop-1"},
                                              {"request", QJsonObject{{"action", "TRADE_ACTION_DEAL"}, {"symbol", "EURUSD"},
                                                                      {"volume", 0.01}, {"type", "ORDER_TYPE_BUY"}}}});
        const auto result = c.waitFor([&](const QJsonObject &m) {
            return type(m) == QLatin1String("order.result") && m.value("re").toString() == id;
        });
        QVERIFY(result);
        if (result->value("retcode").toInt() == 10009) {  // (10031 if it landed in a terminal-off episode)
            QVERIFY(result->value("reconciled").toBool());
            QCOMPARE(result->value("match").toString(), QStringLiteral("tag"));
        }
        const auto off = c.waitFor([](const QJsonObject &m) {
            return type(m) == QLatin1String("terminal") && !m.value("connected").toBool();
        }, 3000);
        QVERIFY(off);
        QVERIFY(c.waitFor([](const QJsonObject &m) {
            return type(m) == QLatin1String("terminal") && m.value("connected").toBool();
        }, 3000));
        QVERIFY(QTest::qWaitFor([&] { return c.closed; }, 4000));  // the socket drop
        bool conflated = false;
        qint64 lastSeq = 0;
        for (const QJsonObject &m : c.msgs) {
            conflated = conflated || m.value("conflated").toInt() > 0;
            lastSeq = std::max(lastSeq, m.value("seq").toInteger());
        }
        QVERIFY(conflated);
        // The dropped session resumes.
        Client r;
        QVERIFY(r.open(sim.url));
        const auto w = r.hello(kToken, QJsonObject{{"session_id", sessionId}, {"last_seq", lastSeq}});
        QVERIFY(w->value("resumed").toBool());
    }

    // Mutated requests (fields replaced by junk of every JSON type, fields dropped, frames cut short) at full speed:
    // every one is answered or ignored, the simulator stays up and serving. The seed is printed to reproduce.
    void mutatedRequestsNeverCrashIt()
    {
        Sim sim;
        QVERIFY(sim.start({"--speed", "6000", "--rate-limit", "100000"}));
        Client c;
        QVERIFY(c.open(sim.url));
        QVERIFY(c.hello(kToken));
        const QList<QByteArray> base{
            R"({"type":"subscribe","streams":[{"kind":"ticks","symbol":"EURUSD"},{"kind":"bars","symbol":"EURUSD","timeframe":"M1","forming":true,"history":5}]})",
            R"({"type":"unsubscribe","streams":[{"kind":"ticks","symbol":"EURUSD"}]})",
            R"({"type":"symbols.list","filter":"*USD*"})", R"({"type":"symbol.get","symbol":"EURUSD"})",
            R"({"type":"history.rates","symbol":"EURUSD","timeframe":"M1","from":1704000000,"to":1705000000})",
            R"({"type":"history.rates","symbol":"EURUSD","count":100000})",
            R"({"type":"history.deals","from":0,"to":4102444800,"position":"1"})",
            R"({"type":"order.send","client_req_id":"x1","request":{"action":"TRADE_ACTION_DEAL","symbol":"EURUSD","volume":0.01,"type":"ORDER_TYPE_BUY","sl":0,"tp":0}})",
            R"({"type":"order.send","client_req_id":"x2","request":{"action":"TRADE_ACTION_PENDING","symbol":"EURUSD","volume":0.01,"type":"ORDER_TYPE_BUY_STOP_LIMIT","price":2.0,"stoplimit":1.9,"type_time":"ORDER_TIME_SPECIFIED","expiration":1}})",
            R"({"type":"order.send","client_req_id":"x3","request":{"action":"TRADE_ACTION_CLOSE_BY","position":"1000001","position_by":"1000002"}})",
            R"({"type":"order.send","client_req_id":"x4","request":{"action":"TRADE_ACTION_SLTP","position":"18446744073709551615","sl":1e308,"tp":-1}})",
            R"({"type":"order.send","client_req_id":"x5","request":{"action":"TRADE_ACTION_MODIFY","order":"1","price":1.1}})",
            R"({"type":"order.status","client_req_id":"x1"})",
            R"({"type":"order.check","request":{"action":"TRADE_ACTION_DEAL","symbol":"EURUSD","volume":1e9,"type":"ORDER_TYPE_SELL"}})",
            R"({"type":"resync","since_seq":0,"deals_since_msc":0})", R"({"type":"resync","since_seq":1000000000000000,"mode":"snapshot"})",
            R"({"type":"sim.control","cmd":"seek","time_msc":0})", R"({"type":"sim.control","cmd":"step","ticks":3})",
            R"({"type":"sim.control","cmd":"speed","x":0})", R"({"type":"sim.control","cmd":"play"})",
            R"({"type":"ping","nonce":[1,{"a":null}]})"};
        const QList<QJsonValue> junk{QJsonValue(), true, -1, 0, 1e308, -1e308, "", QString(70, QLatin1Char('x')),
                                     QJsonArray(), QJsonObject(), "EURUSD", "18446744073709551616", "-5", 3.5};
        const quint32 seed = QRandomGenerator::global()->generate();
        qInfo("mutation seed %u", seed);
        QRandomGenerator rng(seed);
        std::function<QJsonValue(QJsonValue)> mutate = [&](QJsonValue v) -> QJsonValue {
            if (v.isObject()) {
                QJsonObject o = v.toObject();
                for (const QString &k : o.keys()) {
                    const int r = int(rng.bounded(100));
                    if (r < 15)
                        o.insert(k, junk[int(rng.bounded(quint32(junk.size())))]);
                    else if (r < 22)
                        o.remove(k);
                    else
                        o.insert(k, mutate(o.value(k)));
                }
                return o;
            }
            if (v.isArray()) {
                QJsonArray a = v.toArray();
                for (qsizetype i = 0; i < a.size(); ++i)
                    a[i] = rng.bounded(100) < 15 ? junk[int(rng.bounded(quint32(junk.size())))] : mutate(a[i]);
                return a;
            }
            return v;
        };
        for (int i = 0; i < 2000; ++i) {
            QJsonObject m = mutate(QJsonDocument::fromJson(base[int(rng.bounded(quint32(base.size())))]).object()).toObject();
            m.insert(QStringLiteral("v"), rng.bounded(100) < 5 ? junk[int(rng.bounded(quint32(junk.size())))] : QJsonValue(1));
            m.insert(QStringLiteral("id"), rng.bounded(100) < 5 ? junk[int(rng.bounded(quint32(junk.size())))]
                                                                : QJsonValue(QStringLiteral("f%1").arg(i)));
            QByteArray text = QJsonDocument(m).toJson(QJsonDocument::Compact);
            if (rng.bounded(100) < 5)
                text.truncate(qsizetype(rng.bounded(quint32(text.size()))));
            c.sendText(text);
            if (i % 200 == 199)
                QTest::qWait(50);
        }
        // Still serving, on this connection and on a new one.
        QVERIFY(c.reply(c.send(QJsonObject{{"type", "ping"}, {"nonce", 7}}), 10000));
        QVERIFY(!c.closed);
        Client d;
        QVERIFY(d.open(sim.url));
        QVERIFY(d.hello(kToken));
        QCOMPARE(sim.proc->state(), QProcess::Running);
    }

    void usageErrorsExit2NamingTheOption_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("tick mode") << QStringList{"--tick-mode", "fast"} << "--tick-mode 'fast'";
        QTest::newRow("faults") << QStringList{"--faults", "requote=7"} << "'requote=7'";
        QTest::newRow("port") << QStringList{"--port", "70000"} << "--port '70000'";
        QTest::newRow("symbol") << QStringList{"--data", kData, "--symbol", "NOPE"} << "--symbol 'NOPE'";
        QTest::newRow("unknown") << QStringList{"--colour", "red"} << "unknown option '--colour'";
        QTest::newRow("account") << QStringList{"--account", "cfd"} << "--account 'cfd'";
    }
    void usageErrorsExit2NamingTheOption()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("BOTDESK_MT5SIM_TOKEN"), kToken);
        p.setProcessEnvironment(env);
        QStringList all = args;
        if (!args.contains(QStringLiteral("--data")))
            all = QStringList{"--data", kData, "--symbol", "EURUSD"} + args;
        p.start(QStringLiteral(BOTDESK_MT5SIM), all + QStringList{"--port", "0"});
        QVERIFY(p.waitForFinished(15000));
        QCOMPARE(p.exitCode(), 2);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(mentions), qPrintable(err));
        QVERIFY(p.readAllStandardOutput().isEmpty());
    }

    void missingTokenIsAUsageError()
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("BOTDESK_MT5SIM_TOKEN"));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(BOTDESK_MT5SIM), {"--data", kData, "--symbol", "EURUSD", "--port", "0"});
        QVERIFY(p.waitForFinished(15000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("BOTDESK_MT5SIM_TOKEN"));
    }
};

QTEST_GUILESS_MAIN(TestMt5SimServer)
#include "tst_mt5sim_server.moc"
