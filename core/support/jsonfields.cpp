#include "jsonfields.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bd {
namespace {

constexpr qint64 kMaxExactInteger = qint64(1) << 53;

} // namespace

JsonFields::JsonFields(QJsonObject object, QString path)
    : JsonFields(std::move(object), std::move(path), std::make_shared<QString>())
{
}

JsonFields::JsonFields(QJsonObject object, QString path, std::shared_ptr<QString> error)
    : m_object(std::move(object)), m_path(std::move(path)), m_error(std::move(error))
{
}

QString JsonFields::pathOf(const QString &key) const
{
    return m_path.isEmpty() ? key : m_path + QLatin1Char('.') + key;
}

void JsonFields::fail(const QString &key, const QString &what)
{
    if (m_error->isEmpty())
        *m_error = QStringLiteral("field '%1' %2").arg(pathOf(key), what);
}

QString JsonFields::describe(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Undefined: return QStringLiteral("missing");
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: return QString::number(v.toDouble(), 'g', 17);
    case QJsonValue::String: {
        const QString s = v.toString();
        return QLatin1Char('"') + (s.size() > 40 ? s.left(40) + QStringLiteral("...") : s) + QLatin1Char('"');
    }
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    }
    return QStringLiteral("?");
}

QJsonValue JsonFields::take(const QString &key)
{
    if (!ok())
        return QJsonValue(QJsonValue::Undefined);
    const QJsonValue v = m_object.value(key);
    if (v.isUndefined())
        fail(key, QStringLiteral("is missing"));
    return v;
}

QString JsonFields::string(const QString &key)
{
    const QJsonValue v = take(key);
    if (!v.isUndefined() && !v.isString())
        fail(key, QStringLiteral("is %1; expected a string").arg(describe(v)));
    return ok() ? v.toString() : QString();
}

bool JsonFields::boolean(const QString &key)
{
    const QJsonValue v = take(key);
    if (!v.isUndefined() && !v.isBool())
        fail(key, QStringLiteral("is %1; expected true or false").arg(describe(v)));
    return ok() && v.toBool();
}

double JsonFields::number(const QString &key)
{
    const QJsonValue v = take(key);
    if (!v.isUndefined() && (!v.isDouble() || !std::isfinite(v.toDouble())))
        fail(key, QStringLiteral("is %1; expected a finite number").arg(describe(v)));
    return ok() ? v.toDouble() : 0.0;
}

double JsonFields::numberOrInfinity(const QString &key)
{
    const QJsonValue v = take(key);
    if (v.isNull())
        return std::numeric_limits<double>::infinity();
    if (!v.isUndefined() && (!v.isDouble() || !std::isfinite(v.toDouble())))
        fail(key, QStringLiteral("is %1; expected a finite number, or null for infinity").arg(describe(v)));
    return ok() ? v.toDouble() : 0.0;
}

qint64 JsonFields::integer(const QString &key, qint64 min, qint64 max)
{
    min = std::max(min, -kMaxExactInteger);
    max = std::min(max, kMaxExactInteger);
    const QJsonValue v = take(key);
    if (v.isUndefined())
        return 0;
    const double d = v.toDouble(std::nan(""));
    if (!isExactInteger(v) || d < double(min) || d > double(max) || v.toInteger() < min || v.toInteger() > max) {
        fail(key, QStringLiteral("is %1; expected a whole number from %2 to %3").arg(describe(v)).arg(min).arg(max));
        return 0;
    }
    return v.toInteger();
}

QJsonObject JsonFields::object(const QString &key)
{
    const QJsonValue v = take(key);
    if (!v.isUndefined() && !v.isObject())
        fail(key, QStringLiteral("is %1; expected an object").arg(describe(v)));
    return ok() ? v.toObject() : QJsonObject();
}

QJsonArray JsonFields::array(const QString &key)
{
    const QJsonValue v = take(key);
    if (!v.isUndefined() && !v.isArray())
        fail(key, QStringLiteral("is %1; expected an array").arg(describe(v)));
    return ok() ? v.toArray() : QJsonArray();
}

QStringList JsonFields::stringList(const QString &key)
{
    const QJsonArray a = array(key);
    QStringList out;
    out.reserve(a.size());
    for (qsizetype i = 0; i < a.size() && ok(); ++i) {
        if (!a.at(i).isString())
            fail(QStringLiteral("%1[%2]").arg(key).arg(i), QStringLiteral("is %1; expected a string").arg(describe(a.at(i))));
        out << a.at(i).toString();
    }
    return ok() ? out : QStringList();
}

QUuid JsonFields::uuid(const QString &key, bool nullable)
{
    const QJsonValue v = take(key);
    if (v.isUndefined())
        return {};
    if (v.isNull() && nullable)
        return {};
    const QUuid id = v.isString() ? QUuid::fromString(v.toString()) : QUuid();
    if (id.isNull()) {
        fail(key, QStringLiteral("is %1; expected a UUID such as \"1b4e28ba-2fa1-11d2-883f-0016d3cca427\"%2")
                      .arg(describe(v), nullable ? QStringLiteral(" or null") : QString()));
    }
    return ok() ? id : QUuid();
}

JsonFields JsonFields::child(const QString &key)
{
    return JsonFields(object(key), pathOf(key), m_error);
}

JsonFields JsonFields::element(const QString &key, const QJsonArray &array, qsizetype index)
{
    const QString path = QStringLiteral("%1[%2]").arg(key).arg(index);
    const QJsonValue v = index < array.size() ? array.at(index) : QJsonValue(QJsonValue::Undefined);
    if (!v.isObject())
        fail(path, QStringLiteral("is %1; expected an object").arg(describe(v)));
    return JsonFields(v.toObject(), pathOf(path), m_error);
}

bool JsonFields::isExactInteger(const QJsonValue &v)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    const qint64 i = v.toInteger();
    return std::isfinite(d) && d == std::floor(d) && std::fabs(d) <= double(kMaxExactInteger) && i <= kMaxExactInteger
           && i >= -kMaxExactInteger;
}

} // namespace bd
