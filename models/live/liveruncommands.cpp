#include "liveruncommands.h"

namespace bd {

const char *liveRunCommandName(LiveRunCommand c)
{
    switch (c) {
    case LiveRunCommand::Stop: return "Stop";
    case LiveRunCommand::StopAndClose: return "Stop and close";
    case LiveRunCommand::Resume: return "Resume";
    }
    return "?";
}

Result<LiveRunRecord> applyLiveRunCommand(LiveRunStore &runs, const QUuid &runId, LiveRunCommand command)
{
    if (command == LiveRunCommand::Stop)
        return runs.setDesiredState(runId, DesiredState::Stopped);
    if (command == LiveRunCommand::StopAndClose)
        return runs.setDesiredState(runId, DesiredState::StopAndClose);
    Result<LiveRunRecord> run = runs.run(runId);
    if (!run)
        return run.error();
    if (run.value().status != LiveRunStatus::Halted)
        return makeError(QStringLiteral("live run %1 is %2, not HALTED: nothing to resume")
                             .arg(runId.toString(QUuid::WithoutBraces).left(8),
                                  QLatin1String(liveRunStatusName(run.value().status))));
    return runs.applyStatusEvent(runId, LiveRunEvent::Resume, QStringLiteral("resumed by the trader"));
}

} // namespace bd
