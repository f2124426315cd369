// A trade intent turned into its MT5 order (core/live/traderequestbuilder.h) and its idempotency key
// (core/live/idempotencykey.h): entry at the ask / bid, SL and TP on the tick grid, TP from rr half away from zero,
// volume sized down from the risk %, and every refusal MT5's trade server would give, with its retcode.
#include "idempotencykey.h"
#include "traderequestbuilder.h"

#include <QtTest>

using namespace bd;

namespace {

mt5::BrokerSymbol eurusd()
{
    mt5::BrokerSymbol s;
    s.name = QStringLiteral("EURUSD.m");
    s.requested = QStringLiteral("EURUSD");
    s.digits = 5;
    s.point = 0.00001;
    s.tradeTickSize = 0.00001;
    s.tradeTickValue = 1.0;  // USD per tick per lot on a USD account
    s.tradeContractSize = 100000;
    s.volumeMin = 0.01;
    s.volumeMax = 50;
    s.volumeStep = 0.01;
    s.tradeStopsLevel = 10;
    return s;
}

const Quote kQuote{1.10000, 1.10012};  // 12 points of spread

TradeIntent buy(double slPoints, double riskPercent)
{
    TradeIntent i;
    i.symbol = QStringLiteral("EURUSD");
    i.side = Side::Buy;
    i.slPoints = slPoints;
    i.riskPercent = riskPercent;
    i.magic = 7001;
    i.comment = QStringLiteral("ema cross");
    return i;
}

} // namespace

class TestTradeRequest : public QObject {
    Q_OBJECT
private slots:
    void marketBuySizedByRisk()
    {
        auto built = buildTradeRequest(buy(200, 1.0), eurusd(), kQuote, 10000.0);
        QVERIFY2(built.ok(), built.ok() ? "" : qPrintable(built.error().message));
        const mt5::TradeRequest &r = built->request;
        QCOMPARE(r.action, mt5::TradeAction::Deal);
        QCOMPARE(r.type, mt5::OrderType::Buy);
        QCOMPARE(r.symbol, QStringLiteral("EURUSD.m"));  // the broker's name
        QCOMPARE(r.price, 0.0);                          // market execution
        QCOMPARE(built->entryPrice, 1.10012);            // at the ask
        QCOMPARE(r.sl, 1.09812);                         // 200 points below the entry
        QCOMPARE(r.tp, 1.10412);                         // rr unset: 2.0 x 200 points above
        QCOMPARE(r.volume, 0.5);                         // 1 % of 10,000 = 100 at 200 points of 1.0 per lot
        QCOMPARE(built->projectedLoss, 100.0);
        QCOMPARE(built->projectedProfit, 200.0);
        QCOMPARE(built->rewardRisk, 2.0);
        QCOMPARE(r.magic, qint64(7001));
        QCOMPARE(r.comment, QStringLiteral("ema cross"));
    }

    // SELL enters at the bid; TP = 87 x 1.5 = 130.5 points, half away from zero: 131.
    void marketSellTakeProfitRoundsHalfAway()
    {
        TradeIntent i = buy(87, 0.5);
        i.side = Side::Sell;
        i.rr = 1.5;
        auto built = buildTradeRequest(i, eurusd(), kQuote, 10000.0);
        QVERIFY2(built.ok(), built.ok() ? "" : qPrintable(built.error().message));
        QCOMPARE(built->request.type, mt5::OrderType::Sell);
        QCOMPARE(built->entryPrice, 1.10000);
        QCOMPARE(built->request.sl, 1.10087);
        QCOMPARE(built->request.tp, 1.09869);
        QCOMPARE(built->request.volume, 0.57);  // 50 / 87 = 0.5747 lots, down to the step
    }

    void volumeRoundsDownNeverUp()
    {
        auto built = buildTradeRequest(buy(300, 1.0), eurusd(), kQuote, 10000.0);  // 0.3333 lots
        QVERIFY(built.ok());
        QCOMPARE(built->request.volume, 0.33);
        QVERIFY(built->projectedLoss <= 100.0);
    }

    void noTakeProfitWithRrZero()
    {
        TradeIntent i = buy(200, 1.0);
        i.rr = 0.0;
        auto built = buildTradeRequest(i, eurusd(), kQuote, 10000.0);
        QVERIFY(built.ok());
        QCOMPARE(built->request.tp, 0.0);
        QCOMPARE(built->projectedProfit, 0.0);
        QCOMPARE(built->rewardRisk, 0.0);
    }

    void instantExecutionCarriesThePrice()
    {
        mt5::BrokerSymbol s = eurusd();
        s.tradeExemode = mt5::SymbolExecution::Instant;
        auto built = buildTradeRequest(buy(200, 1.0), s, kQuote, 10000.0);
        QVERIFY(built.ok());
        QCOMPARE(built->request.price, 1.10012);
    }

    void pendingOrders()
    {
        TradeIntent limit = buy(200, 1.0);
        limit.kind = EntryKind::Limit;
        limit.entryPrice = 1.09900;
        auto built = buildTradeRequest(limit, eurusd(), kQuote, 10000.0);
        QVERIFY2(built.ok(), built.ok() ? "" : qPrintable(built.error().message));
        QCOMPARE(built->request.action, mt5::TradeAction::Pending);
        QCOMPARE(built->request.type, mt5::OrderType::BuyLimit);
        QCOMPARE(built->request.price, 1.099);
        QCOMPARE(built->request.sl, 1.097);
        QCOMPARE(built->request.tp, 1.103);

        limit.entryPrice = 1.10100;  // a BUY LIMIT above the ask
        auto above = buildTradeRequest(limit, eurusd(), kQuote, 10000.0);
        QVERIFY(!above.ok());
        QVERIFY2(above.error().message.contains("below the ask") && above.error().message.contains("10015"),
                 qPrintable(above.error().message));

        TradeIntent stop = buy(200, 1.0);
        stop.kind = EntryKind::Stop;
        stop.entryPrice = 1.10015;  // 3 points above the ask: inside the stops level of 10
        auto close = buildTradeRequest(stop, eurusd(), kQuote, 10000.0);
        QVERIFY(!close.ok());
        QVERIFY2(close.error().message.contains("stops level of 10 points"), qPrintable(close.error().message));
        stop.entryPrice = 1.10030;
        auto ok = buildTradeRequest(stop, eurusd(), kQuote, 10000.0);
        QVERIFY(ok.ok());
        QCOMPARE(ok->request.type, mt5::OrderType::BuyStop);
    }

    // MT5 measures a BUY's SL against the bid: 20 points below the ask is 8 below the bid, inside the stops level.
    void stopsLevelAgainstTheClosingPrice()
    {
        auto inside = buildTradeRequest(buy(20, 1.0), eurusd(), kQuote, 10000.0);
        QVERIFY(!inside.ok());
        QVERIFY2(inside.error().message.contains("stop-loss 1.09992") && inside.error().message.contains("below the bid")
                     && inside.error().message.contains("10016"),
                 qPrintable(inside.error().message));
        QVERIFY(buildTradeRequest(buy(22, 1.0), eurusd(), kQuote, 10000.0).ok());  // 10 points below the bid

        TradeIntent sell = buy(22, 1.0);
        sell.side = Side::Sell;  // SL 22 above the bid = 10 above the ask: allowed; TP 44 below the bid
        QVERIFY(buildTradeRequest(sell, eurusd(), kQuote, 10000.0).ok());
        sell.slPoints = 21;
        auto sellInside = buildTradeRequest(sell, eurusd(), kQuote, 10000.0);
        QVERIFY(!sellInside.ok());
        QVERIFY2(sellInside.error().message.contains("above the ask"), qPrintable(sellInside.error().message));
    }

    void refusals_data()
    {
        QTest::addColumn<int>("caseNo");
        QTest::addColumn<QString>("expected");
        QTest::newRow("below volume_min") << 0 << "below the symbol's minimum of 0.01 lots (MT5 retcode 10014";
        QTest::newRow("volume off the step") << 1 << "not a whole multiple of the volume step 0.01";
        QTest::newRow("above volume_max") << 2 << "outside the symbol's [0.01, 50] lots";
        QTest::newRow("risk without SL") << 3 << "sizing by riskPercent needs a stop-loss";
        QTest::newRow("rr without SL") << 4 << "needs a stop-loss";
        QTest::newRow("absolute TP on the wrong side") << 5 << "take-profit 1.09 must be above the entry";
        QTest::newRow("long only") << 6 << "10042 TRADE_RETCODE_LONG_ONLY";
        QTest::newRow("disabled") << 7 << "10017 TRADE_RETCODE_TRADE_DISABLED";
        QTest::newRow("close only") << 8 << "10044 TRADE_RETCODE_CLOSE_ONLY";
        QTest::newRow("no market") << 9 << "is not a market";
        QTest::newRow("market with a price") << 10 << "a MARKET order has no entry price";
        QTest::newRow("risk above 100") << 11 << "riskPercent in (0, 100]";
        QTest::newRow("negative SL") << 12 << "slPoints is -5";
    }

    void refusals()
    {
        QFETCH(int, caseNo);
        QFETCH(QString, expected);
        TradeIntent i = buy(200, 1.0);
        mt5::BrokerSymbol s = eurusd();
        Quote q = kQuote;
        double equity = 10000.0;
        switch (caseNo) {
        case 0: equity = 100.0; i.riskPercent = 0.5; i.slPoints = 1000; break;  // 0.0005 lots
        case 1: i.volume = 0.015; break;
        case 2: i.volume = 60; break;
        case 3: i.slPoints = 0; break;
        case 4: i.slPoints = 0; i.volume = 0.1; i.rr = 2.0; break;
        case 5: i.tp = 1.09; break;
        case 6: s.tradeMode = mt5::SymbolTradeMode::LongOnly; i.side = Side::Sell; break;
        case 7: s.tradeMode = mt5::SymbolTradeMode::Disabled; break;
        case 8: s.tradeMode = mt5::SymbolTradeMode::CloseOnly; break;
        case 9: q = Quote{0.0, 0.0}; break;
        case 10: i.entryPrice = 1.1; break;
        case 11: i.riskPercent = 150; break;
        case 12: i.slPoints = -5; break;
        }
        auto built = buildTradeRequest(i, s, q, equity);
        QVERIFY(!built.ok());
        QVERIFY2(built.error().message.contains(expected), qPrintable(built.error().message));
    }

    // A given volume is taken as is (a multiple of the step), with its projections.
    void givenVolume()
    {
        TradeIntent bare = buy(0, 0.0);  // no SL, no TP: a manual order may say so
        bare.volume = 0.1;
        auto noStops = buildTradeRequest(bare, eurusd(), kQuote, 0.0);
        QVERIFY2(noStops.ok(), noStops.ok() ? "" : qPrintable(noStops.error().message));
        QCOMPARE(noStops->request.sl, 0.0);
        QCOMPARE(noStops->request.tp, 0.0);
        QCOMPARE(noStops->projectedLoss, 0.0);

        TradeIntent i = buy(150, 0.0);
        i.volume = 0.2;
        auto built = buildTradeRequest(i, eurusd(), kQuote, 0.0);  // equity unused
        QVERIFY(built.ok());
        QCOMPARE(built->request.volume, 0.2);
        QCOMPARE(built->projectedLoss, 30.0);
        QCOMPARE(built->projectedProfit, 60.0);
    }

    // Golden value: printf 'botdesk-intent-v1\n0b4c6a8e-...\n1704067260000\nEURUSD\nBUY\nOPEN_TRADE ema cross up'
    // | sha256sum.
    void idempotencyKeyIsStable()
    {
        IntentIdentity id;
        id.liveRunId = QUuid(QStringLiteral("{0B4C6A8E-1F2D-4E3A-9B5C-7D8E9F0A1B2C}"));
        id.barTimeMs = 1704067260000;
        id.symbol = QStringLiteral("EURUSD");
        id.side = Side::Buy;
        id.fingerprint = QStringLiteral("OPEN_TRADE ema cross up");
        auto key = idempotencyKey(id);
        QVERIFY(key.ok());
        QCOMPARE(*key, QStringLiteral("f17419982a08abb8e0d8a04e098556fce6df5b161c14534a8fe74f52b8ddafdc"));
        QCOMPARE(clientReqIdFor(*key), QStringLiteral("f17419982a08abb8e0d8a04e098556fc"));

        IntentIdentity nextBar = id;
        nextBar.barTimeMs += 60000;
        IntentIdentity sell = id;
        sell.side = Side::Sell;
        QVERIFY(*idempotencyKey(nextBar) != *key);
        QVERIFY(*idempotencyKey(sell) != *key);

        IntentIdentity noRun = id;
        noRun.liveRunId = QUuid();
        QVERIFY(!idempotencyKey(noRun).ok());
        IntentIdentity newline = id;
        newline.fingerprint = QStringLiteral("a\nb");
        auto refused = idempotencyKey(newline);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains("newline"), qPrintable(refused.error().message));
    }
};

QTEST_GUILESS_MAIN(TestTradeRequest)
#include "tst_traderequest.moc"
