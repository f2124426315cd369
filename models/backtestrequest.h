#pragma once
// Everything needed to start one backtest from the GUI: an immutable value handed to BacktestJob.

#include "backtestengine.h"
#include "barloader.h"
#include "bot.h"
#include "versionstrategy.h"

#include <QJsonObject>
#include <QString>

#include <memory>
#include <optional>

namespace bd {

// A stored bot version to run (issue 7 §3 "Backtest this version"), instead of a built-in by name: its code and
// parameters are loaded on the worker through `strategies`, and the finished run is recorded for the store.
struct VersionRun {
    Bot bot;
    BotVersion version;
    std::shared_ptr<const VersionStrategyProvider> strategies;  // not null
};

struct BacktestRequest {
    QString dataFile;            // BotDesk CSV or MT5 export, optionally .gz
    QString symbol;              // name in the builtin SymbolCatalog, e.g. "EURUSD"
    QString strategy;            // name from builtinStrategies(), e.g. "ema_crossover"
    QJsonObject params;          // strategy parameters (any subset; the rest take defaults)
    BacktestConfig config;
    BarLoadOptions loadOptions;
    QString barCacheDirectory;   // bar cache folder (BarCache); empty = parse the file, cache nothing
    std::optional<VersionRun> version;  // set: run this version; `strategy` and `params` are then ignored
};

} // namespace bd
