// botdesk: the GUI strategy tester.
//   botdesk [--data FILE] [--symbol S] [--strategy NAME] [--params JSON] [--deposit N] [--run] [--screenshot PNG]
// --run starts the backtest at once; --screenshot saves the window once the run ends (or right away without
// --run) and quits: exit code 0 when the run produced a result, 1 otherwise. Works with QT_QPA_PLATFORM=offscreen.

#include "backtestform.h"
#include "barcache.h"
#include "logging.h"
#include "mainwindow.h"
#include "metatypes.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QPixmap>
#include <QSettings>
#include <QTimer>

#include <cstdio>

namespace {

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
    const QCommandLineOption depositOption(QStringLiteral("deposit"), QStringLiteral("Initial deposit."), QStringLiteral("N"));
    const QCommandLineOption runOption(QStringLiteral("run"), QStringLiteral("Start the backtest at once."));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                              QStringLiteral("Save the window as PNG when the run ends, then quit "
                                                             "(exit 0 on success, 1 on failure)."),
                                              QStringLiteral("PNG"));
    parser.addOptions({dataOption, symbolOption, strategyOption, paramsOption, depositOption, runOption, screenshotOption});
    parser.process(app);

    const bool headlessShot = parser.isSet(screenshotOption);
    // Command-line runs and screenshots must not restore or overwrite the user's remembered inputs.
    QSettings userSettings;
    const bool scripted = parser.isSet(runOption) || headlessShot;
    bd::MainWindow window(scripted ? nullptr : &userSettings);
    window.setInteractive(!headlessShot);
    window.setBarCacheDirectory(bd::BarCache::defaultDirectory());

    bd::BacktestForm *form = window.form();
    if (parser.isSet(dataOption))
        form->setDataFile(parser.value(dataOption));
    if (parser.isSet(symbolOption))
        form->setSymbol(parser.value(symbolOption));
    if (parser.isSet(strategyOption))
        form->setStrategy(parser.value(strategyOption));
    if (parser.isSet(paramsOption))
        form->setParamsJson(parser.value(paramsOption));
    if (parser.isSet(depositOption)) {
        bool ok = false;
        const double deposit = parser.value(depositOption).toDouble(&ok);
        if (!ok || deposit <= 0) {
            std::fprintf(stderr, "botdesk: --deposit must be a positive number, got '%s'\n",
                         qPrintable(parser.value(depositOption)));
            return 2;
        }
        form->setDeposit(deposit);
    }

    window.show();

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
    } else if (headlessShot) {
        QTimer::singleShot(0, &window, [&window, shotPath] {
            QCoreApplication::exit(saveScreenshot(window, shotPath) ? 0 : 1);
        });
    }

    return QApplication::exec();
}
