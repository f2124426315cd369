#include "alertsettingswidget.h"

#include "alertcenter.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace bd {

AlertSettingsWidget::AlertSettingsWidget(AlertCenter *center, QSettings *settings, QWidget *parent)
    : QWidget(parent), m_center(center), m_settings(settings)
{
    m_url = new QLineEdit(this);
    m_url->setObjectName(QStringLiteral("webhookUrl"));
    m_url->setPlaceholderText(tr("https://api.telegram.org/bot<token>/sendMessage?chat_id=<id> (empty: desktop only)"));
    m_save = new QPushButton(tr("Save"), this);
    m_test = new QPushButton(tr("Send test alert"), this);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("alertStatus"));
    m_status->setWordWrap(true);
    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Alert webhook"), this));
    row->addWidget(m_url, 1);
    row->addWidget(m_save);
    row->addWidget(m_test);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_status);

    if (m_settings) {
        m_url->setText(m_settings->value(settingKey()).toString());
        m_center->setWebhookUrl(QUrl(m_url->text().trimmed()));
    }
    connect(m_save, &QPushButton::clicked, this, &AlertSettingsWidget::apply);
    connect(m_test, &QPushButton::clicked, this, &AlertSettingsWidget::sendTestAlert);
    connect(m_center, &AlertCenter::webhookDelivered, this, [this](const Alert &, int status) {
        m_status->setStyleSheet(QStringLiteral("color: #1e7e34"));
        m_status->setText(tr("Last alert delivered to the webhook (HTTP %1).").arg(status));
    });
    connect(m_center, &AlertCenter::webhookFailed, this, [this](const Alert &, const QString &error) {
        m_status->setStyleSheet(QStringLiteral("color: #c0392b"));
        m_status->setText(error);
    });
}

bool AlertSettingsWidget::apply()
{
    const QUrl url(m_url->text().trimmed(), QUrl::StrictMode);
    if (!m_center->setWebhookUrl(url)) {
        m_status->setStyleSheet(QStringLiteral("color: #c0392b"));
        m_status->setText(tr("'%1' is not an http:// or https:// URL; alerts stay on the desktop only")
                              .arg(url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery)));
        return false;
    }
    if (m_settings)
        m_settings->setValue(settingKey(), url.toString());
    m_status->setStyleSheet({});
    m_status->setText(url.isEmpty() ? tr("No webhook: alerts are desktop notifications only.")
                                    : tr("Alerts are also posted to %1.").arg(url.toDisplayString(QUrl::RemoveUserInfo
                                                                                                 | QUrl::RemoveQuery
                                                                                                 | QUrl::RemovePath)));
    return true;
}

void AlertSettingsWidget::sendTestAlert()
{
    if (!apply())
        return;
    Alert a;
    a.kind = AlertKind::Halt;
    a.account = QStringLiteral("test");
    a.title = tr("BotDesk test alert");
    // The time makes each test a new alert (the center drops repeats within its window).
    a.text = tr("This is how BotDesk's alerts arrive (sent from the Accounts page at %1 UTC).")
                 .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("HH:mm:ss.zzz")));
    m_center->raise(a);
}

} // namespace bd
