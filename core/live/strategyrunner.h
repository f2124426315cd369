#pragma once
// StrategyRunner: the part of the engine a live run shares with the backtest (issue 9 §1) — it feeds a Strategy the
// run's closed bars in time order, each exactly once, with the context the strategy decides on, and collects its
// actions. Only the clock, the feed and the venue differ between backtest and live: the live run feeds the bridge's
// bars (warm-up history first) and hands the decisions to the TradeService.
//
// Rules (the backtest engine's, core/engine/backtestengine.h):
//  * A bar is handled once: a bar whose open time is not after the last handled one is ignored (a replayed or
//    backfilled bar after a reconnect). The runner cannot tell a forming bar from a closed one (Bar has no flag):
//    the caller hands it closed bars only. A bar the backtest would refuse (a price not positive and finite, or
//    low/high not enclosing open and close) is ignored too, so the strategy sees only bars the backtest lets through.
//  * Warm-up bars (history before the run started) are fed to the strategy, which updates its indicators, but their
//    actions are dropped: a run never trades on a bar it did not see live.
//  * barIndex counts every bar fed, warm-up included (0-based), as the backtest counts bars from the file's start.
//  * Tick mode (DecisionMode::Tick): onTick is called for strategies whose wantsTicks() is true, with the context of
//    the last closed bar; before the first live bar it is not called.
// Not thread-safe; one runner per run, used on the run's thread. Times: UTC epoch milliseconds.
// An exception thrown by the strategy passes through to the caller (the bar then counts as not handled).

#include "bar.h"
#include "markettick.h"
#include "strategy.h"
#include "symbolspec.h"

#include <optional>
#include <vector>

namespace bd {

// The run's view of its account when a bar closes or a tick arrives.
struct AccountView {
    double balance = 0.0;              // account currency
    double equity = 0.0;
    std::vector<Position> positions;   // this run's open positions (tickets are the broker's)
    int spreadPoints = 0;              // spread in force, points
};

// What the strategy decided on one bar (or tick): its actions, with the bar that decided them.
struct Decision {
    qint64 barTimeMs = 0;              // the deciding bar's open time (a tick decision: the last closed bar's)
    qint64 barIndex = 0;
    std::optional<qint64> tickTimeMs;  // set when a tick decided it
    std::vector<Action> actions;       // never empty
};

class StrategyRunner {
public:
    // `strategy` and `symbol` must outlive the runner.
    StrategyRunner(Strategy &strategy, const SymbolSpec &symbol);

    qint64 warmupBars() const;
    // True once the strategy has seen warmupBars() bars (so its next live bar can trade).
    bool warmedUp() const;
    qint64 barsSeen() const;
    // Open time of the last handled bar; 0 = none yet.
    qint64 lastBarTimeMs() const;

    // A warm-up (history) bar: the strategy sees it, any actions are dropped. False when ignored (not after the last).
    bool feedWarmup(const Bar &bar, const AccountView &view);
    // A live closed bar: the strategy's decision, or nothing (no action, or the bar was ignored). `ignored` (optional)
    // tells which.
    std::optional<Decision> onClosedBar(const Bar &bar, const AccountView &view, bool *ignored = nullptr);
    // A tick between bar closes (tick mode): the strategy's decision or nothing.
    std::optional<Decision> onTick(const MarketTick &tick, const AccountView &view);

private:
    Strategy &m_strategy;
    const SymbolSpec &m_symbol;
    qint64 m_barsSeen = 0;
    qint64 m_lastBarTimeMs = 0;
    bool m_liveSeen = false;
    std::vector<Action> m_actions;
};

} // namespace bd
