#include "pgliverunstore.h"

#include "pglivesql.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QUrl>

#include <algorithm>

namespace bd {

using namespace pglive;

namespace {

const QString kAccountColumns = QStringLiteral("name, bridge_url, token_env, token_key, magic, server_utc_offset_min, "
                                               "dst_rule, %1").arg(ms(QStringLiteral("created_at")));

const QString kRunColumns =
    QStringLiteral("r.id, r.bot_version_id, r.bot_name, r.code_hash, r.account, r.symbol, r.timeframe, r.decision_mode, "
                   "r.approval_mode, r.approval_timeout_ms, r.guardrails::text, r.desired_state, r.status, r.last_error, "
                   "r.host_id, %1, r.starting_equity, %2, %3, %4, %5, "
                   "(SELECT %6 FROM heartbeats h WHERE h.live_run_id = r.id ORDER BY h.at DESC LIMIT 1)")
        .arg(ms(QStringLiteral("r.lease_until")), ms(QStringLiteral("r.created_at")), ms(QStringLiteral("r.started_at")),
             ms(QStringLiteral("r.stopped_at")), ms(QStringLiteral("r.updated_at")), ms(QStringLiteral("h.at")));

QString runName(const QUuid &id)
{
    return QStringLiteral("run %1").arg(id.toString(QUuid::WithoutBraces));
}

QJsonObject guardrailsJson(const Guardrails &g)
{
    return QJsonObject{{QStringLiteral("daily_loss_percent"), g.dailyLossPercent},
                       {QStringLiteral("drawdown_cap_percent"), g.drawdownCapPercent},
                       {QStringLiteral("max_open_per_symbol"), g.maxOpenPerSymbol},
                       {QStringLiteral("max_open_per_account_symbol"), g.maxOpenPerAccountSymbol},
                       {QStringLiteral("cooldown_ms"), double(g.cooldownMs)},
                       {QStringLiteral("max_risk_percent"), g.maxRiskPercent},
                       {QStringLiteral("margin_check"), g.marginCheck}};
}

// The stored guardrails; a field missing (an older writer) keeps Guardrails' default.
Guardrails guardrailsOf(const QJsonObject &o)
{
    Guardrails g;
    g.dailyLossPercent = o.value(QStringLiteral("daily_loss_percent")).toDouble(g.dailyLossPercent);
    g.drawdownCapPercent = o.value(QStringLiteral("drawdown_cap_percent")).toDouble(g.drawdownCapPercent);
    g.maxOpenPerSymbol = o.value(QStringLiteral("max_open_per_symbol")).toInt(g.maxOpenPerSymbol);
    g.maxOpenPerAccountSymbol = o.value(QStringLiteral("max_open_per_account_symbol")).toInt(g.maxOpenPerAccountSymbol);
    g.cooldownMs = qint64(o.value(QStringLiteral("cooldown_ms")).toDouble(double(g.cooldownMs)));
    g.maxRiskPercent = o.value(QStringLiteral("max_risk_percent")).toDouble(g.maxRiskPercent);
    g.marginCheck = o.value(QStringLiteral("margin_check")).toBool(g.marginCheck);
    return g;
}

LiveAccount accountFrom(const QSqlQuery &q)
{
    LiveAccount a;
    a.name = q.value(0).toString();
    a.bridgeUrl = q.value(1).toString();
    a.tokenEnv = q.value(2).toString();
    a.tokenKey = q.value(3).toString();
    a.magic = q.value(4).toLongLong();
    a.serverUtcOffsetMin = q.value(5).toInt();
    a.dstRule = q.value(6).toString();
    a.createdAtMs = q.value(7).toLongLong();
    return a;
}

LiveRunRecord runFrom(const QSqlQuery &q)
{
    LiveRunRecord r;
    r.spec.id = uuidOf(q.value(0));
    r.spec.botVersionId = uuidOf(q.value(1));
    r.spec.botName = q.value(2).toString();
    r.spec.codeHash = q.value(3).toString();
    r.spec.account = q.value(4).toString();
    r.spec.symbol = q.value(5).toString();
    r.spec.timeframe = q.value(6).toString();
    r.spec.decision = decisionModeFromName(q.value(7).toString()).value_or(DecisionMode::Bar);
    r.spec.approval = approvalModeFromName(q.value(8).toString()).value_or(ApprovalMode::Auto);
    r.spec.approvalTimeoutMs = q.value(9).toLongLong();
    r.spec.guardrails = guardrailsOf(QJsonDocument::fromJson(q.value(10).toString().toUtf8()).object());
    r.desired = desiredStateFromName(q.value(11).toString()).value_or(DesiredState::Stopped);
    r.status = liveRunStatusFromName(q.value(12).toString()).value_or(LiveRunStatus::Error);
    r.lastError = q.value(13).toString();
    r.hostId = q.value(14).toString();
    r.leaseUntilMs = q.value(15).toLongLong();
    if (!q.value(16).isNull())
        r.startingEquity = q.value(16).toDouble();
    r.createdAtMs = q.value(17).toLongLong();
    r.startedAtMs = q.value(18).toLongLong();
    r.stoppedAtMs = q.value(19).toLongLong();
    r.updatedAtMs = q.value(20).toLongLong();
    r.lastHeartbeatAtMs = q.value(21).toLongLong();
    return r;
}

} // namespace

Result<void> validateLiveAccount(const LiveAccount &a)
{
    static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$"));
    static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]{0,127}$"));
    if (!name.match(a.name).hasMatch())
        return makeError(QStringLiteral("'%1' is not an account name; use 1 to 64 letters, digits, '_', '.', '@' or "
                                        "'-', starting with a letter or digit (e.g. icm-demo)").arg(a.name.left(80)));
    const QUrl url(a.bridgeUrl, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != QLatin1String("ws") && url.scheme() != QLatin1String("wss"))
        || url.host().isEmpty())
        return makeError(QStringLiteral("account '%1': bridge URL '%2' is not a WebSocket URL; give ws://host:port or "
                                        "wss://host:port (e.g. ws://127.0.0.1:8765)").arg(a.name, a.bridgeUrl.left(200)));
    if (a.tokenEnv.isEmpty() == a.tokenKey.isEmpty())
        return makeError(QStringLiteral("account '%1': give exactly one of a token environment variable (e.g. "
                                        "BOTDESK_MT5_TOKEN) or a keychain entry; the token itself is never stored")
                             .arg(a.name));
    if (!a.tokenEnv.isEmpty() && !envName.match(a.tokenEnv).hasMatch())
        return makeError(QStringLiteral("account '%1': '%2' is not an environment variable name; use letters, digits "
                                        "and '_' (e.g. BOTDESK_MT5_TOKEN)").arg(a.name, a.tokenEnv.left(80)));
    if (a.magic <= 0)
        return makeError(QStringLiteral("account '%1': magic %2 is not > 0; give the ORDER_MAGIC BotDesk's orders carry "
                                        "(e.g. 900001)").arg(a.name).arg(a.magic));
    if (a.serverUtcOffsetMin < -720 || a.serverUtcOffsetMin > 840)
        return makeError(QStringLiteral("account '%1': server UTC offset %2 minutes is outside -720..840 (UTC-12..UTC+14)")
                             .arg(a.name).arg(a.serverUtcOffsetMin));
    if (!a.dstRule.isEmpty() && a.dstRule != QLatin1String("EET"))
        return makeError(QStringLiteral("account '%1': DST rule '%2' is not '' (none) or 'EET'").arg(a.name, a.dstRule.left(80)));
    return {};
}

// --- accounts ----------------------------------------------------------------------------------------------------

Result<void> PgLiveRunStore::addAccount(const LiveAccount &a)
{
    if (auto valid = validateLiveAccount(a); !valid)
        return valid.error();
    const QString what = QStringLiteral("cannot add account '%1'").arg(a.name);
    auto inserted = m_db.exec(QStringLiteral("INSERT INTO accounts (name, bridge_url, token_env, token_key, magic, "
                                             "server_utc_offset_min, dst_rule) VALUES (?, ?, ?, ?, ?, ?, ?) "
                                             "ON CONFLICT (owner, name) DO NOTHING RETURNING 1"),
                              {a.name, a.bridgeUrl, textValue(a.tokenEnv), textValue(a.tokenKey), a.magic,
                               a.serverUtcOffsetMin, textValue(a.dstRule)});
    if (!inserted)
        return explained(m_db, what, inserted.error());
    if (!inserted->next())
        return makeError(QStringLiteral("account '%1' exists; choose another name or remove it").arg(a.name));
    return {};
}

Result<std::vector<LiveAccount>> PgLiveRunStore::accounts()
{
    auto q = m_db.exec(QStringLiteral("SELECT %1 FROM accounts ORDER BY name, owner").arg(kAccountColumns));
    if (!q)
        return explained(m_db, QStringLiteral("cannot list the accounts"), q.error());
    std::vector<LiveAccount> out;
    while (q->next())
        out.push_back(accountFrom(*q));
    return out;
}

Error PgLiveRunStore::unknownAccount(const QString &what, const QString &name)
{
    auto known = accounts();
    QStringList names;
    if (known) {
        for (const LiveAccount &a : *known)
            names << QLatin1Char('\'') + a.name + QLatin1Char('\'');
    }
    if (names.isEmpty())
        return makeError(QStringLiteral("%1: there is no account '%2' (none yet); add one with 'botdesk-cli accounts "
                                        "add'").arg(what, name.left(80)));
    return makeError(QStringLiteral("%1: there is no account '%2'; the accounts are %3")
                         .arg(what, name.left(80), names.join(QStringLiteral(", "))));
}

Result<LiveAccount> PgLiveRunStore::account(const QString &name)
{
    const QString what = QStringLiteral("cannot read account '%1'").arg(name.left(80));
    auto q = m_db.exec(QStringLiteral("SELECT %1 FROM accounts WHERE owner = current_user AND name = ?")
                           .arg(kAccountColumns), {textValue(name)});
    if (!q)
        return explained(m_db, what, q.error());
    if (!q->next())
        return unknownAccount(what, name);
    return accountFrom(*q);
}

Result<void> PgLiveRunStore::removeAccount(const QString &name)
{
    const QString what = QStringLiteral("cannot remove account '%1'").arg(name.left(80));
    return m_db.transaction([&]() -> Result<void> {
        // Locked first: a run created on it meanwhile (createRun takes FOR SHARE) waits, or makes us wait.
        auto locked = m_db.exec(QStringLiteral("SELECT 1 FROM accounts WHERE owner = current_user AND name = ? FOR UPDATE"),
                                {textValue(name)});
        if (!locked)
            return explained(m_db, what, locked.error());
        if (!locked->next())
            return unknownAccount(what, name);
        auto active = m_db.exec(QStringLiteral("SELECT id, status FROM live_runs WHERE owner = current_user AND "
                                               "account = ? AND status NOT IN ('STOPPED', 'ERROR') ORDER BY created_at"),
                                {name});
        if (!active)
            return explained(m_db, what, active.error());
        QStringList runs;
        while (active->next())
            runs << QStringLiteral("%1 (%2)").arg(active->value(0).toString(), active->value(1).toString());
        if (!runs.isEmpty())
            return makeError(QStringLiteral("%1: %2 run(s) on it are not stopped: %3; stop them first")
                                 .arg(what).arg(runs.size()).arg(runs.join(QStringLiteral(", "))));
        auto removed = m_db.exec(QStringLiteral("DELETE FROM accounts WHERE owner = current_user AND name = ?"), {name});
        if (!removed)
            return explained(m_db, what, removed.error());
        return Result<void>();
    });
}

// --- runs --------------------------------------------------------------------------------------------------------

Result<std::vector<LiveRunRecord>> PgLiveRunStore::readRuns(const QString &sql, const QVariantList &values,
                                                            const QString &what)
{
    auto q = m_db.exec(sql, values);
    if (!q)
        return explained(m_db, what, q.error());
    std::vector<LiveRunRecord> out;
    while (q->next())
        out.push_back(runFrom(*q));
    return out;
}

Result<LiveRunRecord> PgLiveRunStore::readRun(const QUuid &id, const QString &what)
{
    auto found = readRuns(QStringLiteral("SELECT %1 FROM live_runs r WHERE r.id = ?::uuid").arg(kRunColumns),
                          {uuidValue(id)}, what);
    if (!found)
        return found.error();
    if (found->empty())
        return makeError(QStringLiteral("%1: there is no %2").arg(what, runName(id)));
    return found->front();
}

Result<LiveRunRecord> PgLiveRunStore::createRun(const LiveRunSpec &spec)
{
    const QString what = QStringLiteral("cannot create %1").arg(runName(spec.id));
    if (auto valid = validateLiveRunSpec(spec); !valid)
        return makeError(QStringLiteral("%1: %2").arg(what, valid.error().message));
    return m_db.transaction([&]() -> Result<LiveRunRecord> {
        auto account = m_db.exec(QStringLiteral("SELECT 1 FROM accounts WHERE owner = current_user AND name = ? "
                                                "FOR SHARE"), {spec.account});
        if (!account)
            return explained(m_db, what, account.error());
        if (!account->next())
            return unknownAccount(what, spec.account);
        auto version = m_db.scalar(QStringLiteral("SELECT count(*) FROM bot_versions WHERE id = ?::uuid"),
                                   {uuidValue(spec.botVersionId)});
        if (!version)
            return explained(m_db, what, version.error());
        if (version->toInt() == 0)
            return makeError(QStringLiteral("%1: there is no bot version %2; save the bot first (botdesk-cli bots)")
                                 .arg(what, spec.botVersionId.toString(QUuid::WithoutBraces)));
        auto inserted = m_db.exec(
            QStringLiteral("INSERT INTO live_runs (id, bot_version_id, bot_name, code_hash, account, symbol, timeframe, "
                           "decision_mode, approval_mode, approval_timeout_ms, guardrails) VALUES (?::uuid, ?::uuid, "
                           "?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (id) DO NOTHING RETURNING 1"),
            {uuidValue(spec.id), uuidValue(spec.botVersionId), textValue(spec.botName), textValue(spec.codeHash),
             spec.account, spec.symbol, spec.timeframe, QString::fromLatin1(decisionModeName(spec.decision)),
             QString::fromLatin1(approvalModeName(spec.approval)), spec.approvalTimeoutMs,
             QString::fromUtf8(QJsonDocument(guardrailsJson(spec.guardrails)).toJson(QJsonDocument::Compact))});
        if (!inserted)
            return explained(m_db, what, inserted.error());
        if (!inserted->next())
            return makeError(QStringLiteral("%1: a run with this id exists; give a new run QUuid::createUuid()").arg(what));
        return readRun(spec.id, what);
    });
}

Result<LiveRunRecord> PgLiveRunStore::run(const QUuid &id)
{
    return readRun(id, QStringLiteral("cannot read %1").arg(runName(id)));
}

Result<std::vector<LiveRunRecord>> PgLiveRunStore::runs(const QString &account)
{
    if (account.isEmpty())
        return readRuns(QStringLiteral("SELECT %1 FROM live_runs r ORDER BY r.created_at DESC, r.id").arg(kRunColumns),
                        {}, QStringLiteral("cannot list the live runs"));
    return readRuns(QStringLiteral("SELECT %1 FROM live_runs r WHERE r.account = ? ORDER BY r.created_at DESC, r.id")
                        .arg(kRunColumns),
                    {account}, QStringLiteral("cannot list the live runs of account '%1'").arg(account.left(80)));
}

Result<LiveRunRecord> PgLiveRunStore::setDesiredState(const QUuid &id, DesiredState desired)
{
    const QString what = QStringLiteral("cannot set %1 to %2").arg(runName(id), QLatin1String(desiredStateName(desired)));
    return m_db.transaction([&]() -> Result<LiveRunRecord> {
        auto current = m_db.exec(QStringLiteral("SELECT status FROM live_runs WHERE id = ?::uuid FOR UPDATE"),
                                 {uuidValue(id)});
        if (!current)
            return explained(m_db, what, current.error());
        if (!current->next())
            return makeError(QStringLiteral("%1: there is no %2").arg(what, runName(id)));
        const LiveRunStatus status = liveRunStatusFromName(current->value(0).toString()).value_or(LiveRunStatus::Error);
        QString sql = QStringLiteral("UPDATE live_runs SET desired_state = ?, updated_at = clock_timestamp()");
        QVariantList values{QString::fromLatin1(desiredStateName(desired))};
        if (desired == DesiredState::Running) {
            std::optional<LiveRunEvent> event;
            if (status == LiveRunStatus::Stopped || status == LiveRunStatus::Error)
                event = LiveRunEvent::Restart;
            else if (status == LiveRunStatus::Halted)
                event = LiveRunEvent::Resume;
            if (event) {
                auto next = nextStatus(status, *event);
                if (!next)
                    return makeError(QStringLiteral("%1: %2").arg(what, next.error().message));
                sql += QStringLiteral(", status = ?");
                values << QString::fromLatin1(liveRunStatusName(*next));
                if (*event == LiveRunEvent::Restart)
                    sql += QStringLiteral(", last_error = ''");
            }
        }
        sql += QStringLiteral(" WHERE id = ?::uuid");
        values << uuidValue(id);
        if (auto updated = m_db.exec(sql, values); !updated)
            return explained(m_db, what, updated.error());
        if (auto notified = m_db.exec(QStringLiteral("SELECT pg_notify('%1', ?)").arg(QLatin1String(kChannel)),
                                      {uuidValue(id)});
            !notified)
            return explained(m_db, what, notified.error());
        return readRun(id, what);
    });
}

Result<LiveRunRecord> PgLiveRunStore::applyStatusEvent(const QUuid &id, LiveRunEvent event, const QString &message)
{
    const QString what = QStringLiteral("cannot apply %1 to %2").arg(QLatin1String(liveRunEventName(event)), runName(id));
    return m_db.transaction([&]() -> Result<LiveRunRecord> {
        auto current = m_db.exec(QStringLiteral("SELECT status FROM live_runs WHERE id = ?::uuid FOR UPDATE"),
                                 {uuidValue(id)});
        if (!current)
            return explained(m_db, what, current.error());
        if (!current->next())
            return makeError(QStringLiteral("%1: there is no %2").arg(what, runName(id)));
        const auto from = liveRunStatusFromName(current->value(0).toString());
        if (!from)
            return makeError(QStringLiteral("%1: its stored status '%2' is unknown").arg(what, current->value(0).toString()));
        auto next = nextStatus(*from, event);
        if (!next)
            return makeError(QStringLiteral("%1: %2").arg(what, next.error().message));

        QString sql = QStringLiteral("UPDATE live_runs SET status = ?, updated_at = clock_timestamp()");
        QVariantList values{QString::fromLatin1(liveRunStatusName(*next))};
        if (event == LiveRunEvent::Fail || event == LiveRunEvent::Halt) {
            sql += QStringLiteral(", last_error = ?");
            values << textValue(message);
        } else if (event == LiveRunEvent::Start || event == LiveRunEvent::Restart) {
            sql += QStringLiteral(", last_error = ''");
        }
        if (event == LiveRunEvent::Start)
            sql += QStringLiteral(", started_at = clock_timestamp()");
        if (*next == LiveRunStatus::Stopped || *next == LiveRunStatus::Error)
            sql += QStringLiteral(", stopped_at = clock_timestamp()");
        sql += QStringLiteral(" WHERE id = ?::uuid");
        values << uuidValue(id);
        if (auto updated = m_db.exec(sql, values); !updated)
            return explained(m_db, what, updated.error());
        return readRun(id, what);
    });
}

Result<double> PgLiveRunStore::fixStartingEquity(const QUuid &id, double equity)
{
    const QString what = QStringLiteral("cannot fix the starting equity of %1").arg(runName(id));
    if (!finite(equity) || equity <= 0)
        return makeError(QStringLiteral("%1: equity %2 is not a finite amount > 0").arg(what).arg(equity));
    auto stored = m_db.exec(QStringLiteral("UPDATE live_runs SET starting_equity = coalesce(starting_equity, ?) "
                                           "WHERE id = ?::uuid RETURNING starting_equity"),
                            {equity, uuidValue(id)});
    if (!stored)
        return explained(m_db, what, stored.error());
    if (!stored->next())
        return makeError(QStringLiteral("%1: there is no %2").arg(what, runName(id)));
    return stored->value(0).toDouble();
}

// --- leases ------------------------------------------------------------------------------------------------------

Result<std::vector<LiveRunRecord>> PgLiveRunStore::claimRuns(const QString &hostId, qint64 leaseMs)
{
    const QString what = QStringLiteral("host '%1' cannot claim runs").arg(hostId.left(80));
    if (hostId.trimmed().isEmpty())
        return makeError(QStringLiteral("cannot claim runs: no host id given; use one per BotDesk process "
                                        "(e.g. hostname:pid)"));
    if (leaseMs <= 0)
        return makeError(QStringLiteral("%1: lease %2 ms is not > 0").arg(what).arg(leaseMs));
    auto claimed = readRuns(
        QStringLiteral("UPDATE live_runs r SET host_id = ?, lease_until = clock_timestamp() + ?::bigint * interval "
                       "'1 millisecond' WHERE (r.desired_state IN ('RUNNING', 'STOP_AND_CLOSE') OR r.status NOT IN "
                       "('STOPPED', 'ERROR')) AND (r.host_id = '' OR r.host_id = ? OR r.lease_until IS NULL OR "
                       "r.lease_until < clock_timestamp()) RETURNING %1").arg(kRunColumns),
        {hostId, leaseMs, hostId}, what);
    if (!claimed)
        return claimed.error();
    std::sort(claimed->begin(), claimed->end(), [](const LiveRunRecord &a, const LiveRunRecord &b) {
        return a.createdAtMs != b.createdAtMs ? a.createdAtMs < b.createdAtMs : a.spec.id < b.spec.id;
    });
    return claimed;
}

Result<void> PgLiveRunStore::releaseRun(const QUuid &id, const QString &hostId)
{
    const QString what = QStringLiteral("host '%1' cannot release %2").arg(hostId.left(80), runName(id));
    auto held = m_db.exec(QStringLiteral("WITH upd AS (UPDATE live_runs SET host_id = '', lease_until = NULL WHERE "
                                         "id = ?::uuid AND host_id = ? RETURNING 1) "
                                         "SELECT (SELECT count(*) FROM upd), (SELECT count(*) FROM live_runs WHERE "
                                         "id = ?::uuid)"),
                          {uuidValue(id), hostId, uuidValue(id)});
    if (!held)
        return explained(m_db, what, held.error());
    if (!held->next() || held->value(1).toInt() == 0)
        return makeError(QStringLiteral("%1: there is no such run").arg(what));
    return {};
}

Result<void> PgLiveRunStore::decideSignal(const QUuid &runId, const QString &signalId, SignalAnswer answer)
{
    const QString verb = answer == SignalAnswer::Approve ? QStringLiteral("approve") : QStringLiteral("reject");
    const QString what = QStringLiteral("cannot %1 signal '%2' of %3").arg(verb, signalId.left(80), runName(runId));
    if (signalId.isEmpty() || signalId.size() > 200)
        return makeError(QStringLiteral("%1: give the signal id of its SignalReceived event (live events)").arg(what));
    auto inserted = m_db.exec(QStringLiteral("INSERT INTO signal_decisions (live_run_id, signal_id, decision) "
                                             "SELECT id, ?, ? FROM live_runs WHERE id = ?::uuid "
                                             "ON CONFLICT DO NOTHING RETURNING 1"),
                              {signalId, answer == SignalAnswer::Approve ? QStringLiteral("APPROVE")
                                                                         : QStringLiteral("REJECT"),
                               uuidValue(runId)});
    if (!inserted)
        return explained(m_db, what, inserted.error());
    if (inserted->next())
        return {};
    auto first = m_db.exec(QStringLiteral("SELECT decision, %1 FROM signal_decisions WHERE live_run_id = ?::uuid "
                                          "AND signal_id = ?").arg(ms(QStringLiteral("decided_at"))),
                           {uuidValue(runId), signalId});
    if (!first)
        return explained(m_db, what, first.error());
    if (!first->next())
        return makeError(QStringLiteral("%1: there is no such run").arg(what));
    return makeError(QStringLiteral("%1: it was already %2 at %3 UTC")
                         .arg(what,
                              first->value(0).toString() == QLatin1String("APPROVE") ? QStringLiteral("approved")
                                                                                      : QStringLiteral("rejected"),
                              QDateTime::fromMSecsSinceEpoch(first->value(1).toLongLong(), Qt::UTC)
                                  .toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"))));
}

Result<std::vector<SignalDecision>> PgLiveRunStore::takeSignalDecisions(const QString &hostId)
{
    const QString what = QStringLiteral("host '%1' cannot read the answers to held signals").arg(hostId.left(80));
    auto taken = m_db.exec(QStringLiteral("UPDATE signal_decisions d SET taken_at = clock_timestamp(), taken_by = ? "
                                          "FROM live_runs r WHERE r.id = d.live_run_id AND r.host_id = ? "
                                          "AND d.taken_at IS NULL "
                                          "RETURNING d.live_run_id::text, d.signal_id, d.decision, %1")
                               .arg(ms(QStringLiteral("d.decided_at"))),
                           {hostId, hostId});
    if (!taken)
        return explained(m_db, what, taken.error());
    std::vector<SignalDecision> decisions;
    while (taken->next()) {
        SignalDecision d;
        d.liveRunId = QUuid::fromString(taken->value(0).toString());
        d.signalId = taken->value(1).toString();
        d.answer = taken->value(2).toString() == QLatin1String("APPROVE") ? SignalAnswer::Approve : SignalAnswer::Reject;
        d.decidedAtMs = taken->value(3).toLongLong();
        decisions.push_back(std::move(d));
    }
    std::sort(decisions.begin(), decisions.end(),
              [](const SignalDecision &a, const SignalDecision &b) { return a.decidedAtMs < b.decidedAtMs; });
    return decisions;
}

} // namespace bd
