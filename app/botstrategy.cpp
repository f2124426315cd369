#include "botstrategy.h"

#include "codehash.h"
#include "pythonstrategyloader.h"
#include "strategyregistry.h"

namespace bd {

namespace {

// A built-in's source, checked to be this binary's.
Result<void> checkBuiltinCode(const QString &strategyTemplate, const QString &code)
{
    auto builtin = builtinStrategySource(strategyTemplate);
    if (!builtin)
        return builtin.error();
    if (*builtin != code)
        return makeError(QStringLiteral("the code is not this BotDesk's built-in '%1'").arg(strategyTemplate));
    return {};
}

} // namespace

Result<BotVersion> firstVersionOf(const QString &templateName)
{
    if (!isPythonTemplate(templateName))
        return defaultVersionOf(templateName);
    auto templates = pythonTemplateTexts();
    if (!templates)
        return templates.error();
    QStringList names;
    for (const PythonTemplateText &t : *templates) {
        if (t.fileName == templateName) {
            BotVersion version;
            version.code = t.code;
            version.codeHash = computeCodeHash(version.code, version.params);
            return version;
        }
        names << t.fileName;
    }
    return makeError(QStringLiteral("unknown Python template '%1'; the Python templates are: %2")
                         .arg(templateName, names.join(QStringLiteral(", "))));
}

Result<VersionStrategy> loadVersionStrategy(const QString &strategyTemplate, const QString &code,
                                            const QString &codeName, const QJsonObject &params,
                                            const std::string &logLevel)
{
    if (isPythonTemplate(strategyTemplate))
        return loadPythonStrategySource(codeName, code, params, logLevel);
    VersionStrategy out;
    if (auto same = checkBuiltinCode(strategyTemplate, code); !same)
        return same.error();
    auto resolved = resolveStrategyParams(strategyTemplate, params);
    if (!resolved)
        return resolved.error();
    auto strategy = createStrategy(strategyTemplate, params);
    if (!strategy)
        return strategy.error();
    out.strategy = std::move(strategy).value();
    out.resolvedParams = std::move(resolved).value();
    out.setBars = [](std::span<const Bar>) {};
    out.setCancelFlag = [](const std::atomic<bool> *) {};  // the engine checks the flag between bars
    return out;
}


Result<QStringList> AppVersionStrategies::templateNames() const
{
    QStringList names = builtinTemplateNames();
    auto templates = pythonTemplateTexts();
    if (!templates)
        return templates.error();
    for (const PythonTemplateText &t : *templates)
        names << t.fileName;
    return names;
}

QStringList AppVersionStrategies::builtinTemplateNames() const
{
    QStringList names;
    for (const StrategyInfo &info : builtinStrategies())
        names << info.name;
    return names;
}

Result<BotVersion> AppVersionStrategies::firstVersionOf(const QString &templateName) const
{
    return bd::firstVersionOf(templateName);
}

Result<std::vector<ParameterSpec>> AppVersionStrategies::parameterSpecs(const QString &strategyTemplate,
                                                                        const QString &code,
                                                                        const QString &codeName) const
{
    if (isPythonTemplate(strategyTemplate))
        return pythonParameterSpecs(codeName, code);
    if (auto same = checkBuiltinCode(strategyTemplate, code); !same)
        return same.error();
    for (const StrategyInfo &info : builtinStrategies()) {
        if (info.name == strategyTemplate)
            return info.parameters;
    }
    return makeError(QStringLiteral("unknown built-in strategy '%1'").arg(strategyTemplate));
}

Result<VersionStrategy> AppVersionStrategies::load(const QString &strategyTemplate, const QString &code,
                                                   const QString &codeName, const QJsonObject &params) const
{
    return loadVersionStrategy(strategyTemplate, code, codeName, params, m_logLevel);
}

} // namespace bd
