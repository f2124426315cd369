#pragma once
// LatencyRing: the last `capacity` samples of one latency, in milliseconds, and their nearest-rank percentiles (the
// smallest sample with at least p % of the samples at or below it) — a run's bar close → decision figures
// (LiveRunExecutor), the connector's order round trips (LatencyStats); small and bounded: capacity × 8 bytes,
// allocated as samples arrive.

#include <QtGlobal>

#include <vector>

namespace bd {

struct LatencyFigures {
    qint64 count = 0;                        // samples ever added (the figures cover the last `capacity` of them)
    double p50 = 0, p95 = 0, p99 = 0, max = 0; // ms over the kept samples; all 0 when there are none
};

class LatencyRing {
public:
    // A capacity below 1 is taken as 1.
    explicit LatencyRing(int capacity = 1000) : m_capacity(capacity > 0 ? capacity : 1) {}

    void add(double ms);
    qint64 count() const { return m_count; }
    size_t kept() const { return m_ring.size(); }  // at most `capacity`
    // The kept samples (the last `capacity`), oldest first.
    std::vector<double> samples() const;
    LatencyFigures summary() const;

    // Nearest-rank percentile `p` (clamped to 0..100) of `samples`; 0 for none.
    static double percentile(std::vector<double> samples, double p);

private:
    int m_capacity;
    std::vector<double> m_ring;
    size_t m_next = 0;   // where the next sample goes once the ring is full
    qint64 m_count = 0;
};

} // namespace bd
