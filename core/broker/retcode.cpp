#include "retcode.h"

namespace bd::mt5 {
namespace {

struct RetcodeInfo {
    int code;
    const char *name;
    const char *meaning;
    RetcodeClass cls;
};

using C = RetcodeClass;
constexpr RetcodeInfo kRetcodes[] = {
    {10004, "TRADE_RETCODE_REQUOTE", "Requote", C::RetryReprice},
    {10006, "TRADE_RETCODE_REJECT", "Request rejected", C::RejectState},
    {10007, "TRADE_RETCODE_CANCEL", "Request canceled by trader", C::RejectState},
    {10008, "TRADE_RETCODE_PLACED", "Order placed", C::Success},
    {10009, "TRADE_RETCODE_DONE", "Request completed", C::Success},
    {10010, "TRADE_RETCODE_DONE_PARTIAL", "Only part of the request was completed", C::Success},
    {10011, "TRADE_RETCODE_ERROR", "Request processing error", C::Reconcile},
    {10012, "TRADE_RETCODE_TIMEOUT", "Request canceled by timeout", C::Reconcile},
    {10013, "TRADE_RETCODE_INVALID", "Invalid request", C::RejectRequest},
    {10014, "TRADE_RETCODE_INVALID_VOLUME", "Invalid volume in the request", C::RejectRequest},
    {10015, "TRADE_RETCODE_INVALID_PRICE", "Invalid price in the request", C::RejectRequest},
    {10016, "TRADE_RETCODE_INVALID_STOPS", "Invalid stops in the request", C::RejectRequest},
    {10017, "TRADE_RETCODE_TRADE_DISABLED", "Trade is disabled", C::RejectState},
    {10018, "TRADE_RETCODE_MARKET_CLOSED", "Market is closed", C::RejectState},
    {10019, "TRADE_RETCODE_NO_MONEY", "There is not enough money to complete the request", C::RejectState},
    {10020, "TRADE_RETCODE_PRICE_CHANGED", "Prices changed", C::RetryReprice},
    {10021, "TRADE_RETCODE_PRICE_OFF", "There are no quotes to process the request", C::RetryBackoff},
    {10022, "TRADE_RETCODE_INVALID_EXPIRATION", "Invalid order expiration date in the request", C::RejectRequest},
    {10023, "TRADE_RETCODE_ORDER_CHANGED", "Order state changed", C::StateConflict},
    {10024, "TRADE_RETCODE_TOO_MANY_REQUESTS", "Too frequent requests", C::RetryBackoff},
    {10025, "TRADE_RETCODE_NO_CHANGES", "No changes in request", C::Success},
    {10026, "TRADE_RETCODE_SERVER_DISABLES_AT", "Autotrading disabled by server", C::RejectState},
    {10027, "TRADE_RETCODE_CLIENT_DISABLES_AT", "Autotrading disabled by client terminal", C::RejectState},
    {10028, "TRADE_RETCODE_LOCKED", "Request locked for processing", C::RetryBackoff},
    {10029, "TRADE_RETCODE_FROZEN", "Order or position frozen", C::StateConflict},
    {10030, "TRADE_RETCODE_INVALID_FILL", "Invalid order filling type", C::RejectRequest},
    {10031, "TRADE_RETCODE_CONNECTION", "No connection with the trade server", C::RetryBackoff},
    {10032, "TRADE_RETCODE_ONLY_REAL", "Operation is allowed only for live accounts", C::RejectState},
    {10033, "TRADE_RETCODE_LIMIT_ORDERS", "The number of pending orders has reached the limit", C::RejectState},
    {10034, "TRADE_RETCODE_LIMIT_VOLUME", "The volume of orders and positions for the symbol has reached the limit",
     C::RejectState},
    {10035, "TRADE_RETCODE_INVALID_ORDER", "Incorrect or prohibited order type", C::RejectRequest},
    {10036, "TRADE_RETCODE_POSITION_CLOSED", "Position with the specified POSITION_IDENTIFIER has already been closed",
     C::StateConflict},
    {10038, "TRADE_RETCODE_INVALID_CLOSE_VOLUME", "A close volume exceeds the current position volume", C::RejectRequest},
    {10039, "TRADE_RETCODE_CLOSE_ORDER_EXIST", "A close order already exists for a specified position", C::StateConflict},
    {10040, "TRADE_RETCODE_LIMIT_POSITIONS", "Open-positions limit set by the server has been reached", C::RejectState},
    {10041, "TRADE_RETCODE_REJECT_CANCEL", "The pending order activation request is rejected, the order is canceled",
     C::RejectState},
    {10042, "TRADE_RETCODE_LONG_ONLY", "Only long positions allowed for the symbol", C::RejectState},
    {10043, "TRADE_RETCODE_SHORT_ONLY", "Only short positions allowed", C::RejectState},
    {10044, "TRADE_RETCODE_CLOSE_ONLY", "Only position closing allowed", C::RejectState},
    {10045, "TRADE_RETCODE_FIFO_CLOSE", "Position closing allowed only by FIFO", C::RejectState},
    {10046, "TRADE_RETCODE_HEDGE_PROHIBITED", "Opposite positions on one symbol are disabled", C::RejectState},
};

const RetcodeInfo *find(int code)
{
    for (const auto &info : kRetcodes)
        if (info.code == code)
            return &info;
    return nullptr;
}

} // namespace

QString retcodeName(int code)
{
    const auto *info = find(code);
    return info ? QString::fromLatin1(info->name) : QStringLiteral("TRADE_RETCODE_UNKNOWN(%1)").arg(code);
}

int retcodeFromName(const QString &name)
{
    for (const auto &info : kRetcodes)
        if (name == QLatin1StringView(info.name))
            return info.code;
    return 0;
}

QString retcodeMeaning(int code)
{
    const auto *info = find(code);
    return info ? QString::fromLatin1(info->meaning) : QStringLiteral("unknown return code");
}

RetcodeClass classifyRetcode(int code)
{
    const auto *info = find(code);
    return info ? info->cls : RetcodeClass::Unknown;
}

QString retcodeClassName(RetcodeClass cls)
{
    switch (cls) {
    case RetcodeClass::Success: return QStringLiteral("SUCCESS");
    case RetcodeClass::RetryReprice: return QStringLiteral("RETRY_REPRICE");
    case RetcodeClass::RetryBackoff: return QStringLiteral("RETRY_BACKOFF");
    case RetcodeClass::Reconcile: return QStringLiteral("RECONCILE");
    case RetcodeClass::RejectRequest: return QStringLiteral("REJECT_REQUEST");
    case RetcodeClass::RejectState: return QStringLiteral("REJECT_STATE");
    case RetcodeClass::StateConflict: return QStringLiteral("STATE_CONFLICT");
    case RetcodeClass::ReconciledNotExecuted: return QStringLiteral("RECONCILED_NOT_EXECUTED");
    case RetcodeClass::Unknown: break;
    }
    return QStringLiteral("UNKNOWN");
}

bool isRetryable(RetcodeClass cls) { return cls == RetcodeClass::RetryReprice || cls == RetcodeClass::RetryBackoff; }

} // namespace bd::mt5
