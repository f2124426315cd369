#pragma once
// One price update of the traded symbol (MT5's MqlTick as a strategy sees it): what the live tick mode hands to
// Strategy::onTick. The bridge's own tick (core/broker/brokertypes.h, mt5::Tick) stays there: it carries the MT5
// server clock, the broker's symbol name and stream state (conflation, replay); this is the domain's view of it,
// in UTC and quote currency.

#include <QtGlobal>

namespace bd {

struct MarketTick {
    qint64 timeMs = 0;   // UTC epoch milliseconds (MqlTick time_msc converted from the server clock)
    double bid = 0.0;    // quote currency
    double ask = 0.0;    // quote currency
    double last = 0.0;   // price of the last deal, quote currency; 0 = none (forex symbols)
    double volume = 0.0; // volume of the last deal (MqlTick volume_real); 0 = none
    int flags = 0;       // which values changed: MT5 TICK_FLAG_BID 2, ASK 4, LAST 8, VOLUME 16, BUY 32, SELL 64
};

} // namespace bd
