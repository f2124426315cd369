#pragma once
// The guardrails' decisions (issue 9 §4), pure: the same limits and the same state always give the same answer.
// The TradeService asks checkEntry before it persists an entry intent, and checkDrawdown on every equity update;
// a denial or a trip is an event with this reason, never silent.
//
// Units: money in the account currency, percentages of equity (0..100), times UTC epoch milliseconds.

#include "liverun.h"

#include <QString>

#include <optional>

namespace bd {

// What the guardrails see of a run (and of its account) when they decide.
struct RunRiskState {
    QString symbol;                // BotDesk's name of the run's symbol ("EURUSD"), for the reasons' text
    double startingEquity = 0.0;   // the run's equity when it first started (fixed; the drawdown cap's base)
    double equity = 0.0;           // the account's equity now
    double dayStartEquity = 0.0;   // the account's equity at the start of the broker's day (server clock)
    double runDayProfit = 0.0;     // this run's realised + floating P/L since the broker day's start
    double runProfit = 0.0;        // this run's realised + floating P/L since it started
    int runOpenOnSymbol = 0;       // this run's open positions + pending orders on its symbol
    int accountOpenOnSymbol = 0;   // every run's (and manual) positions + pending orders on this account and symbol
    qint64 lastEntryAtMs = 0;      // this run's last entry (0 = none)
    qint64 nowMs = 0;
    double freeMargin = 0.0;       // the account's free margin now
};

// One entry the run wants to make, as built by buildTradeRequest.
struct EntryRequest {
    double riskPercent = 0.0;      // the loss at the SL as % of equity (0 without an SL)
    double requiredMargin = 0.0;   // margin the position needs (marginRequired), account currency
};

struct GuardrailDenial {
    QString rule;                  // "DAILY_LOSS", "MAX_OPEN_PER_SYMBOL", "MAX_OPEN_PER_ACCOUNT_SYMBOL", "COOLDOWN",
                                   // "MAX_RISK", "MARGIN", "DRAWDOWN_CAP"
    QString reason;                // for people: "Cooldown: last entry 12 s ago, 60 s required"
};

// Nothing when the entry may go; else the first rule it breaks, in the order of the list above:
//  * DAILY_LOSS: dailyLossPercent > 0 and the RUN's loss today, -runDayProfit, is at least dailyLossPercent % of
//    dayStartEquity (the account's equity at the day's start is only the base; other runs' and manual losses do not
//    count). dayStartEquity <= 0 makes the limit 0 money: an entry goes only while the run's day P/L is above 0.
//  * MAX_OPEN_PER_SYMBOL: maxOpenPerSymbol > 0 and runOpenOnSymbol >= maxOpenPerSymbol.
//  * MAX_OPEN_PER_ACCOUNT_SYMBOL: maxOpenPerAccountSymbol > 0 and accountOpenOnSymbol >= maxOpenPerAccountSymbol.
//  * COOLDOWN: cooldownMs > 0, an entry before (lastEntryAtMs > 0) and nowMs - lastEntryAtMs < cooldownMs.
//  * MAX_RISK: maxRiskPercent > 0 and entry.riskPercent > maxRiskPercent (at the limit it may go).
//  * MARGIN: marginCheck and entry.requiredMargin > freeMargin (equal may go).
//  * DRAWDOWN_CAP: as checkDrawdown (a tripped run makes no entry even before it is halted).
// A limit of 0 (marginCheck false) switches its rule off. A figure that is NaN breaks the rule that reads it: a
// guardrail never lets an unknown figure through.
std::optional<GuardrailDenial> checkEntry(const Guardrails &limits, const RunRiskState &state,
                                          const EntryRequest &entry);

// The run's drawdown from its starting equity as a percentage: max(0, -runProfit) / startingEquity * 100
// (0 when startingEquity <= 0; NaN when runProfit is NaN).
double runDrawdownPercent(const RunRiskState &state);

// Tripped when the drawdown cap is on (drawdownCapPercent > 0) and runDrawdownPercent >= drawdownCapPercent: the run
// must close every position and HALT. `reason` reads "Drawdown 23.5% exceeds cap 20%" (the drawdown to one decimal,
// the cap as given without trailing zeros; the caller appends "; closed N positions"). A NaN runProfit trips it.
std::optional<GuardrailDenial> checkDrawdown(const Guardrails &limits, const RunRiskState &state);

// Margin of `volume` lots of a Forex-mode symbol at `price` (MT5 SYMBOL_CALC_MODE_FOREX:
// volume × contractSize × price / leverage, in the base currency converted at `price` to the quote currency).
// Returns 0 when leverage <= 0.
double forexMarginRequired(double volume, double contractSize, double price, int leverage);

} // namespace bd
