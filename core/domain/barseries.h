#pragma once
// BarSeries: an immutable, shared sequence of bars in time order — the bars a backtest or a chart reads.
//
// The bars live either in memory the series owns (moved in from a freshly parsed Bars vector) or in a
// memory-mapped bar cache file (core/data/barcache.h); readers cannot tell the difference. Copies are cheap
// (a shared owner and a span), so a series can be handed to a worker thread and on to the GUI without
// copying a year of M1 bars. The bars themselves are never modified.
//
// Invariants (established by the loader and the cache, not re-checked here): times strictly increasing,
// prices positive and finite, low <= open, close <= high.

#include "bar.h"

#include <memory>
#include <span>

namespace bd {

class BarSeries {
public:
    BarSeries() = default;
    // Takes ownership of `bars` (no copy).
    explicit BarSeries(Bars bars)
    {
        auto owned = std::make_shared<const Bars>(std::move(bars));
        m_bars = std::span<const Bar>(*owned);
        m_owner = std::move(owned);
    }
    // A view of bars kept alive by `owner` (for example a mapped file).
    BarSeries(std::span<const Bar> bars, std::shared_ptr<const void> owner)
        : m_bars(bars), m_owner(std::move(owner))
    {
    }

    std::span<const Bar> bars() const { return m_bars; }
    operator std::span<const Bar>() const { return m_bars; }  // NOLINT(google-explicit-constructor)

    size_t size() const { return m_bars.size(); }
    bool empty() const { return m_bars.empty(); }
    const Bar &operator[](size_t i) const { return m_bars[i]; }
    const Bar &front() const { return m_bars.front(); }
    const Bar &back() const { return m_bars.back(); }
    auto begin() const { return m_bars.begin(); }
    auto end() const { return m_bars.end(); }

private:
    std::span<const Bar> m_bars;
    std::shared_ptr<const void> m_owner;
};

} // namespace bd
