#pragma once
// LocalCluster: BotDesk's private PostgreSQL cluster, the database used when no URL is given (docs/database.md).
//
// Where it lives:
//  * home: $BOTDESK_HOME, else <QStandardPaths::GenericDataLocation>/botdesk (~/.local/share/botdesk), the same for
//    every BotDesk program. The state folder <home>/postgres holds the lock file (cluster.lock) and, when the
//    cluster is elsewhere, LOCATION (the cluster folder's path).
//  * cluster folder: data/ (the cluster), server.log and socket/. It is the state folder itself, except when this
//    process runs as root and the 'postgres' user, which then runs the server, cannot reach the state folder (e.g.
//    under /root): then /var/lib/botdesk/clusters/<first 16 hex digits of SHA-256(absolute home)>/.
//  * Unix socket only (listen_addresses=''), in <cluster folder>/socket (mode 0700), or in
//    /tmp/botdesk-<uid>-<first 16 hex digits of SHA-256(data folder)>/ when the socket's path
//    (<dir>/.s.PGSQL.5432) would be over 107 bytes or the folder's path holds characters other than
//    [A-Za-z0-9_./-].
// Superuser and database are both 'botdesk' with trust authentication on the socket, which is safe because only the
// server's OS user can enter the socket folder. Server programs come from /usr/lib/postgresql/15/bin
// (BOTDESK_PG_BINDIR overrides). The server, once started, is left running for every BotDesk process (GUI, CLI,
// headless host) until stop().
//
// One LocalCluster per caller; its methods may be called from any thread (each takes the lock file as needed).

#include "databaseurl.h"
#include "result.h"

#include <QString>

namespace bd {

struct LocalClusterLayout {
    QString home;          // absolute
    QString stateDir;      // <home>/postgres: cluster.lock, LOCATION
    QString clusterDir;    // holds data/, server.log, socket/
    QString dataDir;       // <clusterDir>/data
    QString logFile;       // <clusterDir>/server.log
    QString socketDir;     // <clusterDir>/socket, or the /tmp fallback above
    bool relocated = false;// clusterDir is not stateDir (root, home not reachable by the server's user)
};

struct LocalClusterStatus {
    LocalClusterLayout layout;
    bool initialized = false;  // the data folder holds a cluster (PG_VERSION)
    bool running = false;      // its postmaster is alive
    qint64 pid = 0;            // the postmaster's process id when running, else 0
    QString serverState;       // when running, from postmaster.pid: "ready", "starting", "stopping" or "standby"
    QString socketDir;         // where the running server listens (postmaster.pid), else layout.socketDir
};

struct LocalClusterStart {
    LocalClusterStatus status;
    bool started = false;      // this call started the server (false: it was already running)
    bool initialized = false;  // this call created the cluster (initdb)
};

class LocalCluster {
public:
    struct Options {
        QString home;    // empty: $BOTDESK_HOME, else <GenericDataLocation>/botdesk
        QString binDir;  // empty: $BOTDESK_PG_BINDIR, else /usr/lib/postgresql/15/bin
    };

    LocalCluster() : LocalCluster(Options{}) {}
    explicit LocalCluster(Options options);

    static constexpr const char *kDefaultBinDir = "/usr/lib/postgresql/15/bin";
    static constexpr int kPort = 5432;          // in the socket's file name only; nothing listens on TCP
    static constexpr const char *kUser = "botdesk";
    static constexpr const char *kDatabase = "botdesk";

    const QString &home() const { return m_home; }
    const QString &binDir() const { return m_binDir; }

    // Where the cluster is or would be (reads LOCATION, creates nothing). Error when running as root without a
    // 'postgres' user.
    Result<LocalClusterLayout> layout() const;
    // Initialised? Running (pid, state, socket)? Reads files only; starts nothing.
    Result<LocalClusterStatus> status() const;
    // Starts the server unless it runs (then nothing changes), creating the folders, the cluster (initdb) and the
    // 'botdesk' database on first use. Takes the lock file (waits up to 2 minutes for another process's start).
    // Errors name the folder or the program that failed, the end of its output or of server.log, and the fix.
    Result<LocalClusterStart> start();
    // Stops the server (fast shutdown: open transactions roll back) unless it is stopped. Returns the new status.
    Result<LocalClusterStatus> stop();

    // The URL of the 'botdesk' database as superuser 'botdesk' over the Unix socket of `status`.
    static DatabaseUrl urlFor(const LocalClusterStatus &status);

private:
    Result<void> checkPrograms() const;
    QString m_home;
    QString m_binDir;
};

} // namespace bd
