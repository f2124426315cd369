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
        if (entry.load && entry.setBars)
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

} // namespace

Result<LoadedPythonStrategy> loadPythonStrategyFile(const QString &path, const QJsonObject &params,
                                                    const std::string &logLevel)
{
    auto entry = hostEntryPoints();
    if (!entry)
        return entry.error();
    LoadedPythonStrategy out;
    QString error;
    out.strategy.reset(entry->load(path, params, logLevel.c_str(), &out.resolvedParams, &error));
    if (!out.strategy)
        return makeError(error);
    Strategy *strategy = out.strategy.get();
    const BotdeskSetPythonStrategyBars setBars = entry->setBars;
    out.setBars = [strategy, setBars](std::span<const Bar> bars) { setBars(strategy, bars.data(), qsizetype(bars.size())); };
    return out;
}

} // namespace bd
