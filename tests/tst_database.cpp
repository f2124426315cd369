// Database on a real PostgreSQL 15 (a throwaway cluster, pgharness.h): statements and their errors, transactions that
// leave nothing half-written, one connection per thread, and an outage: the server stopped in the middle of an
// operation fails it with a clear error and nothing written; once the server is back the next operation reconnects.

#include "database.h"
#include "pgharness.h"
#include "resultcheck.h"

#include <QtTest>

#include <QTemporaryDir>

#include <libpq-fe.h>

#include <thread>

using namespace bd;
using namespace bd::pgtest;

namespace {



} // namespace

class TestDatabase : public QObject {
    Q_OBJECT
    PgHarness pg;
    DatabaseUrl url;

private slots:
    void initTestCase()
    {
        QVERIFY_OK(pg.start());
        auto created = pg.createDatabase("work");
        QVERIFY_OK(created);
        url = *created;
        QVERIFY_OK(pg.execAsSuperuser("CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL)", "work"));
    }

    void init() { QVERIFY_OK(pg.execAsSuperuser("TRUNCATE items", "work")); }

    void connectsLazilyAndRunsStatements()
    {
        Database db(pg.target(url), options("basic"));
        QVERIFY(!db.isOpen());
        QVERIFY(db.libpqConnection() == nullptr);
        auto inserted = db.exec("INSERT INTO items (id, label) VALUES (?, ?), (?, ?)", {1, "one", 2, QString("two's")});
        QVERIFY_OK(inserted);
        QCOMPARE(inserted->numRowsAffected(), 2);
        QVERIFY(db.isOpen());
        QVERIFY(db.libpqConnection() != nullptr);
        QCOMPARE(PQstatus(static_cast<PGconn *>(db.libpqConnection())), CONNECTION_OK);
        auto label = db.scalar("SELECT label FROM items WHERE id = ?", {2});
        QVERIFY_OK(label);
        QCOMPARE(label->toString(), QStringLiteral("two's"));
        auto none = db.scalar("SELECT label FROM items WHERE id = 99");
        QVERIFY_OK(none);
        QVERIFY(none->isNull());
        auto name = db.scalar("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()");
        QVERIFY_OK(name);
        QCOMPARE(name->toString(), QStringLiteral("botdesk-basic"));
        QCOMPARE(db.lastFailure().kind, DatabaseFailure::Kind::None);
    }

    // The value types a store binds: QUuid, bytea, jsonb text, bigint, double, bool, NULL, text with quotes and
    // backslashes, non-ASCII; each comes back unchanged.
    void boundValuesRoundTrip()
    {
        Database db(pg.target(url), options("values"));
        QVERIFY_OK(db.exec("CREATE TEMP TABLE v (u uuid, b bytea, j jsonb, i bigint, d double precision, f boolean, "
                           "n text, t text)"));
        const QUuid uuid = QUuid::createUuid();
        QByteArray bytes;
        for (int i = 0; i < 256; ++i)
            bytes.append(char(i));
        const QString json = QStringLiteral(R"({"fast": 12, "name": "ema \"x\""})");
        const qint64 big = 1704146400000LL * 1000;
        const double price = 1.0841200000000001;
        const QString text = QStringLiteral("O'Brien \\ ? $1 € 日本");
        auto inserted = db.exec("INSERT INTO v VALUES (?, ?, ?::jsonb, ?, ?, ?, ?, ?)",
                                {uuid, bytes, json, big, price, true, QVariant(), text});
        QVERIFY_OK(inserted);
        auto row = db.exec("SELECT u, b, j::text, i, d, f, n, t FROM v");
        QVERIFY_OK(row);
        QVERIFY(row->next());
        QCOMPARE(QUuid(row->value(0).toString()), uuid);
        QCOMPARE(row->value(1).toByteArray(), bytes);
        QCOMPARE(row->value(2).toString(), QStringLiteral(R"({"fast": 12, "name": "ema \"x\""})"));
        QCOMPARE(row->value(3).toLongLong(), big);
        QCOMPARE(row->value(4).toDouble(), price);
        QCOMPARE(row->value(5).toBool(), true);
        QVERIFY(row->value(6).isNull());
        QCOMPARE(row->value(7).toString(), text);
    }

    void statementErrorsKeepTheConnection()
    {
        Database db(pg.target(url), options("errors"));
        QVERIFY_OK(db.exec("SELECT 1"));
        const qint64 backend = db.scalar("SELECT pg_backend_pid()")->toLongLong();
        auto bad = db.exec("SELECT * FROM no_such_table");
        QVERIFY(!bad);
        QCOMPARE(db.lastFailure().kind, DatabaseFailure::Kind::Statement);
        QCOMPARE(db.lastFailure().sqlState, QStringLiteral("42P01"));
        QCOMPARE(bad.error().message,
                 QStringLiteral("the BotDesk database at %1 refused 'SELECT * FROM no_such_table': relation "
                                "\"no_such_table\" does not exist").arg(url.redacted()));
        QVERIFY(!db.lastFailureWasConnection());
        auto duplicate = db.exec("INSERT INTO items VALUES (1, 'a'), (1, 'b')");
        QVERIFY(!duplicate);
        QCOMPARE(db.lastFailure().sqlState, QStringLiteral("23505"));
        QVERIFY2(duplicate.error().message.contains("(Key (id)=(1) already exists.)"), qPrintable(duplicate.error().message));
        // Same session afterwards: no reconnect for a refused statement.
        QCOMPARE(db.scalar("SELECT pg_backend_pid()")->toLongLong(), backend);
        QCOMPARE(db.lastFailure().kind, DatabaseFailure::Kind::None);
    }

    void transactionsCommitOrLeaveNothing()
    {
        Database db(pg.target(url), options("tx"));
        auto committed = db.transaction([&]() -> Result<int> {
            for (int i = 1; i <= 3; ++i) {
                if (auto r = db.exec("INSERT INTO items VALUES (?, 'x')", {i}); !r)
                    return r.error();
            }
            return 3;
        });
        QVERIFY_OK(committed);
        QCOMPARE(*committed, 3);
        QVERIFY(!db.inTransaction());
        QCOMPARE(count(db, "SELECT count(*) FROM items"), 3);

        // The body fails half-way (a refused statement): its first insert is rolled back too.
        auto failed = db.transaction([&]() -> Result<void> {
            if (auto r = db.exec("INSERT INTO items VALUES (10, 'first')"); !r)
                return r.error();
            if (auto r = db.exec("INSERT INTO items VALUES (1, 'duplicate')"); !r)
                return r.error();
            return {};
        });
        QVERIFY(!failed);
        QCOMPARE(db.lastFailure().sqlState, QStringLiteral("23505"));  // the body's failure, not the rollback's
        QCOMPARE(count(db, "SELECT count(*) FROM items"), 3);
        QCOMPARE(count(db, "SELECT count(*) FROM items WHERE id = 10"), 0);

        // The body decides to give up (an error of its own): rolled back as well.
        auto givenUp = db.transaction([&]() -> Result<void> {
            if (auto r = db.exec("DELETE FROM items"); !r)
                return r.error();
            return makeError("changed my mind");
        });
        QVERIFY(!givenUp);
        QCOMPARE(givenUp.error().message, QStringLiteral("changed my mind"));
        QCOMPARE(count(db, "SELECT count(*) FROM items"), 3);

        // A throwing body rolls back too (the guard), and the connection stays usable.
        try {
            (void)db.transaction([&]() -> Result<void> {
                (void)db.exec("DELETE FROM items");
                throw std::runtime_error("boom");
            });
            QFAIL("no exception");
        } catch (const std::runtime_error &) {
        }
        QVERIFY(!db.inTransaction());
        QCOMPARE(count(db, "SELECT count(*) FROM items"), 3);

        // A nested transaction joins the outer one: the outer failure undoes the inner work.
        auto outer = db.transaction([&]() -> Result<void> {
            auto inner = db.transaction([&]() -> Result<void> {
                auto r = db.exec("INSERT INTO items VALUES (20, 'inner')");
                return r ? Result<void>() : Result<void>(r.error());
            });
            if (!inner)
                return inner;
            return makeError("outer fails");
        });
        QVERIFY(!outer);
        QCOMPARE(count(db, "SELECT count(*) FROM items WHERE id = 20"), 0);
    }

    void scriptsRunSeveralStatementsAndStopAtTheFirstError()
    {
        Database db(pg.target(url), options("script"));
        QVERIFY_OK(db.execScript("INSERT INTO items VALUES (1, 'a'); INSERT INTO items VALUES (2, $$b;c$$);"));
        QCOMPARE(count(db, "SELECT count(*) FROM items"), 2);
        auto failed = db.execScript("INSERT INTO items VALUES (3, 'c'); SELECT 1/0; INSERT INTO items VALUES (4, 'd');");
        QVERIFY(!failed);
        QCOMPARE(db.lastFailure().sqlState, QStringLiteral("22012"));
        QVERIFY2(failed.error().message.contains("division by zero"), qPrintable(failed.error().message));
        QCOMPARE(count(db, "SELECT count(*) FROM items"), 2);  // a script outside a transaction is one implicit one
    }

    void oneConnectionPerThread()
    {
        Database db(pg.target(url), options("owner-thread"));
        QVERIFY_OK(db.open());
        QString otherThreadError;
        DatabaseFailure::Kind otherThreadKind = DatabaseFailure::Kind::None;
        std::thread([&] {
            auto r = db.exec("SELECT 1");
            otherThreadError = r ? QString() : r.error().message;
            otherThreadKind = db.lastFailure().kind;
        }).join();
        QCOMPARE(otherThreadKind, DatabaseFailure::Kind::WrongThread);
        QVERIFY2(otherThreadError.contains("belongs to another thread; open one Database per thread"), qPrintable(otherThreadError));
        QVERIFY_OK(db.exec("SELECT 1"));

        // Two Databases in two threads work side by side, each with its own session.
        qint64 pids[2] = {0, 0};
        std::thread workers[2];
        for (int i = 0; i < 2; ++i) {
            workers[i] = std::thread([&, i] {
                Database own(pg.target(url), options("worker"));
                auto pid = own.scalar("SELECT pg_backend_pid()");
                pids[i] = pid ? pid->toLongLong() : -1;
            });
        }
        for (auto &w : workers)
            w.join();
        QVERIFY(pids[0] > 0 && pids[1] > 0 && pids[0] != pids[1]);
    }

    void unreachableServerNamesTheUrlAndTheFix()
    {
        QTemporaryDir nowhere;
        DatabaseUrl bad = url;
        bad.host = nowhere.path();  // no server listens there
        bad.password = QStringLiteral("hunter2");
        Database db(pg.target(bad), options("unreachable"));
        auto r = db.exec("SELECT 1");
        QVERIFY(!r);
        QCOMPARE(db.lastFailure().kind, DatabaseFailure::Kind::Unreachable);
        QVERIFY(db.lastFailureWasConnection());
        const QString message = r.error().message;
        QVERIFY2(message.startsWith(QStringLiteral("cannot reach the BotDesk database at %1: ").arg(bad.redacted())), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral(":****@")), qPrintable(message));
        QVERIFY2(message.contains("No such file or directory"), qPrintable(message));
        QVERIFY2(message.endsWith("check that the server runs and accepts this login, or fix the URL (the test harness)"),
                 qPrintable(message));
        QVERIFY2(!message.contains("hunter2"), qPrintable(message));
    }

    // Over TCP BotDesk adds keepalive and timeout options; libpq accepts them (an unknown one would be refused before
    // any connection attempt), and a closed port fails at once.
    void tcpConnectionOptionsAreValid()
    {
        auto closed = DatabaseUrl::parse("postgresql://botdesk@127.0.0.1:1/work?application_name=tcp-test");
        QVERIFY_OK(closed);
        Database db(pg.target(*closed), options("tcp"));
        QElapsedTimer timer;
        timer.start();
        auto r = db.open();
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains("Connection refused"), qPrintable(r.error().message));
        QVERIFY2(!r.error().message.contains("invalid"), qPrintable(r.error().message));
        QVERIFY(timer.elapsed() < 5000);
    }

    // The issue's outage: the server stops in the middle of an operation, then comes back.
    void outageFailsTheOperationCleanlyAndReconnects()
    {
        Database db(pg.target(url), options("outage"));
        QVERIFY_OK(db.exec("INSERT INTO items VALUES (1, 'before')"));
        const qint64 sessionBefore = db.scalar("SELECT pg_backend_pid()")->toLongLong();

        // The operation writes, the server goes away, the operation goes on writing and fails.
        auto saved = db.transaction([&]() -> Result<void> {
            if (auto r = db.exec("INSERT INTO items VALUES (2, 'during')"); !r)
                return r.error();
            if (auto stopped = pg.stopServer(); !stopped)
                return stopped.error();
            if (auto r = db.exec("INSERT INTO items VALUES (3, 'during')"); !r)
                return r.error();
            // A body that ignores the failure cannot write in autocommit behind the failed transaction's back.
            if (auto r = db.exec("INSERT INTO items VALUES (4, 'after the loss')"); !r)
                return r.error();
            return {};
        });
        QVERIFY(!saved);
        QVERIFY(!pg.isRunning());
        QCOMPARE(db.lastFailure().kind, DatabaseFailure::Kind::ConnectionLost);
        QVERIFY(db.lastFailureWasConnection());
        QVERIFY2(saved.error().message.startsWith(QStringLiteral("lost the connection to the BotDesk database at %1 (")
                                                      .arg(url.redacted())),
                 qPrintable(saved.error().message));
        QVERIFY2(saved.error().message.contains("nothing of this operation was saved; BotDesk reconnects at the next operation"),
                 qPrintable(saved.error().message));

        // While the server is down: clear errors, no hang.
        QElapsedTimer timer;
        timer.start();
        auto down = db.exec("SELECT count(*) FROM items");
        QVERIFY(!down);
        QCOMPARE(db.lastFailure().kind, DatabaseFailure::Kind::Unreachable);
        QVERIFY2(down.error().message.startsWith(QStringLiteral("cannot reach the BotDesk database at %1").arg(url.redacted())),
                 qPrintable(down.error().message));
        auto downTx = db.transaction([&]() -> Result<void> { return {}; });
        QVERIFY(!downTx);
        QVERIFY(timer.elapsed() < 5000);

        // Back: the next operation reconnects by itself, and nothing of the failed operation is there.
        QVERIFY_OK(pg.startServer());
        QCOMPARE(count(db, "SELECT count(*) FROM items"), 1);
        QCOMPARE(count(db, "SELECT count(*) FROM items WHERE label = 'before'"), 1);
        QVERIFY(db.scalar("SELECT pg_backend_pid()")->toLongLong() != sessionBefore);
        auto retried = db.transaction([&]() -> Result<void> {
            for (int id : {2, 3}) {
                if (auto r = db.exec("INSERT INTO items VALUES (?, 'retried')", {id}); !r)
                    return r.error();
            }
            return {};
        });
        QVERIFY_OK(retried);
        QCOMPARE(count(db, "SELECT count(*) FROM items"), 3);
    }

    // A server restarted while the connection sat idle: the first operation afterwards already works (the closed
    // socket is noticed before the statement is sent).
    void idleConnectionSurvivesARestart()
    {
        Database db(pg.target(url), options("idle"));
        QVERIFY_OK(db.exec("INSERT INTO items VALUES (1, 'x')"));
        QVERIFY_OK(pg.stopServer());
        QVERIFY_OK(pg.startServer());
        QCOMPARE(count(db, "SELECT count(*) FROM items"), 1);
        QCOMPARE(db.lastFailure().kind, DatabaseFailure::Kind::None);
        auto tx = db.transaction([&]() -> Result<void> {
            auto r = db.exec("INSERT INTO items VALUES (2, 'y')");
            return r ? Result<void>() : Result<void>(r.error());
        });
        QVERIFY_OK(tx);
    }

    // execPrepared keeps its statement on the connection: one server-side prepared statement however many calls,
    // each call binding its own values; after a restart and after the session was killed, the next call prepares it
    // again on the new connection and works.
    void preparedStatementsAreKeptAndSurviveReconnects()
    {
        Database db(pg.target(url), options("prepared"));
        const QString insert = QStringLiteral("INSERT INTO items VALUES (?, ?) RETURNING id");
        const auto preparedHere = [&db] {
            return count(db, "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%INSERT INTO items%'");
        };
        for (int id = 100; id < 105; ++id) {
            auto r = db.execPrepared(insert, {id, QStringLiteral("p%1").arg(id)});
            QVERIFY_OK(r);
            QVERIFY(r->next());
            QCOMPARE(r->value(0).toInt(), id);
        }
        QCOMPARE(preparedHere(), 1);
        QCOMPARE(count(db, "SELECT count(*) FROM items WHERE id BETWEEN 100 AND 104"), 5);
        // A refused row (duplicate key) fails that call only.
        QVERIFY(!db.execPrepared(insert, {100, QStringLiteral("again")}));
        QCOMPARE(db.lastFailure().kind, DatabaseFailure::Kind::Statement);
        QVERIFY_OK(db.execPrepared(insert, {105, QStringLiteral("p105")}));

        QVERIFY_OK(pg.stopServer());
        QVERIFY_OK(pg.startServer());
        QVERIFY_OK(db.execPrepared(insert, {106, QStringLiteral("after restart")}));
        QCOMPARE(preparedHere(), 1);

        // One statement fails while the server is down; once it is back, another one kept from before works too
        // (every kept statement went with the old connection, not only the one that failed).
        const QString label = QStringLiteral("SELECT label FROM items WHERE id = ?");
        QVERIFY_OK(db.execPrepared(label, {106}));
        QVERIFY_OK(pg.stopServer());
        QVERIFY(!db.execPrepared(insert, {108, QStringLiteral("while down")}));
        QVERIFY(db.lastFailureWasConnection());
        QVERIFY_OK(pg.startServer());
        auto after = db.execPrepared(label, {106});
        QVERIFY_OK(after);
        QVERIFY(after->next());
        QCOMPARE(after->value(0).toString(), QStringLiteral("after restart"));
        QVERIFY_OK(db.execPrepared(insert, {109, QStringLiteral("after the outage")}));

        const qint64 pid = db.scalar("SELECT pg_backend_pid()")->toLongLong();
        QVERIFY_OK(pg.execAsSuperuser(QStringLiteral("SELECT pg_terminate_backend(%1)").arg(pid), "work"));
        QTest::qWait(100);
        QVERIFY_OK(db.execPrepared(insert, {107, QStringLiteral("after kill")}));
        QCOMPARE(count(db, "SELECT count(*) FROM items WHERE id BETWEEN 100 AND 109"), 9);
        QVERIFY_OK(db.exec("DELETE FROM items WHERE id BETWEEN 100 AND 109"));
    }

    // A session killed by an administrator (pg_terminate_backend) counts as a lost connection, too.
    void terminatedSessionIsALostConnection()
    {
        Database db(pg.target(url), options("terminated"));
        const qint64 pid = db.scalar("SELECT pg_backend_pid()")->toLongLong();
        auto r = db.transaction([&]() -> Result<void> {
            if (auto a = db.exec("INSERT INTO items VALUES (7, 'x')"); !a)
                return a.error();
            if (auto killed = pg.execAsSuperuser(QStringLiteral("SELECT pg_terminate_backend(%1)").arg(pid), "work"); !killed)
                return killed.error();
            auto b = db.exec("INSERT INTO items VALUES (8, 'y')");
            return b ? Result<void>() : Result<void>(b.error());
        });
        QVERIFY(!r);
        QCOMPARE(db.lastFailure().kind, DatabaseFailure::Kind::ConnectionLost);
        QCOMPARE(count(db, "SELECT count(*) FROM items"), 0);
    }
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
