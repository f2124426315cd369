#include "orderrounding.h"

#include <cmath>

namespace bd::mt5 {

namespace {

// `x` written with `decimals` decimals and read back: the double nearest to that decimal.
double toDecimals(double x, int decimals)
{
    return QString::number(x, 'f', decimals).toDouble();
}

int decimalsOf(double step)
{
    for (int d = 0; d <= 10; ++d)
        if (std::fabs(step * std::pow(10.0, d) - std::round(step * std::pow(10.0, d))) < 1e-9)
            return d;
    return 10;
}

} // namespace

double roundPrice(double price, const BrokerSymbol &symbol)
{
    if (price == 0)
        return 0;
    const double tick = symbol.tradeTickSize > 0 ? symbol.tradeTickSize : symbol.point;
    const double onTick = tick > 0 ? std::round(price / tick) * tick : price;
    return toDecimals(onTick, symbol.digits);
}

double roundVolume(double volume, const BrokerSymbol &symbol)
{
    const double step = symbol.volumeStep;
    return toDecimals(std::round(volume / step) * step, decimalsOf(step));
}

Result<TradeRequest> roundForSymbol(const TradeRequest &request, const BrokerSymbol &symbol)
{
    if (symbol.digits < 0 || symbol.digits > 10 || !(symbol.volumeStep > 0))
        return makeError(QStringLiteral("symbol %1 has digits %2 and volume_step %3; cannot round an order for it")
                             .arg(symbol.name).arg(symbol.digits).arg(symbol.volumeStep));
    TradeRequest out = request;
    const struct { const char *name; double TradeRequest::*field; } prices[] = {
        {"price", &TradeRequest::price}, {"stoplimit", &TradeRequest::stoplimit}, {"sl", &TradeRequest::sl},
        {"tp", &TradeRequest::tp}};
    for (const auto &p : prices) {
        const double value = request.*(p.field);
        if (!std::isfinite(value) || value < 0)
            return makeError(QStringLiteral("order %1 %2 is %3; give a price >= 0 (0 = none)")
                                 .arg(symbol.name, QLatin1StringView(p.name)).arg(value));
        out.*(p.field) = roundPrice(value, symbol);
    }
    const bool hasVolume = request.action == TradeAction::Deal || request.action == TradeAction::Pending;
    if (hasVolume) {
        if (!std::isfinite(request.volume) || request.volume <= 0)
            return makeError(QStringLiteral("order %1 volume is %2 lots; give a volume > 0").arg(symbol.name).arg(request.volume));
        out.volume = roundVolume(request.volume, symbol);
        if (out.volume <= 0)
            return makeError(QStringLiteral("order %1 volume %2 lots rounds to 0 at volume_step %3; give at least %3")
                                 .arg(symbol.name).arg(request.volume).arg(symbol.volumeStep));
    }
    return out;
}

} // namespace bd::mt5
