#pragma once
// PythonStrategy: a strategy written in Python (a subclass of botdesk.Strategy) run as a bd::Strategy, so the
// backtest engine (and later the live path) runs it unchanged — same fills, same report as a native strategy.
// The API a strategy file uses is docs/python-strategies.md.
//
// Loading (loadPythonStrategy): compile, run the module, find its one botdesk.Strategy subclass, read its
// declared parameters (botdesk.Int / botdesk.Float -> bd::ParameterSpec), validate the given values with
// StrategyParams (the same rules and messages as the built-ins), instantiate, set each parameter on the instance,
// call validate_params() and get_min_bars_needed(). Every failure is a Result error naming the file, the line
// and the Python traceback; nothing throws out of loading.
// Running: on the first bar on_start(ctx) (indicators made there are fed every bar from then on, before on_bar),
// then on_bar(bar, ctx) on every bar; on_tick(tick, ctx) only from onTick (the live tick mode, not backtests). A Python exception, or on_bar returning anything but None, makes onBar throw
// std::runtime_error holding the file, line, bar time and traceback; the engine turns it into the run's error.
// Per bar no Python object is built: the one Bar and Context objects are refilled in place, indicator values are
// read from native memory, and ctx.positions is rebuilt only when the open positions change.
// Threads: any thread may load or run a PythonStrategy (one at a time per object); the GIL is taken only around
// each call into Python (pythoninterpreter.h).

#include "parameterspec.h"
#include "result.h"
#include "strategy.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>
#include <span>
#include <vector>

namespace bd {

// A strategy's source: the text and the name shown in errors and tracebacks (a path or "ema_crossover_v1.py").
struct PythonSource {
    QString fileName;
    QString code;
};

// The declared shape of a Python strategy, without running it on bars.
struct PythonStrategyInfo {
    QString name;                           // the file's base name without .py: "ema_crossover_v1"
    QString className;                      // the botdesk.Strategy subclass: "EmaCrossover"
    std::vector<ParameterSpec> parameters;  // in declaration order
    QJsonObject defaultParams;              // every parameter with its default
};

class PythonStrategy final : public Strategy {
public:
    ~PythonStrategy() override;
    QString name() const override;
    // get_min_bars_needed() of the strategy, asked once when it was loaded.
    qint64 warmupBars() const override;
    void onBar(const Bar &bar, const StrategyContext &context, std::vector<Action> &actions) override;
    // True when the Python class overrides botdesk.Strategy.on_tick.
    bool wantsTicks() const override;
    // on_tick(tick, ctx) when the class overrides it, else nothing. One botdesk.Tick object is refilled for every
    // call (no object built per tick); ctx is refilled from `context` (its time stays the last bar's); indicators are
    // not fed (they are bar indicators). The first call runs on_start if no bar came before. Errors throw as onBar's
    // do (file, line, tick time, traceback). The backtest engine does not call it (strategy.h); the live tick mode will.
    void onTick(const MarketTick &tick, const StrategyContext &context, std::vector<Action> &actions) override;

    // The run's cancel flag (BacktestControl::cancelRequested). Once it is set, Python code still running in
    // on_bar is interrupted (botdesk.Cancelled raised in it within about 25 ms; cancelwatchdog.h) and no further
    // bar reaches Python, so the engine stops at its next cancel check with a cancelled result. nullptr = none.
    void setCancelFlag(const std::atomic<bool> *cancel);
    // The bars the run will feed (the same span given to runBacktest), for ctx.history(): a zero-copy numpy view
    // of them. They must outlive the run. Without it ctx.history() raises RuntimeError.
    void setBars(std::span<const Bar> bars);
    // Every parameter with its value (given, else its default): integers as JSON integers.
    QJsonObject resolvedParams() const;
    const PythonStrategyInfo &info() const;

    struct State;

private:
    explicit PythonStrategy(std::unique_ptr<State> state);
    friend Result<std::unique_ptr<PythonStrategy>> loadPythonStrategy(const PythonSource &, const QJsonObject &);
    std::unique_ptr<State> m;
};

// Reads and checks a strategy file without running it on bars. Errors: the embedded Python cannot start, a syntax
// error or an exception while the module runs (file:line: and the traceback), no or several botdesk.Strategy
// subclasses, a malformed parameter declaration (the parameter named, with the form to use).
Result<PythonStrategyInfo> inspectPythonStrategy(const PythonSource &source);

// Loads the strategy with `params` (any subset of its declared parameters; the rest take defaults). Fails as
// inspectPythonStrategy does, and when a parameter is unknown, of the wrong type or out of range (StrategyParams's
// messages), when __init__ or validate_params() raises, or get_min_bars_needed() is not a whole number >= 0.
Result<std::unique_ptr<PythonStrategy>> loadPythonStrategy(const PythonSource &source, const QJsonObject &params);

// The text of a strategy file (UTF-8). Fails naming the path when it cannot be read or is not a .py file.
Result<PythonSource> readPythonStrategyFile(const QString &path);

// The Python templates shipped with the app (compiled in): "ema_crossover_v1.py", "box_breakout_v1.py".
QStringList pythonTemplateNames();
// A template's source; fails naming the templates for an unknown name.
Result<PythonSource> pythonTemplate(const QString &fileName);

} // namespace bd
