// Order round trips through the connector (issue 8 §7): Mt5Client on its own thread sends N market orders one after
// the other (alternating BUY/SELL, manual: no run; at most --rate orders a second, default 40, under the bridges'
// default limit of 50 requests a second) to a bridge on loopback and prints the connector's send -> ack and
// send -> result latency percentiles (LinkStatus, nearest rank) and the bridge's own latency_ms median.
//
//   bench_mt5_roundtrip [--orders N] [--rate R] [--symbol S] [--volume V] --url ws://127.0.0.1:PORT --token T
//   bench_mt5_roundtrip [--orders N] [--symbol S] [--volume V] -- COMMAND...     (launch mode)
//
// Launch mode starts COMMAND (its first stdout line must be "listening ws://127.0.0.1:PORT"), replacing {token} and
// {state_dir} (a fresh temporary folder), and stops it at the end. Examples:
//   bench_mt5_roundtrip -- build/app/botdesk-mt5sim --data ../shared/data/EURUSD_M1_2024.csv.gz --symbol EURUSD
//       --port 0 --token {token} --state-dir {state_dir}
//   PYTHONPATH=connectors/mt5bridge bench_mt5_roundtrip --symbol GBPUSD -- /usr/bin/python3
//       -m botdesk_mt5bridge.testserver --port 0 --token {token} --state-dir {state_dir}
// (each on one line). The mt5 logger is set to "warn" so per-order lines do not disturb the timing.

#include "brokermetatypes.h"
#include "logging.h"
#include "mt5client.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace bd::mt5;

namespace {

int usage(const char *why)
{
    std::fprintf(stderr, "bench_mt5_roundtrip: %s\nusage: bench_mt5_roundtrip [--orders N] [--symbol S] [--volume V] "
                         "(--url URL --token T | -- COMMAND...)\n", why);
    return 2;
}

bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    return done();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    registerBrokerMetaTypes();
    bd::logging::setLevel("warn");
    QStringList args = app.arguments().mid(1);
    int orders = 200;
    QString symbol = QStringLiteral("EURUSD");
    double volume = 0.01;
    int rate = 40;
    QString url, token = QStringLiteral("bench-token");
    QStringList command;
    while (!args.isEmpty()) {
        const QString a = args.takeFirst();
        if (a == QLatin1String("--")) {
            command = args;
            break;
        }
        if (args.isEmpty())
            return usage("an option without its value");
        const QString v = args.takeFirst();
        if (a == QLatin1String("--orders"))
            orders = std::max(1, v.toInt());
        else if (a == QLatin1String("--symbol"))
            symbol = v;
        else if (a == QLatin1String("--rate"))
            rate = std::max(1, v.toInt());
        else if (a == QLatin1String("--volume"))
            volume = v.toDouble();
        else if (a == QLatin1String("--url"))
            url = v;
        else if (a == QLatin1String("--token"))
            token = v;
        else
            return usage(qPrintable(QStringLiteral("unknown option %1").arg(a)));
    }
    QTemporaryDir stateDir;
    QProcess bridge;
    if (!command.isEmpty()) {
        for (QString &c : command)
            c.replace(QLatin1String("{token}"), token).replace(QLatin1String("{state_dir}"), stateDir.path());
        bridge.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        bridge.start(command.first(), command.mid(1));
        if (!bridge.waitForStarted(10000))
            return usage(qPrintable(QStringLiteral("cannot start %1").arg(command.first())));
        if (!waitUntil([&] { return bridge.canReadLine(); }, 30000))
            return usage("the bridge printed no 'listening' line");
        const QString line = QString::fromUtf8(bridge.readLine()).trimmed();
        if (!line.startsWith(QLatin1String("listening ")))
            return usage(qPrintable(QStringLiteral("unexpected first line '%1'").arg(line)));
        url = line.mid(10);
    }
    if (url.isEmpty())
        return usage("give --url or a command");

    Mt5ClientConfig config;
    config.url = QUrl(url);
    config.token = token;
    QThread io;
    Mt5Client *client = Mt5Client::createOn(io, config);
    LinkStatus status;
    QList<OrderOutcome> outcomes;
    QStringList refusals;
    QObject::connect(client->broker(), &BrokerPort::linkStatusChanged, &app, [&](const LinkStatus &s) { status = s; });
    QObject::connect(client->broker(), &BrokerPort::orderOutcome, &app, [&](const OrderOutcome &o) { outcomes << o; });
    QObject::connect(client->broker(), &BrokerPort::orderRefused, &app,
                     [&](const QString &id, const QString &, const QString &why) { refusals << id + ": " + why; });
    io.start();
    int rc = 0;
    if (!waitUntil([&] { return status.state == LinkStatus::State::Live; }, 15000)) {
        std::fprintf(stderr, "bench_mt5_roundtrip: the link did not come up: %s\n", qPrintable(status.error));
        rc = 1;
    } else {
        BrokerPort *broker = client->broker();
        const QString runTag = QString::number(QDateTime::currentMSecsSinceEpoch(), 36);
        QElapsedTimer wall;
        wall.start();
        for (int i = 0; i < orders && rc == 0; ++i) {
            waitUntil([&] { return wall.elapsed() * rate >= qint64(i) * 1000; }, 60000);  // pacing
            TradeRequest r;
            r.symbol = symbol;
            r.type = i % 2 == 0 ? OrderType::Buy : OrderType::Sell;
            r.volume = volume;
            r.deviation = 50;
            const QString id = QStringLiteral("bench-%1-%2").arg(runTag).arg(i);
            QMetaObject::invokeMethod(broker, [broker, id, r] { broker->sendOrder(id, r, QString()); }, Qt::QueuedConnection);
            if (!waitUntil([&] { return outcomes.size() + refusals.size() > i; }, 30000)) {
                std::fprintf(stderr, "bench_mt5_roundtrip: order %d got no answer in 30 s\n", i);
                rc = 1;
            } else if (!refusals.isEmpty()) {
                std::fprintf(stderr, "bench_mt5_roundtrip: refused %s\n", qPrintable(refusals.first()));
                rc = 1;
            }
        }
        const double seconds = double(wall.elapsed()) / 1000.0;
        waitUntil([&] { return status.orderResultSamples >= outcomes.size(); }, 3000);
        std::vector<double> bridgeMs;
        int done = 0;
        for (const OrderOutcome &o : std::as_const(outcomes)) {
            bridgeMs.push_back(double(o.bridgeLatencyMs));
            done += o.status == OrderOutcome::Status::Done ? 1 : 0;
        }
        std::sort(bridgeMs.begin(), bridgeMs.end());
        std::printf("order round trips through Mt5Client to %s (%s), %lld orders in %.1f s, %d done\n",
                    qPrintable(status.url), qPrintable(status.bridgeKind), (long long)outcomes.size(), seconds, done);
        std::printf("  send -> order.ack    : p50 %.2f ms  p99 %.2f ms  (%lld samples)\n", status.orderAckP50Ms,
                    status.orderAckP99Ms, (long long)status.orderAckSamples);
        std::printf("  send -> order.result : p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  (%lld samples)\n",
                    status.orderResultP50Ms, status.orderResultP95Ms, status.orderResultP99Ms,
                    (long long)status.orderResultSamples);
        if (!bridgeMs.empty())
            std::printf("  bridge latency_ms    : median %.0f ms\n", bridgeMs[bridgeMs.size() / 2]);
    }
    QMetaObject::invokeMethod(client, &Mt5Client::stop, Qt::QueuedConnection);
    io.quit();
    io.wait();
    if (bridge.state() == QProcess::Running) {
        bridge.terminate();
        if (!bridge.waitForFinished(5000))
            bridge.kill();
    }
    return rc;
}
