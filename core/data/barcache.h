#pragma once
// The bar cache: a data file is parsed once; later loads map a binary copy of its bars.
//
// Where: $BOTDESK_HOME/cache/bars when BOTDESK_HOME is set, else <QStandardPaths::GenericCacheLocation>/botdesk/bars
// (~/.cache/botdesk/bars on Linux, %LOCALAPPDATA%/cache/botdesk/bars on Windows), shared by the window and the CLI.
//
// Entries: one per (source file, load options). The entry's file name is the hex SHA-256 of the source's
// absolute path and the options that change the bars (the server UTC offset), so two sources never share an
// entry. The entry's header records the source's identity — its size, its modification time and a SHA-256
// fingerprint of its first and last 64 KiB — and an entry whose identity no longer matches the source is
// ignored (and rewritten by the next load through loadBarsCached).
//
// Torn writes: an entry is written to a temporary file in the same folder and renamed over the old one, so a
// crash or a concurrent writer never leaves a partial entry under its final name (at worst a stray
// entry-*.tmp). It is not synced to disk: an entry whose size disagrees with its header, or whose header is
// not this build's (magic, version, sizeof(Bar)), is ignored and rebuilt.
//
// Layout (native byte order; only little-endian hosts write or read it): a 128-byte header, then the bars as
// an array of the in-memory `Bar` (bar.h), so a mapped entry is handed to the engine without a copy. The
// bars are stored in rows, not columns: the engine and the charts read whole bars, and rows let the mapped
// file *be* the BarSeries instead of being converted into one.

#include "barloader.h"
#include "barseries.h"
#include "result.h"

#include <QString>

#include <optional>
#include <span>

namespace bd {

class BarCache {
public:
    // Entries live in `directory` (created on the first store).
    explicit BarCache(QString directory);

    // $BOTDESK_HOME/cache/bars, else the platform's generic cache folder + "/botdesk/bars" (see above).
    static QString defaultDirectory();

    const QString &directory() const { return m_directory; }

    // The bars of `sourcePath` as loaded with `options`, mapped from a current entry; std::nullopt when there
    // is none (never cached, source changed, entry unreadable or from another build). Never fails otherwise.
    std::optional<BarSeries> find(const QString &sourcePath, const BarLoadOptions &options) const;

    // Writes the entry for `sourcePath` + `options` holding `bars`. Fails (message names the cache folder and
    // the reason) when the folder cannot be created or written; callers may log that and carry on uncached.
    Result<void> store(const QString &sourcePath, const BarLoadOptions &options, std::span<const Bar> bars) const;

    // Path of the entry file for `sourcePath` + `options` (whether or not it exists).
    QString entryPath(const QString &sourcePath, const BarLoadOptions &options) const;

private:
    QString m_directory;
};

// How loadBarsCached uses the cache.
enum class CacheUse { ReadWrite, Bypass };

struct LoadedBars {
    BarSeries bars;
    bool fromCache = false;  // true when mapped from a cache entry, false when parsed from the source
};

// Loads `path` through `cache`: a current entry is mapped; otherwise the source is parsed with loadBars (the
// same errors) and, unless `use` is Bypass, stored for next time (a store failure is logged as a warning, the
// load still succeeds). With CacheUse::Bypass the cache is neither read nor written.
Result<LoadedBars> loadBarsCached(const QString &path, const BarLoadOptions &options, const BarCache &cache,
                                  CacheUse use = CacheUse::ReadWrite);

} // namespace bd
