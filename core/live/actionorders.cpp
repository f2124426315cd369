#include "actionorders.h"

#include <algorithm>
#include <cmath>

namespace bd {

namespace {

// The backtest's tolerance when it counts volume steps (backtestengine.cpp, kVolumeEpsilon).
constexpr double kVolumeEpsilon = 1e-9;

QString num(double v)
{
    return QString::number(v, 'g', 12);
}

// A number exactly enough to tell two actions apart and to give the same text for the same action.
QString exact(double v)
{
    return QString::number(v, 'g', 17);
}

// Volumes counted in whole steps of the symbol, and written as the backtest writes them (the step's decimals).
class VolumeSteps {
public:
    explicit VolumeSteps(const SymbolSpec &symbol) : m_symbol(symbol)
    {
        for (int d = 0; d <= 8 && m_decimals < 0; ++d) {
            const double units = symbol.volumeStep * SymbolSpec::pow10(d);
            if (std::fabs(units - std::round(units)) <= 1e-9 * std::max(1.0, units)) {
                m_decimals = d;
                m_units = qint64(std::round(units));
            }
        }
    }
    // Whole steps in `volume`, rounded down (volume must be finite and >= 0).
    qint64 floorSteps(double volume) const
    {
        const double steps = std::floor(volume / m_symbol.volumeStep + kVolumeEpsilon);
        return steps < 1e15 ? qint64(std::max(0.0, steps)) : qint64(1e15);
    }
    // Steps of an open position (its volume is a whole number of steps).
    qint64 held(const Position &p) const { return std::llround(p.volume / m_symbol.volumeStep); }
    double lots(qint64 steps) const
    {
        return m_decimals >= 0 ? double(steps * m_units) / SymbolSpec::pow10(m_decimals)
                               : double(steps) * m_symbol.volumeStep;
    }
    QString text(qint64 steps) const
    {
        return m_decimals >= 0 ? QString::number(lots(steps), 'f', m_decimals) : num(lots(steps));
    }
    bool belowMin(qint64 steps) const { return steps <= 0 || lots(steps) + kVolumeEpsilon < m_symbol.volumeMin; }

private:
    const SymbolSpec &m_symbol;
    int m_decimals = -1;
    qint64 m_units = 1;
};

Error refusal(const Action &a, const QString &why)
{
    return makeError(QStringLiteral("%1 refused: %2").arg(QLatin1String(actionTypeName(a.type)), why));
}

bool matches(const Action &a, const Position &p)
{
    return (a.ticket == 0 || p.ticket == a.ticket) && (!a.onlySide || p.side == *a.onlySide);
}

// "ticket 7", "SELL positions", "SELL ticket 7", "positions" (the backtest's words for what an exit asks for).
QString exitTarget(const Action &a)
{
    const QString side = a.onlySide ? QString::fromLatin1(sideName(*a.onlySide)) + QLatin1Char(' ') : QString();
    if (a.ticket != 0)
        return side + QStringLiteral("ticket %1").arg(a.ticket);
    return side + QStringLiteral("positions");
}

Error noMatch(const Action &a, std::span<const Position> positions)
{
    return refusal(a, QStringLiteral("no open %1 to close (%2 open position%3)")
                          .arg(exitTarget(a))
                          .arg(positions.size())
                          .arg(positions.size() == 1 ? "" : "s"));
}

// The whole steps of a close or reduce volume, or the refusal: not a positive finite number, or below the volume min
// (MT5 10014) — the backtest's exitSteps.
Result<qint64> exitSteps(const Action &a, const SymbolSpec &symbol, const VolumeSteps &steps)
{
    if (!std::isfinite(a.volume) || a.volume <= 0.0)
        return refusal(a, QStringLiteral("volume %1 is not a positive number of lots").arg(num(a.volume)));
    const qint64 whole = steps.floorSteps(a.volume);
    if (steps.belowMin(whole))
        return refusal(a, QStringLiteral("volume %1 lots (%2 on the volume step) is below %3's volume min %4 (MT5 "
                                         "retcode 10014 TRADE_RETCODE_INVALID_VOLUME)")
                              .arg(num(a.volume), steps.text(whole), symbol.name, num(symbol.volumeMin)));
    return whole;
}

// Why closing `part` of the `held` steps of `p` is refused (the part or the rest below the volume min, MT5 10014), or
// empty — the backtest's partProblem.
QString partProblem(const Position &p, qint64 part, qint64 held, const SymbolSpec &symbol, const VolumeSteps &steps)
{
    const bool partSmall = steps.belowMin(part);
    if (!partSmall && !steps.belowMin(held - part))
        return {};
    QString line = QStringLiteral("closing %1 of the %2 lots of %3 ticket %4 would ")
                       .arg(steps.text(part), steps.text(held), QLatin1String(sideName(p.side)))
                       .arg(p.ticket);
    line += partSmall ? QStringLiteral("close a part below ")
                      : QStringLiteral("leave %1 lots open, below ").arg(steps.text(held - part));
    return line + QStringLiteral("%1's volume min %2 (MT5 retcode 10014 TRADE_RETCODE_INVALID_VOLUME)")
                      .arg(symbol.name, num(symbol.volumeMin));
}

Error aboveOpen(const Action &a, qint64 wanted, qint64 open, const QString &what, const VolumeSteps &steps)
{
    return refusal(a, QStringLiteral("volume %1 lots is above the %2 lots of %3 (MT5 retcode 10038 "
                                     "TRADE_RETCODE_INVALID_CLOSE_VOLUME)")
                          .arg(steps.text(wanted), steps.text(open), what));
}

// The intent of an order on an open position: the lineage of `base`, the position's side, nothing of an entry.
TradeIntent exitIntent(const TradeIntent &base, const SymbolSpec &symbol, const Action &a, const Position &p)
{
    TradeIntent intent = base;
    if (intent.symbol.isEmpty())
        intent.symbol = symbol.name;
    intent.side = p.side;
    intent.kind = EntryKind::Market;
    intent.entryPrice = 0.0;
    intent.slPoints = 0.0;
    intent.tp = 0.0;
    intent.rr.reset();
    intent.riskPercent = 0.0;
    intent.volume = 0.0;
    if (!a.comment.isEmpty())
        intent.comment = a.comment;
    return intent;
}

OrderPlan closePlan(const TradeIntent &base, const SymbolSpec &symbol, const Action &a, const Position &p,
                    double volume)
{
    OrderPlan plan;
    plan.action = IntentAction::Close;
    plan.intent = exitIntent(base, symbol, a, p);
    plan.intent.volume = volume;
    plan.positionTicket = p.ticket;
    plan.volume = volume;
    // A strategy's exit (actionorders.h, OrderPlan::closeReason), by the side of the position it closes.
    plan.closeReason = QStringLiteral("STRATEGY_EXIT");
    plan.closeSubreason = p.side == Side::Buy ? QStringLiteral("EXIT_LONG") : QStringLiteral("EXIT_SHORT");
    plan.fingerprint =
        QStringLiteral("%1 ticket=%2 side=%3 volume=%4 action_ticket=%5 action_volume=%6 only=%7")
            .arg(QLatin1String(actionTypeName(a.type)))
            .arg(p.ticket)
            .arg(QLatin1String(sideName(p.side)), exact(volume))
            .arg(a.ticket)
            .arg(exact(a.volume), a.onlySide ? QLatin1String(sideName(*a.onlySide)) : QLatin1String("ANY"));
    return plan;
}

Result<std::vector<OrderPlan>> planOpen(const Action &a, const SymbolSpec &symbol, const Quote &quote,
                                        const TradeIntent &base)
{
    const auto valid = [](double v) { return std::isfinite(v) && v >= 0.0; };
    if (!valid(a.volume) || !valid(a.riskPercent) || !valid(a.sl) || !valid(a.tp) || !valid(a.rr))
        return refusal(a, QStringLiteral("%1 with volume %2, risk %3, SL %4, TP %5, rr %6: negative or non-finite "
                                         "volume, risk, SL, TP or rr in the strategy's action")
                              .arg(QLatin1String(sideName(a.side)), num(a.volume), num(a.riskPercent), num(a.sl),
                                   num(a.tp), num(a.rr)));
    const bool buy = a.side == Side::Buy;
    const double entry = buy ? quote.ask : quote.bid;
    if (!(entry > 0.0) || !std::isfinite(entry))
        return refusal(a, QStringLiteral("%1: the %2 is %3; an entry needs a quote above 0")
                              .arg(QLatin1String(sideName(a.side)), buy ? QStringLiteral("ask") : QStringLiteral("bid"),
                                   num(entry)));

    TradeIntent intent = base;
    if (intent.symbol.isEmpty())
        intent.symbol = symbol.name;
    intent.side = a.side;
    intent.kind = EntryKind::Market;
    intent.entryPrice = 0.0;
    intent.slPoints = 0.0;
    if (a.sl > 0.0) {
        // Points from the expected entry to the SL, rounded half away from zero; a BUY's SL below the ask, a SELL's
        // above the bid. In points: the entry on the grid, the SL taken to 1e-6 of a point first so that a level
        // written with a half point (1.099005) rounds as written, not as its binary approximation.
        const double entryPoints = double(symbol.toPoints(entry));
        const double slPoints = std::round(a.sl * symbol.pointsPerPrice() * 1e6) / 1e6;
        const double distance = buy ? entryPoints - slPoints : slPoints - entryPoints;
        const qint64 points = SymbolSpec::roundHalfAwayFromZero(distance);
        if (points <= 0)
            return refusal(
                a, QStringLiteral("%1: SL %2 is not %3 the %4 %5 (MT5 retcode 10016 TRADE_RETCODE_INVALID_STOPS)")
                       .arg(QLatin1String(sideName(a.side)), num(a.sl),
                            buy ? QStringLiteral("below") : QStringLiteral("above"),
                            buy ? QStringLiteral("ask") : QStringLiteral("bid"), num(entry)));
        intent.slPoints = double(points);
    }
    // TP as given, else from rr when there is an SL to take it from (the backtest's rule), else none.
    intent.tp = a.tp;
    intent.rr = a.tp == 0.0 && a.rr > 0.0 && a.sl > 0.0 ? a.rr : 0.0;
    intent.riskPercent = a.riskPercent;
    intent.volume = 0.0;
    VolumeSteps steps(symbol);
    if (a.volume > 0.0) {
        const qint64 whole = steps.floorSteps(a.volume);
        if (steps.belowMin(whole))
            return refusal(a, QStringLiteral("%1 volume %2 lots (%3 on the volume step) is below %4's volume min %5 "
                                             "(MT5 retcode 10014 TRADE_RETCODE_INVALID_VOLUME)")
                                  .arg(QLatin1String(sideName(a.side)), num(a.volume), steps.text(whole), symbol.name,
                                       num(symbol.volumeMin)));
        if (steps.lots(whole) > symbol.volumeMax + kVolumeEpsilon)
            return refusal(
                a, QStringLiteral("%1 volume %2 lots is above %3's volume max %4 (MT5 retcode 10014 "
                                  "TRADE_RETCODE_INVALID_VOLUME)")
                       .arg(QLatin1String(sideName(a.side)), steps.text(whole), symbol.name, num(symbol.volumeMax)));
        intent.volume = steps.lots(whole);
    } else if (a.riskPercent <= 0.0 || a.sl <= 0.0) {
        return refusal(a, QStringLiteral("%1: no volume given and no risk %/stop-loss to size it from")
                              .arg(QLatin1String(sideName(a.side))));
    }
    if (!a.comment.isEmpty())
        intent.comment = a.comment;

    OrderPlan plan;
    plan.action = IntentAction::Open;
    plan.intent = intent;
    plan.volume = intent.volume;
    plan.fingerprint = QStringLiteral("%1 side=%2 volume=%3 risk=%4 sl=%5 tp=%6 rr=%7")
                           .arg(QLatin1String(actionTypeName(a.type)), QLatin1String(sideName(a.side)), exact(a.volume),
                                exact(a.riskPercent), exact(a.sl), exact(a.tp), exact(a.rr));
    return std::vector<OrderPlan>{std::move(plan)};
}

Result<std::vector<OrderPlan>> planClose(const Action &a, std::span<const Position> positions, const SymbolSpec &symbol,
                                         const TradeIntent &base)
{
    const VolumeSteps steps(symbol);
    std::vector<OrderPlan> plans;
    if (a.volume == 0.0) {
        // Every matching position, whole, in opening order.
        for (const Position &p : positions)
            if (matches(a, p))
                plans.push_back(closePlan(base, symbol, a, p, p.volume));
        if (plans.empty() && a.ticket != 0)
            return noMatch(a, positions);
        return plans;
    }
    // A volume: that many lots of the most recent matching position.
    const Result<qint64> wanted = exitSteps(a, symbol, steps);
    if (!wanted.ok())
        return wanted.error();
    const auto latest =
        std::find_if(positions.rbegin(), positions.rend(), [&](const Position &p) { return matches(a, p); });
    if (latest == positions.rend())
        return noMatch(a, positions);
    const Position &p = *latest;
    const qint64 held = steps.held(p);
    if (*wanted > held)
        return aboveOpen(a, *wanted, held,
                         QStringLiteral("%1 ticket %2").arg(QLatin1String(sideName(p.side))).arg(p.ticket), steps);
    if (*wanted < held) {
        if (const QString problem = partProblem(p, *wanted, held, symbol, steps); !problem.isEmpty())
            return refusal(a, problem);
    }
    plans.push_back(closePlan(base, symbol, a, p, *wanted == held ? p.volume : steps.lots(*wanted)));
    return plans;
}

Result<std::vector<OrderPlan>> planReduce(const Action &a, std::span<const Position> positions,
                                          const SymbolSpec &symbol, const TradeIntent &base)
{
    const VolumeSteps steps(symbol);
    const Result<qint64> wanted = exitSteps(a, symbol, steps);
    if (!wanted.ok())
        return wanted.error();
    // All or nothing: every part is checked before any is planned (the backtest's reducePositions).
    qint64 rest = *wanted;
    qint64 matched = 0;
    for (auto it = positions.rbegin(); it != positions.rend(); ++it) {
        if (!matches(a, *it))
            continue;
        const qint64 held = steps.held(*it);
        matched += held;
        if (rest > 0 && held > rest) {
            if (const QString problem = partProblem(*it, rest, held, symbol, steps); !problem.isEmpty())
                return refusal(a, problem);
        }
        rest -= std::min(rest, held);
    }
    if (matched == 0)
        return noMatch(a, positions);
    if (rest > 0)
        return aboveOpen(a, *wanted, matched, QStringLiteral("the open %1").arg(exitTarget(a)), steps);
    std::vector<OrderPlan> plans;
    rest = *wanted;
    for (auto it = positions.rbegin(); it != positions.rend() && rest > 0; ++it) {
        if (!matches(a, *it))
            continue;
        const qint64 held = steps.held(*it);
        const qint64 part = std::min(rest, held);
        plans.push_back(closePlan(base, symbol, a, *it, part == held ? it->volume : steps.lots(part)));
        rest -= part;
    }
    return plans;
}

Result<std::vector<OrderPlan>> planModify(const Action &a, std::span<const Position> positions,
                                          const SymbolSpec &symbol, const TradeIntent &base)
{
    if (!std::isfinite(a.sl) || !std::isfinite(a.tp) || a.sl < 0.0 || a.tp < 0.0)
        return refusal(
            a,
            QStringLiteral("SL %1 / TP %2: give prices >= 0 (0 leaves a level unchanged)").arg(num(a.sl), num(a.tp)));
    const double sl = a.sl > 0.0 ? symbol.normalizePrice(a.sl) : 0.0;
    const double tp = a.tp > 0.0 ? symbol.normalizePrice(a.tp) : 0.0;
    std::vector<OrderPlan> plans;
    for (const Position &p : positions) {
        if (a.ticket != 0 && p.ticket != a.ticket)
            continue;
        OrderPlan plan;
        plan.action = IntentAction::Modify;
        plan.intent = exitIntent(base, symbol, a, p);
        plan.positionTicket = p.ticket;
        plan.sl = sl > 0.0 ? sl : p.sl;
        plan.tp = tp > 0.0 ? tp : p.tp;
        if (plan.sl == p.sl && plan.tp == p.tp)
            continue; // nothing to change (MT5 would answer 10025 TRADE_RETCODE_NO_CHANGES)
        plan.fingerprint = QStringLiteral("%1 ticket=%2 side=%3 sl=%4 tp=%5 action_ticket=%6")
                               .arg(QLatin1String(actionTypeName(a.type)))
                               .arg(p.ticket)
                               .arg(QLatin1String(sideName(p.side)), exact(plan.sl), exact(plan.tp))
                               .arg(a.ticket);
        plans.push_back(std::move(plan));
    }
    return plans;
}

} // namespace

Result<std::vector<OrderPlan>> plansForAction(const Action &action, std::span<const Position> positions,
                                              const SymbolSpec &symbol, const Quote &quote, const TradeIntent &base)
{
    if (!(symbol.volumeStep > 0.0) || !(symbol.point > 0.0))
        return makeError(QStringLiteral("symbol %1 has volume step %2 and point %3: both must be above 0; fix the "
                                        "symbol's specification")
                             .arg(symbol.name, num(symbol.volumeStep), num(symbol.point)));
    switch (action.type) {
    case ActionType::OpenTrade:
        return planOpen(action, symbol, quote, base);
    case ActionType::ClosePosition:
        return planClose(action, positions, symbol, base);
    case ActionType::ReducePosition:
        return planReduce(action, positions, symbol, base);
    case ActionType::ModifySltp:
        return planModify(action, positions, symbol, base);
    }
    return makeError(QStringLiteral("action type %1 is not one of OPEN_TRADE, CLOSE_POSITION, REDUCE_POSITION, "
                                    "MODIFY_SLTP")
                         .arg(int(action.type)));
}

} // namespace bd
