#include "backtestrun.h"

#include "runrecordjson.h"

namespace bd {

namespace {

void recordSummary(BacktestRunRecord &run, const BacktestResult &result)
{
    run.status = result.cancelled ? RunStatus::Cancelled : RunStatus::Completed;
    run.fromMs = result.firstBarTimeMs;
    run.toMs = result.lastBarTimeMs;
    run.bars = result.barsProcessed;
    run.stats = result.stats;
    run.rejectedOrders = result.rejectedOrders;
    run.warnings = result.warnings;
    run.equity = decimateEquityCurve(result.equity, kStoredEquityPoints);
}

} // namespace

void recordOutcome(BacktestRunRecord &run, BacktestResult &&result)
{
    recordSummary(run, result);
    run.trades = std::move(result.trades);
    result.equity.clear();
}

void recordOutcome(BacktestRunRecord &run, const BacktestResult &result)
{
    recordSummary(run, result);
    run.trades = result.trades;
}

} // namespace bd
