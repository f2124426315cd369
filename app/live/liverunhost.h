#pragma once
// LiveRunHost: hosts the live runs of BotDesk's database in this process (the desktop, or `botdesk-cli live serve`
// next to the broker; issue 9 §2, §6). Control goes through the database: every `pollMs`, and at once when the
// database announces a change (LISTEN on channel "botdesk_live", re-subscribed after a reconnect), the host claims the runs it should hold
// (LiveRunStore::claimRuns: a lease under its host id, renewed while it runs, so two hosts never run one run) and
// hands each to its account's desk.
//
// Threads: a small pool of live threads (default: the ideal thread count, at least 1) — 100 runs do not need 100
// threads. Each account's desk (AccountDesk: stores, TradeService, connector, runs) lives on one of them, assigned
// round-robin; each account's connector has its own I/O thread. The host itself lives on the thread that creates it.
// stop() shuts every desk down (runs STOPPED, positions left under their SL/TP) and releases the leases.
// Every poll also hands the trader's answers to held signals (APPROVE mode; LiveRunStore::takeSignalDecisions) to the
// runs hosted here, and flags the runs of the database that should be trading and have written no heartbeat for 60 s
// (isStale; any host's): one HeartbeatStale event and an error log line per run until it beats again.

#include "accountdesk.h"
#include "database.h"
#include "liverunstore.h"
#include "symbolspec.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QObject>
#include <QPointer>
#include <QSqlDriver>
#include <QThread>
#include <QTimer>

#include <functional>
#include <memory>
#include <vector>

namespace spdlog { class logger; }

namespace bd {

class PgLiveRunStore;
class PgTradeStore;
class VersionStrategyProvider;

class LiveRunHost : public QObject {
    Q_OBJECT
public:
    struct Options {
        DatabaseTarget target;
        Database::Options dbOptions;
        QString hostId;                  // unique per process, e.g. "<hostname>:<pid>"
        int threads = 0;                 // live threads; 0 = QThread::idealThreadCount()
        qint64 leaseMs = 30'000;
        qint64 pollMs = 2'000;
        qint64 heartbeatMs = 10'000;
        qint64 reconcileMs = 60'000;
        qint64 staleAfterMs = kStaleAfterMs;  // a run without a heartbeat this long is flagged stale
        const VersionStrategyProvider *strategies = nullptr;  // must outlive the host
        SymbolCatalog catalog;
        // The bridge token of an account (its environment variable, or the keychain); error naming what is missing.
        std::function<Result<QString>(const LiveAccount &)> tokenFor;
    };

    explicit LiveRunHost(Options options, QObject *parent = nullptr);
    ~LiveRunHost() override;

    // Opens the host's own connection and starts polling. Error: the database cannot be reached.
    Result<void> start();
    // Shuts every desk down and waits for it; releases the leases.
    void stop();
    // Claims and dispatches now (also what the timer and notifications do).
    void poll();

    int deskCount() const { return int(m_desks.size()); }
    // Calls `fn` with every run hosted here, on its desk's live thread, and waits for each desk (benches, tests,
    // diagnostics: e.g. LiveRunExecutor::counters()). Call it from the host's thread, never from a live thread.
    void visitRuns(const std::function<void(const LiveRunExecutor &)> &fn);

signals:
    void runStatusChanged(const QUuid &runId, bd::LiveRunStatus status, const QString &message);
    void accountFailed(const QString &account, const QString &reason);
    // A run that should be trading wrote no heartbeat for 60 s (isStale): flagged once with a HeartbeatStale event.
    void runStale(const QUuid &runId, const QString &message);

private:
    AccountDesk *deskFor(const QString &accountName);
    void flagStaleRuns();
    void applySignalDecisions();
    void listen();

    Options m_options;
    std::shared_ptr<spdlog::logger> m_log;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<PgLiveRunStore> m_runs;
    std::vector<std::unique_ptr<QThread>> m_threads;
    QHash<QString, AccountDesk *> m_desks;     // account name -> desk (on a live thread; deleted by stop())
    QHash<QUuid, QString> m_hosted;            // run id -> account, runs handed to a desk
    QHash<QString, QString> m_failedAccounts;  // account -> why its desk could not be made (retried each poll)
    QTimer m_pollTimer;
    QElapsedTimer m_staleCheck;                // since the runs were last checked for staleness
    QSet<QUuid> m_stale;                       // runs flagged stale (flagged again only after a heartbeat)
    std::unique_ptr<PgTradeStore> m_events;
    int m_nextThread = 0;
    QPointer<QSqlDriver> m_listening;          // the driver subscribed to "botdesk_live" (a reconnect makes a new one)
};

} // namespace bd
