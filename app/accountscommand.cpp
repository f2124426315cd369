#include "accountscommand.h"

#include "displaytext.h"
#include "pgliverunstore.h"
#include "reportformat.h"

#include <cmath>

namespace bd {

namespace {

QString shown(const QString &text)
{
    return escapeForDisplay(text);
}

CliOutcome usage(const QString &message)
{
    return cliFailure(message + QStringLiteral("; see 'botdesk-cli --help'"), kCliExitUsage);
}

// The account `accounts add` describes, from its NAME and options; usage errors name the option and the fix.
Result<LiveAccount> accountFromOptions(const QString &name, const QCommandLineParser &parser)
{
    LiveAccount a;
    a.name = name;
    if (!parser.isSet(QStringLiteral("bridge")))
        return makeError(QStringLiteral("accounts add needs --bridge URL (e.g. --bridge ws://127.0.0.1:8765)"));
    a.bridgeUrl = parser.value(QStringLiteral("bridge"));
    if (!parser.isSet(QStringLiteral("token-env")))
        return makeError(QStringLiteral("accounts add needs --token-env VAR, the environment variable that will hold the "
                                        "bridge's token (e.g. --token-env BOTDESK_MT5_TOKEN); the token is never stored"));
    a.tokenEnv = parser.value(QStringLiteral("token-env"));
    a.magic = kDefaultAccountMagic;
    if (parser.isSet(QStringLiteral("magic"))) {
        bool ok = false;
        const QString text = parser.value(QStringLiteral("magic"));
        a.magic = text.toLongLong(&ok);
        if (!ok || a.magic <= 0)
            return makeError(QStringLiteral("--magic '%1' is not a whole number > 0 (e.g. --magic 900001)").arg(shown(text)));
    }
    if (parser.isSet(QStringLiteral("server-utc-offset"))) {
        bool ok = false;
        const QString text = parser.value(QStringLiteral("server-utc-offset"));
        const double hours = text.toDouble(&ok);
        const double quarters = hours * 4.0;
        if (!ok || !std::isfinite(hours) || hours < -12.0 || hours > 14.0 || quarters != std::floor(quarters))
            return makeError(QStringLiteral("--server-utc-offset '%1' is not hours from -12 to 14 in steps of 0.25 "
                                            "(e.g. 2 for a server on UTC+2)").arg(shown(text)));
        a.serverUtcOffsetMin = int(std::lround(hours * 60.0));
    }
    if (auto valid = validateLiveAccount(a); !valid)
        return valid.error();
    return a;
}

QString offsetText(int minutes)
{
    const int abs = std::abs(minutes);
    return QStringLiteral("UTC%1%2:%3")
        .arg(minutes < 0 ? QLatin1Char('-') : QLatin1Char('+'))
        .arg(abs / 60, 2, 10, QLatin1Char('0'))
        .arg(abs % 60, 2, 10, QLatin1Char('0'));
}

CliOutcome list(PgLiveRunStore &store, QTextStream &out)
{
    auto accounts = store.accounts();
    if (!accounts)
        return cliFailure(accounts.error().message);
    if (accounts->empty()) {
        out << "no accounts yet; add one with: botdesk-cli accounts add NAME --bridge ws://127.0.0.1:8765 --token-env "
               "BOTDESK_MT5_TOKEN"
            << Qt::endl;
        return {};
    }
    out << QStringLiteral("%1  %2  %3  %4  %5  %6")
               .arg(QStringLiteral("NAME"), -20)
               .arg(QStringLiteral("BRIDGE"), -32)
               .arg(QStringLiteral("TOKEN FROM"), -24)
               .arg(QStringLiteral("MAGIC"), 10)
               .arg(QStringLiteral("SERVER"), -9)
               .arg(QStringLiteral("CREATED"))
        << Qt::endl;
    for (const LiveAccount &a : *accounts) {
        const QString token = a.tokenEnv.isEmpty() ? QStringLiteral("keychain:") + a.tokenKey
                                                   : QStringLiteral("$") + a.tokenEnv;
        out << QStringLiteral("%1  %2  %3  %4  %5  %6")
                   .arg(shown(a.name), -20)
                   .arg(shown(a.bridgeUrl), -32)
                   .arg(shown(token), -24)
                   .arg(a.magic, 10)
                   .arg(offsetText(a.serverUtcOffsetMin) + (a.dstRule.isEmpty() ? QString() : QLatin1Char(' ') + a.dstRule), -9)
                   .arg(report::utcSecond(a.createdAtMs))
            << Qt::endl;
    }
    return {};
}

} // namespace

void addAccountsOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        {QStringLiteral("bridge"), QStringLiteral("accounts add: the mt5b bridge's URL, ws://host:port or wss://host:port."),
         QStringLiteral("url")},
        {QStringLiteral("token-env"), QStringLiteral("accounts add: the environment variable that holds the bridge's "
                                                     "token (the token is never stored)."), QStringLiteral("var")},
        {QStringLiteral("magic"), QStringLiteral("accounts add: ORDER_MAGIC of BotDesk's orders on the account "
                                                 "(default %1).").arg(kDefaultAccountMagic), QStringLiteral("n")},
    });
}

CliOutcome runAccountsCommand(const QStringList &arguments, const QCommandLineParser &parser, QTextStream &out)
{
    const QString sub = arguments.value(0);
    if (sub != QLatin1String("add") && sub != QLatin1String("list") && sub != QLatin1String("remove"))
        return usage(sub.isEmpty() ? QStringLiteral("accounts needs a subcommand: add, list or remove")
                                   : QStringLiteral("unknown accounts subcommand '%1': use add, list or remove").arg(shown(sub)));
    const int wanted = sub == QLatin1String("list") ? 1 : 2;
    if (arguments.size() != wanted)
        return usage(wanted == 1 ? QStringLiteral("accounts list takes no argument")
                                 : QStringLiteral("accounts %1 takes one account name (got %2)")
                                       .arg(sub)
                                       .arg(arguments.size() - 1));
    LiveAccount account;
    if (sub == QLatin1String("add")) {
        auto parsed = accountFromOptions(arguments.at(1), parser);
        if (!parsed)
            return usage(parsed.error().message);
        account = *parsed;
    }

    int exitCode = kCliExitFailure;
    auto session = openStore(parser, out, &exitCode);
    if (!session)
        return cliFailure(session.error().message, exitCode);
    PgLiveRunStore store(*session->db);
    if (sub == QLatin1String("list"))
        return list(store, out);
    if (sub == QLatin1String("add")) {
        if (auto added = store.addAccount(account); !added)
            return cliFailure(added.error().message);
        out << "added account " << shown(account.name) << " (bridge " << shown(account.bridgeUrl) << ", token from $"
            << account.tokenEnv << ", magic " << account.magic << ", server " << offsetText(account.serverUtcOffsetMin)
            << ')' << Qt::endl;
        return {};
    }
    if (auto removed = store.removeAccount(arguments.at(1)); !removed)
        return cliFailure(removed.error().message);
    out << "removed account " << shown(arguments.at(1)) << Qt::endl;
    return {};
}

} // namespace bd
