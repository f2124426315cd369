#include "emacrossover.h"

#include <algorithm>

namespace bd {

const std::vector<ParameterSpec> &EmaCrossover::parameters()
{
    using T = ParameterSpec::Type;
    static const std::vector<ParameterSpec> specs{
        {QStringLiteral("fast"), T::Integer, 12, 1, 10000, 1, QStringLiteral("fast EMA period, bars (below slow)")},
        {QStringLiteral("slow"), T::Integer, 26, 2, 10000, 1, QStringLiteral("slow EMA period, bars")},
        {QStringLiteral("atr_period"), T::Integer, 14, 1, 10000, 1, QStringLiteral("ATR period for the stop-loss, bars")},
        {QStringLiteral("sl_atr_mult"), T::Number, 2.0, 0.01, 100.0, 0.1,
         QStringLiteral("stop-loss distance from the signal close, in ATRs")},
        {QStringLiteral("rr"), T::Number, 2.0, 0.0, 100.0, 0.1,
         QStringLiteral("take-profit distance as a multiple of the stop-loss distance; 0 = no take-profit")},
        {QStringLiteral("risk_percent"), T::Number, 1.0, 0.01, 100.0, 0.1,
         QStringLiteral("equity lost when the stop-loss is hit, % of equity (sets the volume)")},
    };
    return specs;
}

EmaCrossoverParams EmaCrossover::readParams(StrategyParams &in)
{
    EmaCrossoverParams p;
    p.fast = in.integer(QStringLiteral("fast"));
    p.slow = in.integer(QStringLiteral("slow"));
    p.atrPeriod = in.integer(QStringLiteral("atr_period"));
    p.slAtrMult = in.number(QStringLiteral("sl_atr_mult"));
    p.rr = in.number(QStringLiteral("rr"));
    p.riskPercent = in.number(QStringLiteral("risk_percent"));
    if (in.status() && p.fast >= p.slow)
        in.fail(QStringLiteral("ema_crossover parameter 'fast' (%1) must be below 'slow' (%2)").arg(p.fast).arg(p.slow));
    return p;
}

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
    // Steady state (every indicator ready, a previous spread seen): the engine hands over only bars whose prices
    // it has checked (positive, finite), so the indicators take their unchecked steps. The same arithmetic and
    // cross rule as the warm-up path below.
    if (m_steady) [[likely]] {
        m_fast.updateReady(bar.close);
        m_slow.updateReady(bar.close);
        m_atr.updateReady(bar.high, bar.low, bar.close);
        const double spread = m_fast.current() - m_slow.current();
        const bool crossedUp = m_previousSpread <= 0.0 && spread > 0.0;
        const bool crossedDown = m_previousSpread >= 0.0 && spread < 0.0;
        m_previousSpread = spread;
        if (crossedUp || crossedDown) [[unlikely]]
            onCross(crossedUp ? Side::Buy : Side::Sell, bar, context, actions);
        return;
    }
    warmUp(bar, context, actions);
}

void EmaCrossover::warmUp(const Bar &bar, const StrategyContext &context, std::vector<Action> &actions)
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
    m_steady = m_atr.ready();
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
