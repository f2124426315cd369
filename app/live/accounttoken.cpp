#include "accounttoken.h"

#include <QtGlobal>

namespace bd {

Result<QString> tokenFromEnvironment(const LiveAccount &a)
{
    if (a.tokenEnv.isEmpty())
        return makeError(QStringLiteral("account %1 keeps its token in the keychain (%2), which the command line does "
                                        "not read; add the account with --token-env VAR for a headless host")
                             .arg(a.name, a.tokenKey));
    const QString token = qEnvironmentVariable(a.tokenEnv.toLocal8Bit().constData());
    if (token.isEmpty())
        return makeError(QStringLiteral("account %1's token: environment variable %2 is not set; export it before "
                                        "starting the host ('botdesk-cli live serve')").arg(a.name, a.tokenEnv));
    return token;
}

} // namespace bd
