#include "backtestrun.h"

#include "runrecordjson.h"

namespace bd {

void recordOutcome(BacktestRunRecord &run, BacktestResult &&result)
{
    run.status = result.cancelled ? RunStatus::Cancelled : RunStatus::Completed;
    run.fromMs = result.firstBarTimeMs;
    run.toMs = result.lastBarTimeMs;
    run.bars = result.barsProcessed;
    run.stats = result.stats;
    run.rejectedOrders = result.rejectedOrders;
    run.warnings = result.warnings;
    run.trades = std::move(result.trades);
    run.equity = decimateEquityCurve(result.equity, kStoredEquityPoints);
    result.equity.clear();
}

} // namespace bd
