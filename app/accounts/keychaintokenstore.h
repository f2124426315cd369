#pragma once
// KeychainTokenStore: live accounts' bridge tokens in the system keychain (QtKeychain, service "BotDesk", key
// accountTokenKey(name) = "bridge-token/<name>"), through app/keychainpassword.h's entry calls; never a settings
// file. The AccountTokenStore port for the Accounts page, and a blocking reader (KeychainTokenReader,
// app/live/accounttoken.h) for hosts and Test connection.
//
// Errors name the entry and the fix: with no keychain service (CI, a headless session) "cannot store the bridge token
// of 'bridge-token/x' in the system keychain: no keychain service answered ...; start a keychain service (GNOME
// Keyring or KWallet), or keep the token in an environment variable (the account dialog's other choice)".

#include "accounttoken.h"
#include "accounttokenstore.h"

class QObject;

namespace bd {

class KeychainTokenStore final : public AccountTokenStore {
public:
    void writeToken(const QString &key, const QString &token, QObject *context,
                    std::function<void(Result<void>)> done) override;
    void removeToken(const QString &key, QObject *context, std::function<void(Result<void>)> done) override;
};

// A reader that asks the keychain on `guiContext`'s thread (where QtKeychain's D-Bus calls run) and waits for the
// answer up to `timeoutMs` on the calling thread, which must NOT be that thread (a pool or host thread).
KeychainTokenReader makeKeychainTokenReader(QObject *guiContext, int timeoutMs = 15'000);

} // namespace bd
