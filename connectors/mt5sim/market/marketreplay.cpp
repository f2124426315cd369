#include "marketreplay.h"

#include "symbolspec.h"

#include <algorithm>
#include <limits>

namespace bd::mt5sim {

namespace {
constexpr qint64 kBarMs = 60'000;
constexpr qint64 kGapMs = 60'000;
} // namespace

int MarketReplay::addBarFeed(const QString &symbol, int digits, int defaultSpreadPoints, Bars bars)
{
    Feed f;
    f.symbol = symbol;
    f.digits = digits;
    f.defaultSpread = defaultSpreadPoints;
    for (Bar &b : bars) {
        if (b.spreadPoints < 0)
            b.spreadPoints = defaultSpreadPoints;
        b.tickVolume = quint32(tickCountFor(b, m_mode, digits));
    }
    f.bars = std::move(bars);
    m_feeds.push_back(std::move(f));
    return int(m_feeds.size()) - 1;
}

int MarketReplay::addTickFeed(const QString &symbol, int digits, std::vector<SimTick> ticks)
{
    Feed f;
    f.symbol = symbol;
    f.digits = digits;
    const double scale = SymbolSpec::pow10(digits);
    for (size_t i = 0; i < ticks.size(); ++i) {
        const SimTick &t = ticks[i];
        const qint64 minute = t.timeMsc - ((t.timeMsc % kBarMs) + kBarMs) % kBarMs;
        const int spread = int(SymbolSpec::roundHalfAwayFromZero((t.ask - t.bid) * scale));
        if (f.bars.empty() || f.bars.back().timeMs != minute) {
            Bar b;
            b.timeMs = minute;
            b.open = b.high = b.low = b.close = t.bid;
            b.tickVolume = 0;
            b.spreadPoints = spread;
            f.bars.push_back(b);
            f.realStart.push_back(i);
        }
        Bar &b = f.bars.back();
        b.high = std::max(b.high, t.bid);
        b.low = std::min(b.low, t.bid);
        b.close = t.bid;
        b.spreadPoints = std::min(b.spreadPoints, spread);
        ++b.tickVolume;
    }
    f.realStart.push_back(ticks.size());
    f.defaultSpread = f.bars.empty() ? 0 : f.bars.front().spreadPoints;
    f.real = std::move(ticks);
    m_feeds.push_back(std::move(f));
    return int(m_feeds.size()) - 1;
}

qint64 MarketReplay::firstTime() const
{
    qint64 first = std::numeric_limits<qint64>::max();
    for (const Feed &f : m_feeds)
        if (!f.bars.empty())
            first = std::min(first, f.bars.front().timeMs);
    return first == std::numeric_limits<qint64>::max() ? 0 : first;
}

void MarketReplay::loadBar(Feed &f, size_t index)
{
    f.cur = index;
    f.loaded = true;
    f.nextTick = 0;
    f.pending.clear();
    if (index >= f.bars.size())
        return;
    if (!f.real.empty()) {
        f.pending.assign(f.real.begin() + qsizetype(f.realStart[index]), f.real.begin() + qsizetype(f.realStart[index + 1]));
    } else {
        const Bar &b = f.bars[index];
        f.pending = generateTicks(b, m_mode, f.digits, b.spreadPoints);
    }
}

std::optional<qint64> MarketReplay::nextTimeOf(Feed &f)
{
    if (!f.loaded)
        loadBar(f, f.cur);
    while (f.nextTick >= f.pending.size()) {
        if (f.cur + 1 >= f.bars.size() || f.cur >= f.bars.size())
            return std::nullopt;
        loadBar(f, f.cur + 1);
    }
    return f.pending[f.nextTick].timeMsc;
}

std::optional<qint64> MarketReplay::peekTickTime()
{
    std::optional<qint64> best;
    for (Feed &f : m_feeds)
        if (const auto t = nextTimeOf(f); t && (!best || *t < *best))
            best = t;
    return best;
}

bool MarketReplay::atEnd()
{
    if (peekTickTime())
        return false;
    for (const Feed &f : m_feeds)
        if (f.openBar)
            return false;
    return true;
}

std::optional<MarketReplay::Item> MarketReplay::next()
{
    // Which feed ticks next?
    int bestFeed = -1;
    qint64 bestTime = std::numeric_limits<qint64>::max();
    for (size_t i = 0; i < m_feeds.size(); ++i)
        if (const auto t = nextTimeOf(m_feeds[i]); t && *t < bestTime) {
            bestTime = *t;
            bestFeed = int(i);
        }
    // Close every bar that ends by then (or every open bar at the end of the data).
    for (size_t i = 0; i < m_feeds.size(); ++i) {
        Feed &f = m_feeds[i];
        if (!f.openBar)
            continue;
        const Bar &b = f.bars[*f.openBar];
        if (bestFeed >= 0 && b.timeMs + kBarMs > bestTime)
            continue;
        Item item;
        item.kind = Item::Kind::BarClosed;
        item.feed = int(i);
        item.bar = b;
        f.closedUpTo = std::max(f.closedUpTo, *f.openBar + 1);
        f.openBar.reset();
        return item;
    }
    if (bestFeed < 0)
        return std::nullopt;
    Feed &f = m_feeds[size_t(bestFeed)];
    const SimTick tick = f.pending[f.nextTick++];
    if (!f.openBar || *f.openBar != f.cur) {
        f.openBar = f.cur;
        f.forming = Bar{};
        f.forming.timeMs = f.bars[f.cur].timeMs;
        f.forming.open = f.forming.high = f.forming.low = tick.bid;
        f.forming.spreadPoints = f.bars[f.cur].spreadPoints;
    }
    f.forming.high = std::max(f.forming.high, tick.bid);
    f.forming.low = std::min(f.forming.low, tick.bid);
    f.forming.close = tick.bid;
    ++f.forming.tickVolume;
    f.last = tick;
    m_clock = tick.timeMsc;
    Item item;
    item.kind = Item::Kind::Tick;
    item.feed = bestFeed;
    item.tick = tick;
    return item;
}

void MarketReplay::seek(qint64 timeMsc)
{
    for (Feed &f : m_feeds) {
        const auto it = std::upper_bound(f.bars.begin(), f.bars.end(), timeMsc,
                                         [](qint64 t, const Bar &b) { return t < b.timeMs + kBarMs; });
        const size_t index = size_t(it - f.bars.begin());
        f.closedUpTo = index;
        f.openBar.reset();
        f.last.reset();
        loadBar(f, index);
        while (f.nextTick < f.pending.size() && f.pending[f.nextTick].timeMsc < timeMsc)
            ++f.nextTick;
        // Ticks of the bar containing timeMsc that are already past still shape its forming OHLC.
        if (f.nextTick > 0) {
            f.openBar = f.cur;
            f.forming = Bar{};
            f.forming.timeMs = f.bars[f.cur].timeMs;
            f.forming.spreadPoints = f.bars[f.cur].spreadPoints;
            f.forming.open = f.forming.high = f.forming.low = f.pending[0].bid;
            for (size_t k = 0; k < f.nextTick; ++k) {
                f.forming.high = std::max(f.forming.high, f.pending[k].bid);
                f.forming.low = std::min(f.forming.low, f.pending[k].bid);
                f.forming.close = f.pending[k].bid;
                ++f.forming.tickVolume;
            }
            f.last = f.pending[f.nextTick - 1];
        } else if (index > 0 && index <= f.bars.size()) {
            // At a bar's start the quote is the previous bar's last tick (MT5 shows the last known price).
            const Bar &prev = f.bars[index - 1];
            const auto ticks = !f.real.empty()
                ? std::vector<SimTick>(f.real.begin() + qsizetype(f.realStart[index - 1]),
                                       f.real.begin() + qsizetype(f.realStart[index]))
                : generateTicks(prev, m_mode, f.digits, prev.spreadPoints);
            if (!ticks.empty())
                f.last = ticks.back();
        }
    }
    m_clock = timeMsc;
}

bool MarketReplay::inGap(int feed)
{
    Feed &f = m_feeds[size_t(feed)];
    if (!f.last)
        return true;
    if (f.openBar)
        return false;
    const auto t = nextTimeOf(f);
    return !t || *t - m_clock > kGapMs;
}

std::optional<Bar> MarketReplay::formingBar(int feed) const
{
    const Feed &f = m_feeds[size_t(feed)];
    if (!f.openBar)
        return std::nullopt;
    return f.forming;
}

} // namespace bd::mt5sim
