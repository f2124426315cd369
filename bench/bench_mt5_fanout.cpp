// Tick fan-out through the connector (issue 8 §7: "100 symbols × 50 ticks/s delivered with p99 latency under 5 ms").
// A paced mt5b v1 sender on loopback streams N symbols × R ticks/s for a fixed time; Mt5Client, on its own thread
// ("bd-mt5-io") as in the application, parses them and emits MarketDataPort::tickReceived; a consumer QObject on the
// main thread receives each Tick through a queued connection — the path the live engine consumes. Prints ticks sent
// and delivered, lost / duplicate / out-of-order ticks, per-symbol gaps, seq gaps the client saw (its resync
// requests), frames the client dropped, the delivered latency percentiles (nearest rank) and CPU time per thread.
//
//   bench_mt5_fanout [--symbols 100] [--rate 50] [--seconds 20] [--nagle] [--frames FILE]
//
// --frames FILE writes what the sender sent (every frame but ticks after the first 100), one frame a line, to check
// against the schemas: /usr/bin/python3 -c 'import sys; sys.path.insert(0, "tests/conformance"); from mt5bschema
// import SchemaSet; s = SchemaSet(); [print(p) for l in open(sys.argv[1]) for p in s.validate_frame(l, "bridge")]' FILE
// The sender's socket has TCP_NODELAY set (bd::mt5b::disableNagle, as botdesk-mt5sim does; the Python bridge's asyncio
// sockets have it too). --nagle leaves Qt's default (Nagle's algorithm on): small tick frames then wait for the
// client's delayed ACK (Linux: 40 ms) and the delivered latency is tens of milliseconds — a property of the sending
// socket, not of the connector.
//
// Delivered latency = the moment the consumer's slot runs with the Tick − the moment the sender called
// QWebSocket::sendTextMessage for that tick's frame. Both instants come from ONE QElapsedTimer of this process
// (CLOCK_MONOTONIC, ns resolution), shared by the threads, so sub-millisecond latencies are measured exactly; the
// frame's `ts` (UTC epoch ms, as the protocol wants) is not used for it. The sender writes the send instant into a
// table indexed by (symbol, tick number) before sending (release store); the consumer finds the entry from the
// Tick's symbol and time_msc (tick k of a symbol has time_msc = t0 + round(k·1000/R), unique per symbol for R ≤ 500)
// and reads it (acquire load). Percentiles are nearest rank over every delivered tick, warm-up included.
//
// Why not botdesk-mt5sim: it replays catalogue symbols (five of them, resources/symbols.json) at the pace of the data
// (tick counts per M1 bar derived from the bar's range), so it cannot produce 100 symbols at a controlled 50 ticks/s
// without new options in the simulator; and its `ts` is only epoch ms in another process. The sender here is ~200
// lines and speaks just enough mt5b v1 (docs/mt5b-protocol.md): welcome after a hello with the right token (subprotocol
// mt5b.v1), subscribed (ticks streams), symbol, account, positions/orders (empty), pong, heartbeat events, error
// UNSUPPORTED_TYPE for the rest; tick events with seq (+1 from 1) and ts. It runs on its own thread with a 1 ms
// precise timer: every turn sends each tick whose due time has come (tick g of the interleaved schedule, g = k·N + s,
// is due at start + g/(N·R) s, so the symbols' ticks are spread evenly) and then flushes the socket, as a bridge that
// writes immediately would. With 2 cores for 3 busy threads the figures include the scheduler's share.

#include "brokermetatypes.h"
#include "logging.h"
#include "mt5bjson.h"
#include "mt5client.h"
#include "nodelay.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QThread>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

using namespace bd::mt5;

namespace {

const QString kToken = QStringLiteral("bench-fanout-token");

struct Plan {
    int symbols = 100;
    int rate = 50;        // ticks a second per symbol
    int seconds = 20;
    qint64 t0Msc = 0;     // time_msc of every symbol's tick 0 (server clock = UTC here)

    int ticksPerSymbol() const { return rate * seconds; }
    qint64 total() const { return qint64(symbols) * ticksPerSymbol(); }
    QString symbol(int s) const { return QStringLiteral("FAN%1.b").arg(s, 3, 10, QLatin1Char('0')); }
    qint64 timeMsc(qint64 k) const { return t0Msc + qint64(std::llround(double(k) * 1000.0 / rate)); }
    qint64 tickOf(qint64 timeMsc) const { return std::llround(double(timeMsc - t0Msc) * rate / 1000.0); }
};

// What the sender and the consumer share: the clock and the send instants.
struct Shared {
    QElapsedTimer clock;                          // CLOCK_MONOTONIC, read from every thread
    std::unique_ptr<std::atomic<qint64>[]> sentNs;  // [s * ticksPerSymbol + k]; -1 = not sent
};

double threadCpuMs()
{
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    return (double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3);
}

double processCpuMs()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return (double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3);
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// The paced mt5b v1 sender (one client connection). Lives on its own thread; driven by queued calls.
class PacedSender : public QObject {
public:
    PacedSender(const Plan &plan, Shared &shared, bool nagle, QFile *frames)
        : m_plan(plan), m_shared(shared), m_nagle(nagle), m_frames(frames) {}

    // On the sender's thread. Returns the port, 0 when it cannot listen.
    quint16 listen()
    {
        m_server = new QWebSocketServer(QStringLiteral("bench_mt5_fanout"), QWebSocketServer::NonSecureMode, this);
        m_server->setSupportedSubprotocols({QStringLiteral("mt5b.v1")});
        connect(m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *ws = m_server->nextPendingConnection()) {
                if (m_socket) {  // one client only
                    ws->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("one client only"));
                    ws->deleteLater();
                    continue;
                }
                if (!m_nagle && !bd::mt5b::disableNagle(*m_server, *ws))
                    std::fprintf(stderr, "bench_mt5_fanout: could not set TCP_NODELAY on the sender's socket\n");
                m_socket = ws;
                connect(ws, &QWebSocket::textMessageReceived, this, &PacedSender::onRequest);
            }
        });
        m_heartbeat = new QTimer(this);
        connect(m_heartbeat, &QTimer::timeout, this, [this] { sendHeartbeat(); });
        m_pace = new QTimer(this);
        m_pace->setTimerType(Qt::PreciseTimer);
        m_pace->setInterval(1);
        connect(m_pace, &QTimer::timeout, this, [this] { pace(); });
        if (!m_server->listen(QHostAddress::LocalHost, 0))
            return 0;
        return m_server->serverPort();
    }

    // On the sender's thread: starts the paced stream; `finished` runs (on this thread) after the last tick.
    void startStream(std::function<void()> finished)
    {
        m_finished = std::move(finished);
        m_startNs = m_shared.clock.nsecsElapsed();
        m_next = 0;
        m_pace->start();
    }

    qint64 sent() const { return m_next; }
    qint64 lastSeq() const { return m_seq; }
    int resyncRequests() const { return m_resyncs; }
    int subscribedStreams() const { return int(m_subscribed.size()); }
    qint64 maxLateNs() const { return m_maxLateNs; }
    double meanLateNs() const { return m_next > 0 ? double(m_sumLateNs) / double(m_next) : 0.0; }

private:
    static qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

    void send(const QByteArray &frame)
    {
        record(frame);
        m_socket->sendTextMessage(QString::fromUtf8(frame));
    }

    // --frames FILE: every frame but ticks after the first 100, one a line (for tests/conformance/mt5bschema.py).
    void record(const QByteArray &frame)
    {
        if (m_frames && (!frame.startsWith("{\"v\":1,\"type\":\"tick\"") || ++m_recordedTicks <= 100))
            m_frames->write(frame + '\n');
    }

    void reply(const QString &type, const QString &re, QJsonObject fields)
    {
        fields.insert(QStringLiteral("v"), 1);
        fields.insert(QStringLiteral("type"), type);
        fields.insert(QStringLiteral("re"), re);
        fields.insert(QStringLiteral("ts"), nowMs());
        send(compact(fields));
    }

    void error(const QString &re, const QString &code, const QString &message, bool fatal = false)
    {
        reply(QStringLiteral("error"), re, QJsonObject{{"code", code}, {"message", message}, {"fatal", fatal}});
    }

    static bool sameToken(const QString &given)
    {
        // Compare digests, byte by byte without an early exit (§4.1: constant time).
        const QByteArray a = QCryptographicHash::hash(given.toUtf8(), QCryptographicHash::Sha256);
        const QByteArray b = QCryptographicHash::hash(kToken.toUtf8(), QCryptographicHash::Sha256);
        unsigned char diff = 0;
        for (qsizetype i = 0; i < a.size(); ++i)
            diff |= static_cast<unsigned char>(a[i] ^ b[i]);
        return diff == 0;
    }

    int symbolIndex(const QString &requested) const
    {
        for (int s = 0; s < m_plan.symbols; ++s)
            if (requested.compare(m_plan.symbol(s), Qt::CaseInsensitive) == 0)
                return s;
        return -1;
    }

    void onRequest(const QString &message)
    {
        const QJsonObject o = QJsonDocument::fromJson(message.toUtf8()).object();
        const QString type = o.value(QLatin1String("type")).toString();
        const QString id = o.value(QLatin1String("id")).toString();
        if (!m_authenticated) {
            if (type != QLatin1String("hello") || !sameToken(o.value(QLatin1String("token")).toString())) {
                error(id, QStringLiteral("AUTH_FAILED"), QStringLiteral("bad token"), true);
                m_socket->close(QWebSocketProtocol::CloseCode(4003), QStringLiteral("AUTH_FAILED"));
                return;
            }
            m_authenticated = true;
            QJsonObject welcome{
                {"v", 1}, {"type", "welcome"}, {"re", id}, {"seq", 0}, {"ts", nowMs()},
                {"session_id", "s-fanout"}, {"resumed", false},
                {"protocol", QJsonObject{{"major", 1}, {"minor", 0}}},
                {"bridge", QJsonObject{{"kind", "simulator"}, {"name", "bench_mt5_fanout"}, {"version", "0"}}},
                {"terminal", QJsonObject{{"connected", true}, {"trade_allowed", true}}},
                {"account", QJsonObject{{"login", "1000001"}, {"margin_mode", "ACCOUNT_MARGIN_MODE_RETAIL_HEDGING"},
                                        {"currency", "USD"}, {"trade_mode", "ACCOUNT_TRADE_MODE_DEMO"},
                                        {"trade_allowed", true}, {"trade_expert", true}}},
                {"clock", QJsonObject{{"server_utc_offset_sec", 0}, {"offset_source", "config"}}},
                {"capabilities", QJsonArray{"ticks"}},
                {"limits", QJsonObject{{"max_subscriptions", 1000}, {"max_requests_per_sec", 1000},
                                       {"tick_conflation_ms", 0}, {"max_frame_bytes", 1048576}}},
                {"heartbeat_sec", kHeartbeatSec}};
            send(compact(welcome));
            m_heartbeat->start(kHeartbeatSec * 1000);
            return;
        }
        if (type == QLatin1String("ping")) {
            reply(QStringLiteral("pong"), id, QJsonObject{{"nonce", o.value(QLatin1String("nonce"))}});
        } else if (type == QLatin1String("subscribe")) {
            QJsonArray streams, errors;
            for (const QJsonValue &v : o.value(QLatin1String("streams")).toArray()) {
                const QJsonObject st = v.toObject();
                const QString requested = st.value(QLatin1String("symbol")).toString();
                const int s = symbolIndex(requested);
                if (st.value(QLatin1String("kind")).toString() != QLatin1String("ticks"))
                    errors.append(QJsonObject{{"kind", st.value(QLatin1String("kind"))}, {"requested", requested},
                                              {"code", "UNSUPPORTED_TYPE"}, {"message", "this sender streams ticks only"}});
                else if (s < 0)
                    errors.append(QJsonObject{{"kind", "ticks"}, {"requested", requested}, {"code", "UNKNOWN_SYMBOL"},
                                              {"message", "no symbol '" + requested + "'"}, {"suggestions", QJsonArray{}}});
                else {
                    m_subscribed.insert(s, true);
                    streams.append(QJsonObject{{"kind", "ticks"}, {"requested", requested}, {"symbol", m_plan.symbol(s)},
                                               {"digits", 5}, {"point", 0.00001}});
                }
            }
            reply(QStringLiteral("subscribed"), id, QJsonObject{{"streams", streams}, {"errors", errors}});
        } else if (type == QLatin1String("symbol.get")) {
            const int s = symbolIndex(o.value(QLatin1String("symbol")).toString());
            if (s < 0)
                return error(id, QStringLiteral("UNKNOWN_SYMBOL"), QStringLiteral("unknown symbol"));
            BrokerSymbol sym;
            sym.name = m_plan.symbol(s);
            sym.description = QStringLiteral("fan-out bench symbol");
            sym.digits = 5;
            sym.point = sym.tradeTickSize = 0.00001;
            sym.tradeTickValue = 1.0;
            sym.tradeContractSize = 100000;
            sym.volumeMin = sym.volumeStep = 0.01;
            sym.volumeMax = 100;
            sym.fillingMode = 3;
            sym.orderMode = 127;
            sym.currencyBase = QStringLiteral("EUR");
            sym.currencyProfit = sym.currencyMargin = QStringLiteral("USD");
            QJsonObject info = bd::mt5b::toJson(sym);
            info.insert(QStringLiteral("spread"), 10);
            info.insert(QStringLiteral("bid"), 1.0);
            info.insert(QStringLiteral("ask"), 1.0001);
            reply(QStringLiteral("symbol"), id, QJsonObject{{"info", info}});
        } else if (type == QLatin1String("account.get")) {
            reply(QStringLiteral("account"), id, QJsonObject{{"info", QJsonObject{
                {"login", "1000001"}, {"currency", "USD"}, {"balance", 10000.0}, {"equity", 10000.0}, {"margin", 0.0},
                {"margin_free", 10000.0}, {"margin_level", 0.0}, {"profit", 0.0}, {"leverage", 100},
                {"margin_mode", "ACCOUNT_MARGIN_MODE_RETAIL_HEDGING"}, {"trade_mode", "ACCOUNT_TRADE_MODE_DEMO"},
                {"trade_allowed", true}, {"trade_expert", true}}}});
        } else if (type == QLatin1String("positions.get") || type == QLatin1String("orders.get")) {
            reply(type == QLatin1String("positions.get") ? QStringLiteral("positions") : QStringLiteral("orders"), id,
                  QJsonObject{{"snapshot", true}, {"items", QJsonArray{}}});
        } else {
            if (type == QLatin1String("resync"))
                ++m_resyncs;  // the client saw a seq gap
            error(id, QStringLiteral("UNSUPPORTED_TYPE"), QStringLiteral("'%1' is not offered by this sender").arg(type));
        }
    }

    void sendHeartbeat()
    {
        if (!m_socket)
            return;
        send(compact(QJsonObject{{"v", 1}, {"type", "heartbeat"}, {"seq", ++m_seq}, {"ts", nowMs()},
                                 {"terminal", QJsonObject{{"connected", true}, {"trade_allowed", true}}},
                                 {"server_time_msc", nowMs()}, {"server_utc_offset_sec", 0}, {"offset_source", "config"}}));
    }

    // Sends every tick whose due time has come, then flushes.
    void pace()
    {
        const qint64 total = m_plan.total();
        const double periodNs = 1e9 / (double(m_plan.symbols) * m_plan.rate);
        const int perSymbol = m_plan.ticksPerSymbol();
        bool wrote = false;
        while (m_next < total) {
            const qint64 dueNs = m_startNs + qint64(double(m_next) * periodNs);
            const qint64 now = m_shared.clock.nsecsElapsed();
            if (dueNs > now)
                break;
            const int s = int(m_next % m_plan.symbols);
            const qint64 k = m_next / m_plan.symbols;
            if (m_subscribed.contains(s)) {
                const double bid = 1.0 + s * 0.01 + double((k * 7919 + s) % 21 - 10) * 0.00001;
                const QByteArray frame =
                    QByteArrayLiteral("{\"v\":1,\"type\":\"tick\",\"seq\":") + QByteArray::number(++m_seq)
                    + ",\"ts\":" + QByteArray::number(nowMs()) + ",\"symbol\":\"" + m_plan.symbol(s).toLatin1()
                    + "\",\"time_msc\":" + QByteArray::number(m_plan.timeMsc(k)) + ",\"bid\":"
                    + QByteArray::number(bid, 'f', 5) + ",\"ask\":" + QByteArray::number(bid + 0.0001, 'f', 5)
                    + ",\"last\":0.0,\"volume\":0,\"volume_real\":0.0,\"flags\":6}";
                const QString text = QString::fromLatin1(frame);
                const qint64 stamp = m_shared.clock.nsecsElapsed();
                m_shared.sentNs[size_t(s) * size_t(perSymbol) + size_t(k)].store(stamp, std::memory_order_release);
                m_socket->sendTextMessage(text);
                record(frame);
                m_maxLateNs = std::max(m_maxLateNs, stamp - dueNs);
                m_sumLateNs += stamp - dueNs;
                wrote = true;
            }
            ++m_next;
        }
        if (wrote)
            m_socket->flush();
        if (m_next >= total) {
            m_pace->stop();
            if (m_finished)
                m_finished();
        }
    }

    static constexpr int kHeartbeatSec = 10;
    const Plan m_plan;
    Shared &m_shared;
    const bool m_nagle;
    QFile *m_frames = nullptr;
    int m_recordedTicks = 0;
    QWebSocketServer *m_server = nullptr;
    QPointer<QWebSocket> m_socket;
    QTimer *m_heartbeat = nullptr;
    QTimer *m_pace = nullptr;
    bool m_authenticated = false;
    QHash<int, bool> m_subscribed;
    std::function<void()> m_finished;
    qint64 m_seq = 0;
    qint64 m_startNs = 0;
    qint64 m_next = 0;       // next tick of the interleaved schedule
    qint64 m_maxLateNs = 0;  // send instant − due instant
    qint64 m_sumLateNs = 0;
    int m_resyncs = 0;
};

double nearestRankMs(const std::vector<qint64> &sortedNs, double p)
{
    if (sortedNs.empty())
        return 0.0;
    const size_t rank = size_t(std::ceil(p * double(sortedNs.size())));
    return double(sortedNs[std::clamp<size_t>(rank, 1, sortedNs.size()) - 1]) / 1e6;
}

int usage(const char *why)
{
    std::fprintf(stderr, "bench_mt5_fanout: %s\nusage: bench_mt5_fanout [--symbols N (1..1000, 100)] "
                         "[--rate R ticks/s per symbol (1..500, 50)] [--seconds S (1..600, 20)] [--nagle] [--frames FILE]\n", why);
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    registerBrokerMetaTypes();
    bd::logging::setLevel("warn");
    Plan plan;
    QStringList args = app.arguments().mid(1);
    bool nagle = false;
    QFile frames;
    while (!args.isEmpty()) {
        const QString a = args.takeFirst();
        if (a == QLatin1String("--nagle")) {
            nagle = true;
            continue;
        }
        if (args.isEmpty())
            return usage(qPrintable(QStringLiteral("%1 needs a value").arg(a)));
        if (a == QLatin1String("--frames")) {
            frames.setFileName(args.takeFirst());
            if (!frames.open(QIODevice::WriteOnly | QIODevice::Truncate))
                return usage(qPrintable(QStringLiteral("--frames '%1' cannot be written; give a writable file path")
                                            .arg(frames.fileName())));
            continue;
        }
        bool ok = false;
        const QString value = args.takeFirst();
        const int v = value.toInt(&ok);
        if (a == QLatin1String("--symbols") && ok && v >= 1 && v <= 1000)
            plan.symbols = v;
        else if (a == QLatin1String("--rate") && ok && v >= 1 && v <= 500)
            plan.rate = v;
        else if (a == QLatin1String("--seconds") && ok && v >= 1 && v <= 600)
            plan.seconds = v;
        else
            return usage(qPrintable(QStringLiteral("'%1 %2' is not an option with a value in its range; give one "
                                                   "of those below").arg(a, value)));
    }
    plan.t0Msc = QDateTime::currentMSecsSinceEpoch();

    Shared shared;
    shared.sentNs.reset(new std::atomic<qint64>[size_t(plan.total())]);
    for (qint64 i = 0; i < plan.total(); ++i)
        shared.sentNs[size_t(i)].store(-1, std::memory_order_relaxed);
    shared.clock.start();

    // The sender on its own thread.
    QThread senderThread;
    senderThread.setObjectName(QStringLiteral("bench-sender"));
    auto *sender = new PacedSender(plan, shared, nagle, frames.isOpen() ? &frames : nullptr);
    sender->moveToThread(&senderThread);
    QObject::connect(&senderThread, &QThread::finished, sender, &QObject::deleteLater);
    senderThread.start();
    quint16 port = 0;
    QMetaObject::invokeMethod(sender, [&] { port = sender->listen(); }, Qt::BlockingQueuedConnection);
    if (port == 0) {
        std::fprintf(stderr, "bench_mt5_fanout: cannot listen on 127.0.0.1\n");
        senderThread.quit();
        senderThread.wait();
        return 1;
    }

    // The connector on its own thread, as the application runs it.
    Mt5ClientConfig config;
    config.url = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port));
    config.token = kToken;
    QThread io;
    Mt5Client *client = Mt5Client::createOn(io, config);

    // The consumer: a QObject on the main thread, fed by a queued connection from the port's signal.
    QObject consumer;
    std::vector<qint64> latencyNs;
    latencyNs.reserve(size_t(plan.total()));
    std::vector<char> seen(size_t(plan.total()), 0);
    std::vector<qint64> nextK(size_t(plan.symbols), 0);
    QHash<QString, int> indexOf;
    for (int s = 0; s < plan.symbols; ++s)
        indexOf.insert(plan.symbol(s), s);
    qint64 delivered = 0, duplicates = 0, foreign = 0, outOfOrder = 0, gapTicks = 0, conflated = 0;
    MarketDataPort *market = client->marketData();
    QObject::connect(market, &MarketDataPort::tickReceived, &consumer, [&](const Tick &tick) {
        const qint64 now = shared.clock.nsecsElapsed();
        const int s = indexOf.value(tick.symbol, -1);
        const qint64 k = s < 0 ? -1 : plan.tickOf(tick.timeMsc);
        if (s < 0 || k < 0 || k >= plan.ticksPerSymbol() || plan.timeMsc(k) != tick.timeMsc) {
            ++foreign;
            return;
        }
        const size_t i = size_t(s) * size_t(plan.ticksPerSymbol()) + size_t(k);
        conflated += tick.conflated;
        if (seen[i]) {
            ++duplicates;
            return;
        }
        seen[i] = 1;
        ++delivered;
        latencyNs.push_back(now - shared.sentNs[i].load(std::memory_order_acquire));
        if (k < nextK[size_t(s)])
            ++outOfOrder;
        else {
            gapTicks += k - nextK[size_t(s)];  // ticks of this symbol skipped over (later counted out of order if they come)
            nextK[size_t(s)] = k + 1;
        }
    }, Qt::QueuedConnection);

    int resolved = 0, failed = 0;
    bool subscribed = false;
    LinkStatus status;
    QObject::connect(market, &MarketDataPort::symbolResolved, &consumer, [&](const BrokerSymbol &) { ++resolved; },
                     Qt::QueuedConnection);
    QObject::connect(market, &MarketDataPort::subscriptionFailed, &consumer,
                     [&](const QString &requested, const QString &code, const QString &message, const QStringList &) {
                         ++failed;
                         std::fprintf(stderr, "bench_mt5_fanout: %s refused: %s %s\n", qPrintable(requested),
                                      qPrintable(code), qPrintable(message));
                     }, Qt::QueuedConnection);
    QObject::connect(client->broker(), &BrokerPort::linkStatusChanged, &consumer, [&](const LinkStatus &s) {
        status = s;
        if (s.state == LinkStatus::State::Live && !subscribed) {
            subscribed = true;
            for (int i = 0; i < plan.symbols; ++i) {
                const QString name = plan.symbol(i);
                QMetaObject::invokeMethod(market, [market, name] { market->subscribeTicks(name); }, Qt::QueuedConnection);
            }
        }
    }, Qt::QueuedConnection);

    // Measurement window figures.
    double cpuProcess0 = 0, cpuIo0 = 0, cpuSender0 = 0, cpuMain0 = 0;
    double cpuProcess1 = 0, cpuIo1 = 0, cpuSender1 = 0, cpuMain1 = 0;
    qint64 streamStartNs = 0, streamEndNs = 0, sentTotal = 0;
    int rc = 0;
    bool senderDone = false;

    auto startStream = [&] {
        QMetaObject::invokeMethod(client, [&] { cpuIo0 = threadCpuMs(); }, Qt::BlockingQueuedConnection);
        QMetaObject::invokeMethod(sender, [&] { cpuSender0 = threadCpuMs(); }, Qt::BlockingQueuedConnection);
        cpuMain0 = threadCpuMs();
        cpuProcess0 = processCpuMs();
        streamStartNs = shared.clock.nsecsElapsed();
        QMetaObject::invokeMethod(sender, [&, sender] {
            sender->startStream([&, sender] {
                const qint64 n = sender->sent();
                QMetaObject::invokeMethod(&consumer, [&, n] {
                    sentTotal = n;
                    streamEndNs = shared.clock.nsecsElapsed();
                    senderDone = true;
                }, Qt::QueuedConnection);
            });
        }, Qt::QueuedConnection);
    };

    // A 10 ms poll on the main thread drives the phases (the event loop sleeps between events: no busy waiting).
    QElapsedTimer phase;
    phase.start();
    bool started = false;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &consumer, [&] {
        if (!started) {
            if (resolved == plan.symbols) {
                started = true;
                phase.restart();
                startStream();
            } else if (failed > 0 || phase.elapsed() > 15000) {
                std::fprintf(stderr, "bench_mt5_fanout: setup did not finish in 15 s (link %s, %d of %d symbols "
                             "resolved, %d refused): %s\n", status.state == LinkStatus::State::Live ? "live" : "not live",
                             resolved, plan.symbols, failed, qPrintable(status.error));
                rc = 1;
                app.quit();
            }
            return;
        }
        if (!senderDone) {
            if (phase.elapsed() > qint64(plan.seconds) * 1000 + 30000) {
                std::fprintf(stderr, "bench_mt5_fanout: the sender did not finish within %d s\n", plan.seconds + 30);
                rc = 1;
                app.quit();
            }
            return;
        }
        // Drain: until every sent tick is accounted for, or 3 s after the last was sent.
        if (delivered + foreign < sentTotal && shared.clock.nsecsElapsed() - streamEndNs < 3'000'000'000LL)
            return;
        poll.stop();
        QMetaObject::invokeMethod(client, [&] { cpuIo1 = threadCpuMs(); }, Qt::BlockingQueuedConnection);
        QMetaObject::invokeMethod(sender, [&] { cpuSender1 = threadCpuMs(); }, Qt::BlockingQueuedConnection);
        cpuMain1 = threadCpuMs();
        cpuProcess1 = processCpuMs();
        app.quit();
    });
    poll.start(10);
    io.start();
    app.exec();

    if (rc == 0) {
        qint64 clientLastSeq = 0;
        int clientDropped = 0, resyncs = 0, streams = 0;
        qint64 senderLastSeq = 0, maxLateNs = 0;
        double meanLateNs = 0;
        QMetaObject::invokeMethod(client, [&] {
            clientLastSeq = client->lastSeq();
            clientDropped = client->droppedFrames();
        }, Qt::BlockingQueuedConnection);
        QMetaObject::invokeMethod(sender, [&] {
            senderLastSeq = sender->lastSeq();
            resyncs = sender->resyncRequests();
            streams = sender->subscribedStreams();
            maxLateNs = sender->maxLateNs();
            meanLateNs = sender->meanLateNs();
        }, Qt::BlockingQueuedConnection);

        std::sort(latencyNs.begin(), latencyNs.end());
        const double streamSec = double(streamEndNs - streamStartNs) / 1e9;
        const double windowSec = double(shared.clock.nsecsElapsed() - streamStartNs) / 1e9;
        const qint64 lost = sentTotal - delivered;
        std::printf("tick fan-out through Mt5Client (queued tickReceived -> consumer on another thread), loopback, "
                    "%d cores online\n", int(QThread::idealThreadCount()));
        std::printf("  plan        : %d symbols x %d ticks/s for %d s = %lld ticks (%d ticks/s); %d symbols subscribed\n",
                    plan.symbols, plan.rate, plan.seconds, (long long)plan.total(), plan.symbols * plan.rate, streams);
        std::printf("  sent        : %lld ticks in %.2f s (%.0f ticks/s); sender late vs schedule: mean %.3f ms, "
                    "max %.3f ms\n", (long long)sentTotal, streamSec, double(sentTotal) / streamSec,
                    meanLateNs / 1e6, double(maxLateNs) / 1e6);
        std::printf("  delivered   : %lld unique; lost %lld, duplicates %lld, out of order %lld, per-symbol gaps "
                    "%lld ticks, unidentified %lld, conflated %lld\n", (long long)delivered, (long long)lost,
                    (long long)duplicates, (long long)outOfOrder, (long long)gapTicks, (long long)foreign,
                    (long long)conflated);
        std::printf("  seq         : sender last seq %lld, client last applied %lld; seq gaps seen by the client "
                    "(resync requests) %d; frames the client dropped %d\n", (long long)senderLastSeq,
                    (long long)clientLastSeq, resyncs, clientDropped);
        std::printf("  latency     : p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms  "
                    "(nearest rank, %zu samples; send call -> consumer slot, one monotonic clock)\n",
                    nearestRankMs(latencyNs, 0.50), nearestRankMs(latencyNs, 0.90), nearestRankMs(latencyNs, 0.99),
                    nearestRankMs(latencyNs, 0.999), latencyNs.empty() ? 0.0 : double(latencyNs.back()) / 1e6,
                    latencyNs.size());
        const double cpu = cpuProcess1 - cpuProcess0;
        std::printf("  CPU         : process %.0f ms over %.2f s (%.0f%% of one core); connector thread %.0f ms "
                    "(%.0f%%), sender thread %.0f ms (%.0f%%), consumer (main) thread %.0f ms (%.0f%%)\n",
                    cpu, windowSec, 100.0 * cpu / (windowSec * 1000.0), cpuIo1 - cpuIo0,
                    100.0 * (cpuIo1 - cpuIo0) / (windowSec * 1000.0), cpuSender1 - cpuSender0,
                    100.0 * (cpuSender1 - cpuSender0) / (windowSec * 1000.0), cpuMain1 - cpuMain0,
                    100.0 * (cpuMain1 - cpuMain0) / (windowSec * 1000.0));
        const double p99 = nearestRankMs(latencyNs, 0.99);
        const bool complete = lost == 0 && duplicates == 0 && foreign == 0 && delivered > 0;
        std::printf("  aim p99 < 5 ms with every tick delivered: %s (p99 %.3f ms%s)\n",
                    complete && p99 < 5.0 ? "PASS" : "ABOVE", p99, complete ? "" : ", ticks lost or duplicated");
    }
    QMetaObject::invokeMethod(client, &Mt5Client::stop, Qt::BlockingQueuedConnection);
    io.quit();
    io.wait();
    senderThread.quit();
    senderThread.wait();
    return rc;
}
