#pragma once
// PgLiveRunStore: the LiveRunStore port (core/live/liverunstore.h) on BotDesk's PostgreSQL database (tables accounts
// and live_runs of migration 0003), through one thread's Database connection.
//
//   Database db(target, options);   // on the host's thread
//   PgLiveRunStore runs(db);        // uses db; does not own it (db must outlive the store)
//
// Every call is one statement or one transaction, committed before it returns; on error nothing of it was written
// and the message names the account or run and the cause.
//   setDesiredState: locks the run, writes the desired state (RUNNING on a STOPPED or ERROR run also moves it to
//     PENDING — Restart — and clears last_error; RUNNING on a HALTED run moves it to RUNNING — Resume) and sends
//     NOTIFY botdesk_live '<run id>' (the table's trigger does too when the desired state changed; PostgreSQL
//     delivers identical notifications of one transaction once).
//   applyStatusEvent: reads the status FOR UPDATE, checks nextStatus (liverun.h), writes: Start sets started_at,
//     a move to STOPPED or ERROR sets stopped_at; Fail and Halt set last_error to the message, Start and Restart
//     clear it.
//   claimRuns: one UPDATE ... RETURNING under READ COMMITTED: a row another host claimed while this statement waited
//     is re-checked after its commit, so a live lease is never taken twice. Lease times are the server's clock.
//   releaseRun: gives the lease up when `hostId` holds it; a lease another host holds (it took the run after ours
//     expired) is left alone and is not an error; an unknown run is.
//   fixStartingEquity: COALESCE(starting_equity, equity): the first value stays. Equity must be finite and > 0.
// Accounts are per login (unique (owner, name)); a run's account must be one of the login's accounts.
// Rows are written as the database login; row-level security decides what a login sees. Times: UTC epoch ms.

#include "database.h"
#include "liverunstore.h"

namespace bd {

class PgLiveRunStore final : public LiveRunStore {
public:
    explicit PgLiveRunStore(Database &db) : m_db(db) {}

    // The channel setDesiredState and the live_runs trigger notify, with the run id (uuid text) as payload.
    static constexpr const char *kChannel = "botdesk_live";

    Result<void> addAccount(const LiveAccount &account) override;
    Result<std::vector<LiveAccount>> accounts() override;
    Result<LiveAccount> account(const QString &name) override;
    Result<void> removeAccount(const QString &name) override;

    Result<LiveRunRecord> createRun(const LiveRunSpec &spec) override;
    Result<LiveRunRecord> run(const QUuid &id) override;
    Result<std::vector<LiveRunRecord>> runs(const QString &account = {}) override;
    Result<LiveRunRecord> setDesiredState(const QUuid &id, DesiredState desired) override;
    Result<LiveRunRecord> applyStatusEvent(const QUuid &id, LiveRunEvent event, const QString &message = {}) override;
    Result<double> fixStartingEquity(const QUuid &id, double equity) override;

    Result<std::vector<LiveRunRecord>> claimRuns(const QString &hostId, qint64 leaseMs) override;
    Result<void> releaseRun(const QUuid &id, const QString &hostId) override;
    Result<void> decideSignal(const QUuid &runId, const QString &signalId, SignalAnswer answer) override;
    Result<std::vector<SignalDecision>> takeSignalDecisions(const QString &hostId) override;

private:
    Result<std::vector<LiveRunRecord>> readRuns(const QString &sql, const QVariantList &values, const QString &what);
    Result<LiveRunRecord> readRun(const QUuid &id, const QString &what);
    // "no account 'x'; the accounts are 'a', 'b'" (or how to add one).
    Error unknownAccount(const QString &what, const QString &name);

    Database &m_db;
};

// Checks an account before it is stored: every field named with its fix (name, bridge URL ws:// or wss://, exactly
// one of token env / token key, magic > 0, server UTC offset -720..840 minutes, DST rule '' or 'EET').
Result<void> validateLiveAccount(const LiveAccount &account);

} // namespace bd
