// A live run's decision and order latency (issue 9 §8), in two parts:
//
//   build/bench/bench_live_order [--data FILE] [--bars N] [--orders N]
//
//  1. In-process (no I/O): each closed EURUSD M1 bar through the StrategyRunner (the built-in ema_crossover), and on
//     a decision its actions as orders (plansForAction), each entry built and checked as the trade server would
//     (buildTradeRequest) and against the guardrails (checkEntry). Prints p50/p99/max per bar and per deciding bar.
//     Target: <= 100 µs (the in-process part of tick -> order.send).
//  2. With the durable intent commit: TradeService::submit on BotDesk's own local PostgreSQL cluster code in a
//     throwaway BOTDESK_HOME (its production settings: fsync on), up to the moment the broker port's sendOrder runs on
//     its own thread — the intent persisted under its idempotency key first, then the queued call. The port answers
//     each order at once (done), so every submit is measured alone. Prints p50/p99/max. Target: p99 <= 1 ms.
// Times from std::chrono::steady_clock.

#include "actionorders.h"
#include "barloader.h"
#include "brokermetatypes.h"
#include "database.h"
#include "guardrails.h"
#include "localcluster.h"
#include "logging.h"
#include "pgbotstore.h"
#include "pgliverunstore.h"
#include "pgtradestore.h"
#include "strategyregistry.h"
#include "strategyrunner.h"
#include "symbolspec.h"
#include "traderequestbuilder.h"
#include "tradeservice.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QStringList>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>

using namespace bd;

namespace {

using Clock = std::chrono::steady_clock;

QString argValue(const QStringList &args, const char *name, const QString &fallback)
{
    const int i = int(args.indexOf(QLatin1String(name)));
    return i >= 0 && i + 1 < args.size() ? args.at(i + 1) : fallback;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    const size_t rank = size_t(std::ceil(p / 100.0 * double(v.size())));
    return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

void printFigures(const char *what, const std::vector<double> &us, const char *target)
{
    std::printf("%s: p50 %.1f µs, p99 %.1f µs, max %.1f µs (%zu samples; %s)\n", what, percentile(us, 50),
                percentile(us, 99), us.empty() ? 0.0 : *std::max_element(us.begin(), us.end()), us.size(), target);
}

int fail(const QString &message)
{
    std::fprintf(stderr, "bench_live_order: %s\n", qPrintable(message));
    return 1;
}

// The broker side, on its own thread like the connector: records when sendOrder runs, answers "done" at once.
class BenchBroker final : public mt5::BrokerPort {
public:
    std::atomic<qint64> sentAtNs{0};
    void sendOrder(const QString &clientReqId, const mt5::TradeRequest &request, const QString &) override
    {
        sentAtNs = Clock::now().time_since_epoch().count();
        mt5::OrderOutcome o;
        o.clientReqId = clientReqId;
        o.status = mt5::OrderOutcome::Status::Done;
        o.result.retcode = 10009;
        o.result.order = o.positionId = ++m_ticket;
        o.result.deal = ++m_ticket;
        o.result.volume = request.volume;
        o.result.price = 1.1;
        emit orderOutcome(o);
    }
    void queryOrderStatus(const QString &) override {}
    void requestPositions() override {}
    void requestOrders() override {}
    void requestAccount() override {}
    void requestDeals(qint64, qint64) override {}

private:
    quint64 m_ticket = 1000;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    logging::setLevel("warn");
    mt5::registerBrokerMetaTypes();
    const QStringList args = app.arguments();
    const QString data = argValue(args, "--data", QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz"));
    const qint64 barLimit = argValue(args, "--bars", QStringLiteral("100000")).toLongLong();
    const int orders = std::max(10, argValue(args, "--orders", QStringLiteral("300")).toInt());

    auto catalog = SymbolCatalog::builtin();
    if (!catalog)
        return fail(catalog.error().message);
    const SymbolSpec &spec = *catalog->find(QStringLiteral("EURUSD"));
    auto loaded = loadBars(data);
    if (!loaded)
        return fail(loaded.error().message);
    Bars bars = std::move(loaded).value();
    if (barLimit > 0 && barLimit < qint64(bars.size()))
        bars.resize(size_t(barLimit));

    mt5::BrokerSymbol brokerSymbol;  // EURUSD's rules as a broker states them
    brokerSymbol.name = QStringLiteral("EURUSD");
    brokerSymbol.digits = spec.digits;
    brokerSymbol.point = spec.point;
    brokerSymbol.tradeTickSize = spec.tickSize;
    brokerSymbol.tradeTickValue = spec.tickValue;
    brokerSymbol.tradeContractSize = spec.contractSize;

    // 1. In-process: bar -> decision -> orders -> checks.
    {
        auto strategy = createStrategy(QStringLiteral("ema_crossover"), {});
        if (!strategy)
            return fail(strategy.error().message);
        StrategyRunner runner(**strategy, spec);
        AccountView view;
        view.balance = view.equity = 10'000.0;
        TradeIntent base;
        base.account = QStringLiteral("bench");
        base.symbol = spec.name;
        base.liveRunId = QUuid::createUuid();
        Guardrails limits;
        limits.maxOpenPerSymbol = 0;
        std::vector<double> perBar, perDecision;
        perBar.reserve(bars.size());
        int planned = 0;
        for (const Bar &bar : bars) {
            view.spreadPoints = bar.spreadPoints >= 0 ? bar.spreadPoints : spec.defaultSpreadPoints;
            const auto t0 = Clock::now();
            std::optional<Decision> d = runner.onClosedBar(bar, view);
            if (d) {
                const Quote quote{bar.close, bar.close + view.spreadPoints * spec.point};
                for (const Action &action : d->actions) {
                    Result<std::vector<OrderPlan>> plans = plansForAction(action, view.positions, spec, quote, base);
                    if (!plans)
                        continue;
                    for (const OrderPlan &plan : plans.value()) {
                        if (plan.action != IntentAction::Open)
                            continue;
                        Result<PlannedOrder> order = buildTradeRequest(plan.intent, brokerSymbol, quote, view.equity);
                        if (!order)
                            continue;
                        RunRiskState state;
                        state.symbol = spec.name;
                        state.startingEquity = state.equity = state.dayStartEquity = state.freeMargin = view.equity;
                        state.nowMs = bar.timeMs;
                        EntryRequest entry{order.value().projectedLoss / view.equity * 100.0,
                                           forexMarginRequired(order.value().volume, spec.contractSize,
                                                               order.value().entryPrice, 100)};
                        planned += checkEntry(limits, state, entry) ? 0 : 1;
                    }
                }
            }
            const double us = double(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count()) / 1e3;
            perBar.push_back(us);
            if (d)
                perDecision.push_back(us);
        }
        std::printf("data: %s, %zu bars; ema_crossover defaults; %zu decisions, %d entries planned and allowed\n",
                    qPrintable(data), bars.size(), perDecision.size(), planned);
        printFigures("in-process, closed bar -> decision (every bar)", perBar, "target <= 100 µs");
        printFigures("in-process, closed bar -> orders built and checked (deciding bars)", perDecision,
                     "target <= 100 µs");
    }

    // 2. submit -> sendOrder with the intent committed on a local PostgreSQL cluster.
    QTemporaryDir home(QDir::tempPath() + QStringLiteral("/bdbench-XXXXXX"));
    LocalCluster cluster(LocalCluster::Options{home.path(), {}});
    if (auto started = cluster.start(); !started)
        return fail(started.error().message);
    int exitCode = 0;
    {
        DatabaseTarget target;
        target.origin = QStringLiteral("bench");
        Database::Options options;
        options.purpose = QStringLiteral("bench");
        options.cluster = LocalCluster::Options{home.path(), {}};
        Database db(target, options);
        PgBotStore bots(db);
        PgLiveRunStore runs(db);
        PgTradeStore trades(db);
        auto first = defaultVersionOf(QStringLiteral("ema_crossover"));
        auto schema = bots.ensureSchema();
        auto bot = schema && first ? bots.createBot(QStringLiteral("bench"), QStringLiteral("ema_crossover"), *first)
                                   : Result<Bot>(Error{schema ? first.error().message : schema.error().message});
        auto version = bot ? bots.findVersion(QStringLiteral("bench"), {}) : Result<BotVersion>(bot.error());
        LiveAccount account;
        account.name = QStringLiteral("bench");
        account.bridgeUrl = QStringLiteral("ws://127.0.0.1:1");
        account.tokenEnv = QStringLiteral("BENCH_TOKEN");
        account.magic = 1;
        auto added = version ? runs.addAccount(account) : Result<void>(version.error());
        LiveRunSpec runSpec;
        runSpec.id = QUuid::createUuid();
        runSpec.botVersionId = version ? version->id : QUuid();
        runSpec.botName = QStringLiteral("bench");
        runSpec.codeHash = version ? version->codeHash : QString();
        runSpec.account = account.name;
        runSpec.symbol = spec.name;
        auto created = added ? runs.createRun(runSpec) : Result<LiveRunRecord>(added.error());
        if (!created) {
            exitCode = fail(created.error().message);
        } else {
            QThread brokerThread;
            auto *broker = new BenchBroker;
            broker->moveToThread(&brokerThread);
            QObject::connect(&brokerThread, &QThread::finished, broker, &QObject::deleteLater);
            brokerThread.start();
            TradeServiceConfig config;
            config.account = account.name;
            config.magic = account.magic;
            TradeService service(config, trades, broker);
            service.setSymbol(spec.name, brokerSymbol);
            mt5::AccountInfo info;
            info.equity = info.balance = info.marginFree = 10'000.0;
            info.leverage = 100;
            service.setAccount(info);
            std::vector<double> submitToSend;
            for (int i = 0; i < orders && size_t(i) < bars.size(); ++i) {
                const Bar &bar = bars[size_t(i)];
                service.setQuote(spec.name, Quote{bar.close, bar.close + 10 * spec.point});
                OrderPlan plan;
                plan.action = IntentAction::Open;
                plan.intent.symbol = spec.name;
                plan.intent.side = i % 2 ? Side::Sell : Side::Buy;
                plan.intent.slPoints = 200;
                plan.intent.riskPercent = 1.0;
                plan.intent.liveRunId = runSpec.id;
                plan.intent.botVersionId = runSpec.botVersionId;
                plan.intent.correlationId = QUuid::createUuid().toString(QUuid::WithoutBraces);
                plan.fingerprint = QStringLiteral("bench %1").arg(i);
                broker->sentAtNs = 0;
                const qint64 t0 = Clock::now().time_since_epoch().count();
                Result<IntentRecord> r = service.submit(plan, bar.timeMs);
                if (!r) {
                    exitCode = fail(r.error().message);
                    break;
                }
                QElapsedTimer wait;
                wait.start();
                while (broker->sentAtNs == 0 && wait.elapsed() < 5000)
                    QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
                if (broker->sentAtNs == 0) {
                    exitCode = fail(QStringLiteral("order %1 never reached the broker port").arg(i));
                    break;
                }
                submitToSend.push_back(double(broker->sentAtNs - t0) / 1e3);
                // Let the outcome come back (the next order of the symbol waits for it).
                while (wait.elapsed() < 5000) {
                    Result<IntentRecord> stored = trades.intent(r.value().idempotencyKey);
                    if (stored && isFinal(stored.value().state))
                        break;
                    QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
                }
            }
            if (exitCode == 0) {
                printFigures("TradeService::submit -> sendOrder at the broker port, intent committed on the local cluster",
                             submitToSend, "target p99 <= 1 ms = 1000 µs");
                // The floor of that path on this machine: one single-row INSERT committed on the same cluster.
                std::vector<double> commit;
                if (auto made = db.exec(QStringLiteral("CREATE TABLE bench_commit (id int, note text)")); made) {
                    for (int i = 0; i < orders; ++i) {
                        const auto t0 = Clock::now();
                        if (!db.execPrepared(QStringLiteral("INSERT INTO bench_commit VALUES (?, ?)"), {i, QStringLiteral("x")}))
                            break;
                        commit.push_back(
                            double(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count()) / 1e3);
                    }
                }
                printFigures("baseline, one single-row INSERT committed on the same cluster", commit,
                             "the durable commit alone");
            }
            brokerThread.quit();
            brokerThread.wait();
        }
    }
    (void)cluster.stop();
    return exitCode;
}
