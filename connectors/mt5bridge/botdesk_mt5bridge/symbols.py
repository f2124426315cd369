"""Symbol resolution (mt5b §4.3): exact (case-insensitive) -> alias map -> a unique base+suffix match among the
broker's symbols -> UNKNOWN_SYMBOL with up to 5 suggestions by similarity."""

SUFFIXES = ("-ECN", ".SIM", ".FX", ".M", ".S", "M", ".")    # longest first; compared upper-cased


class Unknown(Exception):
    def __init__(self, requested, suggestions, message=None):
        super().__init__(message or f"symbol '{requested}' is not offered by this broker")
        self.requested, self.suggestions = requested, suggestions


def resolve(requested, broker_names, aliases):
    """The broker symbol for a requested name; raises Unknown (with suggestions) when there is no unique match."""
    if not isinstance(requested, str) or not requested.strip():
        raise Unknown(requested, [], "symbol must be a non-empty string")
    names = list(broker_names)
    upper = {n.upper(): n for n in names}
    key = requested.strip().upper()
    if key in upper:
        return upper[key]
    alias = aliases.get(key)
    if alias is not None:
        if alias.upper() in upper:
            return upper[alias.upper()]
        raise Unknown(requested, suggest(alias, names),
                      f"alias '{requested}' -> '{alias}', which this broker does not offer; fix [aliases]")
    base = _base(key)
    matches = sorted({n for n in names if _base(n.upper()) == base})
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise Unknown(requested, matches[:5], f"symbol '{requested}' is ambiguous: {', '.join(matches[:5])}; "
                                               "request the broker symbol or add an alias")
    sug = suggest(requested, names)
    raise Unknown(requested, sug, f"no symbol '{requested}'" + (f"; did you mean {', '.join(sug)}?" if sug else ""))


def _base(upper_name):
    """The name without one known suffix (the first, longest, that matches)."""
    for s in SUFFIXES:
        if upper_name.endswith(s) and len(upper_name) > len(s):
            return upper_name[:-len(s)]
    return upper_name


def _distance(a, b):
    """Levenshtein edit distance."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def suggest(requested, names, n=5):
    """Up to n broker names, most similar first: edit distance on the upper-cased bases, ties by name."""
    key = _base(requested.strip().upper())
    scored = sorted((_distance(key, _base(x.upper())), x) for x in names)
    return [x for d, x in scored if d <= max(3, len(key) // 2)][:n]
