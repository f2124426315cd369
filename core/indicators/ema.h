#pragma once
// Ema: exponential moving average, streaming, O(1) per update, no allocation.
//
// Source: TA-Lib TA_EMA (TA_INT_EMA), default compatibility, unstable period 0.
//   k = 2 / (N + 1); seed = simple mean of the first N inputs; then
//   ema = (price - ema) * k + ema   (TA-Lib's operation order).
//
// Inputs: prices in quote currency.
// First value: after N inputs, at input index N-1 == lookback(N) (TA_EMA_Lookback); it is the seed.
// Bad input:
//  * period < 1 is a programming error: Q_ASSERT in debug builds, treated as 1 in release.
//    (TA-Lib rejects N < 2; N == 1 gives k = 1, i.e. the input itself.)
//  * A non-finite input makes ready() false and value() NaN until reset().
// Fast path for validated input (a backtest's bars, whose prices the engine has checked): once ready(),
// updateReady()/current() skip every check; update()/value() stay the checked API for other callers.

#include "indicatorperiod.h"

namespace bd {

class Ema {
public:
    explicit Ema(int period);

    // Inline: it runs once per bar per EMA in every strategy's hot path (a call costs more than its body).
    // The steady state (seeded, finite input) is tested first: a poisoned value may keep moving there, as
    // value() does not show it until reset().
    void update(double price)
    {
        if (m_seen == m_period && std::isfinite(price)) [[likely]] {
            m_value = (price - m_value) * m_k + m_value;
            return;
        }
        if (m_poisoned)
            return;
        if (!std::isfinite(price)) {
            m_poisoned = true;
            return;
        }
        m_seedSum += price;
        if (++m_seen == m_period)
            m_value = m_seedSum / m_period;
    }
    // Precondition: ready() and `price` finite (not checked; with a non-finite price the value is that NaN or
    // infinity from then on, and ready() does not show it). TA-Lib's step, as update().
    void updateReady(double price) { m_value = (price - m_value) * m_k + m_value; }
    // The value without the ready() check: value() when ready(), meaningless before.
    double current() const { return m_value; }
    bool ready() const { return !m_poisoned && m_seen >= m_period; }
    double value() const { return ready() ? m_value : detail::kNotReady; }  // NaN while !ready()
    int period() const { return m_period; }
    double k() const { return m_k; }
    void reset();

    // Number of inputs consumed before the first value (TA_EMA_Lookback): period - 1.
    static int lookback(int period);

private:
    int m_period;
    double m_k;
    int m_seen = 0;                      // saturates at m_period
    double m_seedSum = 0.0;
    double m_value = 0.0;
    bool m_poisoned = false;
};

} // namespace bd
