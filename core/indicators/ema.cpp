#include "ema.h"

#include "indicatorperiod.h"

namespace bd {

Ema::Ema(int period)
    : m_period(detail::checkedPeriod(period))
    , m_k(2.0 / static_cast<double>(m_period + 1))
{
}

void Ema::update(double price)
{
    if (m_poisoned)
        return;
    if (!std::isfinite(price)) {
        m_poisoned = true;
        return;
    }
    if (m_seen < m_period) {
        m_seedSum += price;
        if (++m_seen == m_period)
            m_value = m_seedSum / m_period;
        return;
    }
    m_value = (price - m_value) * m_k + m_value;
}

void Ema::reset()
{
    m_seen = 0;
    m_seedSum = 0.0;
    m_value = 0.0;
    m_poisoned = false;
}

int Ema::lookback(int period)
{
    return detail::checkedPeriod(period) - 1;
}

} // namespace bd
