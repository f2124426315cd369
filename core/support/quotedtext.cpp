#include "quotedtext.h"

#include "displaytext.h"

#include <QChar>

namespace bd {
namespace {

// Length of the valid UTF-8 sequence at s[i] (its code point in `cp`), or 0 when the bytes there are not one.
size_t utf8Sequence(std::string_view s, size_t i, char32_t &cp)
{
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char lead = byte(i);
    size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        len = 2;
        cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        len = 3;
        cp = lead & 0x0F;
        if (lead == 0xE0)
            lo = 0xA0;  // no overlong forms
        if (lead == 0xED)
            hi = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        len = 4;
        cp = lead & 0x07;
        if (lead == 0xF0)
            lo = 0x90;
        if (lead == 0xF4)
            hi = 0x8F;  // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (i + len > s.size())
        return 0;
    for (size_t k = 1; k < len; ++k) {
        const unsigned char c = byte(i + k);
        if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF))
            return 0;
        cp = (cp << 6) | (c & 0x3F);
    }
    return len;
}

bool invisible(char32_t cp)
{
    // U+FFFD stands for bytes that could not be decoded (e.g. broken UTF-16): say so.
    return cp == 0xFFFD || isInvisibleCodePoint(cp);
}

QString hex(uint value, int digits) { return QStringLiteral("%1").arg(value, digits, 16, QLatin1Char('0')).toUpper(); }

} // namespace

QString quotedText(std::string_view bytes, int maxChars)
{
    QString out = QStringLiteral("'");
    int shown = 0;
    size_t i = 0;
    while (i < bytes.size() && shown < maxChars) {
        ++shown;
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c < 0x80) {
            ++i;
            switch (c) {
            case '\t': out += QStringLiteral("\\t"); break;
            case '\r': out += QStringLiteral("\\r"); break;
            case '\n': out += QStringLiteral("\\n"); break;
            case '\0': out += QStringLiteral("\\0"); break;
            case '\\': out += QStringLiteral("\\\\"); break;
            default:
                if (c < 0x20 || c == 0x7F)
                    out += QStringLiteral("\\x") + hex(c, 2);
                else
                    out += QLatin1Char(char(c));
            }
            continue;
        }
        char32_t cp = 0;
        const size_t len = utf8Sequence(bytes, i, cp);
        if (len == 0) {
            out += QStringLiteral("\\x") + hex(c, 2);
            ++i;
            continue;
        }
        i += len;
        if (invisible(cp))
            out += cp > 0xFFFF ? QStringLiteral("\\U") + hex(uint(cp), 8) : QStringLiteral("\\u") + hex(uint(cp), 4);
        else
            out += QString::fromUcs4(&cp, 1);
    }
    if (i < bytes.size())
        return out + QStringLiteral("...' (%1 bytes)").arg(bytes.size());
    return out + QLatin1Char('\'');
}

} // namespace bd
