#pragma once
// LinkStatus / FeedStatus: what the engine knows about its MetaTrader 5 bridge connection (mt5b v1), as values that
// cross threads through the ports' queued signals (marketdataport.h, brokerport.h).
// Times: `*AtMs` are UTC epoch milliseconds of this machine's clock; ages are milliseconds.

#include <QMetaType>
#include <QString>
#include <QVector>
#include <QtGlobal>

namespace bd::mt5 {

struct LinkStatus {
    enum class State {
        Disconnected,  // not started, or stopped by the owner
        Connecting,    // TCP/TLS/WebSocket handshake or hello sent, no welcome yet
        Live,          // welcome received: requests may be sent
        Reconnecting,  // the link broke (or was declared dead); waiting `nextRetryInMs` before the next attempt
        Failed,        // a fatal error (bad token, unsupported version, TLS verification): no retry until restarted
    };
    State state = State::Disconnected;
    QString url;                 // the bridge URL without any credentials
    QString sessionId;           // mt5b session id from the last welcome
    bool resumed = false;        // the last welcome resumed the previous session (events replayed)
    QString bridgeKind;          // "simulator" | "mt5-python" (welcome.bridge.kind)
    int heartbeatSec = 0;        // welcome.heartbeat_sec
    qint64 heartbeatAgeMs = -1;  // time since the last text frame from the bridge (heartbeat, data, reply); -1 = none yet
    bool terminalConnected = false;  // the MT5 terminal's connection to its trade server (heartbeat/terminal)
    bool tradeAllowed = false;       // terminal trade_allowed (algo trading button) as the bridge reports it
    qint64 serverUtcOffsetSec = 0;   // broker server clock − UTC, seconds (utc = server − offset)
    int reconnectAttempt = 0;    // consecutive failed attempts since the last Live
    qint64 nextRetryInMs = 0;    // Reconnecting: delay before the next attempt
    QString error;               // why the link is not Live (names the cause and the fix); empty when Live
    // Order round trips seen by the connector (its steady clock, ms; nearest-rank percentiles of the last 10,000):
    // send -> order.ack and send -> order.result. 0 while there are no samples.
    qsizetype orderAckSamples = 0;
    double orderAckP50Ms = 0, orderAckP99Ms = 0;
    qsizetype orderResultSamples = 0;
    double orderResultP50Ms = 0, orderResultP95Ms = 0, orderResultP99Ms = 0;
};

// Per-symbol tick freshness. A symbol is stale when no tick arrived for more than the configured threshold while
// the terminal reported itself connected (a closed market looks the same: the engine decides with its calendar).
struct SymbolFeedState {
    QString symbol;              // broker symbol
    qint64 lastTickAtMs = 0;     // local receive time of the last tick (UTC epoch ms); 0 = none yet
    qint64 silentForMs = 0;      // now − lastTickAtMs (or since subscribing when no tick yet)
    bool stale = false;
};

struct FeedStatus {
    bool live = false;               // the link is Live
    bool terminalConnected = false;
    QVector<SymbolFeedState> symbols;
};

} // namespace bd::mt5

Q_DECLARE_METATYPE(bd::mt5::LinkStatus)
Q_DECLARE_METATYPE(bd::mt5::SymbolFeedState)
Q_DECLARE_METATYPE(bd::mt5::FeedStatus)
