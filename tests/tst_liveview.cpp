// The Live page end to end (issue 10 §3, §4, §5), offscreen: a run started through the store (as `botdesk-cli live
// start` does) is hosted by the desktop's host (DesktopLiveHost: LiveRunHost on its own thread) against botdesk-mt5sim
// replaying EURUSD M1 2024 at 600x and a throwaway PostgreSQL; the LiveView's monitor (its own worker and connection)
// shows it RUNNING with heartbeats, events, latency figures and trades; Stop and close asks first (declined: nothing
// is written), Stop from the view makes it STOPPED. A run on the database that nobody hosts still shows, red when its
// heartbeat is old; `botdesk --view live --screenshot` renders that database.
// Screenshots: <build>/screenshots/tst_liveview_running.png, tst_liveview_stale.png, botdesk_live.png.

#include "accounttoken.h"
#include "botstrategy.h"
#include "brokermetatypes.h"
#include "codehash.h"
#include "database.h"
#include "desktoplivehost.h"
#include "latencyhistogram.h"
#include "liveeventlistmodel.h"
#include "livemonitor.h"
#include "liverunsfilter.h"
#include "liverunsmodel.h"
#include "livestorefactory.h"
#include "livetradelistmodel.h"
#include "liveview.h"
#include "pgbotstore.h"
#include "pgharness.h"
#include "pgliverunstore.h"
#include "pgtradestore.h"
#include "processrun.h"
#include "resultcheck.h"
#include "simprocess.h"
#include "strategyregistry.h"

#include <QDateTime>
#include <QDir>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace bd;
using bd::pgtest::options;

namespace {

const QString kToken = QStringLiteral("tok-liveview-1");
const QString kAccount = QStringLiteral("sim-desk");

QString screenshotPath(const QString &name)
{
    const QString dir = QStringLiteral(BOTDESK_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir + QLatin1Char('/') + name;
}

// A stored version of ema_crossover 3/8 (crosses every few minutes of M1) and the account on `bridge`; the spec of a
// run of it on EURUSD M1.
LiveRunSpec stageRun(Database &db, const QString &bridge)
{
    PgBotStore bots(db);
    Result<BotVersion> first = defaultVersionOf(QStringLiteral("ema_crossover"));
    if (!first)
        qFatal("%s", qPrintable(first.error().message));
    const QString name = QStringLiteral("ema-view-%1").arg(QUuid::createUuid().toString(QUuid::Id128).left(6));
    if (Result<Bot> bot = bots.createBot(name, QStringLiteral("ema_crossover"), first.value()); !bot)
        qFatal("%s", qPrintable(bot.error().message));
    BotVersion fast = first.value();
    fast.params = QJsonObject{{QStringLiteral("fast"), 3}, {QStringLiteral("slow"), 8}};
    fast.codeHash = computeCodeHash(fast.code, fast.params);
    fast.botId = bots.findBot(name).value().id;
    auto saved = bots.saveVersion(fast);
    if (!saved)
        qFatal("%s", qPrintable(saved.error().message));
    PgLiveRunStore runs(db);
    if (!runs.account(kAccount)) {
        LiveAccount account;
        account.name = kAccount;
        account.bridgeUrl = bridge;
        account.tokenEnv = QStringLiteral("BOTDESK_TEST_BRIDGE_TOKEN");
        account.magic = 6160;
        if (Result<void> added = runs.addAccount(account); !added)
            qFatal("%s", qPrintable(added.error().message));
    }
    LiveRunSpec s;
    s.id = QUuid::createUuid();
    s.botVersionId = saved.value().first.id;
    s.botName = name;
    s.codeHash = saved.value().first.codeHash;
    s.account = kAccount;
    s.symbol = QStringLiteral("EURUSD");
    s.guardrails.maxRiskPercent = 5.0;
    return s;
}

// The model's value of `role` in `column` for run `id` (invalid when the run is not shown).
QVariant cell(LiveRunsModel *model, const QUuid &id, int column, int role = Qt::DisplayRole)
{
    const int row = model->rowOf(id);
    return row < 0 ? QVariant() : model->index(row, column).data(role);
}

} // namespace

class TestLiveView : public QObject {
    Q_OBJECT
    PgHarness pg;
    QTemporaryDir m_home;
    Result<SymbolCatalog> catalog = SymbolCatalog::builtin();
    AppVersionStrategies strategies;

    LiveRunHost::Options hostOptions(const DatabaseTarget &target)
    {
        LiveRunHost::Options o;
        o.target = target;
        o.dbOptions = options("host");
        o.hostId = QStringLiteral("test-desktop-%1").arg(QUuid::createUuid().toString(QUuid::Id128).left(6));
        o.threads = 1;
        o.leaseMs = 5000;
        o.pollMs = 200;
        o.heartbeatMs = 500;
        o.reconcileMs = 2000;
        o.strategies = &strategies;
        o.catalog = catalog.value();
        o.tokenFor = tokenFromEnvironment;
        return o;
    }

private slots:
    void initTestCase()
    {
        mt5::registerBrokerMetaTypes();
        QVERIFY(catalog.ok());
        qputenv("BOTDESK_TEST_BRIDGE_TOKEN", kToken.toLatin1());
        QVERIFY_OK(pg.start());
    }

    void hostedRunTradesAndStopsFromTheView()
    {
        test::SimProcess sim;
        QVERIFY(sim.start(QStringLiteral(BOTDESK_MT5SIM),
                          QStringList{"--data", QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz"),
                                      "--symbol", "EURUSD", "--port", "0", "--heartbeat", "1", "--suffix", ".sim",
                                      "--speed", "600"},
                          kToken));
        auto url = pg.createMigratedDatabase(QStringLiteral("hosted"));
        QVERIFY_OK(url);
        const DatabaseTarget target = pg.target(*url);
        Database db(target, options("check"));
        PgLiveRunStore runs(db);
        PgTradeStore trades(db);
        const LiveRunSpec s = stageRun(db, sim.url.toString());
        QVERIFY_OK(runs.createRun(s));  // as `botdesk-cli live start` does: PENDING until a host takes it

        LiveMonitor monitor(makeLiveStoreFactory(target, QStringLiteral("test-live")));
        monitor.setPollMs(300);
        LiveView view(&monitor);
        int confirmations = 0;
        bool answer = false;
        view.setConfirm([&](const QString &, const QString &) {
            ++confirmations;
            return answer;
        });
        view.resize(1400, 850);
        view.show();  // starts the monitor
        QVERIFY(monitor.isStarted());
        LiveRunsModel *model = monitor.model();
        QTRY_VERIFY_WITH_TIMEOUT(model->rowOf(s.id) >= 0, 5000);
        QCOMPARE(cell(model, s.id, LiveRunsModel::StatusColumn, LiveRunsModel::StatusRole).toString(),
                 QStringLiteral("PENDING"));

        DesktopLiveHost host(hostOptions(target));
        QSignalSpy started(&host, &DesktopLiveHost::hostStarted);
        host.start();
        QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(cell(model, s.id, LiveRunsModel::StatusColumn, LiveRunsModel::StatusRole).toString(),
                                  QStringLiteral("RUNNING"), 15000);
        QVERIFY(view.selectRun(s.id));
        QCOMPARE(view.selectedRun(), s.id);
        // Heartbeats (every 0.5 s here) and trades appear in the table and the detail.
        QTRY_VERIFY_WITH_TIMEOUT(cell(model, s.id, LiveRunsModel::HeartbeatColumn, LiveRunsModel::HeartbeatLevelRole).toInt()
                                     == int(HeartbeatLevel::Ok), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(view.tradesModel()->rowCount() >= 1, 40000);
        QTRY_VERIFY_WITH_TIMEOUT(view.eventsModel()->rowCount() >= 3, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(view.latencyLabel()->text().contains(QStringLiteral("p99")), 5000);
        const LiveRunRow *row = model->rowAt(model->rowOf(s.id));
        QVERIFY(row);
        QVERIFY(row->activity.lastHeartbeat.has_value());
        QVERIFY(row->activity.trades >= 1);
        QVERIFY(row->run.startingEquity.has_value());
        QCOMPARE(cell(model, s.id, LiveRunsModel::OpenColumn).toInt(), row->activity.openPositions);
        QVERIFY(!view.histogram()->bins().empty());
        // The event log filters by type and by correlation id.
        QStringList types = view.eventsModel()->types();
        QVERIFY2(types.contains(QStringLiteral("SignalReceived")), qPrintable(types.join(QLatin1Char(','))));
        view.eventsModel()->setFilter(QStringLiteral("SignalReceived"), {});
        QVERIFY(view.eventsModel()->rowCount() >= 1);
        for (int r = 0; r < view.eventsModel()->rowCount(); ++r)
            QCOMPARE(view.eventsModel()->eventAt(r)->type, QStringLiteral("SignalReceived"));
        const QString correlation = view.eventsModel()->eventAt(0)->correlationId;
        view.eventsModel()->setFilter({}, correlation.left(10));
        QVERIFY(view.eventsModel()->rowCount() >= 1);
        for (int r = 0; r < view.eventsModel()->rowCount(); ++r)
            QVERIFY(view.eventsModel()->eventAt(r)->correlationId.startsWith(correlation.left(10)));
        view.eventsModel()->setFilter({}, {});
        QVERIFY(view.grab().save(screenshotPath(QStringLiteral("tst_liveview_running.png"))));

        // Stop and close asks first; declined, nothing is written.
        QVERIFY(view.stopCloseButton()->isEnabled());
        QVERIFY(!view.resumeButton()->isEnabled());  // not HALTED
        view.stopCloseButton()->click();
        QCOMPARE(confirmations, 1);
        QTest::qWait(500);
        QCOMPARE(runs.run(s.id).value().desired, DesiredState::Running);
        // Stop (no question): the host stops the run.
        QVERIFY(view.stopButton()->isEnabled());
        view.stopButton()->click();
        QCOMPARE(confirmations, 1);
        QTRY_COMPARE_WITH_TIMEOUT(cell(model, s.id, LiveRunsModel::StatusColumn, LiveRunsModel::StatusRole).toString(),
                                  QStringLiteral("STOPPED"), 15000);
        QCOMPARE(runs.run(s.id).value().desired, DesiredState::Stopped);
        QCOMPARE(runs.run(s.id).value().status, LiveRunStatus::Stopped);
        QTRY_VERIFY_WITH_TIMEOUT(!view.stopButton()->isEnabled(), 2000);
        host.stop();
        QVERIFY(!host.isRunning());
    }

    // A run nobody hosts (RUNNING on the database, its host gone): it shows, red once its heartbeat is older than
    // kStaleAfterMs, amber from 30 s; filtered by status. Resume is refused for a RUNNING run and resumes a HALTED
    // one; a confirmed Stop and close writes STOP_AND_CLOSE. Then the desktop executable renders the same database.
    void unhostedRunShowsStale()
    {
        auto url = pg.createMigratedDatabase(QStringLiteral("unhosted"));
        QVERIFY_OK(url);
        const DatabaseTarget target = pg.target(*url);
        Database db(target, options("check"));
        PgLiveRunStore runs(db);
        PgTradeStore trades(db);
        const LiveRunSpec quiet = stageRun(db, QStringLiteral("ws://127.0.0.1:9"));
        LiveRunSpec late = quiet;
        late.id = QUuid::createUuid();
        late.symbol = QStringLiteral("GBPUSD");
        for (const LiveRunSpec &spec : {quiet, late}) {
            QVERIFY_OK(runs.createRun(spec));
            QVERIFY_OK(runs.applyStatusEvent(spec.id, LiveRunEvent::Start));
        }
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        Heartbeat old;
        old.liveRunId = quiet.id;
        old.atMs = now - 2 * kStaleAfterMs;
        QVERIFY_OK(trades.recordHeartbeat(old));
        Heartbeat amber;
        amber.liveRunId = late.id;
        amber.atMs = now - 40'000;
        QVERIFY_OK(trades.recordHeartbeat(amber));

        LiveMonitor monitor(makeLiveStoreFactory(target, QStringLiteral("test-live")));
        monitor.setPollMs(300);
        LiveView view(&monitor);
        view.resize(1400, 850);
        view.show();
        LiveRunsModel *model = monitor.model();
        QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() == 2, 5000);
        QCOMPARE(cell(model, quiet.id, LiveRunsModel::StatusColumn, LiveRunsModel::StatusRole).toString(),
                 QStringLiteral("RUNNING"));
        QCOMPARE(cell(model, quiet.id, LiveRunsModel::HeartbeatColumn, LiveRunsModel::HeartbeatLevelRole).toInt(),
                 int(HeartbeatLevel::Stale));
        QCOMPARE(cell(model, quiet.id, LiveRunsModel::HeartbeatColumn, Qt::BackgroundRole).value<QColor>(),
                 QColor(0xdc, 0x26, 0x26));
        QCOMPARE(cell(model, late.id, LiveRunsModel::HeartbeatColumn, LiveRunsModel::HeartbeatLevelRole).toInt(),
                 int(HeartbeatLevel::Late));
        QCOMPARE(cell(model, late.id, LiveRunsModel::HeartbeatColumn, Qt::BackgroundRole).value<QColor>(),
                 QColor(0xf5, 0x9e, 0x0b));
        QVERIFY(view.selectRun(quiet.id));
        QVERIFY(view.stopButton()->isEnabled());
        QVERIFY(!view.resumeButton()->isEnabled());
        view.filter()->setText(QStringLiteral("GBPUSD"));
        QCOMPARE(view.filter()->rowCount(), 1);
        view.filter()->setText({});
        view.filter()->setStatus(QStringLiteral("HALTED"));
        QCOMPARE(view.filter()->rowCount(), 0);
        view.filter()->setStatus({});
        QVERIFY(view.selectRun(quiet.id));  // filtered out, it was unselected
        QTRY_VERIFY_WITH_TIMEOUT(view.latencyLabel()->text().contains(QStringLiteral("1 heartbeat(s)")), 5000);
        // Resume is for a HALTED run only: the store refuses it for a RUNNING one, with the CLI's words.
        QSignalSpy done(&monitor, &LiveMonitor::commandFinished);
        view.requestCommand(LiveRunCommand::Resume);
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 5000);
        QVERIFY2(done.at(0).at(2).toString().contains(QStringLiteral("not HALTED")), qPrintable(done.at(0).at(2).toString()));
        QVERIFY(view.statusLabel()->text().contains(QStringLiteral("not HALTED")));
        QTest::qWait(700);  // two polls later the outcome is still shown beside the run count
        QVERIFY(view.statusLabel()->text().contains(QStringLiteral("not HALTED")));
        QCOMPARE(view.summaryLabel()->text(), QStringLiteral("2 live run(s) on the database"));
        QVERIFY(view.grab().save(screenshotPath(QStringLiteral("tst_liveview_stale.png"))));

        // A run halted by a guardrail (as its host writes it): Resume is offered and moves it back to RUNNING.
        QVERIFY_OK(runs.applyStatusEvent(late.id, LiveRunEvent::Halt, QStringLiteral("Drawdown 23.5% exceeds cap 20%")));
        QTRY_COMPARE_WITH_TIMEOUT(cell(model, late.id, LiveRunsModel::StatusColumn, LiveRunsModel::StatusRole).toString(),
                                  QStringLiteral("HALTED"), 5000);
        QCOMPARE(cell(model, late.id, LiveRunsModel::LastErrorColumn).toString(),
                 QStringLiteral("Drawdown 23.5% exceeds cap 20%"));
        QVERIFY(view.selectRun(late.id));
        QVERIFY(view.resumeButton()->isEnabled());
        view.resumeButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 2, 5000);
        QCOMPARE(done.at(1).at(2).toString(), QString());
        QCOMPARE(runs.run(late.id).value().status, LiveRunStatus::Running);
        QTRY_COMPARE_WITH_TIMEOUT(cell(model, late.id, LiveRunsModel::StatusColumn, LiveRunsModel::StatusRole).toString(),
                                  QStringLiteral("RUNNING"), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!view.resumeButton()->isEnabled(), 2000);
        // Stop and close, confirmed: the desired state the host acts on (nobody hosts it here, so it stays RUNNING).
        int asked = 0;
        view.setConfirm([&](const QString &, const QString &text) {
            ++asked;
            return text.contains(late.id.toString(QUuid::WithoutBraces).left(8));
        });
        view.stopCloseButton()->click();
        QCOMPARE(asked, 1);
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 3, 5000);
        QCOMPARE(runs.run(late.id).value().desired, DesiredState::StopAndClose);
        QTRY_VERIFY_WITH_TIMEOUT(!view.stopCloseButton()->isEnabled(), 2000);
        QVERIFY(cell(model, late.id, LiveRunsModel::StatusColumn).toString().contains(QStringLiteral("STOP_AND_CLOSE")));

        // botdesk --view live --screenshot: the desktop renders what this database holds (and hosts nothing).
        const QString shot = screenshotPath(QStringLiteral("botdesk_live.png"));
        QFile::remove(shot);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("BOTDESK_HOME"), m_home.path());
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.remove(QStringLiteral("BOTDESK_DB_URL"));
        const ProcessRun app = runProcess(QStringLiteral(BOTDESK_GUI),
                                          {QStringLiteral("--db"), url->redacted(), QStringLiteral("--view"),
                                           QStringLiteral("live"), QStringLiteral("--screenshot"), shot},
                                          env, 60000);
        QVERIFY2(app.exitCode == 0, qPrintable(app.err + app.out));
        QVERIFY(QFileInfo(shot).size() > 0);
        QCOMPARE(runs.run(quiet.id).value().hostId, QString());  // a screenshot never hosts
        const ProcessRun bad = runProcess(QStringLiteral(BOTDESK_GUI), {QStringLiteral("--view"), QStringLiteral("charts")},
                                          env, 60000);
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains(QStringLiteral("bots, backtests or live")), qPrintable(bad.err));
    }
};

QTEST_MAIN(TestLiveView)
#include "tst_liveview.moc"
