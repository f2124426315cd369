#include "strategyregistry.h"

#include "boxbreakout.h"
#include "emacrossover.h"
#include "strategyparams.h"

namespace bd {
namespace {

QJsonObject emaCrossoverDefaults()
{
    const EmaCrossoverParams d;
    return {{"fast", d.fast}, {"slow", d.slow}, {"atr_period", d.atrPeriod},
            {"sl_atr_mult", d.slAtrMult}, {"rr", d.rr}, {"risk_percent", d.riskPercent}};
}

QJsonObject boxBreakoutDefaults()
{
    const BoxBreakoutParams d;
    return {{"box_bars", d.boxBars}, {"atr_period", d.atrPeriod}, {"max_box_atr", d.maxBoxAtr},
            {"rr", d.rr}, {"risk_percent", d.riskPercent}};
}

Result<std::unique_ptr<Strategy>> makeEmaCrossover(const QJsonObject &given)
{
    StrategyParams in(QStringLiteral("ema_crossover"), emaCrossoverDefaults(), given);
    EmaCrossoverParams p;
    p.fast = in.integer(QStringLiteral("fast"), 1, 10000);
    p.slow = in.integer(QStringLiteral("slow"), 2, 10000);
    p.atrPeriod = in.integer(QStringLiteral("atr_period"), 1, 10000);
    p.slAtrMult = in.number(QStringLiteral("sl_atr_mult"), 0.01, 100.0);
    p.rr = in.number(QStringLiteral("rr"), 0.0, 100.0);
    p.riskPercent = in.number(QStringLiteral("risk_percent"), 0.01, 100.0);
    if (in.status() && p.fast >= p.slow)
        in.fail(QStringLiteral("ema_crossover parameter 'fast' (%1) must be below 'slow' (%2)").arg(p.fast).arg(p.slow));
    if (auto s = in.status(); !s)
        return s.error();
    return std::unique_ptr<Strategy>(std::make_unique<EmaCrossover>(p));
}

Result<std::unique_ptr<Strategy>> makeBoxBreakout(const QJsonObject &given)
{
    StrategyParams in(QStringLiteral("box_breakout"), boxBreakoutDefaults(), given);
    BoxBreakoutParams p;
    p.boxBars = in.integer(QStringLiteral("box_bars"), 2, 10000);
    p.atrPeriod = in.integer(QStringLiteral("atr_period"), 1, 10000);
    p.maxBoxAtr = in.number(QStringLiteral("max_box_atr"), 0.0, 1000.0);
    p.rr = in.number(QStringLiteral("rr"), 0.0, 100.0);
    p.riskPercent = in.number(QStringLiteral("risk_percent"), 0.01, 100.0);
    if (auto s = in.status(); !s)
        return s.error();
    return std::unique_ptr<Strategy>(std::make_unique<BoxBreakout>(p));
}

} // namespace

std::vector<StrategyInfo> builtinStrategies()
{
    return {
        {QStringLiteral("ema_crossover"),
         QStringLiteral("EMA fast/slow crossover, ATR stop, TP at rr x risk, risk-% sizing"), emaCrossoverDefaults()},
        {QStringLiteral("box_breakout"),
         QStringLiteral("Breakout of the previous N-bar high/low box, SL at the far side, TP at rr x risk"),
         boxBreakoutDefaults()},
    };
}

Result<std::unique_ptr<Strategy>> createStrategy(const QString &name, const QJsonObject &params)
{
    if (name == QLatin1String("ema_crossover"))
        return makeEmaCrossover(params);
    if (name == QLatin1String("box_breakout"))
        return makeBoxBreakout(params);
    QStringList names;
    for (const StrategyInfo &info : builtinStrategies())
        names << info.name;
    return makeError(QStringLiteral("unknown strategy '%1'; built-in strategies are: %2").arg(name, names.join(", ")));
}

} // namespace bd
