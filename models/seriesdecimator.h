#pragma once
// Min/max decimation for long time series (hundreds of thousands of per-bar equity samples).
// The input is split into buckets of consecutive samples; each bucket contributes its minimum and its
// maximum sample, in time order, so peaks and troughs survive and a line chart looks like the full curve.

#include <QList>

#include <span>

namespace bd {

struct DecimatedSeries {
    QList<double> keys;    // x, ascending
    QList<double> values;  // y
};

// `keys` and `values` have equal length; keys ascending. Returns at most `maxPoints` points
// (maxPoints >= 4; when the input is not longer than maxPoints it is returned unchanged).
// The first and last samples are always kept.
DecimatedSeries decimateMinMax(std::span<const double> keys, std::span<const double> values, int maxPoints);

} // namespace bd
