#pragma once
// The bot store a BotDesk process gets from its database choice (--db > BOTDESK_DB_URL > settings > local cluster):
// a PgBotStore together with the Database connection it uses, made on, and used by, one thread.
//
// makeDatabaseBotStoreFactory(target) gives a factory for BotLibrary's worker thread (the GUI) or any thread: each
// store it makes owns its own connection (named after `purpose`). Nothing connects when the factory or the store is
// made; the first call connects (starting the local cluster on demand) and brings the schema to this binary's
// (PgBotStore::ensureSchema) — a failure of either is that call's error (the URL, redacted, and the fix), and the
// next call tries again. A database target that could not be resolved gives stores whose every call fails with
// that resolution error (so a bad BOTDESK_DB_URL is shown in the Bots view instead of stopping the window).
//
// `password` (optional) is asked once, by the first store made, for a URL target without a password in it (the GUI
// reads it from the system keychain; it may block that worker thread until the keychain answers). A password it
// gives is used for the connection; an empty one or an error means none (libpq then reads ~/.pgpass). The
// password source's error is shown only when connecting then fails for lack of a password: it is appended to that
// connection error.

#include "botstore.h"
#include "databaseurl.h"
#include "result.h"

#include <functional>
#include <memory>

namespace bd {

using BotStoreFactory = std::function<std::unique_ptr<BotStore>()>;
// A blocking source of the password (any thread): the password, empty for none, or why there is none.
using PasswordSource = std::function<Result<QString>()>;

BotStoreFactory makeDatabaseBotStoreFactory(const Result<DatabaseTarget> &target, const QString &purpose,
                                            PasswordSource password = {});

// True when `message` (a connection error) says the server wanted a password it did not get (libpq's "no password
// supplied" or "password authentication failed").
bool isMissingPasswordError(const QString &message);
// `message` (a connection error) with "(BotDesk had no password to give: <passwordNote>)" appended when it is a
// missing-password error and `passwordNote` (why no password was found) is not empty; else `message` unchanged.
QString withPasswordNote(const QString &message, const QString &passwordNote);

// True when the password for `target` is looked for outside the URL (the system keychain): a server URL without one.
bool needsStoredPassword(const DatabaseTarget &target);

} // namespace bd
