// The live run's status machine and spec checks (core/live/liverun.h).
#include "liverun.h"
#include "liverunstore.h"

#include <QTest>

#include <cmath>
#include <map>

using namespace bd;

class TestLiveRun : public QObject {
    Q_OBJECT
private slots:
    void everyStatusAndEvent()
    {
        using S = LiveRunStatus;
        using E = LiveRunEvent;
        // The whole table: (from, event) -> to, or refused.
        const std::map<std::pair<S, E>, S> allowed{
            {{S::Pending, E::Start}, S::Running},    {{S::Pending, E::Stop}, S::Stopped},
            {{S::Pending, E::Fail}, S::Error},       {{S::Running, E::Stop}, S::Stopping},
            {{S::Running, E::Halt}, S::Halted},      {{S::Running, E::Fail}, S::Error},
            {{S::Stopping, E::Stopped}, S::Stopped}, {{S::Stopping, E::Fail}, S::Error},
            {{S::Halted, E::Resume}, S::Running},    {{S::Halted, E::Stop}, S::Stopped},
            {{S::Halted, E::Fail}, S::Error},        {{S::Stopped, E::Restart}, S::Pending},
            {{S::Error, E::Restart}, S::Pending},
        };
        for (S from : {S::Pending, S::Running, S::Stopping, S::Stopped, S::Error, S::Halted}) {
            for (E e : {E::Start, E::Stop, E::Stopped, E::Halt, E::Resume, E::Fail, E::Restart}) {
                const Result<S> to = nextStatus(from, e);
                const auto it = allowed.find({from, e});
                if (it == allowed.end()) {
                    QVERIFY2(!to.ok(), qPrintable(QStringLiteral("%1 + %2 should be refused")
                                                      .arg(liveRunStatusName(from), liveRunEventName(e))));
                    QVERIFY(to.error().message.contains(QLatin1String(liveRunStatusName(from))));
                } else {
                    QVERIFY(to.ok());
                    QCOMPARE(to.value(), it->second);
                }
            }
        }
    }

    void refusalSaysWhatIsAllowed()
    {
        const Result<LiveRunStatus> r = nextStatus(LiveRunStatus::Halted, LiveRunEvent::Start);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message, QStringLiteral("a HALTED run cannot Start; from HALTED it can Stop or Resume or Fail"));
    }

    void namesRoundTrip()
    {
        for (LiveRunStatus s : {LiveRunStatus::Pending, LiveRunStatus::Running, LiveRunStatus::Stopping,
                                LiveRunStatus::Stopped, LiveRunStatus::Error, LiveRunStatus::Halted})
            QCOMPARE(liveRunStatusFromName(QString::fromLatin1(liveRunStatusName(s))), s);
        for (DesiredState s : {DesiredState::Running, DesiredState::Stopped, DesiredState::StopAndClose})
            QCOMPARE(desiredStateFromName(QString::fromLatin1(desiredStateName(s))), s);
        QCOMPARE(decisionModeFromName(u"TICK"), DecisionMode::Tick);
        QCOMPARE(approvalModeFromName(u"APPROVE"), ApprovalMode::Approve);
        QVERIFY(!liveRunStatusFromName(u"running"));
        QVERIFY(!desiredStateFromName(u""));
    }

    void specChecks()
    {
        LiveRunSpec spec;
        spec.id = QUuid::createUuid();
        spec.botVersionId = QUuid::createUuid();
        spec.account = QStringLiteral("demo");
        spec.symbol = QStringLiteral("EURUSD");
        QVERIFY(validateLiveRunSpec(spec).ok());

        LiveRunSpec bad = spec;
        bad.timeframe = QStringLiteral("M2");
        QCOMPARE(validateLiveRunSpec(bad).error().message,
                 QStringLiteral("timeframe 'M2' is not one of M1, M5, M15, M30, H1, H4, D1"));
        bad = spec;
        bad.guardrails.drawdownCapPercent = 120;
        QVERIFY(validateLiveRunSpec(bad).error().message.startsWith(QLatin1String("drawdown cap 120 is out of range")));
        bad = spec;
        bad.guardrails.dailyLossPercent = std::nan("");
        QVERIFY(validateLiveRunSpec(bad).error().message.startsWith(QLatin1String("daily loss limit nan")));
        bad = spec;
        bad.account.clear();
        QVERIFY(validateLiveRunSpec(bad).error().message.contains(QLatin1String("--account")));
        bad = spec;
        bad.approvalTimeoutMs = 10;
        QVERIFY(!validateLiveRunSpec(bad).ok());
        bad = spec;
        bad.guardrails.cooldownMs = -1;
        QVERIFY(!validateLiveRunSpec(bad).ok());
    }

    void staleOnlyWhenItShouldBeTradingAndIsQuiet()
    {
        LiveRunRecord r;
        r.status = LiveRunStatus::Running;
        r.startedAtMs = 1'000'000;
        QVERIFY(!isStale(r, 1'000'000 + kStaleAfterMs));      // exactly 60 s after the start: not yet
        QVERIFY(isStale(r, 1'000'000 + kStaleAfterMs + 1));   // no heartbeat ever: counted from the start
        r.lastHeartbeatAtMs = 1'050'000;
        QVERIFY(!isStale(r, 1'050'000 + kStaleAfterMs));
        QVERIFY(isStale(r, 1'050'000 + kStaleAfterMs + 1));
        QVERIFY(isStale(r, 1'050'000 + 2001, 2000));           // a shorter threshold
        for (LiveRunStatus s : {LiveRunStatus::Pending, LiveRunStatus::Stopped, LiveRunStatus::Error}) {
            r.status = s;
            QVERIFY(!isStale(r, 1'050'000 + 10 * kStaleAfterMs));
        }
        for (LiveRunStatus s : {LiveRunStatus::Stopping, LiveRunStatus::Halted}) {
            r.status = s;
            QVERIFY(isStale(r, 1'050'000 + 10 * kStaleAfterMs));
        }
        r.status = LiveRunStatus::Running;
        r.startedAtMs = 0;
        r.lastHeartbeatAtMs = 0;
        QVERIFY(!isStale(r, 10 * kStaleAfterMs));  // never started: nothing to go quiet
    }
};

QTEST_GUILESS_MAIN(TestLiveRun)
#include "tst_liverun.moc"
