// The runs monitor with 100 live runs updating (issue 10 §4, §8): the longest GUI-thread stall while the Live page
// shows them. A throwaway PostgreSQL (tests/pgharness.h) holds 100 RUNNING runs; a writer thread with its own
// connection records a heartbeat for every run each second and opens or closes a trade on one run in ten; the
// LiveView (offscreen) polls through its LiveMonitor every second and applies the snapshots in batches. A 1 ms timer on
// the GUI thread measures the gaps between its ticks for `seconds` (default 20): the longest gap is the worst stall.
//
//   build/bench/bench_live_monitor [seconds]
// Prints the gaps' p50 / p99 / max, the batches applied and the rows they changed. Aim (issue 10 §8): max ≤ 50 ms.

#include "database.h"
#include "latencyring.h"
#include "liveeventlistmodel.h"
#include "livemonitor.h"
#include "liverunsmodel.h"
#include "livestorefactory.h"
#include "liveview.h"
#include "pgharness.h"
#include "pgliverunstore.h"
#include "pgtradestore.h"

#include <QApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QTimer>

#include <atomic>
#include <cstdio>
#include <thread>

using namespace bd;

namespace {

constexpr int kRuns = 100;

QUuid makeVersion(Database &db)
{
    auto bot = db.scalar(QStringLiteral("INSERT INTO bots (name, strategy_template) VALUES ('bench-monitor', "
                                        "'ema_crossover') RETURNING id"));
    auto version = db.scalar(QStringLiteral("INSERT INTO bot_versions (bot_id, code, params, code_hash) VALUES "
                                            "(?::uuid, 'ema_crossover', '{}', repeat('c', 64)) RETURNING id"),
                             {bot ? bot->toString() : QString()});
    if (!bot || !version)
        qFatal("cannot store the bench's bot version");
    return QUuid::fromString(version->toString());
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int seconds = argc > 1 ? std::max(2, QString::fromLocal8Bit(argv[1]).toInt()) : 20;

    PgHarness pg;
    if (Result<void> started = pg.start(); !started)
        qFatal("%s", qPrintable(started.error().message));
    auto url = pg.createMigratedDatabase(QStringLiteral("monitor"));
    if (!url)
        qFatal("%s", qPrintable(url.error().message));
    const DatabaseTarget target = pg.target(*url);
    std::vector<QUuid> runIds;
    {
        Database db(target);
        PgLiveRunStore runs(db);
        LiveAccount account;
        account.name = QStringLiteral("bench-acct");
        account.bridgeUrl = QStringLiteral("ws://127.0.0.1:9");
        account.tokenEnv = QStringLiteral("BOTDESK_BENCH_TOKEN");
        account.magic = 4242;
        if (!runs.addAccount(account))
            qFatal("cannot add the bench account");
        const QUuid version = makeVersion(db);
        for (int i = 0; i < kRuns; ++i) {
            LiveRunSpec s;
            s.id = QUuid::createUuid();
            s.botVersionId = version;
            s.botName = QStringLiteral("bench-%1").arg(i);
            s.codeHash = QString(64, QLatin1Char('c'));
            s.account = account.name;
            s.symbol = i % 2 ? QStringLiteral("EURUSD") : QStringLiteral("GBPUSD");
            if (!runs.createRun(s) || !runs.applyStatusEvent(s.id, LiveRunEvent::Start)
                || !runs.fixStartingEquity(s.id, 10'000.0))
                qFatal("cannot stage run %d", i);
            runIds.push_back(s.id);
        }
    }

    // The writer: a heartbeat per run per second, a trade opened or closed on a tenth of the runs.
    std::atomic<bool> stop{false};
    std::atomic<qint64> written{0};
    std::thread writer([&] {
        Database db(target);
        PgTradeStore trades(db);
        quint64 ticket = 1, deal = 1'000'000;
        std::vector<quint64> open(kRuns, 0);
        for (int tick = 0; !stop; ++tick) {
            QElapsedTimer t;
            t.start();
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            for (int i = 0; i < kRuns && !stop; ++i) {
                Heartbeat h;
                h.liveRunId = runIds[size_t(i)];
                h.atMs = now;
                h.trades = tick;
                h.loopMs = 0.5 + (i % 7) * 0.1;
                h.lastActionAtMs = now - 500;
                if (trades.recordHeartbeat(h))
                    ++written;
                if ((i + tick) % 10 != 0)
                    continue;
                if (open[size_t(i)] == 0) {
                    LiveTrade tr;
                    tr.account = QStringLiteral("bench-acct");
                    tr.positionTicket = ticket++;
                    tr.liveRunId = runIds[size_t(i)];
                    tr.symbol = QStringLiteral("EURUSD");
                    tr.volume = 0.1;
                    tr.openPrice = 1.1;
                    tr.openTimeMs = now;
                    if (trades.recordTradeOpened(tr))
                        open[size_t(i)] = tr.positionTicket;
                } else {
                    TradeClose c;
                    c.account = QStringLiteral("bench-acct");
                    c.positionTicket = open[size_t(i)];
                    c.dealTicket = deal++;
                    c.volume = 0.1;
                    c.price = 1.1;
                    c.profit = (i % 3 - 1) * 12.5;
                    c.timeMs = now;
                    c.closeReason = QStringLiteral("STRATEGY_EXIT");
                    if (trades.recordTradeClose(c))
                        open[size_t(i)] = 0;
                }
            }
            const qint64 left = 1000 - t.elapsed();
            for (qint64 waited = 0; waited < left && !stop; waited += 50)
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });

    LiveMonitor monitor(makeLiveStoreFactory(target, QStringLiteral("bench-live")));
    monitor.setPollMs(1000);
    LiveView view(&monitor);
    view.resize(1400, 900);
    view.show();
    int changedRows = 0;
    QObject::connect(monitor.model(), &LiveRunsModel::batchApplied, &view, [&](int n) {
        changedRows += n;
        if (view.selectedRun().isNull() && monitor.model()->rowCount() > 0)
            view.selectRun(runIds.front());  // the detail pane reads too
    });

    // Gaps between the ticks of a 1 ms timer on the GUI thread, after a 2 s warm-up (the first snapshot and layout).
    LatencyRing gaps(1'000'000);
    QElapsedTimer clock, last;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    QObject::connect(&ticker, &QTimer::timeout, &view, [&] {
        if (clock.elapsed() > 2000)
            gaps.add(last.nsecsElapsed() / 1e6);
        last.start();
        if (clock.elapsed() > 2000 + seconds * 1000LL)
            app.quit();
    });
    clock.start();
    last.start();
    ticker.start(1);
    app.exec();
    stop = true;
    writer.join();
    const LatencyFigures f = gaps.summary();
    std::printf("bench_live_monitor: %d runs, %d s: GUI-thread gaps between 1 ms timer ticks p50 %.2f ms, p99 %.2f ms, "
                "max %.2f ms (%lld ticks); %d batches applied, %d rows changed; %lld heartbeats written; "
                "%d events shown\n",
                kRuns, seconds, f.p50, f.p99, f.max, f.count, monitor.model()->appliedBatches(), changedRows,
                qint64(written), view.eventsModel()->rowCount());
    return 0;
}
