// Fill model of the backtest engine, checked on hand-made bars with hand-computed prices and money.
// Test symbol: 5 digits, point = tick size = 0.00001, tick value 1.0 USD per lot (EURUSD-like),
// default spread 10 points (0.00010).

#include "backtestengine.h"

#include <QtTest>

#include <map>

using namespace bd;

namespace {

SymbolSpec testSymbol()
{
    SymbolSpec s;
    s.name = "TEST";
    s.currencyBase = "EUR";
    s.currencyProfit = "USD";
    s.digits = 5;
    s.point = 0.00001;
    s.contractSize = 100000;
    s.tickSize = 0.00001;
    s.tickValue = 1.0;
    s.volumeMin = 0.01;
    s.volumeStep = 0.01;
    s.volumeMax = 100.0;
    s.defaultSpreadPoints = 10;
    return s;
}

Bar bar(qint64 minute, double o, double h, double l, double c)
{
    Bar b;
    b.timeMs = 1704146400000LL + minute * 60000;
    b.open = o;
    b.high = h;
    b.low = l;
    b.close = c;
    return b;
}

// Emits pre-scripted actions at given bar indices.
class ScriptedStrategy : public Strategy {
public:
    std::map<qint64, std::vector<Action>> script;
    std::vector<double> equitySeen;
    std::vector<size_t> positionsSeen;
    QString name() const override { return "scripted"; }
    void onBar(const Bar &, const StrategyContext &ctx, std::vector<Action> &actions) override
    {
        equitySeen.push_back(ctx.equity);
        positionsSeen.push_back(ctx.positions.size());
        auto it = script.find(ctx.barIndex);
        if (it != script.end())
            actions = it->second;
    }
};

Action fixedOpen(Side side, double volume, double sl = 0, double tp = 0, double rr = 0)
{
    Action a = Action::openTrade(side, 0.0, sl, tp, rr);
    a.volume = volume;
    return a;
}

BacktestResult run(const Bars &bars, ScriptedStrategy &s, BacktestConfig config = {})
{
    auto r = runBacktest(bars, testSymbol(), s, config);
    if (!r.ok())
        qFatal("runBacktest failed: %s", qPrintable(r.error().message));
    return std::move(r).value();
}

} // namespace

class TestBacktestEngine : public QObject {
    Q_OBJECT
private slots:
    void buyFillsAtNextOpenAskAndClosesAtBid()
    {
        // Decision at bar 0 close; fill at bar 1 open: ask = 1.10000 + 0.00010 = 1.10010.
        // Close decided at bar 2 close; fill at bar 3 open bid 1.10210.
        // Profit = (1.10210 − 1.10010) / 0.00001 · 1.0 · 1 lot = 200.00 USD.
        Bars bars{bar(0, 1.09950, 1.10000, 1.09900, 1.09990), bar(1, 1.10000, 1.10100, 1.09980, 1.10050),
                  bar(2, 1.10060, 1.10200, 1.10040, 1.10200), bar(3, 1.10210, 1.10250, 1.10150, 1.10200)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0)};
        s.script[2] = {Action::closePosition(0)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        const Trade &t = r.trades[0];
        QCOMPARE(t.side, Side::Buy);
        QCOMPARE(t.openTimeMs, bars[1].timeMs);
        QCOMPARE(t.openPrice, 1.10010);
        QCOMPARE(t.closeTimeMs, bars[3].timeMs);
        QCOMPARE(t.closePrice, 1.10210);
        QVERIFY(qAbs(t.profit - 200.0) < 1e-6);
        QCOMPARE(t.closeReason, CloseReason::StrategyExit);
        QVERIFY(qAbs(r.stats.finalBalance - 10200.0) < 1e-6);
        QCOMPARE(r.stats.totalDeals, 2);
        // The strategy saw the open position from bar 1 on, and equity marked at bid close:
        // bar 1 close 1.10050 − 1.10010 = 40 points = 40 USD.
        QCOMPARE(s.positionsSeen[0], size_t(0));
        QCOMPARE(s.positionsSeen[1], size_t(1));
        QVERIFY(qAbs(s.equitySeen[1] - 10040.0) < 1e-6);
    }

    void sellFillsAtBidMinusSlippageAndClosesAtAsk()
    {
        // Slippage 2 points. SELL fill at bar 1 open bid − 0.00002 = 1.09998.
        // Close at bar 2 open: ask + slippage = 1.09900 + 0.00010 + 0.00002 = 1.09912.
        // Profit = (1.09998 − 1.09912) / 0.00001 · 0.5 = 43.00 USD.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10010, 1.09890, 1.09900),
                  bar(2, 1.09900, 1.09950, 1.09850, 1.09900)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Sell, 0.5)};
        s.script[1] = {Action::closePosition(0)};
        BacktestConfig c;
        c.slippagePoints = 2;
        const BacktestResult r = run(bars, s, c);
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].openPrice, 1.09998);
        QCOMPARE(r.trades[0].closePrice, 1.09912);
        QVERIFY(qAbs(r.trades[0].profit - 43.0) < 1e-6);
    }

    void stopLossHitIntrabarOnBid()
    {
        // Long filled at bar 1 open ask 1.10010; SL 1.09900. Bar 2 low 1.09890 <= SL -> exit at SL.
        // Loss = (1.09900 − 1.10010) / 0.00001 · 1 = −110 USD.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10050, 1.09950, 1.10000),
                  bar(2, 1.10000, 1.10020, 1.09890, 1.09950), bar(3, 1.09950, 1.09960, 1.09940, 1.09950)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0, 1.09900, 1.10500)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].closeReason, CloseReason::SlHit);
        QCOMPARE(r.trades[0].closeTimeMs, bars[2].timeMs);
        QCOMPARE(r.trades[0].closePrice, 1.09900);
        QVERIFY(qAbs(r.trades[0].profit + 110.0) < 1e-6);
        // MAE is the SL itself (the bar low beyond the SL is not reached by a closed position); MFE from bar 1 high.
        QVERIFY(qAbs(r.trades[0].mae + 110.0) < 1e-6);
        QVERIFY(qAbs(r.trades[0].mfe - 40.0) < 1e-6);
    }

    void takeProfitHitIntrabar()
    {
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10100, 1.09990, 1.10050),
                  bar(2, 1.10050, 1.10300, 1.10040, 1.10250)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0, 1.09800, 1.10200)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].closeReason, CloseReason::TpHit);
        QCOMPARE(r.trades[0].closePrice, 1.10200);
        QVERIFY(qAbs(r.trades[0].profit - 190.0) < 1e-6);  // 1.10200 − 1.10010
    }

    void stopLossFirstWhenBothInsideOneBar()
    {
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000),
                  bar(2, 1.10000, 1.10400, 1.09600, 1.10000)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0, 1.09800, 1.10200)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].closeReason, CloseReason::SlHit);
        QCOMPARE(r.trades[0].closePrice, 1.09800);
    }

    void gapThroughStopFillsAtOpen()
    {
        // Bar 2 opens at 1.09500, below the SL 1.09800: the stop fills at the open, not at the level.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000),
                  bar(2, 1.09500, 1.09600, 1.09400, 1.09550)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0, 1.09800)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].closeReason, CloseReason::SlHit);
        QCOMPARE(r.trades[0].closePrice, 1.09500);
        QVERIFY(qAbs(r.trades[0].profit + 510.0) < 1e-6);
    }

    void shortStopUsesAskPrices()
    {
        // Short filled at bid 1.10000, SL 1.10100. Bar 2 high (bid) is only 1.10095, but the ask
        // high is 1.10095 + 0.00010 = 1.10105 >= SL: stopped out at 1.10100.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000),
                  bar(2, 1.10000, 1.10095, 1.09990, 1.10000)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Sell, 1.0, 1.10100)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].closeReason, CloseReason::SlHit);
        QCOMPARE(r.trades[0].closePrice, 1.10100);
        QVERIFY(qAbs(r.trades[0].profit + 100.0) < 1e-6);
    }

    void stopCheckedOnTheFillBar()
    {
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09700, 1.09800)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0, 1.09900)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].closeReason, CloseReason::SlHit);
        QCOMPARE(r.trades[0].openTimeMs, bars[1].timeMs);
        QCOMPARE(r.trades[0].closeTimeMs, bars[1].timeMs);
    }

    void takeProfitFromRiskRewardAndVolumeFromRiskPercent()
    {
        // Fill at ask 1.10010, SL 1.09710 -> stop distance 0.00300 = 300 points = 300 USD per lot.
        // Risk 1 % of 10,000 = 100 USD -> 0.3333 lots -> rounded DOWN to step 0.01 -> 0.33 lots.
        // TP = 1.10010 + 0.00300 · 2 = 1.10610.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000),
                  bar(2, 1.10000, 1.10700, 1.09990, 1.10600)};
        ScriptedStrategy s;
        s.script[0] = {Action::openTrade(Side::Buy, 1.0, 1.09710, 0.0, 2.0)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        const Trade &t = r.trades[0];
        QVERIFY(qAbs(t.volume - 0.33) < 1e-9);
        QCOMPARE(t.tp, 1.10610);
        QCOMPARE(t.closeReason, CloseReason::TpHit);
        QVERIFY(qAbs(t.profit - 600.0 * 0.33) < 1e-6);
    }

    void volumeBelowMinimumIsRejected()
    {
        // Risk 0.01 % of 10,000 = 1 USD with a 300-point stop -> 0.0033 lots < 0.01 min: rejected.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000)};
        ScriptedStrategy s;
        s.script[0] = {Action::openTrade(Side::Buy, 0.01, 1.09710, 0.0, 2.0)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(0));
        QCOMPARE(r.rejectedOrders, 1);
        QVERIFY2(r.journal.join('\n').contains("below the symbol minimum"), qPrintable(r.journal.join('\n')));
    }

    void stopOnWrongSideAfterGapIsRejected()
    {
        // SL 1.09900 chosen at bar 0 close; bar 1 gaps down to 1.09800 (bid below SL): MT5 would answer
        // INVALID_STOPS, so no position is opened.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.09800, 1.09850, 1.09700, 1.09800)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0, 1.09900)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(0));
        QCOMPARE(r.rejectedOrders, 1);
        QVERIFY(r.journal.join('\n').contains("invalid stops"));
    }

    void commissionChargedPerLotOnEachDeal()
    {
        // 2 lots, 3.5 USD per lot per deal: 7 at entry + 7 at exit = −14.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000),
                  bar(2, 1.10010, 1.10020, 1.10000, 1.10010)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 2.0)};
        s.script[1] = {Action::closePosition(0)};
        BacktestConfig c;
        c.commissionPerLot = 3.5;
        const BacktestResult r = run(bars, s, c);
        QCOMPARE(r.trades.size(), size_t(1));
        QVERIFY(qAbs(r.trades[0].commission + 14.0) < 1e-9);
        QVERIFY(qAbs(r.trades[0].profit - 0.0) < 1e-6);  // bid 1.10010 − ask 1.10010
        QVERIFY(qAbs(r.trades[0].netProfit() + 14.0) < 1e-6);
        QVERIFY(qAbs(r.stats.finalBalance - 9986.0) < 1e-6);
        // The entry commission leaves the balance at the entry bar already.
        QVERIFY(qAbs(r.equity[1].balance - 9993.0) < 1e-6);
    }

    void openPositionsCloseAtEndOfTest()
    {
        // Short still open after the last bar: closes at that bar's ask close 1.09900 + 0.00010.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09890, 1.09900)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Sell, 1.0)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].closeReason, CloseReason::EndOfTest);
        QCOMPARE(r.trades[0].closePrice, 1.09910);
        QVERIFY(qAbs(r.trades[0].profit - 90.0) < 1e-6);
        QVERIFY(qAbs(r.equity.back().equity - 10090.0) < 1e-6);
    }

    void equityLowUsesTheBarsAdverseExtreme()
    {
        // Long 1 lot from ask 1.10010. Bar 1: close 1.10000 -> equity −10; low 1.09950 -> equityLow −60.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09950, 1.10000),
                  bar(2, 1.10000, 1.10020, 1.09990, 1.10000)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0)};
        const BacktestResult r = run(bars, s);
        QVERIFY(qAbs(r.equity[1].equity - 9990.0) < 1e-6);
        QVERIFY(qAbs(r.equity[1].equityLow - 9940.0) < 1e-6);
        QVERIFY(qAbs(r.stats.equityDrawdownMaximal - 60.0) < 1e-6);
    }

    void barSpreadAndOverride()
    {
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000),
                  bar(2, 1.10000, 1.10020, 1.09990, 1.10000)};
        bars[1].spreadPoints = 25;
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0)};
        QCOMPARE(run(bars, s).trades[0].openPrice, 1.10025);  // the bar's own spread
        ScriptedStrategy s2;
        s2.script[0] = {fixedOpen(Side::Buy, 1.0)};
        BacktestConfig c;
        c.spreadPoints = 0;
        QCOMPARE(run(bars, s2, c).trades[0].openPrice, 1.10000);  // override wins
    }

    void modifySltpTakesEffectNextBar()
    {
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000),
                  bar(2, 1.10000, 1.10020, 1.09940, 1.10000)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0, 1.09800)};
        s.script[1] = {Action::modifySltp(0, 1.09950, 0.0)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].closeReason, CloseReason::SlHit);
        QCOMPARE(r.trades[0].closePrice, 1.09950);
    }

    void cancelStopsEarlyAndProgressIsMonotonic()
    {
        Bars bars;
        for (int i = 0; i < 1000; ++i)
            bars.push_back(bar(i, 1.1, 1.1001, 1.0999, 1.1));
        ScriptedStrategy s;
        std::atomic<bool> cancel{false};
        std::vector<int> progress;
        BacktestControl control;
        control.cancelRequested = &cancel;
        control.onProgress = [&](int p) {
            progress.push_back(p);
            if (p >= 50)
                cancel = true;
        };
        auto r = runBacktest(bars, testSymbol(), s, {}, control);
        QVERIFY(r.ok());
        QVERIFY(r->cancelled);
        QVERIFY(r->barsProcessed >= 500 && r->barsProcessed < 1000);
        QCOMPARE(progress.front(), 0);
        QVERIFY(std::is_sorted(progress.begin(), progress.end()));
        QVERIFY(std::adjacent_find(progress.begin(), progress.end()) == progress.end());

        ScriptedStrategy s2;
        progress.clear();
        control.cancelRequested = nullptr;
        control.onProgress = [&](int p) { progress.push_back(p); };
        QVERIFY(runBacktest(bars, testSymbol(), s2, {}, control).ok());
        QCOMPARE(progress.back(), 100);
        QCOMPARE(progress.size(), size_t(101));
    }

    void throwingStrategyFailsTheRunWithItsMessage()
    {
        class Broken : public Strategy {
        public:
            QString name() const override { return "broken"; }
            void onBar(const Bar &, const StrategyContext &ctx, std::vector<Action> &) override
            {
                if (ctx.barIndex == 2)
                    throw std::runtime_error("division by zero in my indicator");
            }
        } broken;
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.1, 1.1, 1.1, 1.1), bar(2, 1.1, 1.1, 1.1, 1.1)};
        auto r = runBacktest(bars, testSymbol(), broken, {});
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains("strategy broken failed on TEST bar 2 (2024-01-01 22:02 UTC)"),
                 qPrintable(r.error().message));
        QVERIFY(r.error().message.contains("division by zero in my indicator"));
    }

    void nonFiniteActionIsRejected()
    {
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.1, 1.1, 1.1, 1.1)};
        ScriptedStrategy s;
        s.script[0] = {Action::openTrade(Side::Buy, 1.0, std::nan(""), 0.0, 2.0)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(0));
        QCOMPARE(r.rejectedOrders, 1);
        QVERIFY(r.journal.join('\n').contains("non-finite"));
    }

    void invalidInputsAreExplicitErrors()
    {
        ScriptedStrategy s;
        auto empty = runBacktest({}, testSymbol(), s, {});
        QVERIFY(!empty.ok());
        QVERIFY(empty.error().message.contains("no bars"));

        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1)};
        BacktestConfig c;
        c.initialDeposit = -5;
        auto negative = runBacktest(bars, testSymbol(), s, c);
        QVERIFY(!negative.ok());
        QVERIFY(negative.error().message.contains("deposit"));

        c = {};
        c.depositCurrency = "EUR";
        auto currency = runBacktest(bars, testSymbol(), s, c);
        QVERIFY(!currency.ok());
        QVERIFY(currency.error().message.contains("USD"));

        c = {};
        c.commissionPerLot = -1;
        QVERIFY(!runBacktest(bars, testSymbol(), s, c).ok());
    }
};

QTEST_GUILESS_MAIN(TestBacktestEngine)
#include "tst_backtestengine.moc"
