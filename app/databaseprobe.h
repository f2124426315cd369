#pragma once
// "Test connection": connects to a database target once, on the calling thread (blocking: run it on a worker
// thread), and reports the server's version and the database's BotDesk schema version. Nothing is written: the
// schema is not migrated, and the local cluster is started only when it is the target (as the Bots page would).

#include "databaseurl.h"
#include "result.h"

#include <QString>

namespace bd {

struct DatabaseProbe {
    QString database;       // the target as messages name it (redacted URL, never a password)
    QString serverVersion;  // PostgreSQL's server_version, e.g. "15.8 (Debian 15.8-0+deb12u1)"
    int schemaVersion = 0;  // the database's BotDesk schema version (0: no BotDesk schema yet)
    int binaryVersion = 0;  // the schema version this BotDesk needs (Migrator::latestCompiledVersion())

    // One line for the dialog: "Connected to <db>: PostgreSQL <v>; schema version S (this BotDesk needs B)" and,
    // when they differ, what to do.
    QString summary() const;
};

// Connects (connect_timeout `timeoutSeconds` unless the URL sets one) and reads the versions. The error is the
// Database's (the redacted URL, libpq's message and the fix).
Result<DatabaseProbe> probeDatabase(const DatabaseTarget &target, int timeoutSeconds = 10);

} // namespace bd
