#include "tradeservice.h"

#include "idempotencykey.h"
#include "logging.h"

#include <QDateTime>
#include <QJsonObject>
#include <QSet>

#include <spdlog/logger.h>

#include <algorithm>
#include <cmath>

namespace bd {

namespace {

constexpr qint64 kRetryFirstMs = 250;
constexpr qint64 kRetryMaxMs = 2000;

std::string utf8(const QString &s) { return s.toStdString(); }

IntentState stateOf(mt5::OrderOutcome::Status s)
{
    using S = mt5::OrderOutcome::Status;
    switch (s) {
    case S::Done:
    case S::Placed:
    case S::Partial:
    case S::NoChange: return IntentState::Done;
    case S::Rejected: return IntentState::Rejected;
    case S::Unknown: return IntentState::Unknown;
    }
    return IntentState::Unknown;
}

QString runIdText(const QUuid &id) { return id.isNull() ? QString() : id.toString(QUuid::WithoutBraces); }

} // namespace

TradeService::TradeService(TradeServiceConfig config, TradeStore &store, mt5::BrokerPort *broker, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_store(store), m_broker(broker), m_log(logging::get("live"))
{
    if (!m_config.nowMs)
        m_config.nowMs = [] { return QDateTime::currentMSecsSinceEpoch(); };
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        const QStringList symbols = m_queues.keys();
        for (const QString &symbol : symbols)
            sendNext(symbol);
    });
    m_unknownTimer.setInterval(int(std::max<qint64>(100, m_config.unknownPollMs)));
    connect(&m_unknownTimer, &QTimer::timeout, this, &TradeService::pollUnknown);
    if (m_broker) {
        connect(m_broker, &mt5::BrokerPort::orderOutcome, this, &TradeService::onOutcome);
        connect(m_broker, &mt5::BrokerPort::orderRefused, this, &TradeService::onRefused);
        connect(m_broker, &mt5::BrokerPort::dealsReceived, this, &TradeService::onDeals);
        connect(m_broker, &mt5::BrokerPort::accountChanged, this, &TradeService::onAccount);
    }
}

TradeService::~TradeService() = default;

qint64 TradeService::now() const { return m_config.nowMs(); }

void TradeService::setSymbol(const QString &symbol, const mt5::BrokerSymbol &brokerSymbol)
{
    m_symbols.insert(symbol, brokerSymbol);
}

void TradeService::setQuote(const QString &symbol, const Quote &quote) { m_quotes.insert(symbol, quote); }
void TradeService::setAccount(const mt5::AccountInfo &account) { m_account = account; }
void TradeService::onAccount(const mt5::AccountInfo &account) { m_account = account; }

Result<mt5::TradeRequest> TradeService::requestFor(const OrderPlan &plan, const mt5::BrokerSymbol &symbol,
                                                   const Quote &quote, IntentRecord &rec, const EntryRisk *risk,
                                                   std::optional<GuardrailDenial> &denied)
{
    mt5::TradeRequest r;
    r.symbol = symbol.name;
    r.magic = m_config.magic;
    r.typeFilling = QStringLiteral("AUTO");
    switch (plan.action) {
    case IntentAction::Open: {
        const double equity = m_account ? m_account->equity : 0.0;
        Result<PlannedOrder> planned = buildTradeRequest(rec.intent, symbol, quote, equity);
        if (!planned)
            return planned.error();
        const PlannedOrder &p = planned.value();
        rec.volume = p.volume;
        rec.price = p.entryPrice;
        rec.sl = p.request.sl;
        rec.tp = p.request.tp;
        if (risk) {
            EntryRequest entry;
            entry.riskPercent = equity > 0.0 ? p.projectedLoss / equity * 100.0 : 0.0;
            entry.requiredMargin = forexMarginRequired(p.volume, symbol.tradeContractSize, p.entryPrice,
                                                       m_account ? m_account->leverage : 0);
            denied = checkEntry(risk->limits, risk->state, entry);
        }
        return p.request;
    }
    case IntentAction::Close: {
        if (plan.positionTicket == 0 || !(plan.volume > 0.0))
            return Error{QStringLiteral("a close needs a position ticket and a volume > 0 (got ticket %1, volume %2)")
                             .arg(plan.positionTicket)
                             .arg(plan.volume)};
        r.action = mt5::TradeAction::Deal;
        r.type = rec.intent.side == Side::Buy ? mt5::OrderType::Sell : mt5::OrderType::Buy;  // the opposite deal
        r.position = plan.positionTicket;
        r.volume = plan.volume;
        r.deviation = rec.intent.deviationPoints;
        r.comment = rec.intent.comment;
        rec.volume = plan.volume;
        rec.price = rec.intent.side == Side::Buy ? quote.bid : quote.ask;
        return r;
    }
    case IntentAction::Modify: {
        if (plan.positionTicket == 0)
            return Error{QStringLiteral("a modify needs a position ticket")};
        r.action = mt5::TradeAction::Sltp;
        r.position = plan.positionTicket;
        r.sl = plan.sl;
        r.tp = plan.tp;
        rec.sl = plan.sl;
        rec.tp = plan.tp;
        return r;
    }
    }
    return Error{QStringLiteral("unknown intent action")};
}

Result<IntentRecord> TradeService::submit(const OrderPlan &plan, qint64 barTimeMs, const EntryRisk *risk)
{
    const qint64 submittedAt = now();
    const QString symbolName = plan.intent.symbol;
    const auto sym = m_symbols.constFind(symbolName);
    const auto quote = m_quotes.constFind(symbolName);
    if (sym == m_symbols.cend() || quote == m_quotes.cend())
        return Error{QStringLiteral("nothing is known yet of %1 on account %2 (%3); wait for the feed to resolve it")
                         .arg(symbolName, m_config.account,
                              sym == m_symbols.cend() ? QStringLiteral("no symbol information")
                                                      : QStringLiteral("no quote"))};

    IntentRecord rec;
    rec.action = plan.action;
    rec.intent = plan.intent;
    rec.intent.account = m_config.account;
    rec.intent.magic = m_config.magic;
    rec.positionTicket = plan.positionTicket;
    rec.barTimeMs = barTimeMs;
    rec.closeReason = plan.closeReason;
    rec.closeSubreason = plan.closeSubreason;

    // The key: the same signal of the same run on the same bar is the same intent. A manual order is its own signal:
    // its correlation id stands in for the run.
    IntentIdentity identity;
    identity.liveRunId = plan.intent.liveRunId;
    if (identity.liveRunId.isNull())
        identity.liveRunId = QUuid::fromString(plan.intent.correlationId);
    if (identity.liveRunId.isNull())
        return Error{QStringLiteral("an intent without a live run needs a UUID correlation id (got '%1')")
                         .arg(plan.intent.correlationId)};
    identity.barTimeMs = barTimeMs;
    identity.symbol = symbolName;
    identity.side = plan.intent.side;
    identity.fingerprint = QString::fromLatin1(intentActionName(plan.action)) + QLatin1Char(' ') + plan.fingerprint;
    Result<QString> key = idempotencyKey(identity);
    if (!key)
        return key.error();
    rec.idempotencyKey = key.value();
    rec.clientReqId = clientReqIdFor(rec.idempotencyKey);

    std::optional<GuardrailDenial> denied;
    Result<mt5::TradeRequest> request = requestFor(plan, sym.value(), quote.value(), rec, risk, denied);
    if (!request) {
        rec.state = IntentState::Denied;
        rec.message = request.error().message;
    } else if (denied) {
        rec.state = IntentState::Denied;
        rec.message = denied->reason;
    }

    Result<PersistedIntent> persisted = m_store.persistIntent(rec);
    if (!persisted && m_batch && !m_batch->storeFailure)
        m_batch->storeFailure = persisted.error().message;
    if (!persisted) {
        m_log->error("[LiveRun {}] [{}] [{}] [persist] {}: intent not sent: {}", utf8(runIdText(rec.intent.liveRunId)),
                     utf8(m_config.account), utf8(symbolName), utf8(rec.intent.correlationId),
                     utf8(persisted.error().message));
        return Error{QStringLiteral("the intent could not be recorded, so it was not sent: %1")
                         .arg(persisted.error().message)};
    }
    if (!persisted.value().created) {
        IntentRecord stored = persisted.value().stored;
        m_log->info("[LiveRun {}] [{}] [{}] [duplicate] {}: intent {} already recorded ({}); not sent again",
                    utf8(runIdText(rec.intent.liveRunId)), utf8(m_config.account), utf8(symbolName),
                    utf8(rec.intent.correlationId), utf8(stored.clientReqId), intentStateName(stored.state));
        const bool queued = std::any_of(m_queues[symbolName].begin(), m_queues[symbolName].end(),
                                        [&](const Pending &p) { return p.intent.clientReqId == stored.clientReqId; });
        if (!queued && !isFinal(stored.state) && m_broker) {
            QPointer<mt5::BrokerPort> broker = m_broker;
            const QString id = stored.clientReqId;
            QMetaObject::invokeMethod(broker, [broker, id] { if (broker) broker->queryOrderStatus(id); },
                                      Qt::QueuedConnection);
        }
        return stored;
    }

    if (rec.state == IntentState::Denied) {
        event(rec, QStringLiteral("IntentDenied"), rec.message,
              QJsonObject{{QStringLiteral("rule"), denied ? denied->rule : QStringLiteral("ORDER_RULES")}});
        if (denied)
            event(rec, QStringLiteral("GuardrailTripped"), denied->reason, QJsonObject{{QStringLiteral("rule"), denied->rule}});
        emit intentChanged(rec);
        return rec;
    }

    rec = persisted.value().stored;  // with the store's times
    Pending p;
    p.intent = rec;
    p.request = request.value();
    p.submittedAtMs = submittedAt;
    m_queues[symbolName].push_back(std::move(p));
    emit intentChanged(rec);
    if (m_batch)
        m_batch->queued.emplace_back(symbolName, rec.clientReqId);  // sent once the batch has committed
    else
        sendNext(symbolName);
    return rec;
}

void TradeService::submitTogether(const std::function<void()> &submissions)
{
    if (m_batch) {
        submissions();
        return;
    }
    m_batch.emplace();
    bool ran = false;
    const Result<void> committed = m_store.inOneCommit([&]() -> Result<void> {
        ran = true;
        submissions();
        if (m_batch->storeFailure)
            return Error{*m_batch->storeFailure};
        return {};
    });
    const Batch batch = std::move(*m_batch);
    m_batch.reset();
    if (!ran) {
        // The transaction could not even begin (the database is unreachable): each submission on its own, so that
        // each reports its own failure (or succeeds once the database is back) as without a batch.
        submissions();
        return;
    }
    if (committed) {
        QSet<QString> symbols;
        for (const auto &[symbol, id] : batch.queued)
            symbols.insert(symbol);
        for (const QString &symbol : symbols)
            sendNext(symbol);
        return;
    }
    // Rolled back: no intent of the batch is durable, so none may be sent.
    for (const auto &[symbol, id] : batch.queued) {
        std::deque<Pending> &queue = m_queues[symbol];
        const auto it = std::find_if(queue.begin(), queue.end(), [&](const Pending &p) { return p.intent.clientReqId == id; });
        if (it == queue.end())
            continue;
        IntentRecord rec = it->intent;
        queue.erase(it);
        rec.state = IntentState::Rejected;
        rec.message = QStringLiteral("not recorded (%1); not sent").arg(committed.error().message);
        m_log->error("[LiveRun {}] [{}] [{}] [persist] {}: {}", utf8(runIdText(rec.intent.liveRunId)),
                     utf8(m_config.account), utf8(symbol), utf8(rec.intent.correlationId), utf8(rec.message));
        event(rec, QStringLiteral("OrderRejected"), rec.message);
        emit intentChanged(rec);
    }
}

void TradeService::sendNext(const QString &symbol)
{
    if (m_inFlight.contains(symbol))
        return;
    std::deque<Pending> &queue = m_queues[symbol];
    while (!queue.empty()) {
        Pending &p = queue.front();
        if (now() - p.submittedAtMs > m_config.sendTtlMs) {
            record(p.intent, IntentState::Rejected,
                   QStringLiteral("not sent within %1 s (the link to the bridge was down); the signal expired")
                       .arg(m_config.sendTtlMs / 1000.0));
            event(p.intent, QStringLiteral("OrderRejected"), p.intent.message);
            queue.pop_front();
            continue;
        }
        dispatch(p);
        return;
    }
}

void TradeService::dispatch(Pending &p)
{
    IntentRecord &r = p.intent;
    m_inFlight.insert(r.intent.symbol, r.clientReqId);
    ++p.attempts;
    // The intent is already durable: the order goes first, its SENT state and OrderSent event are written after it.
    if (m_broker) {
        QPointer<mt5::BrokerPort> broker = m_broker;
        const QString id = r.clientReqId;
        const mt5::TradeRequest request = p.request;
        const QString runId = runIdText(r.intent.liveRunId);
        QMetaObject::invokeMethod(broker, [broker, id, request, runId] { if (broker) broker->sendOrder(id, request, runId); },
                                  Qt::QueuedConnection);
    }
    if (p.attempts == 1) {
        const double signalToSendMs = double(now() - p.submittedAtMs);
        record(r, IntentState::Sent);
        event(r, QStringLiteral("OrderSent"),
              QStringLiteral("%1 %2 %3 lots of %4").arg(QLatin1String(intentActionName(r.action)),
                                                         QLatin1String(sideName(r.intent.side)))
                  .arg(r.volume)
                  .arg(r.intent.symbol),
              QJsonObject{{QStringLiteral("client_req_id"), r.clientReqId},
                          {QStringLiteral("signal_to_send_ms"), signalToSendMs}});
    }
}

void TradeService::onRefused(const QString &clientReqId, const QString &, const QString &reason)
{
    Result<std::optional<IntentRecord>> found = intentOf(clientReqId);
    if (!found || !found.value())
        return;  // not an intent of this service
    IntentRecord rec = *found.value();
    if (rec.intent.account != m_config.account)
        return;
    const QString symbol = rec.intent.symbol;
    const bool front = m_inFlight.value(symbol) == clientReqId;
    if (reason.contains(QLatin1String("was already sent"))) {
        // The connector holds it: ask what became of it, never resend under a new id.
        QPointer<mt5::BrokerPort> broker = m_broker;
        QMetaObject::invokeMethod(broker, [broker, clientReqId] { if (broker) broker->queryOrderStatus(clientReqId); },
                                  Qt::QueuedConnection);
        return;
    }
    if (front && reason.startsWith(QLatin1String("not connected"))) {
        // Nothing was sent: try again under the same id after a backoff, while the signal is fresh.
        m_inFlight.remove(symbol);
        const Pending &p = m_queues[symbol].front();
        const qint64 delay = std::min(kRetryMaxMs, kRetryFirstMs << std::min(p.attempts - 1, 4));
        m_log->warn("[LiveRun {}] [{}] [{}] [retry] {}: {} (attempt {}, next in {} ms)", utf8(runIdText(rec.intent.liveRunId)),
                    utf8(m_config.account), utf8(symbol), utf8(rec.intent.correlationId), utf8(reason), p.attempts, delay);
        m_retryTimer.start(int(delay));
        return;
    }
    const QString message = reason.contains(QLatin1String("(not_found)"))
                                ? QStringLiteral("the bridge never received it (%1); not sent late").arg(reason)
                                : reason;
    record(rec, IntentState::Rejected, message);
    event(rec, QStringLiteral("OrderRejected"), message);
    m_unknown.remove(clientReqId);
    if (front) {
        m_inFlight.remove(symbol);
        m_queues[symbol].pop_front();
        sendNext(symbol);
    }
}

Result<std::optional<IntentRecord>> TradeService::intentOf(const QString &clientReqId) const
{
    for (auto it = m_inFlight.cbegin(); it != m_inFlight.cend(); ++it) {
        if (it.value() != clientReqId)
            continue;
        const auto queue = m_queues.constFind(it.key());
        if (queue != m_queues.cend() && !queue->empty() && queue->front().intent.clientReqId == clientReqId)
            return std::optional<IntentRecord>(queue->front().intent);
    }
    return m_store.intentByClientReqId(clientReqId);
}

void TradeService::onOutcome(const mt5::OrderOutcome &outcome)
{
    Result<std::optional<IntentRecord>> found = intentOf(outcome.clientReqId);
    if (!found) {
        m_log->error("[{}] outcome of {} could not be read from the store: {}", utf8(m_config.account),
                     utf8(outcome.clientReqId), utf8(found.error().message));
        return;
    }
    if (!found.value())
        return;  // not ours (another account's service, or an order BotDesk did not send through a TradeService)
    IntentRecord rec = *found.value();
    if (rec.intent.account != m_config.account)
        return;
    const QString symbol = rec.intent.symbol;
    const IntentState before = rec.state;
    const IntentState after = stateOf(outcome.status);
    rec.retcode = outcome.result.retcode;
    if (outcome.result.order)
        rec.orderTicket = outcome.result.order;
    if (outcome.result.deal)
        rec.dealTicket = outcome.result.deal;
    if (outcome.result.price > 0.0)
        rec.fillPrice = outcome.result.price;
    const QString retcodeText = QStringLiteral("retcode %1 %2").arg(outcome.result.retcode).arg(outcome.result.comment);
    if (before != after || after == IntentState::Unknown)
        record(rec, after, after == IntentState::Done ? QString() : retcodeText);

    if (after == IntentState::Unknown) {
        m_unknown.insert(outcome.clientReqId, symbol);
        if (!m_unknownTimer.isActive())
            m_unknownTimer.start();
        if (before != IntentState::Unknown)
            event(rec, QStringLiteral("OrderUnknown"),
                  QStringLiteral("the outcome of %1 is not known yet; asked again every %2 s, never resent")
                      .arg(rec.clientReqId)
                      .arg(m_config.unknownPollMs / 1000.0));
    } else {
        m_unknown.remove(outcome.clientReqId);
        if (m_unknown.isEmpty())
            m_unknownTimer.stop();
    }

    if (rec.action == IntentAction::Close && (outcome.alreadyClosed || after == IntentState::Rejected))
        emit positionGone(m_config.account, rec.positionTicket);
    if (after == IntentState::Done && before != IntentState::Done && outcome.alreadyClosed) {
        event(rec, QStringLiteral("PositionAlreadyClosed"),
              QStringLiteral("position %1 was already closed at the broker; its closing deal is looked up")
                  .arg(rec.positionTicket));
    } else if (after == IntentState::Done && before != IntentState::Done) {
        const mt5::BrokerSymbol bs = m_symbols.value(symbol);
        const double point = bs.point > 0 ? bs.point : 1e-5;
        const double slippage = rec.fillPrice > 0 && rec.price > 0
                                    ? std::round((rec.intent.side == Side::Buy) == (rec.action != IntentAction::Close)
                                                     ? (rec.fillPrice - rec.price) / point
                                                     : (rec.price - rec.fillPrice) / point)
                                    : 0.0;
        event(rec, QStringLiteral("TradeExecuted"),
              QStringLiteral("%1 %2 %3 lots of %4 at %5").arg(QLatin1String(intentActionName(rec.action)),
                                                              QLatin1String(sideName(rec.intent.side)))
                  .arg(outcome.result.volume)
                  .arg(symbol)
                  .arg(rec.fillPrice, 0, 'f', bs.digits),
              QJsonObject{{QStringLiteral("execution_ms"), double(now() - submittedAt(rec))},
                          {QStringLiteral("fill_price"), rec.fillPrice},
                          {QStringLiteral("expected_price"), rec.price},
                          {QStringLiteral("slippage_points"), slippage},
                          {QStringLiteral("bridge_latency_ms"), double(outcome.bridgeLatencyMs)},
                          {QStringLiteral("dedup"), outcome.dedup}});
        if (rec.action == IntentAction::Open) {
            LiveTrade t;
            t.account = m_config.account;
            t.positionTicket = outcome.positionId ? outcome.positionId : outcome.result.order;
            t.liveRunId = rec.intent.liveRunId;
            t.botVersionId = rec.intent.botVersionId;
            t.source = rec.intent.source;
            t.correlationId = rec.intent.correlationId;
            t.idempotencyKey = rec.idempotencyKey;
            t.symbol = symbol;
            t.side = rec.intent.side;
            t.volume = outcome.result.volume > 0 ? outcome.result.volume : rec.volume;
            t.openPrice = rec.fillPrice;
            // The broker's clock at the fill (its last tick), as the closing deal's time will be; the wall clock
            // only before any tick (no quote: nothing could have been sized).
            t.openTimeMs = m_clock.known() ? m_clock.nowUtcMs() : now();
            t.sl = rec.sl;
            t.tp = rec.tp;
            if (Result<void> r = m_store.recordTradeOpened(t); !r)
                m_log->error("[LiveRun {}] [{}] [{}] [trade] {}: position {} not recorded: {}",
                             utf8(runIdText(t.liveRunId)), utf8(m_config.account), utf8(symbol), utf8(t.correlationId),
                             t.positionTicket, utf8(r.error().message));
            else
                emit tradeOpened(t);
        } else if (rec.action == IntentAction::Modify) {
            if (Result<void> r = m_store.updateTradeStops(m_config.account, rec.positionTicket, rec.sl, rec.tp); !r)
                m_log->warn("[{}] new SL/TP of position {} not recorded: {}", utf8(m_config.account), rec.positionTicket,
                            utf8(r.error().message));
        }
    } else if (after == IntentState::Rejected && before != IntentState::Rejected) {
        event(rec, QStringLiteral("OrderRejected"), retcodeText,
              QJsonObject{{QStringLiteral("retcode"), outcome.result.retcode},
                          {QStringLiteral("class"), retcodeClassName(outcome.retcodeClass)}});
    }

    if (m_inFlight.value(symbol) == outcome.clientReqId) {
        m_inFlight.remove(symbol);
        std::deque<Pending> &queue = m_queues[symbol];
        if (!queue.empty() && queue.front().intent.clientReqId == outcome.clientReqId)
            queue.pop_front();
        sendNext(symbol);
    }
}

qint64 TradeService::submittedAt(const IntentRecord &intent) const
{
    // Sent by this process: its own clock. Sent before a restart: the store's record of it.
    const auto queue = m_queues.constFind(intent.intent.symbol);
    if (queue != m_queues.cend()) {
        for (const Pending &p : *queue) {
            if (p.intent.clientReqId == intent.clientReqId)
                return p.submittedAtMs;
        }
    }
    return intent.createdAtMs;
}

QString TradeService::closeReasonFor(const mt5::Deal &deal, const std::optional<IntentRecord> &closing,
                                     const LiveTrade *trade) const
{
    switch (deal.reason) {
    case mt5::DealReason::Sl: return QStringLiteral("SL_HIT");
    case mt5::DealReason::Tp: return QStringLiteral("TP_HIT");
    case mt5::DealReason::So: return QStringLiteral("STOP_OUT");
    default: break;
    }
    if (closing) {
        if (!closing->closeReason.isEmpty())
            return closing->closeReason;
        return closing->intent.source == TradeSource::Manual ? QStringLiteral("MANUAL_CLOSE")
                                                              : QStringLiteral("STRATEGY_EXIT");
    }
    if (trade) {
        const mt5::BrokerSymbol bs = m_symbols.value(trade->symbol);
        const double tolerance = (bs.tradeTickSize > 0 ? bs.tradeTickSize : bs.point) / 2.0;
        if (trade->sl > 0 && std::abs(deal.price - trade->sl) <= tolerance)
            return QStringLiteral("SL_HIT");
        if (trade->tp > 0 && std::abs(deal.price - trade->tp) <= tolerance)
            return QStringLiteral("TP_HIT");
    }
    return QStringLiteral("RECONCILER_CLEANUP");
}

void TradeService::onDeals(const QVector<mt5::Deal> &deals)
{
    for (const mt5::Deal &deal : deals) {
        if (deal.entry != mt5::DealEntry::Out && deal.entry != mt5::DealEntry::OutBy)
            continue;
        Result<std::optional<LiveTrade>> found = m_store.openTrade(m_config.account, deal.positionId);
        if (!found) {
            m_log->error("[{}] closing deal {} of position {} not recorded (its trade is unreadable): {}",
                         utf8(m_config.account), deal.ticket, deal.positionId, utf8(found.error().message));
            continue;
        }
        if (!found.value())
            continue;  // not a position of ours (or already closed): the reconciler's business
        const LiveTrade *trade = &*found.value();
        std::optional<IntentRecord> closing;
        if (!deal.clientReqId.isEmpty()) {
            if (Result<std::optional<IntentRecord>> r = intentOf(deal.clientReqId); r && r.value())
                closing = *r.value();
        }
        TradeClose c;
        c.account = m_config.account;
        c.positionTicket = deal.positionId;
        c.dealTicket = deal.ticket;
        c.orderTicket = deal.order;
        c.volume = deal.volume;
        c.price = deal.price;
        c.profit = deal.profit;
        c.commission = deal.commission;
        c.swap = deal.swap;
        c.timeMs = m_clock.toUtcMs(deal.timeMsc);
        c.closeReason = closeReasonFor(deal, closing, trade);
        c.closeSubreason = closing ? closing->closeSubreason : QString();
        c.correlationId = closing ? closing->intent.correlationId : QString();
        if (Result<void> r = m_store.recordTradeClose(c); !r) {
            m_log->error("[{}] closing deal {} of position {} not recorded: {}", utf8(m_config.account), deal.ticket,
                         deal.positionId, utf8(r.error().message));
            continue;
        }
        LiveEvent e;
        e.liveRunId = trade->liveRunId;
        e.account = m_config.account;
        e.type = QStringLiteral("TradeClosed");
        e.correlationId = c.correlationId.isEmpty() ? trade->correlationId : c.correlationId;
        e.atMs = now();
        e.message = QStringLiteral("position %1 %2 %3 lots at %4: %5, profit %6")
                        .arg(deal.positionId)
                        .arg(QLatin1String(sideName(trade->side)))
                        .arg(deal.volume)
                        .arg(deal.price)
                        .arg(c.closeReason)
                        .arg(deal.profit, 0, 'f', 2);
        e.payload = QJsonObject{{QStringLiteral("deal"), QString::number(deal.ticket)},
                                {QStringLiteral("close_reason"), c.closeReason},
                                {QStringLiteral("profit"), deal.profit}};
        if (Result<qint64> id = m_store.appendEvent(e); id)
            e.id = id.value();
        emit eventRecorded(e);
        emit tradeClosed(c);
    }
}

void TradeService::pollUnknown()
{
    if (m_unknown.isEmpty()) {
        m_unknownTimer.stop();
        return;
    }
    QPointer<mt5::BrokerPort> broker = m_broker;
    const QStringList ids = m_unknown.keys();
    QMetaObject::invokeMethod(broker, [broker, ids] {
        if (broker) {
            for (const QString &id : ids)
                broker->queryOrderStatus(id);
        }
    }, Qt::QueuedConnection);
}

Result<int> TradeService::resumeUnfinished()
{
    Result<std::vector<IntentRecord>> unfinished = m_store.unfinishedIntents(m_config.account);
    if (!unfinished)
        return unfinished.error();
    QStringList ids;
    for (const IntentRecord &r : unfinished.value()) {
        ids << r.clientReqId;
        m_unknown.insert(r.clientReqId, r.intent.symbol);
    }
    if (!ids.isEmpty()) {
        m_log->info("[{}] asking the bridge about {} unfinished intents", utf8(m_config.account), ids.size());
        pollUnknown();
        m_unknownTimer.start();
    }
    return int(ids.size());
}

void TradeService::record(IntentRecord &intent, IntentState state, const QString &message)
{
    intent.state = state;
    if (!message.isEmpty())
        intent.message = message;
    if (Result<void> r = m_store.updateIntent(intent); !r)
        m_log->error("[LiveRun {}] [{}] [{}] [{}] {}: state not recorded: {}", utf8(runIdText(intent.intent.liveRunId)),
                     utf8(m_config.account), utf8(intent.intent.symbol), intentStateName(state),
                     utf8(intent.intent.correlationId), utf8(r.error().message));
    emit intentChanged(intent);
}

void TradeService::event(const IntentRecord &intent, const QString &type, const QString &message,
                         const QJsonObject &payload)
{
    LiveEvent e;
    e.liveRunId = intent.intent.liveRunId;
    e.account = m_config.account;
    e.type = type;
    e.correlationId = intent.intent.correlationId;
    e.atMs = now();
    e.message = message;
    e.payload = payload;
    e.payload.insert(QStringLiteral("idempotency_key"), intent.idempotencyKey);
    m_log->info("[LiveRun {}] [{}] [{}] [{}] {} {}", utf8(runIdText(e.liveRunId)), utf8(m_config.account),
                utf8(intent.intent.symbol), utf8(type), utf8(e.correlationId), utf8(message));
    if (Result<qint64> id = m_store.appendEvent(e); id)
        e.id = id.value();
    else
        m_log->error("[{}] event {} not recorded: {}", utf8(m_config.account), utf8(type), utf8(id.error().message));
    emit eventRecorded(e);
}

} // namespace bd
