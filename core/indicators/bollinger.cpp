#include "bollinger.h"

#include "indicatorperiod.h"

namespace bd {

namespace {

double checkedDeviations(double deviations)
{
    Q_ASSERT_X(std::isfinite(deviations), "bd::Bollinger", "deviations must be finite");
    return std::isfinite(deviations) ? deviations : 0.0;
}

} // namespace

Bollinger::Bollinger(int period, double deviations)
    : m_period(detail::checkedPeriod(period))
    , m_deviations(checkedDeviations(deviations))
    , m_window(static_cast<std::size_t>(m_period), 0.0)
{
}

void Bollinger::update(double price)
{
    if (m_poisoned)
        return;
    if (!std::isfinite(price)) {
        m_poisoned = true;
        return;
    }
    m_window[static_cast<std::size_t>(m_next)] = price;
    m_next = (m_next + 1 == m_period) ? 0 : m_next + 1;
    m_total += price;
    m_totalSquares += price * price;
    if (m_seen < m_period)
        ++m_seen;
    if (m_seen < m_period)
        return;

    // TA-Lib order: add the newest, divide, then remove the input that leaves next time.
    m_middle = m_total / m_period;
    double variance = m_totalSquares / m_period;
    const double leaving = m_window[static_cast<std::size_t>(m_next)];
    m_total -= leaving;
    m_totalSquares -= leaving * leaving;
    variance -= m_middle * m_middle;
    m_sd = variance > 0.0 ? std::sqrt(variance) : 0.0;
}

double Bollinger::upper() const
{
    return ready() ? m_middle + m_sd * m_deviations : detail::kNotReady;
}

double Bollinger::middle() const
{
    return ready() ? m_middle : detail::kNotReady;
}

double Bollinger::lower() const
{
    return ready() ? m_middle - m_sd * m_deviations : detail::kNotReady;
}

double Bollinger::standardDeviation() const
{
    return ready() ? m_sd : detail::kNotReady;
}

void Bollinger::reset()
{
    m_next = 0;
    m_seen = 0;
    m_total = 0.0;
    m_totalSquares = 0.0;
    m_middle = 0.0;
    m_sd = 0.0;
    m_poisoned = false;
}

int Bollinger::lookback(int period)
{
    return detail::checkedPeriod(period) - 1;
}

} // namespace bd
