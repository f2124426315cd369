#include "livecommand.h"

#include "accounttoken.h"
#include "botscommand.h"
#include "botstrategy.h"
#include "cliarguments.h"
#include "displaytext.h"
#include "heldsignals.h"
#include "latencyring.h"
#include "liveparity.h"
#include "liverunhost.h"
#include "pgliverunstore.h"
#include "pgtradestore.h"
#include "reportformat.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHostInfo>
#include <QJsonDocument>
#include <QTimer>

#include <atomic>
#include <cmath>
#include <csignal>

namespace bd {

namespace {

const QString kCommands =
    QStringLiteral("start, stop, resume, list, status, events, parity, signals, approve, reject or serve");
std::atomic<bool> g_stopRequested{false};

extern "C" void onStopSignal(int) { g_stopRequested = true; }

QString shown(const QString &text) { return escapeForDisplay(text); }

QString timeText(qint64 ms) { return ms > 0 ? report::utcSecond(ms) : QStringLiteral("-"); }

// " STALE (no heartbeat for 75 s)" for a run that should be trading and has gone quiet; empty otherwise.
QString staleText(const LiveRunRecord &r)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!isStale(r, now))
        return {};
    const qint64 last = r.lastHeartbeatAtMs > 0 ? r.lastHeartbeatAtMs : r.startedAtMs;
    return QStringLiteral(" STALE (no heartbeat for %1 s)").arg((now - last) / 1000);
}

// The number option `name` (cliarguments.h: exact syntax, inside `range`); `fallback` when it is not given.
Result<double> numberOption(const QCommandLineParser &parser, const QString &name, const NumberRange &range,
                            double fallback)
{
    if (!parser.isSet(name))
        return fallback;
    return parseNumberOption(name, parser.value(name), range);
}

NumberRange within(double min, double max, const QString &unit, bool whole = false)
{
    NumberRange r;
    r.min = min;
    r.max = max;
    r.unit = unit;
    r.wholeNumber = whole;
    return r;
}

// The run named by `text`: a full UUID, or 8+ leading hex digits of one (unique among the runs).
Result<LiveRunRecord> findRun(LiveRunStore &runs, const QString &text)
{
    const QUuid id = QUuid::fromString(text);
    if (!id.isNull())
        return runs.run(id);
    static const QRegularExpression hex(QStringLiteral("^[0-9a-fA-F-]{8,36}$"));
    if (!hex.match(text).hasMatch())
        return makeError(QStringLiteral("'%1' is not a run id; give its UUID or 8+ leading hex digits (botdesk-cli live list)")
                             .arg(shown(text)));
    Result<std::vector<LiveRunRecord>> all = runs.runs();
    if (!all)
        return all.error();
    std::vector<LiveRunRecord> matches;
    for (const LiveRunRecord &r : all.value()) {
        if (r.spec.id.toString(QUuid::WithoutBraces).startsWith(text.toLower()))
            matches.push_back(r);
    }
    if (matches.size() == 1)
        return matches.front();
    return makeError(matches.empty() ? QStringLiteral("no live run starts with %1 (botdesk-cli live list)").arg(shown(text))
                                     : QStringLiteral("%1 runs start with %2; give more digits").arg(matches.size()).arg(shown(text)));
}

// The run `live start` asks for, checked before the database is opened (every problem here is a usage error, exit 2).
// Its bot version is looked up afterwards (start()); until then botVersionId is a placeholder.
Result<LiveRunSpec> startSpec(const QCommandLineParser &parser)
{
    if (!parser.isSet(QStringLiteral("bot")) || !parser.isSet(QStringLiteral("account")) || !parser.isSet(QStringLiteral("symbol")))
        return makeError(QStringLiteral("live start needs --bot NAME[@HASH], --account NAME and --symbol SYMBOL"));
    const QString botName = splitBotReference(parser.value(QStringLiteral("bot"))).first;
    LiveRunSpec spec;
    spec.id = QUuid::createUuid();
    spec.botVersionId = QUuid::createUuid();  // a placeholder for validateLiveRunSpec; start() sets the real one
    spec.botName = botName;
    spec.account = parser.value(QStringLiteral("account"));
    spec.symbol = parser.value(QStringLiteral("symbol")).toUpper();
    if (parser.isSet(QStringLiteral("timeframe")))
        spec.timeframe = parser.value(QStringLiteral("timeframe")).toUpper();
    if (parser.isSet(QStringLiteral("decision"))) {
        const auto d = decisionModeFromName(parser.value(QStringLiteral("decision")).toUpper());
        if (!d)
            return makeError(QStringLiteral("--decision '%1' is not bar or tick").arg(shown(parser.value(QStringLiteral("decision")))));
        spec.decision = *d;
    }
    if (parser.isSet(QStringLiteral("mode"))) {
        const auto m = approvalModeFromName(parser.value(QStringLiteral("mode")).toUpper());
        if (!m)
            return makeError(QStringLiteral("--mode '%1' is not auto or approve").arg(shown(parser.value(QStringLiteral("mode")))));
        spec.approval = *m;
    }
    struct Num { const char *name; NumberRange range; double *target; };
    double approvalSec = spec.approvalTimeoutMs / 1000.0, cooldownSec = spec.guardrails.cooldownMs / 1000.0;
    double maxOpen = spec.guardrails.maxOpenPerSymbol;
    const QString percent = QStringLiteral("percent");
    for (const Num &n : {Num{"approval-timeout", within(1, 3600, QStringLiteral("seconds")), &approvalSec},
                         Num{"daily-loss", within(0, 100, percent), &spec.guardrails.dailyLossPercent},
                         Num{"drawdown-cap", within(0, 100, percent), &spec.guardrails.drawdownCapPercent},
                         Num{"max-open", within(0, 1000, QStringLiteral("positions"), true), &maxOpen},
                         Num{"cooldown", within(0, 86400, QStringLiteral("seconds")), &cooldownSec},
                         Num{"max-risk", within(0, 100, percent), &spec.guardrails.maxRiskPercent}}) {
        Result<double> v = numberOption(parser, QString::fromLatin1(n.name), n.range, *n.target);
        if (!v)
            return v.error();
        *n.target = v.value();
    }
    spec.approvalTimeoutMs = qint64(std::llround(approvalSec * 1000));
    spec.guardrails.cooldownMs = qint64(std::llround(cooldownSec * 1000));
    spec.guardrails.maxOpenPerSymbol = int(maxOpen);
    if (Result<void> ok = validateLiveRunSpec(spec); !ok)
        return ok.error();
    return spec;
}

CliOutcome start(StoreSession &s, PgLiveRunStore &runs, LiveRunSpec spec, const QCommandLineParser &parser,
                 QTextStream &out)
{
    const auto [botName, hash] = splitBotReference(parser.value(QStringLiteral("bot")));
    Result<BotVersion> version = s.store->findVersion(botName, hash);
    if (!version)
        return cliFailure(version.error().message);
    spec.botVersionId = version.value().id;
    spec.codeHash = version.value().codeHash;
    Result<LiveRunRecord> created = runs.createRun(spec);
    if (!created)
        return cliFailure(created.error().message);
    out << "live run " << spec.id.toString(QUuid::WithoutBraces) << " stored: " << shown(botName) << '@'
        << spec.codeHash.left(12) << " on " << shown(spec.account) << ' ' << spec.symbol << ' ' << spec.timeframe << ' '
        << decisionModeName(spec.decision) << ' ' << approvalModeName(spec.approval) << "; PENDING until a host runs it "
        << "(botdesk-cli live serve, or the desktop)" << Qt::endl;
    return {};
}

CliOutcome list(PgLiveRunStore &runs, QTextStream &out)
{
    Result<std::vector<LiveRunRecord>> all = runs.runs();
    if (!all)
        return cliFailure(all.error().message);
    if (all.value().empty()) {
        out << "no live runs yet; start one with: botdesk-cli live start --bot NAME --account A --symbol EURUSD" << Qt::endl;
        return {};
    }
    out << QStringLiteral("%1  %2  %3  %4  %5  %6  %7")
               .arg(QStringLiteral("RUN"), -8).arg(QStringLiteral("STATUS"), -8).arg(QStringLiteral("DESIRED"), -14)
               .arg(QStringLiteral("ACCOUNT"), -12).arg(QStringLiteral("SYMBOL"), -10).arg(QStringLiteral("BOT"), -28)
               .arg(QStringLiteral("HEARTBEAT"))
        << Qt::endl;
    for (const LiveRunRecord &r : all.value()) {
        out << QStringLiteral("%1  %2  %3  %4  %5  %6  %7")
                   .arg(r.spec.id.toString(QUuid::WithoutBraces).left(8), -8)
                   .arg(QLatin1String(liveRunStatusName(r.status)), -8)
                   .arg(QLatin1String(desiredStateName(r.desired)), -14)
                   .arg(shown(r.spec.account), -12)
                   .arg(r.spec.symbol + QLatin1Char(' ') + r.spec.timeframe, -10)
                   .arg(shown(r.spec.botName) + QLatin1Char('@') + r.spec.codeHash.left(12), -28)
                   .arg(timeText(r.lastHeartbeatAtMs) + staleText(r))
            << Qt::endl;
    }
    return {};
}

void printPercentiles(QTextStream &out, const QString &label, const std::vector<double> &ms)
{
    if (ms.empty()) {
        out << "  " << label << ": no samples" << Qt::endl;
        return;
    }
    out << "  " << label << ": p50 " << QString::number(LatencyRing::percentile(ms, 50), 'f', 1) << " ms, p95 "
        << QString::number(LatencyRing::percentile(ms, 95), 'f', 1) << " ms, p99 "
        << QString::number(LatencyRing::percentile(ms, 99), 'f', 1) << " ms (" << ms.size() << " samples)" << Qt::endl;
}

CliOutcome status(PgLiveRunStore &runs, PgTradeStore &trades, const QString &idText, QTextStream &out)
{
    Result<LiveRunRecord> run = findRun(runs, idText);
    if (!run)
        return cliFailure(run.error().message);
    const LiveRunRecord &r = run.value();
    out << "live run " << r.spec.id.toString(QUuid::WithoutBraces) << Qt::endl
        << "  bot " << shown(r.spec.botName) << '@' << r.spec.codeHash.left(12) << ", account " << shown(r.spec.account)
        << ", " << r.spec.symbol << ' ' << r.spec.timeframe << ", " << decisionModeName(r.spec.decision) << ' '
        << approvalModeName(r.spec.approval) << Qt::endl
        << "  status " << liveRunStatusName(r.status) << staleText(r) << " (desired " << desiredStateName(r.desired) << ")"
        << (r.lastError.isEmpty() ? QString() : QStringLiteral(": ") + shown(r.lastError)) << Qt::endl
        << "  starting equity " << (r.startingEquity ? QString::number(*r.startingEquity, 'f', 2) : QStringLiteral("-"))
        << ", drawdown cap " << r.spec.guardrails.drawdownCapPercent << "%, daily loss " << r.spec.guardrails.dailyLossPercent
        << "%, max open " << r.spec.guardrails.maxOpenPerSymbol << Qt::endl
        << "  started " << timeText(r.startedAtMs) << ", stopped " << timeText(r.stoppedAtMs) << ", host "
        << (r.hostId.isEmpty() ? QStringLiteral("-") : shown(r.hostId)) << Qt::endl;
    if (Result<std::vector<Heartbeat>> hb = trades.heartbeats(r.spec.id, 1); hb && !hb.value().empty()) {
        const Heartbeat &h = hb.value().front();
        out << "  last heartbeat " << timeText(h.atMs) << ": signals " << h.signalsReceived << ", intents sent "
            << h.intentsSent << " (succeeded " << h.intentsSucceeded << ", failed " << h.intentsFailed << "), trades "
            << h.trades << ", errors " << h.errors << ", loop " << QString::number(h.loopMs, 'f', 3) << " ms" << Qt::endl;
    } else {
        out << "  no heartbeat yet" << Qt::endl;
    }
    Result<std::vector<LiveTrade>> ts = trades.tradesOfRun(r.spec.id);
    if (!ts)
        return cliFailure(ts.error().message);
    double profit = 0;
    int open = 0;
    for (const LiveTrade &t : ts.value()) {
        profit += t.profit + t.commission + t.swap;
        open += t.closeTimeMs ? 0 : 1;
    }
    out << "  trades " << ts.value().size() << " (" << open << " open), realised " << QString::number(profit, 'f', 2)
        << Qt::endl;
    for (const LiveTrade &t : ts.value()) {
        out << "    #" << t.positionTicket << ' ' << sideName(t.side) << ' ' << t.volume << " lots at " << t.openPrice
            << ' ' << timeText(t.openTimeMs) << " -> "
            << (t.closeTimeMs ? QStringLiteral("%1 %2 %3, profit %4")
                                    .arg(t.closePrice)
                                    .arg(timeText(*t.closeTimeMs), t.closeReason + (t.closeSubreason.isEmpty() ? QString() : QLatin1Char('/') + t.closeSubreason))
                                    .arg(t.profit, 0, 'f', 2)
                              : QStringLiteral("open"))
            << Qt::endl;
    }
    Result<std::vector<LiveEvent>> events = trades.events(r.spec.id, 0, 100000);
    if (!events)
        return cliFailure(events.error().message);
    std::vector<double> signalToSend, sendToFill, execution;
    int sent = 0, executed = 0, rejected = 0;
    for (const LiveEvent &e : events.value()) {
        if (e.type == QLatin1String("OrderSent")) {
            ++sent;
            signalToSend.push_back(e.payload.value(QStringLiteral("signal_to_send_ms")).toDouble());
        } else if (e.type == QLatin1String("TradeExecuted")) {
            ++executed;
            execution.push_back(e.payload.value(QStringLiteral("execution_ms")).toDouble());
            sendToFill.push_back(e.payload.value(QStringLiteral("bridge_latency_ms")).toDouble());
        } else if (e.type == QLatin1String("OrderRejected")) {
            ++rejected;
        }
    }
    out << "  orders sent " << sent << ", executed " << executed << ", rejected " << rejected;
    if (sent > 0)
        out << "; execution success " << QString::number(100.0 * executed / sent, 'f', 1) << "%";
    out << Qt::endl << "  latency (from the run's events):" << Qt::endl;
    printPercentiles(out, QStringLiteral("signal -> order sent"), signalToSend);
    printPercentiles(out, QStringLiteral("order sent -> fill at the bridge"), sendToFill);
    printPercentiles(out, QStringLiteral("signal -> fill recorded"), execution);
    return {};
}

CliOutcome events(PgLiveRunStore &runs, PgTradeStore &trades, const QString &idText, const QCommandLineParser &parser,
                  QTextStream &out)
{
    Result<LiveRunRecord> run = findRun(runs, idText);
    if (!run)
        return cliFailure(run.error().message);
    Result<double> limit = numberOption(parser, QStringLiteral("limit"), within(1, 1'000'000, QStringLiteral("events"), true), 1000);
    if (!limit)
        return cliFailure(limit.error().message, kCliExitUsage);
    Result<std::vector<LiveEvent>> all = trades.events(run.value().spec.id, 0, int(limit.value()));
    if (!all)
        return cliFailure(all.error().message);
    for (const LiveEvent &e : all.value()) {
        out << timeText(e.atMs) << "  " << QStringLiteral("%1").arg(e.type, -20) << ' '
            << (e.correlationId.isEmpty() ? QStringLiteral("-") : e.correlationId.left(8)) << "  "
            << escapeForDisplay(e.message, EscapeMode::Message) << Qt::endl;
    }
    return {};
}

// "2024-01-02 00:10..07:02 UTC" (the second date only when it differs).
QString windowText(qint64 fromMs, qint64 toMs)
{
    const QString from = report::utcMinute(fromMs), to = report::utcMinute(toMs);
    return from + QStringLiteral("..") + (from.left(10) == to.left(10) ? to.mid(11) : to) + QStringLiteral(" UTC");
}

// live parity ID: the run's recorded bars replayed through the backtester with the run's version, symbol and starting
// equity; its entries compared with the backtest's (liveparity.h). Exit 0 when every entry matches, 1 otherwise.
CliOutcome parity(StoreSession &s, PgLiveRunStore &runs, PgTradeStore &trades, const QString &idText, QTextStream &out)
{
    Result<LiveRunRecord> run = findRun(runs, idText);
    if (!run)
        return cliFailure(run.error().message);
    const LiveRunRecord &r = run.value();
    const QString shortId = r.spec.id.toString(QUuid::WithoutBraces).left(8);
    if (r.spec.decision != DecisionMode::Bar)
        return cliFailure(QStringLiteral("live run %1 decides on ticks (--decision tick); the backtester decides on bars, "
                                         "so only a BAR run can be compared").arg(shortId));
    Result<std::vector<RunBar>> recorded = trades.runBars(r.spec.id);
    if (!recorded)
        return cliFailure(recorded.error().message);
    if (recorded.value().empty())
        return cliFailure(QStringLiteral("live run %1 recorded no bars: no host has run it since BotDesk 0.1.0 records "
                                         "them; host it with 'botdesk-cli live serve'").arg(shortId));
    Result<BotVersion> version = s.store->findVersion(r.spec.botName, r.spec.codeHash);
    if (!version)
        return cliFailure(QStringLiteral("live run %1: its bot version: %2").arg(shortId, version.error().message));
    Result<Bot> bot = s.store->findBot(r.spec.botName);
    if (!bot)
        return cliFailure(QStringLiteral("live run %1: %2").arg(shortId, bot.error().message));
    // As the host loads it (AccountDesk::startRun): the version's own code and parameters.
    Result<VersionStrategy> strategy =
        loadVersionStrategy(bot.value().strategyTemplate, version.value().code,
                            versionCodeName(r.spec.botName, version.value().codeHash), version.value().params);
    if (!strategy)
        return cliFailure(QStringLiteral("live run %1: its strategy does not load: %2").arg(shortId, strategy.error().message));
    Result<SymbolCatalog> catalog = SymbolCatalog::builtin();
    if (!catalog)
        return cliFailure(catalog.error().message);
    const SymbolSpec *symbol = catalog.value().find(r.spec.symbol);
    if (!symbol)
        return cliFailure(QStringLiteral("symbol %1 of live run %2 is not in BotDesk's symbol catalogue (botdesk-cli symbols)")
                              .arg(r.spec.symbol, shortId));

    const Bars bars = barsOf(recorded.value());
    BacktestConfig config;
    config.initialDeposit = r.startingEquity.value_or(config.initialDeposit);
    config.depositCurrency = symbol->currencyProfit;
    BacktestControl control;
    control.keepEquityCurve = false;
    control.keepJournal = true;  // the refused entries are decisions too
    strategy.value().setBars(bars);
    Result<BacktestResult> backtest = runBacktest(bars, *symbol, *strategy.value().strategy, config, control);
    if (!backtest)
        return cliFailure(QStringLiteral("live run %1: the backtest of its %2 recorded bars failed: %3")
                              .arg(shortId).arg(bars.size()).arg(backtest.error().message));
    Result<std::vector<IntentRecord>> intents = trades.intentsOfRun(r.spec.id);
    if (!intents)
        return cliFailure(intents.error().message);
    Result<ParityReport> compared = compareRunWithBacktest(recorded.value(), runEntriesOf(intents.value()), backtest.value());
    if (!compared)
        return cliFailure(QStringLiteral("live run %1: %2").arg(shortId, compared.error().message));
    const ParityReport &p = compared.value();

    out << "parity: " << p.bars << " bars (" << p.liveBars << " live"
        << (p.liveBars > 0 ? QStringLiteral(", ") + windowText(p.firstLiveBarTimeMs, p.lastLiveBarTimeMs) : QString())
        << "); " << p.matched << " of " << p.runEntries << " run entries equal the backtest's (side, next bar)";
    if (p.matchedRefusals > 0)
        out << " (" << p.matchedRefusals << " refused by the backtest)";
    out << "; " << p.runOnly() << " only in the run, " << p.backtestOnly() << " only in the backtest" << Qt::endl;
    if (p.runEntriesNotCompared > 0)
        out << "  " << p.runEntriesNotCompared << " run entries not compared (on warm-up bars, the last bar or outside "
            << windowText(p.firstBarTimeMs, p.lastBarTimeMs) << ")" << Qt::endl;
    for (const ParityMismatch &m : p.mismatches) {
        out << "  " << report::utcMinute(m.entry.barTimeMs) << " UTC " << QStringLiteral("%1").arg(QLatin1String(sideName(m.entry.side)), -4)
            << (m.where == ParityMismatch::Where::RunOnly ? " only in the run" : " only in the backtest")
            << (m.note.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(m.note)) << Qt::endl;
    }
    if (p.journalFull && p.runOnly() > 0)
        out << "  the backtest's journal is full (1,000 lines): refusals after it are not known" << Qt::endl;
    if (p.runEntries == 0 && p.backtestEntries == 0)
        out << "  no entry was decided on the run's live bars: nothing to compare yet" << Qt::endl;
    if (!p.ok())
        return cliFailure(QStringLiteral("live run %1 does not match its backtest: %2 entries differ (listed above)")
                              .arg(shortId).arg(p.mismatches.size()));
    return {};
}

// The run's signal events (received and answered), oldest first.
// live signals ID: what an APPROVE-mode run waits for the trader to answer.
CliOutcome heldSignalsOf(PgLiveRunStore &runs, PgTradeStore &trades, const QString &idText, QTextStream &out)
{
    Result<LiveRunRecord> run = findRun(runs, idText);
    if (!run)
        return cliFailure(run.error().message);
    const QUuid id = run.value().spec.id;
    Result<std::vector<LiveEvent>> events = signalEventsOf(trades, id);
    if (!events)
        return cliFailure(events.error().message);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const std::vector<HeldSignalView> held = heldSignals(events.value(), now);
    out << "live run " << id.toString(QUuid::WithoutBraces).left(8) << " ("
        << (run.value().spec.approval == ApprovalMode::Approve ? "APPROVE" : "AUTO") << " mode): " << held.size()
        << " signal(s) waiting for approval" << Qt::endl;
    for (const HeldSignalView &v : held)
        out << "  " << v.signalId << "  expires in " << (v.expiresAtMs - now + 999) / 1000 << " s  "
            << escapeForDisplay(v.message, EscapeMode::Message) << Qt::endl;
    if (!held.empty())
        out << "answer with: botdesk-cli live approve|reject " << id.toString(QUuid::WithoutBraces).left(8)
            << " SIGNAL_ID" << Qt::endl;
    return {};
}

// live approve|reject ID SIGNAL: the trader's answer, through the database to the run's host.
CliOutcome answerSignal(PgLiveRunStore &runs, PgTradeStore &trades, const QString &idText, const QString &signalId,
                        SignalAnswer answer, QTextStream &out)
{
    const QString verb = answer == SignalAnswer::Approve ? QStringLiteral("approve") : QStringLiteral("reject");
    Result<LiveRunRecord> run = findRun(runs, idText);
    if (!run)
        return cliFailure(run.error().message);
    const QUuid id = run.value().spec.id;
    const QString shortId = id.toString(QUuid::WithoutBraces).left(8);
    if (Result<void> r = answerHeldSignal(runs, trades, id, signalId, answer, QDateTime::currentMSecsSinceEpoch()); !r)
        return cliFailure(QStringLiteral("cannot %1: %2 (botdesk-cli live signals %3)").arg(verb, r.error().message, shortId));
    out << "signal " << signalId << " of live run " << shortId << ' '
        << (answer == SignalAnswer::Approve ? "approved: its host sends it now" : "rejected: its host drops it")
        << " (host " << (run.value().hostId.isEmpty() ? QStringLiteral("none yet") : run.value().hostId)
        << "; botdesk-cli live events " << shortId << " shows the outcome)" << Qt::endl;
    return {};
}

CliOutcome serve(const QCommandLineParser &parser, QTextStream &out)
{
    Result<double> seconds = numberOption(parser, QStringLiteral("for"), within(0, 365.0 * 86400, QStringLiteral("seconds")), 0);
    if (!seconds)
        return cliFailure(seconds.error().message, kCliExitUsage);
    Result<double> threads = numberOption(parser, QStringLiteral("threads"), within(0, 64, QStringLiteral("threads"), true), 0);
    if (!threads)
        return cliFailure(threads.error().message, kCliExitUsage);
    Result<double> lease = numberOption(parser, QStringLiteral("lease"), within(2, 3600, QStringLiteral("seconds")), 30);
    if (!lease)
        return cliFailure(lease.error().message, kCliExitUsage);
    const std::optional<QString> dbOption =
        parser.isSet(QStringLiteral("db")) ? std::optional<QString>(parser.value(QStringLiteral("db"))) : std::nullopt;
    Result<DatabaseTarget> target = resolveDatabaseTarget(dbOption);
    if (!target)
        return cliFailure(target.error().message, kCliExitUsage);
    Result<SymbolCatalog> catalog = SymbolCatalog::builtin();
    if (!catalog)
        return cliFailure(catalog.error().message);
    AppVersionStrategies strategies;
    LiveRunHost::Options options;
    options.target = target.value();
    options.dbOptions.purpose = QStringLiteral("live");
    options.hostId = QStringLiteral("%1:%2").arg(QHostInfo::localHostName()).arg(QCoreApplication::applicationPid());
    options.threads = int(threads.value());
    options.leaseMs = qint64(lease.value() * 1000);
    options.pollMs = std::clamp<qint64>(options.leaseMs / 5, 200, 5000);
    options.strategies = &strategies;
    options.catalog = catalog.value();
    options.tokenFor = tokenFromEnvironment;
    LiveRunHost host(options);
    QObject::connect(&host, &LiveRunHost::runStatusChanged, &host,
                     [&out](const QUuid &id, LiveRunStatus s, const QString &message) {
                         out << "run " << id.toString(QUuid::WithoutBraces).left(8) << ' ' << liveRunStatusName(s)
                             << (message.isEmpty() ? QString() : QStringLiteral(": ") + escapeForDisplay(message, EscapeMode::Message))
                             << Qt::endl;
                     });
    QObject::connect(&host, &LiveRunHost::accountFailed, &host, [&out](const QString &account, const QString &reason) {
        out << "account " << escapeForDisplay(account) << ": " << escapeForDisplay(reason, EscapeMode::Message) << Qt::endl;
    });
    if (Result<void> started = host.start(); !started)
        return cliFailure(started.error().message);
    out << "serving live runs as " << options.hostId << (seconds.value() > 0 ? QStringLiteral(" for %1 s").arg(seconds.value()) : QString())
        << "; SIGINT or SIGTERM stops them (positions stay under their SL/TP)" << Qt::endl;
    g_stopRequested = false;
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    QEventLoop loop;
    QTimer check;
    QElapsedTimer since;
    since.start();
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (g_stopRequested || (seconds.value() > 0 && since.elapsed() >= qint64(seconds.value() * 1000)))
            loop.quit();
    });
    check.start(100);
    loop.exec();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    host.stop();
    out << "live host stopped" << Qt::endl;
    return {};
}

} // namespace

void addLiveOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        {QStringLiteral("account"), QStringLiteral("live start: the account (botdesk-cli accounts list)."), QStringLiteral("name")},
        {QStringLiteral("timeframe"), QStringLiteral("live start: M1, M5, M15, M30, H1, H4 or D1 (default M1)."), QStringLiteral("tf")},
        {QStringLiteral("decision"), QStringLiteral("live start: bar (default) or tick (on_tick between bars)."), QStringLiteral("mode")},
        {QStringLiteral("mode"), QStringLiteral("live start: auto (default) or approve (each signal waits for the trader)."), QStringLiteral("mode")},
        {QStringLiteral("approval-timeout"), QStringLiteral("live start --mode approve: seconds a signal waits (default 60)."), QStringLiteral("sec")},
        {QStringLiteral("daily-loss"), QStringLiteral("live start: no new entries after the run lost this % of the day's starting equity (default 5; 0 = off)."), QStringLiteral("percent")},
        {QStringLiteral("drawdown-cap"), QStringLiteral("live start: close everything and halt at this drawdown % of the starting equity (default 20; 0 = off)."), QStringLiteral("percent")},
        {QStringLiteral("max-open"), QStringLiteral("live start: open positions + pending orders of the run on its symbol (default 1; 0 = no limit)."), QStringLiteral("n")},
        {QStringLiteral("cooldown"), QStringLiteral("live start: seconds between two entries (default 0)."), QStringLiteral("sec")},
        {QStringLiteral("max-risk"), QStringLiteral("live start: largest risk % of equity per trade (default 2; 0 = no limit)."), QStringLiteral("percent")},
        {QStringLiteral("close"), QStringLiteral("live stop: close the run's positions first.")},
        {QStringLiteral("for"), QStringLiteral("live serve: stop after this many seconds (default: until SIGINT/SIGTERM)."), QStringLiteral("sec")},
        {QStringLiteral("threads"), QStringLiteral("live serve: live threads (default: the CPU count)."), QStringLiteral("n")},
        {QStringLiteral("lease"), QStringLiteral("live serve: seconds a run stays this host's after it last renewed (default "
                                                 "30): how soon another host takes over the runs of one that died."),
         QStringLiteral("sec")},
    });
}

CliOutcome runLiveCommand(const QStringList &arguments, const QCommandLineParser &parser, QTextStream &out)
{
    const QString command = arguments.value(0);
    if (command.isEmpty())
        return cliFailure(QStringLiteral("live needs a command: %1").arg(kCommands), kCliExitUsage);
    const bool answers = command == QLatin1String("approve") || command == QLatin1String("reject");
    const bool needsId = command == QLatin1String("stop") || command == QLatin1String("resume")
                         || command == QLatin1String("status") || command == QLatin1String("events")
                         || command == QLatin1String("parity") || command == QLatin1String("signals");
    const int expected = answers ? 3 : needsId ? 2 : 1;
    if (!QStringList{"start", "stop", "resume", "list", "status", "events", "parity", "signals", "approve", "reject",
                     "serve"}
             .contains(command))
        return cliFailure(QStringLiteral("unknown live command '%1': use %2").arg(shown(command), kCommands), kCliExitUsage);
    if (arguments.size() != expected)
        return cliFailure(answers  ? QStringLiteral("live %1 takes a run id and a signal id (botdesk-cli live signals ID)")
                                         .arg(command)
                          : needsId ? QStringLiteral("live %1 takes one run id (botdesk-cli live list)").arg(command)
                                    : QStringLiteral("live %1 takes no argument").arg(command),
                          kCliExitUsage);
    if (command == QLatin1String("serve"))
        return serve(parser, out);
    std::optional<LiveRunSpec> spec;
    if (command == QLatin1String("start")) {
        Result<LiveRunSpec> checked = startSpec(parser);
        if (!checked)
            return cliFailure(checked.error().message, kCliExitUsage);
        spec = checked.value();
    }
    int exitCode = kCliExitFailure;
    Result<StoreSession> session = openStore(parser, out, &exitCode);
    if (!session)
        return cliFailure(session.error().message, exitCode);
    PgLiveRunStore runs(*session.value().db);
    PgTradeStore trades(*session.value().db);
    if (command == QLatin1String("start"))
        return start(session.value(), runs, *spec, parser, out);
    if (command == QLatin1String("list"))
        return list(runs, out);
    if (command == QLatin1String("status"))
        return status(runs, trades, arguments.at(1), out);
    if (command == QLatin1String("events"))
        return events(runs, trades, arguments.at(1), parser, out);
    if (command == QLatin1String("parity"))
        return parity(session.value(), runs, trades, arguments.at(1), out);
    if (command == QLatin1String("signals"))
        return heldSignalsOf(runs, trades, arguments.at(1), out);
    if (answers)
        return answerSignal(runs, trades, arguments.at(1), arguments.at(2),
                            command == QLatin1String("approve") ? SignalAnswer::Approve : SignalAnswer::Reject, out);
    Result<LiveRunRecord> run = findRun(runs, arguments.at(1));
    if (!run)
        return cliFailure(run.error().message);
    const QUuid id = run.value().spec.id;
    if (command == QLatin1String("stop")) {
        const DesiredState desired = parser.isSet(QStringLiteral("close")) ? DesiredState::StopAndClose : DesiredState::Stopped;
        Result<LiveRunRecord> r = runs.setDesiredState(id, desired);
        if (!r)
            return cliFailure(r.error().message);
        out << "live run " << id.toString(QUuid::WithoutBraces).left(8) << ": desired " << desiredStateName(desired)
            << " (status " << liveRunStatusName(r.value().status) << "; its host stops it)" << Qt::endl;
        return {};
    }
    // resume
    if (run.value().status != LiveRunStatus::Halted)
        return cliFailure(QStringLiteral("live run %1 is %2, not HALTED: nothing to resume")
                              .arg(id.toString(QUuid::WithoutBraces).left(8), QLatin1String(liveRunStatusName(run.value().status))));
    Result<LiveRunRecord> r = runs.applyStatusEvent(id, LiveRunEvent::Resume, QStringLiteral("resumed by the trader"));
    if (!r)
        return cliFailure(r.error().message);
    out << "live run " << id.toString(QUuid::WithoutBraces).left(8) << " resumed (RUNNING)" << Qt::endl;
    return {};
}

} // namespace bd
