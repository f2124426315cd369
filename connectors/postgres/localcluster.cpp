#include "localcluster.h"

#include "logging.h"
#include "serveruser.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>

#include <libpq-fe.h>

#include <csignal>
#include <cerrno>
#include <memory>

#include <unistd.h>

namespace bd {

namespace {

constexpr int kLockWaitMs = 120000;
constexpr int kProgramTimeoutMs = 120000;
constexpr int kPgCtlWaitSeconds = 60;
constexpr qsizetype kMaxSocketPathBytes = 107;  // sizeof(sockaddr_un::sun_path) - 1 on Linux

QString hex16(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex().left(16));
}

// The last `lines` lines of `text`, trimmed, for error messages.
QString tail(const QString &text, int lines = 8)
{
    QStringList all = text.trimmed().split(QLatin1Char('\n'));
    if (all.size() > lines)
        all = all.mid(all.size() - lines);
    return all.join(QLatin1Char('\n'));
}

QString fileTail(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    if (f.size() > 64 * 1024)
        f.seek(f.size() - 64 * 1024);
    return tail(QString::fromUtf8(f.readAll()));
}

bool safeSocketDir(const QString &dir)
{
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9_./-]+$"));
    const QString socket = dir + QStringLiteral("/.s.PGSQL.%1").arg(LocalCluster::kPort);
    return socket.toUtf8().size() <= kMaxSocketPathBytes && safe.match(dir).hasMatch();
}

struct Output {
    int exitCode = -1;
    QString text;  // stdout and stderr merged
};

// Runs `program arguments` as the server's OS user from "/" (a cwd the user cannot read, e.g. /root, makes the
// PostgreSQL programs complain). Never hangs: killed after the timeout.
Output runAsServerUser(const ServerUser &user, const QString &program, const QStringList &arguments)
{
    const auto [command, args] = commandAsServerUser(user, program, arguments);
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(QStringLiteral("/"));
    process.start(command, args);
    if (!process.waitForStarted())
        return {-1, QStringLiteral("cannot run %1: %2").arg(command, process.errorString())};
    if (!process.waitForFinished(kProgramTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {-1, QStringLiteral("%1 did not finish within %2 s and was stopped")
                        .arg(QFileInfo(program).fileName())
                        .arg(kProgramTimeoutMs / 1000)};
    }
    const QString text = QString::fromLocal8Bit(process.readAll());
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, text};
}

// postmaster.pid: pid, data dir, start time, port, socket dir, listen address, shmem key, status.
struct PidFile {
    qint64 pid = 0;
    QString socketDir;
    QString state;
};

std::optional<PidFile> readPidFile(const QString &dataDir)
{
    QFile f(QDir(dataDir).filePath(QStringLiteral("postmaster.pid")));
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'));
    PidFile pid;
    pid.pid = lines.value(0).trimmed().toLongLong();
    pid.socketDir = lines.value(4).trimmed();
    pid.state = lines.value(7).trimmed();
    if (pid.pid <= 0)
        return std::nullopt;
    return pid;
}

bool processAlive(qint64 pid)
{
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}

// Creates the 'botdesk' database unless it exists (initdb makes only postgres, template0 and template1).
Result<void> ensureDatabase(const QString &socketDir)
{
    const QByteArray conninfo = QStringLiteral("host='%1' port=%2 dbname=postgres user=%3 connect_timeout=30")
                                    .arg(socketDir, QString::number(LocalCluster::kPort), QLatin1String(LocalCluster::kUser))
                                    .toUtf8();
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.constData()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK)
        return makeError(QStringLiteral("cannot connect to BotDesk's local server in %1: %2")
                             .arg(socketDir, QString::fromUtf8(PQerrorMessage(conn.get())).trimmed()));
    const auto exec = [&](const char *sql) -> Result<bool> {
        std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.get(), sql), &PQclear);
        const ExecStatusType s = PQresultStatus(r.get());
        if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK)
            return makeError(QStringLiteral("cannot create the 'botdesk' database in BotDesk's local server: %1")
                                 .arg(QString::fromUtf8(PQerrorMessage(conn.get())).trimmed()));
        return PQntuples(r.get()) > 0;
    };
    auto exists = exec("SELECT 1 FROM pg_database WHERE datname = 'botdesk'");
    if (!exists)
        return exists.error();
    if (!*exists) {
        auto created = exec("CREATE DATABASE botdesk");
        if (!created)
            return created.error();
    }
    return {};
}

// Waits for `lock` (another process starting or stopping the cluster). Stale only when its process is gone, however
// long an initdb takes.
Result<void> takeLock(QLockFile &lock, const QString &path)
{
    lock.setStaleLockTime(0);
    if (lock.tryLock(kLockWaitMs))
        return {};
    if (lock.error() != QLockFile::LockFailedError)
        return makeError(QStringLiteral("cannot create the lock file %1; check its folder's permissions, or set "
                                        "BOTDESK_HOME to a writable folder").arg(path));
    qint64 pid = 0;
    QString host, app;
    lock.getLockInfo(&pid, &host, &app);
    return makeError(QStringLiteral("another BotDesk process (pid %1, %2) has been starting or stopping the local "
                                    "database for over %3 s; wait for it, or delete %4 if that process is gone")
                         .arg(QString::number(pid), app, QString::number(kLockWaitMs / 1000), path));
}

} // namespace

LocalCluster::LocalCluster(Options options)
{
    QString home = options.home.isEmpty() ? qEnvironmentVariable("BOTDESK_HOME") : options.home;
    if (home.isEmpty())
        home = QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)).filePath(QStringLiteral("botdesk"));
    m_home = QDir::cleanPath(QFileInfo(home).absoluteFilePath());
    m_binDir = options.binDir.isEmpty() ? qEnvironmentVariable("BOTDESK_PG_BINDIR") : options.binDir;
    if (m_binDir.isEmpty())
        m_binDir = QString::fromLatin1(kDefaultBinDir);
}

Result<LocalClusterLayout> LocalCluster::layout() const
{
    auto user = serverUser();
    if (!user)
        return user.error();
    LocalClusterLayout l;
    l.home = m_home;
    l.stateDir = QDir(m_home).filePath(QStringLiteral("postgres"));
    l.clusterDir = l.stateDir;
    QFile location(QDir(l.stateDir).filePath(QStringLiteral("LOCATION")));
    if (location.open(QIODevice::ReadOnly)) {
        const QString recorded = QString::fromUtf8(location.readAll()).trimmed();
        if (!QDir::isAbsolutePath(recorded))
            return makeError(QStringLiteral("%1 does not hold an absolute folder ('%2'); delete it (BotDesk then finds "
                                            "the cluster again)").arg(location.fileName(), recorded));
        l.clusterDir = recorded;
    } else if (!canTraverse(l.stateDir, *user)) {
        l.clusterDir = QStringLiteral("/var/lib/botdesk/clusters/") + hex16(m_home);
    }
    l.relocated = l.clusterDir != l.stateDir;
    l.dataDir = QDir(l.clusterDir).filePath(QStringLiteral("data"));
    l.logFile = QDir(l.clusterDir).filePath(QStringLiteral("server.log"));
    l.socketDir = QDir(l.clusterDir).filePath(QStringLiteral("socket"));
    if (!safeSocketDir(l.socketDir))
        l.socketDir = QStringLiteral("/tmp/botdesk-%1-%2").arg(geteuid()).arg(hex16(l.dataDir));
    return l;
}

Result<LocalClusterStatus> LocalCluster::status() const
{
    auto l = layout();
    if (!l)
        return l.error();
    LocalClusterStatus s;
    s.layout = *l;
    s.socketDir = l->socketDir;
    s.initialized = QFileInfo::exists(QDir(l->dataDir).filePath(QStringLiteral("PG_VERSION")));
    if (const auto pid = readPidFile(l->dataDir); pid && processAlive(pid->pid)) {
        s.running = true;
        s.pid = pid->pid;
        s.serverState = pid->state;
        if (!pid->socketDir.isEmpty())
            s.socketDir = pid->socketDir;
    }
    return s;
}

Result<void> LocalCluster::checkPrograms() const
{
    for (const char *program : {"initdb", "pg_ctl", "postgres"}) {
        const QFileInfo info(QDir(m_binDir).filePath(QLatin1String(program)));
        if (!info.isFile() || !info.isExecutable())
            return makeError(QStringLiteral("PostgreSQL's server programs are not in %1 (%2 is missing; BotDesk needs "
                                            "initdb, pg_ctl and postgres 15); install postgresql-15 "
                                            "(scripts/install-deps.sh), or set BOTDESK_PG_BINDIR to the folder that "
                                            "holds them")
                                 .arg(m_binDir, QLatin1String(program)));
    }
    return {};
}

Result<LocalClusterStart> LocalCluster::start()
{
    static const auto log = logging::get("db");
    if (auto programs = checkPrograms(); !programs)
        return programs.error();
    auto user = serverUser();
    if (!user)
        return user.error();
    auto l = layout();
    if (!l)
        return l.error();

    // The state folder holds the lock; when it is also the cluster folder it belongs to the server's user.
    if (l->relocated && !QDir().mkpath(l->stateDir))
        return makeError(QStringLiteral("cannot create the folder %1; set BOTDESK_HOME to a writable folder").arg(l->stateDir));
    if (!l->relocated) {
        if (auto made = makePrivateDirectory(l->stateDir, *user); !made)
            return made.error();
    }
    const QString lockPath = QDir(l->stateDir).filePath(QStringLiteral("cluster.lock"));
    QLockFile lock(lockPath);
    if (auto locked = takeLock(lock, lockPath); !locked)
        return locked.error();

    auto before = status();
    if (!before)
        return before.error();
    if (before->running)
        return LocalClusterStart{*before, false, false};

    if (l->relocated) {
        QDir().mkpath(QFileInfo(l->clusterDir).path());
        if (auto made = makePrivateDirectory(l->clusterDir, *user); !made)
            return made.error();
        QSaveFile location(QDir(l->stateDir).filePath(QStringLiteral("LOCATION")));
        if (!location.open(QIODevice::WriteOnly) || location.write(l->clusterDir.toUtf8() + '\n') < 0
            || !location.commit())
            return makeError(QStringLiteral("cannot write %1: %2").arg(location.fileName(), location.errorString()));
        log->info("the local database lives in {} ({} is not reachable by the '{}' user that runs the server)",
                  l->clusterDir.toStdString(), l->stateDir.toStdString(), user->name.toStdString());
    }
    if (auto made = makePrivateDirectory(l->socketDir, *user); !made)
        return made.error();

    const QString pgCtl = QDir(m_binDir).filePath(QStringLiteral("pg_ctl"));
    bool initialized = false;
    if (!before->initialized) {
        log->info("creating BotDesk's local database in {}", l->dataDir.toStdString());
        const Output out = runAsServerUser(
            *user, QDir(m_binDir).filePath(QStringLiteral("initdb")),
            {QStringLiteral("-D"), l->dataDir, QStringLiteral("-U"), QLatin1String(kUser),
             QStringLiteral("--auth-local=trust"), QStringLiteral("--auth-host=reject"), QStringLiteral("-E"),
             QStringLiteral("UTF8"), QStringLiteral("--locale=C"), QStringLiteral("--no-instructions")});
        if (out.exitCode != 0)
            return makeError(QStringLiteral("cannot create BotDesk's local database in %1 (initdb failed):\n%2\nfix the "
                                            "cause above, or set BOTDESK_HOME to another folder")
                                 .arg(l->dataDir, tail(out.text)));
        // Even when started by hand (pg_ctl -D ...), the server listens on no TCP port.
        QFile conf(QDir(l->dataDir).filePath(QStringLiteral("postgresql.conf")));
        if (!conf.open(QIODevice::Append) || conf.write("\n# BotDesk: Unix socket only\nlisten_addresses = ''\n") < 0)
            return makeError(QStringLiteral("cannot write %1: %2").arg(conf.fileName(), conf.errorString()));
        initialized = true;
    }

    log->info("starting BotDesk's local database ({})", l->dataDir.toStdString());
    const QString serverOptions =
        QStringLiteral("-c listen_addresses='' -c port=%1 -c unix_socket_directories=%2 -c unix_socket_permissions=0700")
            .arg(kPort)
            .arg(l->socketDir);
    const Output out = runAsServerUser(*user, pgCtl,
                                       {QStringLiteral("start"), QStringLiteral("-D"), l->dataDir, QStringLiteral("-l"),
                                        l->logFile, QStringLiteral("-w"), QStringLiteral("-t"),
                                        QString::number(kPgCtlWaitSeconds), QStringLiteral("-s"), QStringLiteral("-o"),
                                        serverOptions});
    if (out.exitCode != 0)
        return makeError(QStringLiteral("cannot start BotDesk's local database in %1 (pg_ctl failed): %2\nserver.log "
                                        "ends with:\n%3\nfix the cause above, then run 'botdesk-cli db start'")
                             .arg(l->dataDir, tail(out.text), fileTail(l->logFile)));
    auto after = status();
    if (!after)
        return after.error();
    if (!after->running)
        return makeError(QStringLiteral("BotDesk's local database in %1 stopped right after starting; server.log ends "
                                        "with:\n%2")
                             .arg(l->dataDir, fileTail(l->logFile)));
    if (auto db = ensureDatabase(after->socketDir); !db)
        return db.error();
    log->info("BotDesk's local database is running (pid {}, socket {})", after->pid, after->socketDir.toStdString());
    return LocalClusterStart{*after, true, initialized};
}

Result<LocalClusterStatus> LocalCluster::stop()
{
    static const auto log = logging::get("db");
    auto before = status();
    if (!before)
        return before.error();
    if (!before->running)
        return *before;
    if (auto programs = checkPrograms(); !programs)
        return programs.error();
    auto user = serverUser();
    if (!user)
        return user.error();
    const QString lockPath = QDir(before->layout.stateDir).filePath(QStringLiteral("cluster.lock"));
    QLockFile lock(lockPath);
    if (auto locked = takeLock(lock, lockPath); !locked)
        return locked.error();
    const Output out = runAsServerUser(*user, QDir(m_binDir).filePath(QStringLiteral("pg_ctl")),
                                       {QStringLiteral("stop"), QStringLiteral("-D"), before->layout.dataDir,
                                        QStringLiteral("-m"), QStringLiteral("fast"), QStringLiteral("-w"),
                                        QStringLiteral("-t"), QString::number(kPgCtlWaitSeconds), QStringLiteral("-s")});
    auto after = status();
    if (!after)
        return after.error();
    if (after->running)
        return makeError(QStringLiteral("cannot stop BotDesk's local database (pid %1, data in %2): %3")
                             .arg(after->pid)
                             .arg(after->layout.dataDir, tail(out.text)));
    log->info("stopped BotDesk's local database ({})", after->layout.dataDir.toStdString());
    return *after;
}

DatabaseUrl LocalCluster::urlFor(const LocalClusterStatus &status)
{
    DatabaseUrl url;
    url.user = QLatin1String(kUser);
    url.dbname = QLatin1String(kDatabase);
    url.host = status.socketDir;
    url.port = kPort;
    return url;
}

} // namespace bd
