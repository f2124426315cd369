#pragma once
// The mt5b v1 envelope (docs/mt5b-protocol.md §2) on the general (QJsonDocument) path: reading any bridge frame's
// envelope with its rules, and writing client requests.
//
// A bridge frame is refused (the caller logs it and drops it; nothing of it reaches the engine) when it is not
// UTF-8 JSON, not an object, or its envelope breaks a rule: "v" not the integer 1, "type" not a string, "seq" present
// but not an integer ≥ 0, "re" present but not a string (null counts as absent).

#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace bd::mt5b {

inline constexpr qsizetype kMaxFrameBytes = 1048576;  // 1 MiB, both ways
inline constexpr const char *kSubprotocol = "mt5b.v1";

struct Envelope {
    QJsonObject object;  // the whole frame
    QString type;
    QString re;          // empty when absent
    qint64 seq = -1;     // -1 when absent (replies)
    bool replay = false;
};

// Error: "malformed JSON at offset 12: unterminated string", "not a JSON object", "field 'v' is 2; expected 1", ...
Result<Envelope> parseEnvelope(const QByteArray &json);

// A client request frame: {"v":1,"type":type,"id":id,"ts":now, ...fields} as compact UTF-8 JSON.
QByteArray requestFrame(const QString &type, const QString &id, const QJsonObject &fields);

// `object` with every null member removed (recursively through objects), as compact JSON with keys sorted and no
// whitespace: the form whose sha256 the bridges compare (request_hash, §8.2).
QByteArray canonicalJson(const QJsonObject &object);
// Lowercase hex sha256 of `canonical`.
QString sha256Hex(const QByteArray &canonical);

// True for a client_req_id of 1..36 chars of [A-Za-z0-9_-].
bool isValidClientReqId(const QString &id);

} // namespace bd::mt5b
