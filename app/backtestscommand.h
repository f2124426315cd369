#pragma once
// Backtests kept in BotDesk's store (issue 6 §3; docs/bots.md):
//   backtest --bot NAME[@HASH] --data FILE --symbol S [--deposit ...] [--spread ...] [--slippage ...]
//            [--commission ...] [--symbols FILE] [--label TEXT]
//       runs a stored version (the latest when no HASH) and saves the run: the resolved parameters, the symbol's
//       specification, the data file's path and SHA-256, the engine version, trades, statistics and the equity
//       curve. When the database cannot be reached at the end, the run waits in the spool ($BOTDESK_HOME/spool/runs)
//       and the next command that reaches the database saves it: exit 0 either way.
//   backtests list [--bot NAME] [--limit N]     stored runs, newest first (default limit 50)
//   backtests show ID                           one run: what ran on what, and its report
//   backtests rerun ID                          runs it again from the record alone and saves the new run
//                                               (rerun_of = ID); exit 0 when trades and statistics are identical,
//                                               1 naming the first difference, or when the data file changed
// ID is a run id or 8 or more of its leading hex digits.
//
// Only versions whose code is this binary's own built-in run today (Python code runs from issue 7).
// Test hook: with BOTDESK_TEST_HOLD_BEFORE_SAVE set, a run waits after it finished, before it is saved, until a
// line arrives on standard input (so a test can stop the server at exactly that point).

#include "storesession.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QStringList>
#include <QTextStream>

namespace bd {

// `backtest --bot ...` (the caller checked that --bot is given).
CliOutcome runBotBacktest(const QCommandLineParser &parser, QTextStream &out);
// `backtests <arguments...>` (the words after "backtests").
CliOutcome runBacktestsCommand(const QStringList &arguments, const QCommandLineParser &parser, QTextStream &out);

} // namespace bd
