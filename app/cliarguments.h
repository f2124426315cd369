#pragma once
// Strict parsing of the numeric and enumerated values given to botdesk-cli and botdesk on the command line, and the
// ranges they accept. A value is either taken exactly as written or refused with a message that names the option,
// echoes the value (invisible characters escaped) and says what to give instead: nothing is rounded, clamped,
// cast or replaced by a default.
//
// The ranges come from the engine (backtestLimits) and the loader (kMaxServerUtcOffsetSeconds): the engine refuses
// a config, the command line refuses the text that would produce it, with the same bounds.

#include "backtestengine.h"
#include "barloader.h"
#include "result.h"
#include "symbolspec.h"

#include <QString>
#include <QStringList>

#include <string>

namespace bd {

// The command line accepts exactly what the engine and the loader accept: their limits, one source each.
namespace cliLimits {
inline constexpr int kMaxSpreadPoints = backtestLimits::kMaxSpreadPoints;            // --spread: whole points
inline constexpr int kMaxSlippagePoints = backtestLimits::kMaxSlippagePoints;        // --slippage: whole points
inline constexpr double kMaxCommissionPerLot = backtestLimits::kMaxCommissionPerLot; // --commission: per lot per deal
inline constexpr double kMaxDeposit = backtestLimits::kMaxDeposit;                   // --deposit: above 0, at most this
inline constexpr qint64 kMaxServerUtcOffsetSeconds = bd::kMaxServerUtcOffsetSeconds; // --server-utc-offset: ±14 h
} // namespace cliLimits

// The values a number option accepts.
struct NumberRange {
    double min = 0;
    double max = 0;
    bool minExclusive = false;  // true: the value must be above `min` (a deposit of 0 is refused)
    bool wholeNumber = false;   // true: 2.7 is refused, 2, 2.0 and 2e3 are accepted
    int maxDecimals = -1;       // >= 0: more decimals than this are refused (a form field in cents takes 2)
    QString unit;               // e.g. "points", "seconds", "money in the deposit currency"; the fix says "give a whole
                                // number of <unit> ..." or "give an amount of <unit> ..."
    QString note;               // optional, appended to the fix, e.g. "(server time minus UTC, 7200 for GMT+2)"
};

// Parses `text`, the value of `option` (named without dashes, e.g. "spread"), as a decimal number inside `range`.
// Accepted syntax: optional sign, digits with an optional fraction, optional exponent ("12", "-0.5", "1e3", ".5");
// no spaces, group separators, hex, "nan" or "inf". Returns an error, naming the option, the escaped value and the
// accepted range, when the text is empty, not a number, not finite, outside the range (including too large for a
// double), not whole where a whole number is required, or with more decimals than allowed, in that order of checks.
Result<double> parseNumberOption(const QString &option, const QString &text, const NumberRange &range);

// The botdesk-cli options, with the ranges of cliLimits. Return the value in the unit of the option, or the error.
Result<int> parseSpreadPoints(const QString &text);             // --spread, points
Result<int> parseSlippagePoints(const QString &text);           // --slippage, points
Result<double> parseCommissionPerLot(const QString &text);      // --commission, money per lot per deal
Result<double> parseDeposit(const QString &text);               // --deposit, money
Result<qint64> parseServerUtcOffsetSeconds(const QString &text);// --server-utc-offset, seconds

// --log-level: one of trace, debug, info, warn, error, off (case-insensitive). Returns the lower-case name, or an
// error naming the escaped value and the choices.
Result<std::string> parseLogLevel(const QString &text);

// "'x' is not a <what>; choose one of: a, b, c" with the value escaped; lists at most `maxShown` choices and then
// says how many more there are.
QString unknownChoiceMessage(const QString &what, const QString &value, const QStringList &choices, int maxShown = 20);

// --symbol NAME: the symbol of `catalog` (case-insensitive), or "--symbol 'X' is not a known symbol; choose one
// of: ..." listing the catalogue's names.
Result<const SymbolSpec *> symbolOption(const SymbolCatalog &catalog, const QString &name);
// --strategy NAME: nothing when it names a built-in strategy, else the error listing them.
Result<void> strategyOption(const QString &name);

} // namespace bd
