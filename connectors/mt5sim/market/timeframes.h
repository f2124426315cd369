#pragma once
// The timeframes botdesk-mt5sim offers and their bars built from M1 (MT5 timeframe names, §2.1 of
// docs/mt5b-protocol.md). A bar of timeframe T covers [k·T, (k+1)·T) in server-clock seconds (D1 from 00:00 server
// time): open of its first M1 bar, high/low over them, close of the last, tick volumes summed, the first bar's spread.
// Like MetaTrader, a period without M1 bars has no bar.

#include "bar.h"
#include "timeframe.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace bd::mt5sim {

// The timeframes offered are core's (timeframe.h: bd::timeframeSeconds, bd::timeframeNames).

// Start (epoch seconds) of the `tfSec` bucket holding `timeSec`.
qint64 bucketStart(qint64 timeSec, qint64 tfSec);

// A new bar of timeframe `tfSec` from its first M1 bar (timeMs = the bucket start).
Bar startBar(const Bar &m1, qint64 tfSec);
// Folds the M1 bar `m1` into `into`, a bar of the same bucket.
void foldInto(Bar &into, const Bar &m1);

// The `tfSec` bars of M1 bars [begin, end) (time order); each Bar::timeMs is the bucket start (ms).
Bars aggregate(const Bar *begin, const Bar *end, qint64 tfSec);

} // namespace bd::mt5sim
