// StrategyRunner (core/live/strategyrunner.h): warm-up bars feed the strategy without trading, a bar is handled once,
// barIndex counts every bar fed, tick mode starts with the first live bar — and the parity of issue 9 §1: the bars a
// live run received, replayed through the backtester, give the same decisions.
#include "backtestengine.h"
#include "barloader.h"
#include "strategyregistry.h"
#include "strategyrunner.h"

#include <QDateTime>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <vector>

using namespace bd;

namespace {

// Records what it was given; answers every call with one action when `act` is set.
class RecordingStrategy final : public Strategy {
public:
    struct Seen {
        qint64 barTimeMs = 0;
        qint64 barIndex = 0;
        double balance = 0, equity = 0;
        size_t positions = 0;
        quint64 firstTicket = 0;
        int spreadPoints = 0;
    };
    qint64 warmup = 0;
    bool ticks = false;
    bool act = true;
    std::vector<Seen> bars;
    std::vector<Seen> tickCalls;
    std::vector<qint64> tickTimes;

    QString name() const override { return QStringLiteral("recording"); }
    qint64 warmupBars() const override { return warmup; }
    bool wantsTicks() const override { return ticks; }
    void onBar(const Bar &bar, const StrategyContext &c, std::vector<Action> &actions) override
    {
        bars.push_back(seen(bar.timeMs, c));
        if (act)
            actions.push_back(Action::closePosition(0, QStringLiteral("bar %1").arg(c.barIndex)));
    }
    void onTick(const MarketTick &tick, const StrategyContext &c, std::vector<Action> &actions) override
    {
        tickCalls.push_back(seen(0, c));
        tickTimes.push_back(tick.timeMs);
        if (act)
            actions.push_back(Action::reducePosition(0.01));
    }

private:
    static Seen seen(qint64 timeMs, const StrategyContext &c)
    {
        return {timeMs,        c.barIndex,         c.balance,
                c.equity,      c.positions.size(), c.positions.empty() ? 0 : c.positions.front().ticket,
                c.spreadPoints};
    }
};

constexpr qint64 kT0 = 1'704'153'600'000; // 2024-01-02 00:00 UTC
constexpr qint64 kMinute = 60'000;

Bar bar(qint64 minute, double close = 1.1)
{
    Bar b;
    b.timeMs = kT0 + minute * kMinute;
    b.open = close;
    b.high = close + 0.0002;
    b.low = close - 0.0002;
    b.close = close;
    return b;
}

SymbolSpec eurusd()
{
    const Result<SymbolCatalog> catalog = SymbolCatalog::builtin();
    const SymbolSpec *spec = catalog.ok() ? catalog->find(QStringLiteral("EURUSD")) : nullptr;
    return spec ? *spec : SymbolSpec{};
}

AccountView view(double balance = 10000, int spread = 7)
{
    AccountView v;
    v.balance = balance;
    v.equity = balance - 12.5;
    v.spreadPoints = spread;
    return v;
}

} // namespace

class TestStrategyRunner : public QObject {
    Q_OBJECT
private slots:
    void warmupFeedsTheStrategyAndDropsItsActions()
    {
        const SymbolSpec symbol = eurusd();
        RecordingStrategy s;
        s.warmup = 3;
        StrategyRunner runner(s, symbol);
        QCOMPARE(runner.warmupBars(), 3);
        QVERIFY(!runner.warmedUp());
        for (int m = 0; m < 3; ++m)
            QVERIFY(runner.feedWarmup(bar(m), view()));
        QCOMPARE(s.bars.size(), size_t(3)); // the strategy saw every warm-up bar (and acted on each)
        QVERIFY(runner.warmedUp());
        QCOMPARE(runner.barsSeen(), 3);
        QCOMPARE(runner.lastBarTimeMs(), bar(2).timeMs);

        bool ignored = true;
        const std::optional<Decision> d = runner.onClosedBar(bar(3), view(), &ignored);
        QVERIFY(!ignored);
        QVERIFY(d);
        QCOMPARE(d->barTimeMs, bar(3).timeMs);
        QCOMPARE(d->barIndex, 3); // warm-up bars counted
        QVERIFY(!d->tickTimeMs);
        QCOMPARE(d->actions.size(), size_t(1));
        QCOMPARE(d->actions.front().comment, QStringLiteral("bar 3")); // this bar's action, none of the warm-up's

        // A live bar without an action: nothing, and not ignored.
        s.act = false;
        QVERIFY(!runner.onClosedBar(bar(4), view(), &ignored));
        QVERIFY(!ignored);
        QCOMPARE(runner.barsSeen(), 5);
    }

    void contextIsTheAccountViewAndTheBarIndex()
    {
        const SymbolSpec symbol = eurusd();
        RecordingStrategy s;
        StrategyRunner runner(s, symbol);
        AccountView v = view(5000, 13);
        Position p;
        p.ticket = 77;
        v.positions.push_back(p);
        QVERIFY(runner.feedWarmup(bar(0), view(9000, 3)));
        QVERIFY(runner.onClosedBar(bar(5), v));
        QCOMPARE(s.bars.size(), size_t(2));
        QCOMPARE(s.bars[0].barIndex, 0);
        QCOMPARE(s.bars[0].balance, 9000.0);
        QCOMPARE(s.bars[0].spreadPoints, 3);
        QCOMPARE(s.bars[0].positions, size_t(0));
        const RecordingStrategy::Seen &live = s.bars[1];
        QCOMPARE(live.barTimeMs, bar(5).timeMs);
        QCOMPARE(live.barIndex, 1); // counts bars fed, not minutes
        QCOMPARE(live.balance, 5000.0);
        QCOMPARE(live.equity, 4987.5);
        QCOMPARE(live.spreadPoints, 13);
        QCOMPARE(live.positions, size_t(1));
        QCOMPARE(live.firstTicket, quint64(77));
    }

    void aRepeatedOrOlderBarIsIgnored()
    {
        const SymbolSpec symbol = eurusd();
        RecordingStrategy s;
        StrategyRunner runner(s, symbol);
        QVERIFY(runner.feedWarmup(bar(0), view()));
        QVERIFY(runner.feedWarmup(bar(1), view()));
        QVERIFY(!runner.feedWarmup(bar(1), view())); // the same history bar twice
        QVERIFY(!runner.feedWarmup(bar(0), view()));
        QVERIFY(runner.onClosedBar(bar(2), view()));
        QCOMPARE(s.bars.size(), size_t(3));

        bool ignored = false;
        QVERIFY(!runner.onClosedBar(bar(2), view(), &ignored)); // replayed after a reconnect
        QVERIFY(ignored);
        ignored = false;
        QVERIFY(!runner.onClosedBar(bar(1), view(), &ignored)); // backfilled, older
        QVERIFY(ignored);
        QVERIFY(!runner.feedWarmup(bar(2), view()));
        Bar broken = bar(3);
        broken.close = std::numeric_limits<double>::quiet_NaN();
        ignored = false;
        QVERIFY(!runner.onClosedBar(broken, view(), &ignored)); // a bar the backtest would refuse
        QVERIFY(ignored);
        broken = bar(3);
        broken.low = broken.high + 0.001;
        QVERIFY(!runner.onClosedBar(broken, view(), &ignored));
        QVERIFY(ignored);
        QCOMPARE(s.bars.size(), size_t(3)); // the strategy saw none of them
        QCOMPARE(runner.barsSeen(), 3);
        QCOMPARE(runner.lastBarTimeMs(), bar(2).timeMs);

        const std::optional<Decision> next = runner.onClosedBar(bar(3), view(), &ignored);
        QVERIFY(!ignored);
        QVERIFY(next);
        QCOMPARE(next->barIndex, 3);
    }

    void ticksOnlyForTickStrategiesAfterTheFirstLiveBar()
    {
        const SymbolSpec symbol = eurusd();
        MarketTick tick;
        tick.timeMs = bar(2).timeMs + 1500;
        tick.bid = 1.1;
        tick.ask = 1.1001;

        RecordingStrategy barsOnly;
        StrategyRunner plain(barsOnly, symbol);
        QVERIFY(plain.onClosedBar(bar(1), view()));
        QVERIFY(!plain.onTick(tick, view()));
        QVERIFY(barsOnly.tickCalls.empty());

        RecordingStrategy ticking;
        ticking.ticks = true;
        StrategyRunner runner(ticking, symbol);
        QVERIFY(!runner.onTick(tick, view())); // nothing seen yet
        QVERIFY(runner.feedWarmup(bar(0), view()));
        QVERIFY(runner.feedWarmup(bar(1), view()));
        QVERIFY(!runner.onTick(tick, view())); // warm-up only: no live bar yet
        QVERIFY(ticking.tickCalls.empty());

        QVERIFY(runner.onClosedBar(bar(2), view()));
        const std::optional<Decision> d = runner.onTick(tick, view(8000, 11));
        QVERIFY(d);
        QCOMPARE(ticking.tickCalls.size(), size_t(1));
        QCOMPARE(ticking.tickCalls[0].barIndex, 2); // the last closed bar's
        QCOMPARE(ticking.tickCalls[0].balance, 8000.0);
        QCOMPARE(ticking.tickCalls[0].spreadPoints, 11);
        QCOMPARE(ticking.tickTimes[0], tick.timeMs);
        QCOMPARE(d->barTimeMs, bar(2).timeMs);
        QCOMPARE(d->barIndex, 2);
        QCOMPARE(d->tickTimeMs, std::optional<qint64>(tick.timeMs));
        QCOMPARE(d->actions.size(), size_t(1));
        QCOMPARE(d->actions[0].type, ActionType::ReducePosition);
        QCOMPARE(runner.barsSeen(), 3); // a tick is not a bar

        ticking.act = false;
        QVERIFY(!runner.onTick(tick, view()));
        QCOMPARE(ticking.tickCalls.size(), size_t(2));
    }

    // Issue 9 §1: ema_crossover on the first 20,000 bars of EURUSD M1 2024, backtested, then the same bars fed through
    // a StrategyRunner over a fresh ema_crossover with, at each bar, the positions the backtest had open after that
    // bar. Every OPEN_TRADE decided live at bar i is the backtest's trade opened at bar i+1's open (side, SL, TP),
    // every CLOSE_POSITION of ticket T at bar i is the backtest's strategy exit of T at bar i+1, and the counts agree.
    void parityWithTheBacktest()
    {
        const QString path = QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz");
        QVERIFY2(QFile::exists(path), qPrintable(QStringLiteral("real data file missing: ") + path));
        BarLoadOptions options;
        options.maxBars = 1'000'000;
        Result<Bars> loaded = loadBars(path, options);
        QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().message));
        Bars bars = std::move(loaded.value());
        bars.resize(std::min<size_t>(bars.size(), 20000));
        QCOMPARE(bars.size(), size_t(20000));
        const SymbolSpec symbol = eurusd();
        QCOMPARE(symbol.name, QStringLiteral("EURUSD"));

        auto backtested = createStrategy(QStringLiteral("ema_crossover"), {});
        QVERIFY(backtested.ok());
        const Result<BacktestResult> run = runBacktest(bars, symbol, *backtested.value(), BacktestConfig{});
        QVERIFY2(run.ok(), qPrintable(run.ok() ? QString() : run.error().message));
        const BacktestResult &bt = run.value();
        // The backtest refuses some OPENs at the fill (a SELL whose SL from the signal close is inside the next bar's
        // spread: MT5 10016). They are decisions all the same: the journal names their fill bar and side.
        std::map<QString, int> rejectedOpens; // "yyyy-MM-dd hh:mm UTC: order rejected: SELL" -> count
        int rejectedLines = 0;
        for (const QString &line : bt.journal) {
            const qsizetype at = line.indexOf(QLatin1String(": order rejected: "));
            if (at < 0)
                continue;
            ++rejectedLines;
            ++rejectedOpens[line.left(at + 18 + 4)]; // the time and "BUY " or "SELL"
        }
        QVERIFY(bt.journal.size() < 1000);          // not truncated
        QCOMPARE(bt.rejectedOrders, rejectedLines); // only OPENs were refused
        QVERIFY2(bt.trades.size() >= 100, qPrintable(QString::number(bt.trades.size())));

        std::map<qint64, qint64> indexOf; // bar open time -> bar index
        for (size_t i = 0; i < bars.size(); ++i)
            indexOf[bars[i].timeMs] = qint64(i);
        // The backtest's positions after each bar: opened at or before it, closed after it. The positions still open at
        // the end close at the last bar's time (END_OF_TEST) although they were open when the strategy saw that bar.
        struct Span {
            qint64 openIndex, closeIndex; // closeIndex: first bar at whose onBar the position is gone
            const Trade *trade;
        };
        std::vector<Span> spans;
        for (const Trade &t : bt.trades) {
            QVERIFY(indexOf.count(t.openTimeMs) && indexOf.count(t.closeTimeMs));
            const qint64 close = t.closeReason == CloseReason::EndOfTest ? qint64(bars.size()) : indexOf[t.closeTimeMs];
            spans.push_back({indexOf[t.openTimeMs], close, &t});
        }
        std::sort(spans.begin(), spans.end(), [](const Span &a, const Span &b) {
            return a.openIndex != b.openIndex ? a.openIndex < b.openIndex : a.trade->ticket < b.trade->ticket;
        });

        // Live: the first kWarmup bars are history (the run started at bar kWarmup); decisions before that are dropped.
        constexpr qint64 kWarmup = 1000;
        auto live = createStrategy(QStringLiteral("ema_crossover"), {});
        QVERIFY(live.ok());
        StrategyRunner runner(*live.value(), symbol);
        QVERIFY(runner.warmupBars() < kWarmup);

        std::map<qint64, const Trade *> openedAt; // bar index of the fill -> the trade
        for (const Span &s : spans)
            openedAt[s.openIndex] = s.trade;
        std::map<std::pair<quint64, qint64>, const Trade *> strategyExits; // (ticket, bar index of the close)
        for (const Span &s : spans)
            if (s.trade->closeReason == CloseReason::StrategyExit)
                strategyExits[{s.trade->ticket, s.closeIndex}] = s.trade;

        int liveOpens = 0, liveCloses = 0, liveRefused = 0;
        QCOMPARE(bt.equity.size(), bars.size());
        for (qint64 i = 0; i < qint64(bars.size()); ++i) {
            AccountView v;
            for (const Span &s : spans)
                if (s.openIndex <= i && i < s.closeIndex) {
                    Position p;
                    p.ticket = s.trade->ticket;
                    p.side = s.trade->side;
                    p.volume = s.trade->volume;
                    p.openTimeMs = s.trade->openTimeMs;
                    p.openPrice = s.trade->openPrice;
                    p.sl = s.trade->sl;
                    p.tp = s.trade->tp;
                    p.comment = s.trade->comment;
                    v.positions.push_back(p);
                }
            // The balance and equity the backtest's context held at this bar: its equity curve (the last point is
            // rewritten after the end-of-test closes; ema_crossover decides on prices and positions only).
            QCOMPARE(bt.equity[size_t(i)].timeMs, bars[size_t(i)].timeMs);
            v.balance = bt.equity[size_t(i)].balance;
            v.equity = bt.equity[size_t(i)].equity;
            v.spreadPoints =
                bars[size_t(i)].spreadPoints >= 0 ? bars[size_t(i)].spreadPoints : symbol.defaultSpreadPoints;

            if (i < kWarmup) {
                QVERIFY(runner.feedWarmup(bars[size_t(i)], v));
                continue;
            }
            const std::optional<Decision> d = runner.onClosedBar(bars[size_t(i)], v);
            if (!d)
                continue;
            QCOMPARE(d->barIndex, i);
            for (const Action &a : d->actions) {
                const QString where = QStringLiteral("bar %1 (%2)").arg(i).arg(bars[size_t(i)].timeMs);
                if (a.type == ActionType::ClosePosition) {
                    ++liveCloses;
                    if (i + 1 < qint64(bars.size()))
                        QVERIFY2(strategyExits.count({a.ticket, i + 1}),
                                 qPrintable(where +
                                            QStringLiteral(": close of ticket %1 not in the backtest").arg(a.ticket)));
                    continue;
                }
                QCOMPARE(a.type, ActionType::OpenTrade);
                if (i + 1 == qint64(bars.size()))
                    continue; // decided on the last bar: the backtest has no next bar to fill it at
                ++liveOpens;
                const auto it = openedAt.find(i + 1);
                if (it == openedAt.end()) {
                    const QString key = QDateTime::fromMSecsSinceEpoch(bars[size_t(i + 1)].timeMs, Qt::UTC)
                                            .toString(QStringLiteral("yyyy-MM-dd hh:mm")) +
                                        QStringLiteral(" UTC: order rejected: ") +
                                        QString::fromLatin1(sideName(a.side)).leftJustified(4, QLatin1Char(' '));
                    QVERIFY2(
                        rejectedOpens[key] > 0,
                        qPrintable(where + QStringLiteral(": OPEN with no backtest trade or refusal at the next bar")));
                    --rejectedOpens[key];
                    ++liveRefused;
                    continue;
                }
                const Trade &t = *it->second;
                QCOMPARE(t.side, a.side);
                QCOMPARE(symbol.toPoints(t.sl), symbol.toPoints(a.sl));
                // TP from rr at the fill, as the backtest derives it (backtestengine.h): fill ± |fill − SL| · rr,
                // half away from zero to a whole point.
                QCOMPARE(a.tp, 0.0);
                const qint64 fill = symbol.toPoints(t.openPrice), sl = symbol.toPoints(a.sl);
                const bool buy = a.side == Side::Buy;
                const double reward = std::round(double(buy ? fill - sl : sl - fill) * a.rr * 1e6) / 1e6;
                const qint64 tp =
                    SymbolSpec::roundHalfAwayFromZero(buy ? double(fill) + reward : double(fill) - reward);
                QCOMPARE(symbol.toPoints(t.tp), tp);
            }
        }
        // Every backtest trade filled after the warm-up (decided at bar >= kWarmup) is one live OPEN, and every
        // strategy exit decided after it one live CLOSE.
        int expectedOpens = 0, expectedCloses = 0;
        for (const Span &s : spans) {
            if (s.openIndex > kWarmup)
                ++expectedOpens;
            if (s.trade->closeReason == CloseReason::StrategyExit && s.closeIndex > kWarmup)
                ++expectedCloses;
        }
        QCOMPARE(liveOpens - liveRefused, expectedOpens);
        int refusedAfterWarmup = 0; // the journal's refusals at fill bars after the first live bar
        for (const QString &line : bt.journal) {
            if (!line.contains(QLatin1String(": order rejected: ")))
                continue;
            QDateTime at = QDateTime::fromString(line.left(16), QStringLiteral("yyyy-MM-dd hh:mm"));
            at.setTimeSpec(Qt::UTC);
            QVERIFY2(indexOf.count(at.toMSecsSinceEpoch()), qPrintable(line));
            if (indexOf[at.toMSecsSinceEpoch()] > kWarmup)
                ++refusedAfterWarmup;
        }
        QCOMPARE(liveRefused, refusedAfterWarmup);
        QCOMPARE(liveCloses, expectedCloses);
        QVERIFY(liveOpens > 0 && expectedOpens < int(bt.trades.size())); // the warm-up dropped some, the run traded
        qInfo("parity: %d backtest trades (%d OPENs refused), %d live OPENs (%d of them refused by the backtest) and "
              "%d live CLOSEs after a %lld-bar warm-up",
              int(bt.trades.size()), bt.rejectedOrders, liveOpens, liveRefused, liveCloses, kWarmup);
    }
};

QTEST_APPLESS_MAIN(TestStrategyRunner)
#include "tst_strategyrunner.moc"
