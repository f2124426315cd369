#pragma once
// The built-in strategies: created by name from JSON parameters, with their declared parameters and their own
// source text (the `code` of their bot versions, issue 6).

#include "bot.h"
#include "parameterspec.h"
#include "result.h"
#include "strategy.h"

#include <QJsonObject>
#include <QString>

#include <memory>
#include <vector>

namespace bd {

struct StrategyInfo {
    QString name;                            // "ema_crossover"
    QString description;                     // one line for UIs and --help
    std::vector<ParameterSpec> parameters;   // every parameter, in display order (declared in the strategy's source)
    QJsonObject defaultParams;               // every parameter with its default value (from `parameters`)
};

// All built-in strategies, in display order.
std::vector<StrategyInfo> builtinStrategies();

// Creates a strategy. `params` may give any subset of the parameters; the rest take defaults.
// Fails with a message naming the parameter and the valid range when: the name is unknown, a key is
// not a parameter of that strategy, a value has the wrong type, or a value is out of range
// (e.g. ema_crossover with fast >= slow).
Result<std::unique_ptr<Strategy>> createStrategy(const QString &name, const QJsonObject &params);

// The full parameters `given` stands for: every parameter of strategy `name`, given values as given (integers as
// JSON integers, so 12.0 becomes 12), the rest their defaults — what a stored run keeps so that it alone
// reproduces the run. Fails exactly when createStrategy(name, given) fails, with the same message.
Result<QJsonObject> resolveStrategyParams(const QString &name, const QJsonObject &given);

// The source text of built-in `name`, compiled into the binary: its header then its implementation file
// (ema_crossover: strategies/emacrossover.h, then strategies/emacrossover.cpp), concatenated as they are, with
// CRLF line ends read as LF so a Windows checkout gives the same text. This is the `code` of the built-in's bot
// versions, so changing either file (a rule, a default, a range) gives its versions a new code_hash. The
// indicators it uses and the engine are not part of it (engineVersion() records the engine).
// Fails only for an unknown name (createStrategy's message).
Result<QString> builtinStrategySource(const QString &name);

// The default version of a bot made from template `templateName`: code = builtinStrategySource(templateName),
// params = {} (every default), codeHash = computeCodeHash(code, {}); ids, owner and time left empty for the store.
Result<BotVersion> defaultVersionOf(const QString &templateName);

} // namespace bd
