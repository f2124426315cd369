#pragma once
// Two stored backtest runs side by side (issue 6 §4): their equity curves overlaid in one chart (UTC time axis;
// run A blue, run B orange) and their key metrics in a table — metric, A, B, and B − A (money in the deposit
// currency, percentages in points; "—" where a difference has no meaning, e.g. an infinite profit factor).

#include "backtestrun.h"

#include <QString>
#include <QWidget>

#include <memory>

class QCustomPlot;
class QCPGraph;
class QLabel;
class QTableWidget;

namespace bd {

class RunComparisonWidget : public QWidget {
    Q_OBJECT
public:
    // Rows of metricsTable(), in this order.
    enum Metric {
        NetProfit,
        ProfitFactor,
        MaxDrawdownPercent,
        Sharpe,
        RecoveryFactor,
        Trades,
        WinRate,
        ExpectedPayoff,
        GrossProfit,
        GrossLoss,
        MetricCount
    };
    enum Column { MetricColumn, AColumn, BColumn, DifferenceColumn, ColumnCount };

    explicit RunComparisonWidget(QWidget *parent = nullptr);

    // Shows runs `a` and `b`, named by `nameA` / `nameB` (e.g. "alpha@1a2b3c4d5e6f 2024-06-01 10:00").
    void setRuns(std::shared_ptr<const BacktestRunRecord> a, const QString &nameA,
                 std::shared_ptr<const BacktestRunRecord> b, const QString &nameB);
    void clear();

    QCustomPlot *plot() const { return m_plot; }
    QCPGraph *equityGraphA() const { return m_graphA; }
    QCPGraph *equityGraphB() const { return m_graphB; }
    QTableWidget *metricsTable() const { return m_table; }
    // B − A of `metric` as a number (NaN when it has no meaning); for tests and tooltips.
    double difference(Metric metric) const;

private:
    QCustomPlot *m_plot = nullptr;
    QCPGraph *m_graphA = nullptr;
    QCPGraph *m_graphB = nullptr;
    QTableWidget *m_table = nullptr;
    QLabel *m_title = nullptr;
    std::shared_ptr<const BacktestRunRecord> m_a;
    std::shared_ptr<const BacktestRunRecord> m_b;
};

} // namespace bd
