#pragma once
// The strategy a bot version runs, whichever language its code is in (issue 6 and issue 7): the app's
// implementation of the VersionStrategyProvider port (core/bots/versionstrategy.h), for botdesk-cli and the GUI.
//
// A bot records the language of its code in its template name: a name ending in ".py" ("ema_crossover_v1.py") is
// a Python template, and every version of that bot holds Python source run by the embedded host
// (pythonstrategyloader.h); any other name is a built-in ("ema_crossover") whose versions hold the built-in's C++
// source, and only this binary's own built-in source runs. No column is needed for it: built-in names are
// identifiers without a dot, so the two kinds cannot be confused, and the template never changes after creation.
// Every function may be called from any thread.

#include "bot.h"
#include "result.h"
#include "versionstrategy.h"

#include <QJsonObject>
#include <QString>

#include <string>

namespace bd {

// The first version of a bot made from `templateName` with parameters {} (every default): a built-in's
// defaultVersionOf, or a Python template's source with codeHash = computeCodeHash(source, {}). Errors: an unknown
// template (naming the built-ins or the Python templates), or the Python host does not load.
Result<BotVersion> firstVersionOf(const QString &templateName);

// The strategy of `code` with `params` for a bot made from `strategyTemplate`. Python: the code is loaded by the
// host under `codeName` (errors carry that name, the line and the traceback). Built-in: `code` must be this
// binary's source of the built-in, else an error saying so. Fails on unknown or out-of-range parameters with the
// strategy's own message.
Result<VersionStrategy> loadVersionStrategy(const QString &strategyTemplate, const QString &code,
                                            const QString &codeName, const QJsonObject &params,
                                            const std::string &logLevel = "warn");

// The port over the functions above; the Python host logs at `logLevel`.
class AppVersionStrategies final : public VersionStrategyProvider {
public:
    explicit AppVersionStrategies(std::string logLevel = "warn") : m_logLevel(std::move(logLevel)) {}

    Result<QStringList> templateNames() const override;
    QStringList builtinTemplateNames() const override;
    Result<BotVersion> firstVersionOf(const QString &templateName) const override;
    Result<std::vector<ParameterSpec>> parameterSpecs(const QString &strategyTemplate, const QString &code,
                                                      const QString &codeName) const override;
    Result<VersionStrategy> load(const QString &strategyTemplate, const QString &code, const QString &codeName,
                                 const QJsonObject &params) const override;

private:
    std::string m_logLevel;
};

} // namespace bd
