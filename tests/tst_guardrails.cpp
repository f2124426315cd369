// The guardrails' decisions (core/live/guardrails.h): every rule at, just below and just above its limit, a limit of 0
// switching it off, the order in which rules are asked, and the reasons' text.
#include "guardrails.h"

#include <QTest>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

using namespace bd;

namespace {

// Every limit off: a case switches on only the rule it is about.
Guardrails noLimits()
{
    Guardrails g;
    g.dailyLossPercent = 0;
    g.drawdownCapPercent = 0;
    g.maxOpenPerSymbol = 0;
    g.maxOpenPerAccountSymbol = 0;
    g.cooldownMs = 0;
    g.maxRiskPercent = 0;
    g.marginCheck = false;
    return g;
}

constexpr qint64 kNow = 1'735'000'000'000;

RunRiskState quietState()
{
    RunRiskState s;
    s.symbol = QStringLiteral("EURUSD");
    s.startingEquity = 10000;
    s.equity = 10000;
    s.dayStartEquity = 10000;
    s.nowMs = kNow;
    s.freeMargin = 1000;
    return s;
}

using G = Guardrails;
using S = RunRiskState;
using E = EntryRequest;

struct Case {
    const char *name;
    std::function<void(G &, S &, E &)> set;
    QString rule;   // empty: the entry may go
    QString reason; // checked when not empty
};

} // namespace

class TestGuardrails : public QObject {
    Q_OBJECT
private slots:
    void eachRuleAroundItsLimit()
    {
        const QString daily = QStringLiteral("DAILY_LOSS"), perSymbol = QStringLiteral("MAX_OPEN_PER_SYMBOL"),
                      perAccount = QStringLiteral("MAX_OPEN_PER_ACCOUNT_SYMBOL"), cooldown = QStringLiteral("COOLDOWN"),
                      risk = QStringLiteral("MAX_RISK"), margin = QStringLiteral("MARGIN"),
                      drawdown = QStringLiteral("DRAWDOWN_CAP");
        // One case a line:
        // clang-format off
        const std::vector<Case> cases{
            {"nothing on", [](G &, S &, E &) {}, {}, {}},
            {"defaults, quiet run", [](G &g, S &, E &e) { g = Guardrails{}; e.riskPercent = 1; }, {}, {}},
            // Daily loss: 5 % of the day's starting equity 10000 = 500 of the RUN's loss.
            {"daily loss below", [](G &g, S &s, E &) { g.dailyLossPercent = 5; s.runDayProfit = -499.99; }, {}, {}},
            {"daily loss at", [](G &g, S &s, E &) { g.dailyLossPercent = 5; s.runDayProfit = -500; },
             daily, QStringLiteral("Daily loss: this run lost 500.00 since the day's start, limit 5% of the "
                                   "day's starting equity 10000.00 = 500.00; no new entries until the next broker "
                                   "day")},
            {"daily loss above", [](G &g, S &s, E &) { g.dailyLossPercent = 5; s.runDayProfit = -500.01; }, daily, {}},
            {"daily loss off", [](G &g, S &s, E &) { g.dailyLossPercent = 0; s.runDayProfit = -9000; }, {}, {}},
            {"daily loss is the run's, not the account's",
             [](G &g, S &s, E &) { g.dailyLossPercent = 5; s.equity = 8000; s.runDayProfit = -100; }, {}, {}},
            {"daily loss, a day in profit",
             [](G &g, S &s, E &) { g.dailyLossPercent = 5; s.runDayProfit = 700; }, {}, {}},
            {"daily loss, day's equity unknown",
             [](G &g, S &s, E &) { g.dailyLossPercent = 5; s.dayStartEquity = 0; s.runDayProfit = 0; }, daily, {}},
            {"daily loss, NaN P/L",
             [](G &g, S &s, E &) { g.dailyLossPercent = 5; s.runDayProfit = std::nan(""); }, daily, {}},
            // Open positions of the run on its symbol: limit 1.
            {"per symbol below", [](G &g, S &s, E &) { g.maxOpenPerSymbol = 1; s.runOpenOnSymbol = 0; }, {}, {}},
            {"per symbol at", [](G &g, S &s, E &) { g.maxOpenPerSymbol = 1; s.runOpenOnSymbol = 1; },
             perSymbol, QStringLiteral("Max open positions on EURUSD for this run: 1 open, limit 1")},
            {"per symbol above", [](G &g, S &s, E &) { g.maxOpenPerSymbol = 1; s.runOpenOnSymbol = 2; },
             perSymbol, QStringLiteral("Max open positions on EURUSD for this run: 2 open, limit 1")},
            {"per symbol off", [](G &g, S &s, E &) { g.maxOpenPerSymbol = 0; s.runOpenOnSymbol = 50; }, {}, {}},
            // Every run's (and manual) positions on the account and symbol: limit 3.
            {"per account below",
             [](G &g, S &s, E &) { g.maxOpenPerAccountSymbol = 3; s.accountOpenOnSymbol = 2; }, {}, {}},
            {"per account at", [](G &g, S &s, E &) { g.maxOpenPerAccountSymbol = 3; s.accountOpenOnSymbol = 3; },
             perAccount, QStringLiteral("Max open positions on EURUSD for this account: 3 open, limit 3")},
            {"per account above",
             [](G &g, S &s, E &) { g.maxOpenPerAccountSymbol = 3; s.accountOpenOnSymbol = 4; }, perAccount, {}},
            {"per account off",
             [](G &g, S &s, E &) { g.maxOpenPerAccountSymbol = 0; s.accountOpenOnSymbol = 40; }, {}, {}},
            // Cooldown 60 s.
            {"cooldown well inside", [](G &g, S &s, E &) { g.cooldownMs = 60000; s.lastEntryAtMs = kNow - 12000; },
             cooldown, QStringLiteral("Cooldown: last entry 12 s ago, 60 s required")},
            {"cooldown just below", [](G &g, S &s, E &) { g.cooldownMs = 60000; s.lastEntryAtMs = kNow - 59999; },
             cooldown, QStringLiteral("Cooldown: last entry 59.999 s ago, 60 s required")},
            {"cooldown at", [](G &g, S &s, E &) { g.cooldownMs = 60000; s.lastEntryAtMs = kNow - 60000; }, {}, {}},
            {"cooldown above", [](G &g, S &s, E &) { g.cooldownMs = 60000; s.lastEntryAtMs = kNow - 60001; }, {}, {}},
            {"cooldown, no entry yet", [](G &g, S &s, E &) { g.cooldownMs = 60000; s.lastEntryAtMs = 0; }, {}, {}},
            {"cooldown off", [](G &g, S &s, E &) { g.cooldownMs = 0; s.lastEntryAtMs = kNow - 1; }, {}, {}},
            // Risk at the SL: limit 2 %, at the limit it may go.
            {"risk below", [](G &g, S &, E &e) { g.maxRiskPercent = 2; e.riskPercent = 1.99; }, {}, {}},
            {"risk at", [](G &g, S &, E &e) { g.maxRiskPercent = 2; e.riskPercent = 2; }, {}, {}},
            {"risk above", [](G &g, S &, E &e) { g.maxRiskPercent = 2; e.riskPercent = 2.01; },
             risk, QStringLiteral("Max risk: the entry risks 2.01% of equity at its SL, limit 2%")},
            {"risk NaN", [](G &g, S &, E &e) { g.maxRiskPercent = 2; e.riskPercent = std::nan(""); }, risk, {}},
            {"risk off", [](G &g, S &, E &e) { g.maxRiskPercent = 0; e.riskPercent = 80; }, {}, {}},
            // Margin: free margin 1000, equal may go.
            {"margin below", [](G &g, S &, E &e) { g.marginCheck = true; e.requiredMargin = 999.99; }, {}, {}},
            {"margin at", [](G &g, S &, E &e) { g.marginCheck = true; e.requiredMargin = 1000; }, {}, {}},
            {"margin above", [](G &g, S &, E &e) { g.marginCheck = true; e.requiredMargin = 1000.01; },
             margin, QStringLiteral("Margin: the entry needs 1000.01, free margin 1000.00")},
            {"margin off", [](G &g, S &, E &e) { g.marginCheck = false; e.requiredMargin = 1e9; }, {}, {}},
            // Drawdown cap 20 % of the starting equity 10000.
            {"drawdown below", [](G &g, S &s, E &) { g.drawdownCapPercent = 20; s.runProfit = -1999.99; }, {}, {}},
            {"drawdown at", [](G &g, S &s, E &) { g.drawdownCapPercent = 20; s.runProfit = -2000; },
             drawdown, QStringLiteral("Drawdown 20.0% exceeds cap 20%")},
            {"drawdown above", [](G &g, S &s, E &) { g.drawdownCapPercent = 20; s.runProfit = -2350; },
             drawdown, QStringLiteral("Drawdown 23.5% exceeds cap 20%")},
            {"drawdown off", [](G &g, S &s, E &) { g.drawdownCapPercent = 0; s.runProfit = -9000; }, {}, {}},
        };
        // clang-format on
        for (const Case &c : cases) {
            Guardrails limits = noLimits();
            RunRiskState state = quietState();
            EntryRequest entry;
            c.set(limits, state, entry);
            const std::optional<GuardrailDenial> denial = checkEntry(limits, state, entry);
            const QString what = QString::fromLatin1(c.name);
            if (c.rule.isEmpty()) {
                QVERIFY2(!denial,
                         qPrintable(what + QStringLiteral(": denied by ") +
                                    (denial ? denial->rule + QStringLiteral(": ") + denial->reason : QString())));
                continue;
            }
            QVERIFY2(denial, qPrintable(what + QStringLiteral(": not denied")));
            QVERIFY2(denial->rule == c.rule, qPrintable(what + QStringLiteral(": rule ") + denial->rule));
            if (!c.reason.isEmpty())
                QVERIFY2(denial->reason == c.reason, qPrintable(what + QStringLiteral(": reason ") + denial->reason));
        }
    }

    // With every rule broken, the denial names the first in the header's order; switching it off shows the next.
    void rulesAreAskedInOrder()
    {
        Guardrails limits = noLimits();
        limits.dailyLossPercent = 5;
        limits.maxOpenPerSymbol = 1;
        limits.maxOpenPerAccountSymbol = 1;
        limits.cooldownMs = 60000;
        limits.maxRiskPercent = 2;
        limits.marginCheck = true;
        limits.drawdownCapPercent = 20;
        RunRiskState state = quietState();
        state.runDayProfit = -3000;
        state.runProfit = -3000;
        state.runOpenOnSymbol = 1;
        state.accountOpenOnSymbol = 1;
        state.lastEntryAtMs = kNow - 1000;
        const EntryRequest entry{5.0, 5000.0};

        const QStringList order{QStringLiteral("DAILY_LOSS"),
                                QStringLiteral("MAX_OPEN_PER_SYMBOL"),
                                QStringLiteral("MAX_OPEN_PER_ACCOUNT_SYMBOL"),
                                QStringLiteral("COOLDOWN"),
                                QStringLiteral("MAX_RISK"),
                                QStringLiteral("MARGIN"),
                                QStringLiteral("DRAWDOWN_CAP")};
        const std::vector<std::function<void()>> switchOff{
            [&] { limits.dailyLossPercent = 0; },        [&] { limits.maxOpenPerSymbol = 0; },
            [&] { limits.maxOpenPerAccountSymbol = 0; }, [&] { limits.cooldownMs = 0; },
            [&] { limits.maxRiskPercent = 0; },          [&] { limits.marginCheck = false; },
            [&] { limits.drawdownCapPercent = 0; }};
        for (qsizetype i = 0; i < order.size(); ++i) {
            const std::optional<GuardrailDenial> denial = checkEntry(limits, state, entry);
            QVERIFY2(denial, qPrintable(order[i]));
            QCOMPARE(denial->rule, order[i]);
            switchOff[size_t(i)]();
        }
        QVERIFY(!checkEntry(limits, state, entry));
    }

    void drawdownPercentAndTrip()
    {
        RunRiskState s = quietState();
        s.runProfit = -2350;
        QCOMPARE(runDrawdownPercent(s), 23.5);
        s.runProfit = 1500; // a run in profit has no drawdown
        QCOMPARE(runDrawdownPercent(s), 0.0);
        s.runProfit = -100;
        s.startingEquity = 0; // no base: no drawdown, never trips
        QCOMPARE(runDrawdownPercent(s), 0.0);
        Guardrails g = noLimits();
        g.drawdownCapPercent = 0.5;
        QVERIFY(!checkDrawdown(g, s));

        s = quietState();
        s.runProfit = -1250.4; // 12.504 %
        g.drawdownCapPercent = 12.5;
        std::optional<GuardrailDenial> trip = checkDrawdown(g, s);
        QVERIFY(trip);
        QCOMPARE(trip->rule, QStringLiteral("DRAWDOWN_CAP"));
        QCOMPARE(trip->reason, QStringLiteral("Drawdown 12.5% exceeds cap 12.5%"));
        s.runProfit = -1249.9; // 12.499 %: below the cap although it prints as 12.5
        QVERIFY(!checkDrawdown(g, s));
        s.runProfit = std::nan(""); // unknown P/L trips
        QVERIFY(checkDrawdown(g, s));
        // The drawdown is the run's from its starting equity: the account's equity does not enter.
        s = quietState();
        s.equity = 1000;
        s.runProfit = -100;
        g.drawdownCapPercent = 20;
        QVERIFY(!checkDrawdown(g, s));
    }

    void forexMargin()
    {
        // 0.1 lot of EURUSD at 1.10 with leverage 1:100: 0.1 × 100000 × 1.10 / 100 = 110.
        QCOMPARE(forexMarginRequired(0.1, 100000, 1.10, 100), 110.0);
        QCOMPARE(forexMarginRequired(2.0, 100000, 1.25, 500), 500.0);
        QCOMPARE(forexMarginRequired(1.0, 100000, 1.10, 0), 0.0);
        QCOMPARE(forexMarginRequired(1.0, 100000, 1.10, -30), 0.0);
    }
};

QTEST_APPLESS_MAIN(TestGuardrails)
#include "tst_guardrails.moc"
