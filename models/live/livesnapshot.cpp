#include "livesnapshot.h"

#include "guardrails.h"

#include <QDateTime>
#include <QHash>

#include <algorithm>

namespace bd {

double realisedDrawdownPercent(const LiveRunRow &row)
{
    if (!row.run.startingEquity || *row.run.startingEquity <= 0)
        return 0.0;
    RunRiskState state;
    state.startingEquity = *row.run.startingEquity;
    state.runProfit = row.activity.realisedProfit;
    return runDrawdownPercent(state);
}

double drawdownCapFraction(const LiveRunRow &row)
{
    const double cap = row.run.spec.guardrails.drawdownCapPercent;
    if (cap <= 0)
        return -1.0;
    return realisedDrawdownPercent(row) / cap;
}

qint64 heartbeatAgeMs(const LiveRunRow &row, qint64 nowMs)
{
    const qint64 last = row.run.lastHeartbeatAtMs > 0 ? row.run.lastHeartbeatAtMs : row.run.startedAtMs;
    if (last <= 0)
        return -1;
    return std::max<qint64>(0, nowMs - last);
}

HeartbeatLevel heartbeatLevel(const LiveRunRow &row, qint64 nowMs, qint64 staleAfterMs)
{
    const LiveRunStatus s = row.run.status;
    if (s != LiveRunStatus::Running && s != LiveRunStatus::Stopping && s != LiveRunStatus::Halted)
        return HeartbeatLevel::None;
    if (isStale(row.run, nowMs, staleAfterMs))
        return HeartbeatLevel::Stale;
    return heartbeatAgeMs(row, nowMs) >= kLateHeartbeatMs ? HeartbeatLevel::Late : HeartbeatLevel::Ok;
}

Result<LiveRunsSnapshot> readLiveRunsSnapshot(LiveRunStore &runs, TradeStore &trades, qint64 nowMs)
{
    Result<std::vector<LiveRunRecord>> all = runs.runs();
    if (!all)
        return all.error();
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC);
    const qint64 dayStartMs = QDateTime(now.date(), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    Result<std::vector<RunActivity>> activity = trades.runActivity(dayStartMs);
    if (!activity)
        return activity.error();
    QHash<QUuid, const RunActivity *> byRun;
    for (const RunActivity &a : activity.value())
        byRun.insert(a.liveRunId, &a);
    LiveRunsSnapshot snapshot;
    snapshot.atMs = nowMs;
    snapshot.rows.reserve(all.value().size());
    for (const LiveRunRecord &r : all.value()) {
        LiveRunRow row;
        row.run = r;
        if (const RunActivity *a = byRun.value(r.spec.id))
            row.activity = *a;  // a run created between the two statements has none yet: zeros
        row.activity.liveRunId = r.spec.id;
        snapshot.rows.push_back(std::move(row));
    }
    return snapshot;
}

Result<LiveRunDetail> readLiveRunDetail(LiveRunStore &runs, TradeStore &trades, const QUuid &runId, qint64 afterEventId,
                                        qint64 nowMs, int eventLimit, int heartbeatLimit)
{
    Result<LiveRunRecord> run = runs.run(runId);
    if (!run)
        return run.error();
    LiveRunDetail d;
    d.runId = runId;
    d.atMs = nowMs;
    d.run = run.value();
    d.afterEventId = afterEventId;
    Result<std::vector<LiveEvent>> events = trades.events(runId, afterEventId, eventLimit);
    if (!events)
        return events.error();
    d.newEvents = std::move(events.value());
    Result<std::vector<Heartbeat>> beats = trades.heartbeats(runId, heartbeatLimit);
    if (!beats)
        return beats.error();
    d.heartbeats = std::move(beats.value());
    for (auto it = d.heartbeats.rbegin(); it != d.heartbeats.rend(); ++it) {
        if (it->loopMs > 0)
            d.loopSamples.push_back(it->loopMs);
    }
    LatencyRing ring(int(std::max<size_t>(1, d.loopSamples.size())));
    for (double ms : d.loopSamples)
        ring.add(ms);
    d.loop = ring.summary();
    Result<std::vector<LiveTrade>> ts = trades.tradesOfRun(runId);
    if (!ts)
        return ts.error();
    d.trades = std::move(ts.value());
    return d;
}

} // namespace bd
