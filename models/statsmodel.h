#pragma once
// The MT5 Strategy Tester report (core/mt5report.h) as a table: four columns, two label/value pairs per
// row (left: result and drawdowns, right: trade statistics).
// Roles: DisplayRole text; Qt::UserRole the raw number of a value cell (double; NaN-free);
// TextAlignmentRole labels left, values right; ForegroundRole red/green for money results;
// FontRole bold values.

#include "backtestengine.h"
#include "mt5report.h"

#include <QAbstractTableModel>
#include <QString>
#include <QVariant>

#include <memory>
#include <vector>

namespace bd {

class StatsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { LeftLabelColumn, LeftValueColumn, RightLabelColumn, RightValueColumn, ColumnCount };

    explicit StatsModel(QObject *parent = nullptr);

    void setResult(std::shared_ptr<const BacktestResult> result);
    void clear();

    // The displayed value for a label such as "Total Net Profit"; empty when unknown. For tests and tooltips.
    QString valueText(const QString &label) const;
    QVariant rawValue(const QString &label) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const ReportLine *entryAt(int row, int column) const;
    const ReportLine *find(const QString &label) const;

    Mt5Report m_report;  // results in the left column pair, trade statistics in the right
};

} // namespace bd
