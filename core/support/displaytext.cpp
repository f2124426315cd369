#include "displaytext.h"

#include <QChar>

namespace bd {

bool isInvisibleCodePoint(char32_t cp)
{
    if (cp == U' ')
        return false;
    switch (QChar::category(cp)) {
    case QChar::Other_Control:
    case QChar::Other_Format:
    case QChar::Other_Surrogate:
    case QChar::Other_PrivateUse:
    case QChar::Other_NotAssigned:
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
    case QChar::Separator_Space:
        return true;
    default:
        return false;
    }
}

namespace {

void appendEscape(QString &out, char32_t cp)
{
    const int width = cp <= 0xFF ? 2 : cp <= 0xFFFF ? 4 : 8;
    out += width == 2 ? QStringLiteral("\\x") : width == 4 ? QStringLiteral("\\u") : QStringLiteral("\\U");
    out += QString::number(uint(cp), 16).toUpper().rightJustified(width, QLatin1Char('0'));
}

} // namespace

QString escapeForDisplay(QStringView text, EscapeMode mode)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        char32_t cp = c.unicode();
        qsizetype units = 1;
        if (c.isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            cp = QChar::surrogateToUcs4(c, text[i + 1]);
            units = 2;
        }
        if (mode == EscapeMode::Message && cp == U'\n') {
            out += c;
        } else if (mode == EscapeMode::Value && cp == U'\\') {
            out += QStringLiteral("\\\\");
        } else if (isInvisibleCodePoint(cp)) {
            appendEscape(out, cp);  // an unpaired surrogate has category Other_Surrogate: escaped as \uD8xx
        } else {
            out += text.mid(i, units);
        }
        i += units - 1;
    }
    return out;
}

} // namespace bd
