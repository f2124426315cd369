#pragma once
// MT5 trade server return codes (MqlTradeResult::retcode) and what a client should do about each one.
// Codes and names: the MQL5 reference "Trade Server Return Codes" (enum_trade_return_codes; there is no 10005 and
// no 10037). Classes: the mt5b v1 table (docs/mt5b-protocol.md, from shared/docs/MT5_PROTOCOL.md §4.8), which
// follows the official meanings and common retry practice.

#include <QString>

namespace bd::mt5 {

namespace retcode {
inline constexpr int kRequote = 10004;
inline constexpr int kReject = 10006;
inline constexpr int kCancel = 10007;
inline constexpr int kPlaced = 10008;
inline constexpr int kDone = 10009;
inline constexpr int kDonePartial = 10010;
inline constexpr int kError = 10011;
inline constexpr int kTimeout = 10012;
inline constexpr int kInvalid = 10013;
inline constexpr int kInvalidVolume = 10014;
inline constexpr int kInvalidPrice = 10015;
inline constexpr int kInvalidStops = 10016;
inline constexpr int kTradeDisabled = 10017;
inline constexpr int kMarketClosed = 10018;
inline constexpr int kNoMoney = 10019;
inline constexpr int kPriceChanged = 10020;
inline constexpr int kPriceOff = 10021;
inline constexpr int kInvalidExpiration = 10022;
inline constexpr int kOrderChanged = 10023;
inline constexpr int kTooManyRequests = 10024;
inline constexpr int kNoChanges = 10025;
inline constexpr int kServerDisablesAt = 10026;
inline constexpr int kClientDisablesAt = 10027;
inline constexpr int kLocked = 10028;
inline constexpr int kFrozen = 10029;
inline constexpr int kInvalidFill = 10030;
inline constexpr int kConnection = 10031;
inline constexpr int kOnlyReal = 10032;
inline constexpr int kLimitOrders = 10033;
inline constexpr int kLimitVolume = 10034;
inline constexpr int kInvalidOrder = 10035;
inline constexpr int kPositionClosed = 10036;
inline constexpr int kInvalidCloseVolume = 10038;
inline constexpr int kCloseOrderExist = 10039;
inline constexpr int kLimitPositions = 10040;
inline constexpr int kRejectCancel = 10041;
inline constexpr int kLongOnly = 10042;
inline constexpr int kShortOnly = 10043;
inline constexpr int kCloseOnly = 10044;
inline constexpr int kFifoClose = 10045;
inline constexpr int kHedgeProhibited = 10046;
} // namespace retcode

enum class RetcodeClass {
    Success,              // 10008 PLACED, 10009 DONE, 10010 DONE_PARTIAL, 10025 NO_CHANGES: final
    RetryReprice,         // 10004 REQUOTE, 10020 PRICE_CHANGED: not executed; refresh the price, same client_req_id
    RetryBackoff,         // 10021, 10024, 10028, 10031: not executed, transient; back off, same client_req_id
    Reconcile,            // 10011 ERROR, 10012 TIMEOUT (and bridge timeouts): outcome uncertain; never resend with a new id
    RejectRequest,        // the request is wrong (volume, price, stops, filling…): fix the input, do not retry
    RejectState,          // account, market or permission state says no: wait until it changes
    StateConflict,        // 10023, 10029, 10036, 10039: refresh positions/orders, then decide
    ReconciledNotExecuted,// the bridge proved after an uncertain outcome that nothing executed
    Unknown,              // a code outside the MQL5 table
};

// "TRADE_RETCODE_DONE" for 10009; "TRADE_RETCODE_UNKNOWN(123)" for a code not in the table.
QString retcodeName(int code);
// The code of a "TRADE_RETCODE_*" name, or 0 when the name is not in the table.
int retcodeFromName(const QString &name);
// The official one-line meaning ("Invalid stops in the request"); "unknown return code" otherwise.
QString retcodeMeaning(int code);
RetcodeClass classifyRetcode(int code);
// "SUCCESS", "RETRY_REPRICE", "RETRY_BACKOFF", "RECONCILE", "REJECT_REQUEST", "REJECT_STATE", "STATE_CONFLICT",
// "RECONCILED_NOT_EXECUTED", "UNKNOWN": the wire names of the classes.
QString retcodeClassName(RetcodeClass cls);
// True for RetryReprice and RetryBackoff: retrying with the SAME client_req_id is safe and may succeed.
bool isRetryable(RetcodeClass cls);

} // namespace bd::mt5
