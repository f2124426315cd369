#include "backteststats.h"

#include <algorithm>
#include <cmath>

namespace bd {
namespace {

// MT5 drawdown triple over one curve (ANCHORS.md §4.3 pseudo-code). `peakOf(i)` is the value that can
// become a new peak, `troughOf(i)` the lowest value reached at sample i.
struct Drawdown {
    double absolute = 0.0;
    double maximal = 0.0;
    double maximalPercent = 0.0;
    double relativePercent = 0.0;
    double relative = 0.0;
};

template <typename PeakFn, typename TroughFn>
Drawdown drawdownOf(size_t count, double initial, PeakFn peakOf, TroughFn troughOf)
{
    Drawdown d;
    double peak = initial;
    double minimum = initial;
    for (size_t i = 0; i < count; ++i) {
        const double trough = troughOf(i);
        minimum = std::min(minimum, trough);
        const double dd = peak - trough;
        const double rel = peak > 0.0 ? dd / peak * 100.0 : 0.0;
        if (dd > d.maximal) {
            d.maximal = dd;
            d.maximalPercent = rel;
        }
        if (rel > d.relativePercent) {
            d.relativePercent = rel;
            d.relative = dd;
        }
        peak = std::max(peak, peakOf(i));
    }
    d.absolute = std::max(0.0, initial - minimum);
    return d;
}

// The equity drawdown triple and the last equity of each UTC day, in one pass over the curve (one point per bar,
// so this loop runs as often as the backtest's). Same results as drawdownOf: the percentage dd / peak · 100
// grows with dd for a fixed peak, so it is computed only when dd exceeds the largest drop seen since the peak
// was set (a division per new extreme, not per bar).
struct EquityScan {
    Drawdown drawdown;
    std::vector<double> dayEnds;
};

EquityScan scanEquity(const std::vector<EquityPoint> &equity, double initial)
{
    constexpr qint64 kDayMs = 86'400'000;
    EquityScan scan;
    Drawdown &d = scan.drawdown;
    double peak = initial;
    double minimum = initial;
    double peakMaxDrop = -std::numeric_limits<double>::infinity(); // largest dd since `peak` was set
    qint64 nextDayStartMs = std::numeric_limits<qint64>::min();
    for (const EquityPoint &p : equity) {
        const double trough = std::min(p.equityLow, p.equity);
        minimum = std::min(minimum, trough);
        const double dd = peak - trough;
        if (dd > peakMaxDrop) {
            peakMaxDrop = dd;
            const double rel = peak > 0.0 ? dd / peak * 100.0 : 0.0;
            if (dd > d.maximal) {
                d.maximal = dd;
                d.maximalPercent = rel;
            }
            if (rel > d.relativePercent) {
                d.relativePercent = rel;
                d.relative = dd;
            }
        }
        if (p.equity > peak) {
            peak = p.equity;
            peakMaxDrop = -std::numeric_limits<double>::infinity();
        }
        // Last equity of each UTC day. Day boundaries are tracked, not divided out per sample.
        if (p.timeMs >= nextDayStartMs) [[unlikely]] {
            const qint64 day = p.timeMs >= 0 ? p.timeMs / kDayMs : (p.timeMs - kDayMs + 1) / kDayMs;
            nextDayStartMs = (day + 1) * kDayMs;
            scan.dayEnds.push_back(p.equity);
        } else {
            scan.dayEnds.back() = p.equity;
        }
    }
    d.absolute = std::max(0.0, initial - minimum);
    return scan;
}

// Sharpe ratio of daily returns: the first from the initial deposit to the first day's last equity, each later
// one from the previous day's last equity; a return whose base is not positive is skipped.
double sharpeFromDayEnds(const std::vector<double> &dayEnds, double initialDeposit)
{
    std::vector<double> returns;
    returns.reserve(dayEnds.size());
    double previous = initialDeposit;
    for (double e : dayEnds) {
        if (previous > 0.0)
            returns.push_back(e / previous - 1.0);
        previous = e;
    }
    if (returns.size() < 2)
        return 0.0;
    double mean = 0.0;
    for (double r : returns)
        mean += r;
    mean /= double(returns.size());
    double var = 0.0;
    for (double r : returns)
        var += (r - mean) * (r - mean);
    var /= double(returns.size() - 1);
    const double sd = std::sqrt(var);
    return sd > 0.0 ? mean / sd * std::sqrt(252.0) : 0.0;
}

} // namespace

BacktestStats computeStats(const std::vector<Trade> &trades, const std::vector<EquityPoint> &equity,
                           double initialDeposit)
{
    BacktestStats s;
    s.initialDeposit = initialDeposit;
    s.totalTrades = int(trades.size());
    s.totalDeals = 2 * s.totalTrades;

    // Streak bookkeeping: a result of exactly 0 ends both kinds of streak.
    int winRun = 0, lossRun = 0, winStreaks = 0, lossStreaks = 0, winStreakTrades = 0, lossStreakTrades = 0;
    double winRunMoney = 0.0, lossRunMoney = 0.0;
    auto endWinRun = [&] {
        if (winRun == 0)
            return;
        ++winStreaks;
        winStreakTrades += winRun;
        if (winRun > s.maxConsecutiveWins) {
            s.maxConsecutiveWins = winRun;
            s.maxConsecutiveWinsMoney = winRunMoney;
        }
        if (winRunMoney > s.maximalConsecutiveProfit) {
            s.maximalConsecutiveProfit = winRunMoney;
            s.maximalConsecutiveProfitCount = winRun;
        }
        winRun = 0;
        winRunMoney = 0.0;
    };
    auto endLossRun = [&] {
        if (lossRun == 0)
            return;
        ++lossStreaks;
        lossStreakTrades += lossRun;
        if (lossRun > s.maxConsecutiveLosses) {
            s.maxConsecutiveLosses = lossRun;
            s.maxConsecutiveLossesMoney = lossRunMoney;
        }
        if (lossRunMoney < s.maximalConsecutiveLoss) {
            s.maximalConsecutiveLoss = lossRunMoney;
            s.maximalConsecutiveLossCount = lossRun;
        }
        lossRun = 0;
        lossRunMoney = 0.0;
    };

    std::vector<double> balanceAfterTrade;
    balanceAfterTrade.reserve(trades.size());
    double balance = initialDeposit;
    qint64 holdingSum = 0;
    for (const Trade &t : trades) {
        const double r = t.netProfit();
        balance += r;
        balanceAfterTrade.push_back(balance);
        const bool won = r > 0.0;
        if (t.side == Side::Buy) {
            ++s.longTrades;
            s.longTradesWon += won ? 1 : 0;
        } else {
            ++s.shortTrades;
            s.shortTradesWon += won ? 1 : 0;
        }
        if (r > 0.0) {
            ++s.profitTrades;
            s.grossProfit += r;
            s.largestProfitTrade = std::max(s.largestProfitTrade, r);
            endLossRun();
            ++winRun;
            winRunMoney += r;
        } else if (r < 0.0) {
            ++s.lossTrades;
            s.grossLoss += r;
            s.largestLossTrade = std::min(s.largestLossTrade, r);
            endWinRun();
            ++lossRun;
            lossRunMoney += r;
        } else {
            endWinRun();
            endLossRun();
        }
        const qint64 held = t.closeTimeMs - t.openTimeMs;
        s.minHoldingTimeMs = (&t == &trades.front()) ? held : std::min(s.minHoldingTimeMs, held);
        s.maxHoldingTimeMs = std::max(s.maxHoldingTimeMs, held);
        holdingSum += held;
    }
    endWinRun();
    endLossRun();

    s.finalBalance = balance;
    s.totalNetProfit = s.grossProfit + s.grossLoss;
    if (s.totalTrades > 0) {
        s.expectedPayoff = s.totalNetProfit / s.totalTrades;
        s.winRatePercent = 100.0 * s.profitTrades / s.totalTrades;
        s.averageHoldingTimeMs = holdingSum / s.totalTrades;
        s.profitFactor = s.grossLoss < 0.0 ? s.grossProfit / -s.grossLoss
                                           : (s.grossProfit > 0.0 ? std::numeric_limits<double>::infinity() : 0.0);
    }
    if (s.profitTrades > 0)
        s.averageProfitTrade = s.grossProfit / s.profitTrades;
    if (s.lossTrades > 0)
        s.averageLossTrade = s.grossLoss / s.lossTrades;
    if (winStreaks > 0)
        s.averageConsecutiveWins = double(winStreakTrades) / winStreaks;
    if (lossStreaks > 0)
        s.averageConsecutiveLosses = double(lossStreakTrades) / lossStreaks;

    const Drawdown bdd = drawdownOf(
        balanceAfterTrade.size(), initialDeposit, [&](size_t i) { return balanceAfterTrade[i]; },
        [&](size_t i) { return balanceAfterTrade[i]; });
    s.balanceDrawdownAbsolute = bdd.absolute;
    s.balanceDrawdownMaximal = bdd.maximal;
    s.balanceDrawdownMaximalPercent = bdd.maximalPercent;
    s.balanceDrawdownRelativePercent = bdd.relativePercent;
    s.balanceDrawdownRelative = bdd.relative;

    const EquityScan scan = scanEquity(equity, initialDeposit);
    const Drawdown &edd = scan.drawdown;
    s.equityDrawdownAbsolute = edd.absolute;
    s.equityDrawdownMaximal = edd.maximal;
    s.equityDrawdownMaximalPercent = edd.maximalPercent;
    s.equityDrawdownRelativePercent = edd.relativePercent;
    s.equityDrawdownRelative = edd.relative;

    if (s.equityDrawdownMaximal > 0.0)
        s.recoveryFactor = s.totalNetProfit / s.equityDrawdownMaximal;
    s.sharpeRatio = sharpeFromDayEnds(scan.dayEnds, initialDeposit);
    return s;
}

} // namespace bd
