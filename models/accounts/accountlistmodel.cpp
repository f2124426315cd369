#include "accountlistmodel.h"

#include <QColor>

namespace bd {

const char *accountLightName(AccountLight light)
{
    switch (light) {
    case AccountLight::Unknown: return "unknown";
    case AccountLight::Ok: return "ok";
    case AccountLight::Warning: return "late";
    case AccountLight::Failed: return "failed";
    }
    return "unknown";
}

AccountLight accountLight(const AccountRow &row, const std::optional<BridgeProbeResult> &lastTest, qint64 nowMs)
{
    if ((lastTest && !lastTest->ok()) || row.staleRuns > 0)
        return AccountLight::Failed;
    if (row.activeRuns > 0 && row.lastHeartbeatAtMs > 0 && nowMs - row.lastHeartbeatAtMs >= kHeartbeatLateMs)
        return AccountLight::Warning;
    if (lastTest)
        return AccountLight::Ok;
    if (row.activeRuns > 0 && row.lastHeartbeatAtMs > 0)
        return AccountLight::Ok;
    return AccountLight::Unknown;
}

QString serverClockText(const LiveAccount &a)
{
    const int abs = std::abs(a.serverUtcOffsetMin);
    QString text = QStringLiteral("UTC%1%2:%3")
                       .arg(a.serverUtcOffsetMin < 0 ? QLatin1Char('-') : QLatin1Char('+'))
                       .arg(abs / 60, 2, 10, QLatin1Char('0'))
                       .arg(abs % 60, 2, 10, QLatin1Char('0'));
    if (!a.dstRule.isEmpty())
        text += QLatin1Char(' ') + a.dstRule;
    return text;
}

void AccountListModel::setRows(std::vector<AccountRow> rows, qint64 nowMs)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_nowMs = nowMs;
    endResetModel();
}

void AccountListModel::setTestResult(const BridgeProbeResult &result)
{
    m_tests.insert(result.account, result);
    const int row = rowOf(result.account);
    if (row >= 0)
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int AccountListModel::rowOf(const QString &name) const
{
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].account.name == name)
            return int(i);
    return -1;
}

std::optional<BridgeProbeResult> AccountListModel::lastTest(const QString &name) const
{
    const auto it = m_tests.constFind(name);
    if (it == m_tests.cend())
        return std::nullopt;
    return *it;
}

AccountLight AccountListModel::light(int row) const
{
    if (row < 0 || row >= int(m_rows.size()))
        return AccountLight::Unknown;
    return accountLight(m_rows[size_t(row)], lastTest(m_rows[size_t(row)].account.name), m_nowMs);
}

int AccountListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AccountListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AccountListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const AccountRow &row = m_rows[size_t(index.row())];
    const LiveAccount &a = row.account;
    if (index.column() == StatusColumn && role == Qt::DecorationRole) {
        switch (light(index.row())) {
        case AccountLight::Ok: return QColor(0x2e, 0xa0, 0x43);
        case AccountLight::Warning: return QColor(0xe0, 0x9b, 0x16);
        case AccountLight::Failed: return QColor(0xd0, 0x30, 0x30);
        case AccountLight::Unknown: return QColor(0x9a, 0x9a, 0x9a);
        }
    }
    if (role == Qt::ToolTipRole && index.column() == LastTestColumn) {
        const auto test = lastTest(a.name);
        return test ? test->summary() : QVariant();
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case StatusColumn: return QString::fromLatin1(accountLightName(light(index.row())));
    case NameColumn: return a.name;
    case BridgeColumn: return a.bridgeUrl;
    case TokenColumn: return a.tokenEnv.isEmpty() ? QStringLiteral("keychain") : QStringLiteral("$") + a.tokenEnv;
    case MagicColumn: return a.magic;
    case ServerClockColumn: return serverClockText(a);
    case RunsColumn: return QStringLiteral("%1 (%2 active)").arg(row.runs).arg(row.activeRuns);
    case HeartbeatColumn:
        return row.lastHeartbeatAtMs > 0 ? QStringLiteral("%1 s ago").arg((m_nowMs - row.lastHeartbeatAtMs) / 1000)
                                         : QStringLiteral("—");
    case LastTestColumn: {
        const auto test = lastTest(a.name);
        if (!test)
            return QStringLiteral("not tested");
        // The test's time: connect + hello/welcome + account.get (+ symbol.get), the bridge's round trips.
        return test->ok() ? QStringLiteral("ok in %1 ms: %2").arg(test->elapsedMs).arg(test->summary())
                          : QStringLiteral("failed: ") + test->error;
    }
    default: return {};
    }
}

QVariant AccountListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *names[] = {"Status", "Account", "Bridge", "Token", "Magic", "Server clock", "Runs",
                                  "Heartbeat", "Last test"};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

} // namespace bd
