#pragma once
// Reads a strategy's JSON parameters against its declared ParameterSpecs, collecting the first error.
// Every message names the strategy, the parameter, what was given and the valid range.

#include "parameterspec.h"
#include "result.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace bd {

// Parses the text of strategy parameters: a JSON object, or blank text for "all defaults".
// Errors name `sourceName` (e.g. "--params"), the JSON error with its line and column, and the expected
// shape; they do not check parameter names or ranges (createStrategy does).
Result<QJsonObject> parseStrategyParams(const QByteArray &json, const QString &sourceName);

class StrategyParams {
public:
    // `given` may hold any subset of the keys of `specs`; any other key is an error.
    StrategyParams(QString strategy, std::vector<ParameterSpec> specs, QJsonObject given);

    // The value of `key` (given, else its default), checked against its spec: an Integer spec needs a whole
    // number, a Number spec a finite one, both within [min, max]. On error returns min and records the error.
    int integer(const QString &key);
    double number(const QString &key);
    // Records a cross-parameter error (e.g. "fast must be below slow").
    void fail(const QString &message);

    // Success, or the first error met.
    Result<void> status() const;
    // Every parameter of the specs with its value (given, else the default): integers as JSON integers, numbers
    // as doubles. Meaningful when status() is ok.
    QJsonObject resolved() const;

private:
    const ParameterSpec *specOf(const QString &key);
    QJsonValue valueOf(const ParameterSpec &spec) const;

    QString m_strategy;
    std::vector<ParameterSpec> m_specs;
    QJsonObject m_given;
    QString m_error;
};

} // namespace bd
