#pragma once
// LiveRunExecutor: one live run at work (issue 9 §2, §4, §5) — the strategy fed by the account's feed through the
// StrategyRunner (the engine part shared with the backtest), its actions turned into orders (plansForAction) and sent
// through the account's TradeService with the run's guardrails; heartbeats, events and the drawdown cap.
//
//   history bars (warm-up) ─► runner.feedWarmup          live closed bar ─► runner.onClosedBar ─► decision
//   decision ─► AUTO: plans ─► TradeService::submit(plan, bar time, guardrails)
//            └► APPROVE: held (SignalReceived) until approve(signal) or the timeout (SignalExpired)
//   every bar / tick ─► drawdown from the starting equity ─► over the cap: close every position of the run
//                       (RISK_CUTOFF), status HALTED, event DrawdownCapTriggered "Drawdown 23.5% exceeds cap 20%;
//                       closed 5 positions"; the trader's Resume starts trading again
//   every 10 s ─► heartbeat (store + one JSON log line); stop(close) ─► STOPPING ─► (close positions, and those the
//                       entries still in flight open) ─► STOPPED
//   every bar the runner handled (warm-up flagged) ─► kept, written in one batch (TradeStore::recordRunBars) at most
//                       every 5 s on a bar, at each heartbeat and at stop: the replay parity check reads them
//                       (liveparity.h). A failed write is logged and retried with the next batch; beyond 100,000
//                       bars kept the oldest are dropped (with a warning). Trading never waits for it.
//
// The run's positions are the trades the store holds for it (recorded by the TradeService); prices of the run's
// symbol come from the feed. Bar times arrive on the server clock and are converted to UTC with the link's offset.
// Threads: lives on the account's live thread with its TradeService and stores (same thread; not thread-safe).
// Errors do not throw: a failing submit is counted, logged and recorded as an event; a store that cannot record
// the run's status makes the executor report `degraded` until it can.

#include "brokertypes.h"
#include "guardrails.h"
#include "latencyring.h"
#include "liverun.h"
#include "liverunstore.h"
#include "strategyrunner.h"
#include "tradeservice.h"
#include "tradestore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>

namespace spdlog { class logger; }

namespace bd {

// What a run has done so far (the heartbeat's counters and the run's latency figures).
struct LiveRunCounters {
    qint64 signalsReceived = 0;    // decisions with at least one action
    qint64 intentsSent = 0;        // submits queued to the broker
    qint64 intentsSucceeded = 0;   // ... that ended DONE
    qint64 intentsFailed = 0;      // ... REJECTED, or denied, or not persisted
    qint64 trades = 0;             // positions opened
    qint64 errors = 0;
    double lastLoopMs = 0.0;       // the last bar's handling time
    qint64 lastActionAtMs = 0;
    // Bar close → decision: from the connector's receive stamp (RateBar::receivedNs) of each live closed bar to its
    // runner's return (actions or none), ms on the monotonic clock; over the run's last 1000 such bars.
    LatencyFigures barToDecision;
    // Bar close → acted: to the end of the bar's handling (events, intents persisted and orders queued to the broker,
    // the drawdown check) — what the run's orders waited for, the other runs of its desk included.
    LatencyFigures barToAction;
};

class LiveRunExecutor : public QObject {
    Q_OBJECT
public:
    struct Setup {
        LiveRunRecord run;                  // spec, starting equity (fixed at first start), status
        std::unique_ptr<Strategy> strategy; // the version's strategy, parameters applied
        SymbolSpec symbol;                  // the catalogue's spec; digits, point, tick size/value, volumes replaced
                                            // by the broker's when it resolves the symbol
        qint64 heartbeatMs = 10'000;
        std::function<qint64()> nowMs;      // UTC epoch ms; tests may replace it
    };

    LiveRunExecutor(Setup setup, TradeService &service, TradeStore &trades, LiveRunStore &runs,
                    QObject *parent = nullptr);
    ~LiveRunExecutor() override;

    const QUuid &id() const { return m_run.spec.id; }
    const LiveRunSpec &spec() const { return m_run.spec; }
    LiveRunStatus status() const { return m_run.status; }
    // The counters, with barToDecision's percentiles computed now.
    LiveRunCounters counters() const;
    // The kept bar close → decision and → acted samples (ms, oldest first): benches pool them across runs.
    std::vector<double> barToDecisionSamples() const { return m_barToDecision.samples(); }
    std::vector<double> barToActionSamples() const { return m_barToAction.samples(); }
    bool degraded() const { return m_degraded; }
    qint64 warmupBars() const { return m_runner.warmupBars(); }

public slots:
    // Starts the run: PENDING → RUNNING (the starting equity fixed on first start). Bars before start are warm-up.
    void start();
    // The account's feed (call on this thread; the host routes the connector's signals here).
    // A closed bar is handled in two steps, so that a desk with many runs lets every run's strategy decide on the bar
    // before any run writes or sends (the last run decides microseconds after the bar, not after the others' orders):
    // decideBar feeds the runner and keeps the decision (true: actOnBar has work), actOnBar turns it into orders and
    // checks the drawdown cap — inside TradeService::submitTogether, so that the bar's intents (of every run of the
    // desk) are committed at once and sent after — and barActed, called once they are committed, closes the bar's
    // bar close → acted sample. onBar does all three for this run alone.
    void onBar(const bd::mt5::RateBar &bar);
    bool decideBar(const bd::mt5::RateBar &bar);
    void actOnBar();
    void barActed();
    void onTick(const bd::mt5::Tick &tick);
    void onAccount(const bd::mt5::AccountInfo &account);
    void onSymbol(const bd::mt5::BrokerSymbol &symbol);
    void setServerUtcOffsetSec(qint64 offsetSec);
    // STOPPING → STOPPED; `closePositions`: the run's positions are closed first (Stop and close), and an entry still
    // on its way is closed when it opens (STOPPED once none is open or on its way).
    void stop(bool closePositions);
    // HALTED → RUNNING (the trader's decision after a guardrail halt).
    void resume();
    // APPROVE mode: sends (or drops) the held signal.
    void approve(const QString &signalId);
    // Re-reads the run's trades (after the reconciler changed them behind the TradeService).
    void refreshFromStore() { refreshTrades(); }
    void reject(const QString &signalId);

signals:
    void statusChanged(const QUuid &runId, bd::LiveRunStatus status, const QString &message);
    void heartbeat(const bd::Heartbeat &heartbeat);
    void signalPending(const QUuid &runId, const QString &signalId, qint64 expiresAtMs);

private:
    struct HeldSignal {
        Decision decision;
        qint64 receivedAtMs = 0;
        qint64 expiresAtMs = 0;
    };

    void handleDecision(const Decision &decision);
    void sendDecision(const Decision &decision, const QString &signalId);
    std::vector<Position> runPositions() const;
    // The run's own risk figures (no I/O: called on every tick for the drawdown cap).
    RunRiskState riskState() const;
    // ... and, for an entry, every run's positions on the account and symbol when that limit is on.
    RunRiskState entryRiskState() const;
    TradeIntent runIntent() const;  // account, symbol, source BOT, live run, bot version
    // One plan through the TradeService with the run's bookkeeping (counters, entries and closes in flight).
    std::optional<IntentRecord> submitPlan(const OrderPlan &plan, qint64 barTimeMs);
    int closeAll(const QString &reason, const QString &subreason, quint64 onlyTicket = 0);
    void finishStopping();
    void checkDrawdown();
    void writeHeartbeat();
    void expireHeld();
    bool applyStatus(LiveRunEvent event, const QString &message = {});
    void runEvent(const QString &type, const QString &message, const QJsonObject &payload = {},
                  const QString &correlationId = {});
    void refreshTrades();
    // The bars the runner handled, for the parity check: kept, then written in batches.
    void keepBar(const Bar &bar, bool warmup);
    void flushBars();
    qint64 now() const { return m_nowMs(); }
    // This run's offset within a periodic write's period, ms in [0, periodMs): from its id, so it is the same after
    // a restart and different between runs.
    int phaseMs(int periodMs) const;
    static constexpr int kBarsFlushMs = 5'000;  // the kept bars are written at least this often

    LiveRunRecord m_run;
    std::unique_ptr<Strategy> m_strategy;
    SymbolSpec m_symbol;
    StrategyRunner m_runner;
    TradeService &m_service;
    TradeStore &m_trades;
    LiveRunStore &m_runs;
    std::function<qint64()> m_nowMs;
    std::shared_ptr<spdlog::logger> m_log;
    QTimer m_heartbeatTimer;
    QTimer m_approvalTimer;
    LiveRunCounters m_counters;
    LatencyRing m_barToDecision{1000};
    LatencyRing m_barToAction{1000};
    // decideBar's result for actOnBar.
    bool m_actDue = false;
    std::optional<Decision> m_decided;
    qint64 m_decidedBarReceivedNs = 0;
    double m_decideMs = 0.0;
    std::optional<mt5::AccountInfo> m_account;
    std::optional<Quote> m_quote;
    qint64 m_serverOffsetSec = 0;
    std::vector<LiveTrade> m_open;      // this run's open trades (from the store)
    double m_realised = 0.0;            // this run's realised P/L (closed parts)
    double m_dayStartRealised = 0.0;    // m_realised at the broker day's start
    double m_dayStartEquity = 0.0;
    qint64 m_day = -1;                  // the broker day (server clock days since epoch) of the last bar
    qint64 m_lastEntryAtMs = 0;
    QHash<QString, HeldSignal> m_held;  // APPROVE mode
    QSet<QString> m_pendingEntries;     // idempotency keys of this run's entries sent and not final yet
    QSet<quint64> m_closing;            // tickets of this run's positions with a close in flight
    int m_signalSeq = 0;
    bool m_degraded = false;
    bool m_closeOnStop = false;         // "stop and close": entries still in flight are closed when they open
    std::deque<RunBar> m_barsToRecord;
    qint64 m_barsFlushedAtMs = 0;       // the last batch written (or tried); at start, now minus the run's phase
    int m_heartbeatPeriodMs = 10'000;
    qint64 m_barsDropped = 0;           // bars dropped unrecorded since the last warning
};

} // namespace bd
