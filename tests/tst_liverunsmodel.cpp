// The runs monitor's model (issue 10 §4) without a GUI or a database: snapshots as the monitor's worker makes them.
// What must hold: many snapshots in a burst are applied in a bounded number of batches (at most one per 100 ms) and
// only the newest counts; dataChanged covers only the rows whose shown values changed, never a reset; runs come and go
// as rows inserted and removed; the heartbeat column turns amber at 30 s and red when stale; the drawdown fraction
// is the realised drawdown over the cap; the filter finds runs by text and status and sorts numbers as numbers.

#include "liverunsfilter.h"
#include "liverunsmodel.h"

#include <QColor>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>

using namespace bd;

namespace {

constexpr qint64 kNow = 1'767'225'600'000;  // 2026-01-01 00:00:00 UTC

LiveRunRow runRow(int i, LiveRunStatus status = LiveRunStatus::Running)
{
    LiveRunRow r;
    r.run.spec.id = QUuid::createUuid();
    r.run.spec.botName = QStringLiteral("bot-%1").arg(i);
    r.run.spec.codeHash = QString(64, QLatin1Char('a'));
    r.run.spec.account = i % 2 ? QStringLiteral("icm-demo") : QStringLiteral("pepper-live");
    r.run.spec.symbol = QStringLiteral("EURUSD");
    r.run.status = status;
    r.run.startedAtMs = kNow - 3'600'000;
    r.run.lastHeartbeatAtMs = kNow - 5'000;
    r.run.startingEquity = 10'000.0;
    r.activity.liveRunId = r.run.spec.id;
    return r;
}

LiveRunsSnapshot snapshotOf(const std::vector<LiveRunRow> &rows, qint64 at = kNow)
{
    LiveRunsSnapshot s;
    s.atMs = at;
    s.rows = rows;
    return s;
}

} // namespace

class TestLiveRunsModel : public QObject {
    Q_OBJECT
private slots:
    // 100 runs, 1000 snapshots within ~1 s (each changing one run's P/L): at most ~11 batches, the model shows the
    // last snapshot, and each batch's dataChanged covers only the rows that changed since the previous batch.
    void burstsAreBatched()
    {
        LiveRunsModel model;
        std::vector<LiveRunRow> rows;
        for (int i = 0; i < 100; ++i)
            rows.push_back(runRow(i));
        model.submit(snapshotOf(rows));
        QVERIFY(model.applyPending());
        QCOMPARE(model.rowCount(), 100);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy batches(&model, &LiveRunsModel::batchApplied);
        int changedSignals = 0;
        QSet<int> changedRows;
        connect(&model, &QAbstractItemModel::dataChanged, this, [&](const QModelIndex &a, const QModelIndex &b) {
            ++changedSignals;
            for (int r = a.row(); r <= b.row(); ++r)
                changedRows.insert(r);
        });
        QElapsedTimer clock;
        clock.start();
        QSet<int> touched;
        for (int k = 0; k < 1000; ++k) {
            const int i = (k * 7) % 50;  // only the first 50 runs ever change
            rows[size_t(i)].activity.realisedProfit += 1.0;
            touched.insert(i);
            model.submit(snapshotOf(rows));
            QTest::qWait(1);
        }
        const qint64 elapsed = clock.elapsed();
        QTRY_VERIFY_WITH_TIMEOUT(!model.applyPending() && batches.size() > 0, 1000);
        QTest::qWait(2 * LiveRunsModel::kMinBatchIntervalMs);
        const int maxBatches = int(elapsed / LiveRunsModel::kMinBatchIntervalMs) + 2;
        QVERIFY2(batches.size() <= maxBatches && batches.size() >= 2,
                 qPrintable(QStringLiteral("%1 batches in %2 ms (max %3)").arg(batches.size()).arg(elapsed).arg(maxBatches)));
        QCOMPARE(resets.size(), 0);
        QCOMPARE(inserted.size(), 0);
        for (int r : changedRows)
            QVERIFY2(touched.contains(r), qPrintable(QStringLiteral("row %1 never changed").arg(r)));
        QCOMPARE(changedRows.size(), touched.size());
        for (int i = 0; i < 100; ++i)
            QCOMPARE(model.index(i, LiveRunsModel::ProfitColumn).data().toString(),
                     QString::number(rows[size_t(i)].activity.realisedProfit, 'f', 2));
        qInfo("1000 snapshots in %lld ms -> %d batches, %d dataChanged signals over %d rows", elapsed,
              int(batches.size()), changedSignals, int(changedRows.size()));

        // The same snapshot again: nothing changed, no dataChanged.
        changedSignals = 0;
        model.submit(snapshotOf(rows));
        QVERIFY(model.applyPending());
        QCOMPARE(changedSignals, 0);

        // Every run changed at once (a heartbeat second later): one batch, one dataChanged range, and applying it
        // stays far below the 50 ms GUI-thread stall the issue aims at.
        QElapsedTimer apply;
        for (LiveRunRow &r : rows)
            r.activity.openPositions += 1;
        model.submit(snapshotOf(rows, kNow + 1000));
        apply.start();
        QVERIFY(model.applyPending());
        const double applyMs = apply.nsecsElapsed() / 1e6;
        QCOMPARE(changedSignals, 1);
        qInfo("a snapshot changing all 100 runs applied in %.2f ms", applyMs);
        QVERIFY2(applyMs < 50, qPrintable(QString::number(applyMs)));
    }

    void runsComeAndGo()
    {
        LiveRunsModel model;
        std::vector<LiveRunRow> rows{runRow(0), runRow(1), runRow(2)};
        model.submit(snapshotOf(rows));
        QVERIFY(model.applyPending());
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        const QUuid gone = rows[1].run.spec.id;
        rows.erase(rows.begin() + 1);
        rows.insert(rows.begin(), runRow(3));
        model.submit(snapshotOf(rows));
        QVERIFY(model.applyPending());
        QCOMPARE(removed.size(), 1);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(resets.size(), 0);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowOf(gone), -1);
        QCOMPARE(model.rowOf(rows[0].run.spec.id), 2);  // new runs are appended
        QCOMPARE(model.index(2, LiveRunsModel::BotColumn).data().toString(), QStringLiteral("bot-3@aaaaaaaaaaaa"));
    }

    void heartbeatColoursAndDrawdown()
    {
        LiveRunsModel model;
        LiveRunRow fresh = runRow(0);
        LiveRunRow late = runRow(1);
        late.run.lastHeartbeatAtMs = kNow - 31'000;
        LiveRunRow stale = runRow(2);
        stale.run.lastHeartbeatAtMs = kNow - kStaleAfterMs - 1'000;
        LiveRunRow stopped = runRow(3, LiveRunStatus::Stopped);
        stopped.run.lastHeartbeatAtMs = kNow - 3'600'000;
        LiveRunRow losing = runRow(4);
        losing.activity.realisedProfit = -500.0;  // 5 % of 10,000
        losing.run.spec.guardrails.drawdownCapPercent = 20.0;
        model.submit(snapshotOf({fresh, late, stale, stopped, losing}));
        QVERIFY(model.applyPending());
        const auto level = [&](int row) {
            return model.index(row, LiveRunsModel::HeartbeatColumn).data(LiveRunsModel::HeartbeatLevelRole).toInt();
        };
        const auto background = [&](int row) {
            return model.index(row, LiveRunsModel::HeartbeatColumn).data(Qt::BackgroundRole);
        };
        QCOMPARE(level(0), int(HeartbeatLevel::Ok));
        QVERIFY(!background(0).isValid());
        QCOMPARE(level(1), int(HeartbeatLevel::Late));
        QCOMPARE(background(1).value<QColor>(), QColor(0xf5, 0x9e, 0x0b));
        QCOMPARE(level(2), int(HeartbeatLevel::Stale));
        QCOMPARE(background(2).value<QColor>(), QColor(0xdc, 0x26, 0x26));
        QVERIFY(model.index(2, LiveRunsModel::StatusColumn).data().toString().contains(QStringLiteral("stale")));
        QCOMPARE(level(3), int(HeartbeatLevel::None));  // a stopped run is not expected to beat
        QVERIFY(!background(3).isValid());
        QCOMPARE(model.index(1, LiveRunsModel::HeartbeatColumn).data().toString(), QStringLiteral("31 s"));
        QCOMPARE(model.index(4, LiveRunsModel::DrawdownColumn).data(LiveRunsModel::DrawdownFractionRole).toDouble(), 0.25);
        QCOMPARE(model.index(4, LiveRunsModel::DrawdownColumn).data().toString(), QStringLiteral("5.0% / 20%"));
        QCOMPARE(model.index(0, LiveRunsModel::DrawdownColumn).data(LiveRunsModel::DrawdownFractionRole).toDouble(), 0.0);

        // Time passes with no new heartbeat: the fresh run turns amber with the next snapshot.
        model.submit(snapshotOf({fresh, late, stale, stopped, losing}, kNow + 26'000));
        QVERIFY(model.applyPending());
        QCOMPARE(level(0), int(HeartbeatLevel::Late));
    }

    void filterAndSort()
    {
        LiveRunsModel model;
        std::vector<LiveRunRow> rows;
        for (int i = 0; i < 12; ++i) {
            LiveRunRow r = runRow(i, i % 3 == 0 ? LiveRunStatus::Halted : LiveRunStatus::Running);
            r.activity.realisedProfit = (i % 4 == 0 ? -1 : 1) * 3.0 * i;  // 27 > 9 as numbers, not as text
            rows.push_back(r);
        }
        rows[5].run.lastError = QStringLiteral("Drawdown 23.5% exceeds cap 20%");
        model.submit(snapshotOf(rows));
        QVERIFY(model.applyPending());
        LiveRunsFilter filter;
        filter.setSourceModel(&model);
        filter.setStatus(QStringLiteral("HALTED"));
        QCOMPARE(filter.rowCount(), 4);
        filter.setStatus({});
        filter.setText(QStringLiteral("pepper"));
        QCOMPARE(filter.rowCount(), 6);
        filter.setText(QStringLiteral("exceeds cap"));
        QCOMPARE(filter.rowCount(), 1);
        filter.setText(rows[7].run.spec.id.toString(QUuid::WithoutBraces).left(8));
        QCOMPARE(filter.rowCount(), 1);
        filter.setText({});
        filter.sort(LiveRunsModel::ProfitColumn, Qt::DescendingOrder);
        QCOMPARE(filter.index(0, LiveRunsModel::ProfitColumn).data().toString(), QStringLiteral("33.00"));
        QCOMPARE(filter.index(11, LiveRunsModel::ProfitColumn).data().toString(), QStringLiteral("-24.00"));
    }
};

QTEST_GUILESS_MAIN(TestLiveRunsModel)
#include "tst_liverunsmodel.moc"
