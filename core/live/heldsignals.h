#pragma once
// Held signals: what an APPROVE-mode run is waiting for the trader to answer (issue 9 §2), read from the run's events
// by any BotDesk on the database (the run itself holds them in memory: LiveRunExecutor).
//
// A signal is held from its SignalReceived event (payload signal_id, bar_time, actions, expires_at) until the first of:
// SignalApproved, SignalRejected, SignalExpired with the same signal_id, or its expires_at. An event of another type,
// or of a run in AUTO mode (no expires_at), holds nothing.

#include "liverunstore.h"
#include "tradestore.h"

#include <QString>

#include <vector>

namespace bd {

struct HeldSignalView {
    QString signalId;
    qint64 barTimeMs = 0;      // the deciding bar's open time, UTC epoch ms
    qint64 receivedAtMs = 0;   // the SignalReceived event's time, UTC epoch ms
    qint64 expiresAtMs = 0;    // dropped (SignalExpired) at this time unless answered, UTC epoch ms
    QString message;           // the SignalReceived event's line ("1 action(s) on the bar of ...")
};

// The signals still held at `nowMs` (UTC epoch ms), oldest first. `events`: the run's events in any order.
std::vector<HeldSignalView> heldSignals(const std::vector<LiveEvent> &events, qint64 nowMs);

// Why `signalId` cannot be answered at `nowMs`, in words ("it expired at 2024-01-02 10:05:00 UTC", "it was approved
// at ...", "the run has no signal 'x'; held now: a, b"), or an empty string when it is held.
QString whySignalNotHeld(const std::vector<LiveEvent> &events, const QString &signalId, qint64 nowMs);

// The run's signal events (SignalReceived, SignalApproved, SignalRejected, SignalExpired), read through `trades`.
Result<std::vector<LiveEvent>> signalEventsOf(TradeStore &trades, const QUuid &runId);

// The trader's answer to a held signal, as every BotDesk gives it (`botdesk-cli live approve|reject`, the Live page):
// refused unless the run exists, is in APPROVE mode and still holds the signal at `nowMs` (UTC epoch ms); then
// written with LiveRunStore::decideSignal, which the run's host takes. Errors say why: "live run 1a2b3c4d is in AUTO
// mode: its signals are sent without approval", "signal 'S' of live run 1a2b3c4d: it expired at ...", or the store's.
Result<void> answerHeldSignal(LiveRunStore &runs, TradeStore &trades, const QUuid &runId, const QString &signalId,
                              SignalAnswer answer, qint64 nowMs);

} // namespace bd
