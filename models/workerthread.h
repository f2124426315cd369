#pragma once
// Ending the thread of a model's worker (a QObject on its own QThread with its own database connection) when its
// owner on the GUI thread is destroyed, without freezing the window behind a slow database call.

class QThread;

namespace bd {

// Asks `thread` to quit and waits up to `waitMs` ms. Ended: deletes the thread and returns true (the caller may now
// delete its worker). Still inside a call: logs `busy` as a warning on the named spdlog logger, lets the thread
// delete itself when that call returns, and returns false (the worker must be left alone).
bool retireWorkerThread(QThread *thread, int waitMs, const char *logger, const char *busy);

} // namespace bd
