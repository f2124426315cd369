#include "pythonhostplugin.h"

#include "logging.h"
#include "pythonstrategy.h"

extern "C" __attribute__((visibility("default"))) bd::Strategy *
botdesk_load_python_strategy_file(const QString &path, const QJsonObject &params, const char *logLevel,
                                  QJsonObject *resolvedParams, QString *error)
{
    // Compile-time check that the definition matches the type the loader casts to.
    [[maybe_unused]] constexpr BotdeskLoadPythonStrategyFile check = &botdesk_load_python_strategy_file;
    bd::logging::setLevel(logLevel ? logLevel : "warn");
    auto source = bd::readPythonStrategyFile(path);
    if (!source) {
        *error = source.error().message;
        return nullptr;
    }
    auto loaded = bd::loadPythonStrategy(*source, params);
    if (!loaded) {
        *error = loaded.error().message;
        return nullptr;
    }
    *resolvedParams = (*loaded)->resolvedParams();
    return std::move(loaded).value().release();
}

extern "C" __attribute__((visibility("default"))) bd::Strategy *
botdesk_load_python_strategy_source(const QString &fileName, const QString &code, const QJsonObject &params,
                                    const char *logLevel, QJsonObject *resolvedParams, QString *error)
{
    [[maybe_unused]] constexpr BotdeskLoadPythonStrategySource check = &botdesk_load_python_strategy_source;
    bd::logging::setLevel(logLevel ? logLevel : "warn");
    auto loaded = bd::loadPythonStrategy(bd::PythonSource{fileName, code}, params);
    if (!loaded) {
        *error = loaded.error().message;
        return nullptr;
    }
    *resolvedParams = (*loaded)->resolvedParams();
    return std::move(loaded).value().release();
}

extern "C" __attribute__((visibility("default"))) bool botdesk_python_templates(QStringList *fileNames,
                                                                                QStringList *sources, QString *error)
{
    [[maybe_unused]] constexpr BotdeskPythonTemplates check = &botdesk_python_templates;
    for (const QString &name : bd::pythonTemplateNames()) {
        auto source = bd::pythonTemplate(name);
        if (!source) {
            *error = source.error().message;
            return false;
        }
        *fileNames << name;
        *sources << source->code;
    }
    return true;
}

extern "C" __attribute__((visibility("default"))) bool
botdesk_python_parameter_specs(const QString &fileName, const QString &code, std::vector<bd::ParameterSpec> *specs,
                               QString *error)
{
    [[maybe_unused]] constexpr BotdeskPythonParameterSpecs check = &botdesk_python_parameter_specs;
    auto info = bd::inspectPythonStrategy(bd::PythonSource{fileName, code});
    if (!info) {
        *error = info.error().message;
        return false;
    }
    *specs = info->parameters;
    return true;
}

extern "C" __attribute__((visibility("default"))) void botdesk_set_python_strategy_bars(bd::Strategy *strategy,
                                                                                        const bd::Bar *bars,
                                                                                        qsizetype count)
{
    [[maybe_unused]] constexpr BotdeskSetPythonStrategyBars check = &botdesk_set_python_strategy_bars;
    if (auto *python = dynamic_cast<bd::PythonStrategy *>(strategy))
        python->setBars(std::span<const bd::Bar>(bars, size_t(count)));
}

extern "C" __attribute__((visibility("default"))) void
botdesk_set_python_strategy_cancel_flag(bd::Strategy *strategy, const std::atomic<bool> *cancel)
{
    [[maybe_unused]] constexpr BotdeskSetPythonStrategyCancelFlag check = &botdesk_set_python_strategy_cancel_flag;
    if (auto *python = dynamic_cast<bd::PythonStrategy *>(strategy))
        python->setCancelFlag(cancel);
}
