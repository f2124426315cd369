#pragma once
// botdesk-cli live ...: live runs, controlled through the database (issue 9 §6; docs/live-runs.md).
//   live start --bot NAME[@HASH] --account A --symbol S [--timeframe M1] [--decision bar|tick] [--mode auto|approve]
//              [--approval-timeout SEC] [--daily-loss P] [--drawdown-cap P] [--max-open N] [--cooldown SEC]
//              [--max-risk P]
//                      stores a run (PENDING, desired RUNNING) and prints its id; a host (`live serve`, or the
//                      desktop) picks it up
//   live stop ID [--close]   the run stops (positions stay under their SL/TP); --close closes them first
//   live resume ID           a HALTED run trades again (the trader's decision after a guardrail)
//   live list                every run: status, desired state, account, symbol, bot, last heartbeat
//   live status ID           one run: its record, its last heartbeat, its trades and latency percentiles
//   live events ID [--limit N]   its events, oldest first
//   live parity ID           the bars the run's strategy was fed, replayed through the backtester with the same version,
//                            symbol and starting equity: its entries (side, deciding bar) against the backtest's;
//                            exit 0 when they are equal, 1 with the differences listed (core/live/liveparity.h)
//   live serve [--for SEC] [--threads N] [--lease SEC]   hosts the database's runs in this process until SIGINT or
//                            SIGTERM (or SEC); a host that dies leaves its runs to the next one after the lease
// ID may be the run's full UUID or 8+ leading hex digits. The database: --db, else BOTDESK_DB_URL, else BotDesk's own.

#include "storesession.h"

#include <QCommandLineParser>
#include <QStringList>
#include <QTextStream>

namespace bd {

void addLiveOptions(QCommandLineParser &parser);
CliOutcome runLiveCommand(const QStringList &arguments, const QCommandLineParser &parser, QTextStream &out);

} // namespace bd
