#pragma once
// EquityStats: the report figures that come from the equity curve, accumulated one bar at a time, so a run
// that does not need the curve itself (the CLI's text report) never stores it.
//
// Figures (definitions as in backteststats.h; MT5 Help "Testing Report", shared/docs/ANCHORS.md §4.3):
//  * equity drawdown absolute / maximal (+ %) / relative (+ money): peaks from each bar's close equity,
//    troughs from min(equityLow, equity) of each bar, starting from the initial deposit;
//  * Sharpe ratio: mean / sample standard deviation of DAILY returns × √252, risk-free 0. A day is a UTC
//    calendar day; its value is the close equity of its last bar; the first return is the first day's
//    value over the initial deposit, each later one over the previous day's value (a day after a
//    non-positive value gives no return). Fewer than two returns, or zero deviation, give 0.
// Feeding the same samples gives exactly the figures computeStats() derives from a stored curve (it uses
// this class).

#include <QtGlobal>

#include <algorithm>
#include <limits>
#include <vector>

namespace bd {

struct BacktestStats;

class EquityStats {
public:
    explicit EquityStats(double initialDeposit) : m_initial(initialDeposit), m_peak(initialDeposit), m_minimum(initialDeposit) {}

    // One sample per bar, in time order: bar open time (UTC epoch ms), equity at the bar's close and the
    // lowest equity inside the bar (money, deposit currency).
    void add(qint64 timeMs, double equity, double equityLow)
    {
        const double trough = std::min(equityLow, equity);
        m_minimum = std::min(m_minimum, trough);
        const double drop = m_peak - trough;
        if (drop > 0.0) {
            const double percent = m_peak > 0.0 ? drop / m_peak * 100.0 : 0.0;
            if (drop > m_maximal) {
                m_maximal = drop;
                m_maximalPercent = percent;
            }
            if (percent > m_relativePercent) {
                m_relativePercent = percent;
                m_relative = drop;
            }
        }
        m_peak = std::max(m_peak, equity);
        if (timeMs >= m_nextDayStartMs)
            startDay(timeMs);
        m_dayEnds.back() = equity;
    }

    // Writes the equity drawdown fields, the recovery factor (needs stats.totalNetProfit set) and the Sharpe
    // ratio into `stats`.
    void finishInto(BacktestStats &stats) const;

private:
    void startDay(qint64 timeMs);

    double m_initial;
    double m_peak;
    double m_minimum;
    double m_maximal = 0.0;
    double m_maximalPercent = 0.0;
    double m_relativePercent = 0.0;
    double m_relative = 0.0;
    qint64 m_nextDayStartMs = std::numeric_limits<qint64>::min();
    std::vector<double> m_dayEnds;  // close equity of the last bar of each UTC day seen
};

} // namespace bd
