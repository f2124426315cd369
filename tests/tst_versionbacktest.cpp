// "Backtest this version" (issue 7 §3) on real PostgreSQL 15 (a throwaway cluster, pgharness.h) and the embedded
// Python host: MainWindow runs a stored Python version's own code and parameters on the Strategy Tester's data,
// shows the result, and stores the run against the version; the stored trades equal the native built-in's with
// the same parameters (the templates are ports of the built-ins); a broken version fails with its name and line
// and stores nothing.

#include "backtestengine.h"
#include "barloader.h"
#include "backtestjob.h"
#include "codehash.h"
#include "botstrategy.h"
#include "databasebotstore.h"
#include "filesha256.h"
#include "mainwindow.h"
#include "backtestform.h"
#include "pgharness.h"
#include "pythonstrategyloader.h"
#include "strategyregistry.h"
#include "symbolspec.h"
#include "syntheticbars.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace bd;

class TestVersionBacktest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        registerModelMetaTypes();
        preferPythonHostDirectory(QStringLiteral(BOTDESK_BINARY_DIR "/app"));
        QVERIFY(m_dir.isValid());
        m_bars = m_dir.filePath(QStringLiteral("bars.csv"));
        QVERIFY(test::writeSyntheticBars(m_bars, 6000));
        auto started = m_pg.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
        auto url = m_pg.createMigratedDatabase(QStringLiteral("versionrun"));
        QVERIFY2(url, qPrintable(url ? QString() : url.error().message));
        m_factory = makeDatabaseBotStoreFactory(m_pg.target(*url), QStringLiteral("versionrun-test"));
        m_store = m_factory();
        QVERIFY(m_store);
    }

    void runsAndStoresAPythonVersion()
    {
        auto strategies = std::make_shared<AppVersionStrategies>();
        auto first = strategies->firstVersionOf(QStringLiteral("ema_crossover_v1.py"));
        QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
        auto bot = m_store->createBot(QStringLiteral("pyema"), QStringLiteral("ema_crossover_v1.py"), *first);
        QVERIFY2(bot, qPrintable(bot ? QString() : bot.error().message));
        BotVersion draft = *first;
        draft.botId = bot->id;
        draft.params = QJsonObject{{"fast", 8}, {"slow", 21}};
        draft.codeHash = computeCodeHash(draft.code, draft.params);
        auto saved = m_store->saveVersion(draft);
        QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().message));
        const BotVersion version = saved->first;

        MainWindow window;
        window.setInteractive(false);
        window.setVersionStrategies(strategies);
        window.setBotStoreFactory(m_factory);
        window.show();
        window.showBotsPage();
        window.form()->setDataFile(m_bars);
        window.form()->setSymbol(QStringLiteral("EURUSD"));
        window.form()->setStrategy(QStringLiteral("box_breakout"));  // what the form shows must not be what runs

        QSignalSpy savedSpy(&window, &MainWindow::versionRunSaved);
        QSignalSpy endedSpy(&window, &MainWindow::runEnded);
        QVERIFY(window.backtestVersion(*bot, version));
        QVERIFY(savedSpy.wait(30000));
        QCOMPARE(endedSpy.count(), 1);
        QCOMPARE(endedSpy.at(0).at(0).toBool(), true);
        QCOMPARE(savedSpy.at(0).at(1).toString(), QString());
        QVERIFY2(window.form()->statusText().startsWith(QStringLiteral("pyema@%1 finished").arg(shortHash(version.codeHash))),
                 qPrintable(window.form()->statusText()));
        const auto shown = window.lastResult();
        QVERIFY(shown);
        QVERIFY2(shown->trades.size() > 5, qPrintable(QString::number(shown->trades.size())));

        // Stored against the version, with what reproduces it.
        auto run = m_store->loadBacktestRun(savedSpy.at(0).at(0).toUuid());
        QVERIFY2(run, qPrintable(run ? QString() : run.error().message));
        QCOMPARE(run->versionId, version.id);
        QCOMPARE(run->params.value("fast").toInt(), 8);
        QCOMPARE(run->params.value("slow").toInt(), 21);
        QCOMPARE(run->params.value("atr_period").toInt(), 14);  // defaults filled in
        QCOMPARE(run->dataSha256, *sha256OfFile(m_bars));
        QCOMPARE(run->symbol, QStringLiteral("EURUSD"));
        QCOMPARE(run->trades.size(), shown->trades.size());
        QCOMPARE(run->stats.totalNetProfit, shown->stats.totalNetProfit);

        // The same trades as the native ema_crossover with the same parameters.
        auto bars = loadBars(m_bars, BarLoadOptions{});
        QVERIFY(bars);
        auto catalog = SymbolCatalog::builtin();
        auto native = createStrategy(QStringLiteral("ema_crossover"), draft.params);
        QVERIFY(native);
        auto expected = runBacktest(*bars, *catalog->find("EURUSD"), **native, BacktestConfig{}, BacktestControl{});
        QVERIFY(expected);
        QCOMPARE(run->trades.size(), expected->trades.size());
        for (size_t i = 0; i < expected->trades.size(); ++i) {
            QCOMPARE(run->trades[i].openTimeMs, expected->trades[i].openTimeMs);
            QCOMPARE(run->trades[i].closeTimeMs, expected->trades[i].closeTimeMs);
            QCOMPARE(run->trades[i].profit, expected->trades[i].profit);
        }
    }

    void aBrokenVersionStoresNothing()
    {
        auto strategies = std::make_shared<AppVersionStrategies>();
        auto bot = m_store->findBot(QStringLiteral("pyema"));
        QVERIFY(bot);
        BotVersion broken;
        broken.botId = bot->id;
        broken.code = QStringLiteral("import botdesk as bd\n\nclass Broken(bd.Strategy):\n    def on_bar(self, bar, ctx)\n        pass\n");
        broken.codeHash = computeCodeHash(broken.code, broken.params);
        auto saved = m_store->saveVersion(broken);
        QVERIFY(saved);
        auto before = m_store->listBacktestRuns(QStringLiteral("pyema"), 100);
        QVERIFY(before);

        MainWindow window;
        window.setInteractive(false);
        window.setVersionStrategies(strategies);
        window.setBotStoreFactory(m_factory);
        window.showBotsPage();
        window.form()->setDataFile(m_bars);
        window.form()->setSymbol(QStringLiteral("EURUSD"));
        QSignalSpy endedSpy(&window, &MainWindow::runEnded);
        QSignalSpy savedSpy(&window, &MainWindow::versionRunSaved);
        QVERIFY(window.backtestVersion(*bot, saved->first));
        QVERIFY(endedSpy.wait(30000));
        QCOMPARE(endedSpy.at(0).at(0).toBool(), false);
        const QString status = window.form()->statusText();
        QVERIFY2(status.contains(QStringLiteral("pyema@%1.py").arg(shortHash(saved->first.codeHash))), qPrintable(status));
        QVERIFY2(status.contains(QStringLiteral("line 4")), qPrintable(status));
        QTest::qWait(200);
        QCOMPARE(savedSpy.count(), 0);
        auto after = m_store->listBacktestRuns(QStringLiteral("pyema"), 100);
        QVERIFY(after);
        QCOMPARE(after->size(), before->size());
    }

    // Without a bot database the run is refused before it starts, saying why.
    void refusedWithoutADatabase()
    {
        MainWindow window;
        window.setInteractive(false);
        window.setVersionStrategies(std::make_shared<AppVersionStrategies>());
        window.form()->setDataFile(m_bars);
        window.form()->setSymbol(QStringLiteral("EURUSD"));
        Bot bot;
        bot.name = QStringLiteral("x");
        bot.strategyTemplate = QStringLiteral("ema_crossover_v1.py");
        QVERIFY(!window.backtestVersion(bot, BotVersion{}));
        QVERIFY2(window.form()->statusText().contains(QStringLiteral("no bot database")),
                 qPrintable(window.form()->statusText()));
        QVERIFY(!window.job()->isRunning());
    }

    void cleanupTestCase() { m_store.reset(); }

private:
    QTemporaryDir m_dir;
    QString m_bars;
    PgHarness m_pg;
    BotStoreFactory m_factory;
    std::unique_ptr<BotStore> m_store;
};

QTEST_MAIN(TestVersionBacktest)
#include "tst_versionbacktest.moc"
