// The Bots view's models (under QAbstractItemModelTester) and BotLibrary, the GUI thread's facade over a BotStore,
// on real PostgreSQL 15 (a throwaway cluster, pgharness.h; a fresh database per case) through the store the app
// wires (app/databasebotstore.h): answers on the GUI thread, calls on one worker thread, latest listing wins, errors
// delivered with the store's message, recovery after the server stopped and came back, a missing store, and a
// library destroyed while its call waits on a lock held by another connection.

#include "botlibrary.h"
#include "botlistmodel.h"
#include "codehash.h"
#include "database.h"
#include "databasebotstore.h"
#include "pgbotstore.h"
#include "pgharness.h"
#include "resultcheck.h"
#include "runlistmodel.h"
#include "strategyregistry.h"
#include "versionlistmodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QMutex>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include <cmath>
#include <limits>

using namespace bd;

namespace {

BacktestRunSummary summary(double net, int trades, double pf, qint64 started)
{
    BacktestRunSummary s;
    s.id = QUuid::createUuid();
    s.botName = QStringLiteral("alpha");
    s.codeHash = QString(64, QLatin1Char('a'));
    s.symbol = QStringLiteral("EURUSD");
    s.status = RunStatus::Completed;
    s.startedAtMs = started;
    s.durationMs = 1500;
    s.totalTrades = trades;
    s.netProfit = net;
    s.profitFactor = pf;
    s.maxDrawdownPercent = 3.5;
    s.sharpeRatio = 0.4;
    return s;
}

QStringList column(const QAbstractItemModel &model, int col)
{
    QStringList out;
    for (int r = 0; r < model.rowCount(); ++r)
        out << model.index(r, col).data().toString();
    return out;
}

} // namespace

class TestBotLibrary : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY_OK(m_pg.start());
        qInfo("throwaway cluster started in %lld ms", m_pg.startMs());
    }

    void runListSortsNumerically()
    {
        RunListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRuns({summary(1234.5, 12, 1.8, 3000), summary(95.0, 3, std::numeric_limits<double>::infinity(), 1000),
                       summary(-3.0, 140, 0.7, 2000)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(1, RunListModel::ProfitFactorColumn).data().toString(), QStringLiteral("∞"));
        QSortFilterProxyModel proxy;
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setSortRole(RunListModel::SortRole);

        proxy.sort(RunListModel::NetProfitColumn, Qt::AscendingOrder);
        // As text "-3.00" < "1 234.50" < "95.00"; as numbers -3 < 95 < 1234.5.
        QCOMPARE(column(proxy, RunListModel::NetProfitColumn),
                 (QStringList{QStringLiteral("-3.00"), QStringLiteral("95.00"), QStringLiteral("1 234.50")}));
        proxy.sort(RunListModel::TradesColumn, Qt::DescendingOrder);
        QCOMPARE(column(proxy, RunListModel::TradesColumn), (QStringList{"140", "12", "3"}));
        proxy.sort(RunListModel::ProfitFactorColumn, Qt::AscendingOrder);
        QCOMPARE(column(proxy, RunListModel::ProfitFactorColumn), (QStringList{"0.70", "1.80", "∞"}));
        proxy.sort(RunListModel::StartedColumn, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, 0).data(RunListModel::SortRole).toLongLong(), 1000);
        QCOMPARE(proxy.index(0, 0).data(RunListModel::IdRole).toUuid(), model.runs()[1].id);

        model.clear();
        QCOMPARE(proxy.rowCount(), 0);
    }

    void botAndVersionModels()
    {
        BotListModel bots;
        QAbstractItemModelTester botTester(&bots, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Bot a;
        a.id = QUuid::createUuid();
        a.name = QStringLiteral("alpha");
        a.strategyTemplate = QStringLiteral("ema_crossover");
        a.createdAtMs = 1704153600000;  // 2024-01-02 00:00 UTC
        a.versionCount = 3;
        bots.setBots({a});
        QCOMPARE(bots.index(0, BotListModel::NameColumn).data().toString(), QStringLiteral("alpha"));
        QCOMPARE(bots.index(0, BotListModel::VersionsColumn).data(BotListModel::SortRole).toInt(), 3);
        QCOMPARE(bots.index(0, BotListModel::CreatedColumn).data().toString(), QStringLiteral("2024-01-02 00:00"));
        QCOMPARE(bots.rowOfName(QStringLiteral("alpha")), 0);
        QCOMPARE(bots.rowOfName(QStringLiteral("beta")), -1);

        VersionListModel versions;
        QAbstractItemModelTester versionTester(&versions, QAbstractItemModelTester::FailureReportingMode::QtTest);
        BotVersion parent;
        parent.id = QUuid::createUuid();
        parent.codeHash = QStringLiteral("0123456789abcdef") + QString(48, QLatin1Char('0'));
        BotVersion child;
        child.id = QUuid::createUuid();
        child.parentId = parent.id;
        child.codeHash = QStringLiteral("fedcba9876543210") + QString(48, QLatin1Char('1'));
        child.notes = QStringLiteral("slower EMA");
        child.params = QJsonObject{{QStringLiteral("slow"), 30}};
        BotVersion orphan = child;
        orphan.id = QUuid::createUuid();
        orphan.parentId = QUuid::createUuid();  // not in the list
        versions.setVersions(a.id, {child, parent, orphan});
        QCOMPARE(versions.index(0, VersionListModel::HashColumn).data().toString(), QStringLiteral("fedcba987654"));
        QCOMPARE(versions.index(0, VersionListModel::ParentColumn).data().toString(), QStringLiteral("0123456789ab"));
        QCOMPARE(versions.index(1, VersionListModel::ParentColumn).data().toString(), QStringLiteral("—"));
        QCOMPARE(versions.index(2, VersionListModel::ParentColumn).data().toString(),
                 orphan.parentId.toString(QUuid::WithoutBraces));
        QVERIFY(versions.index(0, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("{\"slow\":30}")));
        QCOMPARE(versions.botId(), a.id);
    }

    void createListSaveOnOneWorkerThread()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("worker"));
        QVERIFY_OK(url);
        const DatabaseTarget target = m_pg.target(*url);
        // The app's factory, wrapped only to see which thread asks for the store.
        QMutex mutex;
        QList<QThread *> factoryThreads;
        BotLibrary library([&, factory = makeDatabaseBotStoreFactory(target, QStringLiteral("library-worker"))] {
            QMutexLocker lock(&mutex);
            factoryThreads << QThread::currentThread();
            return factory();
        });
        QSignalSpy failed(&library, &BotLibrary::failed);

        QSignalSpy created(&library, &BotLibrary::botCreated);
        library.createBot(QStringLiteral("alpha"), QStringLiteral("ema_crossover"));
        QCOMPARE(library.pendingCount(), 1);
        QVERIFY(created.wait(10000));
        QCOMPARE(library.pendingCount(), 0);
        const Bot bot = created.at(0).at(0).value<Bot>();
        const BotVersion first = created.at(0).at(1).value<BotVersion>();
        QCOMPARE(bot.name, QStringLiteral("alpha"));
        QVERIFY(!first.id.isNull());
        QCOMPARE(first.codeHash, defaultVersionOf(QStringLiteral("ema_crossover"))->codeHash);

        QSignalSpy listed(&library, &BotLibrary::botsListed);
        library.refreshBots();
        QVERIFY(listed.wait(10000));
        const auto entries = listed.at(0).at(0).value<std::vector<Bot>>();
        QCOMPARE(entries.size(), size_t(1));
        QCOMPARE(entries[0].versionCount, 1);
        QCOMPARE(entries[0].latestHash, first.codeHash);

        // A changed parameter is a new version; the same content again is the existing one.
        QSignalSpy saved(&library, &BotLibrary::versionSaved);
        BotVersion draft;
        draft.botId = bot.id;
        draft.code = first.code;
        draft.params = QJsonObject{{QStringLiteral("fast"), 8}};
        draft.notes = QStringLiteral("faster");
        draft.parentId = first.id;
        library.saveVersion(draft);
        QVERIFY(saved.wait(10000));
        const BotVersion v2 = saved.at(0).at(0).value<BotVersion>();
        QVERIFY(saved.at(0).at(1).toBool());
        QCOMPARE(v2.codeHash, computeCodeHash(first.code, draft.params));
        QCOMPARE(v2.parentId, first.id);
        draft.notes = QStringLiteral("other notes, same content");
        library.saveVersion(draft);
        QVERIFY(saved.wait(10000));
        QVERIFY(!saved.at(1).at(1).toBool());
        QCOMPARE(saved.at(1).at(0).value<BotVersion>().id, v2.id);

        QSignalSpy versions(&library, &BotLibrary::versionsListed);
        library.refreshVersions(bot.id);
        QVERIFY(versions.wait(10000));
        const auto list = versions.at(0).at(1).value<std::vector<BotVersion>>();
        QCOMPARE(list.size(), size_t(2));
        QCOMPARE(list.front().id, v2.id);  // newest first

        QCOMPARE(failed.count(), 0);
        // One store, made on one thread that is not the GUI thread; its Database refuses (WrongThread) every call
        // from another thread, so no failure means every call ran there. The server saw one connection.
        {
            QMutexLocker lock(&mutex);
            QCOMPARE(factoryThreads.size(), 1);
            QVERIFY(factoryThreads.first() != QThread::currentThread());
        }
        Database probe(target);
        auto connections = probe.scalar(QStringLiteral("SELECT count(*) FROM pg_stat_activity "
                                                       "WHERE application_name = 'botdesk-library-worker'"));
        QVERIFY_OK(connections);
        QCOMPARE(connections->toInt(), 1);
    }

    void latestListingWins()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("latest"));
        QVERIFY_OK(url);
        const DatabaseTarget target = m_pg.target(*url);
        Database db(target);
        PgBotStore direct(db);
        const auto version = *defaultVersionOf(QStringLiteral("ema_crossover"));
        auto a = direct.createBot(QStringLiteral("a"), QStringLiteral("ema_crossover"), version);
        auto b = direct.createBot(QStringLiteral("b"), QStringLiteral("ema_crossover"), version);
        QVERIFY_OK(a);
        QVERIFY_OK(b);
        BotLibrary library(makeDatabaseBotStoreFactory(target, QStringLiteral("latest-test")));
        QSignalSpy versions(&library, &BotLibrary::versionsListed);
        QSignalSpy busy(&library, &BotLibrary::busyChanged);
        // Both asked before the GUI thread returns to its event loop, so a's answer always arrives after b was asked.
        library.refreshVersions(a->id);
        library.refreshVersions(b->id);
        QTRY_COMPARE_WITH_TIMEOUT(library.pendingCount(), 0, 10000);
        QCOMPARE(versions.count(), 1);  // a's answer came first and was dropped
        QCOMPARE(versions.at(0).at(0).toUuid(), b->id);
        QCOMPARE(versions.at(0).at(1).value<std::vector<BotVersion>>().front().botId, b->id);
        QCOMPARE(busy.count(), 2);
        QCOMPARE(busy.at(0).at(0).toBool(), true);
        QCOMPARE(busy.at(1).at(0).toBool(), false);
    }

    void outageIsReportedThenRecovered()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("outage"));
        QVERIFY_OK(url);
        BotLibrary library(makeDatabaseBotStoreFactory(m_pg.target(*url), QStringLiteral("outage-test")));
        QSignalSpy failed(&library, &BotLibrary::failed);
        QSignalSpy listed(&library, &BotLibrary::botsListed);
        QVERIFY_OK(m_pg.stopServer());
        library.refreshBots();
        const bool failedInTime = failed.wait(15000);
        QVERIFY_OK(m_pg.startServer());  // before any check can end the test: later tests need the server
        QVERIFY(failedInTime);
        QCOMPARE(failed.at(0).at(0).value<BotLibrary::Operation>(), BotLibrary::Operation::ListBots);
        QVERIFY2(failed.at(0).at(1).toString().contains(QStringLiteral("cannot reach")),
                 qPrintable(failed.at(0).at(1).toString()));
        QCOMPARE(listed.count(), 0);
        library.refreshBots();
        QVERIFY(listed.wait(15000));
        QCOMPARE(failed.count(), 1);
    }

    void missingStoreFailsEveryRequest()
    {
        BotLibrary library([] { return std::unique_ptr<BotStore>(); });
        QSignalSpy failed(&library, &BotLibrary::failed);
        library.createBot(QStringLiteral("alpha"), QStringLiteral("ema_crossover"));
        const quint64 request = library.loadRuns({QUuid::createUuid()});
        QCOMPARE(request, quint64(1));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 5000);
        QCOMPARE(failed.at(0).at(0).value<BotLibrary::Operation>(), BotLibrary::Operation::CreateBot);
        QCOMPARE(failed.at(1).at(0).value<BotLibrary::Operation>(), BotLibrary::Operation::LoadRuns);
        QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("BOTDESK_DB_URL")));
    }

    void unknownRunIsAnError()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("unknown"));
        QVERIFY_OK(url);
        BotLibrary library(makeDatabaseBotStoreFactory(m_pg.target(*url), QStringLiteral("unknown-test")));
        QSignalSpy failed(&library, &BotLibrary::failed);
        QSignalSpy loaded(&library, &BotLibrary::runsLoaded);
        const QUuid id = QUuid::createUuid();
        library.loadRuns({id});
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.at(0).at(0).value<BotLibrary::Operation>(), BotLibrary::Operation::LoadRuns);
        QVERIFY2(failed.at(0).at(1).toString().contains(id.toString(QUuid::WithoutBraces)),
                 qPrintable(failed.at(0).at(1).toString()));
        QCOMPARE(loaded.count(), 0);
    }

    void destroyedWhileBusyDropsTheAnswer()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("destroyed"));
        QVERIFY_OK(url);
        const DatabaseTarget target = m_pg.target(*url);
        Database probe(target);
        auto count = [&probe](const QString &sql) {
            auto n = probe.scalar(sql);
            return n ? n->toInt() : -1;
        };
        // A second connection holds an exclusive lock on the bots table until it sees a session waiting for it,
        // then 0.3 s more (at most 10 s in all): the library's first call is slow, on the real server.
        const QString hold = QStringLiteral(
            "BEGIN; LOCK TABLE bots IN ACCESS EXCLUSIVE MODE;\n"
            "DO $$ BEGIN\n"
            "  FOR i IN 1..1000 LOOP\n"
            "    EXIT WHEN EXISTS (SELECT 1 FROM pg_locks WHERE relation = 'bots'::regclass AND NOT granted);\n"
            "    PERFORM pg_sleep(0.01);\n"
            "  END LOOP;\n"
            "  PERFORM pg_sleep(0.3);\n"
            "END $$;\n"
            "COMMIT;");
        Result<void> held;
        std::unique_ptr<QThread> locker(QThread::create([&] { held = m_pg.execAsSuperuser(hold, url->dbname); }));
        locker->start();
        auto joinLocker = qScopeGuard([&] { locker->wait(); });
        QTRY_COMPARE_WITH_TIMEOUT(count(QStringLiteral("SELECT count(*) FROM pg_locks WHERE relation = 'bots'::regclass "
                                                       "AND mode = 'AccessExclusiveLock' AND granted")),
                                  1, 10000);
        QElapsedTimer clock;
        {
            BotLibrary library(makeDatabaseBotStoreFactory(target, QStringLiteral("destroyed-test")));
            QSignalSpy listed(&library, &BotLibrary::botsListed);
            library.refreshBots();
            library.createBot(QStringLiteral("beta"), QStringLiteral("ema_crossover"));  // queued behind it
            QTRY_COMPARE_WITH_TIMEOUT(count(QStringLiteral("SELECT count(*) FROM pg_locks "
                                                           "WHERE relation = 'bots'::regclass AND NOT granted")),
                                      1, 10000);
            clock.start();
        }
        // The call in progress finished (the lock goes 0.3 s after it was waited for); the library did not give up
        // on it (2 s) and the queued createBot never ran.
        QVERIFY2(clock.elapsed() < 1500, qPrintable(QString::number(clock.elapsed())));
        locker->wait();
        QVERIFY_OK(held);
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM bots")), 0);
        QTest::qWait(50);  // nothing is delivered to the destroyed library (a crash would end the test here)
    }

private:
    PgHarness m_pg;
};

QTEST_GUILESS_MAIN(TestBotLibrary)
#include "tst_botlibrary.moc"
