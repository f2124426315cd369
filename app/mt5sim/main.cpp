// botdesk-mt5sim: the MetaTrader 5 simulator (docs/mt5sim.md). Replays real M1 bars (or real ticks) for one or more
// symbols and serves them, with a simulated MT5 account, over mt5b v1 (docs/mt5b-protocol.md).
// The first stdout line is exactly "listening ws://127.0.0.1:PORT" (or wss://), flushed; logs go to stderr.
// Usage errors exit 2 with a message naming the option and the fix; a server that cannot listen exits 1.

#include "logging.h"
#include "simserver.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QStringList>
#include <QTimeZone>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>

#include <sys/socket.h>
#include <unistd.h>

using namespace bd;
using namespace bd::mt5sim;

namespace {

const char *const kUsage = R"(usage: botdesk-mt5sim --data FILE --symbol NAME [--data FILE2 --symbol NAME2 ...] [options]
  --data FILE            M1 bars (BotDesk CSV or MT5 export, plain or .gz), e.g. ../shared/data/EURUSD_M1_2024.csv.gz
  --ticks FILE           real ticks instead (time_ms,bid,ask,...), e.g. ../shared/data/EURUSD_ticks_2019-02-04_05.csv.gz
  --symbol NAME          catalogue symbol of the n-th --data/--ticks (EURUSD, XAUUSD, USDCHF, ...)
  --port N               TCP port (0 = any free port; default 8765)
  --token T              the client token (better: the environment variable BOTDESK_MT5SIM_TOKEN)
  --speed X              replay speed: 1 = real time, N = N x, 0 = as fast as the clients consume (default 60)
  --paused               start paused (sim.control play starts it)
  --tick-mode M          every_tick | m1_ohlc | open_only (default every_tick)
  --account A            hedging | netting (default hedging)
  --deposit MONEY        starting balance in USD (default 10000)
  --leverage N           1:N (default 100)
  --commission MONEY     commission per lot per deal in USD (default 0)
  --hedge-prohibited     a hedging account refuses opposite positions (10046)
  --trade-mode NAME=M    a symbol's trade mode: full, disabled, longonly, shortonly, closeonly (default full)
  --heartbeat SEC        heartbeat interval, 1..3600 (default 10)
  --rate-limit N         requests per second per connection before RATE_LIMITED, 1..1000000 (default 50;
                         more than 10 x N in a second closes the connection with 1008)
  --state-dir DIR        where the idempotency map lives (survives restarts); default: memory only
  --suffix S             broker suffix for every symbol, e.g. .sim (clients must resolve EURUSD -> EURUSD.sim)
  --server-utc-offset S  server clock minus UTC in seconds, within +-50400 (default 0)
  --start TIME           replay start, UTC: 2024-03-01, 2024-03-01T09:30:00Z or epoch seconds
                         (default: after the first 1000 bars of the first symbol)
  --faults LIST          e.g. drop-reply=0.1,disconnect=30s,requote=0.05,latency=5ms (see docs/mt5sim.md)
  --seed N               seed of the fault injection (default 1)
  --listen ADDR          address to bind (default 127.0.0.1); use wss (--tls-cert/--tls-key) off loopback
  --tls-cert FILE --tls-key FILE   serve wss:// with this PEM certificate and key
)";

// SIGTERM/SIGINT → a byte on a socket pair → a clean quit in the event loop (the only safe thing a handler may do).
int g_signalFd[2] = {-1, -1};
void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalFd[0], &c, 1);
}

[[noreturn]] void usageError(const QString &message)
{
    std::fprintf(stderr, "botdesk-mt5sim: %s\n(botdesk-mt5sim --help lists the options)\n", qPrintable(message));
    std::exit(2);
}

std::optional<qint64> parseStart(const QString &text)
{
    bool ok = false;
    const qint64 secs = text.toLongLong(&ok);
    if (ok)
        return secs * 1000;
    QDateTime t = QDateTime::fromString(text, Qt::ISODate);
    if (!t.isValid())
        t = QDateTime::fromString(text, QStringLiteral("yyyy-MM-dd"));
    if (!t.isValid())
        return std::nullopt;
    if (t.timeSpec() == Qt::LocalTime)
        t.setTimeZone(QTimeZone::utc());
    return t.toMSecsSinceEpoch();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("botdesk-mt5sim"));
    const QStringList args = app.arguments();
    SimConfig config;
    config.port = 8765;
    config.token = qgetenv("BOTDESK_MT5SIM_TOKEN");
    QStringList dataFiles, tickFiles, symbols;
    QStringList sourceKinds;  // "data" | "ticks" in the order given
    std::optional<qint64> startUtcMs;
    QString faults;
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString opt = args[i];
        auto value = [&]() -> QString {
            if (i + 1 >= args.size() || args[i + 1].startsWith(QStringLiteral("--")))
                usageError(QStringLiteral("%1 needs a value").arg(opt));
            return args[++i];
        };
        auto number = [&](double lo, double hi, const QString &example) {
            const QString v = value();
            bool ok = false;
            const double d = v.toDouble(&ok);
            if (!ok || !(d >= lo && d <= hi))
                usageError(QStringLiteral("%1 '%2' is not a number from %3 to %4; e.g. %1 %5")
                               .arg(opt, v).arg(lo).arg(hi).arg(example));
            return d;
        };
        auto integer = [&](qint64 lo, qint64 hi, const QString &example) {
            const QString v = value();
            bool ok = false;
            const qint64 n = v.toLongLong(&ok);
            if (!ok || n < lo || n > hi)
                usageError(QStringLiteral("%1 '%2' is not a whole number from %3 to %4; e.g. %1 %5")
                               .arg(opt, v).arg(lo).arg(hi).arg(example));
            return n;
        };
        if (opt == QLatin1String("--help") || opt == QLatin1String("-h")) {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (opt == QLatin1String("--data")) {
            dataFiles << value();
            sourceKinds << QStringLiteral("data");
        } else if (opt == QLatin1String("--ticks")) {
            tickFiles << value();
            sourceKinds << QStringLiteral("ticks");
        } else if (opt == QLatin1String("--symbol")) {
            symbols << value();
        } else if (opt == QLatin1String("--port")) {
            config.port = quint16(integer(0, 65535, QStringLiteral("8765")));
        } else if (opt == QLatin1String("--token")) {
            config.token = value().toUtf8();
        } else if (opt == QLatin1String("--speed")) {
            config.speed = number(0, 1e7, QStringLiteral("600"));
        } else if (opt == QLatin1String("--paused")) {
            config.playing = false;
        } else if (opt == QLatin1String("--tick-mode")) {
            const QString v = value();
            const auto m = parseTickMode(v);
            if (!m)
                usageError(QStringLiteral("--tick-mode '%1' is not a tick mode; give every_tick, m1_ohlc or open_only").arg(v));
            config.tickMode = *m;
        } else if (opt == QLatin1String("--account")) {
            const QString v = value();
            if (v == QLatin1String("hedging"))
                config.exchange.marginMode = mt5::MarginMode::RetailHedging;
            else if (v == QLatin1String("netting"))
                config.exchange.marginMode = mt5::MarginMode::RetailNetting;
            else
                usageError(QStringLiteral("--account '%1' is not an account type; give hedging or netting").arg(v));
        } else if (opt == QLatin1String("--deposit")) {
            config.exchange.deposit = number(0.01, 1e12, QStringLiteral("10000"));
        } else if (opt == QLatin1String("--leverage")) {
            config.exchange.leverage = int(integer(1, 10000, QStringLiteral("100")));
        } else if (opt == QLatin1String("--commission")) {
            config.exchange.commissionPerLot = number(0, 1e6, QStringLiteral("3.5"));
        } else if (opt == QLatin1String("--hedge-prohibited")) {
            config.exchange.hedgeProhibited = true;
        } else if (opt == QLatin1String("--trade-mode")) {
            const QString v = value();
            const QString name = v.section(QLatin1Char('='), 0, 0), mode = v.section(QLatin1Char('='), 1);
            static const std::map<QString, mt5::SymbolTradeMode> kModes{
                {QStringLiteral("full"), mt5::SymbolTradeMode::Full},
                {QStringLiteral("disabled"), mt5::SymbolTradeMode::Disabled},
                {QStringLiteral("longonly"), mt5::SymbolTradeMode::LongOnly},
                {QStringLiteral("shortonly"), mt5::SymbolTradeMode::ShortOnly},
                {QStringLiteral("closeonly"), mt5::SymbolTradeMode::CloseOnly}};
            const auto it = kModes.find(mode);
            if (name.isEmpty() || it == kModes.end())
                usageError(QStringLiteral("--trade-mode '%1' is not NAME=MODE; e.g. --trade-mode XAUUSD=closeonly "
                                          "(modes: full, disabled, longonly, shortonly, closeonly)").arg(v));
            config.tradeModes[name] = it->second;
        } else if (opt == QLatin1String("--rate-limit")) {
            config.maxRequestsPerSec = int(integer(1, 1'000'000, QStringLiteral("50")));
        } else if (opt == QLatin1String("--heartbeat")) {
            config.heartbeatSec = int(integer(1, 3600, QStringLiteral("10")));
        } else if (opt == QLatin1String("--state-dir")) {
            config.stateDir = value();
        } else if (opt == QLatin1String("--suffix")) {
            config.suffix = value();
            static const QRegularExpression ok(QStringLiteral("^[A-Za-z0-9._-]{0,8}$"));
            if (!ok.match(config.suffix).hasMatch())
                usageError(QStringLiteral("--suffix '%1' must be up to 8 characters of A-Z a-z 0-9 . _ -; e.g. --suffix .sim")
                               .arg(config.suffix));
        } else if (opt == QLatin1String("--server-utc-offset")) {
            config.serverUtcOffsetSec = integer(-50400, 50400, QStringLiteral("7200"));
            config.offsetGiven = true;
        } else if (opt == QLatin1String("--start")) {
            const QString v = value();
            startUtcMs = parseStart(v);
            if (!startUtcMs)
                usageError(QStringLiteral("--start '%1' is not a time; give 2024-03-01, 2024-03-01T09:30:00Z or epoch seconds").arg(v));
        } else if (opt == QLatin1String("--faults")) {
            faults = value();
        } else if (opt == QLatin1String("--seed")) {
            config.seed = quint64(integer(0, std::numeric_limits<qint64>::max(), QStringLiteral("42")));
        } else if (opt == QLatin1String("--listen")) {
            const QString v = value();
            if (!config.listenAddress.setAddress(v))
                usageError(QStringLiteral("--listen '%1' is not an IP address; give e.g. 127.0.0.1 or 0.0.0.0").arg(v));
        } else if (opt == QLatin1String("--tls-cert")) {
            config.tlsCert = value();
        } else if (opt == QLatin1String("--tls-key")) {
            config.tlsKey = value();
        } else {
            usageError(QStringLiteral("unknown option '%1'").arg(opt));
        }
    }
    if (sourceKinds.isEmpty())
        usageError(QStringLiteral("no market data: give --data FILE --symbol NAME (e.g. --data ../shared/data/EURUSD_M1_2024.csv.gz --symbol EURUSD)"));
    if (symbols.size() != sourceKinds.size())
        usageError(QStringLiteral("%1 data file(s) (--data/--ticks) but %2 --symbol; give one --symbol per file, in the same order")
                       .arg(sourceKinds.size()).arg(symbols.size()));
    if (config.token.isEmpty())
        usageError(QStringLiteral("no token: set the environment variable BOTDESK_MT5SIM_TOKEN (or give --token T)"));
    if (config.tlsCert.isEmpty() != config.tlsKey.isEmpty())
        usageError(QStringLiteral("--tls-cert and --tls-key go together; give both for wss://"));
    auto parsedFaults = parseFaults(faults);
    if (!parsedFaults)
        usageError(parsedFaults.error().message);
    config.faults = *parsedFaults;
    qsizetype di = 0, ti = 0;
    for (qsizetype i = 0; i < sourceKinds.size(); ++i) {
        SimSource src;
        src.symbol = symbols[i];
        if (sourceKinds[i] == QLatin1String("data"))
            src.dataFile = dataFiles[di++];
        else
            src.tickFile = tickFiles[ti++];
        config.sources.push_back(src);
    }
    if (startUtcMs)
        config.startMsc = *startUtcMs + config.serverUtcOffsetSec * 1000;
    config.version = QStringLiteral(BOTDESK_VERSION);

    auto server = SimServer::create(config);
    if (!server)
        usageError(server.error().message);
    const auto url = (*server)->listen();
    if (!url) {
        std::fprintf(stderr, "botdesk-mt5sim: %s\n", qPrintable(url.error().message));
        return 1;
    }
    std::unique_ptr<QSocketNotifier> signalNotifier;
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFd) == 0) {
        signalNotifier = std::make_unique<QSocketNotifier>(g_signalFd[1], QSocketNotifier::Read);
        QObject::connect(signalNotifier.get(), &QSocketNotifier::activated, &app, [&app] {
            char c = 0;
            [[maybe_unused]] const auto n = ::read(g_signalFd[1], &c, 1);
            bd::logging::get("mt5sim")->info("signal received; stopping");
            app.quit();
        });
        struct sigaction sa {};
        sa.sa_handler = onSignal;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGTERM, &sa, nullptr);
        ::sigaction(SIGINT, &sa, nullptr);
    }
    std::printf("listening %s\n", qPrintable(url->toString()));
    std::fflush(stdout);
    return app.exec();
}
