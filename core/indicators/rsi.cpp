#include "rsi.h"

#include "indicatorperiod.h"

namespace bd {

Rsi::Rsi(int period)
    : m_period(detail::checkedPeriod(period))
{
}

void Rsi::update(double price)
{
    if (m_poisoned)
        return;
    if (!std::isfinite(price)) {
        m_poisoned = true;
        return;
    }
    if (!m_hasPrevious) {
        m_previous = price;
        m_hasPrevious = true;
        return;
    }
    const double change = price - m_previous;
    m_previous = price;

    if (m_changes < m_period) {
        // Seeding: plain sums of the first N gains and losses.
        if (change < 0.0)
            m_avgLoss -= change;
        else
            m_avgGain += change;
        if (++m_changes < m_period)
            return;
        m_avgLoss /= static_cast<double>(m_period);
        m_avgGain /= static_cast<double>(m_period);
    } else {
        m_avgLoss *= static_cast<double>(m_period - 1);
        m_avgGain *= static_cast<double>(m_period - 1);
        if (change < 0.0)
            m_avgLoss -= change;
        else
            m_avgGain += change;
        m_avgLoss /= static_cast<double>(m_period);
        m_avgGain /= static_cast<double>(m_period);
    }
    const double sum = m_avgGain + m_avgLoss;
    m_value = (sum != 0.0) ? 100.0 * (m_avgGain / sum) : 0.0;
}

double Rsi::averageGain() const
{
    return ready() ? m_avgGain : detail::kNotReady;
}

double Rsi::averageLoss() const
{
    return ready() ? m_avgLoss : detail::kNotReady;
}

void Rsi::reset()
{
    m_hasPrevious = false;
    m_previous = 0.0;
    m_changes = 0;
    m_avgGain = 0.0;
    m_avgLoss = 0.0;
    m_value = 0.0;
    m_poisoned = false;
}

int Rsi::lookback(int period)
{
    return detail::checkedPeriod(period);
}

} // namespace bd
