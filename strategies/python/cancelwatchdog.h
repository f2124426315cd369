#pragma once
// Interrupts Python code that runs on after its run was cancelled (an endless loop in on_bar).
//
// One watchdog thread per process (a std::thread, started with the first watch and idle while nothing is
// watched) looks every 20 ms at the cancel flags of the calls being watched. When a flag is set while its call is
// inside Python, it raises botdesk.Cancelled in that call's thread (PyThreadState_SetAsyncExc, under the GIL,
// which a looping Python thread hands over every 5 ms). Python code stops at its next bytecode boundary, so an
// endless pure-Python loop ends within about 25 ms; a call blocked inside C code (time.sleep, I/O) ends when it
// returns. Python code that catches BaseException can swallow the interrupt once; the next bar is not called.

#include <atomic>
#include <memory>

namespace bd::pyhost {

// What the watchdog sees of one strategy: its cancel flag and whether it is inside a Python call on a thread.
// `inPython` and `threadId` change only while the GIL is held (the watchdog reads them under the GIL too).
struct WatchedCall {
    const std::atomic<bool> *cancel = nullptr;
    unsigned long threadId = 0;  // PyThread_get_thread_ident() of the calling thread
    bool inPython = false;
    std::atomic<bool> interrupted{false};  // set once the watchdog raised Cancelled in the call
};

// Watches `call` until unwatch(call). Both may be called with or without the GIL.
void watch(const std::shared_ptr<WatchedCall> &call);
void unwatch(const std::shared_ptr<WatchedCall> &call);

} // namespace bd::pyhost
