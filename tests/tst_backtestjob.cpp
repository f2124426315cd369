// BacktestJob without any widget: results, errors from the core, progress, latest-request-wins, destruction.

#include "backtestjob.h"
#include "barcache.h"
#include "metatypes.h"
#include "syntheticbars.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

using namespace bd;

class TestBacktestJob : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        registerModelMetaTypes();
        QVERIFY(m_dir.isValid());
        m_bars = m_dir.filePath(QStringLiteral("bars.csv"));
        QVERIFY(test::writeSyntheticBars(m_bars, 4000));
    }

    void finishesWithResult()
    {
        BacktestJob job;
        QSignalSpy finished(&job, &BacktestJob::finished);
        QSignalSpy progress(&job, &BacktestJob::progressChanged);
        QSignalSpy running(&job, &BacktestJob::runningChanged);
        QSignalSpy failed(&job, &BacktestJob::failed);
        QCOMPARE(job.start(request()), quint64(1));
        QVERIFY(job.isRunning());
        QVERIFY(finished.wait(30000));
        QCOMPARE(failed.count(), 0);
        QVERIFY(!job.isRunning());
        QCOMPARE(running.count(), 2);
        const auto result = finished.at(0).at(0).value<std::shared_ptr<const BacktestResult>>();
        QVERIFY(result);
        QCOMPARE(result->symbol, QStringLiteral("EURUSD"));
        QCOMPARE(result->barsProcessed, qint64(4000));
        QVERIFY(!result->trades.empty());
        // The tested bars come along with the result.
        const auto bars = finished.at(0).at(1).value<BarSeries>();
        QCOMPARE(qint64(bars.size()), result->barsProcessed);
        QCOMPARE(bars.front().timeMs, result->firstBarTimeMs);
        QCOMPARE(bars.back().timeMs, result->lastBarTimeMs);
        // Progress: indeterminate while loading, then whole percents rising to 100.
        QCOMPARE(progress.first().at(0).toInt(), -1);
        QCOMPARE(progress.last().at(0).toInt(), 100);
        int previous = -1;
        for (const auto &args : progress) {
            const int p = args.at(0).toInt();
            QVERIFY(p >= previous || p == -1);
            QVERIFY(p <= 100);
            previous = std::max(previous, p);
        }
        QVERIFY(progress.count() <= 103);
    }

    // With a cache folder the first run writes the entry and the second maps it: same bars, same trades.
    void cachedRunMatchesParsedRun()
    {
        QTemporaryDir cacheDir;
        BacktestRequest r = request();
        r.barCacheDirectory = cacheDir.path();
        std::vector<std::shared_ptr<const BacktestResult>> results;
        for (int run = 0; run < 2; ++run) {
            BacktestJob job;
            QSignalSpy finished(&job, &BacktestJob::finished);
            job.start(r);
            QVERIFY(finished.wait(30000));
            results.push_back(finished.at(0).at(0).value<std::shared_ptr<const BacktestResult>>());
            QVERIFY(BarCache(cacheDir.path()).find(m_bars, r.loadOptions).has_value());
        }
        QCOMPARE(results[1]->barsProcessed, results[0]->barsProcessed);
        QCOMPARE(results[1]->trades.size(), results[0]->trades.size());
        QCOMPARE(results[1]->stats.totalNetProfit, results[0]->stats.totalNetProfit);
    }

    void errorsComeBackAsFailed_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("symbol");
        QTest::addColumn<QString>("strategy");
        QTest::addColumn<QString>("params");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing file") << "nope.csv" << "EURUSD" << "ema_crossover" << "{}" << "nope.csv";
        QTest::newRow("unknown symbol") << "" << "NOTASYMBOL" << "ema_crossover" << "{}" << "NOTASYMBOL";
        QTest::newRow("unknown strategy") << "" << "EURUSD" << "no_such_strategy" << "{}" << "no_such_strategy";
        QTest::newRow("unknown parameter") << "" << "EURUSD" << "ema_crossover" << R"({"fastt": 3})" << "fastt";
        QTest::newRow("fast >= slow") << "" << "EURUSD" << "ema_crossover" << R"({"fast": 40, "slow": 20})" << "fast";
    }

    void errorsComeBackAsFailed()
    {
        QFETCH(QString, file);
        QFETCH(QString, symbol);
        QFETCH(QString, strategy);
        QFETCH(QString, params);
        QFETCH(QString, expected);
        BacktestRequest r = request();
        if (!file.isEmpty())
            r.dataFile = m_dir.filePath(file);
        r.symbol = symbol;
        r.strategy = strategy;
        r.params = QJsonDocument::fromJson(params.toUtf8()).object();

        BacktestJob job;
        QSignalSpy failed(&job, &BacktestJob::failed);
        QSignalSpy finished(&job, &BacktestJob::finished);
        job.start(r);
        QVERIFY(failed.wait(30000));
        QCOMPARE(finished.count(), 0);
        QVERIFY(!job.isRunning());
        const QString message = failed.at(0).at(0).toString();
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void latestRequestWins()
    {
        BacktestJob job;
        QSignalSpy finished(&job, &BacktestJob::finished);
        QSignalSpy running(&job, &BacktestJob::runningChanged);
        BacktestRequest first = request();
        first.config.initialDeposit = 1111.0;
        BacktestRequest second = request();
        second.config.initialDeposit = 2222.0;
        QCOMPARE(job.start(first), quint64(1));
        QCOMPARE(job.start(second), quint64(2));
        QVERIFY(finished.wait(30000));
        drain();
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).value<std::shared_ptr<const BacktestResult>>()->config.initialDeposit, 2222.0);
        QCOMPARE(running.count(), 2);  // stayed running across the replacement
    }

    void cancelEndsWithCancelled()
    {
        BacktestJob job;
        QSignalSpy cancelled(&job, &BacktestJob::cancelled);
        QSignalSpy finished(&job, &BacktestJob::finished);
        job.start(request());
        job.cancel();
        QVERIFY(cancelled.wait(30000));
        drain();
        QCOMPARE(finished.count(), 0);
        QCOMPARE(job.phase(), QStringLiteral("Cancelled"));
        QVERIFY(!job.isRunning());
    }

    void destroyWhileRunning()
    {
        auto *job = new BacktestJob;
        job->start(request());
        delete job;  // must not wait, must not crash when the worker ends
        drain();
    }

private:
    // Drains the pool and the event queue: afterwards no run can still deliver anything.
    static void drain()
    {
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::processEvents();
    }

    BacktestRequest request() const
    {
        BacktestRequest r;
        r.dataFile = m_bars;
        r.symbol = QStringLiteral("EURUSD");
        r.strategy = QStringLiteral("ema_crossover");
        return r;
    }

    QTemporaryDir m_dir;
    QString m_bars;
};

QTEST_GUILESS_MAIN(TestBacktestJob)
#include "tst_backtestjob.moc"
