#pragma once
// A strategy's Action (strategy.h) turned into the orders a live run sends for it (issue 9 §3), against the run's OWN
// open positions only — never another run's or a manual one. Pure: the same action, positions and quote always give
// the same orders.
//
//  * OPEN_TRADE → one OPEN: side, risk % or volume, SL as a distance in points from the expected entry (ask for BUY,
//    bid for SELL; rounded half away from zero to whole points), TP as given, else from rr when rr > 0, else none
//    (the backtest's rule: an OPEN_TRADE with neither tp nor rr has no TP; TradeIntent::rr is then 0).
//  * CLOSE_POSITION → one CLOSE per matching position (ticket, side), whole; with a volume, one CLOSE of that volume
//    of the most recent matching position (a partial close).
//  * REDUCE_POSITION → CLOSEs of the most recent matching positions first until the volume is taken (the last one in
//    part); all or nothing.
//  * MODIFY_SLTP → one MODIFY per matching position (ticket 0 = all of the run's), 0 leaving SL or TP unchanged
//    (the plan carries the current level); levels are snapped to the symbol's grid. A position whose levels would
//    not change gets no plan (MT5 would answer 10025 NO_CHANGES), and a ticket that is not open plans nothing (as in
//    the backtest). A negative or non-finite level is refused.
// Volumes are rounded DOWN to the symbol's volume step (10^-9 step tolerance), and refused as the backtest refuses
// them (strategy.h): the refusal names the action, the volume and the MT5 retcode (10014 / 10038), and no order is
// planned for the action. A whole close that finds no position plans nothing and is not an error; a close of a
// ticket that is not open (or not of onlySide) is refused, as the backtest refuses it. OPEN_TRADE's own refusals are
// the backtest's too: a negative or non-finite number, no volume and no risk %/SL to size from, an SL on the wrong
// side of the expected entry (10016), a given volume below the volume min or above the volume max (10014; the
// backtest caps a volume above the max, a live order must not silently shrink). Volume from risk % is left to
// buildTradeRequest (plan volume 0).
// The fingerprint is the action type, side, tickets, volumes and levels written exactly ('g', 17 digits): the same
// action on the same positions always gives the same text, any other action another.
// Units: prices in quote currency, volume in lots, SL distance in points.

#include "result.h"
#include "strategy.h"
#include "symbolspec.h"
#include "traderequestbuilder.h"
#include "tradeintent.h"
#include "tradestore.h"

#include <span>
#include <vector>

namespace bd {

struct OrderPlan {
    IntentAction action = IntentAction::Open;
    TradeIntent intent;            // OPEN: the entry; CLOSE/MODIFY: side = the position's side, symbol, lineage
    quint64 positionTicket = 0;    // CLOSE / MODIFY
    double volume = 0.0;           // CLOSE: lots to close; OPEN: as intent.volume (0 = from risk %)
    double sl = 0.0, tp = 0.0;     // MODIFY: the new absolute levels (0 = unchanged, resolved to the current one)
    QString fingerprint;           // the signal, for the idempotency key: action type, side, ticket, volume, levels
    QString closeReason;           // CLOSE: STRATEGY_EXIT for a strategy's action (with closeSubreason EXIT_LONG /
    QString closeSubreason;        // EXIT_SHORT by the position's side); the desk and the guardrails set their own
};

// The orders for `action` given the run's open `positions` (most recent last, as the broker lists them by open time)
// and the current `quote`. `base` carries the lineage (account, live run, bot version, source, signal id, reason,
// correlation id, magic) copied into every plan's intent. Error: a refusal as described above.
Result<std::vector<OrderPlan>> plansForAction(const Action &action, std::span<const Position> positions,
                                              const SymbolSpec &symbol, const Quote &quote, const TradeIntent &base);

} // namespace bd
