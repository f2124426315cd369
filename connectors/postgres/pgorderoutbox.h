#pragma once
// PgOrderOutbox: the OrderOutbox port (core/broker/orderoutbox.h) on BotDesk's PostgreSQL database (table
// order_outbox, migration 0002), through one thread's Database connection: the connector's I/O thread creates its
// own Database and PgOrderOutbox there.
//
//   Database db(target, options);   // on the connector's thread
//   PgOrderOutbox outbox(db);       // uses db; does not own it
//
// Each call is one statement (its own transaction). recordBeforeSend returns only after the row is committed, so an
// order whose frame left the process is always found after a crash. Errors name the id and the database (the
// Database's message: unreachable, connection lost, statement refused); on error nothing was written.
// Rows belong to the login that wrote them (row-level security as for bots).

#include "database.h"
#include "orderoutbox.h"

#include <memory>

namespace bd {

class PgOrderOutbox final : public mt5::OrderOutbox {
public:
    explicit PgOrderOutbox(Database &db) : m_db(db) {}

    Result<void> recordBeforeSend(const mt5::OutboxEntry &entry) override;
    Result<void> markFinal(const QString &clientReqId, const QByteArray &resultJson) override;
    Result<std::vector<mt5::OutboxEntry>> unfinished(const QString &account) override;
    Result<mt5::OutboxEntry> find(const QString &clientReqId) override;

private:
    Database &m_db;
};

// An outbox that owns its own connection to `target`, for Mt5ClientConfig::outboxFactory: call it on the thread that
// will use it (the connector calls the factory on its I/O thread). The connection opens lazily on first use.
std::unique_ptr<mt5::OrderOutbox> makePgOrderOutbox(const DatabaseTarget &target, const Database::Options &options);

} // namespace bd
