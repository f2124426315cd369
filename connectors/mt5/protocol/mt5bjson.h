#pragma once
// The mt5b v1 wire form (docs/mt5b-protocol.md) of MetaTrader 5's value types (core/broker/brokertypes.h):
// MT5 field names in snake_case, enumerations as MT5 identifier strings ("ORDER_TYPE_BUY"), 64-bit tickets as
// decimal strings ("1268074569"), prices and volumes as JSON numbers, MT5 server-clock times as MT5 sends them.
//
// toJson() writes every field. The *FromJson() readers are strict about what they need and lenient about the rest:
// a required field that is missing or of the wrong type, an unknown enumeration name or a ticket that is not a
// decimal string gives an Error naming the field ("mt5b deal: field 'deal.type' is "BUY"; expected one of
// DEAL_TYPE_BUY, ..."); unknown extra fields are ignored (mt5b's additive-change rule). Nothing partial is returned.

#include "brokertypes.h"
#include "result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace bd::mt5b {

// A ticket as the wire's decimal string; 0 (no ticket) is written as JSON null.
QJsonValue ticketToJson(mt5::Ticket ticket);
// A decimal string of 1..20 digits within 2^64−1, or null (→ 0). Anything else is an error naming `field`.
Result<mt5::Ticket> ticketFromJson(const QJsonValue &value, const QString &field);

QJsonObject toJson(const mt5::Tick &tick);            // the `tick` message body (without envelope)
QJsonObject toJson(const mt5::RateBar &bar);          // the `bar` message body
QJsonObject toJson(const mt5::TradeRequest &request); // `order.send`'s `request`
QJsonObject toJson(const mt5::TradeResult &result);   // `order.result`'s `result`
QJsonObject toJson(const mt5::OrderOutcome &outcome); // the `order.result` message body
QJsonObject toJson(const mt5::Position &position);
QJsonObject toJson(const mt5::Order &order);
QJsonObject toJson(const mt5::Deal &deal);            // `deal`'s `deal` (clientReqId goes beside it, see dealEventToJson)
QJsonObject toJson(const mt5::AccountInfo &account);  // `account`'s `info`
QJsonObject toJson(const mt5::BrokerSymbol &symbol);  // `symbol`'s `info`

Result<mt5::Tick> tickFromJson(const QJsonObject &object);
Result<mt5::RateBar> rateBarFromJson(const QJsonObject &object);
Result<mt5::TradeRequest> tradeRequestFromJson(const QJsonObject &object);
Result<mt5::TradeResult> tradeResultFromJson(const QJsonObject &object);
Result<mt5::OrderOutcome> orderOutcomeFromJson(const QJsonObject &object);
Result<mt5::Position> positionFromJson(const QJsonObject &object);
Result<mt5::Order> orderFromJson(const QJsonObject &object);
Result<mt5::Deal> dealFromJson(const QJsonObject &object);
Result<mt5::AccountInfo> accountInfoFromJson(const QJsonObject &object);
Result<mt5::BrokerSymbol> brokerSymbolFromJson(const QJsonObject &object);

// The wire names of OrderOutcome::Status: "done", "placed", "partial", "no_change", "rejected", "unknown".
QString outcomeStatusName(mt5::OrderOutcome::Status status);

} // namespace bd::mt5b
