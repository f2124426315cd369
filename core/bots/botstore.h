#pragma once
// BotStore: the port through which BotDesk keeps bots, their versions and their backtest runs (issue 6).
// core defines it; connectors/postgres implements it (PgBotStore over Qt Sql); tests may fake it.
//
// Threads: one instance per thread, used only on the thread that created it. An implementation owns its
// database connection (one per thread, never shared) and may block that thread while it talks to the server:
// call it from a worker or the CLI, not from the GUI thread's event handlers. Instances are not thread-safe.
//
// Errors: every call returns a Result. Expected failures are errors, never exceptions or crashes, and their
// message names the input and the fix: an unknown bot or version (with the near names), a bad name, a server
// that cannot be reached (the URL with any password redacted, and how to start or point at one), a connection
// lost mid-call. Each call is one transaction: on any error nothing of it is written. After a lost connection
// the next call reconnects.
//
// Ownership: rows belong to the database login that wrote them; a login sees only its own bots, versions and
// runs unless it holds botdesk_admin (row-level security in the database). Names are unique per owner.
// Times are UTC epoch milliseconds.

#include "backtestrun.h"
#include "bot.h"
#include "result.h"

#include <QString>
#include <QUuid>

#include <utility>
#include <vector>

namespace bd {

class BotStore {
public:
    virtual ~BotStore() = default;

    // Creates the bot `name` on `strategyTemplate` with its first version, in one transaction. From
    // `firstVersion` the store takes code, params, notes and codeHash, and fills id, botId, owner and createdAtMs
    // (defaultVersionOf(template) in strategies/ gives the template's default version). Fails when the name is
    // taken by this owner or does not match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}, or when firstVersion.codeHash is not
    // computeCodeHash(code, params).
    virtual Result<Bot> createBot(const QString &name, const QString &strategyTemplate, const BotVersion &firstVersion) = 0;
    // Every bot the login may see, by name.
    virtual Result<std::vector<Bot>> listBots() = 0;  // with versionCount and latestHash filled
    // The bot called `name` (exact); the error names it and lists near names ("no bot 'emacross'; did you mean
    // 'ema-cross'?").
    virtual Result<Bot> findBot(const QString &name) = 0;

    // Saves `version` of bot version.botId (code, params, notes, parentId; codeHash must equal
    // computeCodeHash(code, params)). Identical content (same bot and code_hash) returns the existing version with
    // created=false; otherwise the new stored version with created=true. Versions are immutable: no call changes
    // or deletes one (the database refuses it too).
    virtual Result<std::pair<BotVersion, bool>> saveVersion(const BotVersion &version) = 0;
    // The versions of `botId`, newest first.
    virtual Result<std::vector<BotVersion>> listVersions(const QUuid &botId) = 0;
    // A version of bot `botName`: the latest when `hashPrefix` is empty, else the one whose code_hash starts with
    // `hashPrefix` (at least 4 hex digits). An unknown or ambiguous prefix is an error naming the candidates.
    virtual Result<BotVersion> findVersion(const QString &botName, const QString &hashPrefix) = 0;

    // Saves `run` with its trades and equity curve in one transaction. A curve of more than kStoredEquityPoints
    // points is stored decimated (decimateEquityCurve), so loading gives at most that many.
    // Idempotent on run.id: saving the same id again replaces the earlier save (a retried save after a lost
    // connection, or pending -> running -> completed). run.versionId must be a stored version the login sees.
    virtual Result<void> saveBacktestRun(const BacktestRunRecord &run) = 0;
    // Summaries of the runs of bot `botName` (every bot the login sees when empty), newest first, at most
    // `limit` (>= 1) of them.
    virtual Result<std::vector<BacktestRunSummary>> listBacktestRuns(const QString &botName, int limit) = 0;
    // The whole stored run `id` (owner filled in); an unknown id is an error naming it. (The CLI resolves id
    // prefixes before calling this.)
    virtual Result<BacktestRunRecord> loadBacktestRun(const QUuid &id) = 0;
};

} // namespace bd
