#pragma once
// Rounding an order to what the broker accepts before it is sent (MT5_PROTOCOL.md §4.1: "Clients must round to the
// symbol's digits and volume_step"; the bridge validates and never trusts client rounding).
//   prices (price, stoplimit, sl, tp): to the nearest multiple of the symbol's trade_tick_size (point when 0),
//     then to `digits` decimals; 0 stays 0 (= none);
//   volume: to the nearest multiple of volume_step (lots), to the step's decimals.
// Errors (nothing is sent): a volume that rounds to 0 or is not finite, a negative or non-finite price, a symbol
// with digits outside 0..10 or volume_step ≤ 0. The message names the field, the value and the rule.

#include "brokertypes.h"
#include "result.h"

namespace bd::mt5 {

double roundPrice(double price, const BrokerSymbol &symbol);
double roundVolume(double volume, const BrokerSymbol &symbol);
// `request` with its prices and volume rounded for `symbol`, or the error. Actions without a volume (SLTP, MODIFY,
// REMOVE, CLOSE_BY) keep volume 0.
Result<TradeRequest> roundForSymbol(const TradeRequest &request, const BrokerSymbol &symbol);

} // namespace bd::mt5
