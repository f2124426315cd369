#pragma once
// AccountTokenStore: where the desktop keeps a live account's bridge token (issue 10 §2). The account record keeps
// only WHERE the token is (LiveAccount::tokenKey, the entry's key); the token itself goes to this store — the system
// keychain in the app (app/accounts/keychaintokenstore.h), a map in the tests.
//
// Calls are asynchronous: they return at once and call `done` on `context`'s thread when the store answers (dropped
// when `context` is destroyed first). Errors name the entry and the fix; the token is never logged or put in one.

#include "result.h"

#include <QString>

#include <functional>

class QObject;

namespace bd {

class AccountTokenStore {
public:
    virtual ~AccountTokenStore() = default;
    // Stores `token` under `key`, replacing any entry.
    virtual void writeToken(const QString &key, const QString &token, QObject *context,
                            std::function<void(Result<void>)> done) = 0;
    // Removes the entry of `key`; one that does not exist is not an error.
    virtual void removeToken(const QString &key, QObject *context, std::function<void(Result<void>)> done) = 0;
};

// The token entry of account `name`: "bridge-token/<name>" (the account dialog's LiveAccount::tokenKey).
inline QString accountTokenKey(const QString &accountName)
{
    return QStringLiteral("bridge-token/") + accountName;
}

} // namespace bd
