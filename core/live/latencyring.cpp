#include "latencyring.h"

#include <algorithm>
#include <cmath>

namespace bd {

void LatencyRing::add(double ms)
{
    ++m_count;
    if (m_ring.size() < size_t(m_capacity)) {
        m_ring.push_back(ms);
        return;
    }
    m_ring[m_next] = ms;
    m_next = (m_next + 1) % m_ring.size();
}

std::vector<double> LatencyRing::samples() const
{
    std::vector<double> out;
    out.reserve(m_ring.size());
    out.insert(out.end(), m_ring.begin() + std::ptrdiff_t(m_next), m_ring.end());
    out.insert(out.end(), m_ring.begin(), m_ring.begin() + std::ptrdiff_t(m_next));
    return out;
}

double LatencyRing::percentile(std::vector<double> samples, double p)
{
    if (samples.empty())
        return 0.0;
    p = std::clamp(p, 0.0, 100.0);
    const size_t n = samples.size();
    const size_t rank = std::clamp<size_t>(size_t(std::ceil(p / 100.0 * double(n))), 1, n);  // 1-based
    std::nth_element(samples.begin(), samples.begin() + std::ptrdiff_t(rank - 1), samples.end());
    return samples[rank - 1];
}

LatencyFigures LatencyRing::summary() const
{
    LatencyFigures s;
    s.count = m_count;
    if (m_ring.empty())
        return s;
    s.p50 = percentile(m_ring, 50);
    s.p95 = percentile(m_ring, 95);
    s.p99 = percentile(m_ring, 99);
    s.max = *std::max_element(m_ring.begin(), m_ring.end());
    return s;
}

} // namespace bd
