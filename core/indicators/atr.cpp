#include "atr.h"

#include "indicatorperiod.h"

namespace bd {

Atr::Atr(int period)
    : m_period(detail::checkedPeriod(period)), m_periodLessOne(double(m_period - 1)), m_periodAsDouble(double(m_period))
{
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
