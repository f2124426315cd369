// The mt5b frame readers of the connector (connectors/mt5/protocol): the hot tick/bar parser (simdjson On-Demand)
// and its QJsonDocument twin agree on every valid and every malformed frame; the envelope rules; the canonical JSON
// whose sha256 is the request hash; client_req_id validation; order rounding to digits and volume_step.

#include "envelope.h"
#include "marketframe.h"
#include "orderrounding.h"
#include "resultcheck.h"

#include <QRandomGenerator>
#include <simdjson.h>
#include <QtTest>

#include <iterator>

using namespace bd;
using namespace bd::mt5;
using namespace bd::mt5b;

namespace {

const char *kTick = R"({"v":1,"type":"tick","seq":18,"ts":1718000000300,"symbol":"EURUSD.sim","time_msc":1717999990123,)"
                    R"("bid":1.08512,"ask":1.08522,"last":0.0,"volume":0,"volume_real":0.0,"flags":6})";
const char *kBar = R"({"v":1,"type":"bar","seq":19,"ts":1718000000400,"symbol":"EURUSD.sim","timeframe":"M1",)"
                   R"("time":1717999920,"open":1.0851,"high":1.08531,"low":1.08502,"close":1.08512,"tick_volume":41,)"
                   R"("spread":10,"real_volume":0,"closed":true})";

bool isStrictJson(const QByteArray &json)
{
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    return !parser.parse(json.constData(), size_t(json.size())).get(doc);
}

MarketParse fast(const QByteArray &json, MarketFrame &out, QString *error = nullptr)
{
    static MarketFrameParser parser;
    QByteArray copy = json;
    return parser.parse(copy, out, error);
}

QByteArray replaced(const char *frame, const char *from, const char *to)
{
    QByteArray f(frame);
    const qsizetype at = f.indexOf(from);
    if (at < 0)
        qFatal("'%s' not in the frame", from);
    return f.replace(at, qsizetype(strlen(from)), to);
}

} // namespace

class TestMt5MarketFrame : public QObject {
    Q_OBJECT
private slots:
    void validTickBothPaths()
    {
        MarketFrame a, b;
        QCOMPARE(fast(kTick, a), MarketParse::Parsed);
        QCOMPARE(parseMarketFrameQt(kTick, b), MarketParse::Parsed);
        for (const MarketFrame *f : {&a, &b}) {
            QCOMPARE(f->kind, MarketFrame::Kind::Tick);
            QCOMPARE(f->seq, 18);
            QCOMPARE(f->tick.symbol, QStringLiteral("EURUSD.sim"));
            QCOMPARE(f->tick.timeMsc, 1717999990123);
            QCOMPARE(f->tick.bid, 1.08512);
            QCOMPARE(f->tick.ask, 1.08522);
            QCOMPARE(f->tick.flags, 6);
            QVERIFY(!f->tick.replay);
        }
        // Any field order, unknown fields ignored, optional fields absent or null, replay and conflation.
        const QByteArray shuffled = R"({"ask":2.5,"bid":2.25,"extra":{"x":[1,2]},"symbol":"X","seq":3,"time_msc":5,)"
                                    R"("last":null,"type":"tick","v":1,"replay":true,"conflated":4})";
        QCOMPARE(fast(shuffled, a), MarketParse::Parsed);
        QCOMPARE(parseMarketFrameQt(shuffled, b), MarketParse::Parsed);
        QCOMPARE(a.tick.ask, 2.5);
        QCOMPARE(a.tick.conflated, 4);
        QVERIFY(a.tick.replay && b.tick.replay);
        QCOMPARE(b.tick.conflated, 4);
    }

    void validBarBothPaths()
    {
        MarketFrame a, b;
        QCOMPARE(fast(kBar, a), MarketParse::Parsed);
        QCOMPARE(parseMarketFrameQt(kBar, b), MarketParse::Parsed);
        for (const MarketFrame *f : {&a, &b}) {
            QCOMPARE(f->kind, MarketFrame::Kind::Bar);
            QCOMPARE(f->bar.symbol, QStringLiteral("EURUSD.sim"));
            QCOMPARE(f->bar.timeframe, QStringLiteral("M1"));
            QCOMPARE(f->bar.time, 1717999920);
            QCOMPARE(f->bar.high, 1.08531);
            QCOMPARE(f->bar.tickVolume, 41);
            QCOMPARE(f->bar.spread, 10);
            QVERIFY(f->bar.closed);
        }
    }

    void otherTypesGoToTheGeneralPath()
    {
        MarketFrame f;
        for (const QByteArray &json : {QByteArray(R"({"v":1,"type":"heartbeat","seq":4,"terminal":{"connected":true}})"),
                                      QByteArray(R"({"v":1,"type":"welcome","seq":0})"), QByteArray("not json"),
                                      QByteArray("[1,2]"), QByteArray(R"({"v":1,"type":7})")}) {
            QCOMPARE(fast(json, f), MarketParse::NotMarket);
            QCOMPARE(parseMarketFrameQt(json, f), MarketParse::NotMarket);
        }
    }

    void malformedMarketFramesAreRefusedByBothPaths_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("field");
        QTest::newRow("bid as string") << replaced(kTick, "\"bid\":1.08512", "\"bid\":\"1.08512\"") << "bid";
        QTest::newRow("bid missing") << replaced(kTick, "\"bid\":1.08512,", "") << "bid";
        QTest::newRow("ask null") << replaced(kTick, "\"ask\":1.08522", "\"ask\":null") << "ask";
        QTest::newRow("time_msc fractional") << replaced(kTick, "1717999990123", "1717999990123.5") << "time_msc";
        QTest::newRow("time_msc string") << replaced(kTick, "1717999990123", "\"1717999990123\"") << "time_msc";
        QTest::newRow("symbol number") << replaced(kTick, "\"EURUSD.sim\"", "42") << "symbol";
        QTest::newRow("symbol missing") << replaced(kTick, "\"symbol\":\"EURUSD.sim\",", "") << "symbol";
        QTest::newRow("flags bool") << replaced(kTick, "\"flags\":6", "\"flags\":true") << "flags";
        QTest::newRow("volume fractional") << replaced(kTick, "\"volume\":0,", "\"volume\":0.5,") << "volume";
        QTest::newRow("replay string") << replaced(kTick, "\"flags\":6", "\"flags\":6,\"replay\":\"yes\"") << "replay";
        QTest::newRow("v 2") << replaced(kTick, "\"v\":1", "\"v\":2") << "v";
        QTest::newRow("v missing") << replaced(kTick, "\"v\":1,", "") << "v";
        QTest::newRow("seq missing") << replaced(kTick, "\"seq\":18,", "") << "seq";
        QTest::newRow("seq negative") << replaced(kTick, "\"seq\":18", "\"seq\":-3") << "seq";
        QTest::newRow("seq string") << replaced(kTick, "\"seq\":18", "\"seq\":\"18\"") << "seq";
        QTest::newRow("bar open missing") << replaced(kBar, "\"open\":1.0851,", "") << "open";
        QTest::newRow("bar time fractional") << replaced(kBar, "1717999920", "1717999920.25") << "time";
        QTest::newRow("bar closed string") << replaced(kBar, "\"closed\":true", "\"closed\":\"true\"") << "closed";
        QTest::newRow("bar timeframe missing") << replaced(kBar, "\"timeframe\":\"M1\",", "") << "timeframe";
        QTest::newRow("bar high huge") << replaced(kBar, "\"high\":1.08531", "\"high\":1e999") << "high";
        QTest::newRow("bar spread array") << replaced(kBar, "\"spread\":10", "\"spread\":[10]") << "spread";
    }
    void malformedMarketFramesAreRefusedByBothPaths()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QString, field);
        MarketFrame f;
        QString error;
        const MarketParse fastVerdict = fast(frame, f, &error);
        // 1e999 is not even JSON for QJsonDocument (it reads it as invalid): either way nothing is Parsed.
        QVERIFY2(fastVerdict != MarketParse::Parsed, frame.constData());
        if (fastVerdict == MarketParse::Invalid)
            QVERIFY2(error.contains(field), qPrintable(error));
        QString qtError;
        QVERIFY2(parseMarketFrameQt(frame, f, &qtError) != MarketParse::Parsed, frame.constData());
        // And the general envelope + body path refuses it too (the client tries it next on NotMarket).
        if (fastVerdict == MarketParse::NotMarket) {
            auto e = parseEnvelope(frame);
            QVERIFY(!e || e->seq < 1 || parseMarketFrameQt(frame, f) != MarketParse::Parsed);
        }
    }

    void truncatedAndGarbageFramesNeverParse()
    {
        const QByteArray tick(kTick);
        MarketFrame f;
        for (qsizetype n = 0; n < tick.size(); ++n) {
            const QByteArray cut = tick.left(n);
            QVERIFY2(fast(cut, f) != MarketParse::Parsed, cut.constData());
            QVERIFY2(parseMarketFrameQt(cut, f) != MarketParse::Parsed, cut.constData());
        }
    }

    // Seeded mutations of valid tick and bar frames (bytes replaced, inserted, deleted; tokens swapped for other
    // JSON values): the hot parser and the QJsonDocument path must agree on every one — both parse it to the same
    // values, or neither does. Reproduce a failure with the seed printed.
    void bothPathsAgreeOnMutatedFrames()
    {
        const quint32 seed = QRandomGenerator::global()->generate();
        qInfo("seed %u", seed);
        QRandomGenerator rng(seed);
        static const char *tokens[] = {"null", "true", "\"x\"", "1.5", "-3", "1e400", "18446744073709551616", "{}",
                                       "[]", "\"\\u0000\"", "0", "9007199254740993", "1.0", "\"tick\""};
        int parsed = 0;
        for (int i = 0; i < 20000; ++i) {
            QByteArray f = (i % 2) ? QByteArray(kTick) : QByteArray(kBar);
            const int edits = 1 + int(rng.bounded(3));
            for (int e = 0; e < edits; ++e) {
                const int at = int(rng.bounded(f.size()));
                switch (rng.bounded(4)) {
                case 0: f[at] = char(rng.bounded(256)); break;
                case 1: f.insert(at, char(rng.bounded(32, 127))); break;
                case 2: f.remove(at, 1 + int(rng.bounded(4))); break;
                default: {
                    // replace the value after a ':' with another JSON token
                    const int colon = int(f.indexOf(':', at));
                    if (colon < 0) break;
                    int end = colon + 1;
                    while (end < f.size() && f[end] != ',' && f[end] != '}') ++end;
                    f.replace(colon + 1, end - colon - 1, tokens[rng.bounded(int(std::size(tokens)))]);
                }
                }
            }
            MarketFrame a, b;
            const bool fastOk = fast(f, a) == MarketParse::Parsed;
            const bool qtOk = parseMarketFrameQt(f, b) == MarketParse::Parsed;
            // QJsonDocument is lenient about some invalid JSON (".5", a control character in a string...); the hot
            // path follows RFC 8259. When only Qt accepts, a validating parser (simdjson DOM) must call it invalid.
            if (qtOk && !fastOk && !isStrictJson(f))
                continue;
            if (fastOk != qtOk)
                QFAIL(qPrintable(QStringLiteral("seed %1 frame %2: simdjson %3, QJsonDocument %4: %5").arg(seed).arg(i)
                                     .arg(fastOk ? "parsed" : "refused", qtOk ? "parsed" : "refused", QString::fromUtf8(f))));
            if (!fastOk)
                continue;
            ++parsed;
            const bool same = a.kind == b.kind && a.seq == b.seq && a.replay == b.replay
                              && (a.kind == MarketFrame::Kind::Tick
                                      ? (a.tick.symbol == b.tick.symbol && a.tick.timeMsc == b.tick.timeMsc
                                         && a.tick.bid == b.tick.bid && a.tick.ask == b.tick.ask && a.tick.flags == b.tick.flags
                                         && a.tick.volume == b.tick.volume && a.tick.last == b.tick.last)
                                      : (a.bar.symbol == b.bar.symbol && a.bar.time == b.bar.time && a.bar.open == b.bar.open
                                         && a.bar.close == b.bar.close && a.bar.closed == b.bar.closed
                                         && a.bar.tickVolume == b.bar.tickVolume && a.bar.timeframe == b.bar.timeframe));
            if (!same)
                QFAIL(qPrintable(QStringLiteral("seed %1 frame %2: the paths read different values: %3").arg(seed).arg(i)
                                     .arg(QString::fromUtf8(f))));
        }
        qInfo("%d of 20000 mutated frames were still valid (both paths agreed on all)", parsed);
        QVERIFY(parsed > 100);
    }

    void envelopeRules()
    {
        QVERIFY_OK(parseEnvelope(R"({"v":1,"type":"pong","re":"c-9","nonce":1})"));
        QCOMPARE(parseEnvelope(R"({"v":1,"type":"pong","re":"c-9"})")->re, QStringLiteral("c-9"));
        QCOMPARE(parseEnvelope(R"({"v":1,"type":"pong"})")->seq, -1);
        QCOMPARE(parseEnvelope(R"({"v":1,"type":"welcome","seq":0})")->seq, 0);
        struct Bad { const char *json; const char *says; };
        for (const Bad &bad : {Bad{"{", "malformed JSON"}, Bad{"[1]", "not a JSON object"}, Bad{"\"x\"", "malformed JSON"},
                               Bad{R"({"type":"pong"})", "'v' is missing"}, Bad{R"({"v":2,"type":"pong"})", "'v' is 2"},
                               Bad{R"({"v":"1","type":"pong"})", "'v' is \"1\""}, Bad{R"({"v":1})", "'type'"},
                               Bad{R"({"v":1,"type":5})", "'type'"}, Bad{R"({"v":1,"type":"tick","seq":1.5})", "'seq'"},
                               Bad{R"({"v":1,"type":"tick","seq":-1})", "'seq'"},
                               Bad{R"({"v":1,"type":"pong","re":7})", "'re'"},
                               Bad{R"({"v":1,"type":"deal","replay":"yes"})", "'replay'"}}) {
            auto e = parseEnvelope(bad.json);
            QVERIFY2(!e, bad.json);
            QVERIFY2(e.error().message.contains(QString::fromUtf8(bad.says)), qPrintable(e.error().message));
        }
    }

    void canonicalJsonAndIds()
    {
        const QJsonObject request{{"volume", 0.1}, {"action", "TRADE_ACTION_DEAL"}, {"position", QJsonValue::Null},
                                  {"nested", QJsonObject{{"b", 1}, {"a", QJsonValue::Null}}}};
        QCOMPARE(canonicalJson(request), QByteArray(R"({"action":"TRADE_ACTION_DEAL","nested":{"b":1},"volume":0.1})"));
        QCOMPARE(sha256Hex("abc"), QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QVERIFY(isValidClientReqId("01J0Z7Q5N8X4K3M2TQ9V6W1B7C"));
        QVERIFY(isValidClientReqId("a_b-c"));
        QVERIFY(isValidClientReqId(QString(36, QLatin1Char('x'))));
        QVERIFY(!isValidClientReqId(QString(37, QLatin1Char('x'))));
        QVERIFY(!isValidClientReqId(""));
        QVERIFY(!isValidClientReqId("a b"));
        QVERIFY(!isValidClientReqId(QStringLiteral("caf\u00e9")));
        const QByteArray frame = requestFrame("ping", "c-1", QJsonObject{{"nonce", 5}});
        auto parsed = parseEnvelope(frame);
        QVERIFY_OK(parsed);
        QCOMPARE(parsed->type, QStringLiteral("ping"));
        QCOMPARE(parsed->object.value("id").toString(), QStringLiteral("c-1"));
        QVERIFY(parsed->object.value("ts").toInteger() > 1'700'000'000'000);
    }

    void roundingToDigitsAndVolumeStep()
    {
        BrokerSymbol eurusd;
        eurusd.name = "EURUSD.sim";
        eurusd.digits = 5;
        eurusd.point = eurusd.tradeTickSize = 0.00001;
        eurusd.volumeStep = 0.01;
        QCOMPARE(roundPrice(1.085124999, eurusd), 1.08512);
        QCOMPARE(roundPrice(1.085125001, eurusd), 1.08513);
        QCOMPARE(roundPrice(0.0, eurusd), 0.0);
        QCOMPARE(roundVolume(0.123, eurusd), 0.12);
        QCOMPARE(roundVolume(0.125001, eurusd), 0.13);
        BrokerSymbol gold = eurusd;
        gold.digits = 2;
        gold.point = 0.01;
        gold.tradeTickSize = 0.05;  // prices move in 0.05 steps
        gold.volumeStep = 0.1;
        QCOMPARE(roundPrice(2345.67, gold), 2345.65);
        QCOMPARE(roundVolume(0.26, gold), 0.3);

        TradeRequest r;
        r.symbol = "EURUSD";
        r.volume = 0.1049;
        r.price = 1.0851249;
        r.sl = 1.0830001;
        r.tp = 0;
        auto rounded = roundForSymbol(r, eurusd);
        QVERIFY_OK(rounded);
        QCOMPARE(rounded->volume, 0.1);
        QCOMPARE(rounded->price, 1.08512);
        QCOMPARE(rounded->sl, 1.083);
        QCOMPARE(rounded->tp, 0.0);
        r.volume = 0.004;
        auto tooSmall = roundForSymbol(r, eurusd);
        QVERIFY(!tooSmall);
        QVERIFY2(tooSmall.error().message.contains("rounds to 0 at volume_step 0.01"), qPrintable(tooSmall.error().message));
        r.volume = 0.1;
        r.sl = -1;
        QVERIFY(!roundForSymbol(r, eurusd));
        r.sl = 0;
        r.volume = std::nan("");
        QVERIFY(!roundForSymbol(r, eurusd));
        TradeRequest sltp;
        sltp.action = TradeAction::Sltp;
        sltp.position = 42;
        sltp.sl = 1.0800049;
        QCOMPARE(roundForSymbol(sltp, eurusd)->sl, 1.08);
        QCOMPARE(roundForSymbol(sltp, eurusd)->volume, 0.0);
    }
};

QTEST_GUILESS_MAIN(TestMt5MarketFrame)
#include "tst_mt5marketframe.moc"
