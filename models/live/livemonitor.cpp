#include "livemonitor.h"

#include "livemonitorworker.h"
#include "liverunsmodel.h"
#include "logging.h"

#include <QDateTime>
#include <QThread>

namespace bd {

// --- worker (its own thread) ---------------------------------------------------------------------------------------

void LiveMonitorWorker::begin(int pollMs, const QUuid &detailRun)
{
    m_detailRun = detailRun;
    m_timer = new QTimer(this);
    connect(m_timer, &QTimer::timeout, this, &LiveMonitorWorker::poll);
    m_timer->start(pollMs);
    poll();
}

void LiveMonitorWorker::setPollMs(int ms)
{
    if (m_timer)
        m_timer->setInterval(ms);
}

void LiveMonitorWorker::setDetailRun(const QUuid &runId)
{
    m_detailRun = runId;
    m_lastEventId = 0;
    poll();
}

bool LiveMonitorWorker::ensureStores()
{
    if (m_stores)
        return true;
    Result<LiveStores> made = m_factory ? m_factory() : Result<LiveStores>(makeError(QStringLiteral(
                                                            "no live database is configured (Settings > Database…)")));
    if (!made) {
        emit failed(made.error().message);
        return false;
    }
    m_stores = std::make_unique<LiveStores>(std::move(made.value()));
    return true;
}

void LiveMonitorWorker::poll()
{
    if (!ensureStores())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    Result<LiveRunsSnapshot> snapshot = readLiveRunsSnapshot(*m_stores->runs, *m_stores->trades, now);
    if (!snapshot) {
        emit failed(snapshot.error().message);
        return;
    }
    emit snapshotReady(snapshot.value());
    if (m_detailRun.isNull())
        return;
    Result<LiveRunDetail> detail = readLiveRunDetail(*m_stores->runs, *m_stores->trades, m_detailRun, m_lastEventId, now);
    if (!detail) {
        emit failed(detail.error().message);
        return;
    }
    if (!detail.value().newEvents.empty())
        m_lastEventId = detail.value().newEvents.back().id;
    emit detailReady(detail.value());
}

void LiveMonitorWorker::command(const QUuid &runId, LiveRunCommand command)
{
    if (!ensureStores()) {
        emit commandFinished(runId, command, QStringLiteral("the live database cannot be reached"));
        return;
    }
    Result<LiveRunRecord> done = applyLiveRunCommand(*m_stores->runs, runId, command);
    logging::get("ui")->info("live run {}: {} {}", runId.toString(QUuid::WithoutBraces).left(8).toStdString(),
                             liveRunCommandName(command), done ? "asked" : done.error().message.toStdString());
    emit commandFinished(runId, command, done ? QString() : done.error().message);
    poll();
}

void LiveMonitorWorker::finish()
{
    if (m_timer)
        m_timer->stop();
    m_stores.reset();
}

// --- monitor (GUI thread) ------------------------------------------------------------------------------------------

LiveMonitor::LiveMonitor(LiveStoreFactory factory, QObject *parent)
    : QObject(parent)
    , m_factory(std::move(factory))
    , m_model(new LiveRunsModel(this))
{
    qRegisterMetaType<LiveRunsSnapshot>();
    qRegisterMetaType<LiveRunDetail>();
    qRegisterMetaType<LiveRunCommand>();
}

LiveMonitor::~LiveMonitor()
{
    if (!m_thread)
        return;
    // The call in progress ends first (a blocking queued call waits for it), then the stores go on their thread.
    QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->finish(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_worker;
    delete m_thread;
}

void LiveMonitor::start()
{
    if (m_thread)
        return;
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("botdesk-live-monitor"));
    m_worker = new LiveMonitorWorker(m_factory);
    m_worker->moveToThread(m_thread);
    connect(m_worker, &LiveMonitorWorker::snapshotReady, this, [this](const LiveRunsSnapshot &s) {
        ++m_snapshots;
        m_lastError.clear();
        m_model->submit(s);
        emit snapshotRead();
    });
    connect(m_worker, &LiveMonitorWorker::detailReady, this, [this](const LiveRunDetail &d) {
        if (d.runId == m_detailRun)
            emit detailReady(d);
    });
    connect(m_worker, &LiveMonitorWorker::failed, this, [this](const QString &message) {
        m_lastError = message;
        emit failed(message);
    });
    connect(m_worker, &LiveMonitorWorker::commandFinished, this, &LiveMonitor::commandFinished);
    m_thread->start();
    QMetaObject::invokeMethod(m_worker, [w = m_worker, ms = m_pollMs, run = m_detailRun] { w->begin(ms, run); });
}

void LiveMonitor::setPollMs(int ms)
{
    m_pollMs = std::max(50, ms);
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, [w = m_worker, ms = m_pollMs] { w->setPollMs(ms); });
}

void LiveMonitor::setDetailRun(const QUuid &runId)
{
    if (runId == m_detailRun)
        return;
    m_detailRun = runId;
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, [w = m_worker, runId] { w->setDetailRun(runId); });
}

void LiveMonitor::refresh()
{
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->poll(); });
}

void LiveMonitor::command(const QUuid &runId, LiveRunCommand command)
{
    if (!m_worker) {
        emit commandFinished(runId, command, QStringLiteral("the Live page is not connected to a database yet"));
        return;
    }
    QMetaObject::invokeMethod(m_worker, [w = m_worker, runId, command] { w->command(runId, command); });
}

} // namespace bd
