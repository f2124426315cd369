#include "traderequestbuilder.h"

#include <cmath>
#include <limits>

namespace bd {

namespace {

// x rounded half away from zero to a whole number (the rule of every price on the grid: docs/backtest-model.md).
qint64 roundHalfAway(double x)
{
    return qint64(x < 0 ? -std::floor(-x + 0.5) : std::floor(x + 0.5));
}

QString num(double x)
{
    return QString::number(x, 'g', 12);
}

struct Grid {
    double tick = 0.0;         // trade_tick_size, or point when 0
    double pointsPerTick = 1;  // tick / point
    qint64 ticks(double price) const { return roundHalfAway(price / tick); }
    double price(qint64 ticks) const { return double(ticks) * tick; }
};

Result<void> checkTradeMode(const TradeIntent &intent, const mt5::BrokerSymbol &symbol)
{
    const QString what = QStringLiteral("%1 %2").arg(QLatin1String(sideName(intent.side)), symbol.name);
    switch (symbol.tradeMode) {
    case mt5::SymbolTradeMode::Disabled:
        return makeError(QStringLiteral("%1: trading %2 is disabled at the broker (MT5 retcode 10017 "
                                        "TRADE_RETCODE_TRADE_DISABLED)").arg(what, symbol.name));
    case mt5::SymbolTradeMode::CloseOnly:
        return makeError(QStringLiteral("%1: the broker allows only closing positions of %2 (MT5 retcode 10044 "
                                        "TRADE_RETCODE_CLOSE_ONLY)").arg(what, symbol.name));
    case mt5::SymbolTradeMode::LongOnly:
        if (intent.side == Side::Sell)
            return makeError(QStringLiteral("%1: the broker allows only long positions on %2 (MT5 retcode 10042 "
                                            "TRADE_RETCODE_LONG_ONLY)").arg(what, symbol.name));
        break;
    case mt5::SymbolTradeMode::ShortOnly:
        if (intent.side == Side::Buy)
            return makeError(QStringLiteral("%1: the broker allows only short positions on %2 (MT5 retcode 10043 "
                                            "TRADE_RETCODE_SHORT_ONLY)").arg(what, symbol.name));
        break;
    case mt5::SymbolTradeMode::Full:
        break;
    }
    return {};
}

mt5::OrderType orderTypeOf(const TradeIntent &intent)
{
    const bool buy = intent.side == Side::Buy;
    switch (intent.kind) {
    case EntryKind::Market: return buy ? mt5::OrderType::Buy : mt5::OrderType::Sell;
    case EntryKind::Limit: return buy ? mt5::OrderType::BuyLimit : mt5::OrderType::SellLimit;
    case EntryKind::Stop: return buy ? mt5::OrderType::BuyStop : mt5::OrderType::SellStop;
    }
    return mt5::OrderType::Buy;
}

// The number of volume steps in `volume` when it is a whole multiple of `step` (within 1e-6 of a step), else -1.
qint64 wholeSteps(double volume, double step)
{
    const double steps = volume / step;
    const double whole = std::round(steps);
    return std::fabs(steps - whole) <= 1e-6 ? qint64(whole) : -1;
}

} // namespace

Result<PlannedOrder> buildTradeRequest(const TradeIntent &intent, const mt5::BrokerSymbol &symbol, const Quote &quote,
                                       double equity)
{
    // The symbol and the quote first: every rule below depends on them.
    if (!(symbol.point > 0) || !(symbol.volumeStep > 0) || !(symbol.tradeTickValue > 0) || symbol.tradeTickSize < 0)
        return makeError(QStringLiteral("symbol %1 has point %2, trade_tick_size %3, trade_tick_value %4, volume_step %5: "
                                        "not a tradable specification; reconnect to the bridge to read it again")
                             .arg(symbol.name, num(symbol.point), num(symbol.tradeTickSize), num(symbol.tradeTickValue),
                                  num(symbol.volumeStep)));
    if (!(quote.bid > 0) || !(quote.ask >= quote.bid) || !std::isfinite(quote.ask))
        return makeError(QStringLiteral("%1: the quote bid %2 / ask %3 is not a market; wait for the next tick")
                             .arg(symbol.name, num(quote.bid), num(quote.ask)));
    if (auto mode = checkTradeMode(intent, symbol); !mode)
        return mode.error();

    Grid grid;
    grid.tick = symbol.tradeTickSize > 0 ? symbol.tradeTickSize : symbol.point;
    grid.pointsPerTick = grid.tick / symbol.point;
    const bool buy = intent.side == Side::Buy;
    const QString what = QStringLiteral("%1 %2").arg(QLatin1String(sideName(intent.side)), symbol.name);
    const double stopsLevel = double(symbol.tradeStopsLevel);  // points
    // The price a position closes at, which MT5 measures SL/TP against: bid for a BUY, ask for a SELL.
    const qint64 closeSide = grid.ticks(buy ? quote.bid : quote.ask);
    const qint64 market = grid.ticks(buy ? quote.ask : quote.bid);
    const auto points = [&](qint64 ticks) { return double(ticks) * grid.pointsPerTick; };

    // Entry.
    qint64 entry = market;
    if (intent.kind == EntryKind::Market) {
        if (intent.entryPrice != 0.0)
            return makeError(QStringLiteral("%1: a MARKET order has no entry price (given %2); set 0, or use a LIMIT or "
                                            "STOP order").arg(what, num(intent.entryPrice)));
    } else {
        if (!(intent.entryPrice > 0) || !std::isfinite(intent.entryPrice))
            return makeError(QStringLiteral("%1: a %2 order needs an entry price > 0 (given %3)")
                                 .arg(what, intent.kind == EntryKind::Limit ? QStringLiteral("LIMIT") : QStringLiteral("STOP"),
                                      num(intent.entryPrice)));
        entry = grid.ticks(intent.entryPrice);
        const bool below = (intent.kind == EntryKind::Limit) == buy;  // BUY LIMIT, SELL STOP: below the market
        const double away = points(below ? market - entry : entry - market);
        if (away <= 0 || away < stopsLevel)
            return makeError(QStringLiteral("%1: a %2 order at %3 must be %4 the %5 %6 by at least the symbol's stops level "
                                            "of %7 points (MT5 retcode 10015 TRADE_RETCODE_INVALID_PRICE)")
                                 .arg(what, intent.kind == EntryKind::Limit ? QStringLiteral("LIMIT") : QStringLiteral("STOP"),
                                      num(intent.entryPrice), below ? QStringLiteral("below") : QStringLiteral("above"),
                                      buy ? QStringLiteral("ask") : QStringLiteral("bid"), num(buy ? quote.ask : quote.bid))
                                 .arg(symbol.tradeStopsLevel));
    }

    // Stop-loss.
    if (!(intent.slPoints >= 0) || !std::isfinite(intent.slPoints))
        return makeError(QStringLiteral("%1: slPoints is %2; give the stop-loss distance in points (> 0), or 0 for none")
                             .arg(what, num(intent.slPoints)));
    const qint64 slTicks = roundHalfAway(intent.slPoints / grid.pointsPerTick);
    if (intent.slPoints > 0 && slTicks == 0)
        return makeError(QStringLiteral("%1: a stop-loss %2 points away is less than one tick (%3 points); give at least %3")
                             .arg(what, num(intent.slPoints), num(grid.pointsPerTick)));
    const qint64 sl = slTicks > 0 ? (buy ? entry - slTicks : entry + slTicks) : 0;
    if (slTicks > 0 && sl <= 0)
        return makeError(QStringLiteral("%1: a stop-loss %2 points below the entry %3 is not a price; give a smaller "
                                        "distance").arg(what, num(intent.slPoints), num(grid.price(entry))));

    // Take-profit.
    qint64 tp = 0;
    if (intent.tp != 0.0) {
        if (!(intent.tp > 0) || !std::isfinite(intent.tp))
            return makeError(QStringLiteral("%1: tp is %2; give a take-profit price > 0, or 0 to take it from rr")
                                 .arg(what, num(intent.tp)));
        tp = grid.ticks(intent.tp);
        if (buy ? tp <= entry : tp >= entry)
            return makeError(QStringLiteral("%1: the take-profit %2 must be %3 the entry %4 (MT5 retcode 10016 "
                                            "TRADE_RETCODE_INVALID_STOPS)")
                                 .arg(what, num(intent.tp), buy ? QStringLiteral("above") : QStringLiteral("below"),
                                      num(grid.price(entry))));
    } else {
        // Without a stop-loss an unset rr means no take-profit; an explicit one cannot be applied.
        const double rr = intent.rr.value_or(slTicks > 0 ? kDefaultRewardRisk : 0.0);
        if (!(rr >= 0) || !std::isfinite(rr))
            return makeError(QStringLiteral("%1: rr is %2; give a reward/risk >= 0 (0 = no take-profit)").arg(what, num(rr)));
        if (rr > 0 && slTicks == 0)
            return makeError(QStringLiteral("%1: a take-profit from rr %2 needs a stop-loss; give slPoints > 0, an "
                                            "absolute tp, or rr 0 for none").arg(what, num(rr)));
        if (rr > 0) {
            const qint64 distance = roundHalfAway(double(slTicks) * rr);
            tp = buy ? entry + distance : entry - distance;
        }
    }

    // Both levels at least the stops level from the price the position would close at.
    const auto checkLevel = [&](qint64 level, const char *name, bool lossSide) -> Result<void> {
        if (level == 0)
            return {};
        // A BUY's SL lies below the bid and its TP above; a SELL's the other way round.
        const bool mustBeBelow = buy == lossSide;
        const double away = points(mustBeBelow ? closeSide - level : level - closeSide);
        if (away <= 0 || away < stopsLevel)
            return makeError(QStringLiteral("%1: the %2 %3 must be %4 the %5 %6 by at least the symbol's stops level of "
                                            "%7 points (MT5 retcode 10016 TRADE_RETCODE_INVALID_STOPS)")
                                 .arg(what, QLatin1String(name), num(grid.price(level)),
                                      mustBeBelow ? QStringLiteral("below") : QStringLiteral("above"),
                                      buy ? QStringLiteral("bid") : QStringLiteral("ask"),
                                      num(buy ? quote.bid : quote.ask))
                                 .arg(symbol.tradeStopsLevel));
        return {};
    };
    if (intent.kind == EntryKind::Market) {  // a pending order's levels are checked when it triggers
        if (auto ok = checkLevel(sl, "stop-loss", true); !ok)
            return ok.error();
        if (auto ok = checkLevel(tp, "take-profit", false); !ok)
            return ok.error();
    }

    // Volume.
    const double lossPerLot = double(slTicks) * symbol.tradeTickValue;  // deposit currency at the SL, one lot
    qint64 steps = 0;
    if (intent.volume != 0.0) {
        if (!(intent.volume > 0) || !std::isfinite(intent.volume))
            return makeError(QStringLiteral("%1: volume is %2 lots; give a volume > 0, or 0 to size it from riskPercent")
                                 .arg(what, num(intent.volume)));
        steps = wholeSteps(intent.volume, symbol.volumeStep);
        if (steps < 0)
            return makeError(QStringLiteral("%1: volume %2 lots is not a whole multiple of the volume step %3 (MT5 retcode "
                                            "10014 TRADE_RETCODE_INVALID_VOLUME)")
                                 .arg(what, num(intent.volume), num(symbol.volumeStep)));
    } else {
        if (!(intent.riskPercent > 0) || !(intent.riskPercent <= 100))
            return makeError(QStringLiteral("%1: give a volume in lots, or riskPercent in (0, 100] (given %2)")
                                 .arg(what, num(intent.riskPercent)));
        if (slTicks == 0)
            return makeError(QStringLiteral("%1: sizing by riskPercent needs a stop-loss; give slPoints > 0 or a volume")
                                 .arg(what));
        if (!(equity > 0) || !std::isfinite(equity))
            return makeError(QStringLiteral("%1: the account's equity is %2; sizing by risk needs equity > 0")
                                 .arg(what, num(equity)));
        const double lots = equity * intent.riskPercent / 100.0 / lossPerLot;
        steps = qint64(std::floor(lots / symbol.volumeStep + 1e-9));  // down: never more than the risk
        if (double(steps) * symbol.volumeStep < symbol.volumeMin - 1e-9)
            return makeError(QStringLiteral("%1: risking %2 % of %3 with a stop-loss %4 points away allows %5 lots, below the "
                                            "symbol's minimum of %6 lots (MT5 retcode 10014 TRADE_RETCODE_INVALID_VOLUME); "
                                            "raise riskPercent, tighten the stop-loss or give a volume")
                                 .arg(what, num(intent.riskPercent), num(equity), num(intent.slPoints),
                                      QString::number(lots, 'f', 4), num(symbol.volumeMin)));
    }
    const double volume = double(steps) * symbol.volumeStep;
    if (volume < symbol.volumeMin - 1e-9 || volume > symbol.volumeMax + 1e-9)
        return makeError(QStringLiteral("%1: volume %2 lots is outside the symbol's [%3, %4] lots (MT5 retcode 10014 "
                                        "TRADE_RETCODE_INVALID_VOLUME)")
                             .arg(what, num(volume), num(symbol.volumeMin), num(symbol.volumeMax)));

    PlannedOrder out;
    mt5::TradeRequest &r = out.request;
    r.action = intent.kind == EntryKind::Market ? mt5::TradeAction::Deal : mt5::TradeAction::Pending;
    r.symbol = symbol.name;
    r.volume = volume;
    r.type = orderTypeOf(intent);
    // Market execution fills at the market (price 0); instant and request execution need the quoted price.
    const bool marketExecution = symbol.tradeExemode == mt5::SymbolExecution::Market
                                 || symbol.tradeExemode == mt5::SymbolExecution::Exchange;
    r.price = intent.kind == EntryKind::Market && marketExecution ? 0.0 : grid.price(entry);
    r.sl = sl > 0 ? grid.price(sl) : 0.0;
    r.tp = tp > 0 ? grid.price(tp) : 0.0;
    r.deviation = intent.deviationPoints;
    r.magic = intent.magic;
    r.comment = intent.comment;
    r.typeFilling = QStringLiteral("AUTO");
    out.entryPrice = grid.price(entry);
    out.volume = volume;
    out.projectedLoss = lossPerLot * volume;
    out.projectedProfit = tp > 0 ? double(buy ? tp - entry : entry - tp) * symbol.tradeTickValue * volume : 0.0;
    out.rewardRisk = out.projectedLoss > 0 && out.projectedProfit > 0 ? out.projectedProfit / out.projectedLoss : 0.0;
    return out;
}

} // namespace bd
