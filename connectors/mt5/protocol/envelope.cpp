#include "envelope.h"

#include "jsonfields.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

namespace bd::mt5b {

namespace {

QJsonValue withoutNulls(const QJsonValue &value)
{
    if (value.isObject()) {
        QJsonObject out;
        const QJsonObject in = value.toObject();
        for (auto it = in.begin(); it != in.end(); ++it)
            if (!it.value().isNull())
                out.insert(it.key(), withoutNulls(it.value()));
        return out;
    }
    if (value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &v : value.toArray())
            out.append(withoutNulls(v));
        return out;
    }
    return value;
}

} // namespace

Result<Envelope> parseEnvelope(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return makeError(QStringLiteral("malformed JSON at offset %1: %2").arg(parseError.offset).arg(parseError.errorString()));
    if (!doc.isObject())
        return makeError(QStringLiteral("not a JSON object"));
    Envelope e;
    e.object = doc.object();
    const QJsonValue v = e.object.value(QLatin1String("v"));
    if (!JsonFields::isExactInteger(v) || v.toInteger() != 1)
        return makeError(v.isUndefined() ? QStringLiteral("field 'v' is missing")
                                         : QStringLiteral("field 'v' is %1; expected 1")
                                               .arg(QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact)).mid(1).chopped(1)));
    const QJsonValue type = e.object.value(QLatin1String("type"));
    if (!type.isString() || type.toString().isEmpty())
        return makeError(QStringLiteral("field 'type' is missing or not a string"));
    e.type = type.toString();
    const QJsonValue seq = e.object.value(QLatin1String("seq"));
    if (!seq.isUndefined() && !seq.isNull()) {
        if (!JsonFields::isExactInteger(seq) || seq.toInteger() < 0)
            return makeError(QStringLiteral("field 'seq' is not an integer >= 0"));
        e.seq = seq.toInteger();
    }
    const QJsonValue re = e.object.value(QLatin1String("re"));
    if (!re.isUndefined() && !re.isNull()) {
        if (!re.isString())
            return makeError(QStringLiteral("field 're' is not a string"));
        e.re = re.toString();
    }
    const QJsonValue replay = e.object.value(QLatin1String("replay"));
    if (!replay.isUndefined() && !replay.isNull()) {
        if (!replay.isBool())
            return makeError(QStringLiteral("field 'replay' is not a boolean"));
        e.replay = replay.toBool();
    }
    return e;
}

QByteArray requestFrame(const QString &type, const QString &id, const QJsonObject &fields)
{
    QJsonObject o = fields;
    o.insert(QStringLiteral("v"), 1);
    o.insert(QStringLiteral("type"), type);
    o.insert(QStringLiteral("id"), id);
    o.insert(QStringLiteral("ts"), QDateTime::currentMSecsSinceEpoch());
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray canonicalJson(const QJsonObject &object)
{
    return QJsonDocument(withoutNulls(object).toObject()).toJson(QJsonDocument::Compact);
}

QString sha256Hex(const QByteArray &canonical)
{
    return QString::fromLatin1(QCryptographicHash::hash(canonical, QCryptographicHash::Sha256).toHex());
}

bool isValidClientReqId(const QString &id)
{
    if (id.isEmpty() || id.size() > 36)
        return false;
    for (const QChar c : id)
        if (!(c.isDigit() && c.unicode() < 128) && !(c >= u'a' && c <= u'z') && !(c >= u'A' && c <= u'Z') && c != u'_'
            && c != u'-')
            return false;
    return true;
}

} // namespace bd::mt5b
