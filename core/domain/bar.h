#pragma once
// One OHLC bar, as MetaTrader stores it (MqlRates): open time, bid prices, tick volume, spread.

#include <QtGlobal>

#include <vector>

namespace bd {

struct Bar {
    qint64 timeMs = 0;        // bar OPEN time, UTC epoch milliseconds
    double open = 0.0;        // bid prices in quote currency
    double high = 0.0;
    double low = 0.0;
    double close = 0.0;
    quint32 tickVolume = 0;   // ticks in the bar (0 when the source has none); the loader refuses more than 2^32 - 1
    qint32 spreadPoints = -1; // spread in points for this bar; -1 = source has none (use the symbol's default)
};
// 48 bytes, no padding: a year of M1 is 18 MB in memory and in the bar cache, which maps these records as they are.
static_assert(sizeof(Bar) == 48, "Bar is five 8-byte fields and two 4-byte ones");

using Bars = std::vector<Bar>;

} // namespace bd
