#include "pricechartwidget.h"

#include "chartstyle.h"

#include "reportformat.h"
#include "seriesdecimator.h"

#include <QTimeZone>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <utility>

namespace bd {
namespace {

const QColor kPriceColor(0x37, 0x47, 0x5a);
const QColor kBuyColor(0x1b, 0x9e, 0x3e);
const QColor kSellColor(0xd3, 0x2f, 0x2f);
const QColor kWinColor(0x1b, 0x9e, 0x3e);
const QColor kLossColor(0xd3, 0x2f, 0x2f);
const QColor kSlColor(0xe5, 0x73, 0x73);
const QColor kTpColor(0x4c, 0xaf, 0x50);

QCPGraph *addMarkerGraph(QCustomPlot *plot, const QString &name, QCPScatterStyle::ScatterShape shape,
                         const QColor &colour, double size)
{
    QCPGraph *graph = plot->addGraph();
    graph->setName(name);
    graph->setLineStyle(QCPGraph::lsNone);
    graph->setPen(QPen(colour.darker(130), 1.0));
    graph->setScatterStyle(QCPScatterStyle(shape, QPen(colour.darker(140), 1.0), QBrush(colour), size));
    graph->setAdaptiveSampling(false);  // every trade's marker, never merged
    return graph;
}

} // namespace

// Straight segments between two (time, price) points, drawn in one pass with one pen. A QCPCurve would
// join consecutive segments; items would cost one object per trade.
class PriceSegments : public QCPLayerable {
public:
    struct Segment {
        double x0, y0, x1, y1;
    };

    PriceSegments(QCustomPlot *plot, const QPen &pen)
        : QCPLayerable(plot)
        , m_pen(pen)
    {
    }

    void setSegments(std::vector<Segment> segments) { m_segments = std::move(segments); }
    int count() const { return int(m_segments.size()); }

protected:
    void applyDefaultAntialiasingHint(QCPPainter *painter) const override
    {
        applyAntialiasingHint(painter, true, QCP::aePlottables);
    }

    QRect clipRect() const override { return parentPlot()->axisRect()->rect(); }

    void draw(QCPPainter *painter) override
    {
        QCPAxis *x = parentPlot()->xAxis;
        QCPAxis *y = parentPlot()->yAxis;
        const QCPRange view = x->range();
        painter->setPen(m_pen);
        for (const Segment &s : m_segments) {
            if (s.x1 < view.lower || s.x0 > view.upper)
                continue;
            painter->drawLine(QPointF(x->coordToPixel(s.x0), y->coordToPixel(s.y0)),
                              QPointF(x->coordToPixel(s.x1), y->coordToPixel(s.y1)));
        }
    }

private:
    QPen m_pen;
    std::vector<Segment> m_segments;
};

namespace {

PriceSegments *addSegments(QCustomPlot *plot, const QColor &colour, Qt::PenStyle style, double width)
{
    QPen pen(colour, width, style);
    pen.setCapStyle(Qt::FlatCap);
    return new PriceSegments(plot, pen);
}

} // namespace

PriceChartWidget::PriceChartWidget(QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_refreshTimer(new QTimer(this))
{
    m_plot->setObjectName(QStringLiteral("pricePlot"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);

    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);

    m_title = new QCPTextElement(m_plot, QString(), QFont(font().family(), 10, QFont::Bold));
    m_title->setTextColor(QColor(0x33, 0x38, 0x40));
    m_plot->plotLayout()->insertRow(0);
    auto *header = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 0, header);
    header->addElement(0, 0, m_title);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.01);
    m_plot->plotLayout()->setRowSpacing(0);

    m_ticker = chart::makeUtcTimeTicker();
    m_plot->xAxis->setTicker(m_ticker);
    m_plot->xAxis->setLabel(tr("Time (UTC)"));
    m_plot->yAxis->setLabel(tr("Bid"));
    m_plot->yAxis->setNumberFormat(QStringLiteral("f"));
    m_plot->yAxis->setNumberPrecision(m_digits);
    for (QCPAxis *axis : m_plot->axisRect()->axes())
        chart::styleAxis(axis);

    // Drawing order = creation order: price, then levels and trade lines, markers on top.
    m_price = m_plot->addGraph();
    m_price->setName(tr("Bid close"));
    m_price->setPen(QPen(kPriceColor, 1.0));
    m_price->setAdaptiveSampling(false);  // already decimated, min/max preserving

    m_candles = new QCPFinancial(m_plot->xAxis, m_plot->yAxis);
    m_candles->setName(tr("Bid OHLC"));
    m_candles->setChartStyle(QCPFinancial::csCandlestick);
    m_candles->setTwoColored(true);
    m_candles->setBrushPositive(QColor(0xe8, 0xf5, 0xe9));
    m_candles->setBrushNegative(QColor(0x60, 0x6b, 0x78));
    m_candles->setPenPositive(QPen(QColor(0x45, 0x50, 0x5c)));
    m_candles->setPenNegative(QPen(QColor(0x45, 0x50, 0x5c)));
    m_candles->removeFromLegend();

    m_slLevels = addSegments(m_plot, kSlColor, Qt::DotLine, 1.3);
    m_tpLevels = addSegments(m_plot, kTpColor, Qt::DotLine, 1.3);
    m_winLines = addSegments(m_plot, kWinColor, Qt::DashLine, 1.2);
    m_lossLines = addSegments(m_plot, kLossColor, Qt::DashLine, 1.2);

    m_buyEntries = addMarkerGraph(m_plot, tr("Buy entry"), QCPScatterStyle::ssTriangle, kBuyColor, 11);
    m_sellEntries = addMarkerGraph(m_plot, tr("Sell entry"), QCPScatterStyle::ssTriangleInverted, kSellColor, 11);
    m_winExits = addMarkerGraph(m_plot, tr("Exit, profit"), QCPScatterStyle::ssCircle, kWinColor, 8);
    m_lossExits = addMarkerGraph(m_plot, tr("Exit, loss"), QCPScatterStyle::ssCircle, kLossColor, 8);
    // Exits are hollow, so an exit on top of the next entry leaves the entry visible.
    for (auto [graph, colour] : {std::pair{m_winExits, kWinColor}, std::pair{m_lossExits, kLossColor}})
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(colour, 2.0), Qt::white, 8));

    m_plot->legend->setVisible(true);
    header->addElement(1, 0, m_plot->legend);  // own row under the title: neither truncates the other
    header->setRowSpacing(0);
    m_plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setBrush(Qt::NoBrush);
    m_plot->legend->setMargins(QMargins(4, 2, 8, 2));

    // Zoom and drag fire rangeChanged for every mouse event; decimate at most once per 40 ms.
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(40);
    connect(m_refreshTimer, &QTimer::timeout, this, &PriceChartWidget::refreshNow);
    connect(m_plot->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
            &PriceChartWidget::scheduleRefresh);

    setMinimumHeight(320);
    clear();
}

void PriceChartWidget::clear()
{
    m_result.reset();
    m_bars = BarSeries();
    m_keys.clear();
    m_closes.clear();
    m_focusTrade = -1;
    m_refreshTimer->stop();
    m_price->data()->clear();
    m_candles->data()->clear();
    for (PriceSegments *segments : {m_winLines, m_lossLines, m_slLevels, m_tpLevels})
        segments->setSegments({});
    for (QCPGraph *graph : {m_buyEntries, m_sellEntries, m_winExits, m_lossExits})
        graph->data()->clear();
    m_title->setText(tr("Run a backtest to see the tested bars with its trades"));
    const QSignalBlocker block(m_plot->xAxis);
    const double now = double(QDateTime::currentSecsSinceEpoch());
    m_plot->xAxis->setRange(now - 30 * 86400, now);
    m_plot->yAxis->setRange(0, 1);
    m_plot->yAxis->setTickLabels(false);
    m_plot->replot();
}

void PriceChartWidget::setData(std::shared_ptr<const BacktestResult> result, BarSeries bars,
                               int priceDigits)
{
    clear();
    if (!result || bars.empty()) {
        if (result)
            m_title->setText(tr("%1 · %2: no bars").arg(result->symbol, result->strategy));
        m_plot->replot();
        return;
    }
    m_result = std::move(result);
    m_bars = std::move(bars);
    m_digits = std::clamp(priceDigits, 0, 10);

    const BarSeries &b = m_bars;
    m_keys.resize(b.size());
    m_closes.resize(b.size());
    for (size_t i = 0; i < b.size(); ++i) {
        m_keys[i] = double(b[i].timeMs) / 1000.0;
        m_closes[i] = b[i].close;
    }
    // Bar period: the smallest positive step among the first bars (gaps only make steps longer).
    m_barSeconds = 0;
    for (size_t i = 1; i < std::min<size_t>(b.size(), 200); ++i) {
        const double step = m_keys[i] - m_keys[i - 1];
        if (step > 0 && (m_barSeconds == 0 || step < m_barSeconds))
            m_barSeconds = step;
    }
    if (m_barSeconds <= 0)
        m_barSeconds = 60;
    m_candles->setWidth(m_barSeconds * 0.7);

    // Trade markers: one graph per kind; one segment curve per kind.
    QVector<double> buyX, buyY, sellX, sellY, winX, winY, lossX, lossY;
    std::vector<PriceSegments::Segment> winLines, lossLines, slLevels, tpLevels;
    for (const Trade &t : m_result->trades) {
        const double open = double(t.openTimeMs) / 1000.0;
        const double close = double(t.closeTimeMs) / 1000.0;
        if (t.side == Side::Buy) {
            buyX << open;
            buyY << t.openPrice;
        } else {
            sellX << open;
            sellY << t.openPrice;
        }
        const bool win = t.netProfit() >= 0;
        (win ? winX : lossX) << close;
        (win ? winY : lossY) << t.closePrice;
        (win ? winLines : lossLines).push_back({open, t.openPrice, close, t.closePrice});
        if (t.sl > 0)
            slLevels.push_back({open, t.sl, close, t.sl});
        if (t.tp > 0)
            tpLevels.push_back({open, t.tp, close, t.tp});
    }
    m_buyEntries->setData(buyX, buyY);
    m_sellEntries->setData(sellX, sellY);
    m_winExits->setData(winX, winY);
    m_lossExits->setData(lossX, lossY);
    m_winLines->setSegments(std::move(winLines));
    m_lossLines->setSegments(std::move(lossLines));
    m_slLevels->setSegments(std::move(slLevels));
    m_tpLevels->setSegments(std::move(tpLevels));

    m_plot->yAxis->setNumberPrecision(m_digits);
    m_plot->yAxis->setTickLabels(true);
    m_plot->yAxis->setLabel(tr("%1 bid").arg(m_result->symbol));
    updateTitle();

    const QCPRange full(m_keys.front(), std::max(m_keys.back() + m_barSeconds, m_keys.front() + 60));
    {
        const QSignalBlocker block(m_plot->xAxis);
        m_plot->xAxis->setRange(full);
    }
    refreshNow();
}

bool PriceChartWidget::showTrade(int index)
{
    if (!m_result || index < 0 || size_t(index) >= m_result->trades.size())
        return false;
    const Trade &t = m_result->trades[size_t(index)];
    const double open = double(t.openTimeMs) / 1000.0;
    const double close = double(t.closeTimeMs) / 1000.0;
    // Context on both sides: the trade takes about the middle third, at least two hours either side.
    const double margin = std::max((close - open) * 1.0, 2 * 3600.0);
    m_focusTrade = index;
    m_focusSpan = close - open + 2 * margin;
    {
        const QSignalBlocker block(m_plot->xAxis);
        m_plot->xAxis->setRange(open - margin, close + margin);
    }
    updateTitle();
    refreshNow();
    return true;
}

void PriceChartWidget::scheduleRefresh()
{
    if (!m_refreshTimer->isActive())
        m_refreshTimer->start();
}

void PriceChartWidget::refreshNow()
{
    m_refreshTimer->stop();
    if (m_focusTrade >= 0 && m_result) {
        // Zoomed well out of, or dragged away from, the shown trade: back to the run's title and plain price fitting.
        const Trade &t = m_result->trades[size_t(m_focusTrade)];
        const QCPRange view = m_plot->xAxis->range();
        if (double(t.closeTimeMs) / 1000.0 < view.lower || double(t.openTimeMs) / 1000.0 > view.upper
            || view.size() > 4 * m_focusSpan) {
            m_focusTrade = -1;
            updateTitle();
        }
    }
    chart::fitTimeLabels(*m_ticker, m_plot->xAxis->range());
    redecimate();
    rescalePriceAxis();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void PriceChartWidget::redecimate()
{
    if (m_keys.empty())
        return;
    // Decimate the visible range plus one view width on each side, so a drag shows data until the next pass.
    const QCPRange view = m_plot->xAxis->range();
    const double lo = view.lower - view.size();
    const double hi = view.upper + view.size();
    auto first = std::lower_bound(m_keys.begin(), m_keys.end(), lo);
    auto last = std::upper_bound(m_keys.begin(), m_keys.end(), hi);
    if (first != m_keys.begin())
        --first;  // one bar beyond each edge so the line reaches the border
    if (last != m_keys.end())
        ++last;
    const size_t begin = size_t(first - m_keys.begin());
    const size_t end = size_t(last - m_keys.begin());
    const size_t count = end > begin ? end - begin : 0;

    const auto visibleFirst = std::lower_bound(m_keys.begin(), m_keys.end(), view.lower);
    const auto visibleLast = std::upper_bound(m_keys.begin(), m_keys.end(), view.upper);
    const auto visibleBars = visibleLast - visibleFirst;

    if (count > 0 && visibleBars <= maxCandleBars()) {
        QVector<double> t, o, h, l, c;
        t.reserve(qsizetype(count));
        o.reserve(qsizetype(count));
        h.reserve(qsizetype(count));
        l.reserve(qsizetype(count));
        c.reserve(qsizetype(count));
        const BarSeries &b = m_bars;
        for (size_t i = begin; i < end; ++i) {
            t << m_keys[i] + m_barSeconds / 2;  // candle centred on its minute
            o << b[i].open;
            h << b[i].high;
            l << b[i].low;
            c << b[i].close;
        }
        m_candles->setData(t, o, h, l, c, true);
        m_price->data()->clear();
        return;
    }
    m_candles->data()->clear();
    if (count == 0) {
        m_price->data()->clear();
        return;
    }
    const DecimatedSeries series = decimateMinMax(std::span<const double>(m_keys).subspan(begin, count),
                                                  std::span<const double>(m_closes).subspan(begin, count),
                                                  3 * maxPointsPerView());
    m_price->setData(series.keys, series.values, true);
}

void PriceChartWidget::rescalePriceAxis()
{
    if (m_keys.empty())
        return;
    const QCPRange view = m_plot->xAxis->range();
    bool haveRange = false;
    QCPRange range;
    auto unite = [&](const QCPRange &r) {
        range = haveRange ? QCPRange(std::min(range.lower, r.lower), std::max(range.upper, r.upper)) : r;
        haveRange = true;
    };
    auto include = [&](QCPAbstractPlottable *p) {
        bool found = false;
        const QCPRange r = p->getValueRange(found, QCP::sdBoth, view);
        if (found)
            unite(r);
    };
    include(m_price);
    include(m_candles);
    for (QCPGraph *markers : {m_buyEntries, m_sellEntries, m_winExits, m_lossExits})
        include(markers);
    if (m_focusTrade >= 0 && size_t(m_focusTrade) < m_result->trades.size()) {
        const Trade &t = m_result->trades[size_t(m_focusTrade)];
        if (view.contains(double(t.openTimeMs) / 1000.0) || view.contains(double(t.closeTimeMs) / 1000.0)) {
            for (double level : {t.sl, t.tp})
                if (level > 0)
                    unite(QCPRange(level, level));
        }
    }
    if (!haveRange)
        return;
    const double pad = std::max(range.size() * 0.06, std::pow(10.0, -m_digits) * 5);
    m_plot->yAxis->setRange(range.lower - pad, range.upper + pad);
}

void PriceChartWidget::updateTitle()
{
    if (!m_result)
        return;
    QString text = tr("%1 · %2 · %3 bars · %4 trades")
                       .arg(m_result->symbol, m_result->strategy)
                       .arg(m_keys.size())
                       .arg(m_result->trades.size());
    if (m_focusTrade >= 0 && size_t(m_focusTrade) < m_result->trades.size()) {
        const Trade &t = m_result->trades[size_t(m_focusTrade)];
        text = tr("%1 · #%2 %3 %4 lots · %5 UTC · %6 → %7 · %8 · net %9 %10")
                   .arg(m_result->symbol)
                   .arg(t.ticket)
                   .arg(QLatin1String(sideName(t.side)))
                   .arg(t.volume, 0, 'f', 2)
                   .arg(QDateTime::fromMSecsSinceEpoch(t.openTimeMs, QTimeZone::utc())
                            .toString(QStringLiteral("yyyy-MM-dd hh:mm")))
                   .arg(QString::number(t.openPrice, 'f', m_digits), QString::number(t.closePrice, 'f', m_digits),
                        QLatin1String(closeReasonName(t.closeReason)), report::money(t.netProfit()),
                        m_result->config.depositCurrency);
    }
    m_title->setText(text);
}

} // namespace bd
