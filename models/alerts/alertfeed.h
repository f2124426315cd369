#pragma once
// AlertFeed: alerts from what the database holds, for runs hosted anywhere (this desktop or `botdesk-cli live serve`
// elsewhere; issue 10 §7). Every `intervalMs` (default 5 s), on its own worker thread ("botdesk-alerts"), it lists the
// runs (LiveRunStore::runs) and reads the new events (TradeStore::events after the last id it saw) of every run that
// is not STOPPED/ERROR or changed in the last minute; each alert event (alertFromEvent: drawdown cap, halt, stale
// heartbeat, rejected order) and each run isStale() says is late goes to the AlertCenter on the GUI thread.
// Events stored before the feed first saw a run that existed at its first poll are history, not alerts.
// A failed poll (database unreachable) is reported by polled(0, error) and logged once per distinct message; the
// next poll tries again. The stores are made by the factory on the worker thread, at the first poll.

#include "liverunstore.h"
#include "tradestore.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

class QThread;

namespace bd {

class AlertCenter;
class AlertFeedWorker;

// The two stores on one connection (app: a Database with PgLiveRunStore and PgTradeStore); the object owns them.
struct AlertStores {
    virtual ~AlertStores() = default;
    LiveRunStore *runs = nullptr;
    TradeStore *trades = nullptr;
};

class AlertFeed : public QObject {
    Q_OBJECT
public:
    using StoresFactory = std::function<std::unique_ptr<AlertStores>()>;

    AlertFeed(StoresFactory factory, AlertCenter *center, QObject *parent = nullptr);
    ~AlertFeed() override;

    void start(int intervalMs = 5000);
    void stop();
    bool isActive() const { return m_timer.isActive(); }
    // One poll now (unless one is running). -> polled.
    void pollNow();

signals:
    // A poll finished: how many alerts it handed to the center (before its de-duplication), or why it failed.
    void polled(int alerts, const QString &error);

private:
    AlertCenter *m_center;
    QThread *m_thread = nullptr;
    AlertFeedWorker *m_worker = nullptr;
    QTimer m_timer;
    bool m_busy = false;
    QString m_lastError;
};

} // namespace bd
