#pragma once
// quotedText: raw bytes from a data file, safe to show in a message between single quotes.
//
// Valid UTF-8 is kept, except what would be invisible or would break the line: ASCII controls become \t, \r,
// \n, \0 or \xNN; DEL is \x7F; a backslash is \\; Unicode controls, format characters (zero-width space,
// BOM...), separators other than the ASCII space (no-break space...), unassigned or private code points and
// U+FFFD (the stand-in for undecodable text) become \uXXXX (\UXXXXXXXX above U+FFFF); each byte of invalid
// UTF-8 becomes \xNN. After maxChars characters the text is cut: 'first 40 characters...' (12345 bytes).
// E.g. the bytes 31 2E 31 C2 A0 09 FF give '1.1\u00A0\t\xFF'.

#include <QString>

#include <string_view>

namespace bd {

QString quotedText(std::string_view bytes, int maxChars = 40);

} // namespace bd
