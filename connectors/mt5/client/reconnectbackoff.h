#pragma once
// ReconnectBackoff: the delays between reconnect attempts to the bridge (MT5_PROTOCOL.md §4.2, REC): exponential
// from 0.5 s doubling to a cap of 30 s, each delay multiplied by a uniform random factor in [1 − 20 %, 1 + 20 %]
// (jitter, so many clients do not reconnect in lock-step). reset() after a successful welcome.
//   attempt 1: 500 ms ± 20 % (400..600), 2: 1 s ± 20 %, 3: 2 s, 4: 4 s, 5: 8 s, 6: 16 s, 7 and later: 30 s ± 20 %.

#include <QRandomGenerator>
#include <QtGlobal>

namespace bd::mt5 {

class ReconnectBackoff {
public:
    struct Options {
        qint64 initialMs = 500;
        qint64 maxMs = 30000;
        double factor = 2.0;
        double jitter = 0.2;  // fraction, 0..1
    };
    ReconnectBackoff() : ReconnectBackoff(Options{}) {}
    explicit ReconnectBackoff(Options options, quint32 seed = QRandomGenerator::global()->generate())
        : m_options(options), m_random(seed) {}

    // The delay before the next attempt (ms), and counts the attempt.
    qint64 nextDelayMs();
    // The delay without jitter for attempt `n` (1-based): min(initial × factor^(n−1), max).
    qint64 baseDelayMs(int attempt) const;
    int attempts() const { return m_attempts; }
    void reset() { m_attempts = 0; }
    const Options &options() const { return m_options; }

private:
    Options m_options;
    QRandomGenerator m_random;
    int m_attempts = 0;
};

} // namespace bd::mt5
