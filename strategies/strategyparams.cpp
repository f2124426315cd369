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

StrategyParams::StrategyParams(QString strategy, QJsonObject defaults, QJsonObject given)
    : m_strategy(std::move(strategy)), m_defaults(std::move(defaults)), m_given(std::move(given))
{
    for (auto it = m_given.constBegin(); it != m_given.constEnd(); ++it) {
        if (!m_defaults.contains(it.key())) {
            fail(QStringLiteral("'%1' is not a parameter of %2; its parameters are: %3")
                     .arg(it.key(), m_strategy, m_defaults.keys().join(QStringLiteral(", "))));
            break;
        }
    }
}

QJsonValue StrategyParams::valueOf(const QString &key) const
{
    return m_given.contains(key) ? m_given.value(key) : m_defaults.value(key);
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

int StrategyParams::integer(const QString &key, int min, int max)
{
    const QJsonValue v = valueOf(key);
    const double d = v.toDouble(std::nan(""));
    if (!v.isDouble() || !std::isfinite(d) || d != std::floor(d) || d < min || d > max) {
        fail(QStringLiteral("%1 parameter '%2' is %3; it must be a whole number from %4 to %5")
                 .arg(m_strategy, key, jsonText(v))
                 .arg(min)
                 .arg(max));
        return min;
    }
    return int(d);
}

double StrategyParams::number(const QString &key, double min, double max)
{
    const QJsonValue v = valueOf(key);
    const double d = v.toDouble(std::nan(""));
    if (!v.isDouble() || !std::isfinite(d) || d < min || d > max) {
        fail(QStringLiteral("%1 parameter '%2' is %3; it must be a number from %4 to %5")
                 .arg(m_strategy, key, jsonText(v))
                 .arg(min)
                 .arg(max));
        return min;
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

} // namespace bd
