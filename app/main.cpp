// botdesk: the GUI strategy tester, the Bots view and the Live page.
//   botdesk [--data FILE] [--symbol S] [--strategy NAME] [--params JSON] [--deposit N] [--run] [--screenshot PNG]
//           [--db postgresql://user@host:5432/botdesk | local] [--view bots|backtests|live] [--bots]
// --view opens on that page (--bots = --view bots; backtests = the Strategy Tester). With --screenshot, the Bots and
// Live pages are shot once they show what the database holds (at most 30 s). The Live page (issue 10) reads the same
// database as the Bots page on a worker thread of its own; when a database is configured (--db, BOTDESK_DB_URL or
// the setting; not BotDesk's default local cluster) and the window is not scripted (--run, --screenshot), the window
// also hosts that database's live runs in-process (DesktopLiveHost, like `botdesk-cli live serve`; bridge tokens
// from each account's environment variable), shut down cleanly on exit.
// The Bots page uses the database chosen by --db > BOTDESK_DB_URL > the setting database/url > BotDesk's local
// cluster; it connects only when the page is first shown (on a worker thread), so the backtest window never waits
// for a database. A --db that is not a database URL is a usage error; a bad BOTDESK_DB_URL or setting is shown in
// the Bots page. Settings > Database… (app/databasedialog.h) sets database/url; passwords live in the system
// keychain (app/keychainpassword.h), never in the settings file: for a server URL without a password the keychain
// is read at start, asynchronously, and the Bots page's first connection waits for that answer on its worker
// thread. Without a keychain service libpq's ~/.pgpass still works; the keychain's error is shown only when the
// connection then fails for lack of a password.
// --run starts the backtest at once; --screenshot saves the window once the run ends (or right away without
// --run) and quits: exit code 0 when the run produced a result, 1 otherwise. Works with QT_QPA_PLATFORM=offscreen.
// A command line that cannot be followed exactly (unknown option, unknown symbol or strategy, a deposit the form
// cannot hold, a stray argument) is refused before any window opens: message on stderr, exit code 2, nothing
// substituted and no remembered input changed. --help and --version exit 0.

#include "backtestform.h"
#include "barcache.h"
#include "botstrategy.h"
#include "cliarguments.h"
#include "databasebotstore.h"
#include "databasedialog.h"
#include "desktoplivehost.h"
#include "accounttoken.h"
#include "displaytext.h"
#include "keychainpassword.h"
#include "alertcenter.h"
#include "livedesksetup.h"
#include "livemonitor.h"
#include "liverunsmodel.h"
#include "livestorefactory.h"
#include "liveview.h"
#include "logging.h"
#include "mainwindow.h"
#include "metatypes.h"
#include "strategyregistry.h"
#include "symbolspec.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHostInfo>
#include <QImage>
#include <QPixmap>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

namespace {

constexpr int kExitUsage = 2;

int usageError(const QString &message)
{
    const QString text = bd::escapeForDisplay(message, bd::EscapeMode::Message);
    std::fprintf(stderr, "botdesk: %s\n", text.toUtf8().constData());
    return kExitUsage;
}

// Checks the --symbol/--strategy/--deposit values against what the form offers, before the window exists.
// Returns the parsed deposit (if given), or the message of the first refused value.
struct CheckedArguments {
    std::optional<double> deposit;
};

bd::Result<CheckedArguments> checkArguments(const QCommandLineParser &parser, const QCommandLineOption &symbolOption,
                                            const QCommandLineOption &strategyOption, const QCommandLineOption &depositOption)
{
    CheckedArguments checked;
    if (parser.isSet(symbolOption)) {
        auto catalog = bd::SymbolCatalog::builtin();
        if (!catalog)
            return bd::makeError(QStringLiteral("--symbol: the symbol catalogue is unavailable: %1").arg(catalog.error().message));
        if (auto found = bd::symbolOption(*catalog, parser.value(symbolOption)); !found)
            return found.error();
    }
    if (parser.isSet(strategyOption)) {
        if (auto known = bd::strategyOption(parser.value(strategyOption)); !known)
            return known.error();
    }
    if (parser.isSet(depositOption)) {
        bd::NumberRange range;  // what the form's deposit field holds: it would clamp or round anything else
        range.min = bd::BacktestForm::kMinDeposit;
        range.max = bd::BacktestForm::kMaxDeposit;
        range.maxDecimals = bd::BacktestForm::kDepositDecimals;
        range.unit = QStringLiteral("money in the deposit currency");
        auto deposit = bd::parseNumberOption(QStringLiteral("deposit"), parser.value(depositOption), range);
        if (!deposit)
            return deposit.error();
        checked.deposit = *deposit;
    }
    return checked;
}

bool saveScreenshot(bd::MainWindow &window, const QString &path)
{
    const QFileInfo info(path);
    QDir().mkpath(info.absolutePath());
    const bool ok = window.grab().save(path, "PNG");
    if (ok)
        bd::logging::get("app")->info("screenshot saved to {}", path.toStdString());
    else
        bd::logging::get("app")->error("cannot save screenshot to {}", path.toStdString());
    return ok;
}

// How long the Bots page's first connection waits for the keychain (it may ask the user to unlock it).
constexpr int kKeychainWaitMs = 120000;

// The Bots page's store factory for `target`: for a server URL without a password, the password is read from the
// system keychain now (asynchronously, on the GUI thread) and the first store waits for the answer.
bd::BotStoreFactory botStoreFactory(const bd::Result<bd::DatabaseTarget> &target, QObject *context,
                                    std::vector<std::shared_ptr<bd::PendingPassword>> &pending)
{
    const QString purpose = QStringLiteral("gui-bots");
    if (!target || !bd::needsStoredPassword(*target))
        return bd::makeDatabaseBotStoreFactory(target, purpose);
    auto password = std::make_shared<bd::PendingPassword>();
    pending.push_back(password);
    bd::readKeychainPassword(bd::keychainKey(target->url), context,
                             [password](bd::Result<QString> answer) { password->set(std::move(answer)); });
    return bd::makeDatabaseBotStoreFactory(target, purpose, [password] { return password->wait(kKeychainWaitMs); });
}

// The Live page's password source for `target`, as botStoreFactory's (a keychain read started now).
bd::PasswordSource livePasswordSource(const bd::Result<bd::DatabaseTarget> &target, QObject *context,
                                      std::vector<std::shared_ptr<bd::PendingPassword>> &pending)
{
    if (!target || !bd::needsStoredPassword(*target))
        return {};
    auto password = std::make_shared<bd::PendingPassword>();
    pending.push_back(password);
    bd::readKeychainPassword(bd::keychainKey(target->url), context,
                             [password](bd::Result<QString> answer) { password->set(std::move(answer)); });
    return [password] { return password->wait(kKeychainWaitMs); };
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("BotDesk"));
    QApplication::setApplicationName(QStringLiteral("BotDesk"));
    QApplication::setApplicationVersion(QStringLiteral(BOTDESK_VERSION));
    bd::registerModelMetaTypes();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("BotDesk strategy tester"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataOption(QStringLiteral("data"), QStringLiteral("Bars file (BotDesk CSV or MT5 export, .gz ok)."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption symbolOption(QStringLiteral("symbol"), QStringLiteral("Symbol name, e.g. EURUSD."),
                                          QStringLiteral("S"));
    const QCommandLineOption strategyOption(QStringLiteral("strategy"), QStringLiteral("Strategy name, e.g. ema_crossover."),
                                            QStringLiteral("NAME"));
    const QCommandLineOption paramsOption(QStringLiteral("params"), QStringLiteral("Strategy parameters as a JSON object."),
                                          QStringLiteral("JSON"));
    const QCommandLineOption depositOption(QStringLiteral("deposit"),
                                           QStringLiteral("Initial deposit, %1 to %2 with at most %3 decimals.")
                                               .arg(bd::BacktestForm::kMinDeposit, 0, 'f', 0)
                                               .arg(bd::BacktestForm::kMaxDeposit, 0, 'f', 0)
                                               .arg(bd::BacktestForm::kDepositDecimals),
                                           QStringLiteral("N"));
    const QCommandLineOption runOption(QStringLiteral("run"), QStringLiteral("Start the backtest at once."));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                              QStringLiteral("Save the window as PNG when the run ends, then quit "
                                                             "(exit 0 on success, 1 on failure)."),
                                              QStringLiteral("PNG"));
    const QCommandLineOption dbOption(QStringLiteral("db"),
                                      QStringLiteral("Database of the Bots page: a postgresql:// URL, or 'local' for "
                                                     "BotDesk's own cluster (default: BOTDESK_DB_URL, else local)."),
                                      QStringLiteral("URL"));
    const QCommandLineOption botsOption(QStringLiteral("bots"), QStringLiteral("Open on the Bots page (= --view bots)."));
    const QCommandLineOption viewOption(QStringLiteral("view"),
                                        QStringLiteral("Open on this page: bots, backtests (the Strategy Tester) or live."),
                                        QStringLiteral("PAGE"));
    parser.addOptions({dataOption, symbolOption, strategyOption, paramsOption, depositOption, runOption, screenshotOption,
                       dbOption, botsOption, viewOption});
    // parse(), not process(): process() exits 1 on an unknown option or a missing value, and this is a usage error.
    if (!parser.parse(QCoreApplication::arguments()))
        return usageError(QStringLiteral("%1 Run 'botdesk --help' for the options.").arg(parser.errorText()));
    // The parse succeeded, so process() only prints the help or the version and exits 0.
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all")) || parser.isSet(QStringLiteral("version")))
        parser.process(app);
    if (!parser.positionalArguments().isEmpty()) {
        return usageError(QStringLiteral("unexpected argument '%1': botdesk takes options only (see --help)")
                              .arg(bd::escapeForDisplay(parser.positionalArguments().first())));
    }
    const auto checked = checkArguments(parser, symbolOption, strategyOption, depositOption);
    if (!checked)
        return usageError(checked.error().message);
    const std::optional<QString> dbValue =
        parser.isSet(dbOption) ? std::optional<QString>(parser.value(dbOption)) : std::nullopt;
    if (dbValue) {
        if (auto target = bd::resolveDatabaseTarget(dbValue); !target)
            return usageError(target.error().message);
    }

    QString view = parser.isSet(botsOption) ? QStringLiteral("bots") : QStringLiteral("backtests");
    if (parser.isSet(viewOption)) {
        view = parser.value(viewOption).toLower();
        if (view != QLatin1String("bots") && view != QLatin1String("backtests") && view != QLatin1String("live"))
            return usageError(QStringLiteral("--view '%1' is not a page; give bots, backtests or live")
                                  .arg(bd::escapeForDisplay(parser.value(viewOption))));
        if (parser.isSet(botsOption) && view != QLatin1String("bots"))
            return usageError(QStringLiteral("--bots and --view %1 ask for two pages; give one").arg(view));
    }

    const bool headlessShot = parser.isSet(screenshotOption);
    // Command-line runs and screenshots must not restore or overwrite the user's remembered inputs.
    QSettings userSettings;
    const bool scripted = parser.isSet(runOption) || headlessShot;
    bd::MainWindow window(scripted ? nullptr : &userSettings);
    window.setInteractive(!headlessShot);
    window.setBarCacheDirectory(bd::BarCache::defaultDirectory());
    // Resolving only reads the option, the environment and the setting; nothing connects until the Bots page shows.
    std::vector<std::shared_ptr<bd::PendingPassword>> pendingPasswords;
    const QString environmentUrl = qEnvironmentVariable("BOTDESK_DB_URL");
    auto strategies = std::make_shared<bd::AppVersionStrategies>();
    window.setVersionStrategies(strategies);
    const QString settingUrl = userSettings.value(bd::DatabaseDialog::settingKey()).toString();
    const bd::Result<bd::DatabaseTarget> startTarget = bd::resolveDatabaseTarget(dbValue, environmentUrl, settingUrl);
    window.setBotStoreFactory(botStoreFactory(startTarget, &window, pendingPasswords));
    // The Live page: the start's database (a database chosen in the dialog applies from the next start).
    auto *liveMonitor = new bd::LiveMonitor(
        bd::makeLiveStoreFactory(startTarget, QStringLiteral("gui-live"),
                                 livePasswordSource(startTarget, &window, pendingPasswords)),
        &window);
    window.setLiveView(new bd::LiveView(liveMonitor));
    // The Accounts page, "Start live…" and the alerts (issue 10 §2, §3, §7): app/accounts/livedesksetup.h.
    auto *liveDesk = new bd::LiveDeskSetup(window, scripted ? nullptr : &userSettings);
    liveDesk->setDatabase(startTarget);
    // Hosting: only a configured database, never for a scripted window.
    std::unique_ptr<bd::DesktopLiveHost> liveHost;
    const bool databaseConfigured = dbValue || !environmentUrl.isEmpty() || !settingUrl.isEmpty();
    std::optional<bd::SymbolCatalog> liveCatalog;
    if (auto catalog = bd::SymbolCatalog::builtin(); catalog)
        liveCatalog = *catalog;
    if (databaseConfigured && startTarget && !scripted && liveCatalog) {
        bd::LiveRunHost::Options o;
        o.target = *startTarget;
        o.dbOptions.purpose = QStringLiteral("gui-live-host");
        o.hostId = QStringLiteral("desktop:%1:%2").arg(QHostInfo::localHostName()).arg(QCoreApplication::applicationPid());
        o.strategies = strategies.get();
        o.catalog = *liveCatalog;
        // The keychain first (accounts added in the Accounts page), then the environment (app/live/accounttoken.h).
        o.tokenFor = [reader = liveDesk->tokenReader()](const bd::LiveAccount &account) {
            return bd::accountToken(account, reader);
        };
        liveHost = std::make_unique<bd::DesktopLiveHost>(o);
        QObject::connect(liveHost.get(), &bd::DesktopLiveHost::hostFailed, &window, [&window](const QString &message) {
            window.statusBar()->showMessage(QObject::tr("Live runs are not hosted here yet: %1").arg(message));
        });
        QObject::connect(liveHost.get(), &bd::DesktopLiveHost::accountFailed, &window,
                         [&window](const QString &account, const QString &reason) {
            window.statusBar()->showMessage(QObject::tr("Live account %1: %2").arg(account, reason));
        });
        bd::AlertCenter *alerts = liveDesk->alerts();
        QObject::connect(liveHost.get(), &bd::DesktopLiveHost::accountFailed, alerts, &bd::AlertCenter::onAccountFailed);
        QObject::connect(liveHost.get(), &bd::DesktopLiveHost::runStatusChanged, alerts,
                         [alerts](const QUuid &runId, const QString &status, const QString &message) {
            if (const auto s = bd::liveRunStatusFromName(status))
                alerts->onRunStatusChanged(runId, *s, message);
        });
        if (bd::needsStoredPassword(*startTarget)) {
            // The host's connection needs the keychain's password: it starts when the keychain answers.
            bd::DesktopLiveHost *host = liveHost.get();
            bd::readKeychainPassword(bd::keychainKey(startTarget->url), host, [host, o](bd::Result<QString> answer) mutable {
                if (answer && !answer.value().isEmpty()) {
                    o.target.url.password = answer.value();
                    host->setOptions(o);
                }
                host->start();
            });
        } else {
            liveHost->start();
        }
    }
    QString overrideNote;
    if (dbValue)
        overrideNote = QStringLiteral("This window was started with --db, which takes precedence: the choice saved here "
                                      "applies from the next start without --db.");
    else if (!environmentUrl.isEmpty())
        overrideNote = QStringLiteral("BOTDESK_DB_URL is set and takes precedence: the choice saved here applies once "
                                      "it is unset.");
    QObject::connect(&window, &bd::MainWindow::databaseSettingsRequested, &window,
                     [&window, &userSettings, &pendingPasswords, overrideNote, liveDesk] {
        auto *dialog = new bd::DatabaseDialog(&userSettings, overrideNote, &window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        QObject::connect(dialog, &bd::DatabaseDialog::databaseSaved, &window,
                         [&window, &pendingPasswords, overrideNote, liveDesk](const bd::DatabaseTarget &target) {
            if (overrideNote.isEmpty()) {
                window.setBotStoreFactory(botStoreFactory(target, &window, pendingPasswords));
                liveDesk->setDatabase(target);
            }
        });
        dialog->open();
    });

    // The values were checked against the same catalogue and registry the form lists; a refusal here would be a bug.
    bd::BacktestForm *form = window.form();
    if (parser.isSet(dataOption))
        form->setDataFile(parser.value(dataOption));
    if (parser.isSet(symbolOption) && !form->setSymbol(parser.value(symbolOption)))
        return usageError(QStringLiteral("--symbol '%1' is not in the form's list").arg(bd::escapeForDisplay(parser.value(symbolOption))));
    if (parser.isSet(strategyOption) && !form->setStrategy(parser.value(strategyOption)))
        return usageError(QStringLiteral("--strategy '%1' is not in the form's list").arg(bd::escapeForDisplay(parser.value(strategyOption))));
    if (parser.isSet(paramsOption))
        form->setParamsJson(parser.value(paramsOption));
    if (checked->deposit)
        form->setDeposit(*checked->deposit);

    window.show();
    if (view == QLatin1String("bots"))
        window.showBotsPage();
    else if (view == QLatin1String("live"))
        window.showLivePage();

    const QString shotPath = parser.value(screenshotOption);
    if (headlessShot) {
        QObject::connect(&window, &bd::MainWindow::runEnded, &app, [&window, shotPath](bool success) {
            // Let pending layout and paint events run once before grabbing.
            QTimer::singleShot(0, &window, [&window, shotPath, success] {
                const bool saved = saveScreenshot(window, shotPath);
                QCoreApplication::exit(success && saved ? 0 : 1);
            });
        });
    }

    if (parser.isSet(runOption)) {
        QTimer::singleShot(0, &window, [&window, headlessShot, shotPath] {
            if (!window.startBacktest() && headlessShot) {
                // Invalid input: the error is on screen; capture it and fail.
                saveScreenshot(window, shotPath);
                QCoreApplication::exit(1);
            }
        });
    } else if (headlessShot && view == QLatin1String("live")) {
        // The Live page shows what the database holds once its first snapshot is applied (or its error): at most 30 s.
        auto *poll = new QTimer(&window);
        auto *clock = new QElapsedTimer;
        clock->start();
        QObject::connect(poll, &QTimer::timeout, &window, [&window, shotPath, poll, clock, liveMonitor] {
            const bool shown = liveMonitor->model()->appliedBatches() > 0;
            const bool failed = !liveMonitor->lastError().isEmpty();
            if (!shown && !failed && clock->elapsed() < 30000)
                return;
            poll->stop();
            delete clock;
            QCoreApplication::exit(saveScreenshot(window, shotPath) && shown ? 0 : 1);
        });
        poll->start(100);
    } else if (headlessShot && view == QLatin1String("bots")) {
        // The Bots page fills in as the database answers: shoot once nothing is pending (at most 30 s).
        auto *poll = new QTimer(&window);
        auto *clock = new QElapsedTimer;
        clock->start();
        QObject::connect(poll, &QTimer::timeout, &window, [&window, shotPath, poll, clock] {
            bd::BotLibrary *library = window.botLibrary();
            const bool idle = !library || library->pendingCount() == 0;
            if (!idle && clock->elapsed() < 30000)
                return;
            poll->stop();
            delete clock;
            QCoreApplication::exit(saveScreenshot(window, shotPath) && idle ? 0 : 1);
        });
        poll->start(100);
    } else if (headlessShot) {
        QTimer::singleShot(0, &window, [&window, shotPath] {
            QCoreApplication::exit(saveScreenshot(window, shotPath) ? 0 : 1);
        });
    }

    const int exitCode = QApplication::exec();
    // A Bots page still waiting for the keychain stops waiting before the window (and its worker) goes.
    for (const auto &password : pendingPasswords)
        password->abandon(QStringLiteral("BotDesk is closing"));
    // The hosted runs stop (leases released, positions left under their SL/TP) before the window goes.
    liveHost.reset();
    return exitCode;
}
