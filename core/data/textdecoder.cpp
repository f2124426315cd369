#include "textdecoder.h"

#include <QString>

namespace bd {

std::string_view TextDecoder::decode(std::string_view raw)
{
    if (m_mode != Mode::Sniffing) {
        if (!m_head.empty())
            std::string().swap(m_head);  // held the previous piece; no longer needed
        return convert(raw);
    }
    if (m_head.size() + raw.size() < 3) {
        m_head.append(raw);
        return {};
    }
    if (m_head.empty())
        return start(raw);
    m_head.append(raw);
    return start(m_head);
}

std::string_view TextDecoder::finish()
{
    if (m_mode == Mode::Utf16 && !m_heldSurrogate.isEmpty()) {
        m_out = QString(QChar::ReplacementCharacter).toUtf8();  // a high surrogate ends the text: unpaired
        m_heldSurrogate.clear();
        return {m_out.constData(), size_t(m_out.size())};
    }
    if (m_mode != Mode::Sniffing)
        return {};
    return start(m_head);
}

std::string_view TextDecoder::start(std::string_view raw)
{
    if (raw.substr(0, 2) == std::string_view("\xFF\xFE", 2)) {
        m_mode = Mode::Utf16;
        raw.remove_prefix(2);
    } else {
        m_mode = Mode::PassThrough;
        if (raw.substr(0, 3) == "\xEF\xBB\xBF")
            raw.remove_prefix(3);
    }
    return convert(raw);
}

std::string_view TextDecoder::convert(std::string_view raw)
{
    if (m_mode != Mode::Utf16)
        return raw;
    QString text = m_heldSurrogate + m_utf16(QByteArrayView(raw.data(), qsizetype(raw.size())));
    m_heldSurrogate.clear();
    if (!text.isEmpty() && text.back().isHighSurrogate()) {  // its pair comes with the next piece
        m_heldSurrogate = text.back();
        text.chop(1);
    }
    m_out = text.toUtf8();
    return {m_out.constData(), size_t(m_out.size())};
}

} // namespace bd
