// A strategy's Action turned into the live run's orders (core/live/actionorders.h): every action type, side filters,
// partial closes, LIFO reductions all or nothing, volume steps, the backtest's refusals (10014 / 10038), MODIFY's 0,
// the fingerprint and the lineage.
#include "actionorders.h"
#include "idempotencykey.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <vector>

using namespace bd;

namespace {

SymbolSpec testSymbol()
{
    SymbolSpec s;
    s.name = QStringLiteral("EURUSD");
    s.digits = 5;
    s.point = 0.00001;
    s.tickSize = 0.00001;
    s.tickValue = 1.0;
    s.volumeMin = 0.05;
    s.volumeStep = 0.01;
    s.volumeMax = 10.0;
    return s;
}

Position position(quint64 ticket, Side side, double volume, qint64 minute, double sl = 0, double tp = 0)
{
    Position p;
    p.ticket = ticket;
    p.side = side;
    p.volume = volume;
    p.openTimeMs = 1'704'153'600'000 + minute * 60'000;
    p.openPrice = 1.1;
    p.sl = sl;
    p.tp = tp;
    return p;
}

// Oldest first, as the broker lists them: BUY 0.30, SELL 0.20, BUY 0.10.
std::vector<Position> threePositions()
{
    return {position(1, Side::Buy, 0.30, 0, 1.09, 1.12), position(2, Side::Sell, 0.20, 5, 1.11, 0),
            position(3, Side::Buy, 0.10, 9, 0, 1.13)};
}

const Quote kQuote{1.10000, 1.10012};

TradeIntent lineage()
{
    TradeIntent base;
    base.account = QStringLiteral("demo-1");
    base.symbol = QStringLiteral("EURUSD");
    base.source = TradeSource::Bot;
    base.liveRunId = QUuid(QStringLiteral("{6f1c2f0e-3c1d-4e8a-9b3a-0a1b2c3d4e5f}"));
    base.botVersionId = QUuid(QStringLiteral("{11111111-2222-3333-4444-555555555555}"));
    base.signalId = QStringLiteral("bar-1704153600000");
    base.reason = QStringLiteral("ema cross");
    base.correlationId = QStringLiteral("corr-42");
    base.magic = 9001;
    base.deviationPoints = 15;
    return base;
}

Result<std::vector<OrderPlan>> plan(const Action &a, const std::vector<Position> &positions = threePositions())
{
    const SymbolSpec symbol = testSymbol();
    return plansForAction(a, positions, symbol, kQuote, lineage());
}

// The plans' (ticket, volume) pairs, for compact comparisons.
std::vector<std::pair<quint64, double>> closes(const std::vector<OrderPlan> &plans)
{
    std::vector<std::pair<quint64, double>> out;
    for (const OrderPlan &p : plans)
        out.emplace_back(p.positionTicket, p.volume);
    return out;
}

using Closes = std::vector<std::pair<quint64, double>>;

QString errorOf(const Result<std::vector<OrderPlan>> &r)
{
    return r.ok() ? QString() : r.error().message;
}

} // namespace

class TestActionOrders : public QObject {
    Q_OBJECT
private slots:
    void openTrade()
    {
        // BUY: SL distance from the ask 1.10012 to 1.09900 = 112 points; TP from rr.
        Result<std::vector<OrderPlan>> r =
            plan(Action::openTrade(Side::Buy, 1.0, 1.09900, 0.0, 1.5, QStringLiteral("ema up")));
        QVERIFY2(r.ok(), qPrintable(errorOf(r)));
        QCOMPARE(r->size(), size_t(1));
        const OrderPlan &buy = r->front();
        QCOMPARE(buy.action, IntentAction::Open);
        QCOMPARE(buy.intent.side, Side::Buy);
        QCOMPARE(buy.intent.kind, EntryKind::Market);
        QCOMPARE(buy.intent.slPoints, 112.0);
        QCOMPARE(buy.intent.tp, 0.0);
        QCOMPARE(buy.intent.rr, std::optional<double>(1.5));
        QCOMPARE(buy.intent.riskPercent, 1.0);
        QCOMPARE(buy.intent.volume, 0.0); // from risk %, by buildTradeRequest
        QCOMPARE(buy.volume, 0.0);
        QCOMPARE(buy.intent.comment, QStringLiteral("ema up"));
        QCOMPARE(buy.positionTicket, quint64(0));

        // SELL: from the bid 1.10000 to 1.10100 = 100 points; a TP given is kept, rr then 0.
        r = plan(Action::openTrade(Side::Sell, 1.0, 1.10100, 1.09500, 3.0));
        QVERIFY2(r.ok(), qPrintable(errorOf(r)));
        QCOMPARE(r->front().intent.side, Side::Sell);
        QCOMPARE(r->front().intent.slPoints, 100.0);
        QCOMPARE(r->front().intent.tp, 1.09500);
        QCOMPARE(r->front().intent.rr, std::optional<double>(0.0));

        // Half a point rounds away from zero: BUY 110012 - 109900.5 = 111.5 -> 112; SELL 110010.5 - 110000 = 10.5
        // -> 11.
        r = plan(Action::openTrade(Side::Buy, 1.0, 1.099005, 0, 0));
        QVERIFY(r.ok());
        QCOMPARE(r->front().intent.slPoints, 112.0);
        r = plan(Action::openTrade(Side::Sell, 1.0, 1.100105, 0, 0));
        QVERIFY(r.ok());
        QCOMPARE(r->front().intent.slPoints, 11.0);
        r = plan(Action::openTrade(Side::Sell, 1.0, 1.1001049, 0, 0)); // 10.49 -> 10
        QVERIFY(r.ok());
        QCOMPARE(r->front().intent.slPoints, 10.0);

        // Neither TP nor rr: no TP (an explicit rr 0, never the default 2). rr without an SL: no TP either.
        Action noTp = Action::openTrade(Side::Buy, 0.0, 0.0, 0.0, 0.0);
        noTp.volume = 0.2;
        r = plan(noTp);
        QVERIFY2(r.ok(), qPrintable(errorOf(r)));
        QCOMPARE(r->front().intent.rr, std::optional<double>(0.0));
        QCOMPARE(r->front().intent.slPoints, 0.0);
        QCOMPARE(r->front().intent.volume, 0.2);
        QCOMPARE(r->front().volume, 0.2);
        noTp.rr = 2.0;
        r = plan(noTp);
        QVERIFY(r.ok());
        QCOMPARE(r->front().intent.rr, std::optional<double>(0.0));
    }

    void openVolumeAndRefusals()
    {
        Action a = Action::openTrade(Side::Buy, 0.0, 1.099, 0, 2);
        const auto volumeOf = [&](double v) {
            a.volume = v;
            const Result<std::vector<OrderPlan>> r = plan(a);
            return r.ok() ? r->front().volume : -1.0;
        };
        QCOMPARE(volumeOf(0.237), 0.23);           // down to the step
        QCOMPARE(volumeOf(0.05), 0.05);            // at the min
        QCOMPARE(volumeOf(0.0499999999999), 0.05); // within the 1e-9 step tolerance
        QCOMPARE(volumeOf(10.0), 10.0);            // at the max

        a.volume = 0.049; // 0.04 on the step: below the min 0.05
        Result<std::vector<OrderPlan>> r = plan(a);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message,
                 QStringLiteral("OPEN_TRADE refused: BUY volume 0.049 lots (0.04 on the volume step) is "
                                "below EURUSD's volume min 0.05 (MT5 retcode 10014 "
                                "TRADE_RETCODE_INVALID_VOLUME)"));
        a.volume = 10.01;
        r = plan(a);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(QLatin1String("above EURUSD's volume max 10 (MT5 retcode 10014")),
                 qPrintable(r.error().message));

        // No volume and nothing to size it from.
        r = plan(Action::openTrade(Side::Buy, 0.0, 1.099, 0, 2));
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QLatin1String("no volume given and no risk %/stop-loss to size it from")));
        r = plan(Action::openTrade(Side::Sell, 1.0, 0.0, 0, 2));
        QVERIFY(!r.ok());

        // Bad numbers, as the backtest refuses them.
        for (double bad : {-1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
            r = plan(Action::openTrade(Side::Buy, 1.0, bad, 0, 2));
            QVERIFY(!r.ok());
            QVERIFY2(r.error().message.contains(QLatin1String("negative or non-finite volume, risk, SL, TP or rr")),
                     qPrintable(r.error().message));
        }
        // The SL on the wrong side of the expected entry: never turned into a distance the other way.
        r = plan(Action::openTrade(Side::Buy, 1.0, 1.10020, 0, 2));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message, QStringLiteral("OPEN_TRADE refused: BUY: SL 1.1002 is not below the ask 1.10012 "
                                                   "(MT5 retcode 10016 TRADE_RETCODE_INVALID_STOPS)"));
        r = plan(Action::openTrade(Side::Sell, 1.0, 1.10000, 0, 2)); // at the bid: 0 points
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QLatin1String("is not above the bid 1.1")));
    }

    void closeWhole()
    {
        Result<std::vector<OrderPlan>> r = plan(Action::closePosition());
        QVERIFY2(r.ok(), qPrintable(errorOf(r)));
        QCOMPARE(closes(*r), (Closes{{1, 0.30}, {2, 0.20}, {3, 0.10}})); // opening order, whole
        for (const OrderPlan &p : *r)
            QCOMPARE(p.action, IntentAction::Close);
        QCOMPARE(r->at(1).intent.side, Side::Sell); // the position's side
        QCOMPARE(r->at(0).intent.volume, 0.30);
        for (const OrderPlan &p : *r) // a strategy's exit, by the side of the position it closes
            QCOMPARE(p.closeReason, QStringLiteral("STRATEGY_EXIT"));
        QCOMPARE(r->at(0).closeSubreason, QStringLiteral("EXIT_LONG"));
        QCOMPARE(r->at(1).closeSubreason, QStringLiteral("EXIT_SHORT"));
        QCOMPARE(r->at(2).closeSubreason, QStringLiteral("EXIT_LONG"));

        r = plan(Action::closeSide(Side::Buy));
        QVERIFY(r.ok());
        QCOMPARE(closes(*r), (Closes{{1, 0.30}, {3, 0.10}}));
        r = plan(Action::closeSide(Side::Sell));
        QVERIFY(r.ok());
        QCOMPARE(closes(*r), (Closes{{2, 0.20}}));
        r = plan(Action::closePosition(2));
        QVERIFY(r.ok());
        QCOMPARE(closes(*r), (Closes{{2, 0.20}}));

        // Nothing open: a whole close of every position or of one side plans nothing, and is not an error.
        r = plan(Action::closePosition(), {});
        QVERIFY(r.ok());
        QVERIFY(r->empty());
        r = plan(Action::closeSide(Side::Sell), {position(1, Side::Buy, 0.1, 0)});
        QVERIFY(r.ok());
        QVERIFY(r->empty());
        // A ticket that is not open (or not of the side asked) is refused, as in the backtest.
        r = plan(Action::closePosition(99));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message,
                 QStringLiteral("CLOSE_POSITION refused: no open ticket 99 to close (3 open positions)"));
        Action wrongSide = Action::closePosition(2);
        wrongSide.onlySide = Side::Buy;
        r = plan(wrongSide);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message,
                 QStringLiteral("CLOSE_POSITION refused: no open BUY ticket 2 to close (3 open positions)"));
    }

    void closePartOfTheMostRecent()
    {
        Result<std::vector<OrderPlan>> r = plan(Action::closePart(0.05));
        QVERIFY2(r.ok(), qPrintable(errorOf(r)));
        QCOMPARE(closes(*r), (Closes{{3, 0.05}})); // the most recent position
        r = plan(Action::closePart(0.05, 0, Side::Sell));
        QVERIFY(r.ok());
        QCOMPARE(closes(*r), (Closes{{2, 0.05}}));
        r = plan(Action::closePart(0.12, 1));
        QVERIFY(r.ok());
        QCOMPARE(closes(*r), (Closes{{1, 0.12}}));
        r = plan(Action::closePart(0.10)); // all of it
        QVERIFY(r.ok());
        QCOMPARE(closes(*r), (Closes{{3, 0.10}}));
        r = plan(Action::closePart(0.159, 2)); // down to the step: 0.15 of 0.20, 0.05 left
        QVERIFY(r.ok());
        QCOMPARE(closes(*r), (Closes{{2, 0.15}}));

        r = plan(Action::closePart(0.20));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message,
                 QStringLiteral("CLOSE_POSITION refused: volume 0.20 lots is above the 0.10 lots of BUY "
                                "ticket 3 (MT5 retcode 10038 TRADE_RETCODE_INVALID_CLOSE_VOLUME)"));
        r = plan(Action::closePart(0.07)); // leaves 0.03 < 0.05
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message,
                 QStringLiteral("CLOSE_POSITION refused: closing 0.07 of the 0.10 lots of BUY ticket 3 "
                                "would leave 0.03 lots open, below EURUSD's volume min 0.05 (MT5 "
                                "retcode 10014 TRADE_RETCODE_INVALID_VOLUME)"));
        r = plan(Action::closePart(0.03));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message,
                 QStringLiteral("CLOSE_POSITION refused: volume 0.03 lots (0.03 on the volume step) is "
                                "below EURUSD's volume min 0.05 (MT5 retcode 10014 "
                                "TRADE_RETCODE_INVALID_VOLUME)"));
        r = plan(Action::closePart(-0.1));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message,
                 QStringLiteral("CLOSE_POSITION refused: volume -0.1 is not a positive number of lots"));
        r = plan(Action::closePart(std::numeric_limits<double>::quiet_NaN()));
        QVERIFY(!r.ok());
        r = plan(Action::closePart(0.05), {});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message,
                 QStringLiteral("CLOSE_POSITION refused: no open positions to close (0 open positions)"));
    }

    void reduceLifoAllOrNothing()
    {
        // 0.35 off every position: BUY 0.10 (3), SELL 0.20 (2) whole, 0.05 of BUY 0.30 (1).
        Result<std::vector<OrderPlan>> r = plan(Action::reducePosition(0.35));
        QVERIFY2(r.ok(), qPrintable(errorOf(r)));
        QCOMPARE(closes(*r), (Closes{{3, 0.10}, {2, 0.20}, {1, 0.05}}));
        QCOMPARE(r->at(1).closeSubreason, QStringLiteral("EXIT_SHORT"));
        QCOMPARE(r->at(2).closeReason, QStringLiteral("STRATEGY_EXIT"));
        r = plan(Action::reducePosition(0.35, Side::Buy));
        QVERIFY(r.ok());
        QCOMPARE(closes(*r), (Closes{{3, 0.10}, {1, 0.25}}));
        r = plan(Action::reducePosition(0.60)); // everything, whole
        QVERIFY(r.ok());
        QCOMPARE(closes(*r), (Closes{{3, 0.10}, {2, 0.20}, {1, 0.30}}));
        r = plan(Action::reducePosition(0.108)); // 0.10: exactly the most recent
        QVERIFY(r.ok());
        QCOMPARE(closes(*r), (Closes{{3, 0.10}}));

        // One part refused: nothing planned.
        r = plan(Action::reducePosition(0.38, Side::Buy)); // would leave 0.02 of ticket 1
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message,
                 QStringLiteral("REDUCE_POSITION refused: closing 0.28 of the 0.30 lots of BUY ticket 1 "
                                "would leave 0.02 lots open, below EURUSD's volume min 0.05 (MT5 "
                                "retcode 10014 TRADE_RETCODE_INVALID_VOLUME)"));
        r = plan(Action::reducePosition(0.13, Side::Buy)); // 0.03 of ticket 1: a part below the min
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QLatin1String("would close a part below EURUSD's volume min 0.05")));
        r = plan(Action::reducePosition(0.50, Side::Buy));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message,
                 QStringLiteral("REDUCE_POSITION refused: volume 0.50 lots is above the 0.40 lots of the "
                                "open BUY positions (MT5 retcode 10038 TRADE_RETCODE_INVALID_CLOSE_VOLUME)"));
        r = plan(Action::reducePosition(0.04));
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QLatin1String("(MT5 retcode 10014")));
        r = plan(Action::reducePosition(0.0));
        QVERIFY(!r.ok());
        r = plan(Action::reducePosition(0.1, Side::Sell), {position(1, Side::Buy, 0.1, 0)});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message,
                 QStringLiteral("REDUCE_POSITION refused: no open SELL positions to close (1 open position)"));
    }

    void modifySltp()
    {
        // Every position: SL 1.095, TP unchanged (0 resolved to each one's current TP).
        Result<std::vector<OrderPlan>> r = plan(Action::modifySltp(0, 1.095, 0));
        QVERIFY2(r.ok(), qPrintable(errorOf(r)));
        QCOMPARE(r->size(), size_t(3));
        for (const OrderPlan &p : *r) {
            QCOMPARE(p.action, IntentAction::Modify);
            QCOMPARE(p.sl, 1.095);
            QVERIFY(p.closeReason.isEmpty());
        }
        QCOMPARE(r->at(0).tp, 1.12);
        QCOMPARE(r->at(1).tp, 0.0); // none stays none
        QCOMPARE(r->at(2).tp, 1.13);
        QCOMPARE(r->at(1).intent.side, Side::Sell);
        QCOMPARE(r->at(1).positionTicket, quint64(2));

        // One ticket; TP only, SL kept; a level off the grid snapped to it.
        r = plan(Action::modifySltp(1, 0, 1.1250004));
        QVERIFY(r.ok());
        QCOMPARE(r->size(), size_t(1));
        QCOMPARE(r->front().positionTicket, quint64(1));
        QCOMPARE(r->front().sl, 1.09);
        QCOMPARE(r->front().tp, 1.125);

        // Nothing to change: no plan (MT5 would answer 10025). A ticket not open: nothing, as in the backtest.
        r = plan(Action::modifySltp(1, 1.09, 1.12));
        QVERIFY(r.ok());
        QVERIFY(r->empty());
        r = plan(Action::modifySltp(0, 0, 0));
        QVERIFY(r.ok());
        QVERIFY(r->empty());
        r = plan(Action::modifySltp(99, 1.0, 0));
        QVERIFY(r.ok());
        QVERIFY(r->empty());
        r = plan(Action::modifySltp(0, -1.0, 0));
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.startsWith(QLatin1String("MODIFY_SLTP refused: SL -1 / TP 0")));
    }

    void fingerprints()
    {
        const auto fingerprintsOf = [](const Action &a) {
            const Result<std::vector<OrderPlan>> r = plan(a);
            QStringList out;
            if (r.ok())
                for (const OrderPlan &p : *r)
                    out << p.fingerprint;
            return out;
        };
        const std::vector<Action> actions{
            Action::openTrade(Side::Buy, 1.0, 1.099, 0, 2),
            Action::openTrade(Side::Buy, 1.0, 1.0991, 0, 2), // another SL
            Action::openTrade(Side::Sell, 1.0, 1.101, 0, 2),
            Action::openTrade(Side::Buy, 1.5, 1.099, 0, 2),   // another risk
            Action::openTrade(Side::Buy, 1.0, 1.099, 1.2, 2), // a TP
            Action::closePosition(),
            Action::closePosition(2),
            Action::closePart(0.05),
            Action::closePart(0.10),
            Action::reducePosition(0.05),
            Action::modifySltp(0, 1.095, 0),
            Action::modifySltp(0, 1.096, 0),
        };
        QSet<QString> seen;
        int total = 0;
        for (const Action &a : actions) {
            const QStringList once = fingerprintsOf(a);
            QVERIFY2(!once.isEmpty(), actionTypeName(a.type));
            QCOMPARE(fingerprintsOf(a), once); // stable
            for (const QString &f : once) {
                QVERIFY2(!f.contains(QLatin1Char('\n')), qPrintable(f));
                // Usable as the idempotency key's fingerprint.
                QVERIFY(idempotencyKey({lineage().liveRunId, 1'704'153'600'000, QStringLiteral("EURUSD"), Side::Buy, f})
                            .ok());
                seen.insert(f);
                ++total;
            }
        }
        QCOMPARE(seen.size(), total); // no two plans of different actions (or positions) share one
        // The comment is not part of the signal.
        Action commented = actions.front();
        commented.comment = QStringLiteral("line one\nline two");
        QCOMPARE(fingerprintsOf(commented), fingerprintsOf(actions.front()));
    }

    void lineageIsCopiedIntoEveryPlan()
    {
        const TradeIntent base = lineage();
        const std::vector<Action> actions{Action::openTrade(Side::Sell, 1.0, 1.101, 0, 2), Action::closePosition(),
                                          Action::reducePosition(0.35), Action::closePart(0.05),
                                          Action::modifySltp(0, 1.095, 0)};
        int plans = 0;
        for (const Action &a : actions) {
            const Result<std::vector<OrderPlan>> r = plan(a);
            QVERIFY2(r.ok(), qPrintable(errorOf(r)));
            for (const OrderPlan &p : *r) {
                const TradeIntent &i = p.intent;
                QCOMPARE(i.account, base.account);
                QCOMPARE(i.symbol, base.symbol);
                QCOMPARE(i.source, TradeSource::Bot);
                QCOMPARE(i.liveRunId, base.liveRunId);
                QCOMPARE(i.botVersionId, base.botVersionId);
                QCOMPARE(i.signalId, base.signalId);
                QCOMPARE(i.reason, base.reason);
                QCOMPARE(i.correlationId, base.correlationId);
                QCOMPARE(i.magic, base.magic);
                QCOMPARE(i.deviationPoints, base.deviationPoints);
                ++plans;
            }
        }
        QCOMPARE(plans, 1 + 3 + 3 + 1 + 3);
        // Without a symbol in `base`, the plan names the symbol's.
        TradeIntent bare = base;
        bare.symbol.clear();
        const SymbolSpec symbol = testSymbol();
        const Result<std::vector<OrderPlan>> r =
            plansForAction(Action::closePosition(), threePositions(), symbol, kQuote, bare);
        QVERIFY(r.ok());
        QCOMPARE(r->front().intent.symbol, QStringLiteral("EURUSD"));
    }
};

QTEST_APPLESS_MAIN(TestActionOrders)
#include "tst_actionorders.moc"
