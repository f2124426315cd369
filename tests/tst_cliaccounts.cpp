// End-to-end: botdesk-cli accounts add|list|remove (app/accountscommand) against a real PostgreSQL server (a throwaway
// cluster, pgharness.h) given with --db: an account added is listed with its bridge, token variable (never a token),
// magic and server offset; a taken name, an unknown one and an account with a run not stopped are failures (exit 1)
// naming the fix; bad options are usage errors (exit 2) before the database is opened.

#include "processrun.h"
#include "pgharness.h"
#include "resultcheck.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace bd;

namespace {

const QString kCli = QStringLiteral(BOTDESK_CLI);

} // namespace

class TestCliAccounts : public QObject {
    Q_OBJECT
    PgHarness pg;
    QTemporaryDir m_home;
    QString m_url;
    DatabaseUrl m_dbUrl;
    QProcessEnvironment m_env;

    ProcessRun cli(QStringList args, bool withDb = true)
    {
        if (withDb)
            args << QStringLiteral("--db") << m_url;
        return runProcess(kCli, args, m_env, 60000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        QVERIFY_OK(pg.start());
        auto url = pg.createMigratedDatabase(QStringLiteral("cliaccounts"));
        QVERIFY_OK(url);
        m_dbUrl = *url;
        m_url = url->redacted();
        m_env = QProcessEnvironment::systemEnvironment();
        m_env.insert(QStringLiteral("BOTDESK_HOME"), m_home.path());
        m_env.remove(QStringLiteral("BOTDESK_DB_URL"));
    }

    void addListRemove()
    {
        const ProcessRun empty = cli({"accounts", "list"});
        QVERIFY2(empty.exitCode == 0 && empty.out.contains("no accounts yet"), qPrintable(describe(empty)));

        const ProcessRun added = cli({"accounts", "add", "icm-demo", "--bridge", "wss://10.0.0.5:8765", "--token-env",
                                      "ICM_TOKEN", "--magic", "424242", "--server-utc-offset", "2"});
        QVERIFY2(added.exitCode == 0 && added.out.contains("added account icm-demo (bridge wss://10.0.0.5:8765, token "
                                                           "from $ICM_TOKEN, magic 424242, server UTC+02:00)"),
                 qPrintable(describe(added)));
        const ProcessRun plain = cli({"accounts", "add", "acme", "--bridge", "ws://127.0.0.1:8765", "--token-env",
                                      "BOTDESK_MT5_TOKEN", "--server-utc-offset", "-3.5"});
        QVERIFY2(plain.exitCode == 0, qPrintable(describe(plain)));

        const ProcessRun listed = cli({"accounts", "list"});
        QVERIFY2(listed.exitCode == 0, qPrintable(describe(listed)));
        const QStringList lines = listed.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines[1].startsWith("acme ") && lines[1].contains("$BOTDESK_MT5_TOKEN") && lines[1].contains(" 900001 ")
                     && lines[1].contains("UTC-03:30"),
                 qPrintable(listed.out));
        QVERIFY2(lines[2].startsWith("icm-demo ") && lines[2].contains("wss://10.0.0.5:8765")
                     && lines[2].contains("$ICM_TOKEN") && lines[2].contains(" 424242 ") && lines[2].contains("UTC+02:00"),
                 qPrintable(listed.out));

        // What the database holds: the variable's name, no token.
        Database db(pg.target(m_dbUrl));
        QCOMPARE(pgtest::count(db, "SELECT count(*) FROM accounts WHERE name = 'icm-demo' AND token_env = 'ICM_TOKEN' "
                                   "AND magic = 424242 AND server_utc_offset_min = 120"), 1);
        QCOMPARE(pgtest::count(db, "SELECT count(*) FROM accounts WHERE name = 'acme' AND server_utc_offset_min = -210"), 1);

        const ProcessRun taken = cli({"accounts", "add", "icm-demo", "--bridge", "ws://127.0.0.1:1", "--token-env", "X"});
        QVERIFY2(taken.exitCode == 1 && taken.err.contains("account 'icm-demo' exists; choose another name or remove it"),
                 qPrintable(describe(taken)));

        // A run not stopped keeps its account.
        auto bot = db.scalar(QStringLiteral("INSERT INTO bots (name, strategy_template) VALUES ('b', 'ema_crossover') "
                                            "RETURNING id"));
        QVERIFY_OK(bot);
        auto version = db.scalar(QStringLiteral("INSERT INTO bot_versions (bot_id, code, params, code_hash) VALUES "
                                                "(?::uuid, 'x', '{}', repeat('c', 64)) RETURNING id"), {bot->toString()});
        QVERIFY_OK(version);
        QVERIFY_OK(db.exec(QStringLiteral("INSERT INTO live_runs (id, bot_version_id, account, symbol, timeframe, "
                                          "decision_mode, approval_mode, approval_timeout_ms, guardrails, status) VALUES "
                                          "(gen_random_uuid(), ?::uuid, 'acme', 'EURUSD', 'M1', 'BAR', 'AUTO', 60000, "
                                          "'{}', 'RUNNING')"), {version->toString()}));
        const ProcessRun busy = cli({"accounts", "remove", "acme"});
        QVERIFY2(busy.exitCode == 1 && busy.err.contains("(RUNNING); stop them first"), qPrintable(describe(busy)));
        QVERIFY_OK(db.exec(QStringLiteral("UPDATE live_runs SET status = 'STOPPED'")));
        const ProcessRun removed = cli({"accounts", "remove", "acme"});
        QVERIFY2(removed.exitCode == 0 && removed.out.contains("removed account acme"), qPrintable(describe(removed)));
        const ProcessRun unknown = cli({"accounts", "remove", "acme"});
        QVERIFY2(unknown.exitCode == 1 && unknown.err.contains("there is no account 'acme'; the accounts are 'icm-demo'"),
                 qPrintable(describe(unknown)));
        QCOMPARE(pgtest::count(db, "SELECT count(*) FROM accounts"), 1);
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no subcommand") << QStringList{"accounts"} << "accounts needs a subcommand: add, list or remove";
        QTest::newRow("unknown subcommand") << QStringList{"accounts", "rm", "x"} << "unknown accounts subcommand 'rm'";
        QTest::newRow("list with a name") << QStringList{"accounts", "list", "x"} << "accounts list takes no argument";
        QTest::newRow("remove without a name") << QStringList{"accounts", "remove"} << "accounts remove takes one account name";
        QTest::newRow("no bridge") << QStringList{"accounts", "add", "a", "--token-env", "T"} << "needs --bridge URL";
        QTest::newRow("no token env") << QStringList{"accounts", "add", "a", "--bridge", "ws://h:1"} << "needs --token-env VAR";
        QTest::newRow("http bridge") << QStringList{"accounts", "add", "a", "--bridge", "http://h:1", "--token-env", "T"}
                                     << "is not a WebSocket URL";
        QTest::newRow("bad magic") << QStringList{"accounts", "add", "a", "--bridge", "ws://h:1", "--token-env", "T",
                                                  "--magic", "-5"} << "--magic '-5' is not a whole number > 0";
        QTest::newRow("bad offset") << QStringList{"accounts", "add", "a", "--bridge", "ws://h:1", "--token-env", "T",
                                                   "--server-utc-offset", "2.1"} << "is not hours from -12 to 14";
        QTest::newRow("bad name") << QStringList{"accounts", "add", "a b", "--bridge", "ws://h:1", "--token-env", "T"}
                                  << "'a b' is not an account name";
        QTest::newRow("bad variable") << QStringList{"accounts", "add", "a", "--bridge", "ws://h:1", "--token-env",
                                                     "MY-TOKEN"} << "is not an environment variable name";
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const ProcessRun run = cli(args);
        QVERIFY2(run.exitCode == 2 && run.err.contains(message), qPrintable(describe(run)));
        QVERIFY2(run.out.isEmpty(), qPrintable(describe(run)));
    }
};

QTEST_GUILESS_MAIN(TestCliAccounts)
#include "tst_cliaccounts.moc"
