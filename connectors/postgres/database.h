#pragma once
// Database: one thread's connection to BotDesk's PostgreSQL database (Qt Sql, QPSQL driver), with the failures
// sorted into what the caller can act on.
//
// One per thread, never shared: the QSqlDatabase is named botdesk-<purpose>-<thread id>-<n> and every method
// refuses (with an error) to run on another thread than the one that constructed the Database.
//
// Connecting is lazy (the first operation) and repeated after a lost connection: before each operation a
// connection known to be broken, or whose socket the server has closed (a restarted server), is closed and opened
// again. For the local target the cluster is started on demand (LocalCluster::start) unless
// Options::startLocalCluster is false.
//
// Failures become Result errors that name the redacted URL and the fix, and lastFailure() says which kind:
//   Unreachable     connecting failed: "cannot reach the BotDesk database at <url>: <libpq>; <fix>"
//   ConnectionLost  the connection broke during the operation; the open transaction is gone (PostgreSQL rolled it
//                   back), except that a connection lost during COMMIT leaves the outcome unknown (the message says
//                   so: make writes idempotent, e.g. client-generated ids). The next operation reconnects.
//   Statement       the server refused the statement (constraint, trigger, permission, syntax); the connection is
//                   fine; lastFailure().sqlState has the SQLSTATE (e.g. 23505 unique_violation).
//   WrongThread     used from another thread.
//
// QSqlQuery objects returned by exec() must not outlive the operation (a reconnect or the destructor closes the
// connection under them).

#include "databaseurl.h"
#include "localcluster.h"
#include "result.h"

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QThread>
#include <QVariant>
#include <QVariantList>

#include <type_traits>

namespace bd {

struct DatabaseFailure {
    enum class Kind { None, Unreachable, ConnectionLost, Statement, WrongThread };
    Kind kind = Kind::None;
    QString sqlState;  // Statement: the SQLSTATE of the error (e.g. "23505"); else empty
    QString message;   // the same text as the returned Error
};

class Database {
public:
    struct Options {
        QString purpose = QStringLiteral("main");  // in the connection name and application_name
        bool startLocalCluster = true;             // local target: start the cluster when it is not running
        LocalCluster::Options cluster;             // local target: where the cluster is
        int connectTimeoutSeconds = 10;            // unless the URL sets connect_timeout
    };

    explicit Database(DatabaseTarget target) : Database(std::move(target), Options{}) {}
    Database(DatabaseTarget target, Options options);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    const DatabaseTarget &target() const { return m_target; }
    // What messages call this database: the redacted URL, or "BotDesk's local database (<socket URL>)".
    QString describe() const;

    // Connects unless connected (see the header comment); nothing else. Returns the Unreachable error.
    Result<void> open();
    bool isOpen() const;
    // Closes the connection (a later operation opens it again).
    void close();

    // Runs one statement with `values` bound to its ? placeholders in order, and returns the executed query
    // (forward-only; read it with next()/value()). Without values the statement is sent as is (one round trip); with
    // values QPSQL prepares it (PREPARE + EXECUTE, and DEALLOCATE when the query is destroyed), so every '?' is a
    // placeholder: write jsonb's ? operators as jsonb_exists(...) there. For many rows, one multi-row INSERT with
    // many values beats many single-row ones (../shared/docs/TOOLCHAIN.md §6; COPY via libpqConnection() is faster).
    Result<QSqlQuery> exec(const QString &sql, const QVariantList &values = {});
    // exec() for a statement on a hot path (an order's intent): prepared once per connection and kept, so each call
    // is one round trip (EXECUTE) instead of three, and PostgreSQL plans it once. Read the returned query before
    // calling execPrepared with the same `sql` again (the copy shares the kept statement). The kept statements go
    // with the connection (close, reconnect, a failure).
    Result<QSqlQuery> execPrepared(const QString &sql, const QVariantList &values);
    // The first column of the first row of `sql`, or a null QVariant when there is no row.
    Result<QVariant> scalar(const QString &sql, const QVariantList &values = {});
    // Runs a script of several statements (e.g. a migration) through libpq in one round trip; it stops at the
    // first failing statement, whose error it returns.
    Result<void> execScript(const QString &sql);

    // Runs `body` (a callable returning Result<T>) in one transaction: BEGIN, body, COMMIT; when the body returns an
    // error, or throws, the transaction is rolled back and nothing it wrote remains. Returns the body's result, or
    // the error of BEGIN / COMMIT. A stale connection found at BEGIN is reopened first, since nothing is written yet.
    // Called inside another transaction(), it joins it (the outer one commits or rolls back everything).
    template <typename Body>
    std::invoke_result_t<Body> transaction(Body &&body);
    bool inTransaction() const { return m_inTransaction; }

    // The failure behind the last error returned (Kind::None after a success).
    const DatabaseFailure &lastFailure() const { return m_failure; }
    bool lastFailureWasConnection() const
    {
        return m_failure.kind == DatabaseFailure::Kind::Unreachable
               || m_failure.kind == DatabaseFailure::Kind::ConnectionLost;
    }

    // The QSqlDatabase (this thread only), opened; for code that needs Qt Sql directly.
    Result<QSqlDatabase> connection();
    // The libpq connection (a PGconn*, for COPY and friends; include <libpq-fe.h>), or nullptr when not open.
    void *libpqConnection() const;

private:
    // RAII: rolls back a transaction that the body left by throwing.
    class TransactionGuard {
    public:
        explicit TransactionGuard(Database &db) : m_db(db) {}
        ~TransactionGuard() { if (!m_done) m_db.rollback(); }
        void done() { m_done = true; }
    private:
        Database &m_db;
        bool m_done = false;
    };

    Result<void> begin();
    Result<void> commit();
    void rollback();
    Result<void> checkThread();
    Result<void> ensureOpen();
    // Before a statement: the right thread, and a connection (opened now, outside a transaction; a transaction's
    // lost connection is an error, never silently replaced).
    Result<void> readyForStatement();
    bool connectionAlive();
    Error fail(DatabaseFailure::Kind kind, const QString &message, const QString &sqlState = {});
    Error statementFailure(const QString &sql, const class QSqlError &error);

    DatabaseTarget m_target;
    Options m_options;
    DatabaseUrl m_url;           // what open() connects to (for the local target, filled when it is found)
    QString m_connectionName;
    QThread *m_thread = nullptr;
    bool m_broken = false;       // a connection failure was seen: reopen before the next operation
    bool m_inTransaction = false;
    DatabaseFailure m_failure;
    QHash<QString, QSqlQuery> m_prepared;  // execPrepared's statements on the current connection
};

template <typename Body>
std::invoke_result_t<Body> Database::transaction(Body &&body)
{
    using R = std::invoke_result_t<Body>;
    if (m_inTransaction)
        return body();
    if (auto begun = begin(); !begun)
        return R(begun.error());
    TransactionGuard guard(*this);
    R result = body();
    guard.done();
    if (!result) {
        const DatabaseFailure failure = m_failure;  // the body's, not the rollback's
        rollback();
        m_failure = failure;
        return result;
    }
    if (auto committed = commit(); !committed)
        return R(committed.error());
    return result;
}

} // namespace bd
