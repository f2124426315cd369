#pragma once
// PgTradeStore: the TradeStore port (core/live/tradestore.h) on BotDesk's PostgreSQL database (tables trade_intents,
// live_trades, trade_closes, live_events, heartbeats of migration 0003, live_run_bars of 0004), through one thread's
// Database connection.
//
//   Database db(target, options);   // on the live run's thread
//   PgTradeStore trades(db);        // uses db; does not own it (db must outlive the store)
//
// Statements are prepared once per connection (Database::execPrepared: one round trip each instead of QPSQL's
// three), since a live desk runs them for every order; the deferred events' multi-row INSERT is the exception.
//
// Every call is one statement or one transaction (Database::transaction), committed before it returns; on error
// nothing of it was written, and the message names the record (idempotency key, account and ticket, run) and the
// cause (the Database's: unreachable, connection lost, statement refused).
//
// persistIntent is INSERT ... ON CONFLICT DO NOTHING (the key, or client_req_id: the key's prefix); when the key was there it reads the stored
// row in a second statement (which sees a row another connection committed meanwhile), so of two connections
// persisting the same key exactly one gets created=true. A key stored by another login (not visible here) is an
// error: the intent must not be sent.
//
// recordTradeClose is one transaction: it locks the trade, inserts the deal ON CONFLICT DO NOTHING and, only when the
// deal is new, adds it to the trade and closes the trade when closed_volume reaches volume (within 1e-9 lot).
//
// recordRunBars is one INSERT ... SELECT FROM unnest(one array per column) ON CONFLICT DO NOTHING, whatever the
// batch's size (8 bound values; the arrays travel as text, doubles with 17 significant digits so they read back
// equal).
//
// Rows are written as the database login (owner = current_user); row-level security decides what a login sees.
// Trades and closes are keyed by (owner, account, ticket): account names are per login (accounts table), so are they.
// Times: UTC epoch milliseconds; an event or heartbeat with atMs 0 is stamped with the server's clock.
// Input refused before anything is sent (error naming the field): an idempotency key that is not 64 lowercase hex, a
// client_req_id other than the key's first 32 hex, an empty account, a non-finite price or volume, a ticket of 0
// where one is needed, a limit < 1.

#include "database.h"
#include "tradestore.h"

#include <deque>

namespace bd {

class PgTradeStore final : public TradeStore {
public:
    explicit PgTradeStore(Database &db) : m_db(db) {}

    Result<PersistedIntent> persistIntent(const IntentRecord &intent) override;
    Result<void> inOneCommit(const std::function<Result<void>()> &writes) override { return m_db.transaction(writes); }
    Result<void> updateIntent(const IntentRecord &intent) override;
    Result<IntentRecord> intent(const QString &idempotencyKey) override;
    Result<std::optional<IntentRecord>> intentByClientReqId(const QString &clientReqId) override;
    Result<std::vector<IntentRecord>> unfinishedIntents(const QString &account) override;
    Result<std::vector<IntentRecord>> intentsOfRun(const QUuid &liveRunId) override;

    Result<void> recordTradeOpened(const LiveTrade &trade) override;
    Result<void> recordTradeClose(const TradeClose &close) override;
    Result<void> updateTradeStops(const QString &account, quint64 positionTicket, double sl, double tp) override;
    Result<std::vector<LiveTrade>> openTrades(const QString &account) override;
    Result<std::optional<LiveTrade>> openTrade(const QString &account, quint64 positionTicket) override;
    Result<std::vector<LiveTrade>> tradesOfRun(const QUuid &liveRunId) override;
    Result<std::vector<TradeClose>> closesOfTrade(const QString &account, quint64 positionTicket) override;

    Result<qint64> appendEvent(const LiveEvent &event) override;
    Result<int> flushEvents() override;
    // Events on a hot path (the live desks): `on` buffers appendEvent (id 0, the time stamped at the call) until
    // flushEvents(), which writes them in a few multi-row statements — a crash loses at most the events since the
    // last flush, never an intent, a trade or a close. Reads of events flush first. At most kMaxDeferredEvents are
    // kept while the database is down (the oldest are dropped beyond, with an error line).
    void deferEvents(bool on) { m_deferEvents = on; }
    int deferredEvents() const { return int(m_deferred.size()); }
    static constexpr int kMaxDeferredEvents = 20'000;
    Result<std::vector<LiveEvent>> events(const QUuid &liveRunId, qint64 afterId, int limit,
                                          const QString &type = {}) override;
    Result<std::vector<LiveEvent>> eventsByCorrelation(const QString &correlationId) override;

    Result<void> recordHeartbeat(const Heartbeat &heartbeat) override;
    Result<std::vector<Heartbeat>> heartbeats(const QUuid &liveRunId, int limit) override;

    Result<void> recordRunBars(const QUuid &liveRunId, const std::vector<RunBar> &bars) override;
    Result<std::vector<RunBar>> runBars(const QUuid &liveRunId) override;
    // live_runs LEFT JOIN the trades' sums per run LEFT JOIN LATERAL the newest heartbeat (index heartbeats_run_at).
    Result<std::vector<RunActivity>> runActivity(qint64 sinceMs) override;

private:
    Result<std::vector<IntentRecord>> readIntents(const QString &where, const QVariantList &values, const QString &what);
    Result<std::vector<LiveTrade>> readTrades(const QString &where, const QVariantList &values, const QString &what);
    Result<std::vector<LiveEvent>> readEvents(const QString &where, const QVariantList &values, const QString &what);

    Database &m_db;
    bool m_deferEvents = false;
    std::deque<LiveEvent> m_deferred;  // appended, not written yet (deferEvents)
};

} // namespace bd
