#include "runlistmodel.h"

#include "reportformat.h"

#include <QColor>

namespace bd {

RunListModel::RunListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void RunListModel::setRuns(std::vector<BacktestRunSummary> runs)
{
    beginResetModel();
    m_runs = std::move(runs);
    endResetModel();
}

void RunListModel::clear()
{
    setRuns({});
}

const BacktestRunSummary *RunListModel::runAt(int row) const
{
    return row >= 0 && size_t(row) < m_runs.size() ? &m_runs[size_t(row)] : nullptr;
}

int RunListModel::rowOf(const QUuid &id) const
{
    for (size_t i = 0; i < m_runs.size(); ++i) {
        if (m_runs[i].id == id)
            return int(i);
    }
    return -1;
}

int RunListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int RunListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const BacktestRunSummary &r = m_runs[size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case StartedColumn: return report::utcSecond(r.startedAtMs);
        case VersionColumn: return shortHash(r.codeHash);
        case SymbolColumn: return r.symbol;
        case StatusColumn: return QString::fromLatin1(runStatusName(r.status));
        case TradesColumn: return QString::number(r.totalTrades);
        case NetProfitColumn: return report::money(r.netProfit);
        case ProfitFactorColumn: return report::profitFactor(r.profitFactor);
        case MaxDrawdownColumn: return report::percent(r.maxDrawdownPercent);
        case SharpeColumn: return QString::number(r.sharpeRatio, 'f', 2);
        case DurationColumn: return report::duration(r.durationMs);
        case LabelColumn: return r.label;
        }
        break;
    case SortRole:
        switch (column) {
        case StartedColumn: return r.startedAtMs;
        case VersionColumn: return r.codeHash;
        case SymbolColumn: return r.symbol;
        case StatusColumn: return QString::fromLatin1(runStatusName(r.status));
        case TradesColumn: return r.totalTrades;
        case NetProfitColumn: return r.netProfit;
        case ProfitFactorColumn: return r.profitFactor;
        case MaxDrawdownColumn: return r.maxDrawdownPercent;
        case SharpeColumn: return r.sharpeRatio;
        case DurationColumn: return r.durationMs;
        case LabelColumn: return r.label;
        }
        break;
    case IdRole:
        return r.id;
    case Qt::TextAlignmentRole:
        if (column >= TradesColumn && column <= DurationColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        if (column == NetProfitColumn && r.netProfit != 0.0)
            return r.netProfit > 0 ? QColor(0x1b, 0x7f, 0x3b) : QColor(0xc6, 0x28, 0x28);
        if (column == StatusColumn && r.status == RunStatus::Failed)
            return QColor(0xc6, 0x28, 0x28);
        break;
    case Qt::ToolTipRole:
        return tr("Run %1 of version %2").arg(r.id.toString(QUuid::WithoutBraces), r.codeHash);
    }
    return {};
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StartedColumn: return tr("Started (UTC)");
    case VersionColumn: return tr("Version");
    case SymbolColumn: return tr("Symbol");
    case StatusColumn: return tr("Status");
    case TradesColumn: return tr("Trades");
    case NetProfitColumn: return tr("Net profit");
    case ProfitFactorColumn: return tr("Profit factor");
    case MaxDrawdownColumn: return tr("Max DD %");
    case SharpeColumn: return tr("Sharpe");
    case DurationColumn: return tr("Duration");
    case LabelColumn: return tr("Label");
    }
    return {};
}

} // namespace bd
