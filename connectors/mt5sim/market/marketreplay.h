#pragma once
// MarketReplay: the simulated market of botdesk-mt5sim. Replays one or more symbols in time order, each from M1
// bars (ticks generated as the MT5 tester does, tickgenerator.h) or from real ticks (M1 bars built from their bids).
// It yields, one at a time, the next tick of whichever symbol is due first, and — before any tick at or after a bar's
// end (bar time + 60 s) — that bar's `BarClosed` item, exactly once per bar. The server clock is the time of the last
// tick delivered (server clock = dataset UTC + the configured offset; the caller shifts the data). Pacing (speed,
// pauses, gap skipping) belongs to the caller (server/replaydriver); this class has no timers.

#include "bar.h"
#include "tickgenerator.h"

#include <QString>

#include <optional>
#include <vector>

namespace bd::mt5sim {

class MarketReplay {
public:
    explicit MarketReplay(TickMode mode) : m_mode(mode) {}

    // Adds a symbol replayed from M1 `bars` (server-clock times, strictly increasing); a bar's spread −1 means
    // `defaultSpreadPoints`. Each bar's tickVolume is set to the number of ticks the mode makes for it.
    // Returns the feed index.
    int addBarFeed(const QString &symbol, int digits, int defaultSpreadPoints, Bars bars);
    // Adds a symbol replayed from real `ticks` (server clock, non-decreasing). M1 bars are built from the bids:
    // O/H/L/C, tick count, spread = the smallest spread of the minute (points).
    int addTickFeed(const QString &symbol, int digits, std::vector<SimTick> ticks);

    int feedCount() const { return int(m_feeds.size()); }
    const QString &symbol(int feed) const { return m_feeds[size_t(feed)].symbol; }
    TickMode mode() const { return m_mode; }

    struct Item {
        enum class Kind { Tick, BarClosed };
        Kind kind = Kind::Tick;
        int feed = 0;
        SimTick tick;  // Tick
        Bar bar;       // BarClosed: the bar's final OHLC (open time in timeMs), tickVolume, spreadPoints
    };
    // The next item, or std::nullopt when every feed is exhausted (after the last bars were closed).
    std::optional<Item> next();
    // Server time of the next tick (std::nullopt at the end of the data).
    std::optional<qint64> peekTickTime();
    // Server time of the last tick delivered (or of the last seek); epoch ms.
    qint64 clockMsc() const { return m_clock; }
    bool atEnd();

    // Moves every feed to its first tick at or after `timeMsc` (bars ending by then count as closed; no BarClosed
    // item is made for them). Forward or backward.
    void seek(qint64 timeMsc);

    // True when the symbol has no current quote or sits in a data gap (its next tick more than 60 s away, or none).
    bool inGap(int feed);

    const Bars &bars(int feed) const { return m_feeds[size_t(feed)].bars; }
    // bars(feed)[0, closedCount) are closed at the current clock.
    size_t closedCount(int feed) const { return m_feeds[size_t(feed)].closedUpTo; }
    // The bar being formed from the ticks delivered so far (std::nullopt between bars).
    std::optional<Bar> formingBar(int feed) const;
    std::optional<SimTick> lastTick(int feed) const { return m_feeds[size_t(feed)].last; }
    // The first data time of all feeds (epoch ms), 0 when there is none.
    qint64 firstTime() const;

private:
    struct Feed {
        QString symbol;
        int digits = 5;
        int defaultSpread = 10;
        Bars bars;
        std::vector<SimTick> real;       // real ticks (tick feeds)
        std::vector<size_t> realStart;   // tick feeds: first real tick of bars[i]; size bars + 1
        size_t cur = 0;                  // bar whose ticks are in `pending`
        bool loaded = false;
        std::vector<SimTick> pending;
        size_t nextTick = 0;
        std::optional<size_t> openBar;   // a bar with delivered ticks whose BarClosed is not yet out
        size_t closedUpTo = 0;
        Bar forming;
        std::optional<SimTick> last;
    };
    void loadBar(Feed &f, size_t index);
    std::optional<qint64> nextTimeOf(Feed &f);

    TickMode m_mode;
    std::vector<Feed> m_feeds;
    qint64 m_clock = 0;
};

} // namespace bd::mt5sim
