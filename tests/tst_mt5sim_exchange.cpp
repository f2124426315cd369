// The simulator's trade server (connectors/mt5sim/exchange): every trade action on hedging and netting accounts,
// SL/TP and stop-out reasons, pending triggers, each validation retcode, margin and commission.
#include "exchange.h"

#include <QtTest>

using namespace bd;
using namespace bd::mt5;
using namespace bd::mt5sim;

namespace {

SimSymbol eurusd()
{
    SymbolSpec spec;  // catalogue defaults: EURUSD-like, 5 digits, tick value 1 USD per point per lot
    spec.name = QStringLiteral("EURUSD");
    spec.currencyBase = QStringLiteral("EUR");
    spec.currencyProfit = QStringLiteral("USD");
    return SimSymbol::fromSpec(spec, QStringLiteral(".sim"));
}

const QString kSym = QStringLiteral("EURUSD.sim");

struct Fixture {
    explicit Fixture(MarginMode mode = MarginMode::RetailHedging, double commission = 0, int leverage = 100,
                     double deposit = 10000)
    {
        ExchangeConfig c;
        c.marginMode = mode;
        c.commissionPerLot = commission;
        c.leverage = leverage;
        c.deposit = deposit;
        ex = std::make_unique<Exchange>(c);
        ex->addSymbol(eurusd());
        quote(1.10000, 1.10010);
        ex->takeEvents();
    }
    void quote(double bid, double ask)
    {
        now += 1000;
        ex->onQuote(kSym, Quote{now, bid, ask});
    }
    SendOutcome market(OrderType type, double volume, Ticket position = 0, double sl = 0, double tp = 0)
    {
        TradeRequest r;
        r.action = TradeAction::Deal;
        r.symbol = kSym;
        r.type = type;
        r.volume = volume;
        r.position = position;
        r.sl = sl;
        r.tp = tp;
        r.typeFilling = QStringLiteral("ORDER_FILLING_IOC");
        return ex->send(r, now, QStringLiteral("t"));
    }
    SendOutcome pending(OrderType type, double volume, double price, double stoplimit = 0)
    {
        TradeRequest r;
        r.action = TradeAction::Pending;
        r.symbol = kSym;
        r.type = type;
        r.volume = volume;
        r.price = price;
        r.stoplimit = stoplimit;
        return ex->send(r, now, QString());
    }
    std::unique_ptr<Exchange> ex;
    qint64 now = 1'704'153'600'000;
};

} // namespace

class TestMt5SimExchange : public QObject {
    Q_OBJECT
private slots:
    void marketBuyFillsAtAskAndOpensPositionWithOrderTicket()
    {
        Fixture f;
        const SendOutcome o = f.market(OrderType::Buy, 0.10);
        QCOMPARE(o.result.retcode, retcode::kDone);
        QCOMPARE(o.result.price, 1.10010);
        QVERIFY(o.result.deal > o.result.order);
        const auto ps = f.ex->positions();
        QCOMPARE(ps.size(), size_t(1));
        QCOMPARE(ps[0].ticket, o.result.order);
        QCOMPARE(ps[0].identifier, o.result.order);
        QCOMPARE(o.positionId, o.result.order);
        const auto events = f.ex->takeEvents();
        QCOMPARE(events.size(), size_t(2));
        QCOMPARE(events[0].kind, ExchangeEvent::Kind::Deal);
        QCOMPARE(events[0].deal.entry, DealEntry::In);
        QCOMPARE(events[1].kind, ExchangeEvent::Kind::PositionAdd);
        // Bid moves up 20 points: profit 20 × 1 USD × 0.1 lot = 2 USD minus the 10-point spread paid = 1 USD.
        f.quote(1.10020, 1.10030);
        QCOMPARE(f.ex->positions()[0].profit, 1.0);
        QCOMPARE(f.ex->account().equity, 10001.0);
    }

    void sellFillsAtBidAndHedgingKeepsOppositePositions()
    {
        Fixture f;
        const auto buy = f.market(OrderType::Buy, 0.1);
        const auto sell = f.market(OrderType::Sell, 0.2);
        QCOMPARE(sell.result.price, 1.10000);
        QCOMPARE(f.ex->positions().size(), size_t(2));
        QVERIFY(sell.result.order > buy.result.deal);  // one monotonic counter
        // Partial close of the sell by ticket, then the rest.
        const auto part = f.market(OrderType::Buy, 0.05, sell.result.order);
        QCOMPARE(part.result.retcode, retcode::kDone);
        QCOMPARE(f.ex->positions()[1].volume, 0.15);
        QCOMPARE(f.market(OrderType::Buy, 0.5, sell.result.order).result.retcode, retcode::kInvalidCloseVolume);
        QCOMPARE(f.market(OrderType::Sell, 0.15, sell.result.order).result.retcode, retcode::kInvalid);  // same side
        QCOMPARE(f.market(OrderType::Buy, 0.15, sell.result.order).result.retcode, retcode::kDone);
        const auto closedAgain = f.market(OrderType::Buy, 0.15, sell.result.order);
        QCOMPARE(closedAgain.result.retcode, retcode::kPositionClosed);
        QVERIFY(closedAgain.alreadyClosed);
        const auto deals = f.ex->deals(0, std::numeric_limits<qint64>::max(), sell.result.order);
        QCOMPARE(deals.size(), size_t(3));
        QCOMPARE(deals[1].entry, DealEntry::Out);
        QCOMPARE(deals[2].entry, DealEntry::Out);
    }

    void hedgeProhibitedWhenConfigured()
    {
        ExchangeConfig c;
        c.hedgeProhibited = true;
        Exchange ex(c);
        ex.addSymbol(eurusd());
        ex.onQuote(kSym, Quote{1000, 1.1, 1.1001});
        TradeRequest r;
        r.symbol = kSym;
        r.volume = 0.1;
        r.typeFilling = QStringLiteral("ORDER_FILLING_FOK");
        QCOMPARE(ex.send(r, 1000, {}).result.retcode, retcode::kDone);
        r.type = OrderType::Sell;
        QCOMPARE(ex.send(r, 1000, {}).result.retcode, retcode::kHedgeProhibited);
    }

    void closeByGivesTwoOutByDeals()
    {
        Fixture f;
        const auto buy = f.market(OrderType::Buy, 0.3);    // at 1.10010
        f.quote(1.10100, 1.10110);
        const auto sell = f.market(OrderType::Sell, 0.1);  // at 1.10100
        TradeRequest r;
        r.action = TradeAction::CloseBy;
        r.position = buy.result.order;
        r.positionBy = sell.result.order;
        const double balanceBefore = f.ex->account().balance;
        const auto o = f.ex->send(r, f.now, {});
        QCOMPARE(o.result.retcode, retcode::kDone);
        const auto ps = f.ex->positions();
        QCOMPARE(ps.size(), size_t(1));
        QCOMPARE(ps[0].ticket, buy.result.order);
        QCOMPARE(ps[0].volume, 0.2);
        const auto all = f.ex->allDeals();
        QCOMPARE(all[all.size() - 1].entry, DealEntry::OutBy);
        QCOMPARE(all[all.size() - 2].entry, DealEntry::OutBy);
        // 0.1 lot closed at +90 points: 9 USD.
        QCOMPARE(f.ex->account().balance - balanceBefore, 9.0);
        Fixture netting(MarginMode::RetailNetting);
        r.position = 1;
        r.positionBy = 2;
        QCOMPARE(netting.ex->send(r, netting.now, {}).result.retcode, retcode::kInvalidOrder);
    }

    void nettingAddsReducesAndReversesKeepingIdentifier()
    {
        Fixture f(MarginMode::RetailNetting);
        const auto first = f.market(OrderType::Buy, 0.1);
        const Ticket id = first.positionId;
        QCOMPARE(f.market(OrderType::Buy, 0.1).positionId, id);  // adds
        QCOMPARE(f.ex->positions().size(), size_t(1));
        QCOMPARE(f.ex->positions()[0].volume, 0.2);
        f.market(OrderType::Sell, 0.05);                           // reduces
        QCOMPARE(f.ex->positions()[0].volume, 0.15);
        const auto rev = f.market(OrderType::Sell, 0.25);          // reverses: 0.15 closed, 0.10 sell opened
        QCOMPARE(rev.result.retcode, retcode::kDone);
        const auto ps = f.ex->positions();
        QCOMPARE(ps.size(), size_t(1));
        QCOMPARE(ps[0].type, PositionType::Sell);
        QCOMPARE(ps[0].volume, 0.1);
        QCOMPARE(ps[0].identifier, id);
        QCOMPARE(ps[0].ticket, rev.result.order);
        QVERIFY(ps[0].ticket != id);
        const auto deals = f.ex->deals(0, std::numeric_limits<qint64>::max(), id);
        QCOMPARE(deals.size(), size_t(4));
        QCOMPARE(deals[0].entry, DealEntry::In);
        QCOMPARE(deals[1].entry, DealEntry::In);
        QCOMPARE(deals[2].entry, DealEntry::Out);
        QCOMPARE(deals[3].entry, DealEntry::InOut);
        f.market(OrderType::Buy, 0.1);                             // closes
        QVERIFY(f.ex->positions().empty());
    }

    void slAndTpCloseWithTheirReasonsAtBidOrAsk()
    {
        Fixture f;
        const auto buy = f.market(OrderType::Buy, 0.1, 0, 1.09900, 1.10200);
        const auto sell = f.market(OrderType::Sell, 0.1, 0, 1.10300, 1.09800);
        QCOMPARE(buy.result.retcode, retcode::kDone);
        QCOMPARE(sell.result.retcode, retcode::kDone);
        f.ex->takeEvents();
        f.quote(1.10199, 1.10209);  // buy TP not yet (Bid < tp)
        QCOMPARE(f.ex->positions().size(), size_t(2));
        f.quote(1.10200, 1.10210);  // Bid = tp → TP
        QCOMPARE(f.ex->positions().size(), size_t(1));
        auto deals = f.ex->allDeals();
        QCOMPARE(deals.back().reason, DealReason::Tp);
        QCOMPARE(deals.back().price, 1.10200);
        QCOMPARE(deals.back().positionId, buy.positionId);
        QCOMPARE(deals.back().comment, QStringLiteral("[tp 1.10200]"));
        f.quote(1.10295, 1.10305);  // sell: Ask ≥ sl → SL at the Ask
        QVERIFY(f.ex->positions().empty());
        deals = f.ex->allDeals();
        QCOMPARE(deals.back().reason, DealReason::Sl);
        QCOMPARE(deals.back().price, 1.10305);
        QCOMPARE(deals.back().type, DealType::Buy);
    }

    void pendingOrdersTriggerOnTheRightSide()
    {
        Fixture f;
        const auto buyLimit = f.pending(OrderType::BuyLimit, 0.1, 1.09900);
        const auto sellStop = f.pending(OrderType::SellStop, 0.1, 1.09950);
        const auto buyStop = f.pending(OrderType::BuyStop, 0.1, 1.10100);
        const auto sellLimit = f.pending(OrderType::SellLimit, 0.1, 1.10200);
        QCOMPARE(buyLimit.result.retcode, retcode::kPlaced);
        QCOMPARE(sellStop.result.retcode, retcode::kPlaced);
        QCOMPARE(buyStop.result.retcode, retcode::kPlaced);
        QCOMPARE(sellLimit.result.retcode, retcode::kPlaced);
        QCOMPARE(f.ex->orders().size(), size_t(4));
        QCOMPARE(f.pending(OrderType::BuyLimit, 0.1, 1.10100).result.retcode, retcode::kInvalidPrice);  // above Ask
        f.quote(1.09950, 1.09960);  // Bid ≤ 1.09950 → sell stop at Bid
        QCOMPARE(f.ex->orders().size(), size_t(3));
        QCOMPARE(f.ex->positions().back().priceOpen, 1.09950);
        QCOMPARE(f.ex->positions().back().ticket, sellStop.result.order);
        f.quote(1.09895, 1.09905);  // Ask 1.09905 > 1.09900: buy limit not yet
        QCOMPARE(f.ex->orders().size(), size_t(3));
        f.quote(1.09890, 1.09900);  // Ask ≤ 1.09900 → buy limit at its price
        QCOMPARE(f.ex->orders().size(), size_t(2));
        f.quote(1.10095, 1.10105);  // Ask ≥ 1.10100 → buy stop at Ask
        QCOMPARE(f.ex->positions().back().priceOpen, 1.10105);
        f.quote(1.10200, 1.10210);  // Bid ≥ 1.10200 → sell limit
        QVERIFY(f.ex->orders().empty());
        const auto history = f.ex->historyOrders();
        int filled = 0;
        for (const Order &o : history)
            filled += o.state == OrderState::Filled ? 1 : 0;
        QCOMPARE(filled, 4);
    }

    void modifyRemoveSltpAndExpiry()
    {
        Fixture f;
        const auto o = f.pending(OrderType::BuyLimit, 0.1, 1.09000);
        TradeRequest m;
        m.action = TradeAction::Modify;
        m.order = o.result.order;
        m.price = 1.09100;
        QCOMPARE(f.ex->send(m, f.now, {}).result.retcode, retcode::kDone);
        QCOMPARE(f.ex->orders()[0].priceOpen, 1.09100);
        QCOMPARE(f.ex->send(m, f.now, {}).result.retcode, retcode::kNoChanges);
        TradeRequest rm;
        rm.action = TradeAction::Remove;
        rm.order = o.result.order;
        QCOMPARE(f.ex->send(rm, f.now, {}).result.retcode, retcode::kDone);
        QVERIFY(f.ex->orders().empty());
        QCOMPARE(f.ex->historyOrders().back().state, OrderState::Canceled);
        QCOMPARE(f.ex->send(rm, f.now, {}).result.retcode, retcode::kInvalid);

        const auto pos = f.market(OrderType::Buy, 0.1);
        TradeRequest s;
        s.action = TradeAction::Sltp;
        s.position = pos.result.order;
        s.sl = 1.09500;
        s.tp = 1.10500;
        QCOMPARE(f.ex->send(s, f.now, {}).result.retcode, retcode::kDone);
        QCOMPARE(f.ex->positions()[0].sl, 1.09500);
        QCOMPARE(f.ex->send(s, f.now, {}).result.retcode, retcode::kNoChanges);
        s.sl = 1.10005;  // above Bid for a buy
        QCOMPARE(f.ex->send(s, f.now, {}).result.retcode, retcode::kInvalidStops);
        s.position = 42;
        QCOMPARE(f.ex->send(s, f.now, {}).result.retcode, retcode::kPositionClosed);

        TradeRequest e;
        e.action = TradeAction::Pending;
        e.symbol = kSym;
        e.type = OrderType::SellLimit;
        e.volume = 0.1;
        e.price = 1.11;
        e.typeTime = OrderTime::Specified;
        e.expiration = f.now / 1000 - 1;
        QCOMPARE(f.ex->send(e, f.now, {}).result.retcode, retcode::kInvalidExpiration);
        e.expiration = f.now / 1000 + 60;
        QCOMPARE(f.ex->send(e, f.now, {}).result.retcode, retcode::kPlaced);
        f.now += 60'000;
        f.quote(1.1, 1.1001);
        QVERIFY(f.ex->orders().empty());
        QCOMPARE(f.ex->historyOrders().back().state, OrderState::Expired);
    }

    void stopLimitBecomesLimit()
    {
        Fixture f;
        const auto o = f.pending(OrderType::BuyStopLimit, 0.1, 1.10100, 1.10050);
        QCOMPARE(o.result.retcode, retcode::kPlaced);
        f.quote(1.10095, 1.10105);  // stop reached → buy limit at 1.10050
        QCOMPARE(f.ex->orders().size(), size_t(1));
        QCOMPARE(f.ex->orders()[0].type, OrderType::BuyLimit);
        QVERIFY(f.ex->positions().empty());
        f.quote(1.10040, 1.10050);
        QCOMPARE(f.ex->positions().size(), size_t(1));
        QCOMPARE(f.ex->positions()[0].priceOpen, 1.10050);
    }

    void validationRetcodes()
    {
        Fixture f;
        QCOMPARE(f.market(OrderType::Buy, 0.001).result.retcode, retcode::kInvalidVolume);  // below min
        QCOMPARE(f.market(OrderType::Buy, 0.015).result.retcode, retcode::kInvalidVolume);  // off step
        QCOMPARE(f.market(OrderType::Buy, 101).result.retcode, retcode::kInvalidVolume);    // above max
        QCOMPARE(f.market(OrderType::Buy, 0.1, 0, 1.10005).result.retcode, retcode::kInvalidStops);  // SL above Bid
        QCOMPARE(f.market(OrderType::Sell, 0.1, 0, 0, 1.10020).result.retcode, retcode::kInvalidStops);  // TP above Ask
        TradeRequest r;
        r.symbol = kSym;
        r.volume = 0.1;
        r.typeFilling = QStringLiteral("ORDER_FILLING_RETURN");
        QCOMPARE(f.ex->send(r, f.now, {}).result.retcode, retcode::kInvalidFill);
        r.typeFilling = QStringLiteral("AUTO");
        QCOMPARE(f.ex->validate(r), 0);
        r.symbol = QStringLiteral("NOPE");
        QCOMPARE(f.ex->send(r, f.now, {}).result.retcode, retcode::kInvalid);
        // Margin: 10,000 USD at 1:100 carries ~9 lots of EURUSD at 1.1; 10 lots need 11,001 USD.
        QCOMPARE(f.market(OrderType::Buy, 10).result.retcode, retcode::kNoMoney);
        // Market closed inside a data gap.
        f.ex->setMarketOpen(kSym, false);
        QCOMPARE(f.market(OrderType::Buy, 0.1).result.retcode, retcode::kMarketClosed);
        f.ex->setMarketOpen(kSym, true);

        // Trade modes, stops level and freeze level on a changed symbol.
        for (auto [mode, type, expected] : {std::tuple{SymbolTradeMode::Disabled, OrderType::Buy, retcode::kTradeDisabled},
                                            std::tuple{SymbolTradeMode::LongOnly, OrderType::Sell, retcode::kLongOnly},
                                            std::tuple{SymbolTradeMode::ShortOnly, OrderType::Buy, retcode::kShortOnly},
                                            std::tuple{SymbolTradeMode::CloseOnly, OrderType::Buy, retcode::kCloseOnly},
                                            std::tuple{SymbolTradeMode::LongOnly, OrderType::Buy, retcode::kDone}}) {
            Fixture g;
            SimSymbol s = eurusd();
            s.info.tradeMode = mode;
            g.ex->addSymbol(s);
            QCOMPARE(g.market(type, 0.1).result.retcode, expected);
        }
        Fixture g;
        SimSymbol s = eurusd();
        s.info.tradeStopsLevel = 50;
        s.info.tradeFreezeLevel = 20;
        g.ex->addSymbol(s);
        QCOMPARE(g.market(OrderType::Buy, 0.1, 0, 1.09960).result.retcode, retcode::kInvalidStops);  // 40 < 50 points
        const auto pos = g.market(OrderType::Buy, 0.1, 0, 1.09950);                                    // exactly 50
        QCOMPARE(pos.result.retcode, retcode::kDone);
        g.quote(1.09965, 1.09975);  // Bid within 20 points of the SL: frozen
        QCOMPARE(g.market(OrderType::Sell, 0.1, pos.result.order).result.retcode, retcode::kFrozen);
        s.info.fillingMode = kSymbolFillingFok;
        g.ex->addSymbol(s);
        QCOMPARE(g.market(OrderType::Buy, 0.1).result.retcode, retcode::kInvalidFill);  // IOC not in the bitmask
        // No quote yet → market closed.
        Exchange fresh;
        fresh.addSymbol(eurusd());
        TradeRequest q;
        q.symbol = kSym;
        q.volume = 0.1;
        QCOMPARE(fresh.validate(q), retcode::kMarketClosed);
    }

    void commissionAndProfitFormula()
    {
        Fixture f(MarginMode::RetailHedging, 3.5);
        const auto o = f.market(OrderType::Buy, 0.2);   // commission −0.70
        f.quote(1.10120, 1.10130);
        f.market(OrderType::Sell, 0.2, o.result.order);  // +110 points × 1 USD × 0.2 = 22.00, commission −0.70
        const auto deals = f.ex->deals(0, std::numeric_limits<qint64>::max(), o.positionId);
        QCOMPARE(deals.size(), size_t(2));
        QCOMPARE(deals[0].commission, -0.7);
        QCOMPARE(deals[1].profit, 22.0);
        QCOMPARE(f.ex->account().balance, 10000 + 22.0 - 1.4);
        // Deposit deal first.
        QCOMPARE(f.ex->allDeals().front().type, DealType::Balance);
        QCOMPARE(f.ex->allDeals().front().profit, 10000.0);
    }

    void stopOutClosesWorstPositionWithReasonSo()
    {
        Fixture f(MarginMode::RetailHedging, 0, 100, 1000);
        // 0.8 lot at 1.1001: margin 880 USD; equity 1000 − 8 (spread).
        QCOMPARE(f.market(OrderType::Buy, 0.8).result.retcode, retcode::kDone);
        QVERIFY(f.ex->account().marginLevel > 100);
        f.quote(1.09100, 1.09110);  // −910 points × 0.8 = −728 USD: level ≈ 30.9% → not yet (so 30)
        QCOMPARE(f.ex->positions().size(), size_t(1));
        f.quote(1.09000, 1.09010);  // −1010 points × 0.8 = −808 USD: level ≈ 21.8% ≤ 30 → stop-out
        QVERIFY(f.ex->positions().empty());
        QCOMPARE(f.ex->allDeals().back().reason, DealReason::So);
        QVERIFY(f.ex->allDeals().back().comment.startsWith(QStringLiteral("[so ")));
    }

    void commentTagTrimsUserComment()
    {
        QCOMPARE(Exchange::taggedComment(QStringLiteral("ws"), QStringLiteral("ABCDEF")), QStringLiteral("ws|k:ABCDEF"));
        const QString long40(40, QLatin1Char('x'));
        const QString t = Exchange::taggedComment(long40, QStringLiteral("ABCDEF"));
        QCOMPARE(t.size(), 31);
        QVERIFY(t.endsWith(QStringLiteral("|k:ABCDEF")));
        QCOMPARE(Exchange::taggedComment(QString(), QStringLiteral("ABCDEF")), QStringLiteral("|k:ABCDEF"));
    }

    void checkNeverExecutes()
    {
        Fixture f;
        TradeRequest r;
        r.symbol = kSym;
        r.volume = 1.0;
        r.typeFilling = QStringLiteral("ORDER_FILLING_FOK");
        const CheckOutcome ok = f.ex->check(r);
        QCOMPARE(ok.retcode, 0);
        QCOMPARE(ok.comment, QStringLiteral("Done"));
        QCOMPARE(ok.margin, 1100.1);  // 1 lot × 100,000 × 1.1001 / 100
        QCOMPARE(ok.marginFree, 10000 - 1100.1);
        r.volume = 0.001;
        QCOMPARE(f.ex->check(r).retcode, retcode::kInvalidVolume);
        QVERIFY(f.ex->positions().empty());
        QVERIFY(f.ex->takeEvents().empty());
    }

    void nettingPositionTicketMustBeTheOpenOne()
    {
        Fixture f(MarginMode::RetailNetting);
        const auto open = f.market(OrderType::Buy, 0.1);
        QCOMPARE(f.market(OrderType::Sell, 0.1, open.result.order + 999).result.retcode, retcode::kPositionClosed);
        QCOMPARE(f.market(OrderType::Sell, 0.1, open.result.order).result.retcode, retcode::kDone);
        // SL/TP close the netting position too.
        const auto again = f.market(OrderType::Sell, 0.1, 0, 1.10100, 0);
        QCOMPARE(again.result.retcode, retcode::kDone);
        f.quote(1.10090, 1.10100);
        QVERIFY(f.ex->positions().empty());
        QCOMPARE(f.ex->allDeals().back().reason, DealReason::Sl);
    }

    void profitInTheAccountCurrencyWhenTheBaseIsTheAccounts()
    {
        // USDCHF-like: profit in CHF, converted to USD by the current Bid; margin without the price.
        SymbolSpec spec;
        spec.name = QStringLiteral("USDCHF");
        spec.currencyBase = QStringLiteral("USD");
        spec.currencyProfit = QStringLiteral("CHF");
        Exchange ex;
        ex.addSymbol(SimSymbol::fromSpec(spec, QString()));
        ex.onQuote(QStringLiteral("USDCHF"), Quote{1000, 0.90000, 0.90010});
        TradeRequest r;
        r.symbol = QStringLiteral("USDCHF");
        r.volume = 1.0;
        QCOMPARE(ex.send(r, 1000, {}).result.retcode, retcode::kDone);
        QCOMPARE(ex.account().margin, 1000.0);  // 100,000 USD / 100
        ex.onQuote(QStringLiteral("USDCHF"), Quote{2000, 0.90110, 0.90120});
        // +100 points × 1 CHF per point per lot = 100 CHF = 100 / 0.9011 USD.
        QCOMPARE(ex.positions()[0].profit, std::round(100 / 0.9011 * 100) / 100);
    }

    void stopOutClosesTheWorstFirst()
    {
        Fixture f(MarginMode::RetailHedging, 0, 100, 1000);
        // Two buys: the first at 1.1001, the second 50 points higher (worse).
        QCOMPARE(f.market(OrderType::Buy, 0.4).result.retcode, retcode::kDone);
        f.quote(1.10050, 1.10060);
        const auto worse = f.market(OrderType::Buy, 0.4);
        QCOMPARE(worse.result.retcode, retcode::kDone);
        f.quote(1.09000, 1.09010);
        const auto deals = f.ex->allDeals();
        QVERIFY(deals.back().reason == DealReason::So);
        // The worse position went first.
        const auto so = std::find_if(deals.begin(), deals.end(), [](const Deal &d) { return d.reason == DealReason::So; });
        QCOMPARE(so->positionId, worse.positionId);
    }

    void ticketsStayAboveReserved()
    {
        Fixture f;
        f.ex->reserveTicketsAbove(9'000'000);
        QVERIFY(f.market(OrderType::Buy, 0.1).result.order > 9'000'000);
    }
};

QTEST_GUILESS_MAIN(TestMt5SimExchange)
#include "tst_mt5sim_exchange.moc"
