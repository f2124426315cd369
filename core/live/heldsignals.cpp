#include "heldsignals.h"

#include "displaytext.h"

#include <QDateTime>
#include <QHash>
#include <QStringList>

#include <algorithm>

namespace bd {

namespace {

QString signalOf(const LiveEvent &e) { return e.payload.value(QLatin1String("signal_id")).toString(); }

QString utcText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd hh:mm:ss")) +
           QStringLiteral(" UTC");
}

// The first answer (approved, rejected, expired) recorded for each signal.
QHash<QString, const LiveEvent *> answers(const std::vector<LiveEvent> &events)
{
    QHash<QString, const LiveEvent *> first;
    for (const LiveEvent &e : events) {
        if (e.type != QLatin1String("SignalApproved") && e.type != QLatin1String("SignalRejected")
            && e.type != QLatin1String("SignalExpired"))
            continue;
        const QString id = signalOf(e);
        const auto it = first.constFind(id);
        if (it == first.constEnd() || it.value()->id > e.id)
            first.insert(id, &e);
    }
    return first;
}

} // namespace

std::vector<HeldSignalView> heldSignals(const std::vector<LiveEvent> &events, qint64 nowMs)
{
    const QHash<QString, const LiveEvent *> answered = answers(events);
    std::vector<HeldSignalView> held;
    for (const LiveEvent &e : events) {
        if (e.type != QLatin1String("SignalReceived") || !e.payload.contains(QLatin1String("expires_at")))
            continue;
        HeldSignalView v;
        v.signalId = signalOf(e);
        v.barTimeMs = qint64(e.payload.value(QLatin1String("bar_time")).toDouble());
        v.receivedAtMs = e.atMs;
        v.expiresAtMs = qint64(e.payload.value(QLatin1String("expires_at")).toDouble());
        v.message = e.message;
        if (v.signalId.isEmpty() || answered.contains(v.signalId) || v.expiresAtMs <= nowMs)
            continue;
        held.push_back(std::move(v));
    }
    std::sort(held.begin(), held.end(),
              [](const HeldSignalView &a, const HeldSignalView &b) { return a.receivedAtMs < b.receivedAtMs; });
    return held;
}

QString whySignalNotHeld(const std::vector<LiveEvent> &events, const QString &signalId, qint64 nowMs)
{
    const QHash<QString, const LiveEvent *> answered = answers(events);
    if (const LiveEvent *answer = answered.value(signalId)) {
        const QString how = answer->type == QLatin1String("SignalApproved")   ? QStringLiteral("it was approved")
                            : answer->type == QLatin1String("SignalRejected") ? QStringLiteral("it was rejected")
                                                                              : QStringLiteral("it expired");
        return QStringLiteral("%1 at %2").arg(how, utcText(answer->atMs));
    }
    for (const LiveEvent &e : events) {
        if (e.type != QLatin1String("SignalReceived") || signalOf(e) != signalId)
            continue;
        if (!e.payload.contains(QLatin1String("expires_at")))
            return QStringLiteral("the run was in AUTO mode: it was never held");
        const qint64 expires = qint64(e.payload.value(QLatin1String("expires_at")).toDouble());
        if (expires <= nowMs)
            return QStringLiteral("it expired at %1").arg(utcText(expires));
        return {};
    }
    QStringList ids;
    for (const HeldSignalView &v : heldSignals(events, nowMs))
        ids << v.signalId;
    return QStringLiteral("the run has no signal '%1'; held now: %2")
        .arg(signalId.left(80), ids.isEmpty() ? QStringLiteral("none") : ids.join(QStringLiteral(", ")));
}

Result<std::vector<LiveEvent>> signalEventsOf(TradeStore &trades, const QUuid &runId)
{
    std::vector<LiveEvent> all;
    for (const char *type : {"SignalReceived", "SignalApproved", "SignalRejected", "SignalExpired"}) {
        Result<std::vector<LiveEvent>> some = trades.events(runId, 0, 1'000'000, QString::fromLatin1(type));
        if (!some)
            return some.error();
        all.insert(all.end(), some.value().begin(), some.value().end());
    }
    return all;
}

Result<void> answerHeldSignal(LiveRunStore &runs, TradeStore &trades, const QUuid &runId, const QString &signalId,
                              SignalAnswer answer, qint64 nowMs)
{
    const QString shortId = runId.toString(QUuid::WithoutBraces).left(8);
    Result<LiveRunRecord> run = runs.run(runId);
    if (!run)
        return run.error();
    if (run.value().spec.approval != ApprovalMode::Approve)
        return Error{QStringLiteral("live run %1 is in AUTO mode: its signals are sent without approval").arg(shortId)};
    Result<std::vector<LiveEvent>> events = signalEventsOf(trades, runId);
    if (!events)
        return events.error();
    if (const QString why = whySignalNotHeld(events.value(), signalId, nowMs); !why.isEmpty())
        return Error{QStringLiteral("signal '%1' of live run %2: %3").arg(escapeForDisplay(signalId), shortId, why)};
    return runs.decideSignal(runId, signalId, answer);
}

} // namespace bd
