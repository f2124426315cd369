#pragma once
// Donchian: Donchian price channel, streaming, amortised O(1) per update (monotonic deques on
// fixed rings sized once at construction; no allocation per update).
//
// Not a TA-Lib function; built from TA-Lib TA_MAX / TA_MIN:
//   upper  = TA_MAX(high, N) = highest high of the last N bars INCLUDING the current bar,
//   lower  = TA_MIN(low, N)  = lowest low of the last N bars including the current bar,
//   middle = (upper + lower) / 2.
//
// Breakout rules: because the current bar is inside its own channel, close > upper() can never
// be true for the channel computed WITH that bar. A breakout rule must compare the current
// close with the channel of the PREVIOUS bar (read upper()/lower() before calling update() with
// the new bar, or keep the previous values).
//
// Inputs: bar high and low in quote currency; close is accepted for API symmetry with Atr and
// ignored. Outputs in quote currency.
// First value: after N bars, at bar index N-1 == lookback(N) (TA_MAX_Lookback / TA_MIN_Lookback).
// Bad input:
//  * period < 1 is a programming error: Q_ASSERT in debug builds, treated as 1 in release
//    (TA-Lib's MAX/MIN reject N < 2; N == 1 gives the bar's own high and low).
//  * A non-finite high or low makes ready() false and every output NaN until reset().
//  * high < low is not checked; the two series are tracked independently.

#include "bar.h"

#include <QtGlobal>

#include <vector>

namespace bd {

class Donchian {
public:
    explicit Donchian(int period);

    void update(double high, double low, double close);
    void update(double high, double low);
    void update(const Bar &bar) { update(bar.high, bar.low); }
    bool ready() const { return !m_poisoned && m_seen >= m_period; }
    double upper() const;                // NaN while !ready()
    double lower() const;                // NaN while !ready()
    double middle() const;               // NaN while !ready()
    double value() const { return middle(); }
    int period() const { return m_period; }
    void reset();

    // Number of bars consumed before the first value (TA_MAX_Lookback): period - 1.
    static int lookback(int period);

private:
    // Fixed-capacity deque on a ring: candidates for the window extreme, best at the front.
    struct Entry {
        qint64 index = 0;
        double value = 0.0;
    };
    class MonotonicQueue {
    public:
        explicit MonotonicQueue(int capacity) : m_ring(static_cast<std::size_t>(capacity)) {}
        // Adds bar `index`; drops entries older than `index - window + 1`. `better(a, b)` is true
        // when a must stay in front of b (a > b for the maximum, a < b for the minimum).
        template <typename Better>
        void push(qint64 index, double value, int window, Better better);
        double front() const { return m_ring[static_cast<std::size_t>(m_head)].value; }
        void clear() { m_head = 0; m_size = 0; }

    private:
        int slot(int offset) const  // ring position `offset` entries after the head
        {
            const int s = m_head + offset;
            const int capacity = static_cast<int>(m_ring.size());
            return s >= capacity ? s - capacity : s;
        }
        std::vector<Entry> m_ring;
        int m_head = 0;
        int m_size = 0;
    };

    int m_period;
    qint64 m_index = 0;                  // bars seen
    int m_seen = 0;                      // saturates at m_period
    MonotonicQueue m_highs;
    MonotonicQueue m_lows;
    bool m_poisoned = false;
};

} // namespace bd
