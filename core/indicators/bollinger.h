#pragma once
// Bollinger: Bollinger Bands over a simple moving average, streaming, O(1) per update,
// no allocation after construction.
//
// Source: TA-Lib TA_BBANDS with optInMAType = TA_MAType_SMA and optInNbDevUp == optInNbDevDn.
//   middle = SMA(N) (running total, as TA_SMA)
//   sd     = POPULATION standard deviation of the last N inputs (divide by N, not N-1),
//            computed as TA-Lib does: sqrt(sum(x^2)/N - middle^2), with a running sum of squares.
//   upper  = middle + deviations * sd;  lower = middle - deviations * sd.
//   Rounding can make sum(x^2)/N - middle^2 slightly negative on (near-)flat windows; it is
//   clamped to 0, so sd is never NaN.
//
// Inputs: prices in quote currency; `deviations` is a plain multiplier (2.0 is the classic one;
// a negative value swaps the bands, as in TA-Lib). Outputs in quote currency.
// First value: after N inputs, at input index N-1 == lookback(N) (TA_BBANDS_Lookback with SMA).
// Bad input:
//  * period < 1 is a programming error: Q_ASSERT in debug builds, treated as 1 in release
//    (TA-Lib rejects N < 2; N == 1 gives sd 0 and all three bands equal to the input).
//  * non-finite `deviations` is a programming error: Q_ASSERT; treated as 0 in release.
//  * A non-finite input makes ready() false and every band NaN until reset().
// Known difference from TA-Lib: TA-Lib sets sd to 0 when the variance is below an absolute
// threshold (TA_IS_ZERO_OR_NEG: < 1e-8 in TA-Lib 0.4.0, < 1e-14 in 0.6.x). With 0.4.0 that
// collapses the bands whenever sd < 1e-4, i.e. on quiet FX windows (1 pip on EURUSD). This
// class only clamps variance <= 0, so the bands track the real dispersion at any price scale.

#include <vector>

namespace bd {

class Bollinger {
public:
    Bollinger(int period, double deviations);

    void update(double price);
    bool ready() const { return !m_poisoned && m_seen >= m_period; }
    double upper() const;                // NaN while !ready()
    double middle() const;               // NaN while !ready()
    double lower() const;                // NaN while !ready()
    double standardDeviation() const;    // population sd; NaN while !ready()
    double value() const { return middle(); }
    int period() const { return m_period; }
    double deviations() const { return m_deviations; }
    void reset();

    // Number of inputs consumed before the first value (TA_BBANDS_Lookback, SMA): period - 1.
    static int lookback(int period);

private:
    int m_period;
    double m_deviations;
    std::vector<double> m_window;        // ring of the last N inputs, sized once
    int m_next = 0;
    int m_seen = 0;                      // saturates at m_period
    double m_total = 0.0;                // running sum (TA_SMA's periodTotal)
    double m_totalSquares = 0.0;         // running sum of squares (TA-Lib's periodTotal2)
    double m_middle = 0.0;
    double m_sd = 0.0;
    bool m_poisoned = false;
};

} // namespace bd
