#pragma once
// AlertTray: the desktop face of the AlertCenter (issue 10 §7): each raised alert is shown as a desktop notification
// through QSystemTrayIcon::showMessage when the desktop has a system tray; without one (offscreen, some window
// managers) it is only kept in recent() and logged by the center. Keeps the last 50 alerts for the window.

#include "alertcenter.h"

#include <QList>
#include <QObject>

class QSystemTrayIcon;

namespace bd {

class AlertTray : public QObject {
    Q_OBJECT
public:
    explicit AlertTray(AlertCenter *center, QObject *parent = nullptr);

    bool trayAvailable() const { return m_tray != nullptr; }
    const QList<Alert> &recent() const { return m_recent; }
    int shownCount() const { return m_shown; }  // notifications handed to the tray

signals:
    void alertShown(const bd::Alert &alert, bool asNotification);

private:
    void show(const Alert &alert);

    QSystemTrayIcon *m_tray = nullptr;
    QList<Alert> m_recent;
    int m_shown = 0;
};

} // namespace bd
