#include "dbcommand.h"

#include "database.h"
#include "displaytext.h"
#include "localcluster.h"
#include "migrator.h"

namespace bd {

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

const QString kCommands = QStringLiteral("status, start, stop or migrate");

DbCommandOutcome failure(const QString &message, int code = kExitFailure)
{
    return {code, message};
}

QString schemaLine(int version, int latest)
{
    if (version == latest)
        return QStringLiteral("version %1, up to date").arg(version);
    if (version > latest)
        return QStringLiteral("version %1, newer than this BotDesk (which knows up to %2): upgrade BotDesk")
            .arg(version)
            .arg(latest);
    if (version == 0)
        return QStringLiteral("empty (this BotDesk needs version %1): run 'botdesk-cli db migrate'").arg(latest);
    return QStringLiteral("version %1 of %2: run 'botdesk-cli db migrate'").arg(version).arg(latest);
}

// Reports the schema of an open database; exit 1 when it is newer than this binary's.
DbCommandOutcome reportSchema(Database &db, QTextStream &out)
{
    Migrator migrator(db);
    auto version = migrator.currentVersion();
    if (!version) {
        out << "schema:   unknown" << Qt::endl;
        return failure(version.error().message);
    }
    out << "schema:   " << schemaLine(*version, migrator.latestVersion()) << Qt::endl;
    if (*version > migrator.latestVersion())
        return failure(QStringLiteral("the database at %1 has schema version %2 but this BotDesk knows up to %3; "
                                      "upgrade BotDesk")
                           .arg(db.describe(), QString::number(*version), QString::number(migrator.latestVersion())));
    return {};
}

DbCommandOutcome status(const DatabaseTarget &target, QTextStream &out)
{
    Database::Options options;
    options.purpose = QStringLiteral("cli");
    options.startLocalCluster = false;
    if (target.isLocalCluster()) {
        auto cluster = LocalCluster().status();
        if (!cluster)
            return failure(cluster.error().message);
        out << "database: " << escapeForDisplay(target.describe()) << Qt::endl
            << "  data:   " << escapeForDisplay(cluster->layout.dataDir) << Qt::endl
            << "  socket: " << escapeForDisplay(cluster->socketDir) << Qt::endl
            << "  log:    " << escapeForDisplay(cluster->layout.logFile) << Qt::endl;
        if (!cluster->running) {
            out << "server:   " << (cluster->initialized ? QStringLiteral("stopped (BotDesk starts it when needed, or "
                                                                           "run 'botdesk-cli db start')")
                                                         : QStringLiteral("not created yet (BotDesk creates it when "
                                                                          "needed, or run 'botdesk-cli db start')"))
                << Qt::endl
                << "schema:   unknown while stopped (this BotDesk knows up to version "
                << Migrator::latestCompiledVersion() << ')' << Qt::endl;
            return {};
        }
        out << "server:   running (pid " << cluster->pid << ", " << cluster->serverState << ')' << Qt::endl;
        Database db(target, options);
        return reportSchema(db, out);
    }

    out << "database: " << escapeForDisplay(target.describe()) << Qt::endl;
    Database db(target, options);
    auto version = db.scalar(QStringLiteral("SELECT current_setting('server_version')"));
    if (!version) {
        out << "server:   unreachable" << Qt::endl;
        return failure(version.error().message);
    }
    out << "server:   reachable (PostgreSQL " << version->toString() << ')' << Qt::endl;
    return reportSchema(db, out);
}

DbCommandOutcome notLocal(const QString &command, const DatabaseTarget &target)
{
    return failure(QStringLiteral("'db %1' manages BotDesk's local database, but the database is %2, a server BotDesk "
                                  "does not %1; drop --db / BOTDESK_DB_URL, or give --db local")
                       .arg(command, target.describe()),
                   kExitUsage);
}

DbCommandOutcome start(const DatabaseTarget &target, QTextStream &out)
{
    if (!target.isLocalCluster())
        return notLocal(QStringLiteral("start"), target);
    auto started = LocalCluster().start();
    if (!started)
        return failure(started.error().message);
    const LocalClusterStatus &s = started->status;
    if (!started->started) {
        out << "BotDesk's local database is already running (pid " << s.pid << ", data " << escapeForDisplay(s.layout.dataDir) << ')'
            << Qt::endl;
        return {};
    }
    out << (started->initialized ? "created and started" : "started") << " BotDesk's local database (pid " << s.pid
        << ", data " << escapeForDisplay(s.layout.dataDir) << ", socket " << escapeForDisplay(s.socketDir) << ')' << Qt::endl;
    return {};
}

DbCommandOutcome stop(const DatabaseTarget &target, QTextStream &out)
{
    if (!target.isLocalCluster())
        return notLocal(QStringLiteral("stop"), target);
    LocalCluster cluster;
    auto before = cluster.status();
    if (!before)
        return failure(before.error().message);
    if (!before->running) {
        out << "BotDesk's local database is not running (data " << escapeForDisplay(before->layout.dataDir) << ')' << Qt::endl;
        return {};
    }
    auto stopped = cluster.stop();
    if (!stopped)
        return failure(stopped.error().message);
    out << "stopped BotDesk's local database (pid " << before->pid << ", data " << escapeForDisplay(before->layout.dataDir) << ')'
        << Qt::endl;
    return {};
}

DbCommandOutcome migrate(const DatabaseTarget &target, QTextStream &out)
{
    Database::Options options;
    options.purpose = QStringLiteral("cli");
    Database db(target, options);
    auto migrated = Migrator(db).migrate();
    if (!migrated)
        return failure(migrated.error().message);
    if (migrated->applied.isEmpty())
        out << escapeForDisplay(db.describe()) << " is at schema version " << migrated->toVersion << ", up to date" << Qt::endl;
    else
        out << "migrated " << escapeForDisplay(db.describe()) << " from schema version " << migrated->fromVersion << " to "
            << migrated->toVersion << " (" << migrated->applied.join(QStringLiteral(", ")) << ')' << Qt::endl;
    return {};
}

} // namespace

DbCommandOutcome runDbCommand(const QStringList &arguments, const DatabaseTarget &target, QTextStream &out)
{
    if (arguments.isEmpty())
        return failure(QStringLiteral("db needs a command: %1").arg(kCommands), kExitUsage);
    if (arguments.size() > 1)
        return failure(QStringLiteral("db takes one command (%1), got '%2'")
                           .arg(kCommands, escapeForDisplay(arguments.join(QStringLiteral("', '")))),
                       kExitUsage);
    const QString command = escapeForDisplay(arguments.first());
    if (command == QLatin1String("status"))
        return status(target, out);
    if (command == QLatin1String("start"))
        return start(target, out);
    if (command == QLatin1String("stop"))
        return stop(target, out);
    if (command == QLatin1String("migrate"))
        return migrate(target, out);
    return failure(QStringLiteral("unknown db command '%1': use %2").arg(command, kCommands), kExitUsage);
}

} // namespace bd
