// botdesk-mt5: BotDesk's MetaTrader 5 bridge client from the command line (docs/mt5-connector.md).
//   botdesk-mt5 check --url ws://127.0.0.1:8765 [--symbol EURUSD] [--history-bars 5] [--live-bars 1]
//                     [--trade LOTS] [--ca-cert FILE] [--timeout SEC]
// The bridge's token comes from the environment variable BOTDESK_BRIDGE_TOKEN (or the one named by --token-env),
// or from --token-file; never from the command line, where other users could read it.
// Exit codes: 0 the check passed, 1 it failed (the last line says why), 2 usage error.
// A separate executable from botdesk-cli so that the backtest CLI does not load Qt Network and WebSockets.

#include "bridgecheck.h"
#include "logging.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QTextStream>

#include <cstdio>

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

int usage(const QString &message)
{
    QTextStream err(stderr);
    err << "botdesk-mt5: " << message << Qt::endl;
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("botdesk-mt5"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Checks a MetaTrader 5 bridge (mt5b v1): the terminal, the account, a symbol, recent bars and optionally one "
        "order round trip. The token comes from $BOTDESK_BRIDGE_TOKEN (or --token-env / --token-file)."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("check"));
    parser.addOption({QStringLiteral("url"), QStringLiteral("The bridge: ws://host:port or wss://host:port."), QStringLiteral("URL")});
    parser.addOption({QStringLiteral("token-env"), QStringLiteral("Environment variable holding the token (default BOTDESK_BRIDGE_TOKEN)."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("token-file"), QStringLiteral("File whose first line is the token."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("ca-cert"), QStringLiteral("wss: trust only this PEM certificate."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("symbol"), QStringLiteral("Symbol as BotDesk names it (default EURUSD); the bridge resolves the broker's name."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("history-bars"), QStringLiteral("Closed M1 bars to fetch (default 5)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("live-bars"), QStringLiteral("New closed M1 bars to wait for (default 1; 0 = none)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("trade"), QStringLiteral("Open one market BUY of this many lots and close it again. Use a demo account."), QStringLiteral("LOTS")});
    parser.addOption({QStringLiteral("timeout"), QStringLiteral("Seconds for the whole check (default 30)."), QStringLiteral("SEC")});
    parser.addOption({QStringLiteral("log-level"), QStringLiteral("The connector's log on stderr: trace, debug (every frame sent), info (default), warn, error, off."), QStringLiteral("LEVEL")});
    if (!parser.parse(QCoreApplication::arguments()))
        return usage(parser.errorText() + QStringLiteral(" (see --help)"));
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    const QStringList args = parser.positionalArguments();
    if (args != QStringList{QStringLiteral("check")})
        return usage(QStringLiteral("give the command 'check' (see --help)"));

    bd::BridgeCheckOptions options;
    options.url = QUrl(parser.value(QStringLiteral("url")), QUrl::StrictMode);
    if (!parser.isSet(QStringLiteral("url")) || !options.url.isValid()
        || (options.url.scheme() != QLatin1String("ws") && options.url.scheme() != QLatin1String("wss"))
        || options.url.host().isEmpty())
        return usage(QStringLiteral("--url '%1' is not a bridge URL; give ws://host:port or wss://host:port")
                         .arg(parser.value(QStringLiteral("url"))));
    if (parser.isSet(QStringLiteral("token-file"))) {
        QFile file(parser.value(QStringLiteral("token-file")));
        if (!file.open(QIODevice::ReadOnly))
            return usage(QStringLiteral("--token-file %1: %2").arg(file.fileName(), file.errorString()));
        options.token = QString::fromUtf8(file.readLine()).trimmed();
    } else {
        const QString name = parser.isSet(QStringLiteral("token-env")) ? parser.value(QStringLiteral("token-env"))
                                                                       : QStringLiteral("BOTDESK_BRIDGE_TOKEN");
        options.token = qEnvironmentVariable(name.toLocal8Bit().constData());
        if (options.token.isEmpty())
            return usage(QStringLiteral("no token: set the environment variable %1 (or use --token-file FILE)").arg(name));
    }
    if (options.token.isEmpty())
        return usage(QStringLiteral("the token is empty"));
    options.caCertificateFile = parser.value(QStringLiteral("ca-cert"));
    if (parser.isSet(QStringLiteral("symbol")))
        options.symbol = parser.value(QStringLiteral("symbol"));
    const auto intOption = [&](const char *name, int min, int max, int &target) -> bool {
        if (!parser.isSet(QLatin1String(name)))
            return true;
        bool ok = false;
        const int v = parser.value(QLatin1String(name)).toInt(&ok);
        if (!ok || v < min || v > max)
            return false;
        target = v;
        return true;
    };
    if (!intOption("history-bars", 0, 50000, options.historyBars))
        return usage(QStringLiteral("--history-bars must be a whole number 0..50000"));
    if (!intOption("live-bars", 0, 1000, options.liveBars))
        return usage(QStringLiteral("--live-bars must be a whole number 0..1000"));
    if (!intOption("timeout", 1, 86400, options.timeoutSec))
        return usage(QStringLiteral("--timeout must be a whole number of seconds 1..86400"));
    if (parser.isSet(QStringLiteral("trade"))) {
        bool ok = false;
        options.tradeVolume = parser.value(QStringLiteral("trade")).toDouble(&ok);
        if (!ok || !(options.tradeVolume > 0) || options.tradeVolume > 1000)
            return usage(QStringLiteral("--trade must be a volume in lots, e.g. 0.01"));
    }

    if (parser.isSet(QStringLiteral("log-level"))) {
        const QString level = parser.value(QStringLiteral("log-level"));
        static const QStringList levels{"trace", "debug", "info", "warn", "error", "off"};
        if (!levels.contains(level))
            return usage(QStringLiteral("--log-level '%1' is not one of %2").arg(level, levels.join(QStringLiteral(", "))));
        bd::logging::setLevel(level.toStdString());
    }

    bd::BridgeCheck check(options, out());
    int exitCode = 1;
    QObject::connect(&check, &bd::BridgeCheck::finished, &app, [&](int code) {
        exitCode = code;
        QCoreApplication::quit();
    });
    check.start();
    app.exec();
    return exitCode;
}
