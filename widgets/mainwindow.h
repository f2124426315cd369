#pragma once
// The backtest workstation window: input form on the left; on the right a one-line summary,
// chart tabs (balance/equity + drawdown; the tested bars with the trades), and tabs with the MT5-style report, the trade list and the journal.
// A second page, Bots (issue 6), lists the stored bots, versions and backtests; a stored run opened there is shown
// in the same review widgets as a fresh run. A third page, Live (issue 10), is the LiveView the app gives it.

#include "backtestrun.h"
#include "botlibrary.h"
#include "versionstrategy.h"
#include "metatypes.h"

#include <QElapsedTimer>
#include <QMainWindow>

#include <memory>

class QLabel;
class QModelIndex;
class QPlainTextEdit;
class QSettings;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace bd {

class BacktestForm;
class BacktestJob;
class BotsView;
class LiveView;
class EquityChartWidget;
class PriceChartWidget;
class StatsModel;
class TradeListModel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `settings` (may be null = no persistence) must outlive the window; the form's inputs are restored
    // from it now and saved to it on every run and on destruction.
    explicit MainWindow(QSettings *settings = nullptr, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Interactive windows also show errors in a message box; non-interactive ones (tests, --screenshot)
    // only in the status bar and the form's status line.
    void setInteractive(bool interactive) { m_interactive = interactive; }
    bool isInteractive() const { return m_interactive; }

    BacktestForm *form() const { return m_form; }
    BacktestJob *job() const { return m_job; }
    EquityChartWidget *chart() const { return m_chart; }
    PriceChartWidget *priceChart() const { return m_priceChart; }
    QTabWidget *chartTabs() const { return m_chartTabs; }
    TradeListModel *tradeModel() const { return m_tradeModel; }
    StatsModel *statsModel() const { return m_statsModel; }
    QTableView *tradeTable() const { return m_tradeTable; }
    QTableView *statsTable() const { return m_statsTable; }
    QTabWidget *tabs() const { return m_tabs; }
    std::shared_ptr<const BacktestResult> lastResult() const { return m_result; }
    BarSeries lastBars() const { return m_bars; }
    // Folder of the bar cache used by the runs started from now on (BarCache); empty = parse every time.
    void setBarCacheDirectory(const QString &directory);

    // Switches to the Price tab zoomed to trade `index` of the last result (BacktestResult::trades order).
    bool showTradeOnChart(int index);

    // The store the Bots page uses (app: local cluster or --db / BOTDESK_DB_URL). Nothing connects until the Bots
    // page is first shown; without a factory the page says that no database is configured. Called again (a new
    // database chosen in the Database dialog), it replaces the page's library and view: a page already shown asks
    // the new store for its bots at once.
    void setBotStoreFactory(BotLibrary::StoreFactory factory);
    // How bot versions' strategies are made, in either language (app: AppVersionStrategies, app/botstrategy.h).
    // Set it before the Bots page is first shown; without it bots can be listed but not created, checked or run.
    void setVersionStrategies(std::shared_ptr<const VersionStrategyProvider> strategies);
    std::shared_ptr<const VersionStrategyProvider> versionStrategies() const { return m_versionStrategies; }
    // Switches to the Bots page, creating its library and view (and asking for the bot list) the first time.
    void showBotsPage();
    // Switches to the Strategy Tester page.
    void showTesterPage();
    // The Live page (issue 10 §4): `view` becomes the "Live" tab (the window takes it; it starts its monitor when first
    // shown). Without one there is no Live tab.
    void setLiveView(LiveView *view);
    LiveView *liveView() const { return m_liveView; }
    // Switches to the Live page; false when there is none.
    bool showLivePage();
    QTabWidget *pages() const { return m_pages; }
    // Adds the Accounts page (issue 10 §2; app/accounts/livedesksetup.h makes it).
    void addAccountsPage(QWidget *page);
    BotsView *botsView() const { return m_botsView; }          // null until the Bots page was first shown
    BotLibrary *botLibrary() const { return m_botLibrary; }    // null until then, or without a factory

    // Shows stored run `run` in the review widgets (summary, equity, report, trades, warnings) on the Strategy
    // Tester page. The price chart gets the run's bars in the background when its data file is still the one the
    // run used (same SHA-256); otherwise the status bar says why it stays empty. Emits storedRunShown when done.
    void showStoredRun(std::shared_ptr<const BacktestRunRecord> run, const QString &title);

    // Validates the form and starts the job; false (with the error shown) when the input is invalid.
    bool startBacktest();
    // "Backtest this version" (issue 7 §3): runs `version` of `bot` — its own code and parameters — on the Strategy
    // Tester form's data, symbol and settings, shows the result there, and stores the run against the version
    // through the Bots page's library (versionRunSaved, or the store's error in the status bar). False, with the
    // reason shown, when the form's input is invalid or no VersionStrategyProvider / bot database is set.
    bool backtestVersion(const bd::Bot &bot, const bd::BotVersion &version);
    void cancelBacktest();

signals:
    // The user asked for the Database dialog (menu Settings > Database…); the app opens it (it lives in app/,
    // which knows the database and the keychain).
    void databaseSettingsRequested();
    // The run started by startBacktest() ended: true = result shown, false = failed or cancelled.
    void runEnded(bool success);
    // showStoredRun finished: `barsShown` = the price chart shows the run's bars; `message` says why not otherwise.
    void storedRunShown(bool barsShown, const QString &message);
    // A version's run started by backtestVersion was stored (its id), or could not be (`error`).
    void versionRunSaved(const QUuid &runId, const QString &error);
    // The Bots page's "Start live…" on a version (the app opens the start dialog).
    void startLiveRequested(bd::Bot bot, bd::BotVersion version);

protected:
    // With unsaved changes in the Bots page's editor, asks Save / Discard / Cancel (BotsView::confirmLeave) first.
    void closeEvent(QCloseEvent *event) override;

private:
    // Gives the Bots view the Strategy Tester form's data file, symbol and the bar cache folder (for Check).
    void updateBotsCheckInput();
    // The Bots page's "Open this page to see your bots." label, shown until its BotsView is made.
    void addBotsPlaceholder();
    void buildUi();
    QWidget *buildSummary();
    void handleRunningChanged(bool running);
    void handleProgress(int percent);
    void handlePhase(const QString &phase);
    bool startRequest(BacktestRequest request, const QString &title);
    void handleVersionRunRecorded(const std::shared_ptr<const BacktestRunRecord> &run);
    void handleFinished(std::shared_ptr<const BacktestResult> result, BarSeries bars);
    void handleTradeActivated(const QModelIndex &proxyIndex);
    void handleFailed(const QString &message);
    void handleCancelled();
    void showResult(const std::shared_ptr<const BacktestResult> &result, const BarSeries &bars);
    void clearResult();
    void showError(const QString &title, const QString &message);

    QSettings *m_settings = nullptr;
    QTabWidget *m_pages = nullptr;
    QWidget *m_botsPage = nullptr;
    BotsView *m_botsView = nullptr;
    LiveView *m_liveView = nullptr;
    BotLibrary *m_botLibrary = nullptr;
    BotLibrary::StoreFactory m_botStoreFactory;
    std::shared_ptr<const VersionStrategyProvider> m_versionStrategies;
    quint64 m_shownToken = 0;  // increases with every result shown or cleared: late stored-run bars are dropped
    bool m_interactive = true;
    BacktestJob *m_job = nullptr;
    BacktestForm *m_form = nullptr;
    EquityChartWidget *m_chart = nullptr;
    PriceChartWidget *m_priceChart = nullptr;
    QTabWidget *m_chartTabs = nullptr;
    TradeListModel *m_tradeModel = nullptr;
    StatsModel *m_statsModel = nullptr;
    QSortFilterProxyModel *m_tradeProxy = nullptr;
    QTableView *m_tradeTable = nullptr;
    QTableView *m_statsTable = nullptr;
    QPlainTextEdit *m_journal = nullptr;
    QTabWidget *m_tabs = nullptr;
    QWidget *m_summary = nullptr;
    QLabel *m_sumNet = nullptr;
    QLabel *m_sumPf = nullptr;
    QLabel *m_sumDd = nullptr;
    QLabel *m_sumTrades = nullptr;
    QLabel *m_sumWin = nullptr;
    QLabel *m_sumSharpe = nullptr;
    QLabel *m_sumRecovery = nullptr;
    QElapsedTimer m_runClock;
    QString m_versionRunTitle;     // "alpha@1a2b3c4d5e6f" while a version's run is shown, else empty
    QUuid m_savingRunId;           // the version run being stored
    int m_runDigits = 5;
    std::shared_ptr<const BacktestResult> m_result;
    BarSeries m_bars;
    QString m_barCacheDirectory;
};

} // namespace bd
