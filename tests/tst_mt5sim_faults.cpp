// The simulator's fault injection (connectors/mt5sim/faults): the --faults parser with its errors, and the same
// faults for the same seed.
#include "faultplan.h"

#include <QtTest>

using namespace bd::mt5sim;

class TestMt5SimFaults : public QObject {
    Q_OBJECT
private slots:
    void parsesEveryItem()
    {
        const auto c = parseFaults(QStringLiteral("drop-reply=0.1,disconnect=30s,requote=0.05,latency=5ms,price-off=0.2,lost-request=0.3,"
                                                  "connection=0.01,connection-burst=4,terminal-off=2m,terminal-off-for=500ms,"
                                                  "conflate=50ms"));
        QVERIFY2(c.ok(), c.ok() ? "" : qPrintable(c.error().message));
        QCOMPARE(c->dropReply, 0.1);
        QCOMPARE(c->disconnectEveryMs, 30'000);
        QCOMPARE(c->requote, 0.05);
        QCOMPARE(c->latencyMs, 5);
        QCOMPARE(c->priceOff, 0.2);
        QCOMPARE(c->lostRequest, 0.3);
        QCOMPARE(c->connection, 0.01);
        QCOMPARE(c->connectionBurst, 4);
        QCOMPARE(c->terminalOffEveryMs, 120'000);
        QCOMPARE(c->terminalOffForMs, 500);
        QCOMPARE(c->conflateMs, 50);
        QVERIFY(c->any());
        QVERIFY(!parseFaults(QString())->any());
    }

    void badItemsNameTheItem_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown") << "drop=0.1" << "unknown item 'drop'";
        QTest::newRow("probability") << "requote=2" << "'requote=2' needs a probability";
        QTest::newRow("not a number") << "requote=abc" << "'requote=abc'";
        QTest::newRow("no unit") << "latency=5" << "'latency=5' needs a duration";
        QTest::newRow("no value") << "latency" << "'latency' is not name=value";
        QTest::newRow("zero period") << "disconnect=0s" << "period above 0";
        QTest::newRow("burst") << "connection-burst=0" << "'connection-burst=0'";
    }
    void badItemsNameTheItem()
    {
        QFETCH(QString, spec);
        QFETCH(QString, mentions);
        const auto c = parseFaults(spec);
        QVERIFY(!c.ok());
        QVERIFY2(c.error().message.contains(mentions), qPrintable(c.error().message));
        QVERIFY(c.error().message.startsWith(QStringLiteral("--faults:")));
    }

    void sameSeedSameFaults()
    {
        const FaultConfig c = *parseFaults(QStringLiteral("requote=0.2,price-off=0.1,connection=0.05,drop-reply=0.3,disconnect=10s"));
        auto run = [&](quint64 seed) {
            FaultPlan plan(c, seed);
            QString trace;
            for (int i = 0; i < 400; ++i) {
                trace += QString::number(int(plan.nextOrderFault(true)));
                trace += plan.nextDropReply() ? QLatin1Char('d') : QLatin1Char('.');
            }
            for (int i = 0; i < 5; ++i)
                trace += QLatin1Char(' ') + QString::number(plan.nextDisconnectDelayMs());
            return trace;
        };
        QCOMPARE(run(7), run(7));
        QVERIFY(run(7) != run(8));
        const QString t = run(7);
        QVERIFY(t.contains(QLatin1Char('1')));  // requotes happen
        QVERIFY(t.contains(QLatin1Char('3')));  // connection bursts happen
        QVERIFY(t.contains(QLatin1Char('d')));
        // Delays stay within ±20 % of the period.
        FaultPlan plan(c, 7);
        for (int i = 0; i < 50; ++i) {
            const qint64 d = plan.nextDisconnectDelayMs();
            QVERIFY(d >= 8000 && d <= 12000);
        }
        // A 10031 burst lasts connection-burst requests.
        FaultConfig burst;
        burst.connection = 1.0;
        burst.connectionBurst = 3;
        FaultPlan b(burst, 1);
        for (int i = 0; i < 6; ++i)
            QCOMPARE(b.nextOrderFault(true), FaultPlan::OrderFault::Connection);
        // Requotes only for market orders.
        FaultConfig rq;
        rq.requote = 1.0;
        FaultPlan r(rq, 1);
        QCOMPARE(r.nextOrderFault(false), FaultPlan::OrderFault::None);
        QCOMPARE(r.nextOrderFault(true), FaultPlan::OrderFault::Requote);
        FaultConfig lr;
        lr.lostRequest = 1.0;
        FaultPlan l(lr, 1);
        QCOMPARE(l.nextOrderFault(false), FaultPlan::OrderFault::LostRequest);
    }
};

QTEST_GUILESS_MAIN(TestMt5SimFaults)
#include "tst_mt5sim_faults.moc"
