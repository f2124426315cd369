// The connector's small parts (connectors/mt5/client/): reconnect backoff bounds and jitter, the per-(run, symbol)
// in-flight guard, latency percentiles, the session's seq verdicts, per-symbol staleness; and the in-memory order
// outbox (core/broker/memoryorderoutbox.h) against the OrderOutbox contract.

#include "inflightguard.h"
#include "latencystats.h"
#include "memoryorderoutbox.h"
#include "nodelay.h"
#include "reconnectbackoff.h"
#include "resultcheck.h"
#include "seqtracker.h"
#include "stalenessmonitor.h"

#include <QAbstractSocket>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

#include <memory>
#include <set>

using namespace bd;
using namespace bd::mt5;

namespace {
OutboxEntry entry(const char *id, const char *account, const char *run, const char *json, const char *hash)
{
    OutboxEntry e;
    e.clientReqId = QString::fromLatin1(id);
    e.account = QString::fromLatin1(account);
    e.runId = QString::fromLatin1(run);
    e.requestJson = json;
    e.requestHash = QString::fromLatin1(hash);
    return e;
}
} // namespace

class TestMt5ClientParts : public QObject {
    Q_OBJECT
private slots:
    void backoffGrowsToTheCapWithinJitterBounds()
    {
        ReconnectBackoff backoff(ReconnectBackoff::Options{}, 12345);
        const qint64 bases[] = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
        for (qint64 base : bases) {
            const qint64 d = backoff.nextDelayMs();
            QVERIFY2(d >= qint64(base * 0.8) && d <= qint64(base * 1.2 + 1),
                     qPrintable(QStringLiteral("attempt %1: %2 ms outside %3 ± 20 %").arg(backoff.attempts()).arg(d).arg(base)));
        }
        backoff.reset();
        const qint64 d = backoff.nextDelayMs();
        QVERIFY(d >= 400 && d <= 600);
    }

    void backoffJitterSpreadsTheDelays()
    {
        // Over many first attempts the delays cover most of 400..600 ms and stay inside it.
        std::set<qint64> seen;
        qint64 lo = 1'000'000, hi = 0;
        for (quint32 seed = 1; seed <= 500; ++seed) {
            ReconnectBackoff b(ReconnectBackoff::Options{}, seed);
            const qint64 d = b.nextDelayMs();
            seen.insert(d);
            lo = std::min(lo, d);
            hi = std::max(hi, d);
        }
        QVERIFY2(lo >= 400 && hi <= 600, qPrintable(QStringLiteral("%1..%2").arg(lo).arg(hi)));
        QVERIFY2(hi - lo >= 150, "jitter does not spread the delays");
        QVERIFY(seen.size() > 50);
        // No jitter: exactly the base.
        ReconnectBackoff exact(ReconnectBackoff::Options{500, 30000, 2.0, 0.0}, 7);
        QCOMPARE(exact.nextDelayMs(), 500);
        QCOMPARE(exact.nextDelayMs(), 1000);
        QCOMPARE(exact.baseDelayMs(20), 30000);
    }

    void inFlightGuardRefusesASecondOrderOfTheSameRunAndSymbol()
    {
        InFlightGuard guard;
        QVERIFY_OK(guard.acquire("run-1", "EURUSD.m", "a1"));
        auto second = guard.acquire("run-1", "eurusd.M", "a2");
        QVERIFY(!second);
        QVERIFY2(second.error().message.contains("run-1") && second.error().message.contains("a1"),
                 qPrintable(second.error().message));
        // Same id again (a resend) is fine; other symbol or other run is fine; manual orders are not guarded.
        QVERIFY_OK(guard.acquire("run-1", "EURUSD.m", "a1"));
        QVERIFY_OK(guard.acquire("run-1", "GBPUSD.m", "b1"));
        QVERIFY_OK(guard.acquire("run-2", "EURUSD.m", "c1"));
        QVERIFY_OK(guard.acquire("", "EURUSD.m", "m1"));
        QVERIFY_OK(guard.acquire("", "EURUSD.m", "m2"));
        QVERIFY(guard.isInFlight("run-1", "EURUSD.m"));
        guard.release("a1");
        QVERIFY(!guard.isInFlight("run-1", "EURUSD.m"));
        QVERIFY_OK(guard.acquire("run-1", "EURUSD.m", "a2"));
        guard.release("unknown");  // no-op
        QCOMPARE(guard.size(), 3);
    }

    void latencyPercentilesByNearestRank()
    {
        LatencyStats stats(1000);
        QCOMPARE(stats.result().count, 0);
        for (int i = 1; i <= 100; ++i)
            stats.addResult(double(101 - i));  // 100..1 ms
        const auto r = stats.result();
        QCOMPARE(r.count, 100);
        QCOMPARE(r.p50, 50.0);
        QCOMPARE(r.p95, 95.0);
        QCOMPARE(r.p99, 99.0);
        QCOMPARE(r.max, 100.0);
        QCOMPARE(LatencyStats::percentile({7.0}, 99), 7.0);
        QCOMPARE(LatencyStats::percentile({1, 2, 3, 4}, 50), 2.0);
        // The ring keeps only the newest `capacity` samples.
        LatencyStats ring(10);
        for (int i = 0; i < 10; ++i)
            ring.addAck(1000);
        for (int i = 0; i < 10; ++i)
            ring.addAck(1);
        QCOMPARE(ring.ack().count, 10);
        QCOMPARE(ring.ack().max, 1.0);
    }

    void seqVerdicts()
    {
        SeqTracker seq;
        QCOMPARE(seq.classify(1), SeqTracker::Verdict::Next);
        seq.accept(1);
        QCOMPARE(seq.classify(2), SeqTracker::Verdict::Next);
        QCOMPARE(seq.classify(1), SeqTracker::Verdict::Duplicate);
        QCOMPARE(seq.classify(0), SeqTracker::Verdict::Duplicate);
        QCOMPARE(seq.classify(4), SeqTracker::Verdict::Gap);
        seq.snapshotApplied(10);
        QCOMPARE(seq.last(), 10);
        QCOMPARE(seq.classify(11), SeqTracker::Verdict::Next);
        seq.snapshotApplied(5);  // never backwards
        QCOMPARE(seq.last(), 10);
        seq.startSession();
        QCOMPARE(seq.classify(1), SeqTracker::Verdict::Next);
    }

    void stalenessOnlyWhileConnected()
    {
        StalenessMonitor m(1000);
        m.watch("EURUSD.m", 0);
        m.watch("GBPUSD.m", 0);
        QVERIFY(m.evaluate(5000).isEmpty());  // terminal not connected: never stale
        m.setConnected(true, 5000);
        QVERIFY(m.evaluate(5900).isEmpty());  // silence counts from the connection
        m.tickArrived("EURUSD.m", 5950);
        auto changed = m.evaluate(6100);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed[0].symbol, QStringLiteral("GBPUSD.m"));
        QVERIFY(changed[0].stale);
        QCOMPARE(changed[0].silentForMs, 1100);
        QVERIFY(m.evaluate(6200).isEmpty());  // reported once
        QVERIFY(m.tickArrived("GBPUSD.m", 6300));  // fresh again
        auto states = m.states(7000);
        QCOMPARE(states.size(), 2);
        QCOMPARE(states[1].lastTickAtMs, 6300);
        m.setConnected(false, 7000);
        QVERIFY(m.evaluate(60000).isEmpty());
    }

    // Both ends of a loopback WebSocket get TCP_NODELAY: the client's socket (the QWebSocket's child) and the
    // accepted one (found under the QWebSocketServer by its peer port).
    void nagleIsOffOnBothEnds()
    {
        QWebSocketServer server(QStringLiteral("t"), QWebSocketServer::NonSecureMode);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QWebSocket client;
        QVERIFY(!bd::mt5b::disableNagle(client));  // not connected: no TCP socket yet, nothing changes
        client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort())));
        QVERIFY(QTest::qWaitFor([&] { return server.hasPendingConnections(); }, 5000));
        std::unique_ptr<QWebSocket> accepted(server.nextPendingConnection());
        QVERIFY(QTest::qWaitFor([&] { return client.state() == QAbstractSocket::ConnectedState; }, 5000));
        const auto lowDelay = [](QObject *root, quint16 peerPort) {
            for (QAbstractSocket *tcp : root->findChildren<QAbstractSocket *>())
                if (tcp->peerPort() == peerPort)
                    return tcp->socketOption(QAbstractSocket::LowDelayOption).toInt();
            return -1;
        };
        QCOMPARE(lowDelay(&server, accepted->peerPort()), 0);  // Qt's default: Nagle on
        QVERIFY(bd::mt5b::disableNagle(client));
        QVERIFY(bd::mt5b::disableNagle(server, *accepted));
        QCOMPARE(lowDelay(&client, client.peerPort()), 1);
        QCOMPARE(lowDelay(&server, accepted->peerPort()), 1);
    }

    void memoryOutboxContract()
    {
        MemoryOrderOutbox box;
        OutboxEntry e = entry("id-1", "acct", "run-1", R"({"a":1})", "h1");
        QVERIFY_OK(box.recordBeforeSend(e));
        QVERIFY_OK(box.recordBeforeSend(e));  // same hash: no-op
        e.requestHash = "h2";
        auto conflict = box.recordBeforeSend(e);
        QVERIFY(!conflict);
        QVERIFY(conflict.error().message.contains("id-1"));
        OutboxEntry e2 = entry("id-2", "acct", "", R"({"b":2})", "h3");
        QVERIFY_OK(box.recordBeforeSend(e2));
        OutboxEntry other = entry("id-3", "other", "", "{}", "h4");
        QVERIFY_OK(box.recordBeforeSend(other));
        auto open = box.unfinished("acct");
        QVERIFY_OK(open);
        QCOMPARE(open->size(), size_t(2));
        QCOMPARE(open->at(0).clientReqId, QStringLiteral("id-1"));
        QVERIFY_OK(box.markFinal("id-1", R"({"status":"done"})"));
        QVERIFY_OK(box.markFinal("id-1", R"({"status":"other"})"));  // first result stays
        QCOMPARE(box.find("id-1")->resultJson, QByteArray(R"({"status":"done"})"));
        QCOMPARE(box.unfinished("acct")->size(), size_t(1));
        QVERIFY(!box.markFinal("nope", "{}"));
        QVERIFY(!box.find("nope"));
        box.failNextRecord("disk full");
        QVERIFY(!box.recordBeforeSend(entry("id-9", "acct", "", "{}", "h9")));
        QVERIFY(!box.find("id-9"));
    }
};

QTEST_GUILESS_MAIN(TestMt5ClientParts)
#include "tst_mt5clientparts.moc"
