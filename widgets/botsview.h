#pragma once
// The Bots view (issue 6 §4): the bots the login sees | the versions of the selected bot, with a typed parameter
// form to save a new version from the selected one | the backtest history of the selected version (every version
// of the bot with "All versions"), sortable by its metrics, from which a run is opened in the review view or two
// runs are compared (equity curves overlaid, metrics side by side with differences); two versions selected show
// their diff (code and parameters, issue 7 §3 History) in the Diff tab; the Code tab shows the selected version's code.
//
// It talks to the store only through a BotLibrary (never blocks the GUI thread); every answer and error arrives
// by signal. Errors (an unreachable database, a taken name, …) are shown in the view's status line with the
// store's message; the view stays usable (Refresh retries).

#include "backtestrun.h"
#include "bot.h"
#include "botlibrary.h"

#include <QString>
#include <QUuid>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
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
    // `library` must outlive the view.
    explicit BotsView(BotLibrary *library, QWidget *parent = nullptr);

    // Asks for the bot list again (and, through it, the selected bot's versions and runs).
    void refresh();
    // Creates bot `name` from `strategyTemplate` (what the New bot dialog does); false, with the reason in the
    // status line, when the name is not valid (nothing is sent then). The bot is selected once created.
    bool createBot(const QString &name, const QString &strategyTemplate);
    // Saves a new version of the selected bot: the selected version's code, the parameter form's changed values,
    // the notes field, parent = the selected version. False (reason in the status line) when no version is
    // selected or the parameters are refused by the strategy (resolveStrategyParams' message).
    bool saveVersion();
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
    QPushButton *openRunButton() const { return m_openRun; }
    QPushButton *compareButton() const { return m_compare; }
    QTabWidget *historyTabs() const { return m_historyTabs; }
    RunComparisonWidget *comparison() const { return m_comparison; }
    VersionDiffView *versionDiff() const { return m_versionDiff; }
    CodeEditor *versionCode() const { return m_versionCode; }

signals:
    // A stored run to show in the review view; `title` names it ("alpha@1a2b3c4d5e6f EURUSD 2024-06-01 10:00:00 UTC").
    void openRunRequested(std::shared_ptr<const bd::BacktestRunRecord> run, const QString &title);
    // The view's status line changed (a result of the last action, or an error).
    void statusChanged(const QString &text, bool isError);

private:
    QWidget *buildBotsPanel();
    QWidget *buildVersionsPanel();
    QWidget *buildHistoryPanel();
    void setStatus(const QString &text, bool isError = false);
    void updateButtons();
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
};

} // namespace bd
