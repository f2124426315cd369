#include "statsmodel.h"

#include "tradelistmodel.h"

#include <QColor>
#include <QFont>

#include <algorithm>

namespace bd {

StatsModel::StatsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void StatsModel::clear()
{
    setResult(nullptr);
}

void StatsModel::setResult(std::shared_ptr<const BacktestResult> result)
{
    beginResetModel();
    m_report = result ? mt5Report(*result) : Mt5Report{};
    endResetModel();
}

const ReportLine *StatsModel::entryAt(int row, int column) const
{
    const auto &side = column < RightLabelColumn ? m_report.results : m_report.trades;
    if (row < 0 || size_t(row) >= side.size())
        return nullptr;
    return &side[size_t(row)];
}

const ReportLine *StatsModel::find(const QString &label) const
{
    for (const auto *side : {&m_report.results, &m_report.trades})
        for (const ReportLine &e : *side)
            if (e.label == label)
                return &e;
    return nullptr;
}

QString StatsModel::valueText(const QString &label) const
{
    const ReportLine *e = find(label);
    return e ? e->text : QString();
}

QVariant StatsModel::rawValue(const QString &label) const
{
    const ReportLine *e = find(label);
    return e ? e->value : QVariant();
}

int StatsModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return int(std::max(m_report.results.size(), m_report.trades.size()));
}

int StatsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StatsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ReportLine *e = entryAt(index.row(), index.column());
    if (!e)
        return {};
    const bool isLabel = index.column() == LeftLabelColumn || index.column() == RightLabelColumn;

    switch (role) {
    case Qt::DisplayRole:
        return isLabel ? e->label + QLatin1Char(':') : e->text;
    case Qt::UserRole:
        return isLabel ? QVariant(e->label) : e->value;
    case Qt::TextAlignmentRole:
        return isLabel ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (isLabel)
            return QColor(0x55, 0x5b, 0x66);
        if (e->sign > 0)
            return TradeListModel::profitColor();
        if (e->sign < 0)
            return TradeListModel::lossColor();
        return {};
    case Qt::FontRole:
        if (!isLabel) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    default:
        return {};
    }
}

QVariant StatsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case LeftLabelColumn: return tr("Result");
    case LeftValueColumn: return tr("Value");
    case RightLabelColumn: return tr("Trades");
    case RightValueColumn: return tr("Value");
    default: return {};
    }
}

} // namespace bd
