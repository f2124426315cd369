#pragma once
// InFlightGuard: at most one order in flight per (live run, symbol) (MT5_PROTOCOL.md §3.1 and §4.10: a strategy that
// fires again before its first order is answered must not double its position). A second order for the same run and
// symbol while one is in flight is refused locally, before anything is recorded or sent. Orders without a run (manual)
// are not guarded. Symbol names compare case-insensitively ("EURUSD.m" and "eurusd.M" are one symbol).

#include "result.h"

#include <QHash>
#include <QMultiHash>
#include <QString>

namespace bd::mt5 {

class InFlightGuard {
public:
    // Takes the slot of (runId, symbol) for `clientReqId`. Error when another id holds it: "run R already has order
    // X in flight on EURUSD; wait for its result (one order per run and symbol at a time)". Taking it again with the
    // same id (a resend) succeeds.
    Result<void> acquire(const QString &runId, const QString &symbol, const QString &clientReqId);
    // Frees every slot held by `clientReqId` (no-op when it holds none).
    void release(const QString &clientReqId);
    bool isInFlight(const QString &runId, const QString &symbol) const;
    int size() const { return int(m_byKey.size()); }

private:
    static QString key(const QString &runId, const QString &symbol);
    QHash<QString, QString> m_byKey;  // run \x1f symbol -> client_req_id
    QMultiHash<QString, QString> m_byId;  // client_req_id -> its keys
};

} // namespace bd::mt5
