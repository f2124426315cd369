#include "alerttray.h"

#include <QApplication>
#include <QStyle>
#include <QSystemTrayIcon>

namespace bd {

AlertTray::AlertTray(AlertCenter *center, QObject *parent) : QObject(parent)
{
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning), this);
        m_tray->setToolTip(tr("BotDesk alerts"));
        m_tray->show();
    }
    connect(center, &AlertCenter::alertRaised, this, &AlertTray::show);
}

void AlertTray::show(const Alert &alert)
{
    m_recent.prepend(alert);
    while (m_recent.size() > 50)
        m_recent.removeLast();
    const bool notify = m_tray && QSystemTrayIcon::supportsMessages();
    if (notify) {
        const auto icon = alert.kind == AlertKind::OrderRejected ? QSystemTrayIcon::Warning : QSystemTrayIcon::Critical;
        m_tray->showMessage(alert.title, alert.text, icon, 15'000);
        ++m_shown;
    }
    emit alertShown(alert, notify);
}

} // namespace bd
