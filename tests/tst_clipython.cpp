// End-to-end: `botdesk-cli backtest --strategy-file FILE.py` (issue 7) — the Python template's JSON report has the
// built-in's trades and statistics, and a bad file or a failing strategy gives the file, line and traceback with
// the documented exit codes.

#include "processrun.h"

#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

namespace {

const QString kCli = QStringLiteral(BOTDESK_CLI);
const QString kEurusd = QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz");
const QString kTemplates = QStringLiteral(BOTDESK_PYTHON_TEMPLATES_DIR);

using Run = ProcessRun;

Run runCli(const QStringList &args)
{
    return runProcess(kCli, args);
}

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &text)
{
    QFile file(dir.filePath(name));
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size())
        return {};
    return file.fileName();
}

} // namespace

class TestCliPython : public QObject {
    Q_OBJECT
private slots:
    void templateMatchesBuiltin()
    {
        QTemporaryDir dir;
        const QString params = QStringLiteral(R"({"fast": 8, "slow": 21})");
        const Run python = runCli({"backtest", "--data", kEurusd, "--symbol", "EURUSD", "--strategy-file",
                                   kTemplates + "/ema_crossover_v1.py", "--params", params, "--json", dir.filePath("py.json")});
        QVERIFY2(python.exitCode == 0, qPrintable(python.err));
        const Run native = runCli({"backtest", "--data", kEurusd, "--symbol", "EURUSD", "--strategy", "ema_crossover",
                                   "--params", params, "--json", dir.filePath("native.json")});
        QVERIFY2(native.exitCode == 0, qPrintable(native.err));
        const QJsonObject p = readJson(dir.filePath("py.json"));
        const QJsonObject n = readJson(dir.filePath("native.json"));
        QVERIFY(n.value("trades").toArray().size() > 100);
        QCOMPARE(p.value("trades"), n.value("trades"));
        QCOMPARE(p.value("stats"), n.value("stats"));
        QVERIFY(python.out.contains("Total Net Profit"));
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("code");
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("syntax error") << QByteArray("import botdesk as bd\nclass S(bd.Strategy)\n    pass\n") << QStringList{} << 2
                                      << QStringList{"s.py:2: SyntaxError: expected ':'"};
        QTest::newRow("bad parameter") << QByteArray("import botdesk as bd\nclass S(bd.Strategy):\n    n = bd.Int(5, min=1, max=9)\n    def on_bar(self, bar, ctx):\n        pass\n")
                                       << QStringList{"--params", R"({"n": 10})"} << 2
                                       << QStringList{"'n' is 10; it must be a whole number from 1 to 9"};
        QTest::newRow("exception on a bar") << QByteArray("import botdesk as bd\nclass S(bd.Strategy):\n    def on_bar(self, bar, ctx):\n        if ctx.bar_index == 10:\n            {}['missing']\n")
                                            << QStringList{} << 1
                                            << QStringList{"s.py:5: KeyError: 'missing' (in on_bar at bar 2024-01-01 22:10 UTC (index 10))", "Traceback"};
        QTest::newRow("both --strategy and --strategy-file") << QByteArray("x = 1\n") << QStringList{"--strategy", "ema_crossover"} << 2
                                                              << QStringList{"not both"};
    }
    void errors()
    {
        QFETCH(QByteArray, code);
        QFETCH(QStringList, extra);
        QFETCH(int, exitCode);
        QFETCH(QStringList, expected);
        QTemporaryDir dir;
        const QString file = writeFile(dir, "s.py", code);
        QVERIFY(!file.isEmpty());
        const Run r = runCli(QStringList{"backtest", "--data", kEurusd, "--symbol", "EURUSD", "--strategy-file", file} + extra);
        QCOMPARE(r.exitCode, exitCode);
        for (const QString &part : expected)
            QVERIFY2(r.err.contains(part), qPrintable(r.err));
    }

    // botdesk-cli gives the strategy its bars: ctx.history() works from the command line.
    void historyFromTheCommandLine()
    {
        QTemporaryDir dir;
        const QString file = writeFile(dir, "h.py",
                                       "import botdesk as bd\nclass H(bd.Strategy):\n    def on_bar(self, bar, ctx):\n"
                                       "        h = ctx.history(3)\n"
                                       "        assert h['time'][-1] == bar.time and len(h) == min(3, ctx.bar_index + 1)\n");
        const Run r = runCli({"backtest", "--data", kEurusd, "--symbol", "EURUSD", "--strategy-file", file});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }

    void notAPythonFile()
    {
        const Run r = runCli({"backtest", "--data", kEurusd, "--symbol", "EURUSD", "--strategy-file", "/nonexistent/s.txt"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("'/nonexistent/s.txt' is not a Python strategy file"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliPython)
#include "tst_clipython.moc"
