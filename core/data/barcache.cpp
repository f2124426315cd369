#include "barcache.h"

#include "logging.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>
#include <QStandardPaths>
#include <QSysInfo>

#include <cstring>
#include <filesystem>
#include <type_traits>

#ifdef Q_OS_LINUX
#include <sys/mman.h>
#endif

namespace bd {
namespace {

constexpr char kMagic[8] = {'B', 'D', 'B', 'A', 'R', 'S', '\0', '\1'};
constexpr quint32 kFormatVersion = 2;  // 2: the 48-byte Bar
constexpr quint32 kByteOrderMark = 0x01020304;
constexpr qint64 kFingerprintBytes = 64 * 1024;  // from the start and from the end of the source

// The source file as the cache knows it: an entry is current while all of this is unchanged.
struct SourceIdentity {
    QString absolutePath;
    qint64 size = 0;
    qint64 modifiedMs = 0;       // modification time, UTC epoch ms
    QByteArray fingerprint;      // SHA-256 of the first and last 64 KiB
};

struct EntryHeader {
    char magic[8];
    quint32 version;
    quint32 headerSize;
    quint32 barSize;
    quint32 byteOrderMark;
    qint64 count;
    qint64 sourceSize;
    qint64 sourceModifiedMs;
    qint64 serverUtcOffsetSeconds;
    qint64 firstTimeMs;
    qint64 lastTimeMs;
    unsigned char fingerprint[32];
    unsigned char reserved[24];
};
static_assert(sizeof(EntryHeader) == 128, "the entry header is 128 bytes");
static_assert(sizeof(EntryHeader) % alignof(Bar) == 0, "bars after the header stay aligned");
static_assert(std::is_trivially_copyable_v<Bar>, "bars are stored as raw bytes");

std::shared_ptr<spdlog::logger> cacheLog()
{
    static const std::shared_ptr<spdlog::logger> log = logging::get("data");
    return log;
}

// Identity of the source at `path`, or nullopt when it is not a readable regular file (the loader reports why).
std::optional<SourceIdentity> identify(const QString &path)
{
    const QFileInfo info(path);
    if (!info.isFile())
        return std::nullopt;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    SourceIdentity id;
    id.absolutePath = info.absoluteFilePath();
    id.size = file.size();
    id.modifiedMs = info.fileTime(QFileDevice::FileModificationTime).toMSecsSinceEpoch();
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(file.read(kFingerprintBytes));
    if (id.size > kFingerprintBytes) {
        file.seek(std::max(kFingerprintBytes, id.size - kFingerprintBytes));
        hash.addData(file.read(kFingerprintBytes));
    }
    if (file.error() != QFileDevice::NoError)
        return std::nullopt;
    id.fingerprint = hash.result();
    return id;
}

bool sameIdentity(const SourceIdentity &a, const SourceIdentity &b)
{
    return a.absolutePath == b.absolutePath && a.size == b.size && a.modifiedMs == b.modifiedMs
           && a.fingerprint == b.fingerprint;
}

QString entryFileName(const QString &absolutePath, const BarLoadOptions &options)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(absolutePath.toUtf8());
    hash.addData(QByteArrayView("\n"));
    hash.addData(QByteArray::number(options.serverUtcOffsetSeconds));
    return QString::fromLatin1(hash.result().toHex()) + QStringLiteral(".bars");
}

// Keeps the mapping alive for as long as any BarSeries copy refers to it (QFile unmaps on destruction).
struct MappedEntry {
    QFile file;
    uchar *data = nullptr;
    explicit MappedEntry(const QString &path) : file(path) {}
};

std::optional<BarSeries> mapEntry(const QString &entryPath, const SourceIdentity &id, const BarLoadOptions &options)
{
    auto entry = std::make_shared<MappedEntry>(entryPath);
    if (!entry->file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const qint64 fileSize = entry->file.size();
    if (fileSize < qint64(sizeof(EntryHeader)))
        return std::nullopt;
    entry->data = entry->file.map(0, fileSize);
    if (!entry->data)
        return std::nullopt;
    EntryHeader h;
    std::memcpy(&h, entry->data, sizeof h);
    const bool current = std::memcmp(h.magic, kMagic, sizeof kMagic) == 0 && h.version == kFormatVersion
                         && h.headerSize == sizeof(EntryHeader) && h.barSize == sizeof(Bar)
                         && h.byteOrderMark == kByteOrderMark && h.count > 0
                         && h.count <= (fileSize - qint64(sizeof(EntryHeader))) / qint64(sizeof(Bar))
                         && fileSize == qint64(sizeof(EntryHeader)) + h.count * qint64(sizeof(Bar))
                         && h.sourceSize == id.size && h.sourceModifiedMs == id.modifiedMs
                         && h.serverUtcOffsetSeconds == options.serverUtcOffsetSeconds
                         && id.fingerprint.size() == qsizetype(sizeof h.fingerprint)
                         && std::memcmp(h.fingerprint, id.fingerprint.constData(), sizeof h.fingerprint) == 0;
    if (!current)
        return std::nullopt;
    const auto *bars = reinterpret_cast<const Bar *>(entry->data + sizeof(EntryHeader));
    const std::span<const Bar> span(bars, size_t(h.count));
    if (span.front().timeMs != h.firstTimeMs || span.back().timeMs != h.lastTimeMs)
        return std::nullopt;
#ifdef Q_OS_LINUX
    // The whole entry is about to be read front to back: map every page now in one call (Linux >= 5.14)
    // instead of taking a page fault per few pages; on older kernels, at least start the read-ahead.
    if (::madvise(entry->data, size_t(fileSize), MADV_POPULATE_READ) != 0)
        ::madvise(entry->data, size_t(fileSize), MADV_WILLNEED);
#endif
    return BarSeries(span, std::move(entry));
}

Result<void> writeEntry(const QString &directory, const QString &entryPath, const SourceIdentity &id,
                        const BarLoadOptions &options, std::span<const Bar> bars)
{
    if (bars.empty())
        return makeError(QStringLiteral("no bars to cache"));
    if (!QDir().mkpath(directory))
        return makeError(QStringLiteral("cannot create the bar cache folder %1; set BOTDESK_HOME to a writable folder")
                             .arg(directory));
    EntryHeader h{};
    std::memcpy(h.magic, kMagic, sizeof kMagic);
    h.version = kFormatVersion;
    h.headerSize = sizeof(EntryHeader);
    h.barSize = sizeof(Bar);
    h.byteOrderMark = kByteOrderMark;
    h.count = qint64(bars.size());
    h.sourceSize = id.size;
    h.sourceModifiedMs = id.modifiedMs;
    h.serverUtcOffsetSeconds = options.serverUtcOffsetSeconds;
    h.firstTimeMs = bars.front().timeMs;
    h.lastTimeMs = bars.back().timeMs;
    std::memcpy(h.fingerprint, id.fingerprint.constData(), std::min<size_t>(sizeof h.fingerprint, size_t(id.fingerprint.size())));

    // Written under a temporary name in the same folder, then renamed over the entry: readers see the old entry
    // or the new one, never a part. Not synced to disk (QSaveFile would fsync, ~50 ms for a year of M1): an entry
    // lost or damaged by a power cut fails the header and size checks and is rebuilt from its source.
    QTemporaryFile file(QDir(directory).filePath(QStringLiteral("entry-XXXXXX.tmp")));
    if (!file.open())
        return makeError(QStringLiteral("cannot write a bar cache entry in %1 (%2); set BOTDESK_HOME to a writable folder")
                             .arg(directory, file.errorString()));
    const qint64 payload = qint64(bars.size_bytes());
    if (file.write(reinterpret_cast<const char *>(&h), sizeof h) != qint64(sizeof h)
        || file.write(reinterpret_cast<const char *>(bars.data()), payload) != payload || !file.flush())
        return makeError(QStringLiteral("cannot write the bar cache entry %1 (%2); free disk space or set BOTDESK_HOME")
                             .arg(entryPath, file.errorString()));
    file.close();
    std::error_code error;
    std::filesystem::rename(QFile::encodeName(file.fileName()).toStdString(), QFile::encodeName(entryPath).toStdString(), error);
    if (error)
        return makeError(QStringLiteral("cannot replace the bar cache entry %1 (%2); close other BotDesk windows or set "
                                        "BOTDESK_HOME")
                             .arg(entryPath, QString::fromStdString(error.message())));
    return {};
}

} // namespace

BarCache::BarCache(QString directory) : m_directory(std::move(directory)) {}

QString BarCache::defaultDirectory()
{
    const QString home = qEnvironmentVariable("BOTDESK_HOME");
    if (!home.isEmpty())
        return QDir(home).filePath(QStringLiteral("cache/bars"));
    // One folder for every BotDesk program (the window and botdesk-cli share entries), whatever the app's name.
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation)).filePath(QStringLiteral("botdesk/bars"));
}

QString BarCache::entryPath(const QString &sourcePath, const BarLoadOptions &options) const
{
    return QDir(m_directory).filePath(entryFileName(QFileInfo(sourcePath).absoluteFilePath(), options));
}

std::optional<BarSeries> BarCache::find(const QString &sourcePath, const BarLoadOptions &options) const
{
    if (QSysInfo::ByteOrder != QSysInfo::LittleEndian)
        return std::nullopt;
    const std::optional<SourceIdentity> id = identify(sourcePath);
    if (!id)
        return std::nullopt;
    return mapEntry(entryPath(sourcePath, options), *id, options);
}

Result<void> BarCache::store(const QString &sourcePath, const BarLoadOptions &options, std::span<const Bar> bars) const
{
    if (QSysInfo::ByteOrder != QSysInfo::LittleEndian)
        return makeError(QStringLiteral("the bar cache supports little-endian machines only"));
    const std::optional<SourceIdentity> id = identify(sourcePath);
    if (!id)
        return makeError(QStringLiteral("%1 is not a readable regular file; nothing cached").arg(sourcePath));
    return writeEntry(m_directory, entryPath(sourcePath, options), *id, options, bars);
}

Result<LoadedBars> loadBarsCached(const QString &path, const BarLoadOptions &options, const BarCache &cache, CacheUse use)
{
    const bool useCache = use == CacheUse::ReadWrite && QSysInfo::ByteOrder == QSysInfo::LittleEndian;
    const std::optional<SourceIdentity> before = useCache ? identify(path) : std::nullopt;
    const QString entry = before ? cache.entryPath(path, options) : QString();
    if (before) {
        if (std::optional<BarSeries> mapped = mapEntry(entry, *before, options)) {
            cacheLog()->debug("{}: {} bars from the cache entry {}", path.toStdString(), mapped->size(), entry.toStdString());
            return LoadedBars{std::move(*mapped), true};
        }
    }
    Result<Bars> parsed = loadBars(path, options);
    if (!parsed)
        return parsed.error();
    BarSeries series(std::move(parsed).value());
    if (before) {
        // Store only what was parsed from the file as identified: a source rewritten during the parse is not cached.
        const std::optional<SourceIdentity> after = identify(path);
        if (after && sameIdentity(*before, *after)) {
            if (Result<void> stored = writeEntry(cache.directory(), entry, *before, options, series.bars()); !stored)
                cacheLog()->warn("bar cache not updated: {}", stored.error().message.toStdString());
        }
    }
    return LoadedBars{std::move(series), false};
}

} // namespace bd
