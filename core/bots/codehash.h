#pragma once
// The identity of a bot version's content: code_hash (docs/bots.md).
//
//   code_hash = lowercase hex SHA-256 of  utf8(code) + "\n--botdesk-params--\n" + canonicalJson(params)
//
// Equal content gives an equal hash on every build and platform; any change of the code (one byte) or of a
// parameter gives another. Golden hashes in tests/tst_codehash.cpp pin the exact bytes so it never drifts.

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace bd {

// The canonical JSON text of `value` (UTF-8, no whitespace), so that equal JSON content has equal bytes:
//  * objects: keys sorted by UTF-16 code unit (QString's operator<), "key":value pairs joined by ",";
//  * arrays: elements in order, joined by ",";
//  * strings (and keys): in quotes; '"' and '\' escaped with a backslash; U+0008, U+0009, U+000A, U+000C,
//    U+000D as \b \t \n \f \r; other code units below U+0020 and unpaired surrogates as \u00XX / \udXXX
//    (lowercase hex); everything else as raw UTF-8 — byte for byte what Qt 6.4's QJsonDocument::Compact
//    writes, but fixed here so a Qt upgrade cannot change it;
//  * numbers are IEEE doubles (as in JSON, RFC 8259 §6): a double that is a whole number with |x| < 2^53 is
//    written as an integer ("12" for 12 and 12.0, "0" for -0); any other finite double in the shortest form that
//    reads back to the same double (std::to_chars: 0.1 -> "0.1", 1e21 -> "1e+21", 1e-7 -> "1e-07").
//    An integer beyond ±2^53 given in JSON text is therefore hashed as its nearest double;
//  * true, false, null as is; a non-finite number (which JSON cannot hold) and an undefined value as null,
//    as QJsonDocument writes them.
QByteArray canonicalJson(const QJsonValue &value);
QByteArray canonicalJson(const QJsonObject &object);

// code_hash of a version's content: 64 lowercase hex digits (formula above). Never fails.
QString computeCodeHash(const QString &code, const QJsonObject &params);

} // namespace bd
