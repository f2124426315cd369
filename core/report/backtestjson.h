#pragma once
// The JSON forms of a backtest's values, both ways: BacktestConfig, BacktestStats and Trade, in the shapes the
// --json report writes (reportjson.h) and a stored run keeps (runrecordjson.h, the store's jsonb columns).
// Keys are snake_case and stable. Money in deposit currency, prices in quote currency, volume in lots, times
// UTC epoch milliseconds. Doubles are written exactly (the shortest text that reads back to the same double),
// so to-JSON-and-back is lossless; the one non-finite value a backtest produces, profit_factor = +infinity
// (no losing trade), is written as null and read back as +infinity.
//
// Readers take a JsonFields (jsonfields.h) so errors name the field by its full path; the *FromJson forms
// return the value or an error such as "stats: field 'total_trades' is -1; expected a whole number from 0 to ...".

#include "backtestengine.h"
#include "backteststats.h"
#include "jsonfields.h"
#include "result.h"
#include "tradetypes.h"

#include <QJsonObject>

namespace bd {

// {"initial_deposit", "deposit_currency", "spread_points", "slippage_points", "commission_per_lot"}
QJsonObject configToJson(const BacktestConfig &config);
// Checks types only (validateBacktestConfig checks ranges when the config is used).
BacktestConfig readConfig(JsonFields &in);
Result<BacktestConfig> configFromJson(const QJsonObject &json);

// Every BacktestStats field under its snake_case name (e.g. "total_net_profit", "equity_drawdown_maximal_percent").
// A non-finite value is written as null; reading accepts null only for profit_factor (+infinity).
QJsonObject statsToJson(const BacktestStats &stats);
BacktestStats readStats(JsonFields &in);
Result<BacktestStats> statsFromJson(const QJsonObject &json);

// {"ticket", "type": "BUY"|"SELL", "volume", "open_time_ms", "open_price", "sl", "tp", "close_time_ms",
//  "close_price", "commission", "profit", "net_profit", "close_reason", "mae", "mfe", "comment"}.
// net_profit (profit + commission) is for readers of the JSON; reading ignores it.
QJsonObject tradeToJson(const Trade &trade);
Trade readTrade(JsonFields &in);
Result<Trade> tradeFromJson(const QJsonObject &json);

} // namespace bd
