#pragma once
// LatencyStats: the round trips of order requests as seen by the connector, send → ack and send → result, in
// milliseconds (steady clock), kept as the last `capacity` samples of each kind in two LatencyRings (core; nearest-rank
// percentiles: the smallest sample with at least p % of the samples at or below it).

#include "latencyring.h"

#include <QtGlobal>

#include <vector>

namespace bd::mt5 {

struct LatencySummary {
    qsizetype count = 0;                        // samples kept (at most `capacity`)
    double p50 = 0, p95 = 0, p99 = 0, max = 0;  // ms; all 0 when count is 0
};

class LatencyStats {
public:
    explicit LatencyStats(qsizetype capacity = 10000) : m_ack(int(capacity)), m_result(int(capacity)) {}

    void addAck(double ms) { m_ack.add(ms); }
    void addResult(double ms) { m_result.add(ms); }
    LatencySummary ack() const { return summarize(m_ack); }
    LatencySummary result() const { return summarize(m_result); }

    // Nearest-rank percentile `p` (0 < p ≤ 100) of `samples`; 0 for none (LatencyRing::percentile).
    static double percentile(std::vector<double> samples, double p) { return LatencyRing::percentile(std::move(samples), p); }

private:
    static LatencySummary summarize(const LatencyRing &ring);
    LatencyRing m_ack, m_result;
};

} // namespace bd::mt5
