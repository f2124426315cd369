// DatabaseUrl: libpq URLs parsed into their parts, redacted for messages, malformed ones refused with the fix; and
// the order in which BotDesk picks its database (--db > BOTDESK_DB_URL > settings > local cluster).

#include "databaseurl.h"
#include "resultcheck.h"

#include <QtTest>

using namespace bd;

class TestDatabaseUrl : public QObject {
    Q_OBJECT
private slots:
    void parsesEveryPart()
    {
        auto url = DatabaseUrl::parse(QStringLiteral("postgresql://alice:s3cret@db.example.com:6543/botdesk?sslmode=verify-full&connect_timeout=5"));
        QVERIFY_OK(url);
        QCOMPARE(url->user, QStringLiteral("alice"));
        QCOMPARE(url->password, QStringLiteral("s3cret"));
        QCOMPARE(url->host, QStringLiteral("db.example.com"));
        QCOMPARE(url->port, 6543);
        QCOMPARE(url->dbname, QStringLiteral("botdesk"));
        QCOMPARE(url->option(QStringLiteral("sslmode")), QStringLiteral("verify-full"));
        QCOMPARE(url->option(QStringLiteral("connect_timeout")), QStringLiteral("5"));
        QCOMPARE(url->option(QStringLiteral("application_name")), QString());
        QVERIFY(!url->isUnixSocket());
    }

    void partsMayBeLeftOut()
    {
        auto url = DatabaseUrl::parse(QStringLiteral("postgres://db.example.com"));
        QVERIFY_OK(url);
        QCOMPARE(url->host, QStringLiteral("db.example.com"));
        QCOMPARE(url->port, 0);
        QVERIFY(url->user.isEmpty() && url->password.isEmpty() && url->dbname.isEmpty() && url->options.isEmpty());

        auto bare = DatabaseUrl::parse(QStringLiteral("postgresql://"));
        QVERIFY_OK(bare);
        QVERIFY(bare->host.isEmpty());
        QCOMPARE(bare->redacted(), QStringLiteral("postgresql:///"));
    }

    void unixSocketDirectories()
    {
        auto option = DatabaseUrl::parse(QStringLiteral("postgresql://bob@/botdesk?host=/run/postgresql&port=5433"));
        QVERIFY_OK(option);
        QCOMPARE(option->host, QStringLiteral("/run/postgresql"));
        QCOMPARE(option->port, 5433);
        QVERIFY(option->isUnixSocket());
        QCOMPARE(option->redacted(), QStringLiteral("postgresql://bob@:5433/botdesk?host=/run/postgresql"));

        auto encoded = DatabaseUrl::parse(QStringLiteral("postgresql://bob@%2Fvar%2Frun%2Fpostgresql/botdesk"));
        QVERIFY_OK(encoded);
        QCOMPARE(encoded->host, QStringLiteral("/var/run/postgresql"));
        QVERIFY(encoded->isUnixSocket());
    }

    void ipv6AndPercentEncoding()
    {
        auto url = DatabaseUrl::parse(QStringLiteral("postgresql://us%40er:p%3Aw%2Fd%25@[2001:db8::1]:5432/my%20db"));
        QVERIFY_OK(url);
        QCOMPARE(url->user, QStringLiteral("us@er"));
        QCOMPARE(url->password, QStringLiteral("p:w/d%"));
        QCOMPARE(url->host, QStringLiteral("2001:db8::1"));
        QCOMPARE(url->port, 5432);
        QCOMPARE(url->dbname, QStringLiteral("my db"));
        QCOMPARE(url->redacted(), QStringLiteral("postgresql://us%40er:****@[2001:db8::1]:5432/my%20db"));

        auto noPort = DatabaseUrl::parse(QStringLiteral("postgresql://[::1]/x"));
        QVERIFY_OK(noPort);
        QCOMPARE(noPort->host, QStringLiteral("::1"));
        QCOMPARE(noPort->port, 0);

        // A '@' in a password works unencoded too (the last '@' ends the user part).
        auto at = DatabaseUrl::parse(QStringLiteral("postgresql://carol:a@b@host/db"));
        QVERIFY_OK(at);
        QCOMPARE(at->password, QStringLiteral("a@b"));
        QCOMPARE(at->host, QStringLiteral("host"));
    }

    void queryOptionsReplaceUrlParts()
    {
        auto url = DatabaseUrl::parse(
            QStringLiteral("postgresql://a@h:1/d?user=b&password=pw&dbname=e&port=2&host=h2&ssl=true&application_name=x%20y"));
        QVERIFY_OK(url);
        QCOMPARE(url->user, QStringLiteral("b"));
        QCOMPARE(url->password, QStringLiteral("pw"));
        QCOMPARE(url->dbname, QStringLiteral("e"));
        QCOMPARE(url->port, 2);
        QCOMPARE(url->host, QStringLiteral("h2"));
        QCOMPARE(url->option(QStringLiteral("sslmode")), QStringLiteral("require"));  // libpq's ssl=true
        QCOMPARE(url->option(QStringLiteral("application_name")), QStringLiteral("x y"));
        QCOMPARE(url->redacted(), QStringLiteral("postgresql://b:****@h2:2/e?sslmode=require&application_name=x%20y"));
    }

    void redactionNeverShowsAPassword()
    {
        auto url = DatabaseUrl::parse(QStringLiteral("postgresql://u:topsecret@h/d?sslpassword=keypass&sslmode=require"));
        QVERIFY_OK(url);
        const QString shown = url->redacted();
        QVERIFY2(!shown.contains(QStringLiteral("topsecret")) && !shown.contains(QStringLiteral("keypass")), qPrintable(shown));
        QCOMPARE(shown, QStringLiteral("postgresql://u:****@h/d?sslpassword=****&sslmode=require"));

        // Text that does not parse is redacted too before it is echoed.
        QCOMPARE(redactDatabaseUrlText(QStringLiteral("postgresql://u:topsecret@h:99999/d")),
                 QStringLiteral("postgresql://u:****@h:99999/d"));
        QCOMPARE(redactDatabaseUrlText(QStringLiteral("postgres:/u:topsecret@h/d")), QStringLiteral("postgres:/u:****@h/d"));
        QCOMPARE(redactDatabaseUrlText(QStringLiteral("postgresql://h/d?password=topsecret&x=1")),
                 QStringLiteral("postgresql://h/d?password=****&x=1"));
    }

    void malformedUrlsAreRefusedWithTheFix_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("other scheme") << "postgres:/x"
                                      << "--db 'postgres:/x' is not a PostgreSQL URL; give e.g. postgresql://user@host:5432/dbname";
        QTest::newRow("mysql") << "mysql://u@h/d" << "is not a PostgreSQL URL";
        QTest::newRow("empty") << "" << "--db is empty; give e.g. postgresql://user@host:5432/dbname";
        QTest::newRow("port word") << "postgresql://u:pw@h:abc/d"
                                   << "--db 'postgresql://u:****@h:abc/d' has port 'abc', which is not a number from 1 to 65535";
        QTest::newRow("port zero") << "postgresql://h:0/d" << "has port '0'";
        QTest::newRow("port too big") << "postgresql://h:65536/d" << "has port '65536'";
        QTest::newRow("port empty") << "postgresql://h:/d" << "has port ''";
        QTest::newRow("port option") << "postgresql://h/d?port=-1" << "has port '-1'";
        QTest::newRow("bad escape") << "postgresql://h/d%zz" << "has a bad %-escape '%zz' in the database name; write a literal '%' as %25";
        QTest::newRow("short escape") << "postgresql://h/d%4" << "has a bad %-escape '%4'";
        QTest::newRow("signed escape") << "postgresql://h/d%+1" << "has a bad %-escape '%+1'";
        QTest::newRow("NUL escape") << "postgresql://u:p%00w@h/d" << "has %00 (a NUL character) in the password";
        QTest::newRow("not UTF-8") << "postgresql://h/%ff%fe" << "has %-escapes in the database name that are not UTF-8";
        QTest::newRow("several hosts") << "postgresql://h1,h2/d" << "names several hosts ('h1,h2'); give one host";
        QTest::newRow("unbracketed ipv6") << "postgresql://::1/d" << "has an IPv6 address without brackets";
        QTest::newRow("open bracket") << "postgresql://[::1/d" << "without its closing ']'";
        QTest::newRow("fragment") << "postgresql://h/d#x" << "has a '#' fragment";
        QTest::newRow("space") << "postgresql://h/my db" << "has a space or control character at position 18";
        QTest::newRow("unknown option") << "postgresql://h/d?sslmod=require" << "has unknown option 'sslmod'; use libpq's options: application_name";
        QTest::newRow("bad sslmode") << "postgresql://h/d?sslmode=on"
                                     << "has sslmode 'on'; give one of disable, allow, prefer, require, verify-ca, verify-full";
        QTest::newRow("ssl=false") << "postgresql://h/d?ssl=false" << "libpq takes only ssl=true";
        QTest::newRow("option twice") << "postgresql://h/d?sslmode=require&sslmode=disable" << "gives option 'sslmode' twice";
        QTest::newRow("option without value") << "postgresql://h/d?sslmode" << "has option 'sslmode' without a value; write it as sslmode=VALUE";
        QTest::newRow("semicolon") << "postgresql://h/d?application_name=a;b" << "has a ';' in the value of option 'application_name'";
        QTest::newRow("relative socket") << "postgresql://h/d?host=run/pg" << "neither a host name nor an absolute directory";
        QTest::newRow("password hidden in errors") << "postgresql://u:hunter2@h:x/d" << "'postgresql://u:****@h:x/d'";
    }

    void malformedUrlsAreRefusedWithTheFix()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        auto url = DatabaseUrl::parse(text);
        QVERIFY2(!url, qPrintable(text));
        QVERIFY2(url.error().message.contains(message), qPrintable(url.error().message));
        QVERIFY2(!url.error().message.contains(QStringLiteral("hunter2")), qPrintable(url.error().message));
        QVERIFY2(!url.error().message.contains(QStringLiteral(":pw@")), qPrintable(url.error().message));
    }

    void errorsNameWhereTheUrlCameFrom()
    {
        auto url = DatabaseUrl::parse(QStringLiteral("x"), QStringLiteral("BOTDESK_DB_URL"));
        QVERIFY(!url);
        QVERIFY2(url.error().message.startsWith(QStringLiteral("BOTDESK_DB_URL 'x' is not a PostgreSQL URL")),
                 qPrintable(url.error().message));
    }

    void resolutionOrder()
    {
        const QString a = QStringLiteral("postgresql://a@ha/da"), b = QStringLiteral("postgresql://b@hb/db"),
                      c = QStringLiteral("postgresql://c@hc/dc");
        auto fromOption = resolveDatabaseTarget(a, b, c);
        QVERIFY(fromOption);
        QCOMPARE(fromOption->kind, DatabaseTarget::Kind::Url);
        QCOMPARE(fromOption->url.host, QStringLiteral("ha"));
        QCOMPARE(fromOption->origin, QStringLiteral("--db"));
        QCOMPARE(fromOption->describe(), QStringLiteral("postgresql://a@ha/da (from --db)"));

        auto fromEnvironment = resolveDatabaseTarget(std::nullopt, b, c);
        QVERIFY(fromEnvironment);
        QCOMPARE(fromEnvironment->url.host, QStringLiteral("hb"));
        QCOMPARE(fromEnvironment->origin, QStringLiteral("BOTDESK_DB_URL"));

        auto fromSetting = resolveDatabaseTarget(std::nullopt, QString(), c);
        QVERIFY(fromSetting);
        QCOMPARE(fromSetting->url.host, QStringLiteral("hc"));
        QCOMPARE(fromSetting->origin, QStringLiteral("the settings"));

        auto local = resolveDatabaseTarget(std::nullopt, QString(), QString());
        QVERIFY(local);
        QVERIFY(local->isLocalCluster());
        QCOMPARE(local->describe(), QStringLiteral("BotDesk's local database"));

        // "local" anywhere in the chain selects the local cluster, e.g. to override BOTDESK_DB_URL for one command.
        auto forcedLocal = resolveDatabaseTarget(QStringLiteral("local"), b);
        QVERIFY(forcedLocal);
        QVERIFY(forcedLocal->isLocalCluster());
        QCOMPARE(forcedLocal->describe(), QStringLiteral("BotDesk's local database (from --db)"));

        // A bad value is an error naming its origin, never skipped for the next in line.
        auto badEnvironment = resolveDatabaseTarget(std::nullopt, QStringLiteral("postgres:/x"), c);
        QVERIFY(!badEnvironment);
        QVERIFY2(badEnvironment.error().message.startsWith(QStringLiteral("BOTDESK_DB_URL 'postgres:/x' is not a PostgreSQL URL")),
                 qPrintable(badEnvironment.error().message));
        auto emptyOption = resolveDatabaseTarget(QString(), b);
        QVERIFY(!emptyOption);
        QVERIFY2(emptyOption.error().message.startsWith(QStringLiteral("--db is empty")), qPrintable(emptyOption.error().message));
    }

    void environmentOverload()
    {
        qputenv("BOTDESK_DB_URL", "postgresql://env@envhost/envdb");
        auto fromEnvironment = resolveDatabaseTarget(std::nullopt);
        qunsetenv("BOTDESK_DB_URL");
        QVERIFY(fromEnvironment);
        QCOMPARE(fromEnvironment->url.host, QStringLiteral("envhost"));
        auto unset = resolveDatabaseTarget(std::nullopt);
        QVERIFY(unset);
        QVERIFY(unset->isLocalCluster());
    }
};

QTEST_GUILESS_MAIN(TestDatabaseUrl)
#include "tst_databaseurl.moc"
