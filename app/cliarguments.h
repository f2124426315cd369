#pragma once
// Strict parsing of the values given to botdesk-cli and botdesk on the command line. A value is either taken
// exactly as written or refused with a message that names the option, echoes the value (invisible characters
// escaped) and says what to give instead: nothing is replaced by a default.

#include "result.h"

#include <QString>
#include <QStringList>

#include <string>

namespace bd {

// --log-level: one of trace, debug, info, warn, error, off (case-insensitive). Returns the lower-case name, or an
// error naming the escaped value and the choices.
Result<std::string> parseLogLevel(const QString &text);

// "'x' is not a <what>; choose one of: a, b, c" with the value escaped; lists at most `maxShown` choices and then
// says how many more there are.
QString unknownChoiceMessage(const QString &what, const QString &value, const QStringList &choices, int maxShown = 20);

} // namespace bd
