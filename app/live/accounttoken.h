#pragma once
// The bridge token of a live account for a host (`botdesk-cli live serve`, the desktop, benches, tests).
//
// An account keeps WHERE its token is, never the token (LiveAccount): either an environment variable (`accounts add
// --token-env VAR`) or a system keychain entry (`tokenKey`, what the desktop's account dialog writes). The lookup:
//   1. a keychain account and a keychain reader given (the desktop): the keychain entry, when it has one;
//   2. else the environment: the account's tokenEnv, or for a keychain account its fallback variable
//      tokenFallbackEnv(account) = BOTDESK_TOKEN_<NAME> (the name upper-cased, every other character than A-Z, 0-9
//      made '_'), so a headless `live serve` can host an account that was added in the desktop.
// Errors name the account, where the token was looked for and the fix. Never logs the token.
// tokenFromEnvironment fits LiveRunHost::Options::tokenFor as is; accountToken with a reader through a lambda.

#include "liverunstore.h"
#include "result.h"

#include <QString>

#include <functional>

namespace bd {

// Reads keychain entry `key` (blocking; never on the GUI thread): the token, an empty string when the keychain has
// no entry, or an error when no keychain service answered.
using KeychainTokenReader = std::function<Result<QString>(const QString &key)>;

// The environment variable a headless host reads for `account`: its tokenEnv, or BOTDESK_TOKEN_<NAME> for a
// keychain account ("icm-demo" -> BOTDESK_TOKEN_ICM_DEMO).
QString tokenFallbackEnv(const LiveAccount &account);

// The token by the rule above; `keychain` empty = environment only.
Result<QString> accountToken(const LiveAccount &account, const KeychainTokenReader &keychain);

// accountToken without a keychain (headless hosts).
Result<QString> tokenFromEnvironment(const LiveAccount &account);

} // namespace bd
