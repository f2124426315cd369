#pragma once
// The built-in strategies, created by name from JSON parameters.

#include "result.h"
#include "strategy.h"

#include <QJsonObject>
#include <QString>

#include <memory>
#include <vector>

namespace bd {

struct StrategyInfo {
    QString name;               // "ema_crossover"
    QString description;        // one line for UIs and --help
    QJsonObject defaultParams;  // every parameter with its default value
};

// All built-in strategies, in display order.
std::vector<StrategyInfo> builtinStrategies();

// Creates a strategy. `params` may give any subset of the parameters; the rest take defaults.
// Fails with a message naming the parameter and the valid range when: the name is unknown, a key is
// not a parameter of that strategy, a value has the wrong type, or a value is out of range
// (e.g. ema_crossover with fast >= slow).
Result<std::unique_ptr<Strategy>> createStrategy(const QString &name, const QJsonObject &params);

} // namespace bd
