#include "runspool.h"

#include "localcluster.h"
#include "logging.h"
#include "pgbotstore.h"
#include "runrecordjson.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>

namespace bd {

RunSpool::RunSpool(const QString &home)
{
    LocalCluster::Options options;
    options.home = home;
    m_dir = QDir(LocalCluster(options).home()).filePath(QStringLiteral("spool/runs"));
}

Result<QString> RunSpool::put(const BacktestRunRecord &run)
{
    if (run.id.isNull())
        return makeError(QStringLiteral("a backtest run needs an id before it is spooled"));
    if (!QDir().mkpath(m_dir))
        return makeError(QStringLiteral("cannot create the spool folder %1; check its permissions or set BOTDESK_HOME")
                             .arg(m_dir));
    const QString path = QDir(m_dir).filePath(run.id.toString(QUuid::WithoutBraces) + QStringLiteral(".json"));
    QSaveFile file(path);  // a temporary file renamed into place on commit
    if (!file.open(QIODevice::WriteOnly))
        return makeError(QStringLiteral("cannot write the spool file %1: %2").arg(path, file.errorString()));
    file.write(QJsonDocument(runRecordToJson(run)).toJson(QJsonDocument::Compact));
    if (!file.commit())
        return makeError(QStringLiteral("cannot write the spool file %1: %2").arg(path, file.errorString()));
    return path;
}

QStringList RunSpool::files() const
{
    QDir dir(m_dir);
    QFileInfoList entries = dir.entryInfoList({QStringLiteral("*.json")}, QDir::Files);
    std::sort(entries.begin(), entries.end(), [](const QFileInfo &a, const QFileInfo &b) {
        const QDateTime ta = a.lastModified(), tb = b.lastModified();
        return ta != tb ? ta < tb : a.fileName() < b.fileName();
    });
    QStringList paths;
    for (const QFileInfo &e : entries)
        paths << e.absoluteFilePath();
    return paths;
}

QString RunSpool::moveAside(const QString &file, const QString &reason)
{
    static const auto log = logging::get("db");
    const QString damagedDir = QDir(m_dir).filePath(QStringLiteral("damaged"));
    QDir().mkpath(damagedDir);
    const QString name = QFileInfo(file).fileName();
    QString target = QDir(damagedDir).filePath(name);
    for (int n = 1; QFileInfo::exists(target); ++n)
        target = QDir(damagedDir).filePath(QStringLiteral("%1.%2").arg(name).arg(n));
    QString where = target;
    if (!QFile::rename(file, target))
        where = file;  // cannot move it: leave it, never delete it
    QFile why(where + QStringLiteral(".reason.txt"));
    if (why.open(QIODevice::WriteOnly | QIODevice::Truncate))
        why.write(reason.toUtf8() + '\n');
    const QString line = QStringLiteral("%1: %2 (kept as %3)").arg(name, reason, where);
    log->warn("spooled backtest run {}", line.toStdString());
    return line;
}

SpoolFlush RunSpool::flush(PgBotStore &store)
{
    static const auto log = logging::get("db");
    SpoolFlush outcome;
    const QStringList paths = files();
    for (qsizetype i = 0; i < paths.size(); ++i) {
        const QString &path = paths[i];
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;  // another process flushed it meanwhile
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
        file.close();
        if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
            outcome.movedAside << moveAside(path, QStringLiteral("not a JSON object (%1)").arg(parseError.errorString()));
            continue;
        }
        auto run = runRecordFromJson(doc.object());
        if (!run) {
            outcome.movedAside << moveAside(path, run.error().message);
            continue;
        }
        auto saved = store.saveBacktestRun(*run);
        if (!saved) {
            if (store.database().lastFailureWasConnection()) {
                outcome.stoppedBy = saved.error().message;
                outcome.remaining = int(paths.size() - i);
                return outcome;
            }
            outcome.movedAside << moveAside(path, saved.error().message);
            continue;
        }
        if (!QFile::remove(path) && QFileInfo::exists(path))
            log->warn("saved spooled backtest run {} but cannot remove {}; it will be saved again (idempotent)",
                      run->id.toString(QUuid::WithoutBraces).toStdString(), path.toStdString());
        ++outcome.saved;
        log->info("saved spooled backtest run {}", run->id.toString(QUuid::WithoutBraces).toStdString());
    }
    return outcome;
}

} // namespace bd
