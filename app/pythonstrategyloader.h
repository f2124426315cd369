#pragma once
// botdesk-cli's way to a Python strategy file (--strategy-file): loads it through the embedded Python host
// (strategies/python, pythonstrategy.h) with the given parameters. The host is a shared library
// (libbotdesk_pyhost.so, pythonhostplugin.h) loaded with QLibrary on the first call, so botdesk-cli does not link
// libpython and starts as fast as before for every other command. Every function may be called from any thread.

#include "bar.h"
#include "parameterspec.h"
#include "result.h"
#include "strategy.h"
#include "versionstrategy.h"

#include <QJsonObject>
#include <QString>

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace bd {

// A loaded Python strategy is a VersionStrategy (versionstrategy.h): the strategy, its resolved parameters and
// the hooks that give it the run's bars and cancel flag.
using LoadedPythonStrategy = VersionStrategy;

// Reads `path` and loads its strategy with `params`; the host logs at `logLevel` ("warn", ...). Errors: the host
// library is missing or does not load (the paths tried), the file cannot be read or is not .py, the embedded Python
// cannot start, or any load error of loadPythonStrategy (file, line and traceback in the message).
Result<LoadedPythonStrategy> loadPythonStrategyFile(const QString &path, const QJsonObject &params,
                                                    const std::string &logLevel);

// Loads the strategy whose Python source is `code` (a stored bot version's code, not a file on disk) with
// `params`; `fileName` is the name its errors and tracebacks show ("eurusd_ema_py@1a2b3c4d5e6f.py", or the path
// the code was read from). Errors as loadPythonStrategyFile, except reading a file.
Result<LoadedPythonStrategy> loadPythonStrategySource(const QString &fileName, const QString &code,
                                                      const QJsonObject &params, const std::string &logLevel);

// Looks for libbotdesk_pyhost.so in `directory` first (before the executable's folder and ../lib/botdesk): for
// tests, whose executables live elsewhere in the build tree. Call it before the first use of the host; later calls
// have no effect (the host is loaded once per process).
void preferPythonHostDirectory(const QString &directory);

// The parameters the Python source `code` declares, in declaration order (`fileName` as above). Errors as
// loadPythonStrategySource (no parameter values are checked).
Result<std::vector<ParameterSpec>> pythonParameterSpecs(const QString &fileName, const QString &code);

// A Python template shipped with the host (strategies/python/templates, compiled in).
struct PythonTemplateText {
    QString fileName;  // "ema_crossover_v1.py"
    QString code;      // its source, LF line ends
};

// The Python templates, in display order. Errors: the host library does not load (as above), or a template is
// missing from it (rebuild).
Result<std::vector<PythonTemplateText>> pythonTemplateTexts();

} // namespace bd
