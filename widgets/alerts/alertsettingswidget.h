#pragma once
// AlertSettingsWidget: the webhook of the alerts (issue 10 §7): its URL (kept in QSettings under settingKey(), an
// http:// or https:// URL; empty = desktop notifications only) and "Send test alert", which raises a test alert
// through the AlertCenter so the trader sees it arrive (or the webhook's error here).

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSettings;

namespace bd {

class AlertCenter;

class AlertSettingsWidget : public QWidget {
    Q_OBJECT
public:
    // `settings` may be null (nothing remembered). The saved URL is applied to `center` now.
    AlertSettingsWidget(AlertCenter *center, QSettings *settings, QWidget *parent = nullptr);

    static QString settingKey() { return QStringLiteral("alerts/webhookUrl"); }

    // Applies and remembers the URL in the field; false (with the reason shown) when it is not http(s).
    bool apply();
    void sendTestAlert();

    QLineEdit *urlEdit() const { return m_url; }
    QLabel *statusLabel() const { return m_status; }

private:
    AlertCenter *m_center;
    QSettings *m_settings;
    QLineEdit *m_url = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_test = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace bd
