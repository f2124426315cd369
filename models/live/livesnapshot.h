#pragma once
// What the Live page shows, as value types read on the monitor's worker thread (issue 10 §4, §5) and handed to the
// GUI thread through queued signals: every run of the database with its trading activity (LiveRunsSnapshot), and the
// detail of one run (LiveRunDetail). The readers go through the LiveRunStore and TradeStore ports only.
//
// Units: money in the account currency, percentages of equity (0..100), times UTC epoch milliseconds, latency in ms.
// P/L is realised only (the database holds no floating P/L); P/L in R is not shown: a stored trade has no risk in
// money (its SL distance in money needs the broker's tick value at the entry), so there is nothing to divide by.

#include "latencyring.h"
#include "liverunstore.h"
#include "result.h"
#include "tradestore.h"

#include <QMetaType>
#include <QString>
#include <QUuid>

#include <vector>

namespace bd {

struct LiveRunRow {
    LiveRunRecord run;
    RunActivity activity;
};

struct LiveRunsSnapshot {
    qint64 atMs = 0;               // when it was read (the reader's clock)
    std::vector<LiveRunRow> rows;  // newest run first (LiveRunStore::runs)
};

// The run's drawdown from its starting equity, in % of it, from the realised P/L (guardrails.h's runDrawdownPercent
// with runProfit = realised P/L): 0 without a starting equity.
double realisedDrawdownPercent(const LiveRunRow &row);
// Drawdown as a fraction of the run's cap (0 = none, 1 = at the cap, above 1 beyond it); -1 when the cap is off.
double drawdownCapFraction(const LiveRunRow &row);
// Milliseconds since the run's last heartbeat (since its start when it has written none) at `nowMs`; -1 when it has
// neither.
qint64 heartbeatAgeMs(const LiveRunRow &row, qint64 nowMs);

// How the heartbeat age is coloured: None for a run that should not be beating (PENDING, STOPPED, ERROR), Ok,
// Late (≥ kLateHeartbeatMs: amber) or Stale (isStale: red).
enum class HeartbeatLevel { None, Ok, Late, Stale };
inline constexpr qint64 kLateHeartbeatMs = 30'000;
HeartbeatLevel heartbeatLevel(const LiveRunRow &row, qint64 nowMs, qint64 staleAfterMs = kStaleAfterMs);

// Every run the login sees with its activity (one statement each: runs(), runActivity(since the UTC day's start)).
Result<LiveRunsSnapshot> readLiveRunsSnapshot(LiveRunStore &runs, TradeStore &trades, qint64 nowMs);

// One run's detail. Events are read after `afterEventId` (0 = from its first), at most `eventLimit`; heartbeats are
// the newest `heartbeatLimit` (newest first); trades are every trade of the run.
struct LiveRunDetail {
    QUuid runId;
    qint64 atMs = 0;
    LiveRunRecord run;
    qint64 afterEventId = 0;           // `newEvents` follow this event id (0: they are the run's first)
    std::vector<LiveEvent> newEvents;  // oldest first
    std::vector<Heartbeat> heartbeats; // newest first
    std::vector<double> loopSamples;   // the heartbeats' loop_ms (the bar's handling time), oldest first
    LatencyFigures loop;               // their nearest-rank p50/p95/p99/max (latencyring.h)
    std::vector<LiveTrade> trades;     // open and closed, by open time
};
Result<LiveRunDetail> readLiveRunDetail(LiveRunStore &runs, TradeStore &trades, const QUuid &runId, qint64 afterEventId,
                                        qint64 nowMs, int eventLimit = 2000, int heartbeatLimit = 360);

} // namespace bd

Q_DECLARE_METATYPE(bd::LiveRunsSnapshot)
Q_DECLARE_METATYPE(bd::LiveRunDetail)
