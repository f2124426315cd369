// End-to-end speed and memory of `botdesk-cli backtest`: process start to text report, like for like.
//
//   build/bench/bench_cli [--data FILE] [--symbol EURUSD] [--strategy ema_crossover] [--runs N]
//
// Each figure is the median of N child processes (posix_spawn + wait4: wall time from spawn to exit, and the
// child's peak RSS), stdout to /dev/null. Linux carries the spawning process's RSS high-water mark over exec,
// so this bench stays small itself (no QCoreApplication, no bars loaded here): a child's figure is never
// below the bench's own few MiB, which the plain-process baseline shows.
//   * baselines measured in the same run: a plain C++ process (bench_start_plain) and one that only constructs
//     a QCoreApplication (bench_start_qt);
//   * first import: a fresh BOTDESK_HOME per run, so the .gz is parsed and the bar cache entry written;
//   * from the cache: the same BOTDESK_HOME kept, so the entry is mapped;
//   * --no-cache: the .gz is parsed and nothing is written.
// Targets (issue 5): from the cache median <= 15 ms (>= 1000x backtrader's 14.7 s for the same EURUSD year,
// parse included, measured on this machine); first import <= 120 ms; peak RSS <= 40 bytes per bar + 30 MiB.

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QStringList>
#include <QTemporaryDir>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

extern char **environ;

namespace {

constexpr double kBacktraderSeconds = 14.7;  // backtrader, same EURUSD 2024 year, parse included (issue 5)

struct Sample {
    double ms = 0.0;
    double rssMiB = 0.0;
    int exitCode = -1;
};

double nowMs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// Runs `argv` with `home` as BOTDESK_HOME (unset when empty), stdout to `output`, stderr to /dev/null.
Sample spawn(const std::vector<std::string> &argv, const std::string &home, const char *output = "/dev/null")
{
    std::vector<std::string> envStore;
    for (char **e = environ; *e; ++e) {
        if (std::strncmp(*e, "BOTDESK_HOME=", 13) != 0)
            envStore.emplace_back(*e);
    }
    if (!home.empty())
        envStore.push_back("BOTDESK_HOME=" + home);
    std::vector<char *> env;
    for (std::string &s : envStore)
        env.push_back(s.data());
    env.push_back(nullptr);
    std::vector<char *> args;
    std::vector<std::string> argStore(argv);
    for (std::string &s : argStore)
        args.push_back(s.data());
    args.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    Sample sample;
    const double start = nowMs();
    pid_t pid = 0;
    if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data()) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return sample;
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    sample.ms = nowMs() - start;
    posix_spawn_file_actions_destroy(&actions);
    sample.rssMiB = double(usage.ru_maxrss) / 1024.0;
    sample.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return sample;
}

struct Summary {
    double ms = 0.0;
    double rssMiB = 0.0;
    bool ok = true;
};

Summary medianOf(std::vector<Sample> samples)
{
    Summary s;
    for (const Sample &x : samples)
        s.ok = s.ok && x.exitCode == 0;
    std::sort(samples.begin(), samples.end(), [](const Sample &a, const Sample &b) { return a.ms < b.ms; });
    s.ms = samples[samples.size() / 2].ms;
    std::sort(samples.begin(), samples.end(), [](const Sample &a, const Sample &b) { return a.rssMiB < b.rssMiB; });
    s.rssMiB = samples[samples.size() / 2].rssMiB;
    return s;
}

QString argValue(const QStringList &args, const QString &name, const QString &fallback)
{
    const qsizetype i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.at(i + 1) : fallback;
}

void print(const char *what, const Summary &s, int runs)
{
    std::printf("%-34s median %7.2f ms, peak RSS %6.1f MiB (%d runs)%s\n", what, s.ms, s.rssMiB, runs,
                s.ok ? "" : "  [a run FAILED: exit code != 0]");
}

} // namespace

int main(int argc, char *argv[])
{
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    const std::string data = argValue(args, "--data", QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz")).toStdString();
    const std::string symbol = argValue(args, "--symbol", "EURUSD").toStdString();
    const std::string strategy = argValue(args, "--strategy", "ema_crossover").toStdString();
    const int runs = std::max(1, argValue(args, "--runs", "15").toInt());
    const std::string binDir = BOTDESK_BENCH_DIR;

    QTemporaryDir scratch;
    const std::vector<std::string> backtest = {BOTDESK_CLI, "backtest", "--data", data, "--symbol", symbol, "--strategy", strategy};
    std::vector<std::string> noCache = backtest;
    noCache.emplace_back("--no-cache");

    std::vector<Sample> plain, qt, first, cached, uncached;
    const std::string warmHome = QDir(scratch.path()).filePath("warm").toStdString();
    // The first run writes the entry the cached runs map; its report gives the bar count.
    const QString report = QDir(scratch.path()).filePath(QStringLiteral("report.txt"));
    if (spawn(backtest, warmHome, QFile::encodeName(report).constData()).exitCode != 0) {
        std::fprintf(stderr, "botdesk-cli backtest failed; run it by hand to see why\n");
        return 1;
    }
    QFile reportFile(report);
    reportFile.open(QIODevice::ReadOnly);
    const auto loaded = QRegularExpression(QStringLiteral("(?:mapped|parsed) (\\d+) bars")).match(QString::fromUtf8(reportFile.readAll()));
    const double barCount = loaded.hasMatch() ? loaded.captured(1).toDouble() : 0.0;
    for (int i = 0; i < runs; ++i) {
        plain.push_back(spawn({binDir + "/bench_start_plain"}, {}));
        qt.push_back(spawn({binDir + "/bench_start_qt"}, {}));
        first.push_back(spawn(backtest, QDir(scratch.path()).filePath(QStringLiteral("cold%1").arg(i)).toStdString()));
        cached.push_back(spawn(backtest, warmHome));
        uncached.push_back(spawn(noCache, warmHome));
    }

    std::printf("data: %s (%.0f bars), botdesk-cli backtest --symbol %s --strategy %s\n", data.c_str(), barCount,
                symbol.c_str(), strategy.c_str());
    const Summary p = medianOf(plain), q = medianOf(qt), f = medianOf(first), c = medianOf(cached), u = medianOf(uncached);
    print("baseline: plain C++ process", p, runs);
    print("baseline: QCoreApplication only", q, runs);
    print("first import (.gz parsed, cached)", f, runs);
    print("--no-cache (.gz parsed)", u, runs);
    print("from the cache (mapped)", c, runs);
    const double rssTarget = 40.0 * barCount / 1048576.0 + 30.0;
    std::printf("from the cache: %.1fx the QCoreApplication-only process, %.0fx backtrader (%.1f s); target <= 15 ms\n",
                c.ms / q.ms, kBacktraderSeconds * 1e3 / c.ms, kBacktraderSeconds);
    std::printf("first import: %.0fx backtrader; target <= 120 ms\n", kBacktraderSeconds * 1e3 / f.ms);
    std::printf("peak RSS target 40 B/bar + 30 MiB = %.1f MiB: from the cache %.1f, first import %.1f, --no-cache %.1f\n",
                rssTarget, c.rssMiB, f.rssMiB, u.rssMiB);
    return p.ok && q.ok && f.ok && c.ok && u.ok ? 0 : 1;
}
