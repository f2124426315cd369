#include "mt5client.h"

#include "brokermetatypes.h"
#include "displaytext.h"
#include "envelope.h"
#include "logging.h"
#include "memoryorderoutbox.h"
#include "mt5bjson.h"
#include "nodelay.h"
#include "orderrounding.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QThread>
#include <QWebSocketHandshakeOptions>

#include <chrono>

#include <spdlog/spdlog.h>

namespace bd::mt5 {

namespace {

constexpr qint64 kQtMessageLimit = 16 * 1024 * 1024;  // beyond this Qt closes with 1009 (memory bound)
constexpr int kMaxBufferedEvents = 200000;
constexpr int kMaxRateLimitedRetries = 3;

const QSet<QString> &eventTypes()
{
    static const QSet<QString> types{"tick", "bar", "heartbeat", "terminal", "account", "position",
                                     "order", "deal", "order.result", "sim.state"};
    return types;
}

const QSet<QString> &replyTypes()
{
    static const QSet<QString> types{"welcome", "error", "pong", "subscribed", "unsubscribed", "symbols", "symbol",
                                     "rates", "ticks.history", "account", "positions", "orders", "deals",
                                     "order.ack", "order.check_result", "snapshot.begin", "snapshot.end",
                                     "resynced"};
    return types;
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

std::string utf8(const QString &s)
{
    return s.toStdString();
}

// The first 200 characters of an untrusted frame, safe to print.
std::string preview(const QByteArray &frame)
{
    return utf8(escapeForDisplay(QString::fromUtf8(frame.left(200)))) + (frame.size() > 200 ? "..." : "");
}

QString redactedUrl(const QUrl &url)
{
    return url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
}

std::optional<ChangeOp> parseOp(const QJsonValue &v)
{
    const QString op = v.toString();
    if (op == QLatin1String("add"))
        return ChangeOp::Add;
    if (op == QLatin1String("update"))
        return ChangeOp::Update;
    if (op == QLatin1String("remove"))
        return ChangeOp::Remove;
    return std::nullopt;
}

QString upper(const QString &s)
{
    return s.toUpper();
}

} // namespace

// ---------------------------------------------------------------------------------------------------------------
// Port faces

Mt5MarketData::Mt5MarketData(Mt5Client &client) : MarketDataPort(&client), m_client(client) {}
void Mt5MarketData::subscribeTicks(const QString &symbol) { m_client.subscribeTicks(symbol); }
void Mt5MarketData::unsubscribeTicks(const QString &symbol) { m_client.unsubscribeTicks(symbol); }
void Mt5MarketData::subscribeBars(const QString &symbol, const QString &timeframe, int historyBars, bool forming)
{
    m_client.subscribeBars(symbol, timeframe, historyBars, forming);
}
void Mt5MarketData::unsubscribeBars(const QString &symbol, const QString &timeframe)
{
    m_client.unsubscribeBars(symbol, timeframe);
}
void Mt5MarketData::requestBarHistory(const QString &requestId, const QString &symbol, const QString &timeframe,
                                      qint64 fromSec, qint64 toSec)
{
    m_client.requestBarHistory(requestId, symbol, timeframe, fromSec, toSec);
}

Mt5Broker::Mt5Broker(Mt5Client &client) : BrokerPort(&client), m_client(client) {}
void Mt5Broker::sendOrder(const QString &clientReqId, const TradeRequest &request, const QString &runId)
{
    m_client.sendOrder(clientReqId, request, runId);
}
void Mt5Broker::queryOrderStatus(const QString &clientReqId) { m_client.queryOrderStatus(clientReqId); }
void Mt5Broker::requestPositions() { m_client.requestPositions(); }
void Mt5Broker::requestOrders() { m_client.requestOrders(); }
void Mt5Broker::requestAccount() { m_client.requestAccount(); }
void Mt5Broker::requestDeals(qint64 fromSec, qint64 toSec) { m_client.requestDeals(fromSec, toSec); }

// ---------------------------------------------------------------------------------------------------------------
// Connection

Mt5Client *Mt5Client::createOn(QThread &thread, Mt5ClientConfig config)
{
    auto *client = new Mt5Client(std::move(config));
    if (thread.objectName().isEmpty())
        thread.setObjectName(QStringLiteral("bd-mt5-io"));
    client->moveToThread(&thread);
    QObject::connect(&thread, &QThread::started, client, &Mt5Client::start);
    QObject::connect(&thread, &QThread::finished, client, &QObject::deleteLater);
    return client;
}

Mt5Client::Mt5Client(Mt5ClientConfig config, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_log(logging::get("mt5")), m_backoff(m_config.backoff),
      m_staleness(m_config.staleAfterMs)
{
    registerBrokerMetaTypes();
    m_marketData = new Mt5MarketData(*this);
    m_broker = new Mt5Broker(*this);
    m_housekeeping = new QTimer(this);
    m_housekeeping->setInterval(100);
    connect(m_housekeeping, &QTimer::timeout, this, &Mt5Client::onHousekeeping);
    m_reconnectTimer = new QTimer(this);
    m_reconnectTimer->setSingleShot(true);
    connect(m_reconnectTimer, &QTimer::timeout, this, &Mt5Client::openSocket);
    m_status.url = redactedUrl(m_config.url);
}

Mt5Client::~Mt5Client()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

LinkStatus Mt5Client::linkStatus() const
{
    LinkStatus s = m_status;
    s.heartbeatAgeMs = m_sinceLastFrame.isValid() ? m_sinceLastFrame.elapsed() : -1;
    const LatencySummary ack = m_latency.ack();
    const LatencySummary result = m_latency.result();
    s.orderAckSamples = ack.count;
    s.orderAckP50Ms = ack.p50;
    s.orderAckP99Ms = ack.p99;
    s.orderResultSamples = result.count;
    s.orderResultP50Ms = result.p50;
    s.orderResultP95Ms = result.p95;
    s.orderResultP99Ms = result.p99;
    return s;
}

void Mt5Client::start()
{
    if (!m_outbox)
        m_outbox = m_config.outboxFactory ? m_config.outboxFactory() : std::make_unique<MemoryOrderOutbox>();
    if (!m_outbox) {
        fail(QStringLiteral("the order outbox could not be created; see the log"));
        return;
    }
    m_running = true;
    m_fatal = false;
    m_backoff.reset();
    m_housekeeping->start();
    openSocket();
}

void Mt5Client::stop()
{
    m_running = false;
    m_reconnectTimer->stop();
    m_housekeeping->stop();
    if (m_socket) {
        QWebSocket *s = m_socket;
        s->disconnect(this);
        s->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("client stopped"));
        s->deleteLater();
        m_socket = nullptr;
    }
    m_staleness.setConnected(false, nowMs());
    setState(LinkStatus::State::Disconnected);
}

void Mt5Client::openSocket()
{
    if (!m_running || m_fatal)
        return;
    if (m_socket) {
        QWebSocket *old = m_socket;
        old->disconnect(this);
        old->abort();
        old->deleteLater();
        m_socket = nullptr;
    }
    const QString scheme = m_config.url.scheme();
    if (!m_config.url.isValid() || (scheme != QLatin1String("ws") && scheme != QLatin1String("wss"))) {
        fail(QStringLiteral("bridge URL '%1' is not a WebSocket URL; give ws://host:port or wss://host:port")
                 .arg(redactedUrl(m_config.url)));
        return;
    }
    auto *s = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    s->setMaxAllowedIncomingMessageSize(quint64(kQtMessageLimit));
    if (scheme == QLatin1String("wss")) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
        if (!m_config.caCertificateFile.isEmpty()) {
            const auto certificates = QSslCertificate::fromPath(m_config.caCertificateFile, QSsl::Pem);
            if (certificates.isEmpty()) {
                s->deleteLater();
                fail(QStringLiteral("cannot read a PEM certificate from '%1'; give the bridge's CA or self-signed "
                                    "certificate as a PEM file").arg(m_config.caCertificateFile));
                return;
            }
            tls.setCaCertificates(certificates);
        }
        s->setSslConfiguration(tls);
        connect(s, &QWebSocket::sslErrors, this, &Mt5Client::onSslErrors);
    }
    connect(s, &QWebSocket::connected, this, &Mt5Client::onConnected);
    connect(s, &QWebSocket::disconnected, this, &Mt5Client::onDisconnected);
    connect(s, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this, [this, s](QAbstractSocket::SocketError) {
        if (s == m_socket && s->state() == QAbstractSocket::UnconnectedState)
            onDisconnected();
    });
    connect(s, &QWebSocket::textMessageReceived, this, &Mt5Client::onTextMessage);
    connect(s, &QWebSocket::binaryMessageReceived, this, &Mt5Client::onBinaryMessage);
    connect(s, &QWebSocket::pong, this, [this](quint64 elapsedMs, const QByteArray &) {
        m_log->debug("websocket pong after {} ms", elapsedMs);
    });
    m_socket = s;
    m_pending.clear();
    m_sinceOpen.start();
    setState(LinkStatus::State::Connecting, m_status.error);
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({QString::fromLatin1(mt5b::kSubprotocol)});
    m_log->info("connecting to {}", utf8(m_status.url));
    s->open(QNetworkRequest(m_config.url), options);
}

void Mt5Client::onConnected()
{
    if (!m_socket)
        return;
    if (!mt5b::disableNagle(*m_socket))
        m_log->warn("could not turn Nagle off on the socket: small frames may wait ~40 ms for a delayed ACK");
    m_log->info("connected to {} (subprotocol '{}'); sending hello{}", utf8(m_status.url),
                utf8(m_socket->subprotocol()), m_haveSession ? " with resume" : "");
    QJsonObject fields{{"token", m_config.token},
                       {"client", QJsonObject{{"name", m_config.clientName}, {"version", m_config.clientVersion}}},
                       {"protocol", QJsonObject{{"min", 1}, {"max", 1}}}};
    if (m_haveSession)
        fields.insert(QStringLiteral("resume"),
                      QJsonObject{{"session_id", m_status.sessionId}, {"last_seq", m_seq.last()}});
    else
        fields.insert(QStringLiteral("resume"), QJsonValue::Null);
    sendRequest(Pending::Hello, QStringLiteral("hello"), fields);  // never logged: it holds the token
}

void Mt5Client::onDisconnected()
{
    QWebSocket *s = qobject_cast<QWebSocket *>(sender());
    if (!s)
        s = m_socket;
    if (!s || s != m_socket)
        return;
    const int code = int(s->closeCode());
    const QString reason = s->closeReason();
    const QString socketError = s->error() == QAbstractSocket::UnknownSocketError ? QString() : s->errorString();
    s->disconnect(this);
    s->deleteLater();
    m_socket = nullptr;
    m_pending.clear();
    m_staleness.setConnected(false, nowMs());
    // Orders waiting for their symbol's information were not recorded or sent: refuse them now.
    const auto awaiting = std::exchange(m_awaitingSymbol, {});
    for (const auto &list : awaiting)
        for (const auto &[id, rest] : list)
            refuse(id, rest.second, QStringLiteral("the link to the bridge was lost before the symbol's information "
                                                   "arrived; nothing was sent"));
    if (m_fatal || !m_running)
        return;
    QString why = QStringLiteral("connection closed");
    if (code == 4003)
        return fail(QStringLiteral("the bridge refused the token (close 4003, AUTH_FAILED); check the bridge token"));
    if (code == 4002)
        return fail(QStringLiteral("the bridge does not speak mt5b v1 (close 4002, UNSUPPORTED_VERSION); update the "
                                   "bridge or BotDesk"));
    if (code == 4005)
        return fail(QStringLiteral("another connection resumed this session (close 4005); is a second BotDesk "
                                   "connected to the same bridge with the same session?"));
    if (!socketError.isEmpty() && code == int(QWebSocketProtocol::CloseCodeNormal))
        why = socketError;
    else if (code != int(QWebSocketProtocol::CloseCodeNormal) || !reason.isEmpty())
        why = QStringLiteral("connection closed (code %1%2)").arg(code).arg(reason.isEmpty() ? QString() : QStringLiteral(", ") + reason);
    scheduleReconnect(why);
}

void Mt5Client::onSslErrors(const QList<QSslError> &errors)
{
    QStringList texts;
    for (const QSslError &e : errors)
        texts << e.errorString();
    fail(QStringLiteral("TLS verification of %1 failed: %2; give the bridge's CA certificate (caCertificateFile) or "
                        "fix the bridge's certificate")
             .arg(m_status.url, texts.join(QStringLiteral("; "))));
}

void Mt5Client::scheduleReconnect(const QString &why)
{
    if (!m_running || m_fatal)
        return;
    const qint64 delay = m_backoff.nextDelayMs();
    m_status.reconnectAttempt = m_backoff.attempts();
    m_status.nextRetryInMs = delay;
    m_log->warn("link to {} down: {}; reconnecting in {} ms (attempt {})", utf8(m_status.url), utf8(why), delay,
                m_backoff.attempts());
    setState(LinkStatus::State::Reconnecting, why);
    m_reconnectTimer->start(int(delay));
}

void Mt5Client::fail(const QString &why)
{
    m_fatal = true;
    m_reconnectTimer->stop();
    m_log->error("{}", utf8(why));
    if (m_socket) {
        QWebSocket *s = m_socket;
        m_socket = nullptr;
        s->disconnect(this);
        s->abort();
        s->deleteLater();
    }
    m_staleness.setConnected(false, nowMs());
    setState(LinkStatus::State::Failed, why);
}

void Mt5Client::dropFrame(const QString &why, const QByteArray &frame)
{
    ++m_droppedFrames;
    m_log->warn("dropped a frame from the bridge: {} ({} bytes: {})", utf8(why), frame.size(), preview(frame));
}

void Mt5Client::onBinaryMessage(const QByteArray &message)
{
    dropFrame(QStringLiteral("binary frame (mt5b sends JSON text frames only)"), message.left(64).toHex());
}

QString Mt5Client::sendRequest(Pending kind, const QString &type, const QJsonObject &fields)
{
    return sendRequest(kind, type, fields, PendingRequest());
}

QString Mt5Client::sendRequest(Pending kind, const QString &type, const QJsonObject &fields, PendingRequest pending)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return {};
    if (kind != Pending::Hello && m_status.state != LinkStatus::State::Live)
        return {};
    const QString id = QStringLiteral("c-%1").arg(++m_requestCounter);
    const QByteArray frame = mt5b::requestFrame(type, id, fields);
    if (kind != Pending::Hello && m_log->should_log(spdlog::level::debug))
        m_log->debug("-> {}", frame.left(300).toStdString());
    pending.kind = kind;
    m_pending.insert(id, pending);
    m_socket->sendTextMessage(QString::fromUtf8(frame));
    return id;
}

void Mt5Client::setState(LinkStatus::State state, const QString &error)
{
    const bool changed = state != m_status.state || error != m_status.error;
    m_status.state = state;
    m_status.error = state == LinkStatus::State::Live ? QString() : error;
    if (state != LinkStatus::State::Reconnecting)
        m_status.nextRetryInMs = 0;
    if (changed)
        publishStatus();
}

void Mt5Client::publishStatus()
{
    const LinkStatus status = linkStatus();
    emit m_broker->linkStatusChanged(status);
    FeedStatus feed;
    feed.live = status.state == LinkStatus::State::Live;
    feed.terminalConnected = status.terminalConnected;
    feed.symbols = m_staleness.states(nowMs());
    emit m_marketData->feedStatusChanged(feed);
}

void Mt5Client::onHousekeeping()
{
    static constexpr int kTicksPerStatus = 10;  // publish about once a second (100 ms timer)
    const qint64 now = nowMs();
    if (m_status.state == LinkStatus::State::Connecting && m_sinceOpen.isValid()
        && m_sinceOpen.elapsed() > m_config.connectTimeoutMs && m_socket) {
        QWebSocket *s = m_socket;
        m_socket = nullptr;
        s->disconnect(this);
        s->abort();
        s->deleteLater();
        scheduleReconnect(QStringLiteral("no welcome within %1 ms").arg(m_config.connectTimeoutMs));
    }
    if (m_status.state == LinkStatus::State::Live && m_socket) {
        const qint64 heartbeatMs = qint64(std::max(1, m_status.heartbeatSec)) * 1000;
        if (m_sinceLastFrame.elapsed() > 3 * heartbeatMs) {
            const QString why = QStringLiteral("no frame from the bridge for %1 ms (3 x heartbeat_sec %2 s): link "
                                               "declared dead").arg(m_sinceLastFrame.elapsed()).arg(m_status.heartbeatSec);
            QWebSocket *s = m_socket;
            m_socket = nullptr;
            s->disconnect(this);
            s->abort();
            s->deleteLater();
            m_pending.clear();
            m_staleness.setConnected(false, now);
            scheduleReconnect(why);
        } else if (!m_sincePing.isValid() || m_sincePing.elapsed() >= heartbeatMs) {
            m_sincePing.start();
            sendRequest(Pending::Ping, QStringLiteral("ping"), QJsonObject{{"nonce", now}});
            m_socket->ping(QByteArray::number(now));
        }
    }
    for (const SymbolFeedState &changed : m_staleness.evaluate(now)) {
        m_log->warn("{} is {} (no tick for {} ms)", utf8(changed.symbol), changed.stale ? "stale" : "fresh again",
                    changed.silentForMs);
        emit m_marketData->symbolStalenessChanged(changed);
    }
    if (++m_housekeepingTicks % kTicksPerStatus == 0 && m_running)
        publishStatus();
}

// ---------------------------------------------------------------------------------------------------------------
// Frames

void Mt5Client::onTextMessage(const QString &message)
{
    if (sender() != m_socket.data())
        return;
    m_sinceLastFrame.restart();
    QByteArray frame = message.toUtf8();
    processFrame(frame);
    drainBuffered();
}

void Mt5Client::processFrame(QByteArray &frame)
{
    if (frame.size() > mt5b::kMaxFrameBytes)
        return dropFrame(QStringLiteral("frame of %1 bytes is over the 1 MiB cap").arg(frame.size()), frame);

    // The hot path: ticks and bars straight from the bytes.
    mt5b::MarketFrame market;
    QString error;
    switch (m_marketParser.parse(frame, market, &error)) {
    case mt5b::MarketParse::Invalid: {
        // A tick/bar whose body breaks a rule: dropped. Its seq, when the envelope is sound, still counts (or the
        // next event would look like a gap).
        auto envelope = mt5b::parseEnvelope(frame);
        if (envelope && envelope->seq >= 1 && m_status.state == LinkStatus::State::Live
            && !admitEvent(envelope->seq, envelope->replay, frame))
            return;
        return dropFrame(error, frame);
    }
    case mt5b::MarketParse::Parsed:
        if (m_status.state != LinkStatus::State::Live)
            return dropFrame(QStringLiteral("market data before welcome"), frame);
        if (admitEvent(market.seq, market.replay, frame))
            handleMarket(market);
        return;
    case mt5b::MarketParse::NotMarket:
        break;
    }

    auto envelope = mt5b::parseEnvelope(frame);
    if (!envelope)
        return dropFrame(envelope.error().message, frame);
    const QString &type = envelope->type;
    if (type == QLatin1String("welcome"))
        return handleWelcome(envelope->object, envelope->re);
    if (m_status.state != LinkStatus::State::Live) {
        if (type == QLatin1String("error"))
            return handleError(envelope->re, envelope->object);
        return dropFrame(QStringLiteral("'%1' before welcome").arg(type), frame);
    }
    // `account` is both a reply (re, no seq) and an event (seq, partial); `order.result` an event that may carry re.
    // An unknown type with a seq is an event of a later minor version: its seq counts, its body is ignored.
    const bool isReply = replyTypes().contains(type) && !(eventTypes().contains(type) && envelope->seq >= 1);
    if (!isReply && envelope->seq >= 1) {
        if (admitEvent(envelope->seq, envelope->replay, frame)) {
            if (eventTypes().contains(type))
                applyEvent(type, envelope->object, frame);
            else
                dropFrame(QStringLiteral("unknown event type '%1' (ignored)").arg(type), frame);
        }
        return;
    }
    if (isReply)
        return handleReply(type, envelope->re, envelope->object, frame);
    if (eventTypes().contains(type))
        return dropFrame(QStringLiteral("event '%1' without a seq").arg(type), frame);
    // Clients ignore unknown types (additive changes within v1).
    dropFrame(QStringLiteral("unknown type '%1'").arg(type), frame);
}

bool Mt5Client::admitEvent(qint64 seq, bool replay, const QByteArray &frame)
{
    switch (m_seq.classify(seq)) {
    case SeqTracker::Verdict::Next:
        m_seq.accept(seq);
        return true;
    case SeqTracker::Verdict::Duplicate:
        if (replay || m_resyncing) {
            m_log->debug("event seq {} already applied (last {}); dropped", seq, m_seq.last());
        } else {
            ++m_droppedFrames;
            m_log->warn("event seq {} goes backwards (last applied {}); dropped: {}", seq, m_seq.last(), preview(frame));
        }
        return false;
    case SeqTracker::Verdict::Gap:
        if (m_buffered.size() >= kMaxBufferedEvents) {
            m_log->error("more than {} events buffered behind a gap; asking for a snapshot", kMaxBufferedEvents);
            m_buffered.clear();
            m_resyncing = false;
            startResync(true);
            return false;
        }
        m_buffered.insert(seq, frame);
        if (!m_resyncing)
            startResync(false);
        return false;
    }
    return false;
}

void Mt5Client::drainBuffered()
{
    if (m_draining)
        return;
    m_draining = true;
    while (!m_buffered.isEmpty()) {
        auto it = m_buffered.begin();
        if (it.key() <= m_seq.last()) {
            m_buffered.erase(it);
            continue;
        }
        if (it.key() != m_seq.last() + 1)
            break;
        QByteArray frame = it.value();
        m_buffered.erase(it);
        processFrame(frame);
    }
    m_draining = false;
}

void Mt5Client::startResync(bool snapshot)
{
    m_log->warn("seq gap after {} (next held: {}); resync", m_seq.last(),
                m_buffered.isEmpty() ? qint64(-1) : m_buffered.firstKey());
    QJsonObject fields{{"since_seq", m_seq.last()}};
    if (m_lastDealTimeMsc > 0)
        fields.insert(QStringLiteral("deals_since_msc"), m_lastDealTimeMsc);
    if (snapshot)
        fields.insert(QStringLiteral("mode"), QStringLiteral("snapshot"));
    if (!sendRequest(Pending::Resync, QStringLiteral("resync"), fields).isEmpty())
        m_resyncing = true;
}

void Mt5Client::finishResync()
{
    m_resyncing = false;
    drainBuffered();
    if (!m_buffered.isEmpty()) {
        // The bridge's own resync did not fill the gap: those seqs do not exist. Drop what was held behind it.
        m_log->error("after the resync the last event is seq {} but {} held event(s) start at seq {}; dropped",
                     m_seq.last(), m_buffered.size(), m_buffered.firstKey());
        m_droppedFrames += int(m_buffered.size());
        m_buffered.clear();
    }
}

void Mt5Client::handleWelcome(const QJsonObject &o, const QString &re)
{
    if (m_status.state == LinkStatus::State::Live)
        return dropFrame(QStringLiteral("a second welcome"), QJsonDocument(o).toJson(QJsonDocument::Compact));
    if (!m_pending.contains(re) || m_pending.value(re).kind != Pending::Hello)
        return dropFrame(QStringLiteral("welcome answering no hello"), QJsonDocument(o).toJson(QJsonDocument::Compact));
    const QJsonValue session = o.value(QLatin1String("session_id"));
    const QJsonValue resumed = o.value(QLatin1String("resumed"));
    const QJsonValue heartbeat = o.value(QLatin1String("heartbeat_sec"));
    if (!session.isString() || session.toString().isEmpty() || !resumed.isBool()
        || !(heartbeat.isUndefined() || (heartbeat.isDouble() && heartbeat.toDouble() >= 1))) {
        dropFrame(QStringLiteral("welcome without a valid session_id, resumed or heartbeat_sec"),
                  QJsonDocument(o).toJson(QJsonDocument::Compact));
        if (m_socket)
            m_socket->abort();
        return;
    }
    m_pending.remove(re);
    const bool isResumed = resumed.toBool() && m_haveSession && session.toString() == m_status.sessionId;
    if (!isResumed) {
        m_seq.startSession();
        m_buffered.clear();
        m_resyncing = false;
    }
    m_status.sessionId = session.toString();
    m_status.resumed = isResumed;
    m_status.heartbeatSec = heartbeat.isUndefined() ? 10 : int(heartbeat.toDouble());
    const QJsonObject terminal = o.value(QLatin1String("terminal")).toObject();
    m_status.terminalConnected = terminal.value(QLatin1String("connected")).toBool();
    m_status.tradeAllowed = terminal.value(QLatin1String("trade_allowed")).toBool();
    m_status.bridgeKind = o.value(QLatin1String("bridge")).toObject().value(QLatin1String("kind")).toString();
    m_status.serverUtcOffsetSec =
        qint64(o.value(QLatin1String("clock")).toObject().value(QLatin1String("server_utc_offset_sec")).toDouble());
    const QJsonObject account = o.value(QLatin1String("account")).toObject();
    const QJsonValue login = account.value(QLatin1String("login"));
    m_account.login = login.isDouble() ? QString::number(qint64(login.toDouble())) : login.toString();
    m_account.currency = account.value(QLatin1String("currency")).toString();
    m_account.server = terminal.value(QLatin1String("server")).toString();
    const QString bridgeAddress = m_config.url.host() + QLatin1Char(':') + QString::number(m_config.url.port());
    m_accountKey = m_account.login.isEmpty()
                       ? bridgeAddress
                       : m_account.login + QLatin1Char('@') + (m_account.server.isEmpty() ? bridgeAddress : m_account.server);
    m_haveSession = true;
    m_backoff.reset();
    m_status.reconnectAttempt = 0;
    m_sincePing.start();
    m_log->info("welcome: session {} ({}), bridge {}, heartbeat {} s, terminal {}", utf8(m_status.sessionId),
                isResumed ? "resumed" : "new", utf8(m_status.bridgeKind), m_status.heartbeatSec,
                m_status.terminalConnected ? "connected" : "disconnected");
    m_staleness.setConnected(m_status.terminalConnected, nowMs());
    setState(LinkStatus::State::Live);
    afterWelcome(isResumed);
}

void Mt5Client::afterWelcome(bool resumed)
{
    if (!resumed) {
        resubscribeAll();
        requestAccount();
        requestPositions();
        requestOrders();
        if (m_lastDealTimeMsc > 0)
            requestDeals(m_lastDealTimeMsc / 1000 - 2, QDateTime::currentSecsSinceEpoch() + m_status.serverUtcOffsetSec + 86400);
        backfillBars();
    }
    askUnfinishedOrders();
}

// ---------------------------------------------------------------------------------------------------------------
// Events

void Mt5Client::handleMarket(const mt5b::MarketFrame &frame)
{
    if (frame.kind == mt5b::MarketFrame::Kind::Tick) {
        if (m_staleness.tickArrived(frame.tick.symbol, nowMs())) {
            m_log->info("{} is fresh again", utf8(frame.tick.symbol));
            emit m_marketData->symbolStalenessChanged(m_staleness.state(frame.tick.symbol, nowMs()));
        }
        emit m_marketData->tickReceived(frame.tick);
        return;
    }
    RateBar bar = frame.bar;
    bar.receivedNs = monotonicNowNs();  // bar close -> decision starts here
    if (bar.closed) {
        qint64 &last = m_lastClosed[barKey(bar.symbol, bar.timeframe)];
        if (bar.time <= last && frame.replay)
            return;  // already delivered (a replay after a backfill)
        last = std::max(last, bar.time);
    }
    emit m_marketData->barReceived(bar);
}

void Mt5Client::applyEvent(const QString &type, const QJsonObject &o, const QByteArray &frame)
{
    if (type == QLatin1String("tick") || type == QLatin1String("bar")) {
        // The hot parser could not tell (e.g. a bad field before "type"): the same rules on the general path.
        mt5b::MarketFrame market;
        QString error;
        if (mt5b::parseMarketFrameQt(frame, market, &error) != mt5b::MarketParse::Parsed)
            return dropFrame(error.isEmpty() ? QStringLiteral("invalid %1").arg(type) : error, frame);
        return handleMarket(market);
    }
    if (type == QLatin1String("heartbeat") || type == QLatin1String("terminal")) {
        const QJsonValue terminalValue = type == QLatin1String("terminal") ? QJsonValue(o) : o.value(QLatin1String("terminal"));
        if (!terminalValue.isObject())
            return dropFrame(QStringLiteral("%1 without a terminal object").arg(type), frame);
        const QJsonObject t = terminalValue.toObject();
        const QJsonValue connected = t.value(QLatin1String("connected"));
        const QJsonValue tradeAllowed = t.value(QLatin1String("trade_allowed"));
        if (!connected.isBool() || !(tradeAllowed.isBool() || tradeAllowed.isUndefined()))
            return dropFrame(QStringLiteral("%1: 'connected'/'trade_allowed' are not booleans").arg(type), frame);
        const bool changed = m_status.terminalConnected != connected.toBool()
                             || (tradeAllowed.isBool() && m_status.tradeAllowed != tradeAllowed.toBool());
        m_status.terminalConnected = connected.toBool();
        if (tradeAllowed.isBool())
            m_status.tradeAllowed = tradeAllowed.toBool();
        if (o.value(QLatin1String("server_utc_offset_sec")).isDouble())
            m_status.serverUtcOffsetSec = qint64(o.value(QLatin1String("server_utc_offset_sec")).toDouble());
        m_staleness.setConnected(m_status.terminalConnected, nowMs());
        if (changed)
            publishStatus();
        return;
    }
    if (type == QLatin1String("account")) {
        const QJsonObject info = o.value(QLatin1String("info")).toObject();
        static const char *fields[] = {"balance", "credit", "profit", "equity", "margin", "margin_free", "margin_level"};
        double *targets[] = {&m_account.balance, &m_account.credit, &m_account.profit, &m_account.equity,
                             &m_account.margin, &m_account.marginFree, &m_account.marginLevel};
        for (int i = 0; i < 7; ++i) {
            const QJsonValue v = info.value(QLatin1String(fields[i]));
            if (!v.isUndefined() && !v.isNull() && !v.isDouble())
                return dropFrame(QStringLiteral("account: field 'info.%1' is not a number").arg(QLatin1String(fields[i])), frame);
        }
        for (int i = 0; i < 7; ++i)
            if (info.value(QLatin1String(fields[i])).isDouble())
                *targets[i] = info.value(QLatin1String(fields[i])).toDouble();
        emit m_broker->accountChanged(m_account);
        return;
    }
    if (type == QLatin1String("position") || type == QLatin1String("order")) {
        const auto op = parseOp(o.value(QLatin1String("op")));
        if (!op)
            return dropFrame(QStringLiteral("%1: 'op' is not add, update or remove").arg(type), frame);
        const QJsonObject item = o.value(type).toObject();
        if (type == QLatin1String("position")) {
            auto position = mt5b::positionFromJson(item);
            if (!position)
                return dropFrame(position.error().message, frame);
            emit m_broker->positionChanged(*op, *position);
        } else {
            auto order = mt5b::orderFromJson(item);
            if (!order)
                return dropFrame(order.error().message, frame);
            emit m_broker->orderChanged(*op, *order);
        }
        return;
    }
    if (type == QLatin1String("deal")) {
        auto deal = mt5b::dealFromJson(o.value(QLatin1String("deal")).toObject());
        if (!deal)
            return dropFrame(deal.error().message, frame);
        const QJsonValue id = o.value(QLatin1String("client_req_id"));
        if (!id.isNull() && !id.isUndefined() && !id.isString())
            return dropFrame(QStringLiteral("deal: 'client_req_id' is not a string"), frame);
        deal->clientReqId = id.toString();
        m_lastDealTimeMsc = std::max(m_lastDealTimeMsc, deal->timeMsc);
        emit m_broker->dealsReceived({*deal});
        return;
    }
    if (type == QLatin1String("order.result"))
        return handleOrderResult(o, frame);
    // sim.state and other events the engine does not use: applied (seq counted), nothing to deliver.
}

// ---------------------------------------------------------------------------------------------------------------
// Replies

void Mt5Client::handleReply(const QString &type, const QString &re, const QJsonObject &o, const QByteArray &frame)
{
    if (type == QLatin1String("error"))
        return handleError(re, o);
    const auto it = m_pending.constFind(re);
    if (it == m_pending.constEnd())
        return dropFrame(QStringLiteral("'%1' answering no request of this connection (re '%2')").arg(type, re), frame);
    const PendingRequest p = *it;
    // Paged and multi-part answers keep their request open: rates and deals (until complete), the snapshot bundle's
    // parts.
    const bool keepOpen = ((type == QLatin1String("rates") || type == QLatin1String("deals"))
                           && !o.value(QLatin1String("complete")).toBool(true))
                          || (p.kind == Pending::Resync && type != QLatin1String("resynced")
                              && type != QLatin1String("snapshot.end"));
    if (!keepOpen)
        m_pending.remove(re);

    if (type == QLatin1String("pong"))
        return;
    if (type == QLatin1String("subscribed"))
        return handleSubscribed(o, frame);
    if (type == QLatin1String("unsubscribed") || type == QLatin1String("symbols") || type == QLatin1String("ticks.history")
        || type == QLatin1String("order.check_result") || type == QLatin1String("snapshot.begin"))
        return;
    if (type == QLatin1String("symbol"))
        return handleSymbol(p, o, frame);
    if (type == QLatin1String("rates"))
        return handleRates(p, re, o, frame);
    if (type == QLatin1String("order.ack"))
        return handleOrderAck(p, o, frame);
    if (type == QLatin1String("account")) {
        auto info = mt5b::accountInfoFromJson(o.value(QLatin1String("info")).toObject());
        if (!info)
            return dropFrame(info.error().message, frame);
        const QString server = m_account.server;
        m_account = *info;
        if (m_account.server.isEmpty())
            m_account.server = server;
        emit m_broker->accountChanged(m_account);
        return;
    }
    if (type == QLatin1String("positions") || type == QLatin1String("orders") || type == QLatin1String("deals")) {
        const QJsonValue itemsValue = o.value(QLatin1String("items"));
        if (!itemsValue.isArray())
            return dropFrame(QStringLiteral("%1: 'items' is not an array").arg(type), frame);
        const QJsonArray items = itemsValue.toArray();
        if (type == QLatin1String("positions")) {
            QVector<Position> out;
            for (const QJsonValue &v : items) {
                auto p = mt5b::positionFromJson(v.toObject());
                if (!p)
                    return dropFrame(p.error().message, frame);
                out.push_back(*p);
            }
            emit m_broker->positionsSnapshot(out);
        } else if (type == QLatin1String("orders")) {
            QVector<Order> out;
            for (const QJsonValue &v : items) {
                auto order = mt5b::orderFromJson(v.toObject());
                if (!order)
                    return dropFrame(order.error().message, frame);
                out.push_back(*order);
            }
            emit m_broker->ordersSnapshot(out);
        } else {
            QVector<Deal> out;
            for (const QJsonValue &v : items) {
                auto deal = mt5b::dealFromJson(v.toObject());
                if (!deal)
                    return dropFrame(deal.error().message, frame);
                m_lastDealTimeMsc = std::max(m_lastDealTimeMsc, deal->timeMsc);
                out.push_back(*deal);
            }
            emit m_broker->dealsReceived(out);
        }
        return;
    }
    if (type == QLatin1String("snapshot.end")) {
        const QJsonValue asOf = o.value(QLatin1String("as_of_seq"));
        if (!asOf.isDouble() || asOf.toDouble() < 0)
            return dropFrame(QStringLiteral("snapshot.end without an integer as_of_seq"), frame);
        m_seq.snapshotApplied(qint64(asOf.toDouble()));
        m_log->info("snapshot applied as of seq {}", qint64(asOf.toDouble()));
        return finishResync();
    }
    if (type == QLatin1String("resynced")) {
        m_log->info("resynced by replay ({} events)", o.value(QLatin1String("replayed")).toInteger());
        return finishResync();
    }
}

void Mt5Client::handleError(const QString &re, const QJsonObject &o)
{
    const QString code = o.value(QLatin1String("code")).toString();
    const QString message = o.value(QLatin1String("message")).toString();
    const bool fatal = o.value(QLatin1String("fatal")).toBool();
    const PendingRequest p = m_pending.value(re);
    const bool known = m_pending.contains(re);
    m_pending.remove(re);
    m_log->warn("bridge error {}{}: {}", utf8(code), re.isEmpty() ? std::string() : " for " + utf8(re),
                utf8(escapeForDisplay(message)));
    if (code == QLatin1String("AUTH_FAILED"))
        return fail(QStringLiteral("the bridge refused the token (AUTH_FAILED): %1; check the bridge token").arg(message));
    if (code == QLatin1String("UNSUPPORTED_VERSION"))
        return fail(QStringLiteral("the bridge does not speak mt5b v1 (UNSUPPORTED_VERSION): %1").arg(message));
    if (fatal)
        return fail(QStringLiteral("the bridge reported a fatal error %1: %2").arg(code, message));
    if (!known) {
        emit m_broker->bridgeError(code, message);
        return;
    }
    switch (p.kind) {
    case Pending::OrderSend: {
        if (code == QLatin1String("RATE_LIMITED")) {
            auto order = m_orders.find(p.clientReqId);
            if (order != m_orders.end() && order->rateLimitedRetries < kMaxRateLimitedRetries) {
                ++order->rateLimitedRetries;
                const int wait = std::clamp(o.value(QLatin1String("retry_after_ms")).toInt(250), 10, 5000);
                const QString id = p.clientReqId;
                const QByteArray json = order->requestJson;
                QTimer::singleShot(wait, this, [this, id, json] {
                    if (m_orders.contains(id) && m_status.state == LinkStatus::State::Live)
                        transmitOrder(id, json);
                });
                return;
            }
        }
        // Refused before execution (BAD_REQUEST, IDEMPOTENCY_CONFLICT, TRADING_DISABLED, TERMINAL_DISCONNECTED...):
        // final; nothing was executed under this id.
        const QString runId = m_orders.value(p.clientReqId).runId;
        finishOrder(p.clientReqId, QJsonDocument(o).toJson(QJsonDocument::Compact));
        emit m_broker->orderRefused(p.clientReqId, runId, QStringLiteral("%1: %2").arg(code, message));
        return;
    }
    case Pending::OrderStatus:
        if (code == QLatin1String("RATE_LIMITED")) {
            const QString id = p.clientReqId;
            QTimer::singleShot(std::clamp(o.value(QLatin1String("retry_after_ms")).toInt(250), 10, 5000), this,
                               [this, id] { queryOrderStatus(id); });
            return;
        }
        emit m_broker->bridgeError(code, QStringLiteral("order.status %1: %2").arg(p.clientReqId, message));
        return;
    case Pending::SymbolGet: {
        const auto waiting = m_awaitingSymbol.take(upper(p.symbol));
        for (const auto &[id, rest] : waiting)
            refuse(id, rest.second, QStringLiteral("%1: %2").arg(code, message));
        emit m_marketData->subscriptionFailed(p.symbol, code, message, {});
        return;
    }
    case Pending::HistoryRates:
        emit m_marketData->requestFailed(p.requestId, code, message);
        return;
    case Pending::Resync:
        m_resyncing = false;
        emit m_broker->bridgeError(code, QStringLiteral("resync: %1").arg(message));
        return;
    default:
        emit m_broker->bridgeError(code, message);
        return;
    }
}

void Mt5Client::handleSubscribed(const QJsonObject &o, const QByteArray &frame)
{
    const QJsonValue streams = o.value(QLatin1String("streams"));
    const QJsonValue errors = o.value(QLatin1String("errors"));
    if (!(streams.isArray() || streams.isUndefined()) || !(errors.isArray() || errors.isUndefined() || errors.isNull()))
        return dropFrame(QStringLiteral("subscribed: 'streams'/'errors' are not arrays"), frame);
    for (const QJsonValue &v : streams.toArray()) {
        const QJsonObject s = v.toObject();
        const QString requested = s.value(QLatin1String("requested")).toString();
        const QString symbol = s.value(QLatin1String("symbol")).toString();
        if (symbol.isEmpty())
            continue;
        if (!requested.isEmpty())
            m_resolved.insert(upper(requested), symbol);
        if (s.value(QLatin1String("kind")).toString() == QLatin1String("ticks"))
            m_staleness.watch(symbol, nowMs());
        if (!m_symbols.contains(upper(symbol))) {
            PendingRequest p;
            p.symbol = requested.isEmpty() ? symbol : requested;
            sendRequest(Pending::SymbolGet, QStringLiteral("symbol.get"), QJsonObject{{"symbol", symbol}}, p);
        }
    }
    for (const QJsonValue &v : errors.toArray()) {
        const QJsonObject e = v.toObject();
        QStringList suggestions;
        for (const QJsonValue &s : e.value(QLatin1String("suggestions")).toArray())
            suggestions << s.toString();
        emit m_marketData->subscriptionFailed(e.value(QLatin1String("requested")).toString(),
                                              e.value(QLatin1String("code")).toString(),
                                              e.value(QLatin1String("message")).toString(), suggestions);
    }
}

void Mt5Client::handleSymbol(const PendingRequest &p, const QJsonObject &o, const QByteArray &frame)
{
    auto info = mt5b::brokerSymbolFromJson(o.value(QLatin1String("info")).toObject());
    if (!info) {
        dropFrame(info.error().message, frame);
        const auto waiting = m_awaitingSymbol.take(upper(p.symbol));
        for (const auto &[id, rest] : waiting)
            refuse(id, rest.second, QStringLiteral("the bridge's symbol information for %1 was invalid; nothing was sent").arg(p.symbol));
        return;
    }
    BrokerSymbol symbol = *info;
    if (upper(p.symbol) != upper(symbol.name))
        symbol.requested = p.symbol;
    m_symbols.insert(upper(symbol.name), symbol);
    m_symbols.insert(upper(p.symbol), symbol);
    m_resolved.insert(upper(p.symbol), symbol.name);
    emit m_marketData->symbolResolved(symbol);
    const auto waiting = m_awaitingSymbol.take(upper(p.symbol));
    for (const auto &[id, rest] : waiting)
        continueOrder(id, rest.first, rest.second);
}

void Mt5Client::handleRates(const PendingRequest &p, const QString &re, const QJsonObject &o, const QByteArray &frame)
{
    const QJsonValue itemsValue = o.value(QLatin1String("items"));
    const QString symbol = o.value(QLatin1String("symbol")).toString();
    const QString timeframe = o.value(QLatin1String("timeframe")).toString();
    if (!itemsValue.isArray() || symbol.isEmpty() || timeframe.isEmpty()) {
        m_pending.remove(re);
        dropFrame(QStringLiteral("rates without items, symbol or timeframe"), frame);
        if (p.kind == Pending::HistoryRates)
            emit m_marketData->requestFailed(p.requestId, QStringLiteral("BAD_REQUEST"),
                                             QStringLiteral("the bridge sent invalid rates"));
        return;
    }
    const QJsonArray items = itemsValue.toArray();
    const bool complete = o.value(QLatin1String("complete")).toBool(true);
    const bool lastForming = o.value(QLatin1String("last_forming")).toBool(false);
    QVector<RateBar> bars;
    bars.reserve(items.size());
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QJsonArray row = items.at(i).toArray();
        bool ok = row.size() >= 8;
        for (qsizetype c = 0; ok && c < 8; ++c)
            ok = row.at(c).isDouble();
        if (!ok) {
            m_pending.remove(re);
            dropFrame(QStringLiteral("rates row %1 is not [time,open,high,low,close,tick_volume,spread,real_volume]").arg(i), frame);
            if (p.kind == Pending::HistoryRates)
                emit m_marketData->requestFailed(p.requestId, QStringLiteral("BAD_REQUEST"),
                                                 QStringLiteral("the bridge sent an invalid rates row"));
            return;
        }
        if (lastForming && i == items.size() - 1)
            break;
        RateBar b;
        b.symbol = symbol;
        b.timeframe = timeframe;
        b.time = qint64(row.at(0).toDouble());
        b.open = row.at(1).toDouble();
        b.high = row.at(2).toDouble();
        b.low = row.at(3).toDouble();
        b.close = row.at(4).toDouble();
        b.tickVolume = qint64(row.at(5).toDouble());
        b.spread = int(row.at(6).toDouble());
        b.realVolume = qint64(row.at(7).toDouble());
        b.closed = true;
        b.history = true;
        bars.push_back(b);
    }
    if (p.kind == Pending::Backfill) {
        qint64 &last = m_lastClosed[barKey(symbol, timeframe)];
        int delivered = 0;
        for (const RateBar &b : std::as_const(bars)) {
            if (b.time <= last)
                continue;
            last = b.time;
            ++delivered;
            emit m_marketData->barReceived(b);
        }
        m_log->info("backfilled {} {} bar(s) of {} after the reconnect", delivered, utf8(timeframe), utf8(symbol));
    } else {
        emit m_marketData->barHistory(p.requestId, bars, complete);
    }
    // Paging: ask for the next page under a new request id.
    const QJsonValue next = o.value(QLatin1String("next_from"));
    if (!complete) {
        m_pending.remove(re);
        if (next.isDouble()) {
            PendingRequest again = p;
            sendRequest(p.kind, QStringLiteral("history.rates"),
                        QJsonObject{{"symbol", symbol}, {"timeframe", timeframe}, {"from", next.toInteger()}}, again);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Orders

void Mt5Client::refuse(const QString &clientReqId, const QString &runId, const QString &reason)
{
    m_guard.release(clientReqId);
    m_log->warn("order {} refused: {}", utf8(clientReqId), utf8(reason));
    emit m_broker->orderRefused(clientReqId, runId, reason);
}

QString Mt5Client::outboxAccount() const
{
    return m_config.account.isEmpty() ? m_accountKey : m_config.account;
}

void Mt5Client::sendOrder(const QString &clientReqId, const TradeRequest &request, const QString &runId)
{
    if (!mt5b::isValidClientReqId(clientReqId)) {
        emit m_broker->orderRefused(clientReqId, runId,
                                    QStringLiteral("client_req_id '%1' is not 1..36 characters of A-Z a-z 0-9 _ -; use "
                                                   "a UUID").arg(escapeForDisplay(clientReqId.left(80))));
        return;
    }
    if (m_status.state != LinkStatus::State::Live) {
        emit m_broker->orderRefused(clientReqId, runId,
                                    QStringLiteral("not connected to the bridge (%1); the order was not sent")
                                        .arg(m_status.error.isEmpty() ? QStringLiteral("not live") : m_status.error));
        return;
    }
    if (m_orders.contains(clientReqId) || m_finalIds.contains(clientReqId)) {
        emit m_broker->orderRefused(clientReqId, runId,
                                    QStringLiteral("client_req_id %1 was already sent; ask its status "
                                                   "(queryOrderStatus) or use a new id").arg(clientReqId));
        return;
    }
    if (request.symbol.isEmpty() || m_symbols.contains(upper(request.symbol))) {
        continueOrder(clientReqId, request, runId);
        return;
    }
    // The symbol's digits and volume_step first (symbol.get), then the order.
    const QString key = upper(request.symbol);
    const bool asked = m_awaitingSymbol.contains(key);
    m_awaitingSymbol[key].append({clientReqId, {request, runId}});
    if (!asked) {
        PendingRequest p;
        p.symbol = request.symbol;
        sendRequest(Pending::SymbolGet, QStringLiteral("symbol.get"), QJsonObject{{"symbol", request.symbol}}, p);
    }
}

void Mt5Client::continueOrder(const QString &clientReqId, const TradeRequest &request, const QString &runId)
{
    TradeRequest rounded = request;
    if (!request.symbol.isEmpty()) {
        const BrokerSymbol symbol = m_symbols.value(upper(request.symbol));
        auto r = roundForSymbol(request, symbol);
        if (!r)
            return refuse(clientReqId, runId, r.error().message);
        rounded = *r;
        rounded.symbol = symbol.name;
    }
    // One order per (run, broker symbol) in flight; orders by ticket alone (no symbol) are not guarded.
    if (auto held = m_guard.acquire(rounded.symbol.isEmpty() ? QString() : runId, rounded.symbol, clientReqId); !held) {
        emit m_broker->orderRefused(clientReqId, runId, held.error().message);
        return;
    }
    const QByteArray requestJson = mt5b::canonicalJson(mt5b::toJson(rounded));
    OutboxEntry entry;
    entry.clientReqId = clientReqId;
    entry.account = outboxAccount();
    entry.runId = runId;
    entry.requestJson = requestJson;
    entry.requestHash = mt5b::sha256Hex(requestJson);
    // The crash path's promise: recorded BEFORE the frame leaves the process.
    if (auto recorded = m_outbox->recordBeforeSend(entry); !recorded)
        return refuse(clientReqId, runId,
                      QStringLiteral("the order outbox could not record it, so it was not sent: %1").arg(recorded.error().message));
    InFlightOrder &order = m_orders[clientReqId];
    order.runId = runId;
    order.symbol = request.symbol;
    order.requestJson = requestJson;
    transmitOrder(clientReqId, requestJson);
}

void Mt5Client::transmitOrder(const QString &clientReqId, const QByteArray &requestJson)
{
    const QJsonObject request = QJsonDocument::fromJson(requestJson).object();
    PendingRequest p;
    p.clientReqId = clientReqId;
    const QString id = sendRequest(Pending::OrderSend, QStringLiteral("order.send"),
                                   QJsonObject{{"client_req_id", clientReqId},
                                               {"request", request},
                                               {"options", QJsonObject{{"timeout_ms", m_config.orderTimeoutMs}}}},
                                   p);
    auto it = m_orders.find(clientReqId);
    if (it != m_orders.end()) {
        it->sent.start();
        it->acked = false;
    }
    if (id.isEmpty())
        m_log->warn("order {} recorded but the link dropped before sending; its status is asked after the reconnect",
                    utf8(clientReqId));
    else
        m_log->info("order {} sent ({})", utf8(clientReqId), utf8(id));
}

void Mt5Client::handleOrderAck(const PendingRequest &p, const QJsonObject &o, const QByteArray &frame)
{
    const QString id = o.value(QLatin1String("client_req_id")).toString();
    const QString state = o.value(QLatin1String("state")).toString();
    if (id.isEmpty() || (state != QLatin1String("inflight") && state != QLatin1String("not_found")))
        return dropFrame(QStringLiteral("order.ack without client_req_id or with state '%1'").arg(state), frame);
    if (state == QLatin1String("inflight")) {
        auto it = m_orders.find(id);
        if (it != m_orders.end() && !it->acked) {
            it->acked = true;
            if (it->sent.isValid() && p.kind == Pending::OrderSend)
                m_latency.addAck(double(it->sent.nsecsElapsed()) / 1e6);
        }
        emit m_broker->orderAcknowledged(id);
        return;
    }
    // not_found: the bridge never received it. If we recorded it, send it again under the SAME id.
    auto entry = m_outbox->find(id);
    if (entry && entry->state == OutboxEntry::State::InFlight) {
        m_log->info("the bridge never received order {}; sending it again under the same id", utf8(id));
        InFlightOrder &order = m_orders[id];
        order.requestJson = entry->requestJson;
        order.runId = entry->runId;
        transmitOrder(id, entry->requestJson);
        return;
    }
    emit m_broker->orderRefused(id, QString(),
                                QStringLiteral("the bridge has no order with client_req_id %1 (not_found)").arg(id));
}

void Mt5Client::handleOrderResult(const QJsonObject &o, const QByteArray &frame)
{
    auto outcome = mt5b::orderOutcomeFromJson(o);
    if (!outcome)
        return dropFrame(outcome.error().message, frame);
    if (!mt5b::isValidClientReqId(outcome->clientReqId))
        return dropFrame(QStringLiteral("order.result with an invalid client_req_id"), frame);
    // It answers an order.send or order.status of this connection when it carries re (an ack is optional).
    const QString re = o.value(QLatin1String("re")).toString();
    if (!re.isEmpty() && m_pending.contains(re))
        m_pending.remove(re);
    const QString id = outcome->clientReqId;
    const bool repeat = m_finalIds.contains(id);
    auto it = m_orders.find(id);
    if (!repeat && it != m_orders.end() && it->sent.isValid())
        m_latency.addResult(double(it->sent.nsecsElapsed()) / 1e6);
    // Marking final is idempotent: a repeat (replay, dedup answer) also retries a mark that failed before.
    finishOrder(id, frame);
    if (repeat) {
        m_log->debug("order {} outcome already delivered; repeat dropped", utf8(id));
        return;
    }
    m_log->info("order {} {} (retcode {}{})", utf8(id), utf8(mt5b::outcomeStatusName(outcome->status)),
                outcome->result.retcode, outcome->dedup ? ", dedup" : "");
    emit m_broker->orderOutcome(*outcome);
    publishStatus();
}

void Mt5Client::finishOrder(const QString &clientReqId, const QByteArray &finalJson)
{
    if (auto marked = m_outbox->markFinal(clientReqId, finalJson); !marked)
        m_log->error("order {}: {}", utf8(clientReqId), utf8(marked.error().message));
    m_guard.release(clientReqId);
    m_orders.remove(clientReqId);
    m_finalIds.insert(clientReqId);
}

void Mt5Client::askUnfinishedOrders()
{
    auto unfinished = m_outbox->unfinished(outboxAccount());
    if (!unfinished) {
        m_log->error("cannot read the unfinished orders: {}", utf8(unfinished.error().message));
        emit m_broker->bridgeError(QStringLiteral("OUTBOX"), unfinished.error().message);
        return;
    }
    for (const OutboxEntry &e : *unfinished) {
        const QString symbol = QJsonDocument::fromJson(e.requestJson).object().value(QLatin1String("symbol")).toString();
        (void)m_guard.acquire(e.runId, symbol, e.clientReqId);  // still in flight: keep its run+symbol slot
        InFlightOrder &order = m_orders[e.clientReqId];
        order.runId = e.runId;
        order.symbol = symbol;
        order.requestJson = e.requestJson;
        m_log->info("order {} was in flight; asking its status", utf8(e.clientReqId));
        PendingRequest p;
        p.clientReqId = e.clientReqId;
        sendRequest(Pending::OrderStatus, QStringLiteral("order.status"), QJsonObject{{"client_req_id", e.clientReqId}}, p);
    }
}

void Mt5Client::queryOrderStatus(const QString &clientReqId)
{
    if (m_status.state != LinkStatus::State::Live) {
        emit m_broker->bridgeError(QStringLiteral("NOT_CONNECTED"),
                                   QStringLiteral("order.status %1: not connected to the bridge; ask again when the "
                                                  "link is live").arg(clientReqId));
        return;
    }
    PendingRequest p;
    p.clientReqId = clientReqId;
    sendRequest(Pending::OrderStatus, QStringLiteral("order.status"), QJsonObject{{"client_req_id", clientReqId}}, p);
}

// ---------------------------------------------------------------------------------------------------------------
// Market data requests

QString Mt5Client::barKey(const QString &brokerSymbol, const QString &timeframe) const
{
    return upper(brokerSymbol) + QChar(0x1f) + timeframe;
}

QString Mt5Client::brokerName(const QString &requested) const
{
    return m_resolved.value(upper(requested), requested);
}

void Mt5Client::sendSubscribe(const QJsonArray &streams)
{
    if (!streams.isEmpty())
        sendRequest(Pending::Subscribe, QStringLiteral("subscribe"), QJsonObject{{"streams", streams}});
}

void Mt5Client::subscribeTicks(const QString &symbol)
{
    m_tickSubs.insert(symbol);
    sendSubscribe(QJsonArray{QJsonObject{{"kind", "ticks"}, {"symbol", symbol}}});
}

void Mt5Client::unsubscribeTicks(const QString &symbol)
{
    m_tickSubs.remove(symbol);
    m_staleness.unwatch(brokerName(symbol));
    sendRequest(Pending::Unsubscribe, QStringLiteral("unsubscribe"),
                QJsonObject{{"streams", QJsonArray{QJsonObject{{"kind", "ticks"}, {"symbol", symbol}}}}});
}

void Mt5Client::subscribeBars(const QString &symbol, const QString &timeframe, int historyBars, bool forming)
{
    BarStream s;
    s.requested = symbol;
    s.timeframe = timeframe;
    s.history = std::clamp(historyBars, 0, 50000);
    s.forming = forming;
    m_barSubs.insert(symbol + QChar(0x1f) + timeframe, s);
    sendSubscribe(QJsonArray{QJsonObject{{"kind", "bars"}, {"symbol", symbol}, {"timeframe", timeframe},
                                         {"forming", forming}, {"history", s.history}}});
}

void Mt5Client::unsubscribeBars(const QString &symbol, const QString &timeframe)
{
    m_barSubs.remove(symbol + QChar(0x1f) + timeframe);
    sendRequest(Pending::Unsubscribe, QStringLiteral("unsubscribe"),
                QJsonObject{{"streams", QJsonArray{QJsonObject{{"kind", "bars"}, {"symbol", symbol}, {"timeframe", timeframe}}}}});
}

void Mt5Client::resubscribeAll()
{
    QJsonArray streams;
    for (const QString &symbol : std::as_const(m_tickSubs))
        streams.append(QJsonObject{{"kind", "ticks"}, {"symbol", symbol}});
    for (const BarStream &s : std::as_const(m_barSubs)) {
        const bool haveBars = m_lastClosed.value(barKey(brokerName(s.requested), s.timeframe)) > 0;
        streams.append(QJsonObject{{"kind", "bars"}, {"symbol", s.requested}, {"timeframe", s.timeframe},
                                   {"forming", s.forming}, {"history", haveBars ? 0 : s.history}});
    }
    sendSubscribe(streams);
}

void Mt5Client::backfillBars()
{
    for (const BarStream &s : std::as_const(m_barSubs)) {
        const QString symbol = brokerName(s.requested);
        const qint64 last = m_lastClosed.value(barKey(symbol, s.timeframe));
        if (last <= 0)
            continue;
        PendingRequest p;
        p.symbol = symbol;
        p.timeframe = s.timeframe;
        p.afterTime = last;
        sendRequest(Pending::Backfill, QStringLiteral("history.rates"),
                    QJsonObject{{"symbol", symbol}, {"timeframe", s.timeframe}, {"from", last}}, p);
    }
}

void Mt5Client::requestBarHistory(const QString &requestId, const QString &symbol, const QString &timeframe,
                                  qint64 fromSec, qint64 toSec)
{
    PendingRequest p;
    p.requestId = requestId;
    p.symbol = symbol;
    p.timeframe = timeframe;
    if (sendRequest(Pending::HistoryRates, QStringLiteral("history.rates"),
                    QJsonObject{{"symbol", symbol}, {"timeframe", timeframe}, {"from", fromSec}, {"to", toSec}}, p)
            .isEmpty())
        emit m_marketData->requestFailed(requestId, QStringLiteral("NOT_CONNECTED"),
                                         QStringLiteral("not connected to the bridge; ask again when the link is live"));
}

void Mt5Client::requestPositions()
{
    sendRequest(Pending::PositionsGet, QStringLiteral("positions.get"), {});
}

void Mt5Client::requestOrders()
{
    sendRequest(Pending::OrdersGet, QStringLiteral("orders.get"), {});
}

void Mt5Client::requestAccount()
{
    sendRequest(Pending::AccountGet, QStringLiteral("account.get"), {});
}

void Mt5Client::requestDeals(qint64 fromSec, qint64 toSec)
{
    sendRequest(Pending::DealsGet, QStringLiteral("history.deals"), QJsonObject{{"from", fromSec}, {"to", toSec}});
}

} // namespace bd::mt5
