// PgBotStore (connectors/postgres/pgbotstore.h) on a real PostgreSQL 15 (a throwaway cluster, pgharness.h): bots and
// their versions (identical content is the existing version, a change is a new one with its parent, versions
// cannot be changed), backtest runs saved and loaded field by field, re-saved idempotently, never half-written;
// row-level security through the store with two trader logins and an administrator; an outage and the reconnect;
// the spool that keeps runs finished during an outage until the server is back.

#include "backtestengine.h"
#include "barloader.h"
#include "codehash.h"
#include "database.h"
#include "migrator.h"
#include "pgbotstore.h"
#include "pgharness.h"
#include "resultcheck.h"
#include "runrecordcompare.h"
#include "runrecordjson.h"
#include "runspool.h"
#include "strategyregistry.h"
#include "symbolspec.h"
#include "syntheticbars.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>
#include <memory>

using namespace bd;
using namespace bd::pgtest;
using namespace bd::test;

namespace {


// ema_crossover with every default on 20,000 synthetic M1 bars, EURUSD of the bundled catalogue, with its whole
// (undecimated) equity curve: 20,000 points.
BacktestRunRecord realRun(const QString &dir)
{
    const QString path = dir + QStringLiteral("/bars.csv");
    if (!writeSyntheticBars(path, 20000))
        qFatal("cannot write %s", qPrintable(path));
    auto bars = loadBars(path, BarLoadOptions{});
    auto catalog = SymbolCatalog::builtin();
    if (!bars || !catalog)
        qFatal("cannot load the bars or the catalogue");
    const SymbolSpec spec = *catalog->find(QStringLiteral("EURUSD"));
    auto params = resolveStrategyParams(QStringLiteral("ema_crossover"), {});
    auto strategy = createStrategy(QStringLiteral("ema_crossover"), {});
    if (!strategy || !params)
        qFatal("cannot create ema_crossover");
    BacktestConfig config;
    config.initialDeposit = 12345.67;
    config.spreadPoints = 12;
    config.slippagePoints = 1;
    config.commissionPerLot = 3.5;
    auto result = runBacktest(*bars, spec, **strategy, config);
    if (!result)
        qFatal("%s", qPrintable(result.error().message));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));

    BacktestRunRecord r;
    r.id = QUuid::createUuid();
    r.label = QStringLiteral("spread 12, \"quoted\", caf\u00e9\n2nd line; it's ? and $1");
    r.config = result->config;
    r.params = *params;
    r.symbol = spec.name;
    r.symbolSpec = spec;
    r.dataPath = path;
    r.dataSha256 = QString::fromLatin1(QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex());
    r.engineVersion = QStringLiteral("botdesk 0.1.0 engine 1");
    r.startedAtMs = 1718000000123;
    r.durationMs = 42;
    std::vector<EquityPoint> fullCurve = result->equity;  // the store decimates it (a test checks)
    recordOutcome(r, std::move(*result));
    r.equity = std::move(fullCurve);
    r.warnings << QStringLiteral("a warning with \"quotes\", 'apostrophes' and \\ backslash");
    r.trades.front().comment = QStringLiteral("comment with \"quotes\", \\ and \u00e9");
    return r;
}


// Two parameter sets of ema_crossover whose versions' hashes share their first 4 hex digits.
std::pair<QJsonObject, QJsonObject> collidingParams(const QString &code)
{
    QHash<QString, int> seen;
    for (int fast = 1;; ++fast) {
        const QJsonObject params{{"fast", fast}, {"slow", 20000}};
        const QString prefix = computeCodeHash(code, params).left(4);
        if (seen.contains(prefix))
            return {QJsonObject{{"fast", seen.value(prefix)}, {"slow", 20000}}, params};
        seen.insert(prefix, fast);
    }
}

} // namespace

class TestPgBotStore : public QObject {
    Q_OBJECT
    PgHarness pg;
    QTemporaryDir m_dir;
    BacktestRunRecord m_run;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<PgBotStore> m_store;
    BotVersion m_default;  // ema_crossover's default version

    // A fresh migrated database `name` with its superuser store in m_db / m_store.
    bool freshStore(const QString &name)
    {
        m_store.reset();
        m_db.reset();
        auto url = pg.createDatabase(name);
        if (!url) {
            qWarning("%s", qPrintable(url.error().message));
            return false;
        }
        m_db = std::make_unique<Database>(pg.target(*url), options("store"));
        m_store = std::make_unique<PgBotStore>(*m_db);
        // A server given by URL is migrated by its owner; the store only checks.
        if (auto unmigrated = m_store->ensureSchema(); unmigrated
            || !unmigrated.error().message.contains("run 'botdesk-cli db migrate' as the database's owner")) {
            qWarning("an empty database given by URL was not refused: %s",
                     unmigrated ? "accepted" : qPrintable(unmigrated.error().message));
            return false;
        }
        if (auto migrated = Migrator(*m_db).migrate(); !migrated) {
            qWarning("%s", qPrintable(migrated.error().message));
            return false;
        }
        auto ready = m_store->ensureSchema();
        if (!ready)
            qWarning("%s", qPrintable(ready.error().message));
        return bool(ready);
    }

private:
    // Creates bot "ema" from the ema_crossover template; returns its first (default) version.
    Result<BotVersion> createEmaBot()
    {
        auto bot = m_store->createBot(QStringLiteral("ema"), QStringLiteral("ema_crossover"), m_default);
        if (!bot)
            return bot.error();
        return m_store->findVersion(QStringLiteral("ema"), {});
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY_OK(pg.start());
        qInfo("throwaway cluster ready in %lld ms (initdb + start)", pg.startMs());
        m_run = realRun(m_dir.path());
        QVERIFY2(m_run.trades.size() >= 20, qPrintable(QString::number(m_run.trades.size())));
        QCOMPARE(m_run.equity.size(), size_t(20000));
        auto version = defaultVersionOf(QStringLiteral("ema_crossover"));
        QVERIFY_OK(version);
        m_default = *version;
    }

    void createListFind()
    {
        QVERIFY(freshStore("create_list_find"));
        auto bot = m_store->createBot(QStringLiteral("ema-fast"), QStringLiteral("ema_crossover"), m_default);
        QVERIFY_OK(bot);
        QVERIFY(!bot->id.isNull());
        QCOMPARE(bot->name, QStringLiteral("ema-fast"));
        QCOMPARE(bot->owner, QStringLiteral("botdesk"));
        QCOMPARE(bot->strategyTemplate, QStringLiteral("ema_crossover"));
        QVERIFY(bot->isActive);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY2(std::abs(bot->createdAtMs - now) < 60000, qPrintable(QString::number(bot->createdAtMs)));
        QVERIFY_OK(m_store->createBot(QStringLiteral("box.1"), QStringLiteral("box_breakout"),
                                      *defaultVersionOf(QStringLiteral("box_breakout"))));

        auto bots = m_store->listBots();
        QVERIFY_OK(bots);
        QCOMPARE(bots->size(), size_t(2));
        QCOMPARE(bots->at(0).name, QStringLiteral("box.1"));  // by name
        QCOMPARE(bots->at(1).id, bot->id);

        auto found = m_store->findBot(QStringLiteral("ema-fast"));
        QVERIFY_OK(found);
        QCOMPARE(found->id, bot->id);
        QCOMPARE(found->createdAtMs, bot->createdAtMs);

        // The first version is the template's default, written with the bot.
        auto versions = m_store->listVersions(bot->id);
        QVERIFY_OK(versions);
        QCOMPARE(versions->size(), size_t(1));
        const BotVersion &first = versions->front();
        QCOMPARE(first.botId, bot->id);
        QCOMPARE(first.code, m_default.code);
        QCOMPARE(first.params, QJsonObject());
        QCOMPARE(first.codeHash, computeCodeHash(m_default.code, {}));
        QVERIFY(first.parentId.isNull());
        QCOMPARE(first.owner, QStringLiteral("botdesk"));

        auto typo = m_store->findBot(QStringLiteral("ema-fsat"));
        QVERIFY(!typo);
        QVERIFY2(typo.error().message.contains("no bot named 'ema-fsat'; did you mean 'ema-fast'?"),
                 qPrintable(typo.error().message));
        auto unknown = m_store->findBot(QStringLiteral("zzzzzzzz"));
        QVERIFY(!unknown);
        QVERIFY2(unknown.error().message.contains("bots: 'box.1', 'ema-fast'; create one with botdesk-cli bots create "
                                                  "zzzzzzzz --template"),
                 qPrintable(unknown.error().message));

        auto taken = m_store->createBot(QStringLiteral("ema-fast"), QStringLiteral("ema_crossover"), m_default);
        QVERIFY(!taken);
        QVERIFY2(taken.error().message.contains("a bot named 'ema-fast' already exists"), qPrintable(taken.error().message));
        auto badName = m_store->createBot(QStringLiteral("-bad name"), QStringLiteral("ema_crossover"), m_default);
        QVERIFY(!badName);
        QVERIFY2(badName.error().message.contains("'-bad name' is not a bot name"), qPrintable(badName.error().message));
        BotVersion wrongHash = m_default;
        wrongHash.params = QJsonObject{{"fast", 5}};
        auto refused = m_store->createBot(QStringLiteral("other"), QStringLiteral("ema_crossover"), wrongHash);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains("does not match its code and params"), qPrintable(refused.error().message));
        // Nothing of the refused creations was written.
        QCOMPARE(count(*m_db, "SELECT count(*) FROM bots"), 2);
        QCOMPARE(count(*m_db, "SELECT count(*) FROM bot_versions"), 2);
    }

    void identicalContentIsTheExistingVersion()
    {
        QVERIFY(freshStore("identical"));
        auto bot = m_store->createBot(QStringLiteral("ema"), QStringLiteral("ema_crossover"), m_default);
        QVERIFY_OK(bot);
        auto first = m_store->findVersion(QStringLiteral("ema"), {});
        QVERIFY_OK(first);

        BotVersion again = m_default;
        again.botId = bot->id;
        again.codeHash.clear();  // computed by the store
        again.notes = QStringLiteral("same content, other notes");
        auto saved = m_store->saveVersion(again);
        QVERIFY_OK(saved);
        QCOMPARE(saved->second, false);
        QCOMPARE(saved->first.id, first->id);
        QCOMPARE(saved->first.notes, QString());  // the stored version is unchanged
        QCOMPARE(saved->first.createdAtMs, first->createdAtMs);

        // The same parameters written differently (12 vs 12.0, key order) are the same content.
        BotVersion a = again, b = again;
        a.params = QJsonObject{{"fast", 8}, {"slow", 30.0}};
        b.params = QJsonObject{{"slow", 30}, {"fast", 8.0}};
        auto savedA = m_store->saveVersion(a);
        auto savedB = m_store->saveVersion(b);
        QVERIFY_OK(savedA);
        QVERIFY_OK(savedB);
        QVERIFY(savedA->second);
        QVERIFY(!savedB->second);
        QCOMPARE(savedB->first.id, savedA->first.id);
        QCOMPARE(count(*m_db, "SELECT count(*) FROM bot_versions"), 2);
    }

    void changedContentIsANewVersionWithItsParent()
    {
        QVERIFY(freshStore("changed"));
        auto bot = m_store->createBot(QStringLiteral("ema"), QStringLiteral("ema_crossover"), m_default);
        QVERIFY_OK(bot);
        auto first = m_store->findVersion(QStringLiteral("ema"), {});
        QVERIFY_OK(first);

        BotVersion v2 = m_default;
        v2.botId = bot->id;
        v2.params = QJsonObject{{"fast", 8}};
        v2.codeHash = computeCodeHash(v2.code, v2.params);
        v2.notes = QStringLiteral("faster entry");
        auto second = m_store->saveVersion(v2);
        QVERIFY_OK(second);
        QVERIFY(second->second);
        QCOMPARE(second->first.parentId, first->id);  // the latest, when none is given
        QCOMPARE(second->first.params, v2.params);
        QCOMPARE(second->first.notes, QStringLiteral("faster entry"));
        QVERIFY(second->first.codeHash != first->codeHash);

        BotVersion v3 = v2;  // changed code, derived from the first version explicitly
        v3.code += QStringLiteral("\n// tweak\n");
        v3.codeHash.clear();
        v3.parentId = first->id;
        auto third = m_store->saveVersion(v3);
        QVERIFY_OK(third);
        QVERIFY(third->second);
        QCOMPARE(third->first.parentId, first->id);

        auto versions = m_store->listVersions(bot->id);
        QVERIFY_OK(versions);
        QCOMPARE(versions->size(), size_t(3));  // newest first
        QCOMPARE(versions->at(0).id, third->first.id);
        QCOMPARE(versions->at(1).id, second->first.id);
        QCOMPARE(versions->at(2).id, first->id);
        QVERIFY(versions->at(0).createdAtMs >= versions->at(1).createdAtMs);

        auto latest = m_store->findVersion(QStringLiteral("ema"), {});
        QVERIFY_OK(latest);
        QCOMPARE(latest->id, third->first.id);
        auto byPrefix = m_store->findVersion(QStringLiteral("ema"), second->first.codeHash.left(6).toUpper());
        QVERIFY_OK(byPrefix);
        QCOMPARE(byPrefix->id, second->first.id);
        auto byWhole = m_store->findVersion(QStringLiteral("ema"), first->codeHash);
        QVERIFY_OK(byWhole);
        QCOMPARE(byWhole->id, first->id);

        QString absent = QStringLiteral("0000");
        for (char c : {'0', '1', '2', '3'}) {  // a 4-digit prefix that none of the three hashes has
            absent = QString(4, QLatin1Char(c));
            if (!first->codeHash.startsWith(absent) && !second->first.codeHash.startsWith(absent)
                && !third->first.codeHash.startsWith(absent))
                break;
        }
        auto unknown = m_store->findVersion(QStringLiteral("ema"), absent);
        QVERIFY(!unknown);
        QVERIFY2(unknown.error().message.contains(QStringLiteral("bot 'ema' has no version whose hash starts with '%1'")
                                                      .arg(absent))
                     && unknown.error().message.contains(first->codeHash.left(12)),
                 qPrintable(unknown.error().message));
        auto tooShort = m_store->findVersion(QStringLiteral("ema"), QStringLiteral("ab1"));
        QVERIFY(!tooShort);
        QVERIFY2(tooShort.error().message.contains("give at least 4 hex digits"), qPrintable(tooShort.error().message));

        // A parent of another bot is refused.
        auto other = m_store->createBot(QStringLiteral("other"), QStringLiteral("ema_crossover"), m_default);
        QVERIFY_OK(other);
        BotVersion foreign = v2;
        foreign.botId = other->id;
        foreign.parentId = second->first.id;
        auto refused = m_store->saveVersion(foreign);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains("is not a version of bot 'other'"), qPrintable(refused.error().message));
    }

    void ambiguousPrefixNamesTheCandidates()
    {
        QVERIFY(freshStore("ambiguous"));
        auto bot = m_store->createBot(QStringLiteral("ema"), QStringLiteral("ema_crossover"), m_default);
        QVERIFY_OK(bot);
        const auto [p1, p2] = collidingParams(m_default.code);
        BotVersion a = m_default, b = m_default;
        a.botId = b.botId = bot->id;
        a.params = p1;
        b.params = p2;
        a.codeHash.clear();
        b.codeHash.clear();
        auto savedA = m_store->saveVersion(a);
        auto savedB = m_store->saveVersion(b);
        QVERIFY_OK(savedA);
        QVERIFY_OK(savedB);
        const QString prefix = savedA->first.codeHash.left(4);
        QCOMPARE(savedB->first.codeHash.left(4), prefix);
        auto ambiguous = m_store->findVersion(QStringLiteral("ema"), prefix);
        QVERIFY(!ambiguous);
        const QString &message = ambiguous.error().message;
        QVERIFY2(message.contains(QStringLiteral("'%1' matches 2 versions of bot 'ema'").arg(prefix))
                     && message.contains(savedA->first.codeHash.left(12))
                     && message.contains(savedB->first.codeHash.left(12)) && message.contains("give more hex digits"),
                 qPrintable(message));
    }

    void versionsAreImmutable()
    {
        QVERIFY(freshStore("immutable"));
        auto version = createEmaBot();
        QVERIFY_OK(version);
        // The store offers no change; the database refuses one from anyone, the superuser included.
        auto update = m_db->exec(QStringLiteral("UPDATE bot_versions SET notes = 'edited' WHERE id = ?::uuid"),
                                 {version->id.toString(QUuid::WithoutBraces)});
        QVERIFY(!update);
        QVERIFY2(update.error().message.contains("bot versions are immutable"), qPrintable(update.error().message));
        auto remove = m_db->exec(QStringLiteral("DELETE FROM bot_versions"));
        QVERIFY(!remove);
        auto again = m_store->findVersion(QStringLiteral("ema"), version->codeHash);
        QVERIFY_OK(again);
        QCOMPARE(again->notes, version->notes);
        QCOMPARE(again->code, version->code);
    }

    void runRoundTripsFieldByField()
    {
        QVERIFY(freshStore("round_trip"));
        auto version = createEmaBot();
        QVERIFY_OK(version);

        BacktestRunRecord run = m_run;
        run.versionId = version->id;
        QVERIFY_OK(m_store->saveBacktestRun(run));
        auto loaded = m_store->loadBacktestRun(run.id);
        QVERIFY_OK(loaded);

        // The whole 20,000-point curve was stored decimated; everything else exactly as given.
        BacktestRunRecord expected = run;
        expected.equity = decimateEquityCurve(run.equity, kStoredEquityPoints);
        QVERIFY(expected.equity.size() <= size_t(kStoredEquityPoints) && expected.equity.size() > 2000);
        expected.owner = QStringLiteral("botdesk");
        compareRecords(*loaded, expected);
        if (QTest::currentTestFailed())
            return;

        // A rerun refers to it; a pending run with nothing yet round-trips too.
        BacktestRunRecord rerun = expected;
        rerun.id = QUuid::createUuid();
        rerun.rerunOf = run.id;
        rerun.startedAtMs += 1000;
        QVERIFY_OK(m_store->saveBacktestRun(rerun));
        auto loadedRerun = m_store->loadBacktestRun(rerun.id);
        QVERIFY_OK(loadedRerun);
        compareRecords(*loadedRerun, rerun);
        if (QTest::currentTestFailed())
            return;

        BacktestRunRecord pending;
        pending.id = QUuid::createUuid();
        pending.versionId = version->id;
        pending.params = run.params;
        pending.symbol = run.symbol;
        pending.symbolSpec = run.symbolSpec;
        pending.dataPath = run.dataPath;
        pending.engineVersion = run.engineVersion;
        pending.startedAtMs = 1718000009999;
        pending.owner = QStringLiteral("botdesk");
        QVERIFY_OK(m_store->saveBacktestRun(pending));
        auto loadedPending = m_store->loadBacktestRun(pending.id);
        QVERIFY_OK(loadedPending);
        compareRecords(*loadedPending, pending);
    }

    void resavingTheSameIdReplacesIt()
    {
        QVERIFY(freshStore("resave"));
        auto version = createEmaBot();
        QVERIFY_OK(version);
        BacktestRunRecord run = m_run;
        run.versionId = version->id;
        run.equity = decimateEquityCurve(run.equity, kStoredEquityPoints);
        run.owner = QStringLiteral("botdesk");

        run.status = RunStatus::Running;
        QVERIFY_OK(m_store->saveBacktestRun(run));
        QVERIFY_OK(m_store->saveBacktestRun(run));  // a retried save: the same row, the same trades
        const QString id = run.id.toString(QUuid::WithoutBraces);
        QCOMPARE(count(*m_db, "SELECT count(*) FROM backtest_runs"), 1);
        QCOMPARE(count(*m_db, "SELECT count(*) FROM backtest_trades WHERE run_id = ?::uuid", {id}), int(run.trades.size()));

        run.status = RunStatus::Completed;
        run.label = QStringLiteral("final");
        run.trades.resize(run.trades.size() / 2);
        run.durationMs = 77;
        QVERIFY_OK(m_store->saveBacktestRun(run));
        QCOMPARE(count(*m_db, "SELECT count(*) FROM backtest_runs"), 1);
        QCOMPARE(count(*m_db, "SELECT count(*) FROM backtest_trades WHERE run_id = ?::uuid", {id}), int(run.trades.size()));
        auto loaded = m_store->loadBacktestRun(run.id);
        QVERIFY_OK(loaded);
        compareRecords(*loaded, run);
    }

    void aFailedSaveWritesNothing()
    {
        QVERIFY(freshStore("failed_save"));
        auto version = createEmaBot();
        QVERIFY_OK(version);

        BacktestRunRecord unknownVersion = m_run;
        unknownVersion.versionId = QUuid::createUuid();
        auto refused = m_store->saveBacktestRun(unknownVersion);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(QStringLiteral("its bot version %1 does not exist")
                                                      .arg(unknownVersion.versionId.toString(QUuid::WithoutBraces))),
                 qPrintable(refused.error().message));

        // The run row is written before the trades: a trade the database refuses (a NaN price, which the store binds as
        // NULL into a NOT NULL column) rolls the run row back with it.
        BacktestRunRecord badTrade = m_run;
        badTrade.versionId = version->id;
        badTrade.trades[badTrade.trades.size() / 2].closePrice = std::numeric_limits<double>::quiet_NaN();
        auto failed = m_store->saveBacktestRun(badTrade);
        QVERIFY(!failed);
        QVERIFY2(failed.error().message.contains("close_price"), qPrintable(failed.error().message));
        QCOMPARE(count(*m_db, "SELECT count(*) FROM backtest_runs"), 0);
        QCOMPARE(count(*m_db, "SELECT count(*) FROM backtest_trades"), 0);
        auto missing = m_store->loadBacktestRun(badTrade.id);
        QVERIFY(!missing);
        QVERIFY2(missing.error().message.contains(QStringLiteral("no backtest run %1")
                                                      .arg(badTrade.id.toString(QUuid::WithoutBraces))),
                 qPrintable(missing.error().message));
    }

    void listingShowsSummariesNewestFirst()
    {
        QVERIFY(freshStore("listing"));
        auto ema = m_store->createBot(QStringLiteral("ema"), QStringLiteral("ema_crossover"), m_default);
        auto box = m_store->createBot(QStringLiteral("box"), QStringLiteral("box_breakout"),
                                      *defaultVersionOf(QStringLiteral("box_breakout")));
        QVERIFY_OK(ema);
        QVERIFY_OK(box);
        auto emaVersion = m_store->findVersion(QStringLiteral("ema"), {});
        auto boxVersion = m_store->findVersion(QStringLiteral("box"), {});
        QVERIFY_OK(emaVersion);
        QVERIFY_OK(boxVersion);

        std::vector<BacktestRunRecord> runs;
        for (int i = 0; i < 5; ++i) {
            BacktestRunRecord r = m_run;
            r.id = QUuid::createUuid();
            r.versionId = i % 2 ? boxVersion->id : emaVersion->id;
            r.startedAtMs = 1718000000000 + i * 60000;
            r.label = QStringLiteral("run %1").arg(i);
            r.stats.totalNetProfit += i;
            if (i == 3)
                r.stats.profitFactor = std::numeric_limits<double>::infinity();  // no losing trade
            r.trades.resize(size_t(i));
            QVERIFY_OK(m_store->saveBacktestRun(r));
            runs.push_back(r);
        }
        auto all = m_store->listBacktestRuns({}, 100);
        QVERIFY_OK(all);
        QCOMPARE(all->size(), size_t(5));
        for (size_t k = 0; k < all->size(); ++k) {
            const BacktestRunRecord &r = runs[4 - k];  // newest first
            const bool isBox = (4 - k) % 2;
            const BacktestRunSummary expected = summarizeRun(r, isBox ? QStringLiteral("box") : QStringLiteral("ema"),
                                                             isBox ? boxVersion->codeHash : emaVersion->codeHash);
            const BacktestRunSummary &s = all->at(k);
            QCOMPARE(s.id, expected.id);
            QCOMPARE(s.botName, expected.botName);
            QCOMPARE(s.codeHash, expected.codeHash);
            QCOMPARE(s.symbol, expected.symbol);
            QCOMPARE(s.status, expected.status);
            QCOMPARE(s.label, expected.label);
            QCOMPARE(s.startedAtMs, expected.startedAtMs);
            QCOMPARE(s.durationMs, expected.durationMs);
            QCOMPARE(s.totalTrades, expected.totalTrades);
            QVERIFY(s.netProfit == expected.netProfit);
            QVERIFY2(s.profitFactor == expected.profitFactor, qPrintable(QString::number(s.profitFactor)));
            QVERIFY(s.maxDrawdownPercent == expected.maxDrawdownPercent);
            QVERIFY(s.sharpeRatio == expected.sharpeRatio);
        }
        QVERIFY(std::isinf(all->at(1).profitFactor));

        auto boxRuns = m_store->listBacktestRuns(QStringLiteral("box"), 100);
        QVERIFY_OK(boxRuns);
        QCOMPARE(boxRuns->size(), size_t(2));
        QCOMPARE(boxRuns->at(0).id, runs[3].id);
        QCOMPARE(boxRuns->at(1).id, runs[1].id);
        auto limited = m_store->listBacktestRuns({}, 2);
        QVERIFY_OK(limited);
        QCOMPARE(limited->size(), size_t(2));
        QCOMPARE(limited->at(0).id, runs[4].id);
        auto unknownBot = m_store->listBacktestRuns(QStringLiteral("boxx"), 10);
        QVERIFY(!unknownBot);
        QVERIFY2(unknownBot.error().message.contains("did you mean 'box'"), qPrintable(unknownBot.error().message));
        QVERIFY(!m_store->listBacktestRuns({}, 0));

        // Run ids by prefix (the CLI's "backtests show ID").
        const QString text = runs[2].id.toString(QUuid::WithoutBraces);
        auto byPrefix = m_store->findRunIds(text.left(8).toUpper());
        QVERIFY_OK(byPrefix);
        QCOMPARE(byPrefix->size(), size_t(1));
        QCOMPARE(byPrefix->front(), runs[2].id);
        auto shortPrefix = m_store->findRunIds(text.left(7));
        QVERIFY(!shortPrefix);
        QVERIFY2(shortPrefix.error().message.contains("first 8 or more hex digits"), qPrintable(shortPrefix.error().message));
    }

    // Row-level security through the store: alice and bob (botdesk_user) see only their own; carol (botdesk_admin)
    // sees everything.
    void eachLoginSeesItsOwn()
    {
        QVERIFY(freshStore("rls"));
        QVERIFY_OK(pg.createLoginRole(QStringLiteral("alice"), {QStringLiteral("botdesk_user")}));
        QVERIFY_OK(pg.createLoginRole(QStringLiteral("bob"), {QStringLiteral("botdesk_user")}));
        QVERIFY_OK(pg.createLoginRole(QStringLiteral("carol"), {QStringLiteral("botdesk_admin")}));
        Database aliceDb(pg.target(QStringLiteral("rls"), QStringLiteral("alice")), options("alice"));
        Database bobDb(pg.target(QStringLiteral("rls"), QStringLiteral("bob")), options("bob"));
        Database carolDb(pg.target(QStringLiteral("rls"), QStringLiteral("carol")), options("carol"));
        PgBotStore alice(aliceDb), bob(bobDb), carol(carolDb);

        auto aliceBot = alice.createBot(QStringLiteral("trend"), QStringLiteral("ema_crossover"), m_default);
        QVERIFY_OK(aliceBot);
        QCOMPARE(aliceBot->owner, QStringLiteral("alice"));
        auto aliceVersion = alice.findVersion(QStringLiteral("trend"), {});
        QVERIFY_OK(aliceVersion);
        BacktestRunRecord run = m_run;
        run.versionId = aliceVersion->id;
        QVERIFY_OK(alice.saveBacktestRun(run));

        // bob sees none of it, and may use the same name for his own bot.
        auto bobBots = bob.listBots();
        QVERIFY_OK(bobBots);
        QCOMPARE(bobBots->size(), size_t(0));
        auto hidden = bob.findBot(QStringLiteral("trend"));
        QVERIFY(!hidden);
        QVERIFY2(hidden.error().message.contains("there are no bots yet"), qPrintable(hidden.error().message));
        QVERIFY(!bob.loadBacktestRun(run.id));
        auto bobRuns = bob.listBacktestRuns({}, 10);
        QVERIFY_OK(bobRuns);
        QCOMPARE(bobRuns->size(), size_t(0));
        auto bobVersions = bob.listVersions(aliceBot->id);
        QVERIFY_OK(bobVersions);
        QCOMPARE(bobVersions->size(), size_t(0));
        auto bobBot = bob.createBot(QStringLiteral("trend"), QStringLiteral("ema_crossover"), m_default);
        QVERIFY_OK(bobBot);
        QCOMPARE(bobBot->owner, QStringLiteral("bob"));
        // ... and cannot write under alice's bot or version.
        BotVersion intruder = m_default;
        intruder.botId = aliceBot->id;
        intruder.params = QJsonObject{{"fast", 3}};
        intruder.codeHash.clear();
        auto refusedVersion = bob.saveVersion(intruder);
        QVERIFY(!refusedVersion);
        QVERIFY2(refusedVersion.error().message.contains("belongs to another login"),
                 qPrintable(refusedVersion.error().message));
        BacktestRunRecord bobRun = m_run;
        bobRun.id = QUuid::createUuid();
        bobRun.versionId = aliceVersion->id;
        QVERIFY(!bob.saveBacktestRun(bobRun));

        // alice still sees only hers.
        auto aliceFound = alice.findBot(QStringLiteral("trend"));
        QVERIFY_OK(aliceFound);
        QCOMPARE(aliceFound->id, aliceBot->id);
        auto aliceLoaded = alice.loadBacktestRun(run.id);
        QVERIFY_OK(aliceLoaded);
        QCOMPARE(aliceLoaded->owner, QStringLiteral("alice"));

        // carol, an administrator, sees both bots and alice's run, but the name alone is ambiguous for her.
        auto carolBots = carol.listBots();
        QVERIFY_OK(carolBots);
        QCOMPARE(carolBots->size(), size_t(2));
        auto carolRun = carol.loadBacktestRun(run.id);
        QVERIFY_OK(carolRun);
        QCOMPARE(carolRun->trades.size(), m_run.trades.size());
        auto ambiguous = carol.findBot(QStringLiteral("trend"));
        QVERIFY(!ambiguous);
        QVERIFY2(ambiguous.error().message.contains("several bots are named 'trend'"), qPrintable(ambiguous.error().message));
    }

    // The server goes away mid-session: the call fails with a connection error and writes nothing; once the server
    // is back the next call reconnects and works.
    void outageFailsCleanlyThenReconnects()
    {
        QVERIFY(freshStore("outage"));
        auto version = createEmaBot();
        QVERIFY_OK(version);
        BacktestRunRecord run = m_run;
        run.versionId = version->id;

        QVERIFY_OK(pg.stopServer());
        auto failed = m_store->saveBacktestRun(run);
        QVERIFY(!failed);
        QVERIFY2(m_db->lastFailureWasConnection(), qPrintable(failed.error().message));
        QVERIFY_OK(pg.startServer());

        auto missing = m_store->loadBacktestRun(run.id);
        QVERIFY(!missing);  // nothing half-written
        QVERIFY2(missing.error().message.contains("no backtest run"), qPrintable(missing.error().message));
        QVERIFY_OK(m_store->saveBacktestRun(run));
        auto loaded = m_store->loadBacktestRun(run.id);
        QVERIFY_OK(loaded);
        QCOMPARE(loaded->trades.size(), run.trades.size());
    }
    // A run finished during an outage waits in the spool; the flush stops at the connection failure, saves it once the
    // server is back, and removes the file; an unreadable file is moved aside with its reason, never deleted.
    void spoolKeepsRunsUntilTheServerIsBack()
    {
        QVERIFY(freshStore("spool"));
        auto version = createEmaBot();
        QVERIFY_OK(version);
        QTemporaryDir home;
        QVERIFY(home.isValid());
        RunSpool spool(home.path());
        QCOMPARE(spool.directory(), home.path() + QStringLiteral("/spool/runs"));
        QCOMPARE(spool.pending(), 0);

        BacktestRunRecord first = m_run, second = m_run;
        first.versionId = second.versionId = version->id;
        first.equity = second.equity = decimateEquityCurve(m_run.equity, kStoredEquityPoints);
        first.owner = second.owner = QStringLiteral("botdesk");
        second.id = QUuid::createUuid();
        second.label = QStringLiteral("second");
        auto firstPath = spool.put(first);
        QVERIFY_OK(firstPath);
        QCOMPARE(*firstPath, spool.directory() + QLatin1Char('/') + first.id.toString(QUuid::WithoutBraces) + ".json");
        QVERIFY_OK(spool.put(second));
        QFile garbage(spool.directory() + QStringLiteral("/garbage.json"));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write("{\"format\": \"botdesk.run.v1\", \"id\": 12");
        garbage.close();
        QCOMPARE(spool.pending(), 3);

        QVERIFY_OK(pg.stopServer());
        const SpoolFlush during = spool.flush(*m_store);
        QVERIFY_OK(pg.startServer());
        QCOMPARE(during.saved, 0);
        QVERIFY2(!during.stoppedBy.isEmpty(), "the flush did not stop at the outage");
        QVERIFY(during.remaining >= 2);
        QVERIFY(spool.pending() >= 2);

        const SpoolFlush after = spool.flush(*m_store);
        QVERIFY2(after.stoppedBy.isEmpty(), qPrintable(after.stoppedBy));
        QCOMPARE(after.saved, 2);
        QCOMPARE(spool.pending(), 0);
        QCOMPARE(during.movedAside.size() + after.movedAside.size(), qsizetype(1));
        const QString damaged = spool.directory() + QStringLiteral("/damaged/garbage.json");
        QVERIFY(QFileInfo::exists(damaged));
        QVERIFY(QFileInfo::exists(damaged + QStringLiteral(".reason.txt")));

        auto loaded = m_store->loadBacktestRun(first.id);
        QVERIFY_OK(loaded);
        compareRecords(*loaded, first);
        auto loadedSecond = m_store->loadBacktestRun(second.id);
        QVERIFY_OK(loadedSecond);
        QCOMPARE(loadedSecond->label, QStringLiteral("second"));
        QCOMPARE(count(*m_db, "SELECT count(*) FROM backtest_runs"), 2);
    }
};

QTEST_GUILESS_MAIN(TestPgBotStore)
#include "tst_pgbotstore.moc"
