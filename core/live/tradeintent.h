#pragma once
// TradeIntent: what a bot (BOT), the trader's order ticket (MANUAL), later an assistant (AI), or a backtest
// (BACKTEST) wants to trade, before it becomes a broker order (issue 9 §3: the seeds' canonical execution request).
// Every order of a live run is built from one intent by buildTradeRequest (traderequestbuilder.h), then goes through
// risk, is persisted under its idempotency key (idempotencykey.h) and only then sent.
//
// Units: prices in quote currency, the stop-loss as a distance in points (the symbol's point), volume in lots,
// risk in % of equity, times UTC epoch milliseconds.

#include "tradetypes.h"

#include <QString>
#include <QUuid>

#include <optional>

namespace bd {

// Who asked for the trade (stored with every order and trade as its source).
enum class TradeSource { Manual, Ai, Bot, Backtest };

// "MANUAL", "AI", "BOT", "BACKTEST".
inline const char *tradeSourceName(TradeSource s)
{
    switch (s) {
    case TradeSource::Manual: return "MANUAL";
    case TradeSource::Ai: return "AI";
    case TradeSource::Bot: return "BOT";
    case TradeSource::Backtest: return "BACKTEST";
    }
    return "UNKNOWN";
}

// How the entry is made: at the market (BUY at the ask, SELL at the bid), or a pending LIMIT / STOP order at
// `entryPrice`.
enum class EntryKind { Market, Limit, Stop };

// The rr used when an intent gives neither a TP nor an rr (issue 9 §3).
inline constexpr double kDefaultRewardRisk = 2.0;

struct TradeIntent {
    QString account;             // the account's name in BotDesk
    QString symbol;              // BotDesk's name ("EURUSD"); the order carries the broker's (BrokerSymbol::name)
    Side side = Side::Buy;
    EntryKind kind = EntryKind::Market;
    double entryPrice = 0.0;     // LIMIT / STOP only: the pending order's price; must be 0 for MARKET
    double slPoints = 0.0;       // stop-loss distance from the entry, points; 0 = no SL (then `volume` is required)
    double tp = 0.0;             // absolute take-profit price; 0 = from rr
    std::optional<double> rr;    // TP = entry ± SL × rr when tp == 0; unset = kDefaultRewardRisk (none without SL); 0 = no TP
    double riskPercent = 0.0;    // % of equity lost if the SL is hit; sizes the volume when volume == 0
    double volume = 0.0;         // lots; 0 = from riskPercent (needs slPoints > 0)
    int deviationPoints = 10;    // accepted slippage for a market order, points
    qint64 magic = 0;            // the account's magic number (MT5 ORDER_MAGIC)
    QString comment;             // MT5 order comment (the broker may cut it to 31 characters)

    // Lineage: stored with the order, its deals and its trade.
    TradeSource source = TradeSource::Bot;
    QUuid liveRunId;             // null for a manual order
    QUuid botVersionId;          // null for a manual order
    QString signalId;            // the strategy's signal this intent answers (empty for a manual order)
    QString reason;              // why, in words ("EMA cross up"), for the event log
    QString correlationId;       // follows the intent through every event, order, deal and trade
};

} // namespace bd
