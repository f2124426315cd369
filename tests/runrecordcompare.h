#pragma once
// Field-by-field equality of stored backtest runs for tests (exact for doubles: QCOMPARE on doubles is fuzzy).
// Shared by tst_runrecordjson and tst_pgbotstore.
// Use inside a Qt Test function: the macros return from the calling function on the first difference.

#include "backtestrun.h"

#include <QtTest>

namespace bd::test {

// Exact equality (QCOMPARE on doubles is fuzzy): the text shows both values to 17 digits.
#define EXPECT_SAME(a, b)                                                                                          \
    QVERIFY2((a) == (b), qPrintable(QStringLiteral("%1: %2 != %3").arg(#a).arg(double(a), 0, 'g', 17).arg(double(b), 0, 'g', 17)))

// Every BacktestStats field, listed here independently of backtestjson.cpp's table.
#define BD_STATS_FIELDS(X)                                                                                          \
    X(initialDeposit) X(finalBalance) X(totalNetProfit) X(grossProfit) X(grossLoss) X(profitFactor)               \
    X(expectedPayoff) X(recoveryFactor) X(sharpeRatio) X(balanceDrawdownAbsolute) X(balanceDrawdownMaximal)        \
    X(balanceDrawdownMaximalPercent) X(balanceDrawdownRelativePercent) X(balanceDrawdownRelative)                 \
    X(equityDrawdownAbsolute) X(equityDrawdownMaximal) X(equityDrawdownMaximalPercent)                            \
    X(equityDrawdownRelativePercent) X(equityDrawdownRelative) X(totalTrades) X(totalDeals) X(shortTrades)         \
    X(shortTradesWon) X(longTrades) X(longTradesWon) X(profitTrades) X(lossTrades) X(winRatePercent)              \
    X(largestProfitTrade) X(largestLossTrade) X(averageProfitTrade) X(averageLossTrade) X(maxConsecutiveWins)     \
    X(maxConsecutiveWinsMoney) X(maxConsecutiveLosses) X(maxConsecutiveLossesMoney) X(maximalConsecutiveProfit)   \
    X(maximalConsecutiveProfitCount) X(maximalConsecutiveLoss) X(maximalConsecutiveLossCount)                     \
    X(averageConsecutiveWins) X(averageConsecutiveLosses) X(minHoldingTimeMs) X(maxHoldingTimeMs)                 \
    X(averageHoldingTimeMs)

inline void compareStats(const BacktestStats &a, const BacktestStats &b)
{
#define BD_COMPARE_STAT(f) EXPECT_SAME(a.f, b.f);
    BD_STATS_FIELDS(BD_COMPARE_STAT)
#undef BD_COMPARE_STAT
}

inline void compareSpec(const SymbolSpec &a, const SymbolSpec &b)
{
    QCOMPARE(a.name, b.name);
    QCOMPARE(a.description, b.description);
    QCOMPARE(a.currencyBase, b.currencyBase);
    QCOMPARE(a.currencyProfit, b.currencyProfit);
    QCOMPARE(a.digits, b.digits);
    EXPECT_SAME(a.point, b.point);
    EXPECT_SAME(a.contractSize, b.contractSize);
    EXPECT_SAME(a.tickSize, b.tickSize);
    EXPECT_SAME(a.tickValue, b.tickValue);
    EXPECT_SAME(a.volumeMin, b.volumeMin);
    EXPECT_SAME(a.volumeStep, b.volumeStep);
    EXPECT_SAME(a.volumeMax, b.volumeMax);
    QCOMPARE(a.defaultSpreadPoints, b.defaultSpreadPoints);
    QCOMPARE(a.stopsLevelPoints, b.stopsLevelPoints);
}

inline void compareTrade(const Trade &a, const Trade &b)
{
    QCOMPARE(a.ticket, b.ticket);
    QCOMPARE(a.side, b.side);
    EXPECT_SAME(a.volume, b.volume);
    QCOMPARE(a.openTimeMs, b.openTimeMs);
    EXPECT_SAME(a.openPrice, b.openPrice);
    QCOMPARE(a.closeTimeMs, b.closeTimeMs);
    EXPECT_SAME(a.closePrice, b.closePrice);
    EXPECT_SAME(a.sl, b.sl);
    EXPECT_SAME(a.tp, b.tp);
    EXPECT_SAME(a.commission, b.commission);
    EXPECT_SAME(a.profit, b.profit);
    QCOMPARE(a.closeReason, b.closeReason);
    EXPECT_SAME(a.mae, b.mae);
    EXPECT_SAME(a.mfe, b.mfe);
    QCOMPARE(a.comment, b.comment);
}

inline void comparePoint(const EquityPoint &a, const EquityPoint &b)
{
    QCOMPARE(a.timeMs, b.timeMs);
    EXPECT_SAME(a.balance, b.balance);
    EXPECT_SAME(a.equity, b.equity);
    EXPECT_SAME(a.equityLow, b.equityLow);
}

inline void compareRecords(const BacktestRunRecord &a, const BacktestRunRecord &b)
{
    QCOMPARE(a.id, b.id);
    QCOMPARE(a.versionId, b.versionId);
    QCOMPARE(a.rerunOf, b.rerunOf);
    QCOMPARE(a.status, b.status);
    QCOMPARE(a.label, b.label);
    EXPECT_SAME(a.config.initialDeposit, b.config.initialDeposit);
    QCOMPARE(a.config.depositCurrency, b.config.depositCurrency);
    QCOMPARE(a.config.spreadPoints, b.config.spreadPoints);
    QCOMPARE(a.config.slippagePoints, b.config.slippagePoints);
    EXPECT_SAME(a.config.commissionPerLot, b.config.commissionPerLot);
    QCOMPARE(a.params, b.params);
    QCOMPARE(a.symbol, b.symbol);
    compareSpec(a.symbolSpec, b.symbolSpec);
    QCOMPARE(a.dataPath, b.dataPath);
    QCOMPARE(a.dataSha256, b.dataSha256);
    QCOMPARE(a.fromMs, b.fromMs);
    QCOMPARE(a.toMs, b.toMs);
    QCOMPARE(a.timeframe, b.timeframe);
    QCOMPARE(a.bars, b.bars);
    QCOMPARE(a.engineVersion, b.engineVersion);
    QCOMPARE(a.startedAtMs, b.startedAtMs);
    QCOMPARE(a.durationMs, b.durationMs);
    QCOMPARE(a.error, b.error);
    compareStats(a.stats, b.stats);
    QCOMPARE(a.rejectedOrders, b.rejectedOrders);
    QCOMPARE(a.warnings, b.warnings);
    QCOMPARE(a.trades.size(), b.trades.size());
    for (size_t i = 0; i < a.trades.size() && !QTest::currentTestFailed(); ++i)
        compareTrade(a.trades[i], b.trades[i]);
    QCOMPARE(a.equity.size(), b.equity.size());
    for (size_t i = 0; i < a.equity.size() && !QTest::currentTestFailed(); ++i)
        comparePoint(a.equity[i], b.equity[i]);
    QCOMPARE(a.owner, b.owner);
}

} // namespace bd::test
