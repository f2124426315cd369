#pragma once
// mt5b frames are small (a tick is ~250 bytes) and latency matters more than packet count, so both ends of an mt5b
// connection turn Nagle's algorithm off (TCP_NODELAY). With it on, a frame written while an earlier one is still
// unacknowledged waits for the peer's delayed ACK: ~40 ms on Linux, seen as a 40 ms p99 in bench_mt5_roundtrip.
// QWebSocket has no socket-option API: a client's TCP (or TLS) socket is the QWebSocket's child; a server-side
// connection's is a descendant of the QWebSocketServer that accepted it (its QTcpServer's child).

class QWebSocket;
class QWebSocketServer;

namespace bd::mt5b {

// Sets QAbstractSocket::LowDelayOption on `socket`'s TCP socket. Call once it is connected. False when the
// QWebSocket has no TCP socket child (e.g. not connected yet); nothing changes then.
bool disableNagle(QWebSocket &socket);
// The same for `socket`, a connection `server` accepted (found by its peer address and port).
bool disableNagle(QWebSocketServer &server, QWebSocket &socket);

} // namespace bd::mt5b
