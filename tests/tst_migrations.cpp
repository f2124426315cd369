// Migrator and schema 0001 on a real PostgreSQL 15 (a throwaway cluster, pgharness.h): from an empty database and
// from every earlier version to the latest, a newer schema refused, a failed migration leaves nothing, two
// concurrent migrations take turns; bot versions are immutable in the database itself; row-level security lets a
// login see only its own bots, versions and runs unless it holds botdesk_admin.

#include "database.h"
#include "migrator.h"
#include "pgharness.h"
#include "resultcheck.h"

#include <QtTest>

#include <QSqlQuery>

#include <atomic>
#include <thread>

using namespace bd;
using namespace bd::pgtest;

namespace {

// Everything a migration defines, as sorted text: columns, constraints, indexes, policies, triggers, grants, RLS
// flags and the recorded versions. Two databases with equal fingerprints have the same schema.
const QString kFingerprintSql = QStringLiteral(R"(
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
  SELECT format('column %s.%s %s null=%s default=%s', table_name, column_name, data_type, is_nullable, column_default) AS x
    FROM information_schema.columns WHERE table_schema = 'public'
  UNION ALL SELECT format('constraint %s %s', conrelid::regclass, pg_get_constraintdef(oid))
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL SELECT format('policy %s.%s %s %s %s', tablename, policyname, cmd, qual, with_check)
    FROM pg_policies WHERE schemaname = 'public'
  UNION ALL SELECT format('trigger %s', pg_get_triggerdef(oid)) FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL SELECT format('rls %s %s %s', relname, relrowsecurity, relforcerowsecurity)
    FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
  UNION ALL SELECT format('grant %s %s %s', table_name, grantee, privilege_type)
    FROM information_schema.role_table_grants WHERE table_schema = 'public'
  UNION ALL SELECT format('version %s %s', version, name) FROM schema_version
) s)");

// The compiled migrations plus two more, so that "from every earlier version" runs today, with one migration.
std::vector<Migration> longerList()
{
    auto list = Migrator::compiled();
    Q_ASSERT(list);
    std::vector<Migration> migrations = *list;
    const int next = int(migrations.size()) + 1;
    migrations.push_back({next, QStringLiteral("%1_bot_descriptions").arg(next, 4, 10, QLatin1Char('0')),
                          QStringLiteral("ALTER TABLE bots ADD COLUMN description text NOT NULL DEFAULT '';")});
    migrations.push_back({next + 1, QStringLiteral("%1_run_tags").arg(next + 1, 4, 10, QLatin1Char('0')),
                          QStringLiteral("CREATE TABLE run_tags (run_id uuid NOT NULL REFERENCES backtest_runs(id), "
                                         "tag text NOT NULL, PRIMARY KEY (run_id, tag));\n"
                                         "CREATE INDEX run_tags_tag ON run_tags (tag);")});
    return migrations;
}

QString fingerprint(Database &db)
{
    auto text = db.scalar(kFingerprintSql);
    return text ? text->toString() : QStringLiteral("error: ") + text.error().message;
}



} // namespace

class TestMigrations : public QObject {
    Q_OBJECT
    PgHarness pg;

private slots:
    void initTestCase()
    {
        QVERIFY_OK(pg.start());
        qInfo("throwaway cluster ready in %lld ms (initdb + start)", pg.startMs());
    }

    void compiledMigrationsAreNumberedFromOne()
    {
        auto list = Migrator::compiled();
        QVERIFY_OK(list);
        QVERIFY(!list->empty());
        QCOMPARE(list->front().version, 1);
        QCOMPARE(list->front().name, QStringLiteral("0001_bots_versions_backtests"));
        QVERIFY(list->front().sql.contains(QStringLiteral("CREATE TABLE bot_versions")));
        QCOMPARE(Migrator::latestCompiledVersion(), list->back().version);
        QCOMPARE(Migrator::latestCompiledVersion(), int(list->size()));

        auto gap = Migrator::validate({{1, "0001_a", "SELECT 1"}, {3, "0003_c", "SELECT 1"}});
        QVERIFY(!gap);
        QVERIFY2(gap.error().message.contains("has version 3 where version 2 belongs"), qPrintable(gap.error().message));
        QVERIFY(!Migrator::validate({}));
    }

    void emptyDatabaseToLatest()
    {
        QElapsedTimer timer;
        timer.start();
        auto url = pg.createDatabase("empty_to_latest");
        QVERIFY_OK(url);
        qInfo("createDatabase: %lld ms", timer.elapsed());
        Database db(pg.target(*url), options("migrate"));
        Migrator migrator(db);
        QCOMPARE(migrator.latestVersion(), Migrator::latestCompiledVersion());
        auto before = migrator.currentVersion();
        QVERIFY_OK(before);
        QCOMPARE(*before, 0);

        timer.restart();
        auto outcome = migrator.migrate();
        QVERIFY_OK(outcome);
        qInfo("migrate from empty: %lld ms", timer.elapsed());
        QCOMPARE(outcome->fromVersion, 0);
        QCOMPARE(outcome->toVersion, migrator.latestVersion());
        QCOMPARE(outcome->applied.size(), migrator.latestVersion());
        QCOMPARE(outcome->applied.first(), QStringLiteral("0001_bots_versions_backtests"));
        auto after = migrator.currentVersion();
        QVERIFY_OK(after);
        QCOMPARE(*after, migrator.latestVersion());
        for (const char *table : {"bots", "bot_versions", "backtest_runs", "backtest_trades", "schema_version"})
            QVERIFY2(count(db, QStringLiteral("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = '%1'")
                                   .arg(QLatin1String(table))) == 1, table);
        QCOMPARE(count(db, "SELECT count(*) FROM schema_version"), migrator.latestVersion());
        QCOMPARE(count(db, "SELECT count(*) FROM schema_version WHERE applied_at <= now()"), migrator.latestVersion());

        // Again: nothing to do, nothing changes.
        const QString schema = fingerprint(db);
        auto again = migrator.migrate();
        QVERIFY_OK(again);
        QVERIFY(again->applied.isEmpty());
        QCOMPARE(again->fromVersion, migrator.latestVersion());
        QCOMPARE(fingerprint(db), schema);
    }

    // For every k < latest: apply 1..k, then migrate; the schema equals the one built from empty. The compiled list
    // (one migration today: no k yet) and a longer list (compiled + two test migrations) both run.
    void fromEveryEarlierVersion_data()
    {
        QTest::addColumn<bool>("longer");
        QTest::newRow("compiled list") << false;
        QTest::newRow("compiled list + 2 test migrations") << true;
    }

    void fromEveryEarlierVersion()
    {
        QFETCH(bool, longer);
        const std::vector<Migration> list = longer ? longerList() : *Migrator::compiled();
        const int latest = list.back().version;

        auto freshUrl = pg.createDatabase(QStringLiteral("fresh_%1").arg(latest));
        QVERIFY_OK(freshUrl);
        Database fresh(pg.target(*freshUrl), options("fresh"));
        QVERIFY_OK(Migrator(fresh, list).migrate());
        const QString expected = fingerprint(fresh);
        QVERIFY2(expected.contains(QStringLiteral("version %1 ").arg(latest)), qPrintable(expected));

        int checked = 0;
        for (int k = 1; k < latest; ++k) {
            auto url = pg.createDatabase(QStringLiteral("from_%1_of_%2").arg(k).arg(latest));
            QVERIFY_OK(url);
            Database db(pg.target(*url), options("from-k"));
            auto partial = Migrator(db, list).migrate(k);
            QVERIFY_OK(partial);
            QCOMPARE(partial->toVersion, k);
            QVERIFY2(fingerprint(db) != expected, "a partial schema differs from the latest");
            auto rest = Migrator(db, list).migrate();
            QVERIFY_OK(rest);
            QCOMPARE(rest->fromVersion, k);
            QCOMPARE(rest->toVersion, latest);
            QCOMPARE(rest->applied.size(), latest - k);
            QCOMPARE(fingerprint(db), expected);
            ++checked;
        }
        QCOMPARE(checked, latest - 1);
        if (longer)
            QVERIFY(checked >= 2);
    }

    void newerSchemaIsRefused()
    {
        // A name whose URL holds "%2F": QString::arg chains must not treat it as a placeholder.
        auto url = pg.createDatabase("newer/2");
        QVERIFY_OK(url);
        Database db(pg.target(*url), options("newer"));
        const std::vector<Migration> future = longerList();
        QVERIFY_OK(Migrator(db, future).migrate());
        const QString schema = fingerprint(db);

        Migrator current(db);  // this binary's list
        const QString expected = QStringLiteral("the database at ") + db.describe()
                                 + QStringLiteral(" has schema version %1 but this BotDesk knows up to %2; upgrade BotDesk")
                                       .arg(future.back().version)
                                       .arg(Migrator::latestCompiledVersion());
        auto migrated = current.migrate();
        QVERIFY(!migrated);
        QCOMPARE(migrated.error().message, expected);
        QVERIFY(migrated.error().message.contains(QStringLiteral("postgresql://botdesk@:5432/newer%2F2?host=")));
        auto checked = current.checkNotNewer();
        QVERIFY(!checked);
        QCOMPARE(checked.error().message, expected);
        QCOMPARE(fingerprint(db), schema);  // untouched

        Migrator same(db, future);
        QVERIFY_OK(same.checkNotNewer());
        auto target = current.migrate(99);
        QVERIFY(!target);
        QVERIFY2(target.error().message.contains("cannot migrate to schema version 99"), qPrintable(target.error().message));
    }

    // Before use, a server given by URL is checked, never migrated behind its owner's back (the local cluster is
    // migrated at once: tst_localcluster).
    void ensureSchemaLeavesAServerToItsOwner()
    {
        auto url = pg.createDatabase("ensure");
        QVERIFY_OK(url);
        Database db(pg.target(*url), options("ensure"));
        auto behind = Migrator(db).ensureSchema();
        QVERIFY(!behind);
        QCOMPARE(behind.error().message,
                 QStringLiteral("the database at %1 has schema version 0 but this BotDesk needs %2; run 'botdesk-cli db "
                                "migrate' as the database's owner").arg(db.describe()).arg(Migrator::latestCompiledVersion()));
        QCOMPARE(count(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), 0);
        QVERIFY_OK(Migrator(db).migrate());
        auto current = Migrator(db).ensureSchema();
        QVERIFY_OK(current);
        QCOMPARE(*current, Migrator::latestCompiledVersion());
        QVERIFY_OK(Migrator(db, longerList()).migrate());
        auto newer = Migrator(db).ensureSchema();
        QVERIFY(!newer);
        QVERIFY2(newer.error().message.endsWith("upgrade BotDesk"), qPrintable(newer.error().message));
    }

    void failedMigrationLeavesNothing()
    {
        auto url = pg.createDatabase("broken");
        QVERIFY_OK(url);
        Database db(pg.target(*url), options("broken"));
        std::vector<Migration> list = *Migrator::compiled();
        const int next = int(list.size()) + 1;
        list.push_back({next, QStringLiteral("%1_broken").arg(next, 4, 10, QLatin1Char('0')),
                        QStringLiteral("ALTER TABLE bots ADD COLUMN x int;\nSELECT 1/0;\nALTER TABLE bots ADD COLUMN y int;")});
        auto migrated = Migrator(db, list).migrate();
        QVERIFY(!migrated);
        QVERIFY2(migrated.error().message.startsWith(QStringLiteral("migration %1_broken failed, so none was applied and the "
                                                                    "database stays at schema version 0: ")
                                                         .arg(next, 4, 10, QLatin1Char('0'))),
                 qPrintable(migrated.error().message));
        QVERIFY2(migrated.error().message.contains("division by zero"), qPrintable(migrated.error().message));
        QCOMPARE(db.lastFailure().kind, DatabaseFailure::Kind::Statement);
        QCOMPARE(db.lastFailure().sqlState, QStringLiteral("22012"));
        // Not even migration 1, which ran fine before the broken one: one transaction.
        QCOMPARE(count(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), 0);
        auto version = Migrator(db).currentVersion();
        QVERIFY_OK(version);
        QCOMPARE(*version, 0);
        // And the connection is fine for the next attempt.
        QVERIFY_OK(Migrator(db).migrate());
    }

    // Two connections (two threads, one Database each) migrate the same empty database at the same moment: one
    // applies, the other waits on the advisory lock and then finds nothing to do.
    void concurrentMigrationsTakeTurns()
    {
        auto url = pg.createDatabase("concurrent");
        QVERIFY_OK(url);
        Database holder(pg.target(*url), options("holder"));
        // Hold the migration lock so both migrations are provably waiting at once before either runs.
        QVERIFY_OK(holder.exec(QStringLiteral("SELECT pg_advisory_lock(%1)").arg(Migrator::kAdvisoryLockKey)));

        struct Outcome { bool ok = false; QString error; int applied = -1; };
        Outcome outcomes[2];
        std::thread threads[2];
        for (int i = 0; i < 2; ++i) {
            threads[i] = std::thread([&, i] {
                Database db(pg.target(*url), options("concurrent"));
                auto migrated = Migrator(db).migrate();
                outcomes[i].ok = bool(migrated);
                outcomes[i].error = migrated ? QString() : migrated.error().message;
                outcomes[i].applied = migrated ? int(migrated->applied.size()) : -1;
            });
        }
        int waiting = 0;
        for (int i = 0; i < 500 && waiting < 2; ++i) {
            QThread::msleep(10);
            waiting = count(holder, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
        }
        QVERIFY_OK(holder.exec(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(Migrator::kAdvisoryLockKey)));
        for (auto &t : threads)
            t.join();
        QCOMPARE(waiting, 2);
        QVERIFY2(outcomes[0].ok, qPrintable(outcomes[0].error));
        QVERIFY2(outcomes[1].ok, qPrintable(outcomes[1].error));
        QCOMPARE(outcomes[0].applied + outcomes[1].applied, Migrator::latestCompiledVersion());
        QVERIFY(outcomes[0].applied == 0 || outcomes[1].applied == 0);
        QCOMPARE(count(holder, "SELECT count(*) FROM schema_version"), Migrator::latestCompiledVersion());
    }

    void botVersionsAreImmutable()
    {
        auto url = pg.createMigratedDatabase("immutable");
        QVERIFY_OK(url);
        Database db(pg.target(*url), options("immutable"));
        auto schema = Migrator(db).currentVersion();
        QVERIFY_OK(schema);
        QCOMPARE(*schema, Migrator::latestCompiledVersion());
        auto bot = db.scalar("INSERT INTO bots (name, strategy_template) VALUES ('ema1', 'ema_crossover') RETURNING id");
        QVERIFY_OK(bot);
        auto version = db.scalar("INSERT INTO bot_versions (bot_id, code, params, code_hash) VALUES (?::uuid, 'code', '{}', ?) "
                                 "RETURNING id",
                                 {bot->toString(), QString(64, QLatin1Char('a'))});
        QVERIFY_OK(version);
        const QString id = version->toString();

        // Even the superuser cannot change or delete a version: the trigger applies to every login.
        for (const QString &sql : {QStringLiteral("UPDATE bot_versions SET notes = 'edited'"),
                                   QStringLiteral("UPDATE bot_versions SET params = '{\"fast\": 3}' WHERE id = ?::uuid"),
                                   QStringLiteral("DELETE FROM bot_versions WHERE id = ?::uuid")}) {
            auto changed = sql.contains('?') ? db.exec(sql, {id}) : db.exec(sql);
            QVERIFY2(!changed, qPrintable(sql));
            QVERIFY2(changed.error().message.contains(
                         QStringLiteral("bot versions are immutable: version %1 cannot be changed or deleted; save a new "
                                        "version instead").arg(id)),
                     qPrintable(changed.error().message));
            QCOMPARE(db.lastFailure().kind, DatabaseFailure::Kind::Statement);
            QCOMPARE(db.lastFailure().sqlState, QStringLiteral("23001"));
        }
        auto truncated = db.exec("TRUNCATE bot_versions CASCADE");
        QVERIFY(!truncated);
        QVERIFY2(truncated.error().message.contains("bot_versions cannot be truncated"), qPrintable(truncated.error().message));
        // A bot that has versions cannot be deleted either (which would take its versions along).
        QVERIFY(!db.exec("DELETE FROM bots"));
        QCOMPARE(count(db, "SELECT count(*) FROM bot_versions WHERE notes = '' AND params = '{}'"), 1);
        // Identical content for the same bot is refused (the store returns the existing version instead).
        auto duplicate = db.exec("INSERT INTO bot_versions (bot_id, code, params, code_hash) VALUES (?::uuid, 'code', '{}', ?)",
                                 {bot->toString(), QString(64, QLatin1Char('a'))});
        QVERIFY(!duplicate);
        QCOMPARE(db.lastFailure().sqlState, QStringLiteral("23505"));
        auto badHash = db.exec("INSERT INTO bot_versions (bot_id, code, params, code_hash) VALUES (?::uuid, 'c', '{}', 'ABC')",
                               {bot->toString()});
        QVERIFY(!badHash);
        QCOMPARE(db.lastFailure().sqlState, QStringLiteral("23514"));
    }

    // alice and bob (botdesk_user) each see and change only their own rows; carol (botdesk_admin) sees everything.
    void rowLevelSecurityWithTwoUsersAndAnAdmin()
    {
        auto url = pg.createDatabase("rls");
        QVERIFY_OK(url);
        {
            Database owner(pg.target(*url), options("owner"));
            QVERIFY_OK(Migrator(owner).migrate());
        }
        QVERIFY_OK(pg.createLoginRole("alice", {"botdesk_user"}));
        QVERIFY_OK(pg.createLoginRole("bob", {"botdesk_user"}));
        QVERIFY_OK(pg.createLoginRole("carol", {"botdesk_admin"}));
        QVERIFY_OK(pg.createLoginRole("mallory"));  // a login without any BotDesk role
        Database alice(pg.target("rls", "alice"), options("alice"));
        Database bob(pg.target("rls", "bob"), options("bob"));
        Database carol(pg.target("rls", "carol"), options("carol"));
        Database mallory(pg.target("rls", "mallory"), options("mallory"));

        const auto addBot = [](Database &db, const QString &name) -> Result<QString> {
            return db.transaction([&]() -> Result<QString> {
                auto bot = db.scalar("INSERT INTO bots (name, strategy_template) VALUES (?, 'ema_crossover') RETURNING id", {name});
                if (!bot)
                    return bot.error();
                auto version = db.scalar("INSERT INTO bot_versions (bot_id, code, params, code_hash) "
                                         "VALUES (?::uuid, 'code', '{}', ?) RETURNING id",
                                         {bot->toString(), QString(64, QLatin1Char('b'))});
                if (!version)
                    return version.error();
                return version->toString();
            });
        };
        auto aliceVersion = addBot(alice, "alpha");
        QVERIFY_OK(aliceVersion);
        auto bobVersion = addBot(bob, "beta");
        QVERIFY_OK(bobVersion);
        const QString runId = QStringLiteral("11111111-2222-3333-4444-555555555555");
        QVERIFY_OK(bob.exec("INSERT INTO backtest_runs (id, bot_version_id, status, config, params, symbol, symbol_spec, "
                            "data_path, data_sha256, engine_version) VALUES (?::uuid, ?::uuid, 'completed', '{}', '{}', "
                            "'EURUSD', '{}', '/data/eurusd.csv', 'abc', 'botdesk test')",
                            {runId, *bobVersion}));
        QVERIFY_OK(bob.exec("INSERT INTO backtest_trades (run_id, seq, ticket, side, volume, open_time_ms, open_price, "
                            "close_time_ms, close_price, sl, tp, commission, profit, close_reason, mae, mfe) VALUES "
                            "(?::uuid, 0, 1, 'BUY', 0.1, 0, 1.1, 60000, 1.2, 1.0, 1.3, 0, 100, 'TP_HIT', 0, 0)",
                            {runId}));

        // Each user sees only their own rows; the owner column was filled with the login's name.
        QCOMPARE(count(alice, "SELECT count(*) FROM bots"), 1);
        QCOMPARE(count(alice, "SELECT count(*) FROM bots WHERE owner = 'alice' AND name = 'alpha'"), 1);
        QCOMPARE(count(alice, "SELECT count(*) FROM bot_versions"), 1);
        QCOMPARE(count(alice, "SELECT count(*) FROM backtest_runs"), 0);
        QCOMPARE(count(alice, "SELECT count(*) FROM backtest_trades"), 0);
        QCOMPARE(count(bob, "SELECT count(*) FROM bots"), 1);
        QCOMPARE(count(bob, "SELECT count(*) FROM backtest_runs"), 1);
        QCOMPARE(count(bob, "SELECT count(*) FROM backtest_trades"), 1);

        // alice cannot change or delete bob's rows: they do not exist for her.
        for (const QString &sql : {QStringLiteral("UPDATE bots SET is_active = false WHERE name = 'beta'"),
                                   QStringLiteral("DELETE FROM backtest_trades"),
                                   QStringLiteral("DELETE FROM backtest_runs"),
                                   QStringLiteral("UPDATE backtest_runs SET label = 'mine'")}) {
            auto changed = alice.exec(sql);
            QVERIFY_OK(changed);
            QCOMPARE(changed->numRowsAffected(), 0);
        }
        // ... nor write rows as bob, nor hang her own rows under bob's bot or run.
        auto asBob = alice.exec("INSERT INTO bots (name, strategy_template, owner) VALUES ('fake', 'ema_crossover', 'bob')");
        QVERIFY(!asBob);
        QVERIFY2(asBob.error().message.contains("row-level security"), qPrintable(asBob.error().message));
        auto bobsBot = bob.scalar("SELECT id FROM bots");
        QVERIFY_OK(bobsBot);
        auto underBob = alice.exec("INSERT INTO bot_versions (bot_id, code, params, code_hash) VALUES (?::uuid, 'x', '{}', ?)",
                                   {bobsBot->toString(), QString(64, QLatin1Char('c'))});
        QVERIFY(!underBob);
        QVERIFY2(underBob.error().message.contains("row-level security"), qPrintable(underBob.error().message));
        auto tradeUnderBob = alice.exec("INSERT INTO backtest_trades (run_id, seq, ticket, side, volume, open_time_ms, "
                                        "open_price, close_time_ms, close_price, sl, tp, commission, profit, close_reason, "
                                        "mae, mfe) VALUES (?::uuid, 1, 2, 'SELL', 0.1, 0, 1, 1, 1, 0, 0, 0, 0, 'x', 0, 0)",
                                        {runId});
        QVERIFY(!tradeUnderBob);
        auto versionRecord = alice.exec("INSERT INTO schema_version (version, name) VALUES (99, 'x')");
        QVERIFY(!versionRecord);
        QCOMPARE(alice.lastFailure().sqlState, QStringLiteral("42501"));  // insufficient_privilege

        // carol, the admin, sees everything; bob's rows are unchanged.
        QCOMPARE(count(carol, "SELECT count(*) FROM bots"), 2);
        QCOMPARE(count(carol, "SELECT count(*) FROM bot_versions"), 2);
        QCOMPARE(count(carol, "SELECT count(*) FROM backtest_runs WHERE label = ''"), 1);
        QCOMPARE(count(carol, "SELECT count(*) FROM backtest_trades"), 1);
        QCOMPARE(count(carol, "SELECT count(*) FROM bots WHERE name = 'beta' AND is_active"), 1);
        QCOMPARE(count(carol, "SELECT count(*) FROM bots WHERE owner IN ('alice', 'bob')"), 2);
        // A login without botdesk_user is refused outright.
        auto none = mallory.exec("SELECT count(*) FROM bots");
        QVERIFY(!none);
        QCOMPARE(mallory.lastFailure().sqlState, QStringLiteral("42501"));
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
