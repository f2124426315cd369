#pragma once
// The embedded `botdesk` Python module (PYBIND11_EMBEDDED_MODULE): what a Python strategy imports.
// Python side (docs/python-strategies.md): Strategy, Int/Float parameter declarations, BUY/SELL, Cancelled, Tick, and
// the native streaming indicators EMA, SMA, RSI, ATR, Donchian, Bollinger, MACD.
// C++ side (this header, for the host only): the per-bar objects the host fills in place — one Bar and one Context
// per strategy, reused on every bar, so no Python object is built per bar — and the indicators a strategy created
// in on_start, which the host feeds with each bar before on_bar and whose values Python reads from native memory.
// Every function here needs the GIL.

#include "bar.h"
#include "strategy.h"

#include <Python.h>

#include <memory>
#include <span>
#include <vector>

namespace bd::pyhost {

// Adds `botdesk` to the interpreter's built-in modules; called once, before the interpreter starts.
void registerBotdeskModule();

// botdesk.Bar: time (bar open, UTC epoch ms), open/high/low/close (bid, quote currency), volume (ticks),
// spread (points; -1 = none in the data).
struct BarObject {
    PyObject_HEAD
    long long time;
    double open;
    double high;
    double low;
    double close;
    unsigned int volume;
    int spread;
};

// botdesk.Tick: time (UTC epoch ms), bid/ask/last (quote currency; last 0 = none), volume (of the last deal; 0 =
// none), flags (MT5 TICK_FLAG_*). One per strategy, refilled for every on_tick call (markettick.h).
struct TickObject {
    PyObject_HEAD
    long long time;
    double bid;
    double ask;
    double last;
    double volume;
    int flags;
};

struct IndicatorObject;

// botdesk.Context: balance/equity (deposit currency), positions (tuple of botdesk.Position), symbol
// (botdesk.SymbolInfo), spread (points), bar_index, time (UTC epoch ms), the action methods and history(n): a
// read-only numpy view (no copy) of the last n bars of the run's own bar memory, this bar included.
struct ContextObject {
    PyObject_HEAD
    double balance;
    double equity;
    long long barIndex;
    long long time;
    int spread;
    PyObject *positions;           // tuple, rebuilt only when the open positions change
    PyObject *symbol;              // botdesk.SymbolInfo, set once
    std::vector<Action> *actions;  // where the action methods append; null outside on_bar and on_tick
    const Bar *bars;               // the run's bars for ctx.history() (PythonStrategy::setBars); null = not given
    long long barCount;
};

// A native indicator and the values Python reads (members of the Python object, updated by feed()).
class IndicatorFeed {
public:
    virtual ~IndicatorFeed() = default;
    virtual void feed(const Bar &bar, IndicatorObject &out) = 0;
};

struct IndicatorObject {
    PyObject_HEAD
    double value;   // EMA/SMA/RSI/ATR value; Donchian/Bollinger middle; MACD line
    double upper;   // Donchian/Bollinger upper
    double lower;   // Donchian/Bollinger lower
    double signal;  // MACD signal
    double hist;    // MACD histogram
    char ready;     // every output of this indicator is a number (not NaN)
    IndicatorFeed *feed;
};

// While alive, indicators created on this thread (botdesk.EMA(...) in on_start) are appended to `registry` (new
// references, fed by the host with every bar). Outside such a scope creating an indicator raises RuntimeError.
class IndicatorRegistryScope {
public:
    explicit IndicatorRegistryScope(std::vector<IndicatorObject *> *registry);
    ~IndicatorRegistryScope();
    IndicatorRegistryScope(const IndicatorRegistryScope &) = delete;
    IndicatorRegistryScope &operator=(const IndicatorRegistryScope &) = delete;
};

// New objects (a new reference), or nullptr with a Python error set.
BarObject *newBar();
TickObject *newTick();
ContextObject *newContext(const SymbolSpec &symbol);

// Sets ctx.positions to a tuple of botdesk.Position for `positions`. Returns false with a Python error set.
bool setPositions(ContextObject *context, std::span<const Position> positions);

// botdesk.Strategy, botdesk.Param, botdesk.Cancelled (borrowed references, valid for the process).
PyObject *strategyBaseClass();
PyObject *paramClass();
PyObject *cancelledException();
// botdesk._declared_params(cls) -> [(name, Param)] in declaration order.
PyObject *declaredParamsFunction();

} // namespace bd::pyhost
