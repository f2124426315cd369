#pragma once
// Loads M1 (or any timeframe) bars from disk.
//
// Formats, detected from the first line:
//  * BotDesk CSV: header `time,open,high,low,close,volume`; time = bar open, UTC epoch SECONDS;
//    prices are bids. An optional 7th column `spread` (points) is read when present.
//  * MetaTrader 5 export (History Center / "Export Bars"): tab- or comma-separated with header
//    `<DATE> <TIME> <OPEN> <HIGH> <LOW> <CLOSE> <TICKVOL> <VOL> <SPREAD>`, dates `YYYY.MM.DD`, time
//    `HH:MM[:SS]`. MT5 writes trade-server wall-clock time; it is taken as UTC unless
//    BarLoadOptions::serverUtcOffsetSeconds says otherwise.
// Files ending in `.gz` are decompressed with zlib.
//
// Rules: every row must parse, have low <= open,close <= high, positive prices, and a time strictly
// greater than the previous row's. Gaps between bars are normal (weekends, illiquid minutes) and accepted.
// On the first bad row the load fails with "<file>:<line>: <what is wrong>; <how to fix>" and returns no bars.

#include "bar.h"
#include "result.h"

#include <QString>

namespace bd {

struct BarLoadOptions {
    qint64 serverUtcOffsetSeconds = 0;   // MT5 export only: server time minus UTC (e.g. 7200 for GMT+2)
};

Result<Bars> loadBars(const QString &path, const BarLoadOptions &options = {});

// Parses already-read text (used by loadBars; `sourceName` is used in error messages).
Result<Bars> parseBars(const QByteArray &text, const QString &sourceName, const BarLoadOptions &options = {});

} // namespace bd
