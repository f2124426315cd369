#include "liverun.h"

#include "timeframe.h"

#include <QStringList>

#include <array>
#include <cmath>

namespace bd {

// The status after `event` in `from`, or nothing when not allowed (the table behind nextStatus).
static std::optional<LiveRunStatus> transitionOf(LiveRunStatus from, LiveRunEvent event);

namespace {

template<typename E, size_t N>
std::optional<E> fromName(QStringView name, const std::array<E, N> &all, const char *(*nameOf)(E))
{
    for (E e : all) {
        if (name == QLatin1String(nameOf(e)))
            return e;
    }
    return std::nullopt;
}

constexpr std::array kDecisionModes{DecisionMode::Bar, DecisionMode::Tick};
constexpr std::array kApprovalModes{ApprovalMode::Auto, ApprovalMode::Approve};
constexpr std::array kStatuses{LiveRunStatus::Pending, LiveRunStatus::Running, LiveRunStatus::Stopping,
                               LiveRunStatus::Stopped, LiveRunStatus::Error,   LiveRunStatus::Halted};
constexpr std::array kDesiredStates{DesiredState::Running, DesiredState::Stopped, DesiredState::StopAndClose};
constexpr std::array kEvents{LiveRunEvent::Start, LiveRunEvent::Stop, LiveRunEvent::Stopped, LiveRunEvent::Halt,
                             LiveRunEvent::Resume, LiveRunEvent::Fail, LiveRunEvent::Restart};

// The events allowed from `s`, for the error message.
QStringList allowedFrom(LiveRunStatus s)
{
    QStringList out;
    for (LiveRunEvent e : kEvents) {
        if (transitionOf(s, e))
            out << QString::fromLatin1(liveRunEventName(e));
    }
    return out;
}

} // namespace

const char *decisionModeName(DecisionMode m) { return m == DecisionMode::Bar ? "BAR" : "TICK"; }
const char *approvalModeName(ApprovalMode m) { return m == ApprovalMode::Auto ? "AUTO" : "APPROVE"; }

const char *liveRunStatusName(LiveRunStatus s)
{
    switch (s) {
    case LiveRunStatus::Pending: return "PENDING";
    case LiveRunStatus::Running: return "RUNNING";
    case LiveRunStatus::Stopping: return "STOPPING";
    case LiveRunStatus::Stopped: return "STOPPED";
    case LiveRunStatus::Error: return "ERROR";
    case LiveRunStatus::Halted: return "HALTED";
    }
    return "UNKNOWN";
}

const char *desiredStateName(DesiredState s)
{
    switch (s) {
    case DesiredState::Running: return "RUNNING";
    case DesiredState::Stopped: return "STOPPED";
    case DesiredState::StopAndClose: return "STOP_AND_CLOSE";
    }
    return "UNKNOWN";
}

const char *liveRunEventName(LiveRunEvent e)
{
    switch (e) {
    case LiveRunEvent::Start: return "Start";
    case LiveRunEvent::Stop: return "Stop";
    case LiveRunEvent::Stopped: return "Stopped";
    case LiveRunEvent::Halt: return "Halt";
    case LiveRunEvent::Resume: return "Resume";
    case LiveRunEvent::Fail: return "Fail";
    case LiveRunEvent::Restart: return "Restart";
    }
    return "Unknown";
}

std::optional<DecisionMode> decisionModeFromName(QStringView name) { return fromName(name, kDecisionModes, decisionModeName); }
std::optional<ApprovalMode> approvalModeFromName(QStringView name) { return fromName(name, kApprovalModes, approvalModeName); }
std::optional<LiveRunStatus> liveRunStatusFromName(QStringView name) { return fromName(name, kStatuses, liveRunStatusName); }
std::optional<DesiredState> desiredStateFromName(QStringView name) { return fromName(name, kDesiredStates, desiredStateName); }

static std::optional<LiveRunStatus> transitionOf(LiveRunStatus from, LiveRunEvent event)
{
    using S = LiveRunStatus;
    using E = LiveRunEvent;
    std::optional<S> to;
    switch (event) {
    case E::Start:
        if (from == S::Pending)
            to = S::Running;
        break;
    case E::Stop:
        if (from == S::Running)
            to = S::Stopping;
        else if (from == S::Pending || from == S::Halted)
            to = S::Stopped;
        break;
    case E::Stopped:
        if (from == S::Stopping)
            to = S::Stopped;
        break;
    case E::Halt:
        if (from == S::Running)
            to = S::Halted;
        break;
    case E::Resume:
        if (from == S::Halted)
            to = S::Running;
        break;
    case E::Fail:
        if (from == S::Pending || from == S::Running || from == S::Stopping || from == S::Halted)
            to = S::Error;
        break;
    case E::Restart:
        if (from == S::Stopped || from == S::Error)
            to = S::Pending;
        break;
    }
    return to;
}

Result<LiveRunStatus> nextStatus(LiveRunStatus from, LiveRunEvent event)
{
    const std::optional<LiveRunStatus> to = transitionOf(from, event);
    if (to)
        return *to;
    const QStringList allowed = allowedFrom(from);
    return Error{
        QStringLiteral("a %1 run cannot %2; from %1 it can %3")
            .arg(QLatin1String(liveRunStatusName(from)), QLatin1String(liveRunEventName(event)),
                 allowed.isEmpty() ? QStringLiteral("do nothing") : allowed.join(QStringLiteral(" or ")))};
}

Result<void> validateLiveRunSpec(const LiveRunSpec &spec)
{
    const auto fail = [](const QString &m) { return Result<void>(Error{m}); };
    if (spec.id.isNull())
        return fail(QStringLiteral("the run has no id; create it with QUuid::createUuid()"));
    if (spec.botVersionId.isNull())
        return fail(QStringLiteral("the run names no bot version; give --bot NAME@HASH"));
    if (spec.account.trimmed().isEmpty())
        return fail(QStringLiteral("the run names no account; give --account NAME (botdesk-cli accounts list)"));
    if (spec.symbol.trimmed().isEmpty() || spec.symbol.contains(QLatin1Char('\n')))
        return fail(QStringLiteral("symbol '%1' is not a symbol name; give e.g. EURUSD").arg(spec.symbol));
    if (!timeframeSeconds(spec.timeframe))
        return fail(QStringLiteral("timeframe '%1' is not one of %2").arg(spec.timeframe, timeframeNames().join(QStringLiteral(", "))));
    if (spec.approvalTimeoutMs < 1000 || spec.approvalTimeoutMs > 3'600'000)
        return fail(QStringLiteral("approval timeout %1 ms is out of range; give 1 s to 1 h").arg(spec.approvalTimeoutMs));
    const Guardrails &g = spec.guardrails;
    const auto percent = [&](double v, const char *name) -> std::optional<QString> {
        if (!std::isfinite(v) || v < 0.0 || v > 100.0)
            return QStringLiteral("%1 %2 is out of range; give a percentage from 0 (off) to 100")
                .arg(QLatin1String(name))
                .arg(v);
        return std::nullopt;
    };
    for (const auto &[v, name] : {std::pair{g.dailyLossPercent, "daily loss limit"},
                                  std::pair{g.drawdownCapPercent, "drawdown cap"},
                                  std::pair{g.maxRiskPercent, "max risk per trade"}}) {
        if (auto m = percent(v, name))
            return fail(*m);
    }
    if (g.maxOpenPerSymbol < 0 || g.maxOpenPerAccountSymbol < 0)
        return fail(QStringLiteral("max open positions per symbol must be 0 (no limit) or more"));
    if (g.cooldownMs < 0)
        return fail(QStringLiteral("cooldown %1 ms is negative; give 0 (none) or more").arg(g.cooldownMs));
    return {};
}

} // namespace bd
