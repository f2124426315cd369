#include "liverunexecutor.h"

#include "actionorders.h"
#include "logging.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <spdlog/logger.h>

#include <algorithm>

namespace bd {

namespace {

std::string utf8(const QString &s) { return s.toStdString(); }
QString uuidText(const QUuid &id) { return id.toString(QUuid::WithoutBraces); }

QJsonObject actionJson(const Action &a)
{
    QJsonObject o{{QStringLiteral("type"), QLatin1String(actionTypeName(a.type))}};
    if (a.type == ActionType::OpenTrade)
        o.insert(QStringLiteral("side"), QLatin1String(sideName(a.side)));
    if (a.onlySide)
        o.insert(QStringLiteral("only_side"), QLatin1String(sideName(*a.onlySide)));
    if (a.volume > 0)
        o.insert(QStringLiteral("volume"), a.volume);
    if (a.riskPercent > 0)
        o.insert(QStringLiteral("risk_percent"), a.riskPercent);
    if (a.sl > 0)
        o.insert(QStringLiteral("sl"), a.sl);
    if (a.tp > 0)
        o.insert(QStringLiteral("tp"), a.tp);
    if (a.rr > 0)
        o.insert(QStringLiteral("rr"), a.rr);
    if (a.ticket)
        o.insert(QStringLiteral("ticket"), QString::number(a.ticket));
    if (!a.comment.isEmpty())
        o.insert(QStringLiteral("comment"), a.comment);
    return o;
}

} // namespace

LiveRunExecutor::LiveRunExecutor(Setup setup, TradeService &service, TradeStore &trades, LiveRunStore &runs,
                                 QObject *parent)
    : QObject(parent),
      m_run(std::move(setup.run)),
      m_strategy(std::move(setup.strategy)),
      m_symbol(std::move(setup.symbol)),
      m_runner(*m_strategy, m_symbol),
      m_service(service),
      m_trades(trades),
      m_runs(runs),
      m_nowMs(setup.nowMs ? std::move(setup.nowMs) : std::function<qint64()>([] { return QDateTime::currentMSecsSinceEpoch(); })),
      m_log(logging::get("live"))
{
    m_heartbeatTimer.setInterval(int(std::max<qint64>(100, setup.heartbeatMs)));
    m_heartbeatPeriodMs = m_heartbeatTimer.interval();
    connect(&m_heartbeatTimer, &QTimer::timeout, this, [this] {
        if (m_heartbeatTimer.interval() != m_heartbeatPeriodMs)
            m_heartbeatTimer.setInterval(m_heartbeatPeriodMs);  // after the first, shifted by the run's phase
        writeHeartbeat();
    });
    m_approvalTimer.setInterval(250);
    connect(&m_approvalTimer, &QTimer::timeout, this, &LiveRunExecutor::expireHeld);
    connect(&m_service, &TradeService::intentChanged, this, [this](const IntentRecord &r) {
        if (r.intent.liveRunId != id())
            return;
        if (r.state == IntentState::Done)
            ++m_counters.intentsSucceeded;
        else if (r.state == IntentState::Rejected)
            ++m_counters.intentsFailed;
        if (isFinal(r.state) && m_pendingEntries.remove(r.idempotencyKey) && m_run.status == LiveRunStatus::Stopping)
            QTimer::singleShot(0, this, &LiveRunExecutor::finishStopping);  // after its tradeOpened, if it opened one
    });
    connect(&m_service, &TradeService::tradeOpened, this, [this](const LiveTrade &t) {
        if (t.liveRunId != id())
            return;
        ++m_counters.trades;
        m_open.push_back(t);
        // An entry that was already queued when the trader chose "stop and close" is closed as soon as it opens.
        if (m_run.status == LiveRunStatus::Stopping && m_closeOnStop)
            closeAll(QStringLiteral("MANUAL_CLOSE"), QString(), t.positionTicket);
    });
    // A closing deal of one of this run's positions: its realised figures come from the store.
    connect(&m_service, &TradeService::tradeClosed, this, [this](const TradeClose &c) {
        if (std::any_of(m_open.begin(), m_open.end(), [&c](const LiveTrade &t) { return t.positionTicket == c.positionTicket; }))
            refreshTrades();
    });
    refreshTrades();
}

LiveRunExecutor::~LiveRunExecutor() = default;

LiveRunCounters LiveRunExecutor::counters() const
{
    LiveRunCounters c = m_counters;
    c.barToDecision = m_barToDecision.summary();
    c.barToAction = m_barToAction.summary();
    return c;
}

void LiveRunExecutor::start()
{
    if (m_run.status == LiveRunStatus::Pending) {
        if (m_account) {
            if (Result<double> fixed = m_runs.fixStartingEquity(id(), m_account->equity); fixed)
                m_run.startingEquity = fixed.value();
        }
        applyStatus(LiveRunEvent::Start);
    }
    // Runs started together would write their heartbeats and recorded bars all on one bar, holding up the next
    // decisions of every run of the desk: each run writes them at its own phase of the period instead.
    m_heartbeatTimer.start(std::max(100, phaseMs(m_heartbeatPeriodMs)));
    m_barsFlushedAtMs = now() - phaseMs(kBarsFlushMs);
    if (m_run.spec.approval == ApprovalMode::Approve)
        m_approvalTimer.start();
    m_log->info("[LiveRun {}] [{}] [{}] [start] {}@{} status {}", utf8(uuidText(id())), utf8(m_run.spec.account),
                utf8(m_run.spec.symbol), utf8(m_run.spec.botName), utf8(m_run.spec.codeHash.left(12)),
                liveRunStatusName(m_run.status));
}

int LiveRunExecutor::phaseMs(int periodMs) const
{
    return periodMs > 0 ? int(qHash(id()) % uint(periodMs)) : 0;
}

void LiveRunExecutor::setServerUtcOffsetSec(qint64 offsetSec) { m_serverOffsetSec = offsetSec; }

void LiveRunExecutor::onSymbol(const mt5::BrokerSymbol &s)
{
    if (s.requested != m_run.spec.symbol && s.name != m_run.spec.symbol)
        return;
    m_symbol.digits = s.digits;
    m_symbol.point = s.point;
    m_symbol.tickSize = s.tradeTickSize > 0 ? s.tradeTickSize : s.point;
    m_symbol.tickValue = s.tradeTickValue;
    m_symbol.contractSize = s.tradeContractSize;
    m_symbol.volumeMin = s.volumeMin;
    m_symbol.volumeMax = s.volumeMax;
    m_symbol.volumeStep = s.volumeStep;
    m_symbol.stopsLevelPoints = s.tradeStopsLevel;
}

void LiveRunExecutor::onAccount(const mt5::AccountInfo &account)
{
    m_account = account;
    if (!m_run.startingEquity && m_run.status == LiveRunStatus::Running) {
        if (Result<double> fixed = m_runs.fixStartingEquity(id(), account.equity); fixed)
            m_run.startingEquity = fixed.value();
    }
    if (m_dayStartEquity <= 0.0)
        m_dayStartEquity = account.equity;
}

void LiveRunExecutor::onTick(const mt5::Tick &tick)
{
    m_quote = Quote{tick.bid, tick.ask};
    if (m_run.status != LiveRunStatus::Running)
        return;
    checkDrawdown();
    if (m_run.spec.decision != DecisionMode::Tick || m_run.status != LiveRunStatus::Running)
        return;
    MarketTick t;
    t.timeMs = tick.timeMsc - m_serverOffsetSec * 1000;
    t.bid = tick.bid;
    t.ask = tick.ask;
    t.last = tick.last;
    t.volume = tick.volumeReal;
    t.flags = tick.flags;
    AccountView view;
    view.balance = m_account ? m_account->balance : 0.0;
    view.equity = m_account ? m_account->equity : 0.0;
    view.positions = runPositions();
    view.spreadPoints = m_symbol.point > 0 ? int(std::lround((tick.ask - tick.bid) / m_symbol.point)) : 0;
    if (std::optional<Decision> d = m_runner.onTick(t, view))
        handleDecision(*d);
}

void LiveRunExecutor::onBar(const mt5::RateBar &rb)
{
    if (decideBar(rb)) {
        m_service.submitTogether([this] { actOnBar(); });
        barActed();
    }
}

bool LiveRunExecutor::decideBar(const mt5::RateBar &rb)
{
    m_actDue = false;
    m_decided.reset();
    if (!rb.closed || rb.timeframe != m_run.spec.timeframe)
        return false;
    QElapsedTimer loop;
    loop.start();
    Bar bar;
    bar.timeMs = (rb.time - m_serverOffsetSec) * 1000;
    bar.open = rb.open;
    bar.high = rb.high;
    bar.low = rb.low;
    bar.close = rb.close;
    bar.tickVolume = quint32(std::clamp<qint64>(rb.tickVolume, 0, 0xffffffffLL));
    bar.spreadPoints = rb.spread;
    if (!m_quote)
        m_quote = Quote{rb.close, rb.close + rb.spread * m_symbol.point};

    // The broker's day (server clock) for the daily loss limit.
    const qint64 day = rb.time / 86400;
    if (day != m_day) {
        m_day = day;
        m_dayStartRealised = m_realised;
        if (m_account)
            m_dayStartEquity = m_account->equity;
    }

    AccountView view;
    view.balance = m_account ? m_account->balance : 0.0;
    view.equity = m_account ? m_account->equity : 0.0;
    view.positions = runPositions();
    view.spreadPoints = rb.spread;
    if (rb.history || m_run.status != LiveRunStatus::Running) {
        // Warm-up, or a run not trading (pending, halted, stopping): the strategy keeps its indicators current.
        if (m_runner.feedWarmup(bar, view))
            keepBar(bar, true);
        return false;
    }
    bool ignored = false;
    m_decided = m_runner.onClosedBar(bar, view, &ignored);
    if (rb.receivedNs > 0)
        m_barToDecision.add(double(mt5::monotonicNowNs() - rb.receivedNs) / 1e6);
    if (!ignored)
        keepBar(bar, false);
    m_actDue = true;
    m_decidedBarReceivedNs = rb.receivedNs;
    m_decideMs = double(loop.nsecsElapsed()) / 1e6;
    return true;
}

void LiveRunExecutor::actOnBar()
{
    if (!m_actDue)
        return;
    m_actDue = false;
    QElapsedTimer loop;
    loop.start();
    if (m_decided && m_run.status == LiveRunStatus::Running)  // (a stop or halt may have come in between)
        handleDecision(*m_decided);
    m_decided.reset();
    checkDrawdown();
    m_counters.lastLoopMs = m_decideMs + double(loop.nsecsElapsed()) / 1e6;
}

void LiveRunExecutor::barActed()
{
    if (m_decidedBarReceivedNs > 0)
        m_barToAction.add(double(mt5::monotonicNowNs() - m_decidedBarReceivedNs) / 1e6);
    m_decidedBarReceivedNs = 0;
}

void LiveRunExecutor::keepBar(const Bar &bar, bool warmup)
{
    constexpr size_t kMaxKept = 100'000;
    if (m_barsToRecord.size() >= kMaxKept) {
        m_barsToRecord.pop_front();
        if (m_barsDropped++ == 0)
            m_log->warn("[LiveRun {}] [{}] [{}] [bars] {} bars wait to be recorded: dropping the oldest (the parity "
                        "check will miss them)", utf8(uuidText(id())), utf8(m_run.spec.account),
                        utf8(m_run.spec.symbol), kMaxKept);
    }
    m_barsToRecord.push_back(RunBar{bar, warmup});
    // Due: written once this bar's decision has been handled (queued behind it), not before.
    if (now() - m_barsFlushedAtMs >= kBarsFlushMs) {
        m_barsFlushedAtMs = now();
        QMetaObject::invokeMethod(this, &LiveRunExecutor::flushBars, Qt::QueuedConnection);
    }
}

void LiveRunExecutor::flushBars()
{
    m_barsFlushedAtMs = now();
    if (m_barsToRecord.empty())
        return;
    const std::vector<RunBar> batch(m_barsToRecord.begin(), m_barsToRecord.end());
    if (Result<void> r = m_trades.recordRunBars(id(), batch); !r) {
        m_log->warn("[LiveRun {}] [{}] [{}] [bars] {} bar(s) kept for the next try: {}", utf8(uuidText(id())),
                    utf8(m_run.spec.account), utf8(m_run.spec.symbol), batch.size(), utf8(r.error().message));
        return;
    }
    m_barsToRecord.clear();
    if (m_barsDropped > 0) {
        m_log->warn("[LiveRun {}] [{}] [{}] [bars] {} bar(s) were dropped unrecorded while the store was unreachable",
                    utf8(uuidText(id())), utf8(m_run.spec.account), utf8(m_run.spec.symbol), m_barsDropped);
        m_barsDropped = 0;
    }
}

void LiveRunExecutor::handleDecision(const Decision &decision)
{
    ++m_counters.signalsReceived;
    const QString signalId = QStringLiteral("%1-%2-%3").arg(uuidText(id()).left(8)).arg(decision.barTimeMs).arg(++m_signalSeq);
    QJsonArray actions;
    for (const Action &a : decision.actions)
        actions.append(actionJson(a));
    const bool awaitsApproval = m_run.spec.approval == ApprovalMode::Approve;
    const qint64 expiresAtMs = now() + m_run.spec.approvalTimeoutMs;
    QJsonObject payload{{QStringLiteral("signal_id"), signalId},
                        {QStringLiteral("bar_time"), double(decision.barTimeMs)},
                        {QStringLiteral("actions"), actions}};
    if (awaitsApproval)  // waits for the trader's answer (live approve|reject) until then
        payload.insert(QStringLiteral("expires_at"), double(expiresAtMs));
    runEvent(QStringLiteral("SignalReceived"),
             QStringLiteral("%1 action(s) on the bar of %2%3").arg(decision.actions.size())
                 .arg(QDateTime::fromMSecsSinceEpoch(decision.barTimeMs, Qt::UTC).toString(Qt::ISODate),
                      awaitsApproval ? QStringLiteral("; waiting for approval for %1 s").arg(m_run.spec.approvalTimeoutMs / 1000.0)
                           : QString()),
             payload);
    if (awaitsApproval) {
        HeldSignal held{decision, now(), expiresAtMs};
        m_held.insert(signalId, held);
        emit signalPending(id(), signalId, held.expiresAtMs);
        return;
    }
    sendDecision(decision, signalId);
}

void LiveRunExecutor::sendDecision(const Decision &decision, const QString &signalId)
{
    if (!m_quote)
        return;
    TradeIntent base = runIntent();
    base.signalId = signalId;
    const std::vector<Position> positions = runPositions();
    for (const Action &action : decision.actions) {
        base.reason = action.comment.isEmpty() ? QString::fromLatin1(actionTypeName(action.type)) : action.comment;
        base.correlationId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        Result<std::vector<OrderPlan>> plans = plansForAction(action, positions, m_symbol, *m_quote, base);
        if (!plans) {
            ++m_counters.intentsFailed;
            runEvent(QStringLiteral("IntentDenied"), plans.error().message,
                     QJsonObject{{QStringLiteral("signal_id"), signalId}, {QStringLiteral("action"), actionJson(action)}},
                     base.correlationId);
            continue;
        }
        for (const OrderPlan &plan : plans.value())
            submitPlan(plan, decision.barTimeMs);
    }
}

TradeIntent LiveRunExecutor::runIntent() const
{
    TradeIntent base;
    base.account = m_run.spec.account;
    base.symbol = m_run.spec.symbol;
    base.source = TradeSource::Bot;
    base.liveRunId = id();
    base.botVersionId = m_run.spec.botVersionId;
    return base;
}

std::optional<IntentRecord> LiveRunExecutor::submitPlan(const OrderPlan &plan, qint64 barTimeMs)
{
    std::optional<EntryRisk> risk;
    if (plan.action == IntentAction::Open)
        risk = EntryRisk{m_run.spec.guardrails, entryRiskState()};
    Result<IntentRecord> r = m_service.submit(plan, barTimeMs, risk ? &*risk : nullptr);
    m_counters.lastActionAtMs = now();
    if (!r) {
        ++m_counters.intentsFailed;
        ++m_counters.errors;
        m_degraded = true;
        m_log->error("[LiveRun {}] [{}] [{}] [submit] {}: {}", utf8(uuidText(id())), utf8(m_run.spec.account),
                     utf8(m_run.spec.symbol), utf8(plan.intent.correlationId), utf8(r.error().message));
        return std::nullopt;
    }
    m_degraded = false;
    const IntentRecord &rec = r.value();
    if (rec.state == IntentState::Denied) {
        ++m_counters.intentsFailed;
    } else if (rec.state == IntentState::Persisted) {
        ++m_counters.intentsSent;
        if (plan.action == IntentAction::Close)
            m_closing.insert(plan.positionTicket);
        if (plan.action == IntentAction::Open) {
            m_lastEntryAtMs = now();
            m_pendingEntries.insert(rec.idempotencyKey);
        }
    }
    return rec;
}

void LiveRunExecutor::approve(const QString &signalId)
{
    const auto it = m_held.find(signalId);
    if (it == m_held.end()) {
        m_log->warn("[LiveRun {}] [{}] [{}] [approve] signal {} is not held (expired, answered, or not this run's): "
                    "nothing sent", utf8(uuidText(id())), utf8(m_run.spec.account), utf8(m_run.spec.symbol),
                    utf8(signalId));
        return;
    }
    const HeldSignal held = it.value();
    m_held.erase(it);
    runEvent(QStringLiteral("SignalApproved"), QStringLiteral("approved after %1 ms").arg(now() - held.receivedAtMs),
             QJsonObject{{QStringLiteral("signal_id"), signalId},
                         {QStringLiteral("approval_delay_ms"), double(now() - held.receivedAtMs)}});
    if (m_run.status == LiveRunStatus::Running)
        sendDecision(held.decision, signalId);
}

void LiveRunExecutor::reject(const QString &signalId)
{
    if (m_held.remove(signalId))
        runEvent(QStringLiteral("SignalRejected"), QStringLiteral("rejected by the trader"),
                 QJsonObject{{QStringLiteral("signal_id"), signalId}});
    else
        m_log->warn("[LiveRun {}] [{}] [{}] [reject] signal {} is not held (expired, answered, or not this run's)",
                    utf8(uuidText(id())), utf8(m_run.spec.account), utf8(m_run.spec.symbol), utf8(signalId));
}

void LiveRunExecutor::expireHeld()
{
    const qint64 t = now();
    for (auto it = m_held.begin(); it != m_held.end();) {
        if (it->expiresAtMs <= t) {
            runEvent(QStringLiteral("SignalExpired"),
                     QStringLiteral("not approved within %1 s").arg(m_run.spec.approvalTimeoutMs / 1000.0),
                     QJsonObject{{QStringLiteral("signal_id"), it.key()}});
            it = m_held.erase(it);
        } else {
            ++it;
        }
    }
}

std::vector<Position> LiveRunExecutor::runPositions() const
{
    std::vector<Position> out;
    out.reserve(m_open.size());
    for (const LiveTrade &t : m_open) {
        Position p;
        p.ticket = t.positionTicket;
        p.side = t.side;
        p.volume = t.volume - t.closedVolume;
        p.openTimeMs = t.openTimeMs;
        p.openPrice = t.openPrice;
        p.sl = t.sl;
        p.tp = t.tp;
        p.commission = t.commission;
        out.push_back(p);
    }
    std::sort(out.begin(), out.end(), [](const Position &a, const Position &b) {
        return a.openTimeMs != b.openTimeMs ? a.openTimeMs < b.openTimeMs : a.ticket < b.ticket;
    });
    return out;
}

void LiveRunExecutor::refreshTrades()
{
    Result<std::vector<LiveTrade>> all = m_trades.tradesOfRun(id());
    if (!all) {
        m_degraded = true;
        return;
    }
    m_open.clear();
    m_realised = 0.0;
    QSet<quint64> stillOpen;
    for (const LiveTrade &t : all.value()) {
        m_realised += t.profit + t.commission + t.swap;
        if (!t.closeTimeMs) {
            m_open.push_back(t);
            stillOpen.insert(t.positionTicket);
        }
    }
    m_closing.intersect(stillOpen);
    finishStopping();
}

void LiveRunExecutor::finishStopping()
{
    // Stop and close: STOPPED once nothing of the run is open and none of its entries is still on its way.
    if (m_run.status == LiveRunStatus::Stopping && m_open.empty() && (!m_closeOnStop || m_pendingEntries.isEmpty()))
        applyStatus(LiveRunEvent::Stopped);
}

RunRiskState LiveRunExecutor::riskState() const
{
    RunRiskState s;
    s.symbol = m_run.spec.symbol;
    s.equity = m_account ? m_account->equity : 0.0;
    s.startingEquity = m_run.startingEquity.value_or(s.equity);
    s.dayStartEquity = m_dayStartEquity > 0 ? m_dayStartEquity : s.equity;
    s.freeMargin = m_account ? m_account->marginFree : 0.0;
    double floating = 0.0;
    if (m_quote) {
        for (const LiveTrade &t : m_open) {
            const double delta = t.side == Side::Buy ? m_quote->bid - t.openPrice : t.openPrice - m_quote->ask;
            floating += m_symbol.moneyForPriceMove(delta, t.volume - t.closedVolume);
        }
    }
    s.runProfit = m_realised + floating;
    s.runDayProfit = (m_realised - m_dayStartRealised) + floating;
    // Entries in flight count as open; positions whose close is in flight do not (a reversal closes, then opens).
    s.runOpenOnSymbol = int(m_open.size()) - int(m_closing.size()) + int(m_pendingEntries.size());
    s.accountOpenOnSymbol = s.runOpenOnSymbol;
    s.lastEntryAtMs = m_lastEntryAtMs;
    s.nowMs = now();
    return s;
}

RunRiskState LiveRunExecutor::entryRiskState() const
{
    RunRiskState s = riskState();
    // Every run's positions on this account and symbol: read only when that limit is on (it costs a query).
    if (m_run.spec.guardrails.maxOpenPerAccountSymbol > 0) {
        if (Result<std::vector<LiveTrade>> open = m_trades.openTrades(m_run.spec.account); open) {
            s.accountOpenOnSymbol = int(std::count_if(open.value().begin(), open.value().end(),
                                                      [&](const LiveTrade &t) { return t.symbol == m_run.spec.symbol; }))
                                    - int(m_closing.size()) + int(m_pendingEntries.size());
        }
    }
    return s;
}

int LiveRunExecutor::closeAll(const QString &reason, const QString &subreason, quint64 onlyTicket)
{
    if (!m_quote)
        return 0;
    TradeIntent base = runIntent();
    base.reason = reason;
    // A whole close of every position of the run (both sides), or of the one `onlyTicket`, is never refused.
    const Action close = onlyTicket ? Action::closePosition(onlyTicket, reason) : Action::closeSide(std::nullopt, reason);
    Result<std::vector<OrderPlan>> plans = plansForAction(close, runPositions(), m_symbol, *m_quote, base);
    if (!plans)
        return 0;
    int sent = 0;
    for (OrderPlan plan : plans.value()) {
        if (m_closing.contains(plan.positionTicket))
            continue;  // its close is already on its way
        plan.intent.correlationId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        plan.closeReason = reason;
        plan.closeSubreason = subreason;
        plan.fingerprint = reason + QLatin1Char(' ') + plan.fingerprint;  // never the key of a strategy's own close
        if (std::optional<IntentRecord> r = submitPlan(plan, m_runner.lastBarTimeMs()); r && r->state != IntentState::Denied)
            ++sent;
    }
    return sent;
}

void LiveRunExecutor::checkDrawdown()
{
    if (m_run.status != LiveRunStatus::Running || !m_account)
        return;
    const RunRiskState state = riskState();
    const std::optional<GuardrailDenial> trip = bd::checkDrawdown(m_run.spec.guardrails, state);
    if (!trip)
        return;
    const int closed = closeAll(QStringLiteral("RISK_CUTOFF"), QString());
    const QString message = QStringLiteral("%1; closed %2 positions").arg(trip->reason).arg(closed);
    runEvent(QStringLiteral("DrawdownCapTriggered"), message,
             QJsonObject{{QStringLiteral("drawdown_percent"), runDrawdownPercent(state)},
                         {QStringLiteral("cap_percent"), m_run.spec.guardrails.drawdownCapPercent},
                         {QStringLiteral("closed_positions"), closed}});
    applyStatus(LiveRunEvent::Halt, message);
}

void LiveRunExecutor::stop(bool closePositions)
{
    flushBars();
    if (m_run.status == LiveRunStatus::Stopped || m_run.status == LiveRunStatus::Error)
        return;
    m_held.clear();
    if (!applyStatus(LiveRunEvent::Stop, closePositions ? QStringLiteral("stop and close") : QStringLiteral("stop")))
        return;
    if (m_run.status == LiveRunStatus::Stopping) {
        m_closeOnStop = closePositions;
        if (closePositions && !m_open.empty())
            closeAll(QStringLiteral("MANUAL_CLOSE"), QString());  // STOPPED once the store has them closed
        if (closePositions)
            finishStopping();  // ... and its queued entries are final (each closed when it opens)
        else
            applyStatus(LiveRunEvent::Stopped);
    }
}

void LiveRunExecutor::resume()
{
    if (m_run.status == LiveRunStatus::Halted)
        applyStatus(LiveRunEvent::Resume, QStringLiteral("resumed by the trader"));
}

bool LiveRunExecutor::applyStatus(LiveRunEvent event, const QString &message)
{
    const LiveRunStatus before = m_run.status;
    Result<LiveRunRecord> stored = m_runs.applyStatusEvent(id(), event, message);
    if (stored) {
        m_run.status = stored.value().status;
        m_run.lastError = stored.value().lastError;
        m_degraded = false;
    } else {
        // The database refused or is unreachable: move locally (so the run stays safe) and say so.
        Result<LiveRunStatus> next = nextStatus(m_run.status, event);
        if (!next) {
            m_log->warn("[LiveRun {}] status: {}", utf8(uuidText(id())), utf8(next.error().message));
            return false;
        }
        m_run.status = next.value();
        m_degraded = true;
        ++m_counters.errors;
        m_log->error("[LiveRun {}] [{}] [{}] [status] {} not recorded: {}", utf8(uuidText(id())),
                     utf8(m_run.spec.account), utf8(m_run.spec.symbol), liveRunStatusName(m_run.status),
                     utf8(stored.error().message));
    }
    if (m_run.status == LiveRunStatus::Stopped && before != LiveRunStatus::Stopped) {
        // The last heartbeat says what the run did; nothing more will come.
        m_heartbeatTimer.stop();
        m_approvalTimer.stop();
        writeHeartbeat();
    }
    if (m_run.status != before) {
        runEvent(QStringLiteral("RunStatusChanged"),
                 QStringLiteral("%1 → %2%3").arg(QLatin1String(liveRunStatusName(before)),
                                                 QLatin1String(liveRunStatusName(m_run.status)),
                                                 message.isEmpty() ? QString() : QStringLiteral(": ") + message),
                 QJsonObject{{QStringLiteral("from"), QLatin1String(liveRunStatusName(before))},
                             {QStringLiteral("to"), QLatin1String(liveRunStatusName(m_run.status))}});
        emit statusChanged(id(), m_run.status, message);
    }
    return true;
}

void LiveRunExecutor::runEvent(const QString &type, const QString &message, const QJsonObject &payload,
                               const QString &correlationId)
{
    LiveEvent e;
    e.liveRunId = id();
    e.account = m_run.spec.account;
    e.type = type;
    e.correlationId = correlationId;
    e.atMs = now();
    e.message = message;
    e.payload = payload;
    m_log->info("[LiveRun {}] [{}] [{}] [{}] {} {}", utf8(uuidText(id())), utf8(m_run.spec.account),
                utf8(m_run.spec.symbol), utf8(type), utf8(correlationId), utf8(message));
    if (Result<qint64> r = m_trades.appendEvent(e); !r) {
        ++m_counters.errors;
        m_degraded = true;
    }
}

void LiveRunExecutor::writeHeartbeat()
{
    flushBars();
    Heartbeat h;
    h.liveRunId = id();
    h.atMs = now();
    h.signalsReceived = m_counters.signalsReceived;
    h.intentsSent = m_counters.intentsSent;
    h.intentsSucceeded = m_counters.intentsSucceeded;
    h.intentsFailed = m_counters.intentsFailed;
    h.trades = m_counters.trades;
    h.errors = m_counters.errors;
    h.loopMs = m_counters.lastLoopMs;
    h.lastActionAtMs = m_counters.lastActionAtMs;
    const LatencyFigures barToDecision = m_barToDecision.summary();
    const LatencyFigures barToAction = m_barToAction.summary();
    const QJsonObject line{{QStringLiteral("type"), QStringLiteral("heartbeat")},
                           {QStringLiteral("live_run"), uuidText(id())},
                           {QStringLiteral("account"), m_run.spec.account},
                           {QStringLiteral("symbol"), m_run.spec.symbol},
                           {QStringLiteral("status"), QLatin1String(liveRunStatusName(m_run.status))},
                           {QStringLiteral("at"), double(h.atMs)},
                           {QStringLiteral("signals"), double(h.signalsReceived)},
                           {QStringLiteral("intents_sent"), double(h.intentsSent)},
                           {QStringLiteral("intents_succeeded"), double(h.intentsSucceeded)},
                           {QStringLiteral("intents_failed"), double(h.intentsFailed)},
                           {QStringLiteral("trades"), double(h.trades)},
                           {QStringLiteral("errors"), double(h.errors)},
                           {QStringLiteral("loop_ms"), h.loopMs},
                           {QStringLiteral("last_action_at"), double(h.lastActionAtMs)},
                           {QStringLiteral("bars_decided"), double(barToDecision.count)},
                           {QStringLiteral("bar_to_decision_p50_ms"), barToDecision.p50},
                           {QStringLiteral("bar_to_decision_p99_ms"), barToDecision.p99},
                           {QStringLiteral("bar_to_action_p50_ms"), barToAction.p50},
                           {QStringLiteral("bar_to_action_p99_ms"), barToAction.p99},
                           {QStringLiteral("degraded"), m_degraded}};
    m_log->info("{}", QJsonDocument(line).toJson(QJsonDocument::Compact).toStdString());
    if (Result<void> r = m_trades.recordHeartbeat(h); !r) {
        m_degraded = true;
        ++m_counters.errors;
    } else if (m_degraded) {
        refreshTrades();
    }
    emit heartbeat(h);
}

} // namespace bd
