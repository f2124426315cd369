#include "pythonstrategy.h"

#include "botdeskmodule.h"
#include "cancelwatchdog.h"
#include "pythonerror.h"
#include "pythoninterpreter.h"
#include "strategyparams.h"

#include <Python.h>

#include <QDateTime>
#include <QFile>
#include <QFileInfo>

#include <cmath>
#include <stdexcept>

namespace bd {

using namespace pyhost;

namespace {

// An owned reference, released with the GIL held (every PyRef lives and dies inside a PythonCall).
struct PyRef {
    PyObject *p = nullptr;
    PyRef() = default;
    explicit PyRef(PyObject *o) : p(o) {}
    PyRef(const PyRef &) = delete;
    PyRef &operator=(const PyRef &) = delete;
    PyRef(PyRef &&o) noexcept : p(o.p) { o.p = nullptr; }
    PyRef &operator=(PyRef &&o) noexcept
    {
        std::swap(p, o.p);
        return *this;
    }
    ~PyRef() { Py_XDECREF(p); }
    explicit operator bool() const { return p != nullptr; }
    PyObject *get() const { return p; }
    PyObject *release()
    {
        PyObject *o = p;
        p = nullptr;
        return o;
    }
};

QString baseNameOf(const QString &fileName)
{
    QString name = QFileInfo(fileName).fileName();
    if (name.endsWith(QLatin1String(".py")))
        name.chop(3);
    return name;
}

QString barTimeText(qint64 timeMs)
{
    return QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd hh:mm")) +
           QStringLiteral(" UTC");
}

QString typeNameOf(PyObject *o)
{
    return QString::fromUtf8(Py_TYPE(o)->tp_name);
}

// The module a source defines, run in a fresh namespace, with its strategy class and declared parameters.
struct LoadedModule {
    PyRef module;
    PyRef strategyClass;
    QString className;
    std::vector<ParameterSpec> specs;
};

// The source's lines go to linecache, so tracebacks show them even when the file is not on disk (a template).
void registerLines(const QByteArray &fileName, const QByteArray &code)
{
    PyRef linecache(PyImport_ImportModule("linecache"));
    if (!linecache) {
        PyErr_Clear();
        return;
    }
    PyRef cache(PyObject_GetAttrString(linecache.get(), "cache"));
    PyRef text(PyUnicode_FromStringAndSize(code.constData(), code.size()));
    PyRef lines(text ? PyObject_CallMethod(text.get(), "splitlines", "O", Py_True) : nullptr);
    PyRef entry(lines ? Py_BuildValue("(nOOs)", Py_ssize_t(code.size()), Py_None, lines.get(), fileName.constData())
                      : nullptr);
    if (cache && entry)
        PyDict_SetItemString(cache.get(), fileName.constData(), entry.get());
    PyErr_Clear();
}

Result<double> numberField(PyObject *param, const char *field, bool wantInt, const QString &where)
{
    PyRef v(PyObject_GetAttrString(param, field));
    if (!v)
        return makeError(describePythonError(where, QString()));
    const bool isInt = PyLong_Check(v.get()) && !PyBool_Check(v.get());
    const bool isNumber = isInt || PyFloat_Check(v.get());
    if (wantInt ? !isInt : !isNumber)
        return makeError(QStringLiteral("%1: its %2 is %3 (%4); give %5")
                             .arg(where, QLatin1String(field), pyRepr(v.get()), typeNameOf(v.get()),
                                  wantInt ? QStringLiteral("a whole number") : QStringLiteral("a number")));
    const double d = PyFloat_AsDouble(v.get());
    if (!std::isfinite(d) || std::fabs(d) > 1e15)
        return makeError(QStringLiteral("%1: its %2 is %3; give a finite number of at most 1e15")
                             .arg(where, QLatin1String(field), pyRepr(v.get())));
    return d;
}

// The ParameterSpec of one botdesk.Param declaration.
Result<ParameterSpec> specOf(const QString &fileName, const QString &key, PyObject *param)
{
    const QString where = QStringLiteral("%1: parameter '%2' (%3)").arg(fileName, key, pyRepr(param));
    PyRef kind(PyObject_GetAttrString(param, "kind"));
    const char *kindText = kind && PyUnicode_Check(kind.get()) ? PyUnicode_AsUTF8(kind.get()) : "";
    PyErr_Clear();
    ParameterSpec spec;
    spec.key = key;
    const bool isInt = qstrcmp(kindText, "int") == 0;
    if (!isInt && qstrcmp(kindText, "float") != 0)
        return makeError(QStringLiteral("%1 is of kind '%2'; declare it with botdesk.Int(...) or botdesk.Float(...)")
                             .arg(where, QString::fromUtf8(kindText)));
    spec.type = isInt ? ParameterSpec::Type::Integer : ParameterSpec::Type::Number;
    auto def = numberField(param, "default", isInt, where);
    auto min = def ? numberField(param, "min", isInt, where) : def;
    auto max = min ? numberField(param, "max", isInt, where) : min;
    auto step = max ? numberField(param, "step", false, where) : max;
    if (!step)
        return step.error();
    spec.defaultValue = *def;
    spec.min = *min;
    spec.max = *max;
    spec.step = *step;
    if (!(spec.min <= spec.defaultValue && spec.defaultValue <= spec.max))
        return makeError(QStringLiteral("%1: the default must lie within min..max").arg(where));
    if (!(spec.step > 0.0))
        return makeError(QStringLiteral("%1: step must be above 0").arg(where));
    PyRef description(PyObject_GetAttrString(param, "description"));
    if (!description || !PyUnicode_Check(description.get())) {
        PyErr_Clear();
        return makeError(QStringLiteral("%1: description must be text").arg(where));
    }
    spec.description = QString::fromUtf8(PyUnicode_AsUTF8(description.get()));
    return spec;
}

Result<LoadedModule> loadModule(const PythonSource &source)
{
    const QByteArray fileName = source.fileName.toUtf8();
    const QByteArray code = source.code.toUtf8();
    const QString name = baseNameOf(source.fileName);
    registerLines(fileName, code);

    PyRef compiled(Py_CompileString(code.constData(), fileName.constData(), Py_file_input));
    if (!compiled)
        return makeError(describePythonError(source.fileName, QStringLiteral("while compiling")));

    LoadedModule out;
    out.module = PyRef(PyModule_New(name.toUtf8().constData()));
    if (!out.module)
        return makeError(describePythonError(source.fileName, QString()));
    PyObject *globals = PyModule_GetDict(out.module.get());
    PyRef file(PyUnicode_FromStringAndSize(fileName.constData(), fileName.size()));
    PyDict_SetItemString(globals, "__file__", file.get());
    PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
    PyRef ran(PyEval_EvalCode(compiled.get(), globals, globals));
    if (!ran)
        return makeError(describePythonError(source.fileName, QStringLiteral("while the module ran")));

    // Its own subclasses of botdesk.Strategy (not ones it imported).
    QStringList found;
    PyObject *key = nullptr;
    PyObject *value = nullptr;
    Py_ssize_t pos = 0;
    PyRef moduleName(PyUnicode_FromString(name.toUtf8().constData()));
    while (PyDict_Next(globals, &pos, &key, &value)) {
        if (!PyType_Check(value) || value == strategyBaseClass() || PyObject_IsSubclass(value, strategyBaseClass()) != 1)
            continue;
        PyRef owner(PyObject_GetAttrString(value, "__module__"));
        PyErr_Clear();
        if (!owner || PyObject_RichCompareBool(owner.get(), moduleName.get(), Py_EQ) != 1)
            continue;
        found << QString::fromUtf8(reinterpret_cast<PyTypeObject *>(value)->tp_name);
        if (!out.strategyClass) {
            Py_INCREF(value);
            out.strategyClass = PyRef(value);
        }
    }
    PyErr_Clear();
    if (found.isEmpty())
        return makeError(QStringLiteral("%1 defines no strategy: write a class that derives from botdesk.Strategy "
                                        "(import botdesk; class MyStrategy(botdesk.Strategy): ...)")
                             .arg(source.fileName));
    if (found.size() > 1)
        return makeError(QStringLiteral("%1 defines %2 strategies (%3); keep one botdesk.Strategy subclass per file")
                             .arg(source.fileName)
                             .arg(found.size())
                             .arg(found.join(QStringLiteral(", "))));
    out.className = found.first();

    PyRef declared(PyObject_CallOneArg(declaredParamsFunction(), out.strategyClass.get()));
    if (!declared)
        return makeError(describePythonError(source.fileName, QStringLiteral("while reading the parameters")));
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(declared.get()); ++i) {
        PyObject *item = PyList_GET_ITEM(declared.get(), i);
        const QString paramKey = QString::fromUtf8(PyUnicode_AsUTF8(PyTuple_GET_ITEM(item, 0)));
        auto spec = specOf(source.fileName, paramKey, PyTuple_GET_ITEM(item, 1));
        if (!spec)
            return spec.error();
        out.specs.push_back(std::move(spec).value());
    }
    return out;
}

QJsonObject defaultsOf(const std::vector<ParameterSpec> &specs)
{
    QJsonObject out;
    for (const ParameterSpec &spec : specs)
        out.insert(spec.key, spec.defaultJson());
    return out;
}

// A position as the strategy last saw it (ctx.positions is rebuilt when any of these change).
struct SeenPosition {
    quint64 ticket;
    double volume;
    double sl;
    double tp;
    bool operator==(const SeenPosition &) const = default;
};

} // namespace

struct PythonStrategy::State {
    PythonStrategyInfo info;
    QString fileName;
    QJsonObject resolved;
    qint64 warmup = 0;
    PyRef module;
    PyRef instance;
    PyRef onBar;
    PyRef onStart;
    PyRef onTick;   // the bound on_tick when the class overrides botdesk.Strategy.on_tick, else null
    PyRef bar;      // BarObject
    PyRef tick;     // TickObject, made on the first onTick
    PyRef context;  // ContextObject
    std::vector<IndicatorObject *> indicators;  // owned references
    std::vector<SeenPosition> seen;
    std::span<const Bar> bars;  // for ctx.history()
    bool started = false;
    bool cancelled = false;
    std::shared_ptr<WatchedCall> watched = std::make_shared<WatchedCall>();
    bool watching = false;

    // Throws the current Python error as the run's error (formatted while the GIL is held).
    [[noreturn]] void fail(const QString &where)
    {
        throw std::runtime_error(describePythonError(fileName, where).toStdString());
    }

    // Makes the context and calls on_start(ctx), once, before the first bar or tick (`timeMs`). The GIL is held.
    void start(const StrategyContext &context, qint64 timeMs, const QString &before)
    {
        auto *c = newContext(context.symbol);
        if (!c)
            fail(QStringLiteral("while preparing the context"));
        this->context = PyRef(reinterpret_cast<PyObject *>(c));
        started = true;
        c->bars = bars.data();
        c->barCount = qint64(bars.size());
        c->time = timeMs;
        c->balance = context.balance;
        c->equity = context.equity;
        IndicatorRegistryScope registering(&indicators);
        watched->threadId = PyThread_get_thread_ident();
        watched->inPython = true;
        PyRef r(PyObject_CallOneArg(onStart.get(), this->context.get()));
        watched->inPython = false;
        if (!r)
            fail(QStringLiteral("in on_start, before the first %1").arg(before));
    }

    // Calls callable(event, ctx) with `actions` as the target of ctx's order methods, watched for Cancel. Returns
    // true when the call returned None. Returns false when Cancel interrupted it (then `cancelled` is set and
    // `actions` cleared). Throws the run's error when it raised (`where` says in which call) or returned anything
    // but None (`returned` is the message's start: "on_bar returned a X at ...").
    // Both texts are made only when needed (no per-call cost on the hot path).
    template <typename Where, typename Returned>
    bool callWatched(PyObject *callable, PyObject *event, ContextObject *c, std::vector<Action> &actions,
                     const Where &where, const Returned &returned)
    {
        WatchedCall &w = *watched;
        c->actions = &actions;
        w.threadId = PyThread_get_thread_ident();
        w.inPython = true;
        PyObject *args[2] = {event, context.get()};
        PyObject *result = PyObject_Vectorcall(callable, args, 2, nullptr);
        w.inPython = false;
        c->actions = nullptr;
        if (w.interrupted) [[unlikely]] {
            PyThreadState_SetAsyncExc(w.threadId, nullptr);  // a Cancelled raised after the call returned
            if (!result && PyErr_ExceptionMatches(cancelledException())) {
                PyErr_Clear();
                cancelled = true;
                actions.clear();
                return false;
            }
        }
        if (!result) [[unlikely]]
            fail(where());
        if (result != Py_None) [[unlikely]] {
            const QString type = typeNameOf(result);
            Py_DECREF(result);
            throw std::runtime_error(QStringLiteral("%1: %2; it must return None (place orders with ctx.open_trade, "
                                                    "ctx.close_position, ctx.reduce_position, ctx.modify_sltp)")
                                         .arg(fileName, returned(type))
                                         .toStdString());
        }
        Py_DECREF(result);
        return true;
    }

    // True once the run was cancelled: Python is not called again (the engine sees the flag at its next check).
    bool cancelRequested()
    {
        if (!cancelled && watched->cancel && watched->cancel->load(std::memory_order_relaxed)) [[unlikely]]
            cancelled = true;
        return cancelled;
    }

    // Refills ctx from the engine's context (its time is the caller's: a bar's, or the last bar's for a tick).
    void refill(ContextObject *c, const StrategyContext &context)
    {
        c->balance = context.balance;
        c->equity = context.equity;
        c->barIndex = context.barIndex;
        c->spread = context.spreadPoints;
        refreshPositions(c, context.positions);
    }

    // Rebuilds ctx.positions when the open positions changed since the strategy last saw them.
    void refreshPositions(ContextObject *c, std::span<const Position> positions)
    {
        bool changed = positions.size() != seen.size();
        for (size_t i = 0; !changed && i < positions.size(); ++i) {
            const Position &p = positions[i];
            changed = !(seen[i] == SeenPosition{p.ticket, p.volume, p.sl, p.tp});
        }
        if (!changed) [[likely]]
            return;
        if (!setPositions(c, positions))
            fail(QStringLiteral("while listing the positions"));
        seen.clear();
        for (const Position &p : positions)
            seen.push_back({p.ticket, p.volume, p.sl, p.tp});
    }
};

PythonStrategy::PythonStrategy(std::unique_ptr<State> state) : m(std::move(state)) {}

PythonStrategy::~PythonStrategy()
{
    if (m->watching)
        unwatch(m->watched);
    PythonCall gil;
    for (IndicatorObject *indicator : m->indicators)
        Py_DECREF(indicator);
    m->indicators.clear();
    m->onBar = PyRef();
    m->onStart = PyRef();
    m->onTick = PyRef();
    m->tick = PyRef();
    m->instance = PyRef();
    m->bar = PyRef();
    m->context = PyRef();
    m->module = PyRef();
}

QString PythonStrategy::name() const { return m->info.name; }
qint64 PythonStrategy::warmupBars() const { return m->warmup; }
QJsonObject PythonStrategy::resolvedParams() const { return m->resolved; }
const PythonStrategyInfo &PythonStrategy::info() const { return m->info; }

void PythonStrategy::setBars(std::span<const Bar> bars)
{
    m->bars = bars;
    if (m->context) {
        auto *c = reinterpret_cast<ContextObject *>(m->context.get());
        c->bars = bars.data();
        c->barCount = qint64(bars.size());
    }
}

void PythonStrategy::setCancelFlag(const std::atomic<bool> *cancel)
{
    if (m->watching) {
        unwatch(m->watched);
        m->watching = false;
    }
    m->watched->cancel = cancel;
    if (cancel) {
        watch(m->watched);
        m->watching = true;
    }
}

void PythonStrategy::onBar(const Bar &bar, const StrategyContext &context, std::vector<Action> &actions)
{
    if (m->cancelRequested()) [[unlikely]]
        return;
    PythonCall gil;
    auto *b = reinterpret_cast<BarObject *>(m->bar.get());
    auto *c = reinterpret_cast<ContextObject *>(m->context.get());
    if (!m->started) [[unlikely]] {
        m->start(context, bar.timeMs, QStringLiteral("bar (%1)").arg(barTimeText(bar.timeMs)));
        c = reinterpret_cast<ContextObject *>(m->context.get());
    }
    b->time = bar.timeMs;
    b->open = bar.open;
    b->high = bar.high;
    b->low = bar.low;
    b->close = bar.close;
    b->volume = bar.tickVolume;
    b->spread = bar.spreadPoints;
    for (IndicatorObject *indicator : m->indicators)
        indicator->feed->feed(bar, *indicator);
    c->time = bar.timeMs;
    m->refill(c, context);

    m->callWatched(
        m->onBar.get(), m->bar.get(), c, actions,
        [&] { return QStringLiteral("in on_bar at bar %1 (index %2)").arg(barTimeText(bar.timeMs)).arg(context.barIndex); },
        [&](const QString &type) {
            return QStringLiteral("on_bar returned a %1 at bar %2 (index %3)")
                .arg(type, barTimeText(bar.timeMs))
                .arg(context.barIndex);
        });
}

bool PythonStrategy::wantsTicks() const { return bool(m->onTick); }

void PythonStrategy::onTick(const MarketTick &tick, const StrategyContext &context, std::vector<Action> &actions)
{
    if (!m->onTick || m->cancelRequested())
        return;
    PythonCall gil;
    if (!m->started)
        m->start(context, tick.timeMs, QStringLiteral("tick (%1)").arg(barTimeText(tick.timeMs)));
    if (!m->tick) {
        m->tick = PyRef(reinterpret_cast<PyObject *>(newTick()));
        if (!m->tick)
            m->fail(QStringLiteral("while preparing the tick"));
    }
    auto *t = reinterpret_cast<TickObject *>(m->tick.get());
    auto *c = reinterpret_cast<ContextObject *>(m->context.get());
    t->time = tick.timeMs;
    t->bid = tick.bid;
    t->ask = tick.ask;
    t->last = tick.last;
    t->volume = tick.volume;
    t->flags = tick.flags;
    // ctx as at the last bar's close: its time stays that bar's (ctx.history() keeps working), the tick has its own.
    m->refill(c, context);

    m->callWatched(
        m->onTick.get(), m->tick.get(), c, actions,
        [&] {
            return QStringLiteral("in on_tick at tick %1 (bid %2, ask %3)")
                .arg(barTimeText(tick.timeMs), QString::number(tick.bid, 'g', 12), QString::number(tick.ask, 'g', 12));
        },
        [&](const QString &type) { return QStringLiteral("on_tick returned a %1 at tick %2").arg(type, barTimeText(tick.timeMs)); });
}

Result<PythonStrategyInfo> inspectPythonStrategy(const PythonSource &source)
{
    if (auto started = ensureInterpreter(); !started)
        return started.error();
    PythonCall gil;
    auto loaded = loadModule(source);
    if (!loaded)
        return loaded.error();
    PythonStrategyInfo info;
    info.name = baseNameOf(source.fileName);
    info.className = loaded->className;
    info.parameters = loaded->specs;
    info.defaultParams = defaultsOf(info.parameters);
    return info;
}

Result<std::unique_ptr<PythonStrategy>> loadPythonStrategy(const PythonSource &source, const QJsonObject &params)
{
    if (auto started = ensureInterpreter(); !started)
        return started.error();
    PythonCall gil;
    auto loaded = loadModule(source);
    if (!loaded)
        return loaded.error();
    auto state = std::make_unique<PythonStrategy::State>();
    state->fileName = source.fileName;
    state->info.name = baseNameOf(source.fileName);
    state->info.className = loaded->className;
    state->info.parameters = loaded->specs;
    state->info.defaultParams = defaultsOf(loaded->specs);

    // The values, checked as the built-ins' are (the same messages).
    StrategyParams in(state->info.name, loaded->specs, params);
    std::vector<std::pair<QByteArray, PyRef>> values;
    for (const ParameterSpec &spec : loaded->specs) {
        PyRef v(spec.type == ParameterSpec::Type::Integer ? PyLong_FromLong(in.integer(spec.key))
                                                          : PyFloat_FromDouble(in.number(spec.key)));
        values.emplace_back(spec.key.toUtf8(), std::move(v));
    }
    if (auto ok = in.status(); !ok)
        return makeError(QStringLiteral("%1: %2").arg(source.fileName, ok.error().message));
    state->resolved = in.resolved();

    state->instance = PyRef(PyObject_CallNoArgs(loaded->strategyClass.get()));
    if (!state->instance)
        return makeError(describePythonError(source.fileName, QStringLiteral("while creating %1()").arg(loaded->className)));
    for (const auto &[key, value] : values) {
        if (PyObject_SetAttrString(state->instance.get(), key.constData(), value.get()) != 0)
            return makeError(describePythonError(source.fileName, QStringLiteral("while setting parameter '%1'")
                                                                      .arg(QString::fromUtf8(key))));
    }
    PyRef checked(PyObject_CallMethod(state->instance.get(), "validate_params", nullptr));
    if (!checked) {
        if (PyErr_ExceptionMatches(PyExc_ValueError)) {
            PyObject *type = nullptr, *value = nullptr, *traceback = nullptr;
            PyErr_Fetch(&type, &value, &traceback);
            PyErr_NormalizeException(&type, &value, &traceback);
            const QString message = pyStr(value);
            Py_XDECREF(type);
            Py_XDECREF(value);
            Py_XDECREF(traceback);
            return makeError(QStringLiteral("%1: parameters refused by validate_params(): %2 (given %3)")
                                 .arg(source.fileName, message, compactJson(state->resolved)));
        }
        return makeError(describePythonError(source.fileName, QStringLiteral("in validate_params()")));
    }
    PyRef warmup(PyObject_CallMethod(state->instance.get(), "get_min_bars_needed", nullptr));
    if (!warmup)
        return makeError(describePythonError(source.fileName, QStringLiteral("in get_min_bars_needed()")));
    const long long bars = PyLong_Check(warmup.get()) && !PyBool_Check(warmup.get()) ? PyLong_AsLongLong(warmup.get()) : -1;
    if (bars < 0 || PyErr_Occurred()) {
        PyErr_Clear();
        return makeError(QStringLiteral("%1: get_min_bars_needed() returned %2 (%3); it must return a whole number of "
                                        "bars >= 0")
                             .arg(source.fileName, pyRepr(warmup.get()), typeNameOf(warmup.get())));
    }
    state->warmup = bars;
    state->onBar = PyRef(PyObject_GetAttrString(state->instance.get(), "on_bar"));
    state->onStart = PyRef(PyObject_GetAttrString(state->instance.get(), "on_start"));
    if (!state->onBar || !state->onStart || !PyCallable_Check(state->onBar.get()) || !PyCallable_Check(state->onStart.get())) {
        PyErr_Clear();
        return makeError(QStringLiteral("%1: %2.on_bar and on_start must be methods (def on_bar(self, bar, ctx): ...)")
                             .arg(source.fileName, loaded->className));
    }
    // on_tick only when the class overrides botdesk.Strategy's (which does nothing): no tick reaches Python otherwise.
    PyRef ownTick(PyObject_GetAttrString(loaded->strategyClass.get(), "on_tick"));
    PyRef baseTick(PyObject_GetAttrString(strategyBaseClass(), "on_tick"));
    if (!ownTick || !baseTick || !PyCallable_Check(ownTick.get())) {
        PyErr_Clear();
        return makeError(QStringLiteral("%1: %2.on_tick must be a method (def on_tick(self, tick, ctx): ...)")
                             .arg(source.fileName, loaded->className));
    }
    if (ownTick.get() != baseTick.get()) {
        state->onTick = PyRef(PyObject_GetAttrString(state->instance.get(), "on_tick"));
        if (!state->onTick)
            return makeError(describePythonError(source.fileName, QStringLiteral("while reading on_tick")));
    }
    state->bar = PyRef(reinterpret_cast<PyObject *>(newBar()));
    if (!state->bar)
        return makeError(describePythonError(source.fileName, QString()));
    state->module = std::move(loaded->module);
    return std::unique_ptr<PythonStrategy>(new PythonStrategy(std::move(state)));
}

Result<PythonSource> readPythonStrategyFile(const QString &path)
{
    if (!path.endsWith(QLatin1String(".py")))
        return makeError(QStringLiteral("'%1' is not a Python strategy file; give a .py file whose class derives from "
                                        "botdesk.Strategy")
                             .arg(path));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("cannot read strategy file '%1': %2").arg(path, file.errorString()));
    const QByteArray bytes = file.read(16 * 1024 * 1024 + 1);
    if (bytes.size() > 16 * 1024 * 1024)
        return makeError(QStringLiteral("strategy file '%1' is over 16 MiB; a strategy is source code").arg(path));
    return PythonSource{path, QString::fromUtf8(bytes)};
}

QStringList pythonTemplateNames()
{
    return {QStringLiteral("ema_crossover_v1.py"), QStringLiteral("box_breakout_v1.py")};
}

Result<PythonSource> pythonTemplate(const QString &fileName)
{
    if (!pythonTemplateNames().contains(fileName))
        return makeError(QStringLiteral("unknown Python template '%1'; templates are: %2")
                             .arg(fileName, pythonTemplateNames().join(QStringLiteral(", "))));
    QFile file(QStringLiteral(":/botdesk/python-templates/") + fileName);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("the Python template %1 is missing from this binary; rebuild BotDesk").arg(fileName));
    QByteArray text = file.readAll();
    text.replace("\r\n", "\n");
    return PythonSource{fileName, QString::fromUtf8(text)};
}

} // namespace bd
