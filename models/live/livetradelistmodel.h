#pragma once
// LiveTradeListModel: a run's trades in the run detail (issue 10 §5) — every trade, or only the open positions.
// setTrades replaces the list; it resets the model only when the trades differ from those shown (same tickets and
// values: nothing happens), so a selection survives the monitor's polls.
// Columns: ticket, side, volume (lots), open time (UTC), open price, SL, TP, close time, close price, P/L (profit +
// commission + swap, account currency), close reason.

#include "tradestore.h"

#include <QAbstractTableModel>

#include <vector>

namespace bd {

class LiveTradeListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        TicketColumn, SideColumn, VolumeColumn, OpenTimeColumn, OpenPriceColumn, SlColumn, TpColumn, CloseTimeColumn,
        ClosePriceColumn, ProfitColumn, ReasonColumn, ColumnCount
    };
    // openOnly: only the trades not fully closed (the run's positions).
    explicit LiveTradeListModel(bool openOnly, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setTrades(const std::vector<LiveTrade> &trades);
    const LiveTrade *tradeAt(int row) const;

private:
    bool m_openOnly;
    std::vector<LiveTrade> m_trades;
};

} // namespace bd
