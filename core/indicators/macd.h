#pragma once
// Macd: Moving Average Convergence/Divergence, streaming, O(1) per update, no allocation.
//
// Source: TA-Lib TA_MACD (not TA_MACDFIX), default compatibility, unstable period 0.
//   Each EMA uses k = 2 / (p + 1) and TA-Lib's update (x - ema) * k + ema.
//   TA-Lib quirk, reproduced on purpose: BOTH price EMAs start at input index slow-1. The slow
//   EMA is seeded with the mean of inputs [0, slow-1], the fast EMA with the mean of the last
//   `fast` inputs ending at slow-1 (inputs [slow-fast, slow-1]) - NOT with the mean of the first
//   `fast` inputs, as a standalone Ema(fast) would be. So macd() is not Ema(fast) - Ema(slow).
//   MACD line = fastEMA - slowEMA, from input index slow-1.
//   Signal = EMA(signal) of the MACD line, seeded with the mean of its first `signal` values.
//   Histogram = MACD line - signal.
//   If slow < fast, TA-Lib swaps them; so does this class (fastPeriod() <= slowPeriod() always).
//
// Inputs: prices in quote currency. Outputs in quote currency.
// First values: macd() from input index slow-1 (macdReady()); signal() and histogram() from
// input index (slow-1) + (signal-1) == lookback(fast, slow, signal) (TA_MACD_Lookback; ready()).
// Bad input:
//  * a period < 1 is a programming error: Q_ASSERT in debug builds, treated as 1 in release.
//    (TA-Lib rejects fast/slow < 2; 1 here means the EMA is the price itself.)
//  * A non-finite input makes macdReady()/ready() false and every output NaN until reset().

namespace bd {

class Macd {
public:
    Macd(int fastPeriod, int slowPeriod, int signalPeriod);

    void update(double price);
    bool macdReady() const { return !m_poisoned && m_seen >= m_slowPeriod; }
    bool ready() const { return macdReady() && m_macdCount >= m_signalPeriod; }
    double macd() const;                 // NaN while !macdReady()
    double signal() const;               // NaN while !ready()
    double histogram() const;            // NaN while !ready()
    double value() const { return macd(); }
    int fastPeriod() const { return m_fastPeriod; }
    int slowPeriod() const { return m_slowPeriod; }
    int signalPeriod() const { return m_signalPeriod; }
    int period() const { return m_slowPeriod; }  // the price window that drives the MACD line
    void reset();

    // Inputs consumed before the first signal/histogram (TA_MACD_Lookback):
    // (max(fast, slow) - 1) + (signal - 1).
    static int lookback(int fastPeriod, int slowPeriod, int signalPeriod);

private:
    int m_fastPeriod;
    int m_slowPeriod;
    int m_signalPeriod;
    double m_fastK;
    double m_slowK;
    double m_signalK;
    int m_seen = 0;                      // price inputs seen, saturates at m_slowPeriod
    int m_macdCount = 0;                 // MACD-line values seen, saturates at m_signalPeriod
    double m_fastEma = 0.0;              // sum while seeding
    double m_slowEma = 0.0;              // sum while seeding
    double m_macd = 0.0;
    double m_signal = 0.0;               // sum while seeding
    bool m_poisoned = false;
};

} // namespace bd
