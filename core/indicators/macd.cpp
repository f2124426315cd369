#include "macd.h"

#include "indicatorperiod.h"

#include <utility>

namespace bd {

namespace {

std::pair<int, int> orderedFastSlow(int fastPeriod, int slowPeriod)
{
    const int fast = detail::checkedPeriod(fastPeriod);
    const int slow = detail::checkedPeriod(slowPeriod);
    // TA-Lib swaps the periods when slow < fast.
    return slow < fast ? std::pair{slow, fast} : std::pair{fast, slow};
}

double emaK(int period)
{
    return 2.0 / static_cast<double>(period + 1);
}

} // namespace

Macd::Macd(int fastPeriod, int slowPeriod, int signalPeriod)
    : m_fastPeriod(orderedFastSlow(fastPeriod, slowPeriod).first)
    , m_slowPeriod(orderedFastSlow(fastPeriod, slowPeriod).second)
    , m_signalPeriod(detail::checkedPeriod(signalPeriod))
    , m_fastK(emaK(m_fastPeriod))
    , m_slowK(emaK(m_slowPeriod))
    , m_signalK(emaK(m_signalPeriod))
{
}

void Macd::update(double price)
{
    if (m_poisoned)
        return;
    if (!std::isfinite(price)) {
        m_poisoned = true;
        return;
    }
    if (m_seen < m_slowPeriod) {
        // Seeding both price EMAs; their windows end on the same input (index slow-1).
        m_slowEma += price;
        if (m_seen >= m_slowPeriod - m_fastPeriod)
            m_fastEma += price;
        if (++m_seen < m_slowPeriod)
            return;
        m_slowEma /= m_slowPeriod;
        m_fastEma /= m_fastPeriod;
    } else {
        m_fastEma = (price - m_fastEma) * m_fastK + m_fastEma;
        m_slowEma = (price - m_slowEma) * m_slowK + m_slowEma;
    }
    m_macd = m_fastEma - m_slowEma;

    if (m_macdCount < m_signalPeriod) {
        m_signal += m_macd;
        if (++m_macdCount == m_signalPeriod)
            m_signal /= m_signalPeriod;
        return;
    }
    m_signal = (m_macd - m_signal) * m_signalK + m_signal;
}

double Macd::macd() const
{
    return macdReady() ? m_macd : detail::kNotReady;
}

double Macd::signal() const
{
    return ready() ? m_signal : detail::kNotReady;
}

double Macd::histogram() const
{
    return ready() ? m_macd - m_signal : detail::kNotReady;
}

void Macd::reset()
{
    m_seen = 0;
    m_macdCount = 0;
    m_fastEma = 0.0;
    m_slowEma = 0.0;
    m_macd = 0.0;
    m_signal = 0.0;
    m_poisoned = false;
}

int Macd::lookback(int fastPeriod, int slowPeriod, int signalPeriod)
{
    const int slow = orderedFastSlow(fastPeriod, slowPeriod).second;
    return (slow - 1) + (detail::checkedPeriod(signalPeriod) - 1);
}

} // namespace bd
