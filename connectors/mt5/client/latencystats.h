#pragma once
// LatencyStats: the round trips of order requests as seen by the connector, send → ack and send → result, in
// milliseconds (steady clock), kept as the last `capacity` samples of each kind. Percentiles by the nearest-rank
// method (the smallest sample with at least p % of the samples at or below it).

#include <QtGlobal>

#include <vector>

namespace bd::mt5 {

struct LatencySummary {
    qsizetype count = 0;
    double p50 = 0, p95 = 0, p99 = 0, max = 0;  // ms; all 0 when count is 0
};

class LatencyStats {
public:
    explicit LatencyStats(qsizetype capacity = 10000) : m_capacity(capacity > 0 ? capacity : 1) {}

    void addAck(double ms) { add(m_ack, m_ackNext, ms); }
    void addResult(double ms) { add(m_result, m_resultNext, ms); }
    LatencySummary ack() const { return summarize(m_ack); }
    LatencySummary result() const { return summarize(m_result); }

    // Nearest-rank percentile `p` (0 < p ≤ 100) of `samples`; 0 for none.
    static double percentile(std::vector<double> samples, double p);

private:
    void add(std::vector<double> &ring, qsizetype &next, double ms);
    static LatencySummary summarize(const std::vector<double> &samples);
    qsizetype m_capacity;
    std::vector<double> m_ack, m_result;
    qsizetype m_ackNext = 0, m_resultNext = 0;
};

} // namespace bd::mt5
