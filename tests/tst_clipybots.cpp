// End-to-end: Python bots through botdesk-cli (issue 7 with issue 6's bots) against a real PostgreSQL server (a
// throwaway cluster, pgharness.h): `strategies` lists the Python templates; a bot made from ema_crossover_v1.py holds
// the template's source as its first version; its backtest runs the stored code through the embedded host and
// trades exactly as the native ema_crossover bot on the same data (box_breakout_v1.py likewise); a rerun is
// identical; a changed code file and changed parameters make new versions (identical content = the existing one);
// a code file that does not load, or bad parameters, are refused with file/line before anything is stored.

#include "processrun.h"
#include "codehash.h"
#include "database.h"
#include "pgharness.h"
#include "resultcheck.h"
#include "syntheticbars.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace bd;

namespace {

const QString kCli = QStringLiteral(BOTDESK_CLI);
const QString kTemplates = QStringLiteral(BOTDESK_PYTHON_TEMPLATES_DIR);

using Run = ProcessRun;

QString readText(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
}

bool writeText(const QString &path, const QString &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text.toUtf8()) >= 0;
}

} // namespace

class TestCliPyBots : public QObject {
    Q_OBJECT
    PgHarness pg;
    QTemporaryDir m_home;
    QString m_url;
    QString m_data;
    QProcessEnvironment m_env;
    std::unique_ptr<Database> m_db;
    QStringList m_defaultTrades;  // ema_crossover_v1.py with every default on m_data

    Run cli(QStringList args)
    {
        args << QStringLiteral("--db") << m_url;
        return runProcess(kCli, args, m_env, 120000);
    }

    // Every stored trade of run `id`, one line each in close order (every column but the run's own).
    QStringList storedTrades(const QString &id)
    {
        auto q = m_db->exec(QStringLiteral(
            "SELECT concat_ws(' ', seq, ticket, side, volume, open_time_ms, open_price, close_time_ms, close_price, sl, "
            "tp, commission, profit, close_reason, mae, mfe, comment) FROM backtest_trades WHERE run_id = '%1' "
            "ORDER BY seq").arg(id));
        if (!q) {
            qWarning("%s", qPrintable(q.error().message));
            return {};
        }
        QStringList rows;
        while (q->next())
            rows << q->value(0).toString();
        return rows;
    }

    int versionCount(const QString &bot)
    {
        const Run listed = cli({"bots", "versions", bot});
        return listed.exitCode == 0 ? int(listed.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size()) - 1 : -1;
    }

    // Backtests bot `reference` on the test's bars; the saved run id, or empty (with a warning).
    QString backtest(const QString &reference, Run *run = nullptr)
    {
        const Run r = cli({"backtest", "--bot", reference, "--data", m_data, "--symbol", "EURUSD"});
        if (run)
            *run = r;
        if (r.exitCode != 0)
            qWarning("%s", qPrintable(describe(r)));
        return savedRunId(r.out);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        QVERIFY_OK(pg.start());
        auto url = pg.createDatabase(QStringLiteral("clipy"));
        QVERIFY_OK(url);
        m_url = url->redacted();
        m_db = std::make_unique<Database>(pg.target(*url));
        m_data = m_home.path() + QStringLiteral("/bars.csv");
        QVERIFY(test::writeSyntheticBars(m_data, 20000));
        m_env = QProcessEnvironment::systemEnvironment();
        m_env.insert(QStringLiteral("BOTDESK_HOME"), m_home.path());
        m_env.remove(QStringLiteral("BOTDESK_DB_URL"));
        m_env.remove(QStringLiteral("BOTDESK_TEST_HOLD_BEFORE_SAVE"));
        const Run migrated = cli({"db", "migrate"});
        QVERIFY2(migrated.exitCode == 0, qPrintable(describe(migrated)));
    }

    void strategiesListsThePythonTemplates()
    {
        const Run listed = cli({"strategies"});
        QVERIFY2(listed.exitCode == 0 && listed.out.contains("ema_crossover_v1.py  Python template")
                     && listed.out.contains("box_breakout_v1.py  Python template"),
                 qPrintable(describe(listed)));
        // The defaults are read from the template's declarations: those of the native built-in.
        const QStringList lines = listed.out.split(QLatin1Char('\n'));
        const qsizetype native = lines.indexOf(QRegularExpression(QStringLiteral("^ema_crossover  .*")));
        const qsizetype python = lines.indexOf(QRegularExpression(QStringLiteral("^ema_crossover_v1\\.py  .*")));
        QVERIFY2(native >= 0 && python >= 0, qPrintable(listed.out));
        QCOMPARE(lines.value(python + 1), lines.value(native + 1));
    }

    void pythonBotTradesAsTheNativeBotAndReruns()
    {
        const Run created = cli({"bots", "create", "ema-py", "--template", "ema_crossover_v1.py"});
        QVERIFY2(created.exitCode == 0 && created.out.contains("created bot ema-py (ema_crossover_v1.py) with version "),
                 qPrintable(describe(created)));
        // The first version is the template's own source with params {}: its hash says so.
        const QString source = readText(kTemplates + QStringLiteral("/ema_crossover_v1.py"));
        QVERIFY(source.contains("class EmaCrossover"));
        const QString hash = computeCodeHash(source, {});
        QVERIFY2(created.out.contains("with version " + hash.left(12)), qPrintable(created.out));
        const Run shown = cli({"bots", "show", "ema-py"});
        QVERIFY2(shown.exitCode == 0 && shown.out.contains("version:   " + hash)
                     && shown.out.contains("template ema_crossover_v1.py (Python)")
                     && shown.out.contains("\"sl_atr_mult\":2") && shown.out.contains("class EmaCrossover(bd.Strategy)"),
                 qPrintable(describe(shown)));
        QVERIFY(cli({"bots", "create", "ema-native", "--template", "ema_crossover"}).exitCode == 0);

        Run pyRun;
        const QString pyId = backtest(QStringLiteral("ema-py"), &pyRun);
        QVERIFY2(!pyId.isEmpty() && pyRun.out.contains("bot ema-py@" + hash.left(12) + " (ema_crossover_v1.py"),
                 qPrintable(describe(pyRun)));
        const QString nativeId = backtest(QStringLiteral("ema-native"));
        QVERIFY(!nativeId.isEmpty());
        const QStringList pyTrades = storedTrades(pyId), nativeTrades = storedTrades(nativeId);
        QVERIFY2(pyTrades.size() >= 10, qPrintable(QString::number(pyTrades.size())));
        QCOMPARE(pyTrades, nativeTrades);
        m_defaultTrades = pyTrades;

        const Run details = cli({"backtests", "show", pyId});
        QVERIFY2(details.exitCode == 0 && details.out.contains("(ema_crossover_v1.py)")
                     && details.out.contains("\"atr_period\":14"),  // resolved: every declared parameter
                 qPrintable(describe(details)));
        const Run rerun = cli({"backtests", "rerun", pyId.left(8)});
        QVERIFY2(rerun.exitCode == 0 && rerun.out.contains("identical to " + pyId), qPrintable(describe(rerun)));
        QCOMPARE(storedTrades(savedRunId(rerun.out)), pyTrades);

        // box_breakout_v1.py likewise.
        QVERIFY(cli({"bots", "create", "box-py", "--template", "box_breakout_v1.py"}).exitCode == 0);
        QVERIFY(cli({"bots", "create", "box-native", "--template", "box_breakout"}).exitCode == 0);
        const QString boxPy = backtest(QStringLiteral("box-py")), boxNative = backtest(QStringLiteral("box-native"));
        QVERIFY(!boxPy.isEmpty() && !boxNative.isEmpty());
        QCOMPARE(storedTrades(boxPy), storedTrades(boxNative));
    }

    void changedVersionsAndRefusedCode()
    {
        const QString source = readText(kTemplates + QStringLiteral("/ema_crossover_v1.py"));
        const QString changed = QString(source).replace(QStringLiteral("fast = bd.Int(12,"), QStringLiteral("fast = bd.Int(8,"));
        QVERIFY(changed != source);
        const QString file = m_home.path() + QStringLiteral("/ema_fast8.py");
        QVERIFY(writeText(file, changed));
        const int before = versionCount(QStringLiteral("ema-py"));
        QCOMPARE(before, 1);

        const Run saved = cli({"bots", "new-version", "ema-py", "--code", file, "--notes", "fast 8"});
        QVERIFY2(saved.exitCode == 0 && saved.out.contains("saved version " + computeCodeHash(changed, {}).left(12))
                     && saved.out.contains("Python code"),
                 qPrintable(describe(saved)));
        const Run same = cli({"bots", "new-version", "ema-py", "--code", file});
        QVERIFY2(same.exitCode == 0 && same.out.contains("already has this content"), qPrintable(describe(same)));
        QCOMPARE(versionCount(QStringLiteral("ema-py")), 2);

        // The new code (fast 8) trades as the template with {"fast": 8}; both differ from the defaults.
        const QString changedRun = backtest(QStringLiteral("ema-py"));
        const Run params = cli({"bots", "new-version", "ema-py@" + computeCodeHash(source, {}).left(12), "--params",
                                R"({"fast": 8})"});
        QVERIFY2(params.exitCode == 0 && params.out.contains("saved version "), qPrintable(describe(params)));
        const QString paramsRun = backtest(QStringLiteral("ema-py"));
        QVERIFY(!changedRun.isEmpty() && !paramsRun.isEmpty());
        const QStringList changedTrades = storedTrades(changedRun);
        QCOMPARE(changedTrades, storedTrades(paramsRun));
        QVERIFY(!m_defaultTrades.isEmpty() && changedTrades != m_defaultTrades);
        QVERIFY2(changedTrades.size() >= 10, qPrintable(QString::number(changedTrades.size())));
        const Run rerun = cli({"backtests", "rerun", changedRun});
        QVERIFY2(rerun.exitCode == 0 && rerun.out.contains("identical to " + changedRun), qPrintable(describe(rerun)));
        QCOMPARE(versionCount(QStringLiteral("ema-py")), 3);

        // Refused before anything is stored: a syntax error (file and line), an exception at import, bad parameters.
        const QString broken = m_home.path() + QStringLiteral("/broken.py");
        QVERIFY(writeText(broken, QString(source).replace(QStringLiteral("    def on_bar(self, bar, ctx):"),
                                                          QStringLiteral("    def on_bar(self, bar, ctx)"))));
        const int brokenLine = int(source.left(source.indexOf(QStringLiteral("def on_bar(self, bar, ctx):"))).count(QLatin1Char('\n'))) + 1;
        const Run syntax = cli({"bots", "new-version", "ema-py", "--code", broken});
        QVERIFY2(syntax.exitCode == 2 && syntax.err.contains("nothing saved") && syntax.err.contains(broken)
                     && syntax.err.contains(QString::number(brokenLine)),
                 qPrintable(describe(syntax) + QStringLiteral("\nexpected line %1").arg(brokenLine)));
        const QString raising = m_home.path() + QStringLiteral("/raising.py");
        QVERIFY(writeText(raising, source + QStringLiteral("\nraise RuntimeError('not today')\n")));
        const Run raised = cli({"bots", "new-version", "ema-py", "--code", raising});
        QVERIFY2(raised.exitCode == 2 && raised.err.contains(raising) && raised.err.contains("not today"),
                 qPrintable(describe(raised)));
        const Run badParams = cli({"bots", "new-version", "ema-py", "--params", R"({"fast": 50, "slow": 40})"});
        QVERIFY2(badParams.exitCode == 2 && badParams.err.contains("must be below"), qPrintable(describe(badParams)));
        const Run unknown = cli({"bots", "new-version", "ema-py", "--params", R"({"fastt": 5})"});
        QVERIFY2(unknown.exitCode == 2 && unknown.err.contains("fastt"), qPrintable(describe(unknown)));
        const Run badCreate = cli({"bots", "create", "never", "--template", "ema_crossover_v1.py", "--params",
                                   R"({"slow": 1})"});
        QVERIFY2(badCreate.exitCode == 2, qPrintable(describe(badCreate)));
        const Run noTemplate = cli({"bots", "create", "never", "--template", "nope_v1.py"});
        QVERIFY2(noTemplate.exitCode == 2 && noTemplate.err.contains("ema_crossover_v1.py, box_breakout_v1.py"),
                 qPrintable(describe(noTemplate)));
        QCOMPARE(versionCount(QStringLiteral("ema-py")), 3);
        QCOMPARE(versionCount(QStringLiteral("never")), -1);
    }
};

QTEST_GUILESS_MAIN(TestCliPyBots)
#include "tst_clipybots.moc"
