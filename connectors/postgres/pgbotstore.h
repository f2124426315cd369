#pragma once
// PgBotStore: the BotStore port (core/bots/botstore.h) on BotDesk's PostgreSQL database (schema 0001,
// connectors/postgres/migrations/), through one thread's Database connection.
//
//   Database db(target);                 // one per thread
//   PgBotStore store(db);                // uses db; does not own it (db must outlive the store)
//   if (auto ready = store.ensureSchema(); !ready) ...   // migrate to this binary's schema (or refuse a newer one)
//   auto bot = store.createBot("ema-fast", "ema_crossover", *defaultVersionOf("ema_crossover"));
//
// Every call is one transaction (Database::transaction): on any error nothing of it is written; after a lost
// connection the call fails with Database's ConnectionLost error and the next call reconnects. database() tells
// the caller which kind of failure the last error was (lastFailureWasConnection() for the outage spool).
//
// Rows are written as the database login (owner defaults to current_user in SQL); row-level security decides what
// a login sees. Times come back as UTC epoch milliseconds (the server's microseconds truncated).
// Saving a run writes its trades in one statement (a JSON array expanded by the server), so a year of trades
// (~1,700) is one round trip; an equity curve longer than kStoredEquityPoints is stored decimated.

#include "botstore.h"
#include "database.h"

#include <QString>
#include <QUuid>

namespace bd {

class PgBotStore final : public BotStore {
public:
    explicit PgBotStore(Database &db) : m_db(db) {}

    Database &database() { return m_db; }

    // Brings the database's schema to this binary's latest (Migrator::migrate: pending migrations in one
    // transaction; nothing to do when current). Fails when the server is unreachable, when the database's schema is
    // newer than this binary knows ("upgrade BotDesk"), or when the login may not migrate (a botdesk_user login on a
    // server whose administrator has not migrated yet: the message says to run 'botdesk-cli db migrate' as an owner).
    Result<void> ensureSchema();

    Result<Bot> createBot(const QString &name, const QString &strategyTemplate, const BotVersion &firstVersion) override;
    Result<std::vector<Bot>> listBots() override;
    Result<Bot> findBot(const QString &name) override;
    Result<std::pair<BotVersion, bool>> saveVersion(const BotVersion &version) override;
    Result<std::vector<BotVersion>> listVersions(const QUuid &botId) override;
    Result<BotVersion> findVersion(const QString &botName, const QString &hashPrefix) override;
    Result<void> saveBacktestRun(const BacktestRunRecord &run) override;
    Result<std::vector<BacktestRunSummary>> listBacktestRuns(const QString &botName, int limit) override;
    Result<BacktestRunRecord> loadBacktestRun(const QUuid &id) override;

    // The runs whose id, in its text form "xxxxxxxx-xxxx-...", starts with `prefix` (at least 8 hex digits, dashes
    // as in the text form, any case), at most `limit` of them, newest first. For the CLI's "backtests show ID".
    // Error for a prefix shorter than 8 hex digits or holding other characters.
    Result<std::vector<QUuid>> findRunIds(const QString &prefix, int limit = 10);

private:
    Result<Bot> findBotIn(const QString &name);  // inside the caller's transaction
    Result<std::pair<BotVersion, bool>> insertVersion(const BotVersion &version, const Bot &bot);
    // A Statement failure on a missing table (42P01) reworded as "this database has no BotDesk schema".
    Error explain(const Error &error) const;

    Database &m_db;
};

} // namespace bd
