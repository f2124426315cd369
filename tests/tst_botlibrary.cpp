// The Bots view's models (under QAbstractItemModelTester) and BotLibrary, the GUI thread's facade over a BotStore,
// on an in-memory store (fakebotstore.h): answers on the GUI thread, calls on one worker thread, latest listing
// wins, errors delivered with the store's message, recovery after an outage, a missing store.

#include "botlibrary.h"
#include "botlistmodel.h"
#include "fakebotstore.h"
#include "runlistmodel.h"
#include "strategyregistry.h"
#include "versionlistmodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
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
        BotEntry a;
        a.bot.id = QUuid::createUuid();
        a.bot.name = QStringLiteral("alpha");
        a.bot.strategyTemplate = QStringLiteral("ema_crossover");
        a.bot.createdAtMs = 1704153600000;  // 2024-01-02 00:00 UTC
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
        versions.setVersions(a.bot.id, {child, parent, orphan});
        QCOMPARE(versions.index(0, VersionListModel::HashColumn).data().toString(), QStringLiteral("fedcba987654"));
        QCOMPARE(versions.index(0, VersionListModel::ParentColumn).data().toString(), QStringLiteral("0123456789ab"));
        QCOMPARE(versions.index(1, VersionListModel::ParentColumn).data().toString(), QStringLiteral("—"));
        QCOMPARE(versions.index(2, VersionListModel::ParentColumn).data().toString(),
                 orphan.parentId.toString(QUuid::WithoutBraces));
        QVERIFY(versions.index(0, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("{\"slow\":30}")));
        QCOMPARE(versions.botId(), a.bot.id);
    }

    void createListSaveOnOneWorkerThread()
    {
        auto data = std::make_shared<test::FakeBotData>();
        BotLibrary library([data] { return std::make_unique<test::FakeBotStore>(data); });
        QSignalSpy failed(&library, &BotLibrary::failed);

        QSignalSpy created(&library, &BotLibrary::botCreated);
        library.createBot(QStringLiteral("alpha"), QStringLiteral("ema_crossover"));
        QCOMPARE(library.pendingCount(), 1);
        QVERIFY(created.wait(5000));
        QCOMPARE(library.pendingCount(), 0);
        const Bot bot = created.at(0).at(0).value<Bot>();
        const BotVersion first = created.at(0).at(1).value<BotVersion>();
        QCOMPARE(bot.name, QStringLiteral("alpha"));
        QVERIFY(!first.id.isNull());
        QCOMPARE(first.codeHash, defaultVersionOf(QStringLiteral("ema_crossover"))->codeHash);

        QSignalSpy listed(&library, &BotLibrary::botsListed);
        library.refreshBots();
        QVERIFY(listed.wait(5000));
        const auto entries = listed.at(0).at(0).value<std::vector<BotEntry>>();
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
        QVERIFY(saved.wait(5000));
        const BotVersion v2 = saved.at(0).at(0).value<BotVersion>();
        QVERIFY(saved.at(0).at(1).toBool());
        QCOMPARE(v2.codeHash, computeCodeHash(first.code, draft.params));
        QCOMPARE(v2.parentId, first.id);
        draft.notes = QStringLiteral("other notes, same content");
        library.saveVersion(draft);
        QVERIFY(saved.wait(5000));
        QVERIFY(!saved.at(1).at(1).toBool());
        QCOMPARE(saved.at(1).at(0).value<BotVersion>().id, v2.id);

        QSignalSpy versions(&library, &BotLibrary::versionsListed);
        library.refreshVersions(bot.id);
        QVERIFY(versions.wait(5000));
        const auto list = versions.at(0).at(1).value<std::vector<BotVersion>>();
        QCOMPARE(list.size(), size_t(2));
        QCOMPARE(list.front().id, v2.id);  // newest first

        QCOMPARE(failed.count(), 0);
        // Every store call ran on one thread, and not on the GUI thread.
        QMutexLocker lock(&data->mutex);
        QVERIFY(!data->callThreads.isEmpty());
        for (QThread *t : data->callThreads) {
            QCOMPARE(t, data->callThreads.first());
            QVERIFY(t != QThread::currentThread());
        }
    }

    void latestListingWins()
    {
        auto data = std::make_shared<test::FakeBotData>();
        test::FakeBotStore direct(data);
        const auto version = *defaultVersionOf(QStringLiteral("ema_crossover"));
        const Bot a = *direct.createBot(QStringLiteral("a"), QStringLiteral("ema_crossover"), version);
        const Bot b = *direct.createBot(QStringLiteral("b"), QStringLiteral("ema_crossover"), version);
        data->delayMs = 40;
        BotLibrary library([data] { return std::make_unique<test::FakeBotStore>(data); });
        QSignalSpy versions(&library, &BotLibrary::versionsListed);
        QSignalSpy busy(&library, &BotLibrary::busyChanged);
        library.refreshVersions(a.id);
        library.refreshVersions(b.id);
        QTRY_COMPARE_WITH_TIMEOUT(library.pendingCount(), 0, 5000);
        QCOMPARE(versions.count(), 1);  // a's answer came first and was dropped
        QCOMPARE(versions.at(0).at(0).toUuid(), b.id);
        QCOMPARE(busy.count(), 2);
        QCOMPARE(busy.at(0).at(0).toBool(), true);
        QCOMPARE(busy.at(1).at(0).toBool(), false);
    }

    void outageIsReportedThenRecovered()
    {
        auto data = std::make_shared<test::FakeBotData>();
        BotLibrary library([data] { return std::make_unique<test::FakeBotStore>(data); });
        QSignalSpy failed(&library, &BotLibrary::failed);
        QSignalSpy listed(&library, &BotLibrary::botsListed);
        data->down = true;
        library.refreshBots();
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.at(0).at(0).value<BotLibrary::Operation>(), BotLibrary::Operation::ListBots);
        QVERIFY2(failed.at(0).at(1).toString().contains(QStringLiteral("cannot reach")),
                 qPrintable(failed.at(0).at(1).toString()));
        QCOMPARE(listed.count(), 0);
        data->down = false;
        library.refreshBots();
        QVERIFY(listed.wait(5000));
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
        auto data = std::make_shared<test::FakeBotData>();
        BotLibrary library([data] { return std::make_unique<test::FakeBotStore>(data); });
        QSignalSpy failed(&library, &BotLibrary::failed);
        QSignalSpy loaded(&library, &BotLibrary::runsLoaded);
        const QUuid id = QUuid::createUuid();
        library.loadRuns({id});
        QVERIFY(failed.wait(5000));
        QVERIFY(failed.at(0).at(1).toString().contains(id.toString(QUuid::WithoutBraces)));
        QCOMPARE(loaded.count(), 0);
    }

    void destroyedWhileBusyDropsTheAnswer()
    {
        auto data = std::make_shared<test::FakeBotData>();
        data->delayMs = 300;
        QElapsedTimer clock;
        {
            BotLibrary library([data] { return std::make_unique<test::FakeBotStore>(data); });
            QSignalSpy listed(&library, &BotLibrary::botsListed);
            library.refreshBots();
            library.refreshBots();
            QTRY_VERIFY_WITH_TIMEOUT(data->calls.load() >= 1, 5000);
            clock.start();
        }
        // The call in progress finished (<= 300 ms), the second never started: no waiting for it.
        QVERIFY2(clock.elapsed() < 1500, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(data->calls.load(), 1);
        QTest::qWait(50);  // nothing is delivered to the destroyed library (a crash would end the test here)
    }
};

QTEST_GUILESS_MAIN(TestBotLibrary)
#include "tst_botlibrary.moc"
