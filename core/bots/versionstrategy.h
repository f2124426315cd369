#pragma once
// The strategy of a bot version, whatever the language of its code (issue 6: built-ins, issue 7: Python).
//
// VersionStrategyProvider is the port through which models and widgets create bots, read a version's declared
// parameters and load a version's strategy to check or backtest it, without knowing how a language is run. The
// app implements it (app/botstrategy.h: built-ins from botdesk_strategies, Python through the embedded host, a
// shared library loaded on first use). A bot records its language in its template name: "ema_crossover" is a
// built-in, "ema_crossover_v1.py" (a name ending in ".py") a Python template.
//
// Every function may be called from any thread, concurrently; errors are explicit results whose message names the
// input and the fix (a Python error carries the file name given, the line and the traceback).

#include "bar.h"
#include "bot.h"
#include "parameterspec.h"
#include "result.h"
#include "strategy.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <atomic>

#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace bd {

// A loaded strategy, ready for one run.
struct VersionStrategy {
    std::unique_ptr<Strategy> strategy;
    QJsonObject resolvedParams;  // every parameter with its value: what a stored run keeps
    // Gives the strategy the run's bars before the run (Python's ctx.history(); they must outlive the run);
    // nothing to do for a built-in. Never empty.
    std::function<void(std::span<const Bar>)> setBars;
    // Gives the strategy the run's cancel flag (BacktestControl::cancelRequested; it must outlive the run): once
    // set, Python code still running in on_bar is interrupted within about 25 ms (a built-in needs nothing: the
    // engine checks the flag between bars). Never empty.
    std::function<void(const std::atomic<bool> *)> setCancelFlag;
};

class VersionStrategyProvider {
public:
    virtual ~VersionStrategyProvider() = default;

    // The templates a bot can be made from, in display order: the built-ins ("ema_crossover", ...), then the
    // Python templates ("ema_crossover_v1.py", ...). Fails only when the Python host does not load (its message);
    // the built-ins alone are then still offered by builtinTemplateNames().
    virtual Result<QStringList> templateNames() const = 0;
    virtual QStringList builtinTemplateNames() const = 0;

    // The first version of a bot made from `templateName`: its code, parameters {} (every default) and code_hash.
    // Errors: an unknown template (naming the known ones), the Python host does not load.
    virtual Result<BotVersion> firstVersionOf(const QString &templateName) const = 0;

    // The parameters `code` declares (in declaration order), for a bot made from `strategyTemplate`. Python: the
    // code is compiled and its module run (not on bars) under `codeName` ("alpha@1a2b3c4d5e6f.py"); a syntax error
    // or a malformed declaration is the error. Built-in: `code` must be this binary's source of the built-in.
    virtual Result<std::vector<ParameterSpec>> parameterSpecs(const QString &strategyTemplate, const QString &code,
                                                              const QString &codeName) const = 0;

    // The strategy of `code` with `params` (any subset of the declared parameters; the rest take defaults).
    // Errors as parameterSpecs, and unknown or out-of-range parameters with the strategy's own message.
    virtual Result<VersionStrategy> load(const QString &strategyTemplate, const QString &code,
                                         const QString &codeName, const QJsonObject &params) const = 0;
};

// The name a stored Python version's code carries in errors and tracebacks: "NAME@1a2b3c4d5e6f.py" (the first
// 12 hex digits of its code_hash).
QString versionCodeName(const QString &botName, const QString &codeHash);

// True when bots made from `strategyTemplate` hold Python code (the name ends in ".py").
bool isPythonTemplate(const QString &strategyTemplate);

} // namespace bd
