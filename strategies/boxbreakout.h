#pragma once
// box_breakout: trade the break of a consolidation box.
//  * The box is the Donchian channel (highest high / lowest low) of the previous box_bars bars.
//  * When flat and a bar CLOSES above the box top -> long; below the box bottom -> short.
//  * Optional filter: only boxes no taller than max_box_atr · ATR(atr_period) count (0 = any height).
//  * SL at the opposite side of the box; TP = entry ± SL distance · rr; volume from risk_percent.
// Parameters: box_bars, atr_period, max_box_atr, rr, risk_percent — each declared once, with its default and
// range, in BoxBreakout::parameters() (boxbreakout.cpp).

#include "atr.h"
#include "donchian.h"
#include "parameterspec.h"
#include "strategy.h"
#include "strategyparams.h"

#include <vector>

namespace bd {

// The parameters as the strategy uses them (readParams fills them; the zeros are not defaults).
struct BoxBreakoutParams {
    int boxBars = 0;        // bars
    int atrPeriod = 0;      // bars
    double maxBoxAtr = 0.0; // ATRs; 0 = any height
    double rr = 0.0;        // multiple of the stop distance
    double riskPercent = 0.0;
};

class BoxBreakout final : public Strategy {
public:
    // Every parameter with its default, range and meaning.
    static const std::vector<ParameterSpec> &parameters();
    // The parameters read from `in` (built on parameters()) in declaration order; errors go to `in`.
    static BoxBreakoutParams readParams(StrategyParams &in);

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
