#include "pgharness.h"

#include "database.h"
#include "localcluster.h"
#include "serveruser.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QThread>

#include <csignal>

namespace bd {

namespace {

constexpr int kReadyTimeoutMs = 30000;
constexpr qsizetype kMaxSocketPathBytes = 107;

QString logTail(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("(no server log)");
    QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split(QLatin1Char('\n'));
    if (lines.size() > 10)
        lines = lines.mid(lines.size() - 10);
    return lines.join(QLatin1Char('\n'));
}

QString programPath(const char *name)
{
    const QString bin = qEnvironmentVariable("BOTDESK_PG_BINDIR", QString::fromLatin1(LocalCluster::kDefaultBinDir));
    return QDir(bin).filePath(QLatin1String(name));
}

} // namespace

PgHarness::~PgHarness()
{
    if (isRunning())
        (void)stopServer();
    m_server.reset();
    m_dir.reset();  // removes the folder (root may remove the postgres-owned files in it)
}

Result<void> PgHarness::start()
{
    QElapsedTimer timer;
    timer.start();
    auto user = serverUser();
    if (!user)
        return user.error();
    QString base = QDir::tempPath();
    if (!canTraverse(base, *user)
        || (base + QStringLiteral("/botdesk-pgtest-XXXXXX/.s.PGSQL.5432")).toUtf8().size() > kMaxSocketPathBytes)
        base = QStringLiteral("/tmp");
    m_dir = std::make_unique<QTemporaryDir>(base + QStringLiteral("/botdesk-pgtest-XXXXXX"));
    if (!m_dir->isValid())
        return makeError(QStringLiteral("cannot create a temporary folder in %1: %2").arg(base, m_dir->errorString()));
    if (auto made = makePrivateDirectory(m_dir->path(), *user); !made)
        return made.error();

    const auto [program, args] = commandAsServerUser(
        *user, programPath("initdb"),
        {QStringLiteral("-D"), dataDir(), QStringLiteral("-U"), QString::fromLatin1(kSuperuser),
         QStringLiteral("--auth-local=trust"), QStringLiteral("--auth-host=reject"), QStringLiteral("-E"),
         QStringLiteral("UTF8"), QStringLiteral("--locale=C"), QStringLiteral("--no-sync"),
         QStringLiteral("--no-instructions")});
    QProcess initdb;
    initdb.setProcessChannelMode(QProcess::MergedChannels);
    initdb.setWorkingDirectory(m_dir->path());
    initdb.start(program, args);
    if (!initdb.waitForFinished(60000) || initdb.exitStatus() != QProcess::NormalExit || initdb.exitCode() != 0)
        return makeError(QStringLiteral("initdb failed for the test cluster in %1: %2 %3")
                             .arg(dataDir(), initdb.errorString(), QString::fromLocal8Bit(initdb.readAll())));
    if (auto started = startServer(); !started)
        return started;
    m_startMs = timer.elapsed();
    return {};
}

Result<void> PgHarness::startServer()
{
    if (!m_dir)
        return makeError(QStringLiteral("the test cluster was not created; call start() first"));
    if (isRunning())
        return {};
    auto user = serverUser();
    if (!user)
        return user.error();
    QStringList args{QStringLiteral("--pdeathsig=INT")};
    if (!user->isCurrentUser)
        args << QStringLiteral("--reuid=%1").arg(user->uid) << QStringLiteral("--regid=%1").arg(user->gid)
             << QStringLiteral("--init-groups");
    args << programPath("postgres") << QStringLiteral("-D") << dataDir();
    for (const QString &setting :
         {QStringLiteral("listen_addresses="), QStringLiteral("unix_socket_directories=") + socketDir(),
          QStringLiteral("port=%1").arg(LocalCluster::kPort), QStringLiteral("fsync=off"),
          QStringLiteral("synchronous_commit=off"), QStringLiteral("full_page_writes=off"),
          QStringLiteral("max_connections=60"), QStringLiteral("shared_buffers=32MB")})
        args << QStringLiteral("-c") << setting;
    m_server = std::make_unique<QProcess>();
    m_server->setProcessChannelMode(QProcess::MergedChannels);
    m_server->setStandardOutputFile(socketDir() + QStringLiteral("/server.log"), QIODevice::Append);
    m_server->setWorkingDirectory(socketDir());
    m_server->start(QStringLiteral("setpriv"), args);
    if (!m_server->waitForStarted())
        return makeError(QStringLiteral("cannot run setpriv to start the test cluster: %1; install util-linux")
                             .arg(m_server->errorString()));
    return waitUntilReady();
}

Result<void> PgHarness::waitUntilReady()
{
    // postmaster.pid's 8th line becomes "ready" once the server accepts connections (what pg_ctl -w waits for).
    const QDeadlineTimer deadline(kReadyTimeoutMs);
    while (!deadline.hasExpired()) {
        if (m_server->state() == QProcess::NotRunning)
            return makeError(QStringLiteral("the test cluster's server exited at start:\n%1")
                                 .arg(logTail(socketDir() + QStringLiteral("/server.log"))));
        QFile pid(dataDir() + QStringLiteral("/postmaster.pid"));
        if (pid.open(QIODevice::ReadOnly)) {
            const QStringList lines = QString::fromUtf8(pid.readAll()).split(QLatin1Char('\n'));
            if (lines.size() > 7 && lines[7].trimmed() == QLatin1String("ready")
                && lines[0].trimmed().toLongLong() == m_server->processId())
                return {};
        }
        QThread::msleep(5);
    }
    return makeError(QStringLiteral("the test cluster was not ready within %1 s:\n%2")
                         .arg(kReadyTimeoutMs / 1000)
                         .arg(logTail(socketDir() + QStringLiteral("/server.log"))));
}

bool PgHarness::isRunning() const
{
    return m_server && m_server->state() != QProcess::NotRunning;
}

Result<void> PgHarness::stopServer()
{
    if (!isRunning())
        return {};
    ::kill(pid_t(m_server->processId()), SIGINT);  // fast shutdown
    if (!m_server->waitForFinished(30000)) {
        m_server->kill();
        m_server->waitForFinished();
        return makeError(QStringLiteral("the test cluster did not stop within 30 s and was killed"));
    }
    return {};
}

DatabaseUrl PgHarness::url(const QString &dbname, const QString &user) const
{
    DatabaseUrl u;
    u.host = socketDir();
    u.port = LocalCluster::kPort;
    u.user = user;
    u.dbname = dbname;
    return u;
}

DatabaseTarget PgHarness::target(const DatabaseUrl &url) const
{
    return DatabaseTarget{DatabaseTarget::Kind::Url, url, QStringLiteral("the test harness")};
}

Result<void> PgHarness::execAsSuperuser(const QString &sql, const QString &dbname)
{
    Database::Options options;
    options.purpose = QStringLiteral("harness");
    Database db(target(dbname), options);
    return db.execScript(sql);
}

Result<DatabaseUrl> PgHarness::createDatabase(const QString &name)
{
    const QString quoted = QLatin1Char('"') + QString(name).replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
    // DROP/CREATE DATABASE cannot run in a transaction block, so one statement each.
    if (auto dropped = execAsSuperuser(QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(quoted)); !dropped)
        return dropped.error();
    if (auto created = execAsSuperuser(QStringLiteral("CREATE DATABASE %1").arg(quoted)); !created)
        return created.error();
    return url(name);
}

Result<void> PgHarness::createLoginRole(const QString &name, const QStringList &memberOf)
{
    QString sql = QStringLiteral("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%1') THEN "
                                 "CREATE ROLE \"%1\" LOGIN; END IF; END $$;")
                      .arg(name);
    for (const QString &role : memberOf)
        sql += QStringLiteral(" GRANT \"%1\" TO \"%2\";").arg(role, name);
    return execAsSuperuser(sql);
}

} // namespace bd
