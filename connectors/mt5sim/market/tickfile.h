#pragma once
// Real ticks from a CSV file (plain or gzip), as in ../shared/data/EURUSD_ticks_2019-02-04_05.csv.gz:
// header `time_ms,bid,ask,bid_volume,ask_volume` (time_ms = UTC epoch ms; volumes ignored). Rows must have
// increasing times (equal times allowed), positive finite prices and ask ≥ bid.

#include "result.h"
#include "tickgenerator.h"

#include <QString>

#include <vector>

namespace bd::mt5sim {

// The ticks of `path`, each shifted by `shiftMsc` (the server clock's offset from UTC, in ms). Errors name the file,
// the line and what is wrong ("ticks.csv:17: bid 'x' is not a number; fix or delete the row").
Result<std::vector<SimTick>> loadTickFile(const QString &path, qint64 shiftMsc);

} // namespace bd::mt5sim
