#include "strategyrunner.h"

#include <cmath>

namespace bd {

namespace {

// The backtest hands a strategy only bars whose prices it has checked (positive, finite, low <= open, close <= high);
// strategies rely on it (ema_crossover updates its indicators unchecked). The runner keeps that promise.
bool usable(const Bar &bar)
{
    const auto positive = [](double x) { return std::isfinite(x) && x > 0.0; };
    return positive(bar.open) && positive(bar.high) && positive(bar.low) && positive(bar.close) &&
           bar.low <= bar.high && bar.low <= bar.open && bar.open <= bar.high && bar.low <= bar.close &&
           bar.close <= bar.high;
}

} // namespace

StrategyRunner::StrategyRunner(Strategy &strategy, const SymbolSpec &symbol) : m_strategy(strategy), m_symbol(symbol)
{
    m_actions.reserve(8);
}

qint64 StrategyRunner::warmupBars() const
{
    return m_strategy.warmupBars();
}

bool StrategyRunner::warmedUp() const
{
    return m_barsSeen >= m_strategy.warmupBars();
}

qint64 StrategyRunner::barsSeen() const
{
    return m_barsSeen;
}

qint64 StrategyRunner::lastBarTimeMs() const
{
    return m_lastBarTimeMs;
}

bool StrategyRunner::feedWarmup(const Bar &bar, const AccountView &view)
{
    if ((m_barsSeen > 0 && bar.timeMs <= m_lastBarTimeMs) || !usable(bar))
        return false;
    // The context exactly as runBacktest builds it for bar i (backtestengine.cpp, run()): the account's balance and
    // equity at this bar's close, the open positions, the 0-based bar index and the spread in force.
    const StrategyContext context{m_symbol,   view.balance,     view.equity, std::span<const Position>(view.positions),
                                  m_barsSeen, view.spreadPoints};
    m_actions.clear();
    m_strategy.onBar(bar, context, m_actions);
    m_actions.clear(); // warm-up: the strategy learns from the bar, never trades on it
    ++m_barsSeen;
    m_lastBarTimeMs = bar.timeMs;
    return true;
}

std::optional<Decision> StrategyRunner::onClosedBar(const Bar &bar, const AccountView &view, bool *ignored)
{
    if ((m_barsSeen > 0 && bar.timeMs <= m_lastBarTimeMs) || !usable(bar)) {
        if (ignored)
            *ignored = true;
        return std::nullopt;
    }
    if (ignored)
        *ignored = false;
    const qint64 index = m_barsSeen;
    const StrategyContext context{m_symbol, view.balance,     view.equity, std::span<const Position>(view.positions),
                                  index,    view.spreadPoints};
    m_actions.clear();
    m_strategy.onBar(bar, context, m_actions);
    ++m_barsSeen;
    m_lastBarTimeMs = bar.timeMs;
    m_liveSeen = true;
    if (m_actions.empty())
        return std::nullopt;
    Decision decision;
    decision.barTimeMs = bar.timeMs;
    decision.barIndex = index;
    decision.actions = std::move(m_actions);
    m_actions = {};
    return decision;
}

std::optional<Decision> StrategyRunner::onTick(const MarketTick &tick, const AccountView &view)
{
    if (!m_liveSeen || !m_strategy.wantsTicks())
        return std::nullopt;
    // The context of the last closed bar (strategy.h): its index; the account as it is now.
    const qint64 index = m_barsSeen - 1;
    const StrategyContext context{m_symbol, view.balance,     view.equity, std::span<const Position>(view.positions),
                                  index,    view.spreadPoints};
    m_actions.clear();
    m_strategy.onTick(tick, context, m_actions);
    if (m_actions.empty())
        return std::nullopt;
    Decision decision;
    decision.barTimeMs = m_lastBarTimeMs;
    decision.barIndex = index;
    decision.tickTimeMs = tick.timeMs;
    decision.actions = std::move(m_actions);
    m_actions = {};
    return decision;
}

} // namespace bd
