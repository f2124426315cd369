// End-to-end: botdesk-cli on the real EURUSD M1 2024 data, and its errors on bad input.

#include "processrun.h"

#include <QtTest>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <cmath>

namespace {

const QString kCli = QStringLiteral(BOTDESK_CLI);
const QString kEurusd = QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz");

using Run = ProcessRun;

Run runCli(const QStringList &args, const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    return runProcess(kCli, args, environment);
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void emaCrossoverOnRealEurusdYear()
    {
        QTemporaryDir dir;
        const QString json = dir.filePath("report.json");
        const Run r = runCli({"backtest", "--data", kEurusd, "--symbol", "EURUSD", "--strategy", "ema_crossover",
                              "--params", R"({"fast": 12, "slow": 26, "atr_period": 14, "sl_atr_mult": 2, "rr": 2, "risk_percent": 1})",
                              "--commission", "3.5", "--json", json});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("Total Net Profit"));
        QVERIFY(r.out.contains("Equity Drawdown Maximal"));

        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject report = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(report["format"].toString(), QString("botdesk.backtest.v1"));
        QCOMPARE(report["bars"].toInteger(), qint64(372379));
        QCOMPARE(report["first_bar_time_ms"].toInteger(), qint64(1704146400000));
        const QJsonObject stats = report["stats"].toObject();
        const QJsonArray trades = report["trades"].toArray();
        QVERIFY2(trades.size() > 100, "a year of M1 EMA crossovers trades hundreds of times");
        QCOMPARE(stats["total_trades"].toInt(), int(trades.size()));
        QCOMPARE(stats["total_deals"].toInt(), 2 * int(trades.size()));

        // Cross-checks of the trade list against the report and the fill rules.
        double net = 0;
        int wins = 0;
        qint64 previousClose = 0;
        QSet<QString> reasons;
        for (const QJsonValue &v : trades) {
            const QJsonObject t = v.toObject();
            const bool buy = t["type"].toString() == "BUY";
            const double open = t["open_price"].toDouble(), close = t["close_price"].toDouble();
            const double sl = t["sl"].toDouble(), tp = t["tp"].toDouble();
            const QString reason = t["close_reason"].toString();
            reasons.insert(reason);
            net += t["net_profit"].toDouble();
            wins += t["net_profit"].toDouble() > 0 ? 1 : 0;
            QVERIFY(t["volume"].toDouble() >= 0.01 - 1e-9);
            QVERIFY(std::abs(std::round(t["volume"].toDouble() / 0.01) * 0.01 - t["volume"].toDouble()) < 1e-9);
            QVERIFY(t["close_time_ms"].toInteger() >= t["open_time_ms"].toInteger());
            QVERIFY(t["close_time_ms"].toInteger() >= previousClose);
            previousClose = t["close_time_ms"].toInteger();
            // 3.5 per lot on each deal, each deal's commission rounded to cents.
            QVERIFY(std::abs(t["commission"].toDouble() + 2 * 3.5 * t["volume"].toDouble()) <= 0.01 + 1e-9);
            QVERIFY(std::abs(t["profit"].toDouble() * 100 - std::round(t["profit"].toDouble() * 100)) < 1e-6);
            QVERIFY(sl > 0);  // ema_crossover always sets a stop
            QVERIFY(buy ? sl < open : sl > open);
            QVERIFY(buy ? tp > open : tp < open);
            // rr = 2: the TP is twice the stop distance away from the fill (within a point of rounding).
            QVERIFY2(std::abs(std::abs(tp - open) - 2 * std::abs(open - sl)) <= 0.0000101,
                     qPrintable(QString("ticket %1").arg(t["ticket"].toInteger())));
            if (reason == "SL_HIT")  // at the stop, or worse after a gap
                QVERIFY(buy ? close <= sl + 1e-9 : close >= sl - 1e-9);
            if (reason == "TP_HIT")  // at the target, or better after a gap
                QVERIFY(buy ? close >= tp - 1e-9 : close <= tp + 1e-9);
        }
        QVERIFY(std::abs(net - stats["total_net_profit"].toDouble()) < 1e-6);
        QVERIFY(std::abs(stats["final_balance"].toDouble() - 10000.0 - net) < 1e-6);
        QCOMPARE(stats["profit_trades"].toInt(), wins);
        QVERIFY(reasons.contains("SL_HIT"));
        QVERIFY(reasons.contains("TP_HIT"));
        QVERIFY(reasons.contains("STRATEGY_EXIT"));
        QVERIFY(stats["equity_drawdown_maximal"].toDouble() > 0);
        QVERIFY(stats["equity_drawdown_maximal"].toDouble() >= stats["balance_drawdown_maximal"].toDouble() - 1e-6);
        const QJsonArray curve = report["equity_curve"].toArray();
        QVERIFY(curve.size() > 100 && curve.size() <= 2000);
        QVERIFY(std::abs(curve.last().toArray().at(1).toDouble() - stats["final_balance"].toDouble()) < 1e-6);
    }

    void boxBreakoutOnRealEurusdYear()
    {
        const Run r = runCli({"backtest", "--data", kEurusd, "--symbol", "EURUSD", "--strategy", "box_breakout"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("Total Trades"));
    }

    void badInputGivesClearErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        const QStringList base{"backtest", "--data", kEurusd, "--symbol", "EURUSD", "--strategy", "ema_crossover"};
        QTest::newRow("fast >= slow") << (base + QStringList{"--params", R"({"fast": 30, "slow": 20})"}) << 2
                                      << "'fast' (30) must be below 'slow' (20)";
        QTest::newRow("unknown param") << (base + QStringList{"--params", R"({"fsat": 3})"}) << 2
                                       << "'fsat' is not a parameter of ema_crossover";
        QTest::newRow("wrong type") << (base + QStringList{"--params", R"({"rr": "two"})"}) << 2
                                    << "parameter 'rr' is \"two\"";
        QTest::newRow("bad json") << (base + QStringList{"--params", "{fast: 1"}) << 2 << "not valid JSON";
        QTest::newRow("unknown strategy")
            << QStringList{"backtest", "--data", kEurusd, "--symbol", "EURUSD", "--strategy", "nope"} << 2
            << "--strategy 'nope' is not a known strategy; choose one of: ema_crossover, box_breakout";
        QTest::newRow("unknown symbol")
            << QStringList{"backtest", "--data", kEurusd, "--symbol", "EURUSDX", "--strategy", "ema_crossover"} << 2
            << "--symbol 'EURUSDX' is not a known symbol; choose one of: EURUSD, ";
        QTest::newRow("missing file")
            << QStringList{"backtest", "--data", "/nonexistent/bars.csv", "--symbol", "EURUSD", "--strategy",
                           "ema_crossover"}
            << 1 << "/nonexistent/bars.csv";
        QTest::newRow("missing option") << QStringList{"backtest", "--symbol", "EURUSD"} << 2 << "--data";
        // Usage errors: all exit 2, never 1 (QCommandLineParser::process() would exit 1 on the first two).
        QTest::newRow("unknown option") << (base + QStringList{"--sprad", "5"}) << 2 << "Unknown option 'sprad'";
        QTest::newRow("missing option value") << (base + QStringList{"--spread"}) << 2
                                              << "Missing value after '--spread'";
        QTest::newRow("bad log level") << QStringList{"strategies", "--log-level", "bogus"} << 2
                                       << "--log-level 'bogus' is not a known log level; choose one of: trace, debug, "
                                          "info, warn, error, off";
        QTest::newRow("empty log level") << QStringList{"strategies", "--log-level", ""} << 2
                                         << "--log-level '' is not a known log level";
        QTest::newRow("unknown command") << QStringList{"backtset"} << 2 << "unknown command 'backtset'";
        QTest::newRow("two commands") << QStringList{"symbols", "strategies"} << 2
                                      << "give one command: backtest, backtests, bots, accounts, live, strategies, symbols or db (got 'symbols', 'strategies'";
        QTest::newRow("no command") << QStringList{} << 2 << "(got none;";
        // db: usage errors before any database is touched.
        QTest::newRow("db without command") << QStringList{"db"} << 2 << "db needs a command: status, start, stop or migrate";
        QTest::newRow("db unknown command") << QStringList{"db", "strat"} << 2
                                            << "unknown db command 'strat': use status, start, stop or migrate";
        QTest::newRow("db two commands") << QStringList{"db", "start", "stop"} << 2
                                         << "db takes one command (status, start, stop or migrate), got 'start', 'stop'";
        QTest::newRow("db start on a server") << QStringList{"db", "start", "--db", "postgresql://alice:hunter2@db.example.com/botdesk"}
                                              << 2
                                              << "'db start' manages BotDesk's local database, but the database is "
                                                 "postgresql://alice:****@db.example.com/botdesk (from --db), a server BotDesk "
                                                 "does not start; drop --db / BOTDESK_DB_URL, or give --db local";
        QTest::newRow("db stop on a server") << QStringList{"db", "stop", "--db", "postgresql://h/d"} << 2 << "does not stop";
        QTest::newRow("--db not a URL") << QStringList{"db", "status", "--db", "postgres:/x"} << 2
                                        << "--db 'postgres:/x' is not a PostgreSQL URL; give e.g. postgresql://user@host:5432/dbname";
        QTest::newRow("--db checked for any command") << QStringList{"strategies", "--db", "postgresql://u:hunter2@h:0/d"} << 2
                                                      << "--db 'postgresql://u:****@h:0/d' has port '0'";
        QTest::newRow("--db empty") << QStringList{"db", "migrate", "--db", ""} << 2 << "--db is empty";
        // Numbers: taken exactly as written or refused, naming the option, the value and the range (never cast,
        // clamped or defaulted: 2.7 was 2, -0.5 was 0, 1e308 was -2147483648 points, nan offsets were 0).
        const QString points = "give a whole number of points from 0 to 100000";
        const QString offsetRange = "give a whole number of seconds from -50400 to 50400";
        const QString commission = "give an amount of money in the deposit currency per lot per deal from 0 to 1000000";
        const QString deposit = "give an amount of money in the deposit currency above 0 and at most 1000000000000";
        const struct { const char *option, *value, *problem; QString fix; } numbers[] = {
            {"spread", "2.7", "is not a whole number of points", points},
            {"spread", "-0.5", "is out of range", points},
            {"spread", "1e308", "is out of range", points},
            {"spread", "1e400", "is out of range", points},
            {"spread", "100001", "is out of range", points},
            {"spread", "nan", "is not a finite number", points},
            {"spread", "abc", "is not a number", points},
            {"spread", " 5", "is not a number", points},
            {"spread", "0x10", "is not a number", points},
            {"spread", "", "is empty", points},
            {"slippage", "150000", "is out of range", points},
            {"slippage", "1.5", "is not a whole number of points", points},
            {"slippage", "-1", "is out of range", points},
            {"commission", "1e308", "is out of range", commission},
            {"commission", "-0.01", "is out of range", commission},
            {"commission", "inf", "is not a finite number", commission},
            {"deposit", "nan", "is not a finite number", deposit},
            {"deposit", "0", "is out of range", deposit},
            {"deposit", "-1", "is out of range", deposit},
            {"deposit", "1e13", "is out of range", deposit},
            {"deposit", "1,000", "is not a number", deposit},
            {"server-utc-offset", "nan", "is not a finite number", offsetRange},
            {"server-utc-offset", "1e308", "is out of range", offsetRange},
            {"server-utc-offset", "3000000000", "is out of range", offsetRange},
            {"server-utc-offset", "-50401", "is out of range", offsetRange},
            {"server-utc-offset", "7200.5", "is not a whole number of seconds", offsetRange},
        };
        for (const auto &n : numbers) {
            QTest::addRow("--%s %s", n.option, n.value)
                << (base + QStringList{QStringLiteral("--%1").arg(n.option), n.value}) << 2
                << QStringLiteral("--%1 '%2' %3; ").arg(n.option, n.value, n.problem) + n.fix;
        }
    }

    void badInputGivesClearErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Run r = runCli(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY2(!r.err.contains("hunter2"), qPrintable(r.err));
    }

    // botdesk-cli db status|start|stop|migrate on BotDesk's local database, in a BOTDESK_HOME of this test's own
    // (the cluster it starts is stopped at the end, whatever happens).
    void dbCommandsManageTheLocalDatabase()
    {
        QTemporaryDir home(QStringLiteral("/tmp/botdesk-clihome-XXXXXX"));
        QVERIFY(home.isValid());
        QFile::setPermissions(home.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                               | QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther
                                               | QFileDevice::ExeOther);  // reachable by 'postgres' when we are root
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("BOTDESK_HOME", home.path());
        env.remove("BOTDESK_DB_URL");
        struct StopAtEnd {
            QProcessEnvironment env;
            ~StopAtEnd() { runCli({"db", "stop"}, env); }
        } stopAtEnd{env};
        const QString data = home.path() + "/postgres/data";

        const Run fresh = runCli({"db", "status"}, env);
        QVERIFY2(fresh.exitCode == 0, qPrintable(fresh.err));
        QVERIFY2(fresh.out.startsWith("database: BotDesk's local database\n  data:   " + data + "\n"), qPrintable(fresh.out));
        QVERIFY2(fresh.out.contains("server:   not created yet"), qPrintable(fresh.out));
        QVERIFY(!QFileInfo::exists(data));  // status creates nothing

        // Two processes start it at the same moment: the lock file makes one create it, the other find it running.
        QProcess first, second;
        for (QProcess *p : {&first, &second}) {
            p->setProcessEnvironment(env);
            p->start(kCli, {"db", "start"});
        }
        QVERIFY(first.waitForFinished(120000) && second.waitForFinished(120000));
        QCOMPARE(first.exitCode(), 0);
        QCOMPARE(second.exitCode(), 0);
        const QString both = QString::fromUtf8(first.readAllStandardOutput() + second.readAllStandardOutput());
        QCOMPARE(both.count("created and started BotDesk's local database (pid "), 1);
        QCOMPARE(both.count("BotDesk's local database is already running (pid "), 1);

        const Run running = runCli({"db", "status"}, env);
        QVERIFY2(running.exitCode == 0, qPrintable(running.err));
        QVERIFY2(running.out.contains(QRegularExpression("server:   running \\(pid [0-9]+, ready\\)")), qPrintable(running.out));
        QVERIFY2(running.out.contains("schema:   empty (this BotDesk needs version 5): run 'botdesk-cli db migrate'"),
                 qPrintable(running.out));

        const Run migrated = runCli({"db", "migrate"}, env);
        QVERIFY2(migrated.exitCode == 0, qPrintable(migrated.err));
        QVERIFY2(migrated.out.contains("from schema version 0 to 5 (0001_bots_versions_backtests, 0002_order_outbox, 0003_live, 0004_live_run_bars, "
                                                  "0005_signal_decisions)"), qPrintable(migrated.out));
        const Run again = runCli({"db", "migrate", "--db", "local"}, env);
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QVERIFY2(again.out.contains("is at schema version 5, up to date"), qPrintable(again.out));
        const Run current = runCli({"db", "status"}, env);
        QVERIFY2(current.out.contains("schema:   version 5, up to date"), qPrintable(current.out));

        // BOTDESK_DB_URL, when set, is the database; 'db start' then refuses, --db local overrides it.
        QProcessEnvironment remote = env;
        remote.insert("BOTDESK_DB_URL", "postgresql://bob:hunter2@/botdesk?host=" + home.path() + "/nothing-here");
        const Run unreachable = runCli({"db", "status"}, remote);
        QCOMPARE(unreachable.exitCode, 1);
        QVERIFY2(unreachable.out.contains("server:   unreachable"), qPrintable(unreachable.out));
        QVERIFY2(unreachable.err.contains("botdesk-cli: cannot reach the BotDesk database at postgresql://bob:****@/botdesk?host="),
                 qPrintable(unreachable.err));
        QVERIFY2(unreachable.err.contains("fix the URL (BOTDESK_DB_URL)"), qPrintable(unreachable.err));
        QVERIFY(!unreachable.err.contains("hunter2") && !unreachable.out.contains("hunter2"));
        QCOMPARE(runCli({"db", "start"}, remote).exitCode, 2);
        const Run overridden = runCli({"db", "status", "--db", "local"}, remote);
        QVERIFY2(overridden.exitCode == 0 && overridden.out.contains("schema:   version 5, up to date"), qPrintable(overridden.out));
        remote.insert("BOTDESK_DB_URL", "mysql://x");
        const Run badEnvironment = runCli({"db", "status"}, remote);
        QCOMPARE(badEnvironment.exitCode, 2);
        QVERIFY2(badEnvironment.err.contains("BOTDESK_DB_URL 'mysql://x' is not a PostgreSQL URL"), qPrintable(badEnvironment.err));
        QCOMPARE(runCli({"strategies"}, remote).exitCode, 0);  // commands without a database ignore it

        const Run stopped = runCli({"db", "stop"}, env);
        QVERIFY2(stopped.exitCode == 0, qPrintable(stopped.err));
        QVERIFY2(stopped.out.startsWith("stopped BotDesk's local database (pid "), qPrintable(stopped.out));
        const Run after = runCli({"db", "status"}, env);
        QVERIFY2(after.exitCode == 0 && after.out.contains("server:   stopped"), qPrintable(after.out));
        const Run stoppedAgain = runCli({"db", "stop"}, env);
        QVERIFY2(stoppedAgain.exitCode == 0 && stoppedAgain.out.contains("is not running"), qPrintable(stoppedAgain.out));
    }

    // The accepted syntax (exponent, leading '.', trailing ".0", "-0") and the range ends reach the run unchanged.
    void numbersInRangeAreTakenAsWritten()
    {
        QTemporaryDir dir;
        const QString json = dir.filePath("report.json");
        const Run r = runCli({"backtest", "--data", kEurusd, "--symbol", "EURUSD", "--strategy", "ema_crossover",
                              "--deposit", "2.5e4", "--spread", "1.5e1", "--slippage", "2.0", "--commission", ".5",
                              "--server-utc-offset", "-50400", "--json", json});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject report = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(report["stats"].toObject()["initial_deposit"].toDouble(), 25000.0);
        const QJsonArray trades = report["trades"].toArray();
        QVERIFY(!trades.isEmpty());
        for (const QJsonValue &v : trades) {
            const QJsonObject t = v.toObject();
            QVERIFY(std::abs(t["commission"].toDouble() + 2 * 0.5 * t["volume"].toDouble()) <= 0.01 + 1e-9);
        }
        QCOMPARE(runCli({"backtest", "--data", "/nonexistent.csv", "--symbol", "EURUSD", "--strategy", "ema_crossover",
                         "--spread", "0", "--slippage", "100000", "--commission", "1e6", "--deposit", "1e12",
                         "--server-utc-offset", "50400"})
                     .exitCode,
                 1);  // every value accepted: the run gets as far as the missing file
        const Run minusZero = runCli({"backtest", "--data", "/nonexistent.csv", "--symbol", "EURUSD", "--strategy",
                                      "ema_crossover", "--spread", "-0", "--server-utc-offset", "-0"});
        QCOMPARE(minusZero.exitCode, 1);
        QVERIFY2(minusZero.err.contains("/nonexistent.csv"), qPrintable(minusZero.err));
    }

    void helpAndVersionExit0()
    {
        const Run help = runCli({"--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("--server-utc-offset"));
        const Run version = runCli({"--version"});
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.startsWith("botdesk-cli "));
        const Run level = runCli({"strategies", "--log-level", "DEBUG"});  // case-insensitive
        QCOMPARE(level.exitCode, 0);
    }

    // Values echoed in messages show invisible characters as escapes; none reach the terminal raw.
    void messagesEscapeInvisibleCharacters_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("exitCode");
        const QStringList base{"backtest", "--data", kEurusd};
        QTest::newRow("control character in symbol")
            << (base + QStringList{"--symbol", QStringLiteral("EUR\x01USD"), "--strategy", "ema_crossover"})
            << R"(--symbol 'EUR\x01USD' is not a known symbol)" << 2;
        QTest::newRow("terminal escape in strategy")
            << (base + QStringList{"--symbol", "EURUSD", "--strategy", QStringLiteral("\x1b[31mema\x1b[0m")})
            << R"(--strategy '\x1B[31mema\x1B[0m' is not a known strategy)" << 2;
        QTest::newRow("zero-width space and bidi override in log level")
            << QStringList{"strategies", "--log-level", QStringLiteral("warn\u200B\u202E")}
            << R"(--log-level 'warn\u200B\u202E' is not a known log level)" << 2;
        QTest::newRow("typed backslash stays distinguishable")
            << (base + QStringList{"--symbol", QStringLiteral("EUR\\x01USD"), "--strategy", "ema_crossover"})
            << R"(--symbol 'EUR\\x01USD' is not a known symbol)" << 2;
        QTest::newRow("newline in command") << QStringList{QStringLiteral("sym\nbols")} << R"(unknown command 'sym\x0Abols')" << 2;
        QTest::newRow("control character in missing file")
            << QStringList{"backtest", "--data", QStringLiteral("/nonexistent/a\x07" "b.csv"), "--symbol", "EURUSD",
                           "--strategy", "ema_crossover"}
            << R"(/nonexistent/a\x07b.csv)" << 1;
    }

    void messagesEscapeInvisibleCharacters()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QFETCH(int, exitCode);
        const Run r = runCli(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        for (const QChar c : r.err) {
            const bool invisible = c != QLatin1Char('\n') && c != QLatin1Char(' ')
                                   && (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format
                                       || c.category() == QChar::Separator_Space);
            QVERIFY2(!invisible, qPrintable(QString("raw U+%1 in: %2").arg(c.unicode(), 4, 16, QChar('0')).arg(r.err)));
        }
    }

    // 'symbols --symbols FILE' with 100,000 symbols: hung before (a quadratic duplicate check). Time printed only.
    void listsAHundredThousandSymbols()
    {
        constexpr int kCount = 100000;
        QTemporaryDir dir;
        QFile file(dir.filePath("many.json"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"symbols\": [\n");
        for (int i = 0; i < kCount; ++i) {
            file.write(QStringLiteral(R"({"name": "S%1", "currency_base": "EUR", "currency_profit": "USD", "digits": 5, )"
                                      R"("point": 0.00001, "contract_size": 100000, "trade_tick_size": 0.00001, )"
                                      R"("trade_tick_value": 1.0, "volume_min": 0.01, "volume_step": 0.01, "volume_max": 100, )"
                                      R"("spread": %2}%3)")
                           .arg(i, 6, 10, QLatin1Char('0'))
                           .arg(i % 50)
                           .arg(i + 1 < kCount ? ",\n" : "\n")
                           .toUtf8());
        }
        file.write("]}\n");
        file.close();

        QElapsedTimer timer;
        timer.start();
        const Run r = runCli({"symbols", "--symbols", file.fileName()});
        const qint64 ms = timer.elapsed();
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), kCount);
        QVERIFY2(lines.first().startsWith("S000000 ") && lines.last().startsWith("S099999 "), qPrintable(lines.last()));
        QVERIFY2(lines.last().contains("spread 49 pts"), qPrintable(lines.last()));
        qInfo("botdesk-cli symbols with %d symbols: %lld ms", kCount, ms);

        // And a backtest finds the last one (case-insensitively) before failing on the missing data file.
        const Run b = runCli({"backtest", "--symbols", file.fileName(), "--symbol", "s099999", "--strategy", "ema_crossover",
                              "--data", "/nonexistent.csv"});
        QCOMPARE(b.exitCode, 1);
        QVERIFY2(b.err.contains("/nonexistent.csv") && !b.err.contains("symbol"), qPrintable(b.err));
    }

    void listsStrategiesAndSymbols()
    {
        const Run s = runCli({"strategies"});
        QCOMPARE(s.exitCode, 0);
        QVERIFY(s.out.contains("ema_crossover"));
        QVERIFY(s.out.contains("box_breakout"));
        QVERIFY(s.out.contains("\"sl_atr_mult\""));
        const Run y = runCli({"symbols"});
        QCOMPARE(y.exitCode, 0);
        QVERIFY(y.out.contains("EURUSD"));
        QVERIFY(y.out.contains("XAUUSD"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
