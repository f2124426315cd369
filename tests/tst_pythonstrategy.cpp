// The embedded Python strategy host (issue 7): the templates trade exactly as the native built-ins of the same
// rules on the bundled real data; parameters come from the declarations and are validated like the built-ins';
// every error class ends the run with the file, line, bar time and traceback; Cancel interrupts an endless loop;
// strategies run on two threads at once.

#include "backtestengine.h"
#include "barloader.h"
#include "boxbreakout.h"
#include "emacrossover.h"
#include "logging.h"
#include "pythonstrategy.h"
#include "resultcheck.h"
#include "strategyregistry.h"
#include "symbolspec.h"

#include <QElapsedTimer>
#include <QtTest>

#include <atomic>
#include <thread>

using namespace bd;

namespace {

// A strategy that runs `body` (indented for on_bar) on every bar; `self.n` counts bars.
PythonSource strategyWithBody(const char *fileName, const QByteArray &body)
{
    QByteArray code = "import botdesk as bd\n"
                      "\n"
                      "class Probe(bd.Strategy):\n"
                      "    def on_start(self, ctx):\n"
                      "        self.n = 0\n"
                      "\n"
                      "    def on_bar(self, bar, ctx):\n"
                      "        self.n += 1\n";
    code += body;
    return PythonSource{QString::fromUtf8(fileName), QString::fromUtf8(code)};
}

void compareTrades(const std::vector<Trade> &python, const std::vector<Trade> &native)
{
    QCOMPARE(python.size(), native.size());
    for (size_t i = 0; i < native.size(); ++i) {
        const Trade &p = python[i];
        const Trade &n = native[i];
        const QByteArray at = "trade " + QByteArray::number(qulonglong(i));
        QVERIFY2(p.ticket == n.ticket && p.side == n.side && p.volume == n.volume && p.openTimeMs == n.openTimeMs
                     && p.openPrice == n.openPrice && p.closeTimeMs == n.closeTimeMs && p.closePrice == n.closePrice
                     && p.sl == n.sl && p.tp == n.tp && p.commission == n.commission && p.profit == n.profit
                     && p.closeReason == n.closeReason && p.comment == n.comment,
                 at.constData());
    }
}

// Native twin of kExitsPy: the same opens, closes by side and ticket, partial closes, reductions and refusals at the
// same bars, through core's Action factories.
class NativeExits final : public Strategy {
public:
    QString name() const override { return QStringLiteral("native_exits"); }
    void onBar(const Bar &, const StrategyContext &ctx, std::vector<Action> &actions) override
    {
        const auto volume = [](Side side, double lots) {
            Action a = Action::openTrade(side, 0.0, 0.0, 0.0, 0.0);
            a.volume = lots;
            return a;
        };
        switch (ctx.barIndex) {
        case 100: actions = {volume(Side::Buy, 0.5), volume(Side::Sell, 0.3), volume(Side::Buy, 0.2)}; break;
        case 110: actions = {Action::closePart(0.1)}; break;
        case 120: actions = {Action::closeSide(Side::Sell)}; break;
        case 130: actions = {Action::reducePosition(0.35, Side::Buy)}; break;
        case 140: actions = {volume(Side::Sell, 0.4), volume(Side::Sell, 0.1)}; break;
        case 150: actions = {Action::closePart(0.05, 0, Side::Sell)}; break;
        case 160: actions = {Action::closePart(0.1, 4)}; break;
        case 170: actions = {Action::reducePosition(5.0), Action::reducePosition(0.001), Action::closePart(0.1, 999)}; break;
        case 180: actions = {Action::reducePosition(0.4)}; break;
        case 190: actions = {Action::closePosition()}; break;
        default: break;
        }
    }
};

constexpr const char *kExitsPy = R"PY(import botdesk as bd


class Exits(bd.Strategy):
    def on_bar(self, bar, ctx):
        i = ctx.bar_index
        volumes = [round(p.volume, 2) for p in ctx.positions]
        if i == 100:
            ctx.buy(volume=0.5)
            ctx.sell(volume=0.3)
            ctx.buy(volume=0.2)
        elif i == 110:
            assert volumes == [0.5, 0.3, 0.2], volumes
            ctx.close_position(volume=0.1)
        elif i == 120:
            assert volumes == [0.5, 0.3, 0.1], volumes
            ctx.close_position(side=bd.SELL)
        elif i == 130:
            assert volumes == [0.5, 0.1], volumes
            ctx.reduce_position(0.35, bd.BUY)
        elif i == 140:
            assert volumes == [0.25], volumes
            ctx.sell(volume=0.4)
            ctx.sell(volume=0.1)
        elif i == 150:
            ctx.close_position(side="SELL", volume=0.05)
        elif i == 160:
            assert [p.ticket for p in ctx.positions] == [1, 4, 5], ctx.positions
            ctx.close_position(4, volume=0.1)
        elif i == 170:
            assert volumes == [0.25, 0.3, 0.05], volumes
            ctx.reduce_position(5.0)
            ctx.reduce_position(0.001)
            ctx.close_position(999, volume=0.1)
        elif i == 180:
            ctx.reduce_position(volume=0.4)
        elif i == 190:
            assert volumes == [0.2], volumes
            ctx.close_position()
)PY";

} // namespace

class TestPythonStrategy : public QObject {
    Q_OBJECT

private:
    Bars m_eurusd;
    Bars m_xauusd;
    SymbolSpec m_eurusdSpec;
    SymbolSpec m_xauusdSpec;

    // Runs `src` with `params` on the first `count` EURUSD bars; the run's Result.
    Result<BacktestResult> run(const PythonSource &src, int count = 2000, const QJsonObject &params = {})
    {
        auto strategy = loadPythonStrategy(src, params);
        if (!strategy)
            return strategy.error();
        return runBacktest(std::span<const Bar>(m_eurusd).first(size_t(count)), m_eurusdSpec, **strategy,
                           BacktestConfig{});
    }

private slots:
    void initTestCase()
    {
        logging::setLevel("warn");
        auto catalog = SymbolCatalog::builtin();
        QVERIFY_OK(catalog);
        m_eurusdSpec = *catalog->find(QStringLiteral("EURUSD"));
        m_xauusdSpec = *catalog->find(QStringLiteral("XAUUSD"));
        auto eurusd = loadBars(QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz"));
        QVERIFY_OK(eurusd);
        m_eurusd = std::move(eurusd).value();
        auto xauusd = loadBars(QStringLiteral(BOTDESK_SHARED_DATA_DIR "/XAUUSD_M1_2023.csv.gz"));
        QVERIFY_OK(xauusd);
        m_xauusd = std::move(xauusd).value();
    }

    // Each template on a full year of real bars gives the native built-in's trade list, trade for trade.
    void templateParity_data()
    {
        QTest::addColumn<QString>("templateFile");
        QTest::addColumn<QString>("builtin");
        QTest::addColumn<QString>("symbol");
        QTest::addColumn<QByteArray>("params");
        QTest::newRow("ema_crossover EURUSD 2024") << "ema_crossover_v1.py" << "ema_crossover" << "EURUSD" << QByteArray();
        QTest::newRow("ema_crossover EURUSD 2024, 8/21 no TP")
            << "ema_crossover_v1.py" << "ema_crossover" << "EURUSD" << QByteArray(R"({"fast": 8, "slow": 21, "rr": 0})");
        QTest::newRow("box_breakout XAUUSD 2023") << "box_breakout_v1.py" << "box_breakout" << "XAUUSD" << QByteArray();
        QTest::newRow("box_breakout XAUUSD 2023, 30 bars any height")
            << "box_breakout_v1.py" << "box_breakout" << "XAUUSD" << QByteArray(R"({"box_bars": 30, "max_box_atr": 0})");
    }
    void templateParity()
    {
        QFETCH(QString, templateFile);
        QFETCH(QString, builtin);
        QFETCH(QString, symbol);
        QFETCH(QByteArray, params);
        auto given = parseStrategyParams(params, QStringLiteral("params"));
        QVERIFY_OK(given);
        const Bars &bars = symbol == QLatin1String("EURUSD") ? m_eurusd : m_xauusd;
        const SymbolSpec &spec = symbol == QLatin1String("EURUSD") ? m_eurusdSpec : m_xauusdSpec;

        auto native = createStrategy(builtin, *given);
        QVERIFY_OK(native);
        auto nativeRun = runBacktest(bars, spec, **native, BacktestConfig{});
        QVERIFY_OK(nativeRun);

        auto templ = pythonTemplate(templateFile);
        QVERIFY_OK(templ);
        auto python = loadPythonStrategy(*templ, *given);
        QVERIFY_OK(python);
        QCOMPARE((*python)->warmupBars(), (*native)->warmupBars());
        QElapsedTimer timer;
        timer.start();
        auto pythonRun = runBacktest(bars, spec, **python, BacktestConfig{});
        QVERIFY_OK(pythonRun);
        qInfo("%s: %zu bars, %zu trades; Python run %.0f ms", qPrintable(templateFile), bars.size(),
              pythonRun->trades.size(), double(timer.nsecsElapsed()) / 1e6);
        QVERIFY2(nativeRun->trades.size() > 20, "the native run should trade on a year of real data");
        compareTrades(pythonRun->trades, nativeRun->trades);
        QCOMPARE(pythonRun->stats.totalNetProfit, nativeRun->stats.totalNetProfit);
        QCOMPARE(pythonRun->rejectedOrders, nativeRun->rejectedOrders);
        QCOMPARE(pythonRun->warnings, nativeRun->warnings);
    }

    // The declared parameters are the native built-in's ParameterSpecs, and they are checked with the same rules.
    void parametersFromDeclarations()
    {
        auto templ = pythonTemplate(QStringLiteral("ema_crossover_v1.py"));
        QVERIFY_OK(templ);
        auto info = inspectPythonStrategy(*templ);
        QVERIFY_OK(info);
        QCOMPARE(info->name, QStringLiteral("ema_crossover_v1"));
        QCOMPARE(info->className, QStringLiteral("EmaCrossover"));
        const std::vector<ParameterSpec> &native = EmaCrossover::parameters();
        QCOMPARE(info->parameters.size(), native.size());
        for (size_t i = 0; i < native.size(); ++i) {
            const ParameterSpec &p = info->parameters[i];
            const ParameterSpec &n = native[i];
            QCOMPARE(p.key, n.key);
            QVERIFY(p.type == n.type);
            QCOMPARE(p.defaultValue, n.defaultValue);
            QCOMPARE(p.min, n.min);
            QCOMPARE(p.max, n.max);
            QCOMPARE(p.step, n.step);
            QCOMPARE(p.description, n.description);
        }
        QCOMPARE(info->defaultParams, builtinStrategies().front().defaultParams);

        auto loaded = loadPythonStrategy(*templ, QJsonObject{{"fast", 8}});
        QVERIFY_OK(loaded);
        QCOMPARE((*loaded)->resolvedParams().value("fast"), QJsonValue(8));
        QCOMPARE((*loaded)->resolvedParams().value("slow"), QJsonValue(26));
        QCOMPARE((*loaded)->warmupBars(), 26);
    }

    void badParameters_data()
    {
        QTest::addColumn<QByteArray>("params");
        QTest::addColumn<QString>("expected");
        QTest::newRow("fraction for an int") << QByteArray(R"({"fast": 2.5})") << "'fast' is 2.5; it must be a whole number from 1 to 10000";
        QTest::newRow("out of range") << QByteArray(R"({"risk_percent": 150})") << "'risk_percent' is 150; it must be a number from 0.01 to 100";
        QTest::newRow("text") << QByteArray(R"({"rr": "2"})") << "'rr' is \"2\"";
        QTest::newRow("unknown") << QByteArray(R"({"fastt": 5})") << "'fastt' is not a parameter of ema_crossover_v1";
        QTest::newRow("validate_params") << QByteArray(R"({"fast": 30})")
                                         << "parameters refused by validate_params(): 'fast' (30) must be below 'slow' (26)";
    }
    void badParameters()
    {
        QFETCH(QByteArray, params);
        QFETCH(QString, expected);
        auto given = parseStrategyParams(params, QStringLiteral("params"));
        QVERIFY_OK(given);
        auto templ = pythonTemplate(QStringLiteral("ema_crossover_v1.py"));
        QVERIFY_OK(templ);
        auto loaded = loadPythonStrategy(*templ, *given);
        QVERIFY(!loaded);
        QVERIFY2(loaded.error().message.startsWith(QLatin1String("ema_crossover_v1.py: ")), qPrintable(loaded.error().message));
        QVERIFY2(loaded.error().message.contains(expected), qPrintable(loaded.error().message));
    }

    // Malformed files and declarations fail at load with the file, the line and what to write instead.
    void loadErrors_data()
    {
        QTest::addColumn<QByteArray>("code");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("syntax error") << QByteArray("import botdesk as bd\n\nclass S(bd.Strategy):\n    def on_bar(self, bar, ctx)\n        pass\n")
                                      << QStringList{"bad.py:4: SyntaxError: expected ':' (while compiling)", "File \"bad.py\", line 4", "def on_bar(self, bar, ctx)"};
        QTest::newRow("exception at import") << QByteArray("import botdesk as bd\nimport no_such_module_xyz\n")
                                             << QStringList{"bad.py:2: ModuleNotFoundError", "no_such_module_xyz", "(while the module ran)"};
        QTest::newRow("no strategy") << QByteArray("import botdesk as bd\nx = 1\n") << QStringList{"bad.py defines no strategy"};
        QTest::newRow("two strategies") << QByteArray("import botdesk as bd\nclass A(bd.Strategy): pass\nclass B(bd.Strategy): pass\n")
                                        << QStringList{"defines 2 strategies (A, B)"};
        QTest::newRow("default out of range") << QByteArray("import botdesk as bd\nclass S(bd.Strategy):\n    n = bd.Int(50, min=1, max=10)\n")
                                              << QStringList{"parameter 'n'", "the default must lie within min..max"};
        QTest::newRow("float for an Int") << QByteArray("import botdesk as bd\nclass S(bd.Strategy):\n    n = bd.Int(2.5, min=1, max=10)\n")
                                          << QStringList{"parameter 'n'", "its default is 2.5 (float); give a whole number"};
        QTest::newRow("warm-up not an int") << QByteArray("import botdesk as bd\nclass S(bd.Strategy):\n    def get_min_bars_needed(self):\n        return '10'\n")
                                            << QStringList{"get_min_bars_needed() returned '10' (str)"};
        QTest::newRow("exception in __init__") << QByteArray("import botdesk as bd\nclass S(bd.Strategy):\n    def __init__(self):\n        raise RuntimeError('no')\n")
                                               << QStringList{"bad.py:4: RuntimeError: no (while creating S())", "Traceback"};
    }
    void loadErrors()
    {
        QFETCH(QByteArray, code);
        QFETCH(QStringList, expected);
        auto loaded = loadPythonStrategy(PythonSource{QStringLiteral("bad.py"), QString::fromUtf8(code)}, {});
        QVERIFY(!loaded);
        for (const QString &part : expected)
            QVERIFY2(loaded.error().message.contains(part), qPrintable(loaded.error().message));
    }

    // Errors while running end the run (a Result error, never a crash) with the file, line, bar time and traceback.
    void runErrors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QStringList>("expected");
        // Bar index 1234 of EURUSD 2024 opens at 2024-01-02 18:39 UTC (checked below against the data).
        QTest::newRow("exception in on_bar")
            << QByteArray("        if ctx.bar_index == 1234:\n            return 1 / 0\n")
            << QStringList{"run.py:10: ZeroDivisionError: division by zero (in on_bar at bar %1 (index 1234))", "Traceback (most recent call last)", "return 1 / 0"};
        QTest::newRow("wrong return type") << QByteArray("        if ctx.bar_index == 1234:\n            return []\n")
                                           << QStringList{"run.py: on_bar returned a list at bar %1 (index 1234); it must return None"};
        QTest::newRow("wrong argument type")
            << QByteArray("        if ctx.bar_index == 1234:\n            ctx.open_trade(bd.BUY, sl='low')\n")
            << QStringList{"run.py:10: TypeError", "must be real number, not str", "at bar %1 (index 1234)"};
        QTest::newRow("wrong side") << QByteArray("        if ctx.bar_index == 1234:\n            ctx.open_trade('LONG', sl=1.0)\n")
                                    << QStringList{"run.py:10: ValueError: side must be botdesk.BUY or botdesk.SELL, not 'LONG'"};
        QTest::newRow("close side") << QByteArray("        if ctx.bar_index == 1234:\n            ctx.close_position(side='LONG')\n")
                                    << QStringList{"run.py:10: ValueError: close_position(side='LONG'): side must be botdesk.BUY, botdesk.SELL or None (both sides)"};
        QTest::newRow("close volume negative")
            << QByteArray("        if ctx.bar_index == 1234:\n            ctx.close_position(volume=-0.1)\n")
            << QStringList{"run.py:10: ValueError: close_position(volume=-0.1): volume must be 0 (close whole positions) or a positive number of lots"};
        QTest::newRow("close volume text")
            << QByteArray("        if ctx.bar_index == 1234:\n            ctx.close_position(volume='half')\n")
            << QStringList{"run.py:10: TypeError: close_position(volume='half'): volume must be a number of lots (e.g. 0.1), not str"};
        QTest::newRow("close side positional")
            << QByteArray("        if ctx.bar_index == 1234:\n            ctx.close_position(0, '', bd.BUY)\n")
            << QStringList{"run.py:10: TypeError: close_position() takes at most 2 positional arguments (3 given)"};
        QTest::newRow("reduce without volume") << QByteArray("        if ctx.bar_index == 1234:\n            ctx.reduce_position()\n")
                                               << QStringList{"run.py:10: TypeError: reduce_position() missing required argument 'volume' (pos 1)"};
        QTest::newRow("reduce zero") << QByteArray("        if ctx.bar_index == 1234:\n            ctx.reduce_position(0)\n")
                                     << QStringList{"run.py:10: ValueError: reduce_position(volume=0): volume must be a positive number of lots"};
        QTest::newRow("reduce nan") << QByteArray("        if ctx.bar_index == 1234:\n            ctx.reduce_position(float('nan'), bd.SELL)\n")
                                    << QStringList{"run.py:10: ValueError: reduce_position(volume=nan): volume must be a positive number of lots"};
        QTest::newRow("reduce side") << QByteArray("        if ctx.bar_index == 1234:\n            ctx.reduce_position(0.1, side=1)\n")
                                     << QStringList{"run.py:10: ValueError: reduce_position(side=1): side must be botdesk.BUY, botdesk.SELL or None"};
        QTest::newRow("indicator outside on_start") << QByteArray("        if ctx.bar_index == 1234:\n            bd.EMA(5)\n")
                                                    << QStringList{"run.py:10: RuntimeError: botdesk.EMA(...) must be created in on_start"};
        QTest::newRow("bad indicator period in on_start")
            << QByteArray("\n    def on_start(self, ctx):\n        self.e = bd.EMA(0)\n")
            << QStringList{"run.py:11: ValueError: period must be a whole number of bars from 1 to 1000000, not 0 (in on_start"};
    }
    void runErrors()
    {
        QFETCH(QByteArray, body);
        QFETCH(QStringList, expected);
        const QString barTime = QDateTime::fromMSecsSinceEpoch(m_eurusd[1234].timeMs, Qt::UTC).toString("yyyy-MM-dd hh:mm") + " UTC";
        QCOMPARE(barTime, QStringLiteral("2024-01-02 18:39 UTC"));
        auto result = run(strategyWithBody("run.py", body));
        QVERIFY(!result);
        for (const QString &part : expected) {
            const QString want = part.contains(QLatin1String("%1")) ? part.arg(barTime) : part;
            QVERIFY2(result.error().message.contains(want), qPrintable(result.error().message));
        }
        // The interpreter is still usable after an error: the next run succeeds.
        QVERIFY_OK(run(strategyWithBody("ok.py", "        pass\n"), 100));
    }

    // The context and the actions: positions appear after a fill and close_position/modify_sltp act on them.
    void contextAndActions()
    {
        const QByteArray body =
            "        assert ctx.symbol.name == 'EURUSD' and ctx.symbol.digits == 5, ctx.symbol\n"
            "        assert ctx.time == bar.time and ctx.bar_index == self.n - 1\n"
            "        assert ctx.balance > 0 and ctx.equity > 0 and ctx.spread >= 0\n"
            "        if ctx.bar_index == 100:\n"
            "            ctx.buy(sl=bar.close - 0.0050, volume=0.10, comment='probe')\n"
            "        if ctx.bar_index == 102:\n"
            "            (p,) = ctx.positions\n"
            "            assert p.side == bd.BUY and p.volume == 0.10 and p.comment == 'probe', p\n"
            "            ctx.modify_sltp(p.ticket, sl=p.open_price - 0.0040)\n"
            "        if ctx.bar_index == 104:\n"
            "            assert abs(ctx.positions[0].sl - (ctx.positions[0].open_price - 0.0040)) < 1e-9\n"
            "            ctx.close_position(0, 'done')\n"
            "        if ctx.bar_index == 106:\n"
            "            assert ctx.positions == ()\n";
        auto result = run(strategyWithBody("ctx.py", body), 200);
        QVERIFY_OK(result);
        QCOMPARE(result->trades.size(), size_t(1));
        const Trade &t = result->trades.front();
        QCOMPARE(t.volume, 0.10);
        QCOMPARE(t.closeReason, CloseReason::StrategyExit);
        QCOMPARE(t.openTimeMs, m_eurusd[101].timeMs);
        QCOMPARE(t.closeTimeMs, m_eurusd[105].timeMs);
        QCOMPARE(t.comment, QStringLiteral("probe"));
    }

    // Closes by side and ticket, partial closes and reductions from Python build the same core actions as a native
    // strategy's: the same trades (volumes, prices, commissions, MAE/MFE), refusals and journal.
    void exitActionsMatchNative()
    {
        const auto bars = std::span<const Bar>(m_eurusd).first(300);
        BacktestConfig config;
        config.commissionPerLot = 3.5;
        NativeExits native;
        auto nativeRun = runBacktest(bars, m_eurusdSpec, native, config);
        QVERIFY_OK(nativeRun);
        auto python = loadPythonStrategy(PythonSource{QStringLiteral("exits.py"), QString::fromUtf8(kExitsPy)}, {});
        QVERIFY_OK(python);
        auto pythonRun = runBacktest(bars, m_eurusdSpec, **python, config);
        QVERIFY_OK(pythonRun);
        // 0.1 of ticket 3, ticket 2, ticket 3's 0.1 and 0.25 of ticket 1, 0.05 of ticket 5, 0.1 of ticket 4, then
        // 5's 0.05, 4's 0.3 and 0.05 of 1, then 1's 0.2.
        const std::vector<std::pair<quint64, double>> want{{3, 0.1}, {2, 0.3}, {3, 0.1}, {1, 0.25}, {5, 0.05},
                                                           {4, 0.1}, {5, 0.05}, {4, 0.3}, {1, 0.05}, {1, 0.2}};
        QCOMPARE(nativeRun->trades.size(), want.size());
        for (size_t i = 0; i < want.size(); ++i) {
            QCOMPARE(nativeRun->trades[i].ticket, want[i].first);
            QCOMPARE(nativeRun->trades[i].volume, want[i].second);
            QCOMPARE(nativeRun->trades[i].closeReason, CloseReason::StrategyExit);
        }
        compareTrades(pythonRun->trades, nativeRun->trades);
        for (size_t i = 0; i < want.size(); ++i) {
            QCOMPARE(pythonRun->trades[i].mae, nativeRun->trades[i].mae);
            QCOMPARE(pythonRun->trades[i].mfe, nativeRun->trades[i].mfe);
        }
        QCOMPARE(nativeRun->rejectedOrders, 3);
        QCOMPARE(pythonRun->rejectedOrders, nativeRun->rejectedOrders);
        QCOMPARE(pythonRun->journal, nativeRun->journal);
        QCOMPARE(pythonRun->stats.totalTrades, 10);
        QCOMPARE(pythonRun->stats.finalBalance, nativeRun->stats.finalBalance);
    }

    // on_tick through the adapter, called directly (the live tick mode is a later issue; the backtest engine runs on
    // bars only): one refilled botdesk.Tick, ctx from the given context, actions as core Actions, errors with file,
    // line and tick time.
    void onTickAdapter()
    {
        const char *code = R"PY(import botdesk as bd

class Ticks(bd.Strategy):
    def on_start(self, ctx):
        self.ids = set()
        self.seen = []
        self.started_at = ctx.time

    def on_bar(self, bar, ctx):
        pass

    def on_tick(self, tick, ctx):
        self.ids.add(id(tick))
        self.seen.append((tick.time, tick.bid, tick.ask, tick.last, tick.volume, tick.flags))
        assert len(self.ids) == 1, "one tick object, refilled"
        assert ctx.balance == 10000.0 and ctx.equity == 10050.0 and ctx.bar_index == 7 and ctx.spread == 12, ctx
        assert len(ctx.positions) == 1 and ctx.positions[0].volume == 0.5 and self.started_at == 1704153600000
        if tick.ask - tick.bid > 0.0002:
            ctx.close_position(side=bd.BUY, volume=0.1)
        if tick.flags & 32:
            assert self.seen[-1] == (1704153600123, 1.1, 1.1003, 1.10015, 2.5, 36), self.seen[-1]
            ctx.reduce_position(0.2, bd.SELL)
        if tick.bid < 1.0:
            raise ValueError(f"bad tick {tick.bid}")
)PY";
        auto strategy = loadPythonStrategy(PythonSource{QStringLiteral("ticks.py"), QString::fromUtf8(code)}, {});
        QVERIFY_OK(strategy);
        QVERIFY((*strategy)->wantsTicks());
        Position open;
        open.ticket = 3;
        open.volume = 0.5;
        const std::vector<Position> positions{open};
        const StrategyContext context{m_eurusdSpec, 10000.0, 10050.0, positions, 7, 12};

        std::vector<Action> actions;
        (*strategy)->onTick(MarketTick{1704153600000, 1.1, 1.1001, 0.0, 0.0, 6}, context, actions);  // on_start first
        QVERIFY(actions.empty());
        (*strategy)->onTick(MarketTick{1704153600123, 1.1, 1.1003, 1.10015, 2.5, 36}, context, actions);
        QCOMPARE(actions.size(), size_t(2));
        const Action close = Action::closePart(0.1, 0, Side::Buy);
        QCOMPARE(actions[0].type, close.type);
        QCOMPARE(actions[0].volume, close.volume);
        QCOMPARE(actions[0].ticket, close.ticket);
        QVERIFY(actions[0].onlySide == close.onlySide);
        QCOMPARE(actions[1].type, ActionType::ReducePosition);
        QCOMPARE(actions[1].volume, 0.2);
        QVERIFY(actions[1].onlySide == std::optional<Side>(Side::Sell));

        actions.clear();
        try {
            (*strategy)->onTick(MarketTick{1704153660000, 0.9, 0.9001, 0.0, 0.0, 6}, context, actions);
            QFAIL("a Python exception in on_tick must end the call with an error");
        } catch (const std::runtime_error &e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains("ticks.py:24: ValueError: bad tick 0.9 (in on_tick at tick 2024-01-02 00:01 UTC "
                                      "(bid 0.9, ask 0.9001))"),
                     qPrintable(message));
            QVERIFY2(message.contains("Traceback"), qPrintable(message));
        }

        // A class without on_tick wants none, and onTick does nothing.
        auto templ = pythonTemplate(QStringLiteral("ema_crossover_v1.py"));
        QVERIFY_OK(templ);
        auto ema = loadPythonStrategy(*templ, {});
        QVERIFY_OK(ema);
        QVERIFY(!(*ema)->wantsTicks());
        (*ema)->onTick(MarketTick{1704153600000, 1.1, 1.1001, 0.0, 0.0, 6}, context, actions);
        QVERIFY(actions.empty());

        // The backtest engine runs on bars only: an on_tick that always raises does not disturb a backtest.
        auto barsOnly = run(strategyWithBody("barsonly.py", "\n    def on_tick(self, tick, ctx):\n        raise RuntimeError('called')\n"), 200);
        QVERIFY_OK(barsOnly);
        QCOMPARE(barsOnly->barsProcessed, 200);
    }

    // ctx.history(n): a read-only numpy view of the run's own bars up to this one, no copy.
    void historyView()
    {
        const QByteArray body =
            "        if ctx.bar_index == 100:\n"
            "            import numpy as np\n"
            "            h = ctx.history(5)\n"
            "            assert h.shape == (5,) and h['time'][-1] == bar.time and h['close'][-1] == bar.close, h\n"
            "            assert h['high'][0] == self.high96, (h, self.high96)\n"
            "            assert not h.flags.writeable and not h.flags.owndata\n"
            "            assert ctx.history().shape == (101,) and ctx.history(1000).shape == (101,)\n"
            "            ctx.buy(sl=float(np.min(h['low'])) - 0.0010, volume=0.01)\n"
            "        if ctx.bar_index == 96:\n"
            "            self.high96 = bar.high\n";
        auto strategy = loadPythonStrategy(strategyWithBody("history.py", body), {});
        QVERIFY_OK(strategy);
        const auto bars = std::span<const Bar>(m_eurusd).first(200);
        (*strategy)->setBars(bars);
        auto result = runBacktest(bars, m_eurusdSpec, **strategy, BacktestConfig{});
        QVERIFY_OK(result);
        QCOMPARE(result->trades.size(), size_t(1));
        double low = bars[96].low;
        for (size_t i = 96; i <= 100; ++i)
            low = std::min(low, bars[i].low);
        QCOMPARE(result->trades.front().sl, m_eurusdSpec.normalizePrice(low - 0.0010));

        // Without the run's bars it is an error, not a view of unknown memory.
        auto without = run(strategyWithBody("nobars.py", "        ctx.history(3)\n"), 10);
        QVERIFY(!without);
        QVERIFY2(without.error().message.contains("nobars.py:9: RuntimeError: ctx.history() has no bars"),
                 qPrintable(without.error().message));
    }

    // Cancel interrupts an endless loop in on_bar within 1 s; the run ends as cancelled, not as an error.
    void cancelEndlessLoop()
    {
        auto strategy = loadPythonStrategy(strategyWithBody("loop.py", "        while ctx.bar_index == 500:\n            pass\n"), {});
        QVERIFY_OK(strategy);
        std::atomic<bool> cancel{false};
        (*strategy)->setCancelFlag(&cancel);
        BacktestControl control;
        control.cancelRequested = &cancel;
        std::atomic<qint64> cancelledAtNs{0};
        QElapsedTimer clock;
        clock.start();
        std::thread canceller([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            cancelledAtNs = clock.nsecsElapsed();
            cancel = true;
        });
        auto result = runBacktest(std::span<const Bar>(m_eurusd).first(5000), m_eurusdSpec, **strategy, BacktestConfig{}, control);
        const qint64 endedAtNs = clock.nsecsElapsed();
        canceller.join();
        QVERIFY_OK(result);
        QVERIFY(result->cancelled);
        QVERIFY(result->barsProcessed < 5000);
        const double latencyMs = double(endedAtNs - cancelledAtNs) / 1e6;
        qInfo("endless loop interrupted %.1f ms after Cancel", latencyMs);
        QVERIFY2(latencyMs < 1000.0, qPrintable(QString::number(latencyMs)));
        // The interpreter still runs strategies afterwards.
        QVERIFY_OK(run(strategyWithBody("after.py", "        pass\n"), 100));
    }

    // Two strategies on two threads at once give the same trades as each alone.
    void twoThreads()
    {
        auto ema = pythonTemplate(QStringLiteral("ema_crossover_v1.py"));
        auto box = pythonTemplate(QStringLiteral("box_breakout_v1.py"));
        QVERIFY_OK(ema);
        QVERIFY_OK(box);
        const auto bars = std::span<const Bar>(m_eurusd).first(100000);
        auto alone = [&](const PythonSource &src) {
            auto s = loadPythonStrategy(src, {});
            return runBacktest(bars, m_eurusdSpec, **s, BacktestConfig{});
        };
        auto emaAlone = alone(*ema);
        auto boxAlone = alone(*box);
        QVERIFY_OK(emaAlone);
        QVERIFY_OK(boxAlone);

        std::optional<Result<BacktestResult>> emaThreaded;
        std::optional<Result<BacktestResult>> boxThreaded;
        std::thread a([&] { emaThreaded.emplace(alone(*ema)); });
        std::thread b([&] { boxThreaded.emplace(alone(*box)); });
        a.join();
        b.join();
        QVERIFY_OK(*emaThreaded);
        QVERIFY_OK(*boxThreaded);
        QVERIFY(emaAlone->trades.size() > 10 && boxAlone->trades.size() > 10);
        compareTrades((*emaThreaded)->trades, emaAlone->trades);
        compareTrades((*boxThreaded)->trades, boxAlone->trades);
    }
};

QTEST_GUILESS_MAIN(TestPythonStrategy)
#include "tst_pythonstrategy.moc"
