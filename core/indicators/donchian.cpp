#include "donchian.h"

#include "indicatorperiod.h"

namespace bd {

template <typename Better>
void Donchian::MonotonicQueue::push(qint64 index, double value, int window, Better better)
{
    // Expire the front entries that left the window [index - window + 1, index].
    while (m_size > 0 && m_ring[static_cast<std::size_t>(m_head)].index <= index - window) {
        m_head = slot(1);
        --m_size;
    }
    // Drop entries the new value dominates (ties too: the newer one lives longer).
    while (m_size > 0 && !better(m_ring[static_cast<std::size_t>(slot(m_size - 1))].value, value))
        --m_size;
    // At most window-1 entries remain, so the ring (capacity == window) never overflows.
    m_ring[static_cast<std::size_t>(slot(m_size))] = Entry{index, value};
    ++m_size;
}

Donchian::Donchian(int period)
    : m_period(detail::checkedPeriod(period))
    , m_highs(m_period)
    , m_lows(m_period)
{
}

void Donchian::update(double high, double low, double /*close*/)
{
    update(high, low);
}

void Donchian::update(double high, double low)
{
    if (m_poisoned)
        return;
    if (!std::isfinite(high) || !std::isfinite(low)) {
        m_poisoned = true;
        return;
    }
    m_highs.push(m_index, high, m_period, [](double kept, double incoming) { return kept > incoming; });
    m_lows.push(m_index, low, m_period, [](double kept, double incoming) { return kept < incoming; });
    ++m_index;
    if (m_seen < m_period)
        ++m_seen;
}

double Donchian::upper() const
{
    return ready() ? m_highs.front() : detail::kNotReady;
}

double Donchian::lower() const
{
    return ready() ? m_lows.front() : detail::kNotReady;
}

double Donchian::middle() const
{
    return ready() ? (m_highs.front() + m_lows.front()) / 2.0 : detail::kNotReady;
}

void Donchian::reset()
{
    m_index = 0;
    m_seen = 0;
    m_highs.clear();
    m_lows.clear();
    m_poisoned = false;
}

int Donchian::lookback(int period)
{
    return detail::checkedPeriod(period) - 1;
}

} // namespace bd
