#include "backtestengine.h"

#include "cpustate.h"

#include "logging.h"
#include "reportformat.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#if defined(__linux__)
#include <sys/mman.h>
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#include <cstddef>

namespace bd {
namespace {

constexpr int kJournalLimit = 1000;
// A cancel request is looked at after at most this many bars (and at every progress percent).
constexpr qint64 kCancelCheckBars = 4096;
// Bars checked ahead in one pass (stretchOnGrid): 12 KiB of bars, still in the L1 cache when the loop reads them.
// The loop prefetches the next such run of bars while it works on this one, so the check does not wait for memory.
constexpr qint64 kCheckAheadBars = 256;
// A bar price within this many points of a whole point is on the grid without further checks (2^-20: on-grid
// decimals of up to 2^30 points parse far closer than that).
constexpr double kOnGridDistance = 1.0 / 1048576.0;
constexpr double kVolumeEpsilon = 1e-9;
// The coarse-decimals check (no price uses the symbol's last digit) needs this many bars to mean anything.
constexpr qint64 kCoarseCheckMinBars = 10;
// "Most orders rejected" needs this many rejections to be worth a warning.
constexpr int kRejectWarningMin = 10;

// Deal money is rounded to the deposit currency's cents (half away from zero), as MT5 books a deal's profit
// and commission.
double roundMoney(double money)
{
    return std::round(money * 100.0) / 100.0;
}

QString num(double v)
{
    return QString::number(v, 'g', 12);
}

// A bar's bid prices on the symbol's grid, in points.
struct BarPoints {
    qint64 open = 0;
    qint64 high = 0;
    qint64 low = 0;
    qint64 close = 0;
};

// The levels of one open position in points; m_levels[k] belongs to m_positions[k].
struct OpenLevels {
    qint64 open = 0;            // fill price
    qint64 sl = 0;              // 0 = none
    qint64 tp = 0;              // 0 = none
    qint64 worst = 0;           // most adverse exit-side price seen (bid for a long, ask for a short)
    qint64 best = 0;            // most favourable exit-side price seen
    double moneyPerPoint = 0.0; // volume · money per point per lot (floating P/L only)
    bool buy = true;
};

// Why an OPEN_TRADE was rejected; counted for the "most orders rejected" warning.
enum class RejectKind { InvalidAction, FillPrice, LevelRange, Stops, Volume };
constexpr int kRejectKinds = 5;

const char *rejectKindText(RejectKind kind)
{
    switch (kind) {
    case RejectKind::InvalidAction: return "the strategy's action held negative or non-finite numbers";
    case RejectKind::FillPrice: return "the fill price would have been 0 or below";
    case RejectKind::LevelRange: return "the SL or TP lay outside the symbol's price range (a stop distance or "
                                        "slippage larger than the price)";
    case RejectKind::Stops: return "the SL or TP was on the wrong side of the market or inside the stops level "
                                   "(MT5 retcode 10016 INVALID_STOPS)";
    case RejectKind::Volume: return "the volume was below the symbol's minimum (or could not be sized)";
    }
    return "";
}

// The equity curve is one 32-byte point per bar (12 MB for a year of M1) written once. In a fresh process every
// 4 KiB page of it costs a page fault on first touch (~3,000 for a year); asking for transparent huge pages
// (2 MiB) where the kernel offers them on request (THP "madvise" mode) makes that a handful. Advisory only:
// where it is not available or refused, nothing changes.
void adviseHugePages(const void *data, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr std::uintptr_t kHuge = std::uintptr_t(2) << 20;
    const std::uintptr_t start = reinterpret_cast<std::uintptr_t>(data);
    const std::uintptr_t begin = (start + kHuge - 1) & ~(kHuge - 1);
    const std::uintptr_t end = (start + bytes) & ~(kHuge - 1);
    if (end > begin)
        madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
#else
    Q_UNUSED(data);
    Q_UNUSED(bytes);
#endif
}


// ---- journal text ----------------------------------------------------------------------------------------
// The journal can hold 1,000 lines per run (a blown account rejects an order on every signal), so its numbers
// are written from integers here instead of through QDateTime and double formatting (~10x cheaper).

// Appends `units` / 10^decimals as a decimal with exactly `decimals` digits after the point: (113790, 5) ->
// "1.13790". The same text as QString::number(double(units) / 10^decimals, 'f', decimals).
void appendDecimal(QString &out, qint64 units, int decimals)
{
    char buffer[48];
    char *end = buffer + sizeof buffer;
    char *p = end;
    const bool negative = units < 0;
    quint64 v = negative ? quint64(0) - quint64(units) : quint64(units);
    for (int d = 0; d < decimals; ++d) {
        *--p = char('0' + v % 10);
        v /= 10;
    }
    if (decimals > 0)
        *--p = '.';
    do {
        *--p = char('0' + v % 10);
        v /= 10;
    } while (v != 0);
    if (negative)
        *--p = '-';
    out += QLatin1String(p, qsizetype(end - p));
}

QString decimalText(qint64 units, int decimals)
{
    QString text;
    appendDecimal(text, units, decimals);
    return text;
}

// Appends UTC epoch ms as "yyyy-MM-dd hh:mm", the text of report::utcMinute (civil date from days: H. Hinnant,
// "chrono-Compatible Low-Level Date Algorithms", days_from_civil's inverse).
void appendUtcMinute(QString &out, qint64 timeMs)
{
    constexpr qint64 kDayMs = 86'400'000;
    const qint64 days = timeMs >= 0 ? timeMs / kDayMs : -((-timeMs + kDayMs - 1) / kDayMs);
    const qint64 msOfDay = timeMs - days * kDayMs;
    const qint64 z = days + 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 doe = z - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const int day = int(doy - (153 * mp + 2) / 5 + 1);
    const int month = int(mp < 10 ? mp + 3 : mp - 9);
    const qint64 year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 1000 || year > 9999) {
        out += report::utcMinute(timeMs);
        return;
    }
    const int minutes = int(msOfDay / 60000);
    char text[16];
    const auto two = [&](int at, int v) {
        text[at] = char('0' + v / 10);
        text[at + 1] = char('0' + v % 10);
    };
    two(0, int(year / 100));
    two(2, int(year % 100));
    text[4] = '-';
    two(5, month);
    text[7] = '-';
    two(8, day);
    text[10] = ' ';
    two(11, minutes / 60);
    text[13] = ':';
    two(14, minutes % 60);
    out += QLatin1String(text, 16);
}

// Journal text comes from a maker: either [&] { return text; }, or, where a run can pass a thousand times (the
// volume and stops rejections), [&](QString &line) { line += ...; }, which writes into the line itself.
template <typename MakeText> void appendText(QString &line, MakeText &makeText)
{
    if constexpr (std::is_invocable_v<MakeText &, QString &>)
        makeText(line);
    else
        line += makeText();
}

// ---- the stretch check --------------------------------------------------------------------------------------
// Whether every price of `count` bars, times `scale`, rounds (to nearest, as x + 2^52 − 2^52 does) to a whole
// number of points 1..2^50 and lies within kOnGridDistance of it: exactly the numbers toPoints accepts without a
// snap. NaN fails every comparison below ("not >=", "not <=" are true for it). The same test, four prices per
// instruction where the CPU has AVX2, else one at a time; both give the same answer for every input.
bool pricesOnGridPortable(const Bar *bars, qint64 count, double scale)
{
    constexpr double kMagic = 4503599627370496.0; // 2^52
    constexpr double kMax = double(SymbolSpec::kMaxPricePoints);
    bool bad = false;
    for (qint64 k = 0; k < count; ++k) {
        for (double price : {bars[k].open, bars[k].high, bars[k].low, bars[k].close}) {
            const double x = price * scale;
            const double p = (x + kMagic) - kMagic;
            bad |= !(p >= 1.0) | !(p <= kMax) | !(std::fabs(x - p) <= kOnGridDistance);
        }
    }
    return !bad;
}

#if defined(__x86_64__) && defined(__GNUC__)
[[gnu::target("avx2")]] bool pricesOnGridAvx2(const Bar *bars, qint64 count, double scale)
{
    static_assert(offsetof(Bar, high) == offsetof(Bar, open) + 8 && offsetof(Bar, low) == offsetof(Bar, open) + 16 &&
                      offsetof(Bar, close) == offsetof(Bar, open) + 24,
                  "open, high, low, close are four adjacent doubles");
    const __m256d s = _mm256_set1_pd(scale);
    const __m256d magic = _mm256_set1_pd(4503599627370496.0);
    const __m256d one = _mm256_set1_pd(1.0);
    const __m256d max = _mm256_set1_pd(double(SymbolSpec::kMaxPricePoints));
    const __m256d near = _mm256_set1_pd(kOnGridDistance);
    const __m256d absMask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffff));
    // All ones in a lane whose price fails: outside 1..2^50 points after rounding, or farther than kOnGridDistance.
    const auto check = [&](const Bar &bar, __m256d &bad) __attribute__((target("avx2"), always_inline)) {
        const __m256d x = _mm256_mul_pd(_mm256_loadu_pd(&bar.open), s);
        const __m256d p = _mm256_sub_pd(_mm256_add_pd(x, magic), magic);
        bad = _mm256_or_pd(bad, _mm256_or_pd(_mm256_cmp_pd(p, one, _CMP_NGE_UQ), _mm256_cmp_pd(p, max, _CMP_NLE_UQ)));
        bad = _mm256_or_pd(bad, _mm256_cmp_pd(_mm256_and_pd(_mm256_sub_pd(x, p), absMask), near, _CMP_NLE_UQ));
    };
    // Four bars per turn on two chains, then the last one to three.
    __m256d bad = _mm256_setzero_pd(), bad2 = _mm256_setzero_pd();
    qint64 k = 0;
    for (; k + 4 <= count; k += 4) {
        check(bars[k], bad);
        check(bars[k + 1], bad2);
        check(bars[k + 2], bad);
        check(bars[k + 3], bad2);
    }
    for (; k < count; ++k)
        check(bars[k], bad);
    return _mm256_movemask_pd(_mm256_or_pd(bad, bad2)) == 0;
}

const bool s_haveAvx2 = [] {
    __builtin_cpu_init();  // this runs as a static initializer, maybe before libgcc's own
    return __builtin_cpu_supports("avx2") != 0;
}();
#endif

// Asks for the cache line `offset` bytes from `base`, for reading (kWrite 0) or writing (1). Past the end of the data
// is harmless: a prefetch never faults, and the address is formed as an integer, not as a pointer beyond an array.
template <int kWrite> inline void prefetch(const void *base, qint64 offset)
{
    __builtin_prefetch(reinterpret_cast<const void *>(reinterpret_cast<std::uintptr_t>(base) + std::uintptr_t(offset)),
                       kWrite);
}

// x (>= 0.5, already range-checked) rounded half away from zero: the hot-path form of
// SymbolSpec::roundHalfAwayFromZero.
inline qint64 snapPositive(double x)
{
    const qint64 whole = qint64(x);
    return whole + (x - double(whole) >= 0.5 ? 1 : 0);
}

class Simulation {
public:
    Simulation(std::span<const Bar> bars, const SymbolSpec &symbol, Strategy &strategy, const BacktestConfig &config,
               const BacktestControl &control)
        : m_bars(bars), m_symbol(symbol), m_strategy(strategy), m_config(config), m_control(control),
          m_log(logging::get("backtest")), m_scale(symbol.pointsPerPrice()),
          m_moneyPerPointPerLot(symbol.moneyPerPointPerLot()), m_slippage(config.slippagePoints),
          m_stopsLevel(std::max(0, symbol.stopsLevelPoints))
    {
        m_balance = config.initialDeposit;
        // Volume grid: steps of volumeStep, rendered as the decimal (0.33, not 0.33000000000000002).
        m_volumeDecimals = -1;
        for (int d = 0; d <= 8 && m_volumeDecimals < 0; ++d) {
            const double units = symbol.volumeStep * SymbolSpec::pow10(d);
            if (std::fabs(units - std::round(units)) <= 1e-9 * std::max(1.0, units)) {
                m_volumeDecimals = d;
                m_volumeStepUnits = qint64(std::round(units));
            }
        }
        m_volumeMinText = num(symbol.volumeMin);
        const double maxSteps = std::floor(symbol.volumeMax / symbol.volumeStep + kVolumeEpsilon);
        m_maxVolumeSteps = maxSteps < 1e15 ? qint64(maxSteps) : qint64(1e15);
    }

    // "bar 123 (2024-01-02 10:03 UTC)": where the run is, for error messages.
    QString currentBarText() const
    {
        return QStringLiteral("bar %1 (%2 UTC)")
            .arg(m_currentBar)
            .arg(report::utcMinute(m_bars[size_t(m_currentBar)].timeMs));
    }

    Result<BacktestResult> run()
    {
        BacktestResult result;
        result.symbol = m_symbol.name;
        result.strategy = m_strategy.name();
        result.config = m_config;
        result.firstBarTimeMs = m_bars.front().timeMs;
        const bool keepCurve = m_control.keepEquityCurve;
        if (keepCurve) {
            m_equity.reserve(m_bars.size());
            adviseHugePages(m_equity.data(), m_bars.size() * sizeof(EquityPoint));
        }
        clearAvxUpperState();

        const qint64 total = qint64(m_bars.size());
        // Progress and cancellation are looked at on a countdown, not on every bar: every 1 % for progress
        // (no division in the bar loop), and at least every kCancelCheckBars bars for a cancel request.
        const qint64 progressStep = std::max<qint64>(1, total / 100);
        qint64 nextProgressAt = progressStep;
        qint64 nextHousekeepingAt = std::min(nextProgressAt, kCancelCheckBars);
        int lastPercent = -1;
        std::vector<Action> actions;
        std::vector<Action> pending;
        actions.reserve(8);
        pending.reserve(8);
        reportProgress(0, lastPercent);
        StrategyContext context{m_symbol, m_balance, m_balance, {}, 0, 0};
        // A bar's own spread counts when it is at least ownSpreadFrom points: 0, or never when the config fixes one.
        const qint64 ownSpreadFrom = m_config.spreadPoints >= 0 ? std::numeric_limits<qint64>::max() : 0;
        const int defaultSpread = m_config.spreadPoints >= 0 ? m_config.spreadPoints : m_symbol.defaultSpreadPoints;
        const Bar *const bars = m_bars.data();

        // The equity statistics are fed each bar's point one bar late: the last point changes when the positions
        // still open close at the end of the test.
        // A flat bar's point is fed at once (it cannot change at the end of the test); any other bar's point one
        // bar late, as the last point changes when the positions still open close at the end of the test.
        EquityCurveStats equityStats(m_config.initialDeposit);
        EquityPoint point;  // this bar's; also appended to m_equity when the curve is kept
        bool pointFed = true;  // `point` is already in equityStats (or there is none yet)
        BarPoints px;
        int spread = 0;
        qint64 i = 0;
        bool onGrid = true;  // every bar of the current stretch checked and on the grid: px only when needed
        bool cancelled = cancelRequested();
        const BarLoop loop{ownSpreadFrom, defaultSpread, context, actions, pending, equityStats, px, spread};
        // Bars run in stretches up to the next housekeeping point (progress, cancel check), so the bar loop itself
        // tests only its end, not the countdown and the cancel flag on every bar.
        while (i < total && !cancelled) {
            const qint64 stretchEnd = std::min({total, nextHousekeepingAt, i + kCheckAheadBars});
            // The stretch's prices are checked ahead in one tight pass (a few KiB of bars, still in cache for the
            // loop below). When every one is a positive number of points in range and on the grid, the loop
            // converts a bar to points only when an order or a position needs them; otherwise it checks, snaps and
            // counts bar by bar (toPoints), and a bad bar fails the run where it is.
            onGrid = stretchOnGrid(i, stretchEnd);
            while (i < stretchEnd) {
                // Most bars find the account flat: no position open, no order pending; its equity is its balance,
                // which nothing can change before the next order fills. Such bars run in their own lean loop
                // (flatBars) until the strategy acts.
                if (onGrid && pointFed && pending.empty() && m_levels.empty()) [[likely]] {
                    const qint64 next =
                        keepCurve ? flatBars<true>(i, stretchEnd, loop) : flatBars<false>(i, stretchEnd, loop);
                    if (next > i) [[likely]] {  // else the bar runs below
                        i = next;
                        continue;
                    }
                }
                m_currentBar = i;
                const Bar &bar = bars[i];
                prefetch<0>(bars, (i + kCheckAheadBars) * qint64(sizeof(Bar)));  // the bars checked next
                if (keepCurve)  // the curve's storage is reserved: its line for 64 bars on, fetched for writing
                    prefetch<1>(m_equity.data(), (i + 64) * qint64(sizeof(EquityPoint)));
                if (!onGrid) [[unlikely]] {
                    if (!toPoints(bar, px)) [[unlikely]]
                        return badBarError(bar);
                }
                spread = bar.spreadPoints >= ownSpreadFrom ? bar.spreadPoints : defaultSpread;
                if (!pointFed) {
                    equityStats.add(point);
                    pointFed = true;
                }

                if (pending.empty() && m_levels.empty()) {
                    equityStats.addFlat(bar.timeMs, m_balance);
                    if (keepCurve)  // one point per bar, written as the loop goes (a burst would wait for memory)
                        m_equity.push_back(EquityPoint{bar.timeMs, m_balance, m_balance, m_balance});
                    context.balance = m_balance;
                    context.equity = m_balance;
                } else {
                    if (onGrid)
                        px = onGridPoints(bar);
                    pointFed = false;
                    for (const Action &a : pending)
                        executeAtOpen(a, bar.timeMs, px, spread);
                    pending.clear();
                    if (!m_levels.empty())
                        checkStopsAndExcursions(bar.timeMs, px, spread);
                    context.positions = std::span<const Position>(m_positions);
                    point = markToMarket(bar.timeMs, px, spread);
                    if (keepCurve)
                        m_equity.push_back(point);
                    context.balance = point.balance;
                    context.equity = point.equity;
                }

                context.barIndex = i;
                context.spreadPoints = spread;
                m_strategy.onBar(bar, context, actions);
                if (!actions.empty()) [[unlikely]]
                    takeActions(bar, onGrid, loop);
                ++i;
            }
            if (i == nextHousekeepingAt) {
                if (i == nextProgressAt) {
                    reportProgress(int(i * 100 / total), lastPercent);
                    nextProgressAt += progressStep;
                }
                nextHousekeepingAt = std::min(nextProgressAt, i + kCancelCheckBars);
                cancelled = cancelRequested();
            }
        }
        result.cancelled = cancelled;
        result.barsProcessed = i;

        if (i > 0) {
            m_currentBar = i - 1;
            const Bar &last = m_bars[size_t(i - 1)];
            result.lastBarTimeMs = last.timeMs;
            if (onGrid)
                px = onGridPoints(last);
            if (pointFed)  // the last bar was flat: its point was not kept in `point`
                point = {last.timeMs, m_balance, m_balance, m_balance};
            for (const Action &a : pending) {
                if (a.type == ActionType::OpenTrade)
                    journal(last.timeMs, [&] {
                        return QStringLiteral("%1 %2 from the last bar not filled: no next bar to fill at")
                            .arg(actionTypeName(a.type), sideName(a.side));
                    });
            }
            closeAllAtEnd(last.timeMs, px, spread);
            point.balance = m_balance;
            point.equity = m_balance;
            point.equityLow = std::min(point.equityLow, m_balance);
            if (keepCurve)
                m_equity.back() = point;
            if (!pointFed)
                equityStats.add(point);
        }
        if (!result.cancelled)
            reportProgress(100, lastPercent);

        result.trades = std::move(m_trades);
        result.equity = std::move(m_equity);
        result.rejectedOrders = m_rejected;
        result.offGridBars = m_offGridBars;
        result.journal = std::move(m_journal);
        result.warnings = warnings(result);
        result.stats = computeStats(result.trades, equityStats, m_config.initialDeposit);
        result.stats.totalDeals = m_deals;
        m_log->info("{} on {}: {} bars, {} trades, net profit {:.2f}{}", result.strategy.toStdString(),
                    result.symbol.toStdString(), result.barsProcessed, result.stats.totalTrades,
                    result.stats.totalNetProfit, result.cancelled ? " (cancelled)" : "");
        for (const QString &w : result.warnings)
            m_log->warn("{}", w.toStdString());
        return result;
    }

private:
    // ---- the bar loops ----

    // run()'s loop state, shared by its general bar loop and flatBars.
    struct BarLoop {
        qint64 ownSpreadFrom;      // a bar's own spread counts from this many points (never when the config fixes one)
        int defaultSpread;         // points
        StrategyContext &context;
        std::vector<Action> &actions;  // the strategy's answer to the current bar
        std::vector<Action> &pending;  // orders to fill at the next bar's open
        EquityCurveStats &equityStats;
        BarPoints &px;             // the current bar in points (when an order or a position needs them)
        int &spread;               // the current bar's spread, points
    };

    // Bars i, i+1, ... (up to `end`) of an on-grid stretch while the account is flat: no position open, no order
    // pending, the previous point already fed to the statistics. Nothing can change the balance before the next
    // order fills, so each bar's point is {time, balance, balance, balance}: fed at once and kept when kKeepCurve,
    // exactly as the general loop does for a flat bar. Stops after the first bar on which the strategy acts (its
    // actions taken) or at `end`; returns the next bar's index (i itself when it ran none: the general loop runs it).
    // A loop of its own, out of line: the few values it carries stay in registers across the strategy call.
    template <bool kKeepCurve> [[gnu::noinline]] qint64 flatBars(qint64 i, const qint64 end, const BarLoop &loop)
    {
        const Bar *const bars = m_bars.data();
        const double balance = m_balance;
        const qint64 ownSpreadFrom = loop.ownSpreadFrom;
        const int defaultSpread = loop.defaultSpread;
        StrategyContext &context = loop.context;
        std::vector<Action> &actions = loop.actions;
        EquityCurveStats &equityStats = loop.equityStats;
        context.balance = balance;
        context.equity = balance;
        int spread = loop.spread;
        qint64 quietUntil = equityStats.flatQuietUntil(balance);
        std::vector<EquityPoint> curve = std::move(m_equity);
        try {
            while (i < end) {
                // The curve's storage holds a point for every bar (reserved at the start), so this never leaves; it
                // tells the compiler that push_back below never reallocates, which keeps `curve` out of memory.
                if constexpr (kKeepCurve)
                    if (curve.size() == curve.capacity()) [[unlikely]]
                        break;
                const Bar &bar = bars[i];
                prefetch<0>(bars, (i + kCheckAheadBars) * qint64(sizeof(Bar)));  // the bars checked next
                if constexpr (kKeepCurve)  // the curve's storage is reserved: its line for 64 bars on, for writing
                    prefetch<1>(curve.data() + curve.size(), 64 * qint64(sizeof(EquityPoint)));
                spread = bar.spreadPoints >= ownSpreadFrom ? bar.spreadPoints : defaultSpread;
                if (bar.timeMs >= quietUntil) [[unlikely]] {  // else addFlat would change nothing
                    equityStats.addFlat(bar.timeMs, balance);
                    quietUntil = equityStats.flatQuietUntil(balance);
                }
                if constexpr (kKeepCurve)  // one point per bar, written as the loop goes (a burst would wait for memory)
                    curve.push_back(EquityPoint{bar.timeMs, balance, balance, balance});
                context.barIndex = i;
                context.spreadPoints = spread;
                m_strategy.onBar(bar, context, actions);
                if (!actions.empty()) [[unlikely]] {
                    loop.spread = spread;
                    takeActions(bar, true, loop);
                    ++i;
                    break;
                }
                ++i;
            }
        } catch (...) {
            m_currentBar = i;  // the bar the error message names (currentBarText)
            m_equity = std::move(curve);
            throw;
        }
        m_equity = std::move(curve);
        loop.spread = spread;
        return i;
    }

    // The strategy's actions on `bar`: MODIFY_SLTP at once, every other action pending for the next bar's open.
    void takeActions(const Bar &bar, bool onGrid, const BarLoop &loop)
    {
        if (onGrid)
            loop.px = onGridPoints(bar);
        for (Action &a : loop.actions) {
            if (a.type == ActionType::ModifySltp)
                modifySltp(a, bar.timeMs, loop.px, loop.spread);
            else
                loop.pending.push_back(std::move(a));
        }
        loop.actions.clear();
    }

    // ---- prices on the grid ----

    // Bid OHLC of `bar` in points. Counts the bar when a price is off the grid. False when a price is not a
    // positive number of points within SymbolSpec::kMaxPricePoints.
    // Fast path: x + 2^52 rounds x (0 <= x < 2^52) to the nearest integer in hardware, and its bits minus those of
    // 2^52 are that integer. Both checks run on the rounded doubles, two prices per instruction, and meet in one
    // branch: the point count must be 1..2^50 (NaN, infinities, negative or huge values all fail it), and a price
    // within 2^-20 of a whole point is on the grid. Anything farther goes to offGridCandidate, which classifies
    // it exactly.
    [[gnu::always_inline]] bool toPoints(const Bar &bar, BarPoints &out)
    {
        constexpr double kMagic = 4503599627370496.0; // 2^52
#if defined(__SSE2__)
        static_assert(sizeof(BarPoints) == 4 * sizeof(qint64), "open, high, low, close, in that order");
        // [open, high] and [low, close].
        alignas(16) static constexpr double kMagic2[2] = {kMagic, kMagic};
        alignas(16) static constexpr qint64 kAbs2[2] = {0x7fffffffffffffff, 0x7fffffffffffffff};
        alignas(16) static constexpr double kNear2[2] = {kOnGridDistance, kOnGridDistance};
        alignas(16) static constexpr double kOne2[2] = {1.0, 1.0};
        alignas(16) static constexpr double kMax2[2] = {double(SymbolSpec::kMaxPricePoints),
                                                        double(SymbolSpec::kMaxPricePoints)};
        const __m128d scale = _mm_set1_pd(m_scale);
        const __m128d magic = _mm_load_pd(kMagic2);
        const __m128d oh = _mm_mul_pd(_mm_set_pd(bar.high, bar.open), scale);
        const __m128d lc = _mm_mul_pd(_mm_set_pd(bar.close, bar.low), scale);
        const __m128d roh = _mm_add_pd(oh, magic), rlc = _mm_add_pd(lc, magic);
        const __m128d poh = _mm_sub_pd(roh, magic), plc = _mm_sub_pd(rlc, magic); // whole points, as doubles
        // "not >= 1" and "not <= 2^50" are true for NaN as well.
        const __m128d one = _mm_load_pd(kOne2), max = _mm_load_pd(kMax2);
        const __m128d outside = _mm_or_pd(_mm_or_pd(_mm_cmpnge_pd(poh, one), _mm_cmpnle_pd(poh, max)),
                                          _mm_or_pd(_mm_cmpnge_pd(plc, one), _mm_cmpnle_pd(plc, max)));
        const __m128d absMask = _mm_load_pd(reinterpret_cast<const double *>(kAbs2));
        const __m128d near = _mm_load_pd(kNear2);
        const __m128d far = _mm_or_pd(_mm_cmpgt_pd(_mm_and_pd(_mm_sub_pd(oh, poh), absMask), near),
                                      _mm_cmpgt_pd(_mm_and_pd(_mm_sub_pd(lc, plc), absMask), near));
        const __m128i magicBits = _mm_castpd_si128(magic);
        _mm_storeu_si128(reinterpret_cast<__m128i *>(&out.open), _mm_sub_epi64(_mm_castpd_si128(roh), magicBits));
        _mm_storeu_si128(reinterpret_cast<__m128i *>(&out.low), _mm_sub_epi64(_mm_castpd_si128(rlc), magicBits));
        if (_mm_movemask_pd(_mm_or_pd(outside, far)) != 0) [[unlikely]] {
            if (_mm_movemask_pd(outside) != 0)
                return false;
            offGridCandidate(bar, out);
        }
#else
        constexpr qint64 kMagicBits = std::bit_cast<qint64>(kMagic);
        const double o = bar.open * m_scale, h = bar.high * m_scale, l = bar.low * m_scale, c = bar.close * m_scale;
        const double ro = o + kMagic, rh = h + kMagic, rl = l + kMagic, rc = c + kMagic;
        out.open = std::bit_cast<qint64>(ro) - kMagicBits;
        out.high = std::bit_cast<qint64>(rh) - kMagicBits;
        out.low = std::bit_cast<qint64>(rl) - kMagicBits;
        out.close = std::bit_cast<qint64>(rc) - kMagicBits;
        if (!inRange(out)) [[unlikely]]
            return false;
        const auto far = [](double x, double rounded) { return std::fabs(x - (rounded - kMagic)) > kOnGridDistance; };
        if (far(o, ro) | far(h, rh) | far(l, rl) | far(c, rc)) [[unlikely]]
            offGridCandidate(bar, out);
#endif
        if (!m_lastDigitUsed) [[unlikely]]
            m_lastDigitUsed = ((out.open % 10) | (out.high % 10) | (out.low % 10) | (out.close % 10)) != 0;
        return true;
    }

    // Bid OHLC of a bar already found on the grid (stretchOnGrid): the same rounding as toPoints, no checks.
    BarPoints onGridPoints(const Bar &bar) const
    {
        constexpr double kMagic = 4503599627370496.0; // 2^52
        constexpr qint64 kMagicBits = std::bit_cast<qint64>(kMagic);
        return {std::bit_cast<qint64>(bar.open * m_scale + kMagic) - kMagicBits,
                std::bit_cast<qint64>(bar.high * m_scale + kMagic) - kMagicBits,
                std::bit_cast<qint64>(bar.low * m_scale + kMagic) - kMagicBits,
                std::bit_cast<qint64>(bar.close * m_scale + kMagic) - kMagicBits};
    }

    // True when every price of bars [from, to) passes toPoints without a snap: a whole number of points 1..2^50
    // within kOnGridDistance (so toPoints would give onGridPoints's numbers and count nothing). Also looks for the
    // symbol's last digit (m_lastDigitUsed) in such a stretch, as toPoints would. False sends the stretch through
    // toPoints bar by bar, which classifies every price exactly.
    bool stretchOnGrid(qint64 from, qint64 to)
    {
        const Bar *const bars = m_bars.data();
#if defined(__x86_64__) && defined(__GNUC__)
        const bool onGrid = s_haveAvx2 ? pricesOnGridAvx2(bars + from, to - from, m_scale)
                                       : pricesOnGridPortable(bars + from, to - from, m_scale);
#else
        const bool onGrid = pricesOnGridPortable(bars + from, to - from, m_scale);
#endif
        if (onGrid && !m_lastDigitUsed) [[unlikely]] {
            for (qint64 k = from; k < to && !m_lastDigitUsed; ++k) {
                const BarPoints p = onGridPoints(bars[k]);
                m_lastDigitUsed = ((p.open % 10) | (p.high % 10) | (p.low % 10) | (p.close % 10)) != 0;
            }
        }
        return onGrid;
    }

    // Every price 1..2^50 points: (p − 1) < 2^50 for all four, as unsigned numbers.
    static bool inRange(const BarPoints &p)
    {
        static_assert(SymbolSpec::kMaxPricePoints == qint64(1) << 50);
        return ((quint64(p.open - 1) | quint64(p.high - 1) | quint64(p.low - 1) | quint64(p.close - 1)) >> 50) == 0;
    }

    // A price farther than kOnGridDistance from a whole point. A decimal on the grid parses to within ~2.3e-16
    // relative of its point count, so the exact test is 1e-9 + 1e-14 · x (very large point counts can be on the
    // grid and still land here). A bar off the grid has every price snapped half away from zero as the decimal
    // is written (1.100005 -> 1.10001, not its binary value 1.10000499999... -> 1.10000), by taking the point
    // count to 1e-6 of a point first; it is counted for the warning.
    [[gnu::noinline]] void offGridCandidate(const Bar &bar, BarPoints &out)
    {
        bool off = false;
        for (double price : {bar.open, bar.high, bar.low, bar.close}) {
            const double x = price * m_scale;
            off = off || std::fabs(x - std::round(x)) > 1e-9 + 1e-14 * x;
        }
        if (!off)
            return;
        const auto snapDecimal = [&](double price) { return snapPositive(std::round(price * m_scale * 1e6) / 1e6); };
        out.open = snapDecimal(bar.open);
        out.high = snapDecimal(bar.high);
        out.low = snapDecimal(bar.low);
        out.close = snapDecimal(bar.close);
        if (m_offGridBars++ == 0)
            m_firstOffGridBar = m_currentBar;
    }

    Error badBarError(const Bar &bar) const
    {
        return makeError(QStringLiteral("%1: bid open/high/low/close %2 / %3 / %4 / %5 is not a positive price within "
                                        "%6's range (1 point = %7 up to %8 points); fix or remove the bar")
                             .arg(currentBarText(), num(bar.open), num(bar.high), num(bar.low), num(bar.close),
                                  m_symbol.name, num(m_symbol.point))
                             .arg(SymbolSpec::kMaxPricePoints));
    }

    QString priceText(qint64 points) const { return decimalText(points, m_symbol.digits); }

    // A level (SL/TP) from a strategy in points: 0 for "none" (0.0), -1 when it is not a usable price
    // (it snaps below one point or lies beyond the range).
    qint64 levelPoints(double price) const
    {
        if (price == 0.0)
            return 0;
        if (!m_symbol.pointsInRange(price))
            return -1;
        const qint64 p = m_symbol.toPoints(price);
        return p >= 1 ? p : -1;
    }

    bool cancelRequested() const
    {
        return m_control.cancelRequested && m_control.cancelRequested->load(std::memory_order_relaxed);
    }

    void reportProgress(int percent, int &lastPercent) const
    {
        if (percent != lastPercent && m_control.onProgress) {
            lastPercent = percent;
            m_control.onProgress(percent);
        }
    }

    // ---- journal ----

    // Journal entries are formatted only while the journal has room or debug logging is on:
    // a blown account can reject an order on every signal for the rest of the test.
    template <typename MakeText> void journal(qint64 timeMs, MakeText makeText)
    {
        const bool keep = m_control.keepJournal && m_journal.size() < kJournalLimit;
        if (!keep && !m_log->should_log(spdlog::level::debug))
            return;
        QString line;
        line.reserve(256);  // a rejection's line is ~200 characters: one allocation, not a growth per append
        appendUtcMinute(line, timeMs);
        line += QLatin1String(" UTC: ");
        appendText(line, makeText);
        if (m_log->should_log(spdlog::level::debug))  // the UTF-8 copy only when it is logged
            m_log->debug("{}", line.toStdString());
        if (keep)
            m_journal.push_back(std::move(line));
    }

    template <typename MakeReason>
    void reject(RejectKind kind, qint64 timeMs, Side side, qint64 price, MakeReason reason)
    {
        ++m_rejected;
        ++m_rejectedOpens;
        ++m_rejectCounts[size_t(kind)];
        // Below half the deposit a rejection is the account's state (shown in the report), not a sign of data that
        // does not belong to the symbol.
        if (m_balance < 0.5 * m_config.initialDeposit)
            ++m_depletedRejects[size_t(kind)];
        journal(timeMs, [&](QString &line) {
            line += QLatin1String("order rejected: ");
            line += QLatin1String(sideName(side));
            line += QLatin1String(" at ");
            appendDecimal(line, price, m_symbol.digits);
            line += QLatin1String(": ");
            appendText(line, reason);
        });
    }

    // MT5's stop rule (retcode 10016 INVALID_STOPS): the level must be on its side of the market price and at
    // least the stops level away (BUY: bid − SL, TP − bid; SELL: SL − ask, ask − TP; all > 0 and >= level).
    // Returns an empty string when the level is valid, else why not.
    QString stopsProblem(const char *what, qint64 level, bool mustBeAbove, bool marketIsBid, qint64 market,
                         const char *sideText) const
    {
        QString problem;
        if (!stopsOk(level, mustBeAbove, market))
            appendStopsProblem(problem, what, level, mustBeAbove, marketIsBid, market, sideText);
        return problem;
    }

    // Appends why a level that fails stopsOk is invalid.
    void appendStopsProblem(QString &line, const char *what, qint64 level, bool mustBeAbove, bool marketIsBid,
                            qint64 market, const char *sideText) const
    {
        const qint64 distance = mustBeAbove ? level - market : market - level;
        const QLatin1String whatText(what);
        const QLatin1String side(mustBeAbove ? "above" : "below");
        const QLatin1String marketName(marketIsBid ? "bid" : "ask");
        line += QLatin1String("invalid stops (MT5 retcode 10016): ");
        line += whatText;
        line += QLatin1Char(' ');
        appendDecimal(line, level, m_symbol.digits);
        if (distance <= 0) {
            // "SL 1.10430 is not above the ask 1.10434; a SELL's SL must be above the ask (...)"
            line += QLatin1String(" is not ");
            line += side;
            line += QLatin1String(" the ");
            line += marketName;
            line += QLatin1Char(' ');
            appendDecimal(line, market, m_symbol.digits);
            line += QLatin1String("; a ");
            line += QLatin1String(sideText);
            line += QLatin1String("'s ");
            line += whatText;
            line += QLatin1String(" must be ");
            line += side;
            line += QLatin1String(" the ");
            line += marketName;
            line += QLatin1String(" (the level is inside the spread, or the market moved past it before the fill)");
            return;
        }
        // "SL 1.09985 is 15 points below the bid 1.10000, closer than EURUSD's stops level of 20 points"
        line += QLatin1String(" is ");
        line += QString::number(distance);
        line += QLatin1String(" points ");
        line += side;
        line += QLatin1String(" the ");
        line += marketName;
        line += QLatin1Char(' ');
        appendDecimal(line, market, m_symbol.digits);
        line += QLatin1String(", closer than ");
        line += m_symbol.name;
        line += QLatin1String("'s stops level of ");
        line += QString::number(m_stopsLevel);
        line += QLatin1String(" points");
    }

    bool stopsOk(qint64 level, bool mustBeAbove, qint64 market) const
    {
        const qint64 distance = mustBeAbove ? level - market : market - level;
        return distance > 0 && distance >= m_stopsLevel;
    }

    // ---- money ----

    // Appends `steps` volume steps as the decimal in lots ("0.33"), for the journal.
    void appendVolume(QString &line, qint64 steps) const
    {
        if (m_volumeDecimals >= 0)
            appendDecimal(line, steps * m_volumeStepUnits, m_volumeDecimals);
        else
            line += QString::number(lots(steps), 'g', 12);
    }

    double lots(qint64 steps) const
    {
        return m_volumeDecimals >= 0 ? double(steps * m_volumeStepUnits) / SymbolSpec::pow10(m_volumeDecimals)
                                     : double(steps) * m_symbol.volumeStep;
    }

    // Volume steps (rounded down) in `volume` lots, capped at volumeMax.
    qint64 stepsOf(double volume) const
    {
        const double steps = std::floor(volume / m_symbol.volumeStep + kVolumeEpsilon);
        return steps >= double(m_maxVolumeSteps) ? m_maxVolumeSteps : qint64(std::max(0.0, steps));
    }

    double floatingProfit(const OpenLevels &l, qint64 bid, int spread) const
    {
        return l.buy ? double(bid - l.open) * l.moneyPerPoint : double(l.open - (bid + spread)) * l.moneyPerPoint;
    }

    double equityAt(qint64 bid, int spread) const
    {
        double equity = m_balance;
        for (const OpenLevels &l : m_levels)
            equity += floatingProfit(l, bid, spread);
        return equity;
    }

    // ---- orders ----

    void executeAtOpen(const Action &a, qint64 timeMs, const BarPoints &px, int spread)
    {
        if (a.type == ActionType::ClosePosition) {
            if (a.volume == 0.0)
                closeMatching(a, timeMs, px, spread);
            else
                closePartOfLatest(a, timeMs, px, spread);
            return;
        }
        if (a.type == ActionType::ReducePosition) {
            reducePositions(a, timeMs, px, spread);
            return;
        }
        openTrade(a, timeMs, px, spread);
    }

    void openTrade(const Action &a, qint64 timeMs, const BarPoints &px, int spread)
    {
        ++m_openOrders;
        const bool buy = a.side == Side::Buy;
        const qint64 bid = px.open;
        const qint64 ask = bid + spread;
        const qint64 fill = buy ? ask + m_slippage : bid - m_slippage;

        const auto valid = [](double v) { return std::isfinite(v) && v >= 0.0; };
        if (!valid(a.volume) || !valid(a.riskPercent) || !valid(a.sl) || !valid(a.tp) || !valid(a.rr)) {
            reject(RejectKind::InvalidAction, timeMs, a.side, fill, [&] {
                return QStringLiteral("negative or non-finite volume, risk, SL, TP or rr in the strategy's action");
            });
            return;
        }
        if (fill <= 0) {
            reject(RejectKind::FillPrice, timeMs, a.side, fill, [&] {
                return QStringLiteral("the fill price is not above 0: the bid %1 minus %2 points of slippage; "
                                      "lower the slippage")
                    .arg(priceText(bid))
                    .arg(m_slippage);
            });
            return;
        }
        const qint64 sl = levelPoints(a.sl);
        qint64 tp = levelPoints(a.tp);
        if (sl < 0 || tp < 0) {
            reject(RejectKind::LevelRange, timeMs, a.side, fill, [&] {
                return QStringLiteral("SL %1 / TP %2 is not a price on %3's grid (below one point, %4, or beyond "
                                      "%5 points)")
                    .arg(num(a.sl), num(a.tp), m_symbol.name, num(m_symbol.point))
                    .arg(SymbolSpec::kMaxPricePoints);
            });
            return;
        }
        const char *sideText = buy ? "BUY" : "SELL";
        // BUY: bid − SL > 0; SELL: SL − ask > 0 (and >= the stops level).
        if (sl > 0 && !stopsOk(sl, !buy, buy ? bid : ask)) {
            reject(RejectKind::Stops, timeMs, a.side, fill, [&](QString &line) {
                appendStopsProblem(line, "SL", sl, !buy, buy, buy ? bid : ask, sideText);
            });
            return;
        }
        if (tp == 0 && a.rr > 0.0 && sl > 0) {
            // TP = fill ± |fill − SL| · rr in points, rounded half away from zero to a whole point (MQL5
            // NormalizeDouble on the price). The reward |fill − SL| · rr is first taken to 1e-6 of a point so that
            // a decimal rr (0.3, 1.5) rounds as written, not as its binary approximation.
            const double reward = std::round(double(buy ? fill - sl : sl - fill) * a.rr * 1e6) / 1e6;
            const double target = buy ? double(fill) + reward : double(fill) - reward;
            tp = target >= 0.5 && target <= double(SymbolSpec::kMaxPricePoints)
                     ? SymbolSpec::roundHalfAwayFromZero(target)
                     : -1;
            if (tp < 0) {
                reject(RejectKind::LevelRange, timeMs, a.side, fill, [&] {
                    return QStringLiteral("the TP from rr %1 (%2 points) is not a price on %3's grid")
                        .arg(num(a.rr), num(target), m_symbol.name);
                });
                return;
            }
        }
        // BUY: TP − bid > 0; SELL: ask − TP > 0 (and >= the stops level).
        if (tp > 0 && !stopsOk(tp, buy, buy ? bid : ask)) {
            reject(RejectKind::Stops, timeMs, a.side, fill, [&](QString &line) {
                appendStopsProblem(line, "TP", tp, buy, buy, buy ? bid : ask, sideText);
            });
            return;
        }

        qint64 steps = 0;
        if (a.volume > 0.0) {
            steps = stepsOf(a.volume);
        } else {
            if (a.riskPercent <= 0.0 || sl <= 0) {
                reject(RejectKind::Volume, timeMs, a.side, fill,
                       [&] { return QStringLiteral("no volume given and no risk %/stop-loss to size it from"); });
                return;
            }
            // equity · risk% / (stop distance in money per lot), rounded down to the volume step.
            const double equity = equityAt(bid, spread);
            const double lossPerLot = double(buy ? fill - sl : sl - fill) * m_moneyPerPointPerLot;
            if (equity > 0.0 && lossPerLot > 0.0)
                steps = stepsOf(equity * a.riskPercent / 100.0 / lossPerLot);
        }
        const double volume = lots(steps);
        if (steps <= 0 || volume + kVolumeEpsilon < m_symbol.volumeMin) {
            reject(RejectKind::Volume, timeMs, a.side, fill, [&](QString &line) {
                line += QLatin1String("volume ");
                appendVolume(line, steps);
                line += QLatin1String(" lots is below the symbol minimum ");
                line += m_volumeMinText;
                line += QLatin1String(" (equity too small for this risk % and stop distance)");
            });
            return;
        }

        Position p;
        p.ticket = m_nextTicket++;
        p.side = a.side;
        p.volume = volume;
        p.openTimeMs = timeMs;
        p.openPrice = m_symbol.fromPoints(fill);
        p.sl = sl > 0 ? m_symbol.fromPoints(sl) : 0.0;
        p.tp = tp > 0 ? m_symbol.fromPoints(tp) : 0.0;
        p.commission = roundMoney(-m_config.commissionPerLot * volume);
        p.comment = a.comment;
        m_balance += p.commission;
        ++m_deals;
        m_positions.push_back(std::move(p));
        const qint64 exitSide = buy ? bid : ask;
        m_levels.push_back({fill, sl, tp, exitSide, exitSide, volume * m_moneyPerPointPerLot, buy});
    }

    // New SL/TP decided at a bar's close, in force from the next bar. Checked like an order's stops against
    // that close (BUY: bid, SELL: ask); an invalid one is rejected (journal) and the old levels stay.
    void modifySltp(const Action &a, qint64 timeMs, const BarPoints &px, int spread)
    {
        const bool finite = std::isfinite(a.sl) && std::isfinite(a.tp) && a.sl >= 0.0 && a.tp >= 0.0;
        const qint64 sl = finite ? levelPoints(a.sl) : -1;
        const qint64 tp = finite ? levelPoints(a.tp) : -1;
        for (size_t k = 0; k < m_positions.size(); ++k) {
            Position &p = m_positions[k];
            if (a.ticket != 0 && p.ticket != a.ticket)
                continue;
            OpenLevels &l = m_levels[k];
            const qint64 market = l.buy ? px.close : px.close + spread;
            const char *sideText = l.buy ? "BUY" : "SELL";
            QString problem;
            if (sl < 0 || tp < 0)
                problem = QStringLiteral("SL %1 / TP %2 is not a price on %3's grid").arg(num(a.sl), num(a.tp), m_symbol.name);
            else if (sl > 0 && !stopsOk(sl, !l.buy, market))
                problem = stopsProblem("SL", sl, !l.buy, l.buy, market, sideText);
            else if (tp > 0 && !stopsOk(tp, l.buy, market))
                problem = stopsProblem("TP", tp, l.buy, l.buy, market, sideText);
            if (!problem.isEmpty()) {
                ++m_rejected;
                journal(timeMs, [&] { return QStringLiteral("modify rejected: ticket %1: ").arg(p.ticket) + problem; });
                continue;
            }
            if (sl > 0) {
                l.sl = sl;
                p.sl = m_symbol.fromPoints(sl);
            }
            if (tp > 0) {
                l.tp = tp;
                p.tp = m_symbol.fromPoints(tp);
            }
        }
    }

    // ---- closes, partial closes, reductions (strategy.h, docs/backtest-model.md) ----

    // Does `p` fall under a CLOSE_POSITION / REDUCE_POSITION's ticket (0 = any) and side (none = any)?
    static bool matches(const Action &a, const Position &p)
    {
        return (a.ticket == 0 || p.ticket == a.ticket) && (!a.onlySide || p.side == *a.onlySide);
    }

    // A strategy's market exit of m_positions[k] at this bar's open: a long at bid − slippage, a short at ask +
    // slippage.
    qint64 strategyExitPrice(size_t k, const BarPoints &px, int spread) const
    {
        return m_levels[k].buy ? px.open - m_slippage : px.open + spread + m_slippage;
    }

    // Volume steps of an open position (its volume is a whole number of steps).
    qint64 heldSteps(const Position &p) const { return std::llround(p.volume / m_symbol.volumeStep); }

    bool belowVolumeMin(qint64 steps) const { return steps <= 0 || lots(steps) + kVolumeEpsilon < m_symbol.volumeMin; }

    // A refused CLOSE_POSITION / REDUCE_POSITION: counted in rejectedOrders and journaled ("close rejected: ...").
    template <typename MakeReason> void refuseExit(const Action &a, qint64 timeMs, MakeReason reason)
    {
        ++m_rejected;
        journal(timeMs, [&](QString &line) {
            line += QLatin1String(a.type == ActionType::ReducePosition ? "reduce rejected: " : "close rejected: ");
            appendText(line, reason);
        });
    }

    // "ticket 7", "SELL positions", "SELL ticket 7", "positions": what an exit action asks for.
    QString exitTarget(const Action &a) const
    {
        const QString side = a.onlySide ? QString::fromLatin1(sideName(*a.onlySide)) + QLatin1Char(' ') : QString();
        if (a.ticket != 0)
            return side + QStringLiteral("ticket %1").arg(a.ticket);
        return side + QStringLiteral("positions");
    }

    void refuseNoMatch(const Action &a, qint64 timeMs)
    {
        refuseExit(a, timeMs, [&] {
            return QStringLiteral("no open %1 to close (%2 open position%3)")
                .arg(exitTarget(a))
                .arg(m_positions.size())
                .arg(m_positions.size() == 1 ? "" : "s");
        });
    }

    // The whole number of volume steps in a close or reduce volume (rounded down), or -1 after refusing it: not a
    // positive finite number, or below the symbol's volume min (MT5 retcode 10014).
    qint64 exitSteps(const Action &a, qint64 timeMs)
    {
        if (!std::isfinite(a.volume) || a.volume <= 0.0) {
            refuseExit(a, timeMs, [&] {
                return QStringLiteral("volume %1 is not a positive number of lots").arg(num(a.volume));
            });
            return -1;
        }
        const double steps = std::floor(a.volume / m_symbol.volumeStep + kVolumeEpsilon);
        const qint64 whole = steps < 1e15 ? qint64(steps) : qint64(1e15);
        if (belowVolumeMin(whole)) {
            refuseExit(a, timeMs, [&](QString &line) {
                line += QLatin1String("volume ");
                line += num(a.volume);
                line += QLatin1String(" lots (");
                appendVolume(line, whole);
                line += QLatin1String(" on the volume step) is below ");
                line += m_symbol.name;
                line += QLatin1String("'s volume min ");
                line += m_volumeMinText;
                line += QLatin1String(" (MT5 retcode 10014 TRADE_RETCODE_INVALID_VOLUME)");
            });
            return -1;
        }
        return whole;
    }

    // Why closing `steps` of the `held` steps of `p` in part is refused (the part or the rest below the volume
    // min, MT5 retcode 10014), or empty when it may close.
    QString partProblem(const Position &p, qint64 steps, qint64 held) const
    {
        const bool partSmall = belowVolumeMin(steps);
        if (!partSmall && !belowVolumeMin(held - steps))
            return {};
        QString line = QStringLiteral("closing ");
        appendVolume(line, steps);
        line += QStringLiteral(" of the ");
        appendVolume(line, held);
        line += QStringLiteral(" lots of %1 ticket %2 would ").arg(sideName(p.side)).arg(p.ticket);
        if (partSmall) {
            line += QStringLiteral("close a part below ");
        } else {
            line += QStringLiteral("leave ");
            appendVolume(line, held - steps);
            line += QStringLiteral(" lots open, below ");
        }
        line += m_symbol.name + QStringLiteral("'s volume min ") + m_volumeMinText +
                QStringLiteral(" (MT5 retcode 10014 TRADE_RETCODE_INVALID_VOLUME)");
        return line;
    }

    // CLOSE_POSITION without a volume: every matching position, whole, in opening order.
    void closeMatching(const Action &a, qint64 timeMs, const BarPoints &px, int spread)
    {
        bool found = false;
        for (size_t k = 0; k < m_positions.size();) {
            if (!matches(a, m_positions[k])) {
                ++k;
                continue;
            }
            found = true;
            closeAt(k, timeMs, strategyExitPrice(k, px, spread), CloseReason::StrategyExit);
        }
        if (!found && a.ticket != 0)
            refuseNoMatch(a, timeMs);
    }

    // CLOSE_POSITION with a volume: that many lots of the most recent matching position (all of it when equal).
    void closePartOfLatest(const Action &a, qint64 timeMs, const BarPoints &px, int spread)
    {
        const qint64 steps = exitSteps(a, timeMs);
        if (steps < 0)
            return;
        size_t k = m_positions.size();
        while (k > 0 && !matches(a, m_positions[k - 1]))
            --k;
        if (k == 0) {
            refuseNoMatch(a, timeMs);
            return;
        }
        --k;
        const Position &p = m_positions[k];
        const qint64 held = heldSteps(p);
        if (steps > held) {
            refuseAboveOpen(a, timeMs, steps, held, QStringLiteral("%1 ticket %2").arg(sideName(p.side)).arg(p.ticket));
            return;
        }
        if (steps == held) {
            closeAt(k, timeMs, strategyExitPrice(k, px, spread), CloseReason::StrategyExit);
            return;
        }
        if (const QString problem = partProblem(p, steps, held); !problem.isEmpty()) {
            refuseExit(a, timeMs, [&] { return problem; });
            return;
        }
        closePartAt(k, timeMs, strategyExitPrice(k, px, spread), steps, held);
    }

    // Refuses a close or reduction of `steps` volume steps when only `openSteps` are open in `what` ("BUY ticket 3",
    // "the open SELL positions"): MT5 answers 10038.
    void refuseAboveOpen(const Action &a, qint64 timeMs, qint64 steps, qint64 openSteps, const QString &what)
    {
        refuseExit(a, timeMs, [&](QString &line) {
            line += QLatin1String("volume ");
            appendVolume(line, steps);
            line += QStringLiteral(" lots is above the ");
            appendVolume(line, openSteps);
            line += QStringLiteral(" lots of %1 (MT5 retcode 10038 TRADE_RETCODE_INVALID_CLOSE_VOLUME)").arg(what);
        });
    }

    // REDUCE_POSITION: `volume` lots off the matching positions, most recent first; all or nothing.
    void reducePositions(const Action &a, qint64 timeMs, const BarPoints &px, int spread)
    {
        const qint64 steps = exitSteps(a, timeMs);
        if (steps < 0)
            return;
        qint64 rest = steps;
        qint64 matched = 0;
        for (size_t k = m_positions.size(); k-- > 0;) {
            if (!matches(a, m_positions[k]))
                continue;
            const qint64 held = heldSteps(m_positions[k]);
            matched += held;
            if (rest > 0 && held > rest) {
                if (const QString problem = partProblem(m_positions[k], rest, held); !problem.isEmpty()) {
                    refuseExit(a, timeMs, [&] { return problem; });
                    return;
                }
            }
            rest -= std::min(rest, held);
        }
        if (matched == 0) {
            refuseNoMatch(a, timeMs);
            return;
        }
        if (rest > 0) {
            refuseAboveOpen(a, timeMs, steps, matched, QStringLiteral("the open %1").arg(exitTarget(a)));
            return;
        }
        rest = steps;
        for (size_t k = m_positions.size(); k-- > 0 && rest > 0;) {
            if (!matches(a, m_positions[k]))
                continue;
            const qint64 held = heldSteps(m_positions[k]);
            const qint64 price = strategyExitPrice(k, px, spread);
            if (held <= rest) {
                rest -= held;
                closeAt(k, timeMs, price, CloseReason::StrategyExit);
            } else {
                closePartAt(k, timeMs, price, rest, held);
                rest = 0;
            }
        }
    }

    // Closes `steps` of the `held` volume steps of m_positions[k] at `price` points (0 < steps < held): a Trade for
    // that part (same ticket, its share of the entry commission, its own exit commission, profit and MAE/MFE for its
    // volume); the position stays open with the rest and the rest of the entry commission. A price <= 0 fills at
    // 1 point, as in closeAt.
    // `price` points, or 1 point (the lowest price on the grid) when slippage took it to 0 or below: a price <= 0 is
    // not a price, and the journal says so.
    qint64 fillableExit(quint64 ticket, qint64 timeMs, qint64 price)
    {
        if (price > 0) [[likely]]
            return price;
        ++m_clampedExits;
        journal(timeMs, [&] {
            return QStringLiteral("exit of ticket %1 at %2 points is not a price (%3 points of slippage); filled "
                                  "at 1 point, %4")
                .arg(ticket)
                .arg(price)
                .arg(m_slippage)
                .arg(priceText(1));
        });
        return 1;
    }

    // The trade of `volume` lots of `p` leaving at `price` points (commission left to the caller): profit, and
    // MAE/MFE from the worst and best prices seen while open (`worst`, `best`, points), money rounded to cents.
    Trade exitTrade(const Position &p, const OpenLevels &l, qint64 timeMs, qint64 price, double volume, qint64 worst,
                    qint64 best, CloseReason reason) const
    {
        Trade t;
        t.ticket = p.ticket;
        t.side = p.side;
        t.volume = volume;
        t.openTimeMs = p.openTimeMs;
        t.openPrice = p.openPrice;
        t.closeTimeMs = timeMs;
        t.closePrice = m_symbol.fromPoints(price);
        t.sl = p.sl;
        t.tp = p.tp;
        const auto money = [&](qint64 move) { return double(move) * m_moneyPerPointPerLot * volume; };
        t.profit = roundMoney(money(l.buy ? price - l.open : l.open - price));
        t.closeReason = reason;
        t.mae = roundMoney(std::min(0.0, money(l.buy ? worst - l.open : l.open - worst)));
        t.mfe = roundMoney(std::max(0.0, money(l.buy ? best - l.open : l.open - best)));
        t.comment = p.comment;
        return t;
    }

    void closePartAt(size_t k, qint64 timeMs, qint64 price, qint64 steps, qint64 held)
    {
        Position &p = m_positions[k];
        OpenLevels &l = m_levels[k];
        price = fillableExit(p.ticket, timeMs, price);
        const qint64 worst = l.buy ? std::min(l.worst, price) : std::max(l.worst, price);
        const qint64 best = l.buy ? std::max(l.best, price) : std::min(l.best, price);
        const double closed = lots(steps);
        const double entryCommission = roundMoney(p.commission * double(steps) / double(held));
        const double exitCommission = roundMoney(-m_config.commissionPerLot * closed);
        Trade t = exitTrade(p, l, timeMs, price, closed, worst, best, CloseReason::StrategyExit);
        t.commission = entryCommission + exitCommission;
        p.volume = lots(held - steps);
        p.commission = roundMoney(p.commission - entryCommission);
        l.moneyPerPoint = p.volume * m_moneyPerPointPerLot;
        m_balance += t.profit + exitCommission;
        ++m_deals;
        m_trades.push_back(std::move(t));
    }

    // Closes m_positions[k] (and removes it) at `price` points. A price <= 0 (slippage larger than the price)
    // is not a price: the exit fills at 1 point, the lowest price on the grid, and the journal says so.
    void closeAt(size_t k, qint64 timeMs, qint64 price, CloseReason reason)
    {
        price = fillableExit(m_positions[k].ticket, timeMs, price);
        const Position p = std::move(m_positions[k]);
        OpenLevels l = m_levels[k];
        m_positions.erase(m_positions.begin() + qptrdiff(k));
        m_levels.erase(m_levels.begin() + qptrdiff(k));
        if (l.buy) {
            l.worst = std::min(l.worst, price);
            l.best = std::max(l.best, price);
        } else {
            l.worst = std::max(l.worst, price);
            l.best = std::min(l.best, price);
        }
        Trade t = exitTrade(p, l, timeMs, price, p.volume, l.worst, l.best, reason);
        const double exitCommission = roundMoney(-m_config.commissionPerLot * p.volume);
        t.commission = p.commission + exitCommission;
        m_balance += t.profit + exitCommission;
        ++m_deals;
        m_trades.push_back(std::move(t));
    }

    // Intrabar SL/TP from the bar's OHLC, all in points. Longs exit on bid, shorts on ask = bid + spread.
    // Order per position: gap through the SL at the open, gap through the TP at the open, SL inside the bar,
    // TP inside the bar (SL first when both are inside: pessimistic). Slippage applies to SL exits only.
    void checkStopsAndExcursions(qint64 timeMs, const BarPoints &px, int spread)
    {
        for (size_t k = 0; k < m_levels.size();) {
            OpenLevels &l = m_levels[k];
            if (l.buy) {
                if (l.sl > 0 && px.open <= l.sl) {
                    closeAt(k, timeMs, px.open - m_slippage, CloseReason::SlHit); // gap through the stop
                    continue;
                }
                if (l.tp > 0 && px.open >= l.tp) {
                    closeAt(k, timeMs, px.open, CloseReason::TpHit);
                    continue;
                }
                if (l.sl > 0 && px.low <= l.sl) {
                    closeAt(k, timeMs, l.sl - m_slippage, CloseReason::SlHit);
                    continue;
                }
                if (l.tp > 0 && px.high >= l.tp) {
                    closeAt(k, timeMs, l.tp, CloseReason::TpHit);
                    continue;
                }
                l.worst = std::min(l.worst, px.low);
                l.best = std::max(l.best, px.high);
            } else {
                const qint64 askOpen = px.open + spread;
                const qint64 askHigh = px.high + spread;
                const qint64 askLow = px.low + spread;
                if (l.sl > 0 && askOpen >= l.sl) {
                    closeAt(k, timeMs, askOpen + m_slippage, CloseReason::SlHit);
                    continue;
                }
                if (l.tp > 0 && askOpen <= l.tp) {
                    closeAt(k, timeMs, askOpen, CloseReason::TpHit);
                    continue;
                }
                if (l.sl > 0 && askHigh >= l.sl) {
                    closeAt(k, timeMs, l.sl + m_slippage, CloseReason::SlHit);
                    continue;
                }
                if (l.tp > 0 && askLow <= l.tp) {
                    closeAt(k, timeMs, l.tp, CloseReason::TpHit);
                    continue;
                }
                l.worst = std::max(l.worst, askHigh);
                l.best = std::min(l.best, askLow);
            }
            ++k;
        }
    }

    EquityPoint markToMarket(qint64 timeMs, const BarPoints &px, int spread) const
    {
        EquityPoint point;
        point.timeMs = timeMs;
        point.balance = m_balance;
        point.equity = m_balance;
        point.equityLow = m_balance;
        if (m_levels.empty())
            return point;
        double low = m_balance;
        for (const OpenLevels &l : m_levels) {
            point.equity += floatingProfit(l, px.close, spread);
            low += l.buy ? double(px.low - l.open) * l.moneyPerPoint
                         : double(l.open - (px.high + spread)) * l.moneyPerPoint;
        }
        point.equityLow = std::min(low, point.equity);
        return point;
    }

    void closeAllAtEnd(qint64 timeMs, const BarPoints &last, int spread)
    {
        while (!m_positions.empty())
            closeAt(0, timeMs, m_levels.front().buy ? last.close : last.close + spread, CloseReason::EndOfTest);
    }

    // ---- warnings ----

    QStringList warnings(const BacktestResult &result) const
    {
        QStringList out;
        const QString bars = report::money(double(result.barsProcessed), 0);
        if (m_offGridBars > 0) {
            const Bar &b = m_bars[size_t(m_firstOffGridBar)];
            out << QStringLiteral("%1 of %2 bars have prices off %3's price grid (%4 digits, point %5), the first at %6 "
                                  "UTC (open/high/low/close %7 / %8 / %9 / %10); they were snapped to the nearest "
                                  "point (half away from zero). Data with more decimals than the symbol's digits "
                                  "likely belongs to another symbol or needs another symbol specification.")
                       .arg(report::money(double(m_offGridBars), 0), bars, m_symbol.name)
                       .arg(m_symbol.digits)
                       .arg(num(m_symbol.point), report::utcMinute(b.timeMs), num(b.open), num(b.high), num(b.low),
                            num(b.close));
        }
        if (m_symbol.digits > 0 && result.barsProcessed >= kCoarseCheckMinBars && !m_lastDigitUsed) {
            const int used = decimalsUsed(result.barsProcessed);
            out << QStringLiteral("no price in the data uses the last of %1's %2 digits (the prices have at most %3 "
                                  "decimals): the data likely belongs to another symbol; run it with the symbol it "
                                  "was recorded for.")
                       .arg(m_symbol.name)
                       .arg(m_symbol.digits)
                       .arg(used);
        }
        // Rejections of a healthy account only: with the balance below half the deposit, rejections are the
        // account's state (the report shows it), not a sign that data and symbol do not match.
        std::array<int, kRejectKinds> counts{};
        int counted = 0, depleted = 0;
        for (int k = 0; k < kRejectKinds; ++k) {
            counts[size_t(k)] = m_rejectCounts[size_t(k)] - m_depletedRejects[size_t(k)];
            counted += counts[size_t(k)];
            depleted += m_depletedRejects[size_t(k)];
        }
        const int orders = m_openOrders - depleted;
        if (counted >= kRejectWarningMin && 2 * counted > orders) {
            int top = 0;
            for (int k = 1; k < kRejectKinds; ++k)
                if (counts[size_t(k)] > counts[size_t(top)])
                    top = k;
            double low = m_bars.front().low, high = m_bars.front().high;
            for (qint64 i = 0; i < result.barsProcessed; ++i) {
                low = std::min(low, m_bars[size_t(i)].low);
                high = std::max(high, m_bars[size_t(i)].high);
            }
            out << QStringLiteral("%1 of %2 orders (%3) were rejected while the balance was at least half the "
                                  "deposit, %4 of them because %5. The data (bid %6 to %7) likely does not belong to "
                                  "%8 (check the symbol), or the settings (strategy parameters, slippage) do not fit "
                                  "it; see the journal.")
                       .arg(report::money(counted, 0), report::money(orders, 0),
                            report::percent(100.0 * counted / orders, 1), report::money(counts[size_t(top)], 0),
                            QString::fromLatin1(rejectKindText(RejectKind(top))), num(low), num(high), m_symbol.name);
        }
        const qint64 warmup = m_strategy.warmupBars();
        if (!result.cancelled && warmup > 0 && result.barsProcessed < warmup + 2) {
            out << QStringLiteral("strategy %1 needs %2 bars of warm-up (its longest indicator period) before its first "
                                  "signal and one more bar to fill an order, but the data has only %3 bars: no trade "
                                  "could open. Load more bars or shorten the indicator periods.")
                       .arg(result.strategy, report::money(double(warmup), 0), bars);
        }
        if (m_clampedExits > 0) {
            out << QStringLiteral("%1 exits would have filled at 0 or below (slippage %2 points is larger than the "
                                  "price); they were filled at 1 point, %3. Lower the slippage.")
                       .arg(m_clampedExits)
                       .arg(m_slippage)
                       .arg(priceText(1));
        }
        return out;
    }

    // Decimals the data actually uses (0..digits): the finest grid of every bid price. A slow pass, taken only
    // for the coarse-decimals warning.
    int decimalsUsed(qint64 count) const
    {
        int used = 0;
        for (qint64 i = 0; i < count && used < m_symbol.digits; ++i) {
            const Bar &b = m_bars[size_t(i)];
            for (double price : {b.open, b.high, b.low, b.close}) {
                qint64 p = m_symbol.toPoints(price);
                int d = m_symbol.digits;
                while (d > used && p % 10 == 0) {
                    p /= 10;
                    --d;
                }
                used = std::max(used, d);
            }
        }
        return used;
    }

    std::span<const Bar> m_bars;
    const SymbolSpec &m_symbol;
    Strategy &m_strategy;
    const BacktestConfig &m_config;
    const BacktestControl &m_control;
    std::shared_ptr<spdlog::logger> m_log;
    const double m_scale;               // points per 1.0 of price (10^digits)
    const double m_moneyPerPointPerLot; // profit currency
    const qint64 m_slippage;            // points
    const qint64 m_stopsLevel;          // points
    int m_volumeDecimals = -1;          // decimals of the volume step, -1 when it has none that fit
    qint64 m_volumeStepUnits = 1;       // volume step · 10^m_volumeDecimals
    qint64 m_maxVolumeSteps = 0;
    QString m_volumeMinText;

    double m_balance = 0.0;
    quint64 m_nextTicket = 1;
    qint64 m_currentBar = 0;
    int m_deals = 0;
    int m_rejected = 0;      // rejected OPEN_TRADE, MODIFY_SLTP, CLOSE_POSITION and REDUCE_POSITION requests
    int m_openOrders = 0;    // OPEN_TRADE actions executed
    int m_rejectedOpens = 0; // ... of which rejected
    std::array<int, kRejectKinds> m_rejectCounts{};
    std::array<int, kRejectKinds> m_depletedRejects{}; // ... of which with a balance below half the deposit
    int m_clampedExits = 0;
    qint64 m_offGridBars = 0;
    qint64 m_firstOffGridBar = 0;
    bool m_lastDigitUsed = false;
    std::vector<Position> m_positions; // open positions, in opening order; strategies see this vector
    std::vector<OpenLevels> m_levels;  // m_levels[k] belongs to m_positions[k]
    std::vector<Trade> m_trades;
    std::vector<EquityPoint> m_equity;
    QStringList m_journal;
};

Result<void> validateSymbol(const SymbolSpec &symbol)
{
    const auto bad = [&](const QString &what) {
        return makeError(QStringLiteral("symbol %1 has an unusable specification: %2; fix it in symbols.json")
                             .arg(symbol.name, what));
    };
    if (symbol.digits < 0 || symbol.digits > 10)
        return bad(QStringLiteral("digits %1 is not 0..10").arg(symbol.digits));
    if (!(std::fabs(symbol.point * symbol.pointsPerPrice() - 1.0) <= 1e-9))
        return bad(QStringLiteral("point %1 is not 10^-digits (digits %2)").arg(num(symbol.point)).arg(symbol.digits));
    if (!(symbol.tickSize > 0.0) || !(symbol.tickValue > 0.0) || !std::isfinite(symbol.moneyPerPointPerLot()))
        return bad(QStringLiteral("tick size %1 / tick value %2 are not positive").arg(num(symbol.tickSize), num(symbol.tickValue)));
    if (!(symbol.volumeStep > 0.0) || !(symbol.volumeMin > 0.0) || !(symbol.volumeMax >= symbol.volumeMin) ||
        !std::isfinite(symbol.volumeMax))
        return bad(QStringLiteral("volume min %1 / step %2 / max %3 are not positive with min <= max")
                       .arg(num(symbol.volumeMin), num(symbol.volumeStep), num(symbol.volumeMax)));
    if (symbol.stopsLevelPoints < 0 || symbol.defaultSpreadPoints < 0)
        return bad(QStringLiteral("spread %1 / stops level %2 points are negative")
                       .arg(symbol.defaultSpreadPoints)
                       .arg(symbol.stopsLevelPoints));
    return {};
}

Result<void> validate(std::span<const Bar> bars, const SymbolSpec &symbol, const BacktestConfig &config)
{
    if (bars.empty())
        return makeError(QStringLiteral("no bars to test: load a data file that holds at least one bar"));
    if (auto valid = validateBacktestConfig(config); !valid)
        return valid;
    if (auto valid = validateSymbol(symbol); !valid)
        return valid;
    if (!symbol.currencyProfit.isEmpty() &&
        symbol.currencyProfit.compare(config.depositCurrency, Qt::CaseInsensitive) != 0)
        return makeError(QStringLiteral("symbol %1 makes profit in %2 but the deposit is in %3: currency conversion is "
                                        "not supported yet, use a %3-quoted symbol or a %2 deposit")
                             .arg(symbol.name, symbol.currencyProfit, config.depositCurrency));
    return {};
}

} // namespace

Result<void> validateBacktestConfig(const BacktestConfig &config)
{
    using namespace backtestLimits;
    if (!(config.initialDeposit > 0.0 && config.initialDeposit <= kMaxDeposit))
        return makeError(QStringLiteral("initial deposit %1 is out of range: give more than 0 and at most %2 (deposit "
                                        "currency)")
                             .arg(num(config.initialDeposit), QString::number(kMaxDeposit, 'f', 0)));
    if (config.spreadPoints != -1 && (config.spreadPoints < 0 || config.spreadPoints > kMaxSpreadPoints))
        return makeError(QStringLiteral("spread %1 points is out of range: give 0 to %2 whole points, or -1 for the "
                                        "bars' own spread (else the symbol's default)")
                             .arg(config.spreadPoints)
                             .arg(kMaxSpreadPoints));
    if (config.slippagePoints < 0 || config.slippagePoints > kMaxSlippagePoints)
        return makeError(QStringLiteral("slippage %1 points is out of range: give 0 to %2 whole points")
                             .arg(config.slippagePoints)
                             .arg(kMaxSlippagePoints));
    if (!(config.commissionPerLot >= 0.0 && config.commissionPerLot <= kMaxCommissionPerLot))
        return makeError(QStringLiteral("commission per lot %1 is out of range: give 0 to %2 (deposit currency per "
                                        "lot per deal)")
                             .arg(num(config.commissionPerLot), QString::number(kMaxCommissionPerLot, 'f', 0)));
    return {};
}

Result<BacktestResult> runBacktest(std::span<const Bar> bars, const SymbolSpec &symbol, Strategy &strategy,
                                   const BacktestConfig &config, const BacktestControl &control)
{
    if (auto valid = validate(bars, symbol, config); !valid)
        return valid.error();
    Simulation simulation(bars, symbol, strategy, config, control);
    try {
        return simulation.run();
    } catch (const std::exception &e) {
        // A broken strategy must not take the application down; the run fails with its message.
        return makeError(QStringLiteral("strategy %1 failed on %2 %3: %4")
                             .arg(strategy.name(), symbol.name)
                             .arg(simulation.currentBarText(), QString::fromUtf8(e.what())));
    }
}

} // namespace bd
