#pragma once
// The entry point of libbotdesk_pyhost.so: the Python strategy host as a shared library, for executables that load
// it only when a Python strategy is used (botdesk-cli, through QLibrary), so that starting them does not map and
// relocate libpython (about 1-2 ms per start, measured; docs/python-strategies.md).
//
// Only this C-linkage function is exported; the library carries its own copy of core and the host, and hands
// back a bd::Strategy whose code (and destructor) live in the library, which is never unloaded.

#include <QJsonObject>
#include <QString>

namespace bd {
class Strategy;
}

extern "C" {

// Loads the Python strategy file `path` with `params` (pythonstrategy.h: readPythonStrategyFile +
// loadPythonStrategy) and sets the library's log level to `logLevel` ("warn", ...). On success returns the
// strategy (the caller owns it: delete it) and fills `resolvedParams`; on failure returns nullptr and fills `error`.
using BotdeskLoadPythonStrategyFile = bd::Strategy *(*)(const QString &path, const QJsonObject &params,
                                                        const char *logLevel, QJsonObject *resolvedParams,
                                                        QString *error);
}

// The exported symbol's name.
inline constexpr const char *kBotdeskLoadPythonStrategyFileSymbol = "botdesk_load_python_strategy_file";
