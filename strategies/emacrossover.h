#pragma once
// ema_crossover: trend following on the close of each bar.
//  * Fast EMA crosses above the slow EMA -> close shorts, open a long if none is open.
//  * Fast EMA crosses below the slow EMA -> close longs, open a short if none is open.
//  * SL = signal close ∓ ATR(atr_period) · sl_atr_mult; TP = entry ± SL distance · rr (rr 0 = no TP).
//  * Volume sized so that a stop-out loses risk_percent of equity.
// Parameters: fast, slow, atr_period, sl_atr_mult, rr, risk_percent — each declared once, with its default and
// range, in EmaCrossover::parameters() (emacrossover.cpp).

#include "atr.h"
#include "ema.h"
#include "parameterspec.h"
#include "strategy.h"
#include "strategyparams.h"

#include <vector>

namespace bd {

// The parameters as the strategy uses them (readParams fills them; the zeros are not defaults).
struct EmaCrossoverParams {
    int fast = 0;           // bars
    int slow = 0;           // bars
    int atrPeriod = 0;      // bars
    double slAtrMult = 0.0; // ATRs
    double rr = 0.0;        // multiple of the stop distance
    double riskPercent = 0.0;
};

class EmaCrossover final : public Strategy {
public:
    // Every parameter with its default, range and meaning.
    static const std::vector<ParameterSpec> &parameters();
    // The parameters read from `in` (built on parameters()) in declaration order, plus fast < slow; errors go to `in`.
    static EmaCrossoverParams readParams(StrategyParams &in);

    explicit EmaCrossover(const EmaCrossoverParams &params);
    QString name() const override { return QStringLiteral("ema_crossover"); }
    // The first cross can be seen one bar after the slow EMA is ready (bar index `slow`), and a trade needs the
    // ATR, ready at bar index `atr_period`: max(fast, slow, atr_period) bars before the first signal.
    qint64 warmupBars() const override;
    // Expects the bar prices runBacktest hands over: finite (it checks every bar before onBar). Once its indicators
    // are ready it updates them without per-input checks (Ema/Atr::updateReady).
    void onBar(const Bar &bar, const StrategyContext &context, std::vector<Action> &actions) override;

private:
    // Bars until every indicator is ready (checked updates; the steady state is inline in onBar).
    [[gnu::noinline]] void warmUp(const Bar &bar, const StrategyContext &context, std::vector<Action> &actions);
    // A cross happened at this bar's close (rare): close the other side, open `want` unless already in.
    [[gnu::noinline]] void onCross(Side want, const Bar &bar, const StrategyContext &context, std::vector<Action> &actions);

    EmaCrossoverParams m_params;
    Ema m_fast;
    Ema m_slow;
    Atr m_atr;
    double m_previousSpread = 0.0;  // fast − slow at the previous close
    bool m_havePrevious = false;
    bool m_steady = false;          // fast, slow and ATR ready and a previous spread seen: unchecked updates
};

} // namespace bd
