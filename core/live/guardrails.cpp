#include "guardrails.h"

#include <algorithm>
#include <cmath>

namespace bd {

namespace {

// Money in the account currency, to the cent: "1234.50".
QString money(double x)
{
    return QString::number(x, 'f', 2);
}

// A percentage or a number of seconds as given, without trailing zeros: 20 -> "20", 2.5 -> "2.5", 0.125 -> "0.125".
QString plain(double x)
{
    QString text = QString::number(x, 'f', 4);
    if (text.contains(QLatin1Char('.'))) {
        while (text.endsWith(QLatin1Char('0')))
            text.chop(1);
        if (text.endsWith(QLatin1Char('.')))
            text.chop(1);
    }
    return text == QLatin1String("-0") ? QStringLiteral("0") : text;
}

GuardrailDenial deny(const char *rule, QString reason)
{
    return GuardrailDenial{QString::fromLatin1(rule), std::move(reason)};
}

QString symbolText(const RunRiskState &state)
{
    return state.symbol.isEmpty() ? QStringLiteral("the run's symbol") : state.symbol;
}

} // namespace

std::optional<GuardrailDenial> checkEntry(const Guardrails &limits, const RunRiskState &state,
                                          const EntryRequest &entry)
{
    // Each rule is written as "deny unless the figure is inside the limit", so that a NaN figure denies.
    if (limits.dailyLossPercent > 0.0) {
        const double base = std::max(0.0, state.dayStartEquity);
        const double limit = base * limits.dailyLossPercent / 100.0;
        const double loss = -state.runDayProfit;
        if (!(loss < limit))
            return deny(
                "DAILY_LOSS",
                QStringLiteral("Daily loss: this run lost %1 since the day's start, limit %2% of the day's "
                               "starting equity %3 = %4; no new entries until the next broker day")
                    .arg(money(loss), plain(limits.dailyLossPercent), money(state.dayStartEquity), money(limit)));
    }
    if (limits.maxOpenPerSymbol > 0 && state.runOpenOnSymbol >= limits.maxOpenPerSymbol)
        return deny("MAX_OPEN_PER_SYMBOL", QStringLiteral("Max open positions on %1 for this run: %2 open, limit %3")
                                               .arg(symbolText(state))
                                               .arg(state.runOpenOnSymbol)
                                               .arg(limits.maxOpenPerSymbol));
    if (limits.maxOpenPerAccountSymbol > 0 && state.accountOpenOnSymbol >= limits.maxOpenPerAccountSymbol)
        return deny("MAX_OPEN_PER_ACCOUNT_SYMBOL",
                    QStringLiteral("Max open positions on %1 for this account: %2 open, limit %3")
                        .arg(symbolText(state))
                        .arg(state.accountOpenOnSymbol)
                        .arg(limits.maxOpenPerAccountSymbol));
    if (limits.cooldownMs > 0 && state.lastEntryAtMs > 0) {
        const qint64 sinceMs = state.nowMs - state.lastEntryAtMs;
        if (sinceMs < limits.cooldownMs)
            return deny("COOLDOWN",
                        QStringLiteral("Cooldown: last entry %1 s ago, %2 s required")
                            .arg(plain(double(sinceMs) / 1000.0), plain(double(limits.cooldownMs) / 1000.0)));
    }
    if (limits.maxRiskPercent > 0.0 && !(entry.riskPercent <= limits.maxRiskPercent))
        return deny("MAX_RISK", QStringLiteral("Max risk: the entry risks %1% of equity at its SL, limit %2%")
                                    .arg(plain(entry.riskPercent), plain(limits.maxRiskPercent)));
    if (limits.marginCheck && !(entry.requiredMargin <= state.freeMargin))
        return deny("MARGIN", QStringLiteral("Margin: the entry needs %1, free margin %2")
                                  .arg(money(entry.requiredMargin), money(state.freeMargin)));
    return checkDrawdown(limits, state);
}

double runDrawdownPercent(const RunRiskState &state)
{
    if (!(state.startingEquity > 0.0))
        return 0.0;
    if (std::isnan(state.runProfit))
        return state.runProfit;
    // loss · 100 / equity rather than loss / equity · 100: exact at round figures (2000 of 10000 is 20,
    // not 20.000000000000004).
    return std::max(0.0, -state.runProfit) * 100.0 / state.startingEquity;
}

std::optional<GuardrailDenial> checkDrawdown(const Guardrails &limits, const RunRiskState &state)
{
    if (!(limits.drawdownCapPercent > 0.0))
        return std::nullopt;
    const double drawdown = runDrawdownPercent(state);
    if (drawdown < limits.drawdownCapPercent)
        return std::nullopt;
    return deny("DRAWDOWN_CAP", QStringLiteral("Drawdown %1% exceeds cap %2%")
                                    .arg(QString::number(drawdown, 'f', 1), plain(limits.drawdownCapPercent)));
}

double forexMarginRequired(double volume, double contractSize, double price, int leverage)
{
    if (leverage <= 0)
        return 0.0;
    return volume * contractSize * price / double(leverage);
}

} // namespace bd
