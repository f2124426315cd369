#pragma once
// Reconciler: the database's view of an account's positions made to agree with the broker's (issue 9 §5), at start,
// every `intervalMs`, and on demand (after the link or the database comes back).
//
//   1. the broker's open positions (positionsSnapshot) against the database's open trades of the account;
//   2. a trade open in the database but not at the broker was closed there while BotDesk did not see it (a dropped
//      link, the database down when its deal arrived): its deals are asked for (the last `historyDays` of the
//      server's clock); the TradeService records the closing deals it finds with the broker's reason (SL_HIT,
//      TP_HIT, STOP_OUT, ...). One still open after that, recorded before the pass began and absent from a second
//      snapshot too (a position opened while the first was on its way is not touched), is closed as
//      RECONCILER_CLEANUP at its open price (no deal tells the real one);
//   3. a position carrying the account's magic that the database does not know, in both snapshots (one opened while
//      its outcome was on its way is recorded by the TradeService meanwhile), is adopted: recorded as a trade with
//      `adopted` set and no run, and an event ReconcilerAdopted says so.
// Every change is an event (ReconcilerClosed, ReconcilerAdopted) on the account. Nothing here sends an order.
// No pass runs before the broker's clock is known (setServerTimeMs, from its ticks).
// Threads: on the account's live thread with its TradeService and store; the broker on its own thread (queued).
// Units: times UTC epoch milliseconds except the broker's server clock where said.

#include "brokerclock.h"
#include "brokerport.h"
#include "tradestore.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace spdlog { class logger; }

namespace bd {

// A reconciler's cleanup has no broker deal: its TradeClose carries the position ticket with this bit set as its deal
// ticket (unique per position, never a real MT5 ticket).
inline constexpr quint64 kCleanupDealFlag = quint64(1) << 62;

class Reconciler : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString account;
        qint64 magic = 0;
        qint64 intervalMs = 60'000;
        int historyDays = 7;
        std::function<qint64()> nowMs;  // UTC epoch ms; tests may replace it
    };

    Reconciler(Options options, TradeStore &store, mt5::BrokerPort *broker, QObject *parent = nullptr);
    ~Reconciler() override;

    // BotDesk's name of a broker symbol ("EURUSD.sim" -> "EURUSD"), as the feed resolved it.
    void setSymbolName(const QString &brokerName, const QString &name);
    // The broker's clock (server epoch ms, from the last tick): the deal history is asked for up to it.
    // The first time it is known after start(), a pass runs at once.
    void setServerTimeMs(qint64 serverMs)
    {
        const bool first = !m_clock.known() && serverMs > 0;
        m_clock.serverMs = serverMs;
        if (first && m_timer.isActive())
            reconcileNow();
    }
    // The server's UTC offset: times the reconciler writes (a cleanup's close, an adopted position's open) are UTC.
    void setServerUtcOffsetSec(qint64 offsetSec) { m_clock.utcOffsetSec = offsetSec; }

    void start();
    void reconcileNow();

signals:
    // One pass done: positions adopted, trades closed as cleanup, trades found closed through their deals.
    void reconciled(int adopted, int cleanedUp, int closedFromDeals);

private:
    // A pass: the first snapshot, the deal history when a trade is missing at the broker, a second snapshot, then
    // the decisions (adopt, clean up) on both snapshots and a fresh read of the database.
    enum class Phase { Idle, FirstSnapshot, Deals, SecondSnapshot };

    void onPositions(const QVector<mt5::Position> &positions);
    void onDeals(const QVector<mt5::Deal> &deals);
    void askPositions(Phase next);
    void decide(const QVector<mt5::Position> &second);
    void event(const QString &type, const QString &message, const LiveTrade &trade);

    Options m_options;
    TradeStore &m_store;
    QPointer<mt5::BrokerPort> m_broker;
    std::shared_ptr<spdlog::logger> m_log;
    QTimer m_timer;
    QTimer m_dealsWait;                    // the deal history is paged: the pass goes on this long after the last page
    QHash<QString, QString> m_names;       // broker symbol -> BotDesk name
    BrokerClock m_clock;
    Phase m_phase = Phase::Idle;
    qint64 m_passStartMs = 0;              // this process's clock (the pass's timeout)
    qint64 m_passStartBrokerMs = 0;        // the broker's, UTC: trades opened from then on are not the pass's business
    QVector<mt5::Position> m_first;        // the pass's first snapshot
    int m_missing = 0;                     // open here, not at the broker, in the first snapshot
};

} // namespace bd
