#pragma once
// Text formatting of report numbers and times (MT5 report conventions), shared by the CLI report,
// the GUI models and the charts.

#include <QString>
#include <QtGlobal>

namespace bd::report {

// 12345.678 -> "12 345.68"; negative numbers keep their sign ("-1 234.50"). Digits after the point: `decimals`.
QString money(double value, int decimals = 2);
// 12.3456 -> "12.35%"
QString percent(double value, int decimals = 2);
// Price with the symbol's digits ("1.10427"); 0 prints as "" when `emptyWhenZero` (an unset SL/TP).
QString price(double value, int digits, bool emptyWhenZero = false);
// UTC epoch ms -> "yyyy-MM-dd hh:mm" (UTC).
QString utcMinute(qint64 timeMs);
// UTC epoch ms -> "yyyy-MM-dd hh:mm:ss UTC".
QString utcSecond(qint64 timeMs);
// UTC epoch ms -> "yyyy-MM-dd" (UTC).
QString utcDate(qint64 timeMs);
// Duration in ms -> "hh:mm:ss", with a "Nd " prefix from one day on ("2d 03:04:05").
QString duration(qint64 ms);
// Profit factor: "∞" for +infinity (no losing trade), else two decimals.
QString profitFactor(double value);

} // namespace bd::report
