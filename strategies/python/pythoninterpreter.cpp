#include "pythoninterpreter.h"

#include "botdeskmodule.h"
#include "logging.h"

#include <Python.h>

#include <QString>

#include <mutex>

namespace bd::pyhost {
namespace {

QString statusText(const PyStatus &status)
{
    QString text = QString::fromUtf8(status.err_msg ? status.err_msg : "unknown error");
    if (status.func)
        text = QString::fromUtf8(status.func) + QStringLiteral(": ") + text;
    return text;
}

Result<void> startInterpreter()
{
    registerBotdeskModule();  // into the inittab: must precede the interpreter's start

    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    config.install_signal_handlers = 0;
    config.parse_argv = 0;
    config.write_bytecode = 0;
    PyStatus status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status))
        return makeError(QStringLiteral("the embedded Python %1 could not start: %2; install Debian's python3.11 "
                                        "(scripts/install-deps.sh) or reinstall BotDesk")
                             .arg(QLatin1String(PY_VERSION), statusText(status)));

    PyObject *module = PyImport_ImportModule("botdesk");
    if (!module) {
        PyErr_Print();
        PyEval_SaveThread();
        return makeError(QStringLiteral("the embedded Python module 'botdesk' failed to load (a BotDesk defect; "
                                        "see the log)"));
    }
    Py_DECREF(module);
    bd::logging::get("strategy")->info("embedded Python {} started", Py_GetVersion());
    // The thread that started Python keeps its thread state for later calls (PythonCall finds it).
    PyEval_SaveThread();
    return {};
}

// The calling thread's own thread state, made on its first call and kept for the thread's life.
PyThreadState *threadStateOfThisThread()
{
    thread_local PyThreadState *state = nullptr;
    if (!state) {
        state = PyGILState_GetThisThreadState();  // the starting thread's, or one made by the GILState API
        if (!state) {
            static PyInterpreterState *const interpreter = PyInterpreterState_Main();
            state = PyThreadState_New(interpreter);
        }
    }
    return state;
}

} // namespace

Result<void> ensureInterpreter()
{
    static std::once_flag once;
    static Result<void> started;
    std::call_once(once, [] { started = startInterpreter(); });
    return started;
}

PythonCall::PythonCall()
{
    PyEval_RestoreThread(threadStateOfThisThread());
}

PythonCall::~PythonCall()
{
    PyEval_SaveThread();
}

} // namespace bd::pyhost
