#pragma once
// botdesk-cli db status|start|stop|migrate: BotDesk's database from the command line (docs/database.md).
//   status   which database (the redacted URL, or the local cluster's folders), whether its server runs, and its
//            schema version against this binary's. Starts nothing.
//   start    starts BotDesk's local database, creating it on first use; it keeps running for every BotDesk process.
//   stop     stops BotDesk's local database.
//   migrate  brings the schema to this binary's version (starting the local database when it is stopped).
// start and stop manage only the local database: with --db / BOTDESK_DB_URL naming a server they are usage errors.

#include "databaseurl.h"

#include <QString>
#include <QStringList>
#include <QTextStream>

namespace bd {

struct DbCommandOutcome {
    int exitCode = 0;  // 0 done; 1 failed (unreachable, newer schema, the server would not start...); 2 usage error
    QString error;     // when exitCode != 0: the message, for the caller to print
};

// Runs `db <arguments...>` (the words after "db") against `target`, writing its report to `out`.
// status exits 0 when the database is usable or simply stopped (the local one starts on demand), 1 when it cannot be
// reached or its schema is newer than this binary's.
DbCommandOutcome runDbCommand(const QStringList &arguments, const DatabaseTarget &target, QTextStream &out);

} // namespace bd
