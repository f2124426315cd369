#pragma once
// IdempotencyStore: the simulator's durable map client_req_id → {request_hash, state, result, send_time}
// (docs/mt5b-protocol.md §8.2). Kept in memory and in a JSON-lines file, <state-dir>/idempotency.jsonl: one line per
// change (inflight, then final), appended and fsynced before the simulator replies, reloaded at start (the last line
// of an id wins), so a restarted simulator still answers a repeated order.send or order.status from it.
// A torn last line (a crash while writing) is skipped with a warning; any other bad line fails the load with its
// line number. Without a state directory the map lives in memory only.

#include "result.h"

#include <QByteArray>
#include <QFile>
#include <QJsonObject>
#include <QString>

#include <map>
#include <memory>
#include <vector>

namespace bd::mt5sim {

struct IdempotencyRecord {
    enum class State { Inflight, Final };
    QString clientReqId;
    QString requestHash;   // lowercase hex sha256 of the canonical request (requestHash())
    State state = State::Inflight;
    QJsonObject result;    // the order.result message body (Final only), without envelope fields v/type/re/seq/ts
    qint64 sendTimeMs = 0; // UTC epoch ms when the request arrived
};

class IdempotencyStore {
public:
    // Opens (creating the directory and file when needed) and loads `stateDir`/idempotency.jsonl; an empty
    // `stateDir` gives an in-memory store. Errors name the file and line.
    static Result<std::unique_ptr<IdempotencyStore>> open(const QString &stateDir);

    const IdempotencyRecord *find(const QString &clientReqId) const;
    // Records a new request as in flight (durably). Fails when the file cannot be written.
    Result<void> begin(const QString &clientReqId, const QString &requestHash, qint64 sendTimeMs);
    // Records the final result of a request begun before (durably).
    Result<void> finish(const QString &clientReqId, const QJsonObject &result);

    // Ids that were in flight when the file was last written (a crash between execution and reply).
    std::vector<QString> inflightAtLoad() const { return m_inflightAtLoad; }
    // The largest ticket (deal/order/position id) in the stored results: the exchange's tickets start above it.
    quint64 maxTicket() const { return m_maxTicket; }
    qsizetype size() const { return qsizetype(m_records.size()); }
    QString filePath() const { return m_file ? m_file->fileName() : QString(); }

    // lowercase hex sha256 of `request` as canonical JSON: null members removed (recursively), keys sorted, no
    // whitespace, UTF-8 (docs/mt5b-protocol.md §8.2).
    static QString requestHash(const QJsonObject &request);
    // The 6-character comment tag of `clientReqId`: the first 6 chars of the RFC 4648 base32 (upper case) of
    // sha256(client_req_id as UTF-8) (docs/mt5b-protocol.md §8.1).
    static QString commentTag(const QString &clientReqId);

private:
    Result<void> append(const IdempotencyRecord &record);
    void noteTickets(const QJsonObject &result);

    std::map<QString, IdempotencyRecord> m_records;
    std::unique_ptr<QFile> m_file;
    std::vector<QString> m_inflightAtLoad;
    quint64 m_maxTicket = 0;
};

} // namespace bd::mt5sim
