#pragma once
// ReadAhead: pieces of text produced on a second thread while the caller parses the previous ones.
//
// Inflating gzip costs about as much as parsing its text; on two cores the producer (file read + inflate) and
// the consumer (decode + parse) overlap, so loading takes ~max(inflate, parse) instead of their sum.
//
//  * Bounded: `pieces` buffers of `pieceBytes` each, allocated up front; the producer waits while all are full.
//  * In order: pieces, then the end (an empty piece) or the producer's error, exactly as a serial loop would
//    return them. No exception crosses threads: one thrown by the producer becomes its error.
//  * No thread left behind: the destructor stops the producer (it finishes the piece it is filling) and joins it.
// The producer owns everything it touches until the ReadAhead is destroyed; the consumer sees only the pieces
// and the Mark each one was produced with.

#include "result.h"

#include <QtGlobal>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

namespace bd {

class ReadAhead {
public:
    // Where the producer was when it finished a piece (or failed).
    struct Mark {
        qint64 fileBytesRead = 0;        // bytes of the file read so far
        qint64 compressedBytesUsed = 0;  // gzip input consumed so far
        bool gzipDataFailed = false;     // the error (if any) is in the gzip data itself
    };
    struct Piece {
        std::string_view text;  // empty at the end
        Mark mark;
    };
    // Fills out[0 .. capacity) and `mark`; returns the bytes written, 0 at the end, or an error (then mark says
    // where). Called on the producer thread only, never again after it returned 0 or an error.
    using Fill = std::function<Result<size_t>(char *out, size_t capacity, Mark &mark)>;

    ReadAhead(size_t pieceBytes, int pieces);
    ~ReadAhead();
    ReadAhead(const ReadAhead &) = delete;
    ReadAhead &operator=(const ReadAhead &) = delete;

    // Starts the producer. False when no thread could be started (the caller then fills serially).
    bool start(Fill fill);

    // The next piece, valid until the next call (its buffer is then handed back to the producer); waits for it.
    // After the last piece: an empty piece, or the producer's error (errorMark() says where it was).
    Result<Piece> next();
    const Mark &errorMark() const { return m_errorMark; }

private:
    struct Slot {
        std::vector<char> bytes;
        size_t size = 0;
        Mark mark;
    };
    void produce();
    Result<size_t> fillSafely(Slot &slot);

    std::vector<Slot> m_slots;
    Fill m_fill;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    // Guarded by m_mutex: slots filled and released so far (slot i lives in m_slots[i % size]).
    quint64 m_filled = 0;
    quint64 m_released = 0;
    bool m_finished = false;  // the producer returned 0 or an error
    bool m_stop = false;      // the consumer is done: stop producing
    std::optional<Error> m_error;
    Mark m_errorMark;
    bool m_holding = false;   // consumer only: it holds slot m_released
    std::thread m_thread;
};

} // namespace bd
