#pragma once
// The MetaTrader 5 Strategy Tester report metrics, computed from a finished test.
// Definitions follow the MT5 Help "Testing Report" and MQL5 ENUM_STATISTICS (see
// shared/docs/ANCHORS.md §4). A "trade" is an exit deal (a closed position or a closed part of one); its result is
// net profit (price P/L + commission). Money figures are in deposit currency.

#include "tradetypes.h"

#include <QtGlobal>

#include <limits>
#include <vector>

namespace bd {

// One sample per bar, taken at the bar's close.
struct EquityPoint {
    qint64 timeMs = 0;      // bar open time, UTC epoch ms
    double balance = 0.0;   // after the deals of this bar
    double equity = 0.0;    // balance + floating P/L at the bar's close
    double equityLow = 0.0; // lowest equity inside the bar (open positions marked at the bar's adverse extreme)
};

struct BacktestStats {
    double initialDeposit = 0.0;
    double finalBalance = 0.0;
    double totalNetProfit = 0.0;    // STAT_PROFIT = grossProfit + grossLoss
    double grossProfit = 0.0;       // Σ results of winning trades
    double grossLoss = 0.0;         // Σ results of losing trades (<= 0)
    // STAT_PROFIT_FACTOR = grossProfit / |grossLoss|. With no losing trade MT5 prints DBL_MAX;
    // we store +infinity then (JSON writes null), and 0 when there are no trades.
    double profitFactor = 0.0;
    double expectedPayoff = 0.0;    // totalNetProfit / totalTrades
    // Recovery factor = totalNetProfit / equityDrawdownMaximal (what published MT5 reports print);
    // 0 when there is no drawdown.
    double recoveryFactor = 0.0;
    // Sharpe ratio: mean / standard deviation (sample, n-1) of DAILY equity returns (UTC days, last bar of
    // each day), risk-free rate 0, annualised with sqrt(252). 0 with fewer than two days or zero deviation.
    // MT5's build-3210 figure is not annualised and uses per-bar returns; ours is the usual daily one.
    double sharpeRatio = 0.0;

    // Drawdowns (MT5 Help): Absolute = initial − minimum (0 if never below the initial deposit);
    // Maximal = largest peak-to-trough drop in money (with the % at that drop);
    // Relative = largest peak-to-trough drop in % of the peak (with the money at that drop).
    // Balance drawdowns are taken over the balance after each closed trade (start: initial deposit).
    double balanceDrawdownAbsolute = 0.0;
    double balanceDrawdownMaximal = 0.0;
    double balanceDrawdownMaximalPercent = 0.0;
    double balanceDrawdownRelativePercent = 0.0;
    double balanceDrawdownRelative = 0.0;
    // Equity drawdowns use EquityPoint::equityLow for troughs and EquityPoint::equity for peaks.
    double equityDrawdownAbsolute = 0.0;
    double equityDrawdownMaximal = 0.0;
    double equityDrawdownMaximalPercent = 0.0;
    double equityDrawdownRelativePercent = 0.0;
    double equityDrawdownRelative = 0.0;

    int totalTrades = 0;            // STAT_TRADES: exit deals (a position closed in two parts counts twice)
    int totalDeals = 0;             // STAT_DEALS: entry + exit deals
    int shortTrades = 0;
    int shortTradesWon = 0;
    int longTrades = 0;
    int longTradesWon = 0;
    int profitTrades = 0;           // result > 0
    int lossTrades = 0;             // result < 0 (a result of exactly 0 is neither)
    double winRatePercent = 0.0;    // profitTrades / totalTrades · 100
    double largestProfitTrade = 0.0;
    double largestLossTrade = 0.0;  // most negative result (<= 0)
    double averageProfitTrade = 0.0; // grossProfit / profitTrades
    double averageLossTrade = 0.0;   // grossLoss / lossTrades (<= 0)
    int maxConsecutiveWins = 0;          // longest winning streak (count) ...
    double maxConsecutiveWinsMoney = 0.0; // ... and its total
    int maxConsecutiveLosses = 0;         // longest losing streak (count) ...
    double maxConsecutiveLossesMoney = 0.0;
    double maximalConsecutiveProfit = 0.0; // most profitable streak (money) ...
    int maximalConsecutiveProfitCount = 0; // ... and its length
    double maximalConsecutiveLoss = 0.0;   // most costly losing streak (money, <= 0) ...
    int maximalConsecutiveLossCount = 0;
    double averageConsecutiveWins = 0.0;   // mean length of winning streaks
    double averageConsecutiveLosses = 0.0; // mean length of losing streaks
    qint64 minHoldingTimeMs = 0;
    qint64 maxHoldingTimeMs = 0;
    qint64 averageHoldingTimeMs = 0;
};

// The metrics of the equity curve (equity drawdowns and the daily Sharpe ratio), fed one point at a time in time
// order: the backtest engine feeds each bar's point as it marks it, so the curve is not read a second time.
// Definitions as in BacktestStats (troughs from min(equityLow, equity), peaks from equity; a day's equity is its
// last point's). Money in deposit currency, times UTC epoch ms.
class EquityCurveStats {
public:
    explicit EquityCurveStats(double initialDeposit);

    void add(const EquityPoint &p)
    {
        // A point with no floating loss inside the bar (equityLow >= equity) and the previous point's equity, as a
        // flat account shows bar after bar between deals, cannot set a minimum, a peak or a larger drop: its trough
        // is its equity, which the previous point already reached (its peak is at least that, its largest drop from
        // that peak at least as large). Only the day can change.
        if (p.equityLow >= p.equity && p.equity == m_lastEquity) [[likely]] {
            if (p.timeMs >= m_nextDayStartMs) [[unlikely]]
                newDay(p.timeMs);
            return;
        }
        const double trough = p.equityLow < p.equity ? p.equityLow : p.equity;
        if (trough < m_minimum)
            m_minimum = trough;
        const double drop = m_peak - trough;
        if (drop > m_peakMaxDrop) [[unlikely]]
            newLargestDrop(drop);
        if (p.equity > m_peak) {
            m_peak = p.equity;
            m_peakMaxDrop = -std::numeric_limits<double>::infinity();
        }
        if (p.timeMs >= m_nextDayStartMs) [[unlikely]]
            newDay(p.timeMs);
        m_lastEquity = p.equity;
    }

    // add({timeMs, value, value, value}): a flat account's point (no floating P/L), as add() takes it.
    void addFlat(qint64 timeMs, double value)
    {
        if (value == m_lastEquity) [[likely]] {
            if (timeMs >= m_nextDayStartMs) [[unlikely]]
                newDay(timeMs);
            return;
        }
        add(EquityPoint{timeMs, value, value, value});
    }

    // Times before this (UTC epoch ms) at which addFlat(timeMs, value) changes nothing: the next day's start when
    // `value` is the last point's equity, else the earliest time (the next addFlat counts). Lets a run of flat bars
    // skip addFlat until the day changes.
    qint64 flatQuietUntil(double value) const
    {
        return value == m_lastEquity ? m_nextDayStartMs : std::numeric_limits<qint64>::min();
    }

    // Equity drawdowns as BacktestStats defines them.
    double drawdownAbsolute() const;
    double drawdownMaximal() const { return m_maximal; }
    double drawdownMaximalPercent() const { return m_maximalPercent; }
    double drawdownRelativePercent() const { return m_relativePercent; }
    double drawdownRelative() const { return m_relative; }
    // Sharpe ratio of daily returns (BacktestStats::sharpeRatio): the first from the initial deposit to the first
    // day's last equity, each later one from the previous day's last equity; a return whose base is not positive
    // is skipped. 0 with fewer than two returns or a zero deviation.
    double sharpeRatio() const;

private:
    void newLargestDrop(double drop);
    void newDay(qint64 timeMs);

    double m_initial;
    double m_peak;
    double m_minimum;
    // Largest drop since the peak was set: the percentage drop / peak · 100 grows with the drop for a fixed peak,
    // so it is computed (a division) only when a drop beats this, not on every point.
    double m_peakMaxDrop = -std::numeric_limits<double>::infinity();
    double m_maximal = 0.0;
    double m_maximalPercent = 0.0;
    double m_relativePercent = 0.0;
    double m_relative = 0.0;
    qint64 m_nextDayStartMs = std::numeric_limits<qint64>::min();
    bool m_haveDay = false;
    double m_lastEquity = std::numeric_limits<double>::quiet_NaN(); // last equity seen (of the current day);
                                                                       // NaN: none yet
    std::vector<double> m_dayEnds;   // last equity of each finished day
};

// Computes every metric above. `equity` may be empty (then equity drawdowns are 0 and Sharpe is 0).
// Trades must be in close order.
BacktestStats computeStats(const std::vector<Trade> &trades, const std::vector<EquityPoint> &equity,
                           double initialDeposit);
// The same, with the equity curve already fed to `equityStats` (which must have the same initial deposit).
BacktestStats computeStats(const std::vector<Trade> &trades, const EquityCurveStats &equityStats,
                           double initialDeposit);

} // namespace bd
