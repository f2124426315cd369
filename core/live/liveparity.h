#pragma once
// Replay parity of a live run (issue 9 §1): "the bars a live run received, replayed through the backtester, give the
// same decisions". The run recorded every bar its StrategyRunner was fed (TradeStore::runBars, warm-up flagged); the
// backtester runs the same version's strategy over exactly those bars; compareRunWithBacktest says whether the run's
// ENTRIES are the backtest's.
//
// What is compared: entries, as (deciding bar, side).
//  * A run entry is an OPEN intent of the run with its bar time (runEntriesOf), whatever became of it: DENIED by a
//    guardrail, REJECTED by the broker and DONE count alike — a decision is what the strategy asked for.
//  * A backtest entry decided on bar i is a trade it opened at bar i+1 (orders fill at the next bar's open,
//    backtestengine.h) or an OPEN it refused at bar i+1 (the journal's "order rejected: BUY|SELL" line at that bar).
//  * Only decisions on the run's live bars are compared: a warm-up bar's actions were dropped by the run (never
//    traded), and a decision on the LAST recorded bar has no next bar for the backtest to fill it at. A run entry on a
//    bar inside the recorded window that is not recorded is a mismatch (its bar is missing); one outside the window
//    (before the first recorded bar: a run hosted before BotDesk recorded bars, or after the last) is not compared.
//
// Why exits are not compared: the backtest trades from the first bar after the strategy's own warm-up, so during the
// run's warm-up bars it may open positions the live run never had; its SL/TP fills come from bars where the broker's
// come from ticks; the live run's positions can be closed by the trader, the drawdown cap or the reconciler. Exits
// therefore depend on history the two do not share. Entries of a strategy that decides on prices (ema_crossover,
// box_breakout) do not; a strategy whose entries depend on its open positions, balance or equity can legitimately
// differ, and so can a run hosted twice (a host restart warms the strategy up again from history) or decided on
// ticks (DecisionMode::Tick; the caller refuses those).
//
// Qt Core only; no I/O. Times: UTC epoch milliseconds (bar open times).

#include "backtestengine.h"
#include "tradestore.h"

#include <QString>

#include <vector>

namespace bd {

// One entry decision: the bar that decided it and the side it asked for.
struct ParityEntry {
    qint64 barTimeMs = 0;  // the deciding bar's open time
    Side side = Side::Buy;
};

// An entry only one side has; `note` says more when there is more to say ("its bar was not recorded").
struct ParityMismatch {
    enum class Where { RunOnly, BacktestOnly };
    Where where = Where::RunOnly;
    ParityEntry entry;
    QString note;
};

struct ParityReport {
    qint64 bars = 0;               // recorded bars
    qint64 liveBars = 0;           // ... not warm-up
    qint64 firstBarTimeMs = 0;     // the recorded window (0 when no bar)
    qint64 lastBarTimeMs = 0;
    qint64 firstLiveBarTimeMs = 0; // the live part of it (0 when no live bar)
    qint64 lastLiveBarTimeMs = 0;
    int runEntries = 0;            // run entries compared (on a live bar other than the last, or a missing bar)
    int runEntriesNotCompared = 0; // run entries outside the window, on a warm-up bar or on the last bar
    int matched = 0;               // run entries the backtest has too (trade or refusal)
    int matchedRefusals = 0;       // ... of which the backtest refused the order
    int backtestEntries = 0;       // backtest entries decided on a compared bar
    std::vector<ParityMismatch> mismatches;  // in bar time order
    // The backtest's journal holds its first 1,000 lines only: refusals beyond it are unknown, so an entry it
    // refused there shows as "only in the run". Set when the journal is full.
    bool journalFull = false;

    bool ok() const { return mismatches.empty(); }
    int runOnly() const;
    int backtestOnly() const;
};

// The run's entry decisions among its intents: OPEN, from the run's strategy (source BOT) and with a bar time.
std::vector<ParityEntry> runEntriesOf(const std::vector<IntentRecord> &intents);

// The recorded bars as the backtester takes them (time order kept).
Bars barsOf(const std::vector<RunBar> &bars);

// Compares `runEntries` with `backtest`, the result of runBacktest over barsOf(`bars`) with the run's strategy (its
// journal kept: BacktestControl::keepJournal). `bars` in strictly increasing time order, else an error naming the
// first bar out of order; a backtest trade opened at a time that is not a recorded bar is an error too (it was not run
// over these bars). No bars: an empty report.
Result<ParityReport> compareRunWithBacktest(const std::vector<RunBar> &bars, const std::vector<ParityEntry> &runEntries,
                                            const BacktestResult &backtest);

} // namespace bd
