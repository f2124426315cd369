// Built-in strategies: their decisions on hand-made bars, and parameter validation.

#include "backtestengine.h"
#include "barloader.h"
#include "codehash.h"
#include "strategyparams.h"
#include "strategyregistry.h"

#include <QtTest>

using namespace bd;

namespace {

SymbolSpec symbol()
{
    SymbolSpec s;
    s.name = "TEST";
    s.currencyProfit = "USD";
    return s;
}

Bar flat(double price)
{
    return Bar{0, price, price, price, price, 0, -1};
}

Bar bar(double o, double h, double l, double c)
{
    return Bar{0, o, h, l, c, 0, -1};
}

// Feeds bars one by one and returns the actions of the last one.
struct Driver {
    explicit Driver(std::unique_ptr<Strategy> s) : strategy(std::move(s)) {}
    std::unique_ptr<Strategy> strategy;
    SymbolSpec spec = symbol();
    std::vector<Position> positions;
    qint64 index = 0;

    std::vector<Action> feed(const Bar &b)
    {
        std::vector<Action> actions;
        StrategyContext ctx{spec, 10000.0, 10000.0, std::span<const Position>(positions), index++, 10};
        strategy->onBar(b, ctx, actions);
        return actions;
    }
};

std::unique_ptr<Strategy> make(const QString &name, const QJsonObject &params)
{
    auto s = createStrategy(name, params);
    if (!s)
        qFatal("%s", qPrintable(s.error().message));
    return std::move(s).value();
}

// The strategy on the bundled catalogue's EURUSD over one of ../shared/data/repro (see its README.md).
BacktestResult runRepro(const QString &file, const QJsonObject &params)
{
    auto bars = loadBars(QStringLiteral(BOTDESK_SHARED_DATA_DIR "/repro/") + file);
    if (!bars)
        qFatal("%s", qPrintable(bars.error().message));
    auto catalog = SymbolCatalog::builtin();
    if (!catalog)
        qFatal("%s", qPrintable(catalog.error().message));
    auto strategy = make("ema_crossover", params);
    auto result = runBacktest(*bars, *catalog->find("EURUSD"), *strategy, BacktestConfig{});
    if (!result)
        qFatal("%s", qPrintable(result.error().message));
    return std::move(result).value();
}

// Index of the first bar on which the strategy answers with an action, -1 when it never does.
qint64 firstActionIndex(Strategy &strategy, const std::vector<Bar> &bars)
{
    const SymbolSpec spec = symbol();
    for (size_t i = 0; i < bars.size(); ++i) {
        std::vector<Action> actions;
        StrategyContext ctx{spec, 10000.0, 10000.0, {}, qint64(i), 10};
        strategy.onBar(bars[i], ctx, actions);
        if (!actions.empty())
            return qint64(i);
    }
    return -1;
}

} // namespace

class TestStrategies : public QObject {
    Q_OBJECT
private slots:
    void emaCrossoverOpensOnCrossWithAtrStop()
    {
        // fast EMA(2), slow EMA(3), ATR(2), SL 2 ATR, rr 3, risk 0.5 %.
        Driver d{make("ema_crossover", {{"fast", 2}, {"slow", 3}, {"atr_period", 2}, {"sl_atr_mult", 2.0},
                                        {"rr", 3.0}, {"risk_percent", 0.5}})};
        // Flat at 1.0: both EMAs equal 1.0, no cross, no action.
        for (int i = 0; i < 5; ++i)
            QVERIFY(d.feed(flat(1.0)).empty());
        // Close jumps to 1.1: EMA(2) = 1.0 + (1.1 − 1.0)·2/3 = 1.0667 > EMA(3) = 1.05 -> cross up.
        // ATR(2): TR = max(1.1 − 1.0, |1.1 − 1.0|, |1.0 − 1.0|) = 0.1; ATR = (0·1 + 0.1)/2 = 0.05.
        // SL = 1.1 − 2·0.05 = 1.0.
        const auto up = d.feed(bar(1.0, 1.1, 1.0, 1.1));
        QCOMPARE(up.size(), size_t(1));
        QCOMPARE(up[0].type, ActionType::OpenTrade);
        QCOMPARE(up[0].side, Side::Buy);
        QVERIFY(qAbs(up[0].sl - 1.0) < 1e-12);
        QCOMPARE(up[0].tp, 0.0);
        QCOMPARE(up[0].rr, 3.0);
        QCOMPARE(up[0].riskPercent, 0.5);

        // The engine filled it: the strategy now holds a long (ticket 7). Still above: no new action.
        Position p;
        p.ticket = 7;
        p.side = Side::Buy;
        d.positions.push_back(p);
        QVERIFY(d.feed(flat(1.1)).empty());

        // Close collapses to 0.9: cross down -> close the long, open a short with SL above.
        const auto down = d.feed(bar(1.1, 1.1, 0.9, 0.9));
        QCOMPARE(down.size(), size_t(2));
        QCOMPARE(down[0].type, ActionType::ClosePosition);
        QCOMPARE(down[0].ticket, quint64(7));
        QCOMPARE(down[1].type, ActionType::OpenTrade);
        QCOMPARE(down[1].side, Side::Sell);
        QVERIFY(down[1].sl > 0.9);
    }

    void emaCrossoverDoesNotPyramid()
    {
        Driver d{make("ema_crossover", {{"fast", 2}, {"slow", 3}, {"atr_period", 1}})};
        for (int i = 0; i < 4; ++i)
            d.feed(flat(1.0));
        Position p;
        p.ticket = 1;
        p.side = Side::Buy;
        d.positions.push_back(p);  // already long when the cross up comes
        QVERIFY(d.feed(bar(1.0, 1.1, 1.0, 1.1)).empty());
    }

    void boxBreakoutBuysAboveTheBoxWithStopAtTheBottom()
    {
        Driver d{make("box_breakout", {{"box_bars", 3}, {"atr_period", 1}, {"max_box_atr", 0.0}, {"rr", 2.0}})};
        QVERIFY(d.feed(bar(1.10, 1.20, 1.00, 1.10)).empty());
        QVERIFY(d.feed(bar(1.10, 1.15, 1.05, 1.12)).empty());
        QVERIFY(d.feed(bar(1.12, 1.18, 1.02, 1.08)).empty());
        // Bar 4 closes at 1.19, inside the box of bars 1-3 (top 1.20, bottom 1.00): nothing ...
        QVERIFY(d.feed(bar(1.08, 1.19, 1.07, 1.19)).empty());
        // ... bar 5 closes at 1.24, above the box of bars 2-4 (top 1.19, bottom 1.02): breakout.
        const auto a = d.feed(bar(1.19, 1.25, 1.18, 1.24));
        QCOMPARE(a.size(), size_t(1));
        QCOMPARE(a[0].side, Side::Buy);
        QVERIFY(qAbs(a[0].sl - 1.02) < 1e-12);  // lowest low of bars 2..4
        QCOMPARE(a[0].rr, 2.0);
    }

    void boxBreakoutSellsBelowAndRespectsFilterAndOpenPositions()
    {
        Driver d{make("box_breakout", {{"box_bars", 2}, {"atr_period", 1}, {"max_box_atr", 0.0}})};
        d.feed(bar(1.1, 1.2, 1.0, 1.1));
        d.feed(bar(1.1, 1.2, 1.0, 1.1));
        const auto a = d.feed(bar(1.1, 1.1, 0.9, 0.95));
        QCOMPARE(a.size(), size_t(1));
        QCOMPARE(a[0].side, Side::Sell);
        QVERIFY(qAbs(a[0].sl - 1.2) < 1e-12);

        // Same breakout, but a position is open: no new trade.
        Driver busy{make("box_breakout", {{"box_bars", 2}, {"atr_period", 1}, {"max_box_atr", 0.0}})};
        busy.positions.push_back(Position{});
        busy.feed(bar(1.1, 1.2, 1.0, 1.1));
        busy.feed(bar(1.1, 1.2, 1.0, 1.1));
        QVERIFY(busy.feed(bar(1.1, 1.1, 0.9, 0.95)).empty());

        // Box 0.2 tall but ATR(1) of the previous bar is 0.2 and max_box_atr 0.5 allows only 0.1.
        Driver tall{make("box_breakout", {{"box_bars", 2}, {"atr_period", 1}, {"max_box_atr", 0.5}})};
        tall.feed(bar(1.1, 1.2, 1.0, 1.1));
        tall.feed(bar(1.1, 1.2, 1.0, 1.1));
        QVERIFY(tall.feed(bar(1.1, 1.1, 0.9, 0.95)).empty());
    }

    // ---- exact ties on the price grid: the repro files of ../shared/data/repro (issue 5 §1) ----

    void reproShortStoppedWhenTheAskHighEqualsTheStop()
    {
        // The short sold at 1.13012 has SL 1.13027; the fill bar's bid high 1.13017 + 10 points = 1.13027 = SL.
        const BacktestResult r = runRepro("short_sl_equals_ask_high.csv", {{"sl_atr_mult", 3}});
        QCOMPARE(r.trades.size(), size_t(1));
        const Trade &t = r.trades[0];
        QCOMPARE(t.side, Side::Sell);
        QCOMPARE(t.openPrice, 1.13012);
        QCOMPARE(t.sl, 1.13027);
        QCOMPARE(t.closeReason, CloseReason::SlHit);
        QCOMPARE(t.closePrice, 1.13027);
        QCOMPARE(t.closeTimeMs, t.openTimeMs);  // on the fill bar
        QCOMPARE(t.profit, -99.90);
        QCOMPARE(r.rejectedOrders, 0);
    }

    void reproSellWithStopAtTheAskIsRejected()
    {
        // SELL at bid 1.13122 with SL 1.13132 = the ask at the fill: MT5 retcode 10016, no trade.
        const BacktestResult r = runRepro("short_sl_equals_ask_at_fill.csv", {{"sl_atr_mult", 2}});
        QCOMPARE(r.trades.size(), size_t(0));
        QCOMPARE(r.rejectedOrders, 1);
        QCOMPARE(r.journal.size(), qsizetype(1));
        QVERIFY2(r.journal[0].contains("SELL at 1.13122") && r.journal[0].contains("10016") &&
                     r.journal[0].contains("SL 1.13132 is not above the ask 1.13132"),
                 qPrintable(r.journal[0]));
    }

    // ---- declared warm-up ----

    void warmupIsTheFirstBarThatCanSignal_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QJsonObject>("params");
        QTest::addColumn<qint64>("warmup");
        QTest::newRow("ema slow longest") << "ema_crossover" << QJsonObject{{"fast", 2}, {"slow", 3}, {"atr_period", 2}} << qint64(3);
        QTest::newRow("ema atr longest") << "ema_crossover" << QJsonObject{{"fast", 2}, {"slow", 3}, {"atr_period", 6}} << qint64(6);
        QTest::newRow("box longest") << "box_breakout" << QJsonObject{{"box_bars", 4}, {"atr_period", 2}, {"max_box_atr", 0.0}} << qint64(4);
        QTest::newRow("box atr longest") << "box_breakout" << QJsonObject{{"box_bars", 2}, {"atr_period", 5}, {"max_box_atr", 0.0}} << qint64(5);
    }

    void warmupIsTheFirstBarThatCanSignal()
    {
        // Quiet bars (range 0.002 around 1.0), then a jump to 1.1 at bar index `at`: both strategies signal on
        // the jump bar as soon as their indicators allow. The earliest signal is exactly warmupBars().
        QFETCH(QString, name);
        QFETCH(QJsonObject, params);
        QFETCH(qint64, warmup);
        QCOMPARE(make(name, params)->warmupBars(), warmup);
        for (qint64 at = 1; at <= warmup + 3; ++at) {
            std::vector<Bar> bars(size_t(at), bar(1.0, 1.001, 0.999, 1.0));
            bars.push_back(bar(1.0, 1.1, 1.0, 1.1));
            auto strategy = make(name, params);
            const qint64 first = firstActionIndex(*strategy, bars);
            QCOMPARE(first, at >= warmup ? at : qint64(-1));
        }
    }

    void defaultWarmups()
    {
        QCOMPARE(make("ema_crossover", {})->warmupBars(), qint64(26));
        QCOMPARE(make("box_breakout", {})->warmupBars(), qint64(60));
    }

    void registryListsDefaults()
    {
        const auto all = builtinStrategies();
        QCOMPARE(all.size(), size_t(2));
        QCOMPARE(all[0].name, QString("ema_crossover"));
        for (const char *key : {"fast", "slow", "atr_period", "sl_atr_mult", "rr", "risk_percent"})
            QVERIFY2(all[0].defaultParams.contains(key), key);
        QCOMPARE(all[1].name, QString("box_breakout"));
        for (const StrategyInfo &info : all)
            QVERIFY(createStrategy(info.name, info.defaultParams).ok());
    }

    void parsesParameterText()
    {
        QVERIFY(parseStrategyParams("  \n", "p")->isEmpty());  // blank: every default
        QCOMPARE(parseStrategyParams(R"({"fast": 5})", "p")->value("fast").toInt(), 5);
        auto broken = parseStrategyParams("{\n  \"fast\": 5,\n  \"slow\" 9\n}", "params.json");
        QVERIFY(!broken.ok());
        QVERIFY2(broken.error().message.startsWith("params.json is not valid JSON"), qPrintable(broken.error().message));
        QVERIFY2(broken.error().message.contains("line 3, column"), qPrintable(broken.error().message));
        auto array = parseStrategyParams("[1, 2]", "p");
        QVERIFY(!array.ok());
        QVERIFY(array.error().message.contains("must be a JSON object"));
    }

    void invalidParameters_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QJsonObject>("params");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown") << "ema_crossover" << QJsonObject{{"speed", 1}} << "'speed' is not a parameter";
        QTest::newRow("fast>=slow") << "ema_crossover" << QJsonObject{{"fast", 26}, {"slow", 26}} << "must be below 'slow'";
        QTest::newRow("fraction") << "ema_crossover" << QJsonObject{{"fast", 2.5}} << "'fast' is 2.5; it must be a whole number";
        QTest::newRow("string") << "ema_crossover" << QJsonObject{{"rr", "2"}} << "'rr' is \"2\"";
        QTest::newRow("risk 0") << "ema_crossover" << QJsonObject{{"risk_percent", 0}} << "'risk_percent' is 0";
        QTest::newRow("risk > 100") << "box_breakout" << QJsonObject{{"risk_percent", 150}} << "from 0.01 to 100";
        QTest::newRow("box 1") << "box_breakout" << QJsonObject{{"box_bars", 1}} << "'box_bars' is 1";
        QTest::newRow("negative filter") << "box_breakout" << QJsonObject{{"max_box_atr", -1}} << "'max_box_atr' is -1";
        QTest::newRow("unknown strategy") << "martingale" << QJsonObject{} << "unknown strategy 'martingale'";
    }

    void invalidParameters()
    {
        QFETCH(QString, name);
        QFETCH(QJsonObject, params);
        QFETCH(QString, message);
        auto s = createStrategy(name, params);
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.contains(message), qPrintable(s.error().message));
        // Resolving the same parameters fails the same way.
        auto resolved = resolveStrategyParams(name, params);
        QVERIFY(!resolved.ok());
        QCOMPARE(resolved.error().message, s.error().message);
    }

    // ---- declared parameters ----

    void declaredParametersAreConsistent()
    {
        for (const StrategyInfo &info : builtinStrategies()) {
            QVERIFY(!info.parameters.empty());
            QStringList keys;
            for (const ParameterSpec &p : info.parameters) {
                const QString where = info.name + "." + p.key;
                QVERIFY2(!keys.contains(p.key), qPrintable(where));
                keys << p.key;
                QVERIFY2(!p.description.isEmpty(), qPrintable(where));
                QVERIFY2(p.min <= p.defaultValue && p.defaultValue <= p.max, qPrintable(where));
                QVERIFY2(p.step > 0 && p.step <= p.max - p.min, qPrintable(where));
                if (p.type == ParameterSpec::Type::Integer) {
                    QVERIFY2(p.min == std::floor(p.min) && p.max == std::floor(p.max) && p.step == 1, qPrintable(where));
                    QVERIFY2(p.defaultValue == std::floor(p.defaultValue), qPrintable(where));
                }
                // defaultParams is derived from the specs, type included.
                QCOMPARE(info.defaultParams.value(p.key), p.defaultJson());
            }
            QCOMPARE(info.defaultParams.size(), qsizetype(info.parameters.size()));
        }
    }

    void validationReadsTheDeclaredRanges()
    {
        // Just outside each declared range is refused with that range in the message; a fraction for an integer too.
        for (const StrategyInfo &info : builtinStrategies()) {
            for (const ParameterSpec &p : info.parameters) {
                const bool integer = p.type == ParameterSpec::Type::Integer;
                const QString range = integer ? QStringLiteral("from %1 to %2").arg(qint64(p.min)).arg(qint64(p.max))
                                              : QStringLiteral("from %1 to %2").arg(p.min).arg(p.max);
                QList<double> bad{p.max + (integer ? 1 : p.max * 1e-9 + 1e-9), p.min - (integer ? 1 : 1e-6)};
                if (integer)
                    bad << p.defaultValue + 0.5;
                for (double v : bad) {
                    auto s = createStrategy(info.name, {{p.key, v}});
                    QVERIFY2(!s.ok(), qPrintable(QStringLiteral("%1.%2 = %3 accepted").arg(info.name, p.key).arg(v)));
                    QVERIFY2(s.error().message.contains(QStringLiteral("'%1' is ").arg(p.key)) && s.error().message.contains(range),
                             qPrintable(s.error().message));
                }
            }
        }
    }

    void resolveFillsEveryDefault()
    {
        auto r = resolveStrategyParams("ema_crossover", {{"fast", 5.0}, {"rr", 3}});
        QVERIFY(r.ok());
        const QJsonObject expected{{"fast", 5}, {"slow", 26}, {"atr_period", 14}, {"sl_atr_mult", 2.0}, {"rr", 3.0},
                                   {"risk_percent", 1.0}};
        QCOMPARE(*r, expected);
        QCOMPARE(r->value("fast").toVariant().typeId(), QMetaType::LongLong);  // 5.0 given, an integer parameter
        QCOMPARE(canonicalJson(*r), QByteArray(R"({"atr_period":14,"fast":5,"risk_percent":1,"rr":3,"sl_atr_mult":2,"slow":26})"));
        for (const StrategyInfo &info : builtinStrategies()) {
            auto all = resolveStrategyParams(info.name, {});
            QVERIFY(all.ok());
            QCOMPARE(*all, info.defaultParams);
            auto again = resolveStrategyParams(info.name, *all);  // resolving is idempotent
            QVERIFY(again.ok());
            QCOMPARE(*again, *all);
            QVERIFY(createStrategy(info.name, *all).ok());
        }
        // The resolved parameters drive the strategy exactly as the given ones: same warm-up.
        QCOMPARE(make("box_breakout", *resolveStrategyParams("box_breakout", {{"box_bars", 7}}))->warmupBars(), qint64(14));
    }

    // ---- the built-ins' source text: the code of their bot versions ----

    void sourceResourceEqualsTheFilesOnDisk()
    {
        // Every built-in's files, header first (builtinStrategySource's documented order).
        const QMap<QString, QString> files{{"ema_crossover", "emacrossover"}, {"box_breakout", "boxbreakout"}};
        for (const StrategyInfo &info : builtinStrategies()) {
            QVERIFY2(files.contains(info.name), qPrintable("add " + info.name + "'s source files to this test"));
            QByteArray disk;
            for (const char *suffix : {".h", ".cpp"}) {
                QFile f(QStringLiteral(BOTDESK_STRATEGIES_DIR "/") + files[info.name] + suffix);
                QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
                disk += f.readAll();
            }
            auto source = builtinStrategySource(info.name);
            QVERIFY(source.ok());
            QCOMPARE(source->toUtf8(), disk.replace("\r\n", "\n"));
            // The declared parameters are part of that text (a changed default or range changes the hash).
            for (const ParameterSpec &p : info.parameters)
                QVERIFY2(source->contains("QStringLiteral(\"" + p.key + "\")"), qPrintable(p.key));
        }
        auto unknown = builtinStrategySource("martingale");
        QVERIFY(!unknown.ok());
        QVERIFY(unknown.error().message.contains("unknown strategy 'martingale'"));
    }

    void defaultVersionIsTheSourceWithEveryDefault()
    {
        QStringList hashes;
        for (const StrategyInfo &info : builtinStrategies()) {
            auto v = defaultVersionOf(info.name);
            QVERIFY(v.ok());
            QCOMPARE(v->code, *builtinStrategySource(info.name));
            QVERIFY(v->params.isEmpty());
            QCOMPARE(v->codeHash, computeCodeHash(v->code, {}));
            QCOMPARE(v->codeHash.size(), qsizetype(64));
            QVERIFY(v->id.isNull() && v->botId.isNull() && v->parentId.isNull());
            hashes << v->codeHash;
            // The same parameters spelled out are other content: another hash (the params are hashed as given).
            QVERIFY(computeCodeHash(v->code, info.defaultParams) != v->codeHash);
        }
        QCOMPARE(hashes.size(), 2);
        QVERIFY(hashes[0] != hashes[1]);
        auto unknown = defaultVersionOf("martingale");
        QVERIFY(!unknown.ok());
        QVERIFY(unknown.error().message.contains("unknown strategy 'martingale'; built-in strategies are: ema_crossover, box_breakout"));
    }
};

QTEST_GUILESS_MAIN(TestStrategies)
#include "tst_strategies.moc"
