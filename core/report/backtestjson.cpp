#include "backtestjson.h"

#include <cmath>
#include <limits>
#include <type_traits>
#include <variant>

namespace bd {
namespace {

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

constexpr qint64 kMaxInt = std::numeric_limits<int>::max();
constexpr qint64 kMaxInt64 = std::numeric_limits<qint64>::max();  // clamped to 2^53 by JsonFields::integer

// Every BacktestStats field, once: the key and the member. Both directions read this table.
struct StatsField {
    const char *key;
    std::variant<double BacktestStats::*, int BacktestStats::*, qint64 BacktestStats::*> member;
};

const StatsField kStatsFields[] = {
    {"initial_deposit", &BacktestStats::initialDeposit},
    {"final_balance", &BacktestStats::finalBalance},
    {"total_net_profit", &BacktestStats::totalNetProfit},
    {"gross_profit", &BacktestStats::grossProfit},
    {"gross_loss", &BacktestStats::grossLoss},
    {"profit_factor", &BacktestStats::profitFactor},
    {"expected_payoff", &BacktestStats::expectedPayoff},
    {"recovery_factor", &BacktestStats::recoveryFactor},
    {"sharpe_ratio", &BacktestStats::sharpeRatio},
    {"balance_drawdown_absolute", &BacktestStats::balanceDrawdownAbsolute},
    {"balance_drawdown_maximal", &BacktestStats::balanceDrawdownMaximal},
    {"balance_drawdown_maximal_percent", &BacktestStats::balanceDrawdownMaximalPercent},
    {"balance_drawdown_relative_percent", &BacktestStats::balanceDrawdownRelativePercent},
    {"balance_drawdown_relative", &BacktestStats::balanceDrawdownRelative},
    {"equity_drawdown_absolute", &BacktestStats::equityDrawdownAbsolute},
    {"equity_drawdown_maximal", &BacktestStats::equityDrawdownMaximal},
    {"equity_drawdown_maximal_percent", &BacktestStats::equityDrawdownMaximalPercent},
    {"equity_drawdown_relative_percent", &BacktestStats::equityDrawdownRelativePercent},
    {"equity_drawdown_relative", &BacktestStats::equityDrawdownRelative},
    {"total_trades", &BacktestStats::totalTrades},
    {"total_deals", &BacktestStats::totalDeals},
    {"short_trades", &BacktestStats::shortTrades},
    {"short_trades_won", &BacktestStats::shortTradesWon},
    {"long_trades", &BacktestStats::longTrades},
    {"long_trades_won", &BacktestStats::longTradesWon},
    {"profit_trades", &BacktestStats::profitTrades},
    {"loss_trades", &BacktestStats::lossTrades},
    {"win_rate_percent", &BacktestStats::winRatePercent},
    {"largest_profit_trade", &BacktestStats::largestProfitTrade},
    {"largest_loss_trade", &BacktestStats::largestLossTrade},
    {"average_profit_trade", &BacktestStats::averageProfitTrade},
    {"average_loss_trade", &BacktestStats::averageLossTrade},
    {"max_consecutive_wins", &BacktestStats::maxConsecutiveWins},
    {"max_consecutive_wins_money", &BacktestStats::maxConsecutiveWinsMoney},
    {"max_consecutive_losses", &BacktestStats::maxConsecutiveLosses},
    {"max_consecutive_losses_money", &BacktestStats::maxConsecutiveLossesMoney},
    {"maximal_consecutive_profit", &BacktestStats::maximalConsecutiveProfit},
    {"maximal_consecutive_profit_count", &BacktestStats::maximalConsecutiveProfitCount},
    {"maximal_consecutive_loss", &BacktestStats::maximalConsecutiveLoss},
    {"maximal_consecutive_loss_count", &BacktestStats::maximalConsecutiveLossCount},
    {"average_consecutive_wins", &BacktestStats::averageConsecutiveWins},
    {"average_consecutive_losses", &BacktestStats::averageConsecutiveLosses},
    {"min_holding_time_ms", &BacktestStats::minHoldingTimeMs},
    {"max_holding_time_ms", &BacktestStats::maxHoldingTimeMs},
    {"average_holding_time_ms", &BacktestStats::averageHoldingTimeMs},
};

template <typename T>
Result<T> readWhole(const QJsonObject &json, const char *what, T (*read)(JsonFields &))
{
    JsonFields in(json);
    T value = read(in);
    return in.result(std::move(value), QString::fromLatin1(what));
}

} // namespace

QJsonObject configToJson(const BacktestConfig &c)
{
    return QJsonObject{{"initial_deposit", number(c.initialDeposit)},
                       {"deposit_currency", c.depositCurrency},
                       {"spread_points", c.spreadPoints},
                       {"slippage_points", c.slippagePoints},
                       {"commission_per_lot", number(c.commissionPerLot)}};
}

BacktestConfig readConfig(JsonFields &in)
{
    BacktestConfig c;
    c.initialDeposit = in.number(QStringLiteral("initial_deposit"));
    c.depositCurrency = in.string(QStringLiteral("deposit_currency"));
    c.spreadPoints = int(in.integer(QStringLiteral("spread_points"), -1, kMaxInt));
    c.slippagePoints = int(in.integer(QStringLiteral("slippage_points"), 0, kMaxInt));
    c.commissionPerLot = in.number(QStringLiteral("commission_per_lot"));
    return c;
}

Result<BacktestConfig> configFromJson(const QJsonObject &json)
{
    return readWhole(json, "backtest config", &readConfig);
}

QJsonObject statsToJson(const BacktestStats &s)
{
    QJsonObject out;
    for (const StatsField &f : kStatsFields) {
        const QString key = QString::fromLatin1(f.key);
        std::visit([&](auto member) {
            using Value = std::remove_cvref_t<decltype(s.*member)>;
            if constexpr (std::is_same_v<Value, double>)
                out.insert(key, number(s.*member));
            else
                out.insert(key, qint64(s.*member));
        }, f.member);
    }
    return out;
}

BacktestStats readStats(JsonFields &in)
{
    BacktestStats s;
    for (const StatsField &f : kStatsFields) {
        const QString key = QString::fromLatin1(f.key);
        std::visit([&](auto member) {
            using Value = std::remove_cvref_t<decltype(s.*member)>;
            if constexpr (std::is_same_v<Value, double>)
                s.*member = member == &BacktestStats::profitFactor ? in.numberOrInfinity(key) : in.number(key);
            else if constexpr (std::is_same_v<Value, int>)
                s.*member = int(in.integer(key, 0, kMaxInt));
            else
                s.*member = in.integer(key, 0, kMaxInt64);
        }, f.member);
    }
    return s;
}

Result<BacktestStats> statsFromJson(const QJsonObject &json)
{
    return readWhole(json, "stats", &readStats);
}

QJsonObject tradeToJson(const Trade &t)
{
    return QJsonObject{
        {"ticket", qint64(t.ticket)},
        {"type", sideName(t.side)},
        {"volume", number(t.volume)},
        {"open_time_ms", t.openTimeMs},
        {"open_price", number(t.openPrice)},
        {"sl", number(t.sl)},
        {"tp", number(t.tp)},
        {"close_time_ms", t.closeTimeMs},
        {"close_price", number(t.closePrice)},
        {"commission", number(t.commission)},
        {"profit", number(t.profit)},
        {"net_profit", number(t.netProfit())},
        {"close_reason", closeReasonName(t.closeReason)},
        {"mae", number(t.mae)},
        {"mfe", number(t.mfe)},
        {"comment", t.comment},
    };
}

Trade readTrade(JsonFields &in)
{
    Trade t;
    t.ticket = quint64(in.integer(QStringLiteral("ticket"), 0, kMaxInt64));
    const QString side = in.string(QStringLiteral("type"));
    if (const auto s = sideFromName(side))
        t.side = *s;
    else if (in.ok())
        in.fail(QStringLiteral("type"), QStringLiteral("is \"%1\"; expected \"BUY\" or \"SELL\"").arg(side));
    t.volume = in.number(QStringLiteral("volume"));
    t.openTimeMs = in.integer(QStringLiteral("open_time_ms"), -kMaxInt64, kMaxInt64);
    t.openPrice = in.number(QStringLiteral("open_price"));
    t.closeTimeMs = in.integer(QStringLiteral("close_time_ms"), -kMaxInt64, kMaxInt64);
    t.closePrice = in.number(QStringLiteral("close_price"));
    t.sl = in.number(QStringLiteral("sl"));
    t.tp = in.number(QStringLiteral("tp"));
    t.commission = in.number(QStringLiteral("commission"));
    t.profit = in.number(QStringLiteral("profit"));
    const QString reason = in.string(QStringLiteral("close_reason"));
    if (const auto r = closeReasonFromName(reason))
        t.closeReason = *r;
    else if (in.ok())
        in.fail(QStringLiteral("close_reason"),
                QStringLiteral("is \"%1\"; expected TP_HIT, SL_HIT, STRATEGY_EXIT or END_OF_TEST").arg(reason));
    t.mae = in.number(QStringLiteral("mae"));
    t.mfe = in.number(QStringLiteral("mfe"));
    t.comment = in.string(QStringLiteral("comment"));
    return t;
}

Result<Trade> tradeFromJson(const QJsonObject &json)
{
    return readWhole(json, "trade", &readTrade);
}

} // namespace bd
