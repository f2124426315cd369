// End to end through the command line (issue 9 §6, §7): botdesk-cli bots / accounts / live against botdesk-mt5sim
// (EURUSD M1 2024 at 600x on 127.0.0.1) and a throwaway PostgreSQL given with --db. A run is stored with `live start`,
// hosted by `live serve`, which is killed with SIGKILL while it trades; a second `live serve` takes the run over when
// the lease expires and goes on; `live stop --close` closes it. Then: no position left at the simulator, every entry
// deal there is exactly one trade in the database (nothing sent twice, nothing lost), `live status` prints the
// trades, the heartbeat and the latency percentiles, `live events` the run's life. Usage errors exit 2.

#include "brokercheck.h"
#include "brokermetatypes.h"
#include "database.h"
#include "pgharness.h"
#include "pgliverunstore.h"
#include "pgtradestore.h"
#include "processrun.h"
#include "resultcheck.h"
#include "simprocess.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace bd;

namespace {

const QString kCli = QStringLiteral(BOTDESK_CLI);
const QString kToken = QStringLiteral("tok-clilive-7");
constexpr qint64 kMagic = 777;

} // namespace

class TestCliLive : public QObject {
    Q_OBJECT
    PgHarness pg;
    QTemporaryDir m_home;
    QString m_url;
    DatabaseUrl m_dbUrl;
    QProcessEnvironment m_env;
    int m_serves = 0;

    ProcessRun cli(QStringList args)
    {
        args << QStringLiteral("--db") << m_url;
        return runProcess(kCli, args, m_env, 60000);
    }
    std::unique_ptr<QProcess> serve(const QStringList &extra)
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessEnvironment(m_env);
        p->setStandardErrorFile(m_home.filePath(QStringLiteral("serve-%1.log").arg(++m_serves)));  // kept for a failure
        p->start(kCli, QStringList{"live", "serve", "--lease", "3", "--threads", "1", "--log-level", "info", "--db", m_url} + extra);
        return p;
    }

private slots:
    void initTestCase()
    {
        mt5::registerBrokerMetaTypes();
        QVERIFY(m_home.isValid());
        QVERIFY_OK(pg.start());
        auto url = pg.createMigratedDatabase(QStringLiteral("clilive"));
        QVERIFY_OK(url);
        m_dbUrl = *url;
        m_url = url->redacted();
        m_env = QProcessEnvironment::systemEnvironment();
        m_env.insert(QStringLiteral("BOTDESK_HOME"), m_home.path());
        m_env.insert(QStringLiteral("BOTDESK_TEST_BRIDGE_TOKEN"), kToken);
        m_env.remove(QStringLiteral("BOTDESK_DB_URL"));
    }

    void usageErrorsExit2()
    {
        for (const QStringList &args : {QStringList{"live"}, QStringList{"live", "bogus"}, QStringList{"live", "start"},
                                        QStringList{"live", "stop"}, QStringList{"live", "list", "extra"},
                                        QStringList{"live", "parity"}, QStringList{"live", "parity", "a", "b"},
                                        QStringList{"live", "serve", "--lease", "1"},
                                        QStringList{"live", "approve", "0123abcd"}, QStringList{"live", "signals"},
                                        QStringList{"live", "start", "--bot", "x", "--account", "a", "--symbol", "EURUSD",
                                                    "--drawdown-cap", "150"}}) {
            const ProcessRun r = cli(args);
            QVERIFY2(r.exitCode == 2, qPrintable(args.join(' ') + QStringLiteral(": ") + describe(r)));
        }
        const ProcessRun unknown = cli({"live", "status", "0123abcd"});
        QVERIFY2(unknown.exitCode == 1 && unknown.err.contains("no live run starts with 0123abcd"), qPrintable(describe(unknown)));
    }

    void aHostKilledMidRunIsTakenOverWithoutADuplicate()
    {
        test::SimProcess sim;
        QVERIFY(sim.start(QStringLiteral(BOTDESK_MT5SIM),
                          {"--data", QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz"), "--symbol",
                           "EURUSD", "--port", "0", "--heartbeat", "1", "--suffix", ".sim", "--speed", "600"},
                          kToken));
        ProcessRun r = cli({"bots", "create", "ema-fast", "--template", "ema_crossover", "--params", R"({"fast":3,"slow":8})"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        r = cli({"accounts", "add", "sim", "--bridge", sim.url.toString(), "--token-env", "BOTDESK_TEST_BRIDGE_TOKEN",
                 "--magic", QString::number(kMagic)});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        r = cli({"live", "start", "--bot", "ema-fast", "--account", "sim", "--symbol", "EURUSD", "--max-risk", "5"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("live run ([0-9a-f-]{36}) stored")).match(r.out);
        QVERIFY2(m.hasMatch(), qPrintable(r.out));
        const QUuid id = QUuid::fromString(m.captured(1));
        // Not hosted yet: nothing to replay.
        r = cli({"live", "parity", id.toString(QUuid::WithoutBraces)});
        QVERIFY2(r.exitCode == 1 && r.err.contains(QStringLiteral("live run %1 recorded no bars").arg(id.toString(QUuid::WithoutBraces).left(8)))
                     && r.err.contains("live serve"),
                 qPrintable(describe(r)));

        Database db(pg.target(m_dbUrl), pgtest::options("check"));
        PgTradeStore trades(db);
        PgLiveRunStore runs(db);
        const auto tradeCount = [&] {
            const Result<std::vector<LiveTrade>> t = trades.tradesOfRun(id);
            return t.ok() ? int(t.value().size()) : -1;
        };

        // The first host trades, then dies without a word.
        std::unique_ptr<QProcess> first = serve({});
        QTRY_VERIFY_WITH_TIMEOUT(tradeCount() >= 2, 40000);
        const QString firstHost = runs.run(id).value().hostId;
        QVERIFY(!firstHost.isEmpty());
        first->kill();
        QVERIFY(first->waitForFinished(5000));
        QCOMPARE(runs.run(id).value().status, LiveRunStatus::Running);
        const int atKill = tradeCount();

        // The next host takes the run over once the lease has expired, and trades on.
        std::unique_ptr<QProcess> second = serve({});
        QTRY_VERIFY_WITH_TIMEOUT(runs.run(id).value().hostId != firstHost && !runs.run(id).value().hostId.isEmpty(), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(tradeCount() >= atKill + 2, 40000);

        r = cli({"live", "stop", id.toString(QUuid::WithoutBraces).left(8), "--close"});
        QVERIFY2(r.exitCode == 0 && r.out.contains("desired STOP_AND_CLOSE"), qPrintable(describe(r)));
        QTRY_VERIFY_WITH_TIMEOUT(runs.run(id).value().status == LiveRunStatus::Stopped, 30000);
        second->terminate();  // SIGTERM: a clean stop
        QVERIFY(second->waitForFinished(15000));
        const QString secondOut = QString::fromUtf8(second->readAllStandardOutput());
        QCOMPARE(second->exitCode(), 0);
        QVERIFY2(secondOut.contains("live host stopped"), qPrintable(secondOut));

        const test::AtBroker broker = test::atBroker(sim.url, kToken, kMagic, this);
        QCOMPARE(broker.openPositions, 0);
        QCOMPARE(broker.entryDeals, tradeCount());

        r = cli({"live", "status", id.toString(QUuid::WithoutBraces)});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QVERIFY2(r.out.contains("status STOPPED (desired STOP_AND_CLOSE)")
                     && r.out.contains(QStringLiteral("trades %1 (0 open)").arg(tradeCount()))
                     && r.out.contains("last heartbeat") && r.out.contains("signal -> order sent: p50 "),
                 qPrintable(r.out));
        r = cli({"live", "events", id.toString(QUuid::WithoutBraces)});
        QVERIFY2(r.exitCode == 0 && r.out.contains("RunStatusChanged") && r.out.contains("TradeExecuted")
                     && r.out.contains("SignalReceived"),
                 qPrintable(describe(r)));
        r = cli({"live", "list"});
        QVERIFY2(r.exitCode == 0 && r.out.contains(id.toString(QUuid::WithoutBraces).left(8)) && r.out.contains("STOPPED"),
                 qPrintable(describe(r)));
        // An AUTO run holds no signal: there is nothing to approve.
        r = cli({"live", "signals", id.toString(QUuid::WithoutBraces).left(8)});
        QVERIFY2(r.exitCode == 0 && r.out.contains("(AUTO mode): 0 signal(s) waiting for approval"), qPrintable(describe(r)));
        r = cli({"live", "approve", id.toString(QUuid::WithoutBraces).left(8), "sig-1"});
        QVERIFY2(r.exitCode == 1 && r.err.contains("is in AUTO mode"), qPrintable(describe(r)));
    }
};

QTEST_GUILESS_MAIN(TestCliLive)
#include "tst_clilive.moc"
