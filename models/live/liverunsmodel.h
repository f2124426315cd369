#pragma once
// LiveRunsModel: the runs monitor's table (issue 10 §4) — every live run of the database, hosted here or elsewhere —
// fed with LiveRunsSnapshot values (livesnapshot.h) read on a worker thread (LiveMonitor).
//
// Batching: submit() only keeps the newest snapshot; it is applied at most once per kMinBatchIntervalMs (100 ms: at
// most 10 model updates per second however fast snapshots arrive). Applying never resets the model: runs that are
// gone are removed, new runs are appended, and dataChanged is emitted only for the rows whose shown values changed
// (one signal per contiguous range of changed rows). batchApplied(changedRows) follows each applied snapshot.
//
// Columns: status, bot@version, account, symbol, timeframe, mode, heartbeat age, P/L (realised, account currency),
// drawdown (realised, % of starting equity; the bar shows it against the cap), open positions, trades today (UTC
// day), last action (time since the last heartbeat's last action), last error. P/L in R is not shown (livesnapshot.h
// says why). Roles: Qt::DisplayRole text, SortRole a number or text to sort by, and the roles below; the heartbeat
// column's Qt::BackgroundRole is amber at ≥ 30 s and red when stale (isStale, kStaleAfterMs).

#include "livesnapshot.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QHash>
#include <QStringList>
#include <QTimer>
#include <QVariantList>

#include <optional>

#include <vector>

namespace bd {

class LiveRunsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        StatusColumn, BotColumn, AccountColumn, SymbolColumn, TimeframeColumn, ModeColumn, HeartbeatColumn,
        ProfitColumn, DrawdownColumn, OpenColumn, TradesTodayColumn, LastActionColumn, LastErrorColumn, ColumnCount
    };
    enum Role {
        RunIdRole = Qt::UserRole + 1,  // QUuid
        StatusRole,                    // "RUNNING", ... (liveRunStatusName)
        SortRole,                      // a number (money, ms, counts) or text
        HeartbeatAgeRole,              // qint64 ms, -1 = none
        HeartbeatLevelRole,            // int(HeartbeatLevel)
        DrawdownPercentRole,           // double, % of starting equity
        DrawdownFractionRole,          // double, drawdown / cap; -1 = cap off
        DrawdownCapRole,               // double, the cap in %
    };
    static constexpr int kMinBatchIntervalMs = 100;

    explicit LiveRunsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Keeps `snapshot` as the next to apply (a newer one replaces it) and applies it within kMinBatchIntervalMs.
    void submit(LiveRunsSnapshot snapshot);
    // Applies the kept snapshot now (tests; the timer does it otherwise). False when none is kept.
    bool applyPending();

    // The run shown in `row` (of this model), or nothing.
    const LiveRunRow *rowAt(int row) const;
    int rowOf(const QUuid &runId) const;     // -1 when not shown
    qint64 snapshotAtMs() const { return m_atMs; }
    int appliedBatches() const { return m_batches; }
    // A run without a heartbeat for this long is red (default kStaleAfterMs).
    void setStaleAfterMs(qint64 ms) { m_staleAfterMs = ms; }

signals:
    void batchApplied(int changedRows);

private:
    struct Shown {
        QStringList texts;       // per column
        QVariantList sortKeys;   // per column
        int level = 0;           // HeartbeatLevel
        double ddFraction = -1;
    };
    Shown shownOf(const LiveRunRow &row, qint64 nowMs) const;
    void apply(LiveRunsSnapshot snapshot);

    std::vector<LiveRunRow> m_rows;
    std::vector<Shown> m_shown;
    QHash<QUuid, int> m_index;
    qint64 m_atMs = 0;
    qint64 m_staleAfterMs = kStaleAfterMs;
    std::optional<LiveRunsSnapshot> m_pending;
    QTimer m_batchTimer;
    QElapsedTimer m_sinceApply;
    int m_batches = 0;
};

} // namespace bd
