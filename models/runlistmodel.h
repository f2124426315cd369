#pragma once
// Stored backtest runs, one row each: started (UTC), version (short hash), symbol, status, trades, net profit (deposit currency),
// profit factor, max equity drawdown %, Sharpe, duration, label. Fed by value snapshots (setRuns: a model reset).
// Roles: DisplayRole text; SortRole the raw value for numeric sorting through a QSortFilterProxyModel
// (started qint64 UTC epoch ms, trades int, money/ratios double — profit factor +infinity with no losing trade,
// duration qint64 ms, text columns as text); IdRole the run's QUuid; TextAlignmentRole numbers right-aligned;
// ForegroundRole red/green net profit, red for failed runs' status.

#include "backtestrun.h"
#include "versionlistmodel.h"

#include <QAbstractTableModel>
#include <QUuid>

#include <vector>

namespace bd {

class RunListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        StartedColumn,
        VersionColumn,
        SymbolColumn,
        StatusColumn,
        TradesColumn,
        NetProfitColumn,
        ProfitFactorColumn,
        MaxDrawdownColumn,
        SharpeColumn,
        DurationColumn,
        LabelColumn,
        ColumnCount
    };
    enum Role { SortRole = Qt::UserRole, IdRole };

    explicit RunListModel(QObject *parent = nullptr);

    void setRuns(std::vector<BacktestRunSummary> runs);
    void clear();
    const std::vector<BacktestRunSummary> &runs() const { return m_runs; }
    const BacktestRunSummary *runAt(int row) const;
    int rowOf(const QUuid &id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<BacktestRunSummary> m_runs;
};

} // namespace bd
