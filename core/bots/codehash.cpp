#include "codehash.h"

#include <QCryptographicHash>
#include <QJsonArray>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace bd {
namespace {

void appendNumber(QByteArray &out, double x)
{
    char text[32];
    std::to_chars_result written{};
    if (!std::isfinite(x)) {
        out += "null";
        return;
    }
    constexpr double kTwoPow53 = 9007199254740992.0;
    if (std::fabs(x) < kTwoPow53 && x == std::trunc(x))
        written = std::to_chars(text, text + sizeof text, static_cast<long long>(x));  // -0.0 -> 0
    else
        written = std::to_chars(text, text + sizeof text, x);  // shortest round-trip form
    out.append(text, written.ptr - text);
}

void appendHexEscape(QByteArray &out, char16_t unit)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
        out += kHex[(unit >> shift) & 0xf];
}

void appendString(QByteArray &out, const QString &text)
{
    out += '"';
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t u = text.at(i).unicode();
        if (QChar::isHighSurrogate(u) && i + 1 < n && QChar::isLowSurrogate(text.at(i + 1).unicode())) {
            out += QStringView(text).mid(i, 2).toUtf8();
            ++i;
            continue;
        }
        switch (u) {
        case u'"': out += "\\\""; continue;
        case u'\\': out += "\\\\"; continue;
        case u'\b': out += "\\b"; continue;
        case u'\t': out += "\\t"; continue;
        case u'\n': out += "\\n"; continue;
        case u'\f': out += "\\f"; continue;
        case u'\r': out += "\\r"; continue;
        default: break;
        }
        if (u < 0x20 || QChar::isSurrogate(u))
            appendHexEscape(out, u);
        else if (u < 0x80)
            out += char(u);
        else
            out += QString(QChar(u)).toUtf8();
    }
    out += '"';
}

void appendValue(QByteArray &out, const QJsonValue &value);

void appendObject(QByteArray &out, const QJsonObject &object)
{
    std::vector<QString> keys;
    keys.reserve(size_t(object.size()));
    for (auto it = object.constBegin(); it != object.constEnd(); ++it)
        keys.push_back(it.key());
    std::sort(keys.begin(), keys.end());  // UTF-16 code unit order
    out += '{';
    bool first = true;
    for (const QString &key : keys) {
        if (!first)
            out += ',';
        first = false;
        appendString(out, key);
        out += ':';
        appendValue(out, object.value(key));
    }
    out += '}';
}

void appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: out += "null"; return;
    case QJsonValue::Bool: out += value.toBool() ? "true" : "false"; return;
    case QJsonValue::Double: appendNumber(out, value.toDouble()); return;
    case QJsonValue::String: appendString(out, value.toString()); return;
    case QJsonValue::Object: appendObject(out, value.toObject()); return;
    case QJsonValue::Array: {
        out += '[';
        bool first = true;
        for (const QJsonValue &element : value.toArray()) {
            if (!first)
                out += ',';
            first = false;
            appendValue(out, element);
        }
        out += ']';
        return;
    }
    }
}

} // namespace

QByteArray canonicalJson(const QJsonValue &value)
{
    QByteArray out;
    appendValue(out, value);
    return out;
}

QByteArray canonicalJson(const QJsonObject &object)
{
    QByteArray out;
    appendObject(out, object);
    return out;
}

QString computeCodeHash(const QString &code, const QJsonObject &params)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(code.toUtf8());
    hash.addData(QByteArrayView("\n--botdesk-params--\n"));
    hash.addData(canonicalJson(params));
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace bd
