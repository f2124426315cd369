#pragma once
// Exchange: the simulated MT5 trade server behind botdesk-mt5sim. One account (hedging or netting), its positions,
// pending orders and deal history, driven by quotes (onQuote) and trade requests (send). Pure logic: no network,
// no clock of its own (every call passes the server time), no randomness — faults are injected above it.
//
// Semantics follow shared/docs/MT5_PROTOCOL.md §1 and §4.9:
//  * market BUY fills at Ask, SELL at Bid; TRADE_EXEMODE market, so `price` and `deviation` are ignored;
//  * one monotonic ticket counter for orders, deals and positions; a position's ticket and identifier are the
//    ticket of the order that opened it; a netting reversal (DEAL_ENTRY_INOUT) gives the position the reversing
//    order's ticket and keeps its identifier;
//  * hedging: every opening deal is a new position; a close names `position`; CLOSE_BY → two DEAL_ENTRY_OUT_BY
//    deals. Netting: one position per symbol; a deal adds to it (IN), reduces or closes it (OUT) or reverses it
//    (INOUT); `position` is optional;
//  * SL/TP on every quote: a buy position closes at Bid (SL if Bid ≤ sl, TP if Bid ≥ tp), a sell at Ask (SL if
//    Ask ≥ sl, TP if Ask ≤ tp); deals carry DEAL_REASON_SL / DEAL_REASON_TP and the comment "[sl 1.08420]";
//  * pending orders: buy limit triggers when Ask ≤ price, buy stop when Ask ≥ price, sell limit when Bid ≥ price,
//    sell stop when Bid ≤ price; a limit fills at its own price, a stop at the market; stop-limit orders place
//    their limit order at `stoplimit` when triggered; ORDER_TIME_SPECIFIED orders expire (ORDER_STATE_EXPIRED);
//  * validation in MT5's order, each with MT5's retcode (validate()); see the list at validate();
//  * profit = Δprice / trade_tick_size × trade_tick_value × volume, in the profit currency; converted to the
//    account currency by dividing by the current Bid when the symbol's BASE currency is the account's (USDCHF,
//    USDJPY), otherwise taken as is (profit currency = account currency);
//  * margin = volume × contract size / leverage, × the open price unless the base currency is the account's;
//    hedged (opposite) positions are not netted for margin;
//  * stop-out: after a quote, while margin > 0 and margin_level ≤ margin_so_so (percent), the position with the
//    largest loss is closed with DEAL_REASON_SO;
//  * commission: commissionPerLot (account currency, charged as a negative DEAL_COMMISSION on every deal:
//    −commissionPerLot × volume), taken from the balance.
// Not modelled: swaps, partial fills (a fill is whole or rejected), requotes (exemode MARKET), sessions other
// than data gaps, hedged margin, FIFO.

#include "brokertypes.h"
#include "simsymbol.h"

#include <QString>
#include <QVector>

#include <map>
#include <optional>
#include <vector>

namespace bd::mt5sim {

struct ExchangeConfig {
    mt5::MarginMode marginMode = mt5::MarginMode::RetailHedging;
    double deposit = 10000;        // account currency; booked as a DEAL_TYPE_BALANCE deal at the first quote time
    int leverage = 100;            // 1:leverage
    QString currency = QStringLiteral("USD");
    double commissionPerLot = 0;   // account currency per lot per deal (≥ 0)
    double marginSoCall = 50;      // percent
    double marginSoSo = 30;        // percent
    bool hedgeProhibited = false;  // hedging account refuses an opposite position on a symbol (10046)
    QString login = QStringLiteral("5000001");
    QString server = QStringLiteral("BotDesk-Sim");
    QString company = QStringLiteral("BotDesk Simulator");
    QString name = QStringLiteral("Simulated account");
    mt5::Ticket firstTicket = 1000001; // the ticket counter's first value (raised above stored tickets at start)
};

// A quote of one symbol at server time `timeMsc` (epoch ms, server clock).
struct Quote {
    qint64 timeMsc = 0;
    double bid = 0;
    double ask = 0;
};

// What changed, in order, for the event stream (position/order/deal events of mt5b).
struct ExchangeEvent {
    enum class Kind { PositionAdd, PositionUpdate, PositionRemove, OrderAdd, OrderUpdate, OrderRemove, Deal };
    Kind kind = Kind::Deal;
    mt5::Position position;  // PositionAdd/Update/Remove (Remove: the last state, volume 0)
    mt5::Order order;        // OrderAdd/Update/Remove (Remove: the final state, e.g. ORDER_STATE_FILLED)
    mt5::Deal deal;          // Deal
};

// The answer to one trade request (MqlTradeResult) plus what the order.result message needs.
struct SendOutcome {
    mt5::TradeResult result;     // retcode, deal, order, volume, price, bid, ask, comment
    mt5::Ticket positionId = 0;  // the position the request opened, changed or closed (0 when none)
    bool alreadyClosed = false;  // 10036 on a close of a position that no longer exists
};

// order_check's answer (OrderCheckResult); retcode 0 = the request would pass.
struct CheckOutcome {
    int retcode = 0;
    double balance = 0, equity = 0, profit = 0, margin = 0, marginFree = 0, marginLevel = 0;
    QString comment;
};

class Exchange {
public:
    explicit Exchange(ExchangeConfig config = {});

    // Adds a symbol (broker name in symbol.info.name). A second symbol with the same name replaces the first.
    void addSymbol(const SimSymbol &symbol);
    const SimSymbol *symbol(const QString &brokerName) const;  // nullptr when unknown (exact name)
    std::vector<QString> symbolNames() const;

    // Market open/closed for a symbol (the replay closes it inside a data gap). Closed → 10018 on trade requests
    // that need the market; SL/TP and pending orders are not checked while closed. Open by default.
    void setMarketOpen(const QString &symbol, bool open);
    bool isMarketOpen(const QString &symbol) const;

    // A new quote: updates prices and profits, expires and triggers pending orders, applies SL/TP, then stop-out.
    // Unknown symbols and non-positive prices are ignored (returns false).
    bool onQuote(const QString &symbol, const Quote &quote);
    std::optional<Quote> quote(const QString &symbol) const;

    // Executes one MqlTradeRequest at server time `nowMsc` (epoch ms). Never throws; every refusal is a retcode.
    // `commentTag` is appended to the deal/order/position comment ("<comment>|k:XXXXXX", ≤ 31 chars: the user
    // comment is trimmed); empty = the request's comment as is.
    SendOutcome send(const mt5::TradeRequest &request, qint64 nowMsc, const QString &comment);
    // order_check: the same validation without executing; retcode 0 when it would pass, with the account after.
    CheckOutcome check(const mt5::TradeRequest &request) const;

    // The validation retcode of `request` (0 = passes), in MT5's order:
    //   10013 INVALID (unknown symbol, action/type mismatch, missing ticket), 10035 INVALID_ORDER (type not in
    //   order_mode), 10017 TRADE_DISABLED / 10042 LONG_ONLY / 10043 SHORT_ONLY / 10044 CLOSE_ONLY (trade_mode),
    //   10018 MARKET_CLOSED (data gap or no quote yet), 10036 POSITION_CLOSED (the position ticket is not open),
    //   10014 INVALID_VOLUME (min/max/step), 10038 INVALID_CLOSE_VOLUME (close > position volume),
    //   10030 INVALID_FILL (ORDER_FILLING_* not allowed by the symbol's filling_mode bitmask; RETURN is allowed
    //   for pending orders only), 10015 INVALID_PRICE (pending price ≤ 0 or on the wrong side),
    //   10022 INVALID_EXPIRATION, 10016 INVALID_STOPS (stops level, or SL/TP on the wrong side),
    //   10029 FROZEN (freeze level), 10046 HEDGE_PROHIBITED, 10025 NO_CHANGES (SLTP/MODIFY changing nothing),
    //   10019 NO_MONEY (free margin after the request < 0).
    int validate(const mt5::TradeRequest &request) const;

    mt5::AccountInfo account() const;
    std::vector<mt5::Position> positions() const;
    std::vector<mt5::Order> orders() const;                 // active pending orders
    std::vector<mt5::Order> historyOrders() const;          // filled, canceled, expired
    // Deals with fromSec ≤ time (s) ≤ toSec; positionId ≠ 0 keeps that position's deals only.
    std::vector<mt5::Deal> deals(qint64 fromSec, qint64 toSec, mt5::Ticket positionId = 0) const;
    std::vector<mt5::Deal> allDeals() const { return m_deals; }

    // The events since the last call (and clears them).
    std::vector<ExchangeEvent> takeEvents();

    // Raises the ticket counter so the next ticket is > `ticket` (tickets stay unique across restarts).
    void reserveTicketsAbove(mt5::Ticket ticket);
    mt5::Ticket nextTicketPreview() const { return m_nextTicket; }

    // Money helpers (account currency), public for the server's order.check and tests.
    double profitOf(const mt5::Position &position) const;
    double marginFor(const QString &symbol, double volume, double price) const;
    double commissionFor(double volume) const { return -m_config.commissionPerLot * volume; }

    const ExchangeConfig &config() const { return m_config; }

    // "<comment>|k:TAG" with the comment trimmed so the whole is ≤ 31 chars; comment alone when tag is empty.
    static QString taggedComment(const QString &comment, const QString &tag);

private:
    struct Book;  // per symbol
    int validateDeal(const mt5::TradeRequest &request, const SimSymbol &sym, const Quote &q) const;
    int validatePending(const mt5::TradeRequest &request, const SimSymbol &sym, const Quote &q) const;
    int validateSltp(const mt5::TradeRequest &request) const;
    int validateModify(const mt5::TradeRequest &request) const;
    int validateCloseBy(const mt5::TradeRequest &request) const;
    int checkTradeMode(const SimSymbol &sym, mt5::OrderType type, bool closing) const;
    int checkVolume(const SimSymbol &sym, double volume) const;
    int checkStops(const SimSymbol &sym, bool buy, double refPrice, double sl, double tp) const;
    double marginAfter(const mt5::TradeRequest &request) const;

    SendOutcome executeDeal(const mt5::TradeRequest &request, qint64 nowMsc, const QString &comment);
    SendOutcome placePending(const mt5::TradeRequest &request, qint64 nowMsc, const QString &comment);
    SendOutcome modifySltp(const mt5::TradeRequest &request, qint64 nowMsc);
    SendOutcome modifyOrder(const mt5::TradeRequest &request, qint64 nowMsc);
    SendOutcome removeOrder(const mt5::TradeRequest &request, qint64 nowMsc);
    SendOutcome closeBy(const mt5::TradeRequest &request, qint64 nowMsc, const QString &comment);

    // Fills `volume` of `type` on `symbol` at `price` for order `orderTicket`: opens, adds to, reduces, closes or
    // reverses positions. `closePosition` (hedging close) names the position to reduce. Returns the deal ticket.
    mt5::Ticket fill(const QString &symbol, mt5::OrderType type, double volume, double price, mt5::Ticket orderTicket,
                     mt5::Ticket closePosition, double sl, double tp, qint64 magic, const QString &comment,
                     mt5::DealReason reason, qint64 nowMsc, mt5::Ticket *positionId);
    mt5::Deal makeDeal(const QString &symbol, mt5::DealType type, mt5::DealEntry entry, double volume, double price,
                       mt5::Ticket order, mt5::Ticket positionId, mt5::DealReason reason, qint64 magic,
                       const QString &comment, qint64 nowMsc);
    void bookDeal(mt5::Deal deal);
    void closePositionAt(mt5::Ticket ticket, double price, mt5::DealReason reason, qint64 nowMsc, const QString &comment);
    void triggerOrders(const QString &symbol, const Quote &q);
    void checkStopsOf(const QString &symbol, const Quote &q);
    void stopOut(qint64 nowMsc);
    void refreshPosition(mt5::Position &p) const;
    double toAccount(const SimSymbol &sym, double money) const;
    double roundVolume(double v) const;
    mt5::Ticket newTicket() { return m_nextTicket++; }
    mt5::Position *findPosition(mt5::Ticket ticket);
    const mt5::Position *findPosition(mt5::Ticket ticket) const;
    mt5::Position *nettingPosition(const QString &symbol);
    const mt5::Position *nettingPosition(const QString &symbol) const;
    bool hedging() const { return m_config.marginMode == mt5::MarginMode::RetailHedging; }
    SendOutcome reply(int retcode, const QString &symbol) const;

    ExchangeConfig m_config;
    std::map<QString, SimSymbol> m_symbols;
    std::map<QString, Quote> m_quotes;
    std::map<QString, bool> m_marketOpen;
    std::vector<mt5::Position> m_positions;   // open, in opening order
    std::vector<mt5::Order> m_orders;         // active pending orders, in placing order
    std::vector<mt5::Order> m_historyOrders;
    std::vector<mt5::Deal> m_deals;
    std::vector<ExchangeEvent> m_events;
    double m_balance = 0;
    bool m_depositBooked = false;
    mt5::Ticket m_nextTicket = 1;
};

} // namespace bd::mt5sim
