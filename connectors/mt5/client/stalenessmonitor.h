#pragma once
// StalenessMonitor: per-symbol tick freshness (MT5_PROTOCOL.md §4.10): a subscribed symbol is stale when no tick
// arrived for more than `thresholdMs` while the terminal reported itself connected. While the terminal (or the link)
// is down no symbol turns stale — the link status already says so — and the silence is counted from when it came
// back. Times are the caller's clock in ms (the connector uses UTC epoch ms); a market in a known gap (weekend,
// session break) looks stale too: the engine decides with its calendar.

#include "linkstatus.h"

#include <QHash>
#include <QString>
#include <QVector>

namespace bd::mt5 {

class StalenessMonitor {
public:
    explicit StalenessMonitor(qint64 thresholdMs = 30000) : m_thresholdMs(thresholdMs) {}

    void setThresholdMs(qint64 ms) { m_thresholdMs = ms; }
    qint64 thresholdMs() const { return m_thresholdMs; }

    // Starts watching `symbol` (the silence counts from nowMs).
    void watch(const QString &symbol, qint64 nowMs);
    void unwatch(const QString &symbol);
    // A tick of `symbol` arrived at nowMs. Returns true when this made a stale symbol fresh.
    bool tickArrived(const QString &symbol, qint64 nowMs);
    // The terminal (and link) is up or down as of nowMs; going up restarts every symbol's silence.
    void setConnected(bool connected, qint64 nowMs);
    // Re-evaluates every symbol at nowMs and returns the ones whose stale flag changed.
    QVector<SymbolFeedState> evaluate(qint64 nowMs);
    // Every watched symbol's state at nowMs, by name.
    QVector<SymbolFeedState> states(qint64 nowMs) const;
    // `symbol`'s state at nowMs (an unwatched symbol: empty name).
    SymbolFeedState state(const QString &symbol, qint64 nowMs) const;

private:
    struct Entry {
        qint64 lastTickAtMs = 0;
        qint64 silentSinceMs = 0;  // last tick, or when watching/connection started, whichever is later
        bool stale = false;
    };
    SymbolFeedState stateOf(const QString &symbol, const Entry &e, qint64 nowMs) const;
    qint64 m_thresholdMs;
    bool m_connected = false;
    QHash<QString, Entry> m_entries;
};

} // namespace bd::mt5
