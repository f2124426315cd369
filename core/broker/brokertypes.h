#pragma once
// Value types of a MetaTrader 5 account as BotDesk sees it through a bridge (mt5b v1, docs/mt5b-protocol.md).
// Field names follow MT5's structures (MqlTick, MqlRates, MqlTradeRequest, MqlTradeResult, TradePosition,
// TradeOrder, TradeDeal, AccountInfo, SymbolInfo; shared/docs/MT5_PROTOCOL.md §1) in camelCase.
// Units: prices in the symbol's quote currency, volumes in lots, money in the account currency.
// Times: `time`/`timeMsc` fields are MT5 server-clock epoch values (seconds / milliseconds), as MT5 stores them;
// UTC = server − serverUtcOffsetSec (the bridge's welcome/heartbeat). Tickets are MT5's 64-bit unsigned ids.
// All are plain copyable values: they cross threads through queued signals.

#include "mt5enums.h"
#include "retcode.h"

#include <QMetaType>
#include <QString>
#include <QVector>
#include <QtGlobal>

#include <chrono>

namespace bd::mt5 {

using Ticket = quint64;

// MqlTick. flags: TICK_FLAG_BID 2, ASK 4, LAST 8, VOLUME 16, BUY 32, SELL 64 (which values changed).
struct Tick {
    QString symbol;         // broker symbol, e.g. "EURUSD.m"
    qint64 timeMsc = 0;     // server clock, epoch ms
    double bid = 0;
    double ask = 0;
    double last = 0;
    quint64 volume = 0;
    double volumeReal = 0;
    int flags = 0;
    int conflated = 0;      // ticks the bridge dropped before this one (conflation); 0 normally
    bool replay = false;    // re-sent after a resume
};

// MqlRates plus the stream state. `time` is the bar OPEN time (server clock, epoch seconds).
struct RateBar {
    QString symbol;
    QString timeframe;      // "M1", "H1", ...
    qint64 time = 0;
    double open = 0, high = 0, low = 0, close = 0;
    qint64 tickVolume = 0;
    int spread = 0;         // points
    qint64 realVolume = 0;
    bool closed = false;    // exactly one closed bar message per bar time
    bool history = false;   // sent from history (subscription warm-up or backfill), not live
    qint64 receivedNs = 0;  // when the connector parsed it: monotonicNowNs(); 0 = unknown. Not on the wire.
};

// The clock of RateBar::receivedNs: nanoseconds on the monotonic clock (std::chrono::steady_clock: CLOCK_MONOTONIC,
// QElapsedTimer's), for latencies within one process.
inline qint64 monotonicNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// MqlTradeRequest. Optional tickets are 0 when absent.
struct TradeRequest {
    TradeAction action = TradeAction::Deal;
    QString symbol;
    double volume = 0;      // lots
    OrderType type = OrderType::Buy;
    double price = 0;       // 0 for market orders in market execution
    double stoplimit = 0;
    double sl = 0;          // 0 = none
    double tp = 0;          // 0 = none
    int deviation = 0;      // points
    qint64 magic = 0;
    QString comment;
    OrderTime typeTime = OrderTime::Gtc;
    qint64 expiration = 0;  // server clock, epoch seconds (ORDER_TIME_SPECIFIED)
    QString typeFilling;    // "ORDER_FILLING_IOC" ..., or "AUTO": the bridge chooses from the symbol (mt5b extension)
    Ticket order = 0;       // pending order to modify/remove
    Ticket position = 0;    // position to close/modify (mandatory on hedging accounts)
    Ticket positionBy = 0;  // TRADE_ACTION_CLOSE_BY
};

// MqlTradeResult.
struct TradeResult {
    int retcode = 0;
    Ticket deal = 0;
    Ticket order = 0;
    double volume = 0;
    double price = 0;
    double bid = 0;
    double ask = 0;
    QString comment;
    quint32 requestId = 0;
    int retcodeExternal = 0;
};

// mt5b `order.result`: the final outcome of one order.send, identified by its client_req_id.
struct OrderOutcome {
    enum class Status { Done, Placed, Partial, NoChange, Rejected, Unknown };
    QString clientReqId;
    Status status = Status::Unknown;
    bool dedup = false;       // answered from the bridge's idempotency map (the request had been executed before)
    bool reconciled = false;  // the bridge searched the terminal's history to learn the outcome
    bool alreadyClosed = false;
    RetcodeClass retcodeClass = RetcodeClass::Unknown;
    TradeResult result;
    Ticket positionId = 0;
    QString fillingUsed;
    int attempts = 0;
    qint64 bridgeLatencyMs = 0;  // as measured by the bridge
};

// TradePosition. The key of a position is its ticket, never its symbol (hedging accounts hold many per symbol).
struct Position {
    Ticket ticket = 0;
    Ticket identifier = 0;  // the opening order's ticket; survives a netting reversal
    QString symbol;
    PositionType type = PositionType::Buy;
    double volume = 0;
    double priceOpen = 0;
    double sl = 0;
    double tp = 0;
    double priceCurrent = 0;
    double swap = 0;
    double profit = 0;
    qint64 magic = 0;
    QString comment;
    qint64 timeMsc = 0;
    qint64 timeUpdateMsc = 0;
};

// TradeOrder (pending or historical).
struct Order {
    Ticket ticket = 0;
    QString symbol;
    OrderType type = OrderType::Buy;
    OrderState state = OrderState::Placed;
    double volumeInitial = 0;
    double volumeCurrent = 0;
    double priceOpen = 0;
    double sl = 0;
    double tp = 0;
    double priceCurrent = 0;
    double priceStoplimit = 0;
    qint64 magic = 0;
    Ticket positionId = 0;
    QString comment;
    qint64 timeSetupMsc = 0;
    qint64 timeDoneMsc = 0;
    qint64 timeExpiration = 0;
    OrderTime typeTime = OrderTime::Gtc;
    QString typeFilling;
};

// TradeDeal.
struct Deal {
    Ticket ticket = 0;
    Ticket order = 0;
    Ticket positionId = 0;
    QString symbol;
    DealType type = DealType::Buy;
    DealEntry entry = DealEntry::In;
    DealReason reason = DealReason::Expert;
    double volume = 0;
    double price = 0;
    double commission = 0;
    double swap = 0;
    double profit = 0;
    double fee = 0;
    qint64 magic = 0;
    QString comment;
    qint64 timeMsc = 0;
    QString clientReqId;  // set when the bridge ties the deal to one of our requests; empty otherwise
};

// AccountInfo (the fields BotDesk uses).
struct AccountInfo {
    QString login;
    QString server;
    QString company;
    QString name;
    QString currency;
    MarginMode marginMode = MarginMode::RetailHedging;
    AccountTradeMode tradeMode = AccountTradeMode::Demo;
    int leverage = 0;
    bool tradeAllowed = false;
    bool tradeExpert = false;
    double balance = 0, credit = 0, profit = 0, equity = 0, margin = 0, marginFree = 0, marginLevel = 0;
    double marginSoCall = 0, marginSoSo = 0;
};

// SymbolInfo (the fields order entry needs).
struct BrokerSymbol {
    QString name;             // broker name, e.g. "EURUSD.m"
    QString requested;        // the name BotDesk asked for, e.g. "EURUSD" (empty when not resolved from a request)
    QString description;
    int digits = 5;
    double point = 0.00001;
    double tradeTickSize = 0.00001;
    double tradeTickValue = 1;
    double tradeContractSize = 100000;
    double volumeMin = 0.01, volumeMax = 100, volumeStep = 0.01;
    int tradeStopsLevel = 0;   // points
    int tradeFreezeLevel = 0;  // points
    SymbolTradeMode tradeMode = SymbolTradeMode::Full;
    SymbolExecution tradeExemode = SymbolExecution::Market;
    int fillingMode = kSymbolFillingFok | kSymbolFillingIoc;  // SYMBOL_FILLING_* bitmask
    int orderMode = 0x7f;
    QString currencyBase, currencyProfit, currencyMargin;
};

} // namespace bd::mt5

Q_DECLARE_METATYPE(bd::mt5::Tick)
Q_DECLARE_METATYPE(bd::mt5::RateBar)
Q_DECLARE_METATYPE(bd::mt5::TradeRequest)
Q_DECLARE_METATYPE(bd::mt5::OrderOutcome)
Q_DECLARE_METATYPE(bd::mt5::Position)
Q_DECLARE_METATYPE(bd::mt5::Order)
Q_DECLARE_METATYPE(bd::mt5::Deal)
Q_DECLARE_METATYPE(bd::mt5::AccountInfo)
Q_DECLARE_METATYPE(bd::mt5::BrokerSymbol)
