// A Python strategy against the native built-in of the same rules, in one run (issue 7 §4):
//
//   build/bench/bench_python_strategy [--data FILE] [--symbol EURUSD] [--runs 9]
//
// On the bars of --data (default the bundled EURUSD M1 2024 year, loaded once), each line is the median of --runs
// warm backtests (strategy created inside the timed part, as a run does; the interpreter is started before):
//   * native ema_crossover and box_breakout (strategies/), engine included;
//   * ema_crossover_v1.py and box_breakout_v1.py (the templates), engine included, and their trades compared with
//     the native ones (a bench of a strategy that trades differently would be meaningless);
//   * an empty on_bar (`pass`): the host's own floor per bar (the Python call and the refilled objects);
//   * two ema_crossover_v1.py runs one after the other and on two threads (what the one GIL allows).
// Target (issue 7): ema_crossover_v1.py >= 1,000,000 bars/s on one core (backtrader: 24,000 bars/s, same job).

#include "backtestengine.h"
#include "barloader.h"
#include "logging.h"
#include "pythonstrategy.h"
#include "strategyregistry.h"
#include "symbolspec.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <thread>
#include <vector>

using namespace bd;

namespace {

QString argValue(const QStringList &args, const QString &name, const QString &fallback)
{
    const qsizetype i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.at(i + 1) : fallback;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct Measured {
    double seconds = 0.0;  // median
    std::vector<Trade> trades;
};

// Median of `runs` backtests of the strategy `make` builds; nothing on failure (the error printed).
std::optional<Measured> measure(const Bars &bars, const SymbolSpec &symbol, int runs,
                                const std::function<Result<std::unique_ptr<Strategy>>()> &make)
{
    std::vector<double> seconds;
    Measured out;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        auto strategy = make();
        if (!strategy) {
            std::fprintf(stderr, "%s\n", qPrintable(strategy.error().message));
            return std::nullopt;
        }
        BacktestControl control;
        control.keepEquityCurve = false;
        control.keepJournal = false;
        auto result = runBacktest(bars, symbol, **strategy, BacktestConfig{}, control);
        seconds.push_back(double(t.nsecsElapsed()) / 1e9);
        if (!result) {
            std::fprintf(stderr, "%s\n", qPrintable(result.error().message));
            return std::nullopt;
        }
        out.trades = std::move(result->trades);
    }
    out.seconds = median(seconds);
    return out;
}

bool sameTrades(const std::vector<Trade> &a, const std::vector<Trade> &b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].openTimeMs != b[i].openTimeMs || a[i].closeTimeMs != b[i].closeTimeMs || a[i].volume != b[i].volume
            || a[i].openPrice != b[i].openPrice || a[i].closePrice != b[i].closePrice || a[i].profit != b[i].profit)
            return false;
    }
    return true;
}

Result<std::unique_ptr<Strategy>> python(const PythonSource &source)
{
    auto loaded = loadPythonStrategy(source, {});
    if (!loaded)
        return loaded.error();
    return std::unique_ptr<Strategy>(std::move(loaded).value());
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    logging::setLevel("warn");
    const QStringList args = app.arguments();
    const QString data = argValue(args, "--data", QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz"));
    const QString symbolName = argValue(args, "--symbol", "EURUSD");
    const int runs = std::max(1, argValue(args, "--runs", "9").toInt());

    auto catalog = SymbolCatalog::builtin();
    const SymbolSpec *symbol = catalog ? catalog->find(symbolName) : nullptr;
    if (!symbol) {
        std::fprintf(stderr, "unknown symbol %s\n", qPrintable(symbolName));
        return 1;
    }
    auto loaded = loadBars(data);
    if (!loaded) {
        std::fprintf(stderr, "%s\n", qPrintable(loaded.error().message));
        return 1;
    }
    const Bars bars = std::move(loaded).value();
    const PythonSource empty{QStringLiteral("empty.py"),
                             QStringLiteral("import botdesk as bd\n\nclass Empty(bd.Strategy):\n"
                                            "    def on_bar(self, bar, ctx):\n        pass\n")};
    // Starts the interpreter outside the timed runs (a process does it once).
    if (auto started = inspectPythonStrategy(empty); !started) {
        std::fprintf(stderr, "%s\n", qPrintable(started.error().message));
        return 1;
    }
    std::printf("data: %s (%zu bars), %s, median of %d warm runs each, engine included\n", qPrintable(data),
                bars.size(), qPrintable(symbolName), runs);

    auto line = [&](const char *label, const Measured &m, const Measured *native) {
        const double barsPerSecond = double(bars.size()) / m.seconds;
        std::printf("%-28s %8.1f ms  %6.2f M bars/s  %5zu trades", label, m.seconds * 1e3, barsPerSecond / 1e6,
                    m.trades.size());
        if (native)
            std::printf("  %5.1fx the native time, trades %s", m.seconds / native->seconds,
                        sameTrades(m.trades, native->trades) ? "identical" : "DIFFER");
        std::printf("\n");
    };

    int status = 0;
    for (const auto &[builtin, templateFile] : {std::pair{"ema_crossover", "ema_crossover_v1.py"},
                                                std::pair{"box_breakout", "box_breakout_v1.py"}}) {
        auto source = pythonTemplate(QString::fromLatin1(templateFile));
        if (!source) {
            std::fprintf(stderr, "%s\n", qPrintable(source.error().message));
            return 1;
        }
        auto native = measure(bars, *symbol, runs, [&] { return createStrategy(QString::fromLatin1(builtin), {}); });
        auto py = measure(bars, *symbol, runs, [&] { return python(*source); });
        if (!native || !py)
            return 1;
        line(builtin, *native, nullptr);
        line(templateFile, *py, &*native);
        if (!sameTrades(py->trades, native->trades))
            status = 1;
    }
    auto floor = measure(bars, *symbol, runs, [&] { return python(empty); });
    if (!floor)
        return 1;
    line("empty on_bar (host floor)", *floor, nullptr);
    std::printf("per bar: host floor %.0f ns (call + refilled Bar/Context + engine)\n",
                floor->seconds / double(bars.size()) * 1e9);

    // The GIL: two Python runs on two threads against the same two one after the other (medians).
    auto emaSource = pythonTemplate(QStringLiteral("ema_crossover_v1.py"));
    std::vector<double> sequential, threaded;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        measure(bars, *symbol, 1, [&] { return python(*emaSource); });
        measure(bars, *symbol, 1, [&] { return python(*emaSource); });
        sequential.push_back(double(t.nsecsElapsed()) / 1e9);
        t.restart();
        std::thread a([&] { measure(bars, *symbol, 1, [&] { return python(*emaSource); }); });
        std::thread b([&] { measure(bars, *symbol, 1, [&] { return python(*emaSource); }); });
        a.join();
        b.join();
        threaded.push_back(double(t.nsecsElapsed()) / 1e9);
    }
    std::printf("two ema_crossover_v1.py runs: one after the other %.1f ms, on two threads %.1f ms (one GIL)\n",
                median(sequential) * 1e3, median(threaded) * 1e3);
    std::printf("target: ema_crossover_v1.py >= 1.00 M bars/s (40x backtrader's 24,000 bars/s)\n");
    return status;
}
