#include "alertfeed.h"

#include "alertcenter.h"
#include "logging.h"
#include "workerthread.h"

#include <QDateTime>
#include <QHash>
#include <QPointer>
#include <QThread>

#include <vector>

namespace bd {

namespace {
constexpr int kEventsPerPoll = 500;        // per run and poll; the rest come with the next poll
constexpr qint64 kRecentChangeMs = 60'000; // a final run is still read this long after its last change
}

class AlertFeedWorker : public QObject {
public:
    explicit AlertFeedWorker(AlertFeed::StoresFactory factory) : m_factory(std::move(factory)) {}

    // On the worker thread: the alerts since the last poll, or an error.
    Result<std::vector<Alert>> poll()
    {
        if (!m_stores) {
            m_stores = m_factory ? m_factory() : nullptr;
            if (!m_stores || !m_stores->runs || !m_stores->trades) {
                m_stores.reset();
                return makeError(QStringLiteral("no live database is available for alerts"));
            }
        }
        auto runs = m_stores->runs->runs();
        if (!runs)
            return runs.error();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        std::vector<Alert> alerts;
        for (const LiveRunRecord &run : *runs) {
            const bool final = run.status == LiveRunStatus::Stopped || run.status == LiveRunStatus::Error;
            const bool seen = m_lastEventId.contains(run.spec.id);
            if (final && seen && now - run.updatedAtMs > kRecentChangeMs)
                continue;
            qint64 after = m_lastEventId.value(run.spec.id, 0);
            const bool history = !seen && m_firstPoll;  // existed before the feed: start from its newest event
            while (true) {
                auto events = m_stores->trades->events(run.spec.id, after, kEventsPerPoll);
                if (!events)
                    return events.error();
                for (const LiveEvent &e : *events) {
                    after = std::max(after, e.id);
                    if (history)
                        continue;
                    if (auto alert = alertFromEvent(e)) {
                        if (alert->account.isEmpty())
                            alert->account = run.spec.account;
                        alerts.push_back(*alert);
                    }
                }
                if (!history || int(events->size()) < kEventsPerPoll)
                    break;
            }
            m_lastEventId.insert(run.spec.id, after);
            if (isStale(run, now)) {
                Alert a;
                a.kind = AlertKind::StaleHeartbeat;
                a.runId = run.spec.id;
                a.account = run.spec.account;
                a.title = QStringLiteral("Run heartbeat stale");
                a.text = QStringLiteral("Run %1 (%2 on %3 %4): no heartbeat for over %5 s; its host is dead or stuck")
                             .arg(run.spec.id.toString(QUuid::WithoutBraces).left(8), run.spec.botName, run.spec.account,
                                  run.spec.symbol)
                             .arg(kStaleAfterMs / 1000);
                alerts.push_back(a);
            }
        }
        m_firstPoll = false;
        return alerts;
    }

    void release() { m_stores.reset(); }

private:
    AlertFeed::StoresFactory m_factory;
    std::unique_ptr<AlertStores> m_stores;
    QHash<QUuid, qint64> m_lastEventId;
    bool m_firstPoll = true;
};

AlertFeed::AlertFeed(StoresFactory factory, AlertCenter *center, QObject *parent)
    : QObject(parent), m_center(center), m_thread(new QThread), m_worker(new AlertFeedWorker(std::move(factory)))
{
    m_thread->setObjectName(QStringLiteral("botdesk-alerts"));
    m_worker->moveToThread(m_thread);
    m_thread->start();
    connect(&m_timer, &QTimer::timeout, this, &AlertFeed::pollNow);
}

AlertFeed::~AlertFeed()
{
    AlertFeedWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker] { worker->release(); }, Qt::QueuedConnection);
    if (retireWorkerThread(m_thread, 2000, "alerts",
                           "the alert feed is still in a database call; leaving it to end on its own"))
        delete worker;
}

void AlertFeed::start(int intervalMs)
{
    m_timer.start(intervalMs);
    pollNow();
}

void AlertFeed::stop()
{
    m_timer.stop();
}

void AlertFeed::pollNow()
{
    if (m_busy)
        return;
    m_busy = true;
    QPointer<AlertFeed> self(this);
    AlertFeedWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [self, worker] {
        Result<std::vector<Alert>> alerts = worker->poll();
        QMetaObject::invokeMethod(self.data(), [self, alerts] {
            if (!self)
                return;
            self->m_busy = false;
            if (!alerts) {
                const QString message = alerts.error().message;
                if (message != self->m_lastError)
                    logging::get("alerts")->warn("cannot read the live runs for alerts: {}", message.toStdString());
                self->m_lastError = message;
                emit self->polled(0, message);
                return;
            }
            self->m_lastError.clear();
            for (const Alert &a : *alerts)
                self->m_center->raise(a);
            emit self->polled(int(alerts->size()), {});
        }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
}

} // namespace bd
