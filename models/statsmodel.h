#pragma once
// The MT5 Strategy Tester report as a table: four columns, two label/value pairs per row
// (left: result and drawdowns, right: trade statistics).
// Roles: DisplayRole text; Qt::UserRole the raw number of a value cell (double; NaN-free);
// TextAlignmentRole labels left, values right; ForegroundRole red/green for money results;
// FontRole bold values.

#include "backtestengine.h"

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

    struct Entry {
        QString label;
        QString text;
        QVariant raw;      // the main number (double or int)
        int sign = 0;      // +1 green, -1 red, 0 default colour
    };

private:
    const Entry *entryAt(int row, int column) const;
    const Entry *find(const QString &label) const;

    std::vector<Entry> m_left;
    std::vector<Entry> m_right;
};

} // namespace bd
