#pragma once
// botdesk-cli bots ...: bots and their immutable versions (issue 6 §2; docs/bots.md).
//   bots list                                    every bot the login sees, with its latest version
//   bots create NAME --template T [--params JSON|@file] [--notes TEXT]
//                                                a bot on built-in strategy T, or on Python template T (a name
//                                                ending in .py, botstrategy.h); its first version is T's code with
//                                                the given parameters (none: every default)
//   bots new-version NAME[@HASH] [--code FILE] [--params JSON|@file] [--notes TEXT]
//                                                a version derived from HASH (default: the latest): its code, or
//                                                FILE's; its parameters, or the given ones (the rest default).
//                                                Identical content is the existing version: nothing is saved. A
//                                                Python bot's code is loaded first: one that does not load, or
//                                                bad parameters, are refused (exit 2) before anything is stored
//   bots versions NAME                           its versions, newest first
//   bots show NAME[@HASH]                        one version (default: the latest) with its code
// HASH is 4 or more leading hex digits of a code_hash. The database: --db, else BOTDESK_DB_URL, else BotDesk's own.

#include "storesession.h"

#include <QCommandLineParser>
#include <QStringList>
#include <QTextStream>

namespace bd {

// Runs `bots <arguments...>` (the words after "bots"), reading the options it uses from `parser`.
CliOutcome runBotsCommand(const QStringList &arguments, const QCommandLineParser &parser, QTextStream &out);

// "NAME" or "NAME@HASH" split into the name and the (possibly empty) hash prefix.
std::pair<QString, QString> splitBotReference(const QString &text);

// Reads --params (a JSON object, or @file.json); an empty object when it is not given.
Result<QJsonObject> paramsOption(const QCommandLineParser &parser);

} // namespace bd
