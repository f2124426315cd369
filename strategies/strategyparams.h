#pragma once
// Reads a strategy's JSON parameters against its defaults, collecting the first error.
// Every message names the strategy, the parameter, what was given and the valid range.

#include "result.h"

#include <QJsonObject>
#include <QString>

namespace bd {

// Parses the text of strategy parameters: a JSON object, or blank text for "all defaults".
// Errors name `sourceName` (e.g. "--params"), the JSON error with its line and column, and the expected
// shape; they do not check parameter names or ranges (createStrategy does).
Result<QJsonObject> parseStrategyParams(const QByteArray &json, const QString &sourceName);

class StrategyParams {
public:
    // `given` may hold any subset of the keys in `defaults`; any other key is an error.
    StrategyParams(QString strategy, QJsonObject defaults, QJsonObject given);

    // Integer in [min, max]; a JSON number with a fraction is an error.
    int integer(const QString &key, int min, int max);
    // Finite number in [min, max].
    double number(const QString &key, double min, double max);
    // Records a cross-parameter error (e.g. "fast must be below slow").
    void fail(const QString &message);

    // Success, or the first error met.
    Result<void> status() const;

private:
    QJsonValue valueOf(const QString &key) const;

    QString m_strategy;
    QJsonObject m_defaults;
    QJsonObject m_given;
    QString m_error;
};

} // namespace bd
