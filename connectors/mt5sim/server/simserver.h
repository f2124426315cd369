#pragma once
// SimServer: botdesk-mt5sim's mt5b v1 server (docs/mt5b-protocol.md, docs/mt5sim.md). A QWebSocketServer
// (subprotocol mt5b.v1, loopback unless told otherwise, wss:// with a certificate) in front of the simulated market
// (MarketReplay), the simulated trade server (Exchange), the durable idempotency map and the fault plan.
// Everything runs on the thread that owns the server (its event loop); nothing blocks it.
//
// Hostile input never crashes it and a bad frame changes nothing: frames over 1 MiB → close 1009, binary → 1003,
// malformed JSON / wrong types / missing fields → error BAD_REQUEST (the connection stays), unknown type →
// UNSUPPORTED_TYPE, floods → RATE_LIMITED then close 1008. The token is compared in constant time and never logged.

#include "exchange.h"
#include "faultplan.h"
#include "idempotencystore.h"
#include "marketreplay.h"
#include "result.h"
#include "session.h"
#include "symbolresolver.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

QT_BEGIN_NAMESPACE
class QWebSocket;
class QWebSocketServer;
QT_END_NAMESPACE

namespace bd::mt5sim {

// One replayed symbol: M1 bars from `dataFile`, or real ticks from `tickFile`.
struct SimSource {
    QString symbol;    // catalogue name (resources/symbols.json), e.g. "EURUSD"
    QString dataFile;  // M1 bars (BotDesk CSV or MT5 export, plain or gzip)
    QString tickFile;  // or real ticks (time_ms,bid,ask,...)
};

struct SimConfig {
    std::vector<SimSource> sources;
    TickMode tickMode = TickMode::EveryTick;
    double speed = 60;                 // × real time; 0 = as fast as the clients consume
    bool playing = true;
    ExchangeConfig exchange;
    int heartbeatSec = 10;
    QString stateDir;                  // empty = the idempotency map in memory only
    QString suffix;                    // appended to every symbol name, e.g. ".sim"
    std::map<QString, mt5::SymbolTradeMode> tradeModes;  // catalogue name → SYMBOL_TRADE_MODE_* (default FULL)
    qint64 serverUtcOffsetSec = 0;
    bool offsetGiven = false;          // --server-utc-offset was given (offset_source "config", else "dataset")
    std::optional<qint64> startMsc;    // server clock; default: after the first 1000 bars of the first source
    FaultConfig faults;
    quint64 seed = 1;
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 port = 0;
    QString tlsCert, tlsKey;
    QByteArray token;
    int maxRequestsPerSec = 50;
    QString version = QStringLiteral("0.1.0");
};

class SimServer : public QObject {
    Q_OBJECT
public:
    // Loads the data and the idempotency map and builds the server (not yet listening). Errors name the file or
    // option and the fix.
    static Result<std::unique_ptr<SimServer>> create(SimConfig config);
    ~SimServer() override;

    // Starts listening; returns the URL ("ws://127.0.0.1:PORT" or "wss://…").
    Result<QUrl> listen();

    // For tests and the log: the replay clock (server time, epoch ms) and the exchange.
    qint64 serverTimeMsc() const { return m_replay->clockMsc(); }
    const Exchange &exchange() const { return *m_exchange; }

private:
    explicit SimServer(SimConfig config);

    struct Connection {
        QWebSocket *ws = nullptr;
        Session *session = nullptr;  // set after a successful hello
        QTimer *helloTimer = nullptr;
        std::deque<qint64> frameTimes;  // wall ms of the frames in the last second
        QString peer;
        bool closing = false;  // a close was sent: ignore further frames
    };

    void onNewConnection();
    void onText(QWebSocket *ws, const QString &text);
    void onBinary(QWebSocket *ws);
    void onDisconnected(QWebSocket *ws);
    void closeWith(QWebSocket *ws, int code, const QString &reason);

    // Requests
    void handleHello(Connection &c, const QJsonObject &msg);
    void dispatch(Connection &c, const QJsonObject &msg, const QString &type, const QString &id);
    void handleSubscribe(Connection &c, const QJsonObject &msg, const QString &id);
    void handleUnsubscribe(Connection &c, const QJsonObject &msg, const QString &id);
    void handleSymbolsList(Connection &c, const QJsonObject &msg, const QString &id);
    void handleSymbolGet(Connection &c, const QJsonObject &msg, const QString &id);
    void handleHistoryRates(Connection &c, const QJsonObject &msg, const QString &id);
    void handleHistoryDeals(Connection &c, const QJsonObject &msg, const QString &id);
    void handleOrderSend(Connection &c, const QJsonObject &msg, const QString &id);
    void handleOrderStatus(Connection &c, const QJsonObject &msg, const QString &id);
    void handleOrderCheck(Connection &c, const QJsonObject &msg, const QString &id);
    void handleResync(Connection &c, const QJsonObject &msg, const QString &id);
    void handleSimControl(Connection &c, const QJsonObject &msg, const QString &id);

    // Order execution (after the configured latency).
    void executeOrder(QString sessionId, QPointer<QWebSocket> ws, QString requestId, QString clientReqId,
                      mt5::TradeRequest request, qint64 receivedWallMs);
    QJsonObject outcomeBody(const QString &clientReqId, const mt5::TradeRequest &request, const SendOutcome &outcome,
                            qint64 latencyMs, bool reconciled) const;

    // Output
    void sendReply(Connection &c, QJsonObject reply, const QString &re);
    void sendError(Connection &c, const QString &re, const QString &code, const QString &message,
                   QJsonObject details = {}, bool fatal = false, qint64 retryAfterMs = -1);
    void emitEvent(Session &s, QJsonObject event);
    void broadcast(const QJsonObject &event);  // to every session (trading events)
    QJsonObject welcome(const Session &s, bool resumed, const QString &re) const;
    QJsonObject simState() const;
    QJsonObject symbolInfo(const SimSymbol &sym) const;
    QJsonObject accountInfo() const;
    QJsonArray positionsJson() const;
    QJsonArray ordersJson() const;
    // history.deals (and the resync snapshot's deals) in parts under the frame cap.
    void sendDeals(Connection &c, const std::vector<mt5::Deal> &deals, const QString &id, bool snapshot);
    QJsonArray dealsJson(const std::vector<mt5::Deal> &deals) const;

    // Market pump
    void pump();
    void deliver(const MarketReplay::Item &item);
    void sendTick(Session &s, const QString &symbol, const QJsonObject &tick, qint64 nowMs);
    void flushConflated();
    void drainExchangeEvents();
    void pushAccount();
    void reanchor();
    void primeQuotes();
    void rebuildAggregates();
    void emitClosedBar(const QString &symbol, const QString &timeframe, const Bar &bar);
    // The last `n` closed bars of `feed` in timeframe `tfSec` (built from M1 for higher timeframes), oldest first.
    Bars lastClosedBars(int feed, qint64 tfSec, size_t n) const;
    static QString streamKey(const QString &symbol, const QString &timeframe);
    static QJsonObject barEvent(const QString &symbol, const QString &timeframe, const Bar &bar, bool closed,
                                bool history);
    void setTerminalConnected(bool connected);
    void scheduleDisconnect();
    void scheduleTerminalOff();
    void pruneSessions();

    std::optional<QString> resolve(const QString &requested) const { return m_resolver->resolve(requested); }
    int feedOf(const QString &brokerSymbol) const;
    QString dealClientReqId(const mt5::Deal &deal) const;

    SimConfig m_config;
    std::unique_ptr<MarketReplay> m_replay;
    std::unique_ptr<Exchange> m_exchange;
    std::unique_ptr<IdempotencyStore> m_store;
    std::unique_ptr<FaultPlan> m_faults;
    std::unique_ptr<SymbolResolver> m_resolver;
    std::vector<SimSymbol> m_symbols;            // by feed index
    QWebSocketServer *m_server = nullptr;
    std::map<QWebSocket *, Connection> m_connections;
    std::map<QString, std::unique_ptr<Session>> m_sessions;
    std::map<QString, QString> m_tagToClientReqId;
    struct Agg {
        qint64 tfSec = 0;
        bool has = false;  // a bar is in progress
        Bar bar;           // the bar in progress of one higher timeframe, from closed M1 bars
    };
    std::vector<std::map<QString, Agg>> m_aggs;  // by feed: timeframe name → its bar in progress  // comment tag → client_req_id (deal events)
    QTimer m_pumpTimer, m_heartbeatTimer, m_accountTimer, m_pruneTimer, m_disconnectTimer, m_terminalTimer;
    QElapsedTimer m_wall;
    qint64 m_anchorWallMs = 0;    // m_wall time of the pacing anchor
    qint64 m_anchorServerMs = 0;  // server time at the anchor
    bool m_playing = true;
    double m_speed = 60;
    qint64 m_stepLeft = 0;        // ticks left of a `step`
    bool m_terminalConnected = true;
    QJsonObject m_lastAccount;
    quint32 m_requestCounter = 0;
    quint64 m_sessionCounter = 0;
};

} // namespace bd::mt5sim
