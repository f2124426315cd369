#pragma once
// Symbol resolution of mt5b v1 (docs/mt5b-protocol.md §5.1): a requested name → the broker symbol.
//  1. exact broker name, case-insensitive;
//  2. the alias map;
//  3. suffix match: strip one known suffix (longest first: -ECN, .sim, .fx, .m, .s, m, .) from the requested name
//     and from each broker name; exactly one broker symbol with the same base (case-insensitive) → that one;
//  4. otherwise none, with up to 5 suggestions: broker names by edit distance of the upper-cased bases, ties by name.

#include <QString>
#include <QStringList>

#include <map>
#include <optional>

namespace bd::mt5sim {

class SymbolResolver {
public:
    explicit SymbolResolver(QStringList brokerNames, std::map<QString, QString> aliases = {});

    std::optional<QString> resolve(const QString &requested) const;
    QStringList suggestions(const QString &requested) const;
    const QStringList &names() const { return m_names; }

    // The name without one known suffix ("EURUSD.sim" → "EURUSD"; "EURUSD" stays).
    static QString baseOf(const QString &name);

private:
    QStringList m_names;
    std::map<QString, QString> m_aliases;  // upper-cased alias → broker name
};

} // namespace bd::mt5sim
