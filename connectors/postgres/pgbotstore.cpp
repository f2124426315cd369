#include "pgbotstore.h"

#include "backtestjson.h"
#include "codehash.h"
#include "jsontext.h"
#include "migrator.h"
#include "reportformat.h"
#include "runrecordjson.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>

#include <algorithm>
#include <cmath>

namespace bd {

namespace {

// SQL for a timestamptz column as UTC epoch milliseconds (extract gives an exact numeric; microseconds dropped).
QString ms(const char *column)
{
    return QStringLiteral("floor(extract(epoch from %1) * 1000)::bigint").arg(QLatin1String(column));
}

const QString kBotColumns = QStringLiteral("b.id, b.owner, b.name, b.strategy_template, coalesce(b.account, ''), "
                                           "b.is_active, %1, %2")
                                .arg(ms("b.created_at"), ms("b.updated_at"));
const QString kVersionColumns = QStringLiteral("v.id, v.bot_id, v.owner, v.code, v.params::text, v.code_hash, v.notes, "
                                               "v.parent_id, %1")
                                    .arg(ms("v.created_at"));

QVariant uuidValue(const QUuid &id)
{
    if (id.isNull())
        return QVariant(QMetaType::fromType<QString>());
    return id.toString(QUuid::WithoutBraces);
}

// A text value to bind: QPSQL binds a null QString as SQL NULL, and the text columns are NOT NULL ('' = none).
QVariant textValue(const QString &s)
{
    return s.isNull() ? QVariant(QStringLiteral("")) : QVariant(s);
}

// PostgreSQL array literals ('{…}', cast to a typed array in SQL) for binding one column of many rows at once.
// Numbers: integers as is; doubles in the shortest text that reads back to the same double, so float8 stores them
// exactly, and a non-finite one NULL. Text: every element quoted, '"' and '\\' escaped with a backslash (PostgreSQL docs §8.15.6).
template <typename T, typename Format>
QString arrayLiteral(const std::vector<T> &rows, Format format)
{
    QString text;
    text.reserve(int(rows.size()) * 12 + 2);
    text += QLatin1Char('{');
    for (size_t i = 0; i < rows.size(); ++i) {
        if (i > 0)
            text += QLatin1Char(',');
        format(text, rows[i]);
    }
    text += QLatin1Char('}');
    return text;
}

// A non-finite number becomes NULL, which the NOT NULL columns refuse: the save fails and rolls back.
void appendNumber(QString &text, double value)
{
    if (std::isfinite(value))
        text += QString::number(value, 'g', QLocale::FloatingPointShortest);
    else
        text += QStringLiteral("NULL");
}

void appendQuoted(QString &text, const QString &value)
{
    text += QLatin1Char('"');
    for (const QChar c : value) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            text += QLatin1Char('\\');
        text += c;
    }
    text += QLatin1Char('"');
}

QUuid uuidOf(const QVariant &v)
{
    return v.isNull() ? QUuid() : QUuid::fromString(v.toString());
}

// A jsonb column's text as an object or array; `what` names the column for the error.
Result<QJsonDocument> jsonOf(const QVariant &v, const QString &what)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(v.toString().toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        return makeError(QStringLiteral("the stored %1 is not JSON (%2); the stored run is damaged")
                             .arg(what, error.errorString()));
    return doc;
}

// The bot in the columns of kBotColumns, starting at column `first`.
Bot botFrom(const QSqlQuery &q, int first = 0)
{
    Bot b;
    b.id = uuidOf(q.value(first));
    b.owner = q.value(first + 1).toString();
    b.name = q.value(first + 2).toString();
    b.strategyTemplate = q.value(first + 3).toString();
    b.account = q.value(first + 4).toString();
    b.isActive = q.value(first + 5).toBool();
    b.createdAtMs = q.value(first + 6).toLongLong();
    b.updatedAtMs = q.value(first + 7).toLongLong();
    return b;
}

BotVersion versionFrom(const QSqlQuery &q)
{
    BotVersion v;
    v.id = uuidOf(q.value(0));
    v.botId = uuidOf(q.value(1));
    v.owner = q.value(2).toString();
    v.code = q.value(3).toString();
    v.params = QJsonDocument::fromJson(q.value(4).toString().toUtf8()).object();
    v.codeHash = q.value(5).toString();
    v.notes = q.value(6).toString();
    v.parentId = uuidOf(q.value(7));
    v.createdAtMs = q.value(8).toLongLong();
    return v;
}

// Levenshtein distance of a and b, case-insensitive.
int editDistance(const QString &a, const QString &b)
{
    const QString x = a.toLower(), y = b.toLower();
    std::vector<int> row(size_t(y.size()) + 1);
    for (qsizetype j = 0; j <= y.size(); ++j)
        row[size_t(j)] = int(j);
    for (qsizetype i = 1; i <= x.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= y.size(); ++j) {
            const int above = row[size_t(j)];
            row[size_t(j)] = std::min({above + 1, row[size_t(j - 1)] + 1, diagonal + (x[i - 1] == y[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[size_t(y.size())];
}

// The names of `names` close to `name`: equal but for case, one containing the other, or a few edits away.
QStringList nearNames(const QString &name, const QStringList &names)
{
    QStringList near;
    const int allowed = std::max<int>(1, int(name.size()) / 3);
    for (const QString &candidate : names) {
        if (candidate.compare(name, Qt::CaseInsensitive) == 0 || candidate.contains(name, Qt::CaseInsensitive)
            || name.contains(candidate, Qt::CaseInsensitive) || editDistance(candidate, name) <= allowed)
            near << candidate;
    }
    return near;
}

QString quotedList(const QStringList &names, int max = 10)
{
    QStringList shown;
    for (const QString &n : names.mid(0, max))
        shown << QLatin1Char('\'') + n + QLatin1Char('\'');
    QString text = shown.join(QStringLiteral(", "));
    if (names.size() > max)
        text += QStringLiteral(" and %1 more").arg(names.size() - max);
    return text;
}

// The content hash `version` must carry: its own when it matches the content, else an error; computed when empty.
Result<QString> checkedHash(const BotVersion &version)
{
    const QString hash = computeCodeHash(version.code, version.params);
    if (!version.codeHash.isEmpty() && version.codeHash != hash)
        return makeError(QStringLiteral("the version's code_hash %1 does not match its code and params (they hash to "
                                        "%2); compute it with computeCodeHash(code, params)")
                             .arg(version.codeHash, hash));
    return hash;
}

} // namespace

Error PgBotStore::explain(const Error &error) const
{
    const QString state = m_db.lastFailure().sqlState;
    if (state == QLatin1String("42P01") || state == QLatin1String("42883"))
        return makeError(QStringLiteral("%1; the database has no BotDesk schema (or an older one): run 'botdesk-cli db "
                                        "migrate' (BotDesk also migrates when it opens the store)")
                             .arg(error.message));
    return error;
}

Result<void> PgBotStore::ensureSchema()
{
    auto version = Migrator(m_db).ensureSchema();
    if (!version)
        return version.error();
    return {};
}

// --- bots -------------------------------------------------------------------------------------------------------

Result<Bot> PgBotStore::createBot(const QString &name, const QString &strategyTemplate, const BotVersion &firstVersion)
{
    if (!isValidBotName(name))
        return makeError(QStringLiteral("'%1' is not a bot name; use 1 to 64 letters, digits, '_', '.' or '-', "
                                        "starting with a letter or digit (e.g. ema-fast)")
                             .arg(name));
    if (strategyTemplate.trimmed().isEmpty())
        return makeError(QStringLiteral("bot '%1' needs a strategy template (e.g. ema_crossover)").arg(name));
    auto hash = checkedHash(firstVersion);
    if (!hash)
        return hash.error();

    return m_db.transaction([&]() -> Result<Bot> {
        // ON CONFLICT rather than a unique violation: the name taken is an answer, not a failed transaction.
        auto inserted = m_db.exec(QStringLiteral("INSERT INTO bots AS b (name, strategy_template) VALUES (?::text, "
                                                 "?::text) ON CONFLICT (owner, name) DO NOTHING RETURNING ")
                                      + kBotColumns,
                                  {textValue(name), textValue(strategyTemplate)});
        if (!inserted)
            return explain(inserted.error());
        if (!inserted->next())
            return makeError(QStringLiteral("a bot named '%1' already exists; pick another name, or save a new "
                                            "version of it with botdesk-cli bots new-version %1")
                                 .arg(name));
        Bot bot = botFrom(*inserted);
        BotVersion first = firstVersion;
        first.botId = bot.id;
        first.parentId = QUuid();
        first.codeHash = *hash;
        auto version = insertVersion(first, bot);
        if (!version)
            return version.error();
        return bot;
    });
}

Result<std::vector<Bot>> PgBotStore::listBots()
{
    // With each bot its version count and newest version (newest as listVersions orders them), in one query.
    auto q = m_db.exec(QStringLiteral(
                           "SELECT %1, (SELECT count(*) FROM bot_versions v WHERE v.bot_id = b.id), "
                           "(SELECT v.code_hash FROM bot_versions v WHERE v.bot_id = b.id "
                           "ORDER BY v.created_at DESC, v.id DESC LIMIT 1) "
                           "FROM bots b ORDER BY b.name, b.owner")
                           .arg(kBotColumns));
    if (!q)
        return explain(q.error());
    std::vector<Bot> bots;
    while (q->next()) {
        Bot bot = botFrom(*q);
        bot.versionCount = q->value(8).toInt();
        bot.latestHash = q->value(9).toString();
        bots.push_back(std::move(bot));
    }
    return bots;
}

Result<Bot> PgBotStore::findBot(const QString &name)
{
    return m_db.transaction([&] { return findBotIn(name); });
}

Result<Bot> PgBotStore::findBotIn(const QString &name)
{
    auto q = m_db.exec(QStringLiteral("SELECT %1, b.owner = current_user FROM bots b WHERE b.name = ?::text "
                                      "ORDER BY b.owner = current_user DESC, b.owner LIMIT 2")
                           .arg(kBotColumns),
                       {textValue(name)});
    if (!q)
        return explain(q.error());
    std::vector<Bot> found;
    bool firstIsMine = false;
    while (q->next()) {
        if (found.empty())
            firstIsMine = q->value(8).toBool();
        found.push_back(botFrom(*q));
    }
    if (found.size() == 1 || (!found.empty() && firstIsMine))
        return found.front();
    if (found.size() > 1)
        return makeError(QStringLiteral("several bots are named '%1' (owners '%2', '%3', ...) and none is yours; "
                                        "log in as its owner to use it")
                             .arg(name, found[0].owner, found[1].owner));

    auto all = m_db.exec(QStringLiteral("SELECT DISTINCT name FROM bots ORDER BY name"));
    if (!all)
        return explain(all.error());
    QStringList names;
    while (all->next())
        names << all->value(0).toString();
    const QString create = QStringLiteral("create one with botdesk-cli bots create %1 --template ema_crossover")
                               .arg(isValidBotName(name) ? name : QStringLiteral("NAME"));
    if (names.isEmpty())
        return makeError(QStringLiteral("no bot named '%1'; there are no bots yet; %2").arg(name, create));
    const QStringList near = nearNames(name, names);
    if (!near.isEmpty())
        return makeError(QStringLiteral("no bot named '%1'; did you mean %2? (bots: %3)")
                             .arg(name, quotedList(near, 3), quotedList(names)));
    return makeError(QStringLiteral("no bot named '%1'; bots: %2; %3").arg(name, quotedList(names), create));
}

// --- versions ---------------------------------------------------------------------------------------------------

Result<std::pair<BotVersion, bool>> PgBotStore::saveVersion(const BotVersion &version)
{
    if (version.botId.isNull())
        return makeError(QStringLiteral("a version needs its bot (botId is empty); find the bot first"));
    auto hash = checkedHash(version);
    if (!hash)
        return hash.error();
    return m_db.transaction([&]() -> Result<std::pair<BotVersion, bool>> {
        auto q = m_db.exec(QStringLiteral("SELECT %1 FROM bots b WHERE b.id = ?::uuid").arg(kBotColumns),
                           {uuidValue(version.botId)});
        if (!q)
            return explain(q.error());
        if (!q->next())
            return makeError(QStringLiteral("no bot with id %1 (it does not exist, or belongs to another login)")
                                 .arg(version.botId.toString(QUuid::WithoutBraces)));
        const Bot bot = botFrom(*q);
        BotVersion v = version;
        v.codeHash = *hash;
        return insertVersion(v, bot);
    });
}

Result<std::pair<BotVersion, bool>> PgBotStore::insertVersion(const BotVersion &version, const Bot &bot)
{
    BotVersion v = version;
    if (v.parentId.isNull()) {
        auto latest = m_db.scalar(QStringLiteral("SELECT id FROM bot_versions WHERE bot_id = ?::uuid "
                                                 "ORDER BY created_at DESC, id DESC LIMIT 1"),
                                  {uuidValue(bot.id)});
        if (!latest)
            return explain(latest.error());
        v.parentId = uuidOf(*latest);
    } else {
        auto parentBot = m_db.scalar(QStringLiteral("SELECT bot_id FROM bot_versions WHERE id = ?::uuid"),
                                     {uuidValue(v.parentId)});
        if (!parentBot)
            return explain(parentBot.error());
        if (uuidOf(*parentBot) != bot.id)
            return makeError(QStringLiteral("the parent version %1 is not a version of bot '%2'; give one of its "
                                            "versions (botdesk-cli bots versions %2), or none for the latest")
                                 .arg(v.parentId.toString(QUuid::WithoutBraces), bot.name));
    }
    auto inserted = m_db.exec(
        QStringLiteral("INSERT INTO bot_versions AS v (bot_id, code, params, code_hash, notes, parent_id) "
                       "VALUES (?::uuid, ?::text, ?::jsonb, ?::text, ?::text, ?::uuid) "
                       "ON CONFLICT (bot_id, code_hash) DO NOTHING RETURNING ")
            + kVersionColumns,
        {uuidValue(bot.id), textValue(v.code), compactJson(v.params), v.codeHash, textValue(v.notes),
         uuidValue(v.parentId)});
    if (!inserted)
        return explain(inserted.error());
    if (inserted->next()) {
        BotVersion stored = versionFrom(*inserted);
        auto touched = m_db.exec(QStringLiteral("UPDATE bots SET updated_at = now() WHERE id = ?::uuid"),
                                 {uuidValue(bot.id)});
        if (!touched)
            return explain(touched.error());
        return std::pair{stored, true};
    }
    auto existing = m_db.exec(QStringLiteral("SELECT %1 FROM bot_versions v WHERE v.bot_id = ?::uuid AND "
                                             "v.code_hash = ?::text")
                                  .arg(kVersionColumns),
                              {uuidValue(bot.id), v.codeHash});
    if (!existing)
        return explain(existing.error());
    if (!existing->next())
        return makeError(QStringLiteral("bot '%1' already has a version %2 that this login cannot see")
                             .arg(bot.name, shortHash(v.codeHash)));
    return std::pair{versionFrom(*existing), false};
}

Result<std::vector<BotVersion>> PgBotStore::listVersions(const QUuid &botId)
{
    auto q = m_db.exec(QStringLiteral("SELECT %1 FROM bot_versions v WHERE v.bot_id = ?::uuid "
                                      "ORDER BY v.created_at DESC, v.id DESC")
                           .arg(kVersionColumns),
                       {uuidValue(botId)});
    if (!q)
        return explain(q.error());
    std::vector<BotVersion> versions;
    while (q->next())
        versions.push_back(versionFrom(*q));
    return versions;
}

Result<BotVersion> PgBotStore::findVersion(const QString &botName, const QString &hashPrefix)
{
    const QString prefix = hashPrefix.trimmed().toLower();
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{4,64}$"));
    if (!prefix.isEmpty() && !hex.match(prefix).hasMatch())
        return makeError(QStringLiteral("'%1' is not a version hash; give at least 4 hex digits of a code_hash "
                                        "(botdesk-cli bots versions %2 lists them)")
                             .arg(hashPrefix, botName));
    return m_db.transaction([&]() -> Result<BotVersion> {
        auto bot = findBotIn(botName);
        if (!bot)
            return bot.error();
        auto q = m_db.exec(QStringLiteral("SELECT %1 FROM bot_versions v WHERE v.bot_id = ?::uuid "
                                          "AND starts_with(v.code_hash, ?::text) "
                                          "ORDER BY v.created_at DESC, v.id DESC LIMIT 11")
                               .arg(kVersionColumns),
                           {uuidValue(bot->id), textValue(prefix)});
        if (!q)
            return explain(q.error());
        std::vector<BotVersion> found;
        while (q->next())
            found.push_back(versionFrom(*q));
        if (found.size() == 1 || (prefix.isEmpty() && !found.empty()))
            return found.front();
        if (found.empty() && prefix.isEmpty())
            return makeError(QStringLiteral("bot '%1' has no version; save one with botdesk-cli bots new-version %1")
                                 .arg(botName));
        auto describe = [](const std::vector<BotVersion> &versions) {
            QStringList lines;
            for (size_t i = 0; i < versions.size() && i < 10; ++i)
                lines << QStringLiteral("%1 (%2)").arg(shortHash(versions[i].codeHash), report::utcSecond(versions[i].createdAtMs));
            if (versions.size() > 10)
                lines << QStringLiteral("...");
            return lines.join(QStringLiteral(", "));
        };
        if (found.size() > 1)
            return makeError(QStringLiteral("'%1' matches %2 versions of bot '%3': %4; give more hex digits")
                                 .arg(hashPrefix)
                                 .arg(found.size() > 10 ? QStringLiteral("more than 10") : QString::number(found.size()))
                                 .arg(botName, describe(found)));
        auto all = listVersions(bot->id);
        if (!all)
            return all.error();
        return makeError(QStringLiteral("bot '%1' has no version whose hash starts with '%2'; its versions, newest "
                                        "first: %3")
                             .arg(botName, prefix, describe(*all)));
    });
}

Result<std::pair<Bot, BotVersion>> PgBotStore::findVersionById(const QUuid &versionId)
{
    auto q = m_db.exec(QStringLiteral("SELECT %1, %2 FROM bot_versions v JOIN bots b ON b.id = v.bot_id "
                                      "WHERE v.id = ?::uuid")
                           .arg(kVersionColumns, kBotColumns),
                       {uuidValue(versionId)});
    if (!q)
        return explain(q.error());
    if (!q->next())
        return makeError(QStringLiteral("no bot version %1 (it does not exist, or belongs to another login)")
                             .arg(versionId.toString(QUuid::WithoutBraces)));
    const BotVersion version = versionFrom(*q);
    const Bot bot = botFrom(*q, 9);
    return std::pair{bot, version};
}

// --- backtest runs ----------------------------------------------------------------------------------------------

Result<void> PgBotStore::saveBacktestRun(const BacktestRunRecord &run)
{
    if (run.id.isNull())
        return makeError(QStringLiteral("a backtest run needs an id (QUuid::createUuid()) before it is saved"));
    if (run.versionId.isNull())
        return makeError(QStringLiteral("backtest run %1 names no bot version; give the version that ran")
                             .arg(run.id.toString(QUuid::WithoutBraces)));
    const QString runId = run.id.toString(QUuid::WithoutBraces);

    // Everything that needs no server first, so the transaction is short.
    const std::vector<EquityPoint> equity = run.equity.size() > size_t(kStoredEquityPoints)
                                                ? decimateEquityCurve(run.equity, kStoredEquityPoints)
                                                : run.equity;
    // The trades as one typed array per column (unnest in insertTrades): one statement, no per-row JSON.
    const std::vector<Trade> &t = run.trades;
    const auto integers = [&](auto field) {
        return arrayLiteral(t, [&](QString &text, const Trade &row) { text += QString::number(field(row)); });
    };
    const auto numbers = [&](auto field) {
        return arrayLiteral(t, [&](QString &text, const Trade &row) { appendNumber(text, field(row)); });
    };
    const auto texts = [&](auto field) {
        return arrayLiteral(t, [&](QString &text, const Trade &row) { appendQuoted(text, field(row)); });
    };
    const QVariantList tradeValues{
        runId,
        integers([](const Trade &r) { return qint64(r.ticket); }),
        texts([](const Trade &r) { return QString::fromLatin1(sideName(r.side)); }),
        numbers([](const Trade &r) { return r.volume; }),
        integers([](const Trade &r) { return r.openTimeMs; }),
        numbers([](const Trade &r) { return r.openPrice; }),
        integers([](const Trade &r) { return r.closeTimeMs; }),
        numbers([](const Trade &r) { return r.closePrice; }),
        numbers([](const Trade &r) { return r.sl; }),
        numbers([](const Trade &r) { return r.tp; }),
        numbers([](const Trade &r) { return r.commission; }),
        numbers([](const Trade &r) { return r.profit; }),
        texts([](const Trade &r) { return QString::fromLatin1(closeReasonName(r.closeReason)); }),
        numbers([](const Trade &r) { return r.mae; }),
        numbers([](const Trade &r) { return r.mfe; }),
        texts([](const Trade &r) { return r.comment; }),
    };
    const QVariantList runValues{
        runId,
        uuidValue(run.versionId),
        uuidValue(run.rerunOf),
        QString::fromLatin1(runStatusName(run.status)),
        textValue(run.label),
        compactJson(configToJson(run.config)),
        compactJson(run.params),
        textValue(run.symbol),
        compactJson(symbolSpecToJson(run.symbolSpec)),
        textValue(run.dataPath),
        textValue(run.dataSha256),
        run.fromMs,
        run.toMs,
        textValue(run.timeframe),
        run.bars,
        textValue(run.engineVersion),
        run.startedAtMs > 0 ? QVariant(run.startedAtMs) : QVariant(QMetaType::fromType<qlonglong>()),
        run.durationMs,
        textValue(run.error),
        run.stats.totalTrades,
        run.stats.totalNetProfit,
        run.stats.profitFactor,
        run.stats.equityDrawdownRelativePercent,
        run.stats.sharpeRatio,
        compactJson(statsToJson(run.stats)),
        compactJson(QJsonArray::fromStringList(run.warnings)),
        run.rejectedOrders,
        encodeEquityCurve(equity),
    };
    static const QString upsert = QStringLiteral(
        "INSERT INTO backtest_runs (id, bot_version_id, rerun_of, status, label, config, params, symbol, symbol_spec, "
        "data_path, data_sha256, window_from_ms, window_to_ms, timeframe, bars, engine_version, started_at, "
        "duration_ms, error, total_trades, net_profit, profit_factor, max_drawdown_percent, sharpe_ratio, stats, "
        "warnings, rejected_orders, equity) VALUES (?::uuid, ?::uuid, ?::uuid, ?::text, ?::text, ?::jsonb, ?::jsonb, "
        "?::text, ?::jsonb, ?::text, ?::text, ?::bigint, ?::bigint, ?::text, ?::bigint, ?::text, "
        "coalesce(timestamptz 'epoch' + ?::bigint * interval '1 millisecond', now()), ?::bigint, ?::text, ?::int, "
        "?::float8, ?::float8, ?::float8, ?::float8, ?::jsonb, ?::jsonb, ?::int, ?::bytea) "
        "ON CONFLICT (id) DO UPDATE SET bot_version_id = EXCLUDED.bot_version_id, rerun_of = EXCLUDED.rerun_of, "
        "status = EXCLUDED.status, label = EXCLUDED.label, config = EXCLUDED.config, params = EXCLUDED.params, "
        "symbol = EXCLUDED.symbol, symbol_spec = EXCLUDED.symbol_spec, data_path = EXCLUDED.data_path, "
        "data_sha256 = EXCLUDED.data_sha256, window_from_ms = EXCLUDED.window_from_ms, "
        "window_to_ms = EXCLUDED.window_to_ms, timeframe = EXCLUDED.timeframe, bars = EXCLUDED.bars, "
        "engine_version = EXCLUDED.engine_version, started_at = EXCLUDED.started_at, "
        "duration_ms = EXCLUDED.duration_ms, error = EXCLUDED.error, total_trades = EXCLUDED.total_trades, "
        "net_profit = EXCLUDED.net_profit, profit_factor = EXCLUDED.profit_factor, "
        "max_drawdown_percent = EXCLUDED.max_drawdown_percent, sharpe_ratio = EXCLUDED.sharpe_ratio, "
        "stats = EXCLUDED.stats, warnings = EXCLUDED.warnings, rejected_orders = EXCLUDED.rejected_orders, "
        "equity = EXCLUDED.equity");
    // One statement for every trade: one typed array per column, unnested in parallel (row k of each is trade k).
    static const QString insertTrades = QStringLiteral(
        "INSERT INTO backtest_trades (run_id, seq, ticket, side, volume, open_time_ms, open_price, close_time_ms, "
        "close_price, sl, tp, commission, profit, close_reason, mae, mfe, comment) "
        "SELECT ?::uuid, (u.ord - 1)::int, u.ticket, u.side, u.volume, u.open_time_ms, u.open_price, u.close_time_ms, "
        "u.close_price, u.sl, u.tp, u.commission, u.profit, u.close_reason, u.mae, u.mfe, u.comment "
        "FROM unnest(?::bigint[], ?::text[], ?::float8[], ?::bigint[], ?::float8[], ?::bigint[], ?::float8[], "
        "?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::text[], ?::float8[], ?::float8[], ?::text[]) "
        "WITH ORDINALITY AS u(ticket, side, volume, open_time_ms, open_price, close_time_ms, close_price, sl, tp, "
        "commission, profit, close_reason, mae, mfe, comment, ord)");

    return m_db.transaction([&]() -> Result<void> {
        auto saved = m_db.exec(upsert, runValues);
        if (!saved) {
            const QString state = m_db.lastFailure().sqlState;
            if (state == QLatin1String("23503") || state == QLatin1String("42501"))
                return makeError(QStringLiteral("cannot save backtest run %1: its bot version %2 does not exist or "
                                                "belongs to another login (%3)")
                                     .arg(runId, run.versionId.toString(QUuid::WithoutBraces), saved.error().message));
            return explain(saved.error());
        }
        auto cleared = m_db.exec(QStringLiteral("DELETE FROM backtest_trades WHERE run_id = ?::uuid"), {runId});
        if (!cleared)
            return explain(cleared.error());
        if (!run.trades.empty()) {
            auto written = m_db.exec(insertTrades, tradeValues);
            if (!written)
                return explain(written.error());
        }
        return {};
    });
}

Result<std::vector<BacktestRunSummary>> PgBotStore::listBacktestRuns(const QString &botName, int limit)
{
    if (limit < 1)
        return makeError(QStringLiteral("a run listing needs a limit of at least 1, not %1").arg(limit));
    return m_db.transaction([&]() -> Result<std::vector<BacktestRunSummary>> {
        QString sql = QStringLiteral(
            "SELECT r.id, b.name, v.code_hash, r.symbol, r.status, r.label, %1, r.duration_ms, "
            "coalesce(r.total_trades, 0), coalesce(r.net_profit, 0), coalesce(r.profit_factor, 0), "
            "coalesce(r.max_drawdown_percent, 0), coalesce(r.sharpe_ratio, 0) "
            "FROM backtest_runs r JOIN bot_versions v ON v.id = r.bot_version_id JOIN bots b ON b.id = v.bot_id ")
                          .arg(ms("r.started_at"));
        QVariantList values;
        if (!botName.isEmpty()) {
            auto bot = findBotIn(botName);
            if (!bot)
                return bot.error();
            sql += QStringLiteral("WHERE b.id = ?::uuid ");
            values << uuidValue(bot->id);
        }
        sql += QStringLiteral("ORDER BY r.started_at DESC, r.id LIMIT ?::int");
        values << limit;
        auto q = m_db.exec(sql, values);
        if (!q)
            return explain(q.error());
        std::vector<BacktestRunSummary> runs;
        while (q->next()) {
            BacktestRunSummary s;
            s.id = uuidOf(q->value(0));
            s.botName = q->value(1).toString();
            s.codeHash = q->value(2).toString();
            s.symbol = q->value(3).toString();
            auto status = runStatusFromName(q->value(4).toString());
            s.status = status ? *status : RunStatus::Failed;
            s.label = q->value(5).toString();
            s.startedAtMs = q->value(6).toLongLong();
            s.durationMs = q->value(7).toLongLong();
            s.totalTrades = q->value(8).toInt();
            s.netProfit = q->value(9).toDouble();
            s.profitFactor = q->value(10).toDouble();
            s.maxDrawdownPercent = q->value(11).toDouble();
            s.sharpeRatio = q->value(12).toDouble();
            runs.push_back(std::move(s));
        }
        return runs;
    });
}

Result<BacktestRunRecord> PgBotStore::loadBacktestRun(const QUuid &id)
{
    const QString runId = id.toString(QUuid::WithoutBraces);
    return m_db.transaction([&]() -> Result<BacktestRunRecord> {
        // One snapshot for the run and its trades, even while another process re-saves it.
        if (auto iso = m_db.exec(QStringLiteral("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")); !iso)
            return iso.error();
        auto q = m_db.exec(
            QStringLiteral("SELECT id, bot_version_id, rerun_of, status, label, config::text, params::text, symbol, "
                           "symbol_spec::text, data_path, data_sha256, coalesce(window_from_ms, 0), "
                           "coalesce(window_to_ms, 0), timeframe, bars, engine_version, %1, duration_ms, error, "
                           "stats::text, warnings::text, rejected_orders, equity, owner "
                           "FROM backtest_runs WHERE id = ?::uuid")
                .arg(ms("started_at")),
            {runId});
        if (!q)
            return explain(q.error());
        if (!q->next())
            return makeError(QStringLiteral("no backtest run %1 (it does not exist, or belongs to another login); "
                                            "botdesk-cli backtests list shows the runs")
                                 .arg(runId));
        const QString context = QStringLiteral("backtest run %1").arg(runId);
        auto fail = [&](const QString &what) { return makeError(context + QStringLiteral(": ") + what); };

        BacktestRunRecord r;
        r.id = uuidOf(q->value(0));
        r.versionId = uuidOf(q->value(1));
        r.rerunOf = uuidOf(q->value(2));
        auto status = runStatusFromName(q->value(3).toString());
        if (!status)
            return fail(status.error().message);
        r.status = *status;
        r.label = q->value(4).toString();
        auto config = jsonOf(q->value(5), QStringLiteral("config"));
        auto params = jsonOf(q->value(6), QStringLiteral("params"));
        auto spec = jsonOf(q->value(8), QStringLiteral("symbol_spec"));
        auto stats = jsonOf(q->value(19), QStringLiteral("stats"));
        auto warnings = jsonOf(q->value(20), QStringLiteral("warnings"));
        for (const auto *doc : {&config, &params, &spec, &warnings})
            if (!*doc)
                return fail(doc->error().message);
        auto readConfig = configFromJson(config->object());
        if (!readConfig)
            return fail(readConfig.error().message);
        r.config = *readConfig;
        r.params = params->object();
        r.symbol = q->value(7).toString();
        auto readSpec = symbolSpecFromJson(spec->object());
        if (!readSpec)
            return fail(readSpec.error().message);
        r.symbolSpec = *readSpec;
        r.dataPath = q->value(9).toString();
        r.dataSha256 = q->value(10).toString();
        r.fromMs = q->value(11).toLongLong();
        r.toMs = q->value(12).toLongLong();
        r.timeframe = q->value(13).toString();
        r.bars = q->value(14).toLongLong();
        r.engineVersion = q->value(15).toString();
        r.startedAtMs = q->value(16).toLongLong();
        r.durationMs = q->value(17).toLongLong();
        r.error = q->value(18).toString();
        if (!q->value(19).isNull()) {
            if (!stats)
                return fail(stats.error().message);
            auto readStats = statsFromJson(stats->object());
            if (!readStats)
                return fail(readStats.error().message);
            r.stats = *readStats;
        }
        for (const QJsonValue &w : warnings->array())
            r.warnings << w.toString();
        r.rejectedOrders = q->value(21).toInt();
        if (!q->value(22).isNull()) {
            auto curve = decodeEquityCurve(q->value(22).toByteArray());
            if (!curve)
                return fail(curve.error().message);
            r.equity = std::move(*curve);
        }
        r.owner = q->value(23).toString();

        auto t = m_db.exec(QStringLiteral("SELECT ticket, side, volume, open_time_ms, open_price, close_time_ms, "
                                          "close_price, sl, tp, commission, profit, close_reason, mae, mfe, comment "
                                          "FROM backtest_trades WHERE run_id = ?::uuid ORDER BY seq"),
                           {runId});
        if (!t)
            return explain(t.error());
        while (t->next()) {
            Trade trade;
            trade.ticket = quint64(t->value(0).toLongLong());
            const auto side = sideFromName(t->value(1).toString());
            const auto reason = closeReasonFromName(t->value(11).toString());
            if (!side || !reason)
                return fail(QStringLiteral("trade %1 has side '%2' and close reason '%3'; the stored run is damaged")
                                .arg(r.trades.size())
                                .arg(t->value(1).toString(), t->value(11).toString()));
            trade.side = *side;
            trade.volume = t->value(2).toDouble();
            trade.openTimeMs = t->value(3).toLongLong();
            trade.openPrice = t->value(4).toDouble();
            trade.closeTimeMs = t->value(5).toLongLong();
            trade.closePrice = t->value(6).toDouble();
            trade.sl = t->value(7).toDouble();
            trade.tp = t->value(8).toDouble();
            trade.commission = t->value(9).toDouble();
            trade.profit = t->value(10).toDouble();
            trade.closeReason = *reason;
            trade.mae = t->value(12).toDouble();
            trade.mfe = t->value(13).toDouble();
            trade.comment = t->value(14).toString();
            r.trades.push_back(std::move(trade));
        }
        return r;
    });
}

Result<std::vector<QUuid>> PgBotStore::findRunIds(const QString &prefix, int limit)
{
    const QString p = prefix.trimmed().toLower();
    static const QRegularExpression form(QStringLiteral("^[0-9a-f-]+$"));
    if (!form.match(p).hasMatch() || QString(p).remove(QLatin1Char('-')).size() < 8)
        return makeError(QStringLiteral("'%1' is not a backtest run id; give the id or its first 8 or more hex digits "
                                        "(botdesk-cli backtests list shows them)")
                             .arg(prefix));
    auto q = m_db.exec(QStringLiteral("SELECT id FROM backtest_runs WHERE starts_with(id::text, ?::text) "
                                      "ORDER BY started_at DESC, id LIMIT ?::int"),
                       {p, std::max(1, limit)});
    if (!q)
        return explain(q.error());
    std::vector<QUuid> ids;
    while (q->next())
        ids.push_back(uuidOf(q->value(0)));
    return ids;
}

} // namespace bd
