#include "versiondiff.h"

#include <dtl/dtl.hpp>

#include <QStringList>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace bd {
namespace {

std::vector<std::string> linesOf(const QString &text)
{
    std::vector<std::string> lines;
    if (text.isEmpty())
        return lines;
    QStringList parts = text.split(QLatin1Char('\n'));
    if (text.endsWith(QLatin1Char('\n')))
        parts.removeLast();  // the final newline ends the last line; it does not start another
    lines.reserve(size_t(parts.size()));
    for (const QString &line : parts)
        lines.push_back(line.toStdString());
    return lines;
}

} // namespace

VersionDiff diffVersions(const BotVersion &older, const BotVersion &newer, const QString &olderLabel,
                         const QString &newerLabel)
{
    VersionDiff out;
    if (older.code != newer.code) {
        const std::vector<std::string> a = linesOf(older.code), b = linesOf(newer.code);
        dtl::Diff<std::string> diff(a, b);
        diff.onHuge();
        diff.compose();
        for (const auto &[line, info] : diff.getSes().getSequence()) {
            (void)line;
            if (info.type == dtl::SES_ADD)
                ++out.linesAdded;
            else if (info.type == dtl::SES_DELETE)
                ++out.linesRemoved;
        }
        diff.composeUnifiedHunks();
        std::ostringstream text;
        text << "--- " << olderLabel.toStdString() << "\n+++ " << newerLabel.toStdString() << "\n";
        diff.printUnifiedFormat(text);
        out.unifiedCode = QString::fromStdString(text.str());
        if (out.linesAdded == 0 && out.linesRemoved == 0)  // only the final newline differs
            out.unifiedCode += QStringLiteral("\\ the texts differ only in their final newline\n");
    }
    std::set<QString> keys;
    for (auto it = older.params.begin(); it != older.params.end(); ++it)
        keys.insert(it.key());
    for (auto it = newer.params.begin(); it != newer.params.end(); ++it)
        keys.insert(it.key());
    for (const QString &key : keys) {
        const QJsonValue before = older.params.value(key), after = newer.params.value(key);
        if (before != after)
            out.params.append(ParamChange{key, before, after});
    }
    return out;
}

} // namespace bd
