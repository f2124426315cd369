#pragma once
// box_breakout: trade the break of a consolidation box.
//  * The box is the Donchian channel (highest high / lowest low) of the previous box_bars bars.
//  * When flat and a bar CLOSES above the box top -> long; below the box bottom -> short.
//  * Optional filter: only boxes no taller than max_box_atr · ATR(atr_period) count (0 = any height).
//  * SL at the opposite side of the box; TP = entry ± SL distance · rr; volume from risk_percent.
// Parameters (defaults): box_bars 60, atr_period 14, max_box_atr 3.0, rr 1.5, risk_percent 1.0.

#include "atr.h"
#include "donchian.h"
#include "strategy.h"

namespace bd {

struct BoxBreakoutParams {
    int boxBars = 60;
    int atrPeriod = 14;
    double maxBoxAtr = 3.0;
    double rr = 1.5;
    double riskPercent = 1.0;
};

class BoxBreakout final : public Strategy {
public:
    explicit BoxBreakout(const BoxBreakoutParams &params);
    QString name() const override { return QStringLiteral("box_breakout"); }
    // The box holds box_bars previous bars from bar index `box_bars` on, the ATR is ready at bar index
    // `atr_period`: max(box_bars, atr_period) bars before the first signal.
    qint64 warmupBars() const override;
    void onBar(const Bar &bar, const StrategyContext &context, std::vector<Action> &actions) override;

private:
    BoxBreakoutParams m_params;
    Donchian m_box;   // holds the previous box_bars bars when a decision is made
    Atr m_atr;
};

} // namespace bd
