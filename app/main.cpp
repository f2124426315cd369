// botdesk: the GUI strategy tester and the Bots view.
//   botdesk [--data FILE] [--symbol S] [--strategy NAME] [--params JSON] [--deposit N] [--run] [--screenshot PNG]
//           [--db postgresql://user@host:5432/botdesk | local] [--bots]
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
#include "displaytext.h"
#include "keychainpassword.h"
#include "livedesksetup.h"
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
#include <QImage>
#include <QPixmap>
#include <QSettings>
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
    const QCommandLineOption botsOption(QStringLiteral("bots"), QStringLiteral("Open on the Bots page."));
    parser.addOptions({dataOption, symbolOption, strategyOption, paramsOption, depositOption, runOption, screenshotOption,
                       dbOption, botsOption});
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
    window.setVersionStrategies(std::make_shared<bd::AppVersionStrategies>());
    const auto databaseTarget = bd::resolveDatabaseTarget(dbValue, environmentUrl,
                                                          userSettings.value(bd::DatabaseDialog::settingKey()).toString());
    window.setBotStoreFactory(botStoreFactory(databaseTarget, &window, pendingPasswords));
    // The Accounts page, "Start live…" and the alerts (issue 10 §2, §3, §7): app/accounts/livedesksetup.h.
    auto *liveDesk = new bd::LiveDeskSetup(window, scripted ? nullptr : &userSettings);
    liveDesk->setDatabase(databaseTarget);
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
    if (parser.isSet(botsOption))
        window.showBotsPage();

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
    } else if (headlessShot && parser.isSet(botsOption)) {
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
    return exitCode;
}
