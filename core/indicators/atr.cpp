#include "atr.h"

#include "indicatorperiod.h"

namespace bd {

Atr::Atr(int period)
    : m_period(detail::checkedPeriod(period))
{
}

void Atr::update(double high, double low, double close)
{
    if (m_poisoned)
        return;
    if (!std::isfinite(high) || !std::isfinite(low) || !std::isfinite(close)) {
        m_poisoned = true;
        return;
    }
    if (!m_hasPreviousClose) {
        m_previousClose = close;
        m_hasPreviousClose = true;
        return;
    }
    // TA-Lib order: start from high-low, then the two previous-close distances.
    double range = high - low;
    const double toHigh = std::fabs(m_previousClose - high);
    if (toHigh > range)
        range = toHigh;
    const double toLow = std::fabs(m_previousClose - low);
    if (toLow > range)
        range = toLow;
    m_previousClose = close;
    m_lastRange = range;

    if (m_ranges < m_period) {
        m_seedSum += range;
        if (++m_ranges == m_period)
            m_value = m_seedSum / m_period;
        return;
    }
    m_value *= m_period - 1;
    m_value += range;
    m_value /= m_period;
}

double Atr::trueRange() const
{
    return (!m_poisoned && m_ranges > 0) ? m_lastRange : detail::kNotReady;
}

void Atr::reset()
{
    m_hasPreviousClose = false;
    m_previousClose = 0.0;
    m_ranges = 0;
    m_lastRange = 0.0;
    m_seedSum = 0.0;
    m_value = 0.0;
    m_poisoned = false;
}

int Atr::lookback(int period)
{
    return detail::checkedPeriod(period);
}

} // namespace bd
