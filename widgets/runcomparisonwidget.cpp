#include "runcomparisonwidget.h"

#include "chartstyle.h"
#include "reportformat.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <cmath>
#include <limits>

namespace bd {
namespace {

const QColor kColorA(0x1f, 0x6f, 0xd1);
const QColor kColorB(0xe0, 0x7b, 0x16);

double metricValue(const BacktestStats &s, int metric)
{
    switch (metric) {
    case RunComparisonWidget::NetProfit: return s.totalNetProfit;
    case RunComparisonWidget::ProfitFactor: return s.profitFactor;
    case RunComparisonWidget::MaxDrawdownPercent: return s.equityDrawdownRelativePercent;
    case RunComparisonWidget::Sharpe: return s.sharpeRatio;
    case RunComparisonWidget::RecoveryFactor: return s.recoveryFactor;
    case RunComparisonWidget::Trades: return s.totalTrades;
    case RunComparisonWidget::WinRate: return s.winRatePercent;
    case RunComparisonWidget::ExpectedPayoff: return s.expectedPayoff;
    case RunComparisonWidget::GrossProfit: return s.grossProfit;
    case RunComparisonWidget::GrossLoss: return s.grossLoss;
    }
    return 0.0;
}

QString metricName(int metric)
{
    switch (metric) {
    case RunComparisonWidget::NetProfit: return QObject::tr("Net profit");
    case RunComparisonWidget::ProfitFactor: return QObject::tr("Profit factor");
    case RunComparisonWidget::MaxDrawdownPercent: return QObject::tr("Max equity drawdown %");
    case RunComparisonWidget::Sharpe: return QObject::tr("Sharpe ratio");
    case RunComparisonWidget::RecoveryFactor: return QObject::tr("Recovery factor");
    case RunComparisonWidget::Trades: return QObject::tr("Trades");
    case RunComparisonWidget::WinRate: return QObject::tr("Win rate %");
    case RunComparisonWidget::ExpectedPayoff: return QObject::tr("Expected payoff");
    case RunComparisonWidget::GrossProfit: return QObject::tr("Gross profit");
    case RunComparisonWidget::GrossLoss: return QObject::tr("Gross loss");
    }
    return {};
}

QString metricText(int metric, double v)
{
    switch (metric) {
    case RunComparisonWidget::ProfitFactor: return report::profitFactor(v);
    case RunComparisonWidget::MaxDrawdownPercent:
    case RunComparisonWidget::WinRate: return report::percent(v);
    case RunComparisonWidget::Sharpe:
    case RunComparisonWidget::RecoveryFactor: return QString::number(v, 'f', 2);
    case RunComparisonWidget::Trades: return QString::number(qint64(v));
    default: return report::money(v);
    }
}

QString differenceText(int metric, double d)
{
    if (!std::isfinite(d))
        return QStringLiteral("—");
    QString text = metric == RunComparisonWidget::MaxDrawdownPercent || metric == RunComparisonWidget::WinRate
                       ? QString::number(d, 'f', 2) + QObject::tr(" pts")
                       : metricText(metric, d);
    if (d > 0)
        text.prepend(QLatin1Char('+'));
    return text;
}

void fillGraph(QCPGraph *graph, const std::vector<EquityPoint> &equity)
{
    QVector<double> keys;
    QVector<double> values;
    keys.reserve(qsizetype(equity.size()));
    values.reserve(qsizetype(equity.size()));
    for (const EquityPoint &p : equity) {
        keys << double(p.timeMs) / 1000.0;
        values << p.equity;
    }
    graph->setData(keys, values, true);
}

} // namespace

RunComparisonWidget::RunComparisonWidget(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("runComparison"));
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("comparisonTitle"));
    m_title->setTextFormat(Qt::RichText);
    m_title->setText(tr("Select two runs and press Compare."));

    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("comparisonPlot"));
    m_plot->setMinimumHeight(180);
    chart::styleAxis(m_plot->xAxis);
    chart::styleAxis(m_plot->yAxis);
    auto ticker = chart::makeUtcTimeTicker();
    ticker->setTickCount(4);  // the chart shares its width with the metrics table
    m_plot->xAxis->setTicker(ticker);
    m_plot->yAxis->setLabel(tr("Equity"));
    m_graphA = m_plot->addGraph();
    m_graphA->setPen(QPen(kColorA, 1.5));
    m_graphB = m_plot->addGraph();
    m_graphB->setPen(QPen(kColorB, 1.5));
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);

    m_table = new QTableWidget(MetricCount, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("comparisonTable"));
    m_table->setHorizontalHeaderLabels({tr("Metric"), tr("A"), tr("B"), tr("B − A")});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    for (int m = 0; m < MetricCount; ++m)
        m_table->setItem(m, MetricColumn, new QTableWidgetItem(metricName(m)));

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_plot);
    split->addWidget(m_table);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(split, 1);
    clear();
}

void RunComparisonWidget::clear()
{
    m_a.reset();
    m_b.reset();
    m_graphA->data()->clear();
    m_graphB->data()->clear();
    m_graphA->setName(tr("A"));
    m_graphB->setName(tr("B"));
    for (int m = 0; m < MetricCount; ++m) {
        for (int c = AColumn; c < ColumnCount; ++c)
            m_table->setItem(m, c, new QTableWidgetItem(QString()));
    }
    m_title->setText(tr("Select two runs and press Compare."));
    m_plot->replot();
}

void RunComparisonWidget::setRuns(std::shared_ptr<const BacktestRunRecord> a, const QString &nameA,
                                  std::shared_ptr<const BacktestRunRecord> b, const QString &nameB)
{
    clear();
    if (!a || !b)
        return;
    m_a = std::move(a);
    m_b = std::move(b);
    m_title->setText(tr("<span style='color:%1'>■</span> A: %2 &nbsp;&nbsp; <span style='color:%3'>■</span> B: %4")
                         .arg(kColorA.name(), nameA.toHtmlEscaped(), kColorB.name(), nameB.toHtmlEscaped()));
    fillGraph(m_graphA, m_a->equity);
    fillGraph(m_graphB, m_b->equity);
    m_graphA->setName(tr("A equity"));
    m_graphB->setName(tr("B equity"));
    m_plot->rescaleAxes();
    m_plot->yAxis->scaleRange(1.05, m_plot->yAxis->range().center());
    chart::fitTimeLabels(*qSharedPointerCast<QCPAxisTickerDateTime>(m_plot->xAxis->ticker()), m_plot->xAxis->range());
    m_plot->replot();

    for (int m = 0; m < MetricCount; ++m) {
        const double va = metricValue(m_a->stats, m);
        const double vb = metricValue(m_b->stats, m);
        auto *itemA = new QTableWidgetItem(metricText(m, va));
        auto *itemB = new QTableWidgetItem(metricText(m, vb));
        const double d = difference(Metric(m));
        auto *itemD = new QTableWidgetItem(differenceText(m, d));
        for (QTableWidgetItem *item : {itemA, itemB, itemD})
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        itemA->setForeground(kColorA);
        itemB->setForeground(kColorB);
        m_table->setItem(m, AColumn, itemA);
        m_table->setItem(m, BColumn, itemB);
        m_table->setItem(m, DifferenceColumn, itemD);
    }
}

double RunComparisonWidget::difference(Metric metric) const
{
    if (!m_a || !m_b)
        return std::numeric_limits<double>::quiet_NaN();
    const double d = metricValue(m_b->stats, metric) - metricValue(m_a->stats, metric);
    return std::isfinite(d) ? d : std::numeric_limits<double>::quiet_NaN();
}

} // namespace bd
