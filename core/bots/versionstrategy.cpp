#include "versionstrategy.h"

#include "bot.h"

namespace bd {

QString versionCodeName(const QString &botName, const QString &codeHash)
{
    return QStringLiteral("%1@%2.py").arg(botName, shortHash(codeHash));
}

bool isPythonTemplate(const QString &strategyTemplate)
{
    return strategyTemplate.endsWith(QLatin1String(".py"));
}

} // namespace bd
