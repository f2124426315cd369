#include "pythonstrategyloader.h"

#include "pythonhostplugin.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLibrary>

namespace bd {
namespace {

struct HostEntryPoints {
    BotdeskLoadPythonStrategyFile load = nullptr;
    BotdeskSetPythonStrategyBars setBars = nullptr;
    BotdeskLoadPythonStrategySource loadSource = nullptr;
    BotdeskPythonTemplates templates = nullptr;
};

// The host library next to the executable (the build tree), else in ../lib/botdesk (an installed BotDesk).
Result<HostEntryPoints> hostEntryPoints()
{
    static QLibrary library;
    static HostEntryPoints entry;
    if (entry.load)
        return entry;
    const QString dir = QCoreApplication::applicationDirPath();
    QStringList tried;
    QString lastError;
    for (const QString &candidate : {dir + QStringLiteral("/libbotdesk_pyhost.so"),
                                     QDir::cleanPath(dir + QStringLiteral("/../lib/botdesk/libbotdesk_pyhost.so"))}) {
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
        if (entry.load && entry.setBars && entry.loadSource && entry.templates)
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

// Wraps a strategy the host made (or its error) into a LoadedPythonStrategy.
Result<LoadedPythonStrategy> loaded(Strategy *made, QJsonObject resolvedParams, const QString &error,
                                    BotdeskSetPythonStrategyBars setBars)
{
    if (!made)
        return makeError(error);
    LoadedPythonStrategy out;
    out.strategy.reset(made);
    out.resolvedParams = std::move(resolvedParams);
    out.setBars = [made, setBars](std::span<const Bar> bars) { setBars(made, bars.data(), qsizetype(bars.size())); };
    return out;
}

} // namespace

Result<LoadedPythonStrategy> loadPythonStrategySource(const QString &fileName, const QString &code,
                                                      const QJsonObject &params, const std::string &logLevel)
{
    auto entry = hostEntryPoints();
    if (!entry)
        return entry.error();
    QJsonObject resolved;
    QString error;
    Strategy *made = entry->loadSource(fileName, code, params, logLevel.c_str(), &resolved, &error);
    return loaded(made, std::move(resolved), error, entry->setBars);
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

Result<LoadedPythonStrategy> loadPythonStrategyFile(const QString &path, const QJsonObject &params,
                                                    const std::string &logLevel)
{
    auto entry = hostEntryPoints();
    if (!entry)
        return entry.error();
    QJsonObject resolved;
    QString error;
    Strategy *made = entry->load(path, params, logLevel.c_str(), &resolved, &error);
    return loaded(made, std::move(resolved), error, entry->setBars);
}

} // namespace bd
