#include "desktoplivehost.h"

#include "logging.h"

#include <QPointer>
#include <QThread>
#include <QTimer>

namespace bd {

DesktopLiveHost::DesktopLiveHost(LiveRunHost::Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
}

DesktopLiveHost::~DesktopLiveHost() { stop(); }

void DesktopLiveHost::start()
{
    if (m_thread)
        return;
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("botdesk-live-host"));
    m_context = new QObject;
    m_context->moveToThread(m_thread);
    m_thread->start();
    QMetaObject::invokeMethod(m_context, [this] { tryStart(); });
}

void DesktopLiveHost::tryStart()
{
    auto host = new LiveRunHost(m_options, m_context);
    QPointer<DesktopLiveHost> self(this);
    connect(host, &LiveRunHost::runStatusChanged, m_context,
            [self](const QUuid &id, LiveRunStatus status, const QString &message) {
                const QString name = QString::fromLatin1(liveRunStatusName(status));
                QMetaObject::invokeMethod(self, [self, id, name, message] {
                    if (self)
                        emit self->runStatusChanged(id, name, message);
                });
            });
    connect(host, &LiveRunHost::accountFailed, m_context, [self](const QString &account, const QString &reason) {
        QMetaObject::invokeMethod(self, [self, account, reason] {
            if (self)
                emit self->accountFailed(account, reason);
        });
    });
    if (Result<void> started = host->start(); !started) {
        delete host;
        const QString message = started.error().message;
        logging::get("live")->error("the desktop cannot host live runs yet: {} (retrying in {} s)", message.toStdString(),
                                    m_retryMs / 1000);
        QMetaObject::invokeMethod(self, [self, message] {
            if (self)
                emit self->hostFailed(message);
        });
        QTimer::singleShot(m_retryMs, m_context, [this] { tryStart(); });
        return;
    }
    m_host = host;
    QMetaObject::invokeMethod(self, [self] {
        if (!self)
            return;
        self->m_hosting = true;
        emit self->hostStarted();
    });
}

void DesktopLiveHost::stop()
{
    if (!m_thread)
        return;
    // On the host's thread: the desks shut down (runs stopped, leases released), then the host and its timers go.
    QMetaObject::invokeMethod(m_context, [this] {
        if (m_host)
            m_host->stop();
        delete m_context;  // deletes the host and any pending retry timer with it
        m_context = nullptr;
        m_host = nullptr;
    }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_hosting = false;
}

} // namespace bd
