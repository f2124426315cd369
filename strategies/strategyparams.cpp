#include "strategyparams.h"

#include <QJsonDocument>
#include <QStringList>

#include <cmath>

namespace bd {

Result<QJsonObject> parseStrategyParams(const QByteArray &json, const QString &sourceName)
{
    if (json.trimmed().isEmpty())
        return QJsonObject{};
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError) {
        const QByteArray head = json.left(error.offset);
        const qsizetype line = head.count('\n') + 1;
        const qsizetype column = error.offset - (head.lastIndexOf('\n') + 1) + 1;
        return makeError(QStringLiteral("%1 is not valid JSON: %2 at line %3, column %4; give an object such as "
                                        "{\"fast\": 12, \"slow\": 26}")
                             .arg(sourceName, error.errorString())
                             .arg(line)
                             .arg(column));
    }
    if (!doc.isObject())
        return makeError(QStringLiteral("%1 must be a JSON object such as {\"fast\": 12, \"slow\": 26}").arg(sourceName));
    return doc.object();
}

StrategyParams::StrategyParams(QString strategy, std::vector<ParameterSpec> specs, QJsonObject given)
    : m_strategy(std::move(strategy)), m_specs(std::move(specs)), m_given(std::move(given))
{
    QStringList keys;
    for (const ParameterSpec &spec : m_specs)
        keys << spec.key;
    keys.sort();
    for (auto it = m_given.constBegin(); it != m_given.constEnd(); ++it) {
        if (!keys.contains(it.key())) {
            fail(QStringLiteral("'%1' is not a parameter of %2; its parameters are: %3")
                     .arg(it.key(), m_strategy, keys.join(QStringLiteral(", "))));
            break;
        }
    }
}

const ParameterSpec *StrategyParams::specOf(const QString &key)
{
    for (const ParameterSpec &spec : m_specs) {
        if (spec.key == key)
            return &spec;
    }
    fail(QStringLiteral("%1 has no declared parameter '%2' (a defect in the strategy's parameter list)").arg(m_strategy, key));
    return nullptr;
}

QJsonValue StrategyParams::valueOf(const ParameterSpec &spec) const
{
    return m_given.contains(spec.key) ? m_given.value(spec.key) : spec.defaultJson();
}

static QString jsonText(const QJsonValue &v)
{
    if (v.isString())
        return QLatin1Char('"') + v.toString() + QLatin1Char('"');
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 12);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isNull())
        return QStringLiteral("null");
    return QStringLiteral("an object or array");
}

int StrategyParams::integer(const QString &key)
{
    const ParameterSpec *spec = specOf(key);
    if (!spec)
        return 0;
    const QJsonValue v = valueOf(*spec);
    const double d = v.toDouble(std::nan(""));
    if (!v.isDouble() || !std::isfinite(d) || d != std::floor(d) || d < spec->min || d > spec->max) {
        fail(QStringLiteral("%1 parameter '%2' is %3; it must be a whole number from %4 to %5")
                 .arg(m_strategy, key, jsonText(v))
                 .arg(qint64(spec->min))
                 .arg(qint64(spec->max)));
        return int(spec->min);
    }
    return int(d);
}

double StrategyParams::number(const QString &key)
{
    const ParameterSpec *spec = specOf(key);
    if (!spec)
        return 0.0;
    const QJsonValue v = valueOf(*spec);
    const double d = v.toDouble(std::nan(""));
    if (!v.isDouble() || !std::isfinite(d) || d < spec->min || d > spec->max) {
        fail(QStringLiteral("%1 parameter '%2' is %3; it must be a number from %4 to %5")
                 .arg(m_strategy, key, jsonText(v))
                 .arg(spec->min)
                 .arg(spec->max));
        return spec->min;
    }
    return d;
}

void StrategyParams::fail(const QString &message)
{
    if (m_error.isEmpty())
        m_error = message;
}

Result<void> StrategyParams::status() const
{
    if (m_error.isEmpty())
        return {};
    return makeError(m_error);
}

QJsonObject StrategyParams::resolved() const
{
    QJsonObject out;
    for (const ParameterSpec &spec : m_specs) {
        const double d = valueOf(spec).toDouble();
        out.insert(spec.key, spec.type == ParameterSpec::Type::Integer ? QJsonValue(qint64(d)) : QJsonValue(d));
    }
    return out;
}

} // namespace bd
