#pragma once
// The LiveMonitor's worker (livemonitor.h): lives on the monitor's thread, owns the stores made there, polls and runs
// the commands. Internal to models/live.

#include "livemonitor.h"

#include <QTimer>

namespace bd {

class LiveMonitorWorker : public QObject {
    Q_OBJECT
public:
    explicit LiveMonitorWorker(LiveStoreFactory factory) : m_factory(std::move(factory)) {}

    // On the worker's thread.
    void begin(int pollMs, const QUuid &detailRun);
    void setPollMs(int ms);
    void setDetailRun(const QUuid &runId);
    void poll();
    void command(const QUuid &runId, LiveRunCommand command);
    // Stops the timer and destroys the stores (before the thread ends).
    void finish();

signals:
    void snapshotReady(const bd::LiveRunsSnapshot &snapshot);
    void detailReady(const bd::LiveRunDetail &detail);
    void failed(const QString &message);
    void commandFinished(const QUuid &runId, bd::LiveRunCommand command, const QString &error);

private:
    bool ensureStores();

    LiveStoreFactory m_factory;
    std::unique_ptr<LiveStores> m_stores;
    QTimer *m_timer = nullptr;
    QUuid m_detailRun;
    qint64 m_lastEventId = 0;
};

} // namespace bd
