// The 100-run soak (issue 9 §7): one LiveRunHost (2 live threads) hosts 100 runs of stored ema_crossover versions
// (varied fast/slow EMAs, AUTO, BAR, tests/livefleet.h) on 2 accounts of botdesk-mt5sim, which replays EURUSD M1 2024
// at 1200x and loses the reply of some orders after executing them (drop-reply), against a throwaway PostgreSQL.
// The runs trade for ~20 s, then every run is stopped with "stop and close".
// What must hold: every run reached RUNNING and ended STOPPED; each wrote heartbeats and handled live bars; the
// simulator executed each client_req_id at most once (no duplicate order); every simulator deal of our magics is in
// the database (entries as trades with their lineage: run, bot version, source, correlation id, idempotency key;
// exits as trade closes); no position is left open at the simulator or in the database; every intent is final; and
// the process's thread count does not grow with the runs. Bounded: about 45 s wall on 2 cores.

#include "botstrategy.h"
#include "accounttoken.h"
#include "brokercheck.h"
#include "brokermetatypes.h"
#include "database.h"
#include "livefleet.h"
#include "liverunexecutor.h"
#include "liverunhost.h"
#include "logging.h"
#include "pgharness.h"
#include "pgliverunstore.h"
#include "resultcheck.h"
#include "simprocess.h"

#include <QFile>
#include <QSqlQuery>
#include <QtTest>

#include <set>

using namespace bd;
using bd::pgtest::count;
using bd::pgtest::options;

namespace {

const QString kToken = QStringLiteral("tok-livesoak-1");
constexpr int kRuns = 100;
constexpr int kAccounts = 2;

int processThreads()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("Threads:"))
            return line.mid(8).trimmed().toInt();
    }
    return -1;
}

// The 6-character tag the simulator appends to the comment of a deal made by a request ("...|k:XXXXXX", from
// sha256(client_req_id)); empty for the broker's own deals (SL, TP, stop-out).
QString requestTag(const QString &comment)
{
    const qsizetype at = comment.lastIndexOf(QLatin1String("|k:"));
    return at < 0 ? QString() : comment.mid(at + 3);
}

} // namespace

class TestLiveSoak : public QObject {
    Q_OBJECT
    PgHarness pg;

private slots:
    void initTestCase()
    {
        mt5::registerBrokerMetaTypes();
        logging::setLevel("warn");  // 100 runs' info lines (a heartbeat each every 2 s) would drown the output
        qputenv("BOTDESK_TEST_BRIDGE_TOKEN", kToken.toLatin1());
        QVERIFY_OK(pg.start());
    }

    void hundredRunsTradeAndStopCleanly()
    {
        QElapsedTimer wall;
        wall.start();
        test::SimProcess sim;
        QVERIFY(sim.start(QStringLiteral(BOTDESK_MT5SIM),
                          test::fleetSimArgs(QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz"), 1200,
                                             {"--faults", "drop-reply=0.2", "--seed", "9"}),
                          kToken));
        auto url = pg.createMigratedDatabase(QStringLiteral("soak"));
        QVERIFY_OK(url);
        const DatabaseTarget target = pg.target(*url);
        Database db(target, options("check"));
        test::FleetOptions fleetOptions;
        fleetOptions.runs = kRuns;
        fleetOptions.accounts = kAccounts;
        fleetOptions.bridgeUrl = sim.url.toString();
        Result<test::Fleet> fleet = test::stageFleet(db, fleetOptions);
        QVERIFY_OK(fleet);

        Result<SymbolCatalog> catalog = SymbolCatalog::builtin();
        QVERIFY_OK(catalog);
        AppVersionStrategies strategies;
        LiveRunHost::Options o;
        o.target = target;
        o.dbOptions = options("host");
        o.hostId = QStringLiteral("soak-host");
        o.threads = 2;
        o.leaseMs = 10'000;
        o.pollMs = 500;
        o.heartbeatMs = 2000;
        o.reconcileMs = 5000;
        o.strategies = &strategies;
        o.catalog = catalog.value();
        o.tokenFor = tokenFromEnvironment;
        auto host = std::make_unique<LiveRunHost>(o);
        QVERIFY_OK(host->start());
        const int threadsBefore = processThreads();

        QVERIFY_OK(test::createRuns(db, fleet.value()));
        const auto runsIn = [&db](const char *status) {
            return count(db, QStringLiteral("SELECT count(*) FROM live_runs WHERE status = ?"), {QString::fromLatin1(status)});
        };
        QTRY_COMPARE_WITH_TIMEOUT(runsIn("RUNNING"), kRuns, 20'000);
        const int threadsHosted = processThreads();

        // They trade for 15 s (at 1200x a bar closes every 50 ms: ~300 bars each; 3..16-bar EMAs cross often).
        QTest::qWait(15'000);
        QVERIFY(count(db, QStringLiteral("SELECT count(*) FROM live_trades")) >= 2 * kRuns);
        qint64 bars = 0;
        int runsWithBars = 0;
        host->visitRuns([&](const LiveRunExecutor &run) {
            const LiveRunCounters c = run.counters();
            bars += c.barToDecision.count;
            runsWithBars += c.barToDecision.count > 0;
        });
        QCOMPARE(runsWithBars, kRuns);

        PgLiveRunStore runs(db);
        for (const LiveRunSpec &s : fleet.value().specs)
            QVERIFY_OK(runs.setDesiredState(s.id, DesiredState::StopAndClose));
        QTRY_COMPARE_WITH_TIMEOUT(runsIn("STOPPED"), kRuns, 30'000);
        // Every intent becomes final while the host runs (an outcome lost with its reply is asked about every 5 s,
        // never resent under a new id).
        const auto unfinished = [&db] {
            return count(db, QStringLiteral("SELECT count(*) FROM trade_intents WHERE state NOT IN ('DONE', 'REJECTED', "
                                            "'DENIED')"));
        };
        QTRY_COMPARE_WITH_TIMEOUT(unfinished(), 0, 15'000);
        host->stop();

        // Every run's life: RUNNING once reached, heartbeats while running (not only the last one on STOPPED).
        QCOMPARE(count(db, QStringLiteral("SELECT count(DISTINCT live_run_id) FROM live_events WHERE type = "
                                          "'RunStatusChanged' AND payload->>'to' = 'RUNNING'")),
                 kRuns);
        QCOMPARE(count(db, QStringLiteral("SELECT count(*) FROM (SELECT live_run_id FROM heartbeats GROUP BY 1 "
                                          "HAVING count(*) >= 2) AS beating")),
                 kRuns);
        // Every trade carries its lineage: its run, that run's bot version, BOT, a correlation id, its intent's key.
        const int trades = count(db, QStringLiteral("SELECT count(*) FROM live_trades"));
        QCOMPARE(count(db, QStringLiteral("SELECT count(*) FROM live_trades t JOIN live_runs r ON r.id = t.live_run_id "
                                          "AND r.bot_version_id = t.bot_version_id JOIN trade_intents i ON "
                                          "i.idempotency_key = t.idempotency_key AND i.live_run_id = r.id WHERE "
                                          "t.source = 'BOT' AND t.correlation_id <> '' AND NOT t.adopted")),
                 trades);
        QCOMPARE(count(db, QStringLiteral("SELECT count(*) FROM live_trades WHERE close_time IS NULL")), 0);

        // The simulator's side, per account (magic): each request executed at most once, every deal in the database.
        int deals = 0, entryDeals = 0;
        for (const LiveAccount &account : fleet.value().accounts) {
            const test::AtBroker broker = test::atBroker(sim.url, kToken, account.magic, this);
            QCOMPARE(broker.openPositions, 0);
            QVERIFY(broker.entryDeals > 0);
            std::set<QString> tags;
            std::set<qint64> entryPositions, exitDeals;
            for (const mt5::Deal &d : broker.deals) {
                const QString tag = requestTag(d.comment);
                if (!tag.isEmpty())
                    QVERIFY2(tags.insert(tag).second, qPrintable(QStringLiteral("two deals of one request: %1").arg(d.comment)));
                if (d.entry == mt5::DealEntry::In)
                    entryPositions.insert(qint64(d.positionId));
                else
                    exitDeals.insert(qint64(d.ticket));
            }
            deals += int(broker.deals.size());
            entryDeals += broker.entryDeals;
            QCOMPARE(int(entryPositions.size()), broker.entryDeals);
            std::set<qint64> tradePositions, closeDeals;
            Result<QSqlQuery> q = db.exec(QStringLiteral("SELECT position_ticket FROM live_trades WHERE account = ?"),
                                           {account.name});
            QVERIFY_OK(q);
            while (q.value().next())
                tradePositions.insert(q.value().value(0).toLongLong());
            Result<QSqlQuery> c = db.exec(QStringLiteral("SELECT deal_ticket FROM trade_closes WHERE account = ?"),
                                           {account.name});
            QVERIFY_OK(c);
            while (c.value().next())
                closeDeals.insert(c.value().value(0).toLongLong());
            QCOMPARE(tradePositions, entryPositions);
            QCOMPARE(closeDeals, exitDeals);
        }
        QCOMPARE(entryDeals, trades);

        // Threads: a pool and one connector per account, not one per run.
        QVERIFY2(threadsHosted - threadsBefore <= 4 * kAccounts,
                 qPrintable(QStringLiteral("threads %1 before the runs, %2 with %3 runs").arg(threadsBefore)
                                .arg(threadsHosted).arg(kRuns)));
        const int orders = count(db, QStringLiteral("SELECT count(*) FROM trade_intents WHERE state IN ('DONE', "
                                                    "'REJECTED') AND order_ticket > 0"));
        qInfo("soak: %d runs on %d accounts, %lld live bars handled, %d orders, %d deals (%d entries), %d trades; "
              "threads %d -> %d; %.1f s wall",
              kRuns, kAccounts, bars, orders, deals, entryDeals, trades, threadsBefore, threadsHosted,
              double(wall.elapsed()) / 1000.0);
    }
};

QTEST_GUILESS_MAIN(TestLiveSoak)
#include "tst_livesoak.moc"
