#pragma once
// Look and time axis shared by BotDesk's QCustomPlot charts (equity/drawdown and price).

#include <qcustomplot.h>

namespace bd::chart {

// Grey axis lines, dark labels, light grid, no sub-grid.
void styleAxis(QCPAxis *axis);

// A date-time ticker that shows UTC (bar times are UTC epoch seconds on the x axis).
QSharedPointer<QCPAxisTickerDateTime> makeUtcTimeTicker();

// Chooses the tick label format for the visible span (`range` in seconds): months over a long span,
// days for weeks, days and times when zoomed in.
void fitTimeLabels(QCPAxisTickerDateTime &ticker, const QCPRange &range);

} // namespace bd::chart
