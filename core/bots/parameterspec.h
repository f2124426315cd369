#pragma once
// ParameterSpec: one declared parameter of a strategy, declared once in the strategy's own source (a built-in's
// .cpp, a Python strategy's botdesk.Int/Float class attributes), so its default and range are part of the
// strategy's code, and of its code_hash. Validation (StrategyParams), the
// resolved parameters of a stored run (resolveStrategyParams) and the GUI's typed parameter forms all read it.

#include <QJsonValue>
#include <QString>

namespace bd {

struct ParameterSpec {
    enum class Type {
        Integer,  // a whole number (JSON number without a fraction)
        Number,   // any finite number
    };

    QString key;               // JSON key, snake_case: "sl_atr_mult"
    Type type = Type::Number;
    double defaultValue = 0.0; // used when the parameter is not given; within [min, max]
    double min = 0.0;          // inclusive
    double max = 0.0;          // inclusive
    double step = 1.0;         // a form's increment (1 for integers); not a validation rule
    QString description;       // one line with its unit, for forms and --help

    // The default as JSON: an integer value for Integer, a double for Number.
    QJsonValue defaultJson() const
    {
        return type == Type::Integer ? QJsonValue(qint64(defaultValue)) : QJsonValue(defaultValue);
    }
};

} // namespace bd
