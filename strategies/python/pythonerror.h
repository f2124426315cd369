#pragma once
// The current Python exception as one message for the trader: where it happened in the strategy file, what it is,
// and the traceback. Needs the GIL; clears the Python error.
//
// Shape: "<file>:<line>: <ExceptionType>: <message> (<where>)\n<traceback>", e.g.
//   ema.py:21: ZeroDivisionError: float division by zero (in on_bar at bar 2024-01-02 10:15 UTC (index 135))
//   Traceback (most recent call last):
//     File "ema.py", line 21, in on_bar
//       x = 1 / 0.0
//   ZeroDivisionError: float division by zero
// <line> is the last traceback line inside <file> (a SyntaxError's own line); without one "<file>: ..." only.

#include <Python.h>

#include <QJsonObject>
#include <QString>

namespace bd::pyhost {

QString describePythonError(const QString &fileName, const QString &where);
// repr(o) and str(o) as text ("<unprintable>" when they raise).
QString pyRepr(PyObject *o);
QString pyStr(PyObject *o);
QString compactJson(const QJsonObject &o);

} // namespace bd::pyhost
