#include "reportjson.h"

#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace bd {
namespace {

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

} // namespace

QJsonObject statsToJson(const BacktestStats &s)
{
    return QJsonObject{
        {"initial_deposit", number(s.initialDeposit)},
        {"final_balance", number(s.finalBalance)},
        {"total_net_profit", number(s.totalNetProfit)},
        {"gross_profit", number(s.grossProfit)},
        {"gross_loss", number(s.grossLoss)},
        {"profit_factor", number(s.profitFactor)},
        {"expected_payoff", number(s.expectedPayoff)},
        {"recovery_factor", number(s.recoveryFactor)},
        {"sharpe_ratio", number(s.sharpeRatio)},
        {"balance_drawdown_absolute", number(s.balanceDrawdownAbsolute)},
        {"balance_drawdown_maximal", number(s.balanceDrawdownMaximal)},
        {"balance_drawdown_maximal_percent", number(s.balanceDrawdownMaximalPercent)},
        {"balance_drawdown_relative_percent", number(s.balanceDrawdownRelativePercent)},
        {"balance_drawdown_relative", number(s.balanceDrawdownRelative)},
        {"equity_drawdown_absolute", number(s.equityDrawdownAbsolute)},
        {"equity_drawdown_maximal", number(s.equityDrawdownMaximal)},
        {"equity_drawdown_maximal_percent", number(s.equityDrawdownMaximalPercent)},
        {"equity_drawdown_relative_percent", number(s.equityDrawdownRelativePercent)},
        {"equity_drawdown_relative", number(s.equityDrawdownRelative)},
        {"total_trades", s.totalTrades},
        {"total_deals", s.totalDeals},
        {"short_trades", s.shortTrades},
        {"short_trades_won", s.shortTradesWon},
        {"long_trades", s.longTrades},
        {"long_trades_won", s.longTradesWon},
        {"profit_trades", s.profitTrades},
        {"loss_trades", s.lossTrades},
        {"win_rate_percent", number(s.winRatePercent)},
        {"largest_profit_trade", number(s.largestProfitTrade)},
        {"largest_loss_trade", number(s.largestLossTrade)},
        {"average_profit_trade", number(s.averageProfitTrade)},
        {"average_loss_trade", number(s.averageLossTrade)},
        {"max_consecutive_wins", s.maxConsecutiveWins},
        {"max_consecutive_wins_money", number(s.maxConsecutiveWinsMoney)},
        {"max_consecutive_losses", s.maxConsecutiveLosses},
        {"max_consecutive_losses_money", number(s.maxConsecutiveLossesMoney)},
        {"maximal_consecutive_profit", number(s.maximalConsecutiveProfit)},
        {"maximal_consecutive_profit_count", s.maximalConsecutiveProfitCount},
        {"maximal_consecutive_loss", number(s.maximalConsecutiveLoss)},
        {"maximal_consecutive_loss_count", s.maximalConsecutiveLossCount},
        {"average_consecutive_wins", number(s.averageConsecutiveWins)},
        {"average_consecutive_losses", number(s.averageConsecutiveLosses)},
        {"min_holding_time_ms", s.minHoldingTimeMs},
        {"max_holding_time_ms", s.maxHoldingTimeMs},
        {"average_holding_time_ms", s.averageHoldingTimeMs},
    };
}

namespace {

// Appends `value` as compact JSON text (strings escaped by Qt's own writer).
void appendJson(QByteArray &out, const QJsonValue &value)
{
    // QJsonDocument serialises only arrays and objects: wrap the value, then drop the brackets.
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    out.append(text.constData() + 1, text.size() - 2);
}

QJsonObject tradeJson(const Trade &t)
{
    return QJsonObject{
        {"ticket", qint64(t.ticket)},
        {"type", sideName(t.side)},
        {"volume", t.volume},
        {"open_time_ms", t.openTimeMs},
        {"open_price", t.openPrice},
        {"sl", t.sl},
        {"tp", t.tp},
        {"close_time_ms", t.closeTimeMs},
        {"close_price", t.closePrice},
        {"commission", t.commission},
        {"profit", t.profit},
        {"net_profit", t.netProfit()},
        {"close_reason", closeReasonName(t.closeReason)},
        {"mae", t.mae},
        {"mfe", t.mfe},
        {"comment", t.comment},
    };
}

// Streams a JSON array: one element per line, written to `out` in blocks so the text never grows with the run.
class ArrayWriter {
public:
    ArrayWriter(QIODevice &out, QByteArray &buffer, const char *key) : m_out(out), m_buffer(buffer)
    {
        m_buffer += ",\n  \"";
        m_buffer += key;
        m_buffer += "\": [";
    }
    void add(const QJsonValue &value)
    {
        m_buffer += m_first ? "\n    " : ",\n    ";
        m_first = false;
        appendJson(m_buffer, value);
        if (m_buffer.size() > (1 << 16))
            flush();
    }
    void close() { m_buffer += m_first ? "]" : "\n  ]"; }
    void flush()
    {
        m_ok = m_ok && m_out.write(m_buffer) == m_buffer.size();
        m_buffer.clear();
    }
    bool ok() const { return m_ok; }

private:
    QIODevice &m_out;
    QByteArray &m_buffer;
    bool m_first = true;
    bool m_ok = true;
};

} // namespace

bool writeBacktestReportJson(QIODevice &out, const BacktestResult &r, const QJsonObject &params, int maxCurvePoints)
{
    const BacktestConfig &c = r.config;
    const QJsonObject head{
        {"format", "botdesk.backtest.v1"},
        {"symbol", r.symbol},
        {"strategy", r.strategy},
        {"params", params},
        {"config", QJsonObject{{"initial_deposit", c.initialDeposit},
                               {"deposit_currency", c.depositCurrency},
                               {"spread_points", c.spreadPoints},
                               {"slippage_points", c.slippagePoints},
                               {"commission_per_lot", c.commissionPerLot}}},
        {"bars", r.barsProcessed},
        {"first_bar_time_ms", r.firstBarTimeMs},
        {"last_bar_time_ms", r.lastBarTimeMs},
        {"cancelled", r.cancelled},
        {"rejected_orders", r.rejectedOrders},
        {"off_grid_bars", r.offGridBars},
        {"warnings", QJsonArray::fromStringList(r.warnings)},
        {"stats", statsToJson(r.stats)},
    };
    // The small part as one object, its closing brace replaced by the streamed arrays.
    QByteArray buffer = QJsonDocument(head).toJson(QJsonDocument::Indented);
    buffer.chop(buffer.endsWith("}\n") ? 2 : 1);
    while (buffer.endsWith('\n'))
        buffer.chop(1);
    bool ok = true;

    ArrayWriter trades(out, buffer, "trades");
    for (const Trade &t : r.trades)
        trades.add(tradeJson(t));
    trades.close();
    ok = ok && trades.ok();

    ArrayWriter curve(out, buffer, "equity_curve");
    const size_t n = r.equity.size();
    const size_t buckets = std::max<size_t>(1, size_t(std::max(1, maxCurvePoints)));
    const size_t perBucket = std::max<size_t>(1, (n + buckets - 1) / buckets);
    for (size_t start = 0; start < n; start += perBucket) {
        const size_t end = std::min(n, start + perBucket);
        double low = r.equity[start].equityLow;
        for (size_t i = start + 1; i < end; ++i)
            low = std::min(low, r.equity[i].equityLow);
        const EquityPoint &last = r.equity[end - 1];
        curve.add(QJsonArray{last.timeMs, last.balance, last.equity, low});
    }
    curve.close();
    ok = ok && curve.ok();

    ArrayWriter journal(out, buffer, "journal");
    for (const QString &line : r.journal)
        journal.add(line);
    journal.close();
    buffer += "\n}\n";
    journal.flush();
    return ok && journal.ok();
}

} // namespace bd
