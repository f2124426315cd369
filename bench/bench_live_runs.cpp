// 100 concurrent live runs in one process (issue 9 §8): one LiveRunHost (its small pool of live threads) hosting
// `--runs` runs of stored ema_crossover versions (varied fast/slow EMAs: 2..6 / 5..16 bars, × `--ema-scale`; AUTO,
// BAR decisions, up to 2 open each; tests/livefleet.h) against botdesk-mt5sim replaying EURUSD M1 2024 at `--speed`, on BotDesk's own local PostgreSQL
// cluster code in a throwaway BOTDESK_HOME (its production settings: fsync on).
//
//   build/bench/bench_live_runs [--runs 100] [--seconds 60] [--speed 600] [--accounts 1] [--threads 2] [--ema-scale 1] [--no-fsync]
//
// 1. The simulator starts paused. The process's RSS and thread count are read with the host started and no run
//    (before), then with every run RUNNING, warmed up from history and idle (no live bar yet): memory per idle run =
//    (idle − before) / runs. Target ≤ 2 MiB. Thread count: 100 runs must not need 100 threads.
// 2. sim.control play; the runs trade for `--seconds`; sim.control pause. Then, from every run (LiveRunHost::visitRuns):
//    bar close → decision = from the connector's receive stamp of each live closed bar (RateBar::receivedNs) to the
//    run's runner returning (LiveRunExecutor's bar-to-decision samples, its last 1000 bars), pooled over all runs:
//    p50/p95/p99/max. Target p99 < 50 ms. Every run of a desk decides on a bar before any of them acts
//    (AccountDesk), so the figure is the strategies' own; bar close → acted (the bar's events, intents committed and
//    orders queued, the other runs' included) is printed beside it. Runs RUNNING, bars handled, decisions (bars with
//    actions), orders sent.
// Times on the monotonic clock (std::chrono::steady_clock); RSS and threads from /proc/self/status (Linux).

#include "accounttoken.h"
#include "brokermetatypes.h"
#include "database.h"
#include "latencyring.h"
#include "livefleet.h"
#include "liverunexecutor.h"
#include "liverunhost.h"
#include "localcluster.h"
#include "logging.h"
#include "pgbotstore.h"
#include "pgharness.h"
#include "simprocess.h"
#include "botstrategy.h"
#include "symbolspec.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHostInfo>
#include <QStringList>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace bd;

namespace {

QString argValue(const QStringList &args, const char *name, const QString &fallback)
{
    const int i = int(args.indexOf(QLatin1String(name)));
    return i >= 0 && i + 1 < args.size() ? args.at(i + 1) : fallback;
}

int fail(const QString &message)
{
    std::fprintf(stderr, "bench_live_runs: %s\n", qPrintable(message));
    return 1;
}

// VmRSS (KiB) and Threads of this process from /proc/self/status; -1 when unreadable.
struct ProcessFigures {
    qint64 rssKiB = -1;
    int threads = -1;
};

ProcessFigures processFigures()
{
    ProcessFigures f;
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return f;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            f.rssKiB = line.mid(6).trimmed().split(' ').value(0).toLongLong();
        else if (line.startsWith("Threads:"))
            f.threads = line.mid(8).trimmed().toInt();
    }
    return f;
}

// Runs the event loop for `ms`.
void spin(qint64 ms)
{
    QEventLoop loop;
    QTimer::singleShot(int(ms), &loop, &QEventLoop::quit);
    loop.exec();
}

// Runs the event loop until `done` or `timeoutMs`; whether `done` held.
template <typename F>
bool spinUntil(F done, qint64 timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        spin(100);
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    logging::setLevel("warn");
    mt5::registerBrokerMetaTypes();
    const QStringList args = app.arguments();
    const int runCount = std::clamp(argValue(args, "--runs", QStringLiteral("100")).toInt(), 1, 1000);
    const int seconds = std::clamp(argValue(args, "--seconds", QStringLiteral("60")).toInt(), 1, 3600);
    const double speed = std::clamp(argValue(args, "--speed", QStringLiteral("600")).toDouble(), 1.0, 100000.0);
    const int accounts = std::clamp(argValue(args, "--accounts", QStringLiteral("1")).toInt(), 1, runCount);
    const int threads = std::clamp(argValue(args, "--threads", QStringLiteral("2")).toInt(), 1, 64);
    const int emaScale = std::clamp(argValue(args, "--ema-scale", QStringLiteral("1")).toInt(), 1, 50);
    const QString data = QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz");

    // --no-fsync: the test harness's cluster (fsync and synchronous_commit off) instead of BotDesk's local cluster
    // code, to tell the durable commits' share of the figures from the rest.
    const bool noFsync = args.contains(QStringLiteral("--no-fsync"));
    QTemporaryDir home(QDir::tempPath() + QStringLiteral("/bdbench-XXXXXX"));
    LocalCluster cluster(LocalCluster::Options{home.path(), {}});
    PgHarness harness;
    if (noFsync) {
        if (auto started = harness.start(); !started)
            return fail(started.error().message);
    } else if (auto started = cluster.start(); !started) {
        return fail(started.error().message);
    }
    const QString token = QUuid::createUuid().toString(QUuid::Id128);
    qputenv("BOTDESK_TEST_BRIDGE_TOKEN", token.toLatin1());
    test::SimProcess sim;
    if (!sim.start(QStringLiteral(BOTDESK_MT5SIM), test::fleetSimArgs(data, speed, {"--paused"}), token))
        return fail(QStringLiteral("botdesk-mt5sim did not start: %1").arg(QString::fromUtf8(sim.stderrText)));

    int exitCode = 0;
    {
        DatabaseTarget target;
        target.origin = QStringLiteral("bench");
        Database::Options dbOptions;
        dbOptions.purpose = QStringLiteral("bench");
        dbOptions.cluster = LocalCluster::Options{home.path(), {}};
        if (noFsync) {
            Result<DatabaseUrl> url = harness.createMigratedDatabase(QStringLiteral("bench"));
            if (!url)
                return fail(url.error().message);
            target = harness.target(url.value());
        }
        Database db(target, dbOptions);
        if (auto schema = PgBotStore(db).ensureSchema(); !schema)
            return fail(schema.error().message);
        test::FleetOptions fleetOptions;
        fleetOptions.runs = runCount;
        fleetOptions.accounts = accounts;
        fleetOptions.bridgeUrl = sim.url.toString();
        fleetOptions.emaScale = emaScale;
        Result<test::Fleet> fleet = test::stageFleet(db, fleetOptions);
        if (!fleet)
            return fail(fleet.error().message);

        Result<SymbolCatalog> catalog = SymbolCatalog::builtin();
        if (!catalog)
            return fail(catalog.error().message);
        AppVersionStrategies strategies;
        LiveRunHost::Options o;
        o.target = target;
        o.dbOptions = dbOptions;
        o.hostId = QStringLiteral("bench:%1").arg(QCoreApplication::applicationPid());
        o.threads = threads;
        o.pollMs = 1000;
        o.strategies = &strategies;
        o.catalog = catalog.value();
        o.tokenFor = tokenFromEnvironment;
        LiveRunHost host(o);
        if (auto started = host.start(); !started)
            return fail(started.error().message);
        spin(1000);
        const ProcessFigures before = processFigures();

        if (auto created = test::createRuns(db, fleet.value()); !created)
            return fail(created.error().message);
        const auto countStatus = [&db](const char *status) {
            auto n = db.scalar(QStringLiteral("SELECT count(*) FROM live_runs WHERE status = ?"),
                               {QString::fromLatin1(status)});
            return n ? n->toInt() : -1;
        };
        QElapsedTimer hosting;
        hosting.start();
        if (!spinUntil([&] { return countStatus("RUNNING") == runCount; }, 120'000))
            return fail(QStringLiteral("only %1 of %2 runs RUNNING after 120 s").arg(countStatus("RUNNING")).arg(runCount));
        const qint64 hostedMs = hosting.elapsed();
        // Warm-up: each run's history subscription is answered while the simulator stays paused; a visit waits for
        // what the desks have queued so far, then the answers settle.
        host.visitRuns([](const LiveRunExecutor &) {});
        spin(3000);
        const ProcessFigures idle = processFigures();

        if (auto played = test::simControl(sim.url, token, QStringLiteral("play")); !played)
            return fail(played.error().message);
        spin(qint64(seconds) * 1000);
        if (auto paused = test::simControl(sim.url, token, QStringLiteral("pause")); !paused)
            return fail(paused.error().message);
        spin(500);
        const ProcessFigures busy = processFigures();

        std::vector<double> samples, acted;
        qint64 bars = 0, decisions = 0, orders = 0, trades = 0, running = 0;
        host.visitRuns([&](const LiveRunExecutor &run) {
            const LiveRunCounters c = run.counters();
            const std::vector<double> s = run.barToDecisionSamples();
            samples.insert(samples.end(), s.begin(), s.end());
            const std::vector<double> a = run.barToActionSamples();
            acted.insert(acted.end(), a.begin(), a.end());
            bars += c.barToDecision.count;
            decisions += c.signalsReceived;
            orders += c.intentsSent;
            trades += c.trades;
            running += run.status() == LiveRunStatus::Running;
        });
        const double p50 = LatencyRing::percentile(samples, 50), p95 = LatencyRing::percentile(samples, 95),
                     p99 = LatencyRing::percentile(samples, 99);
        const double max = samples.empty() ? 0.0 : *std::max_element(samples.begin(), samples.end());

        std::printf("%d runs (%d stored versions of ema_crossover, EMAs x%d, AUTO, BAR, EURUSD M1) on %d account(s), %d "
                    "live thread(s); botdesk-mt5sim at %.0fx; PostgreSQL %s; %d s of replay\n",
                    runCount, fleet.value().versions, emaScale, accounts, threads, speed,
                    noFsync ? "test harness cluster (fsync off)" : "local cluster (fsync on)", seconds);
        std::printf("hosted: all %d RUNNING %.1f s after they were created\n", runCount, double(hostedMs) / 1000.0);
        std::printf("after %d s: %lld runs RUNNING, %lld bars handled (%.0f per run), %lld decisions, %lld orders sent, "
                    "%lld positions opened\n",
                    seconds, running, bars, double(bars) / runCount, decisions, orders, trades);
        std::printf("bar close -> decision (all runs, %zu samples): p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms "
                    "(target p99 < 50 ms)\n",
                    samples.size(), p50, p95, p99, max);
        std::printf("bar close -> acted (events, intents committed, orders queued to the broker; all runs, %zu samples): "
                    "p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                    acted.size(), LatencyRing::percentile(acted, 50), LatencyRing::percentile(acted, 95),
                    LatencyRing::percentile(acted, 99),
                    acted.empty() ? 0.0 : *std::max_element(acted.begin(), acted.end()));
        std::printf("RSS: %.1f MiB before the runs, %.1f MiB with %d runs hosted and idle, %.1f MiB after trading; "
                    "per idle run %.3f MiB (target <= 2 MiB)\n",
                    before.rssKiB / 1024.0, idle.rssKiB / 1024.0, runCount, busy.rssKiB / 1024.0,
                    double(idle.rssKiB - before.rssKiB) / 1024.0 / runCount);
        std::printf("threads in the process: %d before the runs, %d with %d runs hosted, %d after trading\n",
                    before.threads, idle.threads, runCount, busy.threads);
        if (running != runCount)
            exitCode = fail(QStringLiteral("%1 of %2 runs are not RUNNING").arg(runCount - running).arg(runCount));
        host.stop();
    }
    sim.stop();
    if (!noFsync)
        (void)cluster.stop();
    return exitCode;
}
