#include "liverunsmodel.h"

#include <QColor>
#include <QDateTime>

#include <algorithm>

namespace bd {

namespace {

QString ageText(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("-");
    const qint64 s = ms / 1000;
    if (s < 120)
        return QStringLiteral("%1 s").arg(s);
    if (s < 7200)
        return QStringLiteral("%1 min").arg(s / 60);
    if (s < 2 * 86400)
        return QStringLiteral("%1 h").arg(s / 3600);
    return QStringLiteral("%1 d").arg(s / 86400);
}

} // namespace

LiveRunsModel::LiveRunsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_batchTimer.setSingleShot(true);
    connect(&m_batchTimer, &QTimer::timeout, this, [this] { applyPending(); });
}

int LiveRunsModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int LiveRunsModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LiveRunsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *names[ColumnCount] = {"Status", "Bot", "Account", "Symbol", "TF", "Mode", "Heartbeat", "P/L",
                                             "Drawdown / cap", "Open", "Trades today", "Last action", "Last error"};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

QVariant LiveRunsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()) || index.column() >= ColumnCount)
        return {};
    const LiveRunRow &row = m_rows[size_t(index.row())];
    const Shown &shown = m_shown[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return shown.texts.value(index.column());
    case Qt::ToolTipRole:
        if (index.column() == LastErrorColumn || index.column() == BotColumn)
            return shown.texts.value(index.column());
        if (index.column() == StatusColumn)
            return QStringLiteral("%1 (desired %2), run %3")
                .arg(QLatin1String(liveRunStatusName(row.run.status)), QLatin1String(desiredStateName(row.run.desired)),
                     row.run.spec.id.toString(QUuid::WithoutBraces));
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == ProfitColumn || index.column() == OpenColumn || index.column() == TradesTodayColumn
            || index.column() == HeartbeatColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::BackgroundRole:
        if (index.column() == HeartbeatColumn) {
            if (shown.level == int(HeartbeatLevel::Stale))
                return QColor(0xdc, 0x26, 0x26);
            if (shown.level == int(HeartbeatLevel::Late))
                return QColor(0xf5, 0x9e, 0x0b);
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == HeartbeatColumn && shown.level == int(HeartbeatLevel::Stale))
            return QColor(Qt::white);
        if (index.column() == ProfitColumn && row.activity.realisedProfit != 0)
            return row.activity.realisedProfit > 0 ? QColor(0x1b, 0x7f, 0x3b) : QColor(0xc6, 0x28, 0x28);
        return {};
    case RunIdRole:
        return row.run.spec.id;
    case StatusRole:
        return QString::fromLatin1(liveRunStatusName(row.run.status));
    case SortRole:
        return shown.sortKeys.value(index.column());
    case HeartbeatAgeRole:
        return heartbeatAgeMs(row, m_atMs);
    case HeartbeatLevelRole:
        return shown.level;
    case DrawdownPercentRole:
        return realisedDrawdownPercent(row);
    case DrawdownFractionRole:
        return shown.ddFraction;
    case DrawdownCapRole:
        return row.run.spec.guardrails.drawdownCapPercent;
    default:
        return {};
    }
}

LiveRunsModel::Shown LiveRunsModel::shownOf(const LiveRunRow &row, qint64 nowMs) const
{
    const LiveRunRecord &r = row.run;
    const RunActivity &a = row.activity;
    Shown s;
    const qint64 age = heartbeatAgeMs(row, nowMs);
    const HeartbeatLevel level = heartbeatLevel(row, nowMs, m_staleAfterMs);
    s.level = int(level);
    s.ddFraction = drawdownCapFraction(row);
    const double dd = realisedDrawdownPercent(row);
    const qint64 lastAction = a.lastHeartbeat ? a.lastHeartbeat->lastActionAtMs : 0;
    QString status = QString::fromLatin1(liveRunStatusName(r.status));
    if (level == HeartbeatLevel::Stale)
        status += QStringLiteral(" (stale)");
    else if (r.desired != DesiredState::Running && r.status != LiveRunStatus::Stopped && r.status != LiveRunStatus::Error)
        status += QStringLiteral(" → %1").arg(QLatin1String(desiredStateName(r.desired)));
    const QString dash = QStringLiteral("-");
    s.texts = QStringList{
        status,
        r.spec.botName + QLatin1Char('@') + r.spec.codeHash.left(12),
        r.spec.account,
        r.spec.symbol,
        r.spec.timeframe,
        QStringLiteral("%1 %2").arg(QLatin1String(decisionModeName(r.spec.decision)),
                                    QLatin1String(approvalModeName(r.spec.approval))),
        level == HeartbeatLevel::None && r.lastHeartbeatAtMs <= 0 ? dash : ageText(age),
        QString::number(a.realisedProfit, 'f', 2),
        s.ddFraction < 0 ? QStringLiteral("%1% (no cap)").arg(dd, 0, 'f', 1)
                         : QStringLiteral("%1% / %2%").arg(dd, 0, 'f', 1).arg(r.spec.guardrails.drawdownCapPercent),
        QString::number(a.openPositions),
        QString::number(a.tradesSince),
        lastAction > 0 ? QStringLiteral("%1 ago").arg(ageText(std::max<qint64>(0, nowMs - lastAction))) : dash,
        r.lastError,
    };
    s.sortKeys = QVariantList{
        int(r.status),
        s.texts[BotColumn],
        r.spec.account,
        r.spec.symbol,
        r.spec.timeframe,
        s.texts[ModeColumn],
        age,
        a.realisedProfit,
        dd,
        a.openPositions,
        a.tradesSince,
        lastAction,
        r.lastError,
    };
    return s;
}

void LiveRunsModel::submit(LiveRunsSnapshot snapshot)
{
    m_pending = std::move(snapshot);
    if (m_batchTimer.isActive())
        return;  // the newest is applied when it fires
    const qint64 since = m_sinceApply.isValid() ? m_sinceApply.elapsed() : qint64(kMinBatchIntervalMs);
    m_batchTimer.start(int(std::max<qint64>(0, kMinBatchIntervalMs - since)));
}

bool LiveRunsModel::applyPending()
{
    if (!m_pending)
        return false;
    m_batchTimer.stop();
    LiveRunsSnapshot next = std::move(*m_pending);
    m_pending.reset();
    apply(std::move(next));
    return true;
}

void LiveRunsModel::apply(LiveRunsSnapshot snapshot)
{
    m_sinceApply.start();
    m_atMs = snapshot.atMs;
    QHash<QUuid, size_t> incoming;
    for (size_t i = 0; i < snapshot.rows.size(); ++i)
        incoming.insert(snapshot.rows[i].run.spec.id, i);

    // Runs that are gone, from the bottom up.
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        if (incoming.contains(m_rows[size_t(row)].run.spec.id))
            continue;
        beginRemoveRows({}, row, row);
        m_rows.erase(m_rows.begin() + row);
        m_shown.erase(m_shown.begin() + row);
        endRemoveRows();
    }
    m_index.clear();
    for (size_t i = 0; i < m_rows.size(); ++i)
        m_index.insert(m_rows[i].run.spec.id, int(i));

    // Runs still here: changed values only.
    std::vector<bool> changed(m_rows.size(), false);
    int changedRows = 0;
    for (size_t i = 0; i < m_rows.size(); ++i) {
        LiveRunRow &next = snapshot.rows[incoming.value(m_rows[i].run.spec.id)];
        Shown shown = shownOf(next, m_atMs);
        if (shown.texts != m_shown[i].texts || shown.level != m_shown[i].level
            || shown.ddFraction != m_shown[i].ddFraction) {
            changed[i] = true;
            ++changedRows;
            m_shown[i] = std::move(shown);
        }
        m_rows[i] = std::move(next);
    }
    for (size_t i = 0; i < changed.size();) {
        if (!changed[i]) {
            ++i;
            continue;
        }
        size_t end = i;
        while (end + 1 < changed.size() && changed[end + 1])
            ++end;
        emit dataChanged(index(int(i), 0), index(int(end), ColumnCount - 1));
        i = end + 1;
    }

    // New runs, appended in the snapshot's order.
    std::vector<size_t> added;
    for (size_t i = 0; i < snapshot.rows.size(); ++i) {
        if (!m_index.contains(snapshot.rows[i].run.spec.id))
            added.push_back(i);
    }
    if (!added.empty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        for (size_t i : added) {
            m_shown.push_back(shownOf(snapshot.rows[i], m_atMs));
            m_index.insert(snapshot.rows[i].run.spec.id, int(m_rows.size()));
            m_rows.push_back(std::move(snapshot.rows[i]));
        }
        endInsertRows();
        changedRows += int(added.size());
    }
    ++m_batches;
    emit batchApplied(changedRows);
}

const LiveRunRow *LiveRunsModel::rowAt(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? &m_rows[size_t(row)] : nullptr;
}

int LiveRunsModel::rowOf(const QUuid &runId) const { return m_index.value(runId, -1); }

} // namespace bd
