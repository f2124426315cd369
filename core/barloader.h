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
//    A variant without `<TIME>`, whose `<DATE>` holds `YYYY.MM.DD HH:MM[:SS]`, is accepted too.
//    <TICKVOL> -> Bar::tickVolume, <SPREAD> -> Bar::spreadPoints; <VOL> (real volume) is checked, not kept.
// gzip-compressed files (recognised by their magic bytes 1f 8b, whatever the name) are decompressed with zlib.
// Text may start with a UTF-8 BOM, or be UTF-16LE with a BOM; CRLF line ends and trailing blank lines are fine.
//
// Rules: every row must parse, have low <= open,close <= high, positive prices, and a time strictly
// greater than the previous row's. Gaps between bars are normal (weekends, illiquid minutes) and accepted.
// On the first bad row the load fails with "<file>:<line>: <what is wrong>; <how to fix>" and returns no bars
// (file-level problems such as a missing file use line 0). A file with no data rows is an error too.

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
