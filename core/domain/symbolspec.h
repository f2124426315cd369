#pragma once
// Trading specification of one symbol (the MT5 SymbolInfo fields a backtest needs),
// and the catalogue loaded from resources/symbols.json.

#include "result.h"

#include <QString>
#include <QtGlobal>

#include <cmath>
#include <string>
#include <unordered_map>
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
    // Rounds `price` to the symbol's digits (half away from zero, like std::round): the nearest grid price.
    double normalizePrice(double price) const { return fromPoints(toPoints(price)); }

    // --- The price grid ---------------------------------------------------------------------------------
    // A price on the symbol's grid is a whole number of points: price = points · point = points / 10^digits
    // (the catalogue guarantees point = 10^-digits). The backtest engine does all price arithmetic in points,
    // so that ask = bid + spread and every SL/TP comparison is exact.

    // 10^digits: points per 1.0 of price (exact in a double for digits 0..22).
    double pointsPerPrice() const { return pow10(digits); }
    // `price` (quote currency) in points, exactly (price · 10^digits) rounded half away from zero.
    // For a price off the grid that is the nearest point (1.130175 on 5 digits -> 113018).
    // `price` must be finite with |price · 10^digits| < 2^52 (see pointsInRange); otherwise the result is
    // meaningless (no UB: out-of-range input gives an unspecified value, never a crash).
    qint64 toPoints(double price) const { return roundHalfAwayFromZero(price * pointsPerPrice()); }
    // The double equal to the decimal `points` / 10^digits (what parsing that decimal gives), quote currency.
    double fromPoints(qint64 points) const { return double(points) / pointsPerPrice(); }
    // True when price · 10^digits is finite and within ±kMaxPricePoints.
    bool pointsInRange(double price) const
    {
        const double x = price * pointsPerPrice();
        return x >= -double(kMaxPricePoints) && x <= double(kMaxPricePoints);
    }
    // Largest price the grid represents, in points (2^50: exact in a double, room to add spreads and slippage).
    static constexpr qint64 kMaxPricePoints = qint64(1) << 50;

    // Money (profit currency) of a move of one point for 1.0 lot: point / tickSize · tickValue
    // (the MT5 "Forex" formula of moneyForPriceMove, per point).
    double moneyPerPointPerLot() const { return point / tickSize * tickValue; }

    // Rounds half away from zero (the rule of std::round and MQL5 NormalizeDouble): 2.5 -> 3, -2.5 -> -3.
    // Exact for |x| < 2^62 (x − trunc(x) is exact); NaN or larger |x| give an unspecified value, never UB.
    static qint64 roundHalfAwayFromZero(double x)
    {
        if (!(std::fabs(x) < 4.0e18))
            return 0;
        const qint64 whole = qint64(x);  // truncates toward zero
        const double fraction = x - double(whole);
        return whole + (fraction >= 0.5 ? 1 : 0) - (fraction <= -0.5 ? 1 : 0);
    }
    // 10^n for n = 0..22 from a table (exact), std::pow otherwise.
    static double pow10(int n)
    {
        static constexpr double kPow[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                          1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        return n >= 0 && n <= 22 ? kPow[n] : std::pow(10.0, n);
    }
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
    // find(), or the error "unknown symbol 'NAME'; choose one of: EURUSD, ..." naming every symbol of the catalogue.
    Result<const SymbolSpec *> lookup(const QString &name) const;
    const std::vector<SymbolSpec> &symbols() const { return m_symbols; }

private:
    std::vector<SymbolSpec> m_symbols;
    // name.toCaseFolded() as UTF-8 -> index into m_symbols. Not a QHash<QString>: Qt 6.4's QString hashing leaves
    // the CPU's upper AVX state dirty, which slows every later SSE instruction of the process (the engine's too).
    std::unordered_map<std::string, size_t> m_indexByFoldedName;
};

} // namespace bd
