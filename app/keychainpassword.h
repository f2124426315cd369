#pragma once
// Database passwords in the system keychain (QtKeychain: the Secret Service of GNOME Keyring / KWallet over D-Bus on
// Linux, the macOS Keychain, the Windows Credential Store), never in a settings file: QtKeychain's insecure
// fallback (a plain QSettings file) is always off.
//
// Entries are service "BotDesk", key keychainKey(url) = "user@host:port/dbname". Every call is asynchronous: it
// returns at once and calls `done` on `context`'s thread (the GUI thread) when the keychain answers; `done` is
// dropped if `context` is destroyed first. Errors name the key, what QtKeychain said and the fix (a keychain service,
// or libpq's ~/.pgpass). The password itself is never logged or put in a message.

#include "databaseurl.h"
#include "result.h"

#include <QString>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>

class QObject;

namespace bd {

// The keychain service name of BotDesk's entries.
QString keychainService();
// The key of `url`'s password: "user@host:port/dbname" with the parts as written in the URL (an empty user, host or
// dbname stays empty: libpq's default), port 5432 when not given, a socket directory as is. No password, no options.
QString keychainKey(const DatabaseUrl &url);

// Reads the password of `key`: an empty string when the keychain has no entry for it, else the password; an error
// when no keychain service answers or access was denied.
void readKeychainPassword(const QString &key, QObject *context, std::function<void(Result<QString>)> done);
// Stores `password` under `key` (replacing any entry); an error when it was not stored.
void writeKeychainPassword(const QString &key, const QString &password, QObject *context,
                           std::function<void(Result<void>)> done);
// Removes the entry of `key`; removing an entry that does not exist succeeds.
void deleteKeychainPassword(const QString &key, QObject *context, std::function<void(Result<void>)> done);

// The same calls for any secret of BotDesk's (a live account's bridge token: app/accounts/keychaintokenstore.h):
// `what` names it in logs and errors ("bridge token"), `fix` ends an error ("store the token in an environment
// variable instead ..."). The database-password functions above are these with what = "database password".
struct KeychainEntry {
    QString key;
    QString what;
    QString fix;
};
void readKeychainEntry(const KeychainEntry &entry, QObject *context, std::function<void(Result<QString>)> done);
void writeKeychainEntry(const KeychainEntry &entry, const QString &secret, QObject *context,
                        std::function<void(Result<void>)> done);
void deleteKeychainEntry(const KeychainEntry &entry, QObject *context, std::function<void(Result<void>)> done);

// A keychain answer that another thread waits for (the Bots page's store factory on its worker thread, while the
// GUI thread reads the keychain). Thread-safe.
class PendingPassword {
public:
    // The answer: the password (may be empty: no entry), or the keychain's error.
    void set(Result<QString> answer);
    // No answer will come (BotDesk is closing): waiters get `reason` as the error.
    void abandon(const QString &reason);
    // Blocks until the answer is set or `timeoutMs` passes (then an error saying the keychain did not answer).
    Result<QString> wait(int timeoutMs);

private:
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::optional<Result<QString>> m_answer;
};

} // namespace bd
