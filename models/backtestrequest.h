#pragma once
// Everything needed to start one backtest from the GUI: an immutable value handed to BacktestJob.

#include "backtestengine.h"
#include "barloader.h"

#include <QJsonObject>
#include <QString>

namespace bd {

struct BacktestRequest {
    QString dataFile;            // BotDesk CSV or MT5 export, optionally .gz
    QString symbol;              // name in the builtin SymbolCatalog, e.g. "EURUSD"
    QString strategy;            // name from builtinStrategies(), e.g. "ema_crossover"
    QJsonObject params;          // strategy parameters (any subset; the rest take defaults)
    BacktestConfig config;
    BarLoadOptions loadOptions;
    QString barCacheDirectory;   // bar cache folder (BarCache); empty = parse the file, cache nothing
};

} // namespace bd
