// The bot editor of the Bots view (issue 7 §3) on real PostgreSQL 15 (a throwaway cluster, pgharness.h) and the
// real Python host, through the window the app builds: a Python bot made from ema_crossover_v1.py in the New bot
// dialog; the parameter form read from the code's declarations; code typed and replaced in the editor (a new
// parameter, a changed default, changed logic); Check on the first 1,000 bars of the Strategy Tester's data file;
// a syntax error marked on its line, undone; a parameter error naming the parameter; Save version (new hash, the
// list grows; the same content again names the version that has it); the Diff tab between the two; the
// unsaved-change guard on selection (Cancel keeps the edit, Discard drops it) and on close (Cancel stays, Save
// stores the edit and then closes); "Backtest this version". Screenshots: build/screenshots/bot_editor_error.png
// and bot_editor_diff.png.

#include "botstrategy.h"
#include "botsview.h"
#include "backtestform.h"
#include "codeeditor.h"
#include "databasebotstore.h"
#include "findreplacebar.h"
#include "mainwindow.h"
#include "runlistmodel.h"
#include "newbotdialog.h"
#include "parameterform.h"
#include "pgharness.h"
#include "pythonstrategyloader.h"
#include "resultcheck.h"
#include "syntheticbars.h"
#include "versiondiffview.h"
#include "versionlistmodel.h"

#include <Qsci/qsciscintilla.h>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace bd;

namespace {

// 0-based index of the first line of `code` that starts with `prefix`; -1 when none.
int lineStartingWith(const QString &code, const QString &prefix)
{
    const QStringList lines = code.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        if (lines[i].startsWith(prefix))
            return i;
    }
    return -1;
}

int tradesIn(const QString &status)
{
    static const QRegularExpression pattern(QStringLiteral(": (\\d+) trade"));
    const QRegularExpressionMatch m = pattern.match(status);
    return m.hasMatch() ? m.captured(1).toInt() : -1;
}

} // namespace

class TestBotEditor : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        registerModelMetaTypes();
        preferPythonHostDirectory(QStringLiteral(BOTDESK_BINARY_DIR "/app"));
        QVERIFY(m_dir.isValid());
        m_bars = m_dir.filePath(QStringLiteral("bars.csv"));
        QVERIFY(test::writeSyntheticBars(m_bars, 3000));
        QVERIFY_OK(m_pg.start());
        qInfo("throwaway cluster started in %lld ms", m_pg.startMs());
    }

    void editCheckSaveDiffGuard()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("editor"));
        QVERIFY_OK(url);
        auto strategies = std::make_shared<AppVersionStrategies>();
        MainWindow window;
        window.setInteractive(false);
        window.setVersionStrategies(strategies);
        window.setBotStoreFactory(makeDatabaseBotStoreFactory(m_pg.target(*url), QStringLiteral("editor-test")));
        window.form()->setDataFile(m_bars);
        QVERIFY(window.form()->setSymbol(QStringLiteral("EURUSD")));
        window.resize(1500, 950);
        window.show();
        window.showBotsPage();
        BotsView *view = window.botsView();
        QVERIFY(view);
        // The Check input comes from the Strategy Tester's form, and the page says which file it uses.
        QCOMPARE(view->checkDataFile(), m_bars);
        QCOMPARE(view->checkSymbol(), QStringLiteral("EURUSD"));
        QVERIFY2(view->checkInputLabel()->text().contains(QStringLiteral("first 1,000 bars of bars.csv (EURUSD)")),
                 qPrintable(view->checkInputLabel()->text()));
        QStringList asked;
        QMessageBox::StandardButton answer = QMessageBox::Cancel;
        view->setUnsavedChangesPrompt([&](const QString &question) {
            asked << question;
            return answer;
        });
        QTRY_VERIFY_WITH_TIMEOUT(view->statusText().contains(QStringLiteral("No bots yet")), 10000);

        // A Python bot from the template, through the New bot dialog (built-ins first, then the .py templates).
        view->newBotButton()->click();
        auto *dialog = view->findChild<NewBotDialog *>();
        QVERIFY(dialog);
        QCOMPARE(dialog->templateBox()->itemText(0), QStringLiteral("ema_crossover"));
        QVERIFY(dialog->templateBox()->findText(QStringLiteral("ema_crossover_v1.py")) > 0);
        QVERIFY(dialog->note().isEmpty());
        QTest::keyClicks(dialog->nameEdit(), QStringLiteral("pyema"));
        dialog->templateBox()->setCurrentText(QStringLiteral("ema_crossover_v1.py"));
        dialog->buttons()->button(QDialogButtonBox::Ok)->click();
        QTRY_COMPARE_WITH_TIMEOUT(view->versionModel()->rowCount(), 1, 10000);
        QCOMPARE(view->currentBot()->strategyTemplate, QStringLiteral("ema_crossover_v1.py"));
        const BotVersion first = *view->currentVersion();
        QCOMPARE(first.code, strategies->firstVersionOf(QStringLiteral("ema_crossover_v1.py"))->code);

        // The editor holds the Python code, editable; the form shows the code's declarations (read off the GUI thread).
        CodeEditor *editor = view->versionCode();
        view->historyTabs()->setCurrentWidget(editor->parentWidget()->parentWidget());
        QCOMPARE(editor->code(), first.code);
        QVERIFY(!editor->isReadOnly());
        QCOMPARE(editor->language(), CodeEditor::Language::Python);
        QVERIFY(view->codeNote()->isHidden());
        ParameterForm *form = view->parameterForm();
        QTRY_VERIFY_WITH_TIMEOUT(form->editor(QStringLiteral("fast")), 10000);
        QStringList keys;
        for (const ParameterSpec &spec : form->parameters())
            keys << spec.key;
        QCOMPARE(keys, (QStringList{"fast", "slow", "atr_period", "sl_atr_mult", "rr", "risk_percent"}));
        QCOMPARE(form->parameters().front().description, QStringLiteral("fast EMA period, bars (below slow)"));
        QCOMPARE(form->value(QStringLiteral("fast")), 12.0);
        QVERIFY(!view->hasUnsavedChanges());
        QVERIFY(view->backtestVersionButton()->isEnabled());

        // Check the template as it is.
        QSignalSpy checked(view, &BotsView::checkFinished);
        view->checkButton()->click();
        QVERIFY(checked.wait(15000));
        QVERIFY2(checked.last().at(0).toBool(), qPrintable(view->statusText()));
        QVERIFY2(view->statusText().startsWith(QStringLiteral("Check passed on the first 1,000 bars of bars.csv: ")),
                 qPrintable(view->statusText()));
        QVERIFY2(tradesIn(view->statusText()) > 0, qPrintable(view->statusText()));

        // Edit as a user: type a new parameter under `fast`, change fast's default and the entry logic with
        // find/replace.
        QsciScintilla *text = editor->textEdit();
        const int fastLine = lineStartingWith(editor->code(), QStringLiteral("    fast = bd.Int("));
        QVERIFY(fastLine > 0);
        text->setFocus();
        text->setCursorPosition(fastLine, text->text(fastLine).trimmed().size() + 4);
        QTest::keyClick(text, Qt::Key_Return);
        QTest::keyClicks(text, QStringLiteral("long_only = bd.Int(1, min=0, max=1, description=\"1 = long trades only\")"));
        FindReplaceBar *bar = editor->findBar();
        QCOMPARE(bar->replaceAll(QStringLiteral("fast = bd.Int(12,"), QStringLiteral("fast = bd.Int(8,")), 1);
        QCOMPARE(bar->replaceAll(QStringLiteral("if already_in or not self.atr.ready:"),
                                 QStringLiteral("if already_in or not self.atr.ready or (self.long_only and want == bd.SELL):")),
                 1);
        QVERIFY(editor->code().contains(QStringLiteral("\n    long_only = bd.Int(1, min=0, max=1, description=\"1 = long trades only\")\n    slow = ")));
        QVERIFY(view->hasUnsavedChanges());
        QVERIFY(!view->backtestVersionButton()->isEnabled());
        // The form follows the code (1 s after the last keystroke): the new parameter, fast's new default.
        QTRY_VERIFY_WITH_TIMEOUT(form->editor(QStringLiteral("long_only")), 10000);
        QCOMPARE(form->value(QStringLiteral("fast")), 8.0);
        QVERIFY(form->isDefault(QStringLiteral("fast")));

        view->checkButton()->click();
        QVERIFY(checked.wait(15000));
        QVERIFY2(checked.last().at(0).toBool(), qPrintable(view->statusText()));
        const int editedTrades = tradesIn(view->statusText());
        QVERIFY2(editedTrades > 0, qPrintable(view->statusText()));

        // Break it: a syntax error is reported with its file and line, and that line is marked.
        const int onBarLine = lineStartingWith(editor->code(), QStringLiteral("    def on_bar(self, bar, ctx):")) + 1;
        QVERIFY(onBarLine > 1);
        QCOMPARE(bar->replaceAll(QStringLiteral("def on_bar(self, bar, ctx):"), QStringLiteral("def on_bar(self, bar, ctx)")), 1);
        view->checkButton()->click();
        QVERIFY(checked.wait(15000));
        QVERIFY(!checked.last().at(0).toBool());
        QVERIFY(view->statusIsError());
        QVERIFY2(view->statusText().startsWith(QStringLiteral("Check failed: pyema@")), qPrintable(view->statusText()));
        QVERIFY2(view->statusText().contains(QStringLiteral(".py:%1: SyntaxError").arg(onBarLine)), qPrintable(view->statusText()));
        QCOMPARE(editor->errorLines(), QList<int>{onBarLine});
        QVERIFY(view->checkDetails()->toPlainText().contains(QStringLiteral("line %1").arg(onBarLine)));
        QDir().mkpath(QStringLiteral(BOTDESK_BINARY_DIR "/screenshots"));
        QVERIFY(window.grab().save(QStringLiteral(BOTDESK_BINARY_DIR "/screenshots/bot_editor_error.png")));

        // Nothing broken is stored: Save refuses it the same way.
        view->saveVersionButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(view->statusText().startsWith(QStringLiteral("Not saved: pyema@")), 15000);
        QCOMPARE(view->versionModel()->rowCount(), 1);

        // Fix it with Undo (the replace was one step): Check passes again with the same trades.
        view->findChild<QPushButton *>(QStringLiteral("undoButton"))->click();
        QVERIFY(editor->code().contains(QStringLiteral("def on_bar(self, bar, ctx):")));
        view->checkButton()->click();
        QVERIFY(checked.wait(15000));
        QVERIFY2(checked.last().at(0).toBool(), qPrintable(view->statusText()));
        QCOMPARE(tradesIn(view->statusText()), editedTrades);
        QVERIFY(editor->errorLines().isEmpty());

        // A parameter error names the parameter (the strategy's own rule: fast below slow).
        QVERIFY(form->setValue(QStringLiteral("fast"), 30));
        view->checkButton()->click();
        QVERIFY(checked.wait(15000));
        QVERIFY(!checked.last().at(0).toBool());
        QVERIFY2(view->statusText().contains(QStringLiteral("'fast' (30) must be below 'slow' (26)")), qPrintable(view->statusText()));
        form->resetButton(QStringLiteral("fast"))->click();
        QVERIFY(form->setValue(QStringLiteral("rr"), 3.0));

        // Save version: a new hash, the list grows, the editor is clean again.
        QTest::keyClicks(view->notesEdit(), QStringLiteral("fast 8, long only, rr 3"));
        view->saveVersionButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(view->versionModel()->rowCount(), 2, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(view->currentVersion() && view->currentVersion()->id != first.id, 10000);
        const BotVersion second = *view->currentVersion();
        QVERIFY2(view->statusText().contains(QStringLiteral("Saved version %1").arg(shortHash(second.codeHash))),
                 qPrintable(view->statusText()));
        QCOMPARE(second.parentId, first.id);
        QCOMPARE(second.code, editor->code());
        QCOMPARE(second.params, (QJsonObject{{QStringLiteral("rr"), 3.0}}));
        QCOMPARE(second.notes, QStringLiteral("fast 8, long only, rr 3"));
        QVERIFY(!view->hasUnsavedChanges());
        QVERIFY(view->backtestVersionButton()->isEnabled());

        // The same content again: the version that already has it is named.
        view->saveVersionButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(view->statusText().startsWith(QStringLiteral("Identical to version %1").arg(shortHash(second.codeHash))),
                                 15000);
        QVERIFY2(view->statusText().contains(QStringLiteral("fast 8, long only, rr 3")), qPrintable(view->statusText()));
        QTRY_COMPARE_WITH_TIMEOUT(window.botLibrary()->pendingCount(), 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(view->versionModel()->rowCount(), 2, 10000);
        QCOMPARE(view->currentVersion()->id, second.id);

        // The Diff tab: the changed lines and the changed parameter.
        QVERIFY(view->selectVersions({second.id, first.id}));
        QCOMPARE(view->historyTabs()->currentWidget(), view->versionDiff());
        const QString diff = view->versionDiff()->diffText();
        QVERIFY2(diff.contains(QStringLiteral("+    long_only = bd.Int(1")), qPrintable(diff));
        QVERIFY2(diff.contains(QStringLiteral("-    fast = bd.Int(12,")), qPrintable(diff));
        QVERIFY2(diff.contains(QStringLiteral("+    fast = bd.Int(8,")), qPrintable(diff));
        QVERIFY2(diff.contains(QStringLiteral("(self.long_only and want == bd.SELL)")), qPrintable(diff));
        QTableWidget *params = view->versionDiff()->paramsTable();
        QCOMPARE(params->rowCount(), 1);
        QCOMPARE(params->item(0, 0)->text(), QStringLiteral("rr"));
        QCOMPARE(params->item(0, 2)->text(), QStringLiteral("3"));
        QVERIFY(window.grab().save(QStringLiteral(BOTDESK_BINARY_DIR "/screenshots/bot_editor_diff.png")));

        // The guard on selection: Cancel keeps the edit and the selection, Discard drops the edit.
        QVERIFY(view->selectVersion(second.id));
        QCOMPARE(editor->code(), second.code);
        text->setCursorPosition(text->lines() - 1, 0);
        QTest::keyClicks(text, QStringLiteral("# to try later"));
        QVERIFY(view->hasUnsavedChanges());
        answer = QMessageBox::Cancel;
        QVERIFY(view->selectVersion(first.id));
        QCOMPARE(asked.size(), 1);
        QVERIFY2(asked.first().contains(QStringLiteral("pyema@%1").arg(shortHash(second.codeHash))), qPrintable(asked.first()));
        QCOMPARE(view->currentVersion()->id, second.id);
        QVERIFY(editor->code().endsWith(QStringLiteral("\n# to try later")));
        answer = QMessageBox::Discard;
        QVERIFY(view->selectVersion(first.id));
        QCOMPARE(asked.size(), 2);
        QCOMPARE(view->currentVersion()->id, first.id);
        QCOMPARE(editor->code(), first.code);
        QVERIFY(!view->hasUnsavedChanges());
        QVERIFY(view->selectVersion(second.id));  // nothing unsaved: no question
        QCOMPARE(asked.size(), 2);

        // "Backtest this version": one stored version, nothing unsaved. The window runs it in the Strategy Tester
        // and stores the run against the version; the Bots view lists it.
        QSignalSpy backtest(view, &BotsView::backtestVersionRequested);
        QSignalSpy runSaved(&window, &MainWindow::versionRunSaved);
        view->backtestVersionButton()->click();
        QCOMPARE(backtest.size(), 1);
        QCOMPARE(backtest.first().at(1).value<BotVersion>().id, second.id);
        QVERIFY(runSaved.wait(30000));
        QCOMPARE(runSaved.first().at(1).toString(), QString());
        QVERIFY(window.lastResult());
        QVERIFY2(window.form()->statusText().startsWith(QStringLiteral("%1@%2 finished")
                                                            .arg(view->currentBot()->name, shortHash(second.codeHash))),
                 qPrintable(window.form()->statusText()));
        {
            auto store = makeDatabaseBotStoreFactory(m_pg.target(*url), QStringLiteral("editor-run"))();
            auto run = store->loadBacktestRun(runSaved.first().at(0).toUuid());
            QVERIFY_OK(run);
            QCOMPARE(run->versionId, second.id);
            QCOMPARE(int(run->trades.size()), int(window.lastResult()->trades.size()));
        }
        window.showBotsPage();
        QTRY_VERIFY_WITH_TIMEOUT(view->runModel()->rowCount() >= 1, 10000);

        // The guard on close: Cancel keeps the window; Save stores the edit, then the window closes.
        QTRY_VERIFY_WITH_TIMEOUT(form->editor(QStringLiteral("long_only")), 10000);  // the version's declarations
        QCOMPARE(form->value(QStringLiteral("rr")), 3.0);
        QVERIFY(!view->hasUnsavedChanges());
        QVERIFY(form->setValue(QStringLiteral("risk_percent"), 0.5));
        QVERIFY(view->hasUnsavedChanges());
        answer = QMessageBox::Cancel;
        QVERIFY(!window.close());
        QCOMPARE(asked.size(), 3);
        QVERIFY(window.isVisible());
        answer = QMessageBox::Save;
        QVERIFY(!window.close());  // not yet: the save runs first
        QCOMPARE(asked.size(), 4);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), 15000);
        QCOMPARE(asked.size(), 4);  // closing after the save asked nothing more
        QTRY_COMPARE_WITH_TIMEOUT(window.botLibrary()->pendingCount(), 0, 10000);
        auto stored = makeDatabaseBotStoreFactory(m_pg.target(*url), QStringLiteral("editor-check"))();
        QVERIFY(stored);
        auto versions = stored->listVersions(second.botId);
        QVERIFY_OK(versions);
        QCOMPARE(versions->size(), size_t(3));
        QCOMPARE(versions->front().parentId, second.id);
        QCOMPARE(versions->front().params.value(QStringLiteral("risk_percent")).toDouble(), 0.5);
    }

    // Without a strategy provider the page lists bots but cannot create, check or save, and says so.
    void withoutProvider()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("noprovider"));
        QVERIFY_OK(url);
        BotLibrary library(makeDatabaseBotStoreFactory(m_pg.target(*url), QStringLiteral("noprovider-test")));
        BotsView view(&library, nullptr);
        view.show();
        QVERIFY2(view.statusText().contains(QStringLiteral("no strategy provider")), qPrintable(view.statusText()));
        QVERIFY(!view.newBotButton()->isEnabled());
        QVERIFY(!view.checkButton()->isEnabled());
        QVERIFY(!view.saveVersionButton()->isEnabled());
        QVERIFY(!view.createBot(QStringLiteral("alpha"), QStringLiteral("ema_crossover")));
        QCOMPARE(library.pendingCount(), 0);
        QVERIFY(!view.checkCode());
    }

private:
    PgHarness m_pg;
    QTemporaryDir m_dir;
    QString m_bars;
};

QTEST_MAIN(TestBotEditor)
#include "tst_boteditor.moc"
