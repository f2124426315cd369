#include "mt5bjson.h"

#include "jsonfields.h"

#include <algorithm>

namespace bd::mt5b {
namespace {

using namespace bd::mt5;

constexpr qint64 kMaxInt = qint64(1) << 53;

// Required and optional reads over JsonFields; the first problem wins and names the field.
class Reader {
public:
    explicit Reader(const QJsonObject &object) : m_object(object), m_fields(object) {}

    bool has(const QString &key) const
    {
        const auto it = m_object.constFind(key);
        return it != m_object.constEnd() && !it->isNull();
    }
    QString str(const QString &key) { return m_fields.string(key); }
    QString optStr(const QString &key) { return has(key) ? m_fields.string(key) : QString(); }
    double num(const QString &key) { return m_fields.number(key); }
    double optNum(const QString &key) { return has(key) ? m_fields.number(key) : 0.0; }
    qint64 integer(const QString &key) { return m_fields.integer(key, -kMaxInt, kMaxInt); }
    qint64 optInteger(const QString &key) { return has(key) ? integer(key) : 0; }
    bool optBool(const QString &key) { return has(key) && m_fields.boolean(key); }
    template <typename E>
    E enumeration(const QString &key, E fallback, bool required)
    {
        if (!has(key)) {
            if (required)
                m_fields.fail(key, QStringLiteral("is missing"));
            return fallback;
        }
        const QString name = m_fields.string(key);
        if (!m_fields.ok())
            return fallback;
        if (const auto value = parseMt5<E>(name))
            return *value;
        m_fields.fail(key, QStringLiteral("is %1; expected an MT5 name such as %2")
                               .arg(JsonFields::describe(QJsonValue(name)), mt5Name(fallback)));
        return fallback;
    }
    Ticket ticket(const QString &key)
    {
        if (!m_fields.ok())
            return 0;
        auto parsed = ticketFromJson(m_object.value(key), m_fields.pathOf(key));
        if (!parsed) {
            m_fields.fail(key, parsed.error().message.section(QStringLiteral("' "), 1));
            return 0;
        }
        return *parsed;
    }
    template <typename T>
    Result<T> result(T value, const char *what) const
    {
        return m_fields.result(std::move(value), QStringLiteral("mt5b %1").arg(QLatin1StringView(what)));
    }

private:
    QJsonObject m_object;
    JsonFields m_fields;
};


} // namespace

QJsonValue ticketToJson(Ticket ticket)
{
    return ticket == 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(QString::number(ticket));
}

Result<Ticket> ticketFromJson(const QJsonValue &value, const QString &field)
{
    if (value.isNull() || value.isUndefined())
        return Ticket(0);
    const auto fail = [&] {
        return makeError(QStringLiteral("field '%1' is %2; expected a ticket as a decimal string such as \"1268074569\"")
                             .arg(field, JsonFields::describe(value)));
    };
    if (!value.isString())
        return fail();
    const QString text = value.toString();
    if (text.isEmpty() || text.size() > 20)
        return fail();
    for (const QChar c : text)
        if (c < u'0' || c > u'9')
            return fail();
    bool ok = false;
    const Ticket ticket = text.toULongLong(&ok);
    if (!ok)
        return fail();
    return ticket;
}

QJsonObject toJson(const Tick &tick)
{
    QJsonObject o{{"symbol", tick.symbol}, {"time_msc", tick.timeMsc}, {"bid", tick.bid}, {"ask", tick.ask},
                  {"last", tick.last}, {"volume", qint64(tick.volume)}, {"volume_real", tick.volumeReal},
                  {"flags", tick.flags}};
    if (tick.conflated > 0)
        o.insert(QStringLiteral("conflated"), tick.conflated);
    if (tick.replay)
        o.insert(QStringLiteral("replay"), true);
    return o;
}

Result<Tick> tickFromJson(const QJsonObject &object)
{
    Reader r(object);
    Tick t;
    t.symbol = r.str(QStringLiteral("symbol"));
    t.timeMsc = r.integer(QStringLiteral("time_msc"));
    t.bid = r.num(QStringLiteral("bid"));
    t.ask = r.num(QStringLiteral("ask"));
    t.last = r.optNum(QStringLiteral("last"));
    t.volume = quint64(std::max<qint64>(0, r.optInteger(QStringLiteral("volume"))));
    t.volumeReal = r.optNum(QStringLiteral("volume_real"));
    t.flags = int(r.optInteger(QStringLiteral("flags")));
    t.conflated = int(r.optInteger(QStringLiteral("conflated")));
    t.replay = r.optBool(QStringLiteral("replay"));
    return r.result(std::move(t), "tick");
}

QJsonObject toJson(const RateBar &bar)
{
    QJsonObject o{{"symbol", bar.symbol}, {"timeframe", bar.timeframe}, {"time", bar.time}, {"open", bar.open},
                  {"high", bar.high}, {"low", bar.low}, {"close", bar.close}, {"tick_volume", bar.tickVolume},
                  {"spread", bar.spread}, {"real_volume", bar.realVolume}, {"closed", bar.closed}};
    if (bar.history)
        o.insert(QStringLiteral("history"), true);
    return o;
}

Result<RateBar> rateBarFromJson(const QJsonObject &object)
{
    Reader r(object);
    RateBar b;
    b.symbol = r.str(QStringLiteral("symbol"));
    b.timeframe = r.str(QStringLiteral("timeframe"));
    b.time = r.integer(QStringLiteral("time"));
    b.open = r.num(QStringLiteral("open"));
    b.high = r.num(QStringLiteral("high"));
    b.low = r.num(QStringLiteral("low"));
    b.close = r.num(QStringLiteral("close"));
    b.tickVolume = r.optInteger(QStringLiteral("tick_volume"));
    b.spread = int(r.optInteger(QStringLiteral("spread")));
    b.realVolume = r.optInteger(QStringLiteral("real_volume"));
    b.closed = r.optBool(QStringLiteral("closed"));
    b.history = r.optBool(QStringLiteral("history"));
    return r.result(std::move(b), "bar");
}

QJsonObject toJson(const TradeRequest &q)
{
    QJsonObject o{{"action", mt5Name(q.action)}, {"symbol", q.symbol}, {"volume", q.volume},
                  {"type", mt5Name(q.type)}, {"price", q.price}, {"stoplimit", q.stoplimit}, {"sl", q.sl},
                  {"tp", q.tp}, {"deviation", q.deviation}, {"magic", q.magic}, {"comment", q.comment},
                  {"type_time", mt5Name(q.typeTime)}, {"expiration", q.expiration},
                  {"order", ticketToJson(q.order)}, {"position", ticketToJson(q.position)},
                  {"position_by", ticketToJson(q.positionBy)}};
    if (!q.typeFilling.isEmpty())
        o.insert(QStringLiteral("type_filling"), q.typeFilling);
    return o;
}

Result<TradeRequest> tradeRequestFromJson(const QJsonObject &object)
{
    Reader r(object);
    TradeRequest q;
    q.action = r.enumeration(QStringLiteral("action"), TradeAction::Deal, true);
    q.symbol = r.optStr(QStringLiteral("symbol"));
    q.volume = r.optNum(QStringLiteral("volume"));
    q.type = r.enumeration(QStringLiteral("type"), OrderType::Buy, q.action == TradeAction::Deal
                                                                      || q.action == TradeAction::Pending);
    q.price = r.optNum(QStringLiteral("price"));
    q.stoplimit = r.optNum(QStringLiteral("stoplimit"));
    q.sl = r.optNum(QStringLiteral("sl"));
    q.tp = r.optNum(QStringLiteral("tp"));
    q.deviation = int(r.optInteger(QStringLiteral("deviation")));
    q.magic = r.optInteger(QStringLiteral("magic"));
    q.comment = r.optStr(QStringLiteral("comment"));
    q.typeTime = r.enumeration(QStringLiteral("type_time"), OrderTime::Gtc, false);
    q.expiration = r.optInteger(QStringLiteral("expiration"));
    q.typeFilling = r.optStr(QStringLiteral("type_filling"));
    q.order = r.ticket(QStringLiteral("order"));
    q.position = r.ticket(QStringLiteral("position"));
    q.positionBy = r.ticket(QStringLiteral("position_by"));
    return r.result(std::move(q), "trade request");
}

QJsonObject toJson(const TradeResult &t)
{
    return QJsonObject{{"retcode", t.retcode}, {"deal", ticketToJson(t.deal)}, {"order", ticketToJson(t.order)},
                       {"volume", t.volume}, {"price", t.price}, {"bid", t.bid}, {"ask", t.ask},
                       {"comment", t.comment}, {"request_id", qint64(t.requestId)},
                       {"retcode_external", t.retcodeExternal}};
}

Result<TradeResult> tradeResultFromJson(const QJsonObject &object)
{
    Reader r(object);
    TradeResult t;
    t.retcode = int(r.integer(QStringLiteral("retcode")));
    t.deal = r.ticket(QStringLiteral("deal"));
    t.order = r.ticket(QStringLiteral("order"));
    t.volume = r.optNum(QStringLiteral("volume"));
    t.price = r.optNum(QStringLiteral("price"));
    t.bid = r.optNum(QStringLiteral("bid"));
    t.ask = r.optNum(QStringLiteral("ask"));
    t.comment = r.optStr(QStringLiteral("comment"));
    t.requestId = quint32(std::clamp<qint64>(r.optInteger(QStringLiteral("request_id")), 0, 0xffffffff));
    t.retcodeExternal = int(r.optInteger(QStringLiteral("retcode_external")));
    return r.result(std::move(t), "trade result");
}

QString outcomeStatusName(OrderOutcome::Status status)
{
    switch (status) {
    case OrderOutcome::Status::Done: return QStringLiteral("done");
    case OrderOutcome::Status::Placed: return QStringLiteral("placed");
    case OrderOutcome::Status::Partial: return QStringLiteral("partial");
    case OrderOutcome::Status::NoChange: return QStringLiteral("no_change");
    case OrderOutcome::Status::Rejected: return QStringLiteral("rejected");
    case OrderOutcome::Status::Unknown: break;
    }
    return QStringLiteral("unknown");
}

QJsonObject toJson(const OrderOutcome &o)
{
    QJsonObject j{{"client_req_id", o.clientReqId}, {"status", outcomeStatusName(o.status)}, {"dedup", o.dedup},
                  {"retcode", o.result.retcode}, {"retcode_name", mt5::retcodeName(o.result.retcode)},
                  {"class", mt5::retcodeClassName(o.retcodeClass)},
                  {"retryable", mt5::isRetryable(o.retcodeClass)}, {"result", toJson(o.result)},
                  {"position_id", ticketToJson(o.positionId)}, {"attempts", o.attempts},
                  {"latency_ms", o.bridgeLatencyMs}};
    if (!o.fillingUsed.isEmpty())
        j.insert(QStringLiteral("filling_used"), o.fillingUsed);
    if (o.reconciled)
        j.insert(QStringLiteral("reconciled"), true);
    if (o.alreadyClosed)
        j.insert(QStringLiteral("already_closed"), true);
    return j;
}

Result<OrderOutcome> orderOutcomeFromJson(const QJsonObject &object)
{
    Reader r(object);
    OrderOutcome o;
    o.clientReqId = r.str(QStringLiteral("client_req_id"));
    const QString status = r.str(QStringLiteral("status"));
    bool known = false;
    for (auto s : {OrderOutcome::Status::Done, OrderOutcome::Status::Placed, OrderOutcome::Status::Partial,
                   OrderOutcome::Status::NoChange, OrderOutcome::Status::Rejected, OrderOutcome::Status::Unknown})
        if (status == outcomeStatusName(s)) {
            o.status = s;
            known = true;
        }
    o.dedup = r.optBool(QStringLiteral("dedup"));
    o.reconciled = r.optBool(QStringLiteral("reconciled"));
    o.alreadyClosed = r.optBool(QStringLiteral("already_closed"));
    if (r.has(QStringLiteral("result"))) {
        auto result = tradeResultFromJson(object.value(QStringLiteral("result")).toObject());
        if (!result)
            return Error{QStringLiteral("mt5b order.result: ") + result.error().message};
        o.result = *result;
    } else {
        o.result.retcode = int(r.optInteger(QStringLiteral("retcode")));
    }
    const QString className = r.optStr(QStringLiteral("class"));
    o.retcodeClass = className == QStringLiteral("RECONCILED_NOT_EXECUTED") ? RetcodeClass::ReconciledNotExecuted
                                                                             : classifyRetcode(o.result.retcode);
    o.positionId = r.ticket(QStringLiteral("position_id"));
    o.fillingUsed = r.optStr(QStringLiteral("filling_used"));
    o.attempts = int(r.optInteger(QStringLiteral("attempts")));
    o.bridgeLatencyMs = r.optInteger(QStringLiteral("latency_ms"));
    auto parsed = r.result(std::move(o), "order.result");
    if (parsed && !known)
        return makeError(QStringLiteral("mt5b order.result: field 'status' is \"%1\"; expected done, placed, partial, "
                                        "no_change, rejected or unknown").arg(status));
    return parsed;
}

QJsonObject toJson(const Position &p)
{
    return QJsonObject{{"ticket", ticketToJson(p.ticket)}, {"identifier", ticketToJson(p.identifier)},
                       {"symbol", p.symbol}, {"type", mt5Name(p.type)}, {"volume", p.volume},
                       {"price_open", p.priceOpen}, {"sl", p.sl}, {"tp", p.tp}, {"price_current", p.priceCurrent},
                       {"swap", p.swap}, {"profit", p.profit}, {"magic", p.magic}, {"comment", p.comment},
                       {"time", p.timeMsc / 1000}, {"time_msc", p.timeMsc}, {"time_update", p.timeUpdateMsc / 1000},
                       {"time_update_msc", p.timeUpdateMsc}};
}

Result<Position> positionFromJson(const QJsonObject &object)
{
    Reader r(object);
    Position p;
    p.ticket = r.ticket(QStringLiteral("ticket"));
    p.identifier = r.ticket(QStringLiteral("identifier"));
    p.symbol = r.str(QStringLiteral("symbol"));
    p.type = r.enumeration(QStringLiteral("type"), PositionType::Buy, true);
    p.volume = r.num(QStringLiteral("volume"));
    p.priceOpen = r.num(QStringLiteral("price_open"));
    p.sl = r.optNum(QStringLiteral("sl"));
    p.tp = r.optNum(QStringLiteral("tp"));
    p.priceCurrent = r.optNum(QStringLiteral("price_current"));
    p.swap = r.optNum(QStringLiteral("swap"));
    p.profit = r.optNum(QStringLiteral("profit"));
    p.magic = r.optInteger(QStringLiteral("magic"));
    p.comment = r.optStr(QStringLiteral("comment"));
    p.timeMsc = r.optInteger(QStringLiteral("time_msc"));
    p.timeUpdateMsc = r.optInteger(QStringLiteral("time_update_msc"));
    if (p.ticket == 0)
        return makeError(QStringLiteral("mt5b position: field 'ticket' is missing; every position has a ticket"));
    return r.result(std::move(p), "position");
}

QJsonObject toJson(const Order &o)
{
    QJsonObject j{{"ticket", ticketToJson(o.ticket)}, {"symbol", o.symbol}, {"type", mt5Name(o.type)},
                  {"state", mt5Name(o.state)}, {"volume_initial", o.volumeInitial},
                  {"volume_current", o.volumeCurrent}, {"price_open", o.priceOpen}, {"sl", o.sl}, {"tp", o.tp},
                  {"price_current", o.priceCurrent}, {"price_stoplimit", o.priceStoplimit}, {"magic", o.magic},
                  {"position_id", ticketToJson(o.positionId)}, {"comment", o.comment},
                  {"time_setup", o.timeSetupMsc / 1000}, {"time_setup_msc", o.timeSetupMsc},
                  {"time_done", o.timeDoneMsc / 1000}, {"time_done_msc", o.timeDoneMsc},
                  {"time_expiration", o.timeExpiration}, {"type_time", mt5Name(o.typeTime)}};
    if (!o.typeFilling.isEmpty())
        j.insert(QStringLiteral("type_filling"), o.typeFilling);
    return j;
}

Result<Order> orderFromJson(const QJsonObject &object)
{
    Reader r(object);
    Order o;
    o.ticket = r.ticket(QStringLiteral("ticket"));
    o.symbol = r.str(QStringLiteral("symbol"));
    o.type = r.enumeration(QStringLiteral("type"), OrderType::Buy, true);
    o.state = r.enumeration(QStringLiteral("state"), OrderState::Placed, false);
    o.volumeInitial = r.optNum(QStringLiteral("volume_initial"));
    o.volumeCurrent = r.optNum(QStringLiteral("volume_current"));
    o.priceOpen = r.optNum(QStringLiteral("price_open"));
    o.sl = r.optNum(QStringLiteral("sl"));
    o.tp = r.optNum(QStringLiteral("tp"));
    o.priceCurrent = r.optNum(QStringLiteral("price_current"));
    o.priceStoplimit = r.optNum(QStringLiteral("price_stoplimit"));
    o.magic = r.optInteger(QStringLiteral("magic"));
    o.positionId = r.ticket(QStringLiteral("position_id"));
    o.comment = r.optStr(QStringLiteral("comment"));
    o.timeSetupMsc = r.optInteger(QStringLiteral("time_setup_msc"));
    o.timeDoneMsc = r.optInteger(QStringLiteral("time_done_msc"));
    o.timeExpiration = r.optInteger(QStringLiteral("time_expiration"));
    o.typeTime = r.enumeration(QStringLiteral("type_time"), OrderTime::Gtc, false);
    o.typeFilling = r.optStr(QStringLiteral("type_filling"));
    if (o.ticket == 0)
        return makeError(QStringLiteral("mt5b order: field 'ticket' is missing; every order has a ticket"));
    return r.result(std::move(o), "order");
}

QJsonObject toJson(const Deal &d)
{
    return QJsonObject{{"ticket", ticketToJson(d.ticket)}, {"order", ticketToJson(d.order)},
                       {"position_id", ticketToJson(d.positionId)}, {"symbol", d.symbol},
                       {"type", mt5Name(d.type)}, {"entry", mt5Name(d.entry)}, {"reason", mt5Name(d.reason)},
                       {"volume", d.volume}, {"price", d.price}, {"commission", d.commission}, {"swap", d.swap},
                       {"profit", d.profit}, {"fee", d.fee}, {"magic", d.magic}, {"comment", d.comment},
                       {"time", d.timeMsc / 1000}, {"time_msc", d.timeMsc}, {"external_id", QString()}};
}

Result<Deal> dealFromJson(const QJsonObject &object)
{
    Reader r(object);
    Deal d;
    d.ticket = r.ticket(QStringLiteral("ticket"));
    d.order = r.ticket(QStringLiteral("order"));
    d.positionId = r.ticket(QStringLiteral("position_id"));
    d.symbol = r.optStr(QStringLiteral("symbol"));
    d.type = r.enumeration(QStringLiteral("type"), DealType::Buy, true);
    d.entry = r.enumeration(QStringLiteral("entry"), DealEntry::In, true);
    d.reason = r.enumeration(QStringLiteral("reason"), DealReason::Expert, false);
    d.volume = r.optNum(QStringLiteral("volume"));
    d.price = r.optNum(QStringLiteral("price"));
    d.commission = r.optNum(QStringLiteral("commission"));
    d.swap = r.optNum(QStringLiteral("swap"));
    d.profit = r.optNum(QStringLiteral("profit"));
    d.fee = r.optNum(QStringLiteral("fee"));
    d.magic = r.optInteger(QStringLiteral("magic"));
    d.comment = r.optStr(QStringLiteral("comment"));
    d.timeMsc = r.has(QStringLiteral("time_msc")) ? r.integer(QStringLiteral("time_msc"))
                                                  : r.optInteger(QStringLiteral("time")) * 1000;
    if (d.ticket == 0)
        return makeError(QStringLiteral("mt5b deal: field 'ticket' is missing; every deal has a ticket"));
    return r.result(std::move(d), "deal");
}

QJsonObject toJson(const AccountInfo &a)
{
    return QJsonObject{{"login", a.login}, {"server", a.server}, {"company", a.company}, {"name", a.name},
                       {"currency", a.currency}, {"margin_mode", mt5Name(a.marginMode)},
                       {"trade_mode", mt5Name(a.tradeMode)}, {"leverage", a.leverage},
                       {"trade_allowed", a.tradeAllowed}, {"trade_expert", a.tradeExpert}, {"balance", a.balance},
                       {"credit", a.credit}, {"profit", a.profit}, {"equity", a.equity}, {"margin", a.margin},
                       {"margin_free", a.marginFree}, {"margin_level", a.marginLevel},
                       {"margin_so_call", a.marginSoCall}, {"margin_so_so", a.marginSoSo}};
}

Result<AccountInfo> accountInfoFromJson(const QJsonObject &object)
{
    Reader r(object);
    AccountInfo a;
    // login is a number in MT5's AccountInfo; mt5b sends it as a string. Accept both.
    const QJsonValue login = object.value(QStringLiteral("login"));
    a.login = login.isDouble() ? QString::number(qint64(login.toDouble())) : r.str(QStringLiteral("login"));
    a.server = r.optStr(QStringLiteral("server"));
    a.company = r.optStr(QStringLiteral("company"));
    a.name = r.optStr(QStringLiteral("name"));
    a.currency = r.optStr(QStringLiteral("currency"));
    a.marginMode = r.enumeration(QStringLiteral("margin_mode"), MarginMode::RetailHedging, false);
    a.tradeMode = r.enumeration(QStringLiteral("trade_mode"), AccountTradeMode::Demo, false);
    a.leverage = int(r.optInteger(QStringLiteral("leverage")));
    a.tradeAllowed = r.optBool(QStringLiteral("trade_allowed"));
    a.tradeExpert = r.optBool(QStringLiteral("trade_expert"));
    a.balance = r.optNum(QStringLiteral("balance"));
    a.credit = r.optNum(QStringLiteral("credit"));
    a.profit = r.optNum(QStringLiteral("profit"));
    a.equity = r.optNum(QStringLiteral("equity"));
    a.margin = r.optNum(QStringLiteral("margin"));
    a.marginFree = r.optNum(QStringLiteral("margin_free"));
    a.marginLevel = r.optNum(QStringLiteral("margin_level"));
    a.marginSoCall = r.optNum(QStringLiteral("margin_so_call"));
    a.marginSoSo = r.optNum(QStringLiteral("margin_so_so"));
    return r.result(std::move(a), "account");
}

QJsonObject toJson(const BrokerSymbol &s)
{
    return QJsonObject{{"name", s.name}, {"description", s.description}, {"digits", s.digits}, {"point", s.point},
                       {"trade_tick_size", s.tradeTickSize}, {"trade_tick_value", s.tradeTickValue},
                       {"trade_contract_size", s.tradeContractSize}, {"volume_min", s.volumeMin},
                       {"volume_max", s.volumeMax}, {"volume_step", s.volumeStep},
                       {"trade_stops_level", s.tradeStopsLevel}, {"trade_freeze_level", s.tradeFreezeLevel},
                       {"trade_mode", mt5Name(s.tradeMode)}, {"trade_exemode", mt5Name(s.tradeExemode)},
                       {"filling_mode", s.fillingMode}, {"order_mode", s.orderMode},
                       {"currency_base", s.currencyBase}, {"currency_profit", s.currencyProfit},
                       {"currency_margin", s.currencyMargin}};
}

Result<BrokerSymbol> brokerSymbolFromJson(const QJsonObject &object)
{
    Reader r(object);
    BrokerSymbol s;
    s.name = r.str(QStringLiteral("name"));
    s.description = r.optStr(QStringLiteral("description"));
    s.digits = int(r.integer(QStringLiteral("digits")));
    s.point = r.num(QStringLiteral("point"));
    s.tradeTickSize = r.num(QStringLiteral("trade_tick_size"));
    s.tradeTickValue = r.num(QStringLiteral("trade_tick_value"));
    s.tradeContractSize = r.num(QStringLiteral("trade_contract_size"));
    s.volumeMin = r.num(QStringLiteral("volume_min"));
    s.volumeMax = r.num(QStringLiteral("volume_max"));
    s.volumeStep = r.num(QStringLiteral("volume_step"));
    s.tradeStopsLevel = int(r.optInteger(QStringLiteral("trade_stops_level")));
    s.tradeFreezeLevel = int(r.optInteger(QStringLiteral("trade_freeze_level")));
    s.tradeMode = r.enumeration(QStringLiteral("trade_mode"), SymbolTradeMode::Full, false);
    s.tradeExemode = r.enumeration(QStringLiteral("trade_exemode"), SymbolExecution::Market, false);
    s.fillingMode = int(r.optInteger(QStringLiteral("filling_mode")));
    s.orderMode = int(r.optInteger(QStringLiteral("order_mode")));
    s.currencyBase = r.optStr(QStringLiteral("currency_base"));
    s.currencyProfit = r.optStr(QStringLiteral("currency_profit"));
    s.currencyMargin = r.optStr(QStringLiteral("currency_margin"));
    auto parsed = r.result(std::move(s), "symbol");
    if (parsed && (parsed->digits < 0 || parsed->digits > 10 || !(parsed->point > 0) || !(parsed->volumeStep > 0)
                   || !(parsed->tradeTickSize > 0)))
        return makeError(QStringLiteral("mt5b symbol '%1': digits must be 0..10 and point, trade_tick_size and "
                                        "volume_step must be > 0").arg(parsed->name));
    return parsed;
}

} // namespace bd::mt5b
