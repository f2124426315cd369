#pragma once
// Making untrusted text safe to show in a message: a value the user typed (or a file supplied) may hold control
// characters, terminal escape sequences, zero-width or bidi-override characters that would hide or rewrite what
// the message says. They are shown as escapes instead, so the user sees exactly what was given.

#include <QString>
#include <QStringView>

namespace bd {

enum class EscapeMode {
    // A quoted value: every invisible character is escaped, and so is the backslash itself (shown as \\), so that
    // "EUR\x01USD" can only mean the control character U+0001, never the four typed characters.
    Value,
    // A whole message: line breaks are kept and backslashes left alone (values in it are already escaped);
    // every other invisible character is escaped.
    Message,
};

// Returns `text` with each invisible code point written as an escape: \xNN up to U+00FF, \uNNNN up to U+FFFF,
// \UNNNNNNNN above (hex, upper case). Invisible means: control characters (C0, DEL, C1), format characters
// (zero-width space, bidi overrides, BOM, ...), line/paragraph separators, spaces other than U+0020, unpaired
// surrogates, private-use and unassigned code points. Everything else, including non-ASCII letters, is kept.
QString escapeForDisplay(QStringView text, EscapeMode mode = EscapeMode::Value);

// True for the code points escapeForDisplay escapes (the list above; U+0020 is visible). Shared with quotedText
// (quotedtext.h), which escapes raw file bytes by the same rule.
bool isInvisibleCodePoint(char32_t cp);

} // namespace bd
