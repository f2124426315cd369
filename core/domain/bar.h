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
    qint64 tickVolume = 0;    // ticks in the bar (0 when the source has none)
    int spreadPoints = -1;    // spread in points for this bar; -1 = source has none (use the symbol's default)
};

using Bars = std::vector<Bar>;

} // namespace bd
