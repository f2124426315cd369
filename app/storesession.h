#pragma once
// What botdesk-cli's bots, backtests and `backtest --bot` commands share: opening BotDesk's store (the database that
// --db, else BOTDESK_DB_URL, else BotDesk's local database names; its schema checked; runs left in the spool by an
// earlier outage saved first) and the outcome of a command.

#include "database.h"
#include "pgbotstore.h"
#include "result.h"
#include "runspool.h"

#include <QCommandLineParser>
#include <QString>
#include <QTextStream>

#include <memory>

namespace bd {

inline constexpr int kCliExitFailure = 1;  // the command failed (unreachable database, unknown bot, run failed...)
inline constexpr int kCliExitUsage = 2;    // the command line cannot be followed

struct CliOutcome {
    int exitCode = 0;  // 0 done, else kCliExitFailure or kCliExitUsage
    QString error;     // the message when exitCode != 0, for the caller to print
};

inline CliOutcome cliFailure(const QString &message, int code = kCliExitFailure) { return {code, message}; }

// An open store on this thread.
struct StoreSession {
    std::unique_ptr<Database> db;
    std::unique_ptr<PgBotStore> store;
    RunSpool spool;
};

// Opens the store of the database picked by `parser`'s --db (else BOTDESK_DB_URL, else the local database, started
// on demand), checks its schema (PgBotStore::ensureSchema) and flushes the spool, telling `out` how many waiting runs
// it saved and which files it moved aside. Error: a bad --db / BOTDESK_DB_URL (exit 2), or the database unreachable or
// of another schema (exit 1), with the message naming the database and the fix.
Result<StoreSession> openStore(const QCommandLineParser &parser, QTextStream &out, int *exitCode);

// Adds the options of the bots / backtests commands to botdesk-cli's parser: --bot, --template, --code, --notes,
// --label, --limit.
void addStoreOptions(QCommandLineParser &parser);


} // namespace bd
