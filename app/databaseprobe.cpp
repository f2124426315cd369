#include "databaseprobe.h"

#include "database.h"
#include "migrator.h"

namespace bd {

QString DatabaseProbe::summary() const
{
    QString text = QStringLiteral("Connected to %1: PostgreSQL %2; schema version %3 (this BotDesk needs %4)")
                       .arg(database, serverVersion)
                       .arg(schemaVersion)
                       .arg(binaryVersion);
    if (schemaVersion < binaryVersion)
        text += QStringLiteral(". Run 'botdesk-cli db migrate' as the database's owner before using it.");
    else if (schemaVersion > binaryVersion)
        text += QStringLiteral(". The database is newer than this BotDesk: upgrade BotDesk.");
    return text;
}

Result<DatabaseProbe> probeDatabase(const DatabaseTarget &target, int timeoutSeconds)
{
    Database::Options options;
    options.purpose = QStringLiteral("probe");
    options.connectTimeoutSeconds = timeoutSeconds;
    Database db(target, options);
    if (auto opened = db.open(); !opened)
        return opened.error();
    auto version = db.scalar(QStringLiteral("SELECT current_setting('server_version')"));
    if (!version)
        return version.error();
    Migrator migrator(db);
    auto schema = migrator.currentVersion();
    if (!schema)
        return schema.error();
    DatabaseProbe probe;
    probe.database = db.describe();
    probe.serverVersion = version->toString();
    probe.schemaVersion = *schema;
    probe.binaryVersion = Migrator::latestCompiledVersion();
    return probe;
}

} // namespace bd
