#include "mt5enums.h"

#include <array>
#include <utility>

namespace bd::mt5 {
namespace {

template <typename E>
struct Names;

#define BD_MT5_NAMES(E, ...)                                                   \
    template <>                                                               \
    struct Names<E> {                                                         \
        static constexpr std::pair<E, const char *> table[] = {__VA_ARGS__}; \
    };

BD_MT5_NAMES(TradeAction, {TradeAction::Deal, "TRADE_ACTION_DEAL"}, {TradeAction::Pending, "TRADE_ACTION_PENDING"},
             {TradeAction::Sltp, "TRADE_ACTION_SLTP"}, {TradeAction::Modify, "TRADE_ACTION_MODIFY"},
             {TradeAction::Remove, "TRADE_ACTION_REMOVE"}, {TradeAction::CloseBy, "TRADE_ACTION_CLOSE_BY"})
BD_MT5_NAMES(OrderType, {OrderType::Buy, "ORDER_TYPE_BUY"}, {OrderType::Sell, "ORDER_TYPE_SELL"},
             {OrderType::BuyLimit, "ORDER_TYPE_BUY_LIMIT"}, {OrderType::SellLimit, "ORDER_TYPE_SELL_LIMIT"},
             {OrderType::BuyStop, "ORDER_TYPE_BUY_STOP"}, {OrderType::SellStop, "ORDER_TYPE_SELL_STOP"},
             {OrderType::BuyStopLimit, "ORDER_TYPE_BUY_STOP_LIMIT"},
             {OrderType::SellStopLimit, "ORDER_TYPE_SELL_STOP_LIMIT"}, {OrderType::CloseBy, "ORDER_TYPE_CLOSE_BY"})
BD_MT5_NAMES(OrderFilling, {OrderFilling::Fok, "ORDER_FILLING_FOK"}, {OrderFilling::Ioc, "ORDER_FILLING_IOC"},
             {OrderFilling::Return, "ORDER_FILLING_RETURN"})
BD_MT5_NAMES(OrderTime, {OrderTime::Gtc, "ORDER_TIME_GTC"}, {OrderTime::Day, "ORDER_TIME_DAY"},
             {OrderTime::Specified, "ORDER_TIME_SPECIFIED"}, {OrderTime::SpecifiedDay, "ORDER_TIME_SPECIFIED_DAY"})
BD_MT5_NAMES(OrderState, {OrderState::Started, "ORDER_STATE_STARTED"}, {OrderState::Placed, "ORDER_STATE_PLACED"},
             {OrderState::Canceled, "ORDER_STATE_CANCELED"}, {OrderState::Partial, "ORDER_STATE_PARTIAL"},
             {OrderState::Filled, "ORDER_STATE_FILLED"}, {OrderState::Rejected, "ORDER_STATE_REJECTED"},
             {OrderState::Expired, "ORDER_STATE_EXPIRED"}, {OrderState::RequestAdd, "ORDER_STATE_REQUEST_ADD"},
             {OrderState::RequestModify, "ORDER_STATE_REQUEST_MODIFY"},
             {OrderState::RequestCancel, "ORDER_STATE_REQUEST_CANCEL"})
BD_MT5_NAMES(PositionType, {PositionType::Buy, "POSITION_TYPE_BUY"}, {PositionType::Sell, "POSITION_TYPE_SELL"})
BD_MT5_NAMES(DealType, {DealType::Buy, "DEAL_TYPE_BUY"}, {DealType::Sell, "DEAL_TYPE_SELL"},
             {DealType::Balance, "DEAL_TYPE_BALANCE"}, {DealType::Credit, "DEAL_TYPE_CREDIT"},
             {DealType::Charge, "DEAL_TYPE_CHARGE"}, {DealType::Correction, "DEAL_TYPE_CORRECTION"},
             {DealType::Bonus, "DEAL_TYPE_BONUS"}, {DealType::Commission, "DEAL_TYPE_COMMISSION"})
BD_MT5_NAMES(DealEntry, {DealEntry::In, "DEAL_ENTRY_IN"}, {DealEntry::Out, "DEAL_ENTRY_OUT"},
             {DealEntry::InOut, "DEAL_ENTRY_INOUT"}, {DealEntry::OutBy, "DEAL_ENTRY_OUT_BY"})
BD_MT5_NAMES(DealReason, {DealReason::Client, "DEAL_REASON_CLIENT"}, {DealReason::Mobile, "DEAL_REASON_MOBILE"},
             {DealReason::Web, "DEAL_REASON_WEB"}, {DealReason::Expert, "DEAL_REASON_EXPERT"},
             {DealReason::Sl, "DEAL_REASON_SL"}, {DealReason::Tp, "DEAL_REASON_TP"}, {DealReason::So, "DEAL_REASON_SO"},
             {DealReason::Rollover, "DEAL_REASON_ROLLOVER"}, {DealReason::Vmargin, "DEAL_REASON_VMARGIN"},
             {DealReason::Split, "DEAL_REASON_SPLIT"}, {DealReason::CorporateAction, "DEAL_REASON_CORPORATE_ACTION"})
BD_MT5_NAMES(MarginMode, {MarginMode::RetailNetting, "ACCOUNT_MARGIN_MODE_RETAIL_NETTING"},
             {MarginMode::Exchange, "ACCOUNT_MARGIN_MODE_EXCHANGE"},
             {MarginMode::RetailHedging, "ACCOUNT_MARGIN_MODE_RETAIL_HEDGING"})
BD_MT5_NAMES(AccountTradeMode, {AccountTradeMode::Demo, "ACCOUNT_TRADE_MODE_DEMO"},
             {AccountTradeMode::Contest, "ACCOUNT_TRADE_MODE_CONTEST"}, {AccountTradeMode::Real, "ACCOUNT_TRADE_MODE_REAL"})
BD_MT5_NAMES(SymbolTradeMode, {SymbolTradeMode::Disabled, "SYMBOL_TRADE_MODE_DISABLED"},
             {SymbolTradeMode::LongOnly, "SYMBOL_TRADE_MODE_LONGONLY"},
             {SymbolTradeMode::ShortOnly, "SYMBOL_TRADE_MODE_SHORTONLY"},
             {SymbolTradeMode::CloseOnly, "SYMBOL_TRADE_MODE_CLOSEONLY"}, {SymbolTradeMode::Full, "SYMBOL_TRADE_MODE_FULL"})
BD_MT5_NAMES(SymbolExecution, {SymbolExecution::Request, "SYMBOL_TRADE_EXECUTION_REQUEST"},
             {SymbolExecution::Instant, "SYMBOL_TRADE_EXECUTION_INSTANT"},
             {SymbolExecution::Market, "SYMBOL_TRADE_EXECUTION_MARKET"},
             {SymbolExecution::Exchange, "SYMBOL_TRADE_EXECUTION_EXCHANGE"})
#undef BD_MT5_NAMES

template <typename E>
QString nameOf(E value)
{
    for (const auto &[v, name] : Names<E>::table)
        if (v == value)
            return QString::fromLatin1(name);
    return QStringLiteral("%1(%2)").arg(QString::fromLatin1(Names<E>::table[0].second).section(u'_', 0, 1)).arg(int(value));
}

} // namespace

template <typename E>
std::optional<E> parseMt5(QStringView name)
{
    for (const auto &[v, n] : Names<E>::table)
        if (name == QLatin1StringView(n))
            return v;
    return std::nullopt;
}

#define BD_MT5_ENUM(E)                                      \
    QString mt5Name(E v) { return nameOf(v); }             \
    template std::optional<E> parseMt5<E>(QStringView name);
BD_MT5_ENUM(TradeAction)
BD_MT5_ENUM(OrderType)
BD_MT5_ENUM(OrderFilling)
BD_MT5_ENUM(OrderTime)
BD_MT5_ENUM(OrderState)
BD_MT5_ENUM(PositionType)
BD_MT5_ENUM(DealType)
BD_MT5_ENUM(DealEntry)
BD_MT5_ENUM(DealReason)
BD_MT5_ENUM(MarginMode)
BD_MT5_ENUM(AccountTradeMode)
BD_MT5_ENUM(SymbolTradeMode)
BD_MT5_ENUM(SymbolExecution)
#undef BD_MT5_ENUM

bool isBuy(OrderType type)
{
    return type == OrderType::Buy || type == OrderType::BuyLimit || type == OrderType::BuyStop
        || type == OrderType::BuyStopLimit;
}

bool isMarket(OrderType type) { return type == OrderType::Buy || type == OrderType::Sell; }

} // namespace bd::mt5
