// Fill model of the backtest engine, checked on hand-made bars with hand-computed prices and money.
// Test symbol: 5 digits, point = tick size = 0.00001, tick value 1.0 USD per lot (EURUSD-like),
// default spread 10 points (0.00010).

#include "backtestengine.h"
#include "engineversion.h"
#include "mt5report.h"
#include "reportformat.h"
#include "reportjson.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>

#include <QtTest>

#include <limits>
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
    qint64 warmup = 0;
    QString name() const override { return "scripted"; }
    qint64 warmupBars() const override { return warmup; }
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

BacktestResult run(const Bars &bars, ScriptedStrategy &s, BacktestConfig config = {}, const SymbolSpec &symbol = testSymbol())
{
    auto r = runBacktest(bars, symbol, s, config);
    if (!r.ok())
        qFatal("runBacktest failed: %s", qPrintable(r.error().message));
    return std::move(r).value();
}

// The JSON report as botdesk-cli writes it, parsed back (the parse also proves the streamed text is valid JSON).
QJsonObject reportJson(const BacktestResult &r)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    if (!writeBacktestReportJson(buffer, r, {}))
        qFatal("writeBacktestReportJson failed");
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(buffer.data(), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("the JSON report does not parse: %s", qPrintable(error.errorString()));
    return doc.object();
}

} // namespace

class TestBacktestEngine : public QObject {
    Q_OBJECT
private slots:
    void engineVersionNamesTheProjectVersionAndModelRevision()
    {
        // BOTDESK_VERSION is PROJECT_VERSION here too (tests/CMakeLists.txt): core was built from the same project.
        QCOMPARE(engineVersion(), QStringLiteral("botdesk " BOTDESK_VERSION " engine %1").arg(kEngineModelRevision));
        QVERIFY2(QRegularExpression(QStringLiteral("^botdesk \\d+\\.\\d+\\.\\d+ engine [1-9]\\d*$")).match(engineVersion()).hasMatch(),
                 qPrintable(engineVersion()));
    }

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

    // ---- prices on the symbol's grid (issue 5 §1) ----

    void takeProfitAtAnExactHalfPointRoundsAwayFromZero()
    {
        // The example: fill 1.13659 (bid 1.13649 + 10 points), SL 1.13572, rr 1.5:
        // 113659 + 87 · 1.5 = 113789.5 points -> 113790. In doubles, (1.13659 + 0.00087 · 1.5) · 1e5 rounds to 113789.
        Bars bars{bar(0, 1.1365, 1.1365, 1.1365, 1.1365), bar(1, 1.13649, 1.13660, 1.13640, 1.13650)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0, 1.13572, 0.0, 1.5)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].openPrice, 1.13659);
        QCOMPARE(r.trades[0].tp, 1.13790);

        // The mirror short: fill 1.13659 (bid), SL 1.13746 (87 points), 113659 − 130.5 = 113528.5 -> 113529
        // (half away from zero on the price, MQL5 NormalizeDouble).
        Bars shortBars{bar(0, 1.1365, 1.1365, 1.1365, 1.1365), bar(1, 1.13659, 1.13660, 1.13640, 1.13650)};
        ScriptedStrategy s2;
        s2.script[0] = {fixedOpen(Side::Sell, 1.0, 1.13746, 0.0, 1.5)};
        const BacktestResult r2 = run(shortBars, s2);
        QCOMPARE(r2.trades.size(), size_t(1));
        QCOMPARE(r2.trades[0].openPrice, 1.13659);
        QCOMPARE(r2.trades[0].tp, 1.13529);
    }

    void shortStoppedWhenTheAskHighEqualsTheStopExactly()
    {
        // Short sold at bid 1.13012, SL 1.13027. Bar 2: bid high 1.13017 + 10 points = ask high 1.13027 = SL.
        // In doubles 1.13017 + 10 · 0.00001 = 1.1302699999999999 < 1.13027 and the stop was missed.
        Bars bars{bar(0, 1.1301, 1.1301, 1.1301, 1.1301), bar(1, 1.13012, 1.13015, 1.13010, 1.13012),
                  bar(2, 1.13012, 1.13017, 1.13010, 1.13012), bar(3, 1.13012, 1.13013, 1.13010, 1.13012)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Sell, 1.0, 1.13027)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].closeReason, CloseReason::SlHit);
        QCOMPARE(r.trades[0].closeTimeMs, bars[2].timeMs);
        QCOMPARE(r.trades[0].closePrice, 1.13027);
        QCOMPARE(r.trades[0].profit, -15.0);
    }

    void shortTakeProfitAndGapsCompareTheAskExactly()
    {
        // TP 1.12992: bar 2's bid low 1.12982 + 10 points = ask low 1.12992 = TP -> TP_HIT at the level.
        Bars bars{bar(0, 1.1301, 1.1301, 1.1301, 1.1301), bar(1, 1.13012, 1.13015, 1.13010, 1.13012),
                  bar(2, 1.13000, 1.13005, 1.12982, 1.13000)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Sell, 1.0, 0.0, 1.12992)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].closeReason, CloseReason::TpHit);
        QCOMPARE(r.trades[0].closePrice, 1.12992);

        // Gap at the open: bar 2 opens at bid 1.13017, ask 1.13027 = SL exactly: the stop fills at that open
        // plus 3 points of slippage.
        Bars gap{bar(0, 1.1301, 1.1301, 1.1301, 1.1301), bar(1, 1.13012, 1.13015, 1.13010, 1.13012),
                 bar(2, 1.13017, 1.13017, 1.13010, 1.13012)};
        ScriptedStrategy s2;
        s2.script[0] = {fixedOpen(Side::Sell, 1.0, 1.13027)};
        BacktestConfig c;
        c.slippagePoints = 3;
        const BacktestResult r2 = run(gap, s2, c);
        QCOMPARE(r2.trades.size(), size_t(1));
        QCOMPARE(r2.trades[0].openPrice, 1.13009);
        QCOMPARE(r2.trades[0].closeReason, CloseReason::SlHit);
        QCOMPARE(r2.trades[0].closePrice, 1.13030);
        QCOMPARE(r2.trades[0].profit, -21.0);

        // Gap through the TP at the open: ask open 1.12990 <= TP 1.12992 -> TP_HIT at the open ask, no slippage.
        Bars tpGap{bar(0, 1.1301, 1.1301, 1.1301, 1.1301), bar(1, 1.13012, 1.13015, 1.13010, 1.13012),
                   bar(2, 1.12980, 1.12990, 1.12970, 1.12985)};
        ScriptedStrategy s3;
        s3.script[0] = {fixedOpen(Side::Sell, 1.0, 0.0, 1.12992)};
        const BacktestResult r3 = run(tpGap, s3, c);
        QCOMPARE(r3.trades.size(), size_t(1));
        QCOMPARE(r3.trades[0].closeReason, CloseReason::TpHit);
        QCOMPARE(r3.trades[0].closePrice, 1.12990);
    }

    void sellWhoseStopEqualsTheAskAtTheFillIsRejected()
    {
        // SELL at bid 1.13122 with SL 1.13132 = the ask at the fill: SL − ask = 0, MT5 answers 10016.
        Bars bars{bar(0, 1.1312, 1.1312, 1.1312, 1.1312), bar(1, 1.13122, 1.13125, 1.13120, 1.13122)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Sell, 1.0, 1.13132)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(0));
        QCOMPARE(r.rejectedOrders, 1);
        QVERIFY2(r.journal.join('\n').contains("SL 1.13132 is not above the ask 1.13132"), qPrintable(r.journal.join('\n')));
        QVERIFY(r.journal.join('\n').contains("10016"));
        // One point higher is valid.
        ScriptedStrategy s2;
        s2.script[0] = {fixedOpen(Side::Sell, 1.0, 1.13133)};
        QCOMPARE(run(bars, s2).trades.size(), size_t(1));
    }

    void longStopAndTakeProfitTiesAreExact()
    {
        // Bid low = SL exactly and bid high = TP exactly on the grid.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000),
                  bar(2, 1.10000, 1.10010, 1.09730, 1.09800)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0, 1.09730, 1.10300)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].closeReason, CloseReason::SlHit);
        QCOMPARE(r.trades[0].closePrice, 1.0973);

        Bars up{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000),
                bar(2, 1.10000, 1.10300, 1.09990, 1.10200)};
        ScriptedStrategy s2;
        s2.script[0] = {fixedOpen(Side::Buy, 1.0, 1.09730, 1.10300)};
        const BacktestResult r2 = run(up, s2);
        QCOMPARE(r2.trades.size(), size_t(1));
        QCOMPARE(r2.trades[0].closeReason, CloseReason::TpHit);
        QCOMPARE(r2.trades[0].closePrice, 1.103);
    }

    void stopsLevelIsNamedWhenItRejects()
    {
        SymbolSpec sym = testSymbol();
        sym.stopsLevelPoints = 20;
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0, 1.09985)};  // 15 points below the bid
        const BacktestResult r = run(bars, s, {}, sym);
        QCOMPARE(r.rejectedOrders, 1);
        QVERIFY2(r.journal.join('\n').contains("SL 1.09985 is 15 points below the bid 1.10000, closer than TEST's stops "
                                               "level of 20 points"),
                 qPrintable(r.journal.join('\n')));
        ScriptedStrategy s2;
        s2.script[0] = {fixedOpen(Side::Buy, 1.0, 1.09980)};  // exactly the stops level: valid
        QCOMPARE(run(bars, s2, {}, sym).trades.size(), size_t(1));
    }

    void volumeIsTheDecimalOfWholeSteps()
    {
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 0.337)};  // rounded down to the 0.01 step
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].volume, 0.33);  // the double of "0.33", not 33 · 0.01
    }

    void offGridBarPricesAreSnappedCountedAndWarned()
    {
        // 6-decimal prices on a 5-digit symbol: 1.100005 -> 1.10001 (half away from zero), 1.099994 -> 1.09999.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.100005, 1.100020, 1.099994, 1.100000),
                  bar(2, 1.10000, 1.10020, 1.09990, 1.10000)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.offGridBars, qint64(1));
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].openPrice, 1.10011);  // snapped open 1.10001 + 10 points
        QCOMPARE(r.warnings.size(), qsizetype(1));
        QVERIFY2(r.warnings[0].contains("1 of 3 bars have prices off TEST's price grid (5 digits"), qPrintable(r.warnings[0]));
        QVERIFY(r.warnings[0].contains("1.100005"));

        ScriptedStrategy clean;
        QVERIFY(run(Bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10001, 1.10002, 1.09999, 1.10001)}, clean).warnings.isEmpty());
    }

    void pricesCoarserThanTheSymbolsDigitsAreWarned()
    {
        // Gold-like data (3 decimals) run on a 5-digit symbol: nothing uses the 4th or 5th decimal.
        Bars gold;
        for (int i = 0; i < 12; ++i)
            gold.push_back(bar(i, 2000.125 + i, 2001.5 + i, 1999.25 + i, 2000.375 + i));
        ScriptedStrategy s;
        const BacktestResult r = run(gold, s);
        QCOMPARE(r.warnings.size(), qsizetype(1));
        QVERIFY2(r.warnings[0].contains("no price in the data uses the last of TEST's 5 digits (the prices have at most "
                                        "3 decimals)"),
                 qPrintable(r.warnings[0]));

        // The same number of bars with 5-decimal prices: no warning. Too few bars to judge: no warning.
        Bars fine;
        for (int i = 0; i < 12; ++i)
            fine.push_back(bar(i, 1.10001, 1.10003, 1.09999, 1.10002));
        ScriptedStrategy s2;
        QVERIFY(run(fine, s2).warnings.isEmpty());
        ScriptedStrategy s3;
        QVERIFY(run(Bars(gold.begin(), gold.begin() + 9), s3).warnings.isEmpty());
    }

    void mostOrdersRejectedWithAHealthyAccountIsWarned()
    {
        // Risk 1 % of 10,000 with a stop 60,000 points away: 0.0016 lots < 0.01 -> every order rejected.
        Bars bars;
        for (int i = 0; i < 30; ++i)
            bars.push_back(bar(i, 1.10001, 1.10003, 1.09999, 1.10002));
        ScriptedStrategy s;
        for (int i = 0; i < 12; ++i)
            s.script[i] = {Action::openTrade(Side::Buy, 1.0, 0.5, 0.0, 2.0)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.rejectedOrders, 12);
        QCOMPARE(r.warnings.size(), qsizetype(1));
        QVERIFY2(r.warnings[0].contains("12 of 12 orders (100.0%) were rejected while the balance was at least half") &&
                     r.warnings[0].contains("volume was below the symbol's minimum") &&
                     r.warnings[0].contains("likely does not belong to TEST"),
                 qPrintable(r.warnings[0]));

        // Nine rejections are not enough to judge.
        ScriptedStrategy few;
        for (int i = 0; i < 9; ++i)
            few.script[i] = {Action::openTrade(Side::Buy, 1.0, 0.5, 0.0, 2.0)};
        QVERIFY(run(bars, few).warnings.isEmpty());
    }

    void rejectionsOfABlownAccountAreNotADataWarning()
    {
        // 100 lots lose 60 points = 6,000 of the 10,000 deposit; later risk-sized orders cannot reach 0.01 lots
        // (4,000 · 0.01 % / 300 points = 0.0013 lots): rejected, but that is the account, not the data.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10000, 1.09940, 1.09950),
                  bar(2, 1.09950, 1.09960, 1.09940, 1.09950)};
        for (int i = 3; i < 30; ++i)
            bars.push_back(bar(i, 1.09951, 1.09953, 1.09949, 1.09952));
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 100.0, 1.09940)};
        for (int i = 5; i < 17; ++i)
            s.script[i] = {Action::openTrade(Side::Buy, 0.01, 1.09650, 0.0, 2.0)};
        const BacktestResult r = run(bars, s, {}, testSymbol());
        QCOMPARE(r.trades.size(), size_t(1));
        QVERIFY(r.stats.finalBalance < 5000.0);
        QCOMPARE(r.rejectedOrders, 12);
        QVERIFY2(r.warnings.isEmpty(), qPrintable(r.warnings.join('\n')));
    }

    void dataShorterThanTheWarmupIsWarned()
    {
        Bars bars{bar(0, 1.10001, 1.10003, 1.09999, 1.10002), bar(1, 1.10001, 1.10003, 1.09999, 1.10002),
                  bar(2, 1.10001, 1.10003, 1.09999, 1.10002)};
        ScriptedStrategy s;
        s.warmup = 2;  // 2 bars of warm-up + the deciding bar... needs 4 bars to fill
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.warnings.size(), qsizetype(1));
        QVERIFY2(r.warnings[0].contains("strategy scripted needs 2 bars of warm-up") &&
                     r.warnings[0].contains("the data has only 3 bars"),
                 qPrintable(r.warnings[0]));
        ScriptedStrategy s2;
        s2.warmup = 1;  // 1 + 2 = 3 bars: enough
        QVERIFY(run(bars, s2).warnings.isEmpty());
    }

    void streamedEquityStatisticsEqualTheStoredCurves()
    {
        // The engine feeds the equity metrics bar by bar; they must equal computeStats over the stored curve,
        // bit for bit, including the last point rewritten by the END_OF_TEST close. Hourly bars over ~12 days.
        Bars bars;
        for (int i = 0; i < 300; ++i) {
            const double mid = 1.1 + 0.002 * std::sin(i / 9.0);
            Bar b = bar(0, mid, mid + 0.0004, mid - 0.0004, mid + 0.0001);
            b.timeMs = 1704146400000LL + qint64(i) * 3600000;
            for (double *price : {&b.open, &b.high, &b.low, &b.close})
                *price = std::round(*price * 1e5) / 1e5;
            bars.push_back(b);
        }
        ScriptedStrategy s;
        for (int i = 0; i < 290; i += 20)
            s.script[i] = {fixedOpen(i % 40 == 0 ? Side::Buy : Side::Sell, 1.0), Action::closePosition(0)};
        s.script[295] = {fixedOpen(Side::Buy, 2.0)};  // still open at the end
        s.script[150] = {Action::openTrade(Side::Buy, 1.0, 5.0, 0.0, 0.0)};  // SL above the bid: rejected, journalled
        const BacktestResult r = run(bars, s);
        QVERIFY(r.trades.size() > 10);
        QCOMPARE(r.trades.back().closeReason, CloseReason::EndOfTest);
        const BacktestStats stored = computeStats(r.trades, r.equity, 10000.0);
        QVERIFY(stored.equityDrawdownMaximal > 0.0);
        QVERIFY(stored.sharpeRatio != 0.0);
        QCOMPARE(r.stats.equityDrawdownAbsolute, stored.equityDrawdownAbsolute);
        QCOMPARE(r.stats.equityDrawdownMaximal, stored.equityDrawdownMaximal);
        QCOMPARE(r.stats.equityDrawdownMaximalPercent, stored.equityDrawdownMaximalPercent);
        QCOMPARE(r.stats.equityDrawdownRelativePercent, stored.equityDrawdownRelativePercent);
        QCOMPARE(r.stats.equityDrawdownRelative, stored.equityDrawdownRelative);
        QCOMPARE(r.stats.sharpeRatio, stored.sharpeRatio);
        QCOMPARE(r.stats.recoveryFactor, stored.recoveryFactor);

        // Without the stored curve (the CLI's text report): the same trades and the same figures, no points.
        ScriptedStrategy again;
        again.script = s.script;
        BacktestControl statsOnly;
        statsOnly.keepEquityCurve = false;
        statsOnly.keepJournal = false;
        auto lean = runBacktest(bars, testSymbol(), again, BacktestConfig{}, statsOnly);
        QVERIFY(lean.ok());
        QVERIFY(lean->equity.empty());
        QVERIFY(!r.journal.isEmpty());
        QVERIFY(lean->journal.isEmpty());
        QCOMPARE(lean->rejectedOrders, r.rejectedOrders);
        QCOMPARE(lean->warnings, r.warnings);
        QCOMPARE(lean->trades.size(), r.trades.size());
        QCOMPARE(lean->stats.totalNetProfit, r.stats.totalNetProfit);
        QCOMPARE(lean->stats.equityDrawdownMaximal, r.stats.equityDrawdownMaximal);
        QCOMPARE(lean->stats.equityDrawdownRelativePercent, r.stats.equityDrawdownRelativePercent);
        QCOMPARE(lean->stats.equityDrawdownAbsolute, r.stats.equityDrawdownAbsolute);
        QCOMPARE(lean->stats.sharpeRatio, r.stats.sharpeRatio);
        QCOMPARE(lean->stats.recoveryFactor, r.stats.recoveryFactor);
    }

    void reportsCarryTheWarnings()
    {
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.100005, 1.100020, 1.099994, 1.100000)};
        ScriptedStrategy s;
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.warnings.size(), qsizetype(1));
        const QString text = formatReportText(r);
        QVERIFY2(text.endsWith(QStringLiteral("\n\nWarning: ") + r.warnings[0] + QLatin1Char('\n')), qPrintable(text));
        const QJsonObject json = reportJson(r);
        QCOMPARE(json.value("off_grid_bars").toInteger(), qint64(1));
        QCOMPARE(json.value("warnings").toArray().size(), qsizetype(1));
        QCOMPARE(json.value("warnings").toArray().at(0).toString(), r.warnings[0]);

        ScriptedStrategy clean;
        const BacktestResult quiet = run(Bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10001, 1.10002, 1.09999, 1.10001)}, clean);
        QVERIFY(!formatReportText(quiet).contains("Warning"));
        QVERIFY(reportJson(quiet).value("warnings").toArray().isEmpty());
    }

    void journalTimesAndNumbersReadLikeTheReport()
    {
        // Orders below the volume minimum are rejected at the next bar's open; the journal stamps that bar's time
        // as report::utcMinute does, around epoch 0, leap days and century years.
        const qint64 minute = 60000;
        const std::vector<qint64> times{-minute, 0, 946684740000, 951827640000, 1709251140000, 4107542400000};
        Bars bars;
        for (qint64 t : times) {
            Bar b = bar(0, 1.10001, 1.10003, 1.09999, 1.10002);
            b.timeMs = t;
            bars.push_back(b);
        }
        ScriptedStrategy s;
        for (int i = 0; i + 1 < int(times.size()); ++i)
            s.script[i] = {fixedOpen(Side::Sell, 0.004)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.journal.size(), qsizetype(times.size() - 1));
        for (size_t i = 1; i < times.size(); ++i)
            QCOMPARE(r.journal[qsizetype(i - 1)],
                     report::utcMinute(times[i]) + " UTC: order rejected: SELL at 1.10001: volume 0.00 lots is below the "
                                                   "symbol minimum 0.01 (equity too small for this risk % and stop distance)");
    }

    void barsAreTakenAsASpan()
    {
        // A sub-range of a vector (as a memory-mapped cache would be passed): no copy, same fills.
        Bars bars{bar(0, 9.9, 9.9, 9.9, 9.9), bar(1, 1.1, 1.1, 1.1, 1.1), bar(2, 1.10000, 1.10020, 1.09990, 1.10000)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0)};
        auto r = runBacktest(std::span<const Bar>(bars).subspan(1), testSymbol(), s, {});
        QVERIFY(r.ok());
        QCOMPARE(r->barsProcessed, qint64(2));
        QCOMPARE(r->trades.at(0).openPrice, 1.1001);
    }

    // ---- hostile input (issue 5 §2) ----

    void configRanges_data()
    {
        QTest::addColumn<double>("deposit");
        QTest::addColumn<int>("spread");
        QTest::addColumn<int>("slippage");
        QTest::addColumn<double>("commission");
        QTest::addColumn<QString>("message");  // empty: valid
        const double inf = std::numeric_limits<double>::infinity();
        const double nan = std::numeric_limits<double>::quiet_NaN();
        QTest::newRow("defaults") << 10000.0 << -1 << 0 << 0.0 << QString();
        QTest::newRow("lowest valid") << 0.001 << 0 << 0 << 0.0 << QString();
        QTest::newRow("highest valid") << 1e12 << 100000 << 100000 << 1e6 << QString();
        QTest::newRow("deposit nan") << nan << -1 << 0 << 0.0 << "initial deposit nan is out of range: give more than 0 and at most 1000000000000";
        QTest::newRow("deposit inf") << inf << -1 << 0 << 0.0 << "initial deposit inf is out of range";
        QTest::newRow("deposit 0") << 0.0 << -1 << 0 << 0.0 << "initial deposit 0 is out of range";
        QTest::newRow("deposit negative") << -5.0 << -1 << 0 << 0.0 << "initial deposit -5 is out of range";
        QTest::newRow("deposit huge") << 1e13 << -1 << 0 << 0.0 << "initial deposit 1e+13 is out of range";
        QTest::newRow("spread -2") << 1e4 << -2 << 0 << 0.0 << "spread -2 points is out of range: give 0 to 100000 whole points, or -1";
        QTest::newRow("spread huge") << 1e4 << 2147483647 << 0 << 0.0 << "spread 2147483647 points is out of range";
        QTest::newRow("slippage negative") << 1e4 << -1 << -1 << 0.0 << "slippage -1 points is out of range: give 0 to 100000 whole points";
        QTest::newRow("slippage 150000") << 1e4 << -1 << 150000 << 0.0 << "slippage 150000 points is out of range";
        QTest::newRow("commission 1e308") << 1e4 << -1 << 0 << 1e308 << "commission per lot 1e+308 is out of range: give 0 to 1000000";
        QTest::newRow("commission negative") << 1e4 << -1 << 0 << -1.0 << "commission per lot -1 is out of range";
        QTest::newRow("commission nan") << 1e4 << -1 << 0 << nan << "commission per lot nan is out of range";
    }

    void configRanges()
    {
        QFETCH(double, deposit);
        QFETCH(int, spread);
        QFETCH(int, slippage);
        QFETCH(double, commission);
        QFETCH(QString, message);
        BacktestConfig c;
        c.initialDeposit = deposit;
        c.spreadPoints = spread;
        c.slippagePoints = slippage;
        c.commissionPerLot = commission;
        const auto checked = validateBacktestConfig(c);
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 100.0)};
        const auto r = runBacktest(bars, testSymbol(), s, c);
        if (message.isEmpty()) {
            QVERIFY2(checked.ok(), qPrintable(checked.ok() ? QString() : checked.error().message));
            QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
            QVERIFY(std::isfinite(r->stats.finalBalance));  // 100 lots, 1,000,000 per lot per deal: still a number
        } else {
            QVERIFY(!checked.ok());
            QVERIFY2(checked.error().message.contains(message), qPrintable(checked.error().message));
            QVERIFY(!r.ok());
            QCOMPARE(r.error().message, checked.error().message);
        }
    }

    void fillAtOrBelowZeroIsNeverBooked()
    {
        // A 5-digit symbol trading at 0.00050 (50 points) with 100 points of slippage.
        Bars bars{bar(0, 0.0005, 0.0005, 0.0005, 0.0005), bar(1, 0.00050, 0.00052, 0.00048, 0.00050),
                  bar(2, 0.00050, 0.00052, 0.00048, 0.00050), bar(3, 0.00050, 0.00052, 0.00048, 0.00050)};
        BacktestConfig c;
        c.slippagePoints = 100;
        // SELL: bid 50 − 100 points = −50: rejected, never booked.
        ScriptedStrategy sell;
        sell.script[0] = {fixedOpen(Side::Sell, 1.0)};
        const BacktestResult rs = run(bars, sell, c);
        QCOMPARE(rs.trades.size(), size_t(0));
        QCOMPARE(rs.rejectedOrders, 1);
        QVERIFY2(rs.journal.join('\n').contains("the fill price is not above 0: the bid 0.00050 minus 100 points of slippage"),
                 qPrintable(rs.journal.join('\n')));
        // BUY fills at 50 + 10 + 100 = 160 points; its exit at bid 50 − 100 = −50 points is not a price:
        // it fills at 1 point (0.00001), the journal and a warning say so, the money stays finite.
        ScriptedStrategy buy;
        buy.script[0] = {fixedOpen(Side::Buy, 1.0)};
        buy.script[1] = {Action::closePosition(0)};
        const BacktestResult rb = run(bars, buy, c);
        QCOMPARE(rb.trades.size(), size_t(1));
        QCOMPARE(rb.trades[0].openPrice, 0.0016);
        QCOMPARE(rb.trades[0].closePrice, 0.00001);
        QCOMPARE(rb.trades[0].profit, -159.0);
        QVERIFY(rb.journal.join('\n').contains("is not a price (100 points of slippage); filled at 1 point, 0.00001"));
        QVERIFY(rb.warnings.join('\n').contains("1 exits would have filled at 0 or below"));
    }

    void barPricesThatAreNotPricesFailTheRun()
    {
        ScriptedStrategy s;
        for (double badPrice : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity(), 1e300, 0.000004}) {
            Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.1, 1.1, badPrice, 1.1)};
            const auto r = runBacktest(bars, testSymbol(), s, {});
            QVERIFY(!r.ok());
            QVERIFY2(r.error().message.contains("bar 1 (2024-01-01 22:01 UTC)") &&
                         r.error().message.contains("is not a positive price within TEST's range"),
                     qPrintable(r.error().message));
        }
    }

    // The bar loop checks a stretch of bars ahead and converts prices only when an order or a position needs them
    // when the whole stretch is on the grid; a stretch with a price off the grid goes through the per-bar check and
    // snap. Both must give the same run: here every 50th bar of B is off the grid (by 0.3 point, snapped back to
    // A's price), so every stretch of B takes the per-bar path and none of A's does.
    void onGridStretchesAndPerBarChecksGiveTheSameRun()
    {
        Bars a;
        std::uint64_t seed = 12345;
        const auto next = [&] { seed = seed * 6364136223846793005ULL + 1442695040888963407ULL; return int(seed >> 59); };
        qint64 points = 110000;
        for (int i = 0; i < 10000; ++i) {
            const qint64 open = points;
            const qint64 close = open + next() - 16;
            const qint64 high = std::max(open, close) + next() / 4;
            const qint64 low = std::min(open, close) - next() / 4;
            a.push_back(bar(i, open / 1e5, high / 1e5, low / 1e5, close / 1e5));
            points = close;
        }
        Bars b = a;
        for (size_t i = 25; i < b.size(); i += 50)
            b[i].high = (std::round(b[i].high * 1e5) + 0.3) / 1e5;
        const auto script = [](ScriptedStrategy &s) {
            for (qint64 i = 10; i < 9990; i += 37)
                s.script[i] = {fixedOpen(i % 2 ? Side::Buy : Side::Sell, 1.0, 0.0, 0.0)};
            for (qint64 i = 30; i < 9990; i += 53)
                s.script[i].push_back(Action::closePosition(0));
        };
        ScriptedStrategy sa, sb;
        script(sa);
        script(sb);
        const BacktestResult ra = run(a, sa);
        const BacktestResult rb = run(b, sb);
        QCOMPARE(ra.offGridBars, qint64(0));
        QCOMPARE(rb.offGridBars, qint64(200));
        QVERIFY(ra.trades.size() > 100);
        QCOMPARE(rb.trades.size(), ra.trades.size());
        for (size_t k = 0; k < ra.trades.size(); ++k) {
            QCOMPARE(rb.trades[k].openPrice, ra.trades[k].openPrice);
            QCOMPARE(rb.trades[k].closePrice, ra.trades[k].closePrice);
            QCOMPARE(rb.trades[k].profit, ra.trades[k].profit);
            QCOMPARE(rb.trades[k].mae, ra.trades[k].mae);
            QCOMPARE(rb.trades[k].mfe, ra.trades[k].mfe);
        }
        QCOMPARE(sb.equitySeen, sa.equitySeen);
        QCOMPARE(rb.equity.size(), ra.equity.size());
        for (size_t k = 0; k < ra.equity.size(); ++k) {
            QCOMPARE(rb.equity[k].equity, ra.equity[k].equity);
            QCOMPARE(rb.equity[k].equityLow, ra.equity[k].equityLow);
        }
        QCOMPARE(rb.stats.equityDrawdownMaximal, ra.stats.equityDrawdownMaximal);
        QCOMPARE(rb.stats.sharpeRatio, ra.stats.sharpeRatio);

        // A bad price deep inside a clean series fails the run at that bar, whatever stretch it falls in.
        for (double badPrice : {0.0, std::nan(""), 1e300}) {
            Bars bad = a;
            bad[9000].low = badPrice;
            ScriptedStrategy sc;
            const auto r = runBacktest(bad, testSymbol(), sc, {});
            QVERIFY(!r.ok());
            QVERIFY2(r.error().message.contains("bar 9000 ("), qPrintable(r.error().message));
            QCOMPARE(sc.equitySeen.size(), size_t(9000));  // the strategy saw every bar before it, none after
        }
    }

    void modifyToTheWrongSideIsRejectedAndTheOldStopStays()
    {
        // Long from 1.10010, SL 1.09800. At bar 1's close (bid 1.10000) a new SL 1.10005 is above the bid: rejected.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000),
                  bar(2, 1.10000, 1.10020, 1.09900, 1.10000)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0, 1.09800)};
        s.script[1] = {Action::modifySltp(0, 1.10005, 0.0)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.rejectedOrders, 1);
        QVERIFY2(r.journal.join('\n').contains("modify rejected: ticket 1: invalid stops (MT5 retcode 10016): SL 1.10005 "
                                               "is not below the bid 1.10000"),
                 qPrintable(r.journal.join('\n')));
        QCOMPARE(r.trades.size(), size_t(1));
        QCOMPARE(r.trades[0].closeReason, CloseReason::EndOfTest);
        QCOMPARE(r.trades[0].sl, 1.098);
    }

    // ---- CLOSE_POSITION by side / in part, REDUCE_POSITION (strategy.h; docs/backtest-model.md) ----

    void partialCloseSplitsVolumeProfitAndCommission()
    {
        // BUY 1.00 lot filled at bar 1's ask 1.10010, 3.5 USD per lot per deal: entry commission −3.50.
        // Bar 1 decides closing 0.30: at bar 2's open bid 1.10110, 100 points · 0.30 = 30.00 USD profit; the part
        // carries 0.30/1.00 of the entry commission (−1.05) and its own exit commission (−1.05). MAE/MFE of the
        // part: worst bid 1.09980 (bar 1's low, −30 points), best 1.10110 (its exit) -> −9.00 / +30.00.
        // The rest (0.70, entry commission −2.45) closes at the end at bar 3's bid close 1.10100: 90 points ·
        // 0.70 = 63.00, commission −2.45 − 2.45 = −4.90, MAE −30 · 0.70 = −21.00, MFE 140 · 0.70 = 98.00
        // (bar 2's high 1.10150).
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10050, 1.09980, 1.10040),
                  bar(2, 1.10110, 1.10150, 1.10100, 1.10120), bar(3, 1.10120, 1.10130, 1.10090, 1.10100)};
        struct Probe : ScriptedStrategy {
            std::vector<Position> seen;
            void onBar(const Bar &b, const StrategyContext &ctx, std::vector<Action> &actions) override
            {
                seen.insert(seen.end(), ctx.positions.begin(), ctx.positions.end());
                ScriptedStrategy::onBar(b, ctx, actions);
            }
        } s;
        s.script[0] = {fixedOpen(Side::Buy, 1.0)};
        s.script[1] = {Action::closePart(0.30)};
        BacktestConfig c;
        c.commissionPerLot = 3.5;
        const BacktestResult r = run(bars, s, c);
        QCOMPARE(r.rejectedOrders, 0);
        QCOMPARE(r.trades.size(), size_t(2));
        const Trade &part = r.trades[0];
        QCOMPARE(part.ticket, quint64(1));
        QCOMPARE(part.volume, 0.30);
        QCOMPARE(part.openPrice, 1.10010);
        QCOMPARE(part.openTimeMs, bars[1].timeMs);
        QCOMPARE(part.closePrice, 1.10110);
        QCOMPARE(part.closeTimeMs, bars[2].timeMs);
        QCOMPARE(part.closeReason, CloseReason::StrategyExit);
        QCOMPARE(part.profit, 30.0);
        QCOMPARE(part.commission, -2.10);
        QCOMPARE(part.mae, -9.0);
        QCOMPARE(part.mfe, 30.0);
        const Trade &rest = r.trades[1];
        QCOMPARE(rest.ticket, quint64(1));
        QCOMPARE(rest.volume, 0.70);
        QCOMPARE(rest.closeReason, CloseReason::EndOfTest);
        QCOMPARE(rest.profit, 63.0);
        QCOMPARE(rest.commission, -4.90);
        QCOMPARE(rest.mae, -21.0);
        QCOMPARE(rest.mfe, 98.0);
        // The strategy saw the position whole at bar 1 and with the rest from bar 2 on.
        QCOMPARE(s.seen.size(), size_t(3));
        QCOMPARE(s.seen[0].volume, 1.0);
        QCOMPARE(s.seen[0].commission, -3.5);
        QCOMPARE(s.seen[1].volume, 0.70);
        QCOMPARE(s.seen[1].commission, -2.45);
        QCOMPARE(s.seen[1].ticket, quint64(1));
        // Each exit deal is a trade (MT5's rule): 2 trades, 3 deals; the balance is the sum of the deals.
        QCOMPARE(r.stats.totalTrades, 2);
        QCOMPARE(r.stats.totalDeals, 3);
        QVERIFY(qAbs(r.stats.finalBalance - (10000.0 - 3.5 + 30.0 - 1.05 + 63.0 - 2.45)) < 1e-9);
        QVERIFY(qAbs(r.stats.totalNetProfit - (part.netProfit() + rest.netProfit())) < 1e-9);
    }

    void partialCloseOfAShortAndOfItsWholeVolume()
    {
        // SELL 0.50 at bar 1's bid 1.10000 (spread 10). Bar 1: close 0.20 of the SELL side -> bar 2's ask
        // 1.09900 + 0.00010 = 1.09910: 90 points · 0.20 = 18.00. Bar 2: close 0.30 (all that is left) of ticket 1:
        // a whole close at bar 3's ask 1.09960: 40 points · 0.30 = 12.00.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10010, 1.09950, 1.09960),
                  bar(2, 1.09900, 1.09960, 1.09880, 1.09950), bar(3, 1.09950, 1.10000, 1.09940, 1.09990)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Sell, 0.5)};
        s.script[1] = {Action::closePart(0.20, 0, Side::Sell)};
        s.script[2] = {Action::closePart(0.30, 1)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.rejectedOrders, 0);
        QCOMPARE(r.trades.size(), size_t(2));
        QCOMPARE(r.trades[0].volume, 0.20);
        QCOMPARE(r.trades[0].closePrice, 1.09910);
        QCOMPARE(r.trades[0].profit, 18.0);
        QCOMPARE(r.trades[1].volume, 0.30);
        QCOMPARE(r.trades[1].closePrice, 1.09960);
        QCOMPARE(r.trades[1].profit, 12.0);
        QCOMPARE(r.trades[1].closeReason, CloseReason::StrategyExit);
        QCOMPARE(s.positionsSeen.back(), size_t(0));
    }

    void closeBySideClosesOnlyThatSide()
    {
        // Tickets 1 BUY 0.10, 2 SELL 0.20, 3 BUY 0.30, all filled at bar 1's open. Closing the BUY side at bar 2's
        // open closes 1 and 3 (opening order); 2 stays until the end.
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000),
                  bar(2, 1.10000, 1.10020, 1.09990, 1.10000), bar(3, 1.10000, 1.10020, 1.09990, 1.10000)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 0.1), fixedOpen(Side::Sell, 0.2), fixedOpen(Side::Buy, 0.3)};
        s.script[1] = {Action::closeSide(Side::Buy), Action::closeSide(Side::Buy)};  // the second finds none: no-op
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.rejectedOrders, 0);
        QVERIFY2(r.journal.isEmpty(), qPrintable(r.journal.join('\n')));
        QCOMPARE(r.trades.size(), size_t(3));
        QCOMPARE(r.trades[0].ticket, quint64(1));
        QCOMPARE(r.trades[1].ticket, quint64(3));
        QCOMPARE(r.trades[0].closeTimeMs, bars[2].timeMs);
        QCOMPARE(r.trades[1].closeTimeMs, bars[2].timeMs);
        QCOMPARE(r.trades[2].ticket, quint64(2));
        QCOMPARE(r.trades[2].closeReason, CloseReason::EndOfTest);
    }

    void reduceClosesMostRecentFirstAcrossPositions()
    {
        // BUY 0.10 (ticket 1), SELL 0.40 (2), BUY 0.20 (3), BUY 0.30 (4). Reducing the BUY side by 0.45: ticket 4
        // whole (0.30), then 0.15 of ticket 3 (0.05 stays); 1 and 2 untouched. Then reducing by 0.50 over both sides:
        // ticket 3's 0.05, ticket 2's 0.40 (a SELL), then 0.05 of ticket 1 (0.05 stays to the end).
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000),
                  bar(2, 1.10050, 1.10060, 1.10040, 1.10050), bar(3, 1.10100, 1.10120, 1.10090, 1.10100),
                  bar(4, 1.10100, 1.10120, 1.10090, 1.10100)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 0.1), fixedOpen(Side::Sell, 0.4), fixedOpen(Side::Buy, 0.2),
                       fixedOpen(Side::Buy, 0.3)};
        s.script[1] = {Action::reducePosition(0.45, Side::Buy)};
        s.script[2] = {Action::reducePosition(0.50)};
        const BacktestResult r = run(bars, s);
        QCOMPARE(r.rejectedOrders, 0);
        QCOMPARE(r.trades.size(), size_t(6));
        const auto is = [&](size_t i, quint64 ticket, double volume, qint64 closeBar) {
            const Trade &t = r.trades[i];
            return t.ticket == ticket && t.volume == volume && t.closeTimeMs == bars[size_t(closeBar)].timeMs;
        };
        QVERIFY(is(0, 4, 0.30, 2));
        QVERIFY(is(1, 3, 0.15, 2));
        QVERIFY(is(2, 3, 0.05, 3));
        QVERIFY(is(3, 2, 0.40, 3));
        QVERIFY(is(4, 1, 0.05, 3));
        QVERIFY(is(5, 1, 0.05, 4));  // the rest of ticket 1 at the end
        QCOMPARE(r.trades[5].closeReason, CloseReason::EndOfTest);
        // BUY 0.15 of ticket 3: bought at ask 1.10010, sold at bid 1.10050: 40 points · 0.15 = 6.00.
        QCOMPARE(r.trades[1].profit, 6.0);
        // SELL 0.40 of ticket 2: sold at bid 1.10000, bought back at ask 1.10110: −110 · 0.40 = −44.00.
        QCOMPARE(r.trades[3].profit, -44.0);
        QCOMPARE(r.stats.totalTrades, 6);
        QCOMPARE(r.stats.totalDeals, 4 + 6);
    }

    void refusedClosesAreJournaledAndTheRunGoesOn()
    {
        // Volume min 0.10, step 0.01. BUY 0.50 (ticket 1) and BUY 0.50 (ticket 2).
        SymbolSpec sym = testSymbol();
        sym.volumeMin = 0.10;
        Bars bars{bar(0, 1.1, 1.1, 1.1, 1.1), bar(1, 1.10000, 1.10020, 1.09990, 1.10000),
                  bar(2, 1.10000, 1.10020, 1.09990, 1.10000), bar(3, 1.10000, 1.10020, 1.09990, 1.10000)};
        ScriptedStrategy s;
        s.script[0] = {fixedOpen(Side::Buy, 0.5), fixedOpen(Side::Buy, 0.5)};
        s.script[1] = {
            Action::closePart(0.05),                   // part below the min
            Action::closePart(0.109),                  // rounded down to 0.10 of ticket 2: accepted, 0.40 stay
            Action::closePart(0.45, 1),                // would leave 0.05 of ticket 1: remainder below the min
            Action::closePart(0.60),                   // more than ticket 2's 0.40 after the close above
            Action::closePart(0.10, 99),               // no such ticket
            Action::closePosition(99),                 // no such ticket, whole
            Action::closePart(0.10, 0, Side::Sell),    // no SELL position
            Action::reducePosition(0.20, Side::Sell),  // no SELL position
            Action::reducePosition(0.0),               // no volume
            Action::reducePosition(std::numeric_limits<double>::quiet_NaN()),
            Action::reducePosition(2.0),               // more than the 0.90 open
            Action::reducePosition(0.45),              // ticket 2's 0.40, then 0.05 of ticket 1: part below the min
            Action::reducePosition(0.85),              // ticket 2's 0.40, then 0.45 of ticket 1: rest 0.05 below
        };
        s.script[2] = {Action::reducePosition(0.60)};  // 0.40 + 0.20: allowed
        const BacktestResult r = run(bars, s, {}, sym);
        const QString journal = r.journal.join('\n');
        QCOMPARE(r.rejectedOrders, 12);
        for (const char *want : {
                 "close rejected: volume 0.05 lots (0.05 on the volume step) is below TEST's volume min 0.1 (MT5 retcode "
                 "10014 TRADE_RETCODE_INVALID_VOLUME)",
                 "close rejected: closing 0.45 of the 0.50 lots of BUY ticket 1 would leave 0.05 lots open, below "
                 "TEST's volume min 0.1 (MT5 retcode 10014 TRADE_RETCODE_INVALID_VOLUME)",
                 "close rejected: volume 0.60 lots is above the 0.40 lots of BUY ticket 2 (MT5 retcode 10038 "
                 "TRADE_RETCODE_INVALID_CLOSE_VOLUME)",
                 "close rejected: no open ticket 99 to close (2 open positions)",
                 "close rejected: no open SELL positions to close (2 open positions)",
                 "reduce rejected: no open SELL positions to close",
                 "reduce rejected: volume 0 is not a positive number of lots",
                 "reduce rejected: volume nan is not a positive number of lots",
                 "reduce rejected: volume 2.00 lots is above the 0.90 lots of the open positions (MT5 retcode 10038",
                 "reduce rejected: closing 0.05 of the 0.50 lots of BUY ticket 1 would close a part below TEST's volume "
                 "min 0.1 (MT5 retcode 10014 TRADE_RETCODE_INVALID_VOLUME)",
                 "reduce rejected: closing 0.45 of the 0.50 lots of BUY ticket 1 would leave 0.05 lots open, below "
                 "TEST's volume min 0.1"})
            QVERIFY2(journal.contains(QString::fromUtf8(want)), qPrintable(QStringLiteral("%1\nnot in:\n%2").arg(want, journal)));
        QCOMPARE(journal.count(QStringLiteral("no open ticket 99")), 2);
        // Accepted: 0.10 of ticket 2 at bar 2; then 0.40 (ticket 2's rest) and 0.20 of ticket 1 at bar 3; ticket 1's
        // 0.30 at the end.
        QCOMPARE(r.trades.size(), size_t(4));
        QCOMPARE(r.trades[0].ticket, quint64(2));
        QCOMPARE(r.trades[0].volume, 0.10);
        QCOMPARE(r.trades[1].ticket, quint64(2));
        QCOMPARE(r.trades[1].volume, 0.40);
        QCOMPARE(r.trades[2].ticket, quint64(1));
        QCOMPARE(r.trades[2].volume, 0.20);
        QCOMPARE(r.trades[2].closeTimeMs, bars[3].timeMs);
        QCOMPARE(r.trades[3].volume, 0.30);
        QCOMPARE(r.trades[3].closeReason, CloseReason::EndOfTest);
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

        SymbolSpec offGrid = testSymbol();
        offGrid.point = 0.0001;  // not 10^-digits
        auto spec = runBacktest(bars, offGrid, s, {});
        QVERIFY(!spec.ok());
        QVERIFY2(spec.error().message.contains("point 0.0001 is not 10^-digits (digits 5)"), qPrintable(spec.error().message));
    }
};

QTEST_GUILESS_MAIN(TestBacktestEngine)
#include "tst_backtestengine.moc"
