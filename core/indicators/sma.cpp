#include "sma.h"

#include "indicatorperiod.h"

namespace bd {

Sma::Sma(int period)
    : m_period(detail::checkedPeriod(period))
    , m_window(static_cast<std::size_t>(m_period), 0.0)
{
}

void Sma::update(double price)
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
    if (m_seen < m_period)
        ++m_seen;
    if (m_seen == m_period) {
        // TA-Lib order: add newest, divide, then remove the value that leaves with the next input.
        m_value = m_total / m_period;
        m_total -= m_window[static_cast<std::size_t>(m_next)];
    }
}

void Sma::reset()
{
    m_next = 0;
    m_seen = 0;
    m_total = 0.0;
    m_value = 0.0;
    m_poisoned = false;
}

int Sma::lookback(int period)
{
    return detail::checkedPeriod(period) - 1;
}

} // namespace bd
