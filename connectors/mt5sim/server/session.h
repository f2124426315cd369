#pragma once
// One mt5b session of botdesk-mt5sim: its event counter (`seq`), the ring of its recent events for resume and
// resync, its subscriptions and its per-stream delivery state. A session outlives its WebSocket: after a drop it is
// kept (detached) for kSessionKeepMs so a client can resume it (docs/mt5b-protocol.md §9).

#include <QByteArray>
#include <QJsonObject>
#include <QPointer>
#include <QString>
#include <QWebSocket>

#include <deque>
#include <map>
#include <set>
#include <vector>

namespace bd::mt5sim {

inline constexpr qint64 kSessionKeepMs = 10 * 60 * 1000;
inline constexpr size_t kRingMaxEvents = 50'000;
inline constexpr qint64 kRingMaxAgeMs = 10 * 60 * 1000;

class Session {
public:
    explicit Session(QString id) : m_id(std::move(id)) {}

    const QString &id() const { return m_id; }
    qint64 nextSeq() const { return m_nextSeq; }
    qint64 newestSeq() const { return m_nextSeq - 1; }

    // Gives `event` the envelope (v, seq, ts = nowMs), keeps its text in the ring and returns it.
    QByteArray stamp(QJsonObject &event, qint64 nowMs);
    // True when the ring holds every event from `fromSeq` to the newest (or there is none after it).
    bool covers(qint64 fromSeq) const;
    // The ring's events from `fromSeq` on, each with "replay":true, oldest first (original seq).
    std::vector<QByteArray> replayFrom(qint64 fromSeq) const;

    QPointer<QWebSocket> socket;  // the live connection, or null when detached
    qint64 detachedAtMs = 0;

    std::set<QString> tickSubs;                  // broker symbols
    // Bar streams are keyed "SYMBOL|TF" (e.g. "EURUSD.sim|M1").
    std::map<QString, bool> barSubs;             // stream → forming updates wanted
    std::map<QString, qint64> lastClosedBar;     // stream → newest closed bar time sent (s)
    std::map<QString, qint64> lastFormingMs;     // stream → wall ms of the last forming update
    struct Conflation {
        qint64 lastSentMs = 0;
        int dropped = 0;
        QJsonObject pending;                     // the newest tick not yet sent
    };
    std::map<QString, Conflation> conflation;

private:
    struct Entry {
        qint64 seq;
        qint64 wallMs;
        QByteArray frame;
    };
    QString m_id;
    qint64 m_nextSeq = 1;
    std::deque<Entry> m_ring;
};

} // namespace bd::mt5sim
