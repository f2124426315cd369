#include "stalenessmonitor.h"

#include <algorithm>

namespace bd::mt5 {

void StalenessMonitor::watch(const QString &symbol, qint64 nowMs)
{
    if (m_entries.contains(symbol))
        return;
    Entry e;
    e.silentSinceMs = nowMs;
    m_entries.insert(symbol, e);
}

void StalenessMonitor::unwatch(const QString &symbol)
{
    m_entries.remove(symbol);
}

bool StalenessMonitor::tickArrived(const QString &symbol, qint64 nowMs)
{
    auto it = m_entries.find(symbol);
    if (it == m_entries.end())
        return false;
    it->lastTickAtMs = nowMs;
    it->silentSinceMs = nowMs;
    const bool wasStale = it->stale;
    it->stale = false;
    return wasStale;
}

void StalenessMonitor::setConnected(bool connected, qint64 nowMs)
{
    if (connected && !m_connected)
        for (auto &e : m_entries)
            e.silentSinceMs = std::max(e.silentSinceMs, nowMs);
    m_connected = connected;
}

SymbolFeedState StalenessMonitor::stateOf(const QString &symbol, const Entry &e, qint64 nowMs) const
{
    SymbolFeedState s;
    s.symbol = symbol;
    s.lastTickAtMs = e.lastTickAtMs;
    s.silentForMs = std::max<qint64>(0, nowMs - e.silentSinceMs);
    s.stale = e.stale;
    return s;
}

QVector<SymbolFeedState> StalenessMonitor::evaluate(qint64 nowMs)
{
    QVector<SymbolFeedState> changed;
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        const bool stale = m_connected && nowMs - it->silentSinceMs > m_thresholdMs;
        if (stale != it->stale) {
            it->stale = stale;
            changed.push_back(stateOf(it.key(), *it, nowMs));
        }
    }
    return changed;
}

SymbolFeedState StalenessMonitor::state(const QString &symbol, qint64 nowMs) const
{
    auto it = m_entries.constFind(symbol);
    return it == m_entries.constEnd() ? SymbolFeedState{} : stateOf(symbol, *it, nowMs);
}

QVector<SymbolFeedState> StalenessMonitor::states(qint64 nowMs) const
{
    QVector<SymbolFeedState> out;
    for (auto it = m_entries.constBegin(); it != m_entries.constEnd(); ++it)
        out.push_back(stateOf(it.key(), *it, nowMs));
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.symbol < b.symbol; });
    return out;
}

} // namespace bd::mt5
