#pragma once
// SharedOutbox: an OrderOutbox over a MemoryOrderOutbox that outlives the client using it — the "database" that
// survives a crash of the process, for tests that stop one Mt5Client and start another on the same outbox.

#include "memoryorderoutbox.h"

#include <memory>

class SharedOutbox final : public bd::mt5::OrderOutbox {
public:
    explicit SharedOutbox(std::shared_ptr<bd::mt5::MemoryOrderOutbox> box) : m_box(std::move(box)) {}
    bd::Result<void> recordBeforeSend(const bd::mt5::OutboxEntry &e) override { return m_box->recordBeforeSend(e); }
    bd::Result<void> markFinal(const QString &id, const QByteArray &json) override { return m_box->markFinal(id, json); }
    bd::Result<std::vector<bd::mt5::OutboxEntry>> unfinished(const QString &account) override
    {
        return m_box->unfinished(account);
    }
    bd::Result<bd::mt5::OutboxEntry> find(const QString &id) override { return m_box->find(id); }

private:
    std::shared_ptr<bd::mt5::MemoryOrderOutbox> m_box;
};
