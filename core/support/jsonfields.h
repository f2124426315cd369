#pragma once
// JsonFields: reads the fields of a JSON object with their types and ranges, for data BotDesk wrote itself and
// reads back (stored backtest runs, spool files). The first problem wins; its message names the field by its
// path from the top object ("stats.profit_factor", "trades[3].close_reason"), what it holds and what was expected:
//   "field 'trades[3].volume' is "0.1"; expected a finite number"
// Readers of nested objects and array elements share that one error (child(), element()).
// After a problem every getter returns its default value (0, empty) and records nothing more.

#include "result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QUuid>
#include <QtGlobal>

#include <memory>

namespace bd {

class JsonFields {
public:
    // `path` is this object's own path in messages ("" for the top object).
    explicit JsonFields(QJsonObject object, QString path = {});

    // Required fields: a missing key is an error, as is a value of another type.
    QString string(const QString &key);
    bool boolean(const QString &key);
    double number(const QString &key);                // finite
    double numberOrInfinity(const QString &key);      // finite, or null meaning +infinity
    // A whole number in [min, max]; the bounds are clamped to ±2^53 (the integers a JSON double holds exactly).
    qint64 integer(const QString &key, qint64 min, qint64 max);
    QJsonObject object(const QString &key);
    QJsonArray array(const QString &key);
    QStringList stringList(const QString &key);       // an array of strings
    // A UUID as a string ("xxxxxxxx-xxxx-..." with or without braces); null (or `nullable` and JSON null) is
    // allowed only when `nullable`.
    QUuid uuid(const QString &key, bool nullable);

    // The object at `key` (which must be one), read with the same error.
    JsonFields child(const QString &key);
    // Element `index` of `array` (the value of `key` here), which must be an object.
    JsonFields element(const QString &key, const QJsonArray &array, qsizetype index);

    // Records "field '<path>' <what>" unless a problem is already recorded.
    void fail(const QString &key, const QString &what);
    bool ok() const { return m_error->isEmpty(); }
    // "field 'x' ..." of the first problem; empty when ok().
    const QString &errorText() const { return *m_error; }
    // `value` when ok(), else the error with `context` in front ("backtest run record: field 'x' ...").
    template <typename T>
    Result<T> result(T value, const QString &context) const
    {
        if (ok())
            return value;
        return makeError(context + QStringLiteral(": ") + *m_error);
    }

    // The JSON text of `v` for messages, shortened: "abc" in quotes, numbers, true, null, an object, an array.
    static QString describe(const QJsonValue &v);
    // A JSON number that is a whole number within ±2^53 (the integers a double holds exactly), written 5 or 5.0.
    // Qt keeps an integer written without a fraction as qint64, so 2^53 + 1 is refused too (its double rounds).
    static bool isExactInteger(const QJsonValue &v);
    QString pathOf(const QString &key) const;

private:
    JsonFields(QJsonObject object, QString path, std::shared_ptr<QString> error);
    QJsonValue take(const QString &key);  // the value, or undefined (and an error) when missing

    QJsonObject m_object;
    QString m_path;
    std::shared_ptr<QString> m_error;
};

} // namespace bd
