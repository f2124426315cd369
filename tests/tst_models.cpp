// TradeListModel, StatsModel (under QAbstractItemModelTester), the min/max decimator and report formatting,
// on a hand-made BacktestResult.

#include "metatypes.h"
#include "reportformat.h"
#include "seriesdecimator.h"
#include "statsmodel.h"
#include "tradelistmodel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QDateTime>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include <cmath>
#include <limits>

using namespace bd;

namespace {

qint64 utcMs(int y, int mo, int d, int h, int mi)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi), QTimeZone::utc()).toMSecsSinceEpoch();
}

std::shared_ptr<const BacktestResult> makeResult()
{
    auto r = std::make_shared<BacktestResult>();
    r->symbol = QStringLiteral("EURUSD");
    r->strategy = QStringLiteral("ema_crossover");
    r->firstBarTimeMs = utcMs(2024, 1, 2, 0, 0);
    r->lastBarTimeMs = utcMs(2024, 1, 5, 23, 59);
    r->barsProcessed = 4;

    Trade win;
    win.ticket = 1;
    win.side = Side::Buy;
    win.volume = 0.5;
    win.openTimeMs = utcMs(2024, 1, 2, 9, 30);
    win.openPrice = 1.10427;
    win.closeTimeMs = utcMs(2024, 1, 2, 14, 5);
    win.closePrice = 1.10627;
    win.sl = 1.10327;
    win.tp = 1.10627;
    win.commission = -7.0;
    win.profit = 100.0;
    win.closeReason = CloseReason::TpHit;

    Trade loss;
    loss.ticket = 2;
    loss.side = Side::Sell;
    loss.volume = 1.25;
    loss.openTimeMs = utcMs(2024, 1, 3, 10, 0);
    loss.openPrice = 1.09;
    loss.closeTimeMs = utcMs(2024, 1, 3, 11, 0);
    loss.closePrice = 1.0910;
    loss.sl = 0.0;  // none
    loss.tp = 0.0;
    loss.commission = -17.5;
    loss.profit = -1250.0;
    loss.closeReason = CloseReason::SlHit;
    r->trades = {win, loss};

    for (int i = 0; i < 4; ++i)
        r->equity.push_back({r->firstBarTimeMs + i * 86400000LL, 10000.0 - i * 100, 10000.0 - i * 110, 9000.0});

    BacktestStats &s = r->stats;
    s.initialDeposit = 10000.0;
    s.finalBalance = 8825.5;
    s.totalNetProfit = -1174.5;
    s.grossProfit = 93.0;
    s.grossLoss = -1267.5;
    s.profitFactor = 93.0 / 1267.5;
    s.expectedPayoff = -587.25;
    s.balanceDrawdownMaximal = 1267.5;
    s.balanceDrawdownMaximalPercent = 12.56;
    s.balanceDrawdownRelativePercent = 12.56;
    s.balanceDrawdownRelative = 1267.5;
    s.equityDrawdownMaximal = 1300.0;
    s.equityDrawdownMaximalPercent = 12.9;
    s.equityDrawdownRelativePercent = 12.9;
    s.equityDrawdownRelative = 1300.0;
    s.totalTrades = 2;
    s.totalDeals = 4;
    s.shortTrades = 1;
    s.shortTradesWon = 0;
    s.longTrades = 1;
    s.longTradesWon = 1;
    s.profitTrades = 1;
    s.lossTrades = 1;
    s.winRatePercent = 50.0;
    s.largestProfitTrade = 93.0;
    s.largestLossTrade = -1267.5;
    s.maxConsecutiveWins = 1;
    s.maxConsecutiveWinsMoney = 93.0;
    s.maxConsecutiveLosses = 1;
    s.maxConsecutiveLossesMoney = -1267.5;
    s.maximalConsecutiveProfit = 93.0;
    s.maximalConsecutiveProfitCount = 1;
    s.maximalConsecutiveLoss = -1267.5;
    s.maximalConsecutiveLossCount = 1;
    s.minHoldingTimeMs = 3600 * 1000LL;
    s.maxHoldingTimeMs = (86400LL + 3 * 3600 + 4 * 60 + 5) * 1000;
    s.averageHoldingTimeMs = 9900 * 1000LL;
    return r;
}

} // namespace

class TestModels : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { registerModelMetaTypes(); }

    void formatting()
    {
        QCOMPARE(report::money(1234567.891), QStringLiteral("1 234 567.89"));
        QCOMPARE(report::money(-1234.5), QStringLiteral("-1 234.50"));
        QCOMPARE(report::money(-0.001), QStringLiteral("0.00"));
        QCOMPARE(report::money(999.0), QStringLiteral("999.00"));
        QCOMPARE(report::percent(12.345), QStringLiteral("12.35%"));
        QCOMPARE(report::price(1.1, 5), QStringLiteral("1.10000"));
        QCOMPARE(report::price(0.0, 5, true), QString());
        QCOMPARE(report::utcMinute(utcMs(2024, 3, 4, 5, 6)), QStringLiteral("2024-03-04 05:06"));
        QCOMPARE(report::duration(3 * 3600 * 1000LL + 61000), QStringLiteral("03:01:01"));
        QCOMPARE(report::duration((2 * 86400LL + 5) * 1000), QStringLiteral("2d 00:00:05"));
        QCOMPARE(report::profitFactor(std::numeric_limits<double>::infinity()), QStringLiteral("∞"));
        QCOMPARE(report::profitFactor(1.5), QStringLiteral("1.50"));
    }

    void tradeListModel()
    {
        TradeListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(TradeListModel::ColumnCount));

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setResult(makeResult(), 5);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 2);

        auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
        QCOMPARE(text(0, TradeListModel::TicketColumn), QStringLiteral("1"));
        QCOMPARE(text(0, TradeListModel::OpenTimeColumn), QStringLiteral("2024-01-02 09:30"));
        QCOMPARE(text(0, TradeListModel::TypeColumn), QStringLiteral("BUY"));
        QCOMPARE(text(0, TradeListModel::VolumeColumn), QStringLiteral("0.50"));
        QCOMPARE(text(0, TradeListModel::OpenPriceColumn), QStringLiteral("1.10427"));
        QCOMPARE(text(0, TradeListModel::SlColumn), QStringLiteral("1.10327"));
        QCOMPARE(text(0, TradeListModel::TpColumn), QStringLiteral("1.10627"));
        QCOMPARE(text(0, TradeListModel::CloseTimeColumn), QStringLiteral("2024-01-02 14:05"));
        QCOMPARE(text(0, TradeListModel::ClosePriceColumn), QStringLiteral("1.10627"));
        QCOMPARE(text(0, TradeListModel::CommissionColumn), QStringLiteral("-7.00"));
        QCOMPARE(text(0, TradeListModel::ProfitColumn), QStringLiteral("93.00"));  // net of commission
        QCOMPARE(text(0, TradeListModel::CloseReasonColumn), QStringLiteral("TP_HIT"));
        QCOMPARE(text(1, TradeListModel::TypeColumn), QStringLiteral("SELL"));
        QCOMPARE(text(1, TradeListModel::VolumeColumn), QStringLiteral("1.25"));
        QCOMPARE(text(1, TradeListModel::OpenPriceColumn), QStringLiteral("1.09000"));
        QCOMPARE(text(1, TradeListModel::SlColumn), QString());  // no SL
        QCOMPARE(text(1, TradeListModel::ProfitColumn), QStringLiteral("-1 267.50"));
        QCOMPARE(text(1, TradeListModel::CloseReasonColumn), QStringLiteral("SL_HIT"));

        // Raw values for sorting.
        QCOMPARE(model.index(1, TradeListModel::ProfitColumn).data(Qt::UserRole).toDouble(), -1267.5);
        QCOMPARE(model.index(0, TradeListModel::OpenTimeColumn).data(Qt::UserRole).toLongLong(), utcMs(2024, 1, 2, 9, 30));
        QCOMPARE(model.index(0, TradeListModel::VolumeColumn).data(Qt::UserRole).toDouble(), 0.5);

        // Colours and alignment.
        QCOMPARE(model.index(0, TradeListModel::ProfitColumn).data(Qt::ForegroundRole).value<QColor>(),
                 TradeListModel::profitColor());
        QCOMPARE(model.index(1, TradeListModel::ProfitColumn).data(Qt::ForegroundRole).value<QColor>(),
                 TradeListModel::lossColor());
        const auto alignment = Qt::Alignment(model.index(0, TradeListModel::ProfitColumn).data(Qt::TextAlignmentRole).toInt());
        QVERIFY(alignment & Qt::AlignRight);
        QCOMPARE(model.headerData(TradeListModel::ProfitColumn, Qt::Horizontal).toString(), QStringLiteral("Profit"));

        // Price digits follow the symbol.
        model.setResult(makeResult(), 3);
        QCOMPARE(text(0, TradeListModel::OpenPriceColumn), QStringLiteral("1.104"));

        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.index(0, 0).isValid());
    }

    void statsModel()
    {
        StatsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        model.setResult(makeResult());
        QVERIFY(model.rowCount() >= 19);
        QCOMPARE(model.columnCount(), 4);

        QCOMPARE(model.valueText(QStringLiteral("Total Net Profit")), QStringLiteral("-1 174.50"));
        QCOMPARE(model.valueText(QStringLiteral("Gross Profit")), QStringLiteral("93.00"));
        QCOMPARE(model.valueText(QStringLiteral("Gross Loss")), QStringLiteral("-1 267.50"));
        QCOMPARE(model.valueText(QStringLiteral("Profit Factor")), QStringLiteral("0.07"));
        QCOMPARE(model.valueText(QStringLiteral("Balance Drawdown Maximal")), QStringLiteral("1 267.50 (12.56%)"));
        QCOMPARE(model.valueText(QStringLiteral("Balance Drawdown Relative")), QStringLiteral("12.56% (1 267.50)"));
        QCOMPARE(model.valueText(QStringLiteral("Equity Drawdown Maximal")), QStringLiteral("1 300.00 (12.90%)"));
        QCOMPARE(model.valueText(QStringLiteral("Equity Drawdown Relative")), QStringLiteral("12.90% (1 300.00)"));
        QCOMPARE(model.valueText(QStringLiteral("Total Trades")), QStringLiteral("2"));
        QCOMPARE(model.valueText(QStringLiteral("Total Deals")), QStringLiteral("4"));
        QCOMPARE(model.valueText(QStringLiteral("Short Trades (won %)")), QStringLiteral("1 (0.00%)"));
        QCOMPARE(model.valueText(QStringLiteral("Long Trades (won %)")), QStringLiteral("1 (100.00%)"));
        QCOMPARE(model.valueText(QStringLiteral("Profit Trades (% of total)")), QStringLiteral("1 (50.00%)"));
        QCOMPARE(model.valueText(QStringLiteral("Loss Trades (% of total)")), QStringLiteral("1 (50.00%)"));
        QCOMPARE(model.valueText(QStringLiteral("Maximum consecutive wins ($)")), QStringLiteral("1 (93.00)"));
        QCOMPARE(model.valueText(QStringLiteral("Maximal consecutive loss (count)")), QStringLiteral("-1 267.50 (1)"));
        QCOMPARE(model.valueText(QStringLiteral("Maximal position holding time")), QStringLiteral("1d 03:04:05"));
        QCOMPARE(model.valueText(QStringLiteral("Minimal position holding time")), QStringLiteral("01:00:00"));
        QCOMPARE(model.rawValue(QStringLiteral("Total Net Profit")).toDouble(), -1174.5);

        // Cells: label left, value right, coloured net profit.
        int row = -1;
        for (int r = 0; r < model.rowCount(); ++r)
            if (model.index(r, StatsModel::LeftLabelColumn).data(Qt::UserRole).toString() == QLatin1String("Total Net Profit"))
                row = r;
        QVERIFY(row >= 0);
        QCOMPARE(model.index(row, StatsModel::LeftLabelColumn).data().toString(), QStringLiteral("Total Net Profit:"));
        QCOMPARE(model.index(row, StatsModel::LeftValueColumn).data().toString(), QStringLiteral("-1 174.50"));
        QCOMPARE(model.index(row, StatsModel::LeftValueColumn).data(Qt::ForegroundRole).value<QColor>(),
                 TradeListModel::lossColor());
        QVERIFY(Qt::Alignment(model.index(row, StatsModel::LeftValueColumn).data(Qt::TextAlignmentRole).toInt()) & Qt::AlignRight);

        // No losing trade: MT5 prints DBL_MAX, we print infinity.
        auto r = std::make_shared<BacktestResult>(*makeResult());
        r->stats.profitFactor = std::numeric_limits<double>::infinity();
        model.setResult(r);
        QCOMPARE(model.valueText(QStringLiteral("Profit Factor")), QStringLiteral("∞"));

        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void decimatorKeepsExtremes()
    {
        const int n = 300000;
        std::vector<double> keys(n), values(n);
        for (int i = 0; i < n; ++i) {
            keys[size_t(i)] = i;
            values[size_t(i)] = std::sin(i / 5000.0) * 100.0;
        }
        values[123457] = -5000.0;  // a one-bar trough
        values[234567] = 7000.0;   // a one-bar spike
        const DecimatedSeries d = decimateMinMax(keys, values, 3000);
        QVERIFY(d.keys.size() <= 3000);
        QVERIFY(d.keys.size() >= 2900);
        QCOMPARE(d.keys.size(), d.values.size());
        QCOMPARE(d.keys.front(), 0.0);
        QCOMPARE(d.keys.back(), double(n - 1));
        QVERIFY(std::is_sorted(d.keys.begin(), d.keys.end()));
        QCOMPARE(*std::min_element(d.values.begin(), d.values.end()), -5000.0);
        QCOMPARE(*std::max_element(d.values.begin(), d.values.end()), 7000.0);
        QVERIFY(d.keys.contains(123457.0));

        // Short input is returned unchanged.
        const std::vector<double> k{1, 2, 3}, v{5, 4, 6};
        const DecimatedSeries small = decimateMinMax(k, v, 3000);
        QCOMPARE(small.values, QList<double>({5, 4, 6}));
    }
};

QTEST_MAIN(TestModels)
#include "tst_models.moc"
