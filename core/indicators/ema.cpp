#include "ema.h"

#include "indicatorperiod.h"

namespace bd {

Ema::Ema(int period)
    : m_period(detail::checkedPeriod(period))
    , m_k(2.0 / static_cast<double>(m_period + 1))
{
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
