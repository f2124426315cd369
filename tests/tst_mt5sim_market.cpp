// The simulator's market (connectors/mt5sim/market): MT5-tester tick generation (every_tick, m1_ohlc, open_only),
// the multi-symbol replay with exactly one BarClosed per bar, seek, gaps, and real ticks from the shared tick file.
#include "barloader.h"
#include "marketreplay.h"
#include "tickfile.h"
#include "tickgenerator.h"
#include "timeframes.h"

#include <QtTest>

using namespace bd;
using namespace bd::mt5sim;

namespace {

Bar bar(qint64 timeMs, double o, double h, double l, double c)
{
    Bar b;
    b.timeMs = timeMs;
    b.open = o;
    b.high = h;
    b.low = l;
    b.close = c;
    return b;
}

std::vector<double> bids(const std::vector<SimTick> &ticks)
{
    std::vector<double> out;
    for (const SimTick &t : ticks)
        out.push_back(t.bid);
    return out;
}

} // namespace

class TestMt5SimMarket : public QObject {
    Q_OBJECT
private slots:
    void m1OhlcOrdersByBarDirection()
    {
        const auto bear = generateTicks(bar(60'000, 1.1002, 1.1005, 1.0998, 1.1000), TickMode::M1Ohlc, 5, 10);
        QCOMPARE(bids(bear), (std::vector<double>{1.1002, 1.1005, 1.0998, 1.1000}));
        const auto bull = generateTicks(bar(60'000, 1.1000, 1.1005, 1.0998, 1.1002), TickMode::M1Ohlc, 5, 10);
        QCOMPARE(bids(bull), (std::vector<double>{1.1000, 1.0998, 1.1005, 1.1002}));
        QCOMPARE(bull[0].timeMsc, 60'000);
        QCOMPARE(bull[1].timeMsc, 75'000);
        QCOMPARE(bull[3].timeMsc, 105'000);
        QCOMPARE(bull[2].ask, 1.1006);  // bid + 10 points
    }

    void openOnlyIsOneTickAtOpen()
    {
        const auto t = generateTicks(bar(120'000, 1.2, 1.3, 1.1, 1.25), TickMode::OpenOnly, 5, 3);
        QCOMPARE(t.size(), size_t(1));
        QCOMPARE(t[0].bid, 1.2);
        QCOMPARE(t[0].timeMsc, 120'000);
        QCOMPARE(t[0].ask, 1.20003);
    }

    void everyTickSmallCounts()
    {
        // Flat bar: one tick at Close.
        const auto one = generateTicks(bar(0, 1.1, 1.1, 1.1, 1.1), TickMode::EveryTick, 5, 10);
        QCOMPARE(bids(one), (std::vector<double>{1.1}));
        // Open and Close are the extremes: Open then Close.
        const auto two = generateTicks(bar(0, 1.1, 1.1003, 1.1, 1.1003), TickMode::EveryTick, 5, 10);
        QCOMPARE(bids(two), (std::vector<double>{1.1, 1.1003}));
        QCOMPARE(tickCountFor(bar(0, 1.1, 1.1003, 1.1, 1.1003), TickMode::EveryTick, 5), 2);
    }

    void everyTickPassesEveryReferencePointOnTheGrid()
    {
        // Bear bar, 40-point range: O → H → L → C.
        const Bar b = bar(0, 1.10020, 1.10030, 1.09990, 1.10000);
        const auto t = generateTicks(b, TickMode::EveryTick, 5, 10);
        QCOMPARE(int(t.size()), tickCountFor(b, TickMode::EveryTick, 5));
        QCOMPARE(int(t.size()), 13);  // 3 + 40/4
        QCOMPARE(t.front().bid, 1.10020);
        QCOMPARE(t.back().bid, 1.10000);
        const auto hi = std::max_element(t.begin(), t.end(), [](auto a, auto b) { return a.bid < b.bid; });
        const auto lo = std::min_element(t.begin(), t.end(), [](auto a, auto b) { return a.bid < b.bid; });
        QCOMPARE(hi->bid, 1.10030);
        QCOMPARE(lo->bid, 1.09990);
        QVERIFY(hi < lo);  // bear: high before low
        for (size_t i = 0; i < t.size(); ++i) {
            const double points = t[i].bid * 1e5;
            QVERIFY(std::fabs(points - std::round(points)) < 1e-6);
            if (i > 0)
                QVERIFY(t[i].timeMsc > t[i - 1].timeMsc);
            QVERIFY(t[i].timeMsc < 60'000);
        }
        // Bull bar: low before high. Huge range: capped at 60 ticks.
        const auto bull = generateTicks(bar(0, 1.1, 1.2, 1.0, 1.15), TickMode::EveryTick, 5, 10);
        QCOMPARE(bull.size(), size_t(60));
        const auto bhi = std::max_element(bull.begin(), bull.end(), [](auto a, auto b) { return a.bid < b.bid; });
        const auto blo = std::min_element(bull.begin(), bull.end(), [](auto a, auto b) { return a.bid < b.bid; });
        QVERIFY(blo < bhi);
        QCOMPARE(blo->bid, 1.0);
        QCOMPARE(bhi->bid, 1.2);
    }

    void replayClosesEachBarOnceInTimeOrderAcrossSymbols()
    {
        MarketReplay r(TickMode::M1Ohlc);
        r.addBarFeed(QStringLiteral("A"), 5, 10,
                     {bar(0, 1, 1.1, 0.9, 1.05), bar(60'000, 1, 1.1, 0.9, 1.05), bar(600'000, 1, 1.1, 0.9, 1.05)});
        r.addBarFeed(QStringLiteral("B"), 5, 10, {bar(60'000, 2, 2.1, 1.9, 2.05)});
        std::vector<std::pair<int, qint64>> closed;
        qint64 lastTime = -1;
        int ticks = 0;
        while (auto item = r.next()) {
            if (item->kind == MarketReplay::Item::Kind::BarClosed) {
                closed.push_back({item->feed, item->bar.timeMs});
                QCOMPARE(item->bar.tickVolume, quint32(4));
            } else {
                QVERIFY(item->tick.timeMsc >= lastTime);
                lastTime = item->tick.timeMsc;
                ++ticks;
            }
        }
        QCOMPARE(ticks, 16);
        const std::vector<std::pair<int, qint64>> expected{{0, 0}, {0, 60'000}, {1, 60'000}, {0, 600'000}};
        QCOMPARE(closed, expected);
        QVERIFY(r.atEnd());
        QCOMPARE(r.closedCount(0), size_t(3));
    }

    void seekAndGaps()
    {
        MarketReplay r(TickMode::M1Ohlc);
        r.addBarFeed(QStringLiteral("A"), 5, 10, {bar(0, 1, 1.1, 0.9, 1.05), bar(60'000, 1, 1.1, 0.9, 1.05),
                                                  bar(3'600'000, 1, 1.1, 0.9, 1.05)});
        QVERIFY(r.inGap(0));  // no quote yet
        r.seek(75'000);       // inside bar 1, after its first two ticks
        QCOMPARE(r.closedCount(0), size_t(1));
        QVERIFY(r.formingBar(0).has_value());
        auto item = r.next();
        QCOMPARE(item->kind, MarketReplay::Item::Kind::Tick);
        QCOMPARE(item->tick.timeMsc, 75'000);
        QVERIFY(!r.inGap(0));
        r.next();
        r.next();
        item = r.next();  // bar 1 closes before the tick of bar 2
        QCOMPARE(item->kind, MarketReplay::Item::Kind::BarClosed);
        QCOMPARE(item->bar.timeMs, 60'000);
        QVERIFY(r.inGap(0));  // next tick an hour away
        QCOMPARE(*r.peekTickTime(), 3'600'000);
        r.seek(3'600'000);  // exactly at a bar's start after a gap: the quote is the previous bar's close, in a gap
        QCOMPARE(r.lastTick(0)->bid, 1.05);
        QVERIFY(!r.inGap(0));  // the next tick is now
        r.seek(0);  // backwards
        QCOMPARE(r.closedCount(0), size_t(0));
        QCOMPARE(r.next()->tick.timeMsc, 0);
    }

    void realTicksFromTheSharedFile()
    {
        const QString path = QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_ticks_2019-02-04_05.csv.gz");
        auto ticks = loadTickFile(path, 3'600'000);
        QVERIFY2(ticks.ok(), qPrintable(ticks.ok() ? QString() : ticks.error().message));
        QCOMPARE(ticks->size(), size_t(266'219));
        QCOMPARE(ticks->front().timeMsc, 1'549'238'400'994LL + 3'600'000);  // 2019-02-04 00:00:00.994 UTC, +1 h
        MarketReplay r(TickMode::EveryTick);
        const auto copy = *ticks;
        r.addTickFeed(QStringLiteral("EURUSD"), 5, std::move(*ticks));
        QCOMPARE(r.bars(0).size(), size_t(2880));  // every minute of the 48 h has ticks (shared/data/README.md)
        quint64 total = 0;
        for (const Bar &b : r.bars(0))
            total += b.tickVolume;
        QCOMPARE(total, quint64(266'219));
        // The first 500 replayed ticks are the file's.
        for (int i = 0; i < 500;) {
            const auto item = r.next();
            if (item->kind != MarketReplay::Item::Kind::Tick)
                continue;
            QCOMPARE(item->tick.bid, copy[size_t(i)].bid);
            QCOMPARE(item->tick.ask, copy[size_t(i)].ask);
            ++i;
        }
        QVERIFY(!loadTickFile(QStringLiteral("/nonexistent.csv"), 0).ok());
    }

    void higherTimeframesFromM1()
    {
        QCOMPARE(*timeframeSeconds(QStringLiteral("H1")), 3600);
        QVERIFY(!timeframeSeconds(QStringLiteral("H2")));
        QCOMPARE(bucketStart(7199, 3600), 3600);
        QCOMPARE(bucketStart(-1, 60), -60);
        // Minutes 00, 01, 04 of one M5 bucket, a gap, then 10 and 11 of another.
        const Bars m1{bar(0, 1.0, 1.2, 0.9, 1.1), bar(60'000, 1.1, 1.3, 1.0, 1.2), bar(240'000, 1.2, 1.25, 0.8, 0.85),
                      bar(600'000, 2.0, 2.1, 1.9, 2.05), bar(660'000, 2.05, 2.2, 2.0, 2.1)};
        Bars withVolume = m1;
        for (Bar &b : withVolume)
            b.tickVolume = 4;
        const Bars m5 = aggregate(withVolume.data(), withVolume.data() + withVolume.size(), 300);
        QCOMPARE(m5.size(), size_t(2));  // no bar for the empty bucket 300..600
        QCOMPARE(m5[0].timeMs, 0);
        QCOMPARE(m5[0].open, 1.0);
        QCOMPARE(m5[0].high, 1.3);
        QCOMPARE(m5[0].low, 0.8);
        QCOMPARE(m5[0].close, 0.85);
        QCOMPARE(m5[0].tickVolume, quint32(12));
        QCOMPARE(m5[1].timeMs, 600'000);
        QCOMPARE(m5[1].close, 2.1);
        const Bars h1 = aggregate(withVolume.data(), withVolume.data() + withVolume.size(), 3600);
        QCOMPARE(h1.size(), size_t(1));
        QCOMPARE(h1[0].high, 2.2);
        QCOMPARE(h1[0].low, 0.8);
    }

    void everyTickOverARealBarFile()
    {
        auto bars = loadBars(QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz"));
        QVERIFY(bars.ok());
        Bars first(bars->begin(), bars->begin() + 2000);
        // Every generated tick stays inside its bar and every bar's O/H/L/C is hit.
        for (const Bar &b : first) {
            const auto t = generateTicks(b, TickMode::EveryTick, 5, 10);
            QCOMPARE(int(t.size()), tickCountFor(b, TickMode::EveryTick, 5));
            double hi = 0, lo = 1e9;
            for (const SimTick &x : t) {
                hi = std::max(hi, x.bid);
                lo = std::min(lo, x.bid);
            }
            QCOMPARE(t.front().bid, b.open);
            QCOMPARE(t.back().bid, b.close);
            QCOMPARE(hi, b.high);
            QCOMPARE(lo, b.low);
        }
    }
};

QTEST_GUILESS_MAIN(TestMt5SimMarket)
#include "tst_mt5sim_market.moc"
