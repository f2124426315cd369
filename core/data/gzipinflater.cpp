#include "gzipinflater.h"

#include <zlib.h>

namespace bd {

struct GzipInflater::Stream {
    z_stream zs{};
    bool initialised = false;
};

GzipInflater::GzipInflater() : m_zs(std::make_unique<Stream>())
{
    // 16 + MAX_WBITS: gzip wrapper only (a raw deflate or zlib stream is not a .gz file).
    m_zs->initialised = inflateInit2(&m_zs->zs, 16 + MAX_WBITS) == Z_OK;
    if (!m_zs->initialised)
        fail(QStringLiteral("zlib could not be initialised (out of memory?)"));
}

GzipInflater::~GzipInflater()
{
    if (m_zs->initialised)
        inflateEnd(&m_zs->zs);
}

void GzipInflater::setInput(const char *data, size_t size, bool last)
{
    m_zs->zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
    m_zs->zs.avail_in = static_cast<uInt>(size);
    m_last = last;
}

GzipInflater::Status GzipInflater::fail(QString text)
{
    m_failed = true;
    m_error = std::move(text);
    return Status::Error;
}

// After a member: drops zero padding; when other bytes follow, starts the next member on them.
// Returns false when the input is used up first.
bool GzipInflater::skipPaddingAndStartMember()
{
    z_stream &zs = m_zs->zs;
    while (zs.avail_in > 0 && *zs.next_in == 0) {
        ++zs.next_in;
        --zs.avail_in;
        ++m_in;
    }
    if (zs.avail_in == 0)
        return false;
    inflateReset(&zs);
    m_betweenMembers = false;
    return true;
}

GzipInflater::Status GzipInflater::inflate(char *out, size_t capacity, size_t &produced)
{
    produced = 0;
    if (m_failed)
        return Status::Error;
    if (!m_deferredError.isEmpty())
        return fail(std::move(m_deferredError));
    z_stream &zs = m_zs->zs;
    zs.next_out = reinterpret_cast<Bytef *>(out);
    zs.avail_out = static_cast<uInt>(capacity);
    for (;;) {
        produced = capacity - zs.avail_out;
        if (zs.avail_out == 0)
            return Status::Output;
        if (m_betweenMembers && !skipPaddingAndStartMember())
            return m_last ? Status::End : Status::NeedInput;

        const uInt inBefore = zs.avail_in;
        const uInt outBefore = zs.avail_out;
        const int rc = ::inflate(&zs, Z_NO_FLUSH);
        m_in += inBefore - zs.avail_in;
        m_out += outBefore - zs.avail_out;
        produced = capacity - zs.avail_out;

        switch (rc) {
        case Z_STREAM_END:
            m_betweenMembers = true;  // the trailer's CRC and length matched
            continue;
        case Z_OK:
        case Z_BUF_ERROR:  // Z_BUF_ERROR: no progress was possible
            if (zs.avail_out == 0)
                return Status::Output;
            if (zs.avail_in == 0) {
                if (!m_last)
                    return Status::NeedInput;
                if (rc == Z_OK)
                    continue;  // zlib may hold more output; the next call answers Z_BUF_ERROR if not
                QString error = QStringLiteral("gzip data ends before the end of the compressed stream (file truncated)");
                if (produced == 0)
                    return fail(std::move(error));
                m_deferredError = std::move(error);  // hand out the text decoded before the error first
                return Status::Output;
            }
            if (rc == Z_OK)
                continue;
            [[fallthrough]];  // input and output space left, yet no progress: cannot happen with valid zlib
        default: {
            QString error = QStringLiteral("gzip data is corrupt (zlib: %1)").arg(QString::fromLatin1(zs.msg ? zs.msg : zError(rc)));
            if (produced == 0)
                return fail(std::move(error));
            m_deferredError = std::move(error);  // hand out the text decoded before the error first
            return Status::Output;
        }
        }
    }
}

} // namespace bd
