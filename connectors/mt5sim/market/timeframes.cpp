#include "timeframes.h"

#include <algorithm>

namespace bd::mt5sim {

qint64 bucketStart(qint64 timeSec, qint64 tfSec)
{
    const qint64 r = ((timeSec % tfSec) + tfSec) % tfSec;
    return timeSec - r;
}

Bar startBar(const Bar &m1, qint64 tfSec)
{
    Bar b = m1;
    b.timeMs = bucketStart(m1.timeMs / 1000, tfSec) * 1000;
    return b;
}

void foldInto(Bar &into, const Bar &m1)
{
    into.high = std::max(into.high, m1.high);
    into.low = std::min(into.low, m1.low);
    into.close = m1.close;
    into.tickVolume += m1.tickVolume;
}

Bars aggregate(const Bar *begin, const Bar *end, qint64 tfSec)
{
    Bars out;
    for (const Bar *b = begin; b != end; ++b) {
        const qint64 bucket = bucketStart(b->timeMs / 1000, tfSec) * 1000;
        if (out.empty() || out.back().timeMs != bucket)
            out.push_back(startBar(*b, tfSec));
        else
            foldInto(out.back(), *b);
    }
    return out;
}

} // namespace bd::mt5sim
