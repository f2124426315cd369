#include "accountdesk.h"

#include "brokermetatypes.h"
#include "liverunexecutor.h"
#include "logging.h"
#include "mt5client.h"
#include "pgbotstore.h"
#include "pgliverunstore.h"
#include "pgorderoutbox.h"
#include "pgtradestore.h"
#include "reconciler.h"
#include "tradeservice.h"
#include "versionstrategy.h"

#include <QPointer>

#include <spdlog/logger.h>

namespace bd {

namespace {
std::string utf8(const QString &s) { return s.toStdString(); }
} // namespace

AccountDesk::AccountDesk(Setup setup, QObject *parent)
    : QObject(parent), m_setup(std::move(setup)), m_log(logging::get("live"))
{
}

AccountDesk::~AccountDesk() { closeRuns(); }

void AccountDesk::closeRuns()
{
    stopConnector();
    qDeleteAll(m_runs);
    m_runs.clear();
    m_eventFlush.stop();
    flushEvents();  // the runs' last events (stopped, their final heartbeat's)
}

void AccountDesk::stopConnector()
{
    if (m_client)
        QMetaObject::invokeMethod(m_client, &mt5::Mt5Client::stop, Qt::QueuedConnection);
    m_io.quit();
    m_io.wait();   // the client is deleted with its thread (Mt5Client::createOn)
    m_client = nullptr;
}

void AccountDesk::open()
{
    mt5::registerBrokerMetaTypes();
    Database::Options options = m_setup.dbOptions;
    options.purpose = QStringLiteral("live-") + m_setup.account.name;
    m_db = std::make_unique<Database>(m_setup.target, options);
    if (Result<void> r = m_db->open(); !r) {
        emit failed(QStringLiteral("account %1: %2").arg(m_setup.account.name, r.error().message));
        return;
    }
    m_trades = std::make_unique<PgTradeStore>(*m_db);
    // Events are written in batches every kEventFlushMs, off the path from a bar to its orders (only the intent must
    // be durable before its order is sent); a crash loses at most that much of the event log.
    m_trades->deferEvents(true);
    m_eventFlush.setInterval(kEventFlushMs);
    connect(&m_eventFlush, &QTimer::timeout, this, &AccountDesk::flushEvents);
    m_eventFlush.start();
    m_runStore = std::make_unique<PgLiveRunStore>(*m_db);
    m_bots = std::make_unique<PgBotStore>(*m_db);

    mt5::Mt5ClientConfig config;
    config.url = QUrl(m_setup.account.bridgeUrl);
    config.token = m_setup.token;
    config.account = m_setup.account.name;
    const DatabaseTarget target = m_setup.target;
    Database::Options outboxOptions = m_setup.dbOptions;
    outboxOptions.purpose = QStringLiteral("outbox-") + m_setup.account.name;
    config.outboxFactory = [target, outboxOptions] { return makePgOrderOutbox(target, outboxOptions); };
    m_client = mt5::Mt5Client::createOn(m_io, config);

    TradeServiceConfig serviceConfig;
    serviceConfig.account = m_setup.account.name;
    serviceConfig.magic = m_setup.account.magic;
    m_service = std::make_unique<TradeService>(serviceConfig, *m_trades, m_client->broker());
    // After the service: its deal handler records closing deals before the reconciler looks again.
    Reconciler::Options reconcile;
    reconcile.account = m_setup.account.name;
    reconcile.magic = m_setup.account.magic;
    reconcile.intervalMs = m_setup.reconcileMs;
    m_reconciler = std::make_unique<Reconciler>(reconcile, *m_trades, m_client->broker());
    connect(m_reconciler.get(), &Reconciler::reconciled, this, [this](int adopted, int cleanedUp, int closedFromDeals) {
        if (adopted + cleanedUp + closedFromDeals == 0)
            return;
        for (LiveRunExecutor *run : std::as_const(m_runs))
            run->refreshFromStore();
    });
    // A close that finds its position gone (its SL or TP, or a close we did not see) is reconciled now.
    connect(m_service.get(), &TradeService::positionGone, m_reconciler.get(), &Reconciler::reconcileNow);
    connectFeed();
    m_io.start();
    if (Result<int> r = m_service->resumeUnfinished(); !r)
        m_log->error("[{}] unfinished intents not read: {}", utf8(m_setup.account.name), utf8(r.error().message));
}

void AccountDesk::flushEvents()
{
    if (!m_trades || m_trades->deferredEvents() == 0)
        return;
    if (Result<int> r = m_trades->flushEvents(); !r)
        m_log->warn("[{}] {} event(s) not written yet: {}", utf8(m_setup.account.name), m_trades->deferredEvents(),
                    utf8(r.error().message));
}

void AccountDesk::connectFeed()
{
    mt5::MarketDataPort *md = m_client->marketData();
    mt5::BrokerPort *br = m_client->broker();
    // Every run of the bar decides first, then each acts (writes, sends): no strategy waits for another run's orders.
    const auto routeBar = [this](const mt5::RateBar &b) {
        const QString ours = m_ourSymbols.value(b.symbol, b.symbol);
        std::vector<QPointer<LiveRunExecutor>> acting;
        for (LiveRunExecutor *run : std::as_const(m_runs)) {
            if (run->spec().symbol == ours && run->spec().timeframe == b.timeframe && run->decideBar(b))
                acting.emplace_back(run);
        }
        if (acting.empty())
            return;
        // The runs' intents of this bar in one commit (one wait for the disk), their orders sent after it.
        m_service->submitTogether([&acting] {
            for (const QPointer<LiveRunExecutor> &run : acting) {
                if (run)
                    run->actOnBar();
            }
        });
        for (const QPointer<LiveRunExecutor> &run : acting) {
            if (run)
                run->barActed();
        }
    };
    connect(md, &mt5::MarketDataPort::symbolResolved, this, [this, routeBar](const mt5::BrokerSymbol &s) {
        if (!m_service)
            return;  // shut down: a signal the connector queued before it stopped
        const QString ours = s.requested.isEmpty() ? s.name : s.requested;
        m_ourSymbols.insert(s.name, ours);
        m_service->setSymbol(ours, s);
        m_reconciler->setSymbolName(s.name, ours);
        for (LiveRunExecutor *run : std::as_const(m_runs))
            run->onSymbol(s);
        for (const mt5::RateBar &b : m_barsBeforeSymbol.take(s.name))
            routeBar(b);
    });
    connect(md, &mt5::MarketDataPort::subscriptionFailed, this,
            [this](const QString &requested, const QString &code, const QString &message, const QStringList &suggestions) {
                for (LiveRunExecutor *run : std::as_const(m_runs)) {
                    if (run->spec().symbol == requested && run->status() != LiveRunStatus::Error) {
                        LiveRunRecord r;
                        r.spec = run->spec();
                        failRun(r, QStringLiteral("symbol %1 is not available at the broker (%2: %3)%4")
                                       .arg(requested, code, message,
                                            suggestions.isEmpty() ? QString()
                                                                  : QStringLiteral("; did you mean %1?")
                                                                        .arg(suggestions.join(QStringLiteral(", ")))));
                    }
                }
            });
    connect(md, &mt5::MarketDataPort::tickReceived, this, [this](const mt5::Tick &t) {
        if (!m_service)
            return;  // shut down: a signal the connector queued before it stopped
        const QString ours = m_ourSymbols.value(t.symbol, t.symbol);
        m_service->setQuote(ours, Quote{t.bid, t.ask});
        m_service->setServerTimeMs(t.timeMsc);
        m_reconciler->setServerTimeMs(t.timeMsc);
        for (LiveRunExecutor *run : std::as_const(m_runs)) {
            if (run->spec().symbol == ours)
                run->onTick(t);
        }
    });
    connect(md, &mt5::MarketDataPort::barReceived, this, [this, routeBar](const mt5::RateBar &b) {
        if (!m_ourSymbols.contains(b.symbol)) {
            // Not resolved yet (EURUSD.sim before symbol.get has said it is our EURUSD): held until it is.
            QVector<mt5::RateBar> &held = m_barsBeforeSymbol[b.symbol];
            if (held.size() < 100'000)
                held.push_back(b);
            return;
        }
        routeBar(b);
    });
    connect(br, &mt5::BrokerPort::accountChanged, this, [this](const mt5::AccountInfo &a) {
        for (LiveRunExecutor *run : std::as_const(m_runs))
            run->onAccount(a);
    });
    connect(br, &mt5::BrokerPort::linkStatusChanged, this, [this](const mt5::LinkStatus &s) {
        if (!m_service)
            return;  // shut down: a signal the connector queued before it stopped
        const bool live = s.state == mt5::LinkStatus::State::Live;
        m_service->setServerUtcOffsetSec(s.serverUtcOffsetSec);
        m_reconciler->setServerUtcOffsetSec(s.serverUtcOffsetSec);
        for (LiveRunExecutor *run : std::as_const(m_runs))
            run->setServerUtcOffsetSec(s.serverUtcOffsetSec);
        if (live && !m_live) {
            mt5::BrokerPort *broker = m_client->broker();
            QMetaObject::invokeMethod(broker, [broker] { broker->requestAccount(); }, Qt::QueuedConnection);
            // (Re)connected: what happened at the broker meanwhile is reconciled now, then every period.
            m_reconciler->start();
        }
        m_live = live;
    });
}

void AccountDesk::ensureRun(const LiveRunRecord &run)
{
    if (!m_runStore)
        return;
    LiveRunExecutor *executor = m_runs.value(run.spec.id);
    if (executor) {
        if (run.desired == DesiredState::Stopped || run.desired == DesiredState::StopAndClose) {
            if (executor->status() != LiveRunStatus::Stopped && executor->status() != LiveRunStatus::Stopping
                && executor->status() != LiveRunStatus::Error)
                executor->stop(run.desired == DesiredState::StopAndClose);
        } else if (executor->status() == LiveRunStatus::Halted && run.status == LiveRunStatus::Running) {
            // Resumed by the trader (the store says RUNNING) — unless `run` was read before the executor halted: the
            // store is asked again, after the halt was written.
            if (Result<LiveRunRecord> now = m_runStore->run(run.spec.id); now && now.value().status == LiveRunStatus::Running)
                executor->resume();
        }
        return;
    }
    // Not hosted here yet.
    const bool wantsRunning = run.desired == DesiredState::Running;
    const bool live = run.status == LiveRunStatus::Pending || run.status == LiveRunStatus::Running
                      || run.status == LiveRunStatus::Halted;
    if (!wantsRunning) {
        // Stopped while no host held it: record the stop (nothing of it trades here).
        if (run.status == LiveRunStatus::Running)
            (void)m_runStore->applyStatusEvent(run.spec.id, LiveRunEvent::Stop, QStringLiteral("stopped while not hosted"));
        if (run.status == LiveRunStatus::Pending || run.status == LiveRunStatus::Halted)
            (void)m_runStore->applyStatusEvent(run.spec.id, LiveRunEvent::Stop);
        if (run.status == LiveRunStatus::Stopping || run.status == LiveRunStatus::Running)
            (void)m_runStore->applyStatusEvent(run.spec.id, LiveRunEvent::Stopped);
        return;
    }
    if (run.status == LiveRunStatus::Stopping) {
        (void)m_runStore->applyStatusEvent(run.spec.id, LiveRunEvent::Stopped);
        return;
    }
    if (live)
        startRun(run);
}

void AccountDesk::failRun(const LiveRunRecord &run, const QString &reason)
{
    m_log->error("[LiveRun {}] [{}] [{}] [error] {}", utf8(run.spec.id.toString(QUuid::WithoutBraces)),
                 utf8(m_setup.account.name), utf8(run.spec.symbol), utf8(reason));
    if (Result<LiveRunRecord> r = m_runStore->applyStatusEvent(run.spec.id, LiveRunEvent::Fail, reason); !r)
        m_log->error("[LiveRun {}] ERROR not recorded: {}", utf8(run.spec.id.toString(QUuid::WithoutBraces)),
                     utf8(r.error().message));
    if (LiveRunExecutor *executor = m_runs.take(run.spec.id))
        executor->deleteLater();
    emit runStatusChanged(run.spec.id, LiveRunStatus::Error, reason);
}

void AccountDesk::startRun(const LiveRunRecord &run)
{
    Result<BotVersion> version = m_bots->findVersion(run.spec.botName, run.spec.codeHash);
    if (!version)
        return failRun(run, QStringLiteral("its bot version is not in the database: %1").arg(version.error().message));
    Result<Bot> bot = m_bots->findBot(run.spec.botName);
    if (!bot)
        return failRun(run, bot.error().message);
    if (!m_setup.strategies)
        return failRun(run, QStringLiteral("this host cannot load strategies"));
    Result<VersionStrategy> loaded = m_setup.strategies->load(bot.value().strategyTemplate, version.value().code,
                                                              versionCodeName(run.spec.botName, version.value().codeHash),
                                                              version.value().params);
    if (!loaded)
        return failRun(run, QStringLiteral("its strategy does not load: %1").arg(loaded.error().message));
    const SymbolSpec *spec = m_setup.catalog.find(run.spec.symbol);
    if (!spec)
        return failRun(run, QStringLiteral("symbol %1 is not in BotDesk's symbol catalogue").arg(run.spec.symbol));

    LiveRunExecutor::Setup setup;
    setup.run = run;
    setup.strategy = std::move(loaded.value().strategy);
    setup.symbol = *spec;
    setup.heartbeatMs = m_setup.heartbeatMs;
    auto *executor = new LiveRunExecutor(std::move(setup), *m_service, *m_trades, *m_runStore, this);
    connect(executor, &LiveRunExecutor::statusChanged, this, &AccountDesk::runStatusChanged);
    m_runs.insert(run.spec.id, executor);

    // Its bars with the strategy's warm-up from history (+ a margin), and ticks. Subscribing a stream again sends its
    // history again: runs already on it ignore bars they have seen (StrategyRunner), the new one warms up.
    const int history = int(std::clamp<qint64>(executor->warmupBars() + 10, 10, 50'000));
    mt5::MarketDataPort *md = m_client->marketData();
    const QString symbol = run.spec.symbol;
    const QString timeframe = run.spec.timeframe;
    QMetaObject::invokeMethod(md, [md, symbol, timeframe, history] {
        md->subscribeTicks(symbol);
        md->subscribeBars(symbol, timeframe, history, false);
    }, Qt::QueuedConnection);
    executor->start();
}

void AccountDesk::visitRuns(const std::function<void(const LiveRunExecutor &)> &fn) const
{
    for (const LiveRunExecutor *run : m_runs)
        fn(*run);
}

void AccountDesk::approve(const QUuid &runId, const QString &signalId)
{
    if (LiveRunExecutor *executor = m_runs.value(runId))
        executor->approve(signalId);
}

void AccountDesk::reject(const QUuid &runId, const QString &signalId)
{
    if (LiveRunExecutor *executor = m_runs.value(runId))
        executor->reject(signalId);
}

void AccountDesk::shutdown()
{
    // Positions stay under their SL/TP; each run is recorded STOPPED (the trader starts it again).
    for (LiveRunExecutor *executor : std::as_const(m_runs)) {
        if (executor->status() == LiveRunStatus::Stopped || executor->status() == LiveRunStatus::Error)
            continue;
        if (m_runStore)
            (void)m_runStore->setDesiredState(executor->id(), DesiredState::Stopped);
        executor->stop(false);
    }
    closeRuns();
    m_reconciler.reset();
    m_service.reset();
    emit closed();
}

} // namespace bd
