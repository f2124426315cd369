// botdesk-cli: headless entry point.
//   botdesk-cli backtest --data FILE --symbol EURUSD --strategy ema_crossover [--params JSON|@file.json]
//                        [--json OUT.json] [--deposit 10000] [--spread POINTS] [--slippage POINTS]
//                        [--commission PER_LOT_PER_DEAL] [--symbols FILE] [--server-utc-offset SECONDS]
//   botdesk-cli strategies      lists built-in strategies and their default parameters
//   botdesk-cli symbols         lists the symbol catalogue
// Exit codes: 0 success, 1 the run failed (bad data, bad parameters, I/O), 2 usage error.

#include "barcache.h"
#include "barloader.h"
#include "backtestengine.h"
#include "logging.h"
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

int fail(const QString &message, int code = kExitFailure)
{
    err() << "botdesk-cli: " << message << Qt::endl;
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

Result<double> parseNumber(const QCommandLineParser &parser, const QString &option, double fallback)
{
    if (!parser.isSet(option))
        return fallback;
    bool ok = false;
    const double v = parser.value(option).toDouble(&ok);
    if (!ok)
        return makeError(QStringLiteral("--%1 '%2' is not a number").arg(option, parser.value(option)));
    return v;
}

Result<SymbolCatalog> catalogFor(const QCommandLineParser &parser)
{
    return parser.isSet(QStringLiteral("symbols")) ? SymbolCatalog::fromFile(parser.value(QStringLiteral("symbols")))
                                                   : SymbolCatalog::builtin();
}

int runBacktestCommand(const QCommandLineParser &parser)
{
    for (const char *required : {"data", "symbol", "strategy"}) {
        if (!parser.isSet(QString::fromLatin1(required)))
            return fail(QStringLiteral("backtest needs --%1 (see --help)").arg(QLatin1String(required)), kExitUsage);
    }
    auto params = parseParams(parser.value(QStringLiteral("params")));
    if (!params)
        return fail(params.error().message, kExitUsage);

    BacktestConfig config;
    auto deposit = parseNumber(parser, QStringLiteral("deposit"), config.initialDeposit);
    auto spread = parseNumber(parser, QStringLiteral("spread"), config.spreadPoints);
    auto slippage = parseNumber(parser, QStringLiteral("slippage"), config.slippagePoints);
    auto commission = parseNumber(parser, QStringLiteral("commission"), config.commissionPerLot);
    auto offset = parseNumber(parser, QStringLiteral("server-utc-offset"), 0.0);
    for (const Result<double> *r : {&deposit, &spread, &slippage, &commission, &offset}) {
        if (!*r)
            return fail(r->error().message, kExitUsage);
    }
    config.initialDeposit = *deposit;
    config.spreadPoints = int(*spread);
    config.slippagePoints = *slippage;
    config.commissionPerLot = *commission;

    auto catalog = catalogFor(parser);
    if (!catalog)
        return fail(catalog.error().message);
    const QString symbolName = parser.value(QStringLiteral("symbol"));
    const SymbolSpec *symbol = catalog->find(symbolName);
    if (!symbol)
        return fail(QStringLiteral("unknown symbol '%1'; run 'botdesk-cli symbols' for the list or pass --symbols FILE")
                        .arg(symbolName));

    auto strategy = createStrategy(parser.value(QStringLiteral("strategy")), *params);
    if (!strategy)
        return fail(strategy.error().message, kExitUsage);

    QElapsedTimer timer;
    timer.start();
    BarLoadOptions loadOptions;
    loadOptions.serverUtcOffsetSeconds = qint64(*offset);
    const BarCache cache(BarCache::defaultDirectory());
    auto loaded = loadBarsCached(parser.value(QStringLiteral("data")), loadOptions, cache,
                                 parser.isSet(QStringLiteral("no-cache")) ? CacheUse::Bypass : CacheUse::ReadWrite);
    if (!loaded)
        return fail(loaded.error().message);
    const BarSeries &bars = loaded->bars;
    const qint64 loadMs = timer.restart();

    auto result = runBacktest(bars, *symbol, **strategy, config);
    if (!result)
        return fail(result.error().message);
    const qint64 runNs = timer.nsecsElapsed();

    out() << formatReportText(*result);
    out() << QStringLiteral("\nLoaded %1 bars in %2 ms; backtest ran in %3 ms (%4 bars/s)\n")
                 .arg(bars.size())
                 .arg(loadMs)
                 .arg(double(runNs) / 1e6, 0, 'f', 1)
                 .arg(runNs > 0 ? double(bars.size()) * 1e9 / double(runNs) : 0.0, 0, 'f', 0);
    out().flush();

    if (parser.isSet(QStringLiteral("json"))) {
        QSaveFile file(parser.value(QStringLiteral("json")));
        if (!file.open(QIODevice::WriteOnly))
            return fail(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
        file.write(QJsonDocument(backtestReportJson(*result, *params)).toJson(QJsonDocument::Indented));
        if (!file.commit())
            return fail(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
        out() << "Wrote " << file.fileName() << Qt::endl;
    }
    return 0;
}

int listStrategies()
{
    for (const StrategyInfo &info : builtinStrategies()) {
        out() << info.name << "  " << info.description << '\n'
              << "    defaults: " << QJsonDocument(info.defaultParams).toJson(QJsonDocument::Compact) << '\n';
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
                     .arg(s.name.leftJustified(8))
                     .arg(s.digits)
                     .arg(s.contractSize)
                     .arg(s.tickSize)
                     .arg(s.tickValue)
                     .arg(s.currencyProfit)
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
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("botdesk-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(BOTDESK_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("BotDesk headless tools: backtest | strategies | symbols"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("backtest, strategies or symbols"));
    parser.addOptions({
        {QStringLiteral("data"), QStringLiteral("Bar file: BotDesk CSV or MT5 export, optionally .gz."), QStringLiteral("file")},
        {QStringLiteral("symbol"), QStringLiteral("Symbol name from the catalogue, e.g. EURUSD."), QStringLiteral("name")},
        {QStringLiteral("strategy"), QStringLiteral("Strategy name (see 'strategies')."), QStringLiteral("name")},
        {QStringLiteral("params"), QStringLiteral("Strategy parameters as a JSON object, or @file.json."), QStringLiteral("json")},
        {QStringLiteral("json"), QStringLiteral("Write the full report (stats, trades, equity) to this JSON file."), QStringLiteral("file")},
        {QStringLiteral("deposit"), QStringLiteral("Initial deposit in USD (default 10000)."), QStringLiteral("money")},
        {QStringLiteral("spread"), QStringLiteral("Fixed spread in points (default: the data's, else the symbol's)."), QStringLiteral("points")},
        {QStringLiteral("slippage"), QStringLiteral("Adverse slippage per market/stop fill in points (default 0)."), QStringLiteral("points")},
        {QStringLiteral("commission"), QStringLiteral("Commission per lot per deal in USD (default 0)."), QStringLiteral("money")},
        {QStringLiteral("symbols"), QStringLiteral("Symbol catalogue JSON instead of the built-in one."), QStringLiteral("file")},
        {QStringLiteral("server-utc-offset"), QStringLiteral("MT5 export files: server time minus UTC in seconds."), QStringLiteral("seconds")},
        {QStringLiteral("no-cache"), QStringLiteral("Parse the data file even when the bar cache has it, and do not cache it.")},
        {QStringLiteral("log-level"), QStringLiteral("trace, debug, info, warn, error or off (default warn)."), QStringLiteral("level")},
    });
    parser.process(app);

    logging::setLevel(parser.isSet(QStringLiteral("log-level")) ? parser.value(QStringLiteral("log-level")).toStdString()
                                                                : std::string("warn"));
    const QStringList args = parser.positionalArguments();
    if (args.size() != 1)
        return fail(QStringLiteral("give one command: backtest, strategies or symbols (see --help)"), kExitUsage);
    const QString command = args.first();
    if (command == QLatin1String("backtest"))
        return runBacktestCommand(parser);
    if (command == QLatin1String("strategies"))
        return listStrategies();
    if (command == QLatin1String("symbols"))
        return listSymbols(parser);
    return fail(QStringLiteral("unknown command '%1': use backtest, strategies or symbols").arg(command), kExitUsage);
}
