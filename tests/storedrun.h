#pragma once
// Test helper: a real stored-run record — a built-in strategy run by the engine on a bars file (e.g. from
// syntheticbars.h), filled in as BotDesk saves a completed run (resolved params, symbol snapshot, data SHA-256,
// decimated equity). Deterministic for the same file, strategy, params and config.

#include "backtestengine.h"
#include "backtestrun.h"
#include "barloader.h"
#include "runrecordjson.h"
#include "strategyregistry.h"
#include "symbolspec.h"

#include <QCryptographicHash>
#include <QFile>

namespace bd::test {

inline Result<BacktestRunRecord> makeStoredRun(const QString &dataPath, const QUuid &versionId,
                                               const QString &strategy, const QJsonObject &params,
                                               const BacktestConfig &config, qint64 startedAtMs)
{
    auto bars = loadBars(dataPath, BarLoadOptions{});
    if (!bars)
        return bars.error();
    auto catalog = SymbolCatalog::builtin();
    if (!catalog)
        return catalog.error();
    const SymbolSpec spec = *catalog->find(QStringLiteral("EURUSD"));
    auto resolved = resolveStrategyParams(strategy, params);
    if (!resolved)
        return resolved.error();
    auto instance = createStrategy(strategy, params);
    if (!instance)
        return instance.error();
    auto result = runBacktest(*bars, spec, **instance, config);
    if (!result)
        return result.error();
    QFile file(dataPath);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("cannot read %1").arg(dataPath));

    BacktestRunRecord r;
    r.id = QUuid::createUuid();
    r.versionId = versionId;
    r.config = result->config;
    r.params = *resolved;
    r.symbol = spec.name;
    r.symbolSpec = spec;
    r.dataPath = dataPath;
    r.dataSha256 = QString::fromLatin1(QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex());
    r.engineVersion = QStringLiteral("botdesk test engine");
    r.startedAtMs = startedAtMs;
    r.durationMs = 42;
    recordOutcome(r, std::move(*result));
    return r;
}

} // namespace bd::test
