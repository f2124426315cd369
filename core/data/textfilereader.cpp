#include "textfilereader.h"

#include "gzipinflater.h"

#include <QFile>
#include <QFileInfo>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace bd {
namespace {

Error cannotOpen(const QString &reason)
{
    return makeError(QStringLiteral("cannot open the file (%1); check the path and the permissions").arg(reason));
}

#ifdef Q_OS_UNIX
QString fileKind(mode_t mode)
{
    if (S_ISDIR(mode))
        return QStringLiteral("a directory");
    if (S_ISFIFO(mode))
        return QStringLiteral("a FIFO (named pipe)");
    if (S_ISCHR(mode))
        return QStringLiteral("a character device");
    if (S_ISBLK(mode))
        return QStringLiteral("a block device");
    if (S_ISSOCK(mode))
        return QStringLiteral("a socket");
    return QStringLiteral("of an unknown kind");
}

Error notRegular(mode_t mode)
{
    return makeError(QStringLiteral("is not a regular file but %1; pass the path of a .csv or .csv.gz file").arg(fileKind(mode)));
}

Error cannotOpen(int errorCode)
{
    return cannotOpen(qt_error_string(errorCode));
}
#endif

QString sizeText(qint64 bytes)
{
    if (bytes >= qint64(1) << 30)
        return QStringLiteral("%1 GiB").arg(double(bytes) / double(qint64(1) << 30), 0, 'f', 1);
    if (bytes >= qint64(1) << 20)
        return QStringLiteral("%1 MiB").arg(double(bytes) / double(1 << 20), 0, 'f', 1);
    if (bytes >= 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024.0, 0, 'f', 1);
    return QStringLiteral("%1 bytes").arg(bytes);
}

} // namespace

TextFileReader::TextFileReader() = default;

TextFileReader::~TextFileReader()
{
    m_readAhead.reset();  // joins the producer before the file and the inflater it uses go
}

Result<void> TextFileReader::open(const QString &path)
{
    m_path = path;
#ifdef Q_OS_UNIX
    const QByteArray name = QFile::encodeName(path);
    struct stat st {};
    if (::stat(name.constData(), &st) != 0)
        return cannotOpen(errno);
    if (!S_ISREG(st.st_mode))
        return notRegular(st.st_mode);
    // Non-blocking: should the path have become a FIFO since stat(), open() still returns at once.
    const int fd = ::open(name.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return cannotOpen(errno);
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const int error = errno;
        ::close(fd);
        return S_ISREG(st.st_mode) ? cannotOpen(error) : notRegular(st.st_mode);
    }
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags != -1)
        ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    // From here on Qt reads it (and closes it).
    if (!m_file.open(fd, QIODevice::ReadOnly | QIODevice::Unbuffered, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return cannotOpen(m_file.errorString());
    }
#else
    const QFileInfo info(path);
    if (!info.exists())
        return cannotOpen(QStringLiteral("no such file"));
    if (!info.isFile()) {
        return makeError(QStringLiteral("is not a regular file but %1; pass the path of a .csv or .csv.gz file")
                             .arg(info.isDir() ? QStringLiteral("a directory") : QStringLiteral("a device or pipe")));
    }
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return cannotOpen(m_file.errorString());
#endif
    m_fileSize = m_file.size();

    m_in.resize(kChunkBytes);
    auto first = readSome(m_in.data(), m_in.size());
    if (!first)
        return first.error();
    const qint64 n = *first;
    m_seen.fileBytesRead = m_fileRead;  // before the read-ahead thread starts: from then on it owns m_fileRead
    if (n >= 2 && static_cast<unsigned char>(m_in[0]) == 0x1f && static_cast<unsigned char>(m_in[1]) == 0x8b) {
        m_gzip = std::make_unique<GzipInflater>();
        m_gzip->setInput(m_in.data(), size_t(n), false);
        m_readAhead = std::make_unique<ReadAhead>(kChunkBytes, kReadAheadPieces);
        const bool started = m_readAhead->start(
            [this](char *out, size_t capacity, ReadAhead::Mark &mark) { return inflateInto(out, capacity, mark); });
        if (!started) {
            m_readAhead.reset();
            m_out.resize(kChunkBytes);
        }
    } else {
        m_pendingPlain = size_t(n);
        m_rawDone = n == 0;
    }
    return {};
}

Result<qint64> TextFileReader::readSome(char *into, size_t capacity)
{
    const qint64 n = m_file.read(into, qint64(capacity));
    if (n < 0) {
        return makeError(QStringLiteral("cannot read the file (%1); check the disk and the permissions")
                             .arg(m_file.errorString()));
    }
    m_fileRead += n;
    return n;
}

qint64 TextFileReader::expectedTextBytes() const
{
    const qint64 used = m_gzip ? m_seen.compressedBytesUsed : m_seen.fileBytesRead;
    if (m_fileSize <= 0 || used <= 0 || m_textBytes <= 0)
        return 0;
    return qint64(double(m_fileSize) * (double(m_textBytes) / double(used)));
}

// The next raw (undecoded) piece; empty at the end of the file.
Result<std::string_view> TextFileReader::nextRaw()
{
    if (m_gzip)
        return nextInflated();
    if (m_pendingPlain > 0) {
        const size_t n = m_pendingPlain;
        m_pendingPlain = 0;
        return std::string_view(m_in.data(), n);
    }
    if (m_rawDone)
        return std::string_view();
    auto n = readSome(m_in.data(), m_in.size());
    m_seen.fileBytesRead = m_fileRead;
    if (!n)
        return n.error();
    m_rawDone = *n == 0;
    return std::string_view(m_in.data(), size_t(*n));
}

Result<std::string_view> TextFileReader::nextInflated()
{
    if (m_readAhead) {
        auto piece = m_readAhead->next();
        if (!piece) {
            m_seen = m_readAhead->errorMark();
            m_gzipDataFailed = m_seen.gzipDataFailed;
            return piece.error();
        }
        if (!piece->text.empty())
            m_seen = piece->mark;
        return piece->text;
    }
    ReadAhead::Mark mark = m_seen;
    auto produced = inflateInto(m_out.data(), m_out.size(), mark);
    m_seen = mark;
    if (!produced) {
        m_gzipDataFailed = mark.gzipDataFailed;
        return produced.error();
    }
    return std::string_view(m_out.data(), *produced);
}

Result<size_t> TextFileReader::inflateInto(char *out, size_t capacity, ReadAhead::Mark &mark)
{
    for (;;) {
        if (m_rawDone)
            return size_t(0);
        if (m_needInput) {
            auto n = readSome(m_in.data(), m_in.size());
            mark.fileBytesRead = m_fileRead;
            if (!n)
                return n.error();
            m_gzip->setInput(m_in.data(), size_t(*n), *n == 0);
            m_needInput = false;
        }
        size_t produced = 0;
        const GzipInflater::Status status = m_gzip->inflate(out, capacity, produced);
        mark.fileBytesRead = m_fileRead;
        mark.compressedBytesUsed = qint64(m_gzip->compressedBytesUsed());
        if (status == GzipInflater::Status::Error) {
            mark.gzipDataFailed = true;
            return makeError(m_gzip->errorText());
        }
        const qint64 text = qint64(m_gzip->textBytesProduced());
        const qint64 compressed = mark.compressedBytesUsed;
        if (text > kRatioGraceBytes && text > kMaxCompressionRatio * compressed) {
            return makeError(QStringLiteral("gzip data decompresses more than %1× its size (%2 of text from %3 so far): "
                                            "not a bar file, whose text is 4-12× its gzip size; check that this is the right file")
                                 .arg(kMaxCompressionRatio)
                                 .arg(sizeText(text), sizeText(compressed)));
        }
        m_needInput = status == GzipInflater::Status::NeedInput;
        m_rawDone = status == GzipInflater::Status::End;
        if (produced > 0)
            return produced;
    }
}

Result<std::string_view> TextFileReader::next()
{
    while (!m_done) {
        auto raw = nextRaw();
        if (!raw)
            return raw;
        std::string_view text;
        if (raw->empty()) {
            m_done = true;
            text = m_decoder.finish();
        } else {
            text = m_decoder.decode(*raw);
        }
        if (text.empty())
            continue;
        m_textBytes += qint64(text.size());
        if (m_textBytes > kMaxTextBytes) {
            return makeError(QStringLiteral("more than %1 of text: far more than any bar file (50 M rows of M1 bars, "
                                            "95 years, are ~2.5 GiB); check that this is the right file, or split it")
                                 .arg(sizeText(kMaxTextBytes)));
        }
        return text;
    }
    return std::string_view();
}

} // namespace bd
