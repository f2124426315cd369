#include "keychaintokenstore.h"

#include "keychainpassword.h"

#include <QObject>
#include <QPointer>

#include <memory>

namespace bd {

namespace {

KeychainEntry tokenEntry(const QString &key)
{
    return {key, QStringLiteral("bridge token"),
            QStringLiteral("start a keychain service in this session (GNOME Keyring or KWallet), or keep the token in an "
                           "environment variable (the account dialog's other choice; export it before starting BotDesk)")};
}

} // namespace

void KeychainTokenStore::writeToken(const QString &key, const QString &token, QObject *context,
                                    std::function<void(Result<void>)> done)
{
    writeKeychainEntry(tokenEntry(key), token, context, std::move(done));
}

void KeychainTokenStore::removeToken(const QString &key, QObject *context, std::function<void(Result<void>)> done)
{
    deleteKeychainEntry(tokenEntry(key), context, std::move(done));
}

KeychainTokenReader makeKeychainTokenReader(QObject *guiContext, int timeoutMs)
{
    QPointer<QObject> context(guiContext);
    return [context, timeoutMs](const QString &key) -> Result<QString> {
        auto pending = std::make_shared<PendingPassword>();
        if (!context)
            return makeError(QStringLiteral("the bridge token of '%1' cannot be read: BotDesk is closing").arg(key));
        QObject *target = context.data();
        QMetaObject::invokeMethod(target, [target, key, pending] {
            readKeychainEntry(tokenEntry(key), target, [pending](Result<QString> answer) { pending->set(std::move(answer)); });
        }, Qt::QueuedConnection);
        Result<QString> answer = pending->wait(timeoutMs);
        if (!answer && answer.error().message.startsWith(QLatin1String("the system keychain did not answer")))
            // PendingPassword's own timeout speaks of database passwords.
            return makeError(QStringLiteral("the system keychain did not answer within %1 s for the bridge token '%2'; "
                                            "unlock it, or keep the token in an environment variable")
                                 .arg(timeoutMs / 1000).arg(key));
        return answer;
    };
}

} // namespace bd
