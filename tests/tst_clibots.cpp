// End-to-end: botdesk-cli's bots and backtests commands (app/botscommand, app/backtestscommand) against a real
// PostgreSQL server (a throwaway cluster, pgharness.h) given with --db, in a BOTDESK_HOME of this test's own:
// create, new-version, versions, backtest --bot, list, show, rerun identical; a changed or missing data file is
// reported; a stored run tampered with makes the rerun name the difference; an outage at the end of a run spools it
// and the next command saves it; usage errors; --strategy needs no database.

#include "processrun.h"
#include "migrator.h"
#include "pgharness.h"
#include "resultcheck.h"
#include "syntheticbars.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace bd;

namespace {

const QString kCli = QStringLiteral(BOTDESK_CLI);

using Run = ProcessRun;

} // namespace

class TestCliBots : public QObject {
    Q_OBJECT
    PgHarness pg;
    QTemporaryDir m_home;
    QString m_url;    // --db
    QString m_data;   // a bar file of this test's own
    QProcessEnvironment m_env;

    Run cli(QStringList args, bool withDb = true, const QProcessEnvironment *environment = nullptr)
    {
        if (withDb)
            args << QStringLiteral("--db") << m_url;
        return runProcess(kCli, args, environment ? *environment : m_env, 120000);
    }

    QString spoolDir() const { return m_home.path() + QStringLiteral("/spool/runs"); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        QVERIFY_OK(pg.start());
        auto url = pg.createDatabase(QStringLiteral("cli"));
        QVERIFY_OK(url);
        m_url = url->redacted();
        m_data = m_home.path() + QStringLiteral("/bars.csv");
        QVERIFY(test::writeSyntheticBars(m_data, 20000));
        m_env = QProcessEnvironment::systemEnvironment();
        m_env.insert(QStringLiteral("BOTDESK_HOME"), m_home.path());
        m_env.remove(QStringLiteral("BOTDESK_DB_URL"));
        m_env.remove(QStringLiteral("BOTDESK_TEST_HOLD_BEFORE_SAVE"));

        // A server given by URL is migrated by its owner, not by the bots commands.
        const Run refused = cli({"bots", "list"});
        QVERIFY2(refused.exitCode == 1 && refused.err.contains("run 'botdesk-cli db migrate' as the database's owner"),
                 qPrintable(describe(refused)));
        const Run migrated = cli({"db", "migrate"});
        QVERIFY2(migrated.exitCode == 0, qPrintable(describe(migrated)));
    }

    void botsVersionsBacktestAndRerun()
    {
        const Run empty = cli({"bots", "list"});
        QVERIFY2(empty.exitCode == 0 && empty.out.contains("no bots yet"), qPrintable(describe(empty)));

        const Run created = cli({"bots", "create", "ema-fast", "--template", "ema_crossover", "--notes", "defaults"});
        QVERIFY2(created.exitCode == 0 && created.out.contains("created bot ema-fast (ema_crossover) with version "),
                 qPrintable(describe(created)));
        const Run again = cli({"bots", "create", "ema-fast", "--template", "ema_crossover"});
        QVERIFY2(again.exitCode == 1 && again.err.contains("a bot named 'ema-fast' already exists"), qPrintable(describe(again)));

        const Run v2 = cli({"bots", "new-version", "ema-fast", "--params", R"({"fast": 8, "slow": 40})", "--notes", "faster"});
        QVERIFY2(v2.exitCode == 0 && v2.out.contains("saved version ") && v2.out.contains("built-in ema_crossover"),
                 qPrintable(describe(v2)));
        const Run same = cli({"bots", "new-version", "ema-fast", "--params", R"({"slow": 40.0, "fast": 8})"});
        QVERIFY2(same.exitCode == 0 && same.out.contains("already has this content") && same.out.contains("nothing saved"),
                 qPrintable(describe(same)));
        const Run badParams = cli({"bots", "new-version", "ema-fast", "--params", R"({"fast": 50, "slow": 40})"});
        QCOMPARE(badParams.exitCode, 2);

        const Run versions = cli({"bots", "versions", "ema-fast"});
        QVERIFY2(versions.exitCode == 0, qPrintable(describe(versions)));
        const QStringList lines = versions.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);  // header + 2 versions, newest first
        QVERIFY2(lines[1].contains("{\"fast\":8,\"slow\":40}") && lines[1].contains("faster"), qPrintable(versions.out));
        QVERIFY2(lines[2].contains("{}") && lines[2].contains("defaults"), qPrintable(versions.out));
        const QString latestHash = lines[1].section(QLatin1Char(' '), 0, 0);
        const QString firstHash = lines[2].section(QLatin1Char(' '), 0, 0);
        QCOMPARE(lines[1].simplified().section(QLatin1Char(' '), 4, 4), firstHash);  // parent column

        const Run shown = cli({"bots", "show", "ema-fast@" + firstHash.left(6)});
        QVERIFY2(shown.exitCode == 0 && shown.out.contains("version:   " + firstHash)
                     && shown.out.contains("class EmaCrossover"),
                 qPrintable(describe(shown)));

        // backtest the latest version, then the first one by hash prefix
        const Run ran = cli({"backtest", "--bot", "ema-fast", "--data", m_data, "--symbol", "EURUSD", "--label", "latest",
                             "--spread", "12"});
        QVERIFY2(ran.exitCode == 0 && ran.out.contains("bot ema-fast@" + latestHash), qPrintable(describe(ran)));
        const QString runId = savedRunId(ran.out);
        QVERIFY2(!runId.isEmpty(), qPrintable(describe(ran)));
        const Run ranFirst = cli({"backtest", "--bot", "ema-fast@" + firstHash.left(8), "--data", m_data, "--symbol",
                                  "EURUSD"});
        QVERIFY2(ranFirst.exitCode == 0 && ranFirst.out.contains("bot ema-fast@" + firstHash), qPrintable(describe(ranFirst)));
        const QString firstRunId = savedRunId(ranFirst.out);

        const Run listed = cli({"backtests", "list"});
        QVERIFY2(listed.exitCode == 0, qPrintable(describe(listed)));
        const QStringList rows = listed.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(rows.size(), 3);
        QVERIFY2(rows[1].startsWith(firstRunId) && rows[2].startsWith(runId), qPrintable(listed.out));  // newest first
        QVERIFY2(rows[2].contains("ema-fast@" + latestHash.left(8)) && rows[2].contains("completed")
                     && rows[2].contains("latest"),
                 qPrintable(listed.out));
        const Run filtered = cli({"backtests", "list", "--bot", "ema-fast", "--limit", "1"});
        QVERIFY2(filtered.exitCode == 0 && filtered.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size() == 2,
                 qPrintable(describe(filtered)));

        const Run details = cli({"backtests", "show", runId.left(8)});
        QVERIFY2(details.exitCode == 0 && details.out.contains("data:      " + QFileInfo(m_data).absoluteFilePath())
                     && details.out.contains("\"spread_points\":12") && details.out.contains("\"fast\":8")
                     && details.out.contains("\"atr_period\":14")  // resolved: defaults filled in
                     && details.out.contains("Total Net Profit"),
                 qPrintable(describe(details)));

        const Run rerun = cli({"backtests", "rerun", runId.left(8)});
        QVERIFY2(rerun.exitCode == 0 && rerun.out.contains("identical to " + runId), qPrintable(describe(rerun)));
        const QString rerunId = savedRunId(rerun.out);
        QVERIFY(!rerunId.isEmpty() && rerunId != runId);
        const Run rerunDetails = cli({"backtests", "show", rerunId});
        QVERIFY2(rerunDetails.out.contains("rerun of:  " + runId), qPrintable(describe(rerunDetails)));

        // A stored run changed behind BotDesk's back: the rerun names the first difference and exits 1.
        QVERIFY_OK(pg.execAsSuperuser(QStringLiteral("UPDATE backtest_trades SET close_price = close_price + 0.00001 "
                                                     "WHERE run_id = '%1' AND seq = 2")
                                          .arg(firstRunId),
                                      QStringLiteral("cli")));
        const Run differs = cli({"backtests", "rerun", firstRunId});
        QVERIFY2(differs.exitCode == 1 && differs.err.contains("the rerun differs from " + firstRunId + ": trade 3 (ticket")
                     && differs.err.contains("close_price"),
                 qPrintable(describe(differs)));
    }

    void changedOrMissingDataIsReported()
    {
        const QString data = m_home.path() + QStringLiteral("/changing.csv");
        QVERIFY(test::writeSyntheticBars(data, 3000));
        const Run created = cli({"bots", "create", "changing", "--template", "ema_crossover"});
        QVERIFY2(created.exitCode == 0, qPrintable(describe(created)));
        const Run ran = cli({"backtest", "--bot", "changing", "--data", data, "--symbol", "EURUSD"});
        const QString id = savedRunId(ran.out);
        QVERIFY2(ran.exitCode == 0 && !id.isEmpty(), qPrintable(describe(ran)));
        QFile file(data);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray original = file.readAll();
        file.close();
        const QString originalSha = QString::fromLatin1(QCryptographicHash::hash(original, QCryptographicHash::Sha256).toHex());

        QByteArray changed = original;
        changed.chop(1);
        changed += "0\n";  // the last bar's volume
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(changed);
        file.close();
        const QString changedSha = QString::fromLatin1(QCryptographicHash::hash(changed, QCryptographicHash::Sha256).toHex());
        const Run refused = cli({"backtests", "rerun", id});
        QVERIFY2(refused.exitCode == 1 && refused.err.contains("changed since") && refused.err.contains(originalSha)
                     && refused.err.contains(changedSha),
                 qPrintable(describe(refused)));

        QVERIFY(QFile::remove(data));
        const Run missing = cli({"backtests", "rerun", id});
        QVERIFY2(missing.exitCode == 1 && missing.err.contains("is missing") && missing.err.contains(originalSha),
                 qPrintable(describe(missing)));
        const Run listed = cli({"backtests", "list", "--bot", "changing"});
        QCOMPARE(listed.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 2);  // no rerun was saved
    }

    // The server goes away between the end of a run and its save: the run is spooled, exit 0; once the server is
    // back, the next command saves it.
    void outageSpoolsTheRunAndTheNextCommandSavesIt()
    {
        const Run created = cli({"bots", "create", "outage", "--template", "box_breakout"});
        QVERIFY2(created.exitCode == 0, qPrintable(describe(created)));
        QCOMPARE(QDir(spoolDir()).entryList({"*.json"}, QDir::Files).size(), 0);

        QProcessEnvironment env = m_env;
        env.insert(QStringLiteral("BOTDESK_TEST_HOLD_BEFORE_SAVE"), QStringLiteral("1"));
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(kCli, {"backtest", "--bot", "outage", "--data", m_data, "--symbol", "EURUSD", "--db", m_url});
        QString err;
        QElapsedTimer waited;
        waited.start();
        while (!err.contains("holding backtest run") && waited.elapsed() < 60000 && p.state() != QProcess::NotRunning) {
            p.waitForReadyRead(1000);
            err += QString::fromUtf8(p.readAllStandardError());
        }
        QVERIFY2(err.contains("holding backtest run"), qPrintable(err));
        QVERIFY_OK(pg.stopServer());
        p.write("\n");
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(60000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        err += QString::fromUtf8(p.readAllStandardError());
        const QStringList spooled = QDir(spoolDir()).entryList({"*.json"}, QDir::Files);
        QVERIFY_OK(pg.startServer());
        QVERIFY2(p.exitCode() == 0 && out.contains("the database could not be reached"), qPrintable(out + err));
        QCOMPARE(spooled.size(), 1);
        const QString id = spooled.first().chopped(5);
        QVERIFY2(out.contains(id), qPrintable(out));

        const Run listed = cli({"backtests", "list", "--bot", "outage"});
        QVERIFY2(listed.exitCode == 0 && listed.out.contains("saved 1 backtest run kept in the spool")
                     && listed.out.contains(id),
                 qPrintable(describe(listed)));
        QCOMPARE(QDir(spoolDir()).entryList({"*.json"}, QDir::Files).size(), 0);
        const Run rerun = cli({"backtests", "rerun", id});
        QVERIFY2(rerun.exitCode == 0 && rerun.out.contains("identical to " + id), qPrintable(describe(rerun)));
    }

    void usageAndLookupErrors()
    {
        QCOMPARE(cli({"bots"}).exitCode, 2);
        QCOMPARE(cli({"bots", "frobnicate"}).exitCode, 2);
        QCOMPARE(cli({"bots", "create", "x"}).exitCode, 2);                                   // no --template
        QCOMPARE(cli({"bots", "create", "x", "--template", "no_such"}).exitCode, 2);
        QCOMPARE(cli({"bots", "new-version", "ema-fast"}).exitCode, 2);                      // no content
        QCOMPARE(cli({"backtests", "show"}).exitCode, 2);
        const Run both = cli({"backtest", "--bot", "ema-fast", "--strategy", "ema_crossover", "--data", m_data,
                              "--symbol", "EURUSD"});
        QVERIFY2(both.exitCode == 2 && both.err.contains("drop --strategy"), qPrintable(describe(both)));
        const Run typo = cli({"backtest", "--bot", "ema-fats", "--data", m_data, "--symbol", "EURUSD"});
        QVERIFY2(typo.exitCode == 1 && typo.err.contains("did you mean 'ema-fast'"), qPrintable(describe(typo)));
        const Run shortId = cli({"backtests", "show", "1234567"});
        QVERIFY2(shortId.exitCode == 1 && shortId.err.contains("first 8 or more hex digits"), qPrintable(describe(shortId)));
        const Run noRun = cli({"backtests", "show", "00000000"});
        QVERIFY2(noRun.exitCode == 1 && noRun.err.contains("no backtest run 00000000"), qPrintable(describe(noRun)));

        // A bot made from a built-in runs only this build's built-in code (code of one's own goes in a Python bot).
        const QString code = m_home.path() + QStringLiteral("/mine.py");
        QFile file(code);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("def on_bar(bar):\n    pass\n");
        file.close();
        const Run custom = cli({"bots", "new-version", "ema-fast", "--code", code});
        QVERIFY2(custom.exitCode == 0 && custom.out.contains("other code"), qPrintable(describe(custom)));
        const Run refused = cli({"backtest", "--bot", "ema-fast", "--data", m_data, "--symbol", "EURUSD"});
        QVERIFY2(refused.exitCode == 1 && refused.err.contains("a bot made from a Python template"), qPrintable(describe(refused)));

        // --strategy needs no database at all: a database that cannot exist is never contacted.
        QProcessEnvironment env = m_env;
        env.insert(QStringLiteral("BOTDESK_DB_URL"), QStringLiteral("postgresql://nobody@127.0.0.1:1/none"));
        const Run plain = cli({"backtest", "--strategy", "ema_crossover", "--data", m_data, "--symbol", "EURUSD"}, false, &env);
        QVERIFY2(plain.exitCode == 0 && !plain.out.contains("saved as backtest run"), qPrintable(describe(plain)));
        const Run unreachable = cli({"bots", "list"}, false, &env);
        QVERIFY2(unreachable.exitCode == 1 && unreachable.err.contains("cannot reach the BotDesk database at "
                                                                       "postgresql://nobody@127.0.0.1:1/none"),
                 qPrintable(describe(unreachable)));
    }
};

QTEST_GUILESS_MAIN(TestCliBots)
#include "tst_clibots.moc"
