#include "session.h"

#include <QJsonDocument>

namespace bd::mt5sim {

QByteArray Session::stamp(QJsonObject &event, qint64 nowMs)
{
    event.insert(QStringLiteral("v"), 1);
    event.insert(QStringLiteral("seq"), m_nextSeq);
    event.insert(QStringLiteral("ts"), nowMs);
    QByteArray frame = QJsonDocument(event).toJson(QJsonDocument::Compact);
    m_ring.push_back(Entry{m_nextSeq, nowMs, frame});
    ++m_nextSeq;
    while (m_ring.size() > kRingMaxEvents || (!m_ring.empty() && nowMs - m_ring.front().wallMs > kRingMaxAgeMs))
        m_ring.pop_front();
    return frame;
}

bool Session::covers(qint64 fromSeq) const
{
    if (fromSeq >= m_nextSeq)
        return true;
    return fromSeq >= 1 && !m_ring.empty() && m_ring.front().seq <= fromSeq;
}

std::vector<QByteArray> Session::replayFrom(qint64 fromSeq) const
{
    std::vector<QByteArray> out;
    for (const Entry &e : m_ring) {
        if (e.seq < fromSeq)
            continue;
        // {"replay":true, + the rest of the object: the same event with the flag added.
        out.push_back(QByteArrayLiteral("{\"replay\":true,") + e.frame.mid(1));
    }
    return out;
}

} // namespace bd::mt5sim
