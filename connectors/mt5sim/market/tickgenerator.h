#pragma once
// Ticks from M1 bars the way the MetaTrader 5 strategy tester makes them (metatrader5.com "Generation of Ticks",
// shared/docs/MT5_PROTOCOL.md §4.9). Bars are bid bars; ask = bid + spread (the bar's spread in points, else the
// symbol's default), rounded to the symbol's digits.
//
// Modes:
//  * every_tick: one tick → Close (a bar with O = H = L = C); two → Open, Close (a bar whose Open and Close are its
//    High and Low); otherwise a path through the reference points Open → Low → High → Close for a bull bar
//    (Close ≥ Open) or Open → High → Low → Close for a bear bar, with the ticks shared out along the path by length,
//    each reference price hit exactly, every price on the point grid. The data files carry no tick volume (HistData
//    volume 0), so the tick count is deterministic: max(reference points, min(60, 3 + range/4)), range = High − Low in
//    points;
//  * m1_ohlc: four ticks O→H→L→C (bear bar) or O→L→H→C (bull bar, Close ≥ Open) at 0, 15, 30 and 45 s;
//  * open_only: one tick at the bar's open time with bid = Open.
// Tick times are spread evenly over the minute: tick k of n at bar time + k · 60000 / n ms.

#include "bar.h"

#include <QString>
#include <QtGlobal>

#include <optional>
#include <vector>

namespace bd::mt5sim {

enum class TickMode { EveryTick, M1Ohlc, OpenOnly };

// "every_tick" | "m1_ohlc" | "open_only" → the mode; std::nullopt for anything else.
std::optional<TickMode> parseTickMode(const QString &name);
QString tickModeName(TickMode mode);

// One quote of the replay (server clock, epoch ms). flags: MT5 TICK_FLAG_* (BID 2 | ASK 4).
struct SimTick {
    qint64 timeMsc = 0;
    double bid = 0;
    double ask = 0;
    int flags = 6;
};

// The number of ticks `mode` makes for `bar` on a grid of `digits` decimals (what the bar's tick_volume reports).
int tickCountFor(const Bar &bar, TickMode mode, int digits);

// The ticks of `bar` in time order; spreadPoints ≥ 0 is the spread to use (the caller resolves the bar's own or the
// symbol's default). A bar with non-finite or non-positive prices gives no ticks.
std::vector<SimTick> generateTicks(const Bar &bar, TickMode mode, int digits, int spreadPoints);

} // namespace bd::mt5sim
