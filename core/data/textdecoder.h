#pragma once
// TextDecoder: the raw bytes of a text file, piece by piece, as UTF-8.
//
// A UTF-8 byte-order mark (EF BB BF) is dropped. Text starting with the UTF-16LE byte-order mark (FF FE), as
// MetaTrader may write it, is converted to UTF-8 as it comes: a character split between two pieces is carried
// over (also a surrogate pair), an unpaired surrogate becomes U+FFFD, an odd last byte is dropped. Anything else passes through unchanged
// and unvalidated (the bar parser rejects what is not a number and shows stray bytes as \xNN).
// Memory: the converted piece only (at most 1.5 × the raw piece for UTF-16).

#include <QByteArray>
#include <QStringDecoder>

#include <string>
#include <string_view>

namespace bd {

class TextDecoder {
public:
    // UTF-8 for the next raw piece; valid until the next call. Empty while the first 3 bytes are gathered.
    std::string_view decode(std::string_view raw);
    // The end of the text: returns what was held back (only when the whole text is shorter than 3 bytes).
    std::string_view finish();

    bool isUtf16() const { return m_mode == Mode::Utf16; }

private:
    enum class Mode { Sniffing, PassThrough, Utf16 };
    std::string_view start(std::string_view raw);
    std::string_view convert(std::string_view raw);

    Mode m_mode = Mode::Sniffing;
    std::string m_head;  // the first pieces while they total fewer than 3 bytes
    QStringDecoder m_utf16{QStringConverter::Utf16LE};  // stateful: carries a split character
    QString m_heldSurrogate;  // a high surrogate that ended the previous piece
    QByteArray m_out;
};

} // namespace bd
