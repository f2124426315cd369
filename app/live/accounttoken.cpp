#include "accounttoken.h"

#include <QtGlobal>

namespace bd {

QString tokenFallbackEnv(const LiveAccount &a)
{
    if (!a.tokenEnv.isEmpty())
        return a.tokenEnv;
    QString name = QStringLiteral("BOTDESK_TOKEN_");
    for (const QChar c : a.name.toUpper())
        name += (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) || (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
                    ? c
                    : QLatin1Char('_');
    return name;
}

Result<QString> accountToken(const LiveAccount &a, const KeychainTokenReader &keychain)
{
    QString keychainNote;
    if (!a.tokenKey.isEmpty() && keychain) {
        Result<QString> read = keychain(a.tokenKey);
        if (read && !read->isEmpty())
            return read;
        keychainNote = read ? QStringLiteral("the system keychain has no entry '%1'").arg(a.tokenKey)
                            : read.error().message;
    }
    const QString var = tokenFallbackEnv(a);
    const QString token = qEnvironmentVariable(var.toLocal8Bit().constData());
    if (!token.isEmpty())
        return token;
    if (a.tokenEnv.isEmpty()) {
        const QString where = keychainNote.isEmpty()
                                  ? QStringLiteral("its token is in the system keychain (%1), which this host does not "
                                                   "read").arg(a.tokenKey)
                                  : keychainNote;
        return makeError(QStringLiteral("account %1: %2, and environment variable %3 is not set; export %3 before "
                                        "starting a headless host ('botdesk-cli live serve'), or store the token "
                                        "again in the desktop's Accounts page").arg(a.name, where, var));
    }
    return makeError(QStringLiteral("account %1's token: environment variable %2 is not set; export it before "
                                    "starting the host ('botdesk-cli live serve')").arg(a.name, a.tokenEnv));
}

Result<QString> tokenFromEnvironment(const LiveAccount &a)
{
    return accountToken(a, {});
}

} // namespace bd
