#include "botscommand.h"

#include "botstrategy.h"
#include "pythonstrategyloader.h"
#include "codehash.h"
#include "displaytext.h"
#include "jsontext.h"
#include "reportformat.h"
#include "strategyparams.h"
#include "strategyregistry.h"

#include <QFile>
#include <QJsonDocument>

namespace bd {

namespace {

const QString kCommands = QStringLiteral("list, create, new-version, versions or show");

QString shown(const QString &text)
{
    return escapeForDisplay(text);
}

// How a version's code relates to this binary: its own built-in, or something it cannot run; for a Python bot,
// the template's own source or Python code of the trader's.
QString codeOrigin(const BotVersion &version, const Bot &bot)
{
    if (isPythonTemplate(bot.strategyTemplate)) {
        auto first = firstVersionOf(bot.strategyTemplate);
        if (first && first->code == version.code)
            return QStringLiteral("template %1 (Python)").arg(bot.strategyTemplate);
        return QStringLiteral("Python code (edited from %1)").arg(bot.strategyTemplate);
    }
    auto builtin = builtinStrategySource(bot.strategyTemplate);
    if (builtin && *builtin == version.code)
        return QStringLiteral("built-in %1").arg(bot.strategyTemplate);
    return QStringLiteral("other code (not this binary's %1)").arg(bot.strategyTemplate);
}

// The one positional NAME (or NAME@HASH) of `command`; usage error otherwise.
Result<QString> nameArgument(const QString &command, const QStringList &arguments)
{
    if (arguments.size() != 2)
        return makeError(QStringLiteral("bots %1 takes one bot name (got %2); see 'botdesk-cli --help'")
                             .arg(command)
                             .arg(arguments.size() < 2 ? QStringLiteral("none")
                                                       : QLatin1Char('\'')
                                                             + shown(arguments.mid(1).join(QStringLiteral("', '")))
                                                             + QLatin1Char('\'')));
    return arguments.at(1);
}

CliOutcome list(StoreSession &s, QTextStream &out)
{
    auto bots = s.store->listBots();
    if (!bots)
        return cliFailure(bots.error().message);
    if (bots->empty()) {
        out << "no bots yet; create one with: botdesk-cli bots create NAME --template ema_crossover (or a Python "
               "template: --template ema_crossover_v1.py)"
            << Qt::endl;
        return {};
    }
    out << QStringLiteral("%1  %2  %3  %4  %5  %6")
               .arg(QStringLiteral("NAME"), -24)
               .arg(QStringLiteral("TEMPLATE"), -19)
               .arg(QStringLiteral("LATEST"), -12)
               .arg(QStringLiteral("VERSIONS"), 8)
               .arg(QStringLiteral("UPDATED"), -23)
               .arg(QStringLiteral("OWNER"))
        << Qt::endl;
    for (const Bot &bot : *bots) {
        out << QStringLiteral("%1  %2  %3  %4  %5  %6")
                   .arg(shown(bot.name), -24)
                   .arg(shown(bot.strategyTemplate), -19)
                   .arg(bot.latestHash.isEmpty() ? QStringLiteral("-") : shortHash(bot.latestHash), -12)
                   .arg(bot.versionCount, 8)
                   .arg(report::utcSecond(bot.updatedAtMs), -23)
                   .arg(shown(bot.owner))
            << Qt::endl;
    }
    return {};
}

CliOutcome create(const QStringList &arguments, const QCommandLineParser &parser, StoreSession *session,
                  QTextStream &out)
{
    auto name = nameArgument(QStringLiteral("create"), arguments);
    if (!name)
        return cliFailure(name.error().message, kCliExitUsage);
    if (!parser.isSet(QStringLiteral("template")))
        return cliFailure(QStringLiteral("bots create needs --template (a built-in strategy or a Python template such as "
                                         "ema_crossover_v1.py: see 'botdesk-cli strategies')"),
                          kCliExitUsage);
    const QString templateName = parser.value(QStringLiteral("template"));
    auto params = paramsOption(parser);
    if (!params)
        return cliFailure(params.error().message, kCliExitUsage);
    auto version = firstVersionOf(templateName);
    if (!version)
        return cliFailure(version.error().message + QStringLiteral("; run 'botdesk-cli strategies' for the list"),
                          kCliExitUsage);
    if (auto valid = loadVersionStrategy(templateName, version->code, templateName, *params); !valid)
        return cliFailure(valid.error().message, kCliExitUsage);
    version->params = *params;
    version->codeHash = computeCodeHash(version->code, version->params);
    version->notes = parser.value(QStringLiteral("notes"));

    int exitCode = 0;
    auto opened = openStore(parser, out, &exitCode);
    if (!opened)
        return cliFailure(opened.error().message, exitCode);
    *session = std::move(*opened);
    auto bot = session->store->createBot(*name, templateName, *version);
    if (!bot)
        return cliFailure(bot.error().message);
    out << "created bot " << shown(bot->name) << " (" << shown(templateName) << ") with version "
        << shortHash(version->codeHash) << (params->isEmpty() ? " (every parameter at its default)" : "") << Qt::endl;
    return {};
}

// Opens the store into `session` and finds the bot and the version named by `reference` ("NAME" = the latest
// version, "NAME@HASH" = the version whose code_hash starts with HASH). Exit code in the failure as openStore's.
CliOutcome findBotVersion(const QString &reference, const QCommandLineParser &parser, StoreSession *session,
                          QTextStream &out, Bot *bot, BotVersion *version)
{
    int exitCode = 0;
    auto opened = openStore(parser, out, &exitCode);
    if (!opened)
        return cliFailure(opened.error().message, exitCode);
    *session = std::move(*opened);
    const auto [name, hash] = splitBotReference(reference);
    auto foundBot = session->store->findBot(name);
    if (!foundBot)
        return cliFailure(foundBot.error().message);
    auto foundVersion = session->store->findVersion(name, hash);
    if (!foundVersion)
        return cliFailure(foundVersion.error().message);
    *bot = std::move(*foundBot);
    *version = std::move(*foundVersion);
    return {};
}

CliOutcome newVersion(const QStringList &arguments, const QCommandLineParser &parser, StoreSession *session,
                      QTextStream &out)
{
    auto reference = nameArgument(QStringLiteral("new-version"), arguments);
    if (!reference)
        return cliFailure(reference.error().message, kCliExitUsage);
    const bool hasCode = parser.isSet(QStringLiteral("code")), hasParams = parser.isSet(QStringLiteral("params"));
    if (!hasCode && !hasParams)
        return cliFailure(QStringLiteral("bots new-version needs --code FILE and/or --params JSON (the content that "
                                         "changes; --notes alone changes no content)"),
                          kCliExitUsage);
    auto params = paramsOption(parser);
    if (!params)
        return cliFailure(params.error().message, kCliExitUsage);
    QString code;
    if (hasCode) {
        QFile file(parser.value(QStringLiteral("code")));
        if (!file.open(QIODevice::ReadOnly))
            return cliFailure(QStringLiteral("cannot read --code file %1: %2").arg(shown(file.fileName()), file.errorString()),
                              kCliExitUsage);
        const QByteArray bytes = file.readAll();
        code = QString::fromUtf8(bytes);
        if (code.toUtf8() != bytes)
            return cliFailure(QStringLiteral("--code file %1 is not UTF-8 text; save it as UTF-8").arg(shown(file.fileName())),
                              kCliExitUsage);
    }

    Bot foundBot;
    BotVersion foundBase;
    if (CliOutcome found = findBotVersion(*reference, parser, session, out, &foundBot, &foundBase); found.exitCode != 0)
        return found;
    const Bot *bot = &foundBot;
    const BotVersion *base = &foundBase;

    BotVersion version;
    version.botId = bot->id;
    version.parentId = base->id;
    version.code = hasCode ? code : base->code;
    version.params = hasParams ? *params : base->params;
    version.notes = parser.value(QStringLiteral("notes"));
    // A Python bot's code is loaded by the host with the parameters before anything is stored: a syntax error, an
    // exception while the module runs or a bad parameter is refused with the file, the line and the traceback.
    if (isPythonTemplate(bot->strategyTemplate)) {
        const QString codeName = hasCode ? parser.value(QStringLiteral("code"))
                                         : versionCodeName(bot->name, base->codeHash);
        if (auto valid = loadVersionStrategy(bot->strategyTemplate, version.code, codeName, version.params); !valid)
            return cliFailure(QStringLiteral("nothing saved: %1").arg(valid.error().message), kCliExitUsage);
    }
    // Parameters of this binary's built-in are checked against its declared ranges; other code in a bot made from a
    // built-in is stored but does not run (make a bot from a Python template for code of your own).
    auto builtin = builtinStrategySource(bot->strategyTemplate);
    if (!isPythonTemplate(bot->strategyTemplate) && builtin && *builtin == version.code) {
        if (auto valid = createStrategy(bot->strategyTemplate, version.params); !valid)
            return cliFailure(valid.error().message, kCliExitUsage);
    }
    version.codeHash = computeCodeHash(version.code, version.params);
    auto saved = session->store->saveVersion(version);
    if (!saved)
        return cliFailure(saved.error().message);
    const BotVersion &v = saved->first;
    if (!saved->second) {
        out << "bot " << shown(bot->name) << " already has this content as version " << shortHash(v.codeHash) << " (created "
            << report::utcSecond(v.createdAtMs) << "); nothing saved" << Qt::endl;
        return {};
    }
    out << "saved version " << shortHash(v.codeHash) << " of bot " << shown(bot->name) << " (parent "
        << shortHash(base->codeHash) << ", " << codeOrigin(v, *bot) << ", params " << shown(compactJson(v.params)) << ')'
        << Qt::endl;
    return {};
}

CliOutcome versions(const QStringList &arguments, const QCommandLineParser &parser, StoreSession *session,
                    QTextStream &out)
{
    auto name = nameArgument(QStringLiteral("versions"), arguments);
    if (!name)
        return cliFailure(name.error().message, kCliExitUsage);
    int exitCode = 0;
    auto opened = openStore(parser, out, &exitCode);
    if (!opened)
        return cliFailure(opened.error().message, exitCode);
    *session = std::move(*opened);
    auto bot = session->store->findBot(*name);
    if (!bot)
        return cliFailure(bot.error().message);
    auto all = session->store->listVersions(bot->id);
    if (!all)
        return cliFailure(all.error().message);
    QHash<QUuid, QString> hashes;
    for (const BotVersion &v : *all)
        hashes.insert(v.id, v.codeHash);
    out << QStringLiteral("%1  %2  %3  %4  %5")
               .arg(QStringLiteral("HASH"), -12)
               .arg(QStringLiteral("CREATED"), -23)
               .arg(QStringLiteral("PARENT"), -12)
               .arg(QStringLiteral("CODE"), -28)
               .arg(QStringLiteral("PARAMS / NOTES"))
        << Qt::endl;
    for (const BotVersion &v : *all) {
        const QString parent = v.parentId.isNull() ? QStringLiteral("-") : shortHash(hashes.value(v.parentId, QStringLiteral("?")));
        out << QStringLiteral("%1  %2  %3  %4  %5%6")
                   .arg(shortHash(v.codeHash), -12)
                   .arg(report::utcSecond(v.createdAtMs), -23)
                   .arg(parent, -12)
                   .arg(codeOrigin(v, *bot).section(QLatin1Char(' '), 0, 1).remove(QLatin1Char('(')), -28)
                   .arg(shown(compactJson(v.params)))
                   .arg(v.notes.isEmpty() ? QString() : QStringLiteral("  ") + shown(v.notes))
            << Qt::endl;
    }
    return {};
}

CliOutcome show(const QStringList &arguments, const QCommandLineParser &parser, StoreSession *session, QTextStream &out)
{
    auto reference = nameArgument(QStringLiteral("show"), arguments);
    if (!reference)
        return cliFailure(reference.error().message, kCliExitUsage);
    Bot foundBot;
    BotVersion foundVersion;
    if (CliOutcome found = findBotVersion(*reference, parser, session, out, &foundBot, &foundVersion); found.exitCode != 0)
        return found;
    const Bot *bot = &foundBot;
    const BotVersion *v = &foundVersion;
    QString parent = QStringLiteral("none");
    if (!v->parentId.isNull()) {
        auto p = session->store->findVersionById(v->parentId);
        parent = p ? p->second.codeHash : v->parentId.toString(QUuid::WithoutBraces);
    }
    Result<QJsonObject> resolved = QJsonObject{};
    if (isPythonTemplate(bot->strategyTemplate)) {
        auto loaded = loadVersionStrategy(bot->strategyTemplate, v->code, versionCodeName(bot->name, v->codeHash), v->params);
        resolved = loaded ? Result<QJsonObject>(loaded->resolvedParams) : Result<QJsonObject>(loaded.error());
    } else {
        resolved = resolveStrategyParams(bot->strategyTemplate, v->params);
    }
    out << "bot:       " << shown(bot->name) << " (template " << shown(bot->strategyTemplate) << ", owner "
        << shown(bot->owner) << ')' << Qt::endl
        << "version:   " << v->codeHash << Qt::endl
        << "created:   " << report::utcSecond(v->createdAtMs) << Qt::endl
        << "parent:    " << parent << Qt::endl
        << "notes:     " << escapeForDisplay(v->notes, EscapeMode::Message) << Qt::endl
        << "params:    " << shown(compactJson(v->params)) << Qt::endl
        << "resolved:  " << (resolved ? shown(compactJson(*resolved)) : QStringLiteral("(not valid for ") + shown(bot->strategyTemplate)
                                                                    + QStringLiteral(": ") + resolved.error().message + ')')
        << Qt::endl
        << "code:      " << v->code.count(QLatin1Char('\n')) << " lines, " << codeOrigin(*v, *bot) << Qt::endl
        << "---" << Qt::endl
        << v->code;
    if (!v->code.endsWith(QLatin1Char('\n')))
        out << Qt::endl;
    out.flush();
    return {};
}

} // namespace

std::pair<QString, QString> splitBotReference(const QString &text)
{
    const qsizetype at = text.indexOf(QLatin1Char('@'));
    if (at < 0)
        return {text, QString()};
    return {text.left(at), text.mid(at + 1)};
}

Result<QJsonObject> paramsOption(const QCommandLineParser &parser)
{
    if (!parser.isSet(QStringLiteral("params")))
        return QJsonObject{};
    const QString text = parser.value(QStringLiteral("params"));
    QByteArray bytes = text.toUtf8();
    QString source = QStringLiteral("--params");
    if (text.startsWith(QLatin1Char('@'))) {
        QFile file(text.mid(1));
        if (!file.open(QIODevice::ReadOnly))
            return makeError(QStringLiteral("cannot read parameter file %1: %2").arg(file.fileName(), file.errorString()));
        bytes = file.readAll();
        source = file.fileName();
    }
    return parseStrategyParams(bytes, source);
}

CliOutcome runBotsCommand(const QStringList &arguments, const QCommandLineParser &parser, QTextStream &out)
{
    if (arguments.isEmpty())
        return cliFailure(QStringLiteral("bots needs a command: %1").arg(kCommands), kCliExitUsage);
    const QString command = arguments.first();
    StoreSession session;  // outlives the command's queries
    if (command == QLatin1String("list")) {
        if (arguments.size() != 1)
            return cliFailure(QStringLiteral("bots list takes no argument"), kCliExitUsage);
        int exitCode = 0;
        auto opened = openStore(parser, out, &exitCode);
        if (!opened)
            return cliFailure(opened.error().message, exitCode);
        session = std::move(*opened);
        return list(session, out);
    }
    if (command == QLatin1String("create"))
        return create(arguments, parser, &session, out);
    if (command == QLatin1String("new-version"))
        return newVersion(arguments, parser, &session, out);
    if (command == QLatin1String("versions"))
        return versions(arguments, parser, &session, out);
    if (command == QLatin1String("show"))
        return show(arguments, parser, &session, out);
    return cliFailure(QStringLiteral("unknown bots command '%1': use %2").arg(shown(command), kCommands), kCliExitUsage);
}

} // namespace bd
