#pragma once
// Migrator: brings a database's schema to the version this BotDesk knows, with the numbered SQL migrations compiled
// into the binary (connectors/postgres/migrations/NNNN_name.sql, as the resources :/botdesk/migrations/).
//
// The schema's version is the highest row of schema_version(version, name, applied_at), 0 for an empty database.
// migrate() takes a transaction-scoped advisory lock (so two processes migrating at once take turns), applies every
// pending migration in ONE transaction and records each: a failure leaves the database exactly as it was. A
// database whose version is above this BotDesk's latest is refused, never touched: "the database at <url> has schema
// version 3 but this BotDesk knows up to 2; upgrade BotDesk".

#include "database.h"
#include "result.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace bd {

struct Migration {
    int version = 0;  // 1, 2, ... (the NNNN of the file name)
    QString name;     // "0001_bots_versions_backtests"
    QString sql;      // the script, run as one string (several statements)
};

struct MigrationOutcome {
    int fromVersion = 0;
    int toVersion = 0;
    QStringList applied;  // names of the migrations applied by this call, in order (empty: nothing to do)
};

class Migrator {
public:
    // The key of pg_advisory_xact_lock held while migrating ("botdesk" in ASCII).
    static constexpr qint64 kAdvisoryLockKey = 0x626f746465736b;

    // The migrations compiled into this binary, in version order. Error when a resource is misnamed or the versions
    // are not 1..n without gaps (a build mistake).
    static Result<std::vector<Migration>> compiled();
    // The highest compiled version (0 when the compiled list is broken).
    static int latestCompiledVersion();
    // Checks that `migrations` are numbered 1..n in order, each with a name and SQL.
    static Result<void> validate(const std::vector<Migration> &migrations);

    // Uses the compiled migrations.
    explicit Migrator(Database &db);
    // Uses `migrations` (tests give longer or shorter lists than the compiled one).
    Migrator(Database &db, std::vector<Migration> migrations);

    // The version this Migrator brings a database to (its last migration's).
    int latestVersion() const;
    // The database's schema version: 0 when it has no schema_version table.
    Result<int> currentVersion();
    // Nothing when the database's version is at most latestVersion(), else the "upgrade BotDesk" error.
    Result<void> checkNotNewer();
    // Applies the pending migrations up to `targetVersion` (-1: latestVersion()) in one transaction. Error, with
    // nothing changed, when the database is newer than latestVersion(), when targetVersion is out of range, or when
    // a migration fails (the message names it).
    Result<MigrationOutcome> migrate(int targetVersion = -1);

    // What a BotDesk program calls before it uses the database. BotDesk's local database is migrated at once (zero
    // set-up); a server given by URL must already be at latestVersion(), since migrating a shared database is its
    // owner's decision: else the error says "... has schema version 0 but this BotDesk needs 1; run 'botdesk-cli db
    // migrate' as the database's owner". A newer schema is refused either way. Returns the schema version.
    Result<int> ensureSchema();

private:
    Result<int> readVersion();
    Error newerSchemaError(int version) const;
    Database &m_db;
    std::vector<Migration> m_migrations;
    Error m_listError;  // set when the list given is not valid
    bool m_listValid = true;
};

} // namespace bd
