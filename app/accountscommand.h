#pragma once
// botdesk-cli accounts ...: the MT5 accounts live runs trade (issue 9 §6; PgLiveRunStore, migration 0003).
//   accounts add NAME --bridge URL --token-env VAR [--magic N] [--server-utc-offset H]
//                                  an account reached through the mt5b bridge at URL (ws:// or wss://); the bridge's
//                                  token is read from environment variable VAR when a run starts (never stored);
//                                  N = ORDER_MAGIC of BotDesk's orders on it (default 900001); H = the trade server's
//                                  clock minus UTC in hours, -12..14, a multiple of 0.25 (default 0)
//   accounts list                  the login's accounts
//   accounts remove NAME           refused while a run on it is not STOPPED or ERROR
// The database: --db, else BOTDESK_DB_URL, else BotDesk's own. Exit 0 done, 1 failed (unreachable database, name
// taken, unknown account, runs still on it), 2 usage error (unknown subcommand, missing or bad option).

#include "storesession.h"

#include <QCommandLineParser>
#include <QStringList>
#include <QTextStream>

namespace bd {

// The default ORDER_MAGIC of `accounts add`.
inline constexpr qint64 kDefaultAccountMagic = 900001;

// Adds --bridge, --token-env and --magic to botdesk-cli's parser (--server-utc-offset is botdesk-cli's own).
void addAccountsOptions(QCommandLineParser &parser);

// Runs `accounts <arguments...>` (the words after "accounts"), reading its options from `parser`.
CliOutcome runAccountsCommand(const QStringList &arguments, const QCommandLineParser &parser, QTextStream &out);

} // namespace bd
