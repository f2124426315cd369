#pragma once
// buildTradeRequest: a TradeIntent turned into the MT5 order that carries it, checked against the symbol's rules the
// way the trade server checks it, before any risk rule or any byte is sent (issue 9 §3 "build_trade_request ->
// validate"). Pure: no I/O, no clock; the same intent, symbol and quote always give the same order.
//
// Rules (MQL5 reference "Requirements and Limitations in Making Trades"; MT5_PROTOCOL.md §1):
//  * Entry: MARKET BUY at the ask, MARKET SELL at the bid; LIMIT / STOP at intent.entryPrice, which must be on the
//    right side of the market (BUY LIMIT and SELL STOP below it, BUY STOP and SELL LIMIT above it: BUY orders
//    compare with the ask, SELL orders with the bid) and at least trade_stops_level points away.
//  * Prices are whole multiples of trade_tick_size (point when 0). SL = entry ∓ slPoints; TP = intent.tp, or
//    entry ± SL distance × rr rounded half away from zero to a whole tick (rr unset: kDefaultRewardRisk, or
//    no TP without an SL; 0: none).
//  * SL and TP at least trade_stops_level points from the price a position closes at: the bid for a BUY, the ask
//    for a SELL (else MT5 answers 10016 TRADE_RETCODE_INVALID_STOPS).
//  * Volume: intent.volume, which must be a whole multiple of volume_step; else from riskPercent: the largest
//    multiple of volume_step whose loss at the SL is at most riskPercent % of `equity`, with the loss of one lot
//    over one tick = trade_tick_value (deposit currency). Within [volume_min, volume_max] (else 10014
//    TRADE_RETCODE_INVALID_VOLUME): never silently enlarged to volume_min.
//  * The symbol's trade mode: DISABLED refuses every entry (10017 TRADE_RETCODE_TRADE_DISABLED), CLOSEONLY too
//    (10044 CLOSE_ONLY), LONGONLY refuses SELL (10042 LONG_ONLY), SHORTONLY refuses BUY (10043 SHORT_ONLY).
// Errors: a Result error naming the intent's field, its value, the rule and the fix; nothing is built then.

#include "brokertypes.h"
#include "result.h"
#include "tradeintent.h"

namespace bd {

// The prices the intent is built at: the current bid and ask, quote currency.
struct Quote {
    double bid = 0.0;
    double ask = 0.0;
};

struct PlannedOrder {
    mt5::TradeRequest request;    // for BrokerPort::sendOrder: the broker's symbol, volume, type, price, SL, TP, magic
    double entryPrice = 0.0;      // the price the entry is expected at (ask / bid / the pending price)
    double volume = 0.0;          // lots (= request.volume)
    double projectedLoss = 0.0;   // deposit currency lost at the SL (>= 0; 0 without an SL)
    double projectedProfit = 0.0; // deposit currency won at the TP (>= 0; 0 without a TP)
    double rewardRisk = 0.0;      // projectedProfit / projectedLoss; 0 when either is 0
};

// `intent` as the order for `symbol` at `quote`, sized on `equity` (deposit currency) when it gives a risk %.
Result<PlannedOrder> buildTradeRequest(const TradeIntent &intent, const mt5::BrokerSymbol &symbol, const Quote &quote,
                                       double equity);

} // namespace bd
