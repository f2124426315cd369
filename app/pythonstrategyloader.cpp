#include "pythonstrategyloader.h"

#include "pythonhostplugin.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLibrary>
#include <QMutex>

namespace bd {
namespace {

struct HostEntryPoints {
    BotdeskLoadPythonStrategyFile load = nullptr;
    BotdeskSetPythonStrategyBars setBars = nullptr;
    BotdeskLoadPythonStrategySource loadSource = nullptr;
    BotdeskPythonTemplates templates = nullptr;
    BotdeskPythonParameterSpecs parameterSpecs = nullptr;
    BotdeskSetPythonStrategyCancelFlag setCancelFlag = nullptr;
};

QMutex preferredDirectoryMutex;
QString preferredDirectory;  // preferPythonHostDirectory's, under the mutex

// The host library in the preferred directory, else next to the executable (the build tree), else in
// ../lib/botdesk (an installed BotDesk). Loaded once per process, by the first caller on any thread (a failure is
// remembered too).
Result<HostEntryPoints> loadHost()
{
    static QLibrary library;
    HostEntryPoints entry;
    const QString dir = QCoreApplication::applicationDirPath();
    QStringList candidates{dir + QStringLiteral("/libbotdesk_pyhost.so"),
                           QDir::cleanPath(dir + QStringLiteral("/../lib/botdesk/libbotdesk_pyhost.so"))};
    {
        QMutexLocker lock(&preferredDirectoryMutex);
        if (!preferredDirectory.isEmpty())
            candidates.prepend(QDir(preferredDirectory).filePath(QStringLiteral("libbotdesk_pyhost.so")));
    }
    QStringList tried;
    QString lastError;
    for (const QString &candidate : candidates) {
        if (!QFile::exists(candidate)) {
            tried << candidate;
            continue;
        }
        library.setFileName(candidate);
        // RTLD_GLOBAL: Python extension modules (numpy, _ctypes, ...) take libpython's symbols from the global scope.
        library.setLoadHints(QLibrary::ExportExternalSymbolsHint);
        if (!library.load()) {
            lastError = library.errorString();
            tried << candidate;
            continue;
        }
        entry.load = reinterpret_cast<BotdeskLoadPythonStrategyFile>(library.resolve(kBotdeskLoadPythonStrategyFileSymbol));
        entry.setBars = reinterpret_cast<BotdeskSetPythonStrategyBars>(library.resolve(kBotdeskSetPythonStrategyBarsSymbol));
        entry.loadSource =
            reinterpret_cast<BotdeskLoadPythonStrategySource>(library.resolve(kBotdeskLoadPythonStrategySourceSymbol));
        entry.templates = reinterpret_cast<BotdeskPythonTemplates>(library.resolve(kBotdeskPythonTemplatesSymbol));
        entry.parameterSpecs =
            reinterpret_cast<BotdeskPythonParameterSpecs>(library.resolve(kBotdeskPythonParameterSpecsSymbol));
        entry.setCancelFlag = reinterpret_cast<BotdeskSetPythonStrategyCancelFlag>(
            library.resolve(kBotdeskSetPythonStrategyCancelFlagSymbol));
        if (entry.load && entry.setBars && entry.loadSource && entry.templates && entry.parameterSpecs &&
            entry.setCancelFlag)
            return entry;
        entry = {};
        lastError = library.errorString();
        library.unload();
        tried << candidate;
    }
    return makeError(QStringLiteral("the Python strategy host could not be loaded (tried %1%2); reinstall BotDesk, or "
                                    "install Debian's libpython3.11 (scripts/install-deps.sh)")
                         .arg(tried.join(QStringLiteral(", ")),
                              lastError.isEmpty() ? QString() : QStringLiteral(": ") + lastError));
}

Result<HostEntryPoints> hostEntryPoints()
{
    static const Result<HostEntryPoints> host = loadHost();  // thread-safe one-time initialisation
    return host;
}

// Wraps a strategy the host made (or its error) into a LoadedPythonStrategy.
Result<LoadedPythonStrategy> loaded(Strategy *made, QJsonObject resolvedParams, const QString &error,
                                    const HostEntryPoints &entry)
{
    if (!made)
        return makeError(error);
    LoadedPythonStrategy out;
    out.strategy.reset(made);
    out.resolvedParams = std::move(resolvedParams);
    out.setBars = [made, setBars = entry.setBars](std::span<const Bar> bars) {
        setBars(made, bars.data(), qsizetype(bars.size()));
    };
    out.setCancelFlag = [made, setCancelFlag = entry.setCancelFlag](const std::atomic<bool> *cancel) {
        setCancelFlag(made, cancel);
    };
    return out;
}

} // namespace

void preferPythonHostDirectory(const QString &directory)
{
    QMutexLocker lock(&preferredDirectoryMutex);
    preferredDirectory = directory;
}

Result<LoadedPythonStrategy> loadPythonStrategySource(const QString &fileName, const QString &code,
                                                      const QJsonObject &params, const std::string &logLevel)
{
    auto entry = hostEntryPoints();
    if (!entry)
        return entry.error();
    QJsonObject resolved;
    QString error;
    Strategy *made = entry->loadSource(fileName, code, params, logLevel.c_str(), &resolved, &error);
    return loaded(made, std::move(resolved), error, *entry);
}

Result<std::vector<PythonTemplateText>> pythonTemplateTexts()
{
    auto entry = hostEntryPoints();
    if (!entry)
        return entry.error();
    QStringList names, sources;
    QString error;
    if (!entry->templates(&names, &sources, &error))
        return makeError(error);
    std::vector<PythonTemplateText> out;
    for (qsizetype i = 0; i < names.size() && i < sources.size(); ++i)
        out.push_back({names.at(i), sources.at(i)});
    return out;
}

Result<std::vector<ParameterSpec>> pythonParameterSpecs(const QString &fileName, const QString &code)
{
    auto entry = hostEntryPoints();
    if (!entry)
        return entry.error();
    std::vector<ParameterSpec> specs;
    QString error;
    if (!entry->parameterSpecs(fileName, code, &specs, &error))
        return makeError(error);
    return specs;
}

Result<LoadedPythonStrategy> loadPythonStrategyFile(const QString &path, const QJsonObject &params,
                                                    const std::string &logLevel)
{
    auto entry = hostEntryPoints();
    if (!entry)
        return entry.error();
    QJsonObject resolved;
    QString error;
    Strategy *made = entry->load(path, params, logLevel.c_str(), &resolved, &error);
    return loaded(made, std::move(resolved), error, *entry);
}

} // namespace bd
