#include "readahead.h"

#include <algorithm>
#include <new>
#include <system_error>

namespace bd {

ReadAhead::ReadAhead(size_t pieceBytes, int pieces) : m_slots(size_t(std::max(pieces, 2)))
{
    for (Slot &slot : m_slots)
        slot.bytes.resize(pieceBytes);
}

ReadAhead::~ReadAhead()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

bool ReadAhead::start(Fill fill)
{
    m_fill = std::move(fill);
    try {
        m_thread = std::thread([this] { produce(); });
        return true;
    } catch (const std::system_error &) {
        return false;
    }
}

Result<size_t> ReadAhead::fillSafely(Slot &slot)
{
    try {
        return m_fill(slot.bytes.data(), slot.bytes.size(), slot.mark);
    } catch (const std::bad_alloc &) {
        return makeError(QStringLiteral("out of memory while reading the file; free memory or load a shorter period"));
    } catch (...) {
        return makeError(QStringLiteral("unexpected failure while reading the file; try again, and report it if it persists"));
    }
}

void ReadAhead::produce()
{
    const quint64 count = m_slots.size();
    for (;;) {
        Slot *slot = nullptr;
        {
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, [&] { return m_stop || m_filled - m_released < count; });
            if (m_stop)
                return;
            slot = &m_slots[m_filled % count];  // not the consumer's: it holds slot m_released only when m_filled > m_released
        }
        Result<size_t> filled = fillSafely(*slot);
        bool finished = false;
        {
            const std::lock_guard lock(m_mutex);
            if (!filled) {
                m_error = filled.error();
                m_errorMark = slot->mark;
                m_finished = finished = true;
            } else if (*filled == 0) {
                m_finished = finished = true;
            } else {
                slot->size = *filled;
                ++m_filled;
            }
        }
        m_changed.notify_all();
        if (finished)
            return;
    }
}

Result<ReadAhead::Piece> ReadAhead::next()
{
    std::unique_lock lock(m_mutex);
    if (m_holding) {
        m_holding = false;
        ++m_released;
        m_changed.notify_all();
    }
    m_changed.wait(lock, [&] { return m_filled > m_released || m_finished; });
    if (m_filled > m_released) {
        m_holding = true;
        const Slot &slot = m_slots[m_released % m_slots.size()];
        return Piece{std::string_view(slot.bytes.data(), slot.size), slot.mark};
    }
    if (m_error)
        return *m_error;
    return Piece{};
}

} // namespace bd
