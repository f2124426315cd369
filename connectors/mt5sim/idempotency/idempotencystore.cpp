#include "idempotencystore.h"

#include "logging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>

#include <unistd.h>

namespace bd::mt5sim {

namespace {

QJsonValue withoutNulls(const QJsonValue &v)
{
    if (v.isObject()) {
        QJsonObject out;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            if (!it.value().isNull() && !it.value().isUndefined())
                out.insert(it.key(), withoutNulls(it.value()));
        return out;
    }
    if (v.isArray()) {
        QJsonArray out;
        for (const QJsonValue &x : v.toArray())
            out.append(withoutNulls(x));
        return out;
    }
    return v;
}

const char *stateName(IdempotencyRecord::State s) { return s == IdempotencyRecord::State::Final ? "final" : "inflight"; }

} // namespace

QString IdempotencyStore::requestHash(const QJsonObject &request)
{
    // QJsonObject keeps its keys sorted, and Compact output has no whitespace.
    const QByteArray canonical = QJsonDocument(withoutNulls(request).toObject()).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(QCryptographicHash::hash(canonical, QCryptographicHash::Sha256).toHex());
}

QString IdempotencyStore::commentTag(const QString &clientReqId)
{
    static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const QByteArray digest = QCryptographicHash::hash(clientReqId.toUtf8(), QCryptographicHash::Sha256);
    QString tag;
    quint64 buffer = 0;
    int bits = 0;
    for (int i = 0; i < digest.size() && tag.size() < 6; ++i) {
        buffer = (buffer << 8) | quint8(digest[i]);
        bits += 8;
        while (bits >= 5 && tag.size() < 6) {
            tag += QLatin1Char(kAlphabet[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    return tag;
}

Result<std::unique_ptr<IdempotencyStore>> IdempotencyStore::open(const QString &stateDir)
{
    auto store = std::make_unique<IdempotencyStore>();
    if (stateDir.isEmpty())
        return store;
    if (!QDir().mkpath(stateDir))
        return makeError(QStringLiteral("--state-dir '%1' cannot be created; give a writable directory").arg(stateDir));
    const QString path = QDir(stateDir).filePath(QStringLiteral("idempotency.jsonl"));
    QFile in(path);
    if (in.exists()) {
        if (!in.open(QIODevice::ReadOnly))
            return makeError(QStringLiteral("%1:0: cannot read the idempotency map; check its permissions").arg(path));
        const QList<QByteArray> lines = in.readAll().split('\n');
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            if (line.isEmpty())
                continue;
            QJsonParseError err{};
            const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
            const QJsonObject o = doc.object();
            const bool valid = err.error == QJsonParseError::NoError && doc.isObject()
                && o.value(QStringLiteral("client_req_id")).isString() && o.value(QStringLiteral("request_hash")).isString()
                && o.value(QStringLiteral("state")).isString();
            if (!valid) {
                const bool lastLine = i >= lines.size() - 2;
                if (lastLine) {
                    bd::logging::get("mt5sim")->warn("{}:{}: torn last line skipped (a crash while writing)",
                                                     path.toStdString(), i + 1);
                    continue;
                }
                return makeError(QStringLiteral("%1:%2: not an idempotency record; restore the file or move it away "
                                                "(the simulator then forgets earlier client_req_ids)").arg(path).arg(i + 1));
            }
            IdempotencyRecord r;
            r.clientReqId = o.value(QStringLiteral("client_req_id")).toString();
            r.requestHash = o.value(QStringLiteral("request_hash")).toString();
            r.state = o.value(QStringLiteral("state")).toString() == QLatin1String("final") ? IdempotencyRecord::State::Final
                                                                                           : IdempotencyRecord::State::Inflight;
            r.result = o.value(QStringLiteral("result")).toObject();
            r.sendTimeMs = qint64(o.value(QStringLiteral("send_time")).toDouble());
            store->noteTickets(r.result);
            store->m_records[r.clientReqId] = r;
        }
        for (const auto &[id, r] : store->m_records)
            if (r.state == IdempotencyRecord::State::Inflight)
                store->m_inflightAtLoad.push_back(id);
    }
    store->m_file = std::make_unique<QFile>(path);
    if (!store->m_file->open(QIODevice::WriteOnly | QIODevice::Append))
        return makeError(QStringLiteral("%1:0: cannot write the idempotency map; give a writable --state-dir").arg(path));
    return store;
}

const IdempotencyRecord *IdempotencyStore::find(const QString &clientReqId) const
{
    const auto it = m_records.find(clientReqId);
    return it == m_records.end() ? nullptr : &it->second;
}

void IdempotencyStore::noteTickets(const QJsonObject &result)
{
    const QJsonObject r = result.value(QStringLiteral("result")).toObject();
    for (const QString &key : {QStringLiteral("deal"), QStringLiteral("order")})
        m_maxTicket = std::max(m_maxTicket, r.value(key).toString().toULongLong());
    m_maxTicket = std::max(m_maxTicket, result.value(QStringLiteral("position_id")).toString().toULongLong());
}

Result<void> IdempotencyStore::append(const IdempotencyRecord &r)
{
    if (!m_file)
        return {};
    QJsonObject o{{QStringLiteral("client_req_id"), r.clientReqId},
                  {QStringLiteral("request_hash"), r.requestHash},
                  {QStringLiteral("state"), QLatin1String(stateName(r.state))},
                  {QStringLiteral("send_time"), double(r.sendTimeMs)}};
    if (r.state == IdempotencyRecord::State::Final)
        o.insert(QStringLiteral("result"), r.result);
    const QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    if (m_file->write(line) != line.size() || !m_file->flush() || ::fsync(m_file->handle()) != 0)
        return makeError(QStringLiteral("%1: cannot append to the idempotency map (disk full?); free space in --state-dir")
                             .arg(m_file->fileName()));
    return {};
}

Result<void> IdempotencyStore::begin(const QString &clientReqId, const QString &hash, qint64 sendTimeMs)
{
    IdempotencyRecord r;
    r.clientReqId = clientReqId;
    r.requestHash = hash;
    r.sendTimeMs = sendTimeMs;
    if (auto ok = append(r); !ok)
        return ok;
    m_records[clientReqId] = r;
    return {};
}

Result<void> IdempotencyStore::finish(const QString &clientReqId, const QJsonObject &result)
{
    auto it = m_records.find(clientReqId);
    if (it == m_records.end())
        return makeError(QStringLiteral("client_req_id '%1' was never begun").arg(clientReqId));
    IdempotencyRecord r = it->second;
    r.state = IdempotencyRecord::State::Final;
    r.result = result;
    if (auto ok = append(r); !ok)
        return ok;
    noteTickets(result);
    it->second = r;
    return {};
}

} // namespace bd::mt5sim
