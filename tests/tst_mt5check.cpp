// `botdesk-mt5 check` end to end: the real executable against botdesk-mt5sim on 127.0.0.1 (both real processes).
// A passing check with one order round trip; an order whose reply is lost and reconciled (passes, one position);
// a requote (fails naming the retcode); a bad token, an unknown symbol, no token, nothing listening; wss with the
// server's certificate trusted through --ca-cert, and refused without it. The token is never printed.
#include "processrun.h"
#include "selfsignedcert.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

namespace {

const QString kToken = QStringLiteral("tok-CHECK-90210");
const QString kData = QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz");

// One simulator process; its first stdout line gives its URL.
struct Sim {
    std::unique_ptr<QProcess> proc;
    QString url;

    bool start(const QStringList &extra, const QString &scheme = QStringLiteral("ws"))
    {
        proc = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("BOTDESK_MT5SIM_TOKEN"), kToken);
        proc->setProcessEnvironment(env);
        proc->start(QStringLiteral(BOTDESK_MT5SIM), QStringList{"--data", kData, "--symbol", "EURUSD", "--port", "0",
                                                               "--speed", "600", "--suffix", ".sim"} + extra);
        if (!proc->waitForStarted(5000) || !QTest::qWaitFor([&] { return proc->canReadLine(); }, 15000))
            return false;
        const QString first = QString::fromUtf8(proc->readLine()).trimmed();
        if (!first.startsWith(QStringLiteral("listening %1://127.0.0.1:").arg(scheme)))
            return false;
        url = first.mid(10);
        return true;
    }
    ~Sim()
    {
        if (proc) {
            proc->terminate();
            proc->waitForFinished(5000);
        }
    }
};

using Run = ProcessRun;

Run check(const QStringList &args, const QString &token = kToken)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("BOTDESK_BRIDGE_TOKEN"));
    if (!token.isNull())
        env.insert(QStringLiteral("BOTDESK_BRIDGE_TOKEN"), token);
    return runProcess(QStringLiteral(BOTDESK_MT5), QStringList{"check"} + args, env, 60000);
}

} // namespace

class TestMt5Check : public QObject {
    Q_OBJECT
private slots:
    void passesWithOneOrderRoundTrip()
    {
        Sim sim;
        QVERIFY(sim.start({}));
        const Run r = check({"--url", sim.url, "--history-bars", "3", "--live-bars", "2", "--trade", "0.01"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QVERIFY2(r.out.contains(QStringLiteral("simulator, session")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("symbol    EURUSD -> EURUSD.sim: digits 5")), qPrintable(r.out));
        QCOMPARE(r.out.count(QStringLiteral("[live]")), 2);
        QVERIFY2(r.out.contains(QRegularExpression(
                     QStringLiteral("open      BUY 0.01 EURUSD.sim: done, retcode 10009 .*position (\\d+), round trip"))),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(QRegularExpression(QStringLiteral("close     SELL 0.01 position \\d+: done, retcode 10009"))),
                 qPrintable(r.out));
        QVERIFY(r.out.endsWith(QStringLiteral("check     passed\n")));
        QVERIFY(!r.out.contains(kToken) && !r.err.contains(kToken));
    }

    // The open's reply is lost inside the bridge: the connector does not send again, the bridge reconciles through
    // its history and the check goes on with the one position that exists.
    void lostReplyIsReconciledNotResent()
    {
        Sim sim;
        QVERIFY(sim.start({"--faults", "drop-reply=1", "--seed", "3"}));
        const Run r = check({"--url", sim.url, "--live-bars", "0", "--trade", "0.02"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QVERIFY2(r.out.contains(QRegularExpression(QStringLiteral("open      BUY 0.02 EURUSD.sim: done, .*reconciled"))),
                 qPrintable(r.out));
        QCOMPARE(r.out.count(QStringLiteral("position ")), 2);  // the open names it, the close closes that one
        // The client sent each order once (its log line "order <id> sent" appears once per order).
        QCOMPARE(r.err.count(QRegularExpression(QStringLiteral("order [0-9a-f-]{36} sent"))), 2);
    }

    void requoteFailsNamingTheRetcode()
    {
        Sim sim;
        QVERIFY(sim.start({"--faults", "requote=1"}));
        const Run r = check({"--url", sim.url, "--live-bars", "0", "--trade", "0.01"});
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        QVERIFY2(r.out.contains(QStringLiteral("10004")) && r.out.contains(QStringLiteral("check     FAILED: the BUY was not filled")),
                 qPrintable(r.out));
        QVERIFY(!r.out.contains(QStringLiteral("close     SELL")));
    }

    void badTokenUnknownSymbolNoTokenNothingListening()
    {
        Sim sim;
        QVERIFY(sim.start({}));
        const QString wrong = QStringLiteral("wrong-TOKEN-555");
        Run r = check({"--url", sim.url, "--live-bars", "0"}, wrong);
        QVERIFY2(r.exitCode == 1 && r.out.contains(QStringLiteral("AUTH_FAILED")), qPrintable(describe(r)));
        QVERIFY(!r.out.contains(wrong) && !r.err.contains(wrong));

        r = check({"--url", sim.url, "--symbol", "EURUSDX", "--live-bars", "0"});
        QVERIFY2(r.exitCode == 1 && r.out.contains(QStringLiteral("UNKNOWN_SYMBOL"))
                     && r.out.contains(QStringLiteral("EURUSD.sim")), qPrintable(describe(r)));

        r = check({"--url", sim.url}, QString());
        QVERIFY2(r.exitCode == 2 && r.err.contains(QStringLiteral("BOTDESK_BRIDGE_TOKEN")), qPrintable(describe(r)));

        r = check({"--url", sim.url, "--trade", "-1"});
        QVERIFY2(r.exitCode == 2 && r.err.contains(QStringLiteral("--trade")), qPrintable(describe(r)));

        // A port nobody listens on: the one the simulator had, after it stopped.
        const QString url = sim.url;
        sim.proc->terminate();
        QVERIFY(sim.proc->waitForFinished(5000));
        r = check({"--url", url, "--timeout", "2"});
        QVERIFY2(r.exitCode == 1 && r.out.contains(QStringLiteral("timed out after 2 s: no welcome from the bridge")),
                 qPrintable(describe(r)));
    }

    void wssVerifiesTheServerCertificate()
    {
        QTemporaryDir dir;
        const SelfSignedCert tls = makeSelfSignedCert(dir.path());
        if (tls.noOpenssl)
            QSKIP(qPrintable(tls.error));
        QVERIFY2(tls.error.isEmpty(), qPrintable(tls.error));
        const QString cert = tls.certFile, key = tls.keyFile;
        Sim sim;
        QVERIFY(sim.start({"--tls-cert", cert, "--tls-key", key}, QStringLiteral("wss")));
        Run r = check({"--url", sim.url, "--live-bars", "0", "--ca-cert", cert});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        r = check({"--url", sim.url, "--live-bars", "0", "--timeout", "5"});
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        QVERIFY2(r.out.contains(QStringLiteral("certificate"), Qt::CaseInsensitive), qPrintable(describe(r)));
    }
};

QTEST_GUILESS_MAIN(TestMt5Check)
#include "tst_mt5check.moc"
