#include "pgorderoutbox.h"

#include <QRegularExpression>
#include <QSqlQuery>

namespace bd {

namespace {

const QString kColumns = QStringLiteral(
    "client_req_id, account, coalesce(run_id, ''), request_json, request_hash, state, coalesce(result::text, ''), "
    "floor(extract(epoch from created_at) * 1000)::bigint, floor(extract(epoch from updated_at) * 1000)::bigint");

mt5::OutboxEntry readEntry(const QSqlQuery &q)
{
    mt5::OutboxEntry e;
    e.clientReqId = q.value(0).toString();
    e.account = q.value(1).toString();
    e.runId = q.value(2).toString();
    e.requestJson = q.value(3).toString().toUtf8();
    e.requestHash = q.value(4).toString();
    e.state = q.value(5).toString() == QLatin1String("final") ? mt5::OutboxEntry::State::Final
                                                              : mt5::OutboxEntry::State::InFlight;
    e.resultJson = q.value(6).toString().toUtf8();
    e.createdAtMs = q.value(7).toLongLong();
    e.updatedAtMs = q.value(8).toLongLong();
    return e;
}

bool validId(const QString &id)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_-]{1,36}$"));
    return re.match(id).hasMatch();
}

} // namespace

Result<void> PgOrderOutbox::recordBeforeSend(const mt5::OutboxEntry &entry)
{
    if (!validId(entry.clientReqId))
        return makeError(QStringLiteral("client_req_id '%1' is not 1..36 characters of A-Z a-z 0-9 _ -; use a UUID")
                             .arg(entry.clientReqId.left(80)));
    // Insert, or find the row already there: a resend under the same id with the same request is a no-op.
    auto stored = m_db.scalar(
        QStringLiteral("WITH ins AS (INSERT INTO order_outbox (client_req_id, account, run_id, request, request_json, "
                       "request_hash) VALUES (?, ?, nullif(?, ''), ?::jsonb, ?, ?) ON CONFLICT (client_req_id) DO "
                       "NOTHING RETURNING request_hash) "
                       "SELECT request_hash FROM ins UNION ALL "
                       "SELECT request_hash FROM order_outbox WHERE client_req_id = ? AND NOT EXISTS (SELECT 1 FROM ins)"),
        {entry.clientReqId, entry.account, entry.runId.isNull() ? QString(QLatin1String("")) : entry.runId,
         QString::fromUtf8(entry.requestJson), QString::fromUtf8(entry.requestJson), entry.requestHash,
         entry.clientReqId});
    if (!stored)
        return makeError(QStringLiteral("cannot record order %1 in the outbox: %2").arg(entry.clientReqId, stored.error().message));
    if (stored->isNull())
        return makeError(QStringLiteral("order %1 is in the outbox but not visible to this login; use a new "
                                        "client_req_id").arg(entry.clientReqId));
    if (stored->toString() != entry.requestHash)
        return makeError(QStringLiteral("client_req_id '%1' was already used for another request; use a new id")
                             .arg(entry.clientReqId));
    return {};
}

Result<void> PgOrderOutbox::markFinal(const QString &clientReqId, const QByteArray &resultJson)
{
    auto state = m_db.scalar(
        QStringLiteral("WITH upd AS (UPDATE order_outbox SET state = 'final', result = ?::jsonb, updated_at = "
                       "clock_timestamp() WHERE client_req_id = ? AND state = 'inflight' RETURNING state) "
                       "SELECT state FROM upd UNION ALL "
                       "SELECT state FROM order_outbox WHERE client_req_id = ? AND NOT EXISTS (SELECT 1 FROM upd)"),
        {QString::fromUtf8(resultJson), clientReqId, clientReqId});
    if (!state)
        return makeError(QStringLiteral("cannot mark order %1 final in the outbox: %2").arg(clientReqId, state.error().message));
    if (state->isNull())
        return makeError(QStringLiteral("no order with client_req_id '%1' in the outbox").arg(clientReqId));
    return {};
}

Result<std::vector<mt5::OutboxEntry>> PgOrderOutbox::unfinished(const QString &account)
{
    auto q = m_db.exec(QStringLiteral("SELECT %1 FROM order_outbox WHERE account = ? AND state = 'inflight' "
                                      "ORDER BY created_at, client_req_id").arg(kColumns),
                       {account});
    if (!q)
        return makeError(QStringLiteral("cannot list the unfinished orders of %1: %2").arg(account, q.error().message));
    std::vector<mt5::OutboxEntry> out;
    while (q->next())
        out.push_back(readEntry(*q));
    return out;
}

Result<mt5::OutboxEntry> PgOrderOutbox::find(const QString &clientReqId)
{
    auto q = m_db.exec(QStringLiteral("SELECT %1 FROM order_outbox WHERE client_req_id = ?").arg(kColumns), {clientReqId});
    if (!q)
        return makeError(QStringLiteral("cannot read order %1 from the outbox: %2").arg(clientReqId, q.error().message));
    if (!q->next())
        return makeError(QStringLiteral("no order with client_req_id '%1' in the outbox").arg(clientReqId));
    return readEntry(*q);
}

namespace {

class OwningPgOrderOutbox final : public mt5::OrderOutbox {
public:
    OwningPgOrderOutbox(const DatabaseTarget &target, const Database::Options &options)
        : m_db(std::make_unique<Database>(target, options)), m_outbox(*m_db) {}
    Result<void> recordBeforeSend(const mt5::OutboxEntry &e) override { return m_outbox.recordBeforeSend(e); }
    Result<void> markFinal(const QString &id, const QByteArray &json) override { return m_outbox.markFinal(id, json); }
    Result<std::vector<mt5::OutboxEntry>> unfinished(const QString &account) override { return m_outbox.unfinished(account); }
    Result<mt5::OutboxEntry> find(const QString &id) override { return m_outbox.find(id); }

private:
    std::unique_ptr<Database> m_db;
    PgOrderOutbox m_outbox;
};

} // namespace

std::unique_ptr<mt5::OrderOutbox> makePgOrderOutbox(const DatabaseTarget &target, const Database::Options &options)
{
    return std::make_unique<OwningPgOrderOutbox>(target, options);
}

} // namespace bd
