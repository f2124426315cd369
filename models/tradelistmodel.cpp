#include "tradelistmodel.h"

#include "reportformat.h"

#include <QColor>

namespace bd {

TradeListModel::TradeListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void TradeListModel::setResult(std::shared_ptr<const BacktestResult> result, int priceDigits)
{
    beginResetModel();
    m_result = std::move(result);
    m_digits = priceDigits;
    endResetModel();
}

void TradeListModel::clear()
{
    setResult(nullptr, m_digits);
}

int TradeListModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_result)
        return 0;
    return int(m_result->trades.size());
}

int TradeListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QColor TradeListModel::profitColor() { return QColor(0x1b, 0x7f, 0x3b); }
QColor TradeListModel::lossColor() { return QColor(0xc6, 0x28, 0x28); }

QVariant TradeListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_result)
        return {};
    const Trade &t = m_result->trades[size_t(index.row())];
    const int column = index.column();

    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case TicketColumn: return QString::number(t.ticket);
        case OpenTimeColumn: return report::utcMinute(t.openTimeMs);
        case TypeColumn: return QString::fromLatin1(sideName(t.side));
        case VolumeColumn: return QString::number(t.volume, 'f', 2);
        case OpenPriceColumn: return report::price(t.openPrice, m_digits);
        case SlColumn: return report::price(t.sl, m_digits, true);
        case TpColumn: return report::price(t.tp, m_digits, true);
        case CloseTimeColumn: return report::utcMinute(t.closeTimeMs);
        case ClosePriceColumn: return report::price(t.closePrice, m_digits);
        case CommissionColumn: return report::money(t.commission);
        case ProfitColumn: return report::money(t.netProfit());
        case CloseReasonColumn: return QString::fromLatin1(closeReasonName(t.closeReason));
        default: return {};
        }
    case Qt::UserRole:
        switch (column) {
        case TicketColumn: return QVariant::fromValue<qulonglong>(t.ticket);
        case OpenTimeColumn: return QVariant::fromValue<qlonglong>(t.openTimeMs);
        case TypeColumn: return QString::fromLatin1(sideName(t.side));
        case VolumeColumn: return t.volume;
        case OpenPriceColumn: return t.openPrice;
        case SlColumn: return t.sl;
        case TpColumn: return t.tp;
        case CloseTimeColumn: return QVariant::fromValue<qlonglong>(t.closeTimeMs);
        case ClosePriceColumn: return t.closePrice;
        case CommissionColumn: return t.commission;
        case ProfitColumn: return t.netProfit();
        case CloseReasonColumn: return QString::fromLatin1(closeReasonName(t.closeReason));
        default: return {};
        }
    case Qt::TextAlignmentRole:
        switch (column) {
        case TypeColumn:
        case CloseReasonColumn:
            return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
        case OpenTimeColumn:
        case CloseTimeColumn:
            return QVariant(Qt::AlignHCenter | Qt::AlignVCenter);
        default:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        }
    case Qt::ForegroundRole:
        if (column == ProfitColumn) {
            const double net = t.netProfit();
            if (net > 0)
                return profitColor();
            if (net < 0)
                return lossColor();
        }
        return {};
    case Qt::ToolTipRole:
        if (!t.comment.isEmpty())
            return t.comment;
        if (column == ProfitColumn)
            return tr("Price P/L %1, commission %2, MAE %3, MFE %4")
                .arg(report::money(t.profit), report::money(t.commission), report::money(t.mae),
                     report::money(t.mfe));
        return {};
    default:
        return {};
    }
}

QVariant TradeListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::TextAlignmentRole)
        return QVariant(Qt::AlignCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TicketColumn: return tr("#");
    case OpenTimeColumn: return tr("Open time (UTC)");
    case TypeColumn: return tr("Type");
    case VolumeColumn: return tr("Volume");
    case OpenPriceColumn: return tr("Open price");
    case SlColumn: return tr("S/L");
    case TpColumn: return tr("T/P");
    case CloseTimeColumn: return tr("Close time (UTC)");
    case ClosePriceColumn: return tr("Close price");
    case CommissionColumn: return tr("Commission");
    case ProfitColumn: return tr("Profit");
    case CloseReasonColumn: return tr("Close reason");
    default: return {};
    }
}

} // namespace bd
