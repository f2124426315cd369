#include "reporttext.h"

#include <QDateTime>

#include <cmath>

namespace bd {
namespace {

QString money(double v) { return QString::number(v, 'f', 2); }
QString pct(double v) { return QString::number(v, 'f', 2) + QLatin1Char('%'); }
QString utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd hh:mm")) + QStringLiteral(" UTC");
}
// "part (part/total %)", as MT5 prints "Profit Trades (% of total)".
QString ofTotal(int part, int total)
{
    return QStringLiteral("%1 (%2)").arg(part).arg(pct(total > 0 ? 100.0 * part / total : 0.0));
}
// "count (won/count %)", as MT5 prints "Short Trades (won %)".
QString countAndShareWon(int count, int won)
{
    return QStringLiteral("%1 (%2)").arg(count).arg(pct(count > 0 ? 100.0 * won / count : 0.0));
}

} // namespace

QString formatDuration(qint64 ms)
{
    const QString sign = ms < 0 ? QStringLiteral("-") : QString();
    qint64 s = std::llabs(ms) / 1000;
    const qint64 days = s / 86400;
    s %= 86400;
    const QString hms = QStringLiteral("%1:%2:%3")
                            .arg(s / 3600, 2, 10, QLatin1Char('0'))
                            .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
                            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return sign + (days > 0 ? QStringLiteral("%1d %2").arg(days).arg(hms) : hms);
}

QString formatReportText(const BacktestResult &r)
{
    const BacktestStats &s = r.stats;
    QString out;
    auto row = [&out](const QString &label, const QString &value) {
        out += label.leftJustified(36, QLatin1Char(' ')) + value + QLatin1Char('\n');
    };
    auto pair = [](const QString &a, const QString &b) { return QStringLiteral("%1 (%2)").arg(a, b); };

    row(QStringLiteral("Symbol"), r.symbol);
    row(QStringLiteral("Strategy"), r.strategy);
    row(QStringLiteral("Period"), utc(r.firstBarTimeMs) + QStringLiteral(" - ") + utc(r.lastBarTimeMs));
    row(QStringLiteral("Bars"), QString::number(r.barsProcessed) + (r.cancelled ? QStringLiteral(" (cancelled)") : QString()));
    row(QStringLiteral("Initial Deposit"), money(s.initialDeposit) + QLatin1Char(' ') + r.config.depositCurrency);
    row(QStringLiteral("Final Balance"), money(s.finalBalance));
    out += QLatin1Char('\n');
    row(QStringLiteral("Total Net Profit"), money(s.totalNetProfit));
    row(QStringLiteral("Gross Profit"), money(s.grossProfit));
    row(QStringLiteral("Gross Loss"), money(s.grossLoss));
    row(QStringLiteral("Profit Factor"), std::isinf(s.profitFactor) ? QStringLiteral("inf (no losing trade)")
                                                                    : QString::number(s.profitFactor, 'f', 2));
    row(QStringLiteral("Expected Payoff"), money(s.expectedPayoff));
    row(QStringLiteral("Recovery Factor"), QString::number(s.recoveryFactor, 'f', 2));
    row(QStringLiteral("Sharpe Ratio (daily, annualised)"), QString::number(s.sharpeRatio, 'f', 2));
    out += QLatin1Char('\n');
    row(QStringLiteral("Balance Drawdown Absolute"), money(s.balanceDrawdownAbsolute));
    row(QStringLiteral("Balance Drawdown Maximal"), pair(money(s.balanceDrawdownMaximal), pct(s.balanceDrawdownMaximalPercent)));
    row(QStringLiteral("Balance Drawdown Relative"), pair(pct(s.balanceDrawdownRelativePercent), money(s.balanceDrawdownRelative)));
    row(QStringLiteral("Equity Drawdown Absolute"), money(s.equityDrawdownAbsolute));
    row(QStringLiteral("Equity Drawdown Maximal"), pair(money(s.equityDrawdownMaximal), pct(s.equityDrawdownMaximalPercent)));
    row(QStringLiteral("Equity Drawdown Relative"), pair(pct(s.equityDrawdownRelativePercent), money(s.equityDrawdownRelative)));
    out += QLatin1Char('\n');
    row(QStringLiteral("Total Trades"), QString::number(s.totalTrades));
    row(QStringLiteral("Total Deals"), QString::number(s.totalDeals));
    row(QStringLiteral("Short Trades (won %)"), countAndShareWon(s.shortTrades, s.shortTradesWon));
    row(QStringLiteral("Long Trades (won %)"), countAndShareWon(s.longTrades, s.longTradesWon));
    row(QStringLiteral("Profit Trades (% of total)"), ofTotal(s.profitTrades, s.totalTrades));
    row(QStringLiteral("Loss Trades (% of total)"), ofTotal(s.lossTrades, s.totalTrades));
    row(QStringLiteral("Largest profit trade"), money(s.largestProfitTrade));
    row(QStringLiteral("Largest loss trade"), money(s.largestLossTrade));
    row(QStringLiteral("Average profit trade"), money(s.averageProfitTrade));
    row(QStringLiteral("Average loss trade"), money(s.averageLossTrade));
    row(QStringLiteral("Maximum consecutive wins ($)"), pair(QString::number(s.maxConsecutiveWins), money(s.maxConsecutiveWinsMoney)));
    row(QStringLiteral("Maximum consecutive losses ($)"), pair(QString::number(s.maxConsecutiveLosses), money(s.maxConsecutiveLossesMoney)));
    row(QStringLiteral("Maximal consecutive profit (count)"), pair(money(s.maximalConsecutiveProfit), QString::number(s.maximalConsecutiveProfitCount)));
    row(QStringLiteral("Maximal consecutive loss (count)"), pair(money(s.maximalConsecutiveLoss), QString::number(s.maximalConsecutiveLossCount)));
    row(QStringLiteral("Average consecutive wins"), QString::number(s.averageConsecutiveWins, 'f', 2));
    row(QStringLiteral("Average consecutive losses"), QString::number(s.averageConsecutiveLosses, 'f', 2));
    row(QStringLiteral("Holding time min / avg / max"),
        formatDuration(s.minHoldingTimeMs) + QStringLiteral(" / ") + formatDuration(s.averageHoldingTimeMs)
            + QStringLiteral(" / ") + formatDuration(s.maxHoldingTimeMs));
    if (r.rejectedOrders > 0)
        row(QStringLiteral("Rejected orders"), QString::number(r.rejectedOrders) + QStringLiteral(" (see journal)"));
    return out;
}

} // namespace bd
