#include "simsymbol.h"

namespace bd::mt5sim {

SimSymbol SimSymbol::fromSpec(const SymbolSpec &spec, const QString &suffix)
{
    SimSymbol s;
    s.info.name = spec.name + suffix;
    s.info.description = spec.description;
    s.info.digits = spec.digits;
    s.info.point = spec.point;
    s.info.tradeTickSize = spec.tickSize;
    s.info.tradeTickValue = spec.tickValue;
    s.info.tradeContractSize = spec.contractSize;
    s.info.volumeMin = spec.volumeMin;
    s.info.volumeMax = spec.volumeMax;
    s.info.volumeStep = spec.volumeStep;
    s.info.tradeStopsLevel = spec.stopsLevelPoints;
    s.info.tradeFreezeLevel = 0;
    s.info.tradeMode = mt5::SymbolTradeMode::Full;
    s.info.tradeExemode = mt5::SymbolExecution::Market;
    s.info.fillingMode = mt5::kSymbolFillingFok | mt5::kSymbolFillingIoc;
    s.info.orderMode = 0x7f;
    s.info.currencyBase = spec.currencyBase;
    s.info.currencyProfit = spec.currencyProfit;
    s.info.currencyMargin = spec.currencyBase;
    s.defaultSpreadPoints = spec.defaultSpreadPoints;
    return s;
}

} // namespace bd::mt5sim
