#pragma once
// The strategy API. A strategy sees each bar once, at its close, and answers with actions.
// The engine (backtest now, live later) turns the actions into orders:
//  * OPEN_TRADE     -> market order filled at the NEXT bar's open (BUY at ask, SELL at bid).
//  * CLOSE_POSITION -> market close at the next bar's open; ticket 0 closes every open position.
//  * MODIFY_SLTP    -> new SL/TP, in force from the next bar; ticket 0 modifies every open position.
// A strategy must be deterministic given the bars it has seen; it owns no threads and does no I/O.

#include "bar.h"
#include "symbolspec.h"
#include "tradetypes.h"

#include <QString>

#include <span>
#include <vector>

namespace bd {

enum class ActionType { OpenTrade, ClosePosition, ModifySltp };

inline const char *actionTypeName(ActionType t)
{
    switch (t) {
    case ActionType::OpenTrade: return "OPEN_TRADE";
    case ActionType::ClosePosition: return "CLOSE_POSITION";
    case ActionType::ModifySltp: return "MODIFY_SLTP";
    }
    return "UNKNOWN";
}

struct Action {
    ActionType type = ActionType::OpenTrade;
    Side side = Side::Buy;      // OPEN_TRADE
    double volume = 0.0;        // OPEN_TRADE: lots; 0 = size from riskPercent
    double riskPercent = 0.0;   // OPEN_TRADE: % of equity lost if the SL is hit (needs sl)
    double sl = 0.0;            // price; 0 = none (MODIFY_SLTP: 0 = leave unchanged)
    double tp = 0.0;            // price; 0 = derive from rr when rr > 0 (MODIFY_SLTP: 0 = leave unchanged)
    double rr = 0.0;            // OPEN_TRADE: TP = entry ± |entry − sl| · rr when tp == 0
    quint64 ticket = 0;         // CLOSE_POSITION / MODIFY_SLTP: 0 = all open positions
    QString comment;

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

// What a strategy may read when it decides. Valid only during the onBar call.
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
};

} // namespace bd
