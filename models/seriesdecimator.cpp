#include "seriesdecimator.h"

#include <algorithm>
#include <cassert>

namespace bd {

DecimatedSeries decimateMinMax(std::span<const double> keys, std::span<const double> values, int maxPoints)
{
    assert(keys.size() == values.size());
    DecimatedSeries out;
    const qsizetype n = qsizetype(std::min(keys.size(), values.size()));
    maxPoints = std::max(maxPoints, 4);
    if (n <= maxPoints) {
        out.keys = QList<double>(keys.begin(), keys.begin() + n);
        out.values = QList<double>(values.begin(), values.begin() + n);
        return out;
    }

    // First and last samples are emitted on their own; the interior goes into buckets of 2 points each.
    const qsizetype buckets = (maxPoints - 2) / 2;
    const qsizetype interior = n - 2;
    out.keys.reserve(maxPoints);
    out.values.reserve(maxPoints);
    auto take = [&](qsizetype i) {
        out.keys.append(keys[size_t(i)]);
        out.values.append(values[size_t(i)]);
    };

    take(0);
    for (qsizetype b = 0; b < buckets; ++b) {
        const qsizetype begin = 1 + b * interior / buckets;
        const qsizetype end = 1 + (b + 1) * interior / buckets;  // exclusive
        if (begin >= end)
            continue;
        qsizetype minIdx = begin;
        qsizetype maxIdx = begin;
        for (qsizetype i = begin + 1; i < end; ++i) {
            if (values[size_t(i)] < values[size_t(minIdx)])
                minIdx = i;
            if (values[size_t(i)] > values[size_t(maxIdx)])
                maxIdx = i;
        }
        if (minIdx == maxIdx) {
            take(minIdx);
        } else {
            take(std::min(minIdx, maxIdx));
            take(std::max(minIdx, maxIdx));
        }
    }
    take(n - 1);
    return out;
}

} // namespace bd
