#include "statsmodel.h"

#include "reportformat.h"
#include "reporttext.h"
#include "tradelistmodel.h"

#include <QColor>
#include <QFont>

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

QString number(double value, int decimals = 2)
{
    if (!std::isfinite(value))
        return report::profitFactor(value);
    return QString::number(value, 'f', decimals);
}

} // namespace

StatsModel::StatsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void StatsModel::clear()
{
    setResult(nullptr);
}

void StatsModel::setResult(std::shared_ptr<const BacktestResult> result)
{
    beginResetModel();
    m_left.clear();
    m_right.clear();
    if (result) {
        const BacktestStats &s = result->stats;
        using report::money;
        using report::percent;
        auto left = [this](QString label, QString text, QVariant raw, int sign = 0) {
            m_left.push_back({std::move(label), std::move(text), std::move(raw), sign});
        };
        auto right = [this](QString label, QString text, QVariant raw, int sign = 0) {
            m_right.push_back({std::move(label), std::move(text), std::move(raw), sign});
        };

        left(tr("Symbol"), result->symbol, result->symbol);
        left(tr("Strategy"), result->strategy, result->strategy);
        left(tr("Period (UTC)"),
             QStringLiteral("%1 – %2").arg(report::utcDate(result->firstBarTimeMs), report::utcDate(result->lastBarTimeMs))
                 + (result->cancelled ? tr(" (cancelled)") : QString()),
             QVariant::fromValue<qlonglong>(result->lastBarTimeMs - result->firstBarTimeMs));
        left(tr("Bars"), report::money(double(result->barsProcessed), 0), QVariant::fromValue<qlonglong>(result->barsProcessed));
        left(tr("Initial Deposit"), money(s.initialDeposit), s.initialDeposit);
        left(tr("Final Balance"), money(s.finalBalance), s.finalBalance);
        left(tr("Total Net Profit"), money(s.totalNetProfit), s.totalNetProfit, signOf(s.totalNetProfit));
        left(tr("Gross Profit"), money(s.grossProfit), s.grossProfit);
        left(tr("Gross Loss"), money(s.grossLoss), s.grossLoss);
        left(tr("Profit Factor"), report::profitFactor(s.profitFactor), s.profitFactor);
        left(tr("Expected Payoff"), money(s.expectedPayoff), s.expectedPayoff, signOf(s.expectedPayoff));
        left(tr("Recovery Factor"), number(s.recoveryFactor), s.recoveryFactor);
        left(tr("Sharpe Ratio"), number(s.sharpeRatio), s.sharpeRatio);
        left(tr("Balance Drawdown Absolute"), money(s.balanceDrawdownAbsolute), s.balanceDrawdownAbsolute);
        left(tr("Balance Drawdown Maximal"),
             QStringLiteral("%1 (%2)").arg(money(s.balanceDrawdownMaximal), percent(s.balanceDrawdownMaximalPercent)),
             s.balanceDrawdownMaximal);
        left(tr("Balance Drawdown Relative"),
             QStringLiteral("%1 (%2)").arg(percent(s.balanceDrawdownRelativePercent), money(s.balanceDrawdownRelative)),
             s.balanceDrawdownRelativePercent);
        left(tr("Equity Drawdown Absolute"), money(s.equityDrawdownAbsolute), s.equityDrawdownAbsolute);
        left(tr("Equity Drawdown Maximal"),
             QStringLiteral("%1 (%2)").arg(money(s.equityDrawdownMaximal), percent(s.equityDrawdownMaximalPercent)),
             s.equityDrawdownMaximal);
        left(tr("Equity Drawdown Relative"),
             QStringLiteral("%1 (%2)").arg(percent(s.equityDrawdownRelativePercent), money(s.equityDrawdownRelative)),
             s.equityDrawdownRelativePercent);

        right(tr("Total Trades"), QString::number(s.totalTrades), s.totalTrades);
        right(tr("Total Deals"), QString::number(s.totalDeals), s.totalDeals);
        right(tr("Short Trades (won %)"),
              QStringLiteral("%1 (%2)").arg(s.shortTrades).arg(percent(share(s.shortTradesWon, s.shortTrades))),
              s.shortTrades);
        right(tr("Long Trades (won %)"),
              QStringLiteral("%1 (%2)").arg(s.longTrades).arg(percent(share(s.longTradesWon, s.longTrades))),
              s.longTrades);
        right(tr("Profit Trades (% of total)"),
              QStringLiteral("%1 (%2)").arg(s.profitTrades).arg(percent(share(s.profitTrades, s.totalTrades))),
              s.profitTrades);
        right(tr("Loss Trades (% of total)"),
              QStringLiteral("%1 (%2)").arg(s.lossTrades).arg(percent(share(s.lossTrades, s.totalTrades))),
              s.lossTrades);
        right(tr("Largest profit trade"), money(s.largestProfitTrade), s.largestProfitTrade);
        right(tr("Largest loss trade"), money(s.largestLossTrade), s.largestLossTrade);
        right(tr("Average profit trade"), money(s.averageProfitTrade), s.averageProfitTrade);
        right(tr("Average loss trade"), money(s.averageLossTrade), s.averageLossTrade);
        right(tr("Maximum consecutive wins ($)"),
              QStringLiteral("%1 (%2)").arg(s.maxConsecutiveWins).arg(money(s.maxConsecutiveWinsMoney)),
              s.maxConsecutiveWins);
        right(tr("Maximum consecutive losses ($)"),
              QStringLiteral("%1 (%2)").arg(s.maxConsecutiveLosses).arg(money(s.maxConsecutiveLossesMoney)),
              s.maxConsecutiveLosses);
        right(tr("Maximal consecutive profit (count)"),
              QStringLiteral("%1 (%2)").arg(money(s.maximalConsecutiveProfit)).arg(s.maximalConsecutiveProfitCount),
              s.maximalConsecutiveProfit);
        right(tr("Maximal consecutive loss (count)"),
              QStringLiteral("%1 (%2)").arg(money(s.maximalConsecutiveLoss)).arg(s.maximalConsecutiveLossCount),
              s.maximalConsecutiveLoss);
        right(tr("Average consecutive wins"), number(s.averageConsecutiveWins), s.averageConsecutiveWins);
        right(tr("Average consecutive losses"), number(s.averageConsecutiveLosses), s.averageConsecutiveLosses);
        right(tr("Minimal position holding time"), formatDuration(s.minHoldingTimeMs),
              QVariant::fromValue<qlonglong>(s.minHoldingTimeMs));
        right(tr("Maximal position holding time"), formatDuration(s.maxHoldingTimeMs),
              QVariant::fromValue<qlonglong>(s.maxHoldingTimeMs));
        right(tr("Average position holding time"), formatDuration(s.averageHoldingTimeMs),
              QVariant::fromValue<qlonglong>(s.averageHoldingTimeMs));
    }
    endResetModel();
}

const StatsModel::Entry *StatsModel::entryAt(int row, int column) const
{
    const auto &side = column < RightLabelColumn ? m_left : m_right;
    if (row < 0 || size_t(row) >= side.size())
        return nullptr;
    return &side[size_t(row)];
}

const StatsModel::Entry *StatsModel::find(const QString &label) const
{
    for (const auto *side : {&m_left, &m_right})
        for (const Entry &e : *side)
            if (e.label == label)
                return &e;
    return nullptr;
}

QString StatsModel::valueText(const QString &label) const
{
    const Entry *e = find(label);
    return e ? e->text : QString();
}

QVariant StatsModel::rawValue(const QString &label) const
{
    const Entry *e = find(label);
    return e ? e->raw : QVariant();
}

int StatsModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return int(std::max(m_left.size(), m_right.size()));
}

int StatsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StatsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry *e = entryAt(index.row(), index.column());
    if (!e)
        return {};
    const bool isLabel = index.column() == LeftLabelColumn || index.column() == RightLabelColumn;

    switch (role) {
    case Qt::DisplayRole:
        return isLabel ? e->label + QLatin1Char(':') : e->text;
    case Qt::UserRole:
        return isLabel ? QVariant(e->label) : e->raw;
    case Qt::TextAlignmentRole:
        return isLabel ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (isLabel)
            return QColor(0x55, 0x5b, 0x66);
        if (e->sign > 0)
            return TradeListModel::profitColor();
        if (e->sign < 0)
            return TradeListModel::lossColor();
        return {};
    case Qt::FontRole:
        if (!isLabel) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    default:
        return {};
    }
}

QVariant StatsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case LeftLabelColumn: return tr("Result");
    case LeftValueColumn: return tr("Value");
    case RightLabelColumn: return tr("Trades");
    case RightValueColumn: return tr("Value");
    default: return {};
    }
}

} // namespace bd
