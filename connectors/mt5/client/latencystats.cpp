#include "latencystats.h"

#include <algorithm>
#include <cmath>

namespace bd::mt5 {

void LatencyStats::add(std::vector<double> &ring, qsizetype &next, double ms)
{
    if (qsizetype(ring.size()) < m_capacity) {
        ring.push_back(ms);
        return;
    }
    ring[size_t(next)] = ms;
    next = (next + 1) % m_capacity;
}

double LatencyStats::percentile(std::vector<double> samples, double p)
{
    if (samples.empty())
        return 0;
    p = std::clamp(p, 0.0, 100.0);
    const auto n = samples.size();
    size_t rank = size_t(std::ceil(p / 100.0 * double(n)));  // 1-based
    rank = std::clamp<size_t>(rank, 1, n);
    std::nth_element(samples.begin(), samples.begin() + std::ptrdiff_t(rank - 1), samples.end());
    return samples[rank - 1];
}

LatencySummary LatencyStats::summarize(const std::vector<double> &samples)
{
    LatencySummary s;
    s.count = qsizetype(samples.size());
    if (samples.empty())
        return s;
    s.p50 = percentile(samples, 50);
    s.p95 = percentile(samples, 95);
    s.p99 = percentile(samples, 99);
    s.max = *std::max_element(samples.begin(), samples.end());
    return s;
}

} // namespace bd::mt5
