#pragma once
// AlertCenter: the trader's alerts for live runs and accounts (issue 10 §7): drawdown cap, halt, stale heartbeat,
// bridge disconnect and rejected orders. Fed by the live host's signals (LiveRunHost::runStatusChanged, runStale,
// accountFailed: app/live/liverunhost.h) and/or the events table (LiveEvent, tradestore.h); each alert is
//   - emitted as alertRaised (the window's tray shows it: widgets/alerts/alerttray.h), and
//   - when a webhook URL is set (QSettings "alerts/webhookUrl" in the app), POSTed to it as JSON
//       {"text": "...", "kind": "drawdown_cap", "account": "...", "run": "<uuid>", "at_ms": 1700000000000}
//     ("text" is what a Telegram bot's sendMessage or a Slack/Mattermost incoming webhook shows).
// De-duplicated: an alert with the same key (kind + run or account + text; Alert::dedupKey) within `dedupWindowMs` (default 5 min) of
// the last one raised is dropped (counted in suppressedCount). A webhook that fails (connection refused, HTTP status
// >= 300, timeout 10 s) is logged on the "alerts" logger and reported by webhookFailed; nothing is retried.
// GUI thread (or any one thread with an event loop). Times: UTC epoch milliseconds.

#include "liverun.h"
#include "tradestore.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QUrl>
#include <QUuid>

#include <functional>
#include <optional>

class QNetworkAccessManager;

namespace bd {

enum class AlertKind { DrawdownCap, Halt, StaleHeartbeat, BridgeDisconnect, OrderRejected };
const char *alertKindName(AlertKind kind);  // "drawdown_cap", "halt", "stale_heartbeat", "bridge_disconnect", "order_rejected"

struct Alert {
    AlertKind kind = AlertKind::Halt;
    QString account;               // may be empty (a run's alert from the host's signal)
    QUuid runId;                   // null for an account's alert
    QString title;                 // "Run halted"
    QString text;                  // one line for people, e.g. "Run 1a2b3c4d halted: Drawdown 23.5% exceeds cap 20%"
    qint64 atMs = 0;

    QString dedupKey() const;      // kind | run or account | text (a stale heartbeat: kind | run, whatever the text)
};

// The alert a stored event means, or nothing for the events that are not alerts. DrawdownCapTriggered -> DrawdownCap,
// HeartbeatStale -> StaleHeartbeat, OrderRejected -> OrderRejected, RunStatusChanged to HALTED -> Halt (payload "to"
// or the message), an account-wide Error naming the bridge/link -> BridgeDisconnect.
std::optional<Alert> alertFromEvent(const LiveEvent &event);

class AlertCenter : public QObject {
    Q_OBJECT
public:
    explicit AlertCenter(QObject *parent = nullptr);

    // Empty = no webhook. Only http and https URLs are used; another scheme is refused (false, logged).
    bool setWebhookUrl(const QUrl &url);
    QUrl webhookUrl() const { return m_webhook; }
    void setDedupWindowMs(qint64 ms) { m_dedupWindowMs = ms; }
    // The clock (tests); default QDateTime::currentMSecsSinceEpoch.
    void setClock(std::function<qint64()> clock) { m_clock = std::move(clock); }

    // Raises `alert` unless the same one was raised within the window; true when raised. atMs 0 = now.
    bool raise(Alert alert);

    int raisedCount() const { return m_raised; }
    int suppressedCount() const { return m_suppressed; }

public slots:
    // LiveRunHost's signals (connect them directly).
    void onRunStatusChanged(const QUuid &runId, bd::LiveRunStatus status, const QString &message);
    void onRunStale(const QUuid &runId, const QString &message);
    void onAccountFailed(const QString &account, const QString &reason);
    // A stored event (an events-table reader): raised when alertFromEvent says it is an alert.
    void onLiveEvent(const bd::LiveEvent &event);

signals:
    void alertRaised(const bd::Alert &alert);
    void webhookDelivered(const bd::Alert &alert, int httpStatus);
    void webhookFailed(const bd::Alert &alert, const QString &error);

private:
    void post(const Alert &alert);

    QNetworkAccessManager *m_network = nullptr;
    QUrl m_webhook;
    qint64 m_dedupWindowMs = 5 * 60'000;
    std::function<qint64()> m_clock;
    QHash<QString, qint64> m_lastRaised;  // dedup key -> atMs
    int m_raised = 0;
    int m_suppressed = 0;
};

} // namespace bd

Q_DECLARE_METATYPE(bd::Alert)
