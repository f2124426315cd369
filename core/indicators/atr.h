#pragma once
// Atr: Wilder's Average True Range, streaming, O(1) per update, no allocation.
//
// Source: TA-Lib TA_ATR (and TA_TRANGE), unstable period 0.
//   TR_i = max(high_i - low_i, |high_i - close_{i-1}|, |low_i - close_{i-1}|), from the 2nd bar on
//   (the first bar only provides a previous close).
//   First ATR = simple mean of the first N true ranges; then ATR = (ATR * (N-1) + TR) / N
//   (TA-Lib's operation order). With N == 1 this is TA_TRANGE, as in TA-Lib.
//
// Inputs: one bar's high, low, close in quote currency (close is used as the next bar's
// previous close). Output in quote currency.
// First value: after N+1 bars, at bar index N == lookback(N) (TA_ATR_Lookback).
// Bad input:
//  * period < 1 is a programming error: Q_ASSERT in debug builds, treated as 1 in release.
//  * A non-finite high, low or close makes ready() false and value() NaN until reset().
//  * high < low is not checked; it is used as given (TR then comes from the close distances).
// Fast path for validated input (a backtest's bars, whose prices the engine has checked): once ready(),
// updateReady()/current() skip every check; update()/value() stay the checked API for other callers.

#include "indicatorperiod.h"
#include "bar.h"

namespace bd {

class Atr {
public:
    explicit Atr(int period);

    // Inline: it runs once per bar in every strategy's hot path (a call costs more than its body).
    // The steady state (seeded, finite input) is tested first: a poisoned ATR may keep moving there, as value()
    // and trueRange() do not show it until reset().
    void update(double high, double low, double close)
    {
        const bool finite = std::isfinite(high) && std::isfinite(low) && std::isfinite(close);
        if (m_ranges == m_period && finite) [[likely]] {
            const double range = trueRangeTo(high, low, close);
            m_value *= m_periodLessOne;
            m_value += range;
            m_value /= m_periodAsDouble;
            return;
        }
        if (m_poisoned)
            return;
        if (!finite) {
            m_poisoned = true;
            return;
        }
        if (!m_hasPreviousClose) {
            m_previousClose = close;
            m_hasPreviousClose = true;
            return;
        }
        m_seedSum += trueRangeTo(high, low, close);
        if (++m_ranges == m_period)
            m_value = m_seedSum / m_period;
    }
    void update(const Bar &bar) { update(bar.high, bar.low, bar.close); }
    // Precondition: ready() and high, low, close finite (not checked; a non-finite input makes the value
    // non-finite from then on, and ready() does not show it). The same Wilder step as update().
    void updateReady(double high, double low, double close)
    {
        const double range = trueRangeTo(high, low, close);
        m_value *= m_periodLessOne;
        m_value += range;
        m_value /= m_periodAsDouble;
    }
    // The value without the ready() check: value() when ready(), meaningless before.
    double current() const { return m_value; }
    bool ready() const { return !m_poisoned && m_ranges >= m_period; }
    double value() const { return ready() ? m_value : detail::kNotReady; }  // NaN while !ready()
    double trueRange() const;            // TR of the last bar; NaN before the 2nd bar
    int period() const { return m_period; }
    void reset();

    // Number of bars consumed before the first value (TA_ATR_Lookback): period.
    static int lookback(int period);

private:
    // This bar's true range (TA-Lib order: start from high-low, then the two previous-close distances); the
    // close becomes the previous close.
    double trueRangeTo(double high, double low, double close)
    {
        double range = high - low;
        const double toHigh = std::fabs(m_previousClose - high);
        if (toHigh > range)
            range = toHigh;
        const double toLow = std::fabs(m_previousClose - low);
        if (toLow > range)
            range = toLow;
        m_previousClose = close;
        m_lastRange = range;
        return range;
    }

    int m_period;
    double m_periodLessOne;              // m_period - 1 and m_period as doubles (exact): the Wilder step's factors
    double m_periodAsDouble;
    bool m_hasPreviousClose = false;
    double m_previousClose = 0.0;
    int m_ranges = 0;                    // true ranges seen, saturates at m_period
    double m_lastRange = 0.0;
    double m_seedSum = 0.0;
    double m_value = 0.0;
    bool m_poisoned = false;
};

} // namespace bd
