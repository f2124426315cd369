#pragma once
// A stored backtest run as JSON, both ways, and its equity curve as the bytes the store keeps.
//
// The JSON form is what a spool file holds (a run saved while the database is away) and what the store writes
// into its jsonb columns (config, params, symbol_spec, stats, warnings). Keys are snake_case and stable:
// { "format": "botdesk.run.v1", "id", "version_id", "rerun_of" (null = none), "status" ("completed" ...),
//   "label", "config" (configToJson), "params", "symbol", "symbol_spec" (symbolSpecToJson), "data_path",
//   "data_sha256", "window_from_ms", "window_to_ms", "timeframe", "bars", "engine_version", "started_at_ms",
//   "duration_ms", "error", "stats" (statsToJson), "rejected_orders", "warnings": [...],
//   "trades": [tradeToJson, ...], "equity": [[time_ms, balance, equity, equity_low], ...], "owner" }
// UUIDs as "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"; money in deposit currency, prices in quote currency, volume in
// lots, times UTC epoch ms. To JSON text and back is lossless: every double is written in the shortest form that
// reads back to it, and profit_factor = +infinity is written null and read back as +infinity.

#include "backtestrun.h"
#include "jsonfields.h"
#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonArray>
#include <QJsonObject>

#include <span>
#include <vector>

namespace bd {

// The value of "format" in a run record; reading refuses any other.
inline constexpr char kRunRecordFormat[] = "botdesk.run.v1";

QJsonObject runRecordToJson(const BacktestRunRecord &run);
// Reads what runRecordToJson wrote. Fails with "backtest run record: field '<path>' is <value>; expected <what>"
// for the first field that is missing, of the wrong type or out of range (an unknown status, side or close
// reason, a malformed UUID, a data_sha256 that is neither empty nor 64 lowercase hex digits, a non-finite
// number other than profit_factor, another "format").
Result<BacktestRunRecord> runRecordFromJson(const QJsonObject &json);

// The symbol specification under the field names of resources/symbols.json (docs/symbols.md): name,
// description, currency_base, currency_profit, digits, point, contract_size, trade_tick_size, trade_tick_value,
// volume_min, volume_step, volume_max, spread, trade_stops_level. Reading checks types only, not the
// catalogue's consistency rules, so a snapshot stays readable whatever later catalogues require.
QJsonObject symbolSpecToJson(const SymbolSpec &spec);
SymbolSpec readSymbolSpec(JsonFields &in);
Result<SymbolSpec> symbolSpecFromJson(const QJsonObject &json);

// [[time_ms, balance, equity, equity_low], ...]
QJsonArray equityToJson(std::span<const EquityPoint> points);

// --- the equity curve as stored (backtest_runs.equity, bytea) -----------------------------------------------
// Rows of 32 bytes, little-endian, in time order: int64 timeMs, then IEEE-754 binary64 balance, equity,
// equityLow. No header; the row count is the length / 32.
inline constexpr int kEquityRowBytes = 32;
QByteArray encodeEquityCurve(std::span<const EquityPoint> points);
// Fails when the length is not a whole number of rows: "the stored equity curve is 100 bytes, not a multiple
// of 32 (one row: int64 time ms + 3 doubles); the stored run is damaged".
Result<std::vector<EquityPoint>> decodeEquityCurve(QByteArrayView bytes);

// At most max(maxPoints, 2) points of `points` (time order) that keep the curve's shape and extremes: all of
// them when they fit; otherwise the first and the last, and from each of (maxPoints − 2) / 2 buckets of
// consecutive points in between, the point with the lowest trough (min(equityLow, equity)) and the point with
// the highest equity (one point when it is both), in time order. Points are copied unchanged.
std::vector<EquityPoint> decimateEquityCurve(std::span<const EquityPoint> points, int maxPoints);

} // namespace bd
