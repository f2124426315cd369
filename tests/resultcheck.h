#pragma once
// QVERIFY_OK(expr): evaluates `expr` (a bd::Result) once; passes when it holds a value, else fails the test with the
// result's error message. (QVERIFY2 evaluates its message even on success, so QVERIFY2(r, r.error()...) would read
// an error that is not there.)

#include <QtTest>

#define QVERIFY_OK(expr)                                                                                              \
    do {                                                                                                              \
        const auto &verifyOkResult_ = (expr);                                                                         \
        QVERIFY2(bool(verifyOkResult_), bool(verifyOkResult_) ? "" : qPrintable(verifyOkResult_.error().message));   \
    } while (false)
