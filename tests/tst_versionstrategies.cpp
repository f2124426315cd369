// The app's VersionStrategyProvider (app/botstrategy.h) through the port only, as the GUI uses it: templates of both
// languages, declared parameters of built-in and Python code, errors with the code's name and line, and loading
// from several threads at once.
#include "backtestengine.h"
#include "botstrategy.h"
#include "pythonstrategyloader.h"
#include "strategyregistry.h"
#include "symbolspec.h"

#include <QtConcurrent>
#include <QtTest>

#include <atomic>
#include <thread>

using namespace bd;

class TestVersionStrategies : public QObject {
    Q_OBJECT
    AppVersionStrategies m_provider;
    const VersionStrategyProvider &provider() const { return m_provider; }

private slots:
    void initTestCase() { preferPythonHostDirectory(QStringLiteral(BOTDESK_BINARY_DIR "/app")); }

    void templatesOfBothLanguages()
    {
        auto names = provider().templateNames();
        QVERIFY2(names.ok(), names.ok() ? "" : qPrintable(names.error().message));
        QCOMPARE(names->mid(0, 2), (QStringList{"ema_crossover", "box_breakout"}));
        QVERIFY(names->contains("ema_crossover_v1.py"));
        QVERIFY(names->contains("box_breakout_v1.py"));
        QCOMPARE(provider().builtinTemplateNames(), (QStringList{"ema_crossover", "box_breakout"}));
    }

    // The Python template declares the built-in's parameters (same keys, defaults and ranges, in order).
    void pythonTemplateDeclaresTheBuiltinsParameters()
    {
        auto first = provider().firstVersionOf("ema_crossover_v1.py");
        QVERIFY(first.ok());
        auto python = provider().parameterSpecs("ema_crossover_v1.py", first->code, "alpha@000000000000.py");
        QVERIFY2(python.ok(), python.ok() ? "" : qPrintable(python.error().message));
        auto builtinFirst = provider().firstVersionOf("ema_crossover");
        QVERIFY(builtinFirst.ok());
        auto builtin = provider().parameterSpecs("ema_crossover", builtinFirst->code, "beta");
        QVERIFY(builtin.ok());
        QCOMPARE(python->size(), builtin->size());
        for (size_t i = 0; i < python->size(); ++i) {
            QCOMPARE(python->at(i).key, builtin->at(i).key);
            QCOMPARE(python->at(i).type, builtin->at(i).type);
            QCOMPARE(python->at(i).defaultValue, builtin->at(i).defaultValue);
            QCOMPARE(python->at(i).min, builtin->at(i).min);
            QCOMPARE(python->at(i).max, builtin->at(i).max);
        }
    }

    void errorsNameTheCodeAndLine()
    {
        const QString broken = QStringLiteral("import botdesk as bd\n\nclass S(bd.Strategy):\n    x = bd.Int(1, min=0, max=2\n");
        auto specs = provider().parameterSpecs("ema_crossover_v1.py", broken, "alpha@0123456789ab.py");
        QVERIFY(!specs.ok());
        QVERIFY2(specs.error().message.contains("alpha@0123456789ab.py"), qPrintable(specs.error().message));
        QVERIFY2(specs.error().message.contains("line 4") || specs.error().message.contains(":4"),
                 qPrintable(specs.error().message));

        auto notOurs = provider().parameterSpecs("ema_crossover", QStringLiteral("// edited\n"), "beta");
        QVERIFY(!notOurs.ok());
        QVERIFY2(notOurs.error().message.contains("built-in 'ema_crossover'"), qPrintable(notOurs.error().message));

        auto first = provider().firstVersionOf("ema_crossover_v1.py");
        QVERIFY(first.ok());
        auto outOfRange = provider().load("ema_crossover_v1.py", first->code, "alpha@1.py", QJsonObject{{"fast", 0}});
        QVERIFY(!outOfRange.ok());
        QVERIFY2(outOfRange.error().message.contains("fast"), qPrintable(outOfRange.error().message));

        auto unknown = provider().firstVersionOf("nope.py");
        QVERIFY(!unknown.ok());
        QVERIFY2(unknown.error().message.contains("ema_crossover_v1.py"), qPrintable(unknown.error().message));
    }

    // Cancel reaches Python code stuck in on_bar through the port's setCancelFlag: the run ends cancelled within 1 s.
    void cancelReachesAnEndlessLoop()
    {
        const QString code = QStringLiteral("import botdesk as bd\n\nclass Loop(bd.Strategy):\n"
                                            "    def on_bar(self, bar, ctx):\n"
                                            "        while ctx.bar_index == 50:\n            pass\n");
        auto loaded = provider().load("x.py", code, "loop@000000000000.py", {});
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : qPrintable(loaded.error().message));
        auto catalog = SymbolCatalog::builtin();
        QVERIFY(catalog.ok());
        const SymbolSpec *spec = catalog->find("EURUSD");
        QVERIFY(spec);
        Bars bars;
        for (int i = 0; i < 200; ++i)
            bars.push_back(Bar{1704067200000 + i * 60000LL, 1.1, 1.1002, 1.0998, 1.1001, 10, 2});
        std::atomic<bool> cancel{false};
        loaded->setBars(bars);
        loaded->setCancelFlag(&cancel);
        BacktestControl control;
        control.cancelRequested = &cancel;
        QElapsedTimer clock;
        clock.start();
        std::atomic<qint64> cancelledAtNs{0};
        std::thread canceller([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            cancelledAtNs = clock.nsecsElapsed();
            cancel = true;
        });
        auto result = runBacktest(bars, *spec, *loaded->strategy, BacktestConfig{}, control);
        const qint64 endedAtNs = clock.nsecsElapsed();
        canceller.join();
        QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().message));
        QVERIFY(result->cancelled);
        QVERIFY(result->barsProcessed < 200);
        QVERIFY2(endedAtNs - cancelledAtNs < 1000000000LL, qPrintable(QString::number(endedAtNs - cancelledAtNs)));
    }

    // The GUI loads versions on worker threads: the host is loaded once, by whichever thread comes first.
    void loadsFromSeveralThreads()
    {
        auto first = provider().firstVersionOf("box_breakout_v1.py");
        QVERIFY(first.ok());
        const QString code = first->code;
        QList<int> seeds{1, 2, 3, 4};
        const QStringList names = QtConcurrent::blockingMapped(seeds, [this, code](int i) {
            auto loaded = provider().load("box_breakout_v1.py", code, QStringLiteral("t%1.py").arg(i), {});
            return loaded.ok() && loaded->strategy && loaded->setBars ? loaded->strategy->name()
                                                                      : QStringLiteral("failed");
        });
        QCOMPARE(names, (QStringList{"t1", "t2", "t3", "t4"}));  // a Python strategy is named after its file
    }
};

QTEST_GUILESS_MAIN(TestVersionStrategies)
#include "tst_versionstrategies.moc"
