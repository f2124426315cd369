#include "tickgenerator.h"

#include "symbolspec.h"

#include <algorithm>
#include <cmath>

namespace bd::mt5sim {

namespace {

constexpr int kMaxTicksPerBar = 60;

// The reference prices (in points) of `bar`: O, then the first and second extreme, then C; consecutive equal
// prices merged.
std::vector<qint64> referencePoints(const Bar &bar, double scale)
{
    auto pts = [&](double p) { return SymbolSpec::roundHalfAwayFromZero(p * scale); };
    const qint64 o = pts(bar.open), h = pts(bar.high), l = pts(bar.low), c = pts(bar.close);
    const bool bull = c >= o;
    std::vector<qint64> path{o, bull ? l : h, bull ? h : l, c};
    path.erase(std::unique(path.begin(), path.end()), path.end());
    return path;
}

} // namespace

std::optional<TickMode> parseTickMode(const QString &name)
{
    if (name == QLatin1String("every_tick"))
        return TickMode::EveryTick;
    if (name == QLatin1String("m1_ohlc"))
        return TickMode::M1Ohlc;
    if (name == QLatin1String("open_only"))
        return TickMode::OpenOnly;
    return std::nullopt;
}

QString tickModeName(TickMode mode)
{
    switch (mode) {
    case TickMode::EveryTick: return QStringLiteral("every_tick");
    case TickMode::M1Ohlc: return QStringLiteral("m1_ohlc");
    case TickMode::OpenOnly: return QStringLiteral("open_only");
    }
    return {};
}

int tickCountFor(const Bar &bar, TickMode mode, int digits)
{
    switch (mode) {
    case TickMode::OpenOnly: return 1;
    case TickMode::M1Ohlc: return 4;
    case TickMode::EveryTick: break;
    }
    const double scale = SymbolSpec::pow10(digits);
    const auto path = referencePoints(bar, scale);
    if (path.size() == 1)
        return 1;
    const qint64 range = SymbolSpec::roundHalfAwayFromZero(bar.high * scale) - SymbolSpec::roundHalfAwayFromZero(bar.low * scale);
    if (path.size() == 2 && path.front() != path.back() && std::abs(path.front() - path.back()) == range)
        return 2;
    const int byRange = int(std::min<qint64>(kMaxTicksPerBar, 3 + range / 4));
    return std::max(int(path.size()), byRange);
}

std::vector<SimTick> generateTicks(const Bar &bar, TickMode mode, int digits, int spreadPoints)
{
    std::vector<SimTick> ticks;
    for (double p : {bar.open, bar.high, bar.low, bar.close})
        if (!std::isfinite(p) || p <= 0)
            return ticks;
    const double scale = SymbolSpec::pow10(digits);
    auto pts = [&](double p) { return SymbolSpec::roundHalfAwayFromZero(p * scale); };
    const qint64 spread = std::max(0, spreadPoints);
    std::vector<qint64> prices;  // bids in points
    switch (mode) {
    case TickMode::OpenOnly: prices = {pts(bar.open)}; break;
    case TickMode::M1Ohlc: {
        const bool bull = bar.close >= bar.open;
        prices = {pts(bar.open), pts(bull ? bar.low : bar.high), pts(bull ? bar.high : bar.low), pts(bar.close)};
        break;
    }
    case TickMode::EveryTick: {
        const int n = tickCountFor(bar, mode, digits);
        const auto path = referencePoints(bar, scale);
        if (n == 1) {
            prices = {pts(bar.close)};
            break;
        }
        if (n == 2) {
            prices = {pts(bar.open), pts(bar.close)};
            break;
        }
        // Share the n − 1 ticks after the open among the path's segments by length (largest remainder), at least
        // one per segment (its end point).
        const size_t segments = path.size() - 1;
        std::vector<qint64> len(segments);
        qint64 total = 0;
        for (size_t i = 0; i < segments; ++i) {
            len[i] = std::abs(path[i + 1] - path[i]);
            total += len[i];
        }
        const int spare = n - 1 - int(segments);
        std::vector<int> count(segments, 1);
        std::vector<std::pair<double, size_t>> remainders;
        int given = 0;
        for (size_t i = 0; i < segments; ++i) {
            const double share = total > 0 ? double(spare) * double(len[i]) / double(total) : 0;
            count[i] += int(share);
            given += int(share);
            remainders.push_back({share - std::floor(share), i});
        }
        std::stable_sort(remainders.begin(), remainders.end(), [](auto a, auto b) { return a.first > b.first; });
        for (int k = 0; k < spare - given; ++k)
            ++count[remainders[size_t(k) % segments].second];
        prices.push_back(path[0]);
        for (size_t i = 0; i < segments; ++i)
            for (int j = 1; j <= count[i]; ++j) {
                const double x = double(path[i]) + double(path[i + 1] - path[i]) * j / count[i];
                prices.push_back(SymbolSpec::roundHalfAwayFromZero(x));
            }
        break;
    }
    }
    const qint64 n = qint64(prices.size());
    ticks.reserve(prices.size());
    for (qint64 k = 0; k < n; ++k) {
        SimTick t;
        t.timeMsc = bar.timeMs + k * 60000 / n;
        t.bid = double(prices[size_t(k)]) / scale;
        t.ask = double(prices[size_t(k)] + spread) / scale;
        t.flags = 6;
        ticks.push_back(t);
    }
    return ticks;
}

} // namespace bd::mt5sim
