#pragma once
// One symbol as the simulated trade server offers it: the MT5 SymbolInfo fields order entry needs
// (core/broker BrokerSymbol) plus what the catalogue (resources/symbols.json) knows beyond them.

#include "brokertypes.h"
#include "symbolspec.h"

namespace bd::mt5sim {

struct SimSymbol {
    mt5::BrokerSymbol info;       // info.name is the broker name (catalogue name + --suffix, e.g. "EURUSD.sim")
    int defaultSpreadPoints = 10; // ask = bid + spread when the bar carries none
    // Money per tick for 1 lot is in the PROFIT currency (catalogue: tick value = tick size × contract size).

    // Builds the simulator's symbol from the catalogue entry: digits, point, tick size/value, contract size,
    // volume limits, default spread, stops level; freeze level 0, trade mode FULL, market execution, filling
    // FOK|IOC, every order type allowed.
    static SimSymbol fromSpec(const SymbolSpec &spec, const QString &suffix);
};

} // namespace bd::mt5sim
