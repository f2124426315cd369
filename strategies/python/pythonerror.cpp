#include "pythonerror.h"

#include <QJsonDocument>

namespace bd::pyhost {
namespace {

QString textOf(PyObject *o, PyObject *(*convert)(PyObject *))
{
    if (!o)
        return QStringLiteral("None");
    PyObject *s = convert(o);
    if (!s) {
        PyErr_Clear();
        return QStringLiteral("<unprintable>");
    }
    const char *utf8 = PyUnicode_AsUTF8(s);
    const QString out = utf8 ? QString::fromUtf8(utf8) : QStringLiteral("<unprintable>");
    PyErr_Clear();
    Py_DECREF(s);
    return out;
}

long attrLong(PyObject *o, const char *name)
{
    PyObject *v = PyObject_GetAttrString(o, name);
    long out = v && PyLong_Check(v) ? PyLong_AsLong(v) : 0;
    Py_XDECREF(v);
    PyErr_Clear();
    return out;
}

QString attrText(PyObject *o, const char *name)
{
    PyObject *v = PyObject_GetAttrString(o, name);
    QString out = v && PyUnicode_Check(v) ? QString::fromUtf8(PyUnicode_AsUTF8(v)) : QString();
    Py_XDECREF(v);
    PyErr_Clear();
    return out;
}

// The last line of `fileName` on the traceback (the innermost frame in the strategy's own code).
long lineInFile(PyObject *traceback, const QString &fileName)
{
    long line = 0;
    PyObject *tb = traceback;
    Py_XINCREF(tb);
    while (tb && tb != Py_None) {
        PyObject *frame = PyObject_GetAttrString(tb, "tb_frame");
        PyObject *code = frame ? PyObject_GetAttrString(frame, "f_code") : nullptr;
        if (code && attrText(code, "co_filename") == fileName)
            line = attrLong(tb, "tb_lineno");
        Py_XDECREF(code);
        Py_XDECREF(frame);
        PyObject *next = PyObject_GetAttrString(tb, "tb_next");
        Py_DECREF(tb);
        tb = next;
    }
    Py_XDECREF(tb);
    PyErr_Clear();
    return line;
}

QString formattedTraceback(PyObject *type, PyObject *value, PyObject *traceback)
{
    PyObject *module = PyImport_ImportModule("traceback");
    PyObject *lines = module ? PyObject_CallMethod(module, "format_exception", "OOO", type, value ? value : Py_None,
                                                   traceback ? traceback : Py_None)
                             : nullptr;
    QString out;
    if (lines && PyList_Check(lines)) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(lines); ++i)
            out += QString::fromUtf8(PyUnicode_AsUTF8(PyList_GET_ITEM(lines, i)));
    }
    Py_XDECREF(lines);
    Py_XDECREF(module);
    PyErr_Clear();
    return out.trimmed();
}

} // namespace

QString pyRepr(PyObject *o) { return textOf(o, PyObject_Repr); }
QString pyStr(PyObject *o) { return textOf(o, PyObject_Str); }

QString compactJson(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QString describePythonError(const QString &fileName, const QString &where)
{
    PyObject *type = nullptr, *value = nullptr, *traceback = nullptr;
    PyErr_Fetch(&type, &value, &traceback);
    if (!type)
        return QStringLiteral("%1: unknown Python error%2").arg(fileName, where.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(where));
    PyErr_NormalizeException(&type, &value, &traceback);
    if (traceback && value)
        PyException_SetTraceback(value, traceback);

    long line = 0;
    if (PyErr_GivenExceptionMatches(type, PyExc_SyntaxError) && attrText(value, "filename") == fileName)
        line = attrLong(value, "lineno");
    if (line == 0)
        line = lineInFile(traceback, fileName);
    const QString typeName = QString::fromUtf8(reinterpret_cast<PyTypeObject *>(type)->tp_name);
    QString message = PyErr_GivenExceptionMatches(type, PyExc_SyntaxError) ? attrText(value, "msg") : pyStr(value);
    QString head = line > 0 ? QStringLiteral("%1:%2: ").arg(fileName).arg(line) : fileName + QStringLiteral(": ");
    head += typeName;
    if (!message.isEmpty())
        head += QStringLiteral(": ") + message;
    if (!where.isEmpty())
        head += QStringLiteral(" (%1)").arg(where);
    const QString trace = formattedTraceback(type, value, traceback);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
    return trace.isEmpty() ? head : head + QLatin1Char('\n') + trace;
}

} // namespace bd::pyhost
