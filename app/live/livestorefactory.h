#pragma once
// The Live page's stores for a database choice (issue 10): a LiveStoreFactory (models/live/livemonitor.h) that makes,
// on the calling thread (the LiveMonitor's worker), a Database connection named after `purpose` with a
// PgLiveRunStore and a PgTradeStore on it. Connecting happens at the first call of a store (the local cluster is
// started on demand), and is retried by the Database after a lost connection.
// A target that could not be resolved makes a factory whose every call fails with that resolution error; `password`
// (optional) is asked for a server URL without a password, as for the Bots page (databasebotstore.h).

#include "databasebotstore.h"
#include "livemonitor.h"

namespace bd {

LiveStoreFactory makeLiveStoreFactory(const Result<DatabaseTarget> &target, const QString &purpose,
                                      PasswordSource password = {});

} // namespace bd
