// Alerts (issue 10 §7): the AlertCenter posts each alert as JSON to a webhook — here a local HTTP server on
// 127.0.0.1 (QTcpServer) that records what arrives — de-duplicates within its window, maps stored events and the live
// host's signals to alerts, and a failing or absent server gives a logged error (webhookFailed), not a crash. The
// tray (AlertTray) keeps the alerts and notifies only where a system tray exists (not offscreen).

#include "alertcenter.h"
#include "alerttray.h"

#include <QApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace bd;

namespace {

// A one-route HTTP/1.1 server: records each request's body and answers `status`.
class WebhookServer : public QObject {
public:
    explicit WebhookServer(int status) : m_status(status)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                auto buffer = std::make_shared<QByteArray>();
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
                    *buffer += socket->readAll();
                    const qsizetype headerEnd = buffer->indexOf("\r\n\r\n");
                    if (headerEnd < 0)
                        return;
                    const QByteArray head = buffer->left(headerEnd).toLower();
                    const qsizetype at = head.indexOf("content-length:");
                    const int length = at < 0 ? 0 : head.mid(at + 15, head.indexOf("\r\n", at) - at - 15).trimmed().toInt();
                    if (buffer->size() < headerEnd + 4 + length)
                        return;
                    requestLines << QString::fromLatin1(buffer->left(buffer->indexOf("\r\n")));
                    contentTypes << (head.contains("content-type: application/json"));
                    bodies << buffer->mid(headerEnd + 4, length);
                    buffer->clear();
                    const QByteArray reason = m_status < 300 ? "OK" : "Internal Server Error";
                    socket->write("HTTP/1.1 " + QByteArray::number(m_status) + ' ' + reason
                                  + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    socket->disconnectFromHost();
                });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/hook").arg(m_server.serverPort())); }

    QStringList requestLines;
    QList<bool> contentTypes;
    QList<QByteArray> bodies;

private:
    QTcpServer m_server;
    int m_status;
};

Alert haltAlert(const QUuid &run, const QString &text)
{
    Alert a;
    a.kind = AlertKind::Halt;
    a.runId = run;
    a.account = QStringLiteral("icm-demo");
    a.title = QStringLiteral("Run halted");
    a.text = text;
    return a;
}

} // namespace

class TestAlerts : public QObject {
    Q_OBJECT
private slots:
    void webhookReceivesTheAlert()
    {
        WebhookServer server(200);
        AlertCenter center;
        QVERIFY(center.setWebhookUrl(server.url()));
        QSignalSpy delivered(&center, &AlertCenter::webhookDelivered);
        QSignalSpy raised(&center, &AlertCenter::alertRaised);
        const QUuid run = QUuid::createUuid();
        QVERIFY(center.raise(haltAlert(run, QStringLiteral("Drawdown 23.5% exceeds cap 20%"))));
        QTRY_COMPARE_WITH_TIMEOUT(delivered.count(), 1, 10000);
        QCOMPARE(delivered.at(0).at(1).toInt(), 200);
        QCOMPARE(raised.count(), 1);
        QCOMPARE(server.bodies.size(), 1);
        QCOMPARE(server.requestLines.at(0), QStringLiteral("POST /hook HTTP/1.1"));
        QVERIFY(server.contentTypes.at(0));
        const QJsonObject body = QJsonDocument::fromJson(server.bodies.at(0)).object();
        QCOMPARE(body.value(QStringLiteral("kind")).toString(), QStringLiteral("halt"));
        QCOMPARE(body.value(QStringLiteral("run")).toString(), run.toString(QUuid::WithoutBraces));
        QCOMPARE(body.value(QStringLiteral("account")).toString(), QStringLiteral("icm-demo"));
        QVERIFY(body.value(QStringLiteral("text")).toString().contains(QStringLiteral("Drawdown 23.5% exceeds cap 20%")));
        QVERIFY(body.value(QStringLiteral("at_ms")).toDouble() > 1.7e12);
        qInfo("webhook body: %s", server.bodies.at(0).constData());
    }

    void deduplicatedWithinTheWindow()
    {
        WebhookServer server(200);
        AlertCenter center;
        center.setWebhookUrl(server.url());
        qint64 now = 1'700'000'000'000;
        center.setClock([&now] { return now; });
        center.setDedupWindowMs(60'000);
        QSignalSpy delivered(&center, &AlertCenter::webhookDelivered);
        const QUuid run = QUuid::createUuid();
        QVERIFY(center.raise(haltAlert(run, QStringLiteral("halted"))));
        now += 30'000;
        QVERIFY(!center.raise(haltAlert(run, QStringLiteral("halted"))));       // same alert, inside the window
        QVERIFY(center.raise(haltAlert(QUuid::createUuid(), QStringLiteral("halted"))));  // another run
        now += 31'000;
        QVERIFY(center.raise(haltAlert(run, QStringLiteral("halted"))));        // the window has passed
        QCOMPARE(center.raisedCount(), 3);
        QCOMPARE(center.suppressedCount(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(delivered.count(), 3, 10000);
        QCOMPARE(server.bodies.size(), 3);
    }

    void failingServerIsALoggedError()
    {
        WebhookServer server(500);
        AlertCenter center;
        center.setWebhookUrl(server.url());
        QSignalSpy failed(&center, &AlertCenter::webhookFailed);
        center.raise(haltAlert(QUuid::createUuid(), QStringLiteral("halted")));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        const QString error = failed.at(0).at(1).toString();
        QVERIFY2(error.contains(QStringLiteral("answered HTTP 500")), qPrintable(error));
        QCOMPARE(server.bodies.size(), 1);

        // Nobody listening: a connection error naming the server, without the URL's path (it may hold a bot token).
        int port = 0;
        {
            QTcpServer probe;
            probe.listen(QHostAddress::LocalHost, 0);
            port = probe.serverPort();
        }
        center.setWebhookUrl(QUrl(QStringLiteral("http://127.0.0.1:%1/bot123:SECRET/sendMessage").arg(port)));
        center.raise(haltAlert(QUuid::createUuid(), QStringLiteral("halted again")));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 15000);
        const QString refused = failed.at(1).at(1).toString();
        QVERIFY2(refused.contains(QStringLiteral("cannot post the alert to the webhook at http://127.0.0.1:%1").arg(port)),
                 qPrintable(refused));
        QVERIFY(!refused.contains(QStringLiteral("SECRET")));
        qInfo("%s | %s", qPrintable(error), qPrintable(refused));

        // Not an http(s) URL: refused, nothing posted.
        QVERIFY(!center.setWebhookUrl(QUrl(QStringLiteral("ftp://example.com/x"))));
        QVERIFY(center.webhookUrl().isEmpty());
    }

    void eventsAndHostSignalsBecomeAlerts()
    {
        const QUuid run = QUuid::createUuid();
        LiveEvent e;
        e.liveRunId = run;
        e.account = QStringLiteral("icm-demo");
        e.type = QStringLiteral("DrawdownCapTriggered");
        e.message = QStringLiteral("Drawdown 23.5% exceeds cap 20%; closed 5 positions");
        auto a = alertFromEvent(e);
        QVERIFY(a);
        QCOMPARE(a->kind, AlertKind::DrawdownCap);
        QVERIFY(a->text.contains(e.message));
        e.type = QStringLiteral("OrderRejected");
        QCOMPARE(alertFromEvent(e)->kind, AlertKind::OrderRejected);
        e.type = QStringLiteral("HeartbeatStale");
        QCOMPARE(alertFromEvent(e)->kind, AlertKind::StaleHeartbeat);
        e.type = QStringLiteral("RunStatusChanged");
        e.payload = QJsonObject{{QStringLiteral("from"), QStringLiteral("RUNNING")}, {QStringLiteral("to"), QStringLiteral("HALTED")}};
        QCOMPARE(alertFromEvent(e)->kind, AlertKind::Halt);
        e.payload = QJsonObject{{QStringLiteral("from"), QStringLiteral("PENDING")}, {QStringLiteral("to"), QStringLiteral("RUNNING")}};
        QVERIFY(!alertFromEvent(e));
        e.type = QStringLiteral("TradeExecuted");
        QVERIFY(!alertFromEvent(e));

        AlertCenter center;
        AlertTray tray(&center);
        QSignalSpy shown(&tray, &AlertTray::alertShown);
        center.onRunStatusChanged(run, LiveRunStatus::Running, {});
        center.onRunStatusChanged(run, LiveRunStatus::Halted, QStringLiteral("Drawdown 23.5% exceeds cap 20%"));
        center.onRunStale(run, QStringLiteral("no heartbeat for 61 s"));
        center.onAccountFailed(QStringLiteral("icm-demo"), QStringLiteral("cannot use the bridge at ws://127.0.0.1:1: refused"));
        center.onAccountFailed(QStringLiteral("icm-demo"), QStringLiteral("cannot use the bridge at ws://127.0.0.1:1: refused"));
        QCOMPARE(shown.count(), 3);
        QCOMPARE(tray.recent().size(), 3);
        QCOMPARE(tray.recent().at(0).kind, AlertKind::BridgeDisconnect);
        QCOMPARE(tray.recent().at(1).kind, AlertKind::StaleHeartbeat);
        QCOMPARE(tray.recent().at(2).kind, AlertKind::DrawdownCap);
        // Offscreen there is no system tray: kept, not notified.
        QCOMPARE(tray.trayAvailable(), false);
        QCOMPARE(shown.at(0).at(1).toBool(), false);
        QCOMPARE(tray.shownCount(), 0);
    }
};

QTEST_MAIN(TestAlerts)
#include "tst_alerts.moc"
