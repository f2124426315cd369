#pragma once
// Plain-text rendering of a backtest result in the layout of the MT5 Strategy Tester report
// (what `botdesk-cli backtest` prints). Money with 2 decimals in deposit currency.

#include "backtestengine.h"

#include <QString>

namespace bd {

// The report block (header, profit, drawdown and trade-count blocks), lines separated by '\n'.
QString formatReportText(const BacktestResult &result);

// "1d 02:03:04" style duration text for milliseconds (negative values are shown with a minus sign).
QString formatDuration(qint64 ms);

} // namespace bd
