#include "botstrategy.h"

#include "codehash.h"
#include "pythonstrategyloader.h"
#include "strategyregistry.h"

namespace bd {

bool isPythonTemplate(const QString &strategyTemplate)
{
    return strategyTemplate.endsWith(QLatin1String(".py"));
}

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

QString versionCodeName(const QString &botName, const QString &codeHash)
{
    return QStringLiteral("%1@%2.py").arg(botName, shortHash(codeHash));
}

Result<VersionStrategy> loadVersionStrategy(const QString &strategyTemplate, const QString &code,
                                            const QString &codeName, const QJsonObject &params,
                                            const std::string &logLevel)
{
    VersionStrategy out;
    if (isPythonTemplate(strategyTemplate)) {
        auto loaded = loadPythonStrategySource(codeName, code, params, logLevel);
        if (!loaded)
            return loaded.error();
        out.strategy = std::move(loaded->strategy);
        out.resolvedParams = std::move(loaded->resolvedParams);
        out.setBars = std::move(loaded->setBars);
        return out;
    }
    auto builtin = builtinStrategySource(strategyTemplate);
    if (!builtin)
        return builtin.error();
    if (*builtin != code)
        return makeError(QStringLiteral("the code is not this BotDesk's built-in '%1'").arg(strategyTemplate));
    auto resolved = resolveStrategyParams(strategyTemplate, params);
    if (!resolved)
        return resolved.error();
    auto strategy = createStrategy(strategyTemplate, params);
    if (!strategy)
        return strategy.error();
    out.strategy = std::move(strategy).value();
    out.resolvedParams = std::move(resolved).value();
    out.setBars = [](std::span<const Bar>) {};
    return out;
}

} // namespace bd
