// Backtest throughput and memory on the real EURUSD M1 2024 year.
//
//   build/bench/bench_backtest [--data FILE] [--symbol EURUSD] [--runs N] [--strategy NAME]
//
// Prints: load time and bars/s (gzip CSV -> bars, parsed, no cache), backtest bars/s for ema_crossover and
// box_breakout (median of N warm in-process runs, strategy construction included, bars already in memory), and peak
// RSS. These are engine-only figures: for a like-for-like comparison with a peer tool measured from its own process
// start (backtrader: 14.7 s for the same EURUSD year, parse included) use bench_cli, which times the whole
// botdesk-cli process.

#include "barloader.h"
#include "backtestengine.h"
#include "logging.h"
#include "strategyregistry.h"
#include "symbolspec.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QStringList>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace bd;

namespace {


double peakRssMiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is KiB on Linux
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

QString argValue(const QStringList &args, const QString &name, const QString &fallback)
{
    const qsizetype i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.at(i + 1) : fallback;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    logging::setLevel("warn");
    const QStringList args = app.arguments();
    const QString data = argValue(args, "--data", QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz"));
    const QString symbolName = argValue(args, "--symbol", "EURUSD");
    const int runs = std::max(1, argValue(args, "--runs", "9").toInt());
    const QString only = argValue(args, "--strategy", QString());  // empty: every built-in strategy

    auto catalog = SymbolCatalog::builtin();
    if (!catalog) {
        std::fprintf(stderr, "%s\n", qPrintable(catalog.error().message));
        return 1;
    }
    const SymbolSpec *symbol = catalog->find(symbolName);
    if (!symbol) {
        std::fprintf(stderr, "unknown symbol %s\n", qPrintable(symbolName));
        return 1;
    }

    const double rssStart = peakRssMiB();
    std::vector<double> loadSeconds;
    Bars bars;
    for (int i = 0; i < std::min(runs, 5); ++i) {
        QElapsedTimer t;
        t.start();
        auto loaded = loadBars(data);
        loadSeconds.push_back(double(t.nsecsElapsed()) / 1e9);
        if (!loaded) {
            std::fprintf(stderr, "%s\n", qPrintable(loaded.error().message));
            return 1;
        }
        bars = std::move(loaded).value();
    }
    const double rssAfterLoad = peakRssMiB();
    const double load = median(loadSeconds);
    std::printf("data: %s\n", qPrintable(data));
    std::printf("load: %zu bars, median %.1f ms of %zu runs = %.2f M bars/s\n", bars.size(), load * 1e3,
                loadSeconds.size(), double(bars.size()) / load / 1e6);

    for (const StrategyInfo &info : builtinStrategies()) {
        if (!only.isEmpty() && info.name != only)
            continue;
        std::vector<double> seconds;
        int trades = 0;
        for (int i = 0; i < runs; ++i) {
            QElapsedTimer t;
            t.start();
            auto strategy = createStrategy(info.name, {});
            auto result = runBacktest(bars, *symbol, **strategy, BacktestConfig{});
            seconds.push_back(double(t.nsecsElapsed()) / 1e9);
            if (!result) {
                std::fprintf(stderr, "%s\n", qPrintable(result.error().message));
                return 1;
            }
            trades = result->stats.totalTrades;
        }
        const double s = median(seconds);
        const double barsPerSecond = double(bars.size()) / s;
        std::printf("backtest %-14s %d trades, median %.2f ms of %d warm runs = %.1f M bars/s (engine only)\n",
                    qPrintable(info.name), trades, s * 1e3, runs, barsPerSecond / 1e6);
    }
    std::printf("memory: peak RSS %.1f MiB (%.1f at start, %.1f after loading; bars take %.1f MiB, sizeof(Bar) = %zu)\n",
                peakRssMiB(), rssStart, rssAfterLoad, double(bars.size() * sizeof(Bar)) / 1048576.0, sizeof(Bar));
    return 0;
}
