#pragma once
// BrokerPort: how the live engine trades a MetaTrader 5 account through the mt5b bridge (issue 8). core defines the
// port; connectors/mt5 implements it (Mt5Client's broker side, on its own I/O thread); tests may fake it.
//
// Threads: as MarketDataPort — slots called only through queued calls, signals received queued, value types only.
//
// Orders are identified by their client_req_id (1..36 chars of [A-Za-z0-9_-], unique per account, never reused;
// e.g. QUuid::WithoutBraces). sendOrder records the id in the order outbox (orderoutbox.h) BEFORE anything is sent,
// so after a crash or a dropped link the connector asks the bridge for the order's status instead of sending it
// again. Every sendOrder ends in exactly one of:
//   orderRefused(id, ...)   refused locally, nothing was sent (bad id, not Live, another order of the same run and
//                           symbol still in flight, the outbox could not record it, unknown symbol/volume step);
//   orderOutcome(outcome)   the bridge's final answer (done, placed, partial, no_change, rejected, unknown);
// with orderAcknowledged(id) in between when the bridge queued it. An outcome with status Unknown must be shown to
// the trader and never resent under a new id (queryOrderStatus or sending the same id again is safe).
// Units: prices in quote currency (rounded by the connector to the symbol's digits), volumes in lots (rounded to
// volume_step), tickets are MT5's 64-bit ids.

#include "brokertypes.h"
#include "linkstatus.h"

#include <QObject>
#include <QString>
#include <QVector>

namespace bd::mt5 {

// Incremental change of a position or pending order (mt5b `position`/`order` events).
enum class ChangeOp { Add, Update, Remove };

class BrokerPort : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~BrokerPort() override = default;

public slots:
    // Sends `request` under `clientReqId` for the live run `runId` (may be empty for a manual order). At most one
    // order per (runId, symbol) is in flight at a time: a second one is refused with orderRefused.
    virtual void sendOrder(const QString &clientReqId, const bd::mt5::TradeRequest &request, const QString &runId) = 0;
    // Asks the bridge what became of `clientReqId` (order.status): answered with orderOutcome (final),
    // orderAcknowledged (still in flight), or — when the bridge never got it (not_found) — the order is sent again
    // under the SAME id if the outbox holds it in flight, else orderRefused(id, "", "... (not_found)").
    // Not connected: bridgeError("NOT_CONNECTED", ...). The connector does this by itself for every unfinished
    // outbox entry on each (re)connect.
    virtual void queryOrderStatus(const QString &clientReqId) = 0;
    // Snapshots: answered by positionsSnapshot / ordersSnapshot / accountChanged / dealsReceived.
    virtual void requestPositions() = 0;
    virtual void requestOrders() = 0;
    virtual void requestAccount() = 0;
    // Deals with time in [fromSec, toSec] (server clock, epoch seconds).
    virtual void requestDeals(qint64 fromSec, qint64 toSec) = 0;

signals:
    void orderRefused(const QString &clientReqId, const QString &runId, const QString &reason);
    void orderAcknowledged(const QString &clientReqId);
    void orderOutcome(const bd::mt5::OrderOutcome &outcome);

    void positionsSnapshot(const QVector<bd::mt5::Position> &positions);
    void positionChanged(bd::mt5::ChangeOp op, const bd::mt5::Position &position);
    void ordersSnapshot(const QVector<bd::mt5::Order> &orders);
    void orderChanged(bd::mt5::ChangeOp op, const bd::mt5::Order &order);
    // Deal events (never dropped by the bridge) and deal history answers, in seq order.
    void dealsReceived(const QVector<bd::mt5::Deal> &deals);
    // Whole account (account.get, snapshot) or, after a partial push, the merged current values.
    void accountChanged(const bd::mt5::AccountInfo &account);

    // Connection state, heartbeat age, terminal connected / trade_allowed; emitted on every change and about once
    // a second while Live.
    void linkStatusChanged(const bd::mt5::LinkStatus &status);
    // A bridge error that answers none of the above (code as on the wire, e.g. "RATE_LIMITED"), or a local one:
    // "NOT_CONNECTED" (a request while the link is not Live), "OUTBOX" (the unfinished orders could not be read).
    void bridgeError(const QString &code, const QString &message);
};

} // namespace bd::mt5

Q_DECLARE_METATYPE(bd::mt5::ChangeOp)
