#pragma once
// OrderOutbox: the durable record of every order BotDesk sent to a MetaTrader 5 bridge, keyed by client_req_id
// (issue 8 §2, MT5_PROTOCOL.md §4.10 "Keep an outbox of in-flight client_req_ids"). The connector records an order
// BEFORE its frame leaves the process and marks it final when the bridge's order.result arrives. After a crash,
// a restart or a dropped link, every unfinished entry is asked about with order.status instead of being sent again
// (sending again under the SAME id only when the bridge answers not_found).
//
// core defines the port; connectors/postgres implements it on BotDesk's database (PgOrderOutbox, table
// order_outbox); tests may use an in-memory one.
//
// Threads: one instance per thread, used only on the thread that created it (the connector's I/O thread). Calls may
// block that thread while the store talks to its server (an order waits for its record; that is the point).
// Errors: every call returns a Result whose message names the id and the cause; on error nothing was written. An
// order whose record failed must not be sent.

#include "result.h"

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <vector>

namespace bd::mt5 {

struct OutboxEntry {
    enum class State { InFlight, Final };
    QString clientReqId;    // 1..36 chars of [A-Za-z0-9_-]
    QString account;        // which bridge/account the order went to (e.g. "<login>@<server>" or the bridge URL)
    QString runId;          // the live run that sent it; empty for a manual order
    QByteArray requestJson; // the mt5b `request` object as sent (compact JSON, keys sorted)
    QString requestHash;    // sha256 hex of requestJson (what the bridge's idempotency map compares)
    State state = State::InFlight;
    QByteArray resultJson;  // the final order.result frame (compact JSON); empty while in flight
    qint64 createdAtMs = 0; // UTC epoch ms (filled by the store)
    qint64 updatedAtMs = 0;
};

class OrderOutbox {
public:
    virtual ~OrderOutbox() = default;

    // Records `entry` as in flight. Recording an id already present with the same request hash is a no-op (a
    // resend under the same id); with a different hash it is an error ("client_req_id X was already used for
    // another request; use a new id"), as the bridge would answer IDEMPOTENCY_CONFLICT.
    virtual Result<void> recordBeforeSend(const OutboxEntry &entry) = 0;
    // Marks `clientReqId` final with the bridge's order.result. Unknown id: error. Already final: the first
    // result stays (no error).
    virtual Result<void> markFinal(const QString &clientReqId, const QByteArray &resultJson) = 0;
    // The entries of `account` still in flight, oldest first.
    virtual Result<std::vector<OutboxEntry>> unfinished(const QString &account) = 0;
    // The entry `clientReqId` (any state); error naming it when absent.
    virtual Result<OutboxEntry> find(const QString &clientReqId) = 0;
};

} // namespace bd::mt5
