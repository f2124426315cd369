// LatencyRing: nearest-rank percentiles over the last `capacity` samples (a run's bar close → decision figures).

#include "latencyring.h"

#include <QtTest>

using namespace bd;

class TestLatencyRing : public QObject {
    Q_OBJECT
private slots:
    void nearestRankPercentiles()
    {
        LatencyRing ring(100);
        for (int i = 100; i >= 1; --i)
            ring.add(double(i));  // 1..100 ms, added out of order
        const LatencyFigures f = ring.summary();
        QCOMPARE(f.count, qint64(100));
        QCOMPARE(f.p50, 50.0);
        QCOMPARE(f.p95, 95.0);
        QCOMPARE(f.p99, 99.0);
        QCOMPARE(f.max, 100.0);
        QCOMPARE(LatencyRing::percentile({7.0}, 99), 7.0);
        QCOMPARE(LatencyRing::percentile({}, 50), 0.0);
        QCOMPARE(LatencyRing::percentile({1.0, 2.0, 3.0}, 0), 1.0);  // rank at least 1
    }

    void keepsOnlyTheLastSamplesOldestFirst()
    {
        LatencyRing ring(3);
        for (int i = 1; i <= 5; ++i)
            ring.add(double(i));
        QCOMPARE(ring.count(), qint64(5));
        QCOMPARE(ring.samples(), (std::vector<double>{3.0, 4.0, 5.0}));
        QCOMPARE(ring.summary().max, 5.0);
        QCOMPARE(ring.summary().p50, 4.0);
        QCOMPARE(LatencyRing(0).summary().count, qint64(0));  // capacity 0 is taken as 1, no sample yet
    }
};

QTEST_GUILESS_MAIN(TestLatencyRing)
#include "tst_latencyring.moc"
