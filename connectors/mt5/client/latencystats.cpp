#include "latencystats.h"

namespace bd::mt5 {

LatencySummary LatencyStats::summarize(const LatencyRing &ring)
{
    const LatencyFigures f = ring.summary();
    return LatencySummary{qsizetype(ring.kept()), f.p50, f.p95, f.p99, f.max};
}

} // namespace bd::mt5
