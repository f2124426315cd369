#pragma once
// The MetaTrader 5 Strategy Tester report of a backtest as labelled lines, in MT5's order and with
// MT5's labels: one source for the CLI's text report and the GUI's statistics table.
// Money in deposit currency with 2 decimals and space-grouped thousands ("9 159.58").

#include "backtestengine.h"

#include <QString>
#include <QStringList>
#include <QVariant>

#include <vector>

namespace bd {

struct ReportLine {
    QString label;   // "Total Net Profit"
    QString text;    // "-1 174.50", "1 267.50 (12.56%)"
    QVariant value;  // the main number behind the text (double, int or qlonglong; a string for names)
    int sign = 0;    // +1 a gain, -1 a loss, 0 neutral (for colouring)
};

struct Mt5Report {
    std::vector<ReportLine> results;  // header, profit and drawdown blocks (MT5's left column)
    std::vector<ReportLine> trades;   // trade-count block and holding times (MT5's right column)
    QStringList warnings;             // BacktestResult::warnings: what the user must read beside the figures
};

Mt5Report mt5Report(const BacktestResult &result);

// Plain text: the results block, a blank line, the trades block; "label   value" per line; then, when the run
// has warnings, a blank line and one "Warning: text" line per warning.
QString formatReportText(const BacktestResult &result);

} // namespace bd
