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

} // namespace

EquityCurveStats::EquityCurveStats(double initialDeposit)
    : m_initial(initialDeposit), m_peak(initialDeposit), m_minimum(initialDeposit)
{
}

void EquityCurveStats::newLargestDrop(double drop)
{
    m_peakMaxDrop = drop;
    const double rel = m_peak > 0.0 ? drop / m_peak * 100.0 : 0.0;
    if (drop > m_maximal) {
        m_maximal = drop;
        m_maximalPercent = rel;
    }
    if (rel > m_relativePercent) {
        m_relativePercent = rel;
        m_relative = drop;
    }
}

void EquityCurveStats::newDay(qint64 timeMs)
{
    constexpr qint64 kDayMs = 86'400'000;
    if (m_haveDay)
        m_dayEnds.push_back(m_lastEquity);
    m_haveDay = true;
    // Day boundaries are tracked, not divided out per point.
    const qint64 day = timeMs >= 0 ? timeMs / kDayMs : (timeMs - kDayMs + 1) / kDayMs;
    m_nextDayStartMs = (day + 1) * kDayMs;
}

double EquityCurveStats::drawdownAbsolute() const
{
    return std::max(0.0, m_initial - m_minimum);
}

double EquityCurveStats::sharpeRatio() const
{
    std::vector<double> returns;
    returns.reserve(m_dayEnds.size() + 1);
    double previous = m_initial;
    const auto addDay = [&](double e) {
        if (previous > 0.0)
            returns.push_back(e / previous - 1.0);
        previous = e;
    };
    for (double e : m_dayEnds)
        addDay(e);
    if (m_haveDay)
        addDay(m_lastEquity);  // the day still open at the last point
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

BacktestStats computeStats(const std::vector<Trade> &trades, const std::vector<EquityPoint> &equity,
                           double initialDeposit)
{
    EquityCurveStats equityStats(initialDeposit);
    for (const EquityPoint &p : equity)
        equityStats.add(p);
    return computeStats(trades, equityStats, initialDeposit);
}

BacktestStats computeStats(const std::vector<Trade> &trades, const EquityCurveStats &equityStats,
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

    s.equityDrawdownAbsolute = equityStats.drawdownAbsolute();
    s.equityDrawdownMaximal = equityStats.drawdownMaximal();
    s.equityDrawdownMaximalPercent = equityStats.drawdownMaximalPercent();
    s.equityDrawdownRelativePercent = equityStats.drawdownRelativePercent();
    s.equityDrawdownRelative = equityStats.drawdownRelative();

    if (s.equityDrawdownMaximal > 0.0)
        s.recoveryFactor = s.totalNetProfit / s.equityDrawdownMaximal;
    s.sharpeRatio = equityStats.sharpeRatio();
    return s;
}

} // namespace bd
