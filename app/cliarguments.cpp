#include "cliarguments.h"

#include "displaytext.h"

namespace bd {

Result<std::string> parseLogLevel(const QString &text)
{
    static const QStringList kLevels{QStringLiteral("trace"), QStringLiteral("debug"), QStringLiteral("info"),
                                     QStringLiteral("warn"),  QStringLiteral("error"), QStringLiteral("off")};
    for (const QString &level : kLevels) {
        if (text.compare(level, Qt::CaseInsensitive) == 0)
            return level.toStdString();
    }
    return makeError(QStringLiteral("--log-level %1").arg(unknownChoiceMessage(QStringLiteral("log level"), text, kLevels)));
}

QString unknownChoiceMessage(const QString &what, const QString &value, const QStringList &choices, int maxShown)
{
    QString message = QStringLiteral("'%1' is not a known %2; choose one of: ").arg(escapeForDisplay(value), what);
    QStringList shown;
    for (qsizetype i = 0; i < choices.size() && i < maxShown; ++i)
        shown << escapeForDisplay(choices[i]);
    message += shown.join(QStringLiteral(", "));
    if (choices.size() > maxShown)
        message += QStringLiteral(" (and %1 more)").arg(choices.size() - maxShown);
    return message;
}

} // namespace bd
