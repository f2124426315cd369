#pragma once
// BrokerClock: the trade server's clock as the live side knows it. MetaTrader stamps ticks, bars, deals and positions
// on the trade server's clock (often EET, UTC+2/+3; a simulator replaying 2024 stays in 2024); BotDesk stores UTC
// epoch milliseconds: utc = server time − the server's UTC offset. "Now" at the broker is its last tick.
//
//   BrokerClock clock;  clock.serverMs = tick.timeMsc;  clock.utcOffsetSec = link.serverUtcOffsetSec;
//   trade.openTimeMs = clock.nowUtcMs();  close.timeMs = clock.toUtcMs(deal.timeMsc);
//
// A trade's open and close times are both on this clock, so they agree with each other and with the run's bars
// whatever the wall clock says.

#include <QtGlobal>

namespace bd {

struct BrokerClock {
    qint64 serverMs = 0;      // the last tick's time on the server clock, epoch ms; 0 = no tick yet
    qint64 utcOffsetSec = 0;  // server clock minus UTC, seconds (the bridge's welcome, else the account's setting)

    bool known() const { return serverMs > 0; }
    // A server-clock time (epoch ms) in UTC epoch ms.
    qint64 toUtcMs(qint64 serverTimeMs) const { return serverTimeMs - utcOffsetSec * 1000; }
    // The broker's "now" (its last tick) in UTC epoch ms; meaningful only when known().
    qint64 nowUtcMs() const { return toUtcMs(serverMs); }
};

} // namespace bd
