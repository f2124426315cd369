#pragma once
// Trading specification of one symbol (the MT5 SymbolInfo fields a backtest needs),
// and the catalogue loaded from resources/symbols.json.

#include "result.h"

#include <QHash>
#include <QString>

#include <vector>

namespace bd {

struct SymbolSpec {
    QString name;                 // "EURUSD"
    QString description;
    QString currencyBase;         // "EUR"
    QString currencyProfit;       // "USD": P/L is computed in this currency
    int digits = 5;               // price decimals
    double point = 0.00001;       // smallest price change, quote currency
    double contractSize = 100000; // units of base per 1.0 lot
    double tickSize = 0.00001;    // SYMBOL_TRADE_TICK_SIZE, quote currency
    double tickValue = 1.0;       // SYMBOL_TRADE_TICK_VALUE: money (profit currency) per tick per 1.0 lot
    double volumeMin = 0.01;      // lots
    double volumeStep = 0.01;     // lots
    double volumeMax = 100.0;     // lots
    int defaultSpreadPoints = 10; // used when a bar carries no spread
    int stopsLevelPoints = 0;     // SYMBOL_TRADE_STOPS_LEVEL: minimum SL/TP distance from price, points

    // Money (profit currency) of a price move `priceDelta` (quote currency) for `volume` lots:
    // priceDelta / tickSize * tickValue * volume  (MT5 "Forex" profit formula with constant tick value).
    double moneyForPriceMove(double priceDelta, double volume) const
    {
        return priceDelta / tickSize * tickValue * volume;
    }
    // Rounds `price` to the symbol's digits (half away from zero, like std::round).
    double normalizePrice(double price) const;
};

class SymbolCatalog {
public:
    // Parses a JSON document: {"symbols": [{"name": "EURUSD", "digits": 5, ...}, ...]} with the MT5 field names
    // name, description, currency_base, currency_profit, digits, point, contract_size, trade_tick_size,
    // trade_tick_value, volume_min, volume_step, volume_max, spread, trade_stops_level (docs/symbols.md).
    // description and trade_stops_level are optional. Validation: digits 0..10, point = 10^-digits, sizes and
    // volumes > 0, volume_min <= volume_max, tick size a multiple of point, tick value = tick size x contract
    // size, spread/stops level whole points >= 0, names unique (case-insensitive), at least one symbol.
    // Errors name the source, the symbol and the field that is missing or out of range.
    static Result<SymbolCatalog> fromJson(const QByteArray &json, const QString &sourceName);
    // Reads a file (or a Qt resource path such as ":/botdesk/symbols.json").
    static Result<SymbolCatalog> fromFile(const QString &path);
    // The catalogue bundled with BotDesk (resources/symbols.json compiled into core).
    static Result<SymbolCatalog> builtin();

    // Returns nullptr when unknown; lookup is case-insensitive (Unicode case folding), one hash lookup.
    const SymbolSpec *find(const QString &name) const;
    const std::vector<SymbolSpec> &symbols() const { return m_symbols; }

private:
    std::vector<SymbolSpec> m_symbols;
    QHash<QString, qsizetype> m_indexByFoldedName;  // name.toCaseFolded() -> index into m_symbols
};

} // namespace bd
