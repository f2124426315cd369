#pragma once
// Machine-readable backtest report (what `botdesk-cli backtest --json` writes).
//
// Shape (keys are stable; money in deposit currency, prices in quote currency, volume in lots,
// times as UTC epoch milliseconds):
// { "format": "botdesk.backtest.v1", "symbol", "strategy", "params", "config": {...},
//   "bars", "first_bar_time_ms", "last_bar_time_ms", "cancelled", "rejected_orders",
//   "off_grid_bars" (bars with a price off the symbol's grid, snapped), "warnings": [ "sentence", ... ],
//   "stats": { MT5 report metrics, snake_case; non-finite values (profit factor with no loss) are null },
//   "trades": [ { "ticket", "type": "BUY"|"SELL", "volume", "open_time_ms", "open_price", "sl", "tp",
//                 "close_time_ms", "close_price", "commission", "profit", "net_profit",
//                 "close_reason": "TP_HIT"|"SL_HIT"|"STRATEGY_EXIT"|"END_OF_TEST", "mae", "mfe", "comment" } ],
//   "equity_curve": [ [time_ms, balance, equity, equity_low], ... ]  (at most maxCurvePoints rows; each row
//                    closes a bucket of bars and carries that bucket's lowest equity_low),
//   "journal": [ "YYYY-MM-DD hh:mm UTC: text", ... ] }

#include "backtestengine.h"
#include "backtestjson.h"  // statsToJson, tradeToJson, configToJson: the pieces of the report

#include <QJsonObject>

class QIODevice;

namespace bd {

// Writes the report to `out` as it goes (the trades, the curve and the journal are streamed, not built as one
// tree first). Returns false when `out` refused a write (disk full, closed device).
bool writeBacktestReportJson(QIODevice &out, const BacktestResult &result, const QJsonObject &params,
                             int maxCurvePoints = 2000);

} // namespace bd
