#include "boxbreakout.h"

#include <algorithm>

namespace bd {

BoxBreakout::BoxBreakout(const BoxBreakoutParams &params)
    : m_params(params), m_box(params.boxBars), m_atr(params.atrPeriod)
{
}

qint64 BoxBreakout::warmupBars() const
{
    return std::max(m_params.boxBars, m_params.atrPeriod);
}

void BoxBreakout::onBar(const Bar &bar, const StrategyContext &context, std::vector<Action> &actions)
{
    m_atr.update(bar.high, bar.low, bar.close);
    // Decide against the box of the PREVIOUS bars, then add this bar to it.
    if (m_box.ready() && m_atr.ready() && context.positions.empty()) {
        const double top = m_box.upper();
        const double bottom = m_box.lower();
        const double height = top - bottom;
        const bool boxQualifies = height > 0.0 && (m_params.maxBoxAtr <= 0.0 || height <= m_params.maxBoxAtr * m_atr.value());
        if (boxQualifies && bar.close > top)
            actions.push_back(Action::openTrade(Side::Buy, m_params.riskPercent, bottom, 0.0, m_params.rr,
                                                QStringLiteral("box breakout up")));
        else if (boxQualifies && bar.close < bottom)
            actions.push_back(Action::openTrade(Side::Sell, m_params.riskPercent, top, 0.0, m_params.rr,
                                                QStringLiteral("box breakout down")));
    }
    m_box.update(bar.high, bar.low, bar.close);
}

} // namespace bd
