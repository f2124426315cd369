#include "versioncheck.h"

#include "backtestengine.h"
#include "barcache.h"
#include "symbolspec.h"

#include <QFileInfo>
#include <QRegularExpression>

namespace bd {

Result<VersionCheckReport> checkVersion(const VersionStrategyProvider &strategies, const VersionCheckInput &input)
{
    if (input.maxBars < 1)
        return makeError(QStringLiteral("a check needs at least 1 bar, not %1").arg(input.maxBars));
    auto catalog = SymbolCatalog::builtin();
    if (!catalog)
        return catalog.error();
    auto found = catalog->lookup(input.symbol);
    if (!found)
        return found.error();
    const SymbolSpec *spec = *found;
    // The code first: a syntax error or a bad parameter is worth more than the bars.
    auto loaded = strategies.load(input.strategyTemplate, input.code, input.codeName, input.params);
    if (!loaded)
        return loaded.error();
    if (input.dataFile.isEmpty())
        return makeError(QStringLiteral("no data file to check on: choose one in the Strategy Tester"));
    const BarCache cache(input.barCacheDirectory);
    auto bars = loadBarsCached(input.dataFile, BarLoadOptions{}, cache,
                               input.barCacheDirectory.isEmpty() ? CacheUse::Bypass : CacheUse::ReadWrite);
    if (!bars)
        return bars.error();
    const std::span<const Bar> all = bars->bars;
    if (all.empty())
        return makeError(QStringLiteral("%1 holds no bars").arg(input.dataFile));
    const std::span<const Bar> first = all.first(size_t(std::min<qint64>(input.maxBars, qint64(all.size()))));
    loaded->setBars(first);
    BacktestConfig config;
    config.depositCurrency = spec->currencyProfit;  // the engine books P/L in it; no conversion
    BacktestControl control;
    control.keepEquityCurve = false;
    control.keepJournal = false;
    auto result = runBacktest(first, *spec, *loaded->strategy, config, control);
    if (!result)
        return result.error();
    VersionCheckReport report;
    report.bars = qint64(first.size());
    report.firstBarTimeMs = first.front().timeMs;
    report.lastBarTimeMs = first.back().timeMs;
    report.trades = int(result->trades.size());
    report.netProfit = result->stats.totalNetProfit;
    report.warnings = result->warnings;
    return report;
}

int errorLineOf(const QString &message, const QString &codeName)
{
    if (codeName.isEmpty())
        return 0;
    const QString name = QRegularExpression::escape(codeName);
    const QRegularExpression head(QStringLiteral("(?:^|\\s)%1:(\\d+):").arg(name));
    const QRegularExpression frame(QStringLiteral("File \"%1\", line (\\d+)").arg(name));
    QRegularExpressionMatch m = head.match(message);
    if (m.hasMatch())
        return m.captured(1).toInt();
    // The innermost frame of the code is the last one on a traceback.
    int line = 0;
    for (auto it = frame.globalMatch(message); it.hasNext();)
        line = it.next().captured(1).toInt();
    return line;
}

} // namespace bd
