#include "pgtradestore.h"

#include "pglivesql.h"

#include "logging.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>

#include <algorithm>

namespace bd {

using namespace pglive;

namespace {

const QString kIntentColumns =
    QStringLiteral("idempotency_key, client_req_id, action, account, symbol, side, live_run_id, bot_version_id, "
                   "source, signal_id, reason, correlation_id, position_ticket, volume, price, sl, tp, %1, "
                   "request::text, state, retcode, message, order_ticket, deal_ticket, fill_price, %2, %3, close_reason, "
                   "close_subreason")
        .arg(ms(QStringLiteral("bar_time")), ms(QStringLiteral("created_at")), ms(QStringLiteral("updated_at")));

const QString kTradeColumns =
    QStringLiteral("account, position_ticket, live_run_id, bot_version_id, source, correlation_id, idempotency_key, "
                   "symbol, side, volume, open_price, %1, sl, tp, commission, swap, profit, closed_volume, %2, "
                   "close_price, coalesce(close_reason, ''), coalesce(close_subreason, ''), adopted")
        .arg(ms(QStringLiteral("open_time")), ms(QStringLiteral("close_time")));

const QString kCloseColumns =
    QStringLiteral("account, position_ticket, deal_ticket, order_ticket, volume, price, profit, commission, swap, %1, "
                   "coalesce(close_reason, ''), coalesce(close_subreason, ''), correlation_id")
        .arg(ms(QStringLiteral("time")));

const QString kEventColumns = QStringLiteral("id, live_run_id, account, type, correlation_id, %1, message, payload::text")
                                  .arg(ms(QStringLiteral("at")));

const QString kHeartbeatColumns =
    QStringLiteral("live_run_id, %1, signals_received, intents_sent, intents_succeeded, intents_failed, trades, errors, "
                   "loop_ms, %2")
        .arg(ms(QStringLiteral("at")), ms(QStringLiteral("last_action_at")));

TradeSource tradeSourceFromName(const QString &name)
{
    for (TradeSource s : {TradeSource::Manual, TradeSource::Ai, TradeSource::Bot, TradeSource::Backtest}) {
        if (name == QLatin1String(tradeSourceName(s)))
            return s;
    }
    return TradeSource::Bot;  // the column's CHECK allows no other text
}

QJsonObject objectOf(const QVariant &v)
{
    return QJsonDocument::fromJson(v.toString().toUtf8()).object();
}

QString jsonText(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

IntentRecord intentFrom(const QSqlQuery &q)
{
    IntentRecord r;
    r.idempotencyKey = q.value(0).toString();
    r.clientReqId = q.value(1).toString();
    r.action = intentActionFromName(q.value(2).toString()).value_or(IntentAction::Open);
    r.intent.account = q.value(3).toString();
    r.intent.symbol = q.value(4).toString();
    r.intent.side = sideFromName(q.value(5).toString()).value_or(Side::Buy);
    r.intent.liveRunId = uuidOf(q.value(6));
    r.intent.botVersionId = uuidOf(q.value(7));
    r.intent.source = tradeSourceFromName(q.value(8).toString());
    r.intent.signalId = q.value(9).toString();
    r.intent.reason = q.value(10).toString();
    r.intent.correlationId = q.value(11).toString();
    r.positionTicket = quint64(q.value(12).toLongLong());
    r.volume = q.value(13).toDouble();
    r.price = q.value(14).toDouble();
    r.sl = q.value(15).toDouble();
    r.tp = q.value(16).toDouble();
    r.barTimeMs = q.value(17).toLongLong();
    r.request = objectOf(q.value(18));
    r.state = intentStateFromName(q.value(19).toString()).value_or(IntentState::Unknown);
    r.retcode = q.value(20).toInt();
    r.message = q.value(21).toString();
    r.orderTicket = quint64(q.value(22).toLongLong());
    r.dealTicket = quint64(q.value(23).toLongLong());
    r.fillPrice = q.value(24).toDouble();
    r.createdAtMs = q.value(25).toLongLong();
    r.updatedAtMs = q.value(26).toLongLong();
    r.closeReason = q.value(27).toString();
    r.closeSubreason = q.value(28).toString();
    return r;
}

LiveTrade tradeFrom(const QSqlQuery &q)
{
    LiveTrade t;
    t.account = q.value(0).toString();
    t.positionTicket = quint64(q.value(1).toLongLong());
    t.liveRunId = uuidOf(q.value(2));
    t.botVersionId = uuidOf(q.value(3));
    t.source = tradeSourceFromName(q.value(4).toString());
    t.correlationId = q.value(5).toString();
    t.idempotencyKey = q.value(6).toString();
    t.symbol = q.value(7).toString();
    t.side = sideFromName(q.value(8).toString()).value_or(Side::Buy);
    t.volume = q.value(9).toDouble();
    t.openPrice = q.value(10).toDouble();
    t.openTimeMs = q.value(11).toLongLong();
    t.sl = q.value(12).toDouble();
    t.tp = q.value(13).toDouble();
    t.commission = q.value(14).toDouble();
    t.swap = q.value(15).toDouble();
    t.profit = q.value(16).toDouble();
    t.closedVolume = q.value(17).toDouble();
    if (!q.value(18).isNull())
        t.closeTimeMs = q.value(18).toLongLong();
    t.closePrice = q.value(19).toDouble();
    t.closeReason = q.value(20).toString();
    t.closeSubreason = q.value(21).toString();
    t.adopted = q.value(22).toBool();
    return t;
}

TradeClose closeFrom(const QSqlQuery &q)
{
    TradeClose c;
    c.account = q.value(0).toString();
    c.positionTicket = quint64(q.value(1).toLongLong());
    c.dealTicket = quint64(q.value(2).toLongLong());
    c.orderTicket = quint64(q.value(3).toLongLong());
    c.volume = q.value(4).toDouble();
    c.price = q.value(5).toDouble();
    c.profit = q.value(6).toDouble();
    c.commission = q.value(7).toDouble();
    c.swap = q.value(8).toDouble();
    c.timeMs = q.value(9).toLongLong();
    c.closeReason = q.value(10).toString();
    c.closeSubreason = q.value(11).toString();
    c.correlationId = q.value(12).toString();
    return c;
}

LiveEvent eventFrom(const QSqlQuery &q)
{
    LiveEvent e;
    e.id = q.value(0).toLongLong();
    e.liveRunId = uuidOf(q.value(1));
    e.account = q.value(2).toString();
    e.type = q.value(3).toString();
    e.correlationId = q.value(4).toString();
    e.atMs = q.value(5).toLongLong();
    e.message = q.value(6).toString();
    e.payload = objectOf(q.value(7));
    return e;
}

Heartbeat heartbeatFrom(const QSqlQuery &q)
{
    Heartbeat h;
    h.liveRunId = uuidOf(q.value(0));
    h.atMs = q.value(1).toLongLong();
    h.signalsReceived = q.value(2).toLongLong();
    h.intentsSent = q.value(3).toLongLong();
    h.intentsSucceeded = q.value(4).toLongLong();
    h.intentsFailed = q.value(5).toLongLong();
    h.trades = q.value(6).toLongLong();
    h.errors = q.value(7).toLongLong();
    h.loopMs = q.value(8).toDouble();
    h.lastActionAtMs = q.value(9).toLongLong();
    return h;
}

QString intentName(const QString &key)
{
    return QStringLiteral("intent %1").arg(key.left(80));
}

QString positionName(const QString &account, quint64 ticket)
{
    return QStringLiteral("position %1 of account '%2'").arg(ticket).arg(account);
}

// The key and client_req_id an intent is stored under, checked.
Result<void> checkKeys(const IntentRecord &r)
{
    static const QRegularExpression hex64(QStringLiteral("^[0-9a-f]{64}$"));
    if (!hex64.match(r.idempotencyKey).hasMatch())
        return makeError(QStringLiteral("%1: the idempotency key is not 64 lowercase hex digits; make it with "
                                        "idempotencyKey() (idempotencykey.h)").arg(intentName(r.idempotencyKey)));
    if (r.clientReqId != r.idempotencyKey.left(32))
        return makeError(QStringLiteral("%1: client_req_id '%2' is not the key's first 32 hex digits; make it with "
                                        "clientReqIdFor(key)").arg(intentName(r.idempotencyKey), r.clientReqId.left(80)));
    return {};
}

Result<void> checkNumbers(const QString &what, std::initializer_list<std::pair<const char *, double>> numbers)
{
    for (const auto &[name, value] : numbers) {
        if (!finite(value))
            return makeError(QStringLiteral("%1: %2 is %3, not a finite number").arg(what, QLatin1String(name)).arg(value));
    }
    return {};
}

// The close reason and subreason names the tables allow ('' = none), checked before the CHECK constraint would.
Result<void> checkCloseReasons(const QString &what, const QString &reason, const QString &subreason)
{
    static const QStringList reasons{QStringLiteral("TP_HIT"),       QStringLiteral("SL_HIT"),
                                     QStringLiteral("STRATEGY_EXIT"), QStringLiteral("MANUAL_CLOSE"),
                                     QStringLiteral("RISK_CUTOFF"),  QStringLiteral("RECONCILER_CLEANUP"),
                                     QStringLiteral("STOP_OUT")};
    static const QStringList subreasons{QStringLiteral("EXIT_LONG"), QStringLiteral("EXIT_SHORT"),
                                        QStringLiteral("TRAILING_STOP_HIT"), QStringLiteral("TIME_STOP"),
                                        QStringLiteral("INVALIDATION")};
    if (!reason.isEmpty() && !reasons.contains(reason))
        return makeError(QStringLiteral("%1: close reason '%2' is not one of %3")
                             .arg(what, reason.left(80), reasons.join(QStringLiteral(", "))));
    if (!subreason.isEmpty() && !subreasons.contains(subreason))
        return makeError(QStringLiteral("%1: close subreason '%2' is not empty or one of %3")
                             .arg(what, subreason.left(80), subreasons.join(QStringLiteral(", "))));
    return {};
}

} // namespace

// --- intents -----------------------------------------------------------------------------------------------------

Result<PersistedIntent> PgTradeStore::persistIntent(const IntentRecord &r)
{
    const QString what = QStringLiteral("cannot persist %1").arg(intentName(r.idempotencyKey));
    if (auto keys = checkKeys(r); !keys)
        return makeError(QStringLiteral("cannot persist %1").arg(keys.error().message));
    if (r.intent.account.isEmpty())
        return makeError(QStringLiteral("%1: it names no account").arg(what));
    if (auto numbers = checkNumbers(what, {{"volume", r.volume}, {"price", r.price}, {"sl", r.sl}, {"tp", r.tp}});
        !numbers)
        return numbers.error();

    // Prepared once per connection: the intent's commit is on the path of every order (issue 9 §8).
    auto inserted = m_db.execPrepared(
        QStringLiteral("INSERT INTO trade_intents (idempotency_key, client_req_id, action, account, symbol, side, "
                       "live_run_id, bot_version_id, source, signal_id, reason, correlation_id, position_ticket, volume, "
                       "price, sl, tp, bar_time, request, state, retcode, message, order_ticket, deal_ticket, "
                       "fill_price, close_reason, close_subreason) VALUES (?, ?, ?, ?, ?, ?, ?::uuid, ?::uuid, ?, ?, ?, ?, ?, ?, "
                       "?, ?, ?, %1, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING %2, %3, %4")
            .arg(at(), ms(QStringLiteral("created_at")), ms(QStringLiteral("updated_at")), QLatin1String(kFlushWait)),
        {r.idempotencyKey, r.clientReqId, QString::fromLatin1(intentActionName(r.action)), r.intent.account,
         textValue(r.intent.symbol), QString::fromLatin1(sideName(r.intent.side)), uuidValue(r.intent.liveRunId),
         uuidValue(r.intent.botVersionId), QString::fromLatin1(tradeSourceName(r.intent.source)),
         textValue(r.intent.signalId), textValue(r.intent.reason), textValue(r.intent.correlationId),
         ticketValue(r.positionTicket), r.volume, r.price, r.sl, r.tp, r.barTimeMs, jsonText(r.request),
         QString::fromLatin1(intentStateName(r.state)), r.retcode, textValue(r.message), ticketValue(r.orderTicket),
         ticketValue(r.dealTicket), r.fillPrice, textValue(r.closeReason), textValue(r.closeSubreason)});
    if (!inserted)
        return explained(m_db, what, inserted.error());
    if (inserted->next()) {  // stored as given, with the store's times (not read back: this is every order's path)
        IntentRecord stored = r;
        stored.createdAtMs = inserted->value(0).toLongLong();
        stored.updatedAtMs = inserted->value(1).toLongLong();
        return PersistedIntent{true, stored};
    }
    // The key was there (no conflict target: a race can hit client_req_id's index first, and client_req_id is the
    // key's prefix). A new statement (a new snapshot) sees the row even when another connection committed it while
    // our INSERT waited.
    auto stored = readIntents(QStringLiteral("idempotency_key = ?"), {r.idempotencyKey}, what);
    if (!stored)
        return stored.error();
    if (stored->empty()) {
        auto sameReqId = readIntents(QStringLiteral("client_req_id = ?"), {r.clientReqId}, what);
        if (sameReqId && !sameReqId->empty())
            return makeError(QStringLiteral("%1: its client_req_id %2 is taken by intent %3 (the keys share their first "
                                            "32 hex digits); do not send this intent")
                                 .arg(what, r.clientReqId, sameReqId->front().idempotencyKey));
        return makeError(QStringLiteral("%1: the key is stored by another login and not visible to this one; do not "
                                        "send this intent").arg(what));
    }
    return PersistedIntent{false, stored->front()};
}

Result<void> PgTradeStore::updateIntent(const IntentRecord &r)
{
    const QString what = QStringLiteral("cannot update %1").arg(intentName(r.idempotencyKey));
    if (!finite(r.fillPrice))
        return makeError(QStringLiteral("%1: fill price %2 is not a finite number").arg(what).arg(r.fillPrice));
    auto updated = m_db.execPrepared(QStringLiteral("UPDATE trade_intents SET state = ?, retcode = ?, message = ?, "
                                            "order_ticket = ?, deal_ticket = ?, fill_price = ?, updated_at = "
                                            "clock_timestamp() WHERE idempotency_key = ? RETURNING %1").arg(QLatin1String(kNoFlushWait)),
                             {QString::fromLatin1(intentStateName(r.state)), r.retcode, textValue(r.message),
                              ticketValue(r.orderTicket), ticketValue(r.dealTicket), r.fillPrice, r.idempotencyKey});
    if (!updated)
        return explained(m_db, what, updated.error());
    if (!updated->next())
        return makeError(QStringLiteral("%1: no intent has this key; persist it first").arg(what));
    return {};
}

Result<std::vector<IntentRecord>> PgTradeStore::readIntents(const QString &where, const QVariantList &values,
                                                            const QString &what)
{
    auto q = m_db.execPrepared(QStringLiteral("SELECT %1 FROM trade_intents WHERE %2").arg(kIntentColumns, where), values);
    if (!q)
        return explained(m_db, what, q.error());
    std::vector<IntentRecord> out;
    while (q->next())
        out.push_back(intentFrom(*q));
    return out;
}

Result<IntentRecord> PgTradeStore::intent(const QString &idempotencyKey)
{
    const QString what = QStringLiteral("cannot read %1").arg(intentName(idempotencyKey));
    auto found = readIntents(QStringLiteral("idempotency_key = ?"), {idempotencyKey}, what);
    if (!found)
        return found.error();
    if (found->empty())
        return makeError(QStringLiteral("%1: no intent has this key").arg(what));
    return found->front();
}

Result<std::optional<IntentRecord>> PgTradeStore::intentByClientReqId(const QString &clientReqId)
{
    auto found = readIntents(QStringLiteral("client_req_id = ?"), {clientReqId},
                             QStringLiteral("cannot read the intent of client_req_id %1").arg(clientReqId.left(80)));
    if (!found)
        return found.error();
    if (found->empty())
        return std::optional<IntentRecord>();
    return std::optional<IntentRecord>(found->front());
}

Result<std::vector<IntentRecord>> PgTradeStore::unfinishedIntents(const QString &account)
{
    return readIntents(QStringLiteral("account = ? AND state IN ('PERSISTED', 'SENT', 'UNKNOWN') "
                                      "ORDER BY created_at, idempotency_key"),
                       {textValue(account)},
                       QStringLiteral("cannot list the unfinished intents of account '%1'").arg(account));
}

Result<std::vector<IntentRecord>> PgTradeStore::intentsOfRun(const QUuid &liveRunId)
{
    return readIntents(QStringLiteral("live_run_id = ?::uuid ORDER BY created_at, idempotency_key"),
                       {uuidValue(liveRunId)},
                       QStringLiteral("cannot list the intents of run %1").arg(liveRunId.toString(QUuid::WithoutBraces)));
}

// --- trades ------------------------------------------------------------------------------------------------------

Result<void> PgTradeStore::recordTradeOpened(const LiveTrade &t)
{
    const QString what = QStringLiteral("cannot record %1").arg(positionName(t.account, t.positionTicket));
    if (t.account.isEmpty() || t.positionTicket == 0)
        return makeError(QStringLiteral("%1: a trade needs an account and a position ticket > 0").arg(what));
    if (auto numbers = checkNumbers(what, {{"volume", t.volume}, {"open price", t.openPrice}, {"sl", t.sl},
                                           {"tp", t.tp}, {"commission", t.commission}, {"swap", t.swap}});
        !numbers)
        return numbers.error();
    if (!(t.volume > 0))
        return makeError(QStringLiteral("%1: volume %2 lots is not > 0").arg(what).arg(t.volume));
    if (t.openTimeMs <= 0)
        return makeError(QStringLiteral("%1: it has no open time (UTC epoch ms)").arg(what));
    auto inserted = m_db.execPrepared(
        QStringLiteral("INSERT INTO live_trades (account, position_ticket, live_run_id, bot_version_id, source, "
                       "correlation_id, idempotency_key, symbol, side, volume, open_price, open_time, sl, tp, "
                       "commission, swap, adopted) VALUES (?, ?, ?::uuid, ?::uuid, ?, ?, ?, ?, ?, ?, ?, %1, ?, ?, ?, ?, "
                       "?) ON CONFLICT (owner, account, position_ticket) DO NOTHING RETURNING %2")
            .arg(at(), QLatin1String(kNoFlushWait)),
        {t.account, ticketValue(t.positionTicket), uuidValue(t.liveRunId), uuidValue(t.botVersionId),
         QString::fromLatin1(tradeSourceName(t.source)), textValue(t.correlationId), textValue(t.idempotencyKey),
         textValue(t.symbol), QString::fromLatin1(sideName(t.side)), t.volume, t.openPrice, t.openTimeMs, t.sl, t.tp,
         t.commission, t.swap, t.adopted});
    if (!inserted)
        return explained(m_db, what, inserted.error());
    return {};
}

Result<void> PgTradeStore::recordTradeClose(const TradeClose &c)
{
    const QString what = QStringLiteral("cannot record deal %1 closing %2").arg(c.dealTicket).arg(
        positionName(c.account, c.positionTicket));
    if (c.dealTicket == 0 || c.positionTicket == 0 || c.account.isEmpty())
        return makeError(QStringLiteral("%1: a close needs an account, a position ticket and a deal ticket > 0").arg(what));
    if (auto numbers = checkNumbers(what, {{"volume", c.volume}, {"price", c.price}, {"profit", c.profit},
                                           {"commission", c.commission}, {"swap", c.swap}});
        !numbers)
        return numbers.error();
    if (!(c.volume > 0))
        return makeError(QStringLiteral("%1: volume %2 lots is not > 0").arg(what).arg(c.volume));
    if (c.timeMs <= 0)
        return makeError(QStringLiteral("%1: it has no time (UTC epoch ms)").arg(what));
    if (auto reasons = checkCloseReasons(what, c.closeReason, c.closeSubreason); !reasons)
        return reasons.error();

    // One statement (one round trip on the desk's thread; the trade found by its key, never by a join the planner
    // could turn into a scan of every trade): the deal is inserted only when its trade is in the store
    // and counted once (ON CONFLICT on the deal ticket); the trade adds the deal's figures to its own as they are when
    // its row is updated (a concurrent close of the same position waits for the row lock and adds to the result), and
    // is closed by the deal that brings its closed volume to its volume.
    const QString closedNow = QStringLiteral("t.closed_volume + d.volume >= t.volume - 1e-9");
    auto written = m_db.execPrepared(
        QStringLiteral("WITH trade AS (SELECT 1 FROM live_trades WHERE owner = current_user AND account = ?::text AND "
                       "position_ticket = ?::bigint), "
                       "deal AS (INSERT INTO trade_closes (account, deal_ticket, position_ticket, order_ticket, volume, "
                       "price, profit, commission, swap, time, close_reason, close_subreason, correlation_id) "
                       "SELECT ?::text, ?::bigint, ?::bigint, ?::bigint, ?::float8, ?::float8, ?::float8, ?::float8, "
                       "?::float8, %1, ?::text, ?::text, ?::text FROM trade "
                       "ON CONFLICT (owner, account, deal_ticket) DO NOTHING RETURNING *), "
                       "updated AS (UPDATE live_trades t SET profit = t.profit + d.profit, commission = t.commission + "
                       "d.commission, swap = t.swap + d.swap, closed_volume = t.closed_volume + d.volume, "
                       "close_time = CASE WHEN %2 THEN d.time ELSE t.close_time END, "
                       "close_price = CASE WHEN %2 THEN d.price ELSE t.close_price END, "
                       "close_reason = CASE WHEN %2 THEN d.close_reason ELSE t.close_reason END, "
                       "close_subreason = CASE WHEN %2 THEN d.close_subreason ELSE t.close_subreason END "
                       "FROM deal d WHERE t.owner = current_user AND t.account = ?::text AND "
                       "t.position_ticket = ?::bigint RETURNING 1) "
                       "SELECT (SELECT count(*) FROM trade), (SELECT count(*) FROM updated), %3")
            .arg(at(), closedNow, QLatin1String(kNoFlushWait)),
        {c.account, ticketValue(c.positionTicket), c.account, ticketValue(c.dealTicket), ticketValue(c.positionTicket),
         ticketValue(c.orderTicket), c.volume, c.price, c.profit, c.commission, c.swap, c.timeMs,
         textOrNull(c.closeReason), textOrNull(c.closeSubreason), textValue(c.correlationId), c.account,
         ticketValue(c.positionTicket)});
    if (!written)
        return explained(m_db, what, written.error());
    if (!written->next() || written->value(0).toInt() == 0)
        return makeError(QStringLiteral("%1: the position is not in the store; record its opening first "
                                        "(recordTradeOpened, or the reconciler adopts it)").arg(what));
    return {};  // updated 0: the deal was recorded before, counted once
}

Result<void> PgTradeStore::updateTradeStops(const QString &account, quint64 positionTicket, double sl, double tp)
{
    const QString what = QStringLiteral("cannot set the stops of %1").arg(positionName(account, positionTicket));
    if (auto numbers = checkNumbers(what, {{"sl", sl}, {"tp", tp}}); !numbers)
        return numbers.error();
    auto updated = m_db.execPrepared(QStringLiteral("UPDATE live_trades SET sl = ?, tp = ? WHERE owner = current_user AND "
                                            "account = ? AND position_ticket = ? AND close_time IS NULL RETURNING %1")
                                 .arg(QLatin1String(kNoFlushWait)),
                             {sl, tp, account, ticketValue(positionTicket)});
    if (!updated)
        return explained(m_db, what, updated.error());
    if (updated->next())
        return {};
    auto known = m_db.scalar(QStringLiteral("SELECT count(*) FROM live_trades WHERE owner = current_user AND "
                                            "account = ? AND position_ticket = ?"),
                             {account, ticketValue(positionTicket)});
    if (!known)
        return explained(m_db, what, known.error());
    return makeError(known->toInt() > 0 ? QStringLiteral("%1: the trade is closed").arg(what)
                                        : QStringLiteral("%1: the position is not in the store").arg(what));
}

Result<std::vector<LiveTrade>> PgTradeStore::readTrades(const QString &where, const QVariantList &values,
                                                        const QString &what)
{
    auto q = m_db.execPrepared(QStringLiteral("SELECT %1 FROM live_trades WHERE %2").arg(kTradeColumns, where), values);
    if (!q)
        return explained(m_db, what, q.error());
    std::vector<LiveTrade> out;
    while (q->next())
        out.push_back(tradeFrom(*q));
    return out;
}

Result<std::vector<LiveTrade>> PgTradeStore::openTrades(const QString &account)
{
    return readTrades(QStringLiteral("account = ? AND close_time IS NULL ORDER BY open_time, position_ticket"),
                      {textValue(account)}, QStringLiteral("cannot list the open trades of account '%1'").arg(account));
}

Result<std::optional<LiveTrade>> PgTradeStore::openTrade(const QString &account, quint64 positionTicket)
{
    auto found = readTrades(QStringLiteral("account = ? AND position_ticket = ? AND close_time IS NULL"),
                            {textValue(account), ticketValue(positionTicket)},
                            QStringLiteral("cannot read %1").arg(positionName(account, positionTicket)));
    if (!found)
        return found.error();
    if (found->empty())
        return std::optional<LiveTrade>();
    return std::optional<LiveTrade>(found->front());
}

Result<std::vector<LiveTrade>> PgTradeStore::tradesOfRun(const QUuid &liveRunId)
{
    return readTrades(QStringLiteral("live_run_id = ?::uuid ORDER BY open_time, position_ticket"), {uuidValue(liveRunId)},
                      QStringLiteral("cannot list the trades of run %1").arg(liveRunId.toString(QUuid::WithoutBraces)));
}

Result<std::vector<TradeClose>> PgTradeStore::closesOfTrade(const QString &account, quint64 positionTicket)
{
    auto q = m_db.execPrepared(QStringLiteral("SELECT %1 FROM trade_closes WHERE account = ? AND position_ticket = ? "
                                      "ORDER BY time, deal_ticket").arg(kCloseColumns),
                       {textValue(account), ticketValue(positionTicket)});
    if (!q)
        return explained(m_db, QStringLiteral("cannot list the closes of %1").arg(positionName(account, positionTicket)),
                         q.error());
    std::vector<TradeClose> out;
    while (q->next())
        out.push_back(closeFrom(*q));
    return out;
}

// --- events and heartbeats ---------------------------------------------------------------------------------------

Result<qint64> PgTradeStore::appendEvent(const LiveEvent &e)
{
    const QString what = QStringLiteral("cannot append the %1 event of run %2")
                             .arg(e.type.left(64), e.liveRunId.toString(QUuid::WithoutBraces));
    static const QRegularExpression typeName(QStringLiteral("^[A-Z][A-Za-z]{0,63}$"));
    if (!typeName.match(e.type).hasMatch())
        return makeError(QStringLiteral("%1: the type is not a name like TradeExecuted").arg(what));
    if (m_deferEvents) {
        LiveEvent deferred = e;
        if (deferred.atMs <= 0)
            deferred.atMs = QDateTime::currentMSecsSinceEpoch();  // when it happened, not when it is written
        if (int(m_deferred.size()) >= kMaxDeferredEvents) {
            static const auto log = logging::get("db");
            log->error("{} events not written (the database is unreachable): the oldest, {} of run {}, is dropped",
                       m_deferred.size(), m_deferred.front().type.toStdString(),
                       m_deferred.front().liveRunId.toString(QUuid::WithoutBraces).toStdString());
            m_deferred.pop_front();
        }
        m_deferred.push_back(std::move(deferred));
        return qint64(0);
    }
    auto id = m_db.scalar(QStringLiteral("INSERT INTO live_events (live_run_id, account, type, correlation_id, at, "
                                         "message, payload) VALUES (?::uuid, ?, ?, ?, coalesce(%1, clock_timestamp()), "
                                         "?, ?::jsonb) RETURNING id").arg(at()),
                          {uuidValue(e.liveRunId), textValue(e.account), e.type, textValue(e.correlationId), e.atMs,
                           textValue(e.message), jsonText(e.payload)});
    if (!id)
        return explained(m_db, what, id.error());
    return id->toLongLong();
}

Result<int> PgTradeStore::flushEvents()
{
    // A few hundred rows per statement, as one JSON array (QJsonDocument escapes every text): one round trip of a
    // statement prepared once, and one commit, for a bar's worth of events of 100 runs.
    constexpr int kRowsPerStatement = 200;
    int written = 0;
    while (!m_deferred.empty()) {
        const int rows = std::min<int>(kRowsPerStatement, int(m_deferred.size()));
        QJsonArray batch;
        for (int i = 0; i < rows; ++i) {
            const LiveEvent &e = m_deferred[size_t(i)];
            batch.append(QJsonObject{
                {QStringLiteral("r"), e.liveRunId.isNull() ? QJsonValue() : QJsonValue(e.liveRunId.toString(QUuid::WithoutBraces))},
                {QStringLiteral("a"), e.account},
                {QStringLiteral("t"), e.type},
                {QStringLiteral("c"), e.correlationId},
                {QStringLiteral("at"), QString::number(e.atMs)},
                {QStringLiteral("m"), e.message},
                {QStringLiteral("p"), e.payload}});
        }
        auto inserted = m_db.execPrepared(
            QStringLiteral("INSERT INTO live_events (live_run_id, account, type, correlation_id, at, message, payload) "
                           "SELECT e.r, e.a, e.t, e.c, coalesce(%1, clock_timestamp()), e.m, coalesce(e.p, '{}'::jsonb) "
                           "FROM ROWS FROM (jsonb_to_recordset(?::jsonb) AS (r uuid, a text, t text, c text, at text, "
                           "m text, p jsonb)) WITH ORDINALITY AS e(r, a, t, c, at, m, p, n) ORDER BY e.n RETURNING %2")
                .arg(at("e.at"), QLatin1String(kNoFlushWait)),
            {QString::fromUtf8(QJsonDocument(batch).toJson(QJsonDocument::Compact))});
        if (!inserted)
            return explained(m_db, QStringLiteral("cannot write %1 deferred event(s); they are kept for the next try")
                                       .arg(m_deferred.size()),
                             inserted.error());
        m_deferred.erase(m_deferred.begin(), m_deferred.begin() + rows);
        written += rows;
    }
    return written;
}

Result<std::vector<LiveEvent>> PgTradeStore::readEvents(const QString &where, const QVariantList &values,
                                                        const QString &what)
{
    if (!m_deferred.empty()) {
        if (Result<int> flushed = flushEvents(); !flushed)
            return explained(m_db, what, flushed.error());
    }
    auto q = m_db.execPrepared(QStringLiteral("SELECT %1 FROM live_events WHERE %2").arg(kEventColumns, where), values);
    if (!q)
        return explained(m_db, what, q.error());
    std::vector<LiveEvent> out;
    while (q->next())
        out.push_back(eventFrom(*q));
    return out;
}

Result<std::vector<LiveEvent>> PgTradeStore::events(const QUuid &liveRunId, qint64 afterId, int limit,
                                                    const QString &type)
{
    const QString what = QStringLiteral("cannot list the events of run %1").arg(liveRunId.toString(QUuid::WithoutBraces));
    if (limit < 1)
        return makeError(QStringLiteral("%1: limit %2 is not >= 1").arg(what).arg(limit));
    if (type.isEmpty())
        return readEvents(QStringLiteral("live_run_id = ?::uuid AND id > ? ORDER BY id LIMIT ?"),
                          {uuidValue(liveRunId), afterId, limit}, what);
    return readEvents(QStringLiteral("live_run_id = ?::uuid AND id > ? AND type = ? ORDER BY id LIMIT ?"),
                      {uuidValue(liveRunId), afterId, type, limit}, what);
}

Result<std::vector<LiveEvent>> PgTradeStore::eventsByCorrelation(const QString &correlationId)
{
    const QString what = QStringLiteral("cannot list the events of correlation id '%1'").arg(correlationId.left(80));
    if (correlationId.isEmpty())
        return makeError(QStringLiteral("cannot list the events of a correlation id: none given"));
    return readEvents(QStringLiteral("correlation_id = ? ORDER BY id"), {correlationId}, what);
}

Result<void> PgTradeStore::recordHeartbeat(const Heartbeat &h)
{
    const QString what = QStringLiteral("cannot record the heartbeat of run %1")
                             .arg(h.liveRunId.toString(QUuid::WithoutBraces));
    if (h.liveRunId.isNull())
        return makeError(QStringLiteral("%1: it names no run").arg(what));
    if (!finite(h.loopMs))
        return makeError(QStringLiteral("%1: loop time %2 ms is not a finite number").arg(what).arg(h.loopMs));
    auto inserted = m_db.execPrepared(
        QStringLiteral("INSERT INTO heartbeats (live_run_id, at, signals_received, intents_sent, intents_succeeded, "
                       "intents_failed, trades, errors, loop_ms, last_action_at) VALUES (?::uuid, coalesce(%1, "
                       "clock_timestamp()), ?, ?, ?, ?, ?, ?, ?, %1) RETURNING %2").arg(at(), QLatin1String(kNoFlushWait)),
        {uuidValue(h.liveRunId), h.atMs, h.signalsReceived, h.intentsSent, h.intentsSucceeded, h.intentsFailed,
         h.trades, h.errors, h.loopMs, h.lastActionAtMs});
    if (!inserted)
        return explained(m_db, what, inserted.error());
    return {};
}

Result<std::vector<Heartbeat>> PgTradeStore::heartbeats(const QUuid &liveRunId, int limit)
{
    const QString what = QStringLiteral("cannot list the heartbeats of run %1").arg(liveRunId.toString(QUuid::WithoutBraces));
    if (limit < 1)
        return makeError(QStringLiteral("%1: limit %2 is not >= 1").arg(what).arg(limit));
    auto q = m_db.execPrepared(QStringLiteral("SELECT %1 FROM heartbeats WHERE live_run_id = ?::uuid ORDER BY at DESC LIMIT ?")
                           .arg(kHeartbeatColumns),
                       {uuidValue(liveRunId), limit});
    if (!q)
        return explained(m_db, what, q.error());
    std::vector<Heartbeat> out;
    while (q->next())
        out.push_back(heartbeatFrom(*q));
    return out;
}

namespace {

// `error` of a statement on live_run_bars, with the fix when that table is missing (a schema older than 4).
Error barsExplained(const Database &db, const QString &what, const Error &error)
{
    if (db.lastFailure().sqlState == QLatin1String("42P01"))
        return makeError(QStringLiteral("%1: %2; the database has no live_run_bars table (schema 4): run 'botdesk-cli db "
                                        "migrate'").arg(what, error.message));
    return explained(db, what, error);
}

// A PostgreSQL array literal ("{1,2,3}") of one column of `bars`, each value written by `text`.
template <typename Text> QString arrayOf(const std::vector<RunBar> &bars, Text text)
{
    QString out;
    out.reserve(int(bars.size()) * 12 + 2);
    out += QLatin1Char('{');
    for (size_t i = 0; i < bars.size(); ++i) {
        if (i)
            out += QLatin1Char(',');
        out += text(bars[i]);
    }
    out += QLatin1Char('}');
    return out;
}

QString exact(double v) { return QString::number(v, 'g', 17); }

} // namespace

Result<void> PgTradeStore::recordRunBars(const QUuid &liveRunId, const std::vector<RunBar> &bars)
{
    const QString what = QStringLiteral("cannot record %1 bar(s) of run %2").arg(bars.size()).arg(liveRunId.toString(QUuid::WithoutBraces));
    if (liveRunId.isNull())
        return makeError(QStringLiteral("%1: it names no run").arg(what));
    if (bars.empty())
        return {};
    for (const RunBar &b : bars) {
        if (!finite(b.bar.open) || !finite(b.bar.high) || !finite(b.bar.low) || !finite(b.bar.close))
            return makeError(QStringLiteral("%1: the bar at %2 ms has a price that is not a finite number")
                                 .arg(what).arg(b.bar.timeMs));
    }
    auto inserted = m_db.execPrepared(
        QStringLiteral("INSERT INTO live_run_bars (live_run_id, bar_time, open, high, low, close, tick_volume, spread, "
                       "warmup) SELECT ?::uuid, timestamptz 'epoch' + b.t * interval '1 millisecond', b.o, b.h, b.l, "
                       "b.c, b.v, b.s, b.w FROM unnest(?::bigint[], ?::float8[], ?::float8[], ?::float8[], "
                       "?::float8[], ?::bigint[], ?::int[], ?::boolean[]) AS b(t, o, h, l, c, v, s, w) "
                       "ON CONFLICT (live_run_id, bar_time) DO NOTHING RETURNING %1").arg(QLatin1String(kNoFlushWait)),
        {uuidValue(liveRunId), arrayOf(bars, [](const RunBar &b) { return QString::number(b.bar.timeMs); }),
         arrayOf(bars, [](const RunBar &b) { return exact(b.bar.open); }),
         arrayOf(bars, [](const RunBar &b) { return exact(b.bar.high); }),
         arrayOf(bars, [](const RunBar &b) { return exact(b.bar.low); }),
         arrayOf(bars, [](const RunBar &b) { return exact(b.bar.close); }),
         arrayOf(bars, [](const RunBar &b) { return QString::number(b.bar.tickVolume); }),
         arrayOf(bars, [](const RunBar &b) { return QString::number(b.bar.spreadPoints); }),
         arrayOf(bars, [](const RunBar &b) { return b.warmup ? QStringLiteral("t") : QStringLiteral("f"); })});
    if (!inserted)
        return barsExplained(m_db, what, inserted.error());
    return {};
}

Result<std::vector<RunBar>> PgTradeStore::runBars(const QUuid &liveRunId)
{
    const QString what = QStringLiteral("cannot read the bars of run %1").arg(liveRunId.toString(QUuid::WithoutBraces));
    auto q = m_db.execPrepared(QStringLiteral("SELECT %1, open, high, low, close, tick_volume, spread, warmup FROM live_run_bars "
                                      "WHERE live_run_id = ?::uuid ORDER BY bar_time")
                           .arg(ms(QStringLiteral("bar_time"))),
                       {uuidValue(liveRunId)});
    if (!q)
        return barsExplained(m_db, what, q.error());
    std::vector<RunBar> out;
    while (q->next()) {
        RunBar b;
        b.bar.timeMs = q->value(0).toLongLong();
        b.bar.open = q->value(1).toDouble();
        b.bar.high = q->value(2).toDouble();
        b.bar.low = q->value(3).toDouble();
        b.bar.close = q->value(4).toDouble();
        b.bar.tickVolume = quint32(std::clamp<qint64>(q->value(5).toLongLong(), 0, 0xffffffffLL));
        b.bar.spreadPoints = q->value(6).toInt();
        b.warmup = q->value(7).toBool();
        out.push_back(b);
    }
    return out;
}

Result<std::vector<RunActivity>> PgTradeStore::runActivity(qint64 sinceMs)
{
    const QString what = QStringLiteral("cannot read the live runs' activity");
    // One row per run; the heartbeat columns are NULL for a run that has written none (h.at IS NULL).
    auto q = m_db.execPrepared(
        QStringLiteral("SELECT r.id, coalesce(t.profit, 0), coalesce(t.open, 0), coalesce(t.n, 0), coalesce(t.since, 0), "
                       "%1, h.signals_received, h.intents_sent, h.intents_succeeded, h.intents_failed, h.trades, "
                       "h.errors, h.loop_ms, %2 "
                       "FROM live_runs r "
                       "LEFT JOIN (SELECT live_run_id, sum(profit + commission + swap) AS profit, "
                       "count(*) FILTER (WHERE close_time IS NULL) AS open, count(*) AS n, "
                       "count(*) FILTER (WHERE open_time >= coalesce(%3, '-infinity'::timestamptz)) AS since "
                       "FROM live_trades WHERE live_run_id IS NOT NULL GROUP BY live_run_id) t ON t.live_run_id = r.id "
                       "LEFT JOIN LATERAL (SELECT * FROM heartbeats hb WHERE hb.live_run_id = r.id "
                       "ORDER BY hb.at DESC LIMIT 1) h ON true")
            .arg(ms(QStringLiteral("h.at")), ms(QStringLiteral("h.last_action_at")), at()),
        {sinceMs});
    if (!q)
        return explained(m_db, what, q.error());
    std::vector<RunActivity> out;
    while (q->next()) {
        RunActivity a;
        a.liveRunId = uuidOf(q->value(0));
        a.realisedProfit = q->value(1).toDouble();
        a.openPositions = q->value(2).toInt();
        a.trades = q->value(3).toInt();
        a.tradesSince = q->value(4).toInt();
        if (!q->value(5).isNull()) {
            Heartbeat h;
            h.liveRunId = a.liveRunId;
            h.atMs = q->value(5).toLongLong();
            h.signalsReceived = q->value(6).toLongLong();
            h.intentsSent = q->value(7).toLongLong();
            h.intentsSucceeded = q->value(8).toLongLong();
            h.intentsFailed = q->value(9).toLongLong();
            h.trades = q->value(10).toLongLong();
            h.errors = q->value(11).toLongLong();
            h.loopMs = q->value(12).toDouble();
            h.lastActionAtMs = q->value(13).toLongLong();
            a.lastHeartbeat = h;
        }
        out.push_back(a);
    }
    return out;
}

} // namespace bd
