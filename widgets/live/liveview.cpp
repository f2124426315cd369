#include "liveview.h"

#include "latencyhistogram.h"
#include "livedelegates.h"
#include "liveeventlistmodel.h"
#include "livemonitor.h"
#include "liverunsfilter.h"
#include "liverunsmodel.h"
#include "livetradelistmodel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace bd {

namespace {

QTableView *makeTable(const QString &name, QAbstractItemModel *model, QWidget *parent)
{
    auto *t = new QTableView(parent);
    t->setObjectName(name);
    t->setModel(model);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setAlternatingRowColors(true);
    t->verticalHeader()->hide();
    t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 8);
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

} // namespace

LiveView::LiveView(LiveMonitor *monitor, QWidget *parent)
    : QWidget(parent)
    , m_monitor(monitor)
{
    setObjectName(QStringLiteral("liveView"));
    m_confirm = [this](const QString &title, const QString &text) {
        return QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
               == QMessageBox::Yes;
    };

    m_filter = new LiveRunsFilter(this);
    m_filter->setSourceModel(monitor->model());
    m_events = new LiveEventListModel(this);
    m_positions = new LiveTradeListModel(true, this);
    m_trades = new LiveTradeListModel(false, this);

    m_textFilter = new QLineEdit(this);
    m_textFilter->setObjectName(QStringLiteral("liveTextFilter"));
    m_textFilter->setPlaceholderText(tr("Filter: bot, account, symbol, error or run id"));
    m_textFilter->setClearButtonEnabled(true);
    m_statusFilter = new QComboBox(this);
    m_statusFilter->setObjectName(QStringLiteral("liveStatusFilter"));
    m_statusFilter->addItem(tr("All statuses"), QString());
    for (LiveRunStatus s : {LiveRunStatus::Pending, LiveRunStatus::Running, LiveRunStatus::Stopping,
                            LiveRunStatus::Stopped, LiveRunStatus::Halted, LiveRunStatus::Error})
        m_statusFilter->addItem(QString::fromLatin1(liveRunStatusName(s)), QString::fromLatin1(liveRunStatusName(s)));
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setObjectName(QStringLiteral("liveStop"));
    m_stop->setToolTip(tr("Stop the run; its positions stay open under their SL/TP"));
    m_stopClose = new QPushButton(tr("Stop and close"), this);
    m_stopClose->setObjectName(QStringLiteral("liveStopClose"));
    m_stopClose->setToolTip(tr("Close the run's positions, then stop it"));
    m_resume = new QPushButton(tr("Resume"), this);
    m_resume->setObjectName(QStringLiteral("liveResume"));
    m_resume->setToolTip(tr("Resume a run halted by a guardrail"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("liveStatusLine"));
    m_status->setWordWrap(true);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("liveSummary"));
    m_summary->setWordWrap(true);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_textFilter, 2);
    bar->addWidget(m_statusFilter);
    bar->addSpacing(12);
    bar->addWidget(m_stop);
    bar->addWidget(m_stopClose);
    bar->addWidget(m_resume);

    m_runs = makeTable(QStringLiteral("liveRuns"), m_filter, this);
    m_runs->setSortingEnabled(true);
    m_runs->sortByColumn(-1, Qt::AscendingOrder);  // the store's order (newest first) until a header is clicked
    m_runs->setItemDelegateForColumn(LiveRunsModel::StatusColumn, new StatusBadgeDelegate(m_runs));
    m_runs->setItemDelegateForColumn(LiveRunsModel::DrawdownColumn, new DrawdownBarDelegate(m_runs));
    m_runs->setColumnWidth(LiveRunsModel::StatusColumn, 150);
    m_runs->setColumnWidth(LiveRunsModel::BotColumn, 240);
    m_runs->setColumnWidth(LiveRunsModel::DrawdownColumn, 130);

    // Detail pane.
    m_title = new QLabel(tr("Select a run to see its events, latency, positions and trades."), this);
    m_title->setObjectName(QStringLiteral("liveDetailTitle"));
    m_title->setStyleSheet(QStringLiteral("font-weight: bold;"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_latency = new QLabel(this);
    m_latency->setObjectName(QStringLiteral("liveLatency"));
    m_eventType = new QComboBox(this);
    m_eventType->setObjectName(QStringLiteral("liveEventType"));
    m_eventType->addItem(tr("All types"), QString());
    m_eventCorrelation = new QLineEdit(this);
    m_eventCorrelation->setObjectName(QStringLiteral("liveEventCorrelation"));
    m_eventCorrelation->setPlaceholderText(tr("Correlation id"));
    m_eventCorrelation->setClearButtonEnabled(true);
    m_eventTable = makeTable(QStringLiteral("liveEvents"), m_events, this);
    m_eventTable->setColumnWidth(LiveEventListModel::TimeColumn, 170);
    m_eventTable->setColumnWidth(LiveEventListModel::TypeColumn, 140);
    auto *eventsPage = new QWidget(this);
    auto *eventsLayout = new QVBoxLayout(eventsPage);
    eventsLayout->setContentsMargins(0, 4, 0, 0);
    auto *eventFilters = new QHBoxLayout;
    eventFilters->addWidget(m_eventType);
    eventFilters->addWidget(m_eventCorrelation, 1);
    eventsLayout->addLayout(eventFilters);
    eventsLayout->addWidget(m_eventTable);
    m_histogram = new LatencyHistogram(this);
    m_histogram->setObjectName(QStringLiteral("liveHistogram"));
    m_detailTabs = new QTabWidget(this);
    m_detailTabs->setObjectName(QStringLiteral("liveDetailTabs"));
    m_detailTabs->setDocumentMode(true);
    m_detailTabs->addTab(eventsPage, tr("Events"));
    m_detailTabs->addTab(makeTable(QStringLiteral("livePositions"), m_positions, this), tr("Positions"));
    m_detailTabs->addTab(makeTable(QStringLiteral("liveTrades"), m_trades, this), tr("Trades"));
    m_detailTabs->addTab(m_histogram, tr("Latency"));
    auto *detail = new QWidget(this);
    auto *detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_title);
    detailLayout->addWidget(m_latency);
    detailLayout->addWidget(m_detailTabs, 1);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("liveSplit"));
    split->addWidget(m_runs);
    split->addWidget(detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(split, 1);
    auto *footer = new QHBoxLayout;
    footer->addWidget(m_summary, 1);
    footer->addWidget(m_status, 2);
    layout->addLayout(footer);

    connect(m_textFilter, &QLineEdit::textChanged, m_filter, &LiveRunsFilter::setText);
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setStatus(m_statusFilter->currentData().toString()); });
    connect(m_runs->selectionModel(), &QItemSelectionModel::selectionChanged, this, &LiveView::handleSelection);
    connect(m_stop, &QPushButton::clicked, this, [this] { requestCommand(LiveRunCommand::Stop); });
    connect(m_stopClose, &QPushButton::clicked, this, [this] { requestCommand(LiveRunCommand::StopAndClose); });
    connect(m_resume, &QPushButton::clicked, this, [this] { requestCommand(LiveRunCommand::Resume); });
    const auto applyEventFilter = [this] {
        m_events->setFilter(m_eventType->currentData().toString(), m_eventCorrelation->text());
    };
    connect(m_eventType, &QComboBox::currentIndexChanged, this, applyEventFilter);
    connect(m_eventCorrelation, &QLineEdit::textChanged, this, applyEventFilter);
    connect(m_events, &LiveEventListModel::typesChanged, this, [this] {
        const QString current = m_eventType->currentData().toString();
        QSignalBlocker block(m_eventType);
        m_eventType->clear();
        m_eventType->addItem(tr("All types"), QString());
        for (const QString &t : m_events->types())
            m_eventType->addItem(t, t);
        m_eventType->setCurrentIndex(std::max(0, m_eventType->findData(current)));
    });
    connect(m_monitor->model(), &LiveRunsModel::batchApplied, this, [this] {
        updateButtons();
        if (!m_monitor->lastError().isEmpty())
            return;
        m_summary->setStyleSheet(QString());
        m_summary->setText(tr("%n live run(s) on the database", nullptr, m_monitor->model()->rowCount()));
    });
    connect(m_monitor, &LiveMonitor::failed, this, [this](const QString &message) {
        m_summary->setText(message);
        m_summary->setStyleSheet(QStringLiteral("color: #c62828;"));
    });
    connect(m_monitor, &LiveMonitor::detailReady, this, &LiveView::handleDetail);
    connect(m_monitor, &LiveMonitor::commandFinished, this,
            [this](const QUuid &runId, LiveRunCommand command, const QString &error) {
                const QString run = runId.toString(QUuid::WithoutBraces).left(8);
                if (error.isEmpty()) {
                    m_status->setStyleSheet(QString());
                    m_status->setText(tr("%1: %2 asked; the run's host carries it out").arg(run, tr(liveRunCommandName(command))));
                } else {
                    m_status->setStyleSheet(QStringLiteral("color: #c62828;"));
                    m_status->setText(tr("%1: %2 failed: %3").arg(run, tr(liveRunCommandName(command)), error));
                }
            });
    updateButtons();
}

void LiveView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_monitor->isStarted()) {
        m_summary->setText(tr("Reading the live runs…"));
        m_monitor->start();
    }
}

bool LiveView::selectRun(const QUuid &runId)
{
    const int sourceRow = m_monitor->model()->rowOf(runId);
    if (sourceRow < 0)
        return false;
    const QModelIndex proxy = m_filter->mapFromSource(m_monitor->model()->index(sourceRow, 0));
    if (!proxy.isValid())
        return false;
    m_runs->selectionModel()->select(proxy, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_runs->setCurrentIndex(proxy);
    return true;
}

void LiveView::handleSelection()
{
    const QModelIndexList rows = m_runs->selectionModel()->selectedRows();
    const QUuid id = rows.isEmpty() ? QUuid() : rows.first().data(LiveRunsModel::RunIdRole).toUuid();
    if (id == m_selected)
        return;
    m_selected = id;
    m_events->clear();
    m_positions->setTrades({});
    m_trades->setTrades({});
    m_histogram->setSamples({});
    m_latency->clear();
    if (id.isNull()) {
        m_title->setText(tr("Select a run to see its events, latency, positions and trades."));
    } else if (const LiveRunRow *row = m_monitor->model()->rowAt(m_monitor->model()->rowOf(id))) {
        m_title->setText(QStringLiteral("%1@%2 · %3 %4 %5 · run %6")
                             .arg(row->run.spec.botName, row->run.spec.codeHash.left(12), row->run.spec.account,
                                  row->run.spec.symbol, row->run.spec.timeframe, id.toString(QUuid::WithoutBraces)));
    }
    m_monitor->setDetailRun(id);
    updateButtons();
}

void LiveView::handleDetail(const LiveRunDetail &d)
{
    if (d.runId != m_selected)
        return;
    m_events->addEvents(d.runId, d.afterEventId, d.newEvents);
    m_positions->setTrades(d.trades);
    m_trades->setTrades(d.trades);
    m_histogram->setSamples(d.loopSamples);
    if (d.loop.count == 0) {
        m_latency->setText(d.heartbeats.empty()
                               ? tr("Bar handling (heartbeat loop time): no heartbeat yet")
                               : tr("Bar handling (heartbeat loop time): %n heartbeat(s), none with a bar handled yet",
                                    nullptr, int(d.heartbeats.size())));
    } else {
        m_latency->setText(tr("Bar handling (heartbeat loop time, last %1): p50 %2 ms · p95 %3 ms · p99 %4 ms · max %5 ms")
                               .arg(d.loop.count)
                               .arg(d.loop.p50, 0, 'f', 2)
                               .arg(d.loop.p95, 0, 'f', 2)
                               .arg(d.loop.p99, 0, 'f', 2)
                               .arg(d.loop.max, 0, 'f', 2));
    }
}

void LiveView::updateButtons()
{
    const LiveRunRow *row = m_selected.isNull() ? nullptr : m_monitor->model()->rowAt(m_monitor->model()->rowOf(m_selected));
    const bool live = row && row->run.status != LiveRunStatus::Stopped && row->run.status != LiveRunStatus::Error;
    m_stop->setEnabled(live && row->run.desired == DesiredState::Running);
    m_stopClose->setEnabled(live && row->run.desired != DesiredState::StopAndClose);
    m_resume->setEnabled(row && row->run.status == LiveRunStatus::Halted);
}

void LiveView::requestCommand(LiveRunCommand command)
{
    if (m_selected.isNull())
        return;
    if (command == LiveRunCommand::StopAndClose) {
        const LiveRunRow *row = m_monitor->model()->rowAt(m_monitor->model()->rowOf(m_selected));
        const int open = row ? row->activity.openPositions : 0;
        if (!m_confirm(tr("Stop and close"),
                       tr("Close the %n open position(s) of run %1 at market and stop it?", nullptr, open)
                           .arg(m_selected.toString(QUuid::WithoutBraces).left(8)))) {
            m_status->setText(tr("Stop and close cancelled"));
            return;
        }
    }
    m_status->setText(tr("%1: asking %2…").arg(m_selected.toString(QUuid::WithoutBraces).left(8),
                                               tr(liveRunCommandName(command))));
    m_monitor->command(m_selected, command);
}

} // namespace bd
