#include "backtestscommand.h"

#include "backtestjson.h"
#include "barcache.h"
#include "botscommand.h"
#include "botstrategy.h"
#include "cliarguments.h"
#include "displaytext.h"
#include "jsontext.h"
#include "reportformat.h"
#include "engineversion.h"
#include "filesha256.h"
#include "mt5report.h"
#include "runrecordjson.h"
#include "strategyregistry.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

namespace bd {

namespace {

const QString kCommands = QStringLiteral("list, show or rerun");
constexpr int kDefaultListLimit = 50;

QString shown(const QString &text)
{
    return escapeForDisplay(text);
}

// A Python bot's code runs through the embedded host (its errors surface when it loads); a bot made from a
// built-in runs only this binary's own built-in code.
Result<void> checkRunnable(const Bot &bot, const BotVersion &version)
{
    if (isPythonTemplate(bot.strategyTemplate))
        return {};
    auto builtin = builtinStrategySource(bot.strategyTemplate);
    if (builtin && *builtin == version.code)
        return {};
    return makeError(QStringLiteral("version %1 of bot '%2' holds code that is not this BotDesk's built-in '%3' (edited "
                                    "code, or the built-in of another BotDesk build), and this BotDesk runs only its "
                                    "own built-ins for such a bot. Backtest a version with this build's code "
                                    "(botdesk-cli bots create NEW --template %3), or put code of your own in a bot made "
                                    "from a Python template (botdesk-cli bots create NEW --template "
                                    "ema_crossover_v1.py, then bots new-version NEW --code FILE.py)")
                         .arg(shortHash(version.codeHash), bot.name, bot.strategyTemplate));
}

struct RunInputs {
    Bot bot;
    BotVersion version;
    QJsonObject params;          // as stored with the version, or a stored run's resolved ones
    SymbolSpec spec;
    BacktestConfig config;
    QString dataPath;            // absolute
    QString dataSha256;
    QString label;
    QUuid rerunOf;
    bool useCache = true;
};

// Runs `in` and returns the record of the run (status completed; id new), not yet saved.
Result<BacktestRunRecord> execute(const RunInputs &in)
{
    BacktestRunRecord r;
    r.id = QUuid::createUuid();
    r.versionId = in.version.id;
    r.rerunOf = in.rerunOf;
    r.label = in.label;
    r.config = in.config;
    r.symbol = in.spec.name;
    r.symbolSpec = in.spec;
    r.dataPath = in.dataPath;
    r.dataSha256 = in.dataSha256;
    r.engineVersion = engineVersion();
    r.startedAtMs = QDateTime::currentMSecsSinceEpoch();
    QElapsedTimer timer;
    timer.start();

    // The version's own code (a Python bot's from the store, never a file on disk) with the parameters.
    auto strategy = loadVersionStrategy(in.bot.strategyTemplate, in.version.code,
                                        versionCodeName(in.bot.name, in.version.codeHash), in.params);
    if (!strategy)
        return makeError(QStringLiteral("version %1 of bot '%2': %3")
                             .arg(shortHash(in.version.codeHash), in.bot.name, strategy.error().message));
    r.params = strategy->resolvedParams;
    const BarCache cache(BarCache::defaultDirectory());
    auto loaded = loadBarsCached(in.dataPath, BarLoadOptions{}, cache, in.useCache ? CacheUse::ReadWrite : CacheUse::Bypass);
    if (!loaded)
        return loaded.error();
    strategy->setBars(loaded->bars);
    BacktestControl control;
    control.keepEquityCurve = true;
    control.keepJournal = false;
    auto result = runBacktest(loaded->bars, in.spec, *strategy->strategy, in.config, control);
    if (!result)
        return result.error();
    recordOutcome(r, std::move(*result));
    r.durationMs = timer.elapsed();
    return r;
}

// The report of a stored run, as the text report shows it.
BacktestResult reportOf(const BacktestRunRecord &r, const QString &strategy)
{
    BacktestResult result;
    result.symbol = r.symbol;
    result.strategy = strategy;
    result.config = r.config;
    result.firstBarTimeMs = r.fromMs;
    result.lastBarTimeMs = r.toMs;
    result.barsProcessed = r.bars;
    result.cancelled = r.status == RunStatus::Cancelled;
    result.trades = r.trades;
    result.stats = r.stats;
    result.rejectedOrders = r.rejectedOrders;
    result.warnings = r.warnings;
    return result;
}

// Test hook (backtestscommand.h): wait for a line on stdin before saving.
void holdBeforeSaveForTests(const BacktestRunRecord &run)
{
    if (qEnvironmentVariableIsEmpty("BOTDESK_TEST_HOLD_BEFORE_SAVE"))
        return;
    std::fprintf(stderr, "botdesk-cli: holding backtest run %s before saving it (BOTDESK_TEST_HOLD_BEFORE_SAVE)\n",
                 qPrintable(run.id.toString(QUuid::WithoutBraces)));
    std::fflush(stderr);
    std::string line;
    std::getline(std::cin, line);
}

// Saves `run`; when the database cannot be reached, keeps it in the spool instead (saved by the next command that
// reaches the database). Tells `out` which.
CliOutcome saveOrSpool(StoreSession &s, const BacktestRunRecord &run, QTextStream &out)
{
    holdBeforeSaveForTests(run);
    const QString id = run.id.toString(QUuid::WithoutBraces);
    auto saved = s.store->saveBacktestRun(run);
    if (saved) {
        out << "saved as backtest run " << id << Qt::endl;
        return {};
    }
    if (!s.db->lastFailureWasConnection())
        return cliFailure(QStringLiteral("backtest run %1 was not saved: %2").arg(id, saved.error().message));
    auto spooled = s.spool.put(run);
    if (!spooled)
        return cliFailure(QStringLiteral("backtest run %1 was not saved (%2) and cannot be kept for later either: %3")
                              .arg(id, saved.error().message, spooled.error().message));
    out << "the database could not be reached, so backtest run " << id << " waits in " << shown(*spooled)
        << "; the next botdesk-cli or BotDesk command that reaches the database saves it ("
        << escapeForDisplay(saved.error().message, EscapeMode::Message) << ')' << Qt::endl;
    return {};
}

// Parses the run options --bot shares with --strategy.
Result<BacktestConfig> configOptions(const QCommandLineParser &parser)
{
    BacktestConfig config;
    auto read = [&](const char *option, auto parse, auto &target) -> Result<void> {
        const QString name = QString::fromLatin1(option);
        if (!parser.isSet(name))
            return {};
        auto value = parse(parser.value(name));
        if (!value)
            return value.error();
        target = *value;
        return {};
    };
    for (const Result<void> &r : {read("deposit", parseDeposit, config.initialDeposit),
                                  read("spread", parseSpreadPoints, config.spreadPoints),
                                  read("slippage", parseSlippagePoints, config.slippagePoints),
                                  read("commission", parseCommissionPerLot, config.commissionPerLot)}) {
        if (!r)
            return r.error();
    }
    return config;
}

// The run whose id is `text` or starts with it (8 or more hex digits).
Result<QUuid> runIdOf(StoreSession &s, const QString &text)
{
    auto ids = s.store->findRunIds(text, 11);
    if (!ids)
        return ids.error();
    if (ids->size() == 1)
        return ids->front();
    if (ids->empty())
        return makeError(QStringLiteral("no backtest run %1 (or it belongs to another login); 'botdesk-cli backtests "
                                        "list' shows the runs")
                             .arg(shown(text)));
    QStringList candidates;
    for (const QUuid &id : *ids)
        candidates << id.toString(QUuid::WithoutBraces);
    return makeError(QStringLiteral("'%1' starts %2 backtest run ids: %3; give more of the id")
                         .arg(shown(text), ids->size() > 10 ? QStringLiteral("more than 10") : QString::number(ids->size()),
                              candidates.mid(0, 10).join(QStringLiteral(", "))));
}

// The first way `b` differs from `a` in what a rerun must reproduce (trades, statistics, bars), or empty.
QString firstDifference(const BacktestRunRecord &a, const BacktestRunRecord &b)
{
    if (a.bars != b.bars || a.fromMs != b.fromMs || a.toMs != b.toMs)
        return QStringLiteral("the bars differ: %1 bars from %2 to %3, now %4 bars from %5 to %6")
            .arg(a.bars).arg(report::utcSecond(a.fromMs), report::utcSecond(a.toMs)).arg(b.bars).arg(report::utcSecond(b.fromMs), report::utcSecond(b.toMs));
    const size_t common = std::min(a.trades.size(), b.trades.size());
    for (size_t i = 0; i < common; ++i) {
        const QJsonObject ta = tradeToJson(a.trades[i]), tb = tradeToJson(b.trades[i]);
        for (auto it = ta.begin(); it != ta.end(); ++it) {
            if (tb.value(it.key()) != it.value())
                return QStringLiteral("trade %1 (ticket %2) %3 was %4, now %5")
                    .arg(i + 1)
                    .arg(a.trades[i].ticket)
                    .arg(it.key(), JsonFields::describe(it.value()), JsonFields::describe(tb.value(it.key())));
        }
    }
    if (a.trades.size() != b.trades.size())
        return QStringLiteral("%1 trades, now %2").arg(a.trades.size()).arg(b.trades.size());
    const QJsonObject sa = statsToJson(a.stats), sb = statsToJson(b.stats);
    for (auto it = sa.begin(); it != sa.end(); ++it) {
        if (sb.value(it.key()) != it.value())
            return QStringLiteral("statistic %1 was %2, now %3")
                .arg(it.key(), JsonFields::describe(it.value()), JsonFields::describe(sb.value(it.key())));
    }
    if (a.rejectedOrders != b.rejectedOrders)
        return QStringLiteral("%1 rejected orders, now %2").arg(a.rejectedOrders).arg(b.rejectedOrders);
    return {};
}

CliOutcome list(const QStringList &arguments, const QCommandLineParser &parser, QTextStream &out)
{
    if (arguments.size() != 1)
        return cliFailure(QStringLiteral("backtests list takes no argument (filter with --bot NAME)"), kCliExitUsage);
    int limit = kDefaultListLimit;
    if (parser.isSet(QStringLiteral("limit"))) {
        NumberRange range;
        range.min = 1;
        range.max = 1000000;
        range.wholeNumber = true;
        range.unit = QStringLiteral("runs");
        auto n = parseNumberOption(QStringLiteral("limit"), parser.value(QStringLiteral("limit")), range);
        if (!n)
            return cliFailure(n.error().message, kCliExitUsage);
        limit = int(*n);
    }
    int exitCode = 0;
    auto s = openStore(parser, out, &exitCode);
    if (!s)
        return cliFailure(s.error().message, exitCode);
    auto runs = s->store->listBacktestRuns(parser.value(QStringLiteral("bot")), limit);
    if (!runs)
        return cliFailure(runs.error().message);
    if (runs->empty()) {
        out << "no backtest runs yet; run one with: botdesk-cli backtest --bot NAME --data FILE --symbol SYMBOL" << Qt::endl;
        return {};
    }
    out << QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9")
               .arg(QStringLiteral("ID"), -36)
               .arg(QStringLiteral("STARTED"), -23)
               .arg(QStringLiteral("BOT@HASH"), -28)
               .arg(QStringLiteral("SYMBOL"), -8)
               .arg(QStringLiteral("STATUS"), -9)
               .arg(QStringLiteral("TRADES"), 6)
               .arg(QStringLiteral("NET PROFIT"), 12)
               .arg(QStringLiteral("PF"), 6)
               .arg(QStringLiteral("DD%"), 6)
        << QStringLiteral("  %1  %2").arg(QStringLiteral("SHARPE"), 6).arg(QStringLiteral("LABEL")) << Qt::endl;
    for (const BacktestRunSummary &r : *runs) {
        out << QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9")
                   .arg(r.id.toString(QUuid::WithoutBraces), -36)
                   .arg(report::utcSecond(r.startedAtMs), -23)
                   .arg(shown(r.botName) + QLatin1Char('@') + r.codeHash.left(8), -28)
                   .arg(shown(r.symbol), -8)
                   .arg(QString::fromLatin1(runStatusName(r.status)), -9)
                   .arg(r.totalTrades, 6)
                   .arg(r.netProfit, 12, 'f', 2)
                   .arg(std::isinf(r.profitFactor) ? QStringLiteral("inf") : QString::number(r.profitFactor, 'f', 2), 6)
                   .arg(r.maxDrawdownPercent, 6, 'f', 2)
            << QStringLiteral("  %1  %2").arg(r.sharpeRatio, 6, 'f', 2).arg(escapeForDisplay(r.label, EscapeMode::Message))
            << Qt::endl;
    }
    return {};
}

// The stored run named by `idText` (an id or its first 8+ hex digits), with the bot and version that ran it.
struct StoredRun {
    BacktestRunRecord run;
    Bot bot;
    BotVersion version;
};

Result<StoredRun> loadStoredRun(StoreSession &s, const QString &idText)
{
    auto id = runIdOf(s, idText);
    if (!id)
        return id.error();
    auto run = s.store->loadBacktestRun(*id);
    if (!run)
        return run.error();
    auto version = s.store->findVersionById(run->versionId);
    if (!version)
        return version.error();
    return StoredRun{std::move(*run), version->first, version->second};
}

// `backtests <command> ID`: opens the store into `session` and loads the run named by the one argument.
CliOutcome openStoredRun(const QString &command, const QStringList &arguments, const QCommandLineParser &parser,
                         QTextStream &out, StoreSession *session, StoredRun *stored)
{
    if (arguments.size() != 2)
        return cliFailure(QStringLiteral("backtests %1 takes one run id (or its first 8+ hex digits)").arg(command),
                          kCliExitUsage);
    int exitCode = 0;
    auto opened = openStore(parser, out, &exitCode);
    if (!opened)
        return cliFailure(opened.error().message, exitCode);
    *session = std::move(*opened);
    auto loaded = loadStoredRun(*session, arguments.at(1));
    if (!loaded)
        return cliFailure(loaded.error().message);
    *stored = std::move(*loaded);
    return {};
}

CliOutcome show(const QStringList &arguments, const QCommandLineParser &parser, QTextStream &out)
{
    StoreSession session;
    StoredRun loaded;
    if (CliOutcome opened = openStoredRun(QStringLiteral("show"), arguments, parser, out, &session, &loaded);
        opened.exitCode != 0)
        return opened;
    StoredRun *stored = &loaded;
    const BacktestRunRecord *run = &stored->run;
    const Bot &bot = stored->bot;
    const BotVersion &v = stored->version;
    out << "run:       " << run->id.toString(QUuid::WithoutBraces) << " (" << runStatusName(run->status) << ')' << Qt::endl
        << "bot:       " << shown(bot.name) << '@' << v.codeHash << " (" << shown(bot.strategyTemplate) << ')' << Qt::endl;
    if (!run->rerunOf.isNull())
        out << "rerun of:  " << run->rerunOf.toString(QUuid::WithoutBraces) << Qt::endl;
    if (!run->label.isEmpty())
        out << "label:     " << escapeForDisplay(run->label, EscapeMode::Message) << Qt::endl;
    out << "started:   " << report::utcSecond(run->startedAtMs) << ", took " << run->durationMs << " ms" << Qt::endl
        << "engine:    " << shown(run->engineVersion) << Qt::endl
        << "data:      " << shown(run->dataPath) << " (SHA-256 " << run->dataSha256 << ')' << Qt::endl
        << "window:    " << report::utcSecond(run->fromMs) << " .. " << report::utcSecond(run->toMs) << ", " << run->bars << ' '
        << shown(run->timeframe) << " bars" << Qt::endl
        << "config:    " << shown(compactJson(configToJson(run->config))) << Qt::endl
        << "params:    " << shown(compactJson(run->params)) << Qt::endl
        << "owner:     " << shown(run->owner) << Qt::endl;
    if (!run->error.isEmpty())
        out << "error:     " << escapeForDisplay(run->error, EscapeMode::Message) << Qt::endl;
    out << Qt::endl << formatReportText(reportOf(*run, bot.strategyTemplate));
    out.flush();
    return {};
}

CliOutcome rerun(const QStringList &arguments, const QCommandLineParser &parser, QTextStream &out)
{
    StoreSession session;
    StoredRun loaded;
    if (CliOutcome opened = openStoredRun(QStringLiteral("rerun"), arguments, parser, out, &session, &loaded);
        opened.exitCode != 0)
        return opened;
    StoreSession *s = &session;
    StoredRun *stored = &loaded;
    const BacktestRunRecord *original = &stored->run;
    const Bot &bot = stored->bot;
    const BotVersion &v = stored->version;
    const QString originalId = original->id.toString(QUuid::WithoutBraces);
    if (auto runnable = checkRunnable(bot, v); !runnable)
        return cliFailure(runnable.error().message);

    // The record alone: the same bytes of data, the stored parameters, specification and settings.
    if (!QFileInfo::exists(original->dataPath))
        return cliFailure(QStringLiteral("cannot rerun %1: its data file %2 is missing (the run used SHA-256 %3); put "
                                         "the same file back there")
                              .arg(originalId, shown(original->dataPath), original->dataSha256));
    auto sha = sha256OfFile(original->dataPath);
    if (!sha)
        return cliFailure(sha.error().message);
    if (*sha != original->dataSha256)
        return cliFailure(QStringLiteral("cannot rerun %1: its data file %2 changed since (SHA-256 now %3, the run used "
                                         "%4); put the original file back, or backtest the new data with botdesk-cli "
                                         "backtest --bot %5@%6 --data %2 --symbol %7")
                              .arg(originalId, shown(original->dataPath), *sha, original->dataSha256, shown(bot.name),
                                   shortHash(v.codeHash), shown(original->symbol)));
    RunInputs in;
    in.bot = bot;
    in.version = v;
    in.params = original->params;
    in.spec = original->symbolSpec;
    in.config = original->config;
    in.dataPath = original->dataPath;
    in.dataSha256 = *sha;
    in.label = original->label;
    in.rerunOf = original->id;
    in.useCache = !parser.isSet(QStringLiteral("no-cache"));
    auto again = execute(in);
    if (!again)
        return cliFailure(QStringLiteral("the rerun of %1 failed: %2").arg(originalId, again.error().message));
    out << "reran " << originalId << " (" << shown(bot.name) << '@' << shortHash(v.codeHash) << ", "
        << shown(original->symbol) << ", " << again->bars << " bars) in " << again->durationMs << " ms" << Qt::endl;
    if (again->engineVersion != original->engineVersion)
        out << "note: engine " << shown(again->engineVersion) << ", the original ran on " << shown(original->engineVersion)
            << Qt::endl;
    if (auto saved = saveOrSpool(*s, *again, out); saved.exitCode != 0)
        return saved;
    const QString difference = firstDifference(*original, *again);
    if (difference.isEmpty()) {
        out << "identical to " << originalId << ": " << again->trades.size() << " trades and every statistic equal"
            << Qt::endl;
        return {};
    }
    return cliFailure(QStringLiteral("the rerun differs from %1: %2").arg(originalId, difference));
}

} // namespace

CliOutcome runBotBacktest(const QCommandLineParser &parser, QTextStream &out)
{
    for (const char *conflicting : {"strategy", "params"}) {
        if (parser.isSet(QString::fromLatin1(conflicting)))
            return cliFailure(QStringLiteral("--bot runs a stored version with its own strategy and parameters; drop "
                                             "--%1, or save a new version (botdesk-cli bots new-version NAME --params "
                                             "JSON)")
                                  .arg(QLatin1String(conflicting)),
                              kCliExitUsage);
    }
    for (const char *required : {"data", "symbol"}) {
        if (!parser.isSet(QString::fromLatin1(required)))
            return cliFailure(QStringLiteral("backtest needs --%1 (see --help)").arg(QLatin1String(required)), kCliExitUsage);
    }
    if (parser.isSet(QStringLiteral("server-utc-offset"))) {
        auto offset = parseServerUtcOffsetSeconds(parser.value(QStringLiteral("server-utc-offset")));
        if (!offset)
            return cliFailure(offset.error().message, kCliExitUsage);
        if (*offset != 0)
            return cliFailure(QStringLiteral("--server-utc-offset cannot be kept with a stored run yet, so its rerun "
                                             "would differ; convert the file to UTC first, or backtest it with "
                                             "--strategy (not stored)"),
                              kCliExitUsage);
    }
    auto config = configOptions(parser);
    if (!config)
        return cliFailure(config.error().message, kCliExitUsage);
    auto catalog = parser.isSet(QStringLiteral("symbols")) ? SymbolCatalog::fromFile(parser.value(QStringLiteral("symbols")))
                                                           : SymbolCatalog::builtin();
    if (!catalog)
        return cliFailure(catalog.error().message);
    auto symbol = symbolOption(*catalog, parser.value(QStringLiteral("symbol")));
    if (!symbol)
        return cliFailure(symbol.error().message + QStringLiteral("; run 'botdesk-cli symbols' for the details, or pass "
                                                                  "--symbols FILE"),
                          kCliExitUsage);
    const QString dataPath = QFileInfo(parser.value(QStringLiteral("data"))).absoluteFilePath();
    const auto [name, hash] = splitBotReference(parser.value(QStringLiteral("bot")));

    int exitCode = 0;
    auto s = openStore(parser, out, &exitCode);
    if (!s)
        return cliFailure(s.error().message, exitCode);
    auto bot = s->store->findBot(name);
    if (!bot)
        return cliFailure(bot.error().message);
    auto version = s->store->findVersion(name, hash);
    if (!version)
        return cliFailure(version.error().message);
    if (auto runnable = checkRunnable(*bot, *version); !runnable)
        return cliFailure(runnable.error().message);
    auto sha = sha256OfFile(dataPath);
    if (!sha)
        return cliFailure(sha.error().message);

    RunInputs in;
    in.bot = *bot;
    in.version = *version;
    in.params = version->params;
    in.spec = **symbol;
    in.config = *config;
    in.dataPath = dataPath;
    in.dataSha256 = *sha;
    in.label = parser.value(QStringLiteral("label"));
    in.useCache = !parser.isSet(QStringLiteral("no-cache"));
    auto run = execute(in);
    if (!run)
        return cliFailure(run.error().message);
    out << "bot " << shown(bot->name) << '@' << shortHash(version->codeHash) << " (" << shown(bot->strategyTemplate)
        << ", params " << shown(compactJson(run->params)) << ')' << Qt::endl
        << formatReportText(reportOf(*run, bot->strategyTemplate)) << Qt::endl;
    return saveOrSpool(*s, *run, out);
}

CliOutcome runBacktestsCommand(const QStringList &arguments, const QCommandLineParser &parser, QTextStream &out)
{
    if (arguments.isEmpty())
        return cliFailure(QStringLiteral("backtests needs a command: %1").arg(kCommands), kCliExitUsage);
    const QString command = arguments.first();
    if (command == QLatin1String("list"))
        return list(arguments, parser, out);
    if (command == QLatin1String("show"))
        return show(arguments, parser, out);
    if (command == QLatin1String("rerun"))
        return rerun(arguments, parser, out);
    return cliFailure(QStringLiteral("unknown backtests command '%1': use %2").arg(shown(command), kCommands),
                      kCliExitUsage);
}

} // namespace bd
