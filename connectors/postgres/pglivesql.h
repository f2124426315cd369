#pragma once
// What PgTradeStore and PgLiveRunStore share when they talk to migration 0003's tables: times as UTC epoch
// milliseconds both ways, how values are bound (uuid, text, ticket), and the error that says a schema is missing.
// Internal to connectors/postgres.

#include "database.h"
#include "result.h"

#include <QString>
#include <QUuid>
#include <QVariant>

#include <cmath>

namespace bd::pglive {

// SQL for a timestamptz column read as UTC epoch milliseconds (NULL stays NULL, read as 0). extract() gives an exact
// numeric; the server's microseconds are truncated.
inline QString ms(const QString &column)
{
    return QStringLiteral("floor(extract(epoch from %1) * 1000)::bigint").arg(column);
}

// SQL for a bound UTC epoch millisecond value (one '?') as timestamptz; 0 becomes NULL. Exact: integer
// milliseconds times an interval.
inline QString at(const char *placeholder = "?")
{
    return QStringLiteral("(timestamptz 'epoch' + nullif(%1::bigint, 0) * interval '1 millisecond')")
        .arg(QLatin1String(placeholder));
}

// A uuid to bind: a null QUuid is SQL NULL.
inline QVariant uuidValue(const QUuid &id)
{
    if (id.isNull())
        return QVariant(QMetaType::fromType<QString>());
    return id.toString(QUuid::WithoutBraces);
}

inline QUuid uuidOf(const QVariant &v)
{
    return v.isNull() ? QUuid() : QUuid::fromString(v.toString());
}

// A text value to bind: QPSQL binds a null QString as SQL NULL, and the text columns are NOT NULL ('' = none).
inline QVariant textValue(const QString &s)
{
    return s.isNull() ? QVariant(QStringLiteral("")) : QVariant(s);
}

// A text value to bind where '' means none (SQL NULL), for the columns whose CHECK lists the allowed names.
inline QVariant textOrNull(const QString &s)
{
    return s.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(s);
}

// A ticket (MT5's ulong) as the bigint the tables store.
inline QVariant ticketValue(quint64 ticket) { return QVariant(qint64(ticket)); }

inline bool finite(double v) { return std::isfinite(v); }

// How long a write's commit waits (PostgreSQL 15 docs §30.4 "Asynchronous Commit"). PostgreSQL reads
// synchronous_commit when a transaction commits, so a set_config(..., true) that the write statement itself evaluates
// (in its RETURNING list, once per row written) decides for that statement's own transaction; nothing written, no
// commit to decide.
//  - kFlushWait: the commit returns once the write is on disk. Trade intents: the write that keeps an order from
//    being sent twice is durable before the order goes, even inside a caller's transaction (a desk commits a bar's
//    intents together) that set otherwise, and on a server whose default is off. It also marks the transaction
//    (botdesk.durable), so that a kNoFlushWait write later in the same transaction keeps the wait.
//  - kNoFlushWait: the commit returns before its WAL is flushed; PostgreSQL's WAL writer flushes it within
//    3 × wal_writer_delay (600 ms by default). Nothing is lost when BotDesk crashes or is killed; a crash of the
//    PostgreSQL server or the machine can lose the last such writes, never leaving the database inconsistent. Used
//    for the live desks' hot writes that the broker can tell again: an intent's later states (order.status of every
//    unfinished intent at start), trades and closes (the reconciler: positions, deal history), stops, deferred events,
//    heartbeats, recorded bars. A desk's order then costs one disk flush (its intent), not four.
inline constexpr char kFlushWait[] =
    "set_config('synchronous_commit', set_config('botdesk.durable', 'on', true), true)";
inline constexpr char kNoFlushWait[] =
    "set_config('synchronous_commit', CASE WHEN current_setting('botdesk.durable', true) = 'on' THEN 'on' ELSE 'off' END, "
    "true)";

// `error` from `db`, with the fix when the live tables are missing (an older schema).
inline Error explained(const Database &db, const QString &what, const Error &error)
{
    const QString state = db.lastFailure().sqlState;
    if (state == QLatin1String("42P01") || state == QLatin1String("42883"))
        return makeError(QStringLiteral("%1: %2; the database has no live-trading tables (schema 3): run 'botdesk-cli "
                                        "db migrate'")
                             .arg(what, error.message));
    if (state == QLatin1String("42501"))
        return makeError(QStringLiteral("%1: %2 (a login writes only under its own runs and versions)")
                             .arg(what, error.message));
    return makeError(QStringLiteral("%1: %2").arg(what, error.message));
}

} // namespace bd::pglive
