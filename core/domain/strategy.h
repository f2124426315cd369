#pragma once
// The strategy API. A strategy sees each bar once, at its close, and answers with actions.
// The engine (backtest now, live later) turns the actions into orders:
//  * OPEN_TRADE     -> market order filled at the NEXT bar's open (BUY at ask, SELL at bid).
//  * CLOSE_POSITION -> market close at the next bar's open: every open position (ticket 0), one side's positions
//                      (onlySide) or one ticket; with a volume, part of the most recent matching position.
//  * REDUCE_POSITION -> market close of `volume` lots at the next bar's open, most recent position first (LIFO),
//                      across as many positions as it takes; optionally one side only.
//  * MODIFY_SLTP    -> new SL/TP, in force from the next bar; ticket 0 modifies every open position.
// Every exit fills like a close: a long at bid − slippage, a short at ask + slippage (docs/backtest-model.md,
// "Closes, partial closes and reductions"). The same actions come from native and Python strategies (the Python
// host builds these structs; docs/python-strategies.md).
// A strategy must be deterministic given the bars it has seen; it owns no threads and does no I/O.

#include "bar.h"
#include "markettick.h"
#include "symbolspec.h"
#include "tradetypes.h"

#include <QString>

#include <optional>
#include <span>
#include <vector>

namespace bd {

enum class ActionType { OpenTrade, ClosePosition, ModifySltp, ReducePosition };

inline const char *actionTypeName(ActionType t)
{
    switch (t) {
    case ActionType::OpenTrade: return "OPEN_TRADE";
    case ActionType::ClosePosition: return "CLOSE_POSITION";
    case ActionType::ModifySltp: return "MODIFY_SLTP";
    case ActionType::ReducePosition: return "REDUCE_POSITION";
    }
    return "UNKNOWN";
}

// Volumes are in lots and rounded DOWN to the symbol's volume step (with a 10^-9 step tolerance). What the engine
// refuses (journal line, counted in BacktestResult::rejectedOrders, the run goes on):
//  * CLOSE_POSITION with a volume, REDUCE_POSITION: a volume that is negative or not finite; a volume (after
//    rounding) below the symbol's volume min, or a part that would leave an open remainder below the volume min
//    (MT5 retcode 10014 TRADE_RETCODE_INVALID_VOLUME); a volume above the volume of the position (CLOSE_POSITION) or
//    of all matching positions (REDUCE_POSITION) (MT5 retcode 10038 TRADE_RETCODE_INVALID_CLOSE_VOLUME); no open
//    position that matches. A REDUCE_POSITION is all or nothing: when one of its parts is refused, nothing closes.
//  * CLOSE_POSITION by ticket when that ticket is not open.
// A whole CLOSE_POSITION of every position (ticket 0), or of one side, that finds none open does nothing (no journal).
struct Action {
    ActionType type = ActionType::OpenTrade;
    Side side = Side::Buy;      // OPEN_TRADE
    // OPEN_TRADE: lots; 0 = size from riskPercent.
    // CLOSE_POSITION: lots to close from the most recent matching position (a partial close, or the whole position
    // when equal to its volume); 0 = close every matching position whole.
    // REDUCE_POSITION: lots to close, > 0: most recent matching position first, each closed whole while the rest to
    // close is at least its volume, the last one touched closed in part.
    double volume = 0.0;
    double riskPercent = 0.0;   // OPEN_TRADE: % of equity lost if the SL is hit (needs sl)
    double sl = 0.0;            // price; 0 = none (MODIFY_SLTP: 0 = leave unchanged)
    double tp = 0.0;            // price; 0 = derive from rr when rr > 0 (MODIFY_SLTP: 0 = leave unchanged)
    double rr = 0.0;            // OPEN_TRADE: TP = entry ± |entry − sl| · rr when tp == 0
    quint64 ticket = 0;         // CLOSE_POSITION / MODIFY_SLTP: 0 = all open positions (REDUCE_POSITION: not used)
    // CLOSE_POSITION / REDUCE_POSITION: only positions of this side; none = both sides. With a ticket, the ticket's
    // position must also be of this side.
    std::optional<Side> onlySide;
    QString comment;            // OPEN_TRADE: the position's comment (closes and reductions: not used yet)

    static Action openTrade(Side side, double riskPercent, double sl, double tp, double rr, QString comment = {})
    {
        Action a;
        a.type = ActionType::OpenTrade;
        a.side = side;
        a.riskPercent = riskPercent;
        a.sl = sl;
        a.tp = tp;
        a.rr = rr;
        a.comment = std::move(comment);
        return a;
    }
    static Action closePosition(quint64 ticket = 0, QString comment = {})
    {
        Action a;
        a.type = ActionType::ClosePosition;
        a.ticket = ticket;
        a.comment = std::move(comment);
        return a;
    }
    // Every open position of `side` (none = both sides), whole.
    static Action closeSide(std::optional<Side> side, QString comment = {})
    {
        Action a = closePosition(0, std::move(comment));
        a.onlySide = side;
        return a;
    }
    // `volume` lots of the most recent position that matches `ticket` (0 = any) and `side` (none = any).
    static Action closePart(double volume, quint64 ticket = 0, std::optional<Side> side = std::nullopt,
                            QString comment = {})
    {
        Action a = closePosition(ticket, std::move(comment));
        a.volume = volume;
        a.onlySide = side;
        return a;
    }
    static Action reducePosition(double volume, std::optional<Side> side = std::nullopt, QString comment = {})
    {
        Action a;
        a.type = ActionType::ReducePosition;
        a.volume = volume;
        a.onlySide = side;
        a.comment = std::move(comment);
        return a;
    }
    static Action modifySltp(quint64 ticket, double sl, double tp)
    {
        Action a;
        a.type = ActionType::ModifySltp;
        a.ticket = ticket;
        a.sl = sl;
        a.tp = tp;
        return a;
    }
};

// What a strategy may read when it decides. Valid only during the onBar (onTick) call.
struct StrategyContext {
    const SymbolSpec &symbol;
    double balance = 0.0;                 // deposit currency
    double equity = 0.0;                  // balance + floating P/L at this bar's close
    std::span<const Position> positions;  // open positions (includes ones opened by this strategy only)
    qint64 barIndex = 0;                  // 0-based index of the closed bar in the test
    int spreadPoints = 0;                 // spread in force at this bar's close, points
};

class Strategy {
public:
    virtual ~Strategy() = default;
    virtual QString name() const = 0;
    // Bars the strategy must see before the first bar on which it can decide an order (its warm-up: the
    // longest indicator period it waits for). With N bars of data an order can fill only when
    // N >= warmupBars() + 2 (the deciding bar and the next one to fill at). The engine warns when the data
    // is shorter; 0 = no warm-up.
    virtual qint64 warmupBars() const { return 0; }
    // Called once per closed bar, in time order. Append actions to `actions` (it arrives empty).
    virtual void onBar(const Bar &bar, const StrategyContext &context, std::vector<Action> &actions) = 0;

    // The live tick mode (issue 7; the live engine is a later issue) will call onTick with every price update of the
    // symbol between bar closes, for strategies whose wantsTicks() is true, and turn its actions into orders as it
    // does onBar's. The context is that of the last closed bar (barIndex, balance, equity, positions, spread as then
    // known). The BACKTEST ENGINE DOES NOT CALL onTick: it runs on bars only, so a strategy's backtest is its onBar.
    // Default: no ticks wanted, onTick does nothing.
    virtual bool wantsTicks() const { return false; }
    virtual void onTick(const MarketTick &tick, const StrategyContext &context, std::vector<Action> &actions)
    {
        Q_UNUSED(tick);
        Q_UNUSED(context);
        Q_UNUSED(actions);
    }
};

} // namespace bd
