#pragma once
// Text formatting shared by the report models and widgets (MT5 report conventions).

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
// UTC epoch ms -> "yyyy-MM-dd" (UTC).
QString utcDate(qint64 timeMs);
// Profit factor: "∞" for +infinity (no losing trade), else two decimals.
QString profitFactor(double value);

} // namespace bd::report
