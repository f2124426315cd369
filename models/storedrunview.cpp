#include "storedrunview.h"

#include "barcache.h"
#include "filesha256.h"

#include <QFileInfo>

namespace bd {

std::shared_ptr<const BacktestResult> resultOfStoredRun(const BacktestRunRecord &run, const QString &strategyName)
{
    auto result = std::make_shared<BacktestResult>();
    result->symbol = run.symbol;
    result->strategy = strategyName;
    result->config = run.config;
    result->firstBarTimeMs = run.fromMs;
    result->lastBarTimeMs = run.toMs;
    result->barsProcessed = run.bars;
    result->cancelled = run.status == RunStatus::Cancelled;
    result->trades = run.trades;
    result->equity = run.equity;
    result->stats = run.stats;
    result->rejectedOrders = run.rejectedOrders;
    result->warnings = run.warnings;
    return result;
}

Result<BarSeries> loadStoredRunBars(const BacktestRunRecord &run, const QString &cacheDirectory)
{
    const QFileInfo info(run.dataPath);
    if (!info.exists())
        return makeError(QObject::tr("the run's data file %1 is no longer there").arg(run.dataPath));
    auto hashed = sha256OfFile(run.dataPath);
    if (!hashed)
        return hashed.error();
    const QString &sha = *hashed;
    if (sha != run.dataSha256) {
        return makeError(QObject::tr("the run's data file %1 has changed since the run (SHA-256 %2 instead of %3)")
                             .arg(run.dataPath, sha.left(12), run.dataSha256.left(12)));
    }
    const BarCache cache(cacheDirectory);
    auto loaded = loadBarsCached(run.dataPath, BarLoadOptions{}, cache,
                                 cacheDirectory.isEmpty() ? CacheUse::Bypass : CacheUse::ReadWrite);
    if (!loaded)
        return loaded.error();
    return loaded->bars;
}

} // namespace bd
