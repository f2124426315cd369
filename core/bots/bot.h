#pragma once
// A bot and its immutable versions (issue 6): the trader's unit of strategy code + parameters.
//
// A Bot names a strategy template and (later) the account it trades; its behaviour is a chain of BotVersions.
// A BotVersion is immutable once stored: its content is `code` + `params`, identified by `codeHash`
// (computeCodeHash in codehash.h), unique per bot — saving identical content again yields the existing version.
// Times are UTC epoch milliseconds. A null QUuid means "none" (not stored yet, or no parent).

#include <QJsonObject>
#include <QRegularExpression>
#include <QString>
#include <QUuid>
#include <QtGlobal>

namespace bd {

struct Bot {
    QUuid id;                  // null until stored
    QString name;              // unique per owner: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}
    QString owner;             // the database login that owns it (filled by the store)
    QString strategyTemplate;  // a built-in strategy name, e.g. "ema_crossover"
    QString account;           // trading account for live runs; empty = none
    bool isActive = true;
    qint64 createdAtMs = 0;    // UTC epoch ms
    qint64 updatedAtMs = 0;    // UTC epoch ms
    int versionCount = 0;      // stored versions (filled by BotStore::listBots; 0 elsewhere)
    QString latestHash;        // code_hash of the newest version (filled by BotStore::listBots; empty elsewhere)
};

struct BotVersion {
    QUuid id;                  // null until stored
    QUuid botId;
    QString owner;             // filled by the store
    QString code;              // the strategy's source text (a built-in's own .h + .cpp, see builtinStrategySource)
    QJsonObject params;        // as given: any subset of the strategy's parameters, {} = every default
    QString codeHash;          // computeCodeHash(code, params): 64 lowercase hex digits
    QString notes;             // free text from the trader
    QUuid parentId;            // the version this one was derived from; null = none
    qint64 createdAtMs = 0;    // UTC epoch ms
};

// A bot name: 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit (the bots table's CHECK).
inline bool isValidBotName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"));
    return pattern.match(name).hasMatch();
}

// The first 12 hex digits of a code_hash: how messages and UIs name a version.
inline QString shortHash(const QString &codeHash)
{
    return codeHash.left(12);
}

} // namespace bd
