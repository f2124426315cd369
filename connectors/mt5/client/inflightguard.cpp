#include "inflightguard.h"

namespace bd::mt5 {

QString InFlightGuard::key(const QString &runId, const QString &symbol)
{
    return runId + QChar(0x1f) + symbol.toUpper();
}

Result<void> InFlightGuard::acquire(const QString &runId, const QString &symbol, const QString &clientReqId)
{
    if (runId.isEmpty())
        return {};
    const QString k = key(runId, symbol);
    if (auto it = m_byKey.constFind(k); it != m_byKey.constEnd() && *it != clientReqId)
        return makeError(QStringLiteral("run %1 already has order %2 in flight on %3; wait for its result (one order "
                                        "per run and symbol at a time)")
                             .arg(runId, *it, symbol));
    m_byKey.insert(k, clientReqId);
    if (!m_byId.contains(clientReqId, k))
        m_byId.insert(clientReqId, k);
    return {};
}

void InFlightGuard::release(const QString &clientReqId)
{
    for (const QString &k : m_byId.values(clientReqId)) {
        auto slot = m_byKey.find(k);
        if (slot != m_byKey.end() && *slot == clientReqId)
            m_byKey.erase(slot);
    }
    m_byId.remove(clientReqId);
}

bool InFlightGuard::isInFlight(const QString &runId, const QString &symbol) const
{
    return m_byKey.contains(key(runId, symbol));
}

} // namespace bd::mt5
