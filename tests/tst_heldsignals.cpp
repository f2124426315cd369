// heldSignals / whySignalNotHeld (core/live/heldsignals.h): which signals of an APPROVE-mode run wait for the trader,
// read from its events — held until answered (approved, rejected) or expired (the event, or its expires_at passed).

#include "heldsignals.h"

#include <QtTest>

using namespace bd;

namespace {

constexpr qint64 kT0 = 1'704'190'000'000;  // 2024-01-02 10:06:40 UTC

LiveEvent signalEvent(qint64 id, const QString &type, const QString &signal, qint64 atMs, qint64 expiresAtMs = 0)
{
    LiveEvent e;
    e.id = id;
    e.type = type;
    e.atMs = atMs;
    e.message = QStringLiteral("%1 %2").arg(type, signal);
    e.payload.insert(QStringLiteral("signal_id"), signal);
    if (type == QLatin1String("SignalReceived")) {
        e.payload.insert(QStringLiteral("bar_time"), double(atMs - 60'000));
        if (expiresAtMs > 0)
            e.payload.insert(QStringLiteral("expires_at"), double(expiresAtMs));
    }
    return e;
}

QStringList ids(const std::vector<HeldSignalView> &held)
{
    QStringList out;
    for (const HeldSignalView &v : held)
        out << v.signalId;
    return out;
}

} // namespace

class TestHeldSignals : public QObject {
    Q_OBJECT
private slots:
    void heldUntilAnsweredOrExpired()
    {
        const std::vector<LiveEvent> events{
            signalEvent(1, "SignalReceived", "a", kT0, kT0 + 60'000),
            signalEvent(2, "SignalReceived", "b", kT0 + 1000, kT0 + 61'000),
            signalEvent(3, "SignalReceived", "c", kT0 + 2000, kT0 + 62'000),
            signalEvent(4, "SignalReceived", "d", kT0 + 3000, kT0 + 5'000),   // times out first
            signalEvent(5, "SignalReceived", "auto", kT0 + 4000),             // AUTO mode: never held
            signalEvent(6, "SignalApproved", "a", kT0 + 10'000),
            signalEvent(7, "SignalRejected", "b", kT0 + 11'000),
            signalEvent(8, "OrderSent", "c", kT0 + 12'000),                   // not an answer
        };
        QCOMPARE(ids(heldSignals(events, kT0 + 4'000)), (QStringList{"c", "d"}));
        QCOMPARE(ids(heldSignals(events, kT0 + 20'000)), (QStringList{"c"}));       // d's time ran out
        QCOMPARE(ids(heldSignals(events, kT0 + 62'000)), QStringList{});            // so did c's
        const HeldSignalView c = heldSignals(events, kT0 + 20'000).front();
        QCOMPARE(c.expiresAtMs, kT0 + 62'000);
        QCOMPARE(c.receivedAtMs, kT0 + 2000);
        QCOMPARE(c.barTimeMs, kT0 + 2000 - 60'000);

        // Events in any order give the same answer (a reader may merge several queries).
        std::vector<LiveEvent> shuffled(events.rbegin(), events.rend());
        QCOMPARE(ids(heldSignals(shuffled, kT0 + 4'000)), (QStringList{"c", "d"}));
    }

    void whyASignalCannotBeAnswered()
    {
        const std::vector<LiveEvent> events{
            signalEvent(1, "SignalReceived", "a", kT0, kT0 + 60'000),
            signalEvent(2, "SignalReceived", "b", kT0 + 1000, kT0 + 61'000),
            signalEvent(3, "SignalExpired", "b", kT0 + 61'000),
            signalEvent(4, "SignalApproved", "a", kT0 + 5'000),
            signalEvent(5, "SignalReceived", "c", kT0 + 2000, kT0 + 62'000),
            signalEvent(6, "SignalReceived", "auto", kT0 + 3000),
        };
        QCOMPARE(whySignalNotHeld(events, "c", kT0 + 10'000), QString());
        QCOMPARE(whySignalNotHeld(events, "a", kT0 + 10'000), QStringLiteral("it was approved at 2024-01-02 10:06:45 UTC"));
        QCOMPARE(whySignalNotHeld(events, "b", kT0 + 70'000), QStringLiteral("it expired at 2024-01-02 10:07:41 UTC"));
        QCOMPARE(whySignalNotHeld(events, "c", kT0 + 70'000), QStringLiteral("it expired at 2024-01-02 10:07:42 UTC"));
        QCOMPARE(whySignalNotHeld(events, "auto", kT0 + 10'000),
                 QStringLiteral("the run was in AUTO mode: it was never held"));
        QCOMPARE(whySignalNotHeld(events, "zz", kT0 + 10'000), QStringLiteral("the run has no signal 'zz'; held now: c"));
    }
};

QTEST_APPLESS_MAIN(TestHeldSignals)
#include "tst_heldsignals.moc"
