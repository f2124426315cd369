#include "botdeskmodule.h"

#include "atr.h"
#include "bollinger.h"
#include "donchian.h"
#include "ema.h"
#include "macd.h"
#include "rsi.h"
#include "sma.h"

#include <pybind11/embed.h>
#include <pybind11/numpy.h>
#include <structmember.h>

#include <cmath>
#include <cstring>
#include <optional>

namespace bd::pyhost {
namespace {

PyObject *g_barType = nullptr;
PyObject *g_contextType = nullptr;
PyObject *g_tickType = nullptr;
PyTypeObject *g_positionType = nullptr;
PyTypeObject *g_symbolType = nullptr;
PyObject *g_strategyClass = nullptr;
PyObject *g_paramClass = nullptr;
PyObject *g_cancelled = nullptr;
PyObject *g_declaredParams = nullptr;
thread_local std::vector<IndicatorObject *> *t_indicatorRegistry = nullptr;

// The pure-Python part of the module: parameter declarations, the Strategy base class, sides, Cancelled.
constexpr const char *kPythonPart = R"PY(
class Param:
    """A declared strategy parameter: kind 'int' or 'float', default, inclusive min and max, a form's step and a
    one-line description with its unit. Declare with botdesk.Int(...) or botdesk.Float(...) as a class attribute;
    the strategy instance then holds the resolved value under the same name."""
    __slots__ = ("kind", "default", "min", "max", "step", "description")

    def __init__(self, kind, default, min, max, step, description):
        self.kind = kind
        self.default = default
        self.min = min
        self.max = max
        self.step = step
        self.description = description

    def __repr__(self):
        return (f"botdesk.{'Int' if self.kind == 'int' else 'Float'}({self.default!r}, min={self.min!r}, "
                f"max={self.max!r}, step={self.step!r}, description={self.description!r})")


def Int(default, *, min, max, step=1, description=""):
    """A whole-number parameter (bars, counts)."""
    return Param("int", default, min, max, step, description)


def Float(default, *, min, max, step=0.1, description=""):
    """A real-number parameter (multiples, percentages)."""
    return Param("float", default, min, max, step, description)


BUY = "BUY"
SELL = "SELL"


class Cancelled(BaseException):
    """Raised inside a strategy's code when its run is cancelled. Do not catch it (it is not an Exception)."""


class Strategy:
    """Base class of a BotDesk strategy. Override on_bar; on_start, get_min_bars_needed, validate_params and
    on_tick are optional. See docs/python-strategies.md."""

    def get_min_bars_needed(self):
        """Bars to see before the first bar that may trade (the warm-up); an int >= 0."""
        return 0

    def validate_params(self):
        """Raise ValueError with a message to refuse a combination of parameter values."""

    def on_start(self, ctx):
        """Called once before the first bar: create indicators here."""

    def on_bar(self, bar, ctx):
        """Called at every bar's close; place actions with ctx.open_trade (buy, sell) / close_position /
        reduce_position / modify_sltp."""
        raise NotImplementedError("the strategy must define on_bar(self, bar, ctx)")

    def on_tick(self, tick, ctx):
        """Live tick mode: called with every price update (botdesk.Tick) between bar closes, ctx as at the last bar's
        close; may place actions like on_bar. Not called in bar backtests. Override it only when the strategy uses
        ticks."""


def _declared_params(cls):
    """[(name, Param)] of cls and its bases, in declaration order (a subclass's redeclaration replaces the base's)."""
    found = {}
    for klass in reversed(cls.__mro__):
        for key, value in vars(klass).items():
            if isinstance(value, Param):
                found[key] = value
    return list(found.items())
)PY";

// --- Bar -----------------------------------------------------------------------------------------------------

PyMemberDef kBarMembers[] = {
    {"time", T_LONGLONG, offsetof(BarObject, time), READONLY, "bar open time, UTC epoch milliseconds"},
    {"open", T_DOUBLE, offsetof(BarObject, open), READONLY, "bid open, quote currency"},
    {"high", T_DOUBLE, offsetof(BarObject, high), READONLY, "bid high, quote currency"},
    {"low", T_DOUBLE, offsetof(BarObject, low), READONLY, "bid low, quote currency"},
    {"close", T_DOUBLE, offsetof(BarObject, close), READONLY, "bid close, quote currency"},
    {"volume", T_UINT, offsetof(BarObject, volume), READONLY, "ticks in the bar"},
    {"spread", T_INT, offsetof(BarObject, spread), READONLY, "spread of the bar in points; -1 = none in the data"},
    {nullptr, 0, 0, 0, nullptr},
};

void heapTypeDealloc(PyObject *self)
{
    PyTypeObject *type = Py_TYPE(self);
    type->tp_free(self);
    Py_DECREF(type);
}

PyObject *barRepr(PyObject *self)
{
    const auto *b = reinterpret_cast<BarObject *>(self);
    const std::string text = "botdesk.Bar(time=" + std::to_string(b->time) + ", open=" + std::to_string(b->open) +
                             ", high=" + std::to_string(b->high) + ", low=" + std::to_string(b->low) +
                             ", close=" + std::to_string(b->close) + ")";
    return PyUnicode_FromString(text.c_str());
}

PyType_Slot kBarSlots[] = {
    {Py_tp_members, kBarMembers},
    {Py_tp_dealloc, reinterpret_cast<void *>(heapTypeDealloc)},
    {Py_tp_repr, reinterpret_cast<void *>(barRepr)},
    {Py_tp_doc, const_cast<char *>("One closed bar (reused by the host: read its fields during on_bar, do not keep it).")},
    {0, nullptr},
};
PyType_Spec kBarSpec = {"botdesk.Bar", sizeof(BarObject), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
                        kBarSlots};

// --- Tick ----------------------------------------------------------------------------------------------------

PyMemberDef kTickMembers[] = {
    {"time", T_LONGLONG, offsetof(TickObject, time), READONLY, "tick time, UTC epoch milliseconds"},
    {"bid", T_DOUBLE, offsetof(TickObject, bid), READONLY, "bid, quote currency"},
    {"ask", T_DOUBLE, offsetof(TickObject, ask), READONLY, "ask, quote currency"},
    {"last", T_DOUBLE, offsetof(TickObject, last), READONLY, "price of the last deal, quote currency; 0 = none"},
    {"volume", T_DOUBLE, offsetof(TickObject, volume), READONLY, "volume of the last deal; 0 = none"},
    {"flags", T_INT, offsetof(TickObject, flags), READONLY,
     "what changed: TICK_FLAG_BID 2, ASK 4, LAST 8, VOLUME 16, BUY 32, SELL 64"},
    {nullptr, 0, 0, 0, nullptr},
};

PyObject *tickRepr(PyObject *self)
{
    const auto *t = reinterpret_cast<TickObject *>(self);
    const std::string text = "botdesk.Tick(time=" + std::to_string(t->time) + ", bid=" + std::to_string(t->bid) +
                             ", ask=" + std::to_string(t->ask) + ")";
    return PyUnicode_FromString(text.c_str());
}

PyType_Slot kTickSlots[] = {
    {Py_tp_members, kTickMembers},
    {Py_tp_dealloc, reinterpret_cast<void *>(heapTypeDealloc)},
    {Py_tp_repr, reinterpret_cast<void *>(tickRepr)},
    {Py_tp_doc, const_cast<char *>("One price update (reused by the host: read its fields during on_tick, do not keep it).")},
    {0, nullptr},
};
PyType_Spec kTickSpec = {"botdesk.Tick", sizeof(TickObject), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
                         kTickSlots};

// --- Context -------------------------------------------------------------------------------------------------

PyMemberDef kContextMembers[] = {
    {"balance", T_DOUBLE, offsetof(ContextObject, balance), READONLY, "balance, deposit currency"},
    {"equity", T_DOUBLE, offsetof(ContextObject, equity), READONLY, "balance + floating P/L at this bar's close"},
    {"bar_index", T_LONGLONG, offsetof(ContextObject, barIndex), READONLY, "0-based index of this bar in the test"},
    {"time", T_LONGLONG, offsetof(ContextObject, time), READONLY, "this bar's open time, UTC epoch milliseconds"},
    {"spread", T_INT, offsetof(ContextObject, spread), READONLY, "spread in force at this bar's close, points"},
    {"positions", T_OBJECT, offsetof(ContextObject, positions), READONLY,
     "this strategy's open positions: a tuple of botdesk.Position"},
    {"symbol", T_OBJECT, offsetof(ContextObject, symbol), READONLY, "the symbol's specification (botdesk.SymbolInfo)"},
    {nullptr, 0, 0, 0, nullptr},
};

void contextDealloc(PyObject *self)
{
    auto *c = reinterpret_cast<ContextObject *>(self);
    Py_CLEAR(c->positions);
    Py_CLEAR(c->symbol);
    heapTypeDealloc(self);
}

std::vector<Action> *actionsOf(PyObject *self, const char *method)
{
    auto *c = reinterpret_cast<ContextObject *>(self);
    if (!c->actions)
        PyErr_Format(PyExc_RuntimeError, "ctx.%s() can be called only inside on_bar or on_tick", method);
    return c->actions;
}

bool sideOf(PyObject *side, Side &out)
{
    if (PyUnicode_Check(side)) {
        if (PyUnicode_CompareWithASCIIString(side, "BUY") == 0) {
            out = Side::Buy;
            return true;
        }
        if (PyUnicode_CompareWithASCIIString(side, "SELL") == 0) {
            out = Side::Sell;
            return true;
        }
    }
    PyErr_Format(PyExc_ValueError, "side must be botdesk.BUY or botdesk.SELL, not %R", side);
    return false;
}

PyObject *openTradeWith(PyObject *self, PyObject *side, PyObject *args, PyObject *kwargs, const char *format,
                        const char *method)
{
    std::vector<Action> *actions = actionsOf(self, method);
    if (!actions)
        return nullptr;
    static const char *withSide[] = {"side", "sl", "tp", "rr", "risk_percent", "volume", "comment", nullptr};
    static const char *withoutSide[] = {"sl", "tp", "rr", "risk_percent", "volume", "comment", nullptr};
    double sl = 0, tp = 0, rr = 0, risk = 0, volume = 0;
    PyObject *comment = nullptr;
    const bool ok = side ? PyArg_ParseTupleAndKeywords(args, kwargs, format, const_cast<char **>(withoutSide), &sl, &tp,
                                                       &rr, &risk, &volume, &comment)
                         : PyArg_ParseTupleAndKeywords(args, kwargs, format, const_cast<char **>(withSide), &side, &sl,
                                                       &tp, &rr, &risk, &volume, &comment);
    if (!ok)
        return nullptr;
    Side s = Side::Buy;
    if (!sideOf(side, s))
        return nullptr;
    Action a = Action::openTrade(s, risk, sl, tp, rr, comment ? QString::fromUtf8(PyUnicode_AsUTF8(comment)) : QString());
    a.volume = volume;
    actions->push_back(std::move(a));
    Py_RETURN_NONE;
}

PyObject *contextOpenTrade(PyObject *self, PyObject *args, PyObject *kwargs)
{
    return openTradeWith(self, nullptr, args, kwargs, "O|dddddU:open_trade", "open_trade");
}

PyObject *contextBuy(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static PyObject *buy = PyUnicode_InternFromString("BUY");
    return openTradeWith(self, buy, args, kwargs, "|dddddU:buy", "buy");
}

PyObject *contextSell(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static PyObject *sell = PyUnicode_InternFromString("SELL");
    return openTradeWith(self, sell, args, kwargs, "|dddddU:sell", "sell");
}

bool ticketOf(long long ticket)
{
    if (ticket >= 0)
        return true;
    PyErr_Format(PyExc_ValueError, "ticket must be 0 (every open position) or a position's ticket, not %lld", ticket);
    return false;
}

// side=None (both sides), botdesk.BUY or botdesk.SELL: which positions a close or reduction acts on.
bool sideFilterOf(PyObject *side, const char *method, std::optional<Side> &out)
{
    out.reset();
    if (!side || side == Py_None)
        return true;
    if (PyUnicode_Check(side)) {
        if (PyUnicode_CompareWithASCIIString(side, "BUY") == 0) {
            out = Side::Buy;
            return true;
        }
        if (PyUnicode_CompareWithASCIIString(side, "SELL") == 0) {
            out = Side::Sell;
            return true;
        }
    }
    PyErr_Format(PyExc_ValueError, "%s(side=%R): side must be botdesk.BUY, botdesk.SELL or None (both sides)", method,
                 side);
    return false;
}

// A close or reduce volume in lots: a finite number >= 0 (> 0 when `positive`). Rounding to the volume step and the
// volume min are the engine's (journaled refusals, as for a native strategy), not argument errors.
bool lotsOf(PyObject *value, const char *method, bool positive, double &out)
{
    if (!value)
        return true;
    if (PyBool_Check(value) || !(PyFloat_Check(value) || PyLong_Check(value))) {
        PyErr_Format(PyExc_TypeError, "%s(volume=%R): volume must be a number of lots (e.g. 0.1), not %s", method, value,
                     Py_TYPE(value)->tp_name);
        return false;
    }
    out = PyFloat_AsDouble(value);
    if (out == -1.0 && PyErr_Occurred())
        return false;
    if (!std::isfinite(out) || out < 0.0 || (positive && out == 0.0)) {
        if (positive)
            PyErr_Format(PyExc_ValueError, "%s(volume=%R): volume must be a positive number of lots (e.g. 0.1)", method,
                         value);
        else
            PyErr_Format(PyExc_ValueError, "%s(volume=%R): volume must be 0 (close whole positions) or a positive number "
                         "of lots to close of the most recent matching position (e.g. 0.1)", method, value);
        return false;
    }
    return true;
}

PyObject *contextClosePosition(PyObject *self, PyObject *args, PyObject *kwargs)
{
    std::vector<Action> *actions = actionsOf(self, "close_position");
    if (!actions)
        return nullptr;
    // (ticket, comment) stay positional as they always were (stored bot versions call close_position(ticket, "...")).
    static const char *names[] = {"ticket", "comment", "side", "volume", nullptr};
    long long ticket = 0;
    PyObject *comment = nullptr;
    PyObject *side = nullptr;
    PyObject *volumeArg = nullptr;
    double volume = 0.0;
    std::optional<Side> onlySide;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|LU$OO:close_position", const_cast<char **>(names), &ticket,
                                     &comment, &side, &volumeArg)
        || !ticketOf(ticket) || !sideFilterOf(side, "close_position", onlySide)
        || !lotsOf(volumeArg, "close_position", false, volume))
        return nullptr;
    actions->push_back(Action::closePart(volume, quint64(ticket), onlySide,
                                         comment ? QString::fromUtf8(PyUnicode_AsUTF8(comment)) : QString()));
    Py_RETURN_NONE;
}

PyObject *contextReducePosition(PyObject *self, PyObject *args, PyObject *kwargs)
{
    std::vector<Action> *actions = actionsOf(self, "reduce_position");
    if (!actions)
        return nullptr;
    static const char *names[] = {"volume", "side", "comment", nullptr};
    PyObject *volumeArg = nullptr;
    PyObject *side = nullptr;
    PyObject *comment = nullptr;
    double volume = 0.0;
    std::optional<Side> onlySide;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OU:reduce_position", const_cast<char **>(names), &volumeArg, &side,
                                     &comment)
        || !lotsOf(volumeArg, "reduce_position", true, volume) || !sideFilterOf(side, "reduce_position", onlySide))
        return nullptr;
    actions->push_back(Action::reducePosition(volume, onlySide,
                                              comment ? QString::fromUtf8(PyUnicode_AsUTF8(comment)) : QString()));
    Py_RETURN_NONE;
}

PyObject *contextModifySltp(PyObject *self, PyObject *args, PyObject *kwargs)
{
    std::vector<Action> *actions = actionsOf(self, "modify_sltp");
    if (!actions)
        return nullptr;
    static const char *names[] = {"ticket", "sl", "tp", nullptr};
    long long ticket = 0;
    double sl = 0, tp = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|Ldd:modify_sltp", const_cast<char **>(names), &ticket, &sl, &tp)
        || !ticketOf(ticket))
        return nullptr;
    actions->push_back(Action::modifySltp(quint64(ticket), sl, tp));
    Py_RETURN_NONE;
}

// The dtype of one bd::Bar record (48 bytes, no padding; bar.h), made once.
PyObject *barDtype()
{
    namespace py = pybind11;
    static PyObject *dtype = [] {
        py::list fields;
        for (const auto &[name, format] : {std::pair{"time", "<i8"}, {"open", "<f8"}, {"high", "<f8"}, {"low", "<f8"},
                                           {"close", "<f8"}, {"volume", "<u4"}, {"spread", "<i4"}})
            fields.append(py::make_tuple(name, format));
        py::dtype d = py::dtype::from_args(fields);
        return d.release().ptr();
    }();
    return dtype;
}

PyObject *contextHistory(PyObject *self, PyObject *args, PyObject *kwargs)
{
    namespace py = pybind11;
    auto *c = reinterpret_cast<ContextObject *>(self);
    if (!actionsOf(self, "history"))
        return nullptr;
    static const char *names[] = {"n", nullptr};
    long long n = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|L:history", const_cast<char **>(names), &n))
        return nullptr;
    if (n < 0) {
        PyErr_Format(PyExc_ValueError, "history(n): n is the number of bars wanted (0 = all so far), not %lld", n);
        return nullptr;
    }
    if (!c->bars || c->barIndex >= c->barCount || c->bars[c->barIndex].timeMs != c->time) {
        PyErr_SetString(PyExc_RuntimeError, "ctx.history() has no bars: the program running this strategy did not give "
                                            "the host the run's bars (PythonStrategy::setBars)");
        return nullptr;
    }
    const long long available = c->barIndex + 1;
    if (n == 0 || n > available)
        n = available;
    try {
        py::array view(py::reinterpret_borrow<py::dtype>(barDtype()), {py::ssize_t(n)}, {py::ssize_t(sizeof(Bar))},
                       c->bars + (available - n), py::handle(self));
        py::detail::array_proxy(view.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
        return view.release().ptr();
    } catch (py::error_already_set &e) {
        e.restore();
        return nullptr;
    }
}

PyMethodDef kContextMethods[] = {
    {"history", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(contextHistory)),
     METH_VARARGS | METH_KEYWORDS,
     "history(n=0): the last n bars of the run up to this one (0 = all so far) as a read-only numpy structured array "
     "(time int64 UTC ms, open/high/low/close float64, volume uint32, spread int32) viewing the run's own bar memory, "
     "no copy. Valid during this on_bar call only: copy it (numpy.array(h)) to keep it."},
    {"open_trade", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(contextOpenTrade)),
     METH_VARARGS | METH_KEYWORDS,
     "open_trade(side, sl=0, tp=0, rr=0, risk_percent=0, volume=0, comment=''): a market order filled at the next "
     "bar's open. Prices in quote currency (0 = none; tp 0 with rr > 0 = entry +- SL distance x rr), volume in lots "
     "(0 = sized from risk_percent of equity lost at the SL)."},
    {"buy", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(contextBuy)), METH_VARARGS | METH_KEYWORDS,
     "buy(sl=0, tp=0, rr=0, risk_percent=0, volume=0, comment=''): open_trade(botdesk.BUY, ...)"},
    {"sell", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(contextSell)), METH_VARARGS | METH_KEYWORDS,
     "sell(sl=0, tp=0, rr=0, risk_percent=0, volume=0, comment=''): open_trade(botdesk.SELL, ...)"},
    {"close_position", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(contextClosePosition)),
     METH_VARARGS | METH_KEYWORDS,
     "close_position(ticket=0, comment='', *, side=None, volume=0.0): market close at the next bar's open (long at bid, "
     "short at ask). ticket 0 = any position, side botdesk.BUY / botdesk.SELL / None (both). volume 0 = close every "
     "matching position whole; volume > 0 = that many lots (rounded down to the volume step) of the most recent "
     "matching position, the rest stays open. Volumes in lots."},
    {"reduce_position", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(contextReducePosition)),
     METH_VARARGS | METH_KEYWORDS,
     "reduce_position(volume, side=None, comment=''): close `volume` lots (> 0, rounded down to the volume step) at the "
     "next bar's open off this strategy's positions (side botdesk.BUY / botdesk.SELL / None = both), most recent "
     "position first, across as many positions as it takes; all or nothing."},
    {"modify_sltp", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(contextModifySltp)),
     METH_VARARGS | METH_KEYWORDS,
     "modify_sltp(ticket=0, sl=0, tp=0): new SL/TP (quote currency; 0 = unchanged), in force from the next bar; "
     "ticket 0 = every open position."},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot kContextSlots[] = {
    {Py_tp_members, kContextMembers},
    {Py_tp_methods, kContextMethods},
    {Py_tp_dealloc, reinterpret_cast<void *>(contextDealloc)},
    {Py_tp_doc, const_cast<char *>("What a strategy reads and where it places actions (reused on every bar).")},
    {0, nullptr},
};
PyType_Spec kContextSpec = {"botdesk.Context", sizeof(ContextObject), 0,
                            Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, kContextSlots};

// --- Position and SymbolInfo (struct sequences: named, read-only tuples) -------------------------------------

PyStructSequence_Field kPositionFields[] = {
    {"ticket", "position ticket"},
    {"side", "botdesk.BUY or botdesk.SELL"},
    {"volume", "lots"},
    {"open_time", "entry deal time, UTC epoch milliseconds"},
    {"open_price", "fill price, quote currency"},
    {"sl", "stop-loss, quote currency (0 = none)"},
    {"tp", "take-profit, quote currency (0 = none)"},
    {"comment", "the comment given when it was opened"},
    {nullptr, nullptr},
};
PyStructSequence_Desc kPositionDesc = {"botdesk.Position", "An open position of this strategy.", kPositionFields, 8};

PyStructSequence_Field kSymbolFields[] = {
    {"name", "symbol name"},
    {"digits", "price decimals"},
    {"point", "smallest price change, quote currency"},
    {"contract_size", "units of the base currency per lot"},
    {"tick_size", "quote currency"},
    {"tick_value", "money per tick per lot"},
    {"volume_min", "lots"},
    {"volume_step", "lots"},
    {"volume_max", "lots"},
    {"stops_level", "minimum SL/TP distance from price, points"},
    {"default_spread", "spread used when a bar has none, points"},
    {nullptr, nullptr},
};
PyStructSequence_Desc kSymbolDesc = {"botdesk.SymbolInfo", "The traded symbol's specification.", kSymbolFields, 11};

// --- Indicators ----------------------------------------------------------------------------------------------

enum class Source { Close, Open, High, Low };

bool sourceOf(const char *name, Source &out)
{
    if (!name || std::strcmp(name, "close") == 0)
        out = Source::Close;
    else if (std::strcmp(name, "open") == 0)
        out = Source::Open;
    else if (std::strcmp(name, "high") == 0)
        out = Source::High;
    else if (std::strcmp(name, "low") == 0)
        out = Source::Low;
    else {
        PyErr_Format(PyExc_ValueError, "source must be 'close', 'open', 'high' or 'low', not '%s'", name);
        return false;
    }
    return true;
}

inline double pick(const Bar &bar, Source source)
{
    switch (source) {
    case Source::Open: return bar.open;
    case Source::High: return bar.high;
    case Source::Low: return bar.low;
    case Source::Close: break;
    }
    return bar.close;
}

template <typename Indicator>
class OneValueFeed final : public IndicatorFeed {
public:
    OneValueFeed(int period, Source source) : m_indicator(period), m_source(source) {}
    void feed(const Bar &bar, IndicatorObject &out) override
    {
        m_indicator.update(pick(bar, m_source));
        out.value = m_indicator.value();
        out.ready = m_indicator.ready();
    }

private:
    Indicator m_indicator;
    Source m_source;
};

class AtrFeed final : public IndicatorFeed {
public:
    explicit AtrFeed(int period) : m_atr(period) {}
    void feed(const Bar &bar, IndicatorObject &out) override
    {
        m_atr.update(bar.high, bar.low, bar.close);
        out.value = m_atr.value();
        out.ready = m_atr.ready();
    }

private:
    Atr m_atr;
};

class DonchianFeed final : public IndicatorFeed {
public:
    explicit DonchianFeed(int period) : m_channel(period) {}
    void feed(const Bar &bar, IndicatorObject &out) override
    {
        m_channel.update(bar.high, bar.low);
        out.upper = m_channel.upper();
        out.lower = m_channel.lower();
        out.value = m_channel.middle();
        out.ready = m_channel.ready();
    }

private:
    Donchian m_channel;
};

class BollingerFeed final : public IndicatorFeed {
public:
    BollingerFeed(int period, double deviations, Source source) : m_bands(period, deviations), m_source(source) {}
    void feed(const Bar &bar, IndicatorObject &out) override
    {
        m_bands.update(pick(bar, m_source));
        out.upper = m_bands.upper();
        out.lower = m_bands.lower();
        out.value = m_bands.middle();
        out.ready = m_bands.ready();
    }

private:
    Bollinger m_bands;
    Source m_source;
};

class MacdFeed final : public IndicatorFeed {
public:
    MacdFeed(int fast, int slow, int signal, Source source) : m_macd(fast, slow, signal), m_source(source) {}
    void feed(const Bar &bar, IndicatorObject &out) override
    {
        m_macd.update(pick(bar, m_source));
        out.value = m_macd.macd();
        out.signal = m_macd.signal();
        out.hist = m_macd.histogram();
        out.ready = m_macd.ready();
    }

private:
    Macd m_macd;
    Source m_source;
};

constexpr int kMaxIndicatorPeriod = 1000000;

bool periodOk(const char *what, int period)
{
    if (period >= 1 && period <= kMaxIndicatorPeriod)
        return true;
    PyErr_Format(PyExc_ValueError, "%s must be a whole number of bars from 1 to %d, not %d", what, kMaxIndicatorPeriod,
                 period);
    return false;
}

// Allocates an indicator of `type` around `feed` and registers it with the strategy being started.
PyObject *registerIndicator(PyTypeObject *type, std::unique_ptr<IndicatorFeed> feed)
{
    if (!t_indicatorRegistry) {
        PyErr_Format(PyExc_RuntimeError,
                     "botdesk.%s(...) must be created in on_start(self, ctx): the host feeds the indicators made there "
                     "with every bar before on_bar",
                     type->tp_name + std::strlen("botdesk."));
        return nullptr;
    }
    auto *object = reinterpret_cast<IndicatorObject *>(type->tp_alloc(type, 0));
    if (!object)
        return nullptr;
    const double nan = std::nan("");
    object->value = object->upper = object->lower = object->signal = object->hist = nan;
    object->ready = 0;
    object->feed = feed.release();
    Py_INCREF(object);  // the registry's reference
    t_indicatorRegistry->push_back(object);
    return reinterpret_cast<PyObject *>(object);
}

void indicatorDealloc(PyObject *self)
{
    delete reinterpret_cast<IndicatorObject *>(self)->feed;
    heapTypeDealloc(self);
}

template <typename Indicator>
PyObject *newOneValue(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static const char *names[] = {"period", "source", nullptr};
    int period = 0;
    const char *source = nullptr;
    Source s = Source::Close;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "i|s", const_cast<char **>(names), &period, &source)
        || !periodOk("period", period) || !sourceOf(source, s))
        return nullptr;
    return registerIndicator(type, std::make_unique<OneValueFeed<Indicator>>(period, s));
}

PyObject *newAtr(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static const char *names[] = {"period", nullptr};
    int period = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "i", const_cast<char **>(names), &period) || !periodOk("period", period))
        return nullptr;
    return registerIndicator(type, std::make_unique<AtrFeed>(period));
}

PyObject *newDonchian(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static const char *names[] = {"period", nullptr};
    int period = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "i", const_cast<char **>(names), &period) || !periodOk("period", period))
        return nullptr;
    return registerIndicator(type, std::make_unique<DonchianFeed>(period));
}

PyObject *newBollinger(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static const char *names[] = {"period", "deviations", "source", nullptr};
    int period = 0;
    double deviations = 2.0;
    const char *source = nullptr;
    Source s = Source::Close;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "i|ds", const_cast<char **>(names), &period, &deviations, &source)
        || !periodOk("period", period) || !sourceOf(source, s))
        return nullptr;
    if (!(deviations > 0.0 && deviations <= 100.0)) {
        PyErr_Format(PyExc_ValueError, "deviations must be above 0 and at most 100, not %R", PyTuple_GetItem(args, 1));
        return nullptr;
    }
    return registerIndicator(type, std::make_unique<BollingerFeed>(period, deviations, s));
}

PyObject *newMacd(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static const char *names[] = {"fast", "slow", "signal", "source", nullptr};
    int fast = 12, slow = 26, signal = 9;
    const char *source = nullptr;
    Source s = Source::Close;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|iiis", const_cast<char **>(names), &fast, &slow, &signal, &source)
        || !periodOk("fast", fast) || !periodOk("slow", slow) || !periodOk("signal", signal) || !sourceOf(source, s))
        return nullptr;
    return registerIndicator(type, std::make_unique<MacdFeed>(fast, slow, signal, s));
}

#define BD_MEMBER(name, field, doc) {name, T_DOUBLE, offsetof(IndicatorObject, field), READONLY, doc}
#define BD_READY {"ready", T_BOOL, offsetof(IndicatorObject, ready), READONLY, "every output is a number (not NaN)"}
#define BD_END {nullptr, 0, 0, 0, nullptr}

PyMemberDef kOneValueMembers[] = {BD_MEMBER("value", value, "the value; NaN while not ready"), BD_READY, BD_END};
PyMemberDef kChannelMembers[] = {
    BD_MEMBER("upper", upper, "upper band, quote currency; NaN while not ready"),
    BD_MEMBER("middle", value, "middle, quote currency; NaN while not ready"),
    BD_MEMBER("lower", lower, "lower band, quote currency; NaN while not ready"),
    BD_MEMBER("value", value, "the middle"), BD_READY, BD_END};
PyMemberDef kMacdMembers[] = {
    BD_MEMBER("macd", value, "MACD line (fast EMA - slow EMA)"), BD_MEMBER("value", value, "the MACD line"),
    BD_MEMBER("signal", signal, "signal line (EMA of the MACD line)"), BD_MEMBER("hist", hist, "macd - signal"),
    BD_READY, BD_END};

struct IndicatorKind {
    const char *name;
    const char *doc;
    PyMemberDef *members;
    newfunc create;
};

const IndicatorKind kIndicators[] = {
    {"botdesk.EMA", "EMA(period, source='close'): exponential moving average (TA-Lib EMA)", kOneValueMembers,
     &newOneValue<Ema>},
    {"botdesk.SMA", "SMA(period, source='close'): simple moving average (TA-Lib SMA)", kOneValueMembers,
     &newOneValue<Sma>},
    {"botdesk.RSI", "RSI(period, source='close'): Wilder's RSI, 0..100 (TA-Lib RSI)", kOneValueMembers,
     &newOneValue<Rsi>},
    {"botdesk.ATR", "ATR(period): Wilder's average true range, quote currency (TA-Lib ATR)", kOneValueMembers, &newAtr},
    {"botdesk.Donchian", "Donchian(period): highest high / lowest low of the last period bars, this bar included",
     kChannelMembers, &newDonchian},
    {"botdesk.Bollinger", "Bollinger(period, deviations=2.0, source='close'): SMA +- deviations x population SD",
     kChannelMembers, &newBollinger},
    {"botdesk.MACD", "MACD(fast=12, slow=26, signal=9, source='close'): TA-Lib MACD", kMacdMembers, &newMacd},
};

PyObject *makeIndicatorType(const IndicatorKind &kind)
{
    PyType_Slot typeSlots[] = {
        {Py_tp_members, kind.members},
        {Py_tp_new, reinterpret_cast<void *>(kind.create)},
        {Py_tp_dealloc, reinterpret_cast<void *>(indicatorDealloc)},
        {Py_tp_doc, const_cast<char *>(kind.doc)},
        {0, nullptr},
    };
    PyType_Spec spec = {kind.name, sizeof(IndicatorObject), 0, Py_TPFLAGS_DEFAULT, typeSlots};
    return PyType_FromSpec(&spec);
}

void initModule(pybind11::module_ &m)
{
    namespace py = pybind11;
    m.doc() = "BotDesk's strategy API: subclass botdesk.Strategy (docs/python-strategies.md).";
    g_barType = PyType_FromSpec(&kBarSpec);
    g_contextType = PyType_FromSpec(&kContextSpec);
    g_tickType = PyType_FromSpec(&kTickSpec);
    if (!g_barType || !g_contextType || !g_tickType)
        throw py::error_already_set();
    m.add_object("Bar", g_barType);
    m.add_object("Tick", g_tickType);
    m.add_object("Context", g_contextType);
    g_positionType = PyStructSequence_NewType(&kPositionDesc);
    g_symbolType = PyStructSequence_NewType(&kSymbolDesc);
    if (!g_positionType || !g_symbolType)
        throw py::error_already_set();
    m.add_object("Position", reinterpret_cast<PyObject *>(g_positionType));
    m.add_object("SymbolInfo", reinterpret_cast<PyObject *>(g_symbolType));
    for (const IndicatorKind &kind : kIndicators) {
        PyObject *type = makeIndicatorType(kind);
        if (!type)
            throw py::error_already_set();
        m.add_object(kind.name + std::strlen("botdesk."), type);
    }
    py::exec(kPythonPart, m.attr("__dict__"));
    g_strategyClass = m.attr("Strategy").ptr();
    g_paramClass = m.attr("Param").ptr();
    g_cancelled = m.attr("Cancelled").ptr();
    g_declaredParams = m.attr("_declared_params").ptr();
}

} // namespace

PYBIND11_EMBEDDED_MODULE(botdesk, m)
{
    initModule(m);
}

void registerBotdeskModule()
{
    // PYBIND11_EMBEDDED_MODULE registered `botdesk` in the inittab when this file was loaded; calling this function
    // is what links this file into a binary that starts the interpreter.
}

IndicatorRegistryScope::IndicatorRegistryScope(std::vector<IndicatorObject *> *registry)
{
    t_indicatorRegistry = registry;
}

IndicatorRegistryScope::~IndicatorRegistryScope()
{
    t_indicatorRegistry = nullptr;
}

BarObject *newBar()
{
    auto *type = reinterpret_cast<PyTypeObject *>(g_barType);
    return reinterpret_cast<BarObject *>(type->tp_alloc(type, 0));
}

TickObject *newTick()
{
    auto *type = reinterpret_cast<PyTypeObject *>(g_tickType);
    return reinterpret_cast<TickObject *>(type->tp_alloc(type, 0));
}

ContextObject *newContext(const SymbolSpec &symbol)
{
    auto *type = reinterpret_cast<PyTypeObject *>(g_contextType);
    auto *context = reinterpret_cast<ContextObject *>(type->tp_alloc(type, 0));
    if (!context)
        return nullptr;
    context->positions = PyTuple_New(0);
    PyObject *info = PyStructSequence_New(g_symbolType);
    if (!context->positions || !info) {
        Py_XDECREF(info);
        Py_DECREF(context);
        return nullptr;
    }
    const QByteArray name = symbol.name.toUtf8();
    PyStructSequence_SetItem(info, 0, PyUnicode_FromStringAndSize(name.constData(), name.size()));
    PyStructSequence_SetItem(info, 1, PyLong_FromLong(symbol.digits));
    PyStructSequence_SetItem(info, 2, PyFloat_FromDouble(symbol.point));
    PyStructSequence_SetItem(info, 3, PyFloat_FromDouble(symbol.contractSize));
    PyStructSequence_SetItem(info, 4, PyFloat_FromDouble(symbol.tickSize));
    PyStructSequence_SetItem(info, 5, PyFloat_FromDouble(symbol.tickValue));
    PyStructSequence_SetItem(info, 6, PyFloat_FromDouble(symbol.volumeMin));
    PyStructSequence_SetItem(info, 7, PyFloat_FromDouble(symbol.volumeStep));
    PyStructSequence_SetItem(info, 8, PyFloat_FromDouble(symbol.volumeMax));
    PyStructSequence_SetItem(info, 9, PyLong_FromLong(symbol.stopsLevelPoints));
    PyStructSequence_SetItem(info, 10, PyLong_FromLong(symbol.defaultSpreadPoints));
    if (PyErr_Occurred()) {
        Py_DECREF(info);
        Py_DECREF(context);
        return nullptr;
    }
    context->symbol = info;
    return context;
}

bool setPositions(ContextObject *context, std::span<const Position> positions)
{
    PyObject *tuple = PyTuple_New(Py_ssize_t(positions.size()));
    if (!tuple)
        return false;
    for (size_t i = 0; i < positions.size(); ++i) {
        const Position &p = positions[i];
        PyObject *item = PyStructSequence_New(g_positionType);
        if (!item) {
            Py_DECREF(tuple);
            return false;
        }
        const QByteArray comment = p.comment.toUtf8();
        PyStructSequence_SetItem(item, 0, PyLong_FromUnsignedLongLong(p.ticket));
        PyStructSequence_SetItem(item, 1, PyUnicode_InternFromString(sideName(p.side)));
        PyStructSequence_SetItem(item, 2, PyFloat_FromDouble(p.volume));
        PyStructSequence_SetItem(item, 3, PyLong_FromLongLong(p.openTimeMs));
        PyStructSequence_SetItem(item, 4, PyFloat_FromDouble(p.openPrice));
        PyStructSequence_SetItem(item, 5, PyFloat_FromDouble(p.sl));
        PyStructSequence_SetItem(item, 6, PyFloat_FromDouble(p.tp));
        PyStructSequence_SetItem(item, 7, PyUnicode_FromStringAndSize(comment.constData(), comment.size()));
        PyTuple_SET_ITEM(tuple, Py_ssize_t(i), item);
    }
    if (PyErr_Occurred()) {
        Py_DECREF(tuple);
        return false;
    }
    Py_SETREF(context->positions, tuple);
    return true;
}

PyObject *strategyBaseClass() { return g_strategyClass; }
PyObject *paramClass() { return g_paramClass; }
PyObject *cancelledException() { return g_cancelled; }
PyObject *declaredParamsFunction() { return g_declaredParams; }

} // namespace bd::pyhost
