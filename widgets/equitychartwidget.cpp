#include "equitychartwidget.h"

#include "chartstyle.h"

#include "reportformat.h"
#include "seriesdecimator.h"

#include <QVBoxLayout>

#include <algorithm>
#include <vector>

namespace bd {
namespace {

const QColor kBalanceColor(0x1f, 0x5f, 0xbf);
const QColor kEquityColor(0x2e, 0x9d, 0x48);
const QColor kDrawdownColor(0xd3, 0x2f, 0x2f);

} // namespace

EquityChartWidget::EquityChartWidget(QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    m_plot->setObjectName(QStringLiteral("equityPlot"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);

    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);

    // Row 0: title, row 1: balance/equity, row 2: drawdown.
    m_title = new QCPTextElement(m_plot, tr("Run a backtest to see the balance and equity curves"),
                                 QFont(font().family(), 10, QFont::Bold));
    m_title->setTextColor(QColor(0x33, 0x38, 0x40));
    m_plot->plotLayout()->insertRow(0);
    auto *header = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 0, header);
    header->addElement(0, 0, m_title);

    m_topRect = m_plot->axisRect(0);
    m_ddRect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(2, 0, m_ddRect);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.01);
    m_plot->plotLayout()->setRowStretchFactor(1, 3);
    m_plot->plotLayout()->setRowStretchFactor(2, 1);
    m_plot->plotLayout()->setRowSpacing(0);

    // Align the left axes of both rects.
    auto *margins = new QCPMarginGroup(m_plot);
    m_topRect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    m_ddRect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    m_topRect->setAutoMargins(QCP::msLeft | QCP::msRight | QCP::msTop);
    m_topRect->setMargins(QMargins(0, 0, 0, 4));
    m_ddRect->setAutoMargins(QCP::msLeft | QCP::msRight | QCP::msBottom);
    m_ddRect->setMargins(QMargins(0, 4, 0, 0));

    m_ticker = chart::makeUtcTimeTicker();

    for (QCPAxisRect *rect : {m_topRect, m_ddRect}) {
        rect->setRangeDrag(Qt::Horizontal);
        rect->setRangeZoom(Qt::Horizontal);
        rect->axis(QCPAxis::atBottom)->setTicker(m_ticker);
        for (QCPAxis *axis : rect->axes())
            chart::styleAxis(axis);
    }
    m_topRect->axis(QCPAxis::atBottom)->setTickLabels(false);
    m_topRect->axis(QCPAxis::atLeft)->setLabel(tr("Balance / Equity"));
    m_ddRect->axis(QCPAxis::atLeft)->setLabel(tr("Drawdown %"));
    m_ddRect->axis(QCPAxis::atLeft)->ticker()->setTickCount(3);
    m_ddRect->axis(QCPAxis::atBottom)->setLabel(tr("Time (UTC)"));

    // Equity first so the balance line is drawn over it (MT5 does the same).
    m_equity = m_plot->addGraph(m_topRect->axis(QCPAxis::atBottom), m_topRect->axis(QCPAxis::atLeft));
    m_equity->setName(tr("Equity"));
    m_equity->setPen(QPen(kEquityColor, 1.0));
    m_balance = m_plot->addGraph(m_topRect->axis(QCPAxis::atBottom), m_topRect->axis(QCPAxis::atLeft));
    m_balance->setName(tr("Balance"));
    m_balance->setPen(QPen(kBalanceColor, 1.6));
    m_drawdown = m_plot->addGraph(m_ddRect->axis(QCPAxis::atBottom), m_ddRect->axis(QCPAxis::atLeft));
    m_drawdown->setName(tr("Drawdown"));
    m_drawdown->setPen(QPen(kDrawdownColor, 1.0));
    QColor fill = kDrawdownColor;
    fill.setAlpha(90);
    m_drawdown->setBrush(fill);

    m_plot->legend->setVisible(true);
    m_drawdown->removeFromLegend();
    // The legend sits in the header row, right of the title, so it never covers the curves.
    header->addElement(0, 1, m_plot->legend);
    header->setColumnStretchFactor(0, 4);
    header->setColumnStretchFactor(1, 1);
    m_plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setBrush(Qt::NoBrush);
    m_plot->legend->setMargins(QMargins(4, 2, 8, 2));

    connect(m_topRect->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
            &EquityChartWidget::syncXRange);
    connect(m_ddRect->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
            &EquityChartWidget::syncXRange);

    setMinimumHeight(320);
    clear();
}

void EquityChartWidget::clear()
{
    m_balance->data()->clear();
    m_equity->data()->clear();
    m_drawdown->data()->clear();
    m_title->setText(tr("Run a backtest to see the balance and equity curves"));
    const double now = double(QDateTime::currentSecsSinceEpoch());
    m_syncing = true;
    m_topRect->axis(QCPAxis::atBottom)->setRange(now - 30 * 86400, now);
    m_ddRect->axis(QCPAxis::atBottom)->setRange(now - 30 * 86400, now);
    m_syncing = false;
    m_topRect->axis(QCPAxis::atLeft)->setRange(0, 1);
    m_ddRect->axis(QCPAxis::atLeft)->setRange(-1, 0);
    m_topRect->axis(QCPAxis::atLeft)->setTickLabels(false);  // no made-up numbers on an empty chart
    m_ddRect->axis(QCPAxis::atLeft)->setTickLabels(false);
    m_plot->replot();
}

void EquityChartWidget::setResult(std::shared_ptr<const BacktestResult> result)
{
    if (!result || result->equity.empty()) {
        clear();
        if (result)
            m_title->setText(tr("%1 · %2: no bars processed").arg(result->symbol, result->strategy));
        m_plot->replot();
        return;
    }

    const auto &points = result->equity;
    const size_t n = points.size();
    std::vector<double> keys(n), balance(n), equity(n), drawdown(n);
    double peak = points.front().equity;
    for (size_t i = 0; i < n; ++i) {
        const EquityPoint &p = points[i];
        keys[i] = double(p.timeMs) / 1000.0;
        balance[i] = p.balance;
        equity[i] = p.equity;
        peak = std::max(peak, p.equity);
        const double low = std::min(p.equityLow, p.equity);
        drawdown[i] = peak > 0 ? std::min(0.0, (low - peak) / peak * 100.0) : 0.0;
    }

    auto load = [](QCPGraph *graph, const DecimatedSeries &series) {
        graph->setData(series.keys, series.values, true);
    };
    const int maxPoints = maxPointsPerGraph();
    load(m_balance, decimateMinMax(keys, balance, maxPoints));
    load(m_equity, decimateMinMax(keys, equity, maxPoints));
    load(m_drawdown, decimateMinMax(keys, drawdown, maxPoints));

    const BacktestStats &s = result->stats;
    m_title->setText(tr("%1 · %2 · %3 – %4 · net %5 %6 · max equity DD %7%")
                         .arg(result->symbol, result->strategy, report::utcDate(result->firstBarTimeMs),
                              report::utcDate(result->lastBarTimeMs), report::money(s.totalNetProfit),
                              result->config.depositCurrency, QString::number(s.equityDrawdownRelativePercent, 'f', 2)));

    m_topRect->axis(QCPAxis::atLeft)->setLabel(tr("Balance / Equity (%1)").arg(result->config.depositCurrency));
    m_topRect->axis(QCPAxis::atLeft)->setTickLabels(true);
    m_ddRect->axis(QCPAxis::atLeft)->setTickLabels(true);

    m_syncing = true;
    const QCPRange xRange(keys.front(), std::max(keys.back(), keys.front() + 60));
    m_topRect->axis(QCPAxis::atBottom)->setRange(xRange);
    m_ddRect->axis(QCPAxis::atBottom)->setRange(xRange);
    m_syncing = false;
    chart::fitTimeLabels(*m_ticker, xRange);
    rescaleValueAxes();
    m_plot->replot();
}

int EquityChartWidget::balancePointCount() const { return m_balance->dataCount(); }
int EquityChartWidget::equityPointCount() const { return m_equity->dataCount(); }
int EquityChartWidget::drawdownPointCount() const { return m_drawdown->dataCount(); }

void EquityChartWidget::syncXRange(const QCPRange &range)
{
    if (m_syncing)
        return;
    m_syncing = true;
    m_topRect->axis(QCPAxis::atBottom)->setRange(range);
    m_ddRect->axis(QCPAxis::atBottom)->setRange(range);
    m_syncing = false;
    chart::fitTimeLabels(*m_ticker, range);
    rescaleValueAxes();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void EquityChartWidget::rescaleValueAxes()
{
    if (m_balance->dataCount() == 0)
        return;
    // Fit the visible part of both curves, with a little headroom.
    bool found = false;
    QCPRange top = m_balance->getValueRange(found, QCP::sdBoth, m_balance->keyAxis()->range());
    bool foundEquity = false;
    const QCPRange equityRange = m_equity->getValueRange(foundEquity, QCP::sdBoth, m_equity->keyAxis()->range());
    if (foundEquity)
        top = found ? QCPRange(std::min(top.lower, equityRange.lower), std::max(top.upper, equityRange.upper)) : equityRange;
    if (found || foundEquity) {
        const double pad = std::max(top.size() * 0.06, std::abs(top.upper) * 0.001 + 1e-9);
        m_topRect->axis(QCPAxis::atLeft)->setRange(top.lower - pad, top.upper + pad);
    }
    bool foundDd = false;
    const QCPRange dd = m_drawdown->getValueRange(foundDd, QCP::sdBoth, m_drawdown->keyAxis()->range());
    const double ddLow = foundDd ? std::min(dd.lower, -0.01) : -1.0;
    m_ddRect->axis(QCPAxis::atLeft)->setRange(ddLow * 1.08, 0.0);
}

} // namespace bd
