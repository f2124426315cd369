#pragma once
// AccountDesk: everything live on one MT5 account, on one live thread (issue 9 §2, STYLE §7.2): the account's
// database connection and stores, its TradeService, the MT5 connector (on its own I/O thread, owned here), and the
// executors of its runs. The connector's bars, ticks, symbols, account and link status are routed to the runs that
// trade them; orders go back through the one TradeService.
//
//   AccountDesk *desk = new AccountDesk(setup);   // no parent
//   desk->moveToThread(&liveThread);              // then only queued calls:
//   invoke(desk, &AccountDesk::open); invoke(desk, [=]{ desk->ensureRun(record); }); ... invoke(desk, &AccountDesk::shutdown)
//
// ensureRun applies a run's stored desired state: hosts it (loads its version's strategy, subscribes its bars with
// the strategy's warm-up from history, starts it), stops it (positions stay under their SL/TP), stops and closes it,
// or adopts a resume done from elsewhere. A run that cannot start (its version does not load, its symbol is unknown)
// goes to ERROR with the reason as last_error.
// Threads: the desk's objects belong to its live thread; the connector to its own I/O thread (queued both ways).

#include "brokertypes.h"
#include "database.h"
#include "liverunstore.h"
#include "symbolspec.h"

#include <QHash>
#include <QObject>
#include <QThread>
#include <QTimer>
#include <QUuid>
#include <QVector>

#include <functional>
#include <memory>

namespace spdlog { class logger; }

namespace bd {

class LiveRunExecutor;
class PgBotStore;
class PgLiveRunStore;
class PgTradeStore;
class Reconciler;
class TradeService;
class VersionStrategyProvider;
namespace mt5 { class Mt5Client; }

class AccountDesk : public QObject {
    Q_OBJECT
public:
    struct Setup {
        LiveAccount account;
        QString token;                        // the bridge's token (never logged)
        DatabaseTarget target;
        Database::Options dbOptions;
        const VersionStrategyProvider *strategies = nullptr;  // must outlive the desk (any thread)
        SymbolCatalog catalog;                // the specs runs start from (the broker's values replace them)
        qint64 heartbeatMs = 10'000;
        qint64 reconcileMs = 60'000;         // the reconciler's period (also after every reconnect)
    };

    explicit AccountDesk(Setup setup, QObject *parent = nullptr);
    ~AccountDesk() override;

    // Read on the desk's thread (tests, diagnostics).
    int runCount() const { return int(m_runs.size()); }
    const LiveRunExecutor *executor(const QUuid &id) const { return m_runs.value(id); }
    void visitRuns(const std::function<void(const LiveRunExecutor &)> &fn) const;

public slots:
    // Opens the database connection and the stores, starts the connector. Failure: emits failed(reason).
    void open();
    void ensureRun(const bd::LiveRunRecord &run);
    // The app exits: every run stops (positions stay), then the connector. Emits closed() when done.
    void shutdown();
    // APPROVE mode: the trader's answer to a held signal (sent, or dropped with SignalRejected). An unknown or
    // expired signal changes nothing (the run's events already say SignalExpired).
    void approve(const QUuid &runId, const QString &signalId);
    void reject(const QUuid &runId, const QString &signalId);

signals:
    void runStatusChanged(const QUuid &runId, bd::LiveRunStatus status, const QString &message);
    void failed(const QString &reason);
    void closed();

private:
    void startRun(const LiveRunRecord &run);
    void failRun(const LiveRunRecord &run, const QString &reason);
    void connectFeed();
    void flushEvents();
    void stopConnector();
    // The connector stopped, the runs deleted, their last events written (shutdown, and the destructor).
    void closeRuns();

    Setup m_setup;
    std::shared_ptr<spdlog::logger> m_log;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<PgTradeStore> m_trades;
    QTimer m_eventFlush{this};                // writes the deferred events (PgTradeStore::deferEvents); a child,
                                              // so it moves to the live thread with the desk
    static constexpr int kEventFlushMs = 100;
    std::unique_ptr<PgLiveRunStore> m_runStore;
    std::unique_ptr<PgBotStore> m_bots;
    std::unique_ptr<TradeService> m_service;
    std::unique_ptr<Reconciler> m_reconciler;
    QThread m_io;
    mt5::Mt5Client *m_client = nullptr;
    QHash<QUuid, LiveRunExecutor *> m_runs;          // children of the desk
    QHash<QString, QString> m_ourSymbols;            // broker name -> BotDesk name, once resolved (per tick)
    // Bars of a broker name not resolved yet (a subscription's warm-up history arrives before symbol.get answers):
    // delivered when it resolves, so the runs warm up on them.
    QHash<QString, QVector<mt5::RateBar>> m_barsBeforeSymbol;
    bool m_live = false;
};

} // namespace bd
