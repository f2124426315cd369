#include "exchange.h"

#include <algorithm>
#include <cmath>

namespace bd::mt5sim {

using namespace mt5;

namespace {

// Comparisons on prices use a tolerance far below one point, so values read from decimal text compare as decimals.
constexpr double kPriceEps = 1e-9;
constexpr double kVolumeEps = 1e-8;

bool priceLE(double a, double b) { return a <= b + kPriceEps; }
bool priceGE(double a, double b) { return a + kPriceEps >= b; }
bool sameValue(double a, double b) { return std::fabs(a - b) <= kPriceEps; }
double roundMoney(double m) { return std::round(m * 100.0) / 100.0; }

bool isPendingType(OrderType t)
{
    return t == OrderType::BuyLimit || t == OrderType::SellLimit || t == OrderType::BuyStop
        || t == OrderType::SellStop || t == OrderType::BuyStopLimit || t == OrderType::SellStopLimit;
}

// The order_mode bit an order type needs (SYMBOL_ORDER_MARKET 1, LIMIT 2, STOP 4, STOP_LIMIT 8, CLOSEBY 64).
int orderModeBit(OrderType t)
{
    switch (t) {
    case OrderType::Buy: case OrderType::Sell: return 1;
    case OrderType::BuyLimit: case OrderType::SellLimit: return 2;
    case OrderType::BuyStop: case OrderType::SellStop: return 4;
    case OrderType::BuyStopLimit: case OrderType::SellStopLimit: return 8;
    case OrderType::CloseBy: return 64;
    }
    return 0;
}

} // namespace

Exchange::Exchange(ExchangeConfig config) : m_config(std::move(config))
{
    m_nextTicket = m_config.firstTicket;
    m_balance = m_config.deposit;
}

void Exchange::addSymbol(const SimSymbol &symbol)
{
    m_symbols[symbol.info.name] = symbol;
    m_marketOpen.emplace(symbol.info.name, true);
}

const SimSymbol *Exchange::symbol(const QString &brokerName) const
{
    const auto it = m_symbols.find(brokerName);
    return it == m_symbols.end() ? nullptr : &it->second;
}

std::vector<QString> Exchange::symbolNames() const
{
    std::vector<QString> names;
    for (const auto &[name, s] : m_symbols)
        names.push_back(name);
    return names;
}

void Exchange::setMarketOpen(const QString &symbol, bool open) { m_marketOpen[symbol] = open; }

bool Exchange::isMarketOpen(const QString &symbol) const
{
    const auto it = m_marketOpen.find(symbol);
    return it != m_marketOpen.end() && it->second && m_quotes.count(symbol) > 0;
}

std::optional<Quote> Exchange::quote(const QString &symbol) const
{
    const auto it = m_quotes.find(symbol);
    if (it == m_quotes.end())
        return std::nullopt;
    return it->second;
}

void Exchange::reserveTicketsAbove(Ticket ticket) { m_nextTicket = std::max(m_nextTicket, ticket + 1); }

QString Exchange::taggedComment(const QString &comment, const QString &tag)
{
    constexpr int kMaxComment = 31;
    if (tag.isEmpty())
        return comment.left(kMaxComment);
    const QString suffix = QStringLiteral("|k:") + tag;
    return comment.left(std::max<qsizetype>(0, kMaxComment - suffix.size())) + suffix;
}

// --- Money ----------------------------------------------------------------------------------------------------

double Exchange::toAccount(const SimSymbol &sym, double money) const
{
    if (sym.info.currencyProfit == m_config.currency || sym.info.currencyBase != m_config.currency)
        return money;
    const auto q = quote(sym.info.name);
    return q && q->bid > 0 ? money / q->bid : money;
}

double Exchange::profitOf(const Position &p) const
{
    const SimSymbol *sym = symbol(p.symbol);
    const auto q = quote(p.symbol);
    if (!sym || !q)
        return 0;
    const double closePrice = p.type == PositionType::Buy ? q->bid : q->ask;
    const double delta = p.type == PositionType::Buy ? closePrice - p.priceOpen : p.priceOpen - closePrice;
    return toAccount(*sym, delta / sym->info.tradeTickSize * sym->info.tradeTickValue * p.volume);
}

double Exchange::marginFor(const QString &symbolName, double volume, double price) const
{
    const SimSymbol *sym = symbol(symbolName);
    if (!sym || m_config.leverage <= 0)
        return 0;
    const double units = volume * sym->info.tradeContractSize;
    const double notional = sym->info.currencyBase == m_config.currency ? units : units * price;
    return notional / m_config.leverage;
}

double Exchange::roundVolume(double v) const { return std::round(v * 1e8) / 1e8; }

void Exchange::refreshPosition(Position &p) const
{
    if (const auto q = quote(p.symbol))
        p.priceCurrent = p.type == PositionType::Buy ? q->bid : q->ask;
    p.profit = roundMoney(profitOf(p));
}

AccountInfo Exchange::account() const
{
    AccountInfo a;
    a.login = m_config.login;
    a.server = m_config.server;
    a.company = m_config.company;
    a.name = m_config.name;
    a.currency = m_config.currency;
    a.marginMode = m_config.marginMode;
    a.tradeMode = AccountTradeMode::Demo;
    a.leverage = m_config.leverage;
    a.tradeAllowed = true;
    a.tradeExpert = true;
    a.balance = roundMoney(m_balance);
    double profit = 0, margin = 0;
    for (const Position &p : m_positions) {
        profit += profitOf(p);
        margin += marginFor(p.symbol, p.volume, p.priceOpen);
    }
    a.profit = roundMoney(profit);
    a.equity = roundMoney(m_balance + profit);
    a.margin = roundMoney(margin);
    a.marginFree = roundMoney(m_balance + profit - margin);
    a.marginLevel = margin > 0 ? std::round((m_balance + profit) / margin * 10000.0) / 100.0 : 0;
    a.marginSoCall = m_config.marginSoCall;
    a.marginSoSo = m_config.marginSoSo;
    return a;
}

std::vector<Position> Exchange::positions() const
{
    std::vector<Position> out = m_positions;
    for (Position &p : out)
        refreshPosition(p);
    return out;
}

std::vector<Order> Exchange::orders() const
{
    std::vector<Order> out = m_orders;
    for (Order &o : out)
        if (const auto q = quote(o.symbol))
            o.priceCurrent = isBuy(o.type) ? q->ask : q->bid;
    return out;
}

std::vector<Order> Exchange::historyOrders() const { return m_historyOrders; }

std::vector<Deal> Exchange::deals(qint64 fromSec, qint64 toSec, Ticket positionId) const
{
    std::vector<Deal> out;
    for (const Deal &d : m_deals) {
        const qint64 sec = d.timeMsc / 1000;
        if (sec < fromSec || sec > toSec)
            continue;
        if (positionId != 0 && d.positionId != positionId)
            continue;
        out.push_back(d);
    }
    return out;
}

std::vector<ExchangeEvent> Exchange::takeEvents()
{
    std::vector<ExchangeEvent> out;
    out.swap(m_events);
    return out;
}

Position *Exchange::findPosition(Ticket ticket)
{
    for (Position &p : m_positions)
        if (p.ticket == ticket)
            return &p;
    return nullptr;
}

const Position *Exchange::findPosition(Ticket ticket) const
{
    return const_cast<Exchange *>(this)->findPosition(ticket);
}

Position *Exchange::nettingPosition(const QString &symbolName)
{
    for (Position &p : m_positions)
        if (p.symbol == symbolName)
            return &p;
    return nullptr;
}

const Position *Exchange::nettingPosition(const QString &symbolName) const
{
    return const_cast<Exchange *>(this)->nettingPosition(symbolName);
}

// --- Validation -------------------------------------------------------------------------------------------------

int Exchange::checkTradeMode(const SimSymbol &sym, OrderType type, bool closing) const
{
    switch (sym.info.tradeMode) {
    case SymbolTradeMode::Disabled: return retcode::kTradeDisabled;
    case SymbolTradeMode::LongOnly: return !closing && !isBuy(type) ? retcode::kLongOnly : 0;
    case SymbolTradeMode::ShortOnly: return !closing && isBuy(type) ? retcode::kShortOnly : 0;
    case SymbolTradeMode::CloseOnly: return closing ? 0 : retcode::kCloseOnly;
    case SymbolTradeMode::Full: return 0;
    }
    return 0;
}

int Exchange::checkVolume(const SimSymbol &sym, double volume) const
{
    const auto &i = sym.info;
    if (!std::isfinite(volume) || volume < i.volumeMin - kVolumeEps || volume > i.volumeMax + kVolumeEps)
        return retcode::kInvalidVolume;
    const double steps = (volume - i.volumeMin) / i.volumeStep;
    if (std::fabs(steps - std::round(steps)) > 1e-6)
        return retcode::kInvalidVolume;
    return 0;
}

// Stops rules (MQL5 "Requirements and Limitations in Making Trades"): the SL/TP of a buy lie below/above the
// reference price by at least trade_stops_level points (and strictly on their side); a sell's the other way.
int Exchange::checkStops(const SimSymbol &sym, bool buy, double ref, double sl, double tp) const
{
    if (!std::isfinite(sl) || !std::isfinite(tp) || sl < 0 || tp < 0)
        return retcode::kInvalidStops;
    const double minDist = sym.info.tradeStopsLevel * sym.info.point;
    auto okDist = [&](double d) { return d > kPriceEps && d + kPriceEps >= minDist; };
    if (sl > 0 && !okDist(buy ? ref - sl : sl - ref))
        return retcode::kInvalidStops;
    if (tp > 0 && !okDist(buy ? tp - ref : ref - tp))
        return retcode::kInvalidStops;
    return 0;
}

int Exchange::validate(const TradeRequest &r) const
{
    switch (r.action) {
    case TradeAction::Deal: {
        const SimSymbol *sym = symbol(r.symbol);
        if (!sym && r.position != 0)
            if (const Position *p = findPosition(r.position))
                sym = symbol(p->symbol);
        if (!sym)
            return retcode::kInvalid;
        const auto q = quote(sym->info.name);
        return validateDeal(r, *sym, q.value_or(Quote{}));
    }
    case TradeAction::Pending: {
        const SimSymbol *sym = symbol(r.symbol);
        if (!sym)
            return retcode::kInvalid;
        const auto q = quote(sym->info.name);
        return validatePending(r, *sym, q.value_or(Quote{}));
    }
    case TradeAction::Sltp: return validateSltp(r);
    case TradeAction::Modify: return validateModify(r);
    case TradeAction::Remove: {
        const auto it = std::find_if(m_orders.begin(), m_orders.end(), [&](const Order &o) { return o.ticket == r.order; });
        if (r.order == 0 || it == m_orders.end())
            return retcode::kInvalid;
        if (!isMarketOpen(it->symbol))
            return retcode::kMarketClosed;
        const SimSymbol *sym = symbol(it->symbol);
        const auto q = quote(it->symbol);
        const double freeze = sym->info.tradeFreezeLevel * sym->info.point;
        if (freeze > 0 && q) {
            const double mkt = isBuy(it->type) ? q->ask : q->bid;
            if (std::fabs(mkt - it->priceOpen) <= freeze + kPriceEps)
                return retcode::kFrozen;
        }
        return 0;
    }
    case TradeAction::CloseBy: return validateCloseBy(r);
    }
    return retcode::kInvalid;
}

int Exchange::validateDeal(const TradeRequest &r, const SimSymbol &sym, const Quote &q) const
{
    if (!isMarket(r.type))
        return retcode::kInvalid;
    if ((sym.info.orderMode & orderModeBit(r.type)) == 0)
        return retcode::kInvalidOrder;
    const bool buy = isBuy(r.type);
    // Which position does this deal reduce?
    const Position *target = nullptr;
    bool closing = false;
    if (hedging()) {
        if (r.position != 0) {
            target = findPosition(r.position);
            closing = true;
            if (target && (target->type == PositionType::Buy) == buy)
                return retcode::kInvalid;  // a close must use the opposite type
        }
    } else {
        target = nettingPosition(sym.info.name);
        if (r.position != 0 && (!target || target->ticket != r.position))
            target = nullptr, closing = true;  // names a position that is not (or no longer) open
        else
            closing = target && (target->type == PositionType::Buy) != buy;
        if (closing && target && r.volume > target->volume + kVolumeEps)
            closing = false;  // a reversal opens a new side
    }
    if (const int rc = checkTradeMode(sym, r.type, closing))
        return rc;
    if (!isMarketOpen(sym.info.name))
        return retcode::kMarketClosed;
    if (closing && !target)
        return retcode::kPositionClosed;
    if (const int rc = checkVolume(sym, r.volume))
        return rc;
    if (hedging() && target && r.volume > target->volume + kVolumeEps)
        return retcode::kInvalidCloseVolume;
    // Filling: market execution allows FOK/IOC when the symbol's bitmask has them; RETURN is not for market orders.
    const QString &f = r.typeFilling;
    const bool fok = f.isEmpty() || f == QLatin1String("ORDER_FILLING_FOK");
    const bool ioc = f == QLatin1String("ORDER_FILLING_IOC");
    const bool autoFill = f == QLatin1String("AUTO");
    if (!(fok && (sym.info.fillingMode & kSymbolFillingFok)) && !(ioc && (sym.info.fillingMode & kSymbolFillingIoc))
        && !(autoFill && (sym.info.fillingMode & (kSymbolFillingFok | kSymbolFillingIoc))))
        return retcode::kInvalidFill;
    const bool opening = !closing;
    if (opening) {
        if (const int rc = checkStops(sym, buy, buy ? q.bid : q.ask, r.sl, r.tp))
            return rc;
    }
    const double freeze = sym.info.tradeFreezeLevel * sym.info.point;
    if (target && closing && freeze > 0) {
        const double ref = target->type == PositionType::Buy ? q.bid : q.ask;
        if ((target->sl > 0 && std::fabs(ref - target->sl) <= freeze + kPriceEps)
            || (target->tp > 0 && std::fabs(ref - target->tp) <= freeze + kPriceEps))
            return retcode::kFrozen;
    }
    if (hedging() && opening && m_config.hedgeProhibited) {
        for (const Position &p : m_positions)
            if (p.symbol == sym.info.name && (p.type == PositionType::Buy) != buy)
                return retcode::kHedgeProhibited;
    }
    if (opening && marginAfter(r) < 0)
        return retcode::kNoMoney;
    return 0;
}

// Free margin after executing `r` (an opening deal): equity − margin − the new margin.
double Exchange::marginAfter(const TradeRequest &r) const
{
    const AccountInfo a = account();
    const auto q = quote(r.symbol);
    if (!q)
        return a.marginFree;
    const bool buy = isBuy(r.type);
    double volume = r.volume;
    if (!hedging())
        if (const Position *p = nettingPosition(r.symbol); p && (p->type == PositionType::Buy) != buy)
            volume = std::max(0.0, r.volume - p->volume);  // the reversal's new side
    const double price = buy ? q->ask : q->bid;
    return a.equity - a.margin - marginFor(r.symbol, volume, price) + commissionFor(r.volume);
}

int Exchange::validatePending(const TradeRequest &r, const SimSymbol &sym, const Quote &q) const
{
    if (!isPendingType(r.type))
        return retcode::kInvalid;
    if ((sym.info.orderMode & orderModeBit(r.type)) == 0)
        return retcode::kInvalidOrder;
    if (const int rc = checkTradeMode(sym, r.type, false))
        return rc;
    if (!isMarketOpen(sym.info.name))
        return retcode::kMarketClosed;
    if (const int rc = checkVolume(sym, r.volume))
        return rc;
    const QString &f = r.typeFilling;
    const bool ok = f.isEmpty() || f == QLatin1String("ORDER_FILLING_RETURN") || f == QLatin1String("AUTO")
        || (f == QLatin1String("ORDER_FILLING_FOK") && (sym.info.fillingMode & kSymbolFillingFok))
        || (f == QLatin1String("ORDER_FILLING_IOC") && (sym.info.fillingMode & kSymbolFillingIoc));
    if (!ok)
        return retcode::kInvalidFill;
    if (!std::isfinite(r.price) || r.price <= 0)
        return retcode::kInvalidPrice;
    const bool buy = isBuy(r.type);
    const double mkt = buy ? q.ask : q.bid;
    const double minDist = sym.info.tradeStopsLevel * sym.info.point;
    // Distance of the order price from the market, positive on the correct side.
    double dist = 0;
    switch (r.type) {
    case OrderType::BuyLimit: dist = mkt - r.price; break;
    case OrderType::SellLimit: dist = r.price - mkt; break;
    case OrderType::BuyStop: case OrderType::BuyStopLimit: dist = r.price - mkt; break;
    case OrderType::SellStop: case OrderType::SellStopLimit: dist = mkt - r.price; break;
    default: break;
    }
    if (dist < -kPriceEps)
        return retcode::kInvalidPrice;
    if (dist + kPriceEps < minDist)
        return retcode::kInvalidStops;
    if (r.type == OrderType::BuyStopLimit || r.type == OrderType::SellStopLimit) {
        // The limit order placed at trigger: a buy limit below the stop price, a sell limit above it.
        if (!std::isfinite(r.stoplimit) || r.stoplimit <= 0
            || (r.type == OrderType::BuyStopLimit ? r.stoplimit > r.price + kPriceEps : r.stoplimit < r.price - kPriceEps))
            return retcode::kInvalidPrice;
    }
    if (r.typeTime == OrderTime::Specified || r.typeTime == OrderTime::SpecifiedDay) {
        if (r.expiration <= q.timeMsc / 1000)
            return retcode::kInvalidExpiration;
    }
    const double entry = (r.type == OrderType::BuyStopLimit || r.type == OrderType::SellStopLimit) ? r.stoplimit : r.price;
    if (const int rc = checkStops(sym, buy, entry, r.sl, r.tp))
        return rc;
    return 0;
}

int Exchange::validateSltp(const TradeRequest &r) const
{
    const Position *p = nullptr;
    if (r.position != 0)
        p = findPosition(r.position);
    else if (!hedging() && !r.symbol.isEmpty())
        p = nettingPosition(r.symbol);
    else
        return retcode::kInvalid;
    if (!p)
        return retcode::kPositionClosed;
    const SimSymbol *sym = symbol(p->symbol);
    if (!isMarketOpen(p->symbol))
        return retcode::kMarketClosed;
    const Quote q = *quote(p->symbol);
    const bool buy = p->type == PositionType::Buy;
    const double ref = buy ? q.bid : q.ask;
    if (const int rc = checkStops(*sym, buy, ref, r.sl, r.tp))
        return rc;
    const double freeze = sym->info.tradeFreezeLevel * sym->info.point;
    if (freeze > 0
        && ((p->sl > 0 && std::fabs(ref - p->sl) <= freeze + kPriceEps) || (p->tp > 0 && std::fabs(ref - p->tp) <= freeze + kPriceEps)))
        return retcode::kFrozen;
    if (sameValue(p->sl, r.sl) && sameValue(p->tp, r.tp))
        return retcode::kNoChanges;
    return 0;
}

int Exchange::validateModify(const TradeRequest &r) const
{
    const auto it = std::find_if(m_orders.begin(), m_orders.end(), [&](const Order &o) { return o.ticket == r.order; });
    if (r.order == 0 || it == m_orders.end())
        return retcode::kInvalid;
    const SimSymbol *sym = symbol(it->symbol);
    if (!isMarketOpen(it->symbol))
        return retcode::kMarketClosed;
    const Quote q = *quote(it->symbol);
    // Validate the modified order as a new placement of the same type.
    TradeRequest as = r;
    as.action = TradeAction::Pending;
    as.symbol = it->symbol;
    as.type = it->type;
    as.volume = it->volumeCurrent;
    as.typeFilling = QStringLiteral("ORDER_FILLING_RETURN");
    if (as.stoplimit == 0)
        as.stoplimit = it->priceStoplimit;
    if (const int rc = validatePending(as, *sym, q))
        return rc;
    const double freeze = sym->info.tradeFreezeLevel * sym->info.point;
    if (freeze > 0) {
        const double mkt = isBuy(it->type) ? q.ask : q.bid;
        if (std::fabs(mkt - it->priceOpen) <= freeze + kPriceEps)
            return retcode::kFrozen;
    }
    if (sameValue(it->priceOpen, r.price) && sameValue(it->sl, r.sl) && sameValue(it->tp, r.tp)
        && it->typeTime == r.typeTime && it->timeExpiration == r.expiration
        && (as.stoplimit == it->priceStoplimit))
        return retcode::kNoChanges;
    return 0;
}

int Exchange::validateCloseBy(const TradeRequest &r) const
{
    if (!hedging())
        return retcode::kInvalidOrder;  // close-by exists on hedging accounts only
    if (r.position == 0 || r.positionBy == 0 || r.position == r.positionBy)
        return retcode::kInvalid;
    const Position *a = findPosition(r.position);
    const Position *b = findPosition(r.positionBy);
    if (!a || !b)
        return retcode::kPositionClosed;
    if (a->symbol != b->symbol || a->type == b->type)
        return retcode::kInvalid;
    const SimSymbol *sym = symbol(a->symbol);
    if ((sym->info.orderMode & 64) == 0)
        return retcode::kInvalidOrder;
    if (sym->info.tradeMode == SymbolTradeMode::Disabled)
        return retcode::kTradeDisabled;
    if (!isMarketOpen(a->symbol))
        return retcode::kMarketClosed;
    return 0;
}

// --- Execution --------------------------------------------------------------------------------------------------

SendOutcome Exchange::reply(int rc, const QString &symbolName) const
{
    SendOutcome out;
    out.result.retcode = rc;
    out.result.comment = retcodeMeaning(rc);
    if (const auto q = quote(symbolName)) {
        out.result.bid = q->bid;
        out.result.ask = q->ask;
    }
    return out;
}

SendOutcome Exchange::send(const TradeRequest &r, qint64 nowMsc, const QString &comment)
{
    const int rc = validate(r);
    if (rc != 0) {
        QString sym = r.symbol;
        if (const Position *p = findPosition(r.position))
            sym = p->symbol;
        SendOutcome out = reply(rc, sym);
        if (rc == retcode::kPositionClosed && r.action == TradeAction::Deal)
            out.alreadyClosed = true;
        return out;
    }
    switch (r.action) {
    case TradeAction::Deal: return executeDeal(r, nowMsc, comment);
    case TradeAction::Pending: return placePending(r, nowMsc, comment);
    case TradeAction::Sltp: return modifySltp(r, nowMsc);
    case TradeAction::Modify: return modifyOrder(r, nowMsc);
    case TradeAction::Remove: return removeOrder(r, nowMsc);
    case TradeAction::CloseBy: return closeBy(r, nowMsc, comment);
    }
    return reply(retcode::kInvalid, r.symbol);
}

CheckOutcome Exchange::check(const TradeRequest &r) const
{
    CheckOutcome c;
    c.retcode = validate(r);
    const AccountInfo a = account();
    c.balance = a.balance;
    c.equity = a.equity;
    c.profit = a.profit;
    c.margin = a.margin;
    c.marginFree = a.marginFree;
    c.marginLevel = a.marginLevel;
    if (r.action == TradeAction::Deal && c.retcode == 0) {
        if (const auto q = quote(r.symbol)) {
            const double add = marginFor(r.symbol, r.volume, isBuy(r.type) ? q->ask : q->bid);
            c.margin = roundMoney(a.margin + add);
            c.marginFree = roundMoney(a.equity - c.margin);
            c.marginLevel = c.margin > 0 ? std::round(a.equity / c.margin * 10000.0) / 100.0 : 0;
        }
    }
    c.comment = c.retcode == 0 ? QStringLiteral("Done") : retcodeMeaning(c.retcode);
    return c;
}

SendOutcome Exchange::executeDeal(const TradeRequest &r, qint64 nowMsc, const QString &comment)
{
    QString symbolName = r.symbol;
    if (hedging() && r.position != 0)
        symbolName = findPosition(r.position)->symbol;
    const Quote q = *quote(symbolName);
    const bool buy = isBuy(r.type);
    const double price = buy ? q.ask : q.bid;
    Order order;
    order.ticket = newTicket();
    order.symbol = symbolName;
    order.type = r.type;
    order.state = OrderState::Filled;
    order.volumeInitial = r.volume;
    order.volumeCurrent = 0;
    order.priceOpen = price;
    order.priceCurrent = price;
    order.sl = r.sl;
    order.tp = r.tp;
    order.magic = r.magic;
    order.comment = comment;
    order.timeSetupMsc = nowMsc;
    order.timeDoneMsc = nowMsc;
    order.typeFilling = r.typeFilling.isEmpty() || r.typeFilling == QLatin1String("AUTO")
        ? QStringLiteral("ORDER_FILLING_FOK") : r.typeFilling;
    Ticket positionId = 0;
    const Ticket dealTicket = fill(symbolName, r.type, r.volume, price, order.ticket, hedging() ? r.position : 0, r.sl,
                                   r.tp, r.magic, comment, DealReason::Expert, nowMsc, &positionId);
    order.positionId = positionId;
    m_historyOrders.push_back(order);
    SendOutcome out = reply(retcode::kDone, symbolName);
    out.result.deal = dealTicket;
    out.result.order = order.ticket;
    out.result.volume = r.volume;
    out.result.price = price;
    out.result.comment = QStringLiteral("Request executed");
    out.positionId = positionId;
    return out;
}

Deal Exchange::makeDeal(const QString &symbolName, DealType type, DealEntry entry, double volume, double price,
                        Ticket order, Ticket positionId, DealReason reason, qint64 magic, const QString &comment,
                        qint64 nowMsc)
{
    Deal d;
    d.ticket = newTicket();
    d.order = order;
    d.positionId = positionId;
    d.symbol = symbolName;
    d.type = type;
    d.entry = entry;
    d.reason = reason;
    d.volume = volume;
    d.price = price;
    d.commission = roundMoney(commissionFor(volume));
    d.magic = magic;
    d.comment = comment;
    d.timeMsc = nowMsc;
    return d;
}

void Exchange::bookDeal(Deal d)
{
    m_balance += d.profit + d.commission + d.swap + d.fee;
    m_deals.push_back(d);
    ExchangeEvent e;
    e.kind = ExchangeEvent::Kind::Deal;
    e.deal = std::move(d);
    m_events.push_back(std::move(e));
}

Ticket Exchange::fill(const QString &symbolName, OrderType type, double volume, double price, Ticket orderTicket,
                      Ticket closePosition, double sl, double tp, qint64 magic, const QString &comment,
                      DealReason reason, qint64 nowMsc, Ticket *positionId)
{
    const SimSymbol &sym = m_symbols.at(symbolName);
    const bool buy = isBuy(type);
    const DealType dealType = buy ? DealType::Buy : DealType::Sell;
    auto realized = [&](const Position &p, double vol) {
        const double delta = p.type == PositionType::Buy ? price - p.priceOpen : p.priceOpen - price;
        return roundMoney(toAccount(sym, delta / sym.info.tradeTickSize * sym.info.tradeTickValue * vol));
    };
    auto emitPosition = [&](ExchangeEvent::Kind kind, const Position &p) {
        ExchangeEvent e;
        e.kind = kind;
        e.position = p;
        refreshPosition(e.position);
        m_events.push_back(std::move(e));
    };
    auto openNew = [&](double vol, Ticket identifier) {
        Position p;
        p.ticket = orderTicket;
        p.identifier = identifier;
        p.symbol = symbolName;
        p.type = buy ? PositionType::Buy : PositionType::Sell;
        p.volume = roundVolume(vol);
        p.priceOpen = price;
        p.sl = sl;
        p.tp = tp;
        p.magic = magic;
        p.comment = comment;
        p.timeMsc = nowMsc;
        p.timeUpdateMsc = nowMsc;
        m_positions.push_back(p);
        emitPosition(ExchangeEvent::Kind::PositionAdd, p);
        return p.ticket;
    };
    auto reduce = [&](Position &p, double vol, DealEntry entry) {
        Deal d = makeDeal(symbolName, dealType, entry, vol, price, orderTicket, p.identifier, reason, magic, comment, nowMsc);
        d.profit = realized(p, std::min(vol, p.volume));
        const Ticket dealTicket = d.ticket;
        bookDeal(d);
        return dealTicket;
    };

    Position *target = nullptr;
    if (closePosition != 0)
        target = findPosition(closePosition);
    else if (!hedging())
        target = nettingPosition(symbolName);

    if (!target) {  // a new position
        const Ticket id = orderTicket;
        Deal d = makeDeal(symbolName, dealType, DealEntry::In, volume, price, orderTicket, id, reason, magic, comment, nowMsc);
        const Ticket dealTicket = d.ticket;
        bookDeal(d);
        openNew(volume, id);
        *positionId = id;
        return dealTicket;
    }
    *positionId = target->identifier;
    const bool sameSide = (target->type == PositionType::Buy) == buy;
    if (sameSide) {  // netting: add to the position
        Deal d = makeDeal(symbolName, dealType, DealEntry::In, volume, price, orderTicket, target->identifier, reason,
                          magic, comment, nowMsc);
        const Ticket dealTicket = d.ticket;
        bookDeal(d);
        const double newVolume = roundVolume(target->volume + volume);
        target->priceOpen = (target->priceOpen * target->volume + price * volume) / newVolume;
        target->priceOpen = std::round(target->priceOpen * SymbolSpec::pow10(sym.info.digits + 2))
            / SymbolSpec::pow10(sym.info.digits + 2);
        target->volume = newVolume;
        if (sl > 0)
            target->sl = sl;
        if (tp > 0)
            target->tp = tp;
        target->timeUpdateMsc = nowMsc;
        emitPosition(ExchangeEvent::Kind::PositionUpdate, *target);
        return dealTicket;
    }
    if (volume < target->volume - kVolumeEps) {  // partial close
        const Ticket dealTicket = reduce(*target, volume, DealEntry::Out);
        target->volume = roundVolume(target->volume - volume);
        target->timeUpdateMsc = nowMsc;
        emitPosition(ExchangeEvent::Kind::PositionUpdate, *target);
        return dealTicket;
    }
    if (volume <= target->volume + kVolumeEps) {  // full close
        const Ticket dealTicket = reduce(*target, volume, DealEntry::Out);
        Position last = *target;
        last.timeUpdateMsc = nowMsc;
        m_positions.erase(m_positions.begin() + (target - m_positions.data()));
        emitPosition(ExchangeEvent::Kind::PositionRemove, last);
        return dealTicket;
    }
    // Netting reversal: one DEAL_ENTRY_INOUT for the whole volume; the position keeps its identifier and takes the
    // reversing order's ticket (mql5 docs, Position Properties).
    const Ticket dealTicket = reduce(*target, volume, DealEntry::InOut);
    const Ticket identifier = target->identifier;
    const double rest = roundVolume(volume - target->volume);
    Position last = *target;
    m_positions.erase(m_positions.begin() + (target - m_positions.data()));
    emitPosition(ExchangeEvent::Kind::PositionRemove, last);
    openNew(rest, identifier);
    return dealTicket;
}

SendOutcome Exchange::placePending(const TradeRequest &r, qint64 nowMsc, const QString &comment)
{
    Order o;
    o.ticket = newTicket();
    o.symbol = r.symbol;
    o.type = r.type;
    o.state = OrderState::Placed;
    o.volumeInitial = r.volume;
    o.volumeCurrent = r.volume;
    o.priceOpen = r.price;
    o.priceStoplimit = r.stoplimit;
    o.sl = r.sl;
    o.tp = r.tp;
    o.magic = r.magic;
    o.comment = comment;
    o.timeSetupMsc = nowMsc;
    o.typeTime = r.typeTime;
    o.timeExpiration = r.expiration;
    o.typeFilling = r.typeFilling.isEmpty() || r.typeFilling == QLatin1String("AUTO")
        ? QStringLiteral("ORDER_FILLING_RETURN") : r.typeFilling;
    if (const auto q = quote(o.symbol))
        o.priceCurrent = isBuy(o.type) ? q->ask : q->bid;
    m_orders.push_back(o);
    ExchangeEvent e;
    e.kind = ExchangeEvent::Kind::OrderAdd;
    e.order = o;
    m_events.push_back(e);
    SendOutcome out = reply(retcode::kPlaced, r.symbol);
    out.result.order = o.ticket;
    out.result.volume = r.volume;
    out.result.price = r.price;
    out.result.comment = QStringLiteral("Request executed");
    return out;
}

SendOutcome Exchange::modifySltp(const TradeRequest &r, qint64 nowMsc)
{
    Position *p = r.position != 0 ? findPosition(r.position) : nettingPosition(r.symbol);
    p->sl = r.sl;
    p->tp = r.tp;
    p->timeUpdateMsc = nowMsc;
    ExchangeEvent e;
    e.kind = ExchangeEvent::Kind::PositionUpdate;
    e.position = *p;
    refreshPosition(e.position);
    m_events.push_back(e);
    SendOutcome out = reply(retcode::kDone, p->symbol);
    out.result.comment = QStringLiteral("Request executed");
    out.positionId = p->identifier;
    return out;
}

SendOutcome Exchange::modifyOrder(const TradeRequest &r, qint64 nowMsc)
{
    auto it = std::find_if(m_orders.begin(), m_orders.end(), [&](const Order &o) { return o.ticket == r.order; });
    it->priceOpen = r.price;
    it->sl = r.sl;
    it->tp = r.tp;
    if (r.stoplimit > 0)
        it->priceStoplimit = r.stoplimit;
    it->typeTime = r.typeTime;
    it->timeExpiration = r.expiration;
    Q_UNUSED(nowMsc);
    ExchangeEvent e;
    e.kind = ExchangeEvent::Kind::OrderUpdate;
    e.order = *it;
    m_events.push_back(e);
    SendOutcome out = reply(retcode::kDone, it->symbol);
    out.result.order = it->ticket;
    out.result.comment = QStringLiteral("Request executed");
    return out;
}

SendOutcome Exchange::removeOrder(const TradeRequest &r, qint64 nowMsc)
{
    auto it = std::find_if(m_orders.begin(), m_orders.end(), [&](const Order &o) { return o.ticket == r.order; });
    Order o = *it;
    m_orders.erase(it);
    o.state = OrderState::Canceled;
    o.timeDoneMsc = nowMsc;
    m_historyOrders.push_back(o);
    ExchangeEvent e;
    e.kind = ExchangeEvent::Kind::OrderRemove;
    e.order = o;
    m_events.push_back(e);
    SendOutcome out = reply(retcode::kDone, o.symbol);
    out.result.order = o.ticket;
    out.result.comment = QStringLiteral("Request executed");
    return out;
}

// Close-by: the smaller of the two positions closes completely and the larger loses that volume. The position
// named by `position` closes at the open price of `position_by` (and takes the whole profit of the pair);
// `position_by` closes at its own open price (no profit). Both deals are DEAL_ENTRY_OUT_BY.
SendOutcome Exchange::closeBy(const TradeRequest &r, qint64 nowMsc, const QString &comment)
{
    Position a = *findPosition(r.position);
    Position b = *findPosition(r.positionBy);
    const SimSymbol &sym = m_symbols.at(a.symbol);
    const double vol = std::min(a.volume, b.volume);
    Order order;
    order.ticket = newTicket();
    order.symbol = a.symbol;
    order.type = OrderType::CloseBy;
    order.state = OrderState::Filled;
    order.volumeInitial = vol;
    order.positionId = a.identifier;
    order.magic = r.magic;
    order.comment = comment;
    order.timeSetupMsc = nowMsc;
    order.timeDoneMsc = nowMsc;
    m_historyOrders.push_back(order);
    const double delta = a.type == PositionType::Buy ? b.priceOpen - a.priceOpen : a.priceOpen - b.priceOpen;
    Deal da = makeDeal(a.symbol, a.type == PositionType::Buy ? DealType::Sell : DealType::Buy, DealEntry::OutBy, vol,
                       b.priceOpen, order.ticket, a.identifier, DealReason::Expert, r.magic, comment, nowMsc);
    da.profit = roundMoney(toAccount(sym, delta / sym.info.tradeTickSize * sym.info.tradeTickValue * vol));
    const Ticket dealA = da.ticket;
    bookDeal(da);
    Deal db = makeDeal(b.symbol, b.type == PositionType::Buy ? DealType::Sell : DealType::Buy, DealEntry::OutBy, vol,
                       b.priceOpen, order.ticket, b.identifier, DealReason::Expert, r.magic, comment, nowMsc);
    bookDeal(db);
    for (Position *p : {findPosition(a.ticket), findPosition(b.ticket)}) {
        p->volume = roundVolume(p->volume - vol);
        p->timeUpdateMsc = nowMsc;
        ExchangeEvent e;
        e.position = *p;
        refreshPosition(e.position);
        e.kind = p->volume <= kVolumeEps ? ExchangeEvent::Kind::PositionRemove : ExchangeEvent::Kind::PositionUpdate;
        m_events.push_back(e);
    }
    m_positions.erase(std::remove_if(m_positions.begin(), m_positions.end(),
                                     [](const Position &p) { return p.volume <= kVolumeEps; }),
                      m_positions.end());
    SendOutcome out = reply(retcode::kDone, a.symbol);
    out.result.deal = dealA;
    out.result.order = order.ticket;
    out.result.volume = vol;
    out.result.price = b.priceOpen;
    out.result.comment = QStringLiteral("Request executed");
    out.positionId = a.identifier;
    return out;
}

void Exchange::closePositionAt(Ticket ticket, double price, DealReason reason, qint64 nowMsc, const QString &comment)
{
    const Position *p = findPosition(ticket);
    if (!p)
        return;
    const Position copy = *p;
    const OrderType type = copy.type == PositionType::Buy ? OrderType::Sell : OrderType::Buy;
    Order order;
    order.ticket = newTicket();
    order.symbol = copy.symbol;
    order.type = type;
    order.state = OrderState::Filled;
    order.volumeInitial = copy.volume;
    order.priceOpen = price;
    order.positionId = copy.identifier;
    order.magic = copy.magic;
    order.comment = comment;
    order.timeSetupMsc = nowMsc;
    order.timeDoneMsc = nowMsc;
    m_historyOrders.push_back(order);
    Ticket positionId = 0;
    fill(copy.symbol, type, copy.volume, price, order.ticket, copy.ticket, 0, 0, copy.magic, comment, reason, nowMsc,
         &positionId);
}

// --- Quotes -----------------------------------------------------------------------------------------------------

bool Exchange::onQuote(const QString &symbolName, const Quote &q)
{
    if (!symbol(symbolName) || !(q.bid > 0) || !(q.ask > 0) || !std::isfinite(q.bid) || !std::isfinite(q.ask))
        return false;
    m_quotes[symbolName] = q;
    if (!m_depositBooked) {
        m_depositBooked = true;
        Deal d;
        d.ticket = newTicket();
        d.type = DealType::Balance;
        d.entry = DealEntry::In;
        d.reason = DealReason::Client;
        d.profit = m_config.deposit;
        d.comment = QStringLiteral("deposit");
        d.timeMsc = q.timeMsc;
        m_deals.push_back(d);  // m_balance already holds the deposit
        ExchangeEvent e;
        e.kind = ExchangeEvent::Kind::Deal;
        e.deal = d;
        m_events.push_back(e);
    }
    if (!isMarketOpen(symbolName))
        return true;
    triggerOrders(symbolName, q);
    checkStopsOf(symbolName, q);
    stopOut(q.timeMsc);
    return true;
}

void Exchange::triggerOrders(const QString &symbolName, const Quote &q)
{
    for (size_t i = 0; i < m_orders.size();) {
        Order o = m_orders[i];
        if (o.symbol != symbolName) {
            ++i;
            continue;
        }
        if ((o.typeTime == OrderTime::Specified || o.typeTime == OrderTime::SpecifiedDay) && o.timeExpiration > 0
            && q.timeMsc / 1000 >= o.timeExpiration) {
            m_orders.erase(m_orders.begin() + qsizetype(i));
            o.state = OrderState::Expired;
            o.timeDoneMsc = q.timeMsc;
            m_historyOrders.push_back(o);
            ExchangeEvent e;
            e.kind = ExchangeEvent::Kind::OrderRemove;
            e.order = o;
            m_events.push_back(e);
            continue;
        }
        bool hit = false;
        double price = 0;
        switch (o.type) {
        case OrderType::BuyLimit: hit = priceLE(q.ask, o.priceOpen); price = o.priceOpen; break;
        case OrderType::SellLimit: hit = priceGE(q.bid, o.priceOpen); price = o.priceOpen; break;
        case OrderType::BuyStop: case OrderType::BuyStopLimit: hit = priceGE(q.ask, o.priceOpen); price = q.ask; break;
        case OrderType::SellStop: case OrderType::SellStopLimit: hit = priceLE(q.bid, o.priceOpen); price = q.bid; break;
        default: break;
        }
        if (!hit) {
            ++i;
            continue;
        }
        if (o.type == OrderType::BuyStopLimit || o.type == OrderType::SellStopLimit) {
            // The stop price is reached: the order becomes a limit order at its stoplimit price (same ticket).
            Order &live = m_orders[i];
            live.type = o.type == OrderType::BuyStopLimit ? OrderType::BuyLimit : OrderType::SellLimit;
            live.priceOpen = o.priceStoplimit;
            live.priceStoplimit = 0;
            ExchangeEvent e;
            e.kind = ExchangeEvent::Kind::OrderUpdate;
            e.order = live;
            m_events.push_back(e);
            continue;  // re-examined as a limit order on this same quote
        }
        m_orders.erase(m_orders.begin() + qsizetype(i));
        o.timeDoneMsc = q.timeMsc;
        const OrderType marketType = isBuy(o.type) ? OrderType::Buy : OrderType::Sell;
        bool canOpen = true;
        if (hedging() || !nettingPosition(symbolName)) {
            const AccountInfo a = account();
            canOpen = a.equity - a.margin - marginFor(symbolName, o.volumeCurrent, price) + commissionFor(o.volumeCurrent) >= 0;
        }
        if (canOpen) {
            Ticket positionId = 0;
            fill(symbolName, marketType, o.volumeCurrent, price, o.ticket, 0, o.sl, o.tp, o.magic, o.comment,
                 DealReason::Expert, q.timeMsc, &positionId);
            o.state = OrderState::Filled;
            o.positionId = positionId;
            o.volumeCurrent = 0;
        } else {
            o.state = OrderState::Rejected;
        }
        m_historyOrders.push_back(o);
        ExchangeEvent e;
        e.kind = ExchangeEvent::Kind::OrderRemove;
        e.order = o;
        // The order leaves the active list before its deal/position events are read: put it before them.
        auto pos = m_events.end();
        for (auto it = m_events.begin(); it != m_events.end(); ++it)
            if (it->kind == ExchangeEvent::Kind::Deal && it->deal.order == o.ticket) {
                pos = it;
                break;
            }
        m_events.insert(pos, e);
    }
}

void Exchange::checkStopsOf(const QString &symbolName, const Quote &q)
{
    const int digits = m_symbols.at(symbolName).info.digits;
    for (size_t i = 0; i < m_positions.size();) {
        const Position p = m_positions[i];
        if (p.symbol != symbolName) {
            ++i;
            continue;
        }
        const bool buy = p.type == PositionType::Buy;
        const double px = buy ? q.bid : q.ask;
        const bool slHit = p.sl > 0 && (buy ? priceLE(px, p.sl) : priceGE(px, p.sl));
        const bool tpHit = p.tp > 0 && (buy ? priceGE(px, p.tp) : priceLE(px, p.tp));
        if (!slHit && !tpHit) {
            ++i;
            continue;
        }
        const QString comment = slHit ? QStringLiteral("[sl %1]").arg(p.sl, 0, 'f', digits)
                                      : QStringLiteral("[tp %1]").arg(p.tp, 0, 'f', digits);
        closePositionAt(p.ticket, px, slHit ? DealReason::Sl : DealReason::Tp, q.timeMsc, comment);
        // The position is gone: the same index now holds the next one.
    }
}

void Exchange::stopOut(qint64 nowMsc)
{
    for (size_t guard = m_positions.size(); guard > 0; --guard) {
        const AccountInfo a = account();
        if (a.margin <= 0 || a.marginLevel > m_config.marginSoSo)
            return;
        const auto worst = std::min_element(m_positions.begin(), m_positions.end(),
                                            [&](const Position &x, const Position &y) { return profitOf(x) < profitOf(y); });
        const auto q = quote(worst->symbol);
        if (!q || !isMarketOpen(worst->symbol))
            return;
        const double px = worst->type == PositionType::Buy ? q->bid : q->ask;
        closePositionAt(worst->ticket, px, DealReason::So, nowMsc,
                        QStringLiteral("[so %1%]").arg(a.marginLevel, 0, 'f', 2));
    }
}

} // namespace bd::mt5sim
