#pragma once
// One row per closed trade of a BacktestResult, MT5 "Positions" style.
// Roles: DisplayRole text; Qt::UserRole the raw value for sorting (numbers as double, times as qint64 ms,
// enums as their name); TextAlignmentRole right-aligned numbers; ForegroundRole red/green profit;
// ToolTipRole the trade's comment.

#include "backtestengine.h"

#include <QAbstractTableModel>

#include <memory>

namespace bd {

class TradeListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        TicketColumn,
        OpenTimeColumn,
        TypeColumn,
        VolumeColumn,
        OpenPriceColumn,
        SlColumn,
        TpColumn,
        CloseTimeColumn,
        ClosePriceColumn,
        CommissionColumn,
        ProfitColumn,
        CloseReasonColumn,
        ColumnCount
    };

    explicit TradeListModel(QObject *parent = nullptr);

    // Replaces the content (model reset). `priceDigits` is the symbol's SymbolSpec::digits.
    void setResult(std::shared_ptr<const BacktestResult> result, int priceDigits = 5);
    void clear();
    std::shared_ptr<const BacktestResult> result() const { return m_result; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QColor profitColor();
    static QColor lossColor();

private:
    std::shared_ptr<const BacktestResult> m_result;
    int m_digits = 5;
};

} // namespace bd
