// PriceChartWidget on hand-made bars and trades: decimation, candles when zoomed in, markers, showTrade.

#include "pricechartwidget.h"

#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace bd;

namespace {

constexpr qint64 kStartMs = 1704153600000;  // 2024-01-02 00:00 UTC
constexpr qint64 kMinuteMs = 60000;

BarSeries makeBars(int count)
{
    Bars bars;
    bars.reserve(size_t(count));
    for (int i = 0; i < count; ++i) {
        const double mid = 1.1 + 0.01 * std::sin(i / 500.0);
        bars.push_back(Bar{kStartMs + i * kMinuteMs, mid, mid + 0.0002, mid - 0.0002, mid + 0.0001, 10, 5});
    }
    return BarSeries(std::move(bars));
}

Trade makeTrade(quint64 ticket, Side side, int openBar, int closeBar, double profit, double sl, double tp)
{
    Trade t;
    t.ticket = ticket;
    t.side = side;
    t.volume = 0.1;
    t.openTimeMs = kStartMs + openBar * kMinuteMs;
    t.closeTimeMs = kStartMs + closeBar * kMinuteMs;
    t.openPrice = 1.1 + 0.01 * std::sin(openBar / 500.0);
    t.closePrice = 1.1 + 0.01 * std::sin(closeBar / 500.0);
    t.sl = sl;
    t.tp = tp;
    t.profit = profit;
    return t;
}

} // namespace

class TestPriceChart : public QObject {
    Q_OBJECT
private slots:
    void decimatesMarksAndZooms()
    {
        const auto bars = makeBars(50000);
        auto result = std::make_shared<BacktestResult>();
        result->symbol = QStringLiteral("EURUSD");
        result->strategy = QStringLiteral("hand_made");
        // Trades overlap in time (hedging) and come in close order, as the engine reports them.
        result->trades.push_back(makeTrade(2, Side::Sell, 1000, 1030, -12.0, 1.125, 1.08));
        result->trades.push_back(makeTrade(1, Side::Buy, 990, 1100, 30.0, 0, 0));
        result->trades.push_back(makeTrade(3, Side::Buy, 40000, 40100, -5.0, 1.09, 1.13));

        PriceChartWidget w;
        w.resize(1000, 500);
        w.setData(result, bars, 5);

        // Full range: min/max-decimated line, no candles.
        QCOMPARE(w.barCount(), 50000);
        QVERIFY(w.pricePointCount() > 100);
        QVERIFY(w.pricePointCount() <= 3 * PriceChartWidget::maxPointsPerView());
        QCOMPARE(w.candleCount(), 0);
        QCOMPARE(w.priceAxis()->numberPrecision(), 5);

        // One entry and one exit per trade, split by side and by result.
        QCOMPARE(w.buyEntryGraph()->dataCount(), 2);
        QCOMPARE(w.sellEntryGraph()->dataCount(), 1);
        QCOMPARE(w.winExitGraph()->dataCount(), 1);
        QCOMPARE(w.lossExitGraph()->dataCount(), 2);
        QCOMPARE(w.sellEntryGraph()->data()->constBegin()->key, double(kStartMs + 1000 * kMinuteMs) / 1000.0);
        QCOMPARE(w.winExitGraph()->data()->constBegin()->key, double(kStartMs + 1100 * kMinuteMs) / 1000.0);

        // showTrade: the trade with margin, a few hundred bars -> candles; SL and TP inside the price range.
        QVERIFY(w.showTrade(0));
        const QCPRange x = w.timeAxis()->range();
        QVERIFY(x.lower < double(result->trades[0].openTimeMs) / 1000.0);
        QVERIFY(x.upper > double(result->trades[0].closeTimeMs) / 1000.0);
        QVERIFY(x.size() < 6 * 3600);
        QVERIFY(w.candleCount() > 0);
        QCOMPARE(w.pricePointCount(), 0);
        QVERIFY(w.priceAxis()->range().contains(1.125));
        QVERIFY(w.priceAxis()->range().contains(1.08));
        QVERIFY(!w.showTrade(3));
        QVERIFY(!w.showTrade(-1));

        // Zooming out re-decimates after the throttle delay (not synchronously on every range change).
        w.timeAxis()->setRange(double(kStartMs) / 1000.0, double(kStartMs + 50000 * kMinuteMs) / 1000.0);
        QCOMPARE(w.pricePointCount(), 0);
        QTRY_VERIFY(w.pricePointCount() > 100);
        QCOMPARE(w.candleCount(), 0);
        // Zoomed far out, the shown trade's SL/TP no longer stretch the price axis.
        QVERIFY(w.priceAxis()->range().upper < 1.115);

        w.clear();
        QCOMPARE(w.pricePointCount(), 0);
        QCOMPARE(w.buyEntryGraph()->dataCount(), 0);
        QCOMPARE(w.barCount(), 0);
        QVERIFY(!w.showTrade(0));
    }
};

QTEST_MAIN(TestPriceChart)
#include "tst_pricechart.moc"
