#pragma once
// Balance/equity curve over a drawdown strip, MT5 report style.
// Top axis rect: balance (blue) and equity (green). Bottom axis rect: drawdown in % of the running equity
// peak (red filled area, 0 at the top). Both share a UTC date-time x axis and zoom/drag together
// (horizontal only; the value axes follow the visible data).
// Per-bar curves are min/max-decimated to at most maxPointsPerGraph() points each.

#include "metatypes.h"

#include <QWidget>

#include <qcustomplot.h>

#include <memory>

namespace bd {

class EquityChartWidget : public QWidget {
    Q_OBJECT
public:
    explicit EquityChartWidget(QWidget *parent = nullptr);

    void setResult(std::shared_ptr<const BacktestResult> result);
    void clear();

    static int maxPointsPerGraph() { return 3000; }

    QCustomPlot *plot() const { return m_plot; }
    QCPGraph *balanceGraph() const { return m_balance; }
    QCPGraph *equityGraph() const { return m_equity; }
    QCPGraph *drawdownGraph() const { return m_drawdown; }
    int balancePointCount() const;
    int equityPointCount() const;
    int drawdownPointCount() const;

private:
    void syncXRange(const QCPRange &range);
    void rescaleValueAxes();

    QCustomPlot *m_plot = nullptr;
    QCPAxisRect *m_topRect = nullptr;
    QCPAxisRect *m_ddRect = nullptr;
    QCPGraph *m_balance = nullptr;
    QCPGraph *m_equity = nullptr;
    QCPGraph *m_drawdown = nullptr;
    QCPTextElement *m_title = nullptr;
    QSharedPointer<QCPAxisTickerDateTime> m_ticker;
    bool m_syncing = false;
};

} // namespace bd
