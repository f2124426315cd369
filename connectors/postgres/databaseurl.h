#pragma once
// Where BotDesk's database is: a PostgreSQL URL (libpq's URI form) parsed into its parts, and the rule that picks
// the database a process uses.
//
//   postgresql://[user[:password]@][host][:port][/dbname][?option=value&option=value...]   (or postgres://)
//
// The host is a DNS name, an IPv4 address, an IPv6 address in brackets ([::1]) or, percent-encoded or given as the
// option ?host=/path, an absolute directory holding a Unix socket. Every part is percent-decoded (write a literal
// '%' as %25, '@' in a password as %40). Options are libpq's connection parameters (sslmode, connect_timeout,
// application_name, sslrootcert, ...; https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-PARAMKEYWORDS);
// host, port, user, password and dbname given as options replace the parts of the URL, and ssl=true means
// sslmode=require, as in libpq. A part left out keeps libpq's default (user: the OS user, port 5432, dbname: the user
// name, password: ~/.pgpass).
//
// A password never appears in a message or a log: redacted() writes it as ****.

#include "result.h"

#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace bd {

struct DatabaseUrl {
    QString user;      // empty: libpq's default, the OS user name
    QString password;  // empty: none in the URL (libpq reads ~/.pgpass); never printed
    QString host;      // name, address or absolute Unix-socket directory; empty: libpq's default socket directory
    int port = 0;      // 1..65535; 0: not given (libpq's default, 5432)
    QString dbname;    // empty: libpq's default, the user name
    QList<std::pair<QString, QString>> options;  // the other libpq options, in the order given (e.g. sslmode)

    // Parses `text`. `origin` names where the text came from ("--db", "BOTDESK_DB_URL") for the error, which
    // echoes the text with any password replaced by **** and says what to give instead. Refused: an empty text,
    // another scheme, a malformed authority or port (1..65535), several hosts, a bad %-escape, a fragment, an
    // unknown option, an option given twice or without '=', an sslmode other than libpq's six, and an option value
    // holding ';' (QPSQL cannot pass it).
    static Result<DatabaseUrl> parse(const QString &text, const QString &origin = QStringLiteral("--db"));

    // The value of option `name`, or an empty string when it is not given.
    QString option(const QString &name) const;
    // True when the host is a Unix-socket directory (an absolute path), false for a network host or none.
    bool isUnixSocket() const { return host.startsWith(QLatin1Char('/')); }

    // The URL with the password (and sslpassword) shown as ****, parts percent-encoded where needed; a socket
    // directory is written as ?host=/dir. For every message and log line.
    QString redacted() const;
};

// `text` as it may be echoed in a message when it could not be parsed: a password between "://user:" and '@' and
// the values of password= / sslpassword= options are replaced by ****.
QString redactDatabaseUrlText(const QString &text);

// The database a BotDesk process uses.
struct DatabaseTarget {
    enum class Kind {
        LocalCluster,  // BotDesk's private cluster (localcluster.h), started on demand
        Url,           // a server given by URL, which BotDesk does not start or stop
    };
    Kind kind = Kind::LocalCluster;
    DatabaseUrl url;  // Kind::Url only
    QString origin;   // where the choice came from: "--db", "BOTDESK_DB_URL", "the settings" or "the default"

    bool isLocalCluster() const { return kind == Kind::LocalCluster; }
    // "BotDesk's local database" or the redacted URL, followed by " (from <origin>)".
    QString describe() const;
};

// Picks the database: --db (when given) > BOTDESK_DB_URL (when set and not empty) > the GUI setting (when not
// empty) > BotDesk's local cluster. Each of them may also be the word "local", which selects the local cluster.
// `dbOption` is std::nullopt when --db was not given; an empty --db is an error. A value that is not a PostgreSQL
// URL is an error naming where it came from (never skipped for the next in line).
Result<DatabaseTarget> resolveDatabaseTarget(const std::optional<QString> &dbOption, const QString &environmentUrl,
                                             const QString &settingUrl = {});
// The same, with environmentUrl read from BOTDESK_DB_URL.
Result<DatabaseTarget> resolveDatabaseTarget(const std::optional<QString> &dbOption);

} // namespace bd
