#pragma once
// The one CPython interpreter of the process (Debian's Python 3.11, embedded), started on first use.
//
// Threads: the interpreter is started by the first thread that needs it; after that no thread holds the GIL
// between calls. Every call into Python takes the GIL only around the call (PythonCall below): each OS thread
// gets its own PyThreadState once, on its first call, and keeps it (no thread state is made or freed per call;
// a thread state is a few hundred bytes and thread pools reuse their threads). Several strategies may run on
// several threads; their Python code takes turns on the GIL, so Python-heavy work in parallel belongs in
// worker processes (docs/python-strategies.md).
//
// The interpreter is started isolated (PyConfig isolated mode: PYTHONPATH, PYTHONHOME and the user's
// site-packages are ignored; Debian's dist-packages, e.g. numpy, are on sys.path), without Python's signal
// handlers (Ctrl+C stays the application's), and is never finalised.
// This header is Python-free; the host's sources include <Python.h> themselves.

#include "result.h"

namespace bd::pyhost {

// Starts the interpreter once per process (thread-safe) and imports the embedded `botdesk` module.
// Returns the same error on every call when Python cannot start (the message says why: libpython missing,
// no standard library at its home, ...).
Result<void> ensureInterpreter();

// Holds the GIL for the calling thread for its lifetime, through the thread's own PyThreadState.
// ensureInterpreter() must have succeeded. Not reentrant on one thread (a Python call from inside a Python call
// already holds the GIL).
class PythonCall {
public:
    PythonCall();
    ~PythonCall();
    PythonCall(const PythonCall &) = delete;
    PythonCall &operator=(const PythonCall &) = delete;
};

} // namespace bd::pyhost
