#include "botsview.h"

#include "botlistmodel.h"
#include "codeeditor.h"
#include "codehash.h"
#include "logging.h"
#include "newbotdialog.h"
#include "parameterform.h"
#include "reportformat.h"
#include "runcomparisonwidget.h"
#include "runlistmodel.h"
#include "strategyregistry.h"
#include "versiondiffview.h"
#include "versioncheck.h"
#include "versionlistmodel.h"

#include <Qsci/qsciscintilla.h>

#include <QCheckBox>
#include <QFontDatabase>
#include <QDateTime>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLocale>
#include <QPlainTextEdit>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace bd {
namespace {

QTableView *makeTable(const QString &objectName, QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->setObjectName(objectName);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

QLabel *makeHeading(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setStyleSheet(QStringLiteral("font-weight: bold;"));
    return label;
}

const StrategyInfo *findStrategy(const std::vector<StrategyInfo> &strategies, const QString &name)
{
    for (const StrategyInfo &info : strategies) {
        if (info.name == name)
            return &info;
    }
    return nullptr;
}

QString operationText(BotLibrary::Operation operation)
{
    switch (operation) {
    case BotLibrary::Operation::ListBots: return QObject::tr("Cannot list the bots");
    case BotLibrary::Operation::ListVersions: return QObject::tr("Cannot list the versions");
    case BotLibrary::Operation::ListRuns: return QObject::tr("Cannot list the backtests");
    case BotLibrary::Operation::CreateBot: return QObject::tr("Cannot create the bot");
    case BotLibrary::Operation::SaveVersion: return QObject::tr("Cannot save the version");
    case BotLibrary::Operation::LoadRuns: return QObject::tr("Cannot load the run");
    case BotLibrary::Operation::SaveRun: return QObject::tr("Cannot store the run");
    }
    return {};
}

bool sameSpecs(const std::vector<ParameterSpec> &a, const std::vector<ParameterSpec> &b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].key != b[i].key || a[i].type != b[i].type || a[i].defaultValue != b[i].defaultValue
            || a[i].min != b[i].min || a[i].max != b[i].max || a[i].step != b[i].step
            || a[i].description != b[i].description)
            return false;
    }
    return true;
}

QString firstLineOf(const QString &text)
{
    return text.section(QLatin1Char('\n'), 0, 0);
}

QString noProviderText()
{
    return QObject::tr("This window has no strategy provider: bots can be listed and compared, but not created, "
                       "checked or saved.");
}

// How long the editor waits after the last keystroke before reading the code's parameters again.
constexpr int kSpecsDebounceMs = 1000;

} // namespace

BotsView::BotsView(BotLibrary *library, std::shared_ptr<const VersionStrategyProvider> strategies, QWidget *parent)
    : QWidget(parent)
    , m_library(library)
    , m_strategies(std::move(strategies))
{
    setObjectName(QStringLiteral("botsView"));
    m_botModel = new BotListModel(this);
    m_versionModel = new VersionListModel(this);
    m_runModel = new RunListModel(this);
    m_runProxy = new QSortFilterProxyModel(this);
    m_runProxy->setObjectName(QStringLiteral("runProxy"));
    m_runProxy->setSourceModel(m_runModel);
    m_runProxy->setSortRole(RunListModel::SortRole);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("botsStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("botsSplitter"));
    split->addWidget(buildBotsPanel());
    split->addWidget(buildVersionsPanel());
    split->addWidget(buildHistoryPanel());
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setStretchFactor(2, 5);
    split->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);

    connect(m_library, &BotLibrary::botsListed, this, &BotsView::handleBotsListed);
    connect(m_library, &BotLibrary::versionsListed, this, &BotsView::handleVersionsListed);
    connect(m_library, &BotLibrary::runsListed, this, &BotsView::handleRunsListed);
    connect(m_library, &BotLibrary::botCreated, this, &BotsView::handleBotCreated);
    connect(m_library, &BotLibrary::versionSaved, this, &BotsView::handleVersionSaved);
    connect(m_library, &BotLibrary::runsLoaded, this, &BotsView::handleRunsLoaded);
    connect(m_library, &BotLibrary::failed, this, &BotsView::handleFailed);
    connect(m_library, &BotLibrary::busyChanged, this, [this](bool busy) {
        if (busy)
            setCursor(Qt::BusyCursor);
        else
            unsetCursor();
    });
    m_specsTimer = new QTimer(this);
    m_specsTimer->setSingleShot(true);
    m_specsTimer->setInterval(kSpecsDebounceMs);
    connect(m_specsTimer, &QTimer::timeout, this, [this] {
        if (m_editorBot && isPythonTemplate(m_editorBot->strategyTemplate) && m_versionCode->code() != m_specsCode)
            requestParameterSpecs();
    });
    connect(m_versionCode, &CodeEditor::textChanged, this, [this] {
        if (!m_versionCode->isReadOnly())
            m_specsTimer->start();
        updateButtons();
    });
    connect(m_form, &ParameterForm::valuesChanged, this, &BotsView::updateButtons);
    updateCheckInputLabel();
    updateButtons();
    if (!m_strategies)
        setStatus(noProviderText());  // a notice, not an error: listing still works
}

QWidget *BotsView::buildBotsPanel()
{
    auto *panel = new QWidget(this);
    m_botTable = makeTable(QStringLiteral("botTable"), panel);
    m_botTable->setModel(m_botModel);
    connect(m_botTable->selectionModel(), &QItemSelectionModel::selectionChanged, this, &BotsView::handleBotSelected);
    m_newBot = new QPushButton(tr("New bot…"), panel);
    m_newBot->setObjectName(QStringLiteral("newBotButton"));
    connect(m_newBot, &QPushButton::clicked, this, &BotsView::showNewBotDialog);
    m_refresh = new QPushButton(tr("Refresh"), panel);
    m_refresh->setObjectName(QStringLiteral("refreshBotsButton"));
    connect(m_refresh, &QPushButton::clicked, this, &BotsView::refresh);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_newBot);
    buttons->addWidget(m_refresh);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(makeHeading(tr("Bots"), panel));
    layout->addWidget(m_botTable, 1);
    layout->addLayout(buttons);
    return panel;
}

QWidget *BotsView::buildVersionsPanel()
{
    auto *panel = new QWidget(this);
    m_versionTable = makeTable(QStringLiteral("versionTable"), panel);
    m_versionTable->setModel(m_versionModel);
    m_versionTable->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_versionTable->setToolTip(tr("Select a version to see its backtests; select two to see what changed."));
    connect(m_versionTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &BotsView::handleVersionSelected);

    m_formTitle = makeHeading(tr("Parameters"), panel);
    m_form = new ParameterForm;
    auto *formScroll = new QScrollArea(panel);
    formScroll->setWidget(m_form);
    formScroll->setWidgetResizable(true);
    formScroll->setFrameShape(QFrame::NoFrame);
    m_notes = new QLineEdit(panel);
    m_notes->setObjectName(QStringLiteral("versionNotes"));
    m_notes->setPlaceholderText(tr("Notes for the new version"));
    m_saveVersion = new QPushButton(tr("Save version"), panel);
    m_saveVersion->setObjectName(QStringLiteral("saveVersionButton"));
    m_saveVersion->setToolTip(tr("Save the parameters above as a new version of this bot (identical content is the "
                                 "existing version)."));
    connect(m_saveVersion, &QPushButton::clicked, this, &BotsView::saveVersion);
    m_backtestVersion = new QPushButton(tr("Backtest this version"), panel);
    m_backtestVersion->setObjectName(QStringLiteral("backtestVersionButton"));
    m_backtestVersion->setToolTip(tr("Run the selected version in the Strategy Tester and keep the run with it (save or "
                                     "discard the edit first)."));
    connect(m_backtestVersion, &QPushButton::clicked, this, [this] {
        const std::optional<Bot> bot = currentBot();
        const std::optional<BotVersion> version = currentVersion();
        if (bot && version && !hasUnsavedChanges())
            emit backtestVersionRequested(*bot, *version);
    });
    m_startLive = new QPushButton(tr("Start live…"), panel);
    m_startLive->setObjectName(QStringLiteral("startLiveButton"));
    m_startLive->setToolTip(tr("Trade the selected version live on an MT5 account (opens the start dialog with its "
                               "pre-flight check)."));
    connect(m_startLive, &QPushButton::clicked, this, [this] {
        const std::optional<Bot> bot = currentBot();
        const std::optional<BotVersion> version = currentVersion();
        if (bot && version && !hasUnsavedChanges())
            emit startLiveRequested(*bot, *version);
    });
    auto *saveRow = new QHBoxLayout;
    saveRow->addWidget(m_notes, 1);
    saveRow->addWidget(m_saveVersion);
    saveRow->addWidget(m_backtestVersion);
    saveRow->addWidget(m_startLive);

    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(makeHeading(tr("Versions"), panel));
    layout->addWidget(m_versionTable, 2);
    layout->addWidget(m_formTitle);
    layout->addWidget(formScroll, 3);
    layout->addLayout(saveRow);
    return panel;
}

QWidget *BotsView::buildHistoryPanel()
{
    m_historyTabs = new QTabWidget(this);
    m_historyTabs->setObjectName(QStringLiteral("historyTabs"));

    auto *runsPage = new QWidget;
    m_runTable = makeTable(QStringLiteral("runTable"), runsPage);
    m_runTable->setModel(m_runProxy);
    m_runTable->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_runTable->setSortingEnabled(true);
    m_runTable->sortByColumn(RunListModel::StartedColumn, Qt::DescendingOrder);
    m_runTable->horizontalHeader()->setStretchLastSection(true);
    m_runTable->setToolTip(tr("Double-click a run to open it; select two to compare them."));
    connect(m_runTable->selectionModel(), &QItemSelectionModel::selectionChanged, this, &BotsView::updateButtons);
    connect(m_runTable, &QTableView::doubleClicked, this, &BotsView::openSelectedRun);
    m_allVersions = new QCheckBox(tr("All versions"), runsPage);
    m_allVersions->setObjectName(QStringLiteral("allVersionsBox"));
    m_allVersions->setToolTip(tr("Show the backtests of every version of the bot, not only the selected one."));
    connect(m_allVersions, &QCheckBox::toggled, this, &BotsView::applyRunFilter);
    m_openRun = new QPushButton(tr("Open run"), runsPage);
    m_openRun->setObjectName(QStringLiteral("openRunButton"));
    connect(m_openRun, &QPushButton::clicked, this, &BotsView::openSelectedRun);
    m_compare = new QPushButton(tr("Compare"), runsPage);
    m_compare->setObjectName(QStringLiteral("compareRunsButton"));
    connect(m_compare, &QPushButton::clicked, this, &BotsView::compareSelectedRuns);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_allVersions);
    buttons->addStretch(1);
    buttons->addWidget(m_openRun);
    buttons->addWidget(m_compare);
    auto *runsLayout = new QVBoxLayout(runsPage);
    runsLayout->setContentsMargins(0, 0, 0, 0);
    runsLayout->addWidget(m_runTable, 1);
    runsLayout->addLayout(buttons);

    m_comparison = new RunComparisonWidget;
    m_versionDiff = new VersionDiffView;
    m_historyTabs->addTab(runsPage, tr("Backtests"));
    m_historyTabs->addTab(m_comparison, tr("Compare"));
    m_historyTabs->addTab(m_versionDiff, tr("Diff"));
    m_historyTabs->addTab(buildCodePage(), tr("Code"));
    return m_historyTabs;
}

QWidget *BotsView::buildCodePage()
{
    m_codePage = new QWidget;
    m_codePage->setObjectName(QStringLiteral("codePage"));
    m_versionCode = new CodeEditor;
    m_versionCode->setObjectName(QStringLiteral("versionCode"));
    m_versionCode->setReadOnly(true);

    m_checkInputLabel = new QLabel(m_codePage);
    m_checkInputLabel->setObjectName(QStringLiteral("checkInputLabel"));
    m_checkInputLabel->setWordWrap(true);
    m_checkInputLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *undo = new QPushButton(tr("Undo"), m_codePage);
    undo->setObjectName(QStringLiteral("undoButton"));
    connect(undo, &QPushButton::clicked, this, [this] { m_versionCode->textEdit()->undo(); });
    auto *redo = new QPushButton(tr("Redo"), m_codePage);
    redo->setObjectName(QStringLiteral("redoButton"));
    connect(redo, &QPushButton::clicked, this, [this] { m_versionCode->textEdit()->redo(); });
    auto *find = new QPushButton(tr("Find…"), m_codePage);
    find->setObjectName(QStringLiteral("findButton"));
    find->setToolTip(tr("Find (Ctrl+F) and replace (Ctrl+H) in the code"));
    connect(find, &QPushButton::clicked, this, [this] { m_versionCode->openFind(!m_versionCode->isReadOnly()); });
    m_check = new QPushButton(tr("Check"), m_codePage);
    m_check->setObjectName(QStringLiteral("checkButton"));
    m_check->setToolTip(tr("Compile the code, create the strategy with the parameters and run it on the first %1 bars "
                           "of the Strategy Tester's data file").arg(QLocale(QLocale::English).toString(kCheckBars)));
    connect(m_check, &QPushButton::clicked, this, &BotsView::checkCode);
    auto *tools = new QHBoxLayout;
    tools->addWidget(m_checkInputLabel, 1);
    tools->addWidget(undo);
    tools->addWidget(redo);
    tools->addWidget(find);
    tools->addWidget(m_check);

    m_codeNote = new QLabel(m_codePage);
    m_codeNote->setObjectName(QStringLiteral("codeNote"));
    m_codeNote->setWordWrap(true);
    m_codeNote->setStyleSheet(QStringLiteral("color: #6b7280;"));
    m_codeNote->hide();

    m_details = new QPlainTextEdit(m_codePage);
    m_details->setObjectName(QStringLiteral("checkDetails"));
    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setPlaceholderText(tr("Check and Save report here: the bars a check ran on, or the error with its file, "
                                     "line, bar time and traceback."));
    auto *split = new QSplitter(Qt::Vertical, m_codePage);
    split->addWidget(m_versionCode);
    split->addWidget(m_details);
    split->setStretchFactor(0, 5);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(m_codePage);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(tools);
    layout->addWidget(m_codeNote);
    layout->addWidget(split, 1);
    return m_codePage;
}

void BotsView::setCheckInput(const QString &dataFile, const QString &symbol, const QString &barCacheDirectory)
{
    m_checkDataFile = dataFile.trimmed();
    m_checkSymbol = symbol;
    m_barCacheDirectory = barCacheDirectory;
    updateCheckInputLabel();
}

void BotsView::updateCheckInputLabel()
{
    const QString bars = QLocale(QLocale::English).toString(kCheckBars);
    if (m_checkDataFile.isEmpty() || m_checkSymbol.isEmpty()) {
        m_checkInputLabel->setText(tr("Check runs on the first %1 bars of the Strategy Tester's data file: choose a "
                                      "file and a symbol there.").arg(bars));
        m_checkInputLabel->setToolTip(QString());
    } else {
        m_checkInputLabel->setText(tr("Check runs on the first %1 bars of %2 (%3).")
                                       .arg(bars, QFileInfo(m_checkDataFile).fileName(), m_checkSymbol));
        m_checkInputLabel->setToolTip(m_checkDataFile);
    }
}

void BotsView::refresh()
{
    m_library->refreshBots();
}

void BotsView::setStatus(const QString &text, bool isError)
{
    m_statusIsError = isError;
    m_status->setText(text);
    m_status->setStyleSheet(isError ? QStringLiteral("color: #c62828;") : QString());
    if (isError)
        logging::get("ui")->warn("bots view: {}", text.toStdString());
    emit statusChanged(text, isError);
}

QString BotsView::statusText() const
{
    return m_status->text();
}

void BotsView::updateButtons()
{
    const std::optional<BotVersion> version = currentVersion();
    const bool editing = version && m_editorVersion && version->id == m_editorVersion->id;
    const bool canRun = m_strategies && editing && !m_checking;
    m_saveVersion->setEnabled(canRun);
    m_check->setEnabled(canRun);
    m_newBot->setEnabled(m_strategies != nullptr);
    if (!m_strategies) {
        for (QPushButton *button : {m_saveVersion, m_check, m_newBot})
            button->setToolTip(noProviderText());
    }
    m_backtestVersion->setEnabled(version.has_value() && !hasUnsavedChanges());
    m_startLive->setEnabled(version.has_value() && !hasUnsavedChanges());
    const size_t runs = selectedRunIds().size();
    m_openRun->setEnabled(runs == 1);
    m_compare->setEnabled(runs == 2);
}

std::optional<Bot> BotsView::currentBot() const
{
    const QModelIndexList rows = m_botTable->selectionModel()->selectedRows();
    if (rows.size() != 1)
        return std::nullopt;
    const Bot *entry = m_botModel->entryAt(rows.first().row());
    return entry ? std::optional<Bot>(*entry) : std::nullopt;
}

std::optional<BotVersion> BotsView::currentVersion() const
{
    const QModelIndexList rows = m_versionTable->selectionModel()->selectedRows();
    if (rows.size() != 1)
        return std::nullopt;
    const BotVersion *version = m_versionModel->versionAt(rows.first().row());
    return version ? std::optional<BotVersion>(*version) : std::nullopt;
}

std::vector<QUuid> BotsView::selectedRunIds() const
{
    std::vector<QUuid> ids;
    for (const QModelIndex &index : m_runTable->selectionModel()->selectedRows())  // in selection order
        ids.push_back(index.data(RunListModel::IdRole).toUuid());
    return ids;
}

bool BotsView::selectBot(const QString &name)
{
    const int row = m_botModel->rowOfName(name);
    if (row < 0)
        return false;
    m_botTable->selectRow(row);
    return true;
}

bool BotsView::selectVersion(const QUuid &versionId)
{
    const int row = m_versionModel->rowOf(versionId);
    if (row < 0)
        return false;
    m_versionTable->selectRow(row);
    return true;
}

bool BotsView::selectVersions(const QList<QUuid> &ids)
{
    QItemSelection selection;
    for (const QUuid &id : ids) {
        const int row = m_versionModel->rowOf(id);
        if (row < 0)
            return false;
        selection.select(m_versionModel->index(row, 0), m_versionModel->index(row, m_versionModel->columnCount() - 1));
    }
    m_versionTable->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    return true;
}

bool BotsView::selectRuns(const QList<QUuid> &ids)
{
    QItemSelection selection;
    for (const QUuid &id : ids) {
        const int row = m_runModel->rowOf(id);
        if (row < 0)
            return false;
        const QModelIndex index = m_runProxy->mapFromSource(m_runModel->index(row, 0));
        selection.select(index, index);
    }
    m_runTable->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    return true;
}

void BotsView::handleBotsListed(const std::vector<Bot> &bots)
{
    const std::optional<Bot> previous = currentBot();
    m_botModel->setBots(bots);  // a reset: the selection is gone, without a selectionChanged
    m_botTable->resizeColumnsToContents();
    int row = -1;
    if (!m_selectBotAfterList.isEmpty())
        row = m_botModel->rowOfName(m_selectBotAfterList);
    if (row < 0 && previous)
        row = m_botModel->rowOf(previous->id);
    if (row < 0 && !bots.empty())
        row = 0;
    m_selectBotAfterList.clear();
    if (row >= 0) {
        m_botTable->selectRow(row);  // -> handleBotSelected
    } else {
        handleBotSelected();
    }
    if (bots.empty())
        setStatus(tr("No bots yet: press New bot… to make one from a strategy template."));
    else if (m_statusIsError && m_listingFailed)
        setStatus(tr("%n bot(s).", nullptr, int(bots.size())));  // the listing works again: its error is stale
    m_listingFailed = false;
}

void BotsView::handleBotSelected()
{
    if (m_restoring)
        return;
    const std::optional<Bot> bot = currentBot();
    if (m_editorBot && (!bot || bot->id != m_editorBot->id)) {
        if (hasUnsavedChanges()) {
            const QMessageBox::StandardButton answer = askUnsaved(tr("showing another bot"));
            if (answer != QMessageBox::Discard) {
                restoreSelection(m_botTable, m_botModel->rowOf(m_editorBot->id));
                if (answer == QMessageBox::Save)
                    saveVersion();
                return;
            }
        }
        clearEditor();  // another bot: its versions will be listed
    }
    m_versionModel->clear();
    m_botRuns.clear();
    m_runModel->clear();
    m_historyTabs->setTabText(0, tr("Backtests"));
    if (!bot) {
        m_shownBotId = QUuid();
        m_form->setParameters({});
        m_formTitle->setText(tr("Parameters"));
        updateButtons();
        return;
    }
    m_shownBotId = bot->id;
    if (!m_editorBot)
        m_formTitle->setText(tr("Parameters of %1").arg(bot->name));
    m_library->refreshVersions(bot->id);
    m_library->refreshRuns(bot->name);
    updateButtons();
}

void BotsView::handleVersionsListed(const QUuid &botId, const std::vector<BotVersion> &versions)
{
    if (botId != m_shownBotId)
        return;
    m_versionModel->setVersions(botId, versions);
    m_versionTable->resizeColumnsToContents();
    int row = m_selectVersionAfterList.isNull() ? -1 : m_versionModel->rowOf(m_selectVersionAfterList);
    m_selectVersionAfterList = QUuid();
    if (row < 0 && m_editorVersion && m_editorVersion->botId == botId)
        row = m_versionModel->rowOf(m_editorVersion->id);  // a refresh keeps the version being edited
    if (row < 0 && !versions.empty())
        row = 0;  // the newest
    if (row >= 0)
        m_versionTable->selectRow(row);  // -> handleVersionSelected
    else
        handleVersionSelected();
}

void BotsView::handleVersionSelected()
{
    if (m_restoring)
        return;
    const std::optional<BotVersion> version = currentVersion();
    if (m_editorVersion && (!version || version->id != m_editorVersion->id) && hasUnsavedChanges()) {
        const QMessageBox::StandardButton answer = askUnsaved(tr("showing another version"));
        if (answer != QMessageBox::Discard) {
            restoreSelection(m_versionTable, m_versionModel->rowOf(m_editorVersion->id));
            if (answer == QMessageBox::Save)
                saveVersion();
            return;
        }
    }
    const QModelIndexList rows = m_versionTable->selectionModel()->selectedRows();
    if (rows.size() == 2) {
        const BotVersion *a = m_versionModel->versionAt(rows[0].row());
        const BotVersion *b = m_versionModel->versionAt(rows[1].row());
        const std::optional<Bot> bot = currentBot();
        if (a && b) {
            m_versionDiff->showDiff(*a, *b, bot ? bot->name : QString());
            m_historyTabs->setCurrentWidget(m_versionDiff);
        }
    } else {
        m_versionDiff->clear(tr("Select two versions to compare them."));
    }
    const std::optional<Bot> bot = currentBot();
    if (version && bot) {
        if (!m_editorVersion || m_editorVersion->id != version->id)
            showInEditor(*bot, *version);
        else
            m_editorVersion = *version;  // listed again (a refresh): the edit stays
    } else {
        clearEditor();
    }
    applyRunFilter();
    updateButtons();
}

void BotsView::handleRunsListed(const QString &botName, const std::vector<BacktestRunSummary> &runs)
{
    const std::optional<Bot> bot = currentBot();
    if (!bot || bot->name != botName)
        return;
    m_botRuns = runs;
    applyRunFilter();
}

void BotsView::applyRunFilter()
{
    const std::optional<BotVersion> version = currentVersion();
    std::vector<BacktestRunSummary> shown;
    for (const BacktestRunSummary &run : m_botRuns) {
        if (m_allVersions->isChecked() || !version || run.codeHash == version->codeHash)
            shown.push_back(run);
    }
    m_runModel->setRuns(std::move(shown));
    m_historyTabs->setTabText(0, tr("Backtests (%1)").arg(m_runModel->rowCount()));
    m_runTable->resizeColumnsToContents();
    updateButtons();
}

bool BotsView::createBot(const QString &name, const QString &strategyTemplate)
{
    if (!m_strategies) {
        setStatus(noProviderText(), true);
        return false;
    }
    if (const QString problem = NewBotDialog::nameProblem(name); !problem.isEmpty()) {
        setStatus(problem, true);
        return false;
    }
    setStatus(tr("Creating bot %1 from %2…").arg(name, strategyTemplate));
    m_library->createBot(name, strategyTemplate);
    return true;
}

void BotsView::showNewBotDialog()
{
    if (!m_strategies) {
        setStatus(noProviderText(), true);
        return;
    }
    // The built-ins, then the Python templates; when the Python host does not load, the built-ins and why.
    QStringList templates;
    QString note;
    if (auto names = m_strategies->templateNames()) {
        templates = *names;
    } else {
        templates = m_strategies->builtinTemplateNames();
        note = tr("The Python templates are not available: %1").arg(names.error().message);
    }
    auto *dialog = new NewBotDialog(templates, this, note);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { createBot(dialog->name(), dialog->strategyTemplate()); });
    dialog->open();
}

void BotsView::handleBotCreated(const Bot &bot, const BotVersion &firstVersion)
{
    setStatus(tr("Created bot %1 from %2 with its default version %3.")
                  .arg(bot.name, bot.strategyTemplate, shortHash(firstVersion.codeHash)));
    m_selectBotAfterList = bot.name;
    refresh();
}

bool BotsView::saveVersion()
{
    const std::optional<Bot> bot = currentBot();
    const std::optional<BotVersion> parent = currentVersion();
    if (!m_strategies) {
        setStatus(tr("Not saved: %1").arg(noProviderText()), true);
        return false;
    }
    if (!bot || !parent || !m_editorVersion || m_editorVersion->id != parent->id) {
        setStatus(tr("Select the version to start from, then edit its code or parameters and save."), true);
        return false;
    }
    if (m_checking) {
        setStatus(tr("Not saved: a check is running; save again when it has ended."), true);
        return false;
    }
    if (findStrategy(builtinStrategies(), bot->strategyTemplate)) {
        // A built-in's rules between parameters, at once (no thread needed for them).
        if (auto resolved = resolveStrategyParams(bot->strategyTemplate, m_form->changedValues()); !resolved) {
            setStatus(tr("Not saved: %1").arg(resolved.error().message), true);
            return false;
        }
    }
    m_checking = true;
    m_versionCode->clearErrors();
    setStatus(tr("Loading the code before saving a version of %1…").arg(bot->name));
    updateButtons();
    withCurrentParameters(tr("Not saved: "), [this] { startSave(); });
    return true;
}

void BotsView::startSave()
{
    BotVersion draft;
    draft.botId = m_editorBot->id;
    draft.code = m_versionCode->code();
    draft.params = m_form->changedValues();
    draft.notes = m_notes->text().trimmed();
    draft.parentId = m_editorVersion->id;
    const QString codeName = editorCodeName();
    const QString strategyTemplate = m_editorBot->strategyTemplate;
    const QString botName = m_editorBot->name;
    const quint64 request = ++m_checkRequest;
    auto *watcher = new QFutureWatcher<Result<void>>(this);
    connect(watcher, &QFutureWatcher<Result<void>>::finished, this, [this, watcher, request, draft, codeName, botName] {
        watcher->deleteLater();
        if (request != m_checkRequest)
            return;  // another version is shown by now
        m_checking = false;
        updateButtons();
        const Result<void> loaded = watcher->result();
        if (!loaded) {
            m_afterSaved = {};
            showCodeError(tr("Not saved: "), loaded.error().message, codeName, draft.code);
            return;
        }
        setStatus(tr("Saving a version of %1…").arg(botName));
        m_library->saveVersion(draft);
    });
    watcher->setFuture(QtConcurrent::run([strategies = m_strategies, strategyTemplate, draft, codeName]() -> Result<void> {
        auto loaded = strategies->load(strategyTemplate, draft.code, codeName, draft.params);
        if (!loaded)
            return loaded.error();
        return {};
    }));
}

void BotsView::handleVersionSaved(const BotVersion &version, bool created)
{
    if (created) {
        setStatus(tr("Saved version %1.").arg(shortHash(version.codeHash)));
    } else {
        QString which = tr("saved %1 UTC").arg(QDateTime::fromMSecsSinceEpoch(version.createdAtMs, Qt::UTC)
                                                   .toString(QStringLiteral("yyyy-MM-dd hh:mm")));
        if (!version.notes.isEmpty())
            which += tr(", notes '%1'").arg(version.notes);
        setStatus(tr("Identical to version %1 (%2): nothing new was saved.").arg(shortHash(version.codeHash), which));
    }
    // The editor holds exactly what was stored (unless it was edited meanwhile): nothing is unsaved any more.
    if (m_editorBot && version.botId == m_editorBot->id
        && computeCodeHash(m_versionCode->code(), m_form->changedValues()) == version.codeHash) {
        m_editorVersion = version;
        m_formBaseline = m_form->allValues();
        m_versionCode->setUnmodified();
        m_formTitle->setText(tr("New version from %1").arg(shortHash(version.codeHash)));
        if (created)
            m_notes->clear();  // they are the new version's now
    }
    m_selectVersionAfterList = version.id;
    if (auto after = std::exchange(m_afterSaved, {}))
        after();
    refresh();  // the version count changes; the bot stays selected and its versions are listed again
    updateButtons();
}

bool BotsView::checkCode()
{
    if (!m_strategies) {
        setStatus(tr("Cannot check: %1").arg(noProviderText()), true);
        return false;
    }
    if (!m_editorBot || !m_editorVersion) {
        setStatus(tr("Select a version to check its code."), true);
        return false;
    }
    if (m_checkDataFile.isEmpty() || m_checkSymbol.isEmpty()) {
        setStatus(tr("Cannot check: choose a data file and a symbol in the Strategy Tester; Check runs on the first %1 "
                     "bars of that file.").arg(QLocale(QLocale::English).toString(kCheckBars)), true);
        return false;
    }
    if (m_checking) {
        setStatus(tr("A check is already running."), true);
        return false;
    }
    m_checking = true;
    m_versionCode->clearErrors();
    m_details->clear();
    setStatus(tr("Checking %1 on the first %2 bars of %3…")
                  .arg(m_editorBot->name, QLocale(QLocale::English).toString(kCheckBars),
                       QFileInfo(m_checkDataFile).fileName()));
    updateButtons();
    withCurrentParameters(tr("Check failed: "), [this] {
        VersionCheckInput input;
        input.strategyTemplate = m_editorBot->strategyTemplate;
        input.code = m_versionCode->code();
        input.codeName = editorCodeName();
        input.params = m_form->changedValues();
        input.dataFile = m_checkDataFile;
        input.symbol = m_checkSymbol;
        input.barCacheDirectory = m_barCacheDirectory;
        input.maxBars = kCheckBars;
        const quint64 request = ++m_checkRequest;
        auto *watcher = new QFutureWatcher<Result<VersionCheckReport>>(this);
        connect(watcher, &QFutureWatcher<Result<VersionCheckReport>>::finished, this, [this, watcher, request, input] {
            watcher->deleteLater();
            if (request != m_checkRequest)
                return;  // another version is shown by now
            m_checking = false;
            updateButtons();
            const Result<VersionCheckReport> report = watcher->result();
            if (!report) {
                showCodeError(tr("Check failed: "), report.error().message, input.codeName, input.code);
                emit checkFinished(false, statusText());
                return;
            }
            const QLocale english(QLocale::English);
            const QString file = QFileInfo(input.dataFile).fileName();
            QString text = tr("Check passed on the first %1 bars of %2: %n trade(s).", nullptr, report->trades)
                               .arg(english.toString(report->bars), file);
            const auto utc = [](qint64 ms) {
                return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd hh:mm"));
            };
            QStringList details{tr("%1 (%2), bars %3 to %4 UTC: %n trade(s), net profit %5.", nullptr, report->trades)
                                    .arg(input.dataFile, input.symbol, utc(report->firstBarTimeMs),
                                         utc(report->lastBarTimeMs))
                                    .arg(report->netProfit, 0, 'f', 2)};
            for (const QString &warning : report->warnings)
                details << tr("Warning: %1").arg(warning);
            m_details->setPlainText(details.join(QLatin1Char('\n')));
            setStatus(text);
            emit checkFinished(true, text);
        });
        watcher->setFuture(QtConcurrent::run([strategies = m_strategies, input] { return checkVersion(*strategies, input); }));
    });
    return true;
}

void BotsView::showCodeError(const QString &prefix, const QString &message, const QString &codeName,
                             const QString &code)
{
    const QString head = firstLineOf(message);
    setStatus(prefix + head, true);
    m_details->setPlainText(message);
    const int line = errorLineOf(message, codeName);
    if (line > 0 && code == m_versionCode->code()) {
        // "alpha@….py:12: SyntaxError: …" -> "SyntaxError: …" under line 12.
        const QString tag = QStringLiteral("%1:%2: ").arg(codeName).arg(line);
        const qsizetype at = head.indexOf(tag);
        m_versionCode->markError(line, at >= 0 ? head.mid(at + tag.size()) : head);
        m_historyTabs->setCurrentWidget(m_codePage);
    }
}

bool BotsView::hasUnsavedChanges() const
{
    if (!m_editorVersion)
        return false;
    if (m_versionCode->code() != m_editorVersion->code)
        return true;
    return m_formReady && m_form->allValues() != m_formBaseline;
}

void BotsView::setUnsavedChangesPrompt(UnsavedChangesPrompt prompt)
{
    m_prompt = std::move(prompt);
}

QMessageBox::StandardButton BotsView::askUnsaved(const QString &action)
{
    const QString question = tr("The code or parameters of %1@%2 have changed and are not saved. Save them as a new "
                                "version before %3?")
                                 .arg(m_editorBot ? m_editorBot->name : QString(),
                                      m_editorVersion ? shortHash(m_editorVersion->codeHash) : QString(), action);
    if (m_prompt)
        return m_prompt(question);
    return QMessageBox::question(this, tr("Unsaved changes"), question,
                                 QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
}

bool BotsView::confirmLeave(const QString &action, std::function<void()> afterSaved)
{
    if (!hasUnsavedChanges())
        return true;
    switch (askUnsaved(action)) {
    case QMessageBox::Discard:
        showInEditor(*m_editorBot, *m_editorVersion);  // back to the stored version
        return true;
    case QMessageBox::Save:
        m_afterSaved = std::move(afterSaved);
        if (!saveVersion())
            m_afterSaved = {};
        return false;
    default:
        return false;
    }
}

void BotsView::restoreSelection(QTableView *table, int row)
{
    m_restoring = true;
    if (row >= 0)
        table->selectRow(row);
    else
        table->clearSelection();
    m_restoring = false;
    updateButtons();
}

void BotsView::showInEditor(const Bot &bot, const BotVersion &version)
{
    m_editorBot = bot;
    m_editorVersion = version;
    ++m_checkRequest;  // a check or save still running for the previous one is dropped
    ++m_specsRequest;
    m_checking = false;
    m_afterSpecs = {};
    m_specsTimer->stop();
    const bool python = isPythonTemplate(bot.strategyTemplate);
    m_versionCode->setLanguage(python ? CodeEditor::Language::Python : CodeEditor::Language::Cpp);
    m_versionCode->setCode(version.code);
    m_versionCode->setReadOnly(!python || !m_strategies);
    if (!python) {
        m_codeNote->setText(tr("%1 is a built-in strategy: only this BotDesk's own built-in source runs, so its code is "
                               "read-only here. Its parameters can still be changed and saved as a new version.")
                                .arg(bot.strategyTemplate));
        m_codeNote->show();
    } else {
        m_codeNote->hide();
    }
    m_details->clear();
    m_notes->clear();
    m_formTitle->setText(tr("New version from %1").arg(shortHash(version.codeHash)));
    m_formReady = false;
    m_specsCode.clear();
    m_formBaseline = {};
    if (!python) {
        // A built-in declares its parameters in this binary: no need to compile anything.
        const std::vector<StrategyInfo> strategies = builtinStrategies();
        if (const StrategyInfo *info = findStrategy(strategies, bot.strategyTemplate)) {
            applyParameterSpecs(info->parameters);
            m_specsCode = version.code;
        } else {
            m_form->setParameters({});
            setStatus(tr("Bot '%1' uses the strategy template '%2', which this BotDesk does not have; its parameters "
                         "cannot be edited here.").arg(bot.name, bot.strategyTemplate), true);
        }
    } else if (m_strategies) {
        m_form->setParameters({});
        requestParameterSpecs();
    } else {
        m_form->setParameters({});
    }
    updateButtons();
}

void BotsView::clearEditor()
{
    m_editorBot.reset();
    m_editorVersion.reset();
    ++m_checkRequest;
    ++m_specsRequest;
    m_checking = false;
    m_afterSpecs = {};
    m_specsTimer->stop();
    m_versionCode->setCode(QString());
    m_versionCode->setReadOnly(true);
    m_codeNote->hide();
    m_details->clear();
    m_formReady = false;
    m_specsCode.clear();
    m_formBaseline = {};
    m_form->setParameters({});
    const std::optional<Bot> bot = currentBot();
    m_formTitle->setText(bot ? tr("Parameters of %1").arg(bot->name) : tr("Parameters"));
    updateButtons();
}

QString BotsView::editorCodeName() const
{
    if (!m_editorBot || !m_editorVersion)
        return {};
    if (!hasUnsavedChanges())
        return versionCodeName(m_editorBot->name, m_editorVersion->codeHash);
    // The hash it would be stored under.
    return versionCodeName(m_editorBot->name, computeCodeHash(m_versionCode->code(), m_form->changedValues()));
}

void BotsView::withCurrentParameters(const QString &failurePrefix, std::function<void()> then)
{
    if (m_formReady && m_specsCode == m_versionCode->code()) {
        then();
        return;
    }
    m_afterSpecs = std::move(then);
    m_afterSpecsFailure = failurePrefix;
    m_specsTimer->stop();
    requestParameterSpecs();
}

void BotsView::requestParameterSpecs()
{
    if (!m_strategies || !m_editorBot || !m_editorVersion)
        return;
    const QString code = m_versionCode->code();
    const QString strategyTemplate = m_editorBot->strategyTemplate;
    const QString codeName = editorCodeName();
    const QUuid versionId = m_editorVersion->id;
    const quint64 request = ++m_specsRequest;
    using Specs = Result<std::vector<ParameterSpec>>;
    auto *watcher = new QFutureWatcher<Specs>(this);
    connect(watcher, &QFutureWatcher<Specs>::finished, this, [this, watcher, request, code, codeName, versionId] {
        watcher->deleteLater();
        if (request != m_specsRequest)
            return;  // a newer request runs
        if (!m_editorVersion || m_editorVersion->id != versionId)
            return;
        if (code != m_versionCode->code()) {
            if (m_afterSpecs)
                requestParameterSpecs();  // edited meanwhile: a Check or Save waits for the current code's
            return;
        }
        const Specs specs = watcher->result();
        if (!specs) {
            if (auto then = std::exchange(m_afterSpecs, {})) {
                m_checking = false;
                updateButtons();
                showCodeError(m_afterSpecsFailure, specs.error().message, codeName, code);
                emit checkFinished(false, statusText());
            } else {
                setStatus(tr("The parameters could not be read from the code: %1").arg(firstLineOf(specs.error().message)),
                          true);
                m_details->setPlainText(specs.error().message);
            }
            return;
        }
        applyParameterSpecs(*specs);
        m_specsCode = code;
        if (auto then = std::exchange(m_afterSpecs, {}))
            then();
    });
    watcher->setFuture(QtConcurrent::run([strategies = m_strategies, strategyTemplate, code, codeName] {
        return strategies->parameterSpecs(strategyTemplate, code, codeName);
    }));
}

void BotsView::applyParameterSpecs(const std::vector<ParameterSpec> &specs)
{
    if (!m_formReady) {
        // The version just shown: its own parameters, which are what "unsaved" is measured against.
        m_form->setParameters(specs);
        if (auto shown = m_form->setValues(m_editorVersion->params); !shown) {
            setStatus(tr("Version %1's parameters do not fit the form: %2")
                          .arg(shortHash(m_editorVersion->codeHash), shown.error().message),
                      true);
        }
        m_formBaseline = m_form->allValues();
        m_formReady = true;
        updateButtons();
        return;
    }
    if (sameSpecs(specs, m_form->parameters()))
        return;
    // The code declares other parameters now: keep the values the user changed, by key (within the new ranges).
    const QJsonObject changed = m_form->changedValues();
    m_form->setParameters(specs);
    QStringList dropped;
    for (auto it = changed.begin(); it != changed.end(); ++it) {
        if (!m_form->setValue(it.key(), it.value().toDouble()))
            dropped << it.key();
    }
    if (!dropped.isEmpty()) {
        setStatus(tr("The code no longer declares %1: the value(s) given to it were dropped.")
                      .arg(dropped.join(QStringLiteral(", "))));
    }
    updateButtons();
}

QString BotsView::runTitle(const BacktestRunSummary &summary) const
{
    return QStringLiteral("%1@%2 %3 %4")
        .arg(summary.botName, shortHash(summary.codeHash), summary.symbol, report::utcSecond(summary.startedAtMs));
}

bool BotsView::openSelectedRun()
{
    const std::vector<QUuid> ids = selectedRunIds();
    if (ids.size() != 1) {
        setStatus(tr("Select one run to open."), true);
        return false;
    }
    setStatus(tr("Loading the run…"));
    m_openRequest = m_library->loadRuns({ids.front()});
    return true;
}

bool BotsView::compareSelectedRuns()
{
    std::vector<QUuid> ids = selectedRunIds();
    if (ids.size() != 2) {
        setStatus(tr("Select exactly two runs to compare (Ctrl+click)."), true);
        return false;
    }
    // A = the earlier run, B = the later one, so B − A reads as "what changed since".
    const BacktestRunSummary *a = m_runModel->runAt(m_runModel->rowOf(ids[0]));
    const BacktestRunSummary *b = m_runModel->runAt(m_runModel->rowOf(ids[1]));
    if (!a || !b)
        return false;
    if (b->startedAtMs < a->startedAtMs)
        std::swap(a, b);
    m_compareNames[0] = runTitle(*a);
    m_compareNames[1] = runTitle(*b);
    setStatus(tr("Loading the two runs…"));
    m_compareRequest = m_library->loadRuns({a->id, b->id});
    return true;
}

void BotsView::handleRunsLoaded(quint64 requestId, const std::vector<BacktestRunRecordPtr> &runs)
{
    if (requestId == m_openRequest && runs.size() == 1) {
        const BacktestRunRecordPtr &run = runs.front();
        const int row = m_runModel->rowOf(run->id);
        const QString title = row >= 0 ? runTitle(*m_runModel->runAt(row))
                                       : QStringLiteral("%1 %2").arg(run->symbol, report::utcSecond(run->startedAtMs));
        setStatus(tr("Opened run %1.").arg(title));
        emit openRunRequested(run, title);
    } else if (requestId == m_compareRequest && runs.size() == 2) {
        m_comparison->setRuns(runs[0], m_compareNames[0], runs[1], m_compareNames[1]);
        m_historyTabs->setCurrentWidget(m_comparison);
        setStatus(tr("Comparing %1 (A) with %2 (B).").arg(m_compareNames[0], m_compareNames[1]));
    }
}

void BotsView::handleFailed(BotLibrary::Operation operation, const QString &message)
{
    if (operation == BotLibrary::Operation::SaveVersion)
        m_afterSaved = {};  // the window stays open: the edit is not stored
    m_listingFailed = operation == BotLibrary::Operation::ListBots || operation == BotLibrary::Operation::ListVersions
                      || operation == BotLibrary::Operation::ListRuns;
    setStatus(QStringLiteral("%1: %2").arg(operationText(operation), message), true);
}

} // namespace bd
