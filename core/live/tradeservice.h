#pragma once
// TradeService: the ONE way an order reaches an MT5 account (issue 9 §3), for bots (BOT), the desk's order ticket
// (MANUAL) and later assistants (AI). One instance per account, on the thread that hosts the account's live runs.
//
//   submit(plan) : build the MT5 request and check it against the symbol (buildTradeRequest, OPEN only)
//                → guardrails (checkEntry, OPEN only; a denial is persisted as DENIED with its reason and an
//                  IntentDenied event — never silent)
//                → persist the intent under its idempotency key (TradeStore::persistIntent, committed) — BEFORE sending
//                → send it (BrokerPort::sendOrder, client_req_id = the key's first 32 hex digits)
//   outcome      → persist the result (state, retcode, order and deal tickets, fill price), the trade it opened with
//                  its lineage, events (OrderSent, TradeExecuted with execution ms and slippage, OrderRejected)
//   deals        → closing deals recorded on their trades with a close reason: the broker's deal reason (SL → SL_HIT,
//                  TP → TP_HIT, SO → STOP_OUT), else the closing intent's (a bot's → STRATEGY_EXIT with EXIT_LONG /
//                  EXIT_SHORT, a manual one → MANUAL_CLOSE, a guardrail's → RISK_CUTOFF), else inferred from the
//                  position's SL/TP within half a tick, else RECONCILER_CLEANUP.
//
// Never twice: the same key persisted again (a replayed bar, a restart) is found and NOT sent again; its order is
// asked about (order.status) when its outcome is not known. Orders of one symbol of the account are sent one at a
// time (the next after the previous one's outcome), so two runs never race. A send refused because the link is down
// is retried under the SAME client_req_id with backoff (250 ms doubling to 2 s) while the intent is younger than
// `sendTtlMs`; after that it is REJECTED as expired, so a late reconnect never fires an old signal. An outcome the
// bridge could not learn stays UNKNOWN and is asked about again (order.status every `unknownPollMs`), never resent
// under a new id. After a restart, resumeUnfinished() asks about every PERSISTED, SENT or UNKNOWN intent of the
// account: a PERSISTED one the bridge never received is REJECTED as expired, not sent late.
//
// If the store cannot persist an intent (database down), submit returns the error and nothing is sent: the caller
// (the live run) shows a degraded state and decides again on the next bar.
// Threads: create and call on one thread; the BrokerPort lives on the connector's thread (queued calls both ways).
// Units: prices in quote currency, volume in lots, times UTC epoch milliseconds.

#include "brokerclock.h"
#include "brokerport.h"
#include "actionorders.h"
#include "guardrails.h"
#include "result.h"
#include "traderequestbuilder.h"
#include "tradestore.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <deque>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace spdlog { class logger; }

namespace bd {

struct TradeServiceConfig {
    QString account;               // the LiveAccount's name (stored with every intent and trade)
    qint64 magic = 0;              // ORDER_MAGIC on every order
    qint64 sendTtlMs = 30'000;     // a send refused (link down) is retried until the intent is this old
    qint64 unknownPollMs = 5'000;  // UNKNOWN outcomes are asked about this often
    // The clock (UTC epoch ms); tests may replace it.
    std::function<qint64()> nowMs;
};

// The guardrails an entry is checked against, with the state they see (from the live run).
struct EntryRisk {
    Guardrails limits;
    RunRiskState state;
};

class TradeService : public QObject {
    Q_OBJECT
public:
    // `store` must outlive the service and belong to this thread. `broker` lives on its own thread.
    TradeService(TradeServiceConfig config, TradeStore &store, mt5::BrokerPort *broker, QObject *parent = nullptr);
    ~TradeService() override;

    // What the service knows of the market and the account, from the feed (call on this thread).
    void setSymbol(const QString &symbol, const mt5::BrokerSymbol &brokerSymbol);  // symbol = BotDesk's name
    void setQuote(const QString &symbol, const Quote &quote);
    void setAccount(const mt5::AccountInfo &account);
    // The broker's clock (its last tick, server epoch ms) and its UTC offset: a trade's open time is the broker's
    // "now" at the fill and a close's time its deal's, both in UTC (brokerclock.h).
    void setServerTimeMs(qint64 serverMs) { m_clock.serverMs = serverMs; }
    void setServerUtcOffsetSec(qint64 offsetSec) { m_clock.utcOffsetSec = offsetSec; }

    // The pipeline above for one order. `barTimeMs` is the deciding bar's open time (0 for a manual order); `risk`
    // is required for an OPEN of a live run (nullptr: no guardrail, e.g. a manual order checked by the desk).
    // Returns the intent as persisted: PERSISTED (queued to send), DENIED (a guardrail or a symbol rule refused it;
    // persisted with its reason), or — for a key already stored — the stored record (not sent again). Error: the
    // intent could not be persisted (nothing sent), or nothing is known of the symbol or the market yet.
    Result<IntentRecord> submit(const OrderPlan &plan, qint64 barTimeMs, const EntryRisk *risk = nullptr);
    // Runs `submissions` (submit calls, e.g. every run of a desk acting on one bar) with their intents persisted in
    // one commit (TradeStore::inOneCommit): one wait for the disk for the bar's intents instead of one per order
    // (issue 9 §8). Their orders are sent once the commit is done, never before. When it fails, none is sent: each
    // intent the batch had queued is reported final through intentChanged (REJECTED, "not recorded: ...; not sent")
    // with an OrderRejected event. A store failure inside the batch fails the whole batch (a PostgreSQL transaction
    // cannot continue after one). When the transaction cannot begin, the submissions run one by one as without a
    // batch. Nested calls join the outer batch.
    void submitTogether(const std::function<void()> &submissions);

    // Asks the broker about every unfinished intent of the account (after a restart or a reconnect).
    Result<int> resumeUnfinished();

signals:
    void intentChanged(const bd::IntentRecord &intent);
    void tradeOpened(const bd::LiveTrade &trade);
    void tradeClosed(const bd::TradeClose &close);
    void eventRecorded(const bd::LiveEvent &event);
    // A close found its position already gone at the broker (closed by its SL/TP or by a deal BotDesk did not see):
    // the reconciler should look now.
    void positionGone(const QString &account, quint64 positionTicket);

private:
    // An intent waiting for its turn (or its retry) on its symbol, with the order that carries it.
    struct Pending {
        IntentRecord intent;       // as persisted
        mt5::TradeRequest request;
        qint64 submittedAtMs = 0;  // this process's clock: the signal's age decides a retry and signal → send
        int attempts = 0;
    };

    void onOutcome(const mt5::OrderOutcome &outcome);
    void onRefused(const QString &clientReqId, const QString &runId, const QString &reason);
    void onDeals(const QVector<mt5::Deal> &deals);
    void onAccount(const mt5::AccountInfo &account);
    void sendNext(const QString &symbol);
    void dispatch(Pending &pending);
    void pollUnknown();
    Result<mt5::TradeRequest> requestFor(const OrderPlan &plan, const mt5::BrokerSymbol &symbol, const Quote &quote,
                                         IntentRecord &record, const EntryRisk *risk, std::optional<GuardrailDenial> &denied);
    void record(IntentRecord &intent, IntentState state, const QString &message = {});
    void event(const IntentRecord &intent, const QString &type, const QString &message, const QJsonObject &payload = {});
    QString closeReasonFor(const mt5::Deal &deal, const std::optional<IntentRecord> &closing, const LiveTrade *trade) const;
    qint64 now() const;
    qint64 submittedAt(const IntentRecord &intent) const;  // when submit() took it, UTC ms
    // The intent of `clientReqId`: this service's own record when it is the one in flight (it wrote every state of
    // it, so an outcome costs no read), else the store's (sent before a restart, or by another service: nullopt).
    Result<std::optional<IntentRecord>> intentOf(const QString &clientReqId) const;

    TradeServiceConfig m_config;
    TradeStore &m_store;
    QPointer<mt5::BrokerPort> m_broker;
    std::shared_ptr<spdlog::logger> m_log;
    QHash<QString, mt5::BrokerSymbol> m_symbols;      // BotDesk name -> broker's
    QHash<QString, Quote> m_quotes;
    std::optional<mt5::AccountInfo> m_account;
    BrokerClock m_clock;
    struct Batch {
        std::vector<std::pair<QString, QString>> queued;  // (symbol, client_req_id) queued by the batch
        std::optional<QString> storeFailure;              // the first store error inside it
    };
    std::optional<Batch> m_batch;                      // while submitTogether runs
    QHash<QString, std::deque<Pending>> m_queues;      // per BotDesk symbol; front = in flight (when m_inFlight)
    QHash<QString, QString> m_inFlight;                // symbol -> client_req_id in flight
    QHash<QString, QString> m_unknown;                 // client_req_id -> symbol, outcome unknown
    QTimer m_retryTimer;
    QTimer m_unknownTimer;
};

} // namespace bd
