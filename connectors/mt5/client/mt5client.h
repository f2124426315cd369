#pragma once
// Mt5Client: BotDesk's side of one mt5b v1 bridge connection (docs/mt5b-protocol.md, docs/mt5-connector.md). A
// QWebSocket client that lives on its own thread and implements the engine's ports: marketData() (MarketDataPort)
// and broker() (BrokerPort).
//
//   QThread io;                                     // or a member; named "bd-mt5-io" by createOn
//   Mt5Client *client = Mt5Client::createOn(io, config);  // moved there, started with it, deleted when it ends
//   ... connect to client->marketData() / client->broker() signals ...
//   io.start();
//   ... queued calls on client->marketData() / client->broker(); their signals arrive queued ...
//   QMetaObject::invokeMethod(client, &Mt5Client::stop); io->quit(); io->wait();
//
// Nothing here blocks the caller's thread: every slot is called through a queued call, every answer is a signal
// carrying values. On its own thread the client may block briefly on the order outbox (a database write before each
// order is sent; that is the point of it).
//
// The session: hello (token, never logged; subprotocol mt5b.v1) → welcome. Application pings every heartbeat_sec plus
// WebSocket control pings; the link is declared dead after 3 × heartbeat_sec without a text frame from the bridge,
// closed, and reopened after an exponential backoff (0.5 s → 30 s, ±20 % jitter; reconnectbackoff.h) with
// hello.resume{session_id,last_seq}. A resumed session replays what was missed; otherwise the client re-subscribes,
// asks for account/positions/orders/deals, and backfills bars with history.rates from the last closed bar. A seq gap
// sends resync; a snapshot bundle is applied and only events with seq > as_of_seq on top. Every order is written to
// the outbox before its frame is sent; on every welcome each unfinished order is asked about with order.status (and
// sent again with the SAME client_req_id only when the bridge answers not_found). Fatal errors (bad token,
// unsupported version, a TLS certificate that fails verification, the session taken by another connection) stop the
// client in state Failed with the reason; it does not retry them.
//
// Hostile frames (malformed JSON, wrong types, unknown types, seq going backwards, over 1 MiB, binary) are logged
// on the "mt5" logger and dropped; nothing of such a frame reaches the ports' signals.

#include "brokerport.h"
#include "inflightguard.h"
#include "latencystats.h"
#include "linkstatus.h"
#include "marketdataport.h"
#include "marketframe.h"
#include "orderoutbox.h"
#include "reconnectbackoff.h"
#include "seqtracker.h"
#include "stalenessmonitor.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

#include <functional>
#include <memory>

namespace spdlog { class logger; }

class QThread;

namespace bd::mt5 {

struct Mt5ClientConfig {
    QUrl url;                        // ws://127.0.0.1:8765 or wss://host:port
    QString token;                   // the bridge's bearer token (never logged)
    QString clientName = QStringLiteral("botdesk");
    QString clientVersion = QStringLiteral("0");
    QString caCertificateFile;       // wss: trust only this PEM CA/certificate (empty: the system CA store)
    QString account;                 // the outbox key of this account; empty: "<login>@<server>" from welcome
    qint64 staleAfterMs = 30000;     // a subscribed symbol is stale after this long without a tick (terminal connected)
    int orderTimeoutMs = 10000;      // order.send options.timeout_ms (the bridge reconciles after it)
    qint64 connectTimeoutMs = 10000; // WebSocket open + welcome must complete within this
    ReconnectBackoff::Options backoff;
    // Makes the order outbox; called once on the client's thread by start() (a PgOrderOutbox opens its own
    // Database there). Empty: an in-memory outbox (orders are not protected against a crash of this process).
    std::function<std::unique_ptr<OrderOutbox>()> outboxFactory;
};

class Mt5Client;

// The MarketDataPort face of an Mt5Client (its child, same thread).
class Mt5MarketData final : public MarketDataPort {
    Q_OBJECT
public:
    explicit Mt5MarketData(Mt5Client &client);
    void subscribeTicks(const QString &symbol) override;
    void unsubscribeTicks(const QString &symbol) override;
    void subscribeBars(const QString &symbol, const QString &timeframe, int historyBars, bool forming) override;
    void unsubscribeBars(const QString &symbol, const QString &timeframe) override;
    void requestBarHistory(const QString &requestId, const QString &symbol, const QString &timeframe, qint64 fromSec,
                           qint64 toSec) override;
private:
    Mt5Client &m_client;
};

// The BrokerPort face of an Mt5Client (its child, same thread).
class Mt5Broker final : public BrokerPort {
    Q_OBJECT
public:
    explicit Mt5Broker(Mt5Client &client);
    void sendOrder(const QString &clientReqId, const bd::mt5::TradeRequest &request, const QString &runId) override;
    void queryOrderStatus(const QString &clientReqId) override;
    void requestPositions() override;
    void requestOrders() override;
    void requestAccount() override;
    void requestDeals(qint64 fromSec, qint64 toSec) override;
private:
    Mt5Client &m_client;
};

class Mt5Client : public QObject {
    Q_OBJECT
public:
    explicit Mt5Client(Mt5ClientConfig config, QObject *parent = nullptr);

    // How the application runs a client: made without a parent, moved to `thread` (the ports move with it: they are
    // its children), start() when the thread starts, deleted when it finishes. The caller connects what it needs and
    // then starts the thread; afterwards it talks to the client only through queued calls. Names the thread
    // "bd-mt5-io" unless it already has a name.
    static Mt5Client *createOn(QThread &thread, Mt5ClientConfig config);
    ~Mt5Client() override;

    MarketDataPort *marketData() { return m_marketData; }
    BrokerPort *broker() { return m_broker; }

    // Read on the client's thread only (tests, diagnostics): the request latencies and the link state.
    const LatencyStats &latency() const { return m_latency; }
    LinkStatus linkStatus() const;
    qint64 lastSeq() const { return m_seq.last(); }
    int droppedFrames() const { return m_droppedFrames; }

public slots:
    // Opens the connection (on the client's thread). Calling it again after stop() reconnects.
    void start();
    // Closes the connection; no reconnect until start().
    void stop();

    // The ports' requests (the ports forward here).
    void subscribeTicks(const QString &symbol);
    void unsubscribeTicks(const QString &symbol);
    void subscribeBars(const QString &symbol, const QString &timeframe, int historyBars, bool forming);
    void unsubscribeBars(const QString &symbol, const QString &timeframe);
    void requestBarHistory(const QString &requestId, const QString &symbol, const QString &timeframe, qint64 fromSec,
                           qint64 toSec);
    void sendOrder(const QString &clientReqId, const bd::mt5::TradeRequest &request, const QString &runId);
    void queryOrderStatus(const QString &clientReqId);
    void requestPositions();
    void requestOrders();
    void requestAccount();
    void requestDeals(qint64 fromSec, qint64 toSec);

private:
    enum class Pending {
        Hello, Ping, Subscribe, Unsubscribe, SymbolGet, HistoryRates, Backfill, AccountGet, PositionsGet, OrdersGet,
        DealsGet, OrderSend, OrderStatus, Resync
    };
    struct PendingRequest {
        Pending kind = Pending::Ping;
        QString clientReqId;   // OrderSend / OrderStatus
        QString symbol;        // SymbolGet / HistoryRates / Backfill: the (broker) symbol asked
        QString timeframe;     // HistoryRates / Backfill
        QString requestId;     // HistoryRates: the engine's request id
        qint64 afterTime = 0;  // Backfill: keep only bars with time > this
    };
    struct BarStream {
        QString requested;     // the name the engine used
        QString timeframe;
        int history = 0;
        bool forming = false;
        qint64 lastClosedTime = 0;  // open time (server s) of the last closed bar delivered; 0 = none yet
    };
    struct InFlightOrder {
        QString runId;
        QString symbol;
        QByteArray requestJson; // canonical, as recorded in the outbox
        QElapsedTimer sent;     // since the frame was sent (latency)
        bool acked = false;
        int rateLimitedRetries = 0;
    };

    // Connection
    void openSocket();
    void onConnected();
    void onDisconnected();
    void onTextMessage(const QString &message);
    void onBinaryMessage(const QByteArray &message);
    void onSslErrors(const QList<QSslError> &errors);
    void onHousekeeping();
    void scheduleReconnect(const QString &why);
    void fail(const QString &why);
    void dropFrame(const QString &why, const QByteArray &frame);
    QString sendRequest(Pending kind, const QString &type, const QJsonObject &fields);
    QString sendRequest(Pending kind, const QString &type, const QJsonObject &fields, PendingRequest pending);
    void setState(LinkStatus::State state, const QString &error = {});
    void publishStatus();

    // Session
    void handleWelcome(const QJsonObject &o, const QString &re);
    void afterWelcome(bool resumed);
    void processFrame(QByteArray &frame);
    // True when the event `seq` is the next one (apply it); buffers it behind a gap (and asks for a resync) or drops
    // it when already applied.
    bool admitEvent(qint64 seq, bool replay, const QByteArray &frame);
    void applyEvent(const QString &type, const QJsonObject &o, const QByteArray &frame);
    void drainBuffered();
    void startResync(bool snapshot);
    void finishResync();
    void handleMarket(const bd::mt5b::MarketFrame &frame);

    // Replies
    void handleReply(const QString &type, const QString &re, const QJsonObject &o, const QByteArray &frame);
    void handleError(const QString &re, const QJsonObject &o);
    void handleSubscribed(const QJsonObject &o, const QByteArray &frame);
    void handleSymbol(const PendingRequest &p, const QJsonObject &o, const QByteArray &frame);
    void handleRates(const PendingRequest &p, const QString &re, const QJsonObject &o, const QByteArray &frame);
    void handleOrderAck(const PendingRequest &p, const QJsonObject &o, const QByteArray &frame);
    void handleOrderResult(const QJsonObject &o, const QByteArray &frame);

    // Orders
    void continueOrder(const QString &clientReqId, const TradeRequest &request, const QString &runId);
    void transmitOrder(const QString &clientReqId, const QByteArray &requestJson);
    void refuse(const QString &clientReqId, const QString &runId, const QString &reason);
    void finishOrder(const QString &clientReqId, const QByteArray &finalJson);
    void askUnfinishedOrders();
    QString outboxAccount() const;

    void sendSubscribe(const QJsonArray &streams);
    void resubscribeAll();
    void backfillBars();
    QString barKey(const QString &brokerSymbol, const QString &timeframe) const;
    QString brokerName(const QString &requested) const;

    Mt5ClientConfig m_config;
    std::shared_ptr<spdlog::logger> m_log;
    Mt5MarketData *m_marketData = nullptr;
    Mt5Broker *m_broker = nullptr;

    QPointer<QWebSocket> m_socket;
    QTimer *m_housekeeping = nullptr;
    QTimer *m_reconnectTimer = nullptr;
    ReconnectBackoff m_backoff;
    bool m_running = false;
    bool m_fatal = false;
    LinkStatus m_status;
    QElapsedTimer m_sinceLastFrame;   // restarted on every text frame
    QElapsedTimer m_sinceOpen;        // since the socket was opened (connect + welcome timeout)
    QElapsedTimer m_sincePing;
    int m_requestCounter = 0;
    QHash<QString, PendingRequest> m_pending;  // request id -> what it asked
    bd::mt5b::MarketFrameParser m_marketParser;
    int m_droppedFrames = 0;

    // Sequencing
    SeqTracker m_seq;
    bool m_haveSession = false;       // a welcome was received in this process (resume possible)
    bool m_resyncing = false;
    bool m_draining = false;
    int m_housekeepingTicks = 0;
    QMap<qint64, QByteArray> m_buffered;  // events received beyond a gap, by seq (bounded)

    // Market data
    QSet<QString> m_tickSubs;                  // requested names
    QHash<QString, BarStream> m_barSubs;       // key: requested \x1f timeframe
    QHash<QString, QString> m_resolved;        // requested (upper) -> broker symbol
    QHash<QString, BrokerSymbol> m_symbols;    // broker symbol (upper) -> info
    QHash<QString, qint64> m_lastClosed;       // broker symbol \x1f timeframe -> last closed bar time
    StalenessMonitor m_staleness;

    // Broker
    std::unique_ptr<OrderOutbox> m_outbox;
    InFlightGuard m_guard;
    LatencyStats m_latency;
    QHash<QString, InFlightOrder> m_orders;                // client_req_id -> in flight on this connection
    QSet<QString> m_finalIds;                               // outcomes already delivered (replays are not repeated)
    QHash<QString, QList<std::pair<QString, std::pair<TradeRequest, QString>>>> m_awaitingSymbol;  // symbol -> orders
    AccountInfo m_account;
    QString m_accountKey;  // outbox key from welcome
    qint64 m_lastDealTimeMsc = 0;
};

} // namespace bd::mt5
