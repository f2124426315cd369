#include "barloader.h"

#include "barparser.h"
#include "logging.h"
#include "reportformat.h"
#include "textdecoder.h"
#include "textfilereader.h"

#include <QElapsedTimer>

#include <new>

namespace bd {
namespace {

spdlog::logger &dataLog()
{
    static const std::shared_ptr<spdlog::logger> log = logging::get("data");
    return *log;
}

Error fileError(const QString &path, const QString &what)
{
    return makeError(QStringLiteral("%1:0: %2").arg(path, what));
}

// A corrupt deflate stream can yield some garbage before zlib notices. When a row fails in a gzip file, the
// next MiB is inflated: if zlib fails there, the corruption is the real story and is reported instead.
constexpr qint64 kGzipLookaheadBytes = 1 << 20;

Error gzipError(const QString &path, const QString &what, qint64 goodLines)
{
    return makeError(QStringLiteral("%1:%2: %3 after %4 complete lines; re-download the file or recompress it (gzip -t tests it)")
                         .arg(path)
                         .arg(goodLines + 1)
                         .arg(what)
                         .arg(goodLines));
}

// Reports progress by bytes read, once per percent.
class ProgressReporter {
public:
    explicit ProgressReporter(const std::function<void(int)> &callback) : m_callback(callback) {}
    void report(qint64 done, qint64 total)
    {
        if (!m_callback || total <= 0)
            return;
        const int percent = int(std::min<qint64>(100, done * 100 / total));
        if (percent > m_last) {
            m_last = percent;
            m_callback(percent);
        }
    }
    void finished()
    {
        if (m_callback && m_last < 100) {
            m_last = 100;
            m_callback(100);
        }
    }

private:
    const std::function<void(int)> &m_callback;
    int m_last = -1;
};

bool cancelled(const BarLoadOptions &options)
{
    return options.cancelRequested && options.cancelRequested->load(std::memory_order_relaxed);
}

Result<Bars> loadStreaming(const QString &path, const BarLoadOptions &options, TextFileReader &reader)
{
    BarParser parser(path, options);
    ProgressReporter progress(options.onProgress);
    progress.report(0, 1);
    for (;;) {
        if (cancelled(options))
            return fileError(path, QStringLiteral("loading cancelled; no bars were loaded"));
        auto piece = reader.next();
        if (!piece) {
            if (reader.failedInGzipData())
                return gzipError(path, piece.error().message, parser.lineNumber());
            return fileError(path, piece.error().message);
        }
        if (piece->empty())
            break;
        parser.setExpectedTextBytes(reader.expectedTextBytes());
        if (auto fed = parser.feed(*piece); !fed) {
            for (qint64 extra = 0; reader.isGzip() && extra < kGzipLookaheadBytes;) {
                auto more = reader.next();
                if (!more && reader.failedInGzipData())
                    return gzipError(path, more.error().message, parser.lineNumber() - 1);
                if (!more || more->empty())
                    break;
                extra += qint64(more->size());
            }
            if (!reader.isGzip() && path.endsWith(QStringLiteral(".gz"), Qt::CaseInsensitive)
                && fed.error().message.contains(QStringLiteral("unknown header")))
                return makeError(fed.error().message + QStringLiteral(" (the name ends in .gz but the file is not gzip-compressed)"));
            return fed.error();
        }
        progress.report(reader.fileBytesRead(), reader.fileSize());
    }
    if (auto done = parser.finish(); !done)
        return done.error();
    progress.finished();
    return parser.takeBars();
}

} // namespace

Result<void> checkBarLoadOptions(const BarLoadOptions &options)
{
    const qint64 offset = options.serverUtcOffsetSeconds;
    if (offset < -kMaxServerUtcOffsetSeconds || offset > kMaxServerUtcOffsetSeconds) {
        return makeError(QStringLiteral("server UTC offset %1 s is outside -14 h..+14 h (%2..%3 s), the range of real time zones; "
                                        "give the trade server's clock minus UTC in seconds, e.g. 7200 for GMT+2")
                             .arg(offset)
                             .arg(-kMaxServerUtcOffsetSeconds)
                             .arg(kMaxServerUtcOffsetSeconds));
    }
    if (options.maxBars < 1)
        return makeError(QStringLiteral("maxBars %1 is below 1; give the most bars the load may keep").arg(options.maxBars));
    return {};
}

Result<Bars> parseBars(const QByteArray &text, const QString &sourceName, const BarLoadOptions &options)
{
    try {
        TextDecoder decoder;
        BarParser parser(sourceName, options);  // fails every call on bad options
        parser.setExpectedTextBytes(text.size());
        const std::string_view utf8 = decoder.decode(std::string_view(text.constData(), size_t(text.size())));
        if (auto fed = parser.feed(utf8); !fed)
            return fed.error();
        if (auto fed = parser.feed(decoder.finish()); !fed)
            return fed.error();
        if (auto done = parser.finish(); !done)
            return done.error();
        return parser.takeBars();
    } catch (const std::bad_alloc &) {
        return makeError(QStringLiteral("%1:0: out of memory while parsing; free memory or load a shorter period").arg(sourceName));
    }
}

Result<Bars> loadBars(const QString &path, const BarLoadOptions &options)
{
    QElapsedTimer timer;
    timer.start();
    if (auto ok = checkBarLoadOptions(options); !ok)
        return fileError(path, ok.error().message);

    try {
        TextFileReader reader;
        if (auto opened = reader.open(path); !opened)
            return fileError(path, opened.error().message);
        Result<Bars> result = loadStreaming(path, options, reader);
        if (!result)
            return result;
        const Bars &bars = result.value();
        dataLog().info("loaded {} bars from {} in {} ms ({}{:.1f} MiB of text); {} .. {}", bars.size(), path.toStdString(),
                       timer.elapsed(), reader.isGzip() ? "gzip, " : "", double(reader.textBytes()) / double(1 << 20),
                       report::utcSecond(bars.front().timeMs).toStdString(), report::utcSecond(bars.back().timeMs).toStdString());
        return result;
    } catch (const std::bad_alloc &) {
        return fileError(path, QStringLiteral("out of memory while loading; free memory or load a shorter period"));
    }
}

} // namespace bd
