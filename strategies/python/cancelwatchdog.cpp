#include "cancelwatchdog.h"

#include "botdeskmodule.h"

#include <Python.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace bd::pyhost {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(20);

struct Watchdog {
    std::mutex mutex;
    std::condition_variable wake;
    std::vector<std::shared_ptr<WatchedCall>> calls;
    bool threadStarted = false;

    void run()
    {
        std::vector<std::shared_ptr<WatchedCall>> due;
        for (;;) {
            {
                std::unique_lock lock(mutex);
                if (calls.empty())
                    wake.wait(lock, [this] { return !calls.empty(); });
                else
                    wake.wait_for(lock, kPollInterval);
                due.clear();
                for (const auto &call : calls) {
                    if (call->cancel && call->cancel->load(std::memory_order_relaxed) && !call->interrupted.load())
                        due.push_back(call);
                }
            }
            // The GIL is taken without the mutex held: a strategy thread holding the GIL may be (un)watching.
            for (const auto &call : due)
                interrupt(*call);
        }
    }

    static void interrupt(WatchedCall &call)
    {
        const PyGILState_STATE gil = PyGILState_Ensure();
        if (call.inPython && call.threadId != 0) {
            PyThreadState_SetAsyncExc(call.threadId, cancelledException());
            call.interrupted = true;
        }
        PyGILState_Release(gil);
    }
};

Watchdog &watchdog()
{
    static Watchdog *const instance = new Watchdog;  // never destroyed: its thread runs until the process ends
    return *instance;
}

} // namespace

void watch(const std::shared_ptr<WatchedCall> &call)
{
    Watchdog &w = watchdog();
    std::lock_guard lock(w.mutex);
    w.calls.push_back(call);
    if (!w.threadStarted) {
        w.threadStarted = true;
        std::thread([&w] { w.run(); }).detach();
    }
    w.wake.notify_one();
}

void unwatch(const std::shared_ptr<WatchedCall> &call)
{
    Watchdog &w = watchdog();
    std::lock_guard lock(w.mutex);
    w.calls.erase(std::remove(w.calls.begin(), w.calls.end(), call), w.calls.end());
}

} // namespace bd::pyhost
