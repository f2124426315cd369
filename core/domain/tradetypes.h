#pragma once
// Trading vocabulary shared by strategies, the backtest engine and (later) the live TradeService.
// Prices are in quote currency, volume in lots, times are UTC epoch milliseconds.

#include <QString>
#include <QStringView>
#include <QtGlobal>

#include <optional>

namespace bd {

enum class Side { Buy, Sell };

inline const char *sideName(Side s) { return s == Side::Buy ? "BUY" : "SELL"; }
// The side named "BUY" or "SELL" (exactly); nothing for any other text.
inline std::optional<Side> sideFromName(QStringView name)
{
    if (name == QLatin1String("BUY"))
        return Side::Buy;
    if (name == QLatin1String("SELL"))
        return Side::Sell;
    return std::nullopt;
}

// An open position (MT5 hedging-account semantics: each entry deal opens its own ticket).
struct Position {
    quint64 ticket = 0;
    Side side = Side::Buy;
    double volume = 0.0;       // lots
    qint64 openTimeMs = 0;     // UTC epoch ms of the entry deal
    double openPrice = 0.0;    // fill price (ask for BUY, bid for SELL), quote currency
    double sl = 0.0;           // stop-loss price, 0 = none
    double tp = 0.0;           // take-profit price, 0 = none
    double commission = 0.0;   // entry commission charged, money (negative = cost)
    QString comment;
};

// Why a position was closed; tagged on every trade.
enum class CloseReason { TpHit, SlHit, StrategyExit, EndOfTest };

inline const char *closeReasonName(CloseReason r)
{
    switch (r) {
    case CloseReason::TpHit: return "TP_HIT";
    case CloseReason::SlHit: return "SL_HIT";
    case CloseReason::StrategyExit: return "STRATEGY_EXIT";
    case CloseReason::EndOfTest: return "END_OF_TEST";
    }
    return "UNKNOWN";
}

// The reason named by closeReasonName (exactly, e.g. "TP_HIT"); nothing for any other text.
inline std::optional<CloseReason> closeReasonFromName(QStringView name)
{
    for (CloseReason r : {CloseReason::TpHit, CloseReason::SlHit, CloseReason::StrategyExit, CloseReason::EndOfTest}) {
        if (name == QLatin1String(closeReasonName(r)))
            return r;
    }
    return std::nullopt;
}

// A closed round trip: entry deal + exit deal.
struct Trade {
    quint64 ticket = 0;        // position ticket
    Side side = Side::Buy;
    double volume = 0.0;       // lots
    qint64 openTimeMs = 0;     // UTC epoch ms
    double openPrice = 0.0;
    qint64 closeTimeMs = 0;    // UTC epoch ms
    double closePrice = 0.0;   // bid for a long exit, ask for a short exit
    double sl = 0.0;           // SL/TP in force when the position closed (0 = none)
    double tp = 0.0;
    double commission = 0.0;   // entry + exit commission, money (<= 0)
    double profit = 0.0;       // price P/L in deposit currency, before commission
    CloseReason closeReason = CloseReason::StrategyExit;
    double mae = 0.0;          // maximum adverse excursion while open, money (<= 0), from bar extremes
    double mfe = 0.0;          // maximum favourable excursion while open, money (>= 0), from bar extremes
    QString comment;

    double netProfit() const { return profit + commission; }  // the trade's result in the report
};

} // namespace bd
