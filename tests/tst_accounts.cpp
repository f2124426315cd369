// The Accounts page and the start dialog (issue 10 §2, §3), offscreen, on a throwaway PostgreSQL (pgharness.h) and
// the real simulator (botdesk-mt5sim): an account added in the dialog is listed (token in the injected token store,
// never in the database); Test connection shows the simulator's welcome; a bad URL shows a clear error; the start
// dialog's pre-flight without and with a stored backtest; OK stores a PENDING run with the chosen guardrails; a
// spec error names its field. The real keychain is only used for its clear error when no keychain service answers
// (the session bus points nowhere, as on CI). Screenshots: <build>/screenshots/accounts_*.png.

#include "accountdialog.h"
#include "alertcenter.h"
#include "alertfeed.h"
#include "pgtradestore.h"
#include "accountdirectory.h"
#include "accountlistmodel.h"
#include "accountsview.h"
#include "botlibrary.h"
#include "databasebotstore.h"
#include "keychaintokenstore.h"
#include "livedesksetup.h"
#include "mainwindow.h"
#include "botsview.h"
#include "accountstores.h"
#include "metatypes.h"
#include "mt5bridgeprobe.h"
#include "pgbotstore.h"
#include "pgharness.h"
#include "pgliverunstore.h"
#include "simprocess.h"
#include "startrundialog.h"
#include "storedrun.h"
#include "strategyregistry.h"
#include "syntheticbars.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QThread>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <mutex>

using namespace bd;

namespace {

const QString kToken = QStringLiteral("accounts-test-token");

// The token store the tests inject: a map (no keychain needed), readable from any thread.
class MemoryTokenStore final : public AccountTokenStore {
public:
    void writeToken(const QString &key, const QString &token, QObject *context,
                    std::function<void(Result<void>)> done) override
    {
        {
            const std::lock_guard lock(m_mutex);
            m_tokens.insert(key, token);
        }
        QMetaObject::invokeMethod(context, [done] { done({}); }, Qt::QueuedConnection);
    }
    void removeToken(const QString &key, QObject *context, std::function<void(Result<void>)> done) override
    {
        {
            const std::lock_guard lock(m_mutex);
            m_tokens.remove(key);
        }
        QMetaObject::invokeMethod(context, [done] { done({}); }, Qt::QueuedConnection);
    }
    QString token(const QString &key)
    {
        const std::lock_guard lock(m_mutex);
        return m_tokens.value(key);
    }
    KeychainTokenReader reader()
    {
        return [this](const QString &key) -> Result<QString> { return token(key); };
    }

private:
    std::mutex m_mutex;
    QHash<QString, QString> m_tokens;
};

void screenshot(QWidget *w, const QString &name)
{
    QDir().mkpath(QStringLiteral(BOTDESK_BINARY_DIR "/screenshots"));
    const QString path = QStringLiteral(BOTDESK_BINARY_DIR "/screenshots/%1.png").arg(name);
    QVERIFY2(w->grab().save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

// A port on 127.0.0.1 where nothing listens.
int closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    const int port = server.serverPort();
    server.close();
    return port;
}

} // namespace

class TestAccounts : public QObject {
    Q_OBJECT
    PgHarness m_pg;
    test::SimProcess m_sim;
    QTemporaryDir m_dir;
    QString m_bars;

    BridgeProbeFactory probes(MemoryTokenStore &tokens)
    {
        return [&tokens](QObject *parent) -> BridgeProbe * { return new Mt5BridgeProbe(tokens.reader(), parent, 8000); };
    }

private slots:
    void initTestCase()
    {
        registerModelMetaTypes();
        QVERIFY(m_dir.isValid());
        m_bars = m_dir.filePath(QStringLiteral("bars.csv"));
        QVERIFY(test::writeSyntheticBars(m_bars, 3000));
        auto started = m_pg.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
        QVERIFY2(m_sim.start(QStringLiteral(BOTDESK_MT5SIM),
                             {"--data", QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz"), "--symbol",
                              "EURUSD", "--port", "0", "--heartbeat", "1", "--suffix", ".sim", "--paused"},
                             kToken),
                 m_sim.stderrText.constData());
        qInfo("simulator at %s", qPrintable(m_sim.url.toString()));
    }

    void addTestAndBadUrl()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("accounts"));
        QVERIFY2(url, qPrintable(url ? QString() : url.error().message));
        const DatabaseTarget target = m_pg.target(*url);
        MemoryTokenStore tokens;
        AccountDirectory directory(makeDatabaseLiveRunStoreFactory(target, QStringLiteral("accounts-test")));
        AccountsView view(&directory, &tokens, probes(tokens));
        view.setInteractive(false);
        view.resize(1100, 420);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(view.statusLabel()->text().contains(QStringLiteral("No accounts yet")), 10000);

        // A bad URL in the dialog: the store's error names it; the dialog stays open.
        AccountDialog *dialog = view.openAddDialog();
        dialog->nameEdit()->setText(QStringLiteral("sim-demo"));
        dialog->bridgeEdit()->setText(QStringLiteral("http://127.0.0.1:8765"));
        dialog->tokenEdit()->setText(kToken);
        dialog->magicBox()->setValue(424242);
        dialog->utcOffsetBox()->setValue(2.0);
        dialog->dstBox()->setCurrentIndex(1);
        QSignalSpy failedSpy(dialog, &AccountDialog::saveFailed);
        dialog->buttons()->button(QDialogButtonBox::Ok)->click();
        QTRY_COMPARE_WITH_TIMEOUT(failedSpy.count(), 1, 10000);
        QVERIFY2(dialog->errorLabel()->text().contains(QStringLiteral("is not a WebSocket URL")),
                 qPrintable(dialog->errorLabel()->text()));
        QVERIFY(dialog->isVisible());
        screenshot(dialog, QStringLiteral("accounts_dialog_error"));

        // Keychain choice without a token: refused before anything is stored.
        dialog->bridgeEdit()->setText(m_sim.url.toString());
        dialog->tokenEdit()->clear();
        dialog->buttons()->button(QDialogButtonBox::Ok)->click();
        QCOMPARE(failedSpy.count(), 2);
        QVERIFY(dialog->errorLabel()->text().contains(QStringLiteral("give the bridge's token")));

        // Fixed: saved, listed; the token is in the token store, the record says only where.
        dialog->tokenEdit()->setText(kToken);
        QPointer<AccountDialog> guard(dialog);
        dialog->buttons()->button(QDialogButtonBox::Ok)->click();
        QTRY_VERIFY_WITH_TIMEOUT(guard.isNull() || !guard->isVisible(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 1, 10000);
        QCOMPARE(tokens.token(QStringLiteral("bridge-token/sim-demo")), kToken);
        {
            Database db(target);
            PgLiveRunStore store(db);
            auto stored = store.account(QStringLiteral("sim-demo"));
            QVERIFY2(stored, qPrintable(stored ? QString() : stored.error().message));
            QCOMPARE(stored->bridgeUrl, m_sim.url.toString());
            QCOMPARE(stored->tokenKey, QStringLiteral("bridge-token/sim-demo"));
            QVERIFY(stored->tokenEnv.isEmpty());
            QCOMPARE(stored->magic, qint64(424242));
            QCOMPARE(stored->serverUtcOffsetMin, 120);
            QCOMPARE(stored->dstRule, QStringLiteral("EET"));
            // A second account, as `botdesk-cli accounts add` would, on a port where nothing listens.
            LiveAccount nobody;
            nobody.name = QStringLiteral("nobody");
            nobody.bridgeUrl = QStringLiteral("ws://127.0.0.1:%1").arg(closedPort());
            nobody.tokenEnv = QStringLiteral("BOTDESK_NOBODY_TOKEN");
            nobody.magic = 7;
            QVERIFY(store.addAccount(nobody));
        }
        qputenv("BOTDESK_NOBODY_TOKEN", "whatever");
        view.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 2, 10000);
        QCOMPARE(view.model()->data(view.model()->index(view.model()->rowOf(QStringLiteral("sim-demo")),
                                                        AccountListModel::ServerClockColumn)).toString(),
                 QStringLiteral("UTC+02:00 EET"));
        QCOMPARE(view.model()->light(view.model()->rowOf(QStringLiteral("sim-demo"))), AccountLight::Unknown);

        // Test connection: the simulator's welcome.
        QVERIFY(view.selectAccount(QStringLiteral("sim-demo")));
        QSignalSpy tested(&view, &AccountsView::testFinished);
        QVERIFY(view.testSelected());
        QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 1, 15000);
        auto result = tested.at(0).at(0).value<BridgeProbeResult>();
        QVERIFY2(result.ok(), qPrintable(result.error));
        QVERIFY(!result.login.isEmpty());
        QVERIFY(!result.server.isEmpty());
        QCOMPARE(result.bridgeKind, QStringLiteral("simulator"));
        QVERIFY(view.testResultLabel()->text().contains(QStringLiteral("login %1 on %2").arg(result.login, result.server)));
        QCOMPARE(view.model()->light(view.model()->rowOf(QStringLiteral("sim-demo"))), AccountLight::Ok);
        QVERIFY(view.model()->data(view.model()->index(view.model()->rowOf(QStringLiteral("sim-demo")),
                                                       AccountListModel::LastTestColumn))
                    .toString()
                    .startsWith(QStringLiteral("ok in %1 ms: login ").arg(result.elapsedMs)));
        qInfo("welcome: %s (%lld ms)", qPrintable(result.summary()), result.elapsedMs);
        screenshot(&view, QStringLiteral("accounts_view_tested"));

        // A bad URL: the error names the URL, promptly; the light turns red.
        QVERIFY(view.selectAccount(QStringLiteral("nobody")));
        QElapsedTimer clock;
        clock.start();
        QVERIFY(view.testSelected());
        QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 2, 15000);
        result = tested.at(1).at(0).value<BridgeProbeResult>();
        QVERIFY(!result.ok());
        QVERIFY2(result.error.contains(QStringLiteral("cannot use the bridge at ws://127.0.0.1:")), qPrintable(result.error));
        QVERIFY2(clock.elapsed() < 7000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(view.testResultLabel()->text().contains(result.error));
        QCOMPARE(view.model()->light(view.model()->rowOf(QStringLiteral("nobody"))), AccountLight::Failed);
        qInfo("bad URL: %s (%lld ms)", qPrintable(result.error), clock.elapsed());
        screenshot(&view, QStringLiteral("accounts_view_bad_url"));

        // A wrong token: the bridge refuses the hello.
        tokens.writeToken(QStringLiteral("bridge-token/sim-demo"), QStringLiteral("wrong"), &view, [](Result<void>) {});
        QVERIFY(view.selectAccount(QStringLiteral("sim-demo")));
        QTRY_VERIFY_WITH_TIMEOUT(view.testButton()->isEnabled(), 5000);
        QVERIFY(view.testSelected());
        QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 3, 15000);
        result = tested.at(2).at(0).value<BridgeProbeResult>();
        QVERIFY(!result.ok());
        qInfo("wrong token: %s", qPrintable(result.error));

        // Edit: a new magic and server clock; the token stays (the field left empty), the record is replaced.
        tokens.writeToken(QStringLiteral("bridge-token/sim-demo"), kToken, &view, [](Result<void>) {});
        QVERIFY(view.selectAccount(QStringLiteral("sim-demo")));
        AccountDialog *edit = view.openEditDialog();
        QVERIFY(edit);
        QCOMPARE(edit->nameEdit()->text(), QStringLiteral("sim-demo"));
        QCOMPARE(edit->magicBox()->value(), 424242);
        QCOMPARE(edit->utcOffsetBox()->value(), 2.0);
        QVERIFY(edit->tokenEdit()->text().isEmpty());
        edit->magicBox()->setValue(515151);
        edit->utcOffsetBox()->setValue(3.0);
        edit->dstBox()->setCurrentIndex(0);
        screenshot(edit, QStringLiteral("accounts_edit_dialog"));
        QPointer<AccountDialog> editGuard(edit);
        edit->buttons()->button(QDialogButtonBox::Ok)->click();
        QTRY_VERIFY_WITH_TIMEOUT(editGuard.isNull() || !editGuard->isVisible(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(view.model()->rowOf(QStringLiteral("sim-demo")) >= 0
                                     && view.model()->rows()[size_t(view.model()->rowOf(QStringLiteral("sim-demo")))].account.magic == 515151,
                                 10000);
        QCOMPARE(tokens.token(QStringLiteral("bridge-token/sim-demo")), kToken);
        {
            Database db(target);
            PgLiveRunStore store(db);
            auto edited = store.account(QStringLiteral("sim-demo"));
            QVERIFY(edited);
            QCOMPARE(edited->magic, qint64(515151));
            QCOMPARE(edited->serverUtcOffsetMin, 180);
            QVERIFY(edited->dstRule.isEmpty());
            QCOMPARE(edited->tokenKey, QStringLiteral("bridge-token/sim-demo"));
        }

        // Remove: gone from the list and from the token store.
        QVERIFY(view.selectAccount(QStringLiteral("sim-demo")));
        view.removeSelected();
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(tokens.token(QStringLiteral("bridge-token/sim-demo")).isEmpty(), 5000);
    }

    void startDialogPreflightAndCreate()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("start"));
        QVERIFY2(url, qPrintable(url ? QString() : url.error().message));
        const DatabaseTarget target = m_pg.target(*url);
        Database db(target);
        PgBotStore bots(db);
        PgLiveRunStore runs(db);
        auto first = defaultVersionOf(QStringLiteral("ema_crossover"));
        QVERIFY(first);
        auto bot = bots.createBot(QStringLiteral("alpha"), QStringLiteral("ema_crossover"), *first);
        QVERIFY2(bot, qPrintable(bot ? QString() : bot.error().message));
        auto versions = bots.listVersions(bot->id);
        QVERIFY(versions && versions->size() == 1);
        const BotVersion version = versions->front();
        LiveAccount account;
        account.name = QStringLiteral("sim");
        account.bridgeUrl = m_sim.url.toString();
        account.tokenKey = accountTokenKey(account.name);
        account.magic = 5150;
        QVERIFY(runs.addAccount(account));

        MemoryTokenStore tokens;
        tokens.writeToken(account.tokenKey, kToken, this, [](Result<void>) {});
        AccountDirectory directory(makeDatabaseLiveRunStoreFactory(target, QStringLiteral("start-test")));
        BotLibrary library(makeDatabaseBotStoreFactory(target, QStringLiteral("start-test-bots")));

        // Without a backtest: backtested no; the symbol resolves at the broker; trading allowed.
        {
            StartRunDialog dialog(*bot, version, &directory, &library, probes(tokens));
            dialog.show();
            QSignalSpy done(&dialog, &StartRunDialog::preflightFinished);
            QTRY_VERIFY_WITH_TIMEOUT(done.count() >= 1 && !dialog.preflightPending(), 20000);
            QCOMPARE(dialog.accountBox()->currentText(), QStringLiteral("sim"));
            QCOMPARE(dialog.backtested(), std::optional<bool>(false));
            QCOMPARE(dialog.symbolResolved(), std::optional<bool>(true));
            QVERIFY2(dialog.symbolLabel()->text().contains(QStringLiteral("EURUSD -> EURUSD.sim")),
                     qPrintable(dialog.symbolLabel()->text()));
            QCOMPARE(dialog.tradingAllowed(), std::optional<bool>(true));
            QVERIFY(dialog.backtestLabel()->text().contains(QStringLiteral("no stored backtest")));
            // The defaults are liverun.h's.
            const Guardrails defaults;
            QCOMPARE(dialog.drawdownCapBox()->value(), defaults.drawdownCapPercent);
            QCOMPARE(dialog.dailyLossBox()->value(), defaults.dailyLossPercent);
            QCOMPARE(dialog.maxOpenBox()->value(), defaults.maxOpenPerSymbol);
            QCOMPARE(dialog.maxRiskBox()->value(), defaults.maxRiskPercent);
            screenshot(&dialog, QStringLiteral("accounts_start_dialog_not_backtested"));

            // A symbol the broker does not have: not resolved, with the bridge's reason.
            dialog.symbolEdit()->setText(QStringLiteral("NOSUCH"));
            dialog.runPreflight();
            QTRY_VERIFY_WITH_TIMEOUT(!dialog.preflightPending() && dialog.symbolResolved().has_value(), 20000);
            QCOMPARE(dialog.symbolResolved(), std::optional<bool>(false));
            qInfo("unknown symbol: %s", qPrintable(dialog.symbolLabel()->text()));
        }

        // A stored backtest of the version: backtested yes. Then OK stores a PENDING run with the chosen guardrails.
        BacktestConfig config;
        auto stored = test::makeStoredRun(m_bars, version.id, QStringLiteral("ema_crossover"), version.params, config,
                                          1718000000000);
        QVERIFY2(stored, qPrintable(stored ? QString() : stored.error().message));
        QVERIFY(bots.saveBacktestRun(*stored));
        StartRunDialog dialog(*bot, version, &directory, &library, probes(tokens));
        dialog.show();
        QTRY_VERIFY_WITH_TIMEOUT(dialog.backtested().has_value() && !dialog.preflightPending(), 20000);
        QCOMPARE(dialog.backtested(), std::optional<bool>(true));
        QCOMPARE(dialog.symbolResolved(), std::optional<bool>(true));

        // A spec error names its field and stores nothing.
        dialog.approvalTimeoutBox()->setValue(0);
        QSignalSpy failed(&dialog, &StartRunDialog::submitFailed);
        dialog.submit();
        QCOMPARE(failed.count(), 1);
        QVERIFY2(dialog.errorLabel()->text().contains(QStringLiteral("approval timeout")), qPrintable(dialog.errorLabel()->text()));
        QCOMPARE(runs.runs()->size(), size_t(0));

        dialog.approvalTimeoutBox()->setValue(90);
        dialog.timeframeBox()->setCurrentText(QStringLiteral("M5"));
        dialog.decisionBox()->setCurrentIndex(1);   // TICK
        dialog.approvalBox()->setCurrentIndex(1);   // APPROVE
        dialog.drawdownCapBox()->setValue(12.5);
        dialog.dailyLossBox()->setValue(3.0);
        dialog.maxOpenBox()->setValue(3);
        dialog.cooldownBox()->setValue(120);
        dialog.maxRiskBox()->setValue(0.5);
        dialog.marginCheckBox()->setChecked(false);
        screenshot(&dialog, QStringLiteral("accounts_start_dialog_backtested"));
        dialog.submit();
        QTRY_VERIFY_WITH_TIMEOUT(dialog.createdRun().has_value(), 10000);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        auto all = runs.runs();
        QVERIFY(all && all->size() == 1);
        const LiveRunRecord &r = all->front();
        QCOMPARE(r.spec.id, dialog.createdRun()->spec.id);
        QCOMPARE(r.status, LiveRunStatus::Pending);
        QCOMPARE(r.desired, DesiredState::Running);
        QCOMPARE(r.spec.botVersionId, version.id);
        QCOMPARE(r.spec.codeHash, version.codeHash);
        QCOMPARE(r.spec.account, QStringLiteral("sim"));
        QCOMPARE(r.spec.symbol, QStringLiteral("EURUSD"));
        QCOMPARE(r.spec.timeframe, QStringLiteral("M5"));
        QCOMPARE(r.spec.decision, DecisionMode::Tick);
        QCOMPARE(r.spec.approval, ApprovalMode::Approve);
        QCOMPARE(r.spec.approvalTimeoutMs, qint64(90'000));
        QCOMPARE(r.spec.guardrails.drawdownCapPercent, 12.5);
        QCOMPARE(r.spec.guardrails.dailyLossPercent, 3.0);
        QCOMPARE(r.spec.guardrails.maxOpenPerSymbol, 3);
        QCOMPARE(r.spec.guardrails.cooldownMs, qint64(120'000));
        QCOMPARE(r.spec.guardrails.maxRiskPercent, 0.5);
        QCOMPARE(r.spec.guardrails.marginCheck, false);
    }

    // The window: the Accounts page is a tab, "Start live…" on the Bots page opens the start dialog, whose pre-flight
    // reaches the simulator with the token from BOTDESK_TOKEN_<NAME> (no keychain here: the env fallback), and OK
    // stores the run (the status bar says so).
    void windowStartsLiveFromBotsView()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("window"));
        QVERIFY2(url, qPrintable(url ? QString() : url.error().message));
        const DatabaseTarget target = m_pg.target(*url);
        Database db(target);
        PgBotStore bots(db);
        PgLiveRunStore runs(db);
        auto first = defaultVersionOf(QStringLiteral("ema_crossover"));
        auto bot = bots.createBot(QStringLiteral("beta"), QStringLiteral("ema_crossover"), *first);
        QVERIFY(bot);
        const BotVersion version = bots.listVersions(bot->id)->front();
        LiveAccount account;
        account.name = QStringLiteral("desk-sim");
        account.bridgeUrl = m_sim.url.toString();
        account.tokenKey = accountTokenKey(account.name);
        account.magic = 6060;
        QVERIFY(runs.addAccount(account));
        qputenv("BOTDESK_TOKEN_DESK_SIM", kToken.toUtf8());

        MainWindow window;
        window.setInteractive(false);
        window.setBotStoreFactory(makeDatabaseBotStoreFactory(target, QStringLiteral("window-bots")));
        auto *desk = new LiveDeskSetup(window, nullptr);
        desk->setDatabase(target);
        window.resize(1280, 800);
        window.show();
        int accountsTab = -1;
        for (int i = 0; i < window.pages()->count(); ++i)
            if (window.pages()->tabText(i) == QStringLiteral("Accounts"))
                accountsTab = i;
        QVERIFY(accountsTab >= 0);
        window.pages()->setCurrentIndex(accountsTab);
        QTRY_COMPARE_WITH_TIMEOUT(desk->accountsView()->model()->rowCount(), 1, 10000);
        screenshot(&window, QStringLiteral("accounts_window_page"));

        window.showBotsPage();
        BotsView *view = window.botsView();
        QTRY_VERIFY_WITH_TIMEOUT(view->selectBot(QStringLiteral("beta")), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(view->selectVersion(version.id), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(view->startLiveButton()->isEnabled(), 10000);
        view->startLiveButton()->click();
        StartRunDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = window.findChild<StartRunDialog *>()) != nullptr, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->symbolResolved().has_value() && !dialog->preflightPending(), 20000);
        QVERIFY2(*dialog->symbolResolved(), qPrintable(dialog->symbolLabel()->text()));
        QCOMPARE(dialog->backtested(), std::optional<bool>(false));
        screenshot(dialog, QStringLiteral("accounts_window_start_dialog"));
        dialog->submit();
        QTRY_VERIFY_WITH_TIMEOUT(window.statusBar()->currentMessage().contains(QStringLiteral("PENDING until a host runs it")), 10000);
        auto stored = runs.runs(QStringLiteral("desk-sim"));
        QVERIFY(stored && stored->size() == 1);
        QCOMPARE(stored->front().spec.botVersionId, version.id);
        QCOMPARE(stored->front().status, LiveRunStatus::Pending);
        qunsetenv("BOTDESK_TOKEN_DESK_SIM");
    }

    // Alerts from the database (AlertFeed): events stored before the feed's first poll are history; a drawdown cap, a
    // halt and a rejected order stored afterwards reach the AlertCenter and a local webhook; a run whose heartbeat is
    // late is alerted once.
    void alertsFromTheDatabaseToAWebhook()
    {
        auto url = m_pg.createMigratedDatabase(QStringLiteral("alerts"));
        QVERIFY2(url, qPrintable(url ? QString() : url.error().message));
        const DatabaseTarget target = m_pg.target(*url);
        Database db(target);
        PgBotStore bots(db);
        PgLiveRunStore runs(db);
        PgTradeStore trades(db);
        auto bot = bots.createBot(QStringLiteral("gamma"), QStringLiteral("ema_crossover"),
                                  *defaultVersionOf(QStringLiteral("ema_crossover")));
        QVERIFY(bot);
        const BotVersion version = bots.listVersions(bot->id)->front();
        LiveAccount account;
        account.name = QStringLiteral("alerts-acc");
        account.bridgeUrl = QStringLiteral("ws://127.0.0.1:1");
        account.tokenEnv = QStringLiteral("X_TOKEN");
        account.magic = 99;
        QVERIFY(runs.addAccount(account));
        LiveRunSpec spec;
        spec.id = QUuid::createUuid();
        spec.botVersionId = version.id;
        spec.botName = bot->name;
        spec.codeHash = version.codeHash;
        spec.account = account.name;
        spec.symbol = QStringLiteral("EURUSD");
        QVERIFY(runs.createRun(spec));
        QVERIFY(runs.applyStatusEvent(spec.id, LiveRunEvent::Start));
        auto event = [&](const QString &type, const QString &message, const QJsonObject &payload = {}) {
            LiveEvent e;
            e.liveRunId = spec.id;
            e.account = account.name;
            e.type = type;
            e.message = message;
            e.payload = payload;
            e.atMs = QDateTime::currentMSecsSinceEpoch();
            return trades.appendEvent(e);
        };
        QVERIFY(event(QStringLiteral("OrderRejected"), QStringLiteral("old rejection: history")));

        // The webhook: a local HTTP server that records the bodies.
        QTcpServer http;
        QVERIFY(http.listen(QHostAddress::LocalHost, 0));
        QList<QJsonObject> bodies;
        connect(&http, &QTcpServer::newConnection, this, [&] {
            QTcpSocket *socket = http.nextPendingConnection();
            auto buffer = std::make_shared<QByteArray>();
            connect(socket, &QTcpSocket::readyRead, socket, [&bodies, socket, buffer] {
                *buffer += socket->readAll();
                const qsizetype end = buffer->indexOf("\r\n\r\n");
                if (end < 0)
                    return;
                const QJsonDocument doc = QJsonDocument::fromJson(buffer->mid(end + 4));
                if (doc.isNull())
                    return;  // the body is still coming
                bodies << doc.object();
                socket->write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
                socket->disconnectFromHost();
            });
        });

        AlertCenter center;
        QVERIFY(center.setWebhookUrl(QUrl(QStringLiteral("http://127.0.0.1:%1/alerts").arg(http.serverPort()))));
        QSignalSpy raised(&center, &AlertCenter::alertRaised);
        AlertFeed feed(makeDatabaseAlertStoresFactory(target, QStringLiteral("alerts-test")), &center);
        QSignalSpy polled(&feed, &AlertFeed::polled);
        feed.pollNow();
        QTRY_COMPARE_WITH_TIMEOUT(polled.count(), 1, 10000);
        QCOMPARE(polled.at(0).at(0).toInt(), 0);  // the stored rejection is history
        QVERIFY2(polled.at(0).at(1).toString().isEmpty(), qPrintable(polled.at(0).at(1).toString()));

        QVERIFY(event(QStringLiteral("TradeExecuted"), QStringLiteral("BUY 0.10 EURUSD at 1.08512")));
        QVERIFY(event(QStringLiteral("DrawdownCapTriggered"), QStringLiteral("Drawdown 23.5% exceeds cap 20%; closed 2 positions")));
        QVERIFY(runs.applyStatusEvent(spec.id, LiveRunEvent::Halt, QStringLiteral("drawdown cap")));
        QVERIFY(event(QStringLiteral("RunStatusChanged"), QStringLiteral("RUNNING → HALTED: drawdown cap"),
                      QJsonObject{{QStringLiteral("from"), QStringLiteral("RUNNING")}, {QStringLiteral("to"), QStringLiteral("HALTED")}}));
        QVERIFY(event(QStringLiteral("OrderRejected"), QStringLiteral("SELL 0.10 EURUSD: retcode 10019 no money")));
        feed.pollNow();
        QTRY_COMPARE_WITH_TIMEOUT(polled.count(), 2, 10000);
        QCOMPARE(polled.at(1).at(0).toInt(), 3);
        QCOMPARE(raised.count(), 3);
        QTRY_COMPARE_WITH_TIMEOUT(bodies.size(), 3, 10000);
        QStringList kinds;
        for (const QJsonObject &b : bodies)
            kinds << b.value(QStringLiteral("kind")).toString();
        kinds.sort();
        QCOMPARE(kinds, (QStringList{"drawdown_cap", "halt", "order_rejected"}));
        QCOMPARE(bodies.at(0).value(QStringLiteral("run")).toString(), spec.id.toString(QUuid::WithoutBraces));

        // A late heartbeat (the run started 2 minutes ago and wrote none): one stale alert, not repeated.
        QVERIFY(m_pg.execAsSuperuser(QStringLiteral("UPDATE live_runs SET started_at = now() - interval '2 minutes'"),
                                     QStringLiteral("alerts")));
        feed.pollNow();
        QTRY_COMPARE_WITH_TIMEOUT(polled.count(), 3, 10000);
        feed.pollNow();
        QTRY_COMPARE_WITH_TIMEOUT(polled.count(), 4, 10000);
        QCOMPARE(raised.count(), 4);
        QCOMPARE(raised.at(3).at(0).value<Alert>().kind, AlertKind::StaleHeartbeat);
        QTRY_COMPARE_WITH_TIMEOUT(bodies.size(), 4, 10000);
        qInfo("webhook got %lld alerts; last: %s", qlonglong(bodies.size()),
              qPrintable(bodies.last().value(QStringLiteral("text")).toString()));
    }

    // The real keychain with no keychain service (the session bus points nowhere): a clear error naming the entry
    // and the fix, never a hang or a crash.
    void keychainUnavailableIsAClearError()
    {
        KeychainTokenStore keychain;
        std::optional<Result<void>> answer;
        keychain.writeToken(accountTokenKey(QStringLiteral("icm-demo")), QStringLiteral("secret"), this,
                            [&answer](Result<void> r) { answer = std::move(r); });
        QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 30000);
        QVERIFY(!answer->ok());
        const QString message = answer->error().message;
        QVERIFY2(message.contains(QStringLiteral("cannot store the bridge token of 'bridge-token/icm-demo' in the system keychain")),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("environment variable")), qPrintable(message));
        QVERIFY(!message.contains(QStringLiteral("secret")));
        qInfo("keychain: %s", qPrintable(message));

        // A host's blocking reader (off the GUI thread): the same clear error, then accountToken falls back to the
        // environment.
        const KeychainTokenReader reader = makeKeychainTokenReader(this, 20000);
        auto read = std::make_shared<std::optional<Result<QString>>>();
        auto readDone = std::make_shared<std::atomic<bool>>(false);
        QThread *thread = QThread::create([reader, read, readDone] {
            *read = reader(QStringLiteral("bridge-token/icm-demo"));
            readDone->store(true);
        });
        thread->start();
        QTRY_VERIFY_WITH_TIMEOUT(readDone->load(), 30000);
        thread->wait();
        delete thread;
        QVERIFY(read->has_value() && !(*read)->ok());
        QVERIFY2((*read)->error().message.contains(QStringLiteral("cannot read the bridge token of 'bridge-token/icm-demo'")),
                 qPrintable((*read)->error().message));

        // The dialog shows that error and stays open.
        auto url = m_pg.createMigratedDatabase(QStringLiteral("keychain"));
        QVERIFY(url);
        AccountDirectory directory(makeDatabaseLiveRunStoreFactory(m_pg.target(*url), QStringLiteral("keychain-test")));
        AccountDialog dialog(&directory, &keychain);
        dialog.show();
        dialog.nameEdit()->setText(QStringLiteral("icm-demo"));
        dialog.bridgeEdit()->setText(QStringLiteral("ws://127.0.0.1:8765"));
        dialog.tokenEdit()->setText(QStringLiteral("secret"));
        QSignalSpy failed(&dialog, &AccountDialog::saveFailed);
        dialog.save();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        QVERIFY(dialog.errorLabel()->text().contains(QStringLiteral("cannot store the bridge token")));
        QVERIFY(dialog.isVisible());
    }

    // Hosting's token rule (app/live/accounttoken.h): keychain first, then the environment.
    void tokenLookupPrefersKeychain()
    {
        LiveAccount a;
        a.name = QStringLiteral("icm-demo");
        a.tokenKey = accountTokenKey(a.name);
        QCOMPARE(tokenFallbackEnv(a), QStringLiteral("BOTDESK_TOKEN_ICM_DEMO"));
        qunsetenv("BOTDESK_TOKEN_ICM_DEMO");
        auto none = tokenFromEnvironment(a);
        QVERIFY(!none);
        QVERIFY2(none.error().message.contains(QStringLiteral("BOTDESK_TOKEN_ICM_DEMO")), qPrintable(none.error().message));
        qputenv("BOTDESK_TOKEN_ICM_DEMO", "from-env");
        QCOMPARE(*tokenFromEnvironment(a), QStringLiteral("from-env"));
        const KeychainTokenReader keychain = [](const QString &key) -> Result<QString> {
            return key == QLatin1String("bridge-token/icm-demo") ? QStringLiteral("from-keychain") : QString();
        };
        QCOMPARE(*accountToken(a, keychain), QStringLiteral("from-keychain"));
        const KeychainTokenReader broken = [](const QString &) -> Result<QString> { return makeError(QStringLiteral("no keychain")); };
        QCOMPARE(*accountToken(a, broken), QStringLiteral("from-env"));
        qunsetenv("BOTDESK_TOKEN_ICM_DEMO");
        auto neither = accountToken(a, broken);
        QVERIFY(!neither);
        QVERIFY2(neither.error().message.contains(QStringLiteral("no keychain")), qPrintable(neither.error().message));
    }
};

int main(int argc, char *argv[])
{
    // No keychain service, as on CI: the session bus points at nothing, and no X display to autolaunch one.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/botdesk-test-bus");
    qunsetenv("DISPLAY");
    QApplication app(argc, argv);
    TestAccounts test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_accounts.moc"
