// LocalCluster: BotDesk's private PostgreSQL cluster in a temporary BOTDESK_HOME (never the user's): where it lives
// (socket path rules, root's relocation), stopped -> start -> running, a second start changes nothing, connect and
// migrate, stop, start again on the same data; a Database on the local target starts it on demand; missing server
// programs give a clear error.

#include "database.h"
#include "localcluster.h"
#include "migrator.h"
#include "resultcheck.h"
#include "serveruser.h"

#include <QtTest>

#include <QCryptographicHash>
#include <QTemporaryDir>

#include <sys/stat.h>
#include <unistd.h>

using namespace bd;

namespace {

QString hex16(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex().left(16));
}

// A BOTDESK_HOME the server's user can reach (a QTemporaryDir is 0700, which 'postgres' cannot enter when we are root).
std::unique_ptr<QTemporaryDir> reachableHome()
{
    auto dir = std::make_unique<QTemporaryDir>(QStringLiteral("/tmp/botdesk-home-XXXXXX"));
    ::chmod(QFile::encodeName(dir->path()).constData(), 0755);
    return dir;
}

mode_t modeOf(const QString &path)
{
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? (st.st_mode & 07777) : 0;
}

} // namespace

class TestLocalCluster : public QObject {
    Q_OBJECT
    std::unique_ptr<QTemporaryDir> m_home;
    QStringList m_toStop;        // homes whose clusters must not outlive the test
    QStringList m_toRemove;      // relocated cluster folders (outside the temporary homes)

private slots:
    void initTestCase()
    {
        m_home = reachableHome();
        QVERIFY(m_home->isValid());
        qputenv("BOTDESK_HOME", QFile::encodeName(m_home->path()));
        qunsetenv("BOTDESK_PG_BINDIR");
    }

    void cleanupTestCase()
    {
        for (const QString &home : m_toStop)
            (void)LocalCluster({home, {}}).stop();
        for (const QString &dir : m_toRemove)
            QDir(dir).removeRecursively();
    }

    void layoutFollowsTheRules()
    {
        auto user = serverUser();
        QVERIFY_OK(user);
        auto layout = LocalCluster().layout();
        QVERIFY_OK(layout);
        QCOMPARE(layout->home, m_home->path());
        QCOMPARE(layout->stateDir, m_home->path() + "/postgres");
        QCOMPARE(layout->clusterDir, layout->stateDir);
        QCOMPARE(layout->dataDir, m_home->path() + "/postgres/data");
        QCOMPARE(layout->logFile, m_home->path() + "/postgres/server.log");
        QCOMPARE(layout->socketDir, m_home->path() + "/postgres/socket");
        QVERIFY(!layout->relocated);

        // A socket path over 107 bytes, or one with characters the server's command line would need quoted, moves
        // the socket to /tmp/botdesk-<uid>-<16 hex of sha256(data dir)>.
        const QString longHome = m_home->path() + "/" + QString(90, QLatin1Char('h'));
        auto deep = LocalCluster({longHome, {}}).layout();
        QVERIFY_OK(deep);
        QCOMPARE(deep->dataDir, longHome + "/postgres/data");
        QCOMPARE(deep->socketDir, QStringLiteral("/tmp/botdesk-%1-%2").arg(geteuid()).arg(hex16(deep->dataDir)));
        const QString spaced = m_home->path() + "/my home";
        auto withSpace = LocalCluster({spaced, {}}).layout();
        QVERIFY_OK(withSpace);
        QVERIFY(withSpace->socketDir.startsWith(QStringLiteral("/tmp/botdesk-%1-").arg(geteuid())));
        // A relative home is made absolute.
        auto relative = LocalCluster({QStringLiteral("relative/home"), {}}).layout();
        QVERIFY_OK(relative);
        QCOMPARE(relative->home, QDir::current().absoluteFilePath("relative/home"));

        // LOCATION, when present, says where the cluster is.
        const QString recorded = m_home->path() + "/elsewhere";
        QVERIFY(QDir().mkpath(m_home->path() + "/located/postgres"));
        QFile location(m_home->path() + "/located/postgres/LOCATION");
        QVERIFY(location.open(QIODevice::WriteOnly));
        location.write(recorded.toUtf8() + "\n");
        location.close();
        auto located = LocalCluster({m_home->path() + "/located", {}}).layout();
        QVERIFY_OK(located);
        QCOMPARE(located->clusterDir, recorded);
        QCOMPARE(located->dataDir, recorded + "/data");
        QVERIFY(located->relocated);
    }

    void missingServerProgramsAreAClearError()
    {
        LocalCluster cluster({m_home->path() + "/nobin", QStringLiteral("/nonexistent/pg/bin")});
        auto started = cluster.start();
        QVERIFY(!started);
        QCOMPARE(started.error().message,
                 QStringLiteral("PostgreSQL's server programs are not in /nonexistent/pg/bin (initdb is missing; BotDesk "
                                "needs initdb, pg_ctl and postgres 15); install postgresql-15 (scripts/install-deps.sh), "
                                "or set BOTDESK_PG_BINDIR to the folder that holds them"));
        QVERIFY(!QFileInfo::exists(m_home->path() + "/nobin/postgres/data"));

        qputenv("BOTDESK_PG_BINDIR", "/nonexistent/env/bin");
        auto fromEnvironment = LocalCluster({m_home->path() + "/nobin", {}}).start();
        qunsetenv("BOTDESK_PG_BINDIR");
        QVERIFY(!fromEnvironment);
        QVERIFY2(fromEnvironment.error().message.contains("not in /nonexistent/env/bin"), qPrintable(fromEnvironment.error().message));
    }

    void lifecycle()
    {
        m_toStop << m_home->path();
        LocalCluster cluster;  // BOTDESK_HOME
        auto before = cluster.status();
        QVERIFY_OK(before);
        QVERIFY(!before->initialized);
        QVERIFY(!before->running);
        QCOMPARE(before->pid, qint64(0));

        QElapsedTimer timer;
        timer.start();
        auto started = cluster.start();
        QVERIFY_OK(started);
        qInfo("first start (initdb + start + create database): %lld ms", timer.elapsed());
        QVERIFY(started->started);
        QVERIFY(started->initialized);
        QVERIFY(started->status.running);
        QVERIFY(started->status.pid > 0);
        QCOMPARE(started->status.serverState, QStringLiteral("ready"));
        QCOMPARE(started->status.socketDir, m_home->path() + "/postgres/socket");
        QVERIFY(QFileInfo::exists(m_home->path() + "/postgres/socket/.s.PGSQL.5432"));
        QCOMPARE(modeOf(m_home->path() + "/postgres/socket"), mode_t(0700));
        QCOMPARE(modeOf(m_home->path() + "/postgres/data"), mode_t(0700));
        QVERIFY(QFileInfo::exists(m_home->path() + "/postgres/server.log"));

        // Another LocalCluster (as another process would) sees it running; a second start changes nothing.
        auto seen = LocalCluster().status();
        QVERIFY_OK(seen);
        QVERIFY(seen->running && seen->initialized);
        QCOMPARE(seen->pid, started->status.pid);
        timer.restart();
        auto again = cluster.start();
        QVERIFY_OK(again);
        QVERIFY(!again->started);
        QVERIFY(!again->initialized);
        QCOMPARE(again->status.pid, started->status.pid);
        qInfo("start when running: %lld ms", timer.elapsed());

        // Connect and migrate like BotDesk: the local target, the 'botdesk' database, superuser 'botdesk'.
        {
            Database db(DatabaseTarget{}, {});
            auto ensured = Migrator(db).ensureSchema();  // the local database is migrated at once
            QVERIFY_OK(ensured);
            QCOMPARE(*ensured, Migrator::latestCompiledVersion());
            auto migrated = Migrator(db).migrate();
            QVERIFY_OK(migrated);
            QVERIFY(migrated->applied.isEmpty());
            QCOMPARE(migrated->toVersion, Migrator::latestCompiledVersion());
            QVERIFY2(db.describe().startsWith(QStringLiteral("BotDesk's local database (postgresql://botdesk@:5432/botdesk?host=%1/postgres/socket)")
                                                  .arg(m_home->path())),
                     qPrintable(db.describe()));
            auto who = db.scalar("SELECT current_user || ' ' || current_database() || ' ' || current_setting('listen_addresses') || '|'");
            QVERIFY_OK(who);
            QCOMPARE(who->toString(), QStringLiteral("botdesk botdesk |"));  // no TCP listener
            QVERIFY_OK(db.exec("INSERT INTO bots (name, strategy_template) VALUES ('keep', 'ema_crossover')"));
        }

        timer.restart();
        auto stopped = cluster.stop();
        QVERIFY_OK(stopped);
        qInfo("stop: %lld ms", timer.elapsed());
        QVERIFY(!stopped->running);
        QVERIFY(stopped->initialized);
        QVERIFY(!QFileInfo::exists(m_home->path() + "/postgres/socket/.s.PGSQL.5432"));
        auto stoppedAgain = cluster.stop();  // nothing to do
        QVERIFY_OK(stoppedAgain);
        QVERIFY(!stoppedAgain->running);

        // Started again on the same data: no initdb, the schema and the row are still there.
        timer.restart();
        auto restarted = cluster.start();
        QVERIFY_OK(restarted);
        qInfo("start of an existing cluster: %lld ms", timer.elapsed());
        QVERIFY(restarted->started);
        QVERIFY(!restarted->initialized);
        {
            Database db(DatabaseTarget{}, {});
            auto version = Migrator(db).currentVersion();
            QVERIFY_OK(version);
            QCOMPARE(*version, Migrator::latestCompiledVersion());
            auto kept = db.scalar("SELECT count(*) FROM bots WHERE name = 'keep'");
            QVERIFY_OK(kept);
            QCOMPARE(kept->toInt(), 1);
        }
        QVERIFY_OK(cluster.stop());
    }

    // A Database on the local target starts the stopped cluster when it needs it (and only when allowed to).
    void startsOnDemand()
    {
        m_toStop << m_home->path();
        LocalCluster cluster;
        auto status = cluster.status();
        QVERIFY_OK(status);
        QVERIFY(status->initialized);
        QVERIFY(!status->running);

        Database::Options noStart;
        noStart.startLocalCluster = false;
        Database refused(DatabaseTarget{}, noStart);
        auto r = refused.exec("SELECT 1");
        QVERIFY(!r);
        QCOMPARE(refused.lastFailure().kind, DatabaseFailure::Kind::Unreachable);
        QCOMPARE(r.error().message, QStringLiteral("BotDesk's local database (%1/postgres/data) is not running; start it with "
                                                   "'botdesk-cli db start', or give --db / BOTDESK_DB_URL")
                                        .arg(m_home->path()));

        Database db(DatabaseTarget{}, {});
        auto one = db.scalar("SELECT 1");
        QVERIFY_OK(one);
        QCOMPARE(one->toInt(), 1);
        auto after = cluster.status();
        QVERIFY_OK(after);
        QVERIFY(after->running);

        // Stopped under an idle connection (botdesk-cli db stop from another terminal): the next operation starts
        // the cluster again and reconnects.
        QVERIFY_OK(cluster.stop());
        auto again = db.scalar("SELECT 2");
        QVERIFY_OK(again);
        QCOMPARE(again->toInt(), 2);
        QVERIFY_OK(cluster.stop());
    }

    // As root, a home the 'postgres' user cannot enter (a 0700 folder, like /root) puts the cluster under
    // /var/lib/botdesk/clusters/<16 hex of sha256(home)> and records it in <home>/postgres/LOCATION.
    void rootRelocatesAnUnreachableHome()
    {
        if (geteuid() != 0)
            QSKIP("only as root: a normal user runs the server as themselves, in their own home");
        QTemporaryDir privateHome(QStringLiteral("/tmp/botdesk-private-XXXXXX"));  // 0700
        QVERIFY(privateHome.isValid());
        const QString home = privateHome.path();
        const QString expected = QStringLiteral("/var/lib/botdesk/clusters/") + hex16(home);
        m_toStop.prepend(home);
        m_toRemove << expected;
        LocalCluster cluster({home, {}});
        auto layout = cluster.layout();
        QVERIFY_OK(layout);
        QVERIFY(layout->relocated);
        QCOMPARE(layout->clusterDir, expected);

        auto started = cluster.start();
        QVERIFY_OK(started);
        QVERIFY(started->status.running);
        QFile location(home + "/postgres/LOCATION");
        QVERIFY(location.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(location.readAll()).trimmed(), expected);
        QVERIFY(QFileInfo::exists(expected + "/data/PG_VERSION"));
        QCOMPARE(QFileInfo(expected + "/data").ownerId(), serverUser()->uid);

        Database::Options options;
        options.cluster.home = home;
        Database db(DatabaseTarget{}, options);
        QVERIFY_OK(Migrator(db).migrate());
        QVERIFY_OK(cluster.stop());
        auto status = LocalCluster({home, {}}).status();  // found again through LOCATION
        QVERIFY_OK(status);
        QVERIFY(status->initialized && !status->running);
        QCOMPARE(status->layout.dataDir, expected + "/data");
    }
};

QTEST_GUILESS_MAIN(TestLocalCluster)
#include "tst_localcluster.moc"
