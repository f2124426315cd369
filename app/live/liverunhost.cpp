#include "liverunhost.h"

#include "logging.h"
#include "pgliverunstore.h"
#include "pgtradestore.h"

#include <QDateTime>

#include <QSqlDatabase>
#include <QSqlDriver>

#include <spdlog/logger.h>

namespace bd {

namespace {
std::string utf8(const QString &s) { return s.toStdString(); }
} // namespace

LiveRunHost::LiveRunHost(Options options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_log(logging::get("live"))
{
    m_pollTimer.setInterval(int(std::max<qint64>(50, m_options.pollMs)));
    connect(&m_pollTimer, &QTimer::timeout, this, &LiveRunHost::poll);
}

LiveRunHost::~LiveRunHost() { stop(); }

Result<void> LiveRunHost::start()
{
    Database::Options options = m_options.dbOptions;
    options.purpose = QStringLiteral("live-host");
    m_db = std::make_unique<Database>(m_options.target, options);
    if (Result<void> r = m_db->open(); !r)
        return r;
    m_runs = std::make_unique<PgLiveRunStore>(*m_db);
    m_events = std::make_unique<PgTradeStore>(*m_db);
    const int n = m_options.threads > 0 ? m_options.threads : std::max(1, QThread::idealThreadCount());
    for (int i = 0; i < n; ++i) {
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(QStringLiteral("bd-live-%1").arg(i));
        thread->start();
        m_threads.push_back(std::move(thread));
    }
    m_log->info("live host {} on {} live thread(s), polling every {} ms", utf8(m_options.hostId), n, m_options.pollMs);
    poll();  // (subscribes to the channel first)
    m_pollTimer.start();
    return {};
}

AccountDesk *LiveRunHost::deskFor(const QString &accountName)
{
    if (AccountDesk *desk = m_desks.value(accountName))
        return desk;
    Result<LiveAccount> account = m_runs->account(accountName);
    if (!account) {
        m_failedAccounts.insert(accountName, account.error().message);
        return nullptr;
    }
    QString token;
    if (m_options.tokenFor) {
        Result<QString> t = m_options.tokenFor(account.value());
        if (!t) {
            if (m_failedAccounts.value(accountName) != t.error().message) {
                m_log->error("[{}] cannot connect: {}", utf8(accountName), utf8(t.error().message));
                emit accountFailed(accountName, t.error().message);
            }
            m_failedAccounts.insert(accountName, t.error().message);
            return nullptr;
        }
        token = t.value();
    }
    m_failedAccounts.remove(accountName);
    AccountDesk::Setup setup;
    setup.account = account.value();
    setup.token = token;
    setup.target = m_options.target;
    setup.dbOptions = m_options.dbOptions;
    setup.strategies = m_options.strategies;
    setup.catalog = m_options.catalog;
    setup.heartbeatMs = m_options.heartbeatMs;
    setup.reconcileMs = m_options.reconcileMs;
    auto *desk = new AccountDesk(std::move(setup));
    QThread *thread = m_threads[size_t(m_nextThread++ % int(m_threads.size()))].get();
    desk->moveToThread(thread);
    connect(desk, &AccountDesk::runStatusChanged, this, &LiveRunHost::runStatusChanged);
    connect(desk, &AccountDesk::failed, this, [this, accountName](const QString &reason) {
        m_log->error("[{}] {}", utf8(accountName), utf8(reason));
        emit accountFailed(accountName, reason);
    });
    QMetaObject::invokeMethod(desk, &AccountDesk::open, Qt::QueuedConnection);
    m_desks.insert(accountName, desk);
    return desk;
}

void LiveRunHost::listen()
{
    Result<QSqlDatabase> connection = m_db->connection();
    if (!connection)
        return;  // the poll goes on; the next one subscribes again
    QSqlDriver *driver = connection.value().driver();
    if (!driver || driver == m_listening || !driver->hasFeature(QSqlDriver::EventNotifications))
        return;
    connect(driver, &QSqlDriver::notification, this, [this](const QString &name) {
        if (name == QLatin1String(PgLiveRunStore::kChannel))
            QTimer::singleShot(0, this, &LiveRunHost::poll);  // a burst of notifications: one poll each, harmless
    });
    if (driver->subscribeToNotification(QString::fromLatin1(PgLiveRunStore::kChannel))) {
        m_listening = driver;
        m_log->info("live host {}: listening on '{}'", utf8(m_options.hostId), PgLiveRunStore::kChannel);
    }
}

void LiveRunHost::poll()
{
    if (!m_runs)
        return;
    listen();
    Result<std::vector<LiveRunRecord>> claimed = m_runs->claimRuns(m_options.hostId, m_options.leaseMs);
    if (!claimed) {
        m_log->warn("live host {}: runs not claimed ({}); retrying in {} ms", utf8(m_options.hostId),
                    utf8(claimed.error().message), m_options.pollMs);
        return;
    }
    for (const LiveRunRecord &run : claimed.value()) {
        AccountDesk *desk = deskFor(run.spec.account);
        if (!desk) {
            // This host cannot reach the account (no token here): the run is left to a host that can.
            (void)m_runs->releaseRun(run.spec.id, m_options.hostId);
            continue;
        }
        m_hosted.insert(run.spec.id, run.spec.account);
        QMetaObject::invokeMethod(desk, [desk, run] { desk->ensureRun(run); }, Qt::QueuedConnection);
    }
    applySignalDecisions();
    flagStaleRuns();
}

void LiveRunHost::applySignalDecisions()
{
    // The trader's answers to signals held by the runs leased here (from the desk or `live approve|reject`, any
    // process): each is taken once and handed to its run's desk, which sends or drops the signal.
    Result<std::vector<SignalDecision>> taken = m_runs->takeSignalDecisions(m_options.hostId);
    if (!taken) {
        m_log->warn("live host {}: answers to held signals not read ({}); retrying in {} ms", utf8(m_options.hostId),
                    utf8(taken.error().message), m_options.pollMs);
        return;
    }
    for (const SignalDecision &d : taken.value()) {
        AccountDesk *desk = m_desks.value(m_hosted.value(d.liveRunId));
        if (!desk) {
            m_log->warn("[LiveRun {}] signal {} answered but the run is not hosted here; the answer is dropped",
                        utf8(d.liveRunId.toString(QUuid::WithoutBraces)), utf8(d.signalId));
            continue;
        }
        const QUuid run = d.liveRunId;
        const QString signal = d.signalId;
        if (d.answer == SignalAnswer::Approve)
            QMetaObject::invokeMethod(desk, [desk, run, signal] { desk->approve(run, signal); }, Qt::QueuedConnection);
        else
            QMetaObject::invokeMethod(desk, [desk, run, signal] { desk->reject(run, signal); }, Qt::QueuedConnection);
    }
}

void LiveRunHost::flagStaleRuns()
{
    // A minute's silence is what counts: every run's record is read at most once a second, not on every poll.
    if (m_staleCheck.isValid() && m_staleCheck.elapsed() < std::min<qint64>(1000, m_options.staleAfterMs / 2))
        return;
    m_staleCheck.start();
    Result<std::vector<LiveRunRecord>> all = m_runs->runs();
    if (!all)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const LiveRunRecord &run : all.value()) {
        if (!isStale(run, now, m_options.staleAfterMs)) {
            m_stale.remove(run.spec.id);
            continue;
        }
        if (m_stale.contains(run.spec.id))
            continue;
        m_stale.insert(run.spec.id);
        const qint64 last = run.lastHeartbeatAtMs > 0 ? run.lastHeartbeatAtMs : run.startedAtMs;
        const QString message = QStringLiteral("no heartbeat for %1 s (host %2); the run is stale")
                                    .arg((now - last) / 1000)
                                    .arg(run.hostId.isEmpty() ? QStringLiteral("none") : run.hostId);
        m_log->error("[LiveRun {}] [{}] [{}] [HeartbeatStale] {}", utf8(run.spec.id.toString(QUuid::WithoutBraces)),
                     utf8(run.spec.account), utf8(run.spec.symbol), utf8(message));
        LiveEvent e;
        e.liveRunId = run.spec.id;
        e.account = run.spec.account;
        e.type = QStringLiteral("HeartbeatStale");
        e.atMs = now;
        e.message = message;
        e.payload = QJsonObject{{QStringLiteral("last_heartbeat_at"), double(last)}, {QStringLiteral("host"), run.hostId}};
        (void)m_events->appendEvent(e);
        emit runStale(run.spec.id, message);
    }
}

void LiveRunHost::visitRuns(const std::function<void(const LiveRunExecutor &)> &fn)
{
    for (AccountDesk *desk : std::as_const(m_desks))
        QMetaObject::invokeMethod(desk, [desk, &fn] { desk->visitRuns(fn); }, Qt::BlockingQueuedConnection);
}

void LiveRunHost::stop()
{
    m_pollTimer.stop();
    for (AccountDesk *desk : std::as_const(m_desks)) {
        // The desk's thread runs its shutdown; this thread waits for it (ordered shutdown, STYLE §7.2 rule 5).
        QMetaObject::invokeMethod(desk, &AccountDesk::shutdown, Qt::BlockingQueuedConnection);
        QMetaObject::invokeMethod(desk, [desk] { delete desk; }, Qt::BlockingQueuedConnection);
    }
    m_desks.clear();
    for (auto &thread : m_threads) {
        thread->quit();
        thread->wait();
    }
    m_threads.clear();
    if (m_runs) {
        for (auto it = m_hosted.cbegin(); it != m_hosted.cend(); ++it)
            (void)m_runs->releaseRun(it.key(), m_options.hostId);
    }
    m_hosted.clear();
    m_events.reset();
    m_runs.reset();
    m_db.reset();
}

} // namespace bd
