#include "emacrossover.h"

#include <algorithm>

namespace bd {

EmaCrossover::EmaCrossover(const EmaCrossoverParams &params)
    : m_params(params), m_fast(params.fast), m_slow(params.slow), m_atr(params.atrPeriod)
{
}

qint64 EmaCrossover::warmupBars() const
{
    return std::max({m_params.fast, m_params.slow, m_params.atrPeriod});
}

void EmaCrossover::onBar(const Bar &bar, const StrategyContext &context, std::vector<Action> &actions)
{
    m_fast.update(bar.close);
    m_slow.update(bar.close);
    m_atr.update(bar.high, bar.low, bar.close);
    if (!m_fast.ready() || !m_slow.ready())
        return;

    const double spread = m_fast.value() - m_slow.value();
    const bool crossedUp = m_havePrevious && m_previousSpread <= 0.0 && spread > 0.0;
    const bool crossedDown = m_havePrevious && m_previousSpread >= 0.0 && spread < 0.0;
    m_previousSpread = spread;
    m_havePrevious = true;
    if (crossedUp || crossedDown) [[unlikely]]
        onCross(crossedUp ? Side::Buy : Side::Sell, bar, context, actions);
}

void EmaCrossover::onCross(Side want, const Bar &bar, const StrategyContext &context, std::vector<Action> &actions)
{
    bool alreadyIn = false;
    for (const Position &p : context.positions) {
        if (p.side == want)
            alreadyIn = true;
        else
            actions.push_back(Action::closePosition(p.ticket, QStringLiteral("ema cross")));
    }
    if (alreadyIn || !m_atr.ready())
        return;

    const double stopDistance = m_atr.value() * m_params.slAtrMult;
    const double sl = want == Side::Buy ? bar.close - stopDistance : bar.close + stopDistance;
    if (!(stopDistance > 0.0) || sl <= 0.0)
        return;
    actions.push_back(Action::openTrade(want, m_params.riskPercent, sl, 0.0, m_params.rr,
                                        want == Side::Buy ? QStringLiteral("ema cross up")
                                                          : QStringLiteral("ema cross down")));
}

} // namespace bd
