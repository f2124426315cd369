#include "boxbreakout.h"

#include <algorithm>

namespace bd {

const std::vector<ParameterSpec> &BoxBreakout::parameters()
{
    using T = ParameterSpec::Type;
    static const std::vector<ParameterSpec> specs{
        {QStringLiteral("box_bars"), T::Integer, 60, 2, 10000, 1,
         QStringLiteral("bars in the box: the highest high and lowest low of the previous box_bars bars")},
        {QStringLiteral("atr_period"), T::Integer, 14, 1, 10000, 1, QStringLiteral("ATR period for the box-height filter, bars")},
        {QStringLiteral("max_box_atr"), T::Number, 3.0, 0.0, 1000.0, 0.1,
         QStringLiteral("tallest box that counts, in ATRs; 0 = any height")},
        {QStringLiteral("rr"), T::Number, 1.5, 0.0, 100.0, 0.1,
         QStringLiteral("take-profit distance as a multiple of the stop-loss distance; 0 = no take-profit")},
        {QStringLiteral("risk_percent"), T::Number, 1.0, 0.01, 100.0, 0.1,
         QStringLiteral("equity lost when the stop-loss is hit, % of equity (sets the volume)")},
    };
    return specs;
}

BoxBreakoutParams BoxBreakout::readParams(StrategyParams &in)
{
    BoxBreakoutParams p;
    p.boxBars = in.integer(QStringLiteral("box_bars"));
    p.atrPeriod = in.integer(QStringLiteral("atr_period"));
    p.maxBoxAtr = in.number(QStringLiteral("max_box_atr"));
    p.rr = in.number(QStringLiteral("rr"));
    p.riskPercent = in.number(QStringLiteral("risk_percent"));
    return p;
}

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
