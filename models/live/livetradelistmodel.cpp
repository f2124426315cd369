#include "livetradelistmodel.h"

#include "reportformat.h"

#include <QColor>

namespace bd {

namespace {

bool same(const LiveTrade &a, const LiveTrade &b)
{
    return a.positionTicket == b.positionTicket && a.account == b.account && a.sl == b.sl && a.tp == b.tp
           && a.profit == b.profit && a.commission == b.commission && a.swap == b.swap
           && a.closedVolume == b.closedVolume && a.closeTimeMs == b.closeTimeMs;
}

double netProfit(const LiveTrade &t) { return t.profit + t.commission + t.swap; }

QString price(double p) { return p != 0 ? QString::number(p, 'f', 5) : QStringLiteral("-"); }

} // namespace

LiveTradeListModel::LiveTradeListModel(bool openOnly, QObject *parent)
    : QAbstractTableModel(parent)
    , m_openOnly(openOnly)
{
}

int LiveTradeListModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_trades.size()); }

int LiveTradeListModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LiveTradeListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *names[ColumnCount] = {"Ticket", "Side", "Volume", "Open time (UTC)", "Open price", "SL", "TP",
                                             "Close time", "Close price", "P/L", "Reason"};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

QVariant LiveTradeListModel::data(const QModelIndex &index, int role) const
{
    const LiveTrade *t = tradeAt(index.row());
    if (!t || !index.isValid())
        return {};
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case TicketColumn: return QString::number(t->positionTicket);
        case SideColumn: return QString::fromLatin1(sideName(t->side));
        case VolumeColumn: return QString::number(t->volume, 'f', 2);
        case OpenTimeColumn: return report::utcSecond(t->openTimeMs);
        case OpenPriceColumn: return price(t->openPrice);
        case SlColumn: return price(t->sl);
        case TpColumn: return price(t->tp);
        case CloseTimeColumn: return t->closeTimeMs ? report::utcSecond(*t->closeTimeMs) : tr("open");
        case ClosePriceColumn: return t->closeTimeMs ? price(t->closePrice) : QStringLiteral("-");
        case ProfitColumn: return QString::number(netProfit(*t), 'f', 2);
        case ReasonColumn:
            return t->closeReason + (t->closeSubreason.isEmpty() ? QString() : QLatin1Char('/') + t->closeSubreason);
        default: return {};
        }
    }
    if (role == Qt::ForegroundRole && index.column() == ProfitColumn && netProfit(*t) != 0)
        return netProfit(*t) > 0 ? QColor(0x1b, 0x7f, 0x3b) : QColor(0xc6, 0x28, 0x28);
    return {};
}

void LiveTradeListModel::setTrades(const std::vector<LiveTrade> &trades)
{
    std::vector<LiveTrade> next;
    for (const LiveTrade &t : trades) {
        if (!m_openOnly || !t.closeTimeMs)
            next.push_back(t);
    }
    if (next.size() == m_trades.size() && std::equal(next.begin(), next.end(), m_trades.begin(), same))
        return;
    beginResetModel();
    m_trades = std::move(next);
    endResetModel();
}

const LiveTrade *LiveTradeListModel::tradeAt(int row) const
{
    return row >= 0 && row < int(m_trades.size()) ? &m_trades[size_t(row)] : nullptr;
}

} // namespace bd
