#pragma once
// The entry point of libbotdesk_pyhost.so: the Python strategy host as a shared library, for executables that load
// it only when a Python strategy is used (botdesk-cli, through QLibrary), so that starting them does not map and
// relocate libpython (about 1-2 ms per start, measured; docs/python-strategies.md).
//
// Only these C-linkage functions are exported; the library carries its own copy of core and the host, and hands
// back a bd::Strategy whose code (and destructor) live in the library, which is never unloaded.

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <atomic>
#include <vector>

namespace bd {
class Strategy;
struct Bar;
struct ParameterSpec;
}

extern "C" {

// Loads the Python strategy file `path` with `params` (pythonstrategy.h: readPythonStrategyFile +
// loadPythonStrategy) and sets the library's log level to `logLevel` ("warn", ...). On success returns the
// strategy (the caller owns it: delete it) and fills `resolvedParams`; on failure returns nullptr and fills `error`.
using BotdeskLoadPythonStrategyFile = bd::Strategy *(*)(const QString &path, const QJsonObject &params,
                                                        const char *logLevel, QJsonObject *resolvedParams,
                                                        QString *error);

// As above for source text already in memory (a stored bot version's code): `fileName` is the name errors and
// tracebacks show (it need not exist on disk), `code` the strategy's Python source.
using BotdeskLoadPythonStrategySource = bd::Strategy *(*)(const QString &fileName, const QString &code,
                                                          const QJsonObject &params, const char *logLevel,
                                                          QJsonObject *resolvedParams, QString *error);

// The Python templates compiled into the host (pythonstrategy.h: pythonTemplateNames, pythonTemplate): their file
// names and, at the same index, their source (LF line ends). Returns false and fills `error` when one is missing.
using BotdeskPythonTemplates = bool (*)(QStringList *fileNames, QStringList *sources, QString *error);

// The parameters the Python source `code` declares (pythonstrategy.h: inspectPythonStrategy), in declaration order;
// `fileName` as above. Returns false and fills `error` (file, line, traceback) when the code does not load.
using BotdeskPythonParameterSpecs = bool (*)(const QString &fileName, const QString &code,
                                             std::vector<bd::ParameterSpec> *specs, QString *error);

// PythonStrategy::setBars for a strategy made by the function above (`count` bars at `bars`, which must outlive
// its run); does nothing for any other strategy.
using BotdeskSetPythonStrategyBars = void (*)(bd::Strategy *strategy, const bd::Bar *bars, qsizetype count);

// PythonStrategy::setCancelFlag for a strategy made by the functions above; does nothing for any other strategy.
using BotdeskSetPythonStrategyCancelFlag = void (*)(bd::Strategy *strategy, const std::atomic<bool> *cancel);
}

// The exported symbols' names.
inline constexpr const char *kBotdeskLoadPythonStrategyFileSymbol = "botdesk_load_python_strategy_file";
inline constexpr const char *kBotdeskSetPythonStrategyBarsSymbol = "botdesk_set_python_strategy_bars";
inline constexpr const char *kBotdeskLoadPythonStrategySourceSymbol = "botdesk_load_python_strategy_source";
inline constexpr const char *kBotdeskPythonTemplatesSymbol = "botdesk_python_templates";
inline constexpr const char *kBotdeskPythonParameterSpecsSymbol = "botdesk_python_parameter_specs";
inline constexpr const char *kBotdeskSetPythonStrategyCancelFlagSymbol = "botdesk_set_python_strategy_cancel_flag";
