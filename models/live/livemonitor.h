#pragma once
// LiveMonitor: the Live page's access to the database (issue 10 §4, §5), living on the GUI thread and never blocking
// it. Every read and command runs on ONE worker thread ("botdesk-live-monitor") with stores made there by the app's
// factory (its own database connection). Every `pollMs` the worker reads every run (readLiveRunsSnapshot) and, when
// one is selected, that run's detail (new events since the last read, heartbeats, trades); the snapshots go to
// model() (LiveRunsModel: batched, at most 10 updates per second) and detailReady().
//
// Commands (stop, stop and close, resume) go through the same LiveRunStore calls as `botdesk-cli live` (liveruncommands.h)
// on the worker, in the order asked; commandFinished says how each ended, and a poll follows at once.
//
// The factory is called lazily on the worker (at start(), then again after a failure on the next poll); its error, and
// every read's, comes back as failed(message) — the store's own message, which names the database and the fix.
// Destroying the monitor stops the worker after the call in progress and destroys the stores on their thread.

#include "liveruncommands.h"
#include "livesnapshot.h"

#include <QObject>
#include <QUuid>

#include <functional>
#include <memory>

class QThread;

namespace bd {

class LiveRunsModel;
class LiveMonitorWorker;

// The stores of one thread's connection; `owner` keeps what they use alive (the Database) and goes last.
struct LiveStores {
    std::shared_ptr<void> owner;
    std::unique_ptr<LiveRunStore> runs;
    std::unique_ptr<TradeStore> trades;
};
// Makes the stores on the calling (worker) thread; error: why not (no database configured, bad URL).
using LiveStoreFactory = std::function<Result<LiveStores>()>;

class LiveMonitor : public QObject {
    Q_OBJECT
public:
    explicit LiveMonitor(LiveStoreFactory factory, QObject *parent = nullptr);
    ~LiveMonitor() override;

    // Starts the worker and polling (once; later calls do nothing). Before start() nothing touches the database.
    void start();
    bool isStarted() const { return m_thread != nullptr; }
    void setPollMs(int ms);                 // default 1000; at least 50
    int pollMs() const { return m_pollMs; }
    LiveRunsModel *model() const { return m_model; }

    // The run whose detail is read (null = none). A new run's events are read from its first.
    void setDetailRun(const QUuid &runId);
    QUuid detailRun() const { return m_detailRun; }
    // Reads now (besides the timer).
    void refresh();
    void command(const QUuid &runId, bd::LiveRunCommand command);

    // Snapshots read so far (for tests and the --screenshot option: something was read).
    int snapshotsRead() const { return m_snapshots; }
    QString lastError() const { return m_lastError; }

signals:
    void detailReady(const bd::LiveRunDetail &detail);
    void failed(const QString &message);
    // `error` empty = the command is stored (its host carries it out); else why not.
    void commandFinished(const QUuid &runId, bd::LiveRunCommand command, const QString &error);
    void snapshotRead();

private:
    LiveStoreFactory m_factory;
    LiveRunsModel *m_model = nullptr;
    QThread *m_thread = nullptr;
    LiveMonitorWorker *m_worker = nullptr;
    int m_pollMs = 1000;
    QUuid m_detailRun;
    int m_snapshots = 0;
    QString m_lastError;
};

} // namespace bd

Q_DECLARE_METATYPE(bd::LiveRunCommand)
