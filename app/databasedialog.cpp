#include "databasedialog.h"

#include "databasebotstore.h"
#include "databaseprobe.h"
#include "keychainpassword.h"
#include "logging.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace bd {

DatabaseDialog::DatabaseDialog(QSettings *settings, const QString &overrideNote, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
{
    setWindowTitle(tr("Database"));
    setObjectName(QStringLiteral("databaseDialog"));
    auto *layout = new QVBoxLayout(this);

    m_local = new QRadioButton(tr("Local: BotDesk's own database on this computer (started when needed)"), this);
    m_server = new QRadioButton(tr("Server: a PostgreSQL server by URL"), this);
    layout->addWidget(m_local);
    layout->addWidget(m_server);

    auto *form = new QFormLayout;
    m_url = new QLineEdit(this);
    m_url->setObjectName(QStringLiteral("databaseUrl"));
    m_url->setPlaceholderText(QStringLiteral("postgresql://user@host:5432/botdesk?sslmode=verify-full"));
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("databasePassword"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("kept in the system keychain; empty: unchanged (or ~/.pgpass)"));
    form->addRow(tr("URL:"), m_url);
    form->addRow(tr("Password:"), m_password);
    layout->addLayout(form);

    if (!overrideNote.isEmpty()) {
        auto *note = new QLabel(overrideNote, this);
        note->setObjectName(QStringLiteral("databaseOverrideNote"));
        note->setWordWrap(true);
        layout->addWidget(note);
    }
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("databaseStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    auto *buttons = new QDialogButtonBox(this);
    m_test = buttons->addButton(tr("Test connection"), QDialogButtonBox::ActionRole);
    m_save = buttons->addButton(QDialogButtonBox::Save);
    buttons->addButton(QDialogButtonBox::Cancel);
    layout->addWidget(buttons);
    connect(m_test, &QPushButton::clicked, this, [this] { testConnection(); });
    connect(m_save, &QPushButton::clicked, this, [this] { save(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_local, &QRadioButton::toggled, this, &DatabaseDialog::updateEnabled);

    const QString current = m_settings ? m_settings->value(settingKey()).toString() : QString();
    const bool isLocal = current.isEmpty() || current.compare(QLatin1String("local"), Qt::CaseInsensitive) == 0;
    (isLocal ? m_local : m_server)->setChecked(true);
    if (!isLocal)
        m_url->setText(redactDatabaseUrlText(current));  // a setting never holds a password; redact in case
    updateEnabled();
}

QString DatabaseDialog::statusText() const
{
    return m_status->text();
}

void DatabaseDialog::updateEnabled()
{
    const bool server = m_server->isChecked();
    m_url->setEnabled(server && !m_busy);
    m_password->setEnabled(server && !m_busy);
    m_local->setEnabled(!m_busy);
    m_server->setEnabled(!m_busy);
    m_test->setEnabled(!m_busy);
    m_save->setEnabled(!m_busy);
}

void DatabaseDialog::setBusy(bool busy)
{
    m_busy = busy;
    updateEnabled();
}

void DatabaseDialog::showStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #b00020;") : QString());
}

Result<DatabaseTarget> DatabaseDialog::fieldTarget() const
{
    if (m_local->isChecked())
        return DatabaseTarget{DatabaseTarget::Kind::LocalCluster, {}, QStringLiteral("the settings")};
    const QString text = m_url->text().trimmed();
    if (text.isEmpty())
        return makeError(QStringLiteral("The URL is empty; give e.g. postgresql://user@host:5432/botdesk, or choose Local."));
    auto url = DatabaseUrl::parse(text, QStringLiteral("The URL"));
    if (!url)
        return url.error();
    if (!url->password.isEmpty())
        return makeError(QStringLiteral("The URL '%1' holds a password; remove it from the URL and put it in the "
                                        "password field: it is kept in the system keychain, never in the settings file.")
                             .arg(redactDatabaseUrlText(text)));
    return DatabaseTarget{DatabaseTarget::Kind::Url, *url, QStringLiteral("the settings")};
}

bool DatabaseDialog::testConnection()
{
    if (m_busy)
        return false;
    auto target = fieldTarget();
    if (!target) {
        showStatus(target.error().message, true);
        emit testFinished(false, target.error().message);
        return false;
    }
    setBusy(true);
    showStatus(tr("Testing the connection to %1…").arg(target->describe()), false);
    if (target->isLocalCluster() || !m_password->text().isEmpty()) {
        target->url.password = m_password->text();
        runProbe(*target, {});
        return true;
    }
    // No password typed: the keychain's (read on this thread, asynchronously), else none (~/.pgpass).
    readKeychainPassword(keychainKey(target->url), this, [this, t = *target](Result<QString> password) mutable {
        if (password)
            t.url.password = *password;
        runProbe(t, password ? QString() : password.error().message);
    });
    return true;
}

void DatabaseDialog::runProbe(DatabaseTarget target, const QString &keychainNote)
{
    auto *watcher = new QFutureWatcher<Result<DatabaseProbe>>(this);
    connect(watcher, &QFutureWatcher<Result<DatabaseProbe>>::finished, this, [this, watcher, keychainNote] {
        watcher->deleteLater();
        const Result<DatabaseProbe> probe = watcher->result();
        setBusy(false);
        if (probe) {
            showStatus(probe->summary(), false);
            emit testFinished(true, probe->summary());
            return;
        }
        const QString message = withPasswordNote(probe.error().message, keychainNote);
        showStatus(message, true);
        emit testFinished(false, message);
    });
    watcher->setFuture(QtConcurrent::run([target = std::move(target)] { return probeDatabase(target); }));
}

bool DatabaseDialog::save()
{
    if (m_busy)
        return false;
    auto target = fieldTarget();
    if (!target) {
        showStatus(target.error().message, true);
        emit saveFinished(false, target.error().message);
        return false;
    }
    const QString password = m_server->isChecked() ? m_password->text() : QString();
    if (password.isEmpty()) {
        finishSave(*target);
        return true;
    }
    setBusy(true);
    const QString key = keychainKey(target->url);
    showStatus(tr("Storing the password of %1 in the system keychain…").arg(key), false);
    writeKeychainPassword(key, password, this, [this, t = *target, password](Result<void> stored) mutable {
        setBusy(false);
        if (!stored) {
            // Nothing is written: the user may clear the password field and rely on ~/.pgpass instead.
            showStatus(stored.error().message, true);
            emit saveFinished(false, stored.error().message);
            return;
        }
        t.url.password = password;
        finishSave(t);
    });
    return true;
}

void DatabaseDialog::finishSave(const DatabaseTarget &target)
{
    if (m_settings) {
        if (target.isLocalCluster()) {
            m_settings->remove(settingKey());
        } else {
            // The text as typed (it parsed and holds no password), so the user sees it again as written.
            m_settings->setValue(settingKey(), m_url->text().trimmed());
        }
        m_settings->sync();
        if (m_settings->status() != QSettings::NoError) {
            const QString message = QStringLiteral("cannot write the settings file %1; check that its folder is writable")
                                        .arg(m_settings->fileName());
            showStatus(message, true);
            emit saveFinished(false, message);
            return;
        }
    }
    logging::get("app")->info("database choice saved: {}", target.describe().toStdString());
    const QString message = tr("Saved: the Bots page now uses %1.").arg(target.describe());
    showStatus(message, false);
    emit saveFinished(true, message);
    emit databaseSaved(target);
    accept();
}

} // namespace bd
