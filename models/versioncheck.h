#pragma once
// "Check" of a bot version's code in the editor (issue 7 §3): the code is compiled and instantiated with its
// parameters through the VersionStrategyProvider, then run by the backtest engine (default BacktestConfig, the
// deposit in the symbol's profit currency) on the first bars of a data file, so a syntax error, a bad parameter or
// an exception in on_bar shows up before anything is stored or backtested for real.
//
// checkVersion blocks its thread (compiling, loading the bars, running): call it from a worker (QtConcurrent),
// never from the GUI thread. It may be called from several threads at once.

#include "result.h"
#include "versionstrategy.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace bd {

struct VersionCheckInput {
    QString strategyTemplate;     // the bot's template: its language ("ema_crossover_v1.py" = Python)
    QString code;                 // the code to check (the editor's text)
    QString codeName;             // the name errors carry: "alpha@1a2b3c4d5e6f.py" (versionCodeName)
    QJsonObject params;           // any subset of the declared parameters; the rest take defaults
    QString dataFile;             // bars file (BotDesk CSV or MT5 export, plain or .gz)
    QString symbol;               // a symbol of the built-in catalogue ("EURUSD")
    QString barCacheDirectory;    // the bar cache folder (BarCache); empty = parse without the cache
    qint64 maxBars = 1000;        // run on at most this many bars from the start of the file (>= 1)
};

struct VersionCheckReport {
    qint64 bars = 0;              // bars the strategy ran on (maxBars, or fewer when the file is shorter)
    qint64 firstBarTimeMs = 0;    // UTC epoch ms
    qint64 lastBarTimeMs = 0;     // UTC epoch ms
    int trades = 0;               // closed trades (END_OF_TEST included)
    double netProfit = 0.0;       // deposit currency
    QStringList warnings;         // the engine's warnings for this short run (e.g. shorter than the warm-up)
};

// Loads and runs the code as above. Errors, each with the message of the part that failed: an unknown symbol
// (naming the known ones), maxBars < 1, the provider's load error (Python: "alpha@….py:LINE: Type: message" and the
// traceback; a parameter out of range names the parameter), the data file's loader error, the engine's error
// (a Python exception in on_bar: file, line, bar time and traceback).
Result<VersionCheckReport> checkVersion(const VersionStrategyProvider &strategies, const VersionCheckInput &input);

// The 1-based line of `codeName` that `message` names first ("alpha@….py:12: SyntaxError…" -> 12, also a
// traceback's `File "alpha@….py", line 12`); 0 when it names none.
int errorLineOf(const QString &message, const QString &codeName);

} // namespace bd
