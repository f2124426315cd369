#include "backtestengine.h"

#include "logging.h"
#include "reportformat.h"

#include <algorithm>
#include <cmath>

namespace bd {
namespace {

constexpr int kJournalLimit = 1000;
constexpr double kVolumeEpsilon = 1e-9;

// Deal money is rounded to the deposit currency's cents, as MT5 books a deal's profit and commission.
double roundMoney(double money)
{
    return std::round(money * 100.0) / 100.0;
}

bool stopDistanceOk(double distance, double stopsLevel)
{
    return distance > 0.0 && distance >= stopsLevel - 1e-12;
}

// Excursions tracked per open position, in price terms (bid for longs, ask for shorts).
struct Excursion {
    double worstPrice = 0.0; // most adverse exit-side price seen
    double bestPrice = 0.0;  // most favourable exit-side price seen
};

class Simulation {
public:
    Simulation(std::span<const Bar> bars, const SymbolSpec &symbol, Strategy &strategy, const BacktestConfig &config,
               const BacktestControl &control)
        : m_bars(bars), m_symbol(symbol), m_strategy(strategy), m_config(config), m_control(control),
          m_log(logging::get("backtest"))
    {
        m_balance = config.initialDeposit;
        m_slippage = config.slippagePoints * symbol.point;
    }

    // "bar 123 (2024-01-02 10:03 UTC)": where the run is, for error messages.
    QString currentBarText() const
    {
        return QStringLiteral("bar %1 (%2 UTC)")
            .arg(m_currentBar)
            .arg(report::utcMinute(m_bars[size_t(m_currentBar)].timeMs));
    }

    BacktestResult run()
    {
        BacktestResult result;
        result.symbol = m_symbol.name;
        result.strategy = m_strategy.name();
        result.config = m_config;
        result.firstBarTimeMs = m_bars.front().timeMs;
        m_equity.reserve(m_bars.size());

        const qint64 total = qint64(m_bars.size());
        const qint64 progressStep = std::max<qint64>(1, total / 100);
        qint64 nextProgressAt = progressStep; // a countdown, not a modulo: no division in the bar loop
        int lastPercent = -1;
        std::vector<Action> actions;
        std::vector<Action> pending;
        actions.reserve(8);
        pending.reserve(8);
        reportProgress(0, lastPercent);

        qint64 i = 0;
        for (; i < total; ++i) {
            if (m_control.cancelRequested && m_control.cancelRequested->load(std::memory_order_relaxed)) {
                result.cancelled = true;
                break;
            }
            m_currentBar = i;
            const Bar &bar = m_bars[size_t(i)];
            const double spread = spreadPointsFor(bar) * m_symbol.point;

            for (const Action &a : pending)
                executeAtOpen(a, bar, spread);
            pending.clear();

            checkStopsAndExcursions(bar, spread);
            m_equity.push_back(markToMarket(bar, spread));

            StrategyContext context{
                m_symbol, m_balance,           m_equity.back().equity, std::span<const Position>(m_positions),
                i,        spreadPointsFor(bar)};
            actions.clear();
            m_strategy.onBar(bar, context, actions);
            for (Action &a : actions) {
                if (a.type == ActionType::ModifySltp)
                    modifySltp(a);
                else
                    pending.push_back(std::move(a));
            }
            if (i + 1 == nextProgressAt) {
                reportProgress(int((i + 1) * 100 / total), lastPercent);
                nextProgressAt += progressStep;
            }
        }
        result.barsProcessed = i;

        if (i > 0) {
            const Bar &last = m_bars[size_t(i - 1)];
            result.lastBarTimeMs = last.timeMs;
            for (const Action &a : pending) {
                if (a.type == ActionType::OpenTrade)
                    journal(last.timeMs, [&] {
                        return QStringLiteral("%1 %2 from the last bar not filled: no next bar to fill at")
                            .arg(actionTypeName(a.type), sideName(a.side));
                    });
            }
            closeAllAtEnd(last, spreadPointsFor(last) * m_symbol.point);
            EquityPoint &point = m_equity.back();
            point.balance = m_balance;
            point.equity = m_balance;
            point.equityLow = std::min(point.equityLow, m_balance);
        }
        if (!result.cancelled)
            reportProgress(100, lastPercent);

        result.trades = std::move(m_trades);
        result.equity = std::move(m_equity);
        result.rejectedOrders = m_rejected;
        result.journal = std::move(m_journal);
        result.stats = computeStats(result.trades, result.equity, m_config.initialDeposit);
        result.stats.totalDeals = m_deals;
        m_log->info("{} on {}: {} bars, {} trades, net profit {:.2f}{}", result.strategy.toStdString(),
                    result.symbol.toStdString(), result.barsProcessed, result.stats.totalTrades,
                    result.stats.totalNetProfit, result.cancelled ? " (cancelled)" : "");
        return result;
    }

private:
    int spreadPointsFor(const Bar &bar) const
    {
        if (m_config.spreadPoints >= 0)
            return m_config.spreadPoints;
        return bar.spreadPoints >= 0 ? bar.spreadPoints : m_symbol.defaultSpreadPoints;
    }

    void reportProgress(int percent, int &lastPercent) const
    {
        if (percent != lastPercent && m_control.onProgress) {
            lastPercent = percent;
            m_control.onProgress(percent);
        }
    }

    // Journal entries are formatted only while the journal has room or debug logging is on:
    // a blown account can reject an order on every signal for the rest of the test.
    template <typename MakeText> void journal(qint64 timeMs, MakeText makeText)
    {
        const bool keep = m_journal.size() < kJournalLimit;
        if (!keep && !m_log->should_log(spdlog::level::debug))
            return;
        const QString text = report::utcMinute(timeMs) + QStringLiteral(" UTC: ") + makeText();
        m_log->debug("{}", text.toStdString());
        if (keep)
            m_journal.push_back(text);
    }

    template <typename MakeReason> void reject(qint64 timeMs, Side side, double price, MakeReason reason)
    {
        ++m_rejected;
        journal(timeMs, [&] {
            return QStringLiteral("order rejected: %1 at %2: ")
                       .arg(sideName(side))
                       .arg(price, 0, 'f', m_symbol.digits) +
                   reason();
        });
    }

    double floatingProfit(const Position &p, double bid, double spread) const
    {
        return p.side == Side::Buy ? m_symbol.moneyForPriceMove(bid - p.openPrice, p.volume)
                                   : m_symbol.moneyForPriceMove(p.openPrice - (bid + spread), p.volume);
    }

    double equityAt(double bid, double spread) const
    {
        double equity = m_balance;
        for (const Position &p : m_positions)
            equity += floatingProfit(p, bid, spread);
        return equity;
    }

    double volumeForRisk(double riskPercent, double entry, double sl, double equity) const
    {
        const double lossPerLot = m_symbol.moneyForPriceMove(std::abs(entry - sl), 1.0);
        if (lossPerLot <= 0.0 || equity <= 0.0)
            return 0.0;
        const double raw = equity * riskPercent / 100.0 / lossPerLot;
        const double steps = std::floor(raw / m_symbol.volumeStep + kVolumeEpsilon);
        return std::min(steps * m_symbol.volumeStep, m_symbol.volumeMax);
    }

    void executeAtOpen(const Action &a, const Bar &bar, double spread)
    {
        if (a.type == ActionType::ClosePosition) {
            closeMatching(a.ticket, bar, spread);
            return;
        }
        openTrade(a, bar, spread);
    }

    void openTrade(const Action &a, const Bar &bar, double spread)
    {
        const double bid = bar.open;
        const double ask = bid + spread;
        const bool buy = a.side == Side::Buy;
        const double fill = m_symbol.normalizePrice(buy ? ask + m_slippage : bid - m_slippage);
        const double stopsLevel = m_symbol.stopsLevelPoints * m_symbol.point;
        // MT5 stop rules (retcode 10016 INVALID_STOPS): BUY: bid − SL ≥ level, TP − bid ≥ level;
        // SELL: SL − ask ≥ level, ask − TP ≥ level. With level 0 the stop must still be on the right side.

        const auto valid = [](double v) { return std::isfinite(v) && v >= 0.0; };
        if (!valid(a.volume) || !valid(a.riskPercent) || !valid(a.sl) || !valid(a.tp) || !valid(a.rr)) {
            reject(bar.timeMs, a.side, fill, [&] {
                return QStringLiteral("negative or non-finite volume, risk, SL, TP or rr in the strategy's action");
            });
            return;
        }
        const double sl = a.sl > 0.0 ? m_symbol.normalizePrice(a.sl) : 0.0;
        if (sl > 0.0 && !stopDistanceOk(buy ? bid - sl : sl - ask, stopsLevel)) {
            reject(bar.timeMs, a.side, fill, [&] {
                return QStringLiteral("invalid stops, SL %1 is on the wrong side of the %2 %3 "
                                      "(the stop is inside the spread, or the market moved past it before the fill)")
                    .arg(sl, 0, 'f', m_symbol.digits)
                    .arg(buy ? "bid" : "ask")
                    .arg(buy ? bid : ask, 0, 'f', m_symbol.digits);
            });
            return;
        }
        double tp = a.tp > 0.0 ? m_symbol.normalizePrice(a.tp) : 0.0;
        if (tp == 0.0 && a.rr > 0.0 && sl > 0.0)
            tp = m_symbol.normalizePrice(buy ? fill + (fill - sl) * a.rr : fill - (sl - fill) * a.rr);
        if (tp > 0.0 && !stopDistanceOk(buy ? tp - bid : ask - tp, stopsLevel)) {
            reject(bar.timeMs, a.side, fill, [&] {
                return QStringLiteral("invalid stops, TP %1 is on the wrong side of the market")
                    .arg(tp, 0, 'f', m_symbol.digits);
            });
            return;
        }

        double volume = a.volume;
        if (volume <= 0.0) {
            if (a.riskPercent <= 0.0 || sl <= 0.0) {
                reject(bar.timeMs, a.side, fill,
                       [&] { return QStringLiteral("no volume given and no risk %/stop-loss to size it from"); });
                return;
            }
            volume = volumeForRisk(a.riskPercent, fill, sl, equityAt(bid, spread));
        }
        if (volume + kVolumeEpsilon < m_symbol.volumeMin) {
            reject(bar.timeMs, a.side, fill, [&] {
                return QStringLiteral("volume %1 lots is below the symbol minimum %2 "
                                      "(equity too small for this risk % and stop distance)")
                    .arg(volume, 0, 'f', 2)
                    .arg(m_symbol.volumeMin);
            });
            return;
        }
        volume = std::min(volume, m_symbol.volumeMax);

        Position p;
        p.ticket = m_nextTicket++;
        p.side = a.side;
        p.volume = volume;
        p.openTimeMs = bar.timeMs;
        p.openPrice = fill;
        p.sl = sl;
        p.tp = tp;
        p.commission = roundMoney(-m_config.commissionPerLot * volume);
        p.comment = a.comment;
        m_balance += p.commission;
        ++m_deals;
        m_positions.push_back(std::move(p));
        const double exitSidePrice = buy ? bid : ask;
        m_excursions.push_back({exitSidePrice, exitSidePrice});
    }

    void modifySltp(const Action &a)
    {
        for (Position &p : m_positions) {
            if (a.ticket != 0 && p.ticket != a.ticket)
                continue;
            if (a.sl > 0.0)
                p.sl = m_symbol.normalizePrice(a.sl);
            if (a.tp > 0.0)
                p.tp = m_symbol.normalizePrice(a.tp);
        }
    }

    void closeMatching(quint64 ticket, const Bar &bar, double spread)
    {
        for (size_t k = 0; k < m_positions.size();) {
            if (ticket != 0 && m_positions[k].ticket != ticket) {
                ++k;
                continue;
            }
            const bool buy = m_positions[k].side == Side::Buy;
            const double price = buy ? bar.open - m_slippage : bar.open + spread + m_slippage;
            closeAt(k, bar.timeMs, price, CloseReason::StrategyExit);
        }
    }

    // Closes m_positions[k] (and removes it) at `price`.
    void closeAt(size_t k, qint64 timeMs, double price, CloseReason reason)
    {
        const Position p = std::move(m_positions[k]);
        Excursion ex = m_excursions[k];
        m_positions.erase(m_positions.begin() + qptrdiff(k));
        m_excursions.erase(m_excursions.begin() + qptrdiff(k));
        const bool buy = p.side == Side::Buy;
        price = m_symbol.normalizePrice(price);
        if (buy) {
            ex.worstPrice = std::min(ex.worstPrice, price);
            ex.bestPrice = std::max(ex.bestPrice, price);
        } else {
            ex.worstPrice = std::max(ex.worstPrice, price);
            ex.bestPrice = std::min(ex.bestPrice, price);
        }
        Trade t;
        t.ticket = p.ticket;
        t.side = p.side;
        t.volume = p.volume;
        t.openTimeMs = p.openTimeMs;
        t.openPrice = p.openPrice;
        t.closeTimeMs = timeMs;
        t.closePrice = price;
        t.sl = p.sl;
        t.tp = p.tp;
        const double exitCommission = roundMoney(-m_config.commissionPerLot * p.volume);
        t.commission = p.commission + exitCommission;
        const double move = buy ? price - p.openPrice : p.openPrice - price;
        t.profit = roundMoney(m_symbol.moneyForPriceMove(move, p.volume));
        t.closeReason = reason;
        const double worstMove = buy ? ex.worstPrice - p.openPrice : p.openPrice - ex.worstPrice;
        const double bestMove = buy ? ex.bestPrice - p.openPrice : p.openPrice - ex.bestPrice;
        t.mae = roundMoney(std::min(0.0, m_symbol.moneyForPriceMove(worstMove, p.volume)));
        t.mfe = roundMoney(std::max(0.0, m_symbol.moneyForPriceMove(bestMove, p.volume)));
        t.comment = p.comment;
        m_balance += t.profit + exitCommission;
        ++m_deals;
        m_trades.push_back(std::move(t));
    }

    // Intrabar SL/TP from the bar's OHLC. Longs exit on bid, shorts on ask = bid + spread.
    void checkStopsAndExcursions(const Bar &bar, double spread)
    {
        for (size_t k = 0; k < m_positions.size();) {
            const Position &p = m_positions[k];
            Excursion &ex = m_excursions[k];
            if (p.side == Side::Buy) {
                if (p.sl > 0.0 && bar.open <= p.sl) {
                    closeAt(k, bar.timeMs, bar.open - m_slippage, CloseReason::SlHit); // gap through the stop
                    continue;
                }
                if (p.tp > 0.0 && bar.open >= p.tp) {
                    closeAt(k, bar.timeMs, bar.open, CloseReason::TpHit);
                    continue;
                }
                if (p.sl > 0.0 && bar.low <= p.sl) { // SL first when both are inside the bar
                    closeAt(k, bar.timeMs, p.sl - m_slippage, CloseReason::SlHit);
                    continue;
                }
                if (p.tp > 0.0 && bar.high >= p.tp) {
                    closeAt(k, bar.timeMs, p.tp, CloseReason::TpHit);
                    continue;
                }
                ex.worstPrice = std::min(ex.worstPrice, bar.low);
                ex.bestPrice = std::max(ex.bestPrice, bar.high);
            } else {
                const double askOpen = bar.open + spread;
                if (p.sl > 0.0 && askOpen >= p.sl) {
                    closeAt(k, bar.timeMs, askOpen + m_slippage, CloseReason::SlHit);
                    continue;
                }
                if (p.tp > 0.0 && askOpen <= p.tp) {
                    closeAt(k, bar.timeMs, askOpen, CloseReason::TpHit);
                    continue;
                }
                if (p.sl > 0.0 && bar.high + spread >= p.sl) {
                    closeAt(k, bar.timeMs, p.sl + m_slippage, CloseReason::SlHit);
                    continue;
                }
                if (p.tp > 0.0 && bar.low + spread <= p.tp) {
                    closeAt(k, bar.timeMs, p.tp, CloseReason::TpHit);
                    continue;
                }
                ex.worstPrice = std::max(ex.worstPrice, bar.high + spread);
                ex.bestPrice = std::min(ex.bestPrice, bar.low + spread);
            }
            ++k;
        }
    }

    EquityPoint markToMarket(const Bar &bar, double spread) const
    {
        EquityPoint point;
        point.timeMs = bar.timeMs;
        point.balance = m_balance;
        point.equity = m_balance;
        double low = m_balance;
        for (const Position &p : m_positions) {
            point.equity += floatingProfit(p, bar.close, spread);
            low += p.side == Side::Buy ? m_symbol.moneyForPriceMove(bar.low - p.openPrice, p.volume)
                                       : m_symbol.moneyForPriceMove(p.openPrice - (bar.high + spread), p.volume);
        }
        point.equityLow = std::min(low, point.equity);
        return point;
    }

    void closeAllAtEnd(const Bar &last, double spread)
    {
        while (!m_positions.empty()) {
            const bool buy = m_positions.front().side == Side::Buy;
            closeAt(0, last.timeMs, buy ? last.close : last.close + spread, CloseReason::EndOfTest);
        }
    }

    std::span<const Bar> m_bars;
    const SymbolSpec &m_symbol;
    Strategy &m_strategy;
    const BacktestConfig &m_config;
    const BacktestControl &m_control;
    std::shared_ptr<spdlog::logger> m_log;

    double m_balance = 0.0;
    double m_slippage = 0.0;
    quint64 m_nextTicket = 1;
    qint64 m_currentBar = 0;
    int m_deals = 0;
    int m_rejected = 0;
    std::vector<Position> m_positions;   // open positions, in opening order; strategies see this vector
    std::vector<Excursion> m_excursions; // m_excursions[k] belongs to m_positions[k]
    std::vector<Trade> m_trades;
    std::vector<EquityPoint> m_equity;
    QStringList m_journal;
};

Result<void> validate(std::span<const Bar> bars, const SymbolSpec &symbol, const BacktestConfig &config)
{
    if (bars.empty())
        return makeError(QStringLiteral("no bars to test: load a data file that holds at least one bar"));
    if (!(config.initialDeposit > 0.0) || !std::isfinite(config.initialDeposit))
        return makeError(QStringLiteral("initial deposit %1 is not positive: give a deposit such as 10000")
                             .arg(config.initialDeposit));
    if (!(config.slippagePoints >= 0.0) || !std::isfinite(config.slippagePoints))
        return makeError(
            QStringLiteral("slippage %1 points is negative: give 0 or more points").arg(config.slippagePoints));
    if (!(config.commissionPerLot >= 0.0) || !std::isfinite(config.commissionPerLot))
        return makeError(QStringLiteral("commission %1 per lot is negative: give 0 or more (money per lot per deal)")
                             .arg(config.commissionPerLot));
    if (config.spreadPoints < -1)
        return makeError(QStringLiteral("spread %1 points is negative: give 0 or more, or -1 for the data's spread")
                             .arg(config.spreadPoints));
    if (!(symbol.point > 0.0) || !(symbol.tickSize > 0.0) || !(symbol.tickValue > 0.0) || !(symbol.volumeStep > 0.0) ||
        !(symbol.volumeMin > 0.0) || symbol.volumeMax < symbol.volumeMin)
        return makeError(QStringLiteral("symbol %1 has an unusable specification (point, tick size/value or volume "
                                        "limits): fix it in symbols.json")
                             .arg(symbol.name));
    if (!symbol.currencyProfit.isEmpty() &&
        symbol.currencyProfit.compare(config.depositCurrency, Qt::CaseInsensitive) != 0)
        return makeError(QStringLiteral("symbol %1 makes profit in %2 but the deposit is in %3: currency conversion is "
                                        "not supported yet, use a %3-quoted symbol or a %2 deposit")
                             .arg(symbol.name, symbol.currencyProfit, config.depositCurrency));
    return {};
}

} // namespace

Result<BacktestResult> runBacktest(std::span<const Bar> bars, const SymbolSpec &symbol, Strategy &strategy,
                                   const BacktestConfig &config, const BacktestControl &control)
{
    if (auto valid = validate(bars, symbol, config); !valid)
        return valid.error();
    Simulation simulation(bars, symbol, strategy, config, control);
    try {
        return simulation.run();
    } catch (const std::exception &e) {
        // A broken strategy must not take the application down; the run fails with its message.
        return makeError(QStringLiteral("strategy %1 failed on %2 %3: %4")
                             .arg(strategy.name(), symbol.name)
                             .arg(simulation.currentBarText(), QString::fromUtf8(e.what())));
    }
}

} // namespace bd
