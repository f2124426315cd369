// Replay parity (core/live/liveparity.h, issue 9 §1): a run's entries against the backtest of its recorded bars.
// On synthetic inputs: a match (trade at the next bar, same side), a match on a backtest refusal, an entry only in the
// run, one only in the backtest, decisions on warm-up bars and on the last bar not compared, a run entry whose bar
// is missing, a partial close counted once, bars out of order refused. Then the real thing in memory: the decisions a
// StrategyRunner makes on bars after its warm-up equal runBacktest's over the same bars, and a flipped side is found.
#include "backtestengine.h"
#include "liveparity.h"
#include "strategyregistry.h"
#include "strategyrunner.h"

#include <QDateTime>
#include <QJsonObject>
#include <QTest>

#include <cmath>

using namespace bd;

namespace {

constexpr qint64 kStart = 1704153600000;  // 2024-01-02 00:00 UTC
constexpr qint64 kMinute = 60'000;

qint64 barTime(int i) { return kStart + i * kMinute; }

// `count` M1 bars from kStart; the first `warmup` flagged warm-up.
std::vector<RunBar> runBars(int count, int warmup)
{
    std::vector<RunBar> out;
    for (int i = 0; i < count; ++i) {
        RunBar b;
        b.bar.timeMs = barTime(i);
        b.bar.open = b.bar.close = 1.1;
        b.bar.high = 1.1002;
        b.bar.low = 1.0998;
        b.bar.spreadPoints = 10;
        b.warmup = i < warmup;
        out.push_back(b);
    }
    return out;
}

Trade trade(quint64 ticket, Side side, int openBar)
{
    Trade t;
    t.ticket = ticket;
    t.side = side;
    t.openTimeMs = barTime(openBar);
    t.closeTimeMs = barTime(openBar + 1);
    return t;
}

// The engine's journal line for an OPEN refused at the fill bar `fillBar`.
QString refusal(int fillBar, Side side)
{
    return QDateTime::fromMSecsSinceEpoch(barTime(fillBar), Qt::UTC).toString(QStringLiteral("yyyy-MM-dd hh:mm"))
           + QStringLiteral(" UTC: order rejected: %1 at 1.10000: invalid stops (MT5 10016)").arg(QLatin1String(sideName(side)));
}

IntentRecord intent(IntentAction action, Side side, qint64 barTimeMs, IntentState state, TradeSource source = TradeSource::Bot)
{
    IntentRecord r;
    r.action = action;
    r.intent.side = side;
    r.intent.source = source;
    r.barTimeMs = barTimeMs;
    r.state = state;
    return r;
}

} // namespace

class TestLiveParity : public QObject {
    Q_OBJECT
private slots:
    void runEntriesAreOpenBotIntentsWhateverTheirOutcome()
    {
        const std::vector<ParityEntry> entries = runEntriesOf({
            intent(IntentAction::Open, Side::Sell, barTime(7), IntentState::Denied),
            intent(IntentAction::Open, Side::Buy, barTime(5), IntentState::Done),
            intent(IntentAction::Open, Side::Buy, barTime(6), IntentState::Rejected),
            intent(IntentAction::Close, Side::Buy, barTime(8), IntentState::Done),          // an exit
            intent(IntentAction::Open, Side::Buy, barTime(9), IntentState::Done, TradeSource::Manual),
            intent(IntentAction::Open, Side::Buy, 0, IntentState::Done),                    // no deciding bar
        });
        QCOMPARE(entries.size(), size_t(3));
        QCOMPARE(entries[0].barTimeMs, barTime(5));  // time order
        QCOMPARE(entries[1].barTimeMs, barTime(6));
        QCOMPARE(entries[2].barTimeMs, barTime(7));
        QCOMPARE(entries[2].side, Side::Sell);
    }

    void matchesRunOnlyBacktestOnlyWarmupAndLastBar()
    {
        // Bars 0..11, 0..2 warm-up; 11 is the last (no next bar).
        const std::vector<RunBar> bars = runBars(12, 3);
        BacktestResult bt;
        bt.trades = {trade(1, Side::Sell, 2),   // decided on warm-up bar 1: not compared
                     trade(2, Side::Buy, 5),    // decided on bar 4: the run's BUY at 4
                     trade(3, Side::Sell, 9),   // decided on bar 8: the run has none
                     trade(2, Side::Buy, 5)};   // a partial close of ticket 2: the same entry
        bt.journal = {QStringLiteral("2024-01-02 00:00 UTC: data shorter than the warm-up"),
                      refusal(7, Side::Sell),   // decided on bar 6: the run's SELL at 6
                      refusal(2, Side::Buy)};   // decided on warm-up bar 1
        const std::vector<ParityEntry> run = {{barTime(1), Side::Buy},    // warm-up: not compared
                                              {barTime(4), Side::Buy},    // match (trade)
                                              {barTime(6), Side::Sell},   // match (refusal)
                                              {barTime(7), Side::Buy},    // only in the run
                                              {barTime(11), Side::Sell}}; // the last bar: not compared
        const Result<ParityReport> r = compareRunWithBacktest(bars, run, bt);
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        const ParityReport &p = r.value();
        QCOMPARE(p.bars, 12);
        QCOMPARE(p.liveBars, 9);
        QCOMPARE(p.firstLiveBarTimeMs, barTime(3));
        QCOMPARE(p.lastLiveBarTimeMs, barTime(11));
        QCOMPARE(p.runEntries, 3);
        QCOMPARE(p.runEntriesNotCompared, 2);
        QCOMPARE(p.matched, 2);
        QCOMPARE(p.matchedRefusals, 1);
        QCOMPARE(p.backtestEntries, 3);
        QVERIFY(!p.ok());
        QCOMPARE(p.runOnly(), 1);
        QCOMPARE(p.backtestOnly(), 1);
        QCOMPARE(p.mismatches.size(), size_t(2));
        QCOMPARE(p.mismatches[0].where, ParityMismatch::Where::RunOnly);
        QCOMPARE(p.mismatches[0].entry.barTimeMs, barTime(7));
        QCOMPARE(p.mismatches[0].entry.side, Side::Buy);
        QCOMPARE(p.mismatches[1].where, ParityMismatch::Where::BacktestOnly);
        QCOMPARE(p.mismatches[1].entry.barTimeMs, barTime(8));
        QCOMPARE(p.mismatches[1].entry.side, Side::Sell);
        QVERIFY(!p.journalFull);
    }

    void theSameBarTheOtherSideIsTwoMismatches()
    {
        const std::vector<RunBar> bars = runBars(6, 1);
        BacktestResult bt;
        bt.trades = {trade(1, Side::Buy, 3)};
        const Result<ParityReport> r = compareRunWithBacktest(bars, {{barTime(2), Side::Sell}}, bt);
        QVERIFY(r.ok());
        QCOMPARE(r.value().matched, 0);
        QCOMPARE(r.value().runOnly(), 1);
        QCOMPARE(r.value().backtestOnly(), 1);
        QCOMPARE(r.value().mismatches[0].entry.barTimeMs, barTime(2));
        QCOMPARE(r.value().mismatches[1].entry.barTimeMs, barTime(2));
    }

    void anEntryOnAMissingBarIsAMismatchOneOutsideTheWindowIsNotCompared()
    {
        std::vector<RunBar> bars = runBars(8, 1);
        bars.erase(bars.begin() + 4);  // bar 4 was not recorded
        const Result<ParityReport> r = compareRunWithBacktest(
            bars, {{barTime(4), Side::Buy}, {barTime(-5), Side::Buy}, {barTime(20), Side::Sell}}, BacktestResult{});
        QVERIFY(r.ok());
        QCOMPARE(r.value().runEntries, 1);
        QCOMPARE(r.value().runEntriesNotCompared, 2);
        QCOMPARE(r.value().runOnly(), 1);
        QCOMPARE(r.value().mismatches[0].note, QStringLiteral("its bar was not recorded"));
    }

    void badInputIsAnError()
    {
        std::vector<RunBar> bars = runBars(5, 1);
        std::swap(bars[2], bars[3]);
        Result<ParityReport> r = compareRunWithBacktest(bars, {}, BacktestResult{});
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains("recorded bar 3"), qPrintable(r.error().message));

        BacktestResult elsewhere;
        elsewhere.trades = {trade(1, Side::Buy, 40)};
        r = compareRunWithBacktest(runBars(5, 1), {}, elsewhere);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains("not a recorded bar"), qPrintable(r.error().message));

        r = compareRunWithBacktest({}, {{barTime(1), Side::Buy}}, BacktestResult{});
        QVERIFY(r.ok());
        QCOMPARE(r.value().bars, 0);
        QVERIFY(r.value().ok());
    }

    // The engine's own conventions (fill at the next bar, the journal's refusal lines): a StrategyRunner fed the
    // bars as a live run is (warm-up first) decides exactly the backtest's entries; a flipped side is found.
    void aRunnersDecisionsEqualTheBacktestsOverTheSameBars()
    {
        const SymbolSpec *symbol = nullptr;
        Result<SymbolCatalog> catalog = SymbolCatalog::builtin();
        QVERIFY(catalog.ok());
        symbol = catalog.value().find(QStringLiteral("EURUSD"));
        QVERIFY(symbol);
        constexpr int kBars = 3000, kWarmup = 60;
        std::vector<RunBar> bars;
        double previous = 1.10;
        for (int i = 0; i < kBars; ++i) {
            const double close = 1.10 + 0.0030 * std::sin(2.0 * M_PI * i / 300.0) + 0.0004 * std::sin(i / 7.0);
            RunBar b;
            b.bar.timeMs = barTime(i);
            b.bar.open = std::round(previous * 1e5) / 1e5;
            b.bar.close = std::round(close * 1e5) / 1e5;
            b.bar.high = std::max(b.bar.open, b.bar.close) + 0.00008;
            b.bar.low = std::min(b.bar.open, b.bar.close) - 0.00008;
            b.bar.spreadPoints = 12;
            b.warmup = i < kWarmup;
            bars.push_back(b);
            previous = close;
        }
        const QJsonObject params{{QStringLiteral("fast"), 3}, {QStringLiteral("slow"), 8}};
        auto live = createStrategy(QStringLiteral("ema_crossover"), params);
        QVERIFY(live.ok());
        StrategyRunner runner(*live.value(), *symbol);
        std::vector<ParityEntry> run;
        for (const RunBar &b : bars) {
            AccountView view;  // ema_crossover decides on prices; an empty book opens on every cross
            view.spreadPoints = b.bar.spreadPoints;
            if (b.warmup) {
                QVERIFY(runner.feedWarmup(b.bar, view));
                continue;
            }
            if (const std::optional<Decision> d = runner.onClosedBar(b.bar, view)) {
                for (const Action &a : d->actions)
                    if (a.type == ActionType::OpenTrade)
                        run.push_back({d->barTimeMs, a.side});
            }
        }
        auto backtested = createStrategy(QStringLiteral("ema_crossover"), params);
        QVERIFY(backtested.ok());
        const Bars replay = barsOf(bars);
        QCOMPARE(replay.size(), bars.size());
        const Result<BacktestResult> bt = runBacktest(replay, *symbol, *backtested.value(), BacktestConfig{});
        QVERIFY(bt.ok());
        Result<ParityReport> r = compareRunWithBacktest(bars, run, bt.value());
        QVERIFY(r.ok());
        QVERIFY2(r.value().ok(), qPrintable(QStringLiteral("%1 mismatches").arg(r.value().mismatches.size())));
        QVERIFY2(r.value().matched >= 10, qPrintable(QString::number(r.value().matched)));
        QCOMPARE(r.value().matched, r.value().backtestEntries);

        // One decision's side flipped: that bar, both ways.
        const qint64 flippedAt = run[run.size() / 2].barTimeMs;
        run[run.size() / 2].side = run[run.size() / 2].side == Side::Buy ? Side::Sell : Side::Buy;
        r = compareRunWithBacktest(bars, run, bt.value());
        QVERIFY(r.ok());
        QCOMPARE(r.value().mismatches.size(), size_t(2));
        QCOMPARE(r.value().mismatches[0].entry.barTimeMs, flippedAt);
        QCOMPARE(r.value().mismatches[1].entry.barTimeMs, flippedAt);
    }
};

QTEST_GUILESS_MAIN(TestLiveParity)
#include "tst_liveparity.moc"
