#pragma once
// GzipInflater: gzip data inflated piece by piece with zlib, so a file never has to be held whole in memory.
//
// Feed the compressed bytes as they are read (setInput), take the text out into a buffer of your choice
// (inflate). Several concatenated members (`cat a.gz b.gz`) decode as one stream, and zero bytes after a
// member are skipped as gzip(1) does. Nothing is sized from the gzip header or trailer: the trailer's length
// field is attacker-controlled (a 1 KiB file may claim 4 GiB), so the caller decides how much it accepts.
//
// Errors: a stream that stops inside a member is "truncated"; a bad header, bad deflate data or a bad
// CRC/length in a trailer is "corrupt" (zlib's own words are quoted). Text decoded before the error is handed
// out first (so the caller can count the intact lines); after the error the object only returns Error.

#include <QString>
#include <QtGlobal>

#include <cstddef>
#include <memory>

namespace bd {

class GzipInflater {
public:
    enum class Status {
        Output,      // out holds `produced` bytes (maybe 0); call inflate() again
        NeedInput,   // the current input is used up: call setInput() with the next bytes
        End,         // the last input ended exactly at the end of a member: the stream is complete
        Error        // errorText() says what is wrong
    };

    GzipInflater();
    ~GzipInflater();
    GzipInflater(const GzipInflater &) = delete;
    GzipInflater &operator=(const GzipInflater &) = delete;

    // The next compressed bytes; they must stay valid until inflate() returns NeedInput, End or Error.
    // `last` says no more bytes follow (the end of the file).
    void setInput(const char *data, size_t size, bool last);

    // Inflates into out[0 .. capacity), capacity > 0; `produced` receives the bytes written.
    Status inflate(char *out, size_t capacity, size_t &produced);

    quint64 compressedBytesUsed() const { return m_in; }   // input consumed by zlib so far
    quint64 textBytesProduced() const { return m_out; }    // output produced so far, all members
    const QString &errorText() const { return m_error; }

private:
    Status fail(QString text);
    bool skipPaddingAndStartMember();

    struct Stream;
    std::unique_ptr<Stream> m_zs;  // z_stream must not move: zlib keeps a pointer back to it
    bool m_last = false;
    bool m_betweenMembers = false;  // a member just ended; another one, zero padding or the end may follow
    bool m_failed = false;
    quint64 m_in = 0;
    quint64 m_out = 0;
    QString m_error;
    QString m_deferredError;  // found while text was produced: returned by the next call
};

} // namespace bd
