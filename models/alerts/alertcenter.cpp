#include "alertcenter.h"

#include "logging.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace bd {

namespace {

QString shortId(const QUuid &id)
{
    return id.toString(QUuid::WithoutBraces).left(8);
}

QString runLabel(const QUuid &runId, const QString &account)
{
    QString text = QStringLiteral("Run %1").arg(shortId(runId));
    if (!account.isEmpty())
        text += QStringLiteral(" on %1").arg(account);
    return text;
}

} // namespace

const char *alertKindName(AlertKind kind)
{
    switch (kind) {
    case AlertKind::DrawdownCap: return "drawdown_cap";
    case AlertKind::Halt: return "halt";
    case AlertKind::StaleHeartbeat: return "stale_heartbeat";
    case AlertKind::BridgeDisconnect: return "bridge_disconnect";
    case AlertKind::OrderRejected: return "order_rejected";
    }
    return "alert";
}

QString Alert::dedupKey() const
{
    const QString who = runId.isNull() ? account : runId.toString(QUuid::WithoutBraces);
    // A stale run is one alert however it was noticed (the host's HeartbeatStale event, the feed's own check).
    if (kind == AlertKind::StaleHeartbeat)
        return QStringLiteral("%1|%2").arg(QLatin1String(alertKindName(kind)), who);
    return QStringLiteral("%1|%2|%3").arg(QLatin1String(alertKindName(kind)), who, text);
}

std::optional<Alert> alertFromEvent(const LiveEvent &e)
{
    Alert a;
    a.account = e.account;
    a.runId = e.liveRunId;
    a.atMs = e.atMs;
    const QString who = e.liveRunId.isNull() ? QStringLiteral("Account %1").arg(e.account) : runLabel(e.liveRunId, e.account);
    if (e.type == QLatin1String("DrawdownCapTriggered")) {
        a.kind = AlertKind::DrawdownCap;
        a.title = QStringLiteral("Drawdown cap hit");
    } else if (e.type == QLatin1String("HeartbeatStale")) {
        a.kind = AlertKind::StaleHeartbeat;
        a.title = QStringLiteral("Run heartbeat stale");
    } else if (e.type == QLatin1String("OrderRejected")) {
        a.kind = AlertKind::OrderRejected;
        a.title = QStringLiteral("Order rejected");
    } else if (e.type == QLatin1String("RunStatusChanged")
               && (e.payload.value(QStringLiteral("to")).toString() == QLatin1String("HALTED")
                   || (e.payload.isEmpty() && e.message.contains(QLatin1String("HALTED"))))) {
        a.kind = AlertKind::Halt;
        a.title = QStringLiteral("Run halted");
    } else if (e.type == QLatin1String("Error") && e.liveRunId.isNull()
               && (e.message.contains(QLatin1String("bridge"), Qt::CaseInsensitive)
                   || e.message.contains(QLatin1String("link"), Qt::CaseInsensitive))) {
        a.kind = AlertKind::BridgeDisconnect;
        a.title = QStringLiteral("Bridge disconnected");
    } else {
        return std::nullopt;
    }
    a.text = QStringLiteral("%1: %2").arg(who, e.message);
    return a;
}

AlertCenter::AlertCenter(QObject *parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this)), m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
}

bool AlertCenter::setWebhookUrl(const QUrl &url)
{
    if (!url.isEmpty() && (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
                           || url.host().isEmpty())) {
        logging::get("alerts")->warn("webhook URL '{}' is not an http:// or https:// URL; alerts are not posted "
                                     "(e.g. https://api.telegram.org/bot<token>/sendMessage?chat_id=<id>)",
                                     url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery).toStdString());
        m_webhook.clear();
        return false;
    }
    m_webhook = url;
    return true;
}

bool AlertCenter::raise(Alert alert)
{
    const qint64 now = m_clock();
    if (alert.atMs == 0)
        alert.atMs = now;
    const QString key = alert.dedupKey();
    const auto last = m_lastRaised.constFind(key);
    if (last != m_lastRaised.cend() && now - *last < m_dedupWindowMs) {
        ++m_suppressed;
        return false;
    }
    m_lastRaised.insert(key, now);
    ++m_raised;
    logging::get("alerts")->info("{}: {}", alert.title.toStdString(), alert.text.toStdString());
    emit alertRaised(alert);
    if (!m_webhook.isEmpty())
        post(alert);
    return true;
}

void AlertCenter::post(const Alert &alert)
{
    QJsonObject body{{QStringLiteral("text"), QStringLiteral("%1 — %2").arg(alert.title, alert.text)},
                     {QStringLiteral("kind"), QLatin1String(alertKindName(alert.kind))},
                     {QStringLiteral("account"), alert.account},
                     {QStringLiteral("at_ms"), alert.atMs}};
    if (!alert.runId.isNull())
        body.insert(QStringLiteral("run"), alert.runId.toString(QUuid::WithoutBraces));
    QNetworkRequest request(m_webhook);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setTransferTimeout(10'000);
    QNetworkReply *reply = m_network->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    const QString shownUrl = m_webhook.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemovePath);
    connect(reply, &QNetworkReply::finished, this, [this, reply, alert, shownUrl] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() == QNetworkReply::NoError && status > 0 && status < 300) {
            emit webhookDelivered(alert, status);
            return;
        }
        // The URL may carry a bot token in its path or query: only its scheme, host and port are shown.
        const QString error = status > 0
            ? QStringLiteral("the alert webhook at %1 answered HTTP %2; check the URL in Settings > Alerts").arg(shownUrl).arg(status)
            : QStringLiteral("cannot post the alert to the webhook at %1: %2; check the URL in Settings > Alerts and that "
                             "the server is reachable").arg(shownUrl, reply->errorString());
        logging::get("alerts")->warn("{}", error.toStdString());
        emit webhookFailed(alert, error);
    });
}

void AlertCenter::onRunStatusChanged(const QUuid &runId, LiveRunStatus status, const QString &message)
{
    if (status != LiveRunStatus::Halted)
        return;
    Alert a;
    a.runId = runId;
    const bool drawdown = message.contains(QLatin1String("rawdown"));
    a.kind = drawdown ? AlertKind::DrawdownCap : AlertKind::Halt;
    a.title = drawdown ? QStringLiteral("Drawdown cap hit") : QStringLiteral("Run halted");
    a.text = QStringLiteral("%1 halted: %2").arg(runLabel(runId, {}), message.isEmpty() ? QStringLiteral("a guardrail tripped") : message);
    raise(a);
}

void AlertCenter::onRunStale(const QUuid &runId, const QString &message)
{
    Alert a;
    a.runId = runId;
    a.kind = AlertKind::StaleHeartbeat;
    a.title = QStringLiteral("Run heartbeat stale");
    a.text = QStringLiteral("%1: %2").arg(runLabel(runId, {}), message);
    raise(a);
}

void AlertCenter::onAccountFailed(const QString &account, const QString &reason)
{
    Alert a;
    a.account = account;
    a.kind = AlertKind::BridgeDisconnect;
    a.title = QStringLiteral("Bridge disconnected");
    a.text = QStringLiteral("Account %1: %2").arg(account, reason);
    raise(a);
}

void AlertCenter::onLiveEvent(const LiveEvent &event)
{
    if (auto alert = alertFromEvent(event))
        raise(*alert);
}

} // namespace bd
