#pragma once
// A stored backtest run (BacktestRunRecord) made ready for the review widgets that show a fresh run: the result
// they read, and the bars of its data file for the price chart when that file is still the one the run used.

#include "backtestengine.h"
#include "backtestrun.h"
#include "barseries.h"
#include "result.h"

#include <QString>

#include <memory>

namespace bd {

// The run as a BacktestResult: symbol, config, window, bars processed, trades, stored (decimated) equity curve,
// stats, rejected orders and warnings; `strategyName` as its strategy; the journal is not stored (empty).
std::shared_ptr<const BacktestResult> resultOfStoredRun(const BacktestRunRecord &run, const QString &strategyName);

// The bars of run.dataPath, loaded (through the bar cache at `cacheDirectory`; empty = no cache) only when the
// file is there and its SHA-256 is still run.dataSha256. Blocking (hashes and maps or parses the file): call it
// off the GUI thread. Errors: "the run's data file <path> is no longer there", "... has changed since the run
// (SHA-256 <now> instead of <stored>)", or the loader's message.
Result<BarSeries> loadStoredRunBars(const BacktestRunRecord &run, const QString &cacheDirectory);

} // namespace bd
