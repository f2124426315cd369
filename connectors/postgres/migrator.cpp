#include "migrator.h"

#include "logging.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

namespace bd {

Result<std::vector<Migration>> Migrator::compiled()
{
    static const QRegularExpression fileName(QStringLiteral("^([0-9]{4})_([a-z0-9_]+)\\.sql$"));
    const QDir dir(QStringLiteral(":/botdesk/migrations"));
    std::vector<Migration> migrations;
    for (const QString &entry : dir.entryList(QDir::Files, QDir::Name)) {
        const auto match = fileName.match(entry);
        if (!match.hasMatch())
            return makeError(QStringLiteral("the compiled migration %1 is not named NNNN_name.sql; rename it in "
                                            "connectors/postgres/migrations").arg(entry));
        QFile file(dir.filePath(entry));
        if (!file.open(QIODevice::ReadOnly))
            return makeError(QStringLiteral("cannot read the compiled migration %1").arg(entry));
        migrations.push_back({match.captured(1).toInt(), entry.chopped(4), QString::fromUtf8(file.readAll())});
    }
    if (auto valid = validate(migrations); !valid)
        return valid.error();
    return migrations;
}

int Migrator::latestCompiledVersion()
{
    const auto list = compiled();
    return list && !list->empty() ? list->back().version : 0;
}

Result<void> Migrator::validate(const std::vector<Migration> &migrations)
{
    if (migrations.empty())
        return makeError(QStringLiteral("no migrations: the list must start at version 1"));
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        const Migration &m = migrations[i];
        if (m.version != int(i) + 1)
            return makeError(QStringLiteral("migration %1 has version %2 where version %3 belongs; number them 1, 2, "
                                            "3, ... without gaps")
                                 .arg(m.name)
                                 .arg(m.version)
                                 .arg(i + 1));
        if (m.name.isEmpty() || m.sql.trimmed().isEmpty())
            return makeError(QStringLiteral("migration %1 has no name or no SQL").arg(m.version));
    }
    return {};
}

Migrator::Migrator(Database &db) : m_db(db)
{
    auto list = compiled();
    if (list) {
        m_migrations = std::move(*list);
    } else {
        m_listValid = false;
        m_listError = list.error();
    }
}

Migrator::Migrator(Database &db, std::vector<Migration> migrations) : m_db(db), m_migrations(std::move(migrations))
{
    if (auto valid = validate(m_migrations); !valid) {
        m_listValid = false;
        m_listError = valid.error();
    }
}

int Migrator::latestVersion() const
{
    return m_listValid && !m_migrations.empty() ? m_migrations.back().version : 0;
}

Error Migrator::newerSchemaError(int version) const
{
    return makeError(QStringLiteral("the database at %1 has schema version %2 but this BotDesk knows up to %3; "
                                    "upgrade BotDesk")
                         .arg(m_db.describe(), QString::number(version), QString::number(latestVersion())));
}

Result<int> Migrator::readVersion()
{
    auto exists = m_db.scalar(QStringLiteral("SELECT to_regclass('schema_version') IS NOT NULL"));
    if (!exists)
        return exists.error();
    if (!exists->toBool())
        return 0;
    auto version = m_db.scalar(QStringLiteral("SELECT coalesce(max(version), 0) FROM schema_version"));
    if (!version)
        return version.error();
    return version->toInt();
}

Result<int> Migrator::currentVersion()
{
    return readVersion();
}

Result<void> Migrator::checkNotNewer()
{
    auto version = readVersion();
    if (!version)
        return version.error();
    if (*version > latestVersion())
        return newerSchemaError(*version);
    return {};
}

Result<MigrationOutcome> Migrator::migrate(int targetVersion)
{
    static const auto log = logging::get("db");
    if (!m_listValid)
        return m_listError;
    const int target = targetVersion < 0 ? latestVersion() : targetVersion;
    if (target < 1 || target > latestVersion())
        return makeError(QStringLiteral("cannot migrate to schema version %1: this BotDesk knows versions 1 to %2")
                             .arg(targetVersion)
                             .arg(latestVersion()));

    return m_db.transaction([&]() -> Result<MigrationOutcome> {
        if (auto locked = m_db.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(kAdvisoryLockKey)); !locked)
            return locked.error();
        // Read under the lock: a migration that committed while we waited is seen here.
        auto current = readVersion();
        if (!current)
            return current.error();
        MigrationOutcome outcome{*current, *current, {}};
        if (*current > latestVersion())
            return newerSchemaError(*current);
        if (*current >= target)
            return outcome;
        if (*current == 0) {
            auto created = m_db.exec(QStringLiteral(
                "CREATE TABLE schema_version (version int PRIMARY KEY, name text NOT NULL, "
                "applied_at timestamptz NOT NULL DEFAULT now())"));
            if (!created)
                return created.error();
        }
        for (const Migration &m : m_migrations) {
            if (m.version <= *current || m.version > target)
                continue;
            if (auto applied = m_db.execScript(m.sql); !applied)
                return makeError(QStringLiteral("migration %1 failed, so none was applied and the database stays at "
                                                "schema version %2: %3")
                                     .arg(m.name, QString::number(*current), applied.error().message));
            auto recorded = m_db.exec(QStringLiteral("INSERT INTO schema_version (version, name) VALUES (?, ?)"),
                                      {m.version, m.name});
            if (!recorded)
                return recorded.error();
            outcome.applied << m.name;
            outcome.toVersion = m.version;
        }
        log->info("migrated {} from schema version {} to {}", m_db.describe().toStdString(), outcome.fromVersion,
                  outcome.toVersion);
        return outcome;
    });
}

Result<int> Migrator::ensureSchema()
{
    if (!m_listValid)
        return m_listError;
    auto version = readVersion();
    if (!version)
        return version.error();
    if (*version > latestVersion())
        return newerSchemaError(*version);
    if (*version == latestVersion())
        return *version;
    if (!m_db.target().isLocalCluster())
        return makeError(QStringLiteral("the database at %1 has schema version %2 but this BotDesk needs %3; run "
                                        "'botdesk-cli db migrate' as the database's owner")
                             .arg(m_db.describe(), QString::number(*version), QString::number(latestVersion())));
    auto migrated = migrate();
    if (!migrated)
        return migrated.error();
    return migrated->toVersion;
}

} // namespace bd
