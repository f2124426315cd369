#include "botsview.h"

#include "botlistmodel.h"
#include "codeeditor.h"
#include "logging.h"
#include "newbotdialog.h"
#include "parameterform.h"
#include "reportformat.h"
#include "runcomparisonwidget.h"
#include "runlistmodel.h"
#include "strategyregistry.h"
#include "versiondiffview.h"
#include "versionlistmodel.h"

#include <QCheckBox>
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
    }
    return {};
}

} // namespace

BotsView::BotsView(BotLibrary *library, QWidget *parent)
    : QWidget(parent)
    , m_library(library)
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
    updateButtons();
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
    auto *saveRow = new QHBoxLayout;
    saveRow->addWidget(m_notes, 1);
    saveRow->addWidget(m_saveVersion);

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
    m_versionCode = new CodeEditor;
    m_versionCode->setObjectName(QStringLiteral("versionCode"));
    m_versionCode->setReadOnly(true);
    m_historyTabs->addTab(runsPage, tr("Backtests"));
    m_historyTabs->addTab(m_comparison, tr("Compare"));
    m_historyTabs->addTab(m_versionDiff, tr("Diff"));
    m_historyTabs->addTab(m_versionCode, tr("Code"));
    return m_historyTabs;
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
    m_saveVersion->setEnabled(currentVersion().has_value());
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
    const std::optional<Bot> bot = currentBot();
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
    const std::vector<StrategyInfo> strategies = builtinStrategies();
    if (const StrategyInfo *info = findStrategy(strategies, bot->strategyTemplate)) {
        m_form->setParameters(info->parameters);
    } else {
        m_form->setParameters({});
        setStatus(tr("Bot '%1' uses the strategy template '%2', which this BotDesk does not have; its parameters "
                     "cannot be edited here.").arg(bot->name, bot->strategyTemplate), true);
    }
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
    if (row < 0 && !versions.empty())
        row = 0;  // the newest
    if (row >= 0)
        m_versionTable->selectRow(row);  // -> handleVersionSelected
    else
        handleVersionSelected();
}

void BotsView::handleVersionSelected()
{
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
    const std::optional<BotVersion> version = currentVersion();
    if (version) {
        if (auto shown = m_form->setValues(version->params); !shown) {
            setStatus(tr("Version %1's parameters do not fit the form: %2").arg(shortHash(version->codeHash),
                                                                               shown.error().message),
                      true);
        }
        m_formTitle->setText(tr("New version from %1").arg(shortHash(version->codeHash)));
        const std::optional<Bot> bot = currentBot();
        const bool python = bot && bot->strategyTemplate.endsWith(QLatin1String(".py"));
        m_versionCode->setLanguage(python ? CodeEditor::Language::Python : CodeEditor::Language::Cpp);
        m_versionCode->setCode(version->code);
        m_notes->clear();
    } else {
        m_versionCode->setCode(QString());
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
    QStringList templates;
    for (const StrategyInfo &info : builtinStrategies())
        templates << info.name;
    auto *dialog = new NewBotDialog(templates, this);
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
    if (!bot || !parent) {
        setStatus(tr("Select the version to start from, then edit its parameters and save."), true);
        return false;
    }
    const QJsonObject params = m_form->changedValues();
    if (findStrategy(builtinStrategies(), bot->strategyTemplate)) {
        if (auto resolved = resolveStrategyParams(bot->strategyTemplate, params); !resolved) {
            setStatus(tr("Not saved: %1").arg(resolved.error().message), true);
            return false;
        }
    }
    BotVersion draft;
    draft.botId = bot->id;
    draft.code = parent->code;
    draft.params = params;
    draft.notes = m_notes->text().trimmed();
    draft.parentId = parent->id;
    setStatus(tr("Saving a version of %1…").arg(bot->name));
    m_library->saveVersion(draft);
    return true;
}

void BotsView::handleVersionSaved(const BotVersion &version, bool created)
{
    if (created)
        setStatus(tr("Saved version %1.").arg(shortHash(version.codeHash)));
    else
        setStatus(tr("Identical to version %1: nothing new was saved.").arg(shortHash(version.codeHash)));
    m_selectVersionAfterList = version.id;
    refresh();  // the version count changes; the bot stays selected and its versions are listed again
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
    m_listingFailed = operation == BotLibrary::Operation::ListBots || operation == BotLibrary::Operation::ListVersions
                      || operation == BotLibrary::Operation::ListRuns;
    setStatus(QStringLiteral("%1: %2").arg(operationText(operation), message), true);
}

} // namespace bd
