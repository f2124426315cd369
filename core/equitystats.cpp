#include "equitystats.h"

#include "backteststats.h"

#include <cmath>

namespace bd {

void EquityStats::startDay(qint64 timeMs)
{
    constexpr qint64 kDayMs = 86'400'000;
    const qint64 day = timeMs >= 0 ? timeMs / kDayMs : (timeMs - kDayMs + 1) / kDayMs;
    m_nextDayStartMs = (day + 1) * kDayMs;
    m_dayEnds.push_back(0.0);
}

void EquityStats::finishInto(BacktestStats &stats) const
{
    stats.equityDrawdownAbsolute = std::max(0.0, m_initial - m_minimum);
    stats.equityDrawdownMaximal = m_maximal;
    stats.equityDrawdownMaximalPercent = m_maximalPercent;
    stats.equityDrawdownRelativePercent = m_relativePercent;
    stats.equityDrawdownRelative = m_relative;
    stats.recoveryFactor = m_maximal > 0.0 ? stats.totalNetProfit / m_maximal : 0.0;

    std::vector<double> returns;
    returns.reserve(m_dayEnds.size());
    double previous = m_initial;
    for (double e : m_dayEnds) {
        if (previous > 0.0)
            returns.push_back(e / previous - 1.0);
        previous = e;
    }
    stats.sharpeRatio = 0.0;
    if (returns.size() < 2)
        return;
    double mean = 0.0;
    for (double r : returns)
        mean += r;
    mean /= double(returns.size());
    double var = 0.0;
    for (double r : returns)
        var += (r - mean) * (r - mean);
    var /= double(returns.size() - 1);
    const double sd = std::sqrt(var);
    stats.sharpeRatio = sd > 0.0 ? mean / sd * std::sqrt(252.0) : 0.0;
}

} // namespace bd
