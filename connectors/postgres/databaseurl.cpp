#include "databaseurl.h"

#include <QRegularExpression>
#include <QUrl>

namespace bd {

namespace {

const QString kExample = QStringLiteral("postgresql://user@host:5432/dbname");

// libpq 15's connection parameters other than the five the URL itself carries (host, port, user, password, dbname).
const QStringList kKnownOptions = {
    QStringLiteral("application_name"), QStringLiteral("channel_binding"), QStringLiteral("client_encoding"),
    QStringLiteral("connect_timeout"), QStringLiteral("fallback_application_name"), QStringLiteral("gssencmode"),
    QStringLiteral("gsslib"), QStringLiteral("hostaddr"), QStringLiteral("keepalives"),
    QStringLiteral("keepalives_count"), QStringLiteral("keepalives_idle"), QStringLiteral("keepalives_interval"),
    QStringLiteral("krbsrvname"), QStringLiteral("options"), QStringLiteral("passfile"),
    QStringLiteral("requirepeer"), QStringLiteral("requiressl"), QStringLiteral("service"),
    QStringLiteral("ssl_max_protocol_version"), QStringLiteral("ssl_min_protocol_version"), QStringLiteral("sslcert"),
    QStringLiteral("sslcompression"), QStringLiteral("sslcrl"), QStringLiteral("sslcrldir"), QStringLiteral("sslkey"),
    QStringLiteral("sslmode"), QStringLiteral("sslpassword"), QStringLiteral("sslrootcert"), QStringLiteral("sslsni"),
    QStringLiteral("target_session_attrs"), QStringLiteral("tcp_user_timeout"),
};
const QStringList kSslModes = {QStringLiteral("disable"), QStringLiteral("allow"), QStringLiteral("prefer"),
                               QStringLiteral("require"), QStringLiteral("verify-ca"), QStringLiteral("verify-full")};

bool isSecretOption(const QString &name)
{
    return name == QLatin1String("password") || name == QLatin1String("sslpassword");
}

// Builds the errors of one parse: "<origin> '<redacted text>' <problem>; <fix>".
class UrlErrors {
public:
    UrlErrors(const QString &origin, const QString &text) : m_origin(origin), m_shown(redactDatabaseUrlText(text)) {}
    Error operator()(const QString &problem, const QString &fix = {}) const
    {
        return makeError(QStringLiteral("%1 '%2' %3; %4")
                             .arg(m_origin, m_shown, problem,
                                  fix.isEmpty() ? QStringLiteral("give e.g. %1").arg(kExample) : fix));
    }

private:
    QString m_origin;
    QString m_shown;
};

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Strict percent-decoding (a '%' must start a two-hex-digit escape); the bytes are UTF-8.
Result<QString> percentDecode(const QString &part, const QString &what, const UrlErrors &fail)
{
    const QByteArray raw = part.toUtf8();
    QByteArray bytes;
    bytes.reserve(raw.size());
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw[i] != '%') {
            bytes += raw[i];
            continue;
        }
        const int high = i + 1 < raw.size() ? hexDigit(raw[i + 1]) : -1;
        const int low = i + 2 < raw.size() ? hexDigit(raw[i + 2]) : -1;
        if (high < 0 || low < 0)
            return fail(QStringLiteral("has a bad %-escape '%1' in the %2")
                            .arg(QString::fromUtf8(raw.mid(i, 3)), what),
                        QStringLiteral("write a literal '%' as %25"));
        if (high == 0 && low == 0)
            return fail(QStringLiteral("has %1 (a NUL character) in the %2").arg(QStringLiteral("%00"), what),
                        QStringLiteral("remove it: libpq cannot pass it"));
        bytes += char(high * 16 + low);
        i += 2;
    }
    const QString decoded = QString::fromUtf8(bytes);
    if (decoded.toUtf8() != bytes)
        return fail(QStringLiteral("has %-escapes in the %1 that are not UTF-8").arg(what),
                    QStringLiteral("percent-encode the UTF-8 bytes of the text"));
    return decoded;
}

Result<int> parsePort(const QString &text, const UrlErrors &fail)
{
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,5}$"));
    const int port = digits.match(text).hasMatch() ? text.toInt() : 0;
    if (port < 1 || port > 65535)
        return fail(QStringLiteral("has port '%1', which is not a number from 1 to 65535").arg(text));
    return port;
}

QString encodePart(const QString &text, const QByteArray &keep = {})
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text, keep));
}

} // namespace

Result<DatabaseUrl> DatabaseUrl::parse(const QString &text, const QString &origin)
{
    const UrlErrors fail(origin, text);
    if (text.isEmpty())
        return makeError(QStringLiteral("%1 is empty; give e.g. %2").arg(origin, kExample));

    qsizetype schemeLength = 0;
    for (const QLatin1String scheme : {QLatin1String("postgresql://"), QLatin1String("postgres://")}) {
        if (text.startsWith(scheme, Qt::CaseInsensitive))
            schemeLength = scheme.size();
    }
    if (schemeLength == 0)
        return fail(QStringLiteral("is not a PostgreSQL URL"));
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i].unicode() <= 0x20 || text[i].unicode() == 0x7f)
            return fail(QStringLiteral("has a space or control character at position %1").arg(i + 1),
                        QStringLiteral("percent-encode it (a space is %20)"));
    }
    if (text.contains(QLatin1Char('#')))
        return fail(QStringLiteral("has a '#' fragment"), QStringLiteral("remove it, or write a '#' in a password as %23"));

    QString rest = text.mid(schemeLength);
    QString query;
    if (const qsizetype q = rest.indexOf(QLatin1Char('?')); q >= 0) {
        query = rest.mid(q + 1);
        rest.truncate(q);
    }
    QString authority = rest;
    QString path;
    if (const qsizetype slash = rest.indexOf(QLatin1Char('/')); slash >= 0) {
        authority = rest.left(slash);
        path = rest.mid(slash + 1);
    }

    DatabaseUrl url;
    QString hostPort = authority;
    if (const qsizetype at = authority.lastIndexOf(QLatin1Char('@')); at >= 0) {
        const QString userInfo = authority.left(at);
        hostPort = authority.mid(at + 1);
        const qsizetype colon = userInfo.indexOf(QLatin1Char(':'));
        auto user = percentDecode(colon >= 0 ? userInfo.left(colon) : userInfo, QStringLiteral("user name"), fail);
        if (!user)
            return user.error();
        url.user = *user;
        if (colon >= 0) {
            auto password = percentDecode(userInfo.mid(colon + 1), QStringLiteral("password"), fail);
            if (!password)
                return password.error();
            url.password = *password;
        }
    }

    QString hostText = hostPort;
    QString portText;
    bool hasPort = false;
    if (hostPort.startsWith(QLatin1Char('['))) {
        const qsizetype close = hostPort.indexOf(QLatin1Char(']'));
        if (close < 0)
            return fail(QStringLiteral("has an IPv6 address without its closing ']'"),
                        QStringLiteral("write it as postgresql://user@[::1]:5432/dbname"));
        hostText = hostPort.mid(1, close - 1);
        const QString after = hostPort.mid(close + 1);
        if (!after.isEmpty() && !after.startsWith(QLatin1Char(':')))
            return fail(QStringLiteral("has '%1' after the IPv6 address").arg(after),
                        QStringLiteral("write it as postgresql://user@[::1]:5432/dbname"));
        if (after.startsWith(QLatin1Char(':'))) {
            hasPort = true;
            portText = after.mid(1);
        }
        if (hostText.isEmpty())
            return fail(QStringLiteral("has an empty IPv6 address '[]'"));
    } else {
        if (hostPort.contains(QLatin1Char(',')))
            return fail(QStringLiteral("names several hosts ('%1')").arg(hostPort), QStringLiteral("give one host"));
        if (hostPort.count(QLatin1Char(':')) > 1)
            return fail(QStringLiteral("has an IPv6 address without brackets"),
                        QStringLiteral("write it as postgresql://user@[::1]:5432/dbname"));
        if (const qsizetype colon = hostPort.indexOf(QLatin1Char(':')); colon >= 0) {
            hasPort = true;
            hostText = hostPort.left(colon);
            portText = hostPort.mid(colon + 1);
        }
    }
    if (hasPort) {
        auto port = parsePort(portText, fail);
        if (!port)
            return port.error();
        url.port = *port;
    }
    auto host = percentDecode(hostText, QStringLiteral("host"), fail);
    if (!host)
        return host.error();
    url.host = *host;
    auto dbname = percentDecode(path, QStringLiteral("database name"), fail);
    if (!dbname)
        return dbname.error();
    url.dbname = *dbname;

    QStringList seen;
    for (const QString &pair : query.split(QLatin1Char('&'), Qt::SkipEmptyParts)) {
        const qsizetype eq = pair.indexOf(QLatin1Char('='));
        auto key = percentDecode(eq >= 0 ? pair.left(eq) : pair, QStringLiteral("option names"), fail);
        if (!key)
            return key.error();
        if (eq < 0)
            return fail(QStringLiteral("has option '%1' without a value").arg(*key),
                        QStringLiteral("write it as %1=VALUE").arg(*key));
        auto value = percentDecode(pair.mid(eq + 1), QStringLiteral("value of option '%1'").arg(*key), fail);
        if (!value)
            return value.error();
        QString name = *key;
        if (name == QLatin1String("ssl")) {
            if (*value != QLatin1String("true"))
                return fail(QStringLiteral("has ssl=%1").arg(*value),
                            QStringLiteral("libpq takes only ssl=true (sslmode=require); give sslmode=%1")
                                .arg(kSslModes.join(QLatin1Char('|'))));
            name = QStringLiteral("sslmode");
            *value = QStringLiteral("require");
        }
        if (seen.contains(name))
            return fail(QStringLiteral("gives option '%1' twice").arg(name), QStringLiteral("give it once"));
        seen << name;
        if (value->contains(QLatin1Char(';')))
            return fail(QStringLiteral("has a ';' in the value of option '%1', which Qt's PostgreSQL driver cannot pass")
                            .arg(name),
                        QStringLiteral("use a value without ';' (for a password, use ~/.pgpass)"));

        if (name == QLatin1String("host")) {
            if (value->isEmpty() || value->contains(QLatin1Char(',')))
                return fail(QStringLiteral("has host option '%1'").arg(*value),
                            QStringLiteral("give one host name or an absolute socket directory, e.g. ?host=/run/postgresql"));
            url.host = *value;
        } else if (name == QLatin1String("port")) {
            auto port = parsePort(*value, fail);
            if (!port)
                return port.error();
            url.port = *port;
        } else if (name == QLatin1String("user")) {
            url.user = *value;
        } else if (name == QLatin1String("password")) {
            url.password = *value;
        } else if (name == QLatin1String("dbname")) {
            url.dbname = *value;
        } else if (!kKnownOptions.contains(name)) {
            return fail(QStringLiteral("has unknown option '%1'").arg(name),
                        QStringLiteral("use libpq's options: %1").arg(kKnownOptions.join(QStringLiteral(", "))));
        } else if (name == QLatin1String("sslmode") && !kSslModes.contains(*value)) {
            return fail(QStringLiteral("has sslmode '%1'").arg(*value),
                        QStringLiteral("give one of %1").arg(kSslModes.join(QStringLiteral(", "))));
        } else {
            url.options.append({name, *value});
        }
    }
    if (!url.host.isEmpty() && !url.isUnixSocket() && url.host.contains(QLatin1Char('/')))
        return fail(QStringLiteral("has host '%1', which is neither a host name nor an absolute directory").arg(url.host),
                    QStringLiteral("give a host name, or a socket directory starting with '/'"));
    return url;
}

QString DatabaseUrl::option(const QString &name) const
{
    for (const auto &[key, value] : options) {
        if (key == name)
            return value;
    }
    return {};
}

QString DatabaseUrl::redacted() const
{
    QString out = QStringLiteral("postgresql://");
    if (!user.isEmpty() || !password.isEmpty()) {
        out += encodePart(user);
        if (!password.isEmpty())
            out += QStringLiteral(":****");
        out += QLatin1Char('@');
    }
    if (!host.isEmpty() && !isUnixSocket())
        out += host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : encodePart(host, ".-");
    if (port > 0)
        out += QLatin1Char(':') + QString::number(port);
    out += QLatin1Char('/') + encodePart(dbname);
    QStringList query;
    if (isUnixSocket())
        query << QStringLiteral("host=") + encodePart(host, "/");
    for (const auto &[key, value] : options)
        query << key + QLatin1Char('=') + (isSecretOption(key) ? QStringLiteral("****") : encodePart(value));
    if (!query.isEmpty())
        out += QLatin1Char('?') + query.join(QLatin1Char('&'));
    return out;
}

QString redactDatabaseUrlText(const QString &text)
{
    QString out = text;
    // Query options holding secrets.
    static const QRegularExpression secretOption(QStringLiteral("([?&](?:ssl)?password=)[^&#]*"));
    out.replace(secretOption, QStringLiteral("\\1****"));
    // user:password@ in the authority (before the query); over-redacting a malformed text is fine.
    const qsizetype queryStart = out.indexOf(QLatin1Char('?'));
    const qsizetype at = out.left(queryStart >= 0 ? queryStart : out.size()).lastIndexOf(QLatin1Char('@'));
    if (at > 0) {
        const qsizetype userStart = out.left(at).lastIndexOf(QLatin1Char('/')) + 1;
        const qsizetype colon = out.indexOf(QLatin1Char(':'), userStart);
        if (colon >= 0 && colon < at)
            out.replace(colon + 1, at - colon - 1, QStringLiteral("****"));
    }
    return out;
}

QString DatabaseTarget::describe() const
{
    const QString what = isLocalCluster() ? QStringLiteral("BotDesk's local database") : url.redacted();
    if (origin.isEmpty() || origin == QLatin1String("the default"))
        return what;
    return QStringLiteral("%1 (from %2)").arg(what, origin);
}

Result<DatabaseTarget> resolveDatabaseTarget(const std::optional<QString> &dbOption, const QString &environmentUrl,
                                             const QString &settingUrl)
{
    const auto pick = [](const QString &value, const QString &origin) -> Result<DatabaseTarget> {
        if (value == QLatin1String("local"))
            return DatabaseTarget{DatabaseTarget::Kind::LocalCluster, {}, origin};
        auto url = DatabaseUrl::parse(value, origin);
        if (!url)
            return url.error();
        return DatabaseTarget{DatabaseTarget::Kind::Url, *url, origin};
    };
    if (dbOption) {
        if (dbOption->isEmpty())
            return makeError(QStringLiteral("--db is empty; give e.g. %1, or 'local' for BotDesk's own database")
                                 .arg(kExample));
        return pick(*dbOption, QStringLiteral("--db"));
    }
    if (!environmentUrl.isEmpty())
        return pick(environmentUrl, QStringLiteral("BOTDESK_DB_URL"));
    if (!settingUrl.isEmpty())
        return pick(settingUrl, QStringLiteral("the settings"));
    return DatabaseTarget{DatabaseTarget::Kind::LocalCluster, {}, QStringLiteral("the default")};
}

Result<DatabaseTarget> resolveDatabaseTarget(const std::optional<QString> &dbOption)
{
    return resolveDatabaseTarget(dbOption, qEnvironmentVariable("BOTDESK_DB_URL"));
}

} // namespace bd
