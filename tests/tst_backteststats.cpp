// MT5 report metrics on hand-computed cases (ANCHORS.md §4 definitions).

#include "backteststats.h"

#include <QtTest>

#include <cmath>

using namespace bd;

namespace {

constexpr qint64 kT0 = 1704146400000LL;  // 2024-01-01 22:00 UTC
constexpr qint64 kHour = 3600000;

Trade trade(double net, Side side = Side::Buy, qint64 openMs = kT0, qint64 closeMs = kT0 + kHour)
{
    Trade t;
    t.side = side;
    t.profit = net;
    t.openTimeMs = openMs;
    t.closeTimeMs = closeMs;
    return t;
}

bool near(double a, double b, double eps = 1e-9) { return std::abs(a - b) <= eps; }

} // namespace

class TestBacktestStats : public QObject {
    Q_OBJECT
private slots:
    void profitBlockAndStreaks()
    {
        // Results W+100 W+50 L−30 L−20 L−10 W+40 on a 1,000 deposit.
        const std::vector<Trade> trades{trade(100), trade(50, Side::Sell), trade(-30), trade(-20, Side::Sell),
                                        trade(-10), trade(40, Side::Sell)};
        const BacktestStats s = computeStats(trades, {}, 1000.0);
        QCOMPARE(s.totalTrades, 6);
        QCOMPARE(s.totalDeals, 12);
        QVERIFY(near(s.grossProfit, 190.0));
        QVERIFY(near(s.grossLoss, -60.0));
        QVERIFY(near(s.totalNetProfit, 130.0));
        QVERIFY(near(s.finalBalance, 1130.0));
        QVERIFY(near(s.profitFactor, 190.0 / 60.0));
        QVERIFY(near(s.expectedPayoff, 130.0 / 6.0));
        QCOMPARE(s.profitTrades, 3);
        QCOMPARE(s.lossTrades, 3);
        QVERIFY(near(s.winRatePercent, 50.0));
        QCOMPARE(s.longTrades, 3);
        QCOMPARE(s.longTradesWon, 1);
        QCOMPARE(s.shortTrades, 3);
        QCOMPARE(s.shortTradesWon, 2);
        QVERIFY(near(s.largestProfitTrade, 100.0));
        QVERIFY(near(s.largestLossTrade, -30.0));
        QVERIFY(near(s.averageProfitTrade, 190.0 / 3.0));
        QVERIFY(near(s.averageLossTrade, -20.0));
        // Win streaks: [100, 50] and [40]; loss streak: [−30, −20, −10].
        QCOMPARE(s.maxConsecutiveWins, 2);
        QVERIFY(near(s.maxConsecutiveWinsMoney, 150.0));
        QVERIFY(near(s.maximalConsecutiveProfit, 150.0));
        QCOMPARE(s.maximalConsecutiveProfitCount, 2);
        QCOMPARE(s.maxConsecutiveLosses, 3);
        QVERIFY(near(s.maxConsecutiveLossesMoney, -60.0));
        QVERIFY(near(s.maximalConsecutiveLoss, -60.0));
        QCOMPARE(s.maximalConsecutiveLossCount, 3);
        QVERIFY(near(s.averageConsecutiveWins, 1.5));
        QVERIFY(near(s.averageConsecutiveLosses, 3.0));
        // Balance 1100 1150 1120 1100 1090 1130: peak 1150 -> trough 1090 = 60 = 5.2173913 %.
        QVERIFY(near(s.balanceDrawdownMaximal, 60.0));
        QVERIFY(near(s.balanceDrawdownMaximalPercent, 60.0 / 1150.0 * 100.0));
        QVERIFY(near(s.balanceDrawdownRelativePercent, 60.0 / 1150.0 * 100.0));
        QVERIFY(near(s.balanceDrawdownAbsolute, 0.0));
    }

    void longestAndCostliestStreaksDiffer()
    {
        // Losses: [−10 −10 −10] (longest, −30) then a win, then [−50 −40] (costliest, −90).
        const std::vector<Trade> trades{trade(-10), trade(-10), trade(-10), trade(5), trade(-50), trade(-40)};
        const BacktestStats s = computeStats(trades, {}, 1000.0);
        QCOMPARE(s.maxConsecutiveLosses, 3);
        QVERIFY(near(s.maxConsecutiveLossesMoney, -30.0));
        QVERIFY(near(s.maximalConsecutiveLoss, -90.0));
        QCOMPARE(s.maximalConsecutiveLossCount, 2);
        QVERIFY(near(s.averageConsecutiveLosses, 2.5));
    }

    void maximalAndRelativeDrawdownComeFromDifferentEpisodes()
    {
        // Deposit 100: −50 (50 -> 50 % drop), +950 (1000), −100 (900 -> 100 money but only 10 %).
        const std::vector<Trade> trades{trade(-50), trade(950), trade(-100)};
        const BacktestStats s = computeStats(trades, {}, 100.0);
        QVERIFY(near(s.balanceDrawdownAbsolute, 50.0));
        QVERIFY(near(s.balanceDrawdownMaximal, 100.0));
        QVERIFY(near(s.balanceDrawdownMaximalPercent, 10.0));
        QVERIFY(near(s.balanceDrawdownRelativePercent, 50.0));
        QVERIFY(near(s.balanceDrawdownRelative, 50.0));
    }

    void equityDrawdownUsesIntrabarLowsAndRecoveryFactor()
    {
        // Equity (close / low): 1000/990, 1050/1040, 1020/980, 1100/1100.
        // Troughs vs the peak before them: 10 (1 %), 10, 70 (6.667 %), 0. Absolute: 1000 − 980 = 20.
        const std::vector<EquityPoint> equity{{kT0, 1000, 1000, 990}, {kT0 + 60000, 1000, 1050, 1040},
                                              {kT0 + 120000, 1000, 1020, 980}, {kT0 + 180000, 1100, 1100, 1100}};
        const std::vector<Trade> trades{trade(100)};
        const BacktestStats s = computeStats(trades, equity, 1000.0);
        QVERIFY(near(s.equityDrawdownMaximal, 70.0));
        QVERIFY(near(s.equityDrawdownMaximalPercent, 70.0 / 1050.0 * 100.0));
        QVERIFY(near(s.equityDrawdownRelativePercent, 70.0 / 1050.0 * 100.0));
        QVERIFY(near(s.equityDrawdownRelative, 70.0));
        QVERIFY(near(s.equityDrawdownAbsolute, 20.0));
        QVERIFY(near(s.recoveryFactor, 100.0 / 70.0));
    }

    void sharpeFromDailyReturns()
    {
        // Day-end equities 1010, 1030.2, 1019.898 on a 1,000 deposit -> returns +1 %, +2 %, −1 %.
        const qint64 day = 86400000;
        const qint64 d0 = 1704067200000LL;  // 2024-01-01 00:00 UTC
        const std::vector<EquityPoint> equity{{d0 + 1000, 1000, 1005, 1005},     {d0 + 2000, 1000, 1010, 1010},
                                              {d0 + day, 1000, 1020, 1020},      {d0 + day + 5, 1000, 1030.2, 1030.2},
                                              {d0 + 2 * day, 1000, 1019.898, 1019.898}};
        const BacktestStats s = computeStats({}, equity, 1000.0);
        const double mean = (0.01 + 0.02 - 0.01) / 3.0;
        const double var = ((0.01 - mean) * (0.01 - mean) + (0.02 - mean) * (0.02 - mean)
                            + (-0.01 - mean) * (-0.01 - mean)) / 2.0;
        QVERIFY2(near(s.sharpeRatio, mean / std::sqrt(var) * std::sqrt(252.0), 1e-9),
                 qPrintable(QString::number(s.sharpeRatio, 'g', 17)));
    }

    void equityDrawdownEqualsTheDefinitionOnALongCurve()
    {
        // computeStats divides only at new extremes; the figures must equal the definition applied to every
        // sample (peak from equity, trough from min(equityLow, equity), dd and dd/peak·100 per sample), bit for bit.
        std::vector<EquityPoint> curve;
        double e = 10000.0;
        quint32 seed = 7;
        for (int i = 0; i < 20000; ++i) {
            seed = seed * 1664525u + 1013904223u;
            e += (double(seed >> 8) / double(1u << 24) - 0.49) * 40.0;
            EquityPoint p;
            p.timeMs = kT0 + qint64(i) * 60000;
            p.equity = e;
            p.balance = e;
            p.equityLow = e - double(seed % 50);
            curve.push_back(p);
        }
        double peak = 10000.0, minimum = 10000.0, maximal = 0, maximalPercent = 0, relativePercent = 0, relative = 0;
        for (const EquityPoint &p : curve) {
            const double trough = std::min(p.equityLow, p.equity);
            minimum = std::min(minimum, trough);
            const double dd = peak - trough;
            const double rel = peak > 0.0 ? dd / peak * 100.0 : 0.0;
            if (dd > maximal) {
                maximal = dd;
                maximalPercent = rel;
            }
            if (rel > relativePercent) {
                relativePercent = rel;
                relative = dd;
            }
            peak = std::max(peak, p.equity);
        }
        const BacktestStats s = computeStats({}, curve, 10000.0);
        QVERIFY(maximal > 100.0);  // the walk does draw down
        QCOMPARE(s.equityDrawdownMaximal, maximal);
        QCOMPARE(s.equityDrawdownMaximalPercent, maximalPercent);
        QCOMPARE(s.equityDrawdownRelativePercent, relativePercent);
        QCOMPARE(s.equityDrawdownRelative, relative);
        QCOMPARE(s.equityDrawdownAbsolute, std::max(0.0, 10000.0 - minimum));
    }

    // The engine's flat-bar loop skips addFlat while a bar's time is below flatQuietUntil(balance). Skipping must
    // give the same statistics as feeding every point: here a curve of flat runs (several days each, some runs
    // crossing midnight, one starting below the previous equity) with moving points between them.
    void flatPointsBeforeFlatQuietUntilChangeNothing()
    {
        EquityCurveStats all(10000.0), skipping(10000.0);
        quint32 seed = 11;
        double balance = 10000.0;
        qint64 t = kT0;
        int skipped = 0, fedFlat = 0;
        for (int run = 0; run < 400; ++run) {
            seed = seed * 1664525u + 1013904223u;
            const int flatBars = 30 + int(seed % 2000);  // up to ~1.4 days of M1 bars
            qint64 quietUntil = skipping.flatQuietUntil(balance);
            for (int k = 0; k < flatBars; ++k, t += 60000) {
                all.addFlat(t, balance);
                if (t >= quietUntil) {
                    skipping.addFlat(t, balance);
                    quietUntil = skipping.flatQuietUntil(balance);
                    ++fedFlat;
                } else {
                    ++skipped;
                }
            }
            // A few bars with a position open: equity and its low move, the balance changes at the close.
            for (int k = 0; k < 5; ++k, t += 60000) {
                seed = seed * 1664525u + 1013904223u;
                const double equity = balance + (double(seed >> 8) / double(1u << 24) - 0.5) * 60.0;
                const EquityPoint p{t, balance, equity, equity - double(seed % 25)};
                all.add(p);
                skipping.add(p);
            }
            balance += (double(seed % 1000) - 520.0) / 10.0;
        }
        QVERIFY(skipped > 100 * fedFlat);  // the skip is what the loop mostly does
        QVERIFY(all.drawdownMaximal() > 100.0);
        QCOMPARE(skipping.drawdownMaximal(), all.drawdownMaximal());
        QCOMPARE(skipping.drawdownMaximalPercent(), all.drawdownMaximalPercent());
        QCOMPARE(skipping.drawdownRelativePercent(), all.drawdownRelativePercent());
        QCOMPARE(skipping.drawdownRelative(), all.drawdownRelative());
        QCOMPARE(skipping.drawdownAbsolute(), all.drawdownAbsolute());
        QVERIFY(all.sharpeRatio() != 0.0);
        QCOMPARE(skipping.sharpeRatio(), all.sharpeRatio());
        // A value other than the last equity is never quiet.
        QCOMPARE(skipping.flatQuietUntil(balance + 0.01), std::numeric_limits<qint64>::min());
    }

    void edgeCases()
    {
        const BacktestStats none = computeStats({}, {}, 1000.0);
        QCOMPARE(none.totalTrades, 0);
        QCOMPARE(none.profitFactor, 0.0);
        QCOMPARE(none.expectedPayoff, 0.0);
        QCOMPARE(none.sharpeRatio, 0.0);
        QCOMPARE(none.finalBalance, 1000.0);

        const BacktestStats onlyWins = computeStats({trade(10), trade(20)}, {}, 1000.0);
        QVERIFY(std::isinf(onlyWins.profitFactor));
        QCOMPARE(onlyWins.maxConsecutiveWins, 2);

        // A zero result is neither a win nor a loss and breaks both streaks.
        const BacktestStats zero = computeStats({trade(10), trade(0), trade(10)}, {}, 1000.0);
        QCOMPARE(zero.profitTrades, 2);
        QCOMPARE(zero.lossTrades, 0);
        QCOMPARE(zero.maxConsecutiveWins, 1);
    }

    void holdingTimes()
    {
        const std::vector<Trade> trades{trade(1, Side::Buy, kT0, kT0 + kHour), trade(1, Side::Buy, kT0, kT0 + 3 * kHour)};
        const BacktestStats s = computeStats(trades, {}, 1000.0);
        QCOMPARE(s.minHoldingTimeMs, kHour);
        QCOMPARE(s.maxHoldingTimeMs, 3 * kHour);
        QCOMPARE(s.averageHoldingTimeMs, 2 * kHour);
    }
};

QTEST_GUILESS_MAIN(TestBacktestStats)
#include "tst_backteststats.moc"
