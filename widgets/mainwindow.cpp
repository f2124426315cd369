#include "mainwindow.h"

#include "backtestform.h"
#include "backtestjob.h"
#include "botsview.h"
#include "equitychartwidget.h"
#include "liveview.h"
#include "logging.h"
#include "pricechartwidget.h"
#include "reportformat.h"
#include "statsmodel.h"
#include "storedrunview.h"
#include "strategyregistry.h"
#include "symbolspec.h"
#include "tradelistmodel.h"

#include <QCloseEvent>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFutureWatcher>
#include <QFrame>
#include <QGridLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

namespace bd {
namespace {

QLabel *addTile(QGridLayout *grid, int column, const QString &caption, const QString &objectName, QWidget *parent)
{
    auto *captionLabel = new QLabel(caption, parent);
    captionLabel->setStyleSheet(QStringLiteral("color: #6b7280; font-size: 8pt;"));
    auto *value = new QLabel(QStringLiteral("—"), parent);
    value->setObjectName(objectName);
    value->setStyleSheet(QStringLiteral("font-size: 13pt; font-weight: bold; color: #1f2937;"));
    grid->addWidget(captionLabel, 0, column);
    grid->addWidget(value, 1, column);
    return value;
}

void setSigned(QLabel *label, const QString &text, double sign)
{
    const char *color = sign > 0 ? "#1b7f3b" : sign < 0 ? "#c62828" : "#1f2937";
    label->setText(text);
    label->setStyleSheet(QStringLiteral("font-size: 13pt; font-weight: bold; color: %1;").arg(QLatin1String(color)));
}

} // namespace

MainWindow::MainWindow(QSettings *settings, QWidget *parent)
    : QMainWindow(parent)
    , m_settings(settings)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("BotDesk — Strategy Tester"));
    registerModelMetaTypes();

    m_job = new BacktestJob(this);
    m_tradeModel = new TradeListModel(this);
    m_statsModel = new StatsModel(this);
    buildUi();

    auto catalog = SymbolCatalog::builtin();
    if (catalog) {
        m_form->setSymbols(catalog->symbols());
    } else {
        m_form->setStatus(tr("Symbol catalogue unavailable: %1").arg(catalog.error().message),
                          BacktestForm::StatusKind::Error);
        logging::get("ui")->error("symbol catalogue: {}", catalog.error().message.toStdString());
    }
    m_form->setStrategies(builtinStrategies());
    if (m_settings)
        m_form->loadSettings(*m_settings);

    connect(m_form, &BacktestForm::runRequested, this, &MainWindow::startBacktest);
    connect(m_form, &BacktestForm::cancelRequested, this, &MainWindow::cancelBacktest);
    connect(m_job, &BacktestJob::runningChanged, this, &MainWindow::handleRunningChanged);
    connect(m_job, &BacktestJob::progressChanged, this, &MainWindow::handleProgress);
    connect(m_job, &BacktestJob::phaseChanged, this, &MainWindow::handlePhase);
    connect(m_job, &BacktestJob::finished, this, &MainWindow::handleFinished);
    connect(m_job, &BacktestJob::versionRunRecorded, this, &MainWindow::handleVersionRunRecorded);
    connect(m_job, &BacktestJob::failed, this, &MainWindow::handleFailed);
    connect(m_job, &BacktestJob::cancelled, this, &MainWindow::handleCancelled);

    statusBar()->showMessage(tr("Ready. Choose a bars file, a symbol and a strategy, then press Run backtest."));
    resize(1400, 900);
}

MainWindow::~MainWindow()
{
    if (m_settings)
        m_form->saveSettings(*m_settings);
}

void MainWindow::buildUi()
{
    m_form = new BacktestForm;
    auto *formScroll = new QScrollArea;
    formScroll->setObjectName(QStringLiteral("formScroll"));
    formScroll->setWidget(m_form);
    formScroll->setWidgetResizable(true);
    formScroll->setFrameShape(QFrame::NoFrame);
    formScroll->setMinimumWidth(330);
    formScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    m_chart = new EquityChartWidget;
    m_chart->setObjectName(QStringLiteral("equityChart"));
    m_priceChart = new PriceChartWidget;
    m_priceChart->setObjectName(QStringLiteral("priceChart"));
    m_chartTabs = new QTabWidget;
    m_chartTabs->setObjectName(QStringLiteral("chartTabs"));
    m_chartTabs->setDocumentMode(true);
    m_chartTabs->addTab(m_chart, tr("Equity"));
    m_chartTabs->addTab(m_priceChart, tr("Price"));

    m_statsTable = new QTableView;
    m_statsTable->setObjectName(QStringLiteral("statsTable"));
    m_statsTable->setModel(m_statsModel);
    m_statsTable->verticalHeader()->hide();
    m_statsTable->horizontalHeader()->hide();
    m_statsTable->setShowGrid(false);
    m_statsTable->setAlternatingRowColors(true);
    m_statsTable->setSelectionMode(QAbstractItemView::ContiguousSelection);
    m_statsTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_statsTable->verticalHeader()->setDefaultSectionSize(m_statsTable->fontMetrics().height() + 4);
    m_statsTable->horizontalHeader()->setSectionResizeMode(StatsModel::LeftLabelColumn, QHeaderView::ResizeToContents);
    m_statsTable->horizontalHeader()->setSectionResizeMode(StatsModel::LeftValueColumn, QHeaderView::Stretch);
    m_statsTable->horizontalHeader()->setSectionResizeMode(StatsModel::RightLabelColumn, QHeaderView::ResizeToContents);
    m_statsTable->horizontalHeader()->setSectionResizeMode(StatsModel::RightValueColumn, QHeaderView::Stretch);

    m_tradeProxy = new QSortFilterProxyModel(this);
    m_tradeProxy->setObjectName(QStringLiteral("tradeProxy"));
    m_tradeProxy->setSourceModel(m_tradeModel);
    m_tradeProxy->setSortRole(Qt::UserRole);
    m_tradeTable = new QTableView;
    m_tradeTable->setObjectName(QStringLiteral("tradeTable"));
    m_tradeTable->setModel(m_tradeProxy);
    m_tradeTable->setSortingEnabled(true);
    m_tradeTable->sortByColumn(TradeListModel::TicketColumn, Qt::AscendingOrder);
    m_tradeTable->verticalHeader()->hide();
    m_tradeTable->verticalHeader()->setDefaultSectionSize(m_tradeTable->fontMetrics().height() + 4);
    m_tradeTable->setAlternatingRowColors(true);
    m_tradeTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tradeTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tradeTable->horizontalHeader()->setStretchLastSection(true);
    m_tradeTable->setWordWrap(false);
    m_tradeTable->setToolTip(tr("Select a trade to show it on the Price chart."));
    // Selecting a row (click, arrow keys) shows that trade; Enter / double-click shows it again after a zoom.
    connect(m_tradeTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::handleTradeActivated);
    connect(m_tradeTable, &QTableView::activated, this, &MainWindow::handleTradeActivated);

    m_journal = new QPlainTextEdit;
    m_journal->setObjectName(QStringLiteral("journalView"));
    m_journal->setReadOnly(true);
    m_journal->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_journal->setPlaceholderText(tr("Warnings and rejected orders of the last run appear here."));

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("resultTabs"));
    m_tabs->addTab(m_statsTable, tr("Report"));
    m_tabs->addTab(m_tradeTable, tr("Trades"));
    m_tabs->addTab(m_journal, tr("Journal"));

    auto *rightSplit = new QSplitter(Qt::Vertical);
    rightSplit->setObjectName(QStringLiteral("resultSplitter"));
    rightSplit->addWidget(m_chartTabs);
    rightSplit->addWidget(m_tabs);
    rightSplit->setStretchFactor(0, 11);
    rightSplit->setStretchFactor(1, 9);
    rightSplit->setChildrenCollapsible(false);

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(4, 4, 4, 4);
    rightLayout->addWidget(buildSummary());
    rightLayout->addWidget(rightSplit, 1);

    auto *mainSplit = new QSplitter(Qt::Horizontal);
    mainSplit->setObjectName(QStringLiteral("mainSplitter"));
    mainSplit->addWidget(formScroll);
    mainSplit->addWidget(right);
    mainSplit->setStretchFactor(0, 0);
    mainSplit->setStretchFactor(1, 1);
    mainSplit->setSizes({360, 1040});
    mainSplit->setChildrenCollapsible(false);

    m_botsPage = new QWidget;
    m_botsPage->setObjectName(QStringLiteral("botsPage"));
    auto *botsLayout = new QVBoxLayout(m_botsPage);
    botsLayout->setContentsMargins(0, 0, 0, 0);
    addBotsPlaceholder();

    m_pages = new QTabWidget;
    m_pages->setObjectName(QStringLiteral("pages"));
    m_pages->setDocumentMode(true);
    m_pages->addTab(mainSplit, tr("Strategy Tester"));
    m_pages->addTab(m_botsPage, tr("Bots"));
    connect(m_pages, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_pages->widget(index) == m_botsPage)
            showBotsPage();
    });
    setCentralWidget(m_pages);

    QMenu *databaseMenu = menuBar()->addMenu(tr("&Settings"));
    QAction *databaseAction = databaseMenu->addAction(tr("&Database…"));
    databaseAction->setObjectName(QStringLiteral("databaseSettingsAction"));
    databaseAction->setToolTip(tr("Choose the database of the Bots page: BotDesk's own, or a server by URL"));
    connect(databaseAction, &QAction::triggered, this, &MainWindow::databaseSettingsRequested);
}

void MainWindow::setBotStoreFactory(BotLibrary::StoreFactory factory)
{
    m_botStoreFactory = std::move(factory);
    const bool pageShown = m_pages->currentWidget() == m_botsPage;
    if (!m_botsView && !pageShown)
        return;  // the page was never opened: it uses the new factory when it is
    delete m_botsView;
    m_botsView = nullptr;
    delete m_botLibrary;  // its worker ends after the call in progress; late answers are dropped
    m_botLibrary = nullptr;
    if (!m_botsPage->findChild<QLabel *>(QStringLiteral("botsPlaceholder")))
        addBotsPlaceholder();
    if (pageShown)
        showBotsPage();
}

void MainWindow::setVersionStrategies(std::shared_ptr<const VersionStrategyProvider> strategies)
{
    m_versionStrategies = std::move(strategies);
}

void MainWindow::addAccountsPage(QWidget *page)
{
    m_pages->addTab(page, tr("Accounts"));
}

void MainWindow::addBotsPlaceholder()
{
    auto *placeholder = new QLabel(tr("Open this page to see your bots."), m_botsPage);
    placeholder->setObjectName(QStringLiteral("botsPlaceholder"));
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setWordWrap(true);
    m_botsPage->layout()->addWidget(placeholder);
}

void MainWindow::setLiveView(LiveView *view)
{
    if (m_liveView || !view)
        return;
    m_liveView = view;
    m_pages->addTab(view, tr("Live"));
}

bool MainWindow::showLivePage()
{
    if (!m_liveView)
        return false;
    m_pages->setCurrentWidget(m_liveView);
    return true;
}

void MainWindow::showTesterPage()
{
    m_pages->setCurrentIndex(0);
}

void MainWindow::showBotsPage()
{
    m_pages->setCurrentWidget(m_botsPage);
    if (m_botsView) {
        updateBotsCheckInput();  // the form may have changed on the other page
        return;
    }
    auto *placeholder = m_botsPage->findChild<QLabel *>(QStringLiteral("botsPlaceholder"));
    if (!m_botStoreFactory) {
        placeholder->setText(tr("No bot database is configured for this window."));
        return;
    }
    // Created on first use: a window that never shows its bots never connects to a database.
    m_botLibrary = new BotLibrary(m_botStoreFactory, this);
    m_botLibrary->setVersionStrategies(m_versionStrategies);
    m_botsView = new BotsView(m_botLibrary, m_versionStrategies, m_botsPage);
    updateBotsCheckInput();
    delete placeholder;
    m_botsPage->layout()->addWidget(m_botsView);
    connect(m_botsView, &BotsView::openRunRequested, this, &MainWindow::showStoredRun);
    connect(m_botsView, &BotsView::backtestVersionRequested, this, &MainWindow::backtestVersion);
    connect(m_botsView, &BotsView::startLiveRequested, this, &MainWindow::startLiveRequested);
    m_botsView->refresh();
    connect(m_botLibrary, &BotLibrary::runSaved, this, [this](const QUuid &runId, const QUuid &) {
        if (runId != m_savingRunId)
            return;
        statusBar()->showMessage(tr("%1 Stored as run %2 of the version.")
                                     .arg(statusBar()->currentMessage(), runId.toString(QUuid::WithoutBraces).left(8)));
        if (m_botsView)
            m_botsView->refresh();  // the version's run history shows it
        emit versionRunSaved(runId, {});
    });
    connect(m_botLibrary, &BotLibrary::failed, this, [this](BotLibrary::Operation operation, const QString &message) {
        if (operation != BotLibrary::Operation::SaveRun)
            return;
        const QString text = tr("The run could not be stored: %1").arg(message);
        statusBar()->showMessage(text);
        showError(tr("Run not stored"), text);
        emit versionRunSaved(m_savingRunId, message);
    });
}

void MainWindow::setBarCacheDirectory(const QString &directory)
{
    m_barCacheDirectory = directory;
    updateBotsCheckInput();
}

void MainWindow::updateBotsCheckInput()
{
    if (m_botsView)
        m_botsView->setCheckInput(m_form->dataFile(), m_form->symbol(), m_barCacheDirectory);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_botsView && !m_botsView->confirmLeave(tr("closing the window"), [this] { close(); })) {
        event->ignore();
        return;
    }
    QMainWindow::closeEvent(event);
}

void MainWindow::showStoredRun(std::shared_ptr<const BacktestRunRecord> run, const QString &title)
{
    if (!run)
        return;
    if (m_job->isRunning())
        m_job->cancel();  // the review widgets show one run at a time
    clearResult();
    const quint64 token = m_shownToken;
    m_runDigits = run->symbolSpec.digits;
    showResult(resultOfStoredRun(*run, title), BarSeries());
    showTesterPage();
    const QString shownText = tr("Stored run %1: %2 trades, net profit %3 %4.")
                                  .arg(title)
                                  .arg(run->stats.totalTrades)
                                  .arg(report::money(run->stats.totalNetProfit), run->config.depositCurrency);
    m_form->setStatus(shownText, BacktestForm::StatusKind::Success);
    statusBar()->showMessage(tr("%1 Loading its bars for the price chart…").arg(shownText));

    auto *watcher = new QFutureWatcher<Result<BarSeries>>(this);
    connect(watcher, &QFutureWatcher<Result<BarSeries>>::finished, this, [this, watcher, token, run, shownText] {
        watcher->deleteLater();
        if (token != m_shownToken)
            return;  // another result is shown by now
        const Result<BarSeries> bars = watcher->result();
        if (bars) {
            m_bars = *bars;
            m_priceChart->setData(m_result, m_bars, m_runDigits);
            statusBar()->showMessage(shownText);
            emit storedRunShown(true, {});
        } else {
            const QString why = tr("The price chart is empty: %1.").arg(bars.error().message);
            statusBar()->showMessage(QStringLiteral("%1 %2").arg(shownText, why));
            m_form->setStatus(QStringLiteral("%1 %2").arg(shownText, why), BacktestForm::StatusKind::Warning);
            emit storedRunShown(false, why);
        }
    });
    const QString cacheDirectory = m_barCacheDirectory;
    watcher->setFuture(QtConcurrent::run([run, cacheDirectory] { return loadStoredRunBars(*run, cacheDirectory); }));
}

QWidget *MainWindow::buildSummary()
{
    auto *frame = new QFrame;
    m_summary = frame;
    frame->setObjectName(QStringLiteral("summaryFrame"));
    frame->setFrameShape(QFrame::StyledPanel);
    frame->setStyleSheet(QStringLiteral("QFrame#summaryFrame { background: #f6f8fa; border: 1px solid #d8dde3; border-radius: 4px; }"));
    auto *grid = new QGridLayout(frame);
    grid->setContentsMargins(12, 6, 12, 6);
    grid->setHorizontalSpacing(28);
    grid->setVerticalSpacing(0);
    m_sumNet = addTile(grid, 0, tr("Net profit"), QStringLiteral("summaryNetProfit"), frame);
    m_sumPf = addTile(grid, 1, tr("Profit factor"), QStringLiteral("summaryProfitFactor"), frame);
    m_sumDd = addTile(grid, 2, tr("Max equity drawdown"), QStringLiteral("summaryDrawdown"), frame);
    m_sumTrades = addTile(grid, 3, tr("Trades"), QStringLiteral("summaryTrades"), frame);
    m_sumWin = addTile(grid, 4, tr("Win rate"), QStringLiteral("summaryWinRate"), frame);
    m_sumSharpe = addTile(grid, 5, tr("Sharpe"), QStringLiteral("summarySharpe"), frame);
    m_sumRecovery = addTile(grid, 6, tr("Recovery factor"), QStringLiteral("summaryRecovery"), frame);
    grid->setColumnStretch(7, 1);
    return frame;
}

bool MainWindow::startBacktest()
{
    QString error;
    auto request = m_form->request(&error);
    if (!request) {
        m_form->setStatus(error, BacktestForm::StatusKind::Error);
        showError(tr("Cannot start the backtest"), error);
        return false;
    }
    m_versionRunTitle.clear();
    return startRequest(std::move(*request), request->strategy);
}

bool MainWindow::backtestVersion(const Bot &bot, const BotVersion &version)
{
    const QString title = QStringLiteral("%1@%2").arg(bot.name, shortHash(version.codeHash));
    QString error;
    auto request = m_form->request(&error);
    if (!m_versionStrategies)
        error = tr("this window cannot load bot versions (no strategy provider)");
    else if (!m_botLibrary)
        error = tr("no bot database is open: the run could not be stored");
    if (!request || !error.isEmpty()) {
        showTesterPage();
        m_form->setStatus(tr("Cannot backtest %1: %2").arg(title, error), BacktestForm::StatusKind::Error);
        showError(tr("Cannot backtest %1").arg(title), error);
        return false;
    }
    request->version = VersionRun{bot, version, m_versionStrategies};
    m_versionRunTitle = title;
    showTesterPage();
    return startRequest(std::move(*request), title);
}

bool MainWindow::startRequest(BacktestRequest request, const QString &title)
{
    if (m_settings)
        m_form->saveSettings(*m_settings);
    m_runDigits = m_form->symbolSpec() ? m_form->symbolSpec()->digits : 5;
    clearResult();
    m_runClock.start();
    m_form->setStatus(tr("Starting %1 on %2…").arg(title, request.symbol));
    statusBar()->showMessage(tr("Backtest of %1 running…").arg(title));
    request.barCacheDirectory = m_barCacheDirectory;
    m_job->start(request);
    return true;
}

void MainWindow::handleVersionRunRecorded(const std::shared_ptr<const BacktestRunRecord> &run)
{
    if (!m_botLibrary) {
        emit versionRunSaved(run->id, tr("no bot database is open"));
        return;
    }
    m_savingRunId = run->id;
    m_botLibrary->saveRun(run);
}

void MainWindow::cancelBacktest()
{
    if (!m_job->isRunning())
        return;
    m_job->cancel();
    m_form->setStatus(tr("Cancelling…"), BacktestForm::StatusKind::Warning);
}

void MainWindow::handleRunningChanged(bool running)
{
    m_form->setRunning(running);
}

void MainWindow::handleProgress(int percent)
{
    m_form->setProgress(percent);
}

void MainWindow::handlePhase(const QString &phase)
{
    if (m_job->isRunning())
        m_form->setStatus(phase);
}

void MainWindow::handleFinished(std::shared_ptr<const BacktestResult> result, BarSeries bars)
{
    const double seconds = m_runClock.elapsed() / 1000.0;
    showResult(result, bars);
    m_form->setProgress(100);
    const QString finished = m_versionRunTitle.isEmpty() ? tr("Finished in %1 s")
                                                         : tr("%1 finished in %2 s").arg(m_versionRunTitle);
    const QString text = tr("%1: %2 trades, net profit %3 %4.")
                             .arg(finished.arg(seconds, 0, 'f', 1))
                             .arg(result->stats.totalTrades)
                             .arg(report::money(result->stats.totalNetProfit), result->config.depositCurrency);
    if (result->warnings.isEmpty()) {
        m_form->setStatus(text, BacktestForm::StatusKind::Success);
        statusBar()->showMessage(text);
    } else {
        // A run that finished but should not be trusted as it is: say so where the eye goes, not only in a tab.
        const QString warned = tr("%1 %n warning(s): %2", nullptr, int(result->warnings.size()))
                                    .arg(text, result->warnings.join(QLatin1Char(' ')));
        m_form->setStatus(warned, BacktestForm::StatusKind::Warning);
        statusBar()->showMessage(tr("%1 See the warnings in the Journal tab.").arg(text));
    }
    emit runEnded(true);
}

void MainWindow::handleFailed(const QString &message)
{
    m_form->setProgress(0);
    m_form->setStatus(tr("Backtest failed: %1").arg(message), BacktestForm::StatusKind::Error);
    statusBar()->showMessage(tr("Backtest failed: %1").arg(message));
    showError(tr("Backtest failed"), message);
    emit runEnded(false);
}

void MainWindow::handleCancelled()
{
    m_form->setProgress(0);
    m_form->setStatus(tr("Backtest cancelled."), BacktestForm::StatusKind::Warning);
    statusBar()->showMessage(tr("Backtest cancelled."));
    emit runEnded(false);
}

void MainWindow::clearResult()
{
    ++m_shownToken;
    m_result.reset();
    m_bars = BarSeries();
    m_tradeModel->clear();
    m_statsModel->clear();
    m_chart->clear();
    m_priceChart->clear();
    m_journal->clear();
    m_tabs->setTabText(m_tabs->indexOf(m_tradeTable), tr("Trades"));
    m_tabs->setTabText(m_tabs->indexOf(m_journal), tr("Journal"));
    for (QLabel *label : {m_sumNet, m_sumPf, m_sumDd, m_sumTrades, m_sumWin, m_sumSharpe, m_sumRecovery})
        setSigned(label, QStringLiteral("—"), 0);
}

void MainWindow::showResult(const std::shared_ptr<const BacktestResult> &result,
                            const BarSeries &bars)
{
    m_result = result;
    m_bars = bars;
    m_tradeModel->setResult(result, m_runDigits);
    m_statsModel->setResult(result);
    m_chart->setResult(result);
    m_priceChart->setData(result, bars, m_runDigits);
    m_tradeTable->resizeColumnsToContents();
    m_tabs->setTabText(m_tabs->indexOf(m_tradeTable), tr("Trades (%1)").arg(result->trades.size()));

    QStringList journal = result->journal;
    if (result->rejectedOrders > 0)
        journal.prepend(tr("%1 orders rejected.").arg(result->rejectedOrders));
    for (qsizetype i = result->warnings.size() - 1; i >= 0; --i)
        journal.prepend(tr("Warning: %1").arg(result->warnings.at(i)));
    m_journal->setPlainText(journal.join(QLatin1Char('\n')));
    m_tabs->setTabText(m_tabs->indexOf(m_journal),
                       journal.isEmpty() ? tr("Journal") : tr("Journal (%1)").arg(result->journal.size()));

    const BacktestStats &s = result->stats;
    setSigned(m_sumNet, QStringLiteral("%1 %2").arg(report::money(s.totalNetProfit), result->config.depositCurrency),
              s.totalNetProfit);
    setSigned(m_sumPf, report::profitFactor(s.profitFactor),
              s.totalTrades == 0 ? 0 : (s.profitFactor >= 1.0 ? 1 : -1));
    setSigned(m_sumDd,
              QStringLiteral("%1 (%2)").arg(report::percent(s.equityDrawdownRelativePercent),
                                            report::money(s.equityDrawdownRelative)),
              s.equityDrawdownRelativePercent > 0 ? -1 : 0);
    setSigned(m_sumTrades, QString::number(s.totalTrades), 0);
    setSigned(m_sumWin, report::percent(s.winRatePercent), 0);
    setSigned(m_sumSharpe, QString::number(s.sharpeRatio, 'f', 2), s.sharpeRatio);
    setSigned(m_sumRecovery, QString::number(s.recoveryFactor, 'f', 2), 0);
    // The tiles changed size; lay them out now so a grab() right after this call is not clipped.
    m_summary->layout()->activate();
}

void MainWindow::handleTradeActivated(const QModelIndex &proxyIndex)
{
    // The table shows the sort proxy; the source row is the trade's index in BacktestResult::trades.
    const QModelIndex source = m_tradeProxy->mapToSource(proxyIndex);
    if (source.isValid())
        showTradeOnChart(source.row());
}

bool MainWindow::showTradeOnChart(int index)
{
    if (!m_priceChart->showTrade(index))
        return false;
    m_chartTabs->setCurrentWidget(m_priceChart);
    return true;
}

void MainWindow::showError(const QString &title, const QString &message)
{
    statusBar()->showMessage(message);
    if (m_interactive && isVisible())
        QMessageBox::warning(this, title, message);
}

} // namespace bd
