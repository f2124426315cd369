// The Bots view on real PostgreSQL 15 (a throwaway cluster, pgharness.h) through the store the app wires
// (app/databasebotstore.h: PgBotStore + its own connection on BotLibrary's worker thread): create a bot in the view,
// save versions from the parameter form, runs saved by another connection listed and sorted by their metrics, one
// opened in the review widgets, two compared, the server stopped (error shown, window usable) and back; and the
// botdesk executable opening on its Bots page with --db.

#include "botlistmodel.h"
#include "botstrategy.h"
#include "botsview.h"
#include "database.h"
#include "databasebotstore.h"
#include "mainwindow.h"
#include "parameterform.h"
#include "pgbotstore.h"
#include "pgharness.h"
#include "runcomparisonwidget.h"
#include "runlistmodel.h"
#include "statsmodel.h"
#include "storedrun.h"
#include "syntheticbars.h"
#include "tradelistmodel.h"
#include "versionlistmodel.h"

#include <QDir>
#include <QImage>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <qcustomplot.h>

using namespace bd;

class TestBotsViewPg : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        registerModelMetaTypes();
        QVERIFY(m_dir.isValid());
        m_bars = m_dir.filePath(QStringLiteral("bars.csv"));
        QVERIFY(test::writeSyntheticBars(m_bars, 6000));
        auto started = m_pg.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
        qInfo("throwaway cluster started in %lld ms", m_pg.startMs());
    }

    void createSaveOpenCompare()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("gui"));
        QVERIFY2(url, qPrintable(url ? QString() : url.error().message));
        const DatabaseTarget target = m_pg.target(*url);

        MainWindow window;
        window.setInteractive(false);
        window.setVersionStrategies(std::make_shared<AppVersionStrategies>());
        window.setBotStoreFactory(makeDatabaseBotStoreFactory(target, QStringLiteral("gui-test")));
        window.show();
        window.showBotsPage();
        BotsView *view = window.botsView();
        QTRY_VERIFY_WITH_TIMEOUT(view->statusText().contains(QStringLiteral("No bots yet")), 10000);

        // A bot from a template, through the view: its default version is stored.
        QVERIFY(view->createBot(QStringLiteral("alpha"), QStringLiteral("ema_crossover")));
        QTRY_COMPARE_WITH_TIMEOUT(view->versionModel()->rowCount(), 1, 10000);
        const BotVersion first = *view->currentVersion();
        QCOMPARE(first.codeHash, defaultVersionOf(QStringLiteral("ema_crossover"))->codeHash);
        QCOMPARE(view->currentBot()->owner, QStringLiteral("botdesk"));

        // A new version from the form; the same content again is the existing version.
        qobject_cast<QSpinBox *>(view->parameterForm()->editor(QStringLiteral("fast")))->stepBy(-4);
        QTest::keyClicks(view->notesEdit(), QStringLiteral("fast 8"));
        view->saveVersionButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(view->versionModel()->rowCount(), 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(view->currentVersion() && view->currentVersion()->id != first.id, 10000);
        const BotVersion second = *view->currentVersion();
        QCOMPARE(second.params, (QJsonObject{{QStringLiteral("fast"), 8}}));
        QCOMPARE(second.parentId, first.id);
        QCOMPARE(second.notes, QStringLiteral("fast 8"));
        view->saveVersionButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(view->statusText().contains(QStringLiteral("Identical to version %1").arg(shortHash(second.codeHash))),
                                 10000);

        // Runs saved by another connection (as the CLI would), then listed by the view.
        Database db(target);
        PgBotStore store(db);
        std::vector<BacktestRunRecord> runs;
        for (int i = 0; i < 3; ++i) {
            BacktestConfig config;
            config.spreadPoints = 5 + 20 * i;
            config.commissionPerLot = 3.0 * i;
            auto run = test::makeStoredRun(m_bars, second.id, QStringLiteral("ema_crossover"), second.params, config,
                                           1718000000000 + i * 60000);
            QVERIFY2(run, qPrintable(run ? QString() : run.error().message));
            auto saved = store.saveBacktestRun(*run);
            QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().message));
            runs.push_back(*run);
        }
        view->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(view->runModel()->rowCount(), 3, 10000);
        QCOMPARE(view->currentVersion()->id, second.id);

        view->runTable()->sortByColumn(RunListModel::NetProfitColumn, Qt::DescendingOrder);
        std::vector<double> nets;
        for (const auto &r : runs)
            nets.push_back(r.stats.totalNetProfit);
        std::sort(nets.rbegin(), nets.rend());
        for (int row = 0; row < 3; ++row) {
            QCOMPARE(view->runProxy()->index(row, RunListModel::NetProfitColumn).data(RunListModel::SortRole).toDouble(),
                     nets[size_t(row)]);
        }

        // Open a stored run: stats, trades and the bars of its (unchanged) data file.
        QSignalSpy shown(&window, &MainWindow::storedRunShown);
        QVERIFY(view->selectRuns({runs[2].id}));
        view->openRunButton()->click();
        QVERIFY(shown.wait(10000));
        QVERIFY2(shown.at(0).at(0).toBool(), qPrintable(shown.at(0).at(1).toString()));
        QCOMPARE(window.tradeModel()->rowCount(), int(runs[2].trades.size()));
        QCOMPARE(window.statsModel()->rawValue(QStringLiteral("Total Net Profit")).toDouble(), runs[2].stats.totalNetProfit);
        QCOMPARE(window.lastResult()->trades.back().closePrice, runs[2].trades.back().closePrice);
        QCOMPARE(window.lastBars().size(), size_t(6000));

        // Compare two: two curves overlaid, differences B − A (A = the earlier run).
        window.showBotsPage();
        QVERIFY(view->selectRuns({runs[0].id, runs[1].id}));
        view->compareButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(view->comparison()->equityGraphA()->dataCount(), int(runs[0].equity.size()), 10000);
        QCOMPARE(view->comparison()->equityGraphB()->dataCount(), int(runs[1].equity.size()));
        QCOMPARE(view->comparison()->difference(RunComparisonWidget::Trades),
                 double(runs[1].stats.totalTrades - runs[0].stats.totalTrades));
        QDir().mkpath(QStringLiteral(BOTDESK_BINARY_DIR "/screenshots"));
        window.resize(1400, 900);
        QVERIFY(window.grab().save(QStringLiteral(BOTDESK_BINARY_DIR "/screenshots/bots_compare.png")));
        view->historyTabs()->setCurrentIndex(0);
        QVERIFY(window.grab().save(QStringLiteral(BOTDESK_BINARY_DIR "/screenshots/bots_history.png")));

        // The server goes away: the view says so and stays usable; it comes back: Refresh works again.
        QVERIFY(m_pg.stopServer());
        view->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(view->statusIsError(), 15000);
        QVERIFY2(view->statusText().startsWith(QStringLiteral("Cannot list the bots: ")), qPrintable(view->statusText()));
        QVERIFY(view->isEnabled());
        QCOMPARE(view->botModel()->rowCount(), 1);  // what was shown stays
        QVERIFY(m_pg.startServer());
        view->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!view->statusIsError(), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(view->runModel()->rowCount(), 3, 10000);
    }

    void appOpensOnTheBotsPage()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("app"));
        QVERIFY(url);
        const QString shot = m_dir.filePath(QStringLiteral("bots.png"));
        QProcess app;
        app.setProcessChannelMode(QProcess::MergedChannels);
        app.start(QStringLiteral(BOTDESK_GUI), {QStringLiteral("--db"), url->redacted(), QStringLiteral("--bots"),
                                                QStringLiteral("--screenshot"), shot});
        QVERIFY(app.waitForFinished(60000));
        QCOMPARE(app.exitCode(), 0);
        QVERIFY(!QImage(shot).isNull());

        // A --db that is not a database URL is refused before any window opens.
        QProcess bad;
        bad.setProcessChannelMode(QProcess::MergedChannels);
        bad.start(QStringLiteral(BOTDESK_GUI), {QStringLiteral("--db"), QStringLiteral("postgres:/x"),
                                                QStringLiteral("--bots")});
        QVERIFY(bad.waitForFinished(30000));
        QCOMPARE(bad.exitCode(), 2);
        QVERIFY2(bad.readAll().contains("postgres:/x"), "the message names the bad value");
    }

private:
    PgHarness m_pg;
    QTemporaryDir m_dir;
    QString m_bars;
};

QTEST_MAIN(TestBotsViewPg)
#include "tst_botsview_pg.moc"
