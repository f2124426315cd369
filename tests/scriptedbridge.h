#pragma once
// ScriptedBridge: the bridge's side of mt5b v1, scripted, for connector tests (STYLE §7.4 integration/mt5): a
// QWebSocketServer on 127.0.0.1 (port chosen by the system; ws:// or wss://) answering hello (token kToken; a wrong one
// gets AUTH_FAILED + close 4003), resume from its ring, ping, subscribe (EURUSD -> EURUSD.sim, anything else
// UNKNOWN_SYMBOL), symbol.get, account/positions/orders/deals, history.rates (M1 bars 1717999800..1718000100 plus a
// forming one), order.send with an idempotency map, order.status, and resync by replay or snapshot. Knobs make it
// hang (silent), refuse resume, hold orders, or execute an order and drop the connection before replying.
// Lives on the test thread.

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

namespace bd::test {

inline const QString kToken = QStringLiteral("T0k3n-s3cr3t-xyzzy");

inline QJsonObject parse(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

inline QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// The bridge's side, scripted. Lives on the test thread.
class ScriptedBridge : public QObject {
    Q_OBJECT
public:
    explicit ScriptedBridge(QWebSocketServer::SslMode mode = QWebSocketServer::NonSecureMode)
        : m_server(QStringLiteral("scripted-bridge"), mode)
    {
        m_server.setSupportedSubprotocols({QStringLiteral("mt5b.v1")});
        connect(&m_server, &QWebSocketServer::newConnection, this, &ScriptedBridge::onNewConnection);
        m_heartbeat.setInterval(heartbeatSec * 1000);
        connect(&m_heartbeat, &QTimer::timeout, this, [this] {
            if (!silent && m_authenticated)
                event(QJsonObject{{"type", "heartbeat"}, {"terminal", QJsonObject{{"connected", true}, {"trade_allowed", true}}},
                                  {"server_time_msc", qint64(1717999990000)}, {"server_utc_offset_sec", 0},
                                  {"offset_source", "dataset"}});
        });
    }
    QWebSocketServer &server() { return m_server; }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const
    {
        return QUrl(QStringLiteral("%1://127.0.0.1:%2")
                        .arg(m_server.secureMode() == QWebSocketServer::SecureMode ? "wss" : "ws")
                        .arg(m_server.serverPort()));
    }

    // Script knobs
    int heartbeatSec = 10;
    bool silent = false;          // answer nothing, send nothing (a hung bridge)
    bool resumeAllowed = true;
    bool holdOrders = false;      // ack order.send, never finish it
    bool ackOrders = true;        // send order.ack before the result (the ack is optional)
    bool dropOnOrderSend = false; // execute order.send, then drop the connection before replying
    QString resyncMode = QStringLiteral("replay");

    // What happened
    int connections = 0;
    QList<QJsonObject> received;  // every client frame
    QStringList offeredSubprotocols;
    QString sessionId;
    qint64 seq = 0;
    QList<QJsonObject> ring;      // events by seq (ring[i] has seq i+1)
    QHash<QString, QJsonObject> results;  // client_req_id -> order.result body (executed)
    QHash<QString, QString> requestHashes;
    QPointer<QWebSocket> client;

    QList<QJsonObject> receivedOfType(const QString &type) const
    {
        QList<QJsonObject> out;
        for (const auto &o : received)
            if (o.value("type").toString() == type)
                out << o;
        return out;
    }

    void sendRaw(const QString &text)
    {
        if (client)
            client->sendTextMessage(text);
    }
    void reply(const QString &type, const QString &re, QJsonObject fields = {})
    {
        fields.insert("v", 1);
        fields.insert("type", type);
        if (!re.isEmpty())
            fields.insert("re", re);
        fields.insert("ts", QDateTime::currentMSecsSinceEpoch());
        sendRaw(compact(fields));
    }
    // An event with the next seq, kept in the ring; delivered unless `deliver` is false (a lost event).
    qint64 event(QJsonObject body, bool deliver = true)
    {
        body.insert("v", 1);
        body.insert("seq", ++seq);
        body.insert("ts", QDateTime::currentMSecsSinceEpoch());
        ring << body;
        if (deliver && !silent)
            sendRaw(compact(body));
        return seq;
    }
    qint64 tick(double bid, bool deliver = true)
    {
        return event(QJsonObject{{"type", "tick"}, {"symbol", "EURUSD.sim"}, {"time_msc", qint64(1717999990000 + seq)},
                                 {"bid", bid}, {"ask", bid + 0.0001}, {"last", 0.0}, {"volume", 0},
                                 {"volume_real", 0.0}, {"flags", 6}},
                     deliver);
    }

    QJsonObject resultBody(const QString &id, const QJsonObject &request, bool dedup) const
    {
        return QJsonObject{{"type", "order.result"}, {"client_req_id", id}, {"status", "done"}, {"dedup", dedup},
                           {"retcode", 10009}, {"retcode_name", "TRADE_RETCODE_DONE"}, {"class", "SUCCESS"},
                           {"retryable", false},
                           {"result", QJsonObject{{"retcode", 10009}, {"deal", "1000012"}, {"order", "1000011"},
                                                  {"volume", request.value("volume")}, {"price", 1.08522},
                                                  {"bid", 1.08512}, {"ask", 1.08522}, {"comment", "Request executed"},
                                                  {"request_id", 17}, {"retcode_external", 0}}},
                           {"position_id", "1000011"}, {"filling_used", "ORDER_FILLING_IOC"}, {"attempts", 1},
                           {"latency_ms", 3}};
    }

private:
    void onNewConnection()
    {
        QWebSocket *s = m_server.nextPendingConnection();
        ++connections;
        offeredSubprotocols << s->subprotocol();
        if (client) {
            client->disconnect(this);
            client->abort();
        }
        client = s;
        m_authenticated = false;
        connect(s, &QWebSocket::textMessageReceived, this, [this, s](const QString &text) {
            if (s == client)
                onText(text);
        });
        connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
    }

    void onText(const QString &text)
    {
        const QJsonObject o = parse(text);
        received << o;
        if (silent)
            return;
        const QString type = o.value("type").toString();
        const QString id = o.value("id").toString();
        if (type == "hello")
            return hello(o);
        if (!m_authenticated) {
            reply("error", id, {{"code", "AUTH_FAILED"}, {"message", "hello first"}, {"fatal", true}, {"retryable", false}});
            client->close(QWebSocketProtocol::CloseCode(4003));
            return;
        }
        if (type == "ping")
            return reply("pong", id, {{"nonce", o.value("nonce")}});
        if (type == "subscribe")
            return subscribe(o);
        if (type == "symbol.get")
            return reply("symbol", id, {{"info", symbolInfo()}});
        if (type == "account.get")
            return reply("account", id, {{"info", accountInfo()}});
        if (type == "positions.get")
            return reply("positions", id, {{"snapshot", true}, {"items", QJsonArray()}});
        if (type == "orders.get")
            return reply("orders", id, {{"snapshot", true}, {"items", QJsonArray()}});
        if (type == "history.deals")
            return reply("deals", id, {{"items", QJsonArray()}});
        if (type == "history.rates")
            return rates(o);
        if (type == "order.send")
            return orderSend(o);
        if (type == "order.status")
            return orderStatus(o);
        if (type == "resync")
            return resync(o);
        reply("error", id, {{"code", "UNSUPPORTED_TYPE"}, {"message", type}, {"fatal", false}, {"retryable", false}});
    }

    void hello(const QJsonObject &o)
    {
        const QString id = o.value("id").toString();
        if (o.value("token").toString() != kToken) {
            reply("error", id, {{"code", "AUTH_FAILED"}, {"message", "authentication failed"}, {"fatal", true},
                                {"retryable", false}});
            client->close(QWebSocketProtocol::CloseCode(4003), QStringLiteral("authentication failed"));
            return;
        }
        const QJsonObject resume = o.value("resume").toObject();
        const bool resumed = resumeAllowed && !resume.isEmpty() && resume.value("session_id").toString() == sessionId;
        if (!resumed) {
            sessionId = QStringLiteral("s-%1").arg(connections);
            seq = 0;
            ring.clear();
        }
        m_authenticated = true;
        reply("welcome", id,
              {{"seq", 0}, {"session_id", sessionId}, {"resumed", resumed},
               {"protocol", QJsonObject{{"major", 1}, {"minor", 0}}},
               {"bridge", QJsonObject{{"kind", "simulator"}, {"name", "scripted"}, {"version", "1"}}},
               {"terminal", QJsonObject{{"connected", true}, {"trade_allowed", true}, {"server", "Sim-Server"}}},
               {"account", QJsonObject{{"login", "1000001"}, {"margin_mode", "ACCOUNT_MARGIN_MODE_RETAIL_HEDGING"},
                                       {"currency", "USD"}, {"trade_mode", "ACCOUNT_TRADE_MODE_DEMO"},
                                       {"trade_allowed", true}, {"trade_expert", true}}},
               {"clock", QJsonObject{{"server_utc_offset_sec", 0}, {"offset_source", "dataset"}}},
               {"capabilities", QJsonArray{"ticks", "bars", "history.rates", "resume", "deal_events"}},
               {"limits", QJsonObject{{"max_subscriptions", 200}, {"max_requests_per_sec", 50}}},
               {"heartbeat_sec", heartbeatSec}});
        if (resumed) {
            const qint64 last = resume.value("last_seq").toInteger();
            for (const QJsonObject &e : std::as_const(ring))
                if (e.value("seq").toInteger() > last) {
                    QJsonObject r = e;
                    r.insert("replay", true);
                    sendRaw(compact(r));
                }
        }
        m_heartbeat.setInterval(heartbeatSec * 1000);
        m_heartbeat.start();
    }

    static QJsonObject symbolInfo()
    {
        return QJsonObject{{"name", "EURUSD.sim"}, {"digits", 5}, {"point", 0.00001}, {"trade_tick_size", 0.00001},
                           {"trade_tick_value", 1.0}, {"trade_contract_size", 100000}, {"volume_min", 0.01},
                           {"volume_max", 100}, {"volume_step", 0.01}, {"trade_stops_level", 0},
                           {"trade_freeze_level", 0}, {"trade_mode", "SYMBOL_TRADE_MODE_FULL"},
                           {"trade_exemode", "SYMBOL_TRADE_EXECUTION_MARKET"}, {"filling_mode", 3},
                           {"order_mode", 127}, {"currency_base", "EUR"}, {"currency_profit", "USD"},
                           {"currency_margin", "EUR"}, {"spread", 10}, {"bid", 1.08512}, {"ask", 1.08522}};
    }
    static QJsonObject accountInfo()
    {
        return QJsonObject{{"login", "1000001"}, {"currency", "USD"}, {"balance", 10000.0}, {"equity", 10000.0},
                           {"margin", 0.0}, {"margin_free", 10000.0}, {"margin_level", 0.0}, {"profit", 0.0},
                           {"leverage", 100}, {"margin_mode", "ACCOUNT_MARGIN_MODE_RETAIL_HEDGING"},
                           {"trade_mode", "ACCOUNT_TRADE_MODE_DEMO"}, {"trade_allowed", true}, {"trade_expert", true}};
    }

    void subscribe(const QJsonObject &o)
    {
        QJsonArray streams, errors;
        for (const QJsonValue &v : o.value("streams").toArray()) {
            QJsonObject s = v.toObject();
            const QString requested = s.value("symbol").toString();
            if (requested.compare("EURUSD", Qt::CaseInsensitive) != 0 && requested != "EURUSD.sim") {
                errors.append(QJsonObject{{"kind", s.value("kind")}, {"requested", requested}, {"code", "UNKNOWN_SYMBOL"},
                                          {"message", "no symbol"}, {"suggestions", QJsonArray{"EURUSD.sim"}}});
                continue;
            }
            s.insert("requested", requested);
            s.insert("symbol", "EURUSD.sim");
            s.insert("digits", 5);
            s.insert("point", 0.00001);
            streams.append(s);
        }
        reply("subscribed", o.value("id").toString(), {{"streams", streams}, {"errors", errors}});
    }

    void rates(const QJsonObject &o)
    {
        // Closed M1 bars every 60 s from 1717999800 to 1718000100, then the forming one.
        const qint64 from = o.value("from").toInteger();
        QJsonArray items;
        for (qint64 t = 1717999800; t <= 1718000100; t += 60)
            if (t >= from)
                items.append(QJsonArray{t, 1.1, 1.2, 1.0, 1.15, 10, 1, 0});
        items.append(QJsonArray{1718000160, 1.1, 1.2, 1.0, 1.15, 3, 1, 0});
        reply("rates", o.value("id").toString(), {{"symbol", o.value("symbol")}, {"timeframe", o.value("timeframe")},
                                                  {"items", items}, {"complete", true}, {"last_forming", true}});
    }

    void orderSend(const QJsonObject &o)
    {
        const QString id = o.value("id").toString();
        const QString reqId = o.value("client_req_id").toString();
        const QJsonObject request = o.value("request").toObject();
        const QString hash = QString::fromLatin1(QCryptographicHash::hash(QJsonDocument(request).toJson(QJsonDocument::Compact),
                                                                          QCryptographicHash::Sha256).toHex());
        if (requestHashes.contains(reqId) && requestHashes.value(reqId) != hash) {
            reply("error", id, {{"code", "IDEMPOTENCY_CONFLICT"}, {"message", "different request"}, {"fatal", false},
                                {"retryable", false}});
            return;
        }
        requestHashes.insert(reqId, hash);
        if (results.contains(reqId)) {
            QJsonObject r = results.value(reqId);
            r.insert("dedup", true);
            r.insert("re", id);
            event(r);
            return;
        }
        if (ackOrders || holdOrders)
            reply("order.ack", id, {{"client_req_id", reqId}, {"state", "inflight"}});
        if (holdOrders)
            return;
        results.insert(reqId, resultBody(reqId, request, false));
        if (dropOnOrderSend) {
            event(results.value(reqId), false);  // executed; the reply is lost with the connection
            client->abort();
            return;
        }
        QJsonObject r = results.value(reqId);
        r.insert("re", id);
        event(r);
    }

    void orderStatus(const QJsonObject &o)
    {
        const QString id = o.value("id").toString();
        const QString reqId = o.value("client_req_id").toString();
        if (results.contains(reqId)) {
            QJsonObject r = results.value(reqId);
            r.insert("dedup", true);
            r.insert("re", id);
            event(r);
        } else if (requestHashes.contains(reqId)) {
            reply("order.ack", id, {{"client_req_id", reqId}, {"state", "inflight"}});
        } else {
            reply("order.ack", id, {{"client_req_id", reqId}, {"state", "not_found"}});
        }
    }

    void resync(const QJsonObject &o)
    {
        const QString id = o.value("id").toString();
        const qint64 since = o.value("since_seq").toInteger();
        if (resyncMode == "replay") {
            int n = 0;
            for (const QJsonObject &e : std::as_const(ring))
                if (e.value("seq").toInteger() > since) {
                    QJsonObject r = e;
                    r.insert("replay", true);
                    sendRaw(compact(r));
                    ++n;
                }
            reply("resynced", id, {{"mode", "replay"}, {"replayed", n}});
            return;
        }
        reply("snapshot.begin", id, {{"snapshot_id", "snap-1"}});
        reply("account", id, {{"info", accountInfo()}});
        reply("positions", id, {{"snapshot", true}, {"items", QJsonArray{QJsonObject{
            {"ticket", "1000011"}, {"identifier", "1000011"}, {"symbol", "EURUSD.sim"}, {"type", "POSITION_TYPE_BUY"},
            {"volume", 0.1}, {"price_open", 1.08522}, {"sl", 0.0}, {"tp", 0.0}, {"price_current", 1.0853},
            {"profit", 0.8}, {"magic", 770001}, {"time_msc", qint64(1718000000685)}}}}});
        reply("orders", id, {{"snapshot", true}, {"items", QJsonArray()}});
        reply("deals", id, {{"items", QJsonArray()}});
        reply("snapshot.end", id, {{"snapshot_id", "snap-1"}, {"as_of_seq", seq}});
    }

    QWebSocketServer m_server;
    QTimer m_heartbeat;
    bool m_authenticated = false;
};


} // namespace bd::test
