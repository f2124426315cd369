// The engine against its floor: runBacktest(ema_crossover, default parameters) and a minimal hand-written loop
// that applies the same fill rules (docs/backtest-model.md) to the same bars, in the same process.
//
//   build/bench/bench_engine_floor [--data FILE] [--runs N] [--bars N (first N bars only)]
//   valgrind --tool=callgrind --toggle-collect='*runOnly*' build/bench/bench_engine_floor --only engine|lean|idle|floor
//     (one run of that variant alone, for instructions per bar: collected Ir / bars)
//
// The floor has no virtual call, no journal, no strategy context, no action vectors and no equity curve: it
// converts each bar to points, updates EMA(12), EMA(26) and ATR(14) with core's exact arithmetic, fills at the
// next open, checks SL/TP and books the trades. Both must give identical trades (count, tickets' open/close
// times and prices, SL/TP, volume, profit, close reason); the bench fails (exit 1) when they do not.
//
// Times are this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so a run preempted on a shared machine does not
// count the wait. Prints: engine and floor ns/bar, the engine with a strategy that never trades (its own bookkeeping), (medians of N interleaved runs, warm: every run after the first), the
// ratio (target <= 1.5), and the engine's first (cold) run with its minor page faults, which shows what
// first-touch page faults of a fresh process cost.

#include "backtestengine.h"
#include "cpustate.h"
#include "barloader.h"
#include "logging.h"
#include "strategyregistry.h"
#include "symbolspec.h"

#include <QCoreApplication>
#include <QStringList>

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

using namespace bd;

namespace {

// ---- the floor ------------------------------------------------------------------------------------------

struct FloorTrade {
    quint64 ticket = 0;
    bool buy = true;
    qint64 openTimeMs = 0;
    qint64 closeTimeMs = 0;
    qint64 openPoints = 0;
    qint64 closePoints = 0;
    qint64 sl = 0;
    qint64 tp = 0;
    double volume = 0.0;
    double profit = 0.0;
    CloseReason reason = CloseReason::StrategyExit;
};

inline qint64 snap(double x) // x >= 0.5: half away from zero
{
    const qint64 whole = qint64(x);
    return whole + (x - double(whole) >= 0.5 ? 1 : 0);
}

inline double roundMoney(double money)
{
    return std::round(money * 100.0) / 100.0;
}

// ema_crossover with its defaults (fast 12, slow 26, ATR 14, SL 2 ATR, rr 2, risk 1 %), flat-or-one-position.
struct Floor {
    // symbol
    double scale = 1e5;
    double moneyPerPointPerLot = 1.0;
    double volumeStep = 0.01;
    double volumeMin = 0.01;
    qint64 maxSteps = 10000;
    double stepDivisor = 100.0; // 10^decimals of the step
    qint64 stepUnits = 1;
    int defaultSpread = 10;
    // parameters
    static constexpr int kFast = 12, kSlow = 26, kAtr = 14;
    static constexpr double kSlAtr = 2.0, kRr = 2.0, kRisk = 1.0;

    std::vector<FloorTrade> trades;
    double balance = 10000.0;
    // The position and the order decided at the previous close (rare events, kept in memory).
    FloorTrade pos;
    bool open = false;
    quint64 nextTicket = 1;
    bool pendingClose = false, pendingOpen = false, pendingBuy = false;
    double pendingSl = 0;

    [[gnu::noinline]] void close(qint64 timeMs, qint64 price, CloseReason reason)
    {
        pos.closeTimeMs = timeMs;
        pos.closePoints = price;
        pos.reason = reason;
        const qint64 move = pos.buy ? price - pos.openPoints : pos.openPoints - price;
        pos.profit = roundMoney(double(move) * moneyPerPointPerLot * pos.volume);
        balance += pos.profit + roundMoney(-0.0 * pos.volume);
        trades.push_back(pos);
        open = false;
    }

    // The orders decided at the previous close, filled at this bar's open (bid `o`).
    [[gnu::noinline]] void fillAtOpen(qint64 timeMs, qint64 o, int spread)
    {
        if (pendingClose) {
            if (open)
                close(timeMs, pos.buy ? o : o + spread, CloseReason::StrategyExit);
            pendingClose = false;
        }
        if (!pendingOpen)
            return;
        pendingOpen = false;
        const qint64 bid = o, ask = o + spread, fill = pendingBuy ? ask : bid;
        const qint64 sl = snap(pendingSl * scale);
        if (!(pendingBuy ? bid - sl > 0 : sl - ask > 0))
            return;
        const double reward = std::round(double(pendingBuy ? fill - sl : sl - fill) * kRr * 1e6) / 1e6;
        const qint64 tp = snap(pendingBuy ? double(fill) + reward : double(fill) - reward);
        if (!(pendingBuy ? tp - bid > 0 : ask - tp > 0))
            return;
        const double lossPerLot = double(pendingBuy ? fill - sl : sl - fill) * moneyPerPointPerLot;
        const double raw = std::floor(balance * kRisk / 100.0 / lossPerLot / volumeStep + 1e-9);
        const qint64 steps = raw >= double(maxSteps) ? maxSteps : qint64(std::max(0.0, raw));
        const double volume = double(steps * stepUnits) / stepDivisor;
        if (steps > 0 && volume + 1e-9 >= volumeMin) {
            pos = FloorTrade{nextTicket++, pendingBuy, timeMs, 0, fill, 0, sl, tp, volume, 0.0, CloseReason::StrategyExit};
            open = true;
        }
    }

    // Not inlined into main, rare work out of line: the EMA and ATR chains stay in registers.
    [[gnu::noinline]] void run(std::span<const Bar> bars)
    {
        trades.clear();
        trades.reserve(4096);
        balance = 10000.0;
        open = pendingClose = pendingOpen = false;
        nextTicket = 1;
        // indicators (core/indicators/ema.cpp, atr.cpp arithmetic)
        const double kFastK = 2.0 / double(kFast + 1), kSlowK = 2.0 / double(kSlow + 1);
        double fastSum = 0, slowSum = 0, fast = 0, slow = 0, atrSum = 0, atr = 0, prevClose = 0;
        int fastSeen = 0, slowSeen = 0, ranges = 0;
        bool havePrevClose = false, havePrevious = false;
        double previousSpread = 0;

        qint64 c = 0;
        int spread = defaultSpread;
        for (const Bar &bar : bars) {
            const qint64 o = snap(bar.open * scale);
            const qint64 h = snap(bar.high * scale);
            const qint64 l = snap(bar.low * scale);
            c = snap(bar.close * scale);
            spread = bar.spreadPoints >= 0 ? bar.spreadPoints : defaultSpread;

            if (pendingClose | pendingOpen) [[unlikely]]
                fillAtOpen(bar.timeMs, o, spread);
            if (open) {
                if (pos.buy) {
                    if (o <= pos.sl)
                        close(bar.timeMs, o, CloseReason::SlHit);
                    else if (o >= pos.tp)
                        close(bar.timeMs, o, CloseReason::TpHit);
                    else if (l <= pos.sl)
                        close(bar.timeMs, pos.sl, CloseReason::SlHit);
                    else if (h >= pos.tp)
                        close(bar.timeMs, pos.tp, CloseReason::TpHit);
                } else {
                    const qint64 askOpen = o + spread;
                    if (askOpen >= pos.sl)
                        close(bar.timeMs, askOpen, CloseReason::SlHit);
                    else if (askOpen <= pos.tp)
                        close(bar.timeMs, askOpen, CloseReason::TpHit);
                    else if (h + spread >= pos.sl)
                        close(bar.timeMs, pos.sl, CloseReason::SlHit);
                    else if (l + spread <= pos.tp)
                        close(bar.timeMs, pos.tp, CloseReason::TpHit);
                }
            }

            // indicators on the bid doubles
            const double price = bar.close;
            if (fastSeen < kFast) {
                fastSum += price;
                if (++fastSeen == kFast)
                    fast = fastSum / kFast;
            } else {
                fast = (price - fast) * kFastK + fast;
            }
            if (slowSeen < kSlow) {
                slowSum += price;
                if (++slowSeen == kSlow)
                    slow = slowSum / kSlow;
            } else {
                slow = (price - slow) * kSlowK + slow;
            }
            if (!havePrevClose) {
                prevClose = price;
                havePrevClose = true;
            } else {
                double range = bar.high - bar.low;
                const double toHigh = std::fabs(prevClose - bar.high);
                if (toHigh > range)
                    range = toHigh;
                const double toLow = std::fabs(prevClose - bar.low);
                if (toLow > range)
                    range = toLow;
                prevClose = price;
                if (ranges < kAtr) {
                    atrSum += range;
                    if (++ranges == kAtr)
                        atr = atrSum / kAtr;
                } else {
                    atr *= kAtr - 1;
                    atr += range;
                    atr /= kAtr;
                }
            }
            if (fastSeen < kFast || slowSeen < kSlow)
                continue;
            const double d = fast - slow;
            const bool up = havePrevious && previousSpread <= 0.0 && d > 0.0;
            const bool down = havePrevious && previousSpread >= 0.0 && d < 0.0;
            previousSpread = d;
            havePrevious = true;
            if (!up && !down) [[likely]]
                continue;
            const bool wantBuy = up;
            if (open && pos.buy == wantBuy)
                continue;
            if (open)
                pendingClose = true;
            if (ranges < kAtr)
                continue;
            const double stopDistance = atr * kSlAtr;
            const double sl = wantBuy ? price - stopDistance : price + stopDistance;
            if (!(stopDistance > 0.0) || sl <= 0.0)
                continue;
            pendingOpen = true;
            pendingBuy = wantBuy;
            pendingSl = sl;
        }
        if (open)
            close(bars.back().timeMs, pos.buy ? c : c + spread, CloseReason::EndOfTest);
    }
};

// ---- the engine's own bookkeeping ----

// The engine's own per-bar bookkeeping: a strategy that never trades.
class Idle final : public Strategy {
public:
    QString name() const override { return QStringLiteral("idle"); }
    void onBar(const Bar &, const StrategyContext &, std::vector<Action> &) override {}
};

// runBacktest clears a dirty upper AVX state at its start (cpustate.h); the floor gets the same.

// ---- measuring ------------------------------------------------------------------------------------------

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// CPU time of this thread: on a shared machine a preempted run does not count the time it waited.
qint64 threadNs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

long minorFaults()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

QString argValue(const QStringList &args, const QString &name, const QString &fallback)
{
    const qsizetype i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.at(i + 1) : fallback;
}

// Compares the engine's trades with the floor's; prints the first difference.
bool sameTrades(const std::vector<Trade> &engine, const std::vector<FloorTrade> &floor, const SymbolSpec &s)
{
    if (engine.size() != floor.size()) {
        std::fprintf(stderr, "trade count differs: engine %zu, floor %zu\n", engine.size(), floor.size());
    }
    for (size_t i = 0; i < std::min(engine.size(), floor.size()); ++i) {
        const Trade &e = engine[i];
        const FloorTrade &f = floor[i];
        const bool same = e.ticket == f.ticket && (e.side == Side::Buy) == f.buy && e.openTimeMs == f.openTimeMs &&
                          e.closeTimeMs == f.closeTimeMs && e.openPrice == s.fromPoints(f.openPoints) &&
                          e.closePrice == s.fromPoints(f.closePoints) && e.sl == s.fromPoints(f.sl) &&
                          e.tp == s.fromPoints(f.tp) && e.volume == f.volume && e.profit == f.profit &&
                          e.closeReason == f.reason;
        if (!same) {
            std::fprintf(stderr,
                         "trade %zu differs:\n  engine #%llu %s open %lld %.5f close %lld %.5f sl %.5f tp %.5f vol %.2f "
                         "profit %.2f %s\n  floor  #%llu %s open %lld %.5f close %lld %.5f sl %.5f tp %.5f vol %.2f "
                         "profit %.2f %s\n",
                         i, (unsigned long long)e.ticket, sideName(e.side), (long long)e.openTimeMs, e.openPrice,
                         (long long)e.closeTimeMs, e.closePrice, e.sl, e.tp, e.volume, e.profit,
                         closeReasonName(e.closeReason), (unsigned long long)f.ticket, f.buy ? "BUY" : "SELL",
                         (long long)f.openTimeMs, s.fromPoints(f.openPoints), (long long)f.closeTimeMs,
                         s.fromPoints(f.closePoints), s.fromPoints(f.sl), s.fromPoints(f.tp), f.volume, f.profit,
                         closeReasonName(f.reason));
            return false;
        }
    }
    return engine.size() == floor.size();
}

// One run of one variant (engine, lean, idle, floor), for callgrind's --toggle-collect='*runOnly*'.
[[gnu::noinline]] bool runOnly(const QString &which, std::span<const Bar> bars, const SymbolSpec &symbol, Floor &floor,
                               const BacktestControl &statsOnly)
{
    if (which == QLatin1String("floor")) {
        clearAvxUpperState();
        floor.run(bars);
        return !floor.trades.empty();
    }
    if (which == QLatin1String("idle")) {
        Idle idle;
        return bool(runBacktest(bars, symbol, idle, BacktestConfig{}));
    }
    auto strategy = createStrategy(QStringLiteral("ema_crossover"), {});
    if (which == QLatin1String("engine"))
        return bool(runBacktest(bars, symbol, **strategy, BacktestConfig{}));
    if (which == QLatin1String("lean"))
        return bool(runBacktest(bars, symbol, **strategy, BacktestConfig{}, statsOnly));
    std::fprintf(stderr, "--only %s: give engine, lean, idle or floor\n", qPrintable(which));
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    logging::setLevel("warn");
    const QStringList args = app.arguments();
    const QString data = argValue(args, "--data", QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz"));
    const int runs = std::max(3, argValue(args, "--runs", "15").toInt());

    auto catalog = SymbolCatalog::builtin();
    if (!catalog) {
        std::fprintf(stderr, "%s\n", qPrintable(catalog.error().message));
        return 1;
    }
    const SymbolSpec &symbol = *catalog->find(QStringLiteral("EURUSD"));
    auto loaded = loadBars(data);
    if (!loaded) {
        std::fprintf(stderr, "%s\n", qPrintable(loaded.error().message));
        return 1;
    }
    Bars bars = std::move(loaded).value();
    if (const qint64 limit = argValue(args, "--bars", "0").toLongLong(); limit > 0 && limit < qint64(bars.size()))
        bars.resize(size_t(limit));  // a prefix that fits in cache separates compute from memory traffic
    const double n = double(bars.size());

    Floor floor;
    floor.scale = symbol.pointsPerPrice();
    floor.moneyPerPointPerLot = symbol.moneyPerPointPerLot();
    floor.volumeStep = symbol.volumeStep;
    floor.volumeMin = symbol.volumeMin;
    floor.maxSteps = qint64(std::floor(symbol.volumeMax / symbol.volumeStep + 1e-9));
    floor.stepDivisor = 100.0;  // EURUSD's step 0.01 = 1 / 10^2
    floor.stepUnits = 1;
    floor.defaultSpread = symbol.defaultSpreadPoints;

    BacktestControl statsOnly;  // as botdesk-cli runs it for a text report: no per-bar equity curve kept
    statsOnly.keepEquityCurve = false;
    if (const QString only = argValue(args, "--only", QString()); !only.isEmpty()) {
        const bool ok = runOnly(only, bars, symbol, floor, statsOnly);
        std::printf("%s: one run on %zu bars%s\n", qPrintable(only), bars.size(), ok ? "" : " FAILED");
        return ok ? 0 : 1;
    }

    std::vector<double> engineNs, leanNs, floorNs, idleNs;
    double coldNs = 0.0;
    long coldFaults = 0, warmFaults = 0;
    std::vector<Trade> engineTrades;
    for (int i = 0; i < runs; ++i) {
        auto strategy = createStrategy(QStringLiteral("ema_crossover"), {});
        const long faultsBefore = minorFaults();
        qint64 t = threadNs();
        auto result = runBacktest(bars, symbol, **strategy, BacktestConfig{});
        const double ns = double(threadNs() - t) / n;
        const long faults = minorFaults() - faultsBefore;
        if (!result) {
            std::fprintf(stderr, "%s\n", qPrintable(result.error().message));
            return 1;
        }
        if (i == 0) {
            coldNs = ns;
            coldFaults = faults;
            engineTrades = std::move(result->trades);
        } else {
            engineNs.push_back(ns);
            warmFaults = faults;
        }
        result = Error{};  // free the result before the floor runs, as a fresh run would

        auto leanStrategy = createStrategy(QStringLiteral("ema_crossover"), {});
        t = threadNs();
        auto lean = runBacktest(bars, symbol, **leanStrategy, BacktestConfig{}, statsOnly);
        leanNs.push_back(double(threadNs() - t) / n);
        if (!lean || lean->trades.size() != engineTrades.size()) {
            std::fprintf(stderr, "FAIL: the run without the equity curve differs\n");
            return 1;
        }

        clearAvxUpperState();
        t = threadNs();
        floor.run(bars);
        floorNs.push_back(double(threadNs() - t) / n);

        Idle idle;
        t = threadNs();
        auto idleResult = runBacktest(bars, symbol, idle, BacktestConfig{});
        idleNs.push_back(double(threadNs() - t) / n);
    }
    if (!sameTrades(engineTrades, floor.trades, symbol)) {
        std::fprintf(stderr, "FAIL: the floor's trades differ from the engine's\n");
        return 1;
    }
    const double engine = median(engineNs);
    const double floorMedian = median(floorNs);
    std::printf("data: %s, %zu bars; ema_crossover defaults, EURUSD; identical trades: %zu\n", qPrintable(data),
                bars.size(), engineTrades.size());
    std::printf("engine %.1f ns/bar, floor %.1f ns/bar (medians of %d warm runs): ratio %.2f (target <= 1.5)\n", engine,
                floorMedian, runs - 1, engine / floorMedian);
    std::printf("engine without the equity curve (botdesk-cli's text report) %.1f ns/bar: ratio %.2f to the floor\n",
                median(leanNs), median(leanNs) / floorMedian);
    std::printf("engine with a strategy that never trades: %.1f ns/bar (its own bookkeeping, statistics included)\n",
                median(idleNs));
    std::printf("engine first (cold) run %.1f ns/bar, %ld minor page faults (%.1f KiB each touched once); "
                "warm runs %ld faults\n",
                coldNs, coldFaults, 4.0, warmFaults);
    return 0;
}
