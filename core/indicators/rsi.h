#pragma once
// Rsi: Wilder's Relative Strength Index, streaming, O(1) per update, no allocation.
//
// Source: TA-Lib TA_RSI, default (classic, not Metastock) compatibility, unstable period 0.
//   change_i = price_i - price_{i-1}; gain = max(change, 0), loss = max(-change, 0).
//   First avgGain/avgLoss = simple mean of the first N changes (N+1 prices).
//   Then avg = (avg * (N-1) + x) / N  (Wilder smoothing, TA-Lib's operation order).
//   RSI = 100 * avgGain / (avgGain + avgLoss), and 0 when avgGain + avgLoss == 0 (flat prices).
//
// Inputs: prices in quote currency. Output in [0, 100].
// First value: after N+1 inputs, at input index N == lookback(N) (TA_RSI_Lookback).
// Bad input:
//  * period < 1 is a programming error: Q_ASSERT in debug builds, treated as 1 in release.
//    TA-Lib rejects N < 2 (its internal N == 1 path copies the price); here N == 1 follows the
//    formula: 100 after a rise, 0 after a fall or no change.
//  * A non-finite input makes ready() false and value() NaN until reset().
// Known difference from TA-Lib: TA-Lib writes 0 when avgGain + avgLoss is merely *near* zero
// (TA_IS_ZERO: |x| < 1e-8 in TA-Lib 0.4.0, < 1e-14 in 0.6.x). That dead band is absolute, so on
// instruments priced around 1e-6 TA-Lib 0.4.0 reports RSI 0 for every bar. This class only
// special-cases an exact 0, which keeps RSI independent of the price scale.

#include "indicatorperiod.h"

namespace bd {

class Rsi {
public:
    explicit Rsi(int period);

    void update(double price);
    bool ready() const { return !m_poisoned && m_changes >= m_period; }
    double value() const { return ready() ? m_value : detail::kNotReady; }  // NaN while !ready()
    int period() const { return m_period; }
    double averageGain() const;          // Wilder average gain; NaN while !ready()
    double averageLoss() const;          // Wilder average loss (positive); NaN while !ready()
    void reset();

    // Number of inputs consumed before the first value (TA_RSI_Lookback): period.
    static int lookback(int period);

private:
    int m_period;
    bool m_hasPrevious = false;
    double m_previous = 0.0;
    int m_changes = 0;                   // changes seen, saturates at m_period
    double m_avgGain = 0.0;              // sums while seeding, averages afterwards
    double m_avgLoss = 0.0;
    double m_value = 0.0;
    bool m_poisoned = false;
};

} // namespace bd
