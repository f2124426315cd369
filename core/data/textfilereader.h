#pragma once
// TextFileReader: the text of a data file, piece by piece (at most 256 KiB at a time), so that memory stays
// bounded whatever the file's size.
//
//  * Only regular files are read. A directory, FIFO, device or socket is refused before a byte is read, with
//    what it is; the file is opened non-blocking, so that a FIFO swapped in after the check cannot hang the
//    open, and checked again on the open descriptor. (POSIX: stat/open/read.)
//  * gzip (recognised by its magic bytes 1f 8b, whatever the name) is inflated as it is read (GzipInflater), on a
//    second thread up to kReadAheadPieces pieces ahead of the caller (ReadAhead), so inflating overlaps parsing;
//    serially when no thread can be started. Pieces, errors and their order are the same either way.
//  * The bytes go through TextDecoder: UTF-8 BOM dropped, UTF-16LE with BOM converted to UTF-8.
//
// Limits. A bar file never comes near them; they stop hostile input early, with a clear error:
//  * gzip text may be at most kMaxCompressionRatio (100) × the compressed bytes read so far, checked after every
//    piece once past kRatioGraceBytes (64 KiB) of text. Bar CSVs compress 4-6× (the real files in
//    ../shared/data) and at most ~12× when synthetic (constant prices), ~30× as UTF-16; zeros or blank lines
//    compress ~1000×. So a 9 MB gzip of 2 GiB of zeros fails after its first 256 KiB of text.
//  * at most kMaxTextBytes (8 GiB) of text in all (~100 M bar rows: twice the loader's bar limit).
// Nothing is sized from what the file claims (the gzip trailer's length is ignored).

#include "readahead.h"
#include "result.h"
#include "textdecoder.h"

#include <QFile>
#include <QString>
#include <QtGlobal>

#include <memory>
#include <string_view>
#include <vector>

namespace bd {

class GzipInflater;

class TextFileReader {
public:
    static constexpr size_t kChunkBytes = 256 * 1024;  // read size, and inflated text per piece
    static constexpr int kReadAheadPieces = 3;          // gzip: inflated pieces in flight (768 KiB)
    static constexpr qint64 kMaxCompressionRatio = 100;
    static constexpr qint64 kRatioGraceBytes = 64 * 1024;
    static constexpr qint64 kMaxTextBytes = qint64(8) << 30;

    TextFileReader();
    ~TextFileReader();
    TextFileReader(const TextFileReader &) = delete;
    TextFileReader &operator=(const TextFileReader &) = delete;

    // Opens `path` and reads its first piece. Errors (messages without a "<path>:" prefix): the file is missing
    // or unreadable, or is not a regular file ("is not a regular file but a FIFO (named pipe); ...").
    Result<void> open(const QString &path);

    // The next piece of UTF-8 text, valid until the next call; an empty view once the text is complete.
    // Errors: a read failure, gzip data truncated or corrupt (then failedInGzipData() is true), a limit above.
    Result<std::string_view> next();

    bool isGzip() const { return m_gzip != nullptr; }
    bool isUtf16() const { return m_decoder.isUtf16(); }
    bool failedInGzipData() const { return m_gzipDataFailed; }
    qint64 fileSize() const { return m_fileSize; }        // bytes on disk; 0 when unknown (/proc files)
    qint64 fileBytesRead() const { return m_seen.fileBytesRead; }  // how far through the file the text handed out goes
    qint64 textBytes() const { return m_textBytes; }      // UTF-8 text handed out so far
    // The whole text's size estimated from what was read so far: fileSize × (text / input consumed).
    // 0 when unknown. Only a hint (e.g. for reserving memory): the file's size is real, the ratio measured.
    qint64 expectedTextBytes() const;

private:
    Result<qint64> readSome(char *into, size_t capacity);
    Result<std::string_view> nextRaw();
    Result<std::string_view> nextInflated();
    // Producer side (the read-ahead thread, or the caller's when serial): the next inflated piece into `out`.
    Result<size_t> inflateInto(char *out, size_t capacity, ReadAhead::Mark &mark);

    // Producer side: the file, the raw input and the inflater.
    QFile m_file;
    QString m_path;
    qint64 m_fileSize = 0;
    qint64 m_fileRead = 0;
    qint64 m_textBytes = 0;
    std::vector<char> m_in;        // bytes read from the file
    size_t m_pendingPlain = 0;     // plain file: bytes of the first piece not handed out yet
    std::vector<char> m_out;       // gzip: inflated text
    std::unique_ptr<GzipInflater> m_gzip;
    bool m_needInput = false;
    bool m_rawDone = false;
    // Caller side: where the text handed out came from, and the decoding.
    ReadAhead::Mark m_seen;
    bool m_done = false;
    bool m_gzipDataFailed = false;
    TextDecoder m_decoder;
    std::unique_ptr<ReadAhead> m_readAhead;  // gzip, when its thread started; stopped and joined first on destruction
};

} // namespace bd
