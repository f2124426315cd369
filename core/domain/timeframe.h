#pragma once
// MetaTrader 5's timeframe names BotDesk runs on, and their length: M1, M5, M15, M30, H1, H4, D1 (MT5_PROTOCOL.md
// §2.1, docs/mt5b-protocol.md). One table for the live runs (a run's timeframe) and the simulator (the bars it builds
// from M1).

#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

namespace bd {

// The timeframe's length in seconds ("H1" -> 3600); nothing for any other text (names are case-sensitive).
std::optional<qint64> timeframeSeconds(QStringView name);
// The names, shortest first: "M1", "M5", "M15", "M30", "H1", "H4", "D1".
QStringList timeframeNames();

} // namespace bd
