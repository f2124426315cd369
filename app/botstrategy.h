#pragma once
// The strategy a bot version runs, whichever language its code is in (issue 6 and issue 7).
//
// A bot records the language of its code in its template name: a name ending in ".py" ("ema_crossover_v1.py") is
// a Python template, and every version of that bot holds Python source run by the embedded host
// (pythonstrategyloader.h); any other name is a built-in ("ema_crossover") whose versions hold the built-in's C++
// source, and only this binary's own built-in source runs. No column is needed for it: built-in names are
// identifiers without a dot, so the two kinds cannot be confused, and the template never changes after creation.

#include "bar.h"
#include "bot.h"
#include "result.h"
#include "strategy.h"

#include <QJsonObject>
#include <QString>

#include <functional>
#include <memory>
#include <span>
#include <string>

namespace bd {

// True when bots made from `strategyTemplate` hold Python code (the name ends in ".py").
bool isPythonTemplate(const QString &strategyTemplate);

// The first version of a bot made from `templateName` with parameters {} (every default): a built-in's
// defaultVersionOf, or a Python template's source with codeHash = computeCodeHash(source, {}). Errors: an unknown
// template (naming the built-ins or the Python templates), or the Python host does not load.
Result<BotVersion> firstVersionOf(const QString &templateName);

// The name a stored version's Python code carries in errors and tracebacks: "NAME@1a2b3c4d5e6f.py".
QString versionCodeName(const QString &botName, const QString &codeHash);

struct VersionStrategy {
    std::unique_ptr<Strategy> strategy;
    QJsonObject resolvedParams;  // every parameter with its value: what a stored run keeps
    // Gives the strategy the run's bars before the run (Python's ctx.history()); nothing to do for a built-in.
    std::function<void(std::span<const Bar>)> setBars;
};

// The strategy of `code` with `params` for a bot made from `strategyTemplate`. Python: the code is loaded by the
// host under `codeName` (errors carry that name, the line and the traceback). Built-in: `code` must be this
// binary's source of the built-in, else an error saying so. Fails on unknown or out-of-range parameters with the
// strategy's own message.
Result<VersionStrategy> loadVersionStrategy(const QString &strategyTemplate, const QString &code,
                                            const QString &codeName, const QJsonObject &params,
                                            const std::string &logLevel = "warn");

} // namespace bd
