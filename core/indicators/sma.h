#pragma once
// Sma: simple moving average, streaming, O(1) per update, no allocation after construction.
//
// Source: TA-Lib TA_SMA (TA_INT_SMA). value = mean of the last N inputs. Like TA-Lib it keeps a
// running total (add the newest, divide, subtract the one that leaves), in the same order, so
// the values are the same as TA-Lib's up to rounding (bit-identical in practice).
//
// Inputs: prices in quote currency (any finite double works).
// First value: after N inputs, i.e. at input index N-1 == lookback(N) (TA_SMA_Lookback).
// Bad input:
//  * period < 1 is a programming error: Q_ASSERT in debug builds, treated as 1 in release.
//    (TA-Lib rejects N < 2; N == 1 here simply returns the input.)
//  * A non-finite input (NaN, +-inf) cannot be recovered from: from that update on ready() is
//    false and value() is NaN until reset().

#include "indicatorperiod.h"
#include <vector>

namespace bd {

class Sma {
public:
    explicit Sma(int period);

    void update(double price);
    bool ready() const { return !m_poisoned && m_seen >= m_period; }
    double value() const { return ready() ? m_value : detail::kNotReady; }  // NaN while !ready()
    int period() const { return m_period; }
    void reset();

    // Number of inputs consumed before the first value (TA_SMA_Lookback): period - 1.
    static int lookback(int period);

private:
    int m_period;
    std::vector<double> m_window;        // ring of the last N inputs, sized once
    int m_next = 0;                      // ring slot the next input goes to
    int m_seen = 0;                      // inputs seen, saturates at m_period
    double m_total = 0.0;                // running sum of the window minus the oldest (TA-Lib's periodTotal)
    double m_value = 0.0;
    bool m_poisoned = false;
};

} // namespace bd
