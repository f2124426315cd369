#pragma once
// PgHarness: a throwaway PostgreSQL 15 cluster for one test binary, never the user's (../shared/docs/TOOLCHAIN.md §3,
// "Mode Child").
//
//   PgHarness pg;                          // a member of the test class
//   void initTestCase() { QVERIFY2(pg.start(), ...); }   // initdb + start, about 1 s
//   auto url = pg.createDatabase("t1");    // a fresh empty database per test case (about 0.2 s)
//   Database db(pg.target(*url));          // connect like BotDesk does
//   pg.stopServer(); pg.startServer();     // an outage and the return of the server, same data
//
// The cluster lives in a private temporary folder (<temp>/botdesk-pgtest-XXXXXX, or /tmp when the temp folder is not
// reachable by the server's user or the socket path would be too long) and listens on a Unix socket there only, so
// test binaries never collide on a port. The server is a direct child started through `setpriv --pdeathsig=INT`
// (as the 'postgres' user when the test runs as root), so the kernel stops it even when the test binary crashes or is
// killed; the folder is removed by the destructor (after a crash, /tmp/botdesk-pgtest-* may remain). Settings favour
// speed over durability: fsync, synchronous_commit and full_page_writes are off. The superuser is 'botdesk' (trust
// authentication on the socket), as in BotDesk's local cluster.
//
// Use from the thread that called start() (the kernel's parent-death signal follows that thread).

#include "database.h"
#include "databaseurl.h"
#include "result.h"

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace bd {

class PgHarness {
public:
    PgHarness() = default;
    ~PgHarness();
    PgHarness(const PgHarness &) = delete;
    PgHarness &operator=(const PgHarness &) = delete;

    static constexpr const char *kSuperuser = "botdesk";

    // Creates the cluster (initdb) and starts its server. Error with initdb's output or the server log's end.
    Result<void> start();
    // Stops the server (fast shutdown: sessions are terminated, open transactions roll back); the data stays.
    Result<void> stopServer();
    // Starts the server again on the same data and socket.
    Result<void> startServer();
    bool isRunning() const;

    // The socket folder (the URL's host) and the data folder.
    QString socketDir() const { return m_dir ? m_dir->path() : QString(); }
    QString dataDir() const { return socketDir() + QStringLiteral("/data"); }
    // Milliseconds the last start() took (initdb + server start), for reports.
    qint64 startMs() const { return m_startMs; }

    // The URL of `dbname` as `user` over the cluster's socket (trust: no password).
    DatabaseUrl url(const QString &dbname = QStringLiteral("postgres"), const QString &user = QString::fromLatin1(kSuperuser)) const;
    // The same as a Database target (origin "the test harness").
    DatabaseTarget target(const DatabaseUrl &url) const;
    DatabaseTarget target(const QString &dbname = QStringLiteral("postgres"),
                          const QString &user = QString::fromLatin1(kSuperuser)) const
    {
        return target(url(dbname, user));
    }

    // Drops `name` if it exists (disconnecting its sessions) and creates it empty; returns its URL as superuser.
    Result<DatabaseUrl> createDatabase(const QString &name);
    // The same, then migrated to this binary's latest schema (what a BotStore test starts from).
    Result<DatabaseUrl> createMigratedDatabase(const QString &name);
    // Runs `sql` (one or more statements) as the superuser in `dbname`.
    Result<void> execAsSuperuser(const QString &sql, const QString &dbname = QStringLiteral("postgres"));
    // Creates login role `name` (no password; trust on the socket) unless it exists, member of `memberOf` roles.
    Result<void> createLoginRole(const QString &name, const QStringList &memberOf = {});

private:
    Result<void> waitUntilReady();
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_server;
    qint64 m_startMs = 0;
};

// Test helpers on a Database of the harness.
namespace pgtest {

// The integer `sql` (one value, e.g. SELECT count(*) …) returns with `values` bound; -1 when the query fails.
inline int count(Database &db, const QString &sql, const QVariantList &values = {})
{
    auto n = db.scalar(sql, values);
    return n ? n->toInt() : -1;
}

// Database options naming the connection's purpose (in its name and application_name).
inline Database::Options options(const char *purpose)
{
    Database::Options o;
    o.purpose = QString::fromLatin1(purpose);
    return o;
}

} // namespace pgtest

} // namespace bd
