#include "nodelay.h"

#include <QAbstractSocket>
#include <QWebSocket>
#include <QWebSocketServer>

namespace bd::mt5b {

namespace {

bool setLowDelay(QAbstractSocket *tcp)
{
    if (!tcp)
        return false;
    tcp->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    return tcp->socketOption(QAbstractSocket::LowDelayOption).toInt() == 1;
}

} // namespace

bool disableNagle(QWebSocket &socket)
{
    return setLowDelay(socket.findChild<QAbstractSocket *>());
}

bool disableNagle(QWebSocketServer &server, QWebSocket &socket)
{
    const auto sockets = server.findChildren<QAbstractSocket *>();
    for (QAbstractSocket *tcp : sockets)
        if (tcp->peerPort() == socket.peerPort() && tcp->peerAddress() == socket.peerAddress())
            return setLowDelay(tcp);
    return disableNagle(socket);
}

} // namespace bd::mt5b
