#pragma once
// MemoryOrderOutbox: the OrderOutbox port kept in memory (lost with the process). For tests and for a connector
// run without a database; the live engine uses PgOrderOutbox (connectors/postgres) so a crash does not lose it.

#include "orderoutbox.h"

#include <QHash>

namespace bd::mt5 {

class MemoryOrderOutbox final : public OrderOutbox {
public:
    Result<void> recordBeforeSend(const OutboxEntry &entry) override;
    Result<void> markFinal(const QString &clientReqId, const QByteArray &resultJson) override;
    Result<std::vector<OutboxEntry>> unfinished(const QString &account) override;
    Result<OutboxEntry> find(const QString &clientReqId) override;

    // Test hooks: the next recordBeforeSend / markFinal fails with this message (empty: succeed).
    void failNextRecord(const QString &message) { m_failNext = message; }
    void failNextMarkFinal(const QString &message) { m_failNextMark = message; }

private:
    QHash<QString, OutboxEntry> m_entries;
    qint64 m_order = 0;
    QHash<QString, qint64> m_insertOrder;
    QString m_failNext;
    QString m_failNextMark;
};

} // namespace bd::mt5
