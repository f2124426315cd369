#pragma once
// The bridge token of a live account for a headless host (`botdesk-cli live serve`, benches, tests): read from the
// environment variable the account names (`accounts add --token-env VAR`). An account whose token is in the system
// keychain, or whose variable is not set, is an error naming the account and the fix. Never logs the token.
// Fits LiveRunHost::Options::tokenFor.

#include "liverunstore.h"
#include "result.h"

#include <QString>

namespace bd {

Result<QString> tokenFromEnvironment(const LiveAccount &account);

} // namespace bd
