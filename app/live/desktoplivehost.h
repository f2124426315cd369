#pragma once
// DesktopLiveHost: the desktop hosting the live runs of its database in-process (issue 10: as `botdesk-cli live
// serve` does, app/livecommand.cpp) without ever blocking the window: the LiveRunHost lives on a thread of its own
// ("botdesk-live-host"), where its database calls and polls run; its live threads and desks are its own (liverunhost.h).
//
// start() returns at once; the host's first connection happens on its thread, and a database that cannot be reached
// is retried every `retryMs` (default 10 s) with hostFailed(message) each time. stop() (and the destructor) shuts the
// host down on its thread — every desk closed, the runs' leases released, positions left under their SL/TP — and waits
// for it (application exit).
// The host's reports come back on the GUI thread as runStatusChanged / accountFailed with plain values.

#include "liverunhost.h"

#include <QObject>
#include <QString>
#include <QUuid>

class QThread;

namespace bd {

class DesktopLiveHost : public QObject {
    Q_OBJECT
public:
    explicit DesktopLiveHost(LiveRunHost::Options options, QObject *parent = nullptr);
    ~DesktopLiveHost() override;

    void setRetryMs(int ms) { m_retryMs = ms; }
    // Replaces the options (e.g. the target with a password from the keychain); only before start().
    void setOptions(LiveRunHost::Options options)
    {
        if (!m_thread)
            m_options = std::move(options);
    }
    void start();
    void stop();
    bool isRunning() const { return m_thread != nullptr; }
    // True once the host connected and polls (set on the GUI thread when hostStarted arrives).
    bool isHosting() const { return m_hosting; }
    QString hostId() const { return m_options.hostId; }

signals:
    void hostStarted();
    void hostFailed(const QString &message);
    void runStatusChanged(const QUuid &runId, const QString &status, const QString &message);
    void accountFailed(const QString &account, const QString &reason);

private:
    void tryStart();  // on the host's thread

    LiveRunHost::Options m_options;
    QThread *m_thread = nullptr;
    QObject *m_context = nullptr;     // lives on m_thread; parent of the host and the retry timer
    LiveRunHost *m_host = nullptr;    // on m_thread
    int m_retryMs = 10'000;
    bool m_hosting = false;
};

} // namespace bd
