#pragma once
// The Bots view (issue 6 §4): the bots the login sees | the versions of the selected bot, with a typed parameter
// form to save a new version from the selected one | the backtest history of the selected version (every version
// of the bot with "All versions"), sortable by its metrics, from which a run is opened in the review view or two
// runs are compared (equity curves overlaid, metrics side by side with differences); two versions selected show
// their diff (code and parameters, issue 7 §3 History) in the Diff tab.
//
// The bot editor (issue 7 §3), on the Code tab: the selected version's code in a CodeEditor — editable for a Python
// bot (find/replace, undo), read-only for a built-in (only this BotDesk's own built-in source runs; its parameters
// stay editable). The parameter form is made from the parameters the editor's code declares
// (VersionStrategyProvider::parameterSpecs on a worker thread; refreshed 1 s after the last keystroke and before a
// Check or a Save; values that differ from their defaults are carried over by key). "Check" loads the code with the
// form's parameters and runs it on the first 1,000 bars of the Strategy Tester's data file (setCheckInput) on a
// worker thread; "Save version" loads it the same way first, so nothing that does not load is stored, then saves
// code + parameters + notes as a new immutable version (parent = the selected version). An error marks its line in
// the editor and shows the whole message (file, line, bar time, traceback) in the details pane. Unsaved changes
// (code or parameters that differ from the selected version) are guarded: selecting another bot or version, or
// closing the window (confirmLeave), asks Save / Discard / Cancel.
//
// It talks to the store only through a BotLibrary (never blocks the GUI thread); every answer and error arrives
// by signal. Errors (an unreachable database, a taken name, …) are shown in the view's status line with the
// store's message; the view stays usable (Refresh retries).

#include "backtestrun.h"
#include "bot.h"
#include "botlibrary.h"
#include "parameterspec.h"
#include "versionstrategy.h"

#include <QMessageBox>
#include <QJsonObject>
#include <QString>
#include <QUuid>
#include <QWidget>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTimer;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace bd {

class BotListModel;
class CodeEditor;
class ParameterForm;
class RunComparisonWidget;
class RunListModel;
class VersionDiffView;
class VersionListModel;

class BotsView : public QWidget {
    Q_OBJECT
public:
    // `library` must outlive the view. `strategies` makes, checks and loads versions' strategies (app:
    // AppVersionStrategies); without it (nullptr) bots and versions can be listed and compared, but not created,
    // checked or saved, and the status line says so.
    explicit BotsView(BotLibrary *library, std::shared_ptr<const VersionStrategyProvider> strategies,
                      QWidget *parent = nullptr);

    // The bars a Check runs on: the Strategy Tester's data file and symbol, and the bar cache folder (empty = no
    // cache). Shown on the Code tab.
    void setCheckInput(const QString &dataFile, const QString &symbol, const QString &barCacheDirectory);
    QString checkDataFile() const { return m_checkDataFile; }
    QString checkSymbol() const { return m_checkSymbol; }
    // Bars a Check runs on, from the start of the data file.
    static constexpr qint64 kCheckBars = 1000;

    // Asks for the bot list again (and, through it, the selected bot's versions and runs).
    void refresh();
    // Creates bot `name` from `strategyTemplate` (what the New bot dialog does); false, with the reason in the
    // status line, when the name is not valid (nothing is sent then). The bot is selected once created.
    bool createBot(const QString &name, const QString &strategyTemplate);
    // Saves a new version of the selected bot: the editor's code, the parameter form's changed values, the notes
    // field, parent = the selected version — once the code has loaded with those parameters on a worker thread
    // (else "Not saved: " and the error, its line marked). False (reason in the status line) when nothing can be
    // sent: no version selected, no strategy provider, or a built-in's parameters refused (resolveStrategyParams).
    bool saveVersion();
    // Checks the editor's code with the form's parameters on the first kCheckBars bars of the check input, on a
    // worker thread; the answer is the status line ("Check passed on the first 1,000 bars of FILE: N trades" or
    // "Check failed: …"), the details pane and, for an error in the code, its line marked. False when it cannot
    // start (no version, no provider, no data file or symbol: the reason is in the status line).
    bool checkCode();
    // True while a Check (or the loading before a Save) runs.
    bool isChecking() const { return m_checking; }

    // The editor's code or the form's parameters differ from the selected version's.
    bool hasUnsavedChanges() const;
    // Before something that would drop the edit (`action`: "closing the window"): with unsaved changes, asks
    // Save / Discard / Cancel. True = go on (nothing unsaved, or Discard: the edit is dropped). Cancel: false, the
    // edit stays. Save: false; the save starts and, once the version is stored, `afterSaved` runs (e.g. close the
    // window again); a failed save runs nothing and the edit stays.
    bool confirmLeave(const QString &action, std::function<void()> afterSaved = {});
    // The question asked by the guard: returns Save, Discard or Cancel. Default: a QMessageBox. Tests inject one.
    using UnsavedChangesPrompt = std::function<QMessageBox::StandardButton(const QString &question)>;
    void setUnsavedChangesPrompt(UnsavedChangesPrompt prompt);
    // Loads the selected run and emits openRunRequested; false when not exactly one run is selected.
    bool openSelectedRun();
    // Loads the two selected runs and shows them on the Compare tab; false when not exactly two are selected.
    bool compareSelectedRuns();
    // Opens the New bot dialog (non-modal); its Create calls createBot.
    void showNewBotDialog();

    bool selectBot(const QString &name);
    bool selectVersion(const QUuid &versionId);
    // Selects the runs with these ids in the run table (rows of the sorted view); false when one is not listed.
    bool selectRuns(const QList<QUuid> &ids);
    // Selects these versions of the shown bot (two: their diff in the Diff tab). False when one is not listed.
    bool selectVersions(const QList<QUuid> &ids);

    std::optional<Bot> currentBot() const;
    std::optional<BotVersion> currentVersion() const;
    QString statusText() const;
    bool statusIsError() const { return m_statusIsError; }

    BotListModel *botModel() const { return m_botModel; }
    VersionListModel *versionModel() const { return m_versionModel; }
    RunListModel *runModel() const { return m_runModel; }
    QSortFilterProxyModel *runProxy() const { return m_runProxy; }
    QTableView *botTable() const { return m_botTable; }
    QTableView *versionTable() const { return m_versionTable; }
    QTableView *runTable() const { return m_runTable; }
    ParameterForm *parameterForm() const { return m_form; }
    QLineEdit *notesEdit() const { return m_notes; }
    QCheckBox *allVersionsBox() const { return m_allVersions; }
    QPushButton *saveVersionButton() const { return m_saveVersion; }
    QPushButton *checkButton() const { return m_check; }
    QPushButton *backtestVersionButton() const { return m_backtestVersion; }
    QPushButton *startLiveButton() const { return m_startLive; }
    QPushButton *newBotButton() const { return m_newBot; }
    QPlainTextEdit *checkDetails() const { return m_details; }
    QLabel *codeNote() const { return m_codeNote; }
    QLabel *checkInputLabel() const { return m_checkInputLabel; }
    QPushButton *openRunButton() const { return m_openRun; }
    QPushButton *compareButton() const { return m_compare; }
    QTabWidget *historyTabs() const { return m_historyTabs; }
    RunComparisonWidget *comparison() const { return m_comparison; }
    VersionDiffView *versionDiff() const { return m_versionDiff; }
    CodeEditor *versionCode() const { return m_versionCode; }  // the editor

signals:
    // A stored run to show in the review view; `title` names it ("alpha@1a2b3c4d5e6f EURUSD 2024-06-01 10:00:00 UTC").
    void openRunRequested(std::shared_ptr<const bd::BacktestRunRecord> run, const QString &title);
    // The view's status line changed (a result of the last action, or an error).
    void statusChanged(const QString &text, bool isError);
    // "Backtest this version": one stored version selected and nothing unsaved.
    void backtestVersionRequested(bd::Bot bot, bd::BotVersion version);
    // "Start live…": one stored version selected and nothing unsaved (the app opens the start dialog).
    void startLiveRequested(bd::Bot bot, bd::BotVersion version);
    // A Check ended: `passed`, and the status line's text.
    void checkFinished(bool passed, const QString &message);

private:
    QWidget *buildBotsPanel();
    QWidget *buildVersionsPanel();
    QWidget *buildHistoryPanel();
    void setStatus(const QString &text, bool isError = false);
    QWidget *buildCodePage();
    void updateButtons();
    void updateCheckInputLabel();
    // The editor shows `version` of `bot` (code, language, read-only for a built-in) and the form its parameters.
    void showInEditor(const Bot &bot, const BotVersion &version);
    void clearEditor();
    // The name errors give the editor's code: the hash it would be saved under.
    QString editorCodeName() const;
    // Makes the form's parameters those the editor's code declares, then runs `then` (none: just refresh). An
    // error (a syntax error, a bad declaration) is shown with `failurePrefix` and `then` does not run.
    void withCurrentParameters(const QString &failurePrefix, std::function<void()> then);
    void requestParameterSpecs();
    void applyParameterSpecs(const std::vector<ParameterSpec> &specs);
    void showCodeError(const QString &prefix, const QString &message, const QString &codeName, const QString &code);
    void startSave();
    void restoreSelection(QTableView *table, int row);
    QMessageBox::StandardButton askUnsaved(const QString &action);
    void applyRunFilter();
    QString runTitle(const BacktestRunSummary &summary) const;
    std::vector<QUuid> selectedRunIds() const;

    void handleBotsListed(const std::vector<Bot> &bots);
    void handleBotSelected();
    void handleVersionsListed(const QUuid &botId, const std::vector<BotVersion> &versions);
    void handleVersionSelected();
    void handleRunsListed(const QString &botName, const std::vector<BacktestRunSummary> &runs);
    void handleBotCreated(const Bot &bot, const BotVersion &firstVersion);
    void handleVersionSaved(const BotVersion &version, bool created);
    void handleRunsLoaded(quint64 requestId, const std::vector<BacktestRunRecordPtr> &runs);
    void handleFailed(BotLibrary::Operation operation, const QString &message);

    BotLibrary *m_library = nullptr;
    std::shared_ptr<const VersionStrategyProvider> m_strategies;
    BotListModel *m_botModel = nullptr;
    VersionListModel *m_versionModel = nullptr;
    RunListModel *m_runModel = nullptr;
    QSortFilterProxyModel *m_runProxy = nullptr;
    QTableView *m_botTable = nullptr;
    QTableView *m_versionTable = nullptr;
    QTableView *m_runTable = nullptr;
    ParameterForm *m_form = nullptr;
    QLabel *m_formTitle = nullptr;
    QLineEdit *m_notes = nullptr;
    QCheckBox *m_allVersions = nullptr;
    QPushButton *m_newBot = nullptr;
    QPushButton *m_refresh = nullptr;
    QPushButton *m_saveVersion = nullptr;
    QPushButton *m_openRun = nullptr;
    QPushButton *m_compare = nullptr;
    QTabWidget *m_historyTabs = nullptr;
    RunComparisonWidget *m_comparison = nullptr;
    VersionDiffView *m_versionDiff = nullptr;
    CodeEditor *m_versionCode = nullptr;
    QWidget *m_codePage = nullptr;
    QLabel *m_codeNote = nullptr;
    QLabel *m_checkInputLabel = nullptr;
    QPushButton *m_check = nullptr;
    QPushButton *m_backtestVersion = nullptr;
    QPushButton *m_startLive = nullptr;
    QPlainTextEdit *m_details = nullptr;
    QTimer *m_specsTimer = nullptr;
    QLabel *m_status = nullptr;
    bool m_statusIsError = false;
    bool m_listingFailed = false;              // the status shows a failed listing (cleared by the next good one)

    QUuid m_shownBotId;                        // whose versions/runs are shown
    QString m_selectBotAfterList;              // a bot just created: select it when the list arrives
    QUuid m_selectVersionAfterList;            // a version just saved: select it when the versions arrive
    std::vector<BacktestRunSummary> m_botRuns; // every listed run of the shown bot
    quint64 m_openRequest = 0;
    quint64 m_compareRequest = 0;
    QString m_compareNames[2];

    // The editor: which version it shows, and the form's state for it.
    std::optional<Bot> m_editorBot;
    std::optional<BotVersion> m_editorVersion;
    QJsonObject m_formBaseline;                // the form's allValues() for the version's own parameters
    bool m_formReady = false;                  // the form holds the version's parameters (specs arrived)
    QString m_specsCode;                       // the code the form's parameters were declared by
    quint64 m_specsRequest = 0;                // the latest parameterSpecs request (older answers are dropped)
    std::function<void()> m_afterSpecs;        // a Check or Save waiting for the parameters of the current code
    QString m_afterSpecsFailure;               // its status prefix when the parameters cannot be read
    QString m_checkDataFile;
    QString m_checkSymbol;
    QString m_barCacheDirectory;
    bool m_checking = false;
    quint64 m_checkRequest = 0;
    std::function<void()> m_afterSaved;        // confirmLeave's Save: what to do once the version is stored
    bool m_restoring = false;                  // a selection being put back (Cancel): no question, no reload
    UnsavedChangesPrompt m_prompt;
};

} // namespace bd
