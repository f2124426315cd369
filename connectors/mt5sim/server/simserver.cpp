#include "simserver.h"

#include "barloader.h"
#include "jsonfields.h"
#include "logging.h"
#include "mt5bjson.h"
#include "nodelay.h"
#include "symbolspec.h"
#include "tickfile.h"
#include "timeframes.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>
#include <cmath>

namespace bd::mt5sim {

using namespace mt5;

namespace {

constexpr quint64 kMaxFrameBytes = 1'048'576;
constexpr int kMaxSubscriptions = 200;
constexpr int kMaxRatesPerMessage = 10'000;  // keeps a `rates` page under the 1 MiB frame cap
constexpr int kMaxDealsPerMessage = 1'000;   // keeps a `deals` part under it (a deal is about 450 bytes of JSON)
constexpr qint64 kHelloTimeoutMs = 5000;
constexpr qint64 kGapSkipMs = 60'000;
constexpr int kMaxItemsPerPump = 20'000;
constexpr int kFormingIntervalMs = 250;  // ≤ 4 forming updates per second per symbol

auto log() { static auto logger = bd::logging::get("mt5sim"); return logger; }

qint64 wallNowMs() { return QDateTime::currentMSecsSinceEpoch(); }

QByteArray compact(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

// Constant-time token check: both sides hashed to 32 bytes, compared without an early exit.
bool tokenMatches(const QString &given, const QByteArray &expected)
{
    const QByteArray a = QCryptographicHash::hash(given.toUtf8(), QCryptographicHash::Sha256);
    const QByteArray b = QCryptographicHash::hash(expected, QCryptographicHash::Sha256);
    unsigned char diff = 0;
    for (int i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0 && !expected.isEmpty();
}

// In entity objects (deal/order/position) a missing ticket is "0", as MT5 has it (docs/mt5b-protocol.md §2.1).
QJsonObject zeroTickets(QJsonObject o)
{
    for (const char *key : {"ticket", "order", "deal", "position_id", "identifier", "position_by_id"})
        if (o.contains(QLatin1String(key)) && o.value(QLatin1String(key)).isNull())
            o.insert(QLatin1String(key), QStringLiteral("0"));
    return o;
}

QString statusFor(int rc, bool alreadyClosed)
{
    if (alreadyClosed)
        return QStringLiteral("done");
    switch (rc) {
    case retcode::kDone: return QStringLiteral("done");
    case retcode::kPlaced: return QStringLiteral("placed");
    case retcode::kDonePartial: return QStringLiteral("partial");
    case retcode::kNoChanges: return QStringLiteral("no_change");
    default: return QStringLiteral("rejected");
    }
}

bool isPending(OrderType t) { return !isMarket(t) && t != OrderType::CloseBy; }

} // namespace

// --- Construction -----------------------------------------------------------------------------------------------

SimServer::SimServer(SimConfig config) : m_config(std::move(config))
{
    m_playing = m_config.playing;
    m_speed = m_config.speed;
}

SimServer::~SimServer()
{
    for (auto &[ws, c] : m_connections)
        ws->disconnect(this);
}

Result<std::unique_ptr<SimServer>> SimServer::create(SimConfig config)
{
    if (config.sources.empty())
        return makeError(QStringLiteral("no market data: give --data FILE --symbol NAME (or --ticks FILE --symbol NAME)"));
    auto catalog = SymbolCatalog::builtin();
    if (!catalog)
        return catalog.error();
    std::unique_ptr<SimServer> s(new SimServer(config));
    s->m_replay = std::make_unique<MarketReplay>(config.tickMode);
    s->m_exchange = std::make_unique<Exchange>(config.exchange);
    const qint64 shiftMs = config.serverUtcOffsetSec * 1000;
    QStringList names;
    for (const SimSource &src : config.sources) {
        const SymbolSpec *spec = catalog->find(src.symbol);
        if (!spec) {
            QStringList known;
            for (const SymbolSpec &k : catalog->symbols())
                known << k.name;
            return makeError(QStringLiteral("--symbol '%1' is not in the symbol catalogue (resources/symbols.json); "
                                            "use one of %2").arg(src.symbol, known.join(QStringLiteral(", "))));
        }
        SimSymbol sym = SimSymbol::fromSpec(*spec, config.suffix);
        for (const auto &[name, mode] : config.tradeModes)
            if (name.compare(src.symbol, Qt::CaseInsensitive) == 0)
                sym.info.tradeMode = mode;
        if (names.contains(sym.info.name))
            return makeError(QStringLiteral("--symbol '%1' is given twice; give each symbol once").arg(src.symbol));
        if (!src.tickFile.isEmpty()) {
            auto ticks = loadTickFile(src.tickFile, shiftMs);
            if (!ticks)
                return ticks.error();
            s->m_replay->addTickFeed(sym.info.name, sym.info.digits, std::move(*ticks));
        } else {
            auto bars = loadBars(src.dataFile);
            if (!bars)
                return bars.error();
            for (Bar &b : *bars)
                b.timeMs += shiftMs;
            s->m_replay->addBarFeed(sym.info.name, sym.info.digits, sym.defaultSpreadPoints, std::move(*bars));
        }
        names << sym.info.name;
        s->m_exchange->addSymbol(sym);
        s->m_symbols.push_back(sym);
    }
    for (const auto &[name, mode] : config.tradeModes)
        if (!std::any_of(config.sources.begin(), config.sources.end(),
                         [&](const SimSource &src) { return src.symbol.compare(name, Qt::CaseInsensitive) == 0; }))
            return makeError(QStringLiteral("--trade-mode names '%1', which is not one of the --symbol values; "
                                            "give NAME=MODE for a replayed symbol").arg(name));
    s->m_resolver = std::make_unique<SymbolResolver>(names);
    auto store = IdempotencyStore::open(config.stateDir);
    if (!store)
        return store.error();
    s->m_store = std::move(*store);
    s->m_exchange->reserveTicketsAbove(s->m_store->maxTicket());
    // A request that was in flight when the simulator stopped: its account is gone with the process, so its outcome
    // cannot be looked up any more. It becomes final as "unknown" (class RECONCILE), never executed twice.
    for (const QString &id : s->m_store->inflightAtLoad()) {
        OrderOutcome o;
        o.clientReqId = id;
        o.status = OrderOutcome::Status::Unknown;
        o.retcodeClass = RetcodeClass::Reconcile;
        o.result.retcode = retcode::kError;
        o.result.comment = QStringLiteral("simulator restarted while the request was in flight");
        QJsonObject body = mt5b::toJson(o);
        body.insert(QStringLiteral("result"), zeroTickets(body.value(QStringLiteral("result")).toObject()));
        body.insert(QStringLiteral("filling_used"), QJsonValue::Null);
        if (auto ok = s->m_store->finish(id, body); !ok)
            return ok.error();
        log()->warn("client_req_id {} was in flight when the simulator stopped; its outcome is now 'unknown'",
                    id.toStdString());
    }
    s->m_faults = std::make_unique<FaultPlan>(config.faults, config.seed);
    // Start: the given time, else after the first 1000 bars of the first symbol (so there is history to ask for).
    qint64 start = 0;
    if (config.startMsc) {
        start = *config.startMsc;
    } else {
        const Bars &b = s->m_replay->bars(0);
        const size_t warmup = std::min<size_t>(1000, b.size() / 2);
        start = b.empty() ? 0 : b[warmup].timeMs;
    }
    s->m_replay->seek(start);
    s->primeQuotes();
    return s;
}

Result<QUrl> SimServer::listen()
{
    const bool tls = !m_config.tlsCert.isEmpty();
    m_server = new QWebSocketServer(QStringLiteral("botdesk-mt5sim"),
                                    tls ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode, this);
    if (tls) {
        QFile certFile(m_config.tlsCert), keyFile(m_config.tlsKey);
        if (!certFile.open(QIODevice::ReadOnly))
            return makeError(QStringLiteral("--tls-cert '%1' cannot be read; give a PEM certificate file").arg(m_config.tlsCert));
        if (!keyFile.open(QIODevice::ReadOnly))
            return makeError(QStringLiteral("--tls-key '%1' cannot be read; give a PEM private key file").arg(m_config.tlsKey));
        const QSslCertificate cert(certFile.readAll(), QSsl::Pem);
        const QByteArray keyPem = keyFile.readAll();
        QSslKey key(keyPem, QSsl::Rsa, QSsl::Pem);
        if (key.isNull())
            key = QSslKey(keyPem, QSsl::Ec, QSsl::Pem);
        if (cert.isNull())
            return makeError(QStringLiteral("--tls-cert '%1' is not a PEM certificate").arg(m_config.tlsCert));
        if (key.isNull())
            return makeError(QStringLiteral("--tls-key '%1' is not an unencrypted PEM RSA or EC private key").arg(m_config.tlsKey));
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setLocalCertificate(cert);
        ssl.setPrivateKey(key);
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_server->setSslConfiguration(ssl);
    }
    m_server->setSupportedSubprotocols({QStringLiteral("mt5b.v1")});
    m_server->setMaxPendingConnections(64);
    if (!m_server->listen(m_config.listenAddress, m_config.port))
        return makeError(QStringLiteral("cannot listen on %1:%2: %3; choose a free --port (or 0 for any)")
                             .arg(m_config.listenAddress.toString())
                             .arg(m_config.port)
                             .arg(m_server->errorString()));
    connect(m_server, &QWebSocketServer::newConnection, this, &SimServer::onNewConnection);

    m_wall.start();
    reanchor();
    m_pumpTimer.setTimerType(Qt::PreciseTimer);
    m_pumpTimer.setInterval(5);
    connect(&m_pumpTimer, &QTimer::timeout, this, &SimServer::pump);
    m_pumpTimer.start();
    m_heartbeatTimer.setInterval(std::max(1, m_config.heartbeatSec) * 1000);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, [this] {
        for (auto &[id, s] : m_sessions) {
            if (!s->socket)
                continue;
            QJsonObject hb{{"type", "heartbeat"},
                           {"terminal", QJsonObject{{"connected", m_terminalConnected}, {"trade_allowed", true}}},
                           {"server_time_msc", m_replay->clockMsc()},
                           {"server_utc_offset_sec", m_config.serverUtcOffsetSec},
                           {"offset_source", m_config.offsetGiven ? "config" : "dataset"}};
            emitEvent(*s, hb);
        }
    });
    m_heartbeatTimer.start();
    m_accountTimer.setInterval(500);
    connect(&m_accountTimer, &QTimer::timeout, this, &SimServer::pushAccount);
    m_accountTimer.start();
    m_pruneTimer.setInterval(10'000);
    connect(&m_pruneTimer, &QTimer::timeout, this, &SimServer::pruneSessions);
    m_pruneTimer.start();
    m_disconnectTimer.setSingleShot(true);
    connect(&m_disconnectTimer, &QTimer::timeout, this, [this] {
        log()->info("fault: dropping {} client socket(s)", m_connections.size());
        std::vector<QWebSocket *> all;
        for (auto &[ws, c] : m_connections)
            all.push_back(ws);
        for (QWebSocket *ws : all)
            ws->abort();
        scheduleDisconnect();
    });
    scheduleDisconnect();
    m_terminalTimer.setSingleShot(true);
    connect(&m_terminalTimer, &QTimer::timeout, this, [this] {
        setTerminalConnected(false);
        QTimer::singleShot(std::chrono::milliseconds(m_config.faults.terminalOffForMs), this, [this] {
            setTerminalConnected(true);
            scheduleTerminalOff();
        });
    });
    scheduleTerminalOff();

    if (!tls && !m_config.listenAddress.isLoopback())
        log()->warn("listening on {} without TLS: tokens and orders cross the network in clear; give --tls-cert and "
                    "--tls-key for wss://", m_config.listenAddress.toString().toStdString());
    QUrl url;
    url.setScheme(tls ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setHost(m_config.listenAddress == QHostAddress::Any ? QStringLiteral("0.0.0.0") : m_config.listenAddress.toString());
    url.setPort(m_server->serverPort());
    log()->info("listening on {} ({} symbol(s), tick mode {}, speed {}, {} account, faults: {}, seed {})",
                url.toString().toStdString(), m_symbols.size(), tickModeName(m_config.tickMode).toStdString(),
                m_speed, m_config.exchange.marginMode == MarginMode::RetailNetting ? "netting" : "hedging",
                describeFaults(m_config.faults).toStdString(), m_config.seed);
    return url;
}

void SimServer::scheduleDisconnect()
{
    if (const qint64 ms = m_faults->nextDisconnectDelayMs(); ms > 0)
        m_disconnectTimer.start(std::chrono::milliseconds(ms));
}

void SimServer::scheduleTerminalOff()
{
    if (const qint64 ms = m_faults->nextTerminalOffDelayMs(); ms > 0)
        m_terminalTimer.start(std::chrono::milliseconds(ms));
}

void SimServer::setTerminalConnected(bool connected)
{
    if (m_terminalConnected == connected)
        return;
    m_terminalConnected = connected;
    log()->info("fault: terminal {}", connected ? "reconnected" : "disconnected");
    broadcast(QJsonObject{{"type", "terminal"}, {"connected", connected}, {"trade_allowed", true}});
    reanchor();
}

void SimServer::pruneSessions()
{
    const qint64 now = wallNowMs();
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        if (!it->second->socket && now - it->second->detachedAtMs > kSessionKeepMs)
            it = m_sessions.erase(it);
        else
            ++it;
    }
}

// --- Connections ------------------------------------------------------------------------------------------------

void SimServer::onNewConnection()
{
    while (QWebSocket *ws = m_server->nextPendingConnection()) {
        ws->setParent(this);
        if (!mt5b::disableNagle(*m_server, *ws))
            log()->warn("could not turn Nagle off for a client socket");
        ws->setMaxAllowedIncomingFrameSize(kMaxFrameBytes);
        ws->setMaxAllowedIncomingMessageSize(kMaxFrameBytes);
        Connection c;
        c.ws = ws;
        c.peer = QStringLiteral("%1:%2").arg(ws->peerAddress().toString()).arg(ws->peerPort());
        c.helloTimer = new QTimer(ws);
        c.helloTimer->setSingleShot(true);
        connect(c.helloTimer, &QTimer::timeout, this, [this, ws] {
            auto it = m_connections.find(ws);
            if (it != m_connections.end() && !it->second.session) {
                log()->warn("{}: no hello within 5 s; closing 4001", it->second.peer.toStdString());
                closeWith(ws, 4001, QStringLiteral("no hello within 5 s"));
            }
        });
        c.helloTimer->start(std::chrono::milliseconds(kHelloTimeoutMs));
        connect(ws, &QWebSocket::textMessageReceived, this, [this, ws](const QString &text) { onText(ws, text); });
        connect(ws, &QWebSocket::binaryMessageReceived, this, [this, ws](const QByteArray &) { onBinary(ws); });
        connect(ws, &QWebSocket::disconnected, this, [this, ws] { onDisconnected(ws); });
        log()->info("{}: connected (subprotocol '{}')", c.peer.toStdString(), ws->subprotocol().toStdString());
        m_connections[ws] = c;
    }
}

void SimServer::closeWith(QWebSocket *ws, int code, const QString &reason)
{
    // Once closing, the connection's further frames are ignored and no second close is sent.
    if (auto it = m_connections.find(ws); it != m_connections.end()) {
        if (it->second.closing)
            return;
        it->second.closing = true;
    }
    ws->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
}

void SimServer::onBinary(QWebSocket *ws)
{
    auto it = m_connections.find(ws);
    if (it == m_connections.end())
        return;
    log()->warn("{}: binary frame; closing 1003", it->second.peer.toStdString());
    closeWith(ws, QWebSocketProtocol::CloseCodeDatatypeNotSupported, QStringLiteral("binary frames are not mt5b"));
}

void SimServer::onDisconnected(QWebSocket *ws)
{
    auto it = m_connections.find(ws);
    if (it == m_connections.end())
        return;
    Session *s = it->second.session;
    if (s && s->socket == ws) {
        s->socket = nullptr;
        s->detachedAtMs = wallNowMs();
    }
    log()->info("{}: disconnected (close code {})", it->second.peer.toStdString(), int(ws->closeCode()));
    m_connections.erase(it);
    ws->deleteLater();
}

void SimServer::onText(QWebSocket *ws, const QString &text)
{
    auto it = m_connections.find(ws);
    if (it == m_connections.end())
        return;
    Connection &c = it->second;
    if (c.closing)
        return;
    const qint64 now = wallNowMs();
    // Rate limit over a rolling second, every frame counted.
    c.frameTimes.push_back(now);
    while (!c.frameTimes.empty() && now - c.frameTimes.front() >= 1000)
        c.frameTimes.pop_front();
    const int count = int(c.frameTimes.size());
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &err);
    const QJsonObject msg = doc.object();
    const QJsonValue idValue = msg.value(QStringLiteral("id"));
    const QString id = idValue.isString() && idValue.toString().size() <= 64 ? idValue.toString() : QString();
    if (count > 10 * m_config.maxRequestsPerSec) {
        log()->warn("{}: {} frames in one second; closing 1008", c.peer.toStdString(), count);
        // Stop reading the flood now, close a moment later: frames still in flight are read and dropped meanwhile,
        // so the close frame is not lost to a TCP reset (closing with unread input makes the kernel send RST).
        c.closing = true;
        QPointer<QWebSocket> target = ws;
        QTimer::singleShot(250, this, [target] {
            if (target)
                target->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("request flood"));
        });
        return;
    }
    if (count > m_config.maxRequestsPerSec) {
        sendError(c, id, QStringLiteral("RATE_LIMITED"),
                  QStringLiteral("more than %1 requests per second; slow down").arg(m_config.maxRequestsPerSec), {},
                  false, std::max<qint64>(1, 1000 - (now - c.frameTimes.front())));
        return;
    }
    if (!c.session) {
        handleHello(c, err.error == QJsonParseError::NoError && doc.isObject() ? msg : QJsonObject{});
        return;
    }
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        log()->warn("{}: malformed frame ({} bytes): {}", c.peer.toStdString(), text.size(),
                    err.error != QJsonParseError::NoError ? err.errorString().toStdString() : "not a JSON object");
        sendError(c, QString(), QStringLiteral("BAD_REQUEST"),
                  err.error != QJsonParseError::NoError ? QStringLiteral("malformed JSON: %1").arg(err.errorString())
                                                        : QStringLiteral("a message must be a JSON object"));
        return;
    }
    const QJsonValue v = msg.value(QStringLiteral("v"));
    const QJsonValue type = msg.value(QStringLiteral("type"));
    auto bad = [&](const QString &field, const QString &what) {
        log()->warn("{}: bad request: field '{}' {}", c.peer.toStdString(), field.toStdString(), what.toStdString());
        sendError(c, id, QStringLiteral("BAD_REQUEST"), QStringLiteral("field '%1' %2").arg(field, what),
                  QJsonObject{{"field", field}});
    };
    if (!JsonFields::isExactInteger(v) || v.toInt() != 1)
        return bad(QStringLiteral("v"), QStringLiteral("must be the integer 1"));
    if (!type.isString() || type.toString().isEmpty())
        return bad(QStringLiteral("type"), QStringLiteral("must be a message type string"));
    if (!idValue.isString() || idValue.toString().isEmpty() || idValue.toString().size() > 64)
        return bad(QStringLiteral("id"), QStringLiteral("must be a string of 1 to 64 characters"));
    dispatch(c, msg, type.toString(), id);
}

// --- Session ----------------------------------------------------------------------------------------------------

void SimServer::handleHello(Connection &c, const QJsonObject &msg)
{
    const QString id = msg.value(QStringLiteral("id")).toString();
    auto refuse = [&](const QString &code, const QString &message, int closeCode) {
        sendError(c, id, code, message, {}, true);
        closeWith(c.ws, closeCode, message);
    };
    if (msg.value(QStringLiteral("type")).toString() != QLatin1String("hello")
        || !msg.value(QStringLiteral("token")).isString()) {
        log()->warn("{}: first frame is not a hello with a token; closing 4003", c.peer.toStdString());
        return refuse(QStringLiteral("AUTH_FAILED"), QStringLiteral("the first message must be hello with a token"), 4003);
    }
    if (!tokenMatches(msg.value(QStringLiteral("token")).toString(), m_config.token)) {
        log()->warn("{}: authentication failed; closing 4003", c.peer.toStdString());
        return refuse(QStringLiteral("AUTH_FAILED"), QStringLiteral("authentication failed"), 4003);
    }
    const QJsonValue proto = msg.value(QStringLiteral("protocol"));
    if (!proto.isUndefined() && !proto.isNull()) {
        const QJsonObject p = proto.toObject();
        const QJsonValue mn = p.value(QStringLiteral("min")), mx = p.value(QStringLiteral("max"));
        if (!proto.isObject() || !JsonFields::isExactInteger(mn) || !JsonFields::isExactInteger(mx) || mn.toInt() > 1
            || mx.toInt() < 1) {
            log()->warn("{}: unsupported protocol version; closing 4002", c.peer.toStdString());
            return refuse(QStringLiteral("UNSUPPORTED_VERSION"), QStringLiteral("this bridge speaks mt5b v1 only"), 4002);
        }
    }
    c.helloTimer->stop();
    // Resume?
    const QJsonObject resume = msg.value(QStringLiteral("resume")).toObject();
    const QString resumeId = resume.value(QStringLiteral("session_id")).toString();
    const QJsonValue lastSeq = resume.value(QStringLiteral("last_seq"));
    if (!resumeId.isEmpty() && JsonFields::isExactInteger(lastSeq)) {
        auto sit = m_sessions.find(resumeId);
        if (sit != m_sessions.end() && sit->second->covers(qint64(lastSeq.toDouble()) + 1)) {
            Session &s = *sit->second;
            if (s.socket && s.socket != c.ws) {
                QWebSocket *old = s.socket;
                s.socket = nullptr;
                if (auto oc = m_connections.find(old); oc != m_connections.end())
                    oc->second.session = nullptr;
                closeWith(old, 4005, QStringLiteral("session resumed on another connection"));
            }
            s.socket = c.ws;
            c.session = &s;
            const QJsonObject w = welcome(s, true, id);
            c.ws->sendTextMessage(QString::fromUtf8(compact(w)));
            const auto frames = s.replayFrom(qint64(lastSeq.toDouble()) + 1);
            for (const QByteArray &f : frames)
                c.ws->sendTextMessage(QString::fromUtf8(f));
            log()->info("{}: session {} resumed, {} event(s) replayed", c.peer.toStdString(), s.id().toStdString(),
                        frames.size());
            return;
        }
    }
    const QString sid = QStringLiteral("s-%1-%2").arg(QString::number(wallNowMs(), 36)).arg(++m_sessionCounter);
    auto session = std::make_unique<Session>(sid);
    session->socket = c.ws;
    c.session = session.get();
    m_sessions[sid] = std::move(session);
    c.ws->sendTextMessage(QString::fromUtf8(compact(welcome(*c.session, false, id))));
    log()->info("{}: session {} started", c.peer.toStdString(), sid.toStdString());
}

QJsonObject SimServer::welcome(const Session &s, bool resumed, const QString &re) const
{
    const AccountInfo a = m_exchange->account();
    QJsonObject w{{"v", 1}, {"type", "welcome"}, {"seq", 0}, {"ts", wallNowMs()}, {"session_id", s.id()},
                  {"resumed", resumed}, {"protocol", QJsonObject{{"major", 1}, {"minor", 0}}},
                  {"bridge", QJsonObject{{"kind", "simulator"}, {"name", "botdesk-mt5sim"}, {"version", m_config.version}}},
                  {"terminal", QJsonObject{{"connected", m_terminalConnected}, {"trade_allowed", true}, {"build", 0},
                                           {"company", a.company}, {"server", a.server}}},
                  {"account", QJsonObject{{"login", a.login}, {"margin_mode", mt5Name(a.marginMode)},
                                          {"currency", a.currency}, {"trade_mode", mt5Name(a.tradeMode)},
                                          {"trade_allowed", a.tradeAllowed}, {"trade_expert", a.tradeExpert}}},
                  {"clock", QJsonObject{{"server_utc_offset_sec", m_config.serverUtcOffsetSec},
                                        {"offset_source", m_config.offsetGiven ? "config" : "dataset"}}},
                  {"capabilities", QJsonArray{"ticks", "bars", "history.rates", "history.deals", "order.check",
                                              "resume", "deal_events", "sim.control"}},
                  {"limits", QJsonObject{{"max_subscriptions", kMaxSubscriptions},
                                         {"max_requests_per_sec", m_config.maxRequestsPerSec},
                                         {"tick_conflation_ms", m_config.faults.conflateMs},
                                         {"max_frame_bytes", qint64(kMaxFrameBytes)},
                                         {"max_rates_per_message", kMaxRatesPerMessage}}},
                  {"heartbeat_sec", m_config.heartbeatSec}};
    if (!re.isEmpty())
        w.insert(QStringLiteral("re"), re);
    return w;
}

void SimServer::dispatch(Connection &c, const QJsonObject &msg, const QString &type, const QString &id)
{
    if (type == QLatin1String("hello"))
        return sendError(c, id, QStringLiteral("BAD_REQUEST"), QStringLiteral("already authenticated; hello is sent once"));
    if (type == QLatin1String("ping")) {
        QJsonObject pong{{"type", "pong"}};
        pong.insert(QStringLiteral("nonce"), msg.value(QStringLiteral("nonce")).isUndefined()
                                                 ? QJsonValue(QJsonValue::Null) : msg.value(QStringLiteral("nonce")));
        return sendReply(c, pong, id);
    }
    if (type == QLatin1String("subscribe"))
        return handleSubscribe(c, msg, id);
    if (type == QLatin1String("unsubscribe"))
        return handleUnsubscribe(c, msg, id);
    if (type == QLatin1String("symbols.list"))
        return handleSymbolsList(c, msg, id);
    if (type == QLatin1String("symbol.get"))
        return handleSymbolGet(c, msg, id);
    if (type == QLatin1String("history.rates"))
        return handleHistoryRates(c, msg, id);
    if (type == QLatin1String("history.deals"))
        return handleHistoryDeals(c, msg, id);
    if (type == QLatin1String("account.get"))
        return sendReply(c, QJsonObject{{"type", "account"}, {"info", accountInfo()}}, id);
    if (type == QLatin1String("positions.get"))
        return sendReply(c, QJsonObject{{"type", "positions"}, {"snapshot", true}, {"items", positionsJson()}}, id);
    if (type == QLatin1String("orders.get"))
        return sendReply(c, QJsonObject{{"type", "orders"}, {"snapshot", true}, {"items", ordersJson()}}, id);
    if (type == QLatin1String("order.send"))
        return handleOrderSend(c, msg, id);
    if (type == QLatin1String("order.status"))
        return handleOrderStatus(c, msg, id);
    if (type == QLatin1String("order.check"))
        return handleOrderCheck(c, msg, id);
    if (type == QLatin1String("resync"))
        return handleResync(c, msg, id);
    if (type == QLatin1String("sim.control"))
        return handleSimControl(c, msg, id);
    log()->warn("{}: unsupported request type '{}'", c.peer.toStdString(), type.left(64).toStdString());
    sendError(c, id, QStringLiteral("UNSUPPORTED_TYPE"),
              QStringLiteral("request type '%1' is not part of mt5b v1 for this bridge").arg(type.left(64)));
}

// --- Output -----------------------------------------------------------------------------------------------------

void SimServer::sendReply(Connection &c, QJsonObject reply, const QString &re)
{
    reply.insert(QStringLiteral("v"), 1);
    if (!re.isEmpty())
        reply.insert(QStringLiteral("re"), re);
    reply.insert(QStringLiteral("ts"), wallNowMs());
    c.ws->sendTextMessage(QString::fromUtf8(compact(reply)));
}

void SimServer::sendError(Connection &c, const QString &re, const QString &code, const QString &message,
                          QJsonObject details, bool fatal, qint64 retryAfterMs)
{
    const bool retryable = code == QLatin1String("RATE_LIMITED") || code == QLatin1String("TERMINAL_DISCONNECTED");
    QJsonObject e{{"type", "error"}, {"code", code}, {"message", message}, {"retryable", retryable}, {"fatal", fatal}};
    if (!details.isEmpty())
        e.insert(QStringLiteral("details"), details);
    if (retryAfterMs >= 0)
        e.insert(QStringLiteral("retry_after_ms"), retryAfterMs);
    sendReply(c, e, re);
}

void SimServer::emitEvent(Session &s, QJsonObject event)
{
    const QByteArray frame = s.stamp(event, wallNowMs());
    if (s.socket)
        s.socket->sendTextMessage(QString::fromUtf8(frame));
}

void SimServer::broadcast(const QJsonObject &event)
{
    for (auto &[id, s] : m_sessions)
        emitEvent(*s, event);
}

// --- Market data requests ---------------------------------------------------------------------------------------

int SimServer::feedOf(const QString &brokerSymbol) const
{
    for (size_t i = 0; i < m_symbols.size(); ++i)
        if (m_symbols[i].info.name == brokerSymbol)
            return int(i);
    return -1;
}

void SimServer::handleSubscribe(Connection &c, const QJsonObject &msg, const QString &id)
{
    const QJsonValue streams = msg.value(QStringLiteral("streams"));
    if (!streams.isArray())
        return sendError(c, id, QStringLiteral("BAD_REQUEST"), QStringLiteral("field 'streams' must be an array of streams"),
                         QJsonObject{{"field", "streams"}});
    const QJsonArray arr = streams.toArray();
    for (qsizetype i = 0; i < arr.size(); ++i) {
        const QJsonObject st = arr[i].toObject();
        const QString field = QStringLiteral("streams[%1]").arg(i);
        if (!arr[i].isObject() || !st.value(QStringLiteral("kind")).isString() || !st.value(QStringLiteral("symbol")).isString())
            return sendError(c, id, QStringLiteral("BAD_REQUEST"),
                             QStringLiteral("field '%1' must be an object with string kind and symbol").arg(field),
                             QJsonObject{{"field", field}});
        const QJsonValue tf = st.value(QStringLiteral("timeframe")), forming = st.value(QStringLiteral("forming")),
                         history = st.value(QStringLiteral("history"));
        if ((!tf.isUndefined() && !tf.isNull() && !tf.isString()) || (!forming.isUndefined() && !forming.isNull() && !forming.isBool())
            || (!history.isUndefined() && !history.isNull() && (!JsonFields::isExactInteger(history) || history.toDouble() < 0)))
            return sendError(c, id, QStringLiteral("BAD_REQUEST"),
                             QStringLiteral("field '%1': timeframe must be a string, forming a boolean, history an "
                                            "integer ≥ 0").arg(field), QJsonObject{{"field", field}});
    }
    Session &s = *c.session;
    QJsonArray ok, errors;
    struct HistoryToSend {
        QString symbol, timeframe;
        Bars bars;
    };
    std::vector<HistoryToSend> historyToSend;
    for (const QJsonValue &item : arr) {
        const QJsonObject st = item.toObject();
        const QString kind = st.value(QStringLiteral("kind")).toString();
        const QString requested = st.value(QStringLiteral("symbol")).toString();
        const QString tf = st.value(QStringLiteral("timeframe")).toString(QStringLiteral("M1"));
        auto fail = [&](const QString &code, const QString &message, const QStringList &suggestions = {}) {
            QJsonObject e{{"kind", kind}, {"requested", requested}, {"code", code}, {"message", message}};
            if (code == QLatin1String("UNKNOWN_SYMBOL"))
                e.insert(QStringLiteral("suggestions"), QJsonArray::fromStringList(suggestions));
            errors.append(e);
        };
        if (kind != QLatin1String("ticks") && kind != QLatin1String("bars")) {
            fail(QStringLiteral("UNSUPPORTED_TYPE"), QStringLiteral("stream kind '%1' is not offered (ticks, bars)").arg(kind.left(32)));
            continue;
        }
        const auto sym = resolve(requested);
        if (!sym) {
            const QStringList sugg = m_resolver->suggestions(requested);
            fail(QStringLiteral("UNKNOWN_SYMBOL"),
                 QStringLiteral("no symbol '%1'%2").arg(requested.left(64),
                                                       sugg.isEmpty() ? QString() : QStringLiteral("; did you mean %1?").arg(sugg.first())),
                 sugg);
            continue;
        }
        const auto tfSec = timeframeSeconds(tf);
        if (kind == QLatin1String("bars") && !tfSec) {
            fail(QStringLiteral("UNSUPPORTED_TYPE"), QStringLiteral("timeframe '%1' is not offered; the simulator offers %2")
                                                         .arg(tf.left(8), timeframeNames().join(QStringLiteral(", "))));
            continue;
        }
        const QString key = streamKey(*sym, tf);
        const bool already = kind == QLatin1String("ticks") ? s.tickSubs.count(*sym) > 0 : s.barSubs.count(key) > 0;
        if (!already && int(s.tickSubs.size() + s.barSubs.size()) >= kMaxSubscriptions) {
            fail(QStringLiteral("BAD_REQUEST"), QStringLiteral("more than %1 subscriptions").arg(kMaxSubscriptions));
            continue;
        }
        const SimSymbol &info = m_symbols[size_t(feedOf(*sym))];
        QJsonObject okItem{{"kind", kind}, {"requested", requested}, {"symbol", *sym}, {"digits", info.info.digits},
                           {"point", info.info.point}};
        if (kind == QLatin1String("ticks")) {
            s.tickSubs.insert(*sym);
        } else {
            s.barSubs[key] = st.value(QStringLiteral("forming")).toBool(false);
            const size_t n = size_t(std::min(100'000, int(st.value(QStringLiteral("history")).toDouble(0))));
            // What will really be sent: the last n closed bars newer than any this session already has.
            Bars closed = lastClosedBars(feedOf(*sym), *tfSec, n);
            const auto last = s.lastClosedBar.find(key);
            if (last != s.lastClosedBar.end())
                closed.erase(std::remove_if(closed.begin(), closed.end(),
                                            [&](const Bar &b) { return b.timeMs / 1000 <= last->second; }),
                             closed.end());
            okItem.insert(QStringLiteral("timeframe"), tf);
            okItem.insert(QStringLiteral("history_sent"), qint64(closed.size()));
            historyToSend.push_back({*sym, tf, std::move(closed)});
        }
        ok.append(okItem);
    }
    sendReply(c, QJsonObject{{"type", "subscribed"}, {"streams", ok}, {"errors", errors}}, id);
    for (const HistoryToSend &h : historyToSend)
        for (const Bar &b : h.bars) {
            emitEvent(s, barEvent(h.symbol, h.timeframe, b, true, true));
            s.lastClosedBar[streamKey(h.symbol, h.timeframe)] = b.timeMs / 1000;
        }
}

QString SimServer::streamKey(const QString &symbol, const QString &timeframe)
{
    return symbol + QLatin1Char('|') + timeframe;
}

QJsonObject SimServer::barEvent(const QString &symbol, const QString &timeframe, const Bar &b, bool closed, bool history)
{
    RateBar rb;
    rb.symbol = symbol;
    rb.timeframe = timeframe;
    rb.time = b.timeMs / 1000;
    rb.open = b.open;
    rb.high = b.high;
    rb.low = b.low;
    rb.close = b.close;
    rb.tickVolume = b.tickVolume;
    rb.spread = b.spreadPoints;
    rb.closed = closed;
    rb.history = history;
    QJsonObject ev = mt5b::toJson(rb);
    ev.insert(QStringLiteral("type"), QStringLiteral("bar"));
    return ev;
}

Bars SimServer::lastClosedBars(int feed, qint64 tfSec, size_t n) const
{
    const Bars &m1 = m_replay->bars(feed);
    const size_t closed = m_replay->closedCount(feed);
    if (tfSec == 60)
        return Bars(m1.begin() + qsizetype(closed - std::min(closed, n)), m1.begin() + qsizetype(closed));
    // Walk back over whole buckets: enough M1 bars for n + 1 buckets, then drop a bucket the clock has not left.
    size_t begin = closed;
    size_t buckets = 0;
    qint64 current = std::numeric_limits<qint64>::min();
    while (begin > 0) {
        const qint64 b = bucketStart(m1[begin - 1].timeMs / 1000, tfSec);
        if (b != current) {
            if (buckets == n + 1)
                break;
            current = b;
            ++buckets;
        }
        --begin;
    }
    Bars out = aggregate(m1.data() + begin, m1.data() + closed, tfSec);
    while (!out.empty() && out.back().timeMs + tfSec * 1000 > m_replay->clockMsc())
        out.pop_back();  // still forming
    if (out.size() > n)
        out.erase(out.begin(), out.end() - qsizetype(n));
    return out;
}

void SimServer::handleUnsubscribe(Connection &c, const QJsonObject &msg, const QString &id)
{
    const QJsonValue streams = msg.value(QStringLiteral("streams"));
    if (!streams.isArray())
        return sendError(c, id, QStringLiteral("BAD_REQUEST"), QStringLiteral("field 'streams' must be an array of streams"),
                         QJsonObject{{"field", "streams"}});
    for (const QJsonValue &item : streams.toArray())
        if (!item.isObject() || !item.toObject().value(QStringLiteral("kind")).isString()
            || !item.toObject().value(QStringLiteral("symbol")).isString())
            return sendError(c, id, QStringLiteral("BAD_REQUEST"),
                             QStringLiteral("every item of 'streams' must be an object with string kind and symbol"),
                             QJsonObject{{"field", "streams"}});
    Session &s = *c.session;
    QJsonArray ok, errors;
    for (const QJsonValue &item : streams.toArray()) {
        const QJsonObject st = item.toObject();
        const QString kind = st.value(QStringLiteral("kind")).toString();
        const QString requested = st.value(QStringLiteral("symbol")).toString();
        const auto sym = resolve(requested);
        if (!sym) {
            errors.append(QJsonObject{{"kind", kind}, {"requested", requested}, {"code", "UNKNOWN_SYMBOL"},
                                      {"message", QStringLiteral("no symbol '%1'").arg(requested.left(64))}});
            continue;
        }
        bool removed = false;
        if (kind == QLatin1String("ticks"))
            removed = s.tickSubs.erase(*sym) > 0;
        else if (kind == QLatin1String("bars"))
            removed = s.barSubs.erase(streamKey(*sym, st.value(QStringLiteral("timeframe")).toString(QStringLiteral("M1")))) > 0;
        if (!removed) {
            errors.append(QJsonObject{{"kind", kind}, {"requested", requested}, {"code", "NOT_SUBSCRIBED"},
                                      {"message", QStringLiteral("no %1 subscription for %2").arg(kind.left(16), *sym)}});
            continue;
        }
        QJsonObject okItem{{"kind", kind}, {"symbol", *sym}};
        if (kind == QLatin1String("bars"))
            okItem.insert(QStringLiteral("timeframe"), st.value(QStringLiteral("timeframe")).toString(QStringLiteral("M1")));
        ok.append(okItem);
    }
    sendReply(c, QJsonObject{{"type", "unsubscribed"}, {"streams", ok}, {"errors", errors}}, id);
}

void SimServer::handleSymbolsList(Connection &c, const QJsonObject &msg, const QString &id)
{
    const QJsonValue filter = msg.value(QStringLiteral("filter"));
    if (!filter.isUndefined() && !filter.isNull() && !filter.isString())
        return sendError(c, id, QStringLiteral("BAD_REQUEST"), QStringLiteral("field 'filter' must be a glob string"),
                         QJsonObject{{"field", "filter"}});
    QRegularExpression re;
    if (filter.isString())
        re = QRegularExpression(QRegularExpression::wildcardToRegularExpression(filter.toString().left(64)),
                                QRegularExpression::CaseInsensitiveOption);
    QJsonArray items;
    for (const SimSymbol &s : m_symbols) {
        if (filter.isString() && !re.match(s.info.name).hasMatch())
            continue;
        items.append(QJsonObject{{"name", s.info.name}, {"description", s.info.description},
                                 {"path", QStringLiteral("Forex\\") + s.info.name}, {"visible", true}});
    }
    sendReply(c, QJsonObject{{"type", "symbols"}, {"items", items}}, id);
}

QJsonObject SimServer::symbolInfo(const SimSymbol &sym) const
{
    QJsonObject o = mt5b::toJson(sym.info);
    const auto q = m_exchange->quote(sym.info.name);
    o.insert(QStringLiteral("trade_tick_value_profit"), sym.info.tradeTickValue);
    o.insert(QStringLiteral("trade_tick_value_loss"), sym.info.tradeTickValue);
    o.insert(QStringLiteral("expiration_mode"), 15);
    o.insert(QStringLiteral("spread"), sym.defaultSpreadPoints);
    o.insert(QStringLiteral("spread_float"), false);
    o.insert(QStringLiteral("bid"), q ? q->bid : 0.0);
    o.insert(QStringLiteral("ask"), q ? q->ask : 0.0);
    o.insert(QStringLiteral("path"), QStringLiteral("Forex\\") + sym.info.name);
    o.insert(QStringLiteral("visible"), true);
    o.insert(QStringLiteral("select"), true);
    o.insert(QStringLiteral("swap_long"), 0.0);
    o.insert(QStringLiteral("swap_short"), 0.0);
    o.insert(QStringLiteral("volume_limit"), 0.0);
    return o;
}

void SimServer::handleSymbolGet(Connection &c, const QJsonObject &msg, const QString &id)
{
    const QJsonValue v = msg.value(QStringLiteral("symbol"));
    if (!v.isString())
        return sendError(c, id, QStringLiteral("BAD_REQUEST"), QStringLiteral("field 'symbol' must be a string"),
                         QJsonObject{{"field", "symbol"}});
    const auto sym = resolve(v.toString());
    if (!sym)
        return sendError(c, id, QStringLiteral("UNKNOWN_SYMBOL"), QStringLiteral("no symbol '%1'").arg(v.toString().left(64)),
                         QJsonObject{{"suggestions", QJsonArray::fromStringList(m_resolver->suggestions(v.toString()))}});
    sendReply(c, QJsonObject{{"type", "symbol"}, {"info", symbolInfo(m_symbols[size_t(feedOf(*sym))])}}, id);
}

void SimServer::handleHistoryRates(Connection &c, const QJsonObject &msg, const QString &id)
{
    const QJsonValue symV = msg.value(QStringLiteral("symbol")), tfV = msg.value(QStringLiteral("timeframe")),
                     fromV = msg.value(QStringLiteral("from")), toV = msg.value(QStringLiteral("to")),
                     countV = msg.value(QStringLiteral("count"));
    auto given = [](const QJsonValue &x) { return !x.isUndefined() && !x.isNull(); };
    auto badField = [&](const QString &f, const QString &what) {
        sendError(c, id, QStringLiteral("BAD_REQUEST"), QStringLiteral("field '%1' %2").arg(f, what), QJsonObject{{"field", f}});
    };
    if (!symV.isString())
        return badField(QStringLiteral("symbol"), QStringLiteral("must be a string"));
    if (given(tfV) && !tfV.isString())
        return badField(QStringLiteral("timeframe"), QStringLiteral("must be a timeframe string such as \"M1\""));
    if (given(fromV) && !JsonFields::isExactInteger(fromV))
        return badField(QStringLiteral("from"), QStringLiteral("must be an integer (server-clock epoch seconds)"));
    if (given(toV) && !JsonFields::isExactInteger(toV))
        return badField(QStringLiteral("to"), QStringLiteral("must be an integer (server-clock epoch seconds)"));
    if (given(countV) && (!JsonFields::isExactInteger(countV) || countV.toDouble() < 0))
        return badField(QStringLiteral("count"), QStringLiteral("must be an integer ≥ 0"));
    const auto sym = resolve(symV.toString());
    if (!sym)
        return sendError(c, id, QStringLiteral("UNKNOWN_SYMBOL"), QStringLiteral("no symbol '%1'").arg(symV.toString().left(64)),
                         QJsonObject{{"suggestions", QJsonArray::fromStringList(m_resolver->suggestions(symV.toString()))}});
    const QString tf = tfV.toString(QStringLiteral("M1"));
    const auto tfSec = timeframeSeconds(tf);
    if (!tfSec)
        return sendError(c, id, QStringLiteral("UNSUPPORTED_TYPE"),
                         QStringLiteral("timeframe '%1' is not offered; the simulator serves %2")
                             .arg(tf.left(8), timeframeNames().join(QStringLiteral(", "))));
    const int feed = feedOf(*sym);
    const Bars &m1 = m_replay->bars(feed);
    const size_t m1Closed = m_replay->closedCount(feed);
    auto m1Forming = m_replay->formingBar(feed);
    // All rows available now: closed bars, then the forming one. Other timeframes are built from M1 (timeframes.h);
    // their last bar is forming while the clock has not left it.
    Bars built;
    const Bar *bars = m1.data();
    size_t closed = m1Closed;
    std::optional<Bar> forming = m1Forming;
    if (*tfSec != 60) {
        built = aggregate(m1.data(), m1.data() + m1Closed, *tfSec);
        if (m1Forming) {
            if (!built.empty() && built.back().timeMs == bucketStart(m1Forming->timeMs / 1000, *tfSec) * 1000)
                foldInto(built.back(), *m1Forming);
            else
                built.push_back(startBar(*m1Forming, *tfSec));
        }
        forming.reset();
        if (!built.empty() && built.back().timeMs + *tfSec * 1000 > m_replay->clockMsc()) {
            forming = built.back();
            built.pop_back();
        }
        bars = built.data();
        closed = built.size();
    }
    const size_t total = closed + (forming ? 1 : 0);
    auto rowBar = [&](size_t i) -> Bar { return i < closed ? bars[i] : *forming; };
    auto timeOf = [&](size_t i) { return rowBar(i).timeMs / 1000; };
    size_t begin = 0, end = total;
    if (given(fromV)) {
        const qint64 from = qint64(fromV.toDouble());
        while (begin < total && timeOf(begin) < from)
            ++begin;  // linear is fine for the first pass; refine below for big files
    }
    if (given(fromV) && given(toV)) {
        const qint64 to = qint64(toV.toDouble());
        end = begin;
        while (end < total && timeOf(end) <= to)
            ++end;
    } else if (given(fromV) && given(countV)) {
        end = std::min(total, begin + size_t(countV.toDouble()));
    } else if (given(countV)) {
        begin = total - std::min(total, size_t(countV.toDouble()));
    } else if (given(toV)) {
        const qint64 to = qint64(toV.toDouble());
        end = 0;
        while (end < total && timeOf(end) <= to)
            ++end;
    }
    QJsonArray items;
    size_t i = begin;
    for (; i < end && items.size() < kMaxRatesPerMessage; ++i) {
        const Bar b = rowBar(i);
        items.append(QJsonArray{b.timeMs / 1000, b.open, b.high, b.low, b.close, qint64(b.tickVolume), b.spreadPoints, 0});
    }
    QJsonObject reply{{"type", "rates"}, {"symbol", *sym}, {"timeframe", tf}, {"items", items}, {"complete", i >= end}};
    if (i < end)
        reply.insert(QStringLiteral("next_from"), timeOf(i));
    if (i == end && end == total && forming && end > begin)
        reply.insert(QStringLiteral("last_forming"), true);
    sendReply(c, reply, id);
}

// --- Account ----------------------------------------------------------------------------------------------------

QJsonObject SimServer::accountInfo() const
{
    QJsonObject o = mt5b::toJson(m_exchange->account());
    o.insert(QStringLiteral("margin_so_mode"), QStringLiteral("ACCOUNT_STOPOUT_MODE_PERCENT"));
    o.insert(QStringLiteral("currency_digits"), 2);
    o.insert(QStringLiteral("fifo_close"), false);
    o.insert(QStringLiteral("limit_orders"), 0);
    o.insert(QStringLiteral("margin_initial"), 0.0);
    o.insert(QStringLiteral("margin_maintenance"), 0.0);
    o.insert(QStringLiteral("assets"), 0.0);
    o.insert(QStringLiteral("liabilities"), 0.0);
    o.insert(QStringLiteral("commission_blocked"), 0.0);
    return o;
}

QJsonArray SimServer::positionsJson() const
{
    QJsonArray a;
    for (const Position &p : m_exchange->positions()) {
        QJsonObject o = zeroTickets(mt5b::toJson(p));
        o.insert(QStringLiteral("reason"), QStringLiteral("POSITION_REASON_EXPERT"));
        o.insert(QStringLiteral("external_id"), QString());
        a.append(o);
    }
    return a;
}

namespace {
QJsonObject orderJson(const Order &order)
{
    QJsonObject o = zeroTickets(mt5b::toJson(order));
    o.insert(QStringLiteral("position_by_id"), QStringLiteral("0"));
    o.insert(QStringLiteral("reason"), QStringLiteral("ORDER_REASON_EXPERT"));
    o.insert(QStringLiteral("external_id"), QString());
    if (!o.contains(QStringLiteral("type_filling")))
        o.insert(QStringLiteral("type_filling"), QStringLiteral("ORDER_FILLING_RETURN"));
    return o;
}
QJsonObject positionJson(const Position &p)
{
    QJsonObject o = zeroTickets(mt5b::toJson(p));
    o.insert(QStringLiteral("reason"), QStringLiteral("POSITION_REASON_EXPERT"));
    o.insert(QStringLiteral("external_id"), QString());
    return o;
}
} // namespace

QJsonArray SimServer::ordersJson() const
{
    QJsonArray a;
    for (const Order &o : m_exchange->orders())
        a.append(orderJson(o));
    return a;
}

QJsonArray SimServer::dealsJson(const std::vector<Deal> &deals) const
{
    QJsonArray a;
    for (const Deal &d : deals)
        a.append(zeroTickets(mt5b::toJson(d)));
    return a;
}

void SimServer::handleHistoryDeals(Connection &c, const QJsonObject &msg, const QString &id)
{
    const QJsonValue fromV = msg.value(QStringLiteral("from")), toV = msg.value(QStringLiteral("to")),
                     posV = msg.value(QStringLiteral("position"));
    if (!JsonFields::isExactInteger(fromV) || !JsonFields::isExactInteger(toV))
        return sendError(c, id, QStringLiteral("BAD_REQUEST"),
                         QStringLiteral("fields 'from' and 'to' must be integers (server-clock epoch seconds)"),
                         QJsonObject{{"field", JsonFields::isExactInteger(fromV) ? "to" : "from"}});
    auto position = mt5b::ticketFromJson(posV, QStringLiteral("position"));
    if (!position)
        return sendError(c, id, QStringLiteral("BAD_REQUEST"), position.error().message, QJsonObject{{"field", "position"}});
    sendDeals(c, m_exchange->deals(qint64(fromV.toDouble()), qint64(toV.toDouble()), *position), id, false);
}

void SimServer::sendDeals(Connection &c, const std::vector<Deal> &deals, const QString &id, bool snapshot)
{
    // In parts of at most kMaxDealsPerMessage, each with `complete` (true on the last; one empty part when none).
    size_t at = 0;
    do {
        const size_t end = std::min(deals.size(), at + size_t(kMaxDealsPerMessage));
        const std::vector<Deal> part(deals.begin() + qsizetype(at), deals.begin() + qsizetype(end));
        QJsonObject reply{{"type", "deals"}, {"items", dealsJson(part)}, {"complete", end == deals.size()}};
        if (snapshot)
            reply.insert(QStringLiteral("snapshot"), true);
        sendReply(c, reply, id);
        at = end;
    } while (at < deals.size());
}

// --- Orders -----------------------------------------------------------------------------------------------------

namespace {

// Checks the per-action required fields of docs/mt5b-protocol.md §8.1 and type_filling's value; the error text names
// the field. Empty = fine.
QString requestShapeError(const QJsonObject &raw, const TradeRequest &r)
{
    auto has = [&](const char *k) { return raw.contains(QLatin1String(k)) && !raw.value(QLatin1String(k)).isNull(); };
    const QJsonValue filling = raw.value(QStringLiteral("type_filling"));
    if (has("type_filling")) {
        static const QStringList kFillings{QStringLiteral("ORDER_FILLING_FOK"), QStringLiteral("ORDER_FILLING_IOC"),
                                           QStringLiteral("ORDER_FILLING_RETURN"), QStringLiteral("ORDER_FILLING_BOC"),
                                           QStringLiteral("AUTO")};
        if (!kFillings.contains(filling.toString()))
            return QStringLiteral("request.type_filling must be ORDER_FILLING_FOK, _IOC, _RETURN, _BOC or AUTO");
    }
    switch (r.action) {
    case TradeAction::Deal:
        if (!has("type") || !isMarket(r.type))
            return QStringLiteral("request.type must be ORDER_TYPE_BUY or ORDER_TYPE_SELL for TRADE_ACTION_DEAL");
        if (!has("volume"))
            return QStringLiteral("request.volume is required for TRADE_ACTION_DEAL");
        if (!has("symbol") && !has("position"))
            return QStringLiteral("request.symbol or request.position is required for TRADE_ACTION_DEAL");
        break;
    case TradeAction::Pending:
        if (!has("type") || !isPending(r.type))
            return QStringLiteral("request.type must be a pending order type for TRADE_ACTION_PENDING");
        if (!has("symbol") || !has("volume") || !has("price"))
            return QStringLiteral("request.symbol, volume and price are required for TRADE_ACTION_PENDING");
        if ((r.type == OrderType::BuyStopLimit || r.type == OrderType::SellStopLimit) && !has("stoplimit"))
            return QStringLiteral("request.stoplimit is required for stop-limit orders");
        break;
    case TradeAction::Sltp:
        if (!has("position"))
            return QStringLiteral("request.position is required for TRADE_ACTION_SLTP");
        break;
    case TradeAction::Modify:
        if (!has("order") || !has("price"))
            return QStringLiteral("request.order and request.price are required for TRADE_ACTION_MODIFY");
        break;
    case TradeAction::Remove:
        if (!has("order"))
            return QStringLiteral("request.order is required for TRADE_ACTION_REMOVE");
        break;
    case TradeAction::CloseBy:
        if (!has("position") || !has("position_by"))
            return QStringLiteral("request.position and request.position_by are required for TRADE_ACTION_CLOSE_BY");
        break;
    }
    return {};
}

const QRegularExpression &clientReqIdPattern()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_-]{1,36}$"));
    return re;
}

} // namespace

void SimServer::handleOrderSend(Connection &c, const QJsonObject &msg, const QString &id)
{
    auto badField = [&](const QString &field, const QString &message) {
        log()->warn("{}: order.send refused: {}", c.peer.toStdString(), message.toStdString());
        sendError(c, id, QStringLiteral("BAD_REQUEST"), message, QJsonObject{{"field", field}});
    };
    const QJsonValue crid = msg.value(QStringLiteral("client_req_id"));
    if (!crid.isString() || !clientReqIdPattern().match(crid.toString()).hasMatch())
        return badField(QStringLiteral("client_req_id"),
                        QStringLiteral("field 'client_req_id' must be 1 to 36 characters of A-Z a-z 0-9 _ -"));
    const QString clientReqId = crid.toString();
    const QJsonValue rawV = msg.value(QStringLiteral("request"));
    if (!rawV.isObject())
        return badField(QStringLiteral("request"), QStringLiteral("field 'request' must be an MqlTradeRequest object"));
    const QJsonObject raw = rawV.toObject();
    auto parsed = mt5b::tradeRequestFromJson(raw);
    if (!parsed)
        return badField(QStringLiteral("request"), parsed.error().message);
    TradeRequest request = *parsed;
    if (const QString e = requestShapeError(raw, request); !e.isEmpty())
        return badField(QStringLiteral("request"), e);
    const QJsonValue optionsV = msg.value(QStringLiteral("options"));
    if (!optionsV.isUndefined() && !optionsV.isNull() && !optionsV.isObject())
        return badField(QStringLiteral("options"), QStringLiteral("field 'options' must be an object"));
    const QString intent = optionsV.toObject().value(QStringLiteral("intent")).toString();
    if (!request.symbol.isEmpty()) {
        const auto sym = resolve(request.symbol);
        if (!sym)
            return sendError(c, id, QStringLiteral("UNKNOWN_SYMBOL"),
                             QStringLiteral("no symbol '%1'").arg(request.symbol.left(64)),
                             QJsonObject{{"suggestions", QJsonArray::fromStringList(m_resolver->suggestions(request.symbol))}});
        request.symbol = *sym;
    }
    const bool hedging = m_config.exchange.marginMode == MarginMode::RetailHedging;
    if (request.action == TradeAction::Deal && intent == QLatin1String("close") && request.position == 0) {
        if (hedging)
            return badField(QStringLiteral("request.position"),
                            QStringLiteral("a close on a hedging account must name request.position"));
        for (const Position &p : m_exchange->positions())
            if (p.symbol == request.symbol)
                request.position = p.ticket;
    }
    if (request.typeFilling.isEmpty())
        request.typeFilling = QStringLiteral("AUTO");
    const QString hash = IdempotencyStore::requestHash(raw);
    if (const IdempotencyRecord *rec = m_store->find(clientReqId)) {
        if (rec->requestHash != hash)
            return sendError(c, id, QStringLiteral("IDEMPOTENCY_CONFLICT"),
                             QStringLiteral("client_req_id %1 was used for a different request").arg(clientReqId),
                             QJsonObject{{"client_req_id", clientReqId}});
        if (rec->state == IdempotencyRecord::State::Inflight)
            return sendReply(c, QJsonObject{{"type", "order.ack"}, {"client_req_id", clientReqId}, {"state", "inflight"}}, id);
        QJsonObject stored = rec->result;
        stored.insert(QStringLiteral("type"), QStringLiteral("order.result"));
        stored.insert(QStringLiteral("dedup"), true);
        stored.insert(QStringLiteral("re"), id);
        return emitEvent(*c.session, stored);
    }
    const qint64 received = wallNowMs();
    if (auto ok = m_store->begin(clientReqId, hash, received); !ok) {
        log()->error("{}", ok.error().message.toStdString());
        return sendError(c, id, QStringLiteral("INTERNAL"), ok.error().message);
    }
    m_tagToClientReqId[IdempotencyStore::commentTag(clientReqId)] = clientReqId;
    sendReply(c, QJsonObject{{"type", "order.ack"}, {"client_req_id", clientReqId}, {"state", "inflight"}}, id);
    const QString sessionId = c.session->id();
    QPointer<QWebSocket> ws = c.ws;
    if (m_config.faults.latencyMs > 0)
        QTimer::singleShot(std::chrono::milliseconds(m_config.faults.latencyMs), this,
                           [=, this] { executeOrder(sessionId, ws, id, clientReqId, request, received); });
    else
        executeOrder(sessionId, ws, id, clientReqId, request, received);
}

void SimServer::executeOrder(QString sessionId, QPointer<QWebSocket> ws, QString requestId, QString clientReqId,
                             TradeRequest request, qint64 receivedWallMs)
{
    const qint64 now = m_replay->clockMsc();
    SendOutcome out;
    bool reconciled = false;
    const bool market = request.action == TradeAction::Deal;
    const FaultPlan::OrderFault fault = m_faults->nextOrderFault(market);
    auto refuse = [&](int rc) {
        out.result.retcode = rc;
        out.result.comment = retcodeMeaning(rc);
        if (const auto q = m_exchange->quote(request.symbol)) {
            out.result.bid = q->bid;
            out.result.ask = q->ask;
        }
    };
    if (!m_terminalConnected) {
        refuse(retcode::kConnection);
    } else if (fault == FaultPlan::OrderFault::Connection) {
        refuse(retcode::kConnection);
    } else if (fault == FaultPlan::OrderFault::PriceOff) {
        refuse(retcode::kPriceOff);
    } else if (fault == FaultPlan::OrderFault::Requote) {
        refuse(retcode::kRequote);
    } else if (fault == FaultPlan::OrderFault::LostRequest) {
        // The request never reached the trade server and no reply came (a timeout); the history has no order with
        // its tag, so the bridge reports it as provably not executed.
        refuse(retcode::kTimeout);
        reconciled = true;
        log()->info("fault: request {} lost; reconciled as not executed", clientReqId.toStdString());
    } else {
        const QString comment = Exchange::taggedComment(request.comment, IdempotencyStore::commentTag(clientReqId));
        out = m_exchange->send(request, now, comment);
        // execute-then-drop-the-reply: MT5's answer is lost inside the bridge; the bridge finds the order by its
        // comment tag in the history it keeps and answers with the reconstructed result (docs/mt5b-protocol.md §15.13).
        if (m_faults->nextDropReply()) {
            reconciled = true;
            log()->info("fault: reply of {} dropped; reconciled from the history by its tag", clientReqId.toStdString());
        }
    }
    out.result.requestId = ++m_requestCounter;
    QJsonObject body = outcomeBody(clientReqId, request, out, wallNowMs() - receivedWallMs, reconciled);
    if (auto ok = m_store->finish(clientReqId, body); !ok)
        log()->error("{}", ok.error().message.toStdString());
    drainExchangeEvents();
    auto sit = m_sessions.find(sessionId);
    if (sit == m_sessions.end())
        return;
    Session &s = *sit->second;
    body.insert(QStringLiteral("type"), QStringLiteral("order.result"));
    if (ws && s.socket == ws)
        body.insert(QStringLiteral("re"), requestId);
    emitEvent(s, body);
}

QJsonObject SimServer::outcomeBody(const QString &clientReqId, const TradeRequest &request, const SendOutcome &out,
                                   qint64 latencyMs, bool reconciled) const
{
    OrderOutcome o;
    o.clientReqId = clientReqId;
    o.result = out.result;
    o.positionId = out.positionId;
    o.attempts = 1;
    o.bridgeLatencyMs = latencyMs;
    o.alreadyClosed = out.alreadyClosed;
    o.reconciled = reconciled;
    o.retcodeClass = classifyRetcode(out.result.retcode);
    const bool executed = out.result.retcode == retcode::kDone || out.result.retcode == retcode::kPlaced
        || out.result.retcode == retcode::kDonePartial || out.alreadyClosed;
    if (reconciled && !executed)
        o.retcodeClass = RetcodeClass::ReconciledNotExecuted;  // the history proves nothing executed
    QJsonObject body = mt5b::toJson(o);
    body.insert(QStringLiteral("result"), zeroTickets(body.value(QStringLiteral("result")).toObject()));
    body.insert(QStringLiteral("status"), statusFor(out.result.retcode, out.alreadyClosed));
    body.insert(QStringLiteral("dedup"), false);
    if (reconciled && executed)
        body.insert(QStringLiteral("match"), QStringLiteral("tag"));  // found in the history by its comment tag
    QJsonValue filling = QJsonValue::Null;
    if (request.action == TradeAction::Deal || request.action == TradeAction::Pending) {
        QString f = request.typeFilling;
        if (f.isEmpty() || f == QLatin1String("AUTO"))
            f = request.action == TradeAction::Pending ? QStringLiteral("ORDER_FILLING_RETURN") : QStringLiteral("ORDER_FILLING_FOK");
        filling = f;
    }
    body.insert(QStringLiteral("filling_used"), filling);
    return body;
}

void SimServer::handleOrderStatus(Connection &c, const QJsonObject &msg, const QString &id)
{
    const QJsonValue crid = msg.value(QStringLiteral("client_req_id"));
    if (!crid.isString() || !clientReqIdPattern().match(crid.toString()).hasMatch())
        return sendError(c, id, QStringLiteral("BAD_REQUEST"),
                         QStringLiteral("field 'client_req_id' must be 1 to 36 characters of A-Z a-z 0-9 _ -"),
                         QJsonObject{{"field", "client_req_id"}});
    const IdempotencyRecord *rec = m_store->find(crid.toString());
    if (!rec)
        return sendReply(c, QJsonObject{{"type", "order.ack"}, {"client_req_id", crid.toString()}, {"state", "not_found"}}, id);
    if (rec->state == IdempotencyRecord::State::Inflight)
        return sendReply(c, QJsonObject{{"type", "order.ack"}, {"client_req_id", crid.toString()}, {"state", "inflight"}}, id);
    QJsonObject stored = rec->result;
    stored.insert(QStringLiteral("type"), QStringLiteral("order.result"));
    stored.insert(QStringLiteral("dedup"), true);
    stored.insert(QStringLiteral("re"), id);
    emitEvent(*c.session, stored);
}

void SimServer::handleOrderCheck(Connection &c, const QJsonObject &msg, const QString &id)
{
    const QJsonValue rawV = msg.value(QStringLiteral("request"));
    if (!rawV.isObject())
        return sendError(c, id, QStringLiteral("BAD_REQUEST"), QStringLiteral("field 'request' must be an MqlTradeRequest object"),
                         QJsonObject{{"field", "request"}});
    auto parsed = mt5b::tradeRequestFromJson(rawV.toObject());
    if (!parsed)
        return sendError(c, id, QStringLiteral("BAD_REQUEST"), parsed.error().message, QJsonObject{{"field", "request"}});
    TradeRequest request = *parsed;
    if (const QString e = requestShapeError(rawV.toObject(), request); !e.isEmpty())
        return sendError(c, id, QStringLiteral("BAD_REQUEST"), e, QJsonObject{{"field", "request"}});
    if (!request.symbol.isEmpty()) {
        const auto sym = resolve(request.symbol);
        if (!sym)
            return sendError(c, id, QStringLiteral("UNKNOWN_SYMBOL"), QStringLiteral("no symbol '%1'").arg(request.symbol.left(64)),
                             QJsonObject{{"suggestions", QJsonArray::fromStringList(m_resolver->suggestions(request.symbol))}});
        request.symbol = *sym;
    }
    if (request.typeFilling.isEmpty())
        request.typeFilling = QStringLiteral("AUTO");
    const CheckOutcome r = m_exchange->check(request);
    QJsonObject reply{{"type", "order.check_result"}, {"retcode", r.retcode}, {"balance", r.balance}, {"equity", r.equity},
                      {"profit", r.profit}, {"margin", r.margin}, {"margin_free", r.marginFree},
                      {"margin_level", r.marginLevel}, {"comment", r.comment}};
    if (r.retcode != 0)
        reply.insert(QStringLiteral("retcode_name"), retcodeName(r.retcode));
    sendReply(c, reply, id);
}

// --- Resync and control -----------------------------------------------------------------------------------------

void SimServer::handleResync(Connection &c, const QJsonObject &msg, const QString &id)
{
    const QJsonValue since = msg.value(QStringLiteral("since_seq"));
    const QJsonValue dealsSince = msg.value(QStringLiteral("deals_since_msc"));
    const QJsonValue mode = msg.value(QStringLiteral("mode"));
    if (!JsonFields::isExactInteger(since) || since.toDouble() < 0)
        return sendError(c, id, QStringLiteral("BAD_REQUEST"), QStringLiteral("field 'since_seq' must be an integer ≥ 0"),
                         QJsonObject{{"field", "since_seq"}});
    if (!dealsSince.isUndefined() && !dealsSince.isNull() && !JsonFields::isExactInteger(dealsSince))
        return sendError(c, id, QStringLiteral("BAD_REQUEST"), QStringLiteral("field 'deals_since_msc' must be an integer"),
                         QJsonObject{{"field", "deals_since_msc"}});
    if (!mode.isUndefined() && !mode.isNull() && mode.toString() != QLatin1String("auto") && mode.toString() != QLatin1String("snapshot"))
        return sendError(c, id, QStringLiteral("BAD_REQUEST"), QStringLiteral("field 'mode' must be \"auto\" or \"snapshot\""),
                         QJsonObject{{"field", "mode"}});
    Session &s = *c.session;
    const qint64 from = qint64(since.toDouble()) + 1;
    if (mode.toString() != QLatin1String("snapshot") && s.covers(from)) {
        const auto frames = s.replayFrom(from);
        for (const QByteArray &f : frames)
            c.ws->sendTextMessage(QString::fromUtf8(f));
        return sendReply(c, QJsonObject{{"type", "resynced"}, {"mode", "replay"}, {"replayed", qint64(frames.size())}}, id);
    }
    const QString snapshotId = QStringLiteral("snap-%1").arg(++m_sessionCounter);
    sendReply(c, QJsonObject{{"type", "snapshot.begin"}, {"snapshot_id", snapshotId}}, id);
    sendReply(c, QJsonObject{{"type", "account"}, {"info", accountInfo()}}, id);
    sendReply(c, QJsonObject{{"type", "positions"}, {"snapshot", true}, {"items", positionsJson()}}, id);
    sendReply(c, QJsonObject{{"type", "orders"}, {"snapshot", true}, {"items", ordersJson()}}, id);
    std::vector<Deal> deals;
    const qint64 sinceMsc = dealsSince.isDouble() ? qint64(dealsSince.toDouble()) : std::numeric_limits<qint64>::min();
    for (const Deal &d : m_exchange->allDeals())
        if (d.timeMsc >= sinceMsc)
            deals.push_back(d);
    sendDeals(c, deals, id, false);
    sendReply(c, QJsonObject{{"type", "snapshot.end"}, {"snapshot_id", snapshotId}, {"as_of_seq", s.newestSeq()}}, id);
}

QJsonObject SimServer::simState() const
{
    QJsonArray symbols;
    for (const SimSymbol &s : m_symbols)
        symbols.append(s.info.name);
    return QJsonObject{{"type", "sim.state"}, {"playing", m_playing}, {"speed", m_speed},
                       {"time_msc", m_replay->clockMsc()}, {"symbols", symbols}};
}

void SimServer::handleSimControl(Connection &c, const QJsonObject &msg, const QString &id)
{
    const QString cmd = msg.value(QStringLiteral("cmd")).toString();
    auto bad = [&](const QString &field, const QString &message) {
        sendError(c, id, QStringLiteral("BAD_REQUEST"), message, QJsonObject{{"field", field}});
    };
    if (cmd == QLatin1String("play")) {
        m_playing = true;
        m_stepLeft = 0;
    } else if (cmd == QLatin1String("pause")) {
        m_playing = false;
        m_stepLeft = 0;
    } else if (cmd == QLatin1String("seek")) {
        const QJsonValue t = msg.value(QStringLiteral("time_msc"));
        if (!JsonFields::isExactInteger(t))
            return bad(QStringLiteral("time_msc"), QStringLiteral("seek needs time_msc, an integer (server clock, epoch ms)"));
        m_replay->seek(qint64(t.toDouble()));
        primeQuotes();
    } else if (cmd == QLatin1String("speed")) {
        const QJsonValue x = msg.value(QStringLiteral("x"));
        if (!x.isDouble() || !std::isfinite(x.toDouble()) || x.toDouble() < 0 || x.toDouble() > 1e7)
            return bad(QStringLiteral("x"), QStringLiteral("speed needs x, a number from 0 (as fast as consumed) to 1e7"));
        m_speed = x.toDouble();
    } else if (cmd == QLatin1String("step")) {
        const QJsonValue n = msg.value(QStringLiteral("ticks"));
        if (!JsonFields::isExactInteger(n) || n.toDouble() < 1 || n.toDouble() > 1e7)
            return bad(QStringLiteral("ticks"), QStringLiteral("step needs ticks, an integer from 1 to 10,000,000"));
        m_stepLeft = qint64(n.toDouble());
        m_playing = false;
    } else {
        return bad(QStringLiteral("cmd"), QStringLiteral("field 'cmd' must be play, pause, seek, speed or step"));
    }
    reanchor();
    log()->info("sim.control {}: playing {}, speed {}, server time {}", cmd.toStdString(), m_playing, m_speed,
                m_replay->clockMsc());
    for (auto &[sid, s] : m_sessions) {
        QJsonObject st = simState();
        if (s.get() == c.session)
            st.insert(QStringLiteral("re"), id);
        emitEvent(*s, st);
    }
}

void SimServer::primeQuotes()
{
    // After a seek the exchange quotes what the market last showed before the new clock (nothing inside a gap), so a
    // paused simulator still trades at the seek time.
    for (size_t i = 0; i < m_symbols.size(); ++i) {
        if (const auto t = m_replay->lastTick(int(i)))
            m_exchange->onQuote(m_symbols[i].info.name, Quote{t->timeMsc, t->bid, t->ask});
        m_exchange->setMarketOpen(m_symbols[i].info.name, !m_replay->inGap(int(i)));
    }
    drainExchangeEvents();
    rebuildAggregates();
}

// --- The market pump --------------------------------------------------------------------------------------------

void SimServer::reanchor()
{
    m_anchorWallMs = m_wall.isValid() ? m_wall.elapsed() : 0;
    m_anchorServerMs = m_replay->clockMsc();
}

void SimServer::pump()
{
    flushConflated();
    if (!m_terminalConnected)
        return;
    int delivered = 0;
    if (m_stepLeft > 0) {
        while (m_stepLeft > 0 && delivered < kMaxItemsPerPump) {
            const auto item = m_replay->next();
            if (!item) {
                m_stepLeft = 0;
                break;
            }
            deliver(*item);
            ++delivered;
            if (item->kind == MarketReplay::Item::Kind::Tick)
                --m_stepLeft;
        }
        if (m_stepLeft == 0) {
            reanchor();
            for (auto &[sid, s] : m_sessions)
                emitEvent(*s, simState());
        }
        return;
    }
    if (!m_playing)
        return;
    if (m_speed <= 0) {
        // As fast as the clients consume: the next ticks go when every live socket has drained its send buffer.
        for (const auto &[ws, c] : m_connections)
            if (c.session && ws->bytesToWrite() > 0)
                return;
        for (int n = 0; n < 512; ++n) {
            const auto item = m_replay->next();
            if (!item)
                return;
            deliver(*item);
        }
        return;
    }
    const qint64 wallNow = m_wall.elapsed();
    const double target = double(m_anchorServerMs) + double(wallNow - m_anchorWallMs) * m_speed;
    while (delivered < kMaxItemsPerPump) {
        const auto next = m_replay->peekTickTime();
        if (!next) {
            // End of data: close the last bars, then nothing more comes.
            while (const auto item = m_replay->next())
                deliver(*item);
            return;
        }
        if (*next - m_replay->clockMsc() > kGapSkipMs) {
            // A data gap (weekend, holiday): skip it instead of waiting.
            m_anchorServerMs = *next;
            m_anchorWallMs = wallNow;
        } else if (double(*next) > target) {
            return;
        }
        const auto item = m_replay->next();
        if (!item)
            return;
        deliver(*item);
        ++delivered;
    }
    reanchor();  // fell behind: do not try to catch up
}

void SimServer::emitClosedBar(const QString &symbol, const QString &timeframe, const Bar &bar)
{
    const QString key = streamKey(symbol, timeframe);
    const qint64 time = bar.timeMs / 1000;
    std::optional<QJsonObject> ev;
    for (auto &[sid, s] : m_sessions) {
        if (!s->barSubs.count(key))
            continue;
        const auto last = s->lastClosedBar.find(key);
        if (last != s->lastClosedBar.end() && last->second >= time)
            continue;  // exactly one closed:true per bar per session (e.g. after a seek back)
        s->lastClosedBar[key] = time;
        if (!ev)
            ev = barEvent(symbol, timeframe, bar, true, false);
        emitEvent(*s, *ev);
    }
}

void SimServer::rebuildAggregates()
{
    // After a seek: each timeframe's bar in progress holds the closed M1 bars of the clock's bucket.
    m_aggs.assign(m_symbols.size(), {});
    for (size_t f = 0; f < m_symbols.size(); ++f) {
        const Bars &m1 = m_replay->bars(int(f));
        const size_t closed = m_replay->closedCount(int(f));
        for (const QString &tf : timeframeNames()) {
            const qint64 sec = *timeframeSeconds(tf);
            if (sec == 60)
                continue;
            Agg agg{sec, false, Bar{}};
            const qint64 bucket = bucketStart(m_replay->clockMsc() / 1000, sec) * 1000;
            size_t k = closed;
            while (k > 0 && m1[k - 1].timeMs >= bucket)
                --k;
            for (; k < closed; ++k) {
                if (agg.has)
                    foldInto(agg.bar, m1[k]);
                else
                    agg.bar = startBar(m1[k], sec);
                agg.has = true;
            }
            m_aggs[f][tf] = agg;
        }
    }
}

void SimServer::deliver(const MarketReplay::Item &item)
{
    const SimSymbol &sym = m_symbols[size_t(item.feed)];
    const QString &name = sym.info.name;
    const qint64 wallNow = wallNowMs();
    auto &aggs = m_aggs[size_t(item.feed)];
    if (item.kind == MarketReplay::Item::Kind::BarClosed) {
        emitClosedBar(name, QStringLiteral("M1"), item.bar);
        // Higher timeframes: a bar closes with its last minute, or when a minute of a later bucket is seen.
        for (auto &[tf, agg] : aggs) {
            const qint64 bucket = bucketStart(item.bar.timeMs / 1000, agg.tfSec) * 1000;
            if (agg.has && agg.bar.timeMs != bucket) {
                emitClosedBar(name, tf, agg.bar);
                agg.has = false;
            }
            if (agg.has)
                foldInto(agg.bar, item.bar);
            else
                agg.bar = startBar(item.bar, agg.tfSec);
            agg.has = true;
            if (item.bar.timeMs + 60'000 >= agg.bar.timeMs + agg.tfSec * 1000) {
                emitClosedBar(name, tf, agg.bar);
                agg.has = false;
            }
        }
        return;
    }
    // A tick past a bucket's end closes that bucket's bar (its last minutes had no data).
    for (auto &[tf, agg] : aggs)
        if (agg.has && item.tick.timeMsc >= agg.bar.timeMs + agg.tfSec * 1000) {
            emitClosedBar(name, tf, agg.bar);
            agg.has = false;
        }
    // The ticking symbol is open (SL/TP and pending orders are checked on this very tick); the others may have
    // entered a data gap.
    m_exchange->setMarketOpen(name, true);
    m_exchange->onQuote(name, Quote{item.tick.timeMsc, item.tick.bid, item.tick.ask});
    for (size_t i = 0; i < m_symbols.size(); ++i)
        if (int(i) != item.feed)
            m_exchange->setMarketOpen(m_symbols[i].info.name, !m_replay->inGap(int(i)));
    drainExchangeEvents();
    Tick t;
    t.symbol = name;
    t.timeMsc = item.tick.timeMsc;
    t.bid = item.tick.bid;
    t.ask = item.tick.ask;
    t.flags = item.tick.flags;
    QJsonObject tick = mt5b::toJson(t);
    tick.insert(QStringLiteral("type"), QStringLiteral("tick"));
    const QString prefix = name + QLatin1Char('|');
    for (auto &[sid, s] : m_sessions) {
        if (s->tickSubs.count(name))
            sendTick(*s, name, tick, wallNow);
        for (auto it = s->barSubs.lower_bound(prefix); it != s->barSubs.end() && it->first.startsWith(prefix); ++it) {
            if (!it->second || wallNow - s->lastFormingMs[it->first] < kFormingIntervalMs)
                continue;
            const auto m1 = m_replay->formingBar(item.feed);
            if (!m1)
                continue;
            const QString tf = it->first.mid(prefix.size());
            Bar bar = *m1;
            if (tf != QLatin1String("M1")) {
                const Agg &agg = aggs.at(tf);
                const qint64 bucket = bucketStart(m1->timeMs / 1000, agg.tfSec) * 1000;
                if (agg.has && agg.bar.timeMs == bucket) {
                    bar = agg.bar;
                    foldInto(bar, *m1);
                } else {
                    bar = startBar(*m1, agg.tfSec);
                }
            }
            s->lastFormingMs[it->first] = wallNow;
            emitEvent(*s, barEvent(name, tf, bar, false, false));
        }
    }
}

void SimServer::sendTick(Session &s, const QString &symbol, const QJsonObject &tick, qint64 nowMs)
{
    if (m_config.faults.conflateMs <= 0)
        return emitEvent(s, tick);
    Session::Conflation &cf = s.conflation[symbol];
    if (nowMs - cf.lastSentMs >= m_config.faults.conflateMs) {
        QJsonObject t = tick;
        if (!cf.pending.isEmpty())
            ++cf.dropped;  // the pending one is superseded by this newer tick
        if (cf.dropped > 0)
            t.insert(QStringLiteral("conflated"), cf.dropped);
        cf = Session::Conflation{nowMs, 0, {}};
        return emitEvent(s, t);
    }
    if (!cf.pending.isEmpty())
        ++cf.dropped;
    cf.pending = tick;
}

void SimServer::flushConflated()
{
    if (m_config.faults.conflateMs <= 0)
        return;
    const qint64 now = wallNowMs();
    for (auto &[sid, s] : m_sessions)
        for (auto &[symbol, cf] : s->conflation)
            if (!cf.pending.isEmpty() && now - cf.lastSentMs >= m_config.faults.conflateMs) {
                QJsonObject t = cf.pending;
                if (cf.dropped > 0)
                    t.insert(QStringLiteral("conflated"), cf.dropped);
                cf = Session::Conflation{now, 0, {}};
                emitEvent(*s, t);
            }
}

QString SimServer::dealClientReqId(const Deal &deal) const
{
    const qsizetype at = deal.comment.lastIndexOf(QStringLiteral("|k:"));
    if (at < 0)
        return {};
    const auto it = m_tagToClientReqId.find(deal.comment.mid(at + 3, 6));
    return it == m_tagToClientReqId.end() ? QString() : it->second;
}

void SimServer::drainExchangeEvents()
{
    for (const ExchangeEvent &e : m_exchange->takeEvents()) {
        switch (e.kind) {
        case ExchangeEvent::Kind::Deal: {
            const QString crid = dealClientReqId(e.deal);
            broadcast(QJsonObject{{"type", "deal"}, {"deal", zeroTickets(mt5b::toJson(e.deal))},
                                  {"client_req_id", crid.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(crid)}});
            break;
        }
        case ExchangeEvent::Kind::PositionAdd:
        case ExchangeEvent::Kind::PositionUpdate:
        case ExchangeEvent::Kind::PositionRemove: {
            const char *op = e.kind == ExchangeEvent::Kind::PositionAdd ? "add"
                : e.kind == ExchangeEvent::Kind::PositionUpdate       ? "update" : "remove";
            broadcast(QJsonObject{{"type", "position"}, {"op", op}, {"position", positionJson(e.position)}});
            break;
        }
        case ExchangeEvent::Kind::OrderAdd:
        case ExchangeEvent::Kind::OrderUpdate:
        case ExchangeEvent::Kind::OrderRemove: {
            const char *op = e.kind == ExchangeEvent::Kind::OrderAdd ? "add"
                : e.kind == ExchangeEvent::Kind::OrderUpdate       ? "update" : "remove";
            broadcast(QJsonObject{{"type", "order"}, {"op", op}, {"order", orderJson(e.order)}});
            break;
        }
        }
    }
}

void SimServer::pushAccount()
{
    const AccountInfo a = m_exchange->account();
    const QJsonObject now{{"balance", a.balance}, {"credit", a.credit}, {"profit", a.profit}, {"equity", a.equity},
                          {"margin", a.margin}, {"margin_free", a.marginFree}, {"margin_level", a.marginLevel}};
    QJsonObject changed;
    for (auto it = now.begin(); it != now.end(); ++it)
        if (m_lastAccount.value(it.key()) != it.value())
            changed.insert(it.key(), it.value());
    if (changed.isEmpty())
        return;
    const bool first = m_lastAccount.isEmpty();
    m_lastAccount = now;
    if (!first)
        broadcast(QJsonObject{{"type", "account"}, {"partial", true}, {"info", changed}});
}

} // namespace bd::mt5sim
