#pragma once
// Bar-by-bar backtest of one strategy on one symbol (MT5 "1-minute OHLC" style fills).
//
// Fill model (documented in docs/backtest-model.md):
//  * Prices live on the symbol's grid: the engine converts every bar price, SL and TP to whole points
//    (SymbolSpec::toPoints, half away from zero) and compares integers, so ask = bid + spread exactly.
//    Prices handed back (Trade, Position) are points / 10^digits, the double that equals the decimal.
//    Bar prices off the grid are snapped to the nearest point, counted, and reported in `warnings`.
//  * Bars are bid prices. ask = bid + spread; spread from BacktestConfig::spreadPoints when >= 0,
//    else the bar's spread, else SymbolSpec::defaultSpreadPoints.
//  * Decisions happen at bar close; market orders fill at the NEXT bar's open: BUY at ask + slippage,
//    SELL at bid − slippage. Exits are the reverse side: a long closes at bid, a short at ask.
//  * SL/TP are checked inside every bar from the fill bar on, with the bar's high/low (long: bid; short:
//    ask = bid + spread). If both SL and TP lie inside one bar, the SL is taken (pessimistic).
//    A bar that opens beyond the SL (or TP) fills at that open, not at the level (an SL gap with slippage).
//  * TP defaults to entry ± |entry − SL| · rr when the action gives none, rounded half away from zero to a
//    whole point (BUY 113659 + 87 · 1.5 = 113789.5 -> 113790).
//  * Volume from risk %: equity · risk% / (|entry − SL| money per lot), rounded DOWN to volume step and
//    capped at volume max; below volume min the order is rejected (journal entry, no trade).
//  * Commission: commissionPerLot money per lot on EACH deal (entry and exit), as MT5 deals carry it.
//  * A fill price <= 0 is never booked: such an entry is rejected; such an exit fills at 1 point.
//  * Strategy exits (CLOSE_POSITION whole, by side, by ticket or in part; REDUCE_POSITION, most recent position
//    first) fill at the next bar's open like every close; a partial close books a Trade for the closed part (same
//    ticket, its volume, its share of the entry commission) and leaves the rest open. Close volumes are rounded
//    DOWN to the volume step; a part or rest below the volume min (MT5 10014), a volume above what is open (MT5
//    10038) or no matching position is refused (journal, rejectedOrders).
//  * Positions still open after the last bar close at its close (END_OF_TEST).

#include "backteststats.h"
#include "bar.h"
#include "result.h"
#include "strategy.h"
#include "symbolspec.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace bd {

// Accepted ranges of BacktestConfig (validateBacktestConfig). Inclusive, except that the deposit must be above 0.
// botdesk-cli's own option ranges (app/cliarguments.h, cliLimits) are the same numbers.
namespace backtestLimits {
inline constexpr double kMaxDeposit = 1e12;              // deposit currency: money stays exact to the cent
inline constexpr int kMaxSpreadPoints = 100000;          // points (1.0 in EURUSD, 100 in USDJPY)
inline constexpr int kMaxSlippagePoints = 100000;        // points
inline constexpr double kMaxCommissionPerLot = 1000000;  // deposit currency per lot per deal
} // namespace backtestLimits

struct BacktestConfig {
    double initialDeposit = 10000.0;  // deposit currency, above 0 and at most kMaxDeposit
    QString depositCurrency = "USD";  // must equal the symbol's profit currency (no conversion yet)
    int spreadPoints = -1;            // fixed spread override, whole points 0..kMaxSpreadPoints;
                                      // -1 = the bar's spread, else the symbol's default
    int slippagePoints = 0;           // adverse slippage on every market fill and stop fill, whole points
                                      // 0..kMaxSlippagePoints
    double commissionPerLot = 0.0;    // deposit currency per lot per deal (entry and exit each),
                                      // 0..kMaxCommissionPerLot, finite
};

// Checks every field of `config` against backtestLimits. The error names the field, the bad value and the
// accepted range, e.g. "commission per lot 1e+308 is out of range: give 0 to 1000000 (deposit currency per lot
// per deal)". NaN and infinities are out of range.
Result<void> validateBacktestConfig(const BacktestConfig &config);

struct BacktestResult {
    QString symbol;
    QString strategy;
    BacktestConfig config;
    qint64 firstBarTimeMs = 0;          // UTC epoch ms
    qint64 lastBarTimeMs = 0;
    qint64 barsProcessed = 0;
    bool cancelled = false;             // true when the run stopped early on request
    std::vector<Trade> trades;          // in close order
    std::vector<EquityPoint> equity;    // one point per processed bar (empty unless BacktestControl::keepEquityCurve)
    BacktestStats stats;
    int rejectedOrders = 0;             // refused OPEN_TRADE, MODIFY_SLTP, CLOSE_POSITION and REDUCE_POSITION actions
    qint64 offGridBars = 0;             // bars with a price off the symbol's grid (snapped to the nearest point)
    QStringList journal;                // warnings and rejections, "YYYY-MM-DD hh:mm UTC: text" (first 1000)
    // Things the user must be told although the run succeeded, one sentence each with the likely cause and
    // the fix: prices off the symbol's grid or coarser than its digits, most orders rejected (data that
    // likely belongs to another symbol), data shorter than the strategy's warm-up, exits clamped to 1 point.
    QStringList warnings;
};

struct BacktestControl {
    // Called with 0..100 at most once per percent, on the calling thread.
    std::function<void(int percent)> onProgress;
    // When set and becoming true, the run stops at its next check (every 1 % of the bars, and at least every
    // 4,096 bars; also right after each progress call) and returns a result with cancelled=true.
    const std::atomic<bool> *cancelRequested = nullptr;
    // true: BacktestResult::equity holds one point per bar (charts, the JSON report). false: it stays empty and
    // the run touches no per-bar memory; the equity drawdowns and the Sharpe ratio are computed either way.
    bool keepEquityCurve = true;
    // true: BacktestResult::journal holds the first 1,000 rejections and notes as text. false: it stays empty
    // and no text is formatted (rejectedOrders, the warnings and the statistics are the same either way).
    bool keepJournal = true;
};

// Runs the test on `bars` (time order; a std::vector<Bar> converts, a memory-mapped cache can be passed as is).
// Fails (no result) when: bars are empty, the config is out of range (validateBacktestConfig), the symbol's
// specification is unusable, the deposit currency differs from the symbol's profit currency, a bar holds a
// price that is not a positive finite number of points within SymbolSpec::kMaxPricePoints (the message names
// the bar), or the strategy throws (the message names the strategy, the bar and the exception text).
// Invalid actions from a strategy (wrong-side stops, volume below the minimum, non-finite numbers, a fill
// price <= 0, a close or reduction that cannot be done: strategy.h) do not fail the run: they are rejected, counted
// in rejectedOrders and described in the journal.
Result<BacktestResult> runBacktest(std::span<const Bar> bars, const SymbolSpec &symbol, Strategy &strategy,
                                   const BacktestConfig &config, const BacktestControl &control = {});

} // namespace bd
