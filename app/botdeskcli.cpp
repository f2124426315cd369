// botdesk-cli: headless entry point.
//   botdesk-cli backtest --data FILE --symbol EURUSD --strategy ema_crossover [--params JSON|@file.json]
//   botdesk-cli backtest --data FILE --symbol EURUSD --strategy-file my_strategy.py [--params JSON|@file.json]
//                        (a Python strategy, docs/python-strategies.md)
//                        [--json OUT.json] [--deposit 10000] [--spread POINTS] [--slippage POINTS]
//                        [--commission PER_LOT_PER_DEAL] [--symbols FILE] [--server-utc-offset SECONDS]
//   botdesk-cli strategies      lists built-in strategies and the Python templates with their default parameters
//   botdesk-cli symbols         lists the symbol catalogue
//   botdesk-cli db status|start|stop|migrate [--db URL]   BotDesk's database (dbcommand.h, docs/database.md)
//   botdesk-cli bots list|create|new-version|versions|show ...   bots and their versions (botscommand.h)
//   botdesk-cli backtest --bot NAME[@HASH] ...; backtests list|show|rerun ...   stored runs (backtestscommand.h)
//   botdesk-cli accounts add|list|remove ...   the MT5 accounts live runs trade (accountscommand.h)
//   botdesk-cli live start|stop|resume|list|status|events|parity|serve ...   live runs through the database (livecommand.h)
// --db URL (any command; else BOTDESK_DB_URL, else BotDesk's local database) picks the PostgreSQL database.
// Exit codes: 0 success (also --help, --version), 1 the run failed (bad data, I/O), 2 usage error (unknown option or
// command, missing or invalid option value, unknown symbol or strategy, bad strategy parameters).
// Messages go to stderr; any value echoed in them has its invisible characters escaped (see displaytext.h).

#include "barcache.h"
#include "barloader.h"
#include "backtestengine.h"
#include "cliarguments.h"
#include "databaseurl.h"
#include "dbcommand.h"
#include "botscommand.h"
#include "accountscommand.h"
#include "backtestscommand.h"
#include "livecommand.h"
#include "displaytext.h"
#include "logging.h"
#include "pythonstrategyloader.h"
#include "reportjson.h"
#include "mt5report.h"
#include "strategyparams.h"
#include "strategyregistry.h"
#include "symbolspec.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>
#include <QTextStream>

#include <cstdio>

using namespace bd;

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}
QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

// Prints the message; whatever it quotes (a path, a file's content, an error from a lower layer) cannot put control
// or invisible characters on the user's terminal.
int fail(const QString &message, int code = kExitFailure)
{
    err() << "botdesk-cli: " << escapeForDisplay(message, EscapeMode::Message) << Qt::endl;
    return code;
}

Result<QJsonObject> parseParams(const QString &text)
{
    if (text.isEmpty())
        return QJsonObject{};
    QByteArray json = text.toUtf8();
    QString source = QStringLiteral("--params");
    if (text.startsWith(QLatin1Char('@'))) {
        QFile file(text.mid(1));
        if (!file.open(QIODevice::ReadOnly))
            return makeError(QStringLiteral("cannot read parameter file %1: %2").arg(file.fileName(), file.errorString()));
        json = file.readAll();
        source = file.fileName();
    }
    return parseStrategyParams(json, source);
}

// Parses `option` with `parse` into `target` when it is given; leaves `target` alone otherwise.
template <typename T, typename Parse>
Result<void> readOption(const QCommandLineParser &parser, const QString &option, Parse parse, T &target)
{
    if (!parser.isSet(option))
        return {};
    auto value = parse(parser.value(option));
    if (!value)
        return value.error();
    target = *value;
    return {};
}

Result<SymbolCatalog> catalogFor(const QCommandLineParser &parser)
{
    return parser.isSet(QStringLiteral("symbols")) ? SymbolCatalog::fromFile(parser.value(QStringLiteral("symbols")))
                                                   : SymbolCatalog::builtin();
}

int runBacktestCommand(const QCommandLineParser &parser, const QElapsedTimer &sinceStart, const std::string &logLevel)
{
    const bool pythonFile = parser.isSet(QStringLiteral("strategy-file"));
    if (pythonFile && parser.isSet(QStringLiteral("strategy")))
        return fail(QStringLiteral("give --strategy NAME (a built-in) or --strategy-file FILE.py (a Python strategy), "
                                   "not both"),
                    kExitUsage);
    for (const char *required : {"data", "symbol", pythonFile ? "strategy-file" : "strategy"}) {
        if (!parser.isSet(QString::fromLatin1(required)))
            return fail(QStringLiteral("backtest needs --%1 (see --help)").arg(QLatin1String(required)), kExitUsage);
    }
    auto params = parseParams(parser.value(QStringLiteral("params")));
    if (!params)
        return fail(params.error().message, kExitUsage);

    // Each number is taken exactly as written or refused (cliarguments.h gives the ranges).
    BacktestConfig config;
    BarLoadOptions loadOptions;
    for (const Result<void> &r :
         {readOption(parser, QStringLiteral("deposit"), parseDeposit, config.initialDeposit),
          readOption(parser, QStringLiteral("spread"), parseSpreadPoints, config.spreadPoints),
          readOption(parser, QStringLiteral("slippage"), parseSlippagePoints, config.slippagePoints),
          readOption(parser, QStringLiteral("commission"), parseCommissionPerLot, config.commissionPerLot),
          readOption(parser, QStringLiteral("server-utc-offset"), parseServerUtcOffsetSeconds,
                     loadOptions.serverUtcOffsetSeconds)}) {
        if (!r)
            return fail(r.error().message, kExitUsage);
    }

    auto catalog = catalogFor(parser);
    if (!catalog)
        return fail(catalog.error().message);
    auto found = symbolOption(*catalog, parser.value(QStringLiteral("symbol")));
    if (!found)
        return fail(found.error().message + QStringLiteral("; run 'botdesk-cli symbols' for the details, or pass --symbols FILE"),
                    kExitUsage);
    const SymbolSpec *symbol = *found;

    std::unique_ptr<Strategy> strategy;
    std::function<void(std::span<const Bar>)> giveBars;  // a Python strategy's ctx.history() views the run's bars
    if (pythonFile) {
        // A bad file or bad parameters are usage errors (exit 2), as for a built-in; the message holds the file,
        // the line and the traceback.
        auto loaded = loadPythonStrategyFile(parser.value(QStringLiteral("strategy-file")), *params, logLevel);
        if (!loaded)
            return fail(loaded.error().message, kExitUsage);
        *params = loaded->resolvedParams;
        strategy = std::move(loaded->strategy);
        giveBars = std::move(loaded->setBars);
    } else {
        const QString strategyName = parser.value(QStringLiteral("strategy"));
        if (auto known = strategyOption(strategyName); !known)
            return fail(known.error().message + QStringLiteral("; run 'botdesk-cli strategies' for their parameters"), kExitUsage);
        auto created = createStrategy(strategyName, *params);
        if (!created)
            return fail(created.error().message, kExitUsage);
        strategy = std::move(created).value();
    }

    QElapsedTimer timer;
    timer.start();
    const BarCache cache(BarCache::defaultDirectory());
    auto loaded = loadBarsCached(parser.value(QStringLiteral("data")), loadOptions, cache,
                                 parser.isSet(QStringLiteral("no-cache")) ? CacheUse::Bypass : CacheUse::ReadWrite);
    if (!loaded)
        return fail(loaded.error().message);
    const BarSeries &bars = loaded->bars;
    const qint64 loadNs = timer.nsecsElapsed();
    timer.restart();

    if (giveBars)
        giveBars(bars);
    BacktestControl control;
    // Only the JSON report writes the curve and the journal; the text report needs neither.
    control.keepEquityCurve = parser.isSet(QStringLiteral("json"));
    control.keepJournal = control.keepEquityCurve;
    auto result = runBacktest(bars, *symbol, *strategy, config, control);
    if (!result)
        return fail(result.error().message);
    const qint64 runNs = timer.nsecsElapsed();

    out() << formatReportText(*result);
    // Cold figures: this is a fresh process, so first touches of memory are included. bench/bench_backtest
    // gives the warm in-process engine figure, bench/bench_cli the whole process from start to report.
    out() << QStringLiteral("\nTiming (this process, cold): %1 %2 bars in %3 ms; backtest %4 ms (%5 M bars/s); "
                            "%6 ms since main() started\n")
                 .arg(loaded->fromCache ? QStringLiteral("mapped") : QStringLiteral("parsed"))
                 .arg(bars.size())
                 .arg(double(loadNs) / 1e6, 0, 'f', 1)
                 .arg(double(runNs) / 1e6, 0, 'f', 1)
                 .arg(runNs > 0 ? double(bars.size()) * 1e3 / double(runNs) : 0.0, 0, 'f', 1)
                 .arg(double(sinceStart.nsecsElapsed()) / 1e6, 0, 'f', 1);
    out().flush();

    if (parser.isSet(QStringLiteral("json"))) {
        QSaveFile file(parser.value(QStringLiteral("json")));
        if (!file.open(QIODevice::WriteOnly))
            return fail(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
        if (!writeBacktestReportJson(file, *result, *params) || !file.commit())
            return fail(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
        out() << "Wrote " << escapeForDisplay(file.fileName()) << Qt::endl;
    }
    return 0;
}

int listStrategies()
{
    for (const StrategyInfo &info : builtinStrategies()) {
        out() << info.name << "  " << info.description << '\n'
              << "    defaults: " << QJsonDocument(info.defaultParams).toJson(QJsonDocument::Compact) << '\n';
    }
    // The Python templates a bot can be made from (bots create NAME --template FILE.py); their defaults are what the
    // host reads from their declared parameters.
    auto templates = pythonTemplateTexts();
    if (!templates)
        return fail(QStringLiteral("the Python templates cannot be listed: %1").arg(templates.error().message));
    for (const PythonTemplateText &t : *templates) {
        auto loaded = loadPythonStrategySource(t.fileName, t.code, {}, "warn");
        if (!loaded)
            return fail(loaded.error().message);
        out() << t.fileName << "  Python template (botdesk-cli bots create NAME --template " << t.fileName << ")\n"
              << "    defaults: " << QJsonDocument(loaded->resolvedParams).toJson(QJsonDocument::Compact) << '\n';
    }
    return 0;
}

int listSymbols(const QCommandLineParser &parser)
{
    auto catalog = catalogFor(parser);
    if (!catalog)
        return fail(catalog.error().message);
    for (const SymbolSpec &s : catalog->symbols()) {
        out() << QStringLiteral("%1  digits %2  contract %3  tick %4 = %5 %6  volume %7..%8 step %9  spread %10 pts\n")
                     .arg(escapeForDisplay(s.name).leftJustified(8))
                     .arg(s.digits)
                     .arg(s.contractSize)
                     .arg(s.tickSize)
                     .arg(s.tickValue)
                     .arg(escapeForDisplay(s.currencyProfit))
                     .arg(s.volumeMin)
                     .arg(s.volumeMax)
                     .arg(s.volumeStep)
                     .arg(s.defaultSpreadPoints);
    }
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer sinceStart;
    sinceStart.start();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("botdesk-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(BOTDESK_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("BotDesk headless tools: backtest | strategies | symbols | "
                                                    "db status|start|stop|migrate"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("backtest, backtests, bots, accounts, live, strategies, symbols or db"));
    parser.addOptions({
        {QStringLiteral("data"), QStringLiteral("Bar file: BotDesk CSV or MT5 export, optionally .gz."), QStringLiteral("file")},
        {QStringLiteral("symbol"), QStringLiteral("Symbol name from the catalogue, e.g. EURUSD."), QStringLiteral("name")},
        {QStringLiteral("strategy"), QStringLiteral("Strategy name (see 'strategies')."), QStringLiteral("name")},
        {QStringLiteral("strategy-file"), QStringLiteral("A Python strategy file (docs/python-strategies.md) instead of "
                                                         "--strategy."), QStringLiteral("file.py")},
        {QStringLiteral("params"), QStringLiteral("Strategy parameters as a JSON object, or @file.json."), QStringLiteral("json")},
        {QStringLiteral("json"), QStringLiteral("Write the full report (stats, trades, equity) to this JSON file."), QStringLiteral("file")},
        {QStringLiteral("deposit"), QStringLiteral("Initial deposit in USD, above 0 and at most %1 (default 10000).")
                                        .arg(cliLimits::kMaxDeposit, 0, 'f', 0), QStringLiteral("money")},
        {QStringLiteral("spread"), QStringLiteral("Fixed spread in whole points 0..%1 (default: the data's, else the symbol's).")
                                       .arg(cliLimits::kMaxSpreadPoints), QStringLiteral("points")},
        {QStringLiteral("slippage"), QStringLiteral("Adverse slippage per market/stop fill in whole points 0..%1 (default 0).")
                                         .arg(cliLimits::kMaxSlippagePoints), QStringLiteral("points")},
        {QStringLiteral("commission"), QStringLiteral("Commission per lot per deal in USD, 0..%1 (default 0).")
                                           .arg(cliLimits::kMaxCommissionPerLot, 0, 'f', 0), QStringLiteral("money")},
        {QStringLiteral("symbols"), QStringLiteral("Symbol catalogue JSON instead of the built-in one."), QStringLiteral("file")},
        {QStringLiteral("server-utc-offset"), QStringLiteral("MT5 export files: server time minus UTC in whole seconds, "
                                                             "-%1..%1 (default 0). accounts add: the trade server's "
                                                             "clock minus UTC in hours, -12..14 (default 0).")
                                                  .arg(cliLimits::kMaxServerUtcOffsetSeconds),
         QStringLiteral("seconds")},
        {QStringLiteral("no-cache"), QStringLiteral("Parse the data file even when the bar cache has it, and do not cache it.")},
        {QStringLiteral("log-level"), QStringLiteral("trace, debug, info, warn, error or off (default warn)."), QStringLiteral("level")},
        {QStringLiteral("db"), QStringLiteral("BotDesk's database: postgresql://user@host:5432/dbname?sslmode=verify-full, "
                                              "or 'local' (default: BOTDESK_DB_URL, else BotDesk's local database)."),
         QStringLiteral("url")},
       });
    addStoreOptions(parser);
    addAccountsOptions(parser);
    addLiveOptions(parser);
    // parse(), not process(): process() exits 1 on an unknown option or a missing value, and this is a usage error.
    if (!parser.parse(QCoreApplication::arguments()))
        return fail(QStringLiteral("%1 Run 'botdesk-cli --help' for the options.").arg(parser.errorText()), kExitUsage);
    // The parse succeeded, so process() only prints the help or the version and exits 0.
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all")) || parser.isSet(QStringLiteral("version")))
        parser.process(app);

    std::string logLevel = "warn";
    if (parser.isSet(QStringLiteral("log-level"))) {
        auto level = parseLogLevel(parser.value(QStringLiteral("log-level")));
        if (!level)
            return fail(level.error().message, kExitUsage);
        logLevel = *level;
    }
    logging::setLevel(logLevel);
    // A --db given to any command must be a database URL; BOTDESK_DB_URL is read only by the commands that use it.
    const std::optional<QString> dbOption =
        parser.isSet(QStringLiteral("db")) ? std::optional<QString>(parser.value(QStringLiteral("db"))) : std::nullopt;
    if (dbOption) {
        if (auto checked = resolveDatabaseTarget(dbOption); !checked)
            return fail(checked.error().message, kExitUsage);
    }
    const QStringList args = parser.positionalArguments();
    if (args.value(0) == QLatin1String("bots") || args.value(0) == QLatin1String("backtests")
        || (args.value(0) == QLatin1String("backtest") && parser.isSet(QStringLiteral("bot")))) {
        const CliOutcome outcome = args.value(0) == QLatin1String("bots") ? runBotsCommand(args.mid(1), parser, out())
                                   : args.value(0) == QLatin1String("backtests")
                                       ? runBacktestsCommand(args.mid(1), parser, out())
                                       : args.size() == 1 ? runBotBacktest(parser, out())
                                                          : cliFailure(QStringLiteral("backtest takes no argument"), kExitUsage);
        out().flush();
        return outcome.exitCode == 0 ? 0 : fail(outcome.error, outcome.exitCode);
    }
    if (args.value(0) == QLatin1String("accounts")) {
        const CliOutcome outcome = runAccountsCommand(args.mid(1), parser, out());
        out().flush();
        return outcome.exitCode == 0 ? 0 : fail(outcome.error, outcome.exitCode);
    }
    if (args.value(0) == QLatin1String("live")) {
        const CliOutcome outcome = runLiveCommand(args.mid(1), parser, out());
        out().flush();
        return outcome.exitCode == 0 ? 0 : fail(outcome.error, outcome.exitCode);
    }
    if (args.value(0) == QLatin1String("db")) {
        auto target = resolveDatabaseTarget(dbOption);
        if (!target)
            return fail(target.error().message, kExitUsage);
        const DbCommandOutcome outcome = runDbCommand(args.mid(1), *target, out());
        return outcome.exitCode == 0 ? 0 : fail(outcome.error, outcome.exitCode);
    }
    if (args.size() != 1) {
        QStringList given;
        for (const QString &a : args)
            given << QLatin1Char('\'') + escapeForDisplay(a) + QLatin1Char('\'');
        return fail(QStringLiteral("give one command: backtest, backtests, bots, accounts, live, strategies, symbols or db (got %1; see --help)")
                        .arg(given.isEmpty() ? QStringLiteral("none") : given.join(QStringLiteral(", "))),
                    kExitUsage);
    }
    const QString command = args.first();
    if (command == QLatin1String("backtest"))
        return runBacktestCommand(parser, sinceStart, logLevel);
    if (command == QLatin1String("strategies"))
        return listStrategies();
    if (command == QLatin1String("symbols"))
        return listSymbols(parser);
    return fail(QStringLiteral("unknown command '%1': use backtest, backtests, bots, accounts, live, strategies, symbols or db").arg(escapeForDisplay(command)),
                kExitUsage);
}
