#pragma once
// LiveRun: one bot version trading one symbol of one MT5 account (issue 9 §2), and the life of its status.
//
//   PENDING ──Start──► RUNNING ──Stop──► STOPPING ──Stopped──► STOPPED
//      │                 │  ▲                │
//      │                 │  └──Resume── HALTED (a guardrail tripped: only the trader resumes it)
//      │                 └──Halt──────────┘
//      └─────── Fail (from PENDING, RUNNING, STOPPING or HALTED) ──► ERROR (with last_error)
//   STOPPED and ERROR are final for this run's life; Restart (STOPPED or ERROR → PENDING) is the trader starting the
//   same run again. Stop from PENDING or HALTED goes straight to STOPPED (nothing is trading).
//
// What the trader asks for is the run's DESIRED state (RUNNING, STOPPED, STOP_AND_CLOSE), stored in the database;
// a host (the desktop or `botdesk-cli live serve`) drives the status towards it (issue 9 §6).
// Times: UTC epoch milliseconds. Percentages: of equity, 0..100.

#include "result.h"

#include <QString>
#include <QUuid>

#include <optional>

namespace bd {

// When the strategy decides: on each closed bar (onBar), or on every tick between bar closes too (onTick).
enum class DecisionMode { Bar, Tick };
// AUTO sends every signal; APPROVE holds each one until the trader approves it (or rejects it, or it times out).
enum class ApprovalMode { Auto, Approve };

enum class LiveRunStatus { Pending, Running, Stopping, Stopped, Error, Halted };
enum class DesiredState { Running, Stopped, StopAndClose };

// What moves a run from one status to the next (see the diagram above).
enum class LiveRunEvent { Start, Stop, Stopped, Halt, Resume, Fail, Restart };

// "BAR"/"TICK", "AUTO"/"APPROVE", "PENDING".."HALTED", "RUNNING"/"STOPPED"/"STOP_AND_CLOSE" — the database's and the
// CLI's spelling. The *FromName functions take exactly these and return nothing for any other text.
const char *decisionModeName(DecisionMode m);
const char *approvalModeName(ApprovalMode m);
const char *liveRunStatusName(LiveRunStatus s);
const char *desiredStateName(DesiredState s);
const char *liveRunEventName(LiveRunEvent e);
std::optional<DecisionMode> decisionModeFromName(QStringView name);
std::optional<ApprovalMode> approvalModeFromName(QStringView name);
std::optional<LiveRunStatus> liveRunStatusFromName(QStringView name);
std::optional<DesiredState> desiredStateFromName(QStringView name);

// The status after `event` in `from`. Error: "a HALTED run cannot Start; Resume it or Stop it" — naming the status,
// the event and what is allowed from there.
Result<LiveRunStatus> nextStatus(LiveRunStatus from, LiveRunEvent event);

// The run's limits (issue 9 §4). 0 switches a limit off unless said otherwise.
struct Guardrails {
    double dailyLossPercent = 5.0;     // THIS RUN's loss since the broker day's start, % of the account's equity at
                                       // that start: no new entries for the rest of the day (positions stay under
                                       // their SL/TP; guardrails.h)
    double drawdownCapPercent = 20.0;  // drawdown from the run's STARTING equity (fixed for the life of the run):
                                       // close every position of the run and HALT
    int maxOpenPerSymbol = 1;          // open positions + pending orders of this run on its symbol (0 = no limit)
    int maxOpenPerAccountSymbol = 0;   // ... of every run on this account and symbol (0 = no limit)
    qint64 cooldownMs = 0;             // minimum time between two entries of this run
    double maxRiskPercent = 2.0;       // an entry's risk at its SL, % of equity (0 = no limit)
    bool marginCheck = true;           // refuse an entry whose margin exceeds the free margin
};

struct LiveRunSpec {
    QUuid id;                      // the run's id (QUuid::createUuid when created)
    QUuid botVersionId;
    QString botName;               // for display
    QString codeHash;              // the version's SHA-256 hex (bots.h), for display and lineage
    QString account;               // the LiveAccount's name
    QString symbol;                // BotDesk's name ("EURUSD"); the bridge resolves the broker's
    QString timeframe = QStringLiteral("M1");  // "M1".."D1"
    DecisionMode decision = DecisionMode::Bar;
    ApprovalMode approval = ApprovalMode::Auto;
    qint64 approvalTimeoutMs = 60'000;  // APPROVE: a signal not approved within this is rejected (SignalExpired)
    Guardrails guardrails;
};

// Checks a spec before it is stored: every field named with its fix ("timeframe 'M2' is not one of M1, M5, M15, M30,
// H1, H4, D1"). Percentages in [0, 100], counts and times >= 0, approval timeout 1 s..1 h.
Result<void> validateLiveRunSpec(const LiveRunSpec &spec);

} // namespace bd
