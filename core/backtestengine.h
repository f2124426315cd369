#pragma once
// Bar-by-bar backtest of one strategy on one symbol (MT5 "1-minute OHLC" style fills).
//
// Fill model (documented in docs/backtest-model.md):
//  * Bars are bid prices. ask = bid + spread · point; spread from BacktestConfig::spreadPoints when >= 0,
//    else the bar's spread, else SymbolSpec::defaultSpreadPoints.
//  * Decisions happen at bar close; market orders fill at the NEXT bar's open: BUY at ask + slippage,
//    SELL at bid − slippage. Exits are the reverse side: a long closes at bid, a short at ask.
//  * SL/TP are checked inside every bar from the fill bar on, with the bar's high/low (long: bid; short:
//    ask = bid + spread). If both SL and TP lie inside one bar, the SL is taken (pessimistic).
//    A bar that opens beyond the SL (or TP) fills at that open, not at the level.
//  * TP defaults to entry ± |entry − SL| · rr when the action gives none.
//  * Volume from risk %: equity · risk% / (|entry − SL| money per lot), rounded DOWN to volume step and
//    capped at volume max; below volume min the order is rejected (journal entry, no trade).
//  * Commission: commissionPerLot money per lot on EACH deal (entry and exit), as MT5 deals carry it.
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

struct BacktestConfig {
    double initialDeposit = 10000.0;  // deposit currency
    QString depositCurrency = "USD";  // must equal the symbol's profit currency (no conversion yet)
    int spreadPoints = -1;            // fixed spread override in points; -1 = bar spread or symbol default
    double slippagePoints = 0.0;      // adverse slippage on every market fill and stop fill, points (>= 0)
    double commissionPerLot = 0.0;    // money per lot per deal (entry and exit each), >= 0
};

struct BacktestResult {
    QString symbol;
    QString strategy;
    BacktestConfig config;
    qint64 firstBarTimeMs = 0;          // UTC epoch ms
    qint64 lastBarTimeMs = 0;
    qint64 barsProcessed = 0;
    bool cancelled = false;             // true when the run stopped early on request
    std::vector<Trade> trades;          // in close order
    std::vector<EquityPoint> equity;    // one point per processed bar
    BacktestStats stats;
    int rejectedOrders = 0;
    QStringList journal;                // warnings and rejections, "YYYY-MM-DD hh:mm UTC: text" (first 1000)
};

struct BacktestControl {
    // Called with 0..100 at most once per percent, on the calling thread.
    std::function<void(int percent)> onProgress;
    // When set and becoming true, the run stops after the current bar and returns a result with cancelled=true.
    const std::atomic<bool> *cancelRequested = nullptr;
};

// Runs the test. Fails (no result) when: bars are empty, the config is invalid (negative deposit,
// slippage or commission), the deposit currency differs from the symbol's profit currency, or the strategy
// throws (the message names the strategy, the bar and the exception text). Invalid actions from a strategy
// (wrong-side stops, volume below the minimum, non-finite numbers) do not fail the run: they are rejected,
// counted in rejectedOrders and described in the journal.
Result<BacktestResult> runBacktest(std::span<const Bar> bars, const SymbolSpec &symbol, Strategy &strategy,
                                   const BacktestConfig &config, const BacktestControl &control = {});

} // namespace bd
