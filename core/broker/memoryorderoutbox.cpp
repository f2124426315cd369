#include "memoryorderoutbox.h"

#include <QDateTime>

#include <algorithm>

namespace bd::mt5 {

Result<void> MemoryOrderOutbox::recordBeforeSend(const OutboxEntry &entry)
{
    if (!m_failNext.isEmpty()) {
        const QString message = m_failNext;
        m_failNext.clear();
        return makeError(message);
    }
    if (auto it = m_entries.constFind(entry.clientReqId); it != m_entries.constEnd()) {
        if (it->requestHash == entry.requestHash)
            return {};
        return makeError(QStringLiteral("client_req_id '%1' was already used for another request; use a new id")
                             .arg(entry.clientReqId));
    }
    OutboxEntry stored = entry;
    stored.state = OutboxEntry::State::InFlight;
    stored.createdAtMs = stored.updatedAtMs = QDateTime::currentMSecsSinceEpoch();
    m_entries.insert(entry.clientReqId, stored);
    m_insertOrder.insert(entry.clientReqId, m_order++);
    return {};
}

Result<void> MemoryOrderOutbox::markFinal(const QString &clientReqId, const QByteArray &resultJson)
{
    if (!m_failNextMark.isEmpty()) {
        const QString message = m_failNextMark;
        m_failNextMark.clear();
        return makeError(message);
    }
    auto it = m_entries.find(clientReqId);
    if (it == m_entries.end())
        return makeError(QStringLiteral("no order with client_req_id '%1' in the outbox").arg(clientReqId));
    if (it->state == OutboxEntry::State::Final)
        return {};
    it->state = OutboxEntry::State::Final;
    it->resultJson = resultJson;
    it->updatedAtMs = QDateTime::currentMSecsSinceEpoch();
    return {};
}

Result<std::vector<OutboxEntry>> MemoryOrderOutbox::unfinished(const QString &account)
{
    std::vector<OutboxEntry> out;
    for (const auto &e : std::as_const(m_entries))
        if (e.state == OutboxEntry::State::InFlight && e.account == account)
            out.push_back(e);
    std::sort(out.begin(), out.end(), [this](const OutboxEntry &a, const OutboxEntry &b) {
        return m_insertOrder.value(a.clientReqId) < m_insertOrder.value(b.clientReqId);
    });
    return out;
}

Result<OutboxEntry> MemoryOrderOutbox::find(const QString &clientReqId)
{
    auto it = m_entries.constFind(clientReqId);
    if (it == m_entries.constEnd())
        return makeError(QStringLiteral("no order with client_req_id '%1' in the outbox").arg(clientReqId));
    return *it;
}

} // namespace bd::mt5
