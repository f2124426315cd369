#pragma once
// VersionDiff: what changed between two versions of a bot (issue 7 §3 History) — the code as a unified diff
// (3 lines of context, the format of `diff -u`) and the parameters key by key. The line diff is Debian's
// libdtl-dev (header-only; Myers' O(ND) algorithm, the one GNU diff uses).

#include "bot.h"

#include <QJsonValue>
#include <QList>
#include <QString>

namespace bd {

struct ParamChange {
    QString key;
    QJsonValue before;  // Undefined: not given in the older version (its default applied)
    QJsonValue after;   // Undefined: not given in the newer version (its default applies)
};

struct VersionDiff {
    QString unifiedCode;          // "--- a\n+++ b\n@@ -l,n +l,n @@\n..."; empty when the code is identical
    int linesAdded = 0;
    int linesRemoved = 0;
    QList<ParamChange> params;    // keys whose given value differs, sorted by key
    bool identical() const { return unifiedCode.isEmpty() && params.isEmpty(); }
};

// The change from `older` to `newer`. `olderLabel`/`newerLabel` name them in the ---/+++ lines
// (e.g. "eurusd_ema@1a2b3c4d5e6f"). Lines are split on '\n' (a '\r' before it is kept as part of the line).
// Never fails; huge inputs cost O((N+M)·D) time.
VersionDiff diffVersions(const BotVersion &older, const BotVersion &newer, const QString &olderLabel,
                         const QString &newerLabel);

} // namespace bd
