#pragma once
// AccountListModel: the Accounts page's table (issue 10 §2): one row per live account of the database, with its
// status light — the last "Test connection" result and the heartbeat age of its runs.
//
// Light (column Status, DecorationRole a QColor, DisplayRole its word):
//   Failed  (red)    the last test failed, or a run of the account is stale (isStale: no heartbeat for 60 s)
//   Warning (amber)  a run that should be trading has written no heartbeat for 30 s or more
//   Ok      (green)  the last test succeeded and no run is late
//   Unknown (grey)   never tested here and no run to tell
// Times: heartbeat age in seconds from the listing's clock (AccountDirectory::accountsListed nowMs); the last test's
// duration in ms (connect, welcome and account: the bridge's latency as the trader sees it).

#include "accountdirectory.h"
#include "bridgeprobe.h"

#include <QAbstractTableModel>
#include <QHash>

#include <optional>
#include <vector>

namespace bd {

enum class AccountLight { Unknown, Ok, Warning, Failed };
const char *accountLightName(AccountLight light);  // "unknown", "ok", "late", "failed"
// Heartbeats older than this make an active account amber.
inline constexpr qint64 kHeartbeatLateMs = 30'000;
AccountLight accountLight(const AccountRow &row, const std::optional<BridgeProbeResult> &lastTest, qint64 nowMs);

class AccountListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { StatusColumn, NameColumn, BridgeColumn, TokenColumn, MagicColumn, ServerClockColumn, RunsColumn,
                  HeartbeatColumn, LastTestColumn, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(std::vector<AccountRow> rows, qint64 nowMs);
    // Remembers `result` as the account's last test (kept across refreshes).
    void setTestResult(const BridgeProbeResult &result);

    const std::vector<AccountRow> &rows() const { return m_rows; }
    int rowOf(const QString &name) const;  // -1 when absent
    std::optional<BridgeProbeResult> lastTest(const QString &name) const;
    AccountLight light(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<AccountRow> m_rows;
    qint64 m_nowMs = 0;
    QHash<QString, BridgeProbeResult> m_tests;
};

// "UTC+02:00" (+ " EET" when the account follows Europe's DST).
QString serverClockText(const LiveAccount &account);

} // namespace bd
