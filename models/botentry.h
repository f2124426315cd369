#pragma once
// One line of the Bots view's bot list: a stored Bot with what the list shows about its versions.
// A value type: built on BotLibrary's worker thread from BotStore calls, handed to the GUI thread by copy.

#include "bot.h"

#include <QString>

namespace bd {

struct BotEntry {
    Bot bot;
    int versionCount = 0;       // stored versions of the bot (BotStore::listVersions)
    QString latestHash;         // code_hash of the newest version; empty when it has none
};

} // namespace bd
