#include "symbolresolver.h"

#include <algorithm>
#include <vector>

namespace bd::mt5sim {

namespace {

const char *const kSuffixes[] = {"-ECN", ".sim", ".fx", ".m", ".s", "m", "."};

int editDistance(const QString &a, const QString &b)
{
    std::vector<int> prev(size_t(b.size()) + 1), cur(size_t(b.size()) + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        prev[size_t(j)] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        cur[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int subst = prev[size_t(j - 1)] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[size_t(j)] = std::min({prev[size_t(j)] + 1, cur[size_t(j - 1)] + 1, subst});
        }
        std::swap(prev, cur);
    }
    return prev[size_t(b.size())];
}

} // namespace

SymbolResolver::SymbolResolver(QStringList brokerNames, std::map<QString, QString> aliases) : m_names(std::move(brokerNames))
{
    for (const auto &[alias, name] : aliases)
        m_aliases[alias.toUpper()] = name;
}

QString SymbolResolver::baseOf(const QString &name)
{
    for (const char *suffix : kSuffixes) {
        const QString s = QLatin1String(suffix);
        if (name.size() > s.size() && name.endsWith(s, Qt::CaseInsensitive))
            return name.left(name.size() - s.size());
    }
    return name;
}

std::optional<QString> SymbolResolver::resolve(const QString &requested) const
{
    if (requested.isEmpty() || requested.size() > 64)
        return std::nullopt;
    for (const QString &n : m_names)
        if (n.compare(requested, Qt::CaseInsensitive) == 0)
            return n;
    if (const auto it = m_aliases.find(requested.toUpper()); it != m_aliases.end() && m_names.contains(it->second))
        return it->second;
    const QString base = baseOf(requested);
    std::optional<QString> found;
    for (const QString &n : m_names) {
        if (baseOf(n).compare(base, Qt::CaseInsensitive) != 0)
            continue;
        if (found)
            return std::nullopt;  // ambiguous
        found = n;
    }
    return found;
}

QStringList SymbolResolver::suggestions(const QString &requested) const
{
    const QString base = baseOf(requested).toUpper().left(64);
    std::vector<std::pair<int, QString>> scored;
    for (const QString &n : m_names)
        scored.push_back({editDistance(base, baseOf(n).toUpper()), n});
    std::sort(scored.begin(), scored.end());
    QStringList out;
    for (size_t i = 0; i < scored.size() && i < 5; ++i)
        out << scored[i].second;
    return out;
}

} // namespace bd::mt5sim
