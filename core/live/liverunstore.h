#pragma once
// LiveRunStore: the MT5 accounts BotDesk trades and the live runs on them, with the desired state the trader set and
// the status a host reports (issue 9 §6: control through the database; any BotDesk on the same database hosts,
// monitors or stops runs).
//
// core defines the port; connectors/postgres implements it (PgLiveStore, migration 0003). A change of a run's desired
// state is announced to every listener (PostgreSQL NOTIFY on channel "botdesk_live" with the run id as payload);
// hosts also poll, so a lost notification only delays.
// Threads and errors: as TradeStore (tradestore.h). Times: UTC epoch milliseconds.

#include "liverun.h"
#include "result.h"

#include <QString>
#include <QStringList>
#include <QUuid>
#include <QtGlobal>

#include <optional>
#include <vector>

namespace bd {

// An MT5 account reached through a bridge. The token is never stored: `tokenEnv` names the environment variable
// that holds it (or `tokenKey` the system keychain entry, the desk's way).
struct LiveAccount {
    QString name;                  // BotDesk's name for it, unique per login ("icm-demo")
    QString bridgeUrl;             // ws://127.0.0.1:8765 or wss://...
    QString tokenEnv;              // e.g. "BOTDESK_MT5_TOKEN"; empty when tokenKey is used
    QString tokenKey;              // keychain entry; empty when tokenEnv is used
    qint64 magic = 0;              // ORDER_MAGIC of every order BotDesk sends on it (> 0)
    int serverUtcOffsetMin = 0;    // the trade server's clock minus UTC, minutes (when the bridge does not say)
    QString dstRule;               // "" (none) or "EET" (MT5 servers that follow Europe's DST)
    qint64 createdAtMs = 0;
};

// A stored run: its spec, what the trader wants, and what its host reports.
struct LiveRunRecord {
    LiveRunSpec spec;
    DesiredState desired = DesiredState::Running;
    LiveRunStatus status = LiveRunStatus::Pending;
    QString lastError;             // set with ERROR; the halt reason with HALTED
    QString hostId;                // the host holding the lease (empty = none)
    qint64 leaseUntilMs = 0;       // the host's lease expires then; another host may take the run after
    std::optional<double> startingEquity;  // fixed at the first start (the drawdown cap's base)
    qint64 createdAtMs = 0;
    qint64 startedAtMs = 0;        // last PENDING → RUNNING, 0 = never
    qint64 stoppedAtMs = 0;        // last → STOPPED / ERROR, 0 = never
    qint64 lastHeartbeatAtMs = 0;  // 0 = none yet
    qint64 updatedAtMs = 0;
};

// A run is stale when it should be trading (RUNNING, STOPPING or HALTED) and has written no heartbeat for
// `staleAfterMs` (default 60 s, six missed heartbeats) — counted from its start when it has written none yet. Its host
// is dead or stuck: the run is flagged and alerted (HeartbeatStale); another host takes it over once its lease expires.
inline constexpr qint64 kStaleAfterMs = 60'000;
inline bool isStale(const LiveRunRecord &run, qint64 nowMs, qint64 staleAfterMs = kStaleAfterMs)
{
    if (run.status != LiveRunStatus::Running && run.status != LiveRunStatus::Stopping
        && run.status != LiveRunStatus::Halted)
        return false;
    const qint64 last = run.lastHeartbeatAtMs > 0 ? run.lastHeartbeatAtMs : run.startedAtMs;
    return last > 0 && nowMs - last > staleAfterMs;
}

// The trader's answer to a signal held by an APPROVE-mode run (issue 9 §2), written by any BotDesk on the database
// and taken once by the host that leases the run.
enum class SignalAnswer { Approve, Reject };
struct SignalDecision {
    QUuid liveRunId;
    QString signalId;              // the SignalReceived event's signal_id
    SignalAnswer answer = SignalAnswer::Approve;
    qint64 decidedAtMs = 0;        // UTC epoch ms, the store's clock
};

class LiveRunStore {
public:
    virtual ~LiveRunStore() = default;

    // Accounts. addAccount: the name must be new (error "account 'x' exists; choose another name or remove it").
    virtual Result<void> addAccount(const LiveAccount &account) = 0;
    virtual Result<std::vector<LiveAccount>> accounts() = 0;
    virtual Result<LiveAccount> account(const QString &name) = 0;  // error naming it (and the known ones) when absent
    // Refused while a run on the account is not STOPPED or ERROR.
    virtual Result<void> removeAccount(const QString &name) = 0;

    // Stores a new run: status PENDING, desired RUNNING. The account must exist; spec.id must be new.
    virtual Result<LiveRunRecord> createRun(const LiveRunSpec &spec) = 0;
    virtual Result<LiveRunRecord> run(const QUuid &id) = 0;        // error naming it when absent
    // Every run, newest first; `account` empty = all accounts.
    virtual Result<std::vector<LiveRunRecord>> runs(const QString &account = {}) = 0;
    // The trader's command. Notifies listeners. RUNNING on a STOPPED or ERROR run also sets it PENDING (a restart);
    // RUNNING on a HALTED run is the trader's Resume.
    virtual Result<LiveRunRecord> setDesiredState(const QUuid &id, DesiredState desired) = 0;
    // The host's report, checked with nextStatus(current, event) in the same transaction (an illegal move is an error
    // and writes nothing). `message` becomes last_error for Fail and Halt, and is cleared by Start and Restart.
    virtual Result<LiveRunRecord> applyStatusEvent(const QUuid &id, LiveRunEvent event, const QString &message = {}) = 0;
    // Sets the run's starting equity once; later calls keep the first value and return it.
    virtual Result<double> fixStartingEquity(const QUuid &id, double equity) = 0;

    // Leases: the runs a host should hold — desired RUNNING or STOP_AND_CLOSE, or status not final — whose lease is
    // free, expired or already `hostId`'s, all taken (or renewed) for `leaseMs` in one statement; returns them.
    virtual Result<std::vector<LiveRunRecord>> claimRuns(const QString &hostId, qint64 leaseMs) = 0;
    // Gives up the lease of `id` (a clean stop or exit).
    virtual Result<void> releaseRun(const QUuid &id, const QString &hostId) = 0;

    // APPROVE mode. decideSignal records the trader's answer and notifies the hosts; a second answer to the same
    // signal is an error naming the first ("signal S of run R was already approved at ..."). takeSignalDecisions
    // returns the answers no host has taken yet for the runs leased by `hostId`, marking them taken in the same
    // statement (each answer reaches one host once), oldest first.
    virtual Result<void> decideSignal(const QUuid &runId, const QString &signalId, SignalAnswer answer) = 0;
    virtual Result<std::vector<SignalDecision>> takeSignalDecisions(const QString &hostId) = 0;
};

} // namespace bd
