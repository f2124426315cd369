#pragma once
// The tested bars with the trades on them.
// Bid close as a line, min/max-decimated for the visible x range (re-decimated, throttled by a single-shot
// timer, whenever the range changes); when few enough bars are visible, OHLC candles instead of the line.
// Trades: entry triangles (BUY green up, SELL red down) at open time/price, exit circles coloured by the
// trade's net result, a thin dashed line entry → exit, and the SL/TP in force at the close as dotted
// levels over the trade's life. One plottable per marker kind, never one item per trade.
// UTC date-time x axis; x zoom/drag only, the price axis follows the visible data.

#include "metatypes.h"

#include <QWidget>

#include <qcustomplot.h>

#include <memory>
#include <vector>

class QTimer;

namespace bd {

class PriceSegments;

class PriceChartWidget : public QWidget {
    Q_OBJECT
public:
    explicit PriceChartWidget(QWidget *parent = nullptr);

    // `bars` are the bars `result` was tested on; `priceDigits` is the symbol's SymbolSpec::digits.
    void setData(std::shared_ptr<const BacktestResult> result, BarSeries bars, int priceDigits);
    void clear();

    // Zooms to trade `index` of the result (index into BacktestResult::trades) with some margin around it.
    // False when there is no such trade.
    bool showTrade(int index);

    // Decimation budget for one view width (the decimated window spans three view widths).
    static int maxPointsPerView() { return 2000; }
    // At most this many visible bars are drawn as candles.
    static int maxCandleBars() { return 400; }

    QCustomPlot *plot() const { return m_plot; }
    QCPAxis *timeAxis() const { return m_plot->xAxis; }
    QCPAxis *priceAxis() const { return m_plot->yAxis; }
    QCPGraph *priceGraph() const { return m_price; }
    QCPFinancial *candles() const { return m_candles; }
    QCPGraph *buyEntryGraph() const { return m_buyEntries; }
    QCPGraph *sellEntryGraph() const { return m_sellEntries; }
    QCPGraph *winExitGraph() const { return m_winExits; }
    QCPGraph *lossExitGraph() const { return m_lossExits; }
    int pricePointCount() const { return m_price->dataCount(); }
    int candleCount() const { return m_candles->data()->size(); }
    int barCount() const { return int(m_keys.size()); }
    // Brings the decimated data up to date with the x range now instead of after the throttle delay.
    void refreshNow();

private:
    void scheduleRefresh();
    void redecimate();
    void rescalePriceAxis();
    void updateTitle();

    QCustomPlot *m_plot = nullptr;
    QCPTextElement *m_title = nullptr;
    QCPGraph *m_price = nullptr;
    QCPFinancial *m_candles = nullptr;
    PriceSegments *m_winLines = nullptr;   // entry → exit, winners
    PriceSegments *m_lossLines = nullptr;  // entry → exit, losers
    PriceSegments *m_slLevels = nullptr;
    PriceSegments *m_tpLevels = nullptr;
    QCPGraph *m_buyEntries = nullptr;
    QCPGraph *m_sellEntries = nullptr;
    QCPGraph *m_winExits = nullptr;
    QCPGraph *m_lossExits = nullptr;
    QSharedPointer<QCPAxisTickerDateTime> m_ticker;
    QTimer *m_refreshTimer = nullptr;

    std::shared_ptr<const BacktestResult> m_result;
    BarSeries m_bars;
    std::vector<double> m_keys;    // bar open times, UTC epoch seconds
    std::vector<double> m_closes;  // bid closes
    double m_barSeconds = 60.0;
    int m_digits = 5;
    int m_focusTrade = -1;         // trade shown by showTrade(); its SL/TP stay in the price range
    double m_focusSpan = 0;        // x range size showTrade() set; zooming out far beyond it drops the focus
};

} // namespace bd
