#pragma once
// The idempotency key of a live run's trade intent (issue 9 §3): the same signal of the same run on the same bar
// always gives the same key, so an intent persisted under a unique constraint BEFORE it is sent can never become a
// second order — after a crash, a restart or a replayed bar, the key is found and the order is asked about
// (order.status) instead of sent again.
//
//   key = lowercase hex SHA-256 of the UTF-8 text
//         "botdesk-intent-v1\n" + live_run_id + "\n" + bar_time + "\n" + symbol + "\n" + side + "\n" + fingerprint
//   live_run_id: the QUuid without braces, lowercase; bar_time: the deciding bar's open time, UTC epoch ms, in
//   decimal; symbol: BotDesk's name; side: "BUY" or "SELL"; fingerprint: the strategy's description of the signal
//   (e.g. the action type and its parameters), any text.
// Fields are separated by a newline, so a field containing "\n" would make two inputs collide: such a symbol or
// fingerprint is refused (an error naming it).
//
// client_req_id (what the bridge de-duplicates on, 1..36 chars of [A-Za-z0-9_-]) = the key's first 32 hex digits.

#include "result.h"
#include "tradetypes.h"

#include <QString>
#include <QUuid>

namespace bd {

struct IntentIdentity {
    QUuid liveRunId;
    qint64 barTimeMs = 0;  // the deciding bar's open time, UTC epoch ms
    QString symbol;        // BotDesk's name, e.g. "EURUSD"
    Side side = Side::Buy;
    QString fingerprint;   // the signal, as the strategy describes it
};

// 64 lowercase hex digits. Errors: a null run id, or a symbol or fingerprint containing a newline.
Result<QString> idempotencyKey(const IntentIdentity &intent);

// The client_req_id sent with the intent's order: the key's first 32 hex digits.
QString clientReqIdFor(const QString &idempotencyKey);

} // namespace bd
