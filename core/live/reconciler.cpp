#include "reconciler.h"

#include "logging.h"

#include <QDateTime>
#include <QSet>

#include <spdlog/logger.h>

namespace bd {

namespace {
std::string utf8(const QString &s) { return s.toStdString(); }
constexpr int kDealsQuietMs = 500;
constexpr qint64 kPassTimeoutMs = 5'000;
} // namespace

Reconciler::Reconciler(Options options, TradeStore &store, mt5::BrokerPort *broker, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_store(store), m_broker(broker), m_log(logging::get("live"))
{
    if (!m_options.nowMs)
        m_options.nowMs = [] { return QDateTime::currentMSecsSinceEpoch(); };
    m_timer.setInterval(int(std::max<qint64>(100, m_options.intervalMs)));
    connect(&m_timer, &QTimer::timeout, this, &Reconciler::reconcileNow);
    m_dealsWait.setSingleShot(true);
    m_dealsWait.setInterval(kDealsQuietMs);
    connect(&m_dealsWait, &QTimer::timeout, this, [this] { askPositions(Phase::SecondSnapshot); });
    if (m_broker) {
        connect(m_broker, &mt5::BrokerPort::positionsSnapshot, this, &Reconciler::onPositions);
        connect(m_broker, &mt5::BrokerPort::dealsReceived, this, &Reconciler::onDeals);
    }
}

Reconciler::~Reconciler() = default;

void Reconciler::setSymbolName(const QString &brokerName, const QString &name) { m_names.insert(brokerName, name); }

void Reconciler::start()
{
    m_timer.start();
    reconcileNow();
}

void Reconciler::reconcileNow()
{
    // Deals are asked for on the broker's clock, known from its ticks: until one has arrived there is no pass (the
    // timer tries again), so a simulator replaying another year is never searched at today's date.
    if (!m_broker || !m_clock.known())
        return;
    if (m_phase != Phase::Idle) {
        // A pass in progress, unless its answer was lost with the link: then it starts over.
        if (m_options.nowMs() - m_passStartMs < kPassTimeoutMs)
            return;
        m_log->warn("[{}] reconciler: no answer from the broker within {} ms; starting the pass again",
                    utf8(m_options.account), kPassTimeoutMs);
        m_dealsWait.stop();
    }
    m_passStartMs = m_options.nowMs();
    m_passStartBrokerMs = m_clock.nowUtcMs();
    m_missing = 0;
    askPositions(Phase::FirstSnapshot);
}

void Reconciler::askPositions(Phase next)
{
    m_phase = next;
    QPointer<mt5::BrokerPort> broker = m_broker;
    QMetaObject::invokeMethod(broker, [broker] { if (broker) broker->requestPositions(); }, Qt::QueuedConnection);
}

void Reconciler::onPositions(const QVector<mt5::Position> &positions)
{
    if (m_phase == Phase::SecondSnapshot) {
        m_phase = Phase::Idle;
        decide(positions);
        return;
    }
    if (m_phase != Phase::FirstSnapshot)
        return;  // a snapshot someone else asked for (or pushed on a reconnect) outside our pass
    m_first = positions;
    Result<std::vector<LiveTrade>> open = m_store.openTrades(m_options.account);
    if (!open) {
        m_phase = Phase::Idle;
        m_log->warn("[{}] reconciler: open trades unreadable ({}); next pass in {} ms", utf8(m_options.account),
                    utf8(open.error().message), m_options.intervalMs);
        return;
    }
    QSet<quint64> atBroker;
    for (const mt5::Position &p : positions)
        atBroker.insert(p.ticket);
    for (const LiveTrade &t : open.value())
        m_missing += atBroker.contains(t.positionTicket) ? 0 : 1;
    if (m_missing == 0) {
        askPositions(Phase::SecondSnapshot);
        return;
    }
    // Closed at the broker while we did not see it: its deals say how (the TradeService records them).
    const qint64 to = m_clock.serverMs / 1000 + 86'400;
    const qint64 from = std::max<qint64>(0, to - qint64(m_options.historyDays + 1) * 86'400);
    m_phase = Phase::Deals;
    m_log->info("[{}] reconciler: {} trade(s) open here are not at the broker; asking for the deals of {} .. {} (server clock)",
                utf8(m_options.account), m_missing,
                utf8(QDateTime::fromSecsSinceEpoch(from, Qt::UTC).toString(Qt::ISODate)),
                utf8(QDateTime::fromSecsSinceEpoch(to, Qt::UTC).toString(Qt::ISODate)));
    QPointer<mt5::BrokerPort> broker = m_broker;
    QMetaObject::invokeMethod(broker, [broker, from, to] { if (broker) broker->requestDeals(from, to); },
                              Qt::QueuedConnection);
    m_dealsWait.start(kDealsQuietMs * 10);  // the first page may take a while; later pages restart it short
}

void Reconciler::onDeals(const QVector<mt5::Deal> &deals)
{
    if (m_phase != Phase::Deals)
        return;
    m_log->debug("[{}] reconciler: {} deal(s) received", utf8(m_options.account), deals.size());
    m_dealsWait.start(kDealsQuietMs);
}

void Reconciler::decide(const QVector<mt5::Position> &second)
{
    QSet<quint64> inFirst, inEither;
    for (const mt5::Position &p : std::as_const(m_first)) {
        inFirst.insert(p.ticket);
        inEither.insert(p.ticket);
    }
    for (const mt5::Position &p : second)
        inEither.insert(p.ticket);
    // The database as it is now: the deals found have been recorded, outcomes that arrived meanwhile too.
    Result<std::vector<LiveTrade>> open = m_store.openTrades(m_options.account);
    if (!open)
        return;
    QSet<quint64> known;
    int cleaned = 0;
    for (const LiveTrade &t : open.value()) {
        known.insert(t.positionTicket);
        // Only a trade recorded before this pass began, absent from both snapshots, and with no deal found.
        if (inEither.contains(t.positionTicket) || t.openTimeMs >= m_passStartBrokerMs)
            continue;
        TradeClose c;
        c.account = m_options.account;
        c.positionTicket = t.positionTicket;
        c.dealTicket = t.positionTicket | kCleanupDealFlag;
        c.volume = t.volume - t.closedVolume;
        c.price = t.openPrice;
        c.timeMs = m_clock.nowUtcMs();  // the broker's clock, as every other close (no deal says when it went)
        c.closeReason = QStringLiteral("RECONCILER_CLEANUP");
        c.correlationId = t.correlationId;
        if (Result<void> r = m_store.recordTradeClose(c); !r) {
            m_log->error("[{}] reconciler: position {} not closed: {}", utf8(m_options.account), t.positionTicket,
                         utf8(r.error().message));
            continue;
        }
        ++cleaned;
        event(QStringLiteral("ReconcilerClosed"),
              QStringLiteral("position %1 is gone at the broker and no deal of it was found: closed as RECONCILER_CLEANUP")
                  .arg(t.positionTicket),
              t);
    }
    // Positions with our magic, in both snapshots, that the database does not know: adopted.
    int adopted = 0;
    for (const mt5::Position &p : second) {
        if (p.magic != m_options.magic || !inFirst.contains(p.ticket) || known.contains(p.ticket))
            continue;
        LiveTrade t;
        t.account = m_options.account;
        t.positionTicket = p.ticket;
        t.source = TradeSource::Bot;
        t.symbol = m_names.value(p.symbol, p.symbol);
        t.side = p.type == mt5::PositionType::Buy ? Side::Buy : Side::Sell;
        t.volume = p.volume;
        t.openPrice = p.priceOpen;
        t.openTimeMs = m_clock.toUtcMs(p.timeMsc);
        t.sl = p.sl;
        t.tp = p.tp;
        t.adopted = true;
        if (Result<void> r = m_store.recordTradeOpened(t); !r) {
            m_log->error("[{}] reconciler: position {} not adopted: {}", utf8(m_options.account), p.ticket,
                         utf8(r.error().message));
            continue;
        }
        ++adopted;
        event(QStringLiteral("ReconcilerAdopted"),
              QStringLiteral("position %1 %2 %3 lots of %4 carries our magic %5 but was unknown: adopted")
                  .arg(p.ticket)
                  .arg(QLatin1String(sideName(t.side)))
                  .arg(p.volume)
                  .arg(t.symbol)
                  .arg(m_options.magic),
              t);
    }
    const int closedFromDeals = std::max(0, m_missing - cleaned);
    if (adopted + cleaned + closedFromDeals > 0)
        m_log->info("[{}] reconciled: {} adopted, {} closed from their deals, {} cleaned up", utf8(m_options.account),
                    adopted, closedFromDeals, cleaned);
    emit reconciled(adopted, cleaned, closedFromDeals);
}

void Reconciler::event(const QString &type, const QString &message, const LiveTrade &trade)
{
    LiveEvent e;
    e.liveRunId = trade.liveRunId;
    e.account = m_options.account;
    e.type = type;
    e.correlationId = trade.correlationId;
    e.atMs = m_options.nowMs();
    e.message = message;
    e.payload = QJsonObject{{QStringLiteral("position"), QString::number(trade.positionTicket)}};
    m_log->warn("[LiveRun {}] [{}] [{}] [{}] {} {}", utf8(trade.liveRunId.toString(QUuid::WithoutBraces)),
                utf8(m_options.account), utf8(trade.symbol), utf8(type), utf8(trade.correlationId), utf8(message));
    (void)m_store.appendEvent(e);
}

} // namespace bd
