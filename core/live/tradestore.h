#pragma once
// TradeStore: the durable record of what live trading did (issue 9 §3, §5): every trade intent under its idempotency
// key BEFORE its order is sent, the intent's outcome, the trades (positions) with their lineage and close reasons,
// the run's events and heartbeats, and the bars its strategy was fed (for the replay parity check, liveparity.h).
//
// core defines the port; connectors/postgres implements it (PgTradeStore, migrations 0003 and 0004).
// Threads: one instance per thread, used only on the thread that created it. Calls block that thread while the store
// talks to its server: an order waits for its intent's record (that is the point).
// Errors: every call returns a Result whose message names the record (key, ticket, run) and the cause; on error
// nothing was written. An intent that could not be persisted must not be sent.
// Units: prices in quote currency, volume in lots, money in the account currency, times UTC epoch milliseconds.

#include "bar.h"
#include "result.h"
#include "tradeintent.h"
#include "tradetypes.h"

#include <QJsonObject>
#include <QString>
#include <QUuid>
#include <QtGlobal>

#include <functional>
#include <optional>
#include <vector>

namespace bd {

// Where an intent stands. PERSISTED: recorded, not yet sent. SENT: handed to the broker port (its client_req_id in
// the connector's outbox). DONE: executed (deal) or placed (pending order). REJECTED: the broker refused it (retcode)
// or the connector refused it before sending. DENIED: a guardrail or validation refused it (never sent). UNKNOWN:
// the outcome could not be learnt yet; asked about with order.status, never resent under a new id.
enum class IntentState { Persisted, Sent, Done, Rejected, Denied, Unknown };
// DONE, REJECTED and DENIED: nothing more will happen to the intent.
inline bool isFinal(IntentState s)
{
    return s == IntentState::Done || s == IntentState::Rejected || s == IntentState::Denied;
}
const char *intentStateName(IntentState s);  // "PERSISTED" .. "UNKNOWN"
std::optional<IntentState> intentStateFromName(QStringView name);

// What an intent asks the broker to do.
enum class IntentAction { Open, Close, Modify };
const char *intentActionName(IntentAction a);  // "OPEN", "CLOSE", "MODIFY"
std::optional<IntentAction> intentActionFromName(QStringView name);

struct IntentRecord {
    QString idempotencyKey;        // 64 hex (idempotencykey.h); UNIQUE
    QString clientReqId;           // the key's first 32 hex; UNIQUE
    IntentAction action = IntentAction::Open;
    TradeIntent intent;            // account, symbol, side, lineage (source, live run, bot version, signal, reason,
                                   // correlation id)
    quint64 positionTicket = 0;    // CLOSE / MODIFY: the position it acts on
    double volume = 0.0;           // lots the order carries (OPEN: sized; CLOSE: the part closed)
    double price = 0.0;            // expected entry / close price
    double sl = 0.0, tp = 0.0;     // absolute prices, 0 = none
    qint64 barTimeMs = 0;          // the deciding bar's open time (0 for a manual order)
    QString closeReason;           // CLOSE: why (STRATEGY_EXIT, MANUAL_CLOSE, RISK_CUTOFF, ...; LiveTrade::closeReason)
    QString closeSubreason;        // CLOSE: EXIT_LONG, EXIT_SHORT, ... or empty
    QJsonObject request;           // the mt5b request as sent (for audit), may be empty
    IntentState state = IntentState::Persisted;
    int retcode = 0;               // MT5 retcode of the outcome (0 until known)
    QString message;               // refusal / denial / error text
    quint64 orderTicket = 0;       // the broker's order ticket once known
    quint64 dealTicket = 0;        // the executing deal once known
    double fillPrice = 0.0;        // the deal's price once known
    qint64 createdAtMs = 0;        // filled by the store
    qint64 updatedAtMs = 0;        // filled by the store
};

// The outcome of persisting an intent: `created` false means the key was already there — the SAME intent (a replayed
// bar, a restart): `stored` is the existing record and the caller must not send a new order for it.
struct PersistedIntent {
    bool created = true;
    IntentRecord stored;
};

// One position opened by live trading, with its lineage. Closed when closedVolume reaches volume.
struct LiveTrade {
    QString account;
    quint64 positionTicket = 0;    // MT5 position ticket; (account, positionTicket) UNIQUE
    QUuid liveRunId;               // null for a manual or adopted position without a run
    QUuid botVersionId;
    TradeSource source = TradeSource::Bot;
    QString correlationId;
    QString idempotencyKey;        // of the opening intent (empty for an adopted position)
    QString symbol;                // BotDesk's name
    Side side = Side::Buy;
    double volume = 0.0;           // lots opened
    double openPrice = 0.0;
    qint64 openTimeMs = 0;
    double sl = 0.0, tp = 0.0;     // as last known
    double commission = 0.0;       // sum over its deals (negative = cost)
    double swap = 0.0;
    double profit = 0.0;           // realised, sum over its closing deals
    double closedVolume = 0.0;
    std::optional<qint64> closeTimeMs;   // set when fully closed
    double closePrice = 0.0;             // the last closing deal's price
    QString closeReason;                 // TP_HIT, SL_HIT, STRATEGY_EXIT, MANUAL_CLOSE, RISK_CUTOFF,
                                         // RECONCILER_CLEANUP, STOP_OUT
    QString closeSubreason;              // EXIT_LONG, EXIT_SHORT, TRAILING_STOP_HIT, TIME_STOP, INVALIDATION or empty
    bool adopted = false;                // found at the broker with our magic, unknown to the database (reconciler)
};

// One closing deal of a trade (a partial close, or the last one). (account, dealTicket) UNIQUE: recording the same
// deal twice is a no-op.
struct TradeClose {
    QString account;
    quint64 positionTicket = 0;
    quint64 dealTicket = 0;
    quint64 orderTicket = 0;
    double volume = 0.0;
    double price = 0.0;
    double profit = 0.0, commission = 0.0, swap = 0.0;
    qint64 timeMs = 0;
    QString closeReason;           // as LiveTrade::closeReason
    QString closeSubreason;
    QString correlationId;         // of the closing intent (empty when the broker closed it: SL/TP/stop-out)
};

// What a run did, in order (issue 9 §5): SignalReceived, SignalApproved, SignalRejected, SignalExpired, IntentDenied,
// OrderSent, OrderRejected, TradeExecuted, TradeClosed, GuardrailTripped, DrawdownCapTriggered, DrawdownReduction,
// RunStatusChanged, HeartbeatStale, ReconcilerAdopted, ReconcilerClosed, Error.
struct LiveEvent {
    qint64 id = 0;                 // filled by the store (increasing)
    QUuid liveRunId;               // null for an account-wide event
    QString account;
    QString type;
    QString correlationId;
    qint64 atMs = 0;
    QString message;               // one line for people ("Drawdown 23.5% exceeds cap 20%; closed 5 positions")
    QJsonObject payload;           // the figures (execution ms, fill price, slippage points, ...)
};

// Every 10 s per running run (issue 9 §5).
struct Heartbeat {
    QUuid liveRunId;
    qint64 atMs = 0;
    qint64 signalsReceived = 0;
    qint64 intentsSent = 0, intentsSucceeded = 0, intentsFailed = 0;
    qint64 trades = 0;
    qint64 errors = 0;
    double loopMs = 0.0;           // the last bar's handling time, ms
    qint64 lastActionAtMs = 0;     // 0 = none yet
};

// One bar a run's strategy was fed (issue 9 §1: the bars a live run received, replayed through the backtester, give
// the same decisions). bar.timeMs is the bar's open time in UTC (the server clock converted with the link's offset),
// prices are bid prices in quote currency, spreadPoints the feed's spread in points (-1 = none). warmup: the strategy
// saw the bar but its actions were dropped (history before the run started, or a run not trading: pending, halted,
// stopping). A bar the runner ignored (seen before, or not a valid price) is not a RunBar.
struct RunBar {
    Bar bar;
    bool warmup = false;
};

// What the runs monitor shows of one run's trading (issue 10 §4), for every run the login sees at once.
// Money in the account currency, realised only: the floating P/L of open positions is not in the database.
struct RunActivity {
    QUuid liveRunId;
    double realisedProfit = 0.0;   // sum of profit + commission + swap over the run's trades (closed parts)
    int openPositions = 0;         // the run's trades not fully closed
    int trades = 0;                // trades the run ever opened
    int tradesSince = 0;           // of those, opened at or after `sinceMs` (runActivity's argument)
    std::optional<Heartbeat> lastHeartbeat;  // the newest heartbeat; none before the first
};

class TradeStore {
public:
    virtual ~TradeStore() = default;

    // Inserts `intent` (state as given, usually PERSISTED or DENIED) under its idempotency key, committed before
    // returning (inside inOneCommit: committed with the others). An existing key returns {created=false, the stored
    // record} and writes nothing.
    virtual Result<PersistedIntent> persistIntent(const IntentRecord &intent) = 0;
    // Runs `writes` (this store's writes on this thread, e.g. several persistIntent) in one transaction: committed
    // together, with one wait for the disk, or not at all. Returns the error `writes` returned (everything rolled
    // back), or the commit's; success means everything written is durable. The default (a store without
    // transactions) runs them as they come.
    virtual Result<void> inOneCommit(const std::function<Result<void>()> &writes) { return writes(); }
    // Updates the intent's state and outcome fields (state, retcode, message, orderTicket, dealTicket, fillPrice).
    // Unknown key: error.
    virtual Result<void> updateIntent(const IntentRecord &intent) = 0;
    virtual Result<IntentRecord> intent(const QString &idempotencyKey) = 0;
    virtual Result<std::optional<IntentRecord>> intentByClientReqId(const QString &clientReqId) = 0;
    // Intents of `account` in PERSISTED, SENT or UNKNOWN, oldest first (resolved with order.status after a restart).
    virtual Result<std::vector<IntentRecord>> unfinishedIntents(const QString &account) = 0;
    virtual Result<std::vector<IntentRecord>> intentsOfRun(const QUuid &liveRunId) = 0;

    // Records an opened position. An existing (account, positionTicket) is a no-op (returns success).
    virtual Result<void> recordTradeOpened(const LiveTrade &trade) = 0;
    // Records a closing deal and adds it to its trade (profit, commission, swap, closedVolume); the trade is closed
    // (closeTimeMs, closePrice, closeReason, closeSubreason) when closedVolume reaches its volume (within 1e-9 lot).
    // An existing deal is a no-op. A position unknown to the store: error naming it.
    virtual Result<void> recordTradeClose(const TradeClose &close) = 0;
    // New SL/TP of an open trade.
    virtual Result<void> updateTradeStops(const QString &account, quint64 positionTicket, double sl, double tp) = 0;
    virtual Result<std::vector<LiveTrade>> openTrades(const QString &account) = 0;
    // The open trade of one position, or nullopt when the store has none open (unknown, or closed).
    virtual Result<std::optional<LiveTrade>> openTrade(const QString &account, quint64 positionTicket) = 0;
    virtual Result<std::vector<LiveTrade>> tradesOfRun(const QUuid &liveRunId) = 0;
    virtual Result<std::vector<TradeClose>> closesOfTrade(const QString &account, quint64 positionTicket) = 0;

    // Appends an event; returns its id, or 0 when the store defers events (written by the next flushEvents()).
    // An event that can never be written (a type that is not a name) is an error at once.
    virtual Result<qint64> appendEvent(const LiveEvent &event) = 0;
    // Writes the deferred events, oldest first; returns how many were written (0 for a store that defers nothing).
    // Error: they could not be written; they are kept for the next call.
    virtual Result<int> flushEvents() { return 0; }
    // The run's events with id > afterId, oldest first, at most `limit`. `type` empty = every type.
    virtual Result<std::vector<LiveEvent>> events(const QUuid &liveRunId, qint64 afterId, int limit,
                                                  const QString &type = {}) = 0;
    virtual Result<std::vector<LiveEvent>> eventsByCorrelation(const QString &correlationId) = 0;

    virtual Result<void> recordHeartbeat(const Heartbeat &heartbeat) = 0;
    // The last `limit` heartbeats of the run, newest first.
    virtual Result<std::vector<Heartbeat>> heartbeats(const QUuid &liveRunId, int limit) = 0;

    // Records a batch of the run's bars in one statement, committed before returning; a bar already recorded (same
    // run and open time) is kept as it was. An empty batch writes nothing. Error (nothing written): the run is unknown
    // or not the login's, a price is not finite, the database cannot be reached.
    virtual Result<void> recordRunBars(const QUuid &liveRunId, const std::vector<RunBar> &bars) = 0;
    // Every recorded bar of the run in time order (empty when none was recorded).
    virtual Result<std::vector<RunBar>> runBars(const QUuid &liveRunId) = 0;

    // One RunActivity per live run the login sees (every run, hosted anywhere; a run without trades or heartbeats
    // has zeros and no heartbeat), in no particular order, read in one statement. `sinceMs` (UTC epoch ms) bounds
    // tradesSince, e.g. the start of the UTC day for "trades today".
    virtual Result<std::vector<RunActivity>> runActivity(qint64 sinceMs) = 0;
};

} // namespace bd
