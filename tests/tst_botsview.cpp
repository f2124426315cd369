// The Bots view on real PostgreSQL 15 (a throwaway cluster, pgharness.h; a fresh database per case) through the
// store the app wires (app/databasebotstore.h): create a bot through the New bot dialog, save versions from the parameter form, the backtest history of a version
// sorted by its metrics, a stored run opened in the main window's review widgets, two runs compared, and an
// unreachable database shown as an error while the view stays usable.

#include "botlistmodel.h"
#include "botstrategy.h"
#include "botsview.h"
#include "codeeditor.h"
#include "codehash.h"
#include "database.h"
#include "databasebotstore.h"
#include "mainwindow.h"
#include "newbotdialog.h"
#include "parameterform.h"
#include "pgbotstore.h"
#include "pgharness.h"
#include "pricechartwidget.h"
#include "resultcheck.h"
#include "runcomparisonwidget.h"
#include "runlistmodel.h"
#include "statsmodel.h"
#include "storedrun.h"
#include "syntheticbars.h"
#include "tradelistmodel.h"
#include "versiondiffview.h"
#include "versionlistmodel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPushButton>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <qcustomplot.h>

using namespace bd;

class TestBotsView : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        registerModelMetaTypes();
        QVERIFY(m_dir.isValid());
        m_bars = m_dir.filePath(QStringLiteral("bars.csv"));
        QVERIFY(test::writeSyntheticBars(m_bars, 6000));
        QVERIFY_OK(m_pg.start());
        qInfo("throwaway cluster started in %lld ms", m_pg.startMs());
    }

    void createBotThroughTheDialog()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("dialog"));
        QVERIFY_OK(url);
        const DatabaseTarget target = m_pg.target(*url);
        BotLibrary library(makeDatabaseBotStoreFactory(target, QStringLiteral("dialog-test")));
        BotsView view(&library, std::make_shared<AppVersionStrategies>());
        view.show();
        view.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(view.statusText().contains(QStringLiteral("No bots yet")), 5000);

        view.findChild<QPushButton *>(QStringLiteral("newBotButton"))->click();
        auto *dialog = view.findChild<NewBotDialog *>();
        QVERIFY(dialog);
        QPushButton *create = dialog->buttons()->button(QDialogButtonBox::Ok);
        QVERIFY(!create->isEnabled());
        QTest::keyClicks(dialog->nameEdit(), QStringLiteral("bad name"));
        QVERIFY(!create->isEnabled());
        dialog->nameEdit()->clear();
        QTest::keyClicks(dialog->nameEdit(), QStringLiteral("ema-eurusd"));
        QVERIFY(create->isEnabled());
        dialog->templateBox()->setCurrentText(QStringLiteral("box_breakout"));
        create->click();

        QTRY_COMPARE_WITH_TIMEOUT(view.versionModel()->rowCount(), 1, 5000);
        QCOMPARE(view.botModel()->rowCount(), 1);
        QCOMPARE(view.currentBot()->name, QStringLiteral("ema-eurusd"));
        QCOMPARE(view.currentBot()->strategyTemplate, QStringLiteral("box_breakout"));
        QVERIFY2(view.statusText().contains(QStringLiteral("Created bot ema-eurusd")), qPrintable(view.statusText()));
        QCOMPARE(view.currentVersion()->codeHash, defaultVersionOf(QStringLiteral("box_breakout"))->codeHash);
        // The form shows the template's parameters at their defaults.
        QVERIFY(view.parameterForm()->editor(QStringLiteral("box_bars")));
        QCOMPARE(view.parameterForm()->changedValues(), QJsonObject());

        // A taken name is the store's error, shown in the status line.
        QVERIFY(view.createBot(QStringLiteral("ema-eurusd"), QStringLiteral("ema_crossover")));
        QTRY_VERIFY_WITH_TIMEOUT(view.statusIsError(), 5000);
        QVERIFY2(view.statusText().contains(QStringLiteral("already exists")), qPrintable(view.statusText()));
        QVERIFY(!view.createBot(QStringLiteral("-x"), QStringLiteral("ema_crossover")));  // refused before the store
        QTRY_COMPARE_WITH_TIMEOUT(library.pendingCount(), 0, 10000);
        Database db(target);
        auto stored = PgBotStore(db).listBots();
        QVERIFY_OK(stored);
        QCOMPARE(stored->size(), size_t(1));
        QCOMPARE(stored->front().strategyTemplate, QStringLiteral("box_breakout"));
    }

    void saveVersionsFromTheForm()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("form"));
        QVERIFY_OK(url);
        const DatabaseTarget target = m_pg.target(*url);
        BotLibrary library(makeDatabaseBotStoreFactory(target, QStringLiteral("form-test")));
        BotsView view(&library, std::make_shared<AppVersionStrategies>());
        view.show();
        QVERIFY(view.createBot(QStringLiteral("alpha"), QStringLiteral("ema_crossover")));
        QTRY_COMPARE_WITH_TIMEOUT(view.versionModel()->rowCount(), 1, 5000);
        const BotVersion first = *view.currentVersion();

        qobject_cast<QSpinBox *>(view.parameterForm()->editor(QStringLiteral("fast")))->stepBy(-4);  // 12 -> 8
        QTest::keyClicks(view.notesEdit(), QStringLiteral("faster EMA"));
        view.saveVersionButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(view.versionModel()->rowCount(), 2, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(view.currentVersion() && view.currentVersion()->id != first.id, 5000);
        const BotVersion second = *view.currentVersion();
        QCOMPARE(second.params, (QJsonObject{{QStringLiteral("fast"), 8}}));
        QCOMPARE(second.parentId, first.id);
        QCOMPARE(second.notes, QStringLiteral("faster EMA"));
        QCOMPARE(second.code, first.code);
        QVERIFY2(view.statusText().contains(QStringLiteral("Saved version %1").arg(shortHash(second.codeHash))),
                 qPrintable(view.statusText()));
        QCOMPARE(view.versionModel()->index(0, VersionListModel::ParentColumn).data().toString(), shortHash(first.codeHash));
        // Selecting the new version shows its values in the form.
        QCOMPARE(view.parameterForm()->value(QStringLiteral("fast")), 8.0);
        QCOMPARE(view.botModel()->index(0, BotListModel::VersionsColumn).data().toString(), QStringLiteral("2"));

        // The Code tab shows the selected version's code, read-only (a built-in's C++ source).
        QCOMPARE(view.versionCode()->code(), second.code);
        QVERIFY(view.versionCode()->isReadOnly());
        QCOMPARE(view.versionCode()->language(), CodeEditor::Language::Cpp);

        // Both versions selected: the Diff tab says what changed (same code, one parameter), older first.
        QVERIFY(view.selectVersions({second.id, first.id}));
        QCOMPARE(view.historyTabs()->currentWidget(), view.versionDiff());
        QVERIFY(!view.currentVersion());  // two selected: no single version to save from
        QVERIFY(!view.saveVersionButton()->isEnabled());
        QCOMPARE(view.versionDiff()->summary(),
                 QStringLiteral("alpha@%1 → alpha@%2: code +0 −0 lines, 1 parameter(s) changed")
                     .arg(shortHash(first.codeHash), shortHash(second.codeHash)));
        QTableWidget *params = view.versionDiff()->paramsTable();
        QCOMPARE(params->rowCount(), 1);
        QCOMPARE(params->item(0, 0)->text(), QStringLiteral("fast"));
        QCOMPARE(params->item(0, 1)->text(), QStringLiteral("default"));
        QCOMPARE(params->item(0, 2)->text(), QStringLiteral("8"));
        QCOMPARE(view.versionDiff()->diffText(), QStringLiteral("(the code is identical)"));
        QVERIFY(view.versionCode()->code().isEmpty());  // two selected: no one version's code
        QVERIFY(view.selectVersion(second.id));
        QVERIFY(view.versionDiff()->summary().startsWith(QStringLiteral("Select two versions")));
        QCOMPARE(view.versionCode()->code(), second.code);

        // The same content again: the existing version, nothing new.
        view.saveVersionButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(view.statusText().contains(QStringLiteral("Identical to version %1").arg(shortHash(second.codeHash))),
                                 5000);
        QTRY_COMPARE_WITH_TIMEOUT(library.pendingCount(), 0, 5000);
        QCOMPARE(view.versionModel()->rowCount(), 2);

        // A rule between parameters (fast < slow) is checked before anything is sent: no request is pending (a
        // request counts from the moment it is asked), and the database still has two versions.
        QVERIFY(view.parameterForm()->setValue(QStringLiteral("fast"), 40));
        QVERIFY(!view.saveVersion());
        QCOMPARE(library.pendingCount(), 0);
        QVERIFY(view.statusIsError());
        QVERIFY2(view.statusText().startsWith(QStringLiteral("Not saved: ")), qPrintable(view.statusText()));
        Database db(target);
        auto stored = PgBotStore(db).listVersions(second.botId);
        QVERIFY_OK(stored);
        QCOMPARE(stored->size(), size_t(2));
    }

    void historyOpenAndCompare()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("history"));
        QVERIFY_OK(url);
        const DatabaseTarget target = m_pg.target(*url);
        Database db(target);
        PgBotStore direct(db);  // another connection, as the CLI would save runs
        auto bot = direct.createBot(QStringLiteral("alpha"), QStringLiteral("ema_crossover"),
                                    *defaultVersionOf(QStringLiteral("ema_crossover")));
        QVERIFY_OK(bot);
        const BotVersion v1 = direct.listVersions(bot->id)->front();
        BotVersion draft = v1;
        draft.params = QJsonObject{{QStringLiteral("fast"), 5}, {QStringLiteral("slow"), 60}};
        draft.codeHash = computeCodeHash(draft.code, draft.params);
        draft.parentId = v1.id;
        auto savedV2 = direct.saveVersion(draft);
        QVERIFY_OK(savedV2);
        QVERIFY(savedV2->second);
        const BotVersion v2 = savedV2->first;
        // Three runs of v1 with different costs (so different results), one of v2.
        std::vector<BacktestRunRecord> runs;
        for (int i = 0; i < 3; ++i) {
            BacktestConfig config;
            config.spreadPoints = 5 + 20 * i;
            config.commissionPerLot = 2.0 * i;
            auto run = test::makeStoredRun(m_bars, v1.id, QStringLiteral("ema_crossover"), v1.params, config,
                                           1718000000000 + i * 60000);
            QVERIFY2(run, qPrintable(run ? QString() : run.error().message));
            QVERIFY(run->trades.size() > 5);
            runs.push_back(*run);
            QVERIFY_OK(direct.saveBacktestRun(*run));
        }
        auto other = test::makeStoredRun(m_bars, v2.id, QStringLiteral("ema_crossover"), draft.params, BacktestConfig{},
                                         1718000900000);
        QVERIFY(other);
        QVERIFY_OK(direct.saveBacktestRun(*other));

        MainWindow window;
        window.setInteractive(false);
        window.setBotStoreFactory(makeDatabaseBotStoreFactory(target, QStringLiteral("history-test")));
        window.show();
        QVERIFY(!window.botsView());
        window.showBotsPage();
        BotsView *view = window.botsView();
        QVERIFY(view);
        QTRY_COMPARE_WITH_TIMEOUT(view->versionModel()->rowCount(), 2, 5000);
        QVERIFY(view->selectVersion(v1.id));
        QTRY_COMPARE_WITH_TIMEOUT(view->runModel()->rowCount(), 3, 5000);  // v1's runs only
        view->allVersionsBox()->setChecked(true);
        QCOMPARE(view->runModel()->rowCount(), 4);
        view->allVersionsBox()->setChecked(false);
        QCOMPARE(view->runModel()->rowCount(), 3);

        // Sorted by net profit through the header: numeric order of the stored values.
        view->runTable()->sortByColumn(RunListModel::NetProfitColumn, Qt::AscendingOrder);
        QSortFilterProxyModel *proxy = view->runProxy();
        std::vector<double> nets;
        for (const auto &r : runs)
            nets.push_back(r.stats.totalNetProfit);
        std::sort(nets.begin(), nets.end());
        for (int row = 0; row < 3; ++row)
            QCOMPARE(proxy->index(row, RunListModel::NetProfitColumn).data(RunListModel::SortRole).toDouble(), nets[size_t(row)]);
        view->runTable()->sortByColumn(RunListModel::TradesColumn, Qt::DescendingOrder);
        for (int row = 1; row < 3; ++row) {
            QVERIFY(proxy->index(row - 1, RunListModel::TradesColumn).data(RunListModel::SortRole).toInt()
                    >= proxy->index(row, RunListModel::TradesColumn).data(RunListModel::SortRole).toInt());
        }

        // Open: the review widgets show the stored run, the price chart its bars (the file is unchanged).
        QSignalSpy shown(&window, &MainWindow::storedRunShown);
        QVERIFY(view->selectRuns({runs[1].id}));
        QVERIFY(view->openRunButton()->isEnabled());
        view->openRunButton()->click();
        QVERIFY(shown.wait(10000));
        QVERIFY2(shown.at(0).at(0).toBool(), qPrintable(shown.at(0).at(1).toString()));
        QCOMPARE(window.pages()->currentIndex(), 0);
        QCOMPARE(window.tradeModel()->rowCount(), int(runs[1].trades.size()));
        QCOMPARE(window.statsModel()->rawValue(QStringLiteral("Total Net Profit")).toDouble(), runs[1].stats.totalNetProfit);
        QCOMPARE(window.lastBars().size(), size_t(6000));
        QVERIFY(window.showTradeOnChart(0));

        // Compare two runs: two curves, metrics with B − A.
        window.showBotsPage();
        QVERIFY(view->selectRuns({runs[2].id, runs[0].id}));
        QVERIFY(view->compareButton()->isEnabled());
        view->compareButton()->click();
        RunComparisonWidget *comparison = view->comparison();
        QTRY_COMPARE_WITH_TIMEOUT(comparison->equityGraphA()->dataCount(), int(runs[0].equity.size()), 5000);
        QCOMPARE(comparison->equityGraphB()->dataCount(), int(runs[2].equity.size()));
        QCOMPARE(view->historyTabs()->currentWidget(), comparison);
        QCOMPARE(comparison->difference(RunComparisonWidget::NetProfit),
                 runs[2].stats.totalNetProfit - runs[0].stats.totalNetProfit);  // A = the earlier run
        QCOMPARE(comparison->metricsTable()->item(RunComparisonWidget::Trades, RunComparisonWidget::AColumn)->text(),
                 QString::number(runs[0].stats.totalTrades));

        // A stored run whose data file changed: shown, but its price chart says why it is empty.
        QFile file(m_bars);
        QVERIFY(file.open(QIODevice::Append));
        file.write("\n");
        file.close();
        view->allVersionsBox()->setChecked(true);
        QVERIFY(view->selectRuns({other->id}));
        view->openRunButton()->click();
        QVERIFY(shown.wait(10000));
        QVERIFY(!shown.at(1).at(0).toBool());
        QVERIFY2(shown.at(1).at(1).toString().contains(QStringLiteral("has changed since the run")),
                 qPrintable(shown.at(1).at(1).toString()));
        QCOMPARE(window.tradeModel()->rowCount(), int(other->trades.size()));
        QCOMPARE(window.lastBars().size(), size_t(0));
        QVERIFY(test::writeSyntheticBars(m_bars, 6000));  // restore for later tests
    }

    void unreachableDatabaseIsShownNotFatal()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("unreachable"));
        QVERIFY_OK(url);
        QVERIFY_OK(m_pg.stopServer());
        auto restart = qScopeGuard([this] { (void)m_pg.startServer(); });  // later cases need the server
        MainWindow window;
        window.setInteractive(false);
        window.setBotStoreFactory(makeDatabaseBotStoreFactory(m_pg.target(*url), QStringLiteral("unreachable-test")));
        window.show();
        window.showBotsPage();
        BotsView *view = window.botsView();
        QTRY_VERIFY_WITH_TIMEOUT(view->statusIsError(), 15000);
        QVERIFY2(view->statusText().contains(QStringLiteral("Cannot list the bots: cannot reach")), qPrintable(view->statusText()));
        QVERIFY(view->isEnabled());
        // The server comes back: Refresh works.
        restart.dismiss();
        QVERIFY_OK(m_pg.startServer());
        view->findChild<QPushButton *>(QStringLiteral("refreshBotsButton"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(view->statusText().contains(QStringLiteral("No bots yet")), 15000);
    }

    void noFactoryNoDatabase()
    {
        MainWindow window;
        window.setInteractive(false);
        window.show();
        window.pages()->setCurrentIndex(1);  // as a click on the Bots tab
        QVERIFY(!window.botsView());
        auto *label = window.findChild<QLabel *>(QStringLiteral("botsPlaceholder"));
        QVERIFY(label);
        QVERIFY(label->text().contains(QStringLiteral("No bot database")));
    }

private:
    PgHarness m_pg;
    QTemporaryDir m_dir;
    QString m_bars;
};

QTEST_MAIN(TestBotsView)
#include "tst_botsview.moc"
