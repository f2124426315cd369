#include "storesession.h"

#include "displaytext.h"

#include <QDateTime>

#include <optional>

namespace bd {


void addStoreOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        {QStringLiteral("bot"), QStringLiteral("backtest: run stored bot NAME's latest version, or NAME@HASH's, and save "
                                               "the run; backtests list: only NAME's runs."),
         QStringLiteral("name[@hash]")},
        {QStringLiteral("template"), QStringLiteral("bots create: the built-in strategy (ema_crossover) or Python template "
                                                    "(ema_crossover_v1.py) the bot is made from; see 'strategies'."),
         QStringLiteral("strategy")},
        {QStringLiteral("code"), QStringLiteral("bots new-version: the version's code from this file (UTF-8); a Python "
                                                "bot's code must load (checked before saving)."),
         QStringLiteral("file")},
        {QStringLiteral("notes"), QStringLiteral("bots create / new-version: notes kept with the version."),
         QStringLiteral("text")},
        {QStringLiteral("label"), QStringLiteral("backtest --bot: a label kept with the run."), QStringLiteral("text")},
        {QStringLiteral("limit"), QStringLiteral("backtests list: at most this many runs (default 50)."),
         QStringLiteral("n")},
    });
}

Result<StoreSession> openStore(const QCommandLineParser &parser, QTextStream &out, int *exitCode)
{
    *exitCode = kCliExitUsage;
    const std::optional<QString> dbOption =
        parser.isSet(QStringLiteral("db")) ? std::optional<QString>(parser.value(QStringLiteral("db"))) : std::nullopt;
    auto target = resolveDatabaseTarget(dbOption);
    if (!target)
        return target.error();
    *exitCode = kCliExitFailure;
    Database::Options options;
    options.purpose = QStringLiteral("cli");
    StoreSession session;
    session.db = std::make_unique<Database>(*target, options);
    session.store = std::make_unique<PgBotStore>(*session.db);
    if (auto ready = session.store->ensureSchema(); !ready)
        return ready.error();
    if (session.spool.pending() > 0) {
        const SpoolFlush flushed = session.spool.flush(*session.store);
        if (flushed.saved > 0)
            out << "saved " << flushed.saved << " backtest run" << (flushed.saved == 1 ? "" : "s")
                << " kept in the spool during an earlier outage (" << escapeForDisplay(session.spool.directory()) << ')'
                << Qt::endl;
        for (const QString &aside : flushed.movedAside)
            out << "warning: a spooled backtest run could not be saved and was moved aside: "
                << escapeForDisplay(aside, EscapeMode::Message) << Qt::endl;
        if (!flushed.stoppedBy.isEmpty())
            out << "warning: " << flushed.remaining << " spooled backtest run(s) still wait in "
                << escapeForDisplay(session.spool.directory()) << ": " << escapeForDisplay(flushed.stoppedBy, EscapeMode::Message)
                << Qt::endl;
    }
    *exitCode = 0;
    return session;
}

} // namespace bd
