#pragma once
// The trader's commands on a live run, through the LiveRunStore port: what `botdesk-cli live stop [--close]` and
// `live resume` write (app/livecommand.cpp), for the Live page. A host (this desktop, `live serve`, another
// machine's desktop) drives the run towards them.

#include "liverunstore.h"
#include "result.h"

#include <QUuid>

namespace bd {

enum class LiveRunCommand { Stop, StopAndClose, Resume };
const char *liveRunCommandName(LiveRunCommand c);  // "Stop", "Stop and close", "Resume"

// Stop / StopAndClose: the desired state STOPPED / STOP_AND_CLOSE (setDesiredState). Resume: only a HALTED run, moved
// to RUNNING with "resumed by the trader" (applyStatusEvent Resume); any other status is an error naming it
// ("live run 1a2b3c4d is RUNNING, not HALTED: nothing to resume"). Returns the run as stored afterwards.
Result<LiveRunRecord> applyLiveRunCommand(LiveRunStore &runs, const QUuid &runId, LiveRunCommand command);

} // namespace bd
