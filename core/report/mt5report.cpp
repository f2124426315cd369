#include "mt5report.h"

#include "reportformat.h"

#include <algorithm>
#include <cmath>

namespace bd {
namespace {

double share(int part, int total)
{
    return total > 0 ? 100.0 * part / total : 0.0;
}

int signOf(double value)
{
    return value > 0 ? 1 : value < 0 ? -1 : 0;
}

QString number(double value)
{
    return std::isfinite(value) ? QString::number(value, 'f', 2) : report::profitFactor(value);
}

} // namespace

Mt5Report mt5Report(const BacktestResult &result)
{
    using report::money;
    using report::percent;
    const BacktestStats &s = result.stats;
    Mt5Report r;
    auto left = [&r](QString label, QString text, QVariant value, int sign = 0) {
        r.results.push_back({std::move(label), std::move(text), std::move(value), sign});
    };
    auto right = [&r](QString label, QString text, QVariant value, int sign = 0) {
        r.trades.push_back({std::move(label), std::move(text), std::move(value), sign});
    };
    auto countAndShare = [](int count, int part, int total) {
        return QStringLiteral("%1 (%2)").arg(count).arg(percent(share(part, total)));
    };
    auto moneyAndPercent = [](double m, double pct) { return QStringLiteral("%1 (%2)").arg(money(m), percent(pct)); };
    auto percentAndMoney = [](double pct, double m) { return QStringLiteral("%1 (%2)").arg(percent(pct), money(m)); };

    left(QStringLiteral("Symbol"), result.symbol, result.symbol);
    left(QStringLiteral("Strategy"), result.strategy, result.strategy);
    left(QStringLiteral("Period (UTC)"),
         QStringLiteral("%1 – %2").arg(report::utcDate(result.firstBarTimeMs), report::utcDate(result.lastBarTimeMs)) +
             (result.cancelled ? QStringLiteral(" (cancelled)") : QString()),
         QVariant::fromValue<qlonglong>(result.lastBarTimeMs - result.firstBarTimeMs));
    left(QStringLiteral("Bars"), money(double(result.barsProcessed), 0),
         QVariant::fromValue<qlonglong>(result.barsProcessed));
    left(QStringLiteral("Initial Deposit"), money(s.initialDeposit) + QLatin1Char(' ') + result.config.depositCurrency,
         s.initialDeposit);
    left(QStringLiteral("Final Balance"), money(s.finalBalance), s.finalBalance);
    left(QStringLiteral("Total Net Profit"), money(s.totalNetProfit), s.totalNetProfit, signOf(s.totalNetProfit));
    left(QStringLiteral("Gross Profit"), money(s.grossProfit), s.grossProfit);
    left(QStringLiteral("Gross Loss"), money(s.grossLoss), s.grossLoss);
    left(QStringLiteral("Profit Factor"), report::profitFactor(s.profitFactor), s.profitFactor);
    left(QStringLiteral("Expected Payoff"), money(s.expectedPayoff), s.expectedPayoff, signOf(s.expectedPayoff));
    left(QStringLiteral("Recovery Factor"), number(s.recoveryFactor), s.recoveryFactor);
    left(QStringLiteral("Sharpe Ratio"), number(s.sharpeRatio), s.sharpeRatio);
    left(QStringLiteral("Balance Drawdown Absolute"), money(s.balanceDrawdownAbsolute), s.balanceDrawdownAbsolute);
    left(QStringLiteral("Balance Drawdown Maximal"),
         moneyAndPercent(s.balanceDrawdownMaximal, s.balanceDrawdownMaximalPercent), s.balanceDrawdownMaximal);
    left(QStringLiteral("Balance Drawdown Relative"),
         percentAndMoney(s.balanceDrawdownRelativePercent, s.balanceDrawdownRelative),
         s.balanceDrawdownRelativePercent);
    left(QStringLiteral("Equity Drawdown Absolute"), money(s.equityDrawdownAbsolute), s.equityDrawdownAbsolute);
    left(QStringLiteral("Equity Drawdown Maximal"),
         moneyAndPercent(s.equityDrawdownMaximal, s.equityDrawdownMaximalPercent), s.equityDrawdownMaximal);
    left(QStringLiteral("Equity Drawdown Relative"),
         percentAndMoney(s.equityDrawdownRelativePercent, s.equityDrawdownRelative), s.equityDrawdownRelativePercent);
    if (result.rejectedOrders > 0)
        left(QStringLiteral("Rejected orders"), QStringLiteral("%1 (see journal)").arg(result.rejectedOrders),
             result.rejectedOrders);

    right(QStringLiteral("Total Trades"), QString::number(s.totalTrades), s.totalTrades);
    right(QStringLiteral("Total Deals"), QString::number(s.totalDeals), s.totalDeals);
    right(QStringLiteral("Short Trades (won %)"), countAndShare(s.shortTrades, s.shortTradesWon, s.shortTrades),
          s.shortTrades);
    right(QStringLiteral("Long Trades (won %)"), countAndShare(s.longTrades, s.longTradesWon, s.longTrades),
          s.longTrades);
    right(QStringLiteral("Profit Trades (% of total)"), countAndShare(s.profitTrades, s.profitTrades, s.totalTrades),
          s.profitTrades);
    right(QStringLiteral("Loss Trades (% of total)"), countAndShare(s.lossTrades, s.lossTrades, s.totalTrades),
          s.lossTrades);
    right(QStringLiteral("Largest profit trade"), money(s.largestProfitTrade), s.largestProfitTrade);
    right(QStringLiteral("Largest loss trade"), money(s.largestLossTrade), s.largestLossTrade);
    right(QStringLiteral("Average profit trade"), money(s.averageProfitTrade), s.averageProfitTrade);
    right(QStringLiteral("Average loss trade"), money(s.averageLossTrade), s.averageLossTrade);
    right(QStringLiteral("Maximum consecutive wins ($)"),
          QStringLiteral("%1 (%2)").arg(s.maxConsecutiveWins).arg(money(s.maxConsecutiveWinsMoney)),
          s.maxConsecutiveWins);
    right(QStringLiteral("Maximum consecutive losses ($)"),
          QStringLiteral("%1 (%2)").arg(s.maxConsecutiveLosses).arg(money(s.maxConsecutiveLossesMoney)),
          s.maxConsecutiveLosses);
    right(QStringLiteral("Maximal consecutive profit (count)"),
          QStringLiteral("%1 (%2)").arg(money(s.maximalConsecutiveProfit)).arg(s.maximalConsecutiveProfitCount),
          s.maximalConsecutiveProfit);
    right(QStringLiteral("Maximal consecutive loss (count)"),
          QStringLiteral("%1 (%2)").arg(money(s.maximalConsecutiveLoss)).arg(s.maximalConsecutiveLossCount),
          s.maximalConsecutiveLoss);
    right(QStringLiteral("Average consecutive wins"), number(s.averageConsecutiveWins), s.averageConsecutiveWins);
    right(QStringLiteral("Average consecutive losses"), number(s.averageConsecutiveLosses), s.averageConsecutiveLosses);
    right(QStringLiteral("Minimal position holding time"), report::duration(s.minHoldingTimeMs),
          QVariant::fromValue<qlonglong>(s.minHoldingTimeMs));
    right(QStringLiteral("Maximal position holding time"), report::duration(s.maxHoldingTimeMs),
          QVariant::fromValue<qlonglong>(s.maxHoldingTimeMs));
    right(QStringLiteral("Average position holding time"), report::duration(s.averageHoldingTimeMs),
          QVariant::fromValue<qlonglong>(s.averageHoldingTimeMs));
    r.warnings = result.warnings;
    return r;
}

QString formatReportText(const BacktestResult &result)
{
    const Mt5Report r = mt5Report(result);
    qsizetype width = 0;
    for (const auto *block : {&r.results, &r.trades})
        for (const ReportLine &line : *block)
            width = std::max(width, line.label.size());
    QString out;
    for (const auto *block : {&r.results, &r.trades}) {
        if (!out.isEmpty())
            out += QLatin1Char('\n');
        for (const ReportLine &line : *block)
            out += line.label.leftJustified(width + 2, QLatin1Char(' ')) + line.text + QLatin1Char('\n');
    }
    if (!r.warnings.isEmpty())
        out += QLatin1Char('\n');
    for (const QString &warning : r.warnings)
        out += QStringLiteral("Warning: ") + warning + QLatin1Char('\n');
    return out;
}

} // namespace bd
