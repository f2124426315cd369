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
// Rules: every row must parse, have low <= open,close <= high, positive finite prices, a time from 1970 to 3000
// UTC strictly greater than the previous row's. Gaps between bars are normal (weekends, illiquid minutes).
// On the first bad row the load fails with "<file>:<line>: <what is wrong>; <how to fix>" and returns no bars
// (file-level problems such as a missing file use line 0). A file with no data rows is an error too.
// Values are quoted with invisible and binary bytes escaped (quotedtext.h); a number that does not fit is
// "out of range", not "not a number".
//
// Streaming: the file is read 256 KiB at a time and gzip inflated as it is read (on a second thread, at most
// three pieces ahead of the parse: textfilereader.h), so memory is the bars kept
// plus ~1 MiB, whatever the file's size; nothing is sized from a count in the file (TextFileReader, BarParser).
// Hostile input fails fast with a clear error instead of exhausting memory or time:
//  * not a regular file (directory, FIFO, device, socket): refused before reading, without blocking;
//  * gzip text more than 100× its compressed size (bar CSVs compress 4-12×), more than 8 GiB of text;
//  * a line over 64 KiB, more than 1000 blank lines in a row, more than BarLoadOptions::maxBars bars.
// Non-regular files are recognised with POSIX stat on Unix and QFileInfo elsewhere (textfilereader.h).

#include "bar.h"
#include "result.h"

#include <QString>

#include <atomic>
#include <functional>

namespace bd {

struct BarLoadOptions {
    // MT5 export only: the trade server's clock minus UTC, in seconds (e.g. 7200 for GMT+2). Must lie within
    // ±14 h (±50,400 s): real time zones span UTC-12 to UTC+14 (MT5 servers mostly run GMT+2/+3), so anything
    // beyond is a mistake (e.g. milliseconds or hours given as seconds) and is refused, not wrapped.
    qint64 serverUtcOffsetSeconds = 0;
    // Called with 0..100 (share of the file's bytes read), at most once per percent, on the loading thread.
    std::function<void(int percent)> onProgress;
    // When set and becoming true, loading stops within one piece (256 KiB) and fails with "loading cancelled".
    const std::atomic<bool> *cancelRequested = nullptr;
    // More bars than this fail the load (a memory guard: 50 M bars ≈ 95 years of M1 ≈ 2.6 GiB of Bar).
    qint64 maxBars = 50'000'000;
};

constexpr qint64 kMaxServerUtcOffsetSeconds = 14 * 3600;

// Checks the options (offset within ±14 h, maxBars >= 1). The error names the value and the accepted range.
Result<void> checkBarLoadOptions(const BarLoadOptions &options);

// Reads `path` (plain or gzip) and parses it. Errors: "<path>:<line>: <what>; <fix>", line 0 for the file as a
// whole (missing, not a regular file, cannot be read, bad options, cancelled, limits above); for truncated or
// corrupt gzip the line is the first one not decoded intact.
Result<Bars> loadBars(const QString &path, const BarLoadOptions &options = {});

// Parses already-read text (raw file bytes: BOM and UTF-16LE are handled); `sourceName` starts error messages.
Result<Bars> parseBars(const QByteArray &text, const QString &sourceName, const BarLoadOptions &options = {});

} // namespace bd
