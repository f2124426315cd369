#pragma once
// MetaTrader 5 enumerations with MT5's own numeric values and identifier names, as the mt5b protocol sends them
// ("ORDER_TYPE_BUY", "DEAL_REASON_SL"). Values: the MetaTrader5 Python package constants and the MQL5 reference
// (shared/docs/MT5_PROTOCOL.md §1.1, §1.7–1.9). mt5Name() gives the identifier; parseMt5<E>() reads one back and
// returns std::nullopt for any other text (case-sensitive, as MT5 spells them).

#include <QString>
#include <QStringView>

#include <optional>

namespace bd::mt5 {

enum class TradeAction { Deal = 1, Pending = 5, Sltp = 6, Modify = 7, Remove = 8, CloseBy = 10 };
enum class OrderType {
    Buy = 0, Sell = 1, BuyLimit = 2, SellLimit = 3, BuyStop = 4, SellStop = 5, BuyStopLimit = 6, SellStopLimit = 7,
    CloseBy = 8
};
enum class OrderFilling { Fok = 0, Ioc = 1, Return = 2 };
enum class OrderTime { Gtc = 0, Day = 1, Specified = 2, SpecifiedDay = 3 };
enum class OrderState {
    Started = 0, Placed = 1, Canceled = 2, Partial = 3, Filled = 4, Rejected = 5, Expired = 6, RequestAdd = 7,
    RequestModify = 8, RequestCancel = 9
};
enum class PositionType { Buy = 0, Sell = 1 };
enum class DealType { Buy = 0, Sell = 1, Balance = 2, Credit = 3, Charge = 4, Correction = 5, Bonus = 6, Commission = 7 };
enum class DealEntry { In = 0, Out = 1, InOut = 2, OutBy = 3 };
enum class DealReason {
    Client = 0, Mobile = 1, Web = 2, Expert = 3, Sl = 4, Tp = 5, So = 6, Rollover = 7, Vmargin = 8, Split = 9,
    CorporateAction = 10
};
enum class MarginMode { RetailNetting = 0, Exchange = 1, RetailHedging = 2 };
enum class AccountTradeMode { Demo = 0, Contest = 1, Real = 2 };
enum class SymbolTradeMode { Disabled = 0, LongOnly = 1, ShortOnly = 2, CloseOnly = 3, Full = 4 };
enum class SymbolExecution { Request = 0, Instant = 1, Market = 2, Exchange = 3 };

// SYMBOL_FILLING_* bits of symbol_info().filling_mode: a bitmask, not an ORDER_FILLING_* value (§1.1).
inline constexpr int kSymbolFillingFok = 1;
inline constexpr int kSymbolFillingIoc = 2;
inline constexpr int kSymbolFillingBoc = 4;

QString mt5Name(TradeAction v);
QString mt5Name(OrderType v);
QString mt5Name(OrderFilling v);
QString mt5Name(OrderTime v);
QString mt5Name(OrderState v);
QString mt5Name(PositionType v);
QString mt5Name(DealType v);
QString mt5Name(DealEntry v);
QString mt5Name(DealReason v);
QString mt5Name(MarginMode v);
QString mt5Name(AccountTradeMode v);
QString mt5Name(SymbolTradeMode v);
QString mt5Name(SymbolExecution v);

template <typename E>
std::optional<E> parseMt5(QStringView name);

// True for the two market order types and the buy side of pending types (BUY, BUY_LIMIT, BUY_STOP, BUY_STOP_LIMIT).
bool isBuy(OrderType type);
// True for BUY and SELL (market orders, TRADE_ACTION_DEAL).
bool isMarket(OrderType type);

} // namespace bd::mt5
