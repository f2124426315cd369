#include "pythonstrategyloader.h"

#include "pythonhostplugin.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLibrary>

namespace bd {
namespace {

// The host library next to the executable (the build tree), else in ../lib/botdesk (an installed BotDesk).
Result<BotdeskLoadPythonStrategyFile> hostEntryPoint()
{
    static QLibrary library;
    static BotdeskLoadPythonStrategyFile entry = nullptr;
    if (entry)
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
        if (!library.load()) {
            lastError = library.errorString();
            tried << candidate;
            continue;
        }
        entry = reinterpret_cast<BotdeskLoadPythonStrategyFile>(library.resolve(kBotdeskLoadPythonStrategyFileSymbol));
        if (entry)
            return entry;
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
    auto entry = hostEntryPoint();
    if (!entry)
        return entry.error();
    LoadedPythonStrategy out;
    QString error;
    out.strategy.reset((*entry)(path, params, logLevel.c_str(), &out.resolvedParams, &error));
    if (!out.strategy)
        return makeError(error);
    return out;
}

} // namespace bd
