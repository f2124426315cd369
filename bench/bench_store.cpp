// Saving and listing stored backtest runs in PostgreSQL (issue 6 §5), against BotDesk's own local cluster code in a
// throwaway BOTDESK_HOME (a temporary folder; the server is stopped and the folder removed at the end).
//
//   build/bench/bench_store [--data FILE] [--runs N] [--stored N]
//
// Prints, as medians of N:
//  * save: PgBotStore::saveBacktestRun of a one-year EURUSD M1 ema_crossover run (default parameters: ≈1,700 trades
//    and its equity curve decimated to ≤ 4,000 points), each save a new run id, one transaction;
//  * list: PgBotStore::listBacktestRuns of all stored runs (10,000 by default: the runs saved above plus copies
//    inserted in bulk with new ids), summary columns only.
// Aim: ≤ 100 ms each on the 2-core dev machine.

#include "backtestengine.h"
#include "barloader.h"
#include "database.h"
#include "engineversion.h"
#include "localcluster.h"
#include "logging.h"
#include "pgbotstore.h"
#include "runrecordjson.h"
#include "strategyregistry.h"
#include "symbolspec.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QStringList>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace bd;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : (v[v.size() / 2] + v[(v.size() - 1) / 2]) / 2.0;
}

int fail(const QString &message)
{
    std::fprintf(stderr, "bench_store: %s\n", qUtf8Printable(message));
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    logging::setLevel("warn");
    QString dataPath = QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz");
    int runs = 15;
    int stored = 10000;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--data"))
            dataPath = args[i + 1];
        else if (args[i] == QLatin1String("--runs"))
            runs = std::max(1, args[i + 1].toInt());
        else if (args[i] == QLatin1String("--stored"))
            stored = std::max(1, args[i + 1].toInt());
        else
            return fail(QStringLiteral("unknown option %1; options: --data FILE --runs N --stored N").arg(args[i]));
    }

    // The run to save: a real one-year backtest.
    auto loaded = loadBars(dataPath);
    if (!loaded)
        return fail(loaded.error().message);
    auto catalog = SymbolCatalog::builtin();
    if (!catalog)
        return fail(catalog.error().message);
    const SymbolSpec spec = *catalog->find(QStringLiteral("EURUSD"));
    auto defaultVersion = defaultVersionOf(QStringLiteral("ema_crossover"));
    if (!defaultVersion)
        return fail(defaultVersion.error().message);
    const BotVersion version = *defaultVersion;
    auto strategy = createStrategy(QStringLiteral("ema_crossover"), {});
    if (!strategy)
        return fail(strategy.error().message);
    auto result = runBacktest(*loaded, spec, **strategy, BacktestConfig{});
    if (!result)
        return fail(result.error().message);

    QTemporaryDir home(QDir::tempPath() + QStringLiteral("/bdbench-XXXXXX"));
    home.setAutoRemove(true);
    LocalCluster cluster(LocalCluster::Options{home.path(), {}});
    QElapsedTimer clock;
    clock.start();
    auto started = cluster.start();
    if (!started)
        return fail(started.error().message);
    const double startMs = double(clock.nsecsElapsed()) / 1e6;

    int exitCode = 0;
    {
        DatabaseTarget target;  // the local cluster of the temporary home
        target.origin = QStringLiteral("bench");
        Database::Options options;
        options.purpose = QStringLiteral("bench");
        options.cluster = LocalCluster::Options{home.path(), {}};
        Database db(target, options);
        PgBotStore store(db);
        auto schema = store.ensureSchema();
        auto bot = schema ? store.createBot(QStringLiteral("bench"), QStringLiteral("ema_crossover"), version)
                          : Result<Bot>(schema.error());
        auto v = bot ? store.findVersion(QStringLiteral("bench"), {}) : Result<BotVersion>(bot.error());
        if (!v) {
            exitCode = fail(v.error().message);
        } else {
            BacktestRunRecord run;
            run.versionId = v->id;
            run.config = result->config;
            run.params = *resolveStrategyParams(QStringLiteral("ema_crossover"), {});
            run.symbol = spec.name;
            run.symbolSpec = spec;
            run.dataPath = dataPath;
            run.dataSha256 = QString(64, QLatin1Char('0'));
            run.engineVersion = engineVersion();
            recordOutcome(run, std::move(*result));

            std::vector<double> saveMs;
            for (int k = 0; k < runs && exitCode == 0; ++k) {
                run.id = QUuid::createUuid();
                clock.restart();
                if (auto saved = store.saveBacktestRun(run); !saved)
                    exitCode = fail(saved.error().message);
                saveMs.push_back(double(clock.nsecsElapsed()) / 1e6);
            }
            // Fill up to `stored` runs with copies of the saved rows (new ids), in one statement.
            const int missing = stored - runs;
            if (exitCode == 0 && missing > 0) {
                auto copied = db.exec(QStringLiteral(
                    "INSERT INTO backtest_runs (id, bot_version_id, status, label, config, params, symbol, symbol_spec,"
                    " data_path, data_sha256, window_from_ms, window_to_ms, timeframe, bars, engine_version,"
                    " duration_ms, total_trades, net_profit, profit_factor, max_drawdown_percent, sharpe_ratio, stats,"
                    " warnings, rejected_orders, equity)"
                    " SELECT gen_random_uuid(), bot_version_id, status, label, config, params, symbol, symbol_spec,"
                    " data_path, data_sha256, window_from_ms, window_to_ms, timeframe, bars, engine_version,"
                    " duration_ms, total_trades, net_profit + g, profit_factor, max_drawdown_percent, sharpe_ratio,"
                    " stats, warnings, rejected_orders, equity"
                    " FROM backtest_runs, generate_series(1, ?) AS g WHERE id = ?"),
                    {missing, run.id.toString(QUuid::WithoutBraces)});
                if (!copied)
                    exitCode = fail(copied.error().message);
            }
            std::vector<double> listMs;
            size_t listed = 0;
            for (int k = 0; k < runs && exitCode == 0; ++k) {
                clock.restart();
                auto list = store.listBacktestRuns({}, stored);
                listMs.push_back(double(clock.nsecsElapsed()) / 1e6);
                if (!list)
                    exitCode = fail(list.error().message);
                else
                    listed = list->size();
            }
            if (exitCode == 0) {
                std::printf("local cluster in a temporary BOTDESK_HOME: first start (initdb + start) %.0f ms\n", startMs);
                std::printf("save a one-year EURUSD ema_crossover run (%zu trades, %zu equity points): median %.1f ms "
                            "(%d saves; target <= 100 ms)\n",
                            run.trades.size(), run.equity.size(), median(saveMs), runs);
                std::printf("list %zu stored runs (summary columns): median %.1f ms (%d listings; target <= 100 ms)\n",
                            listed, median(listMs), runs);
            }
        }
    }
    auto stopped = cluster.stop();
    if (!stopped)
        return fail(stopped.error().message);
    if (stopped->layout.relocated)  // as root, the cluster lived outside the temporary home
        QDir(stopped->layout.clusterDir).removeRecursively();
    return exitCode;
}
