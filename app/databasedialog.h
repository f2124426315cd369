#pragma once
// The "Database…" dialog of the window: which database the Bots page uses — BotDesk's own local cluster, or a
// PostgreSQL server by URL — with a "Test connection" button.
//
// Saving writes only the URL (never a password) to the setting database/url ("local" removes the setting: the local
// cluster is the default). The URL field refuses a URL holding a password (user:password@ or ?password=): the
// password goes in the password field, which is stored in the system keychain (keychainpassword.h, service
// "BotDesk", key user@host:port/dbname) — never in a file. When the keychain cannot store it, saving stops with the
// keychain's error and nothing is written; leaving the password field empty keeps the keychain entry as it is (and
// libpq's ~/.pgpass still works).
//
// "Test connection" connects on a worker thread (the window stays responsive) with the typed password, else the
// keychain's, else none (~/.pgpass), and shows the server and schema versions or the error.

#include "databaseurl.h"
#include "result.h"

#include <QDialog>
#include <QPointer>

class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QSettings;

namespace bd {

class DatabaseDialog : public QDialog {
    Q_OBJECT
public:
    // `settings` (must outlive the dialog) holds database/url. `overrideNote`, when not empty, says why the choice
    // saved here is not the one in use (e.g. BOTDESK_DB_URL or --db is set); it is shown above the buttons.
    explicit DatabaseDialog(QSettings *settings, const QString &overrideNote = {}, QWidget *parent = nullptr);

    static QString settingKey() { return QStringLiteral("database/url"); }

    QRadioButton *localButton() const { return m_local; }
    QRadioButton *serverButton() const { return m_server; }
    QLineEdit *urlEdit() const { return m_url; }
    QLineEdit *passwordEdit() const { return m_password; }
    QPushButton *testButton() const { return m_test; }
    QPushButton *saveButton() const { return m_save; }
    QString statusText() const;
    // True while a test or a save waits for the keychain or the server.
    bool isBusy() const { return m_busy; }

    // The choice the fields give, without any password; an error (naming the field and the fix) for a URL that is
    // empty, not a PostgreSQL URL, or holds a password.
    Result<DatabaseTarget> fieldTarget() const;

    // Starts "Test connection"; false (error shown) when the fields are invalid or a test/save is under way.
    bool testConnection();
    // Starts saving; false (error shown, nothing written) when the fields are invalid or a test/save is under way.
    // Emits saveFinished, and databaseSaved then accept() on success.
    bool save();

signals:
    void testFinished(bool ok, const QString &message);
    void saveFinished(bool ok, const QString &message);
    // The saved target, with the password typed in the field (if any) so the Bots page need not read it back from
    // the keychain. Only in memory; never written.
    void databaseSaved(const bd::DatabaseTarget &target);

private:
    void updateEnabled();
    void setBusy(bool busy);
    void showStatus(const QString &text, bool error);
    void runProbe(DatabaseTarget target, const QString &keychainNote);
    void finishSave(const DatabaseTarget &target);

    QSettings *m_settings = nullptr;
    QRadioButton *m_local = nullptr;
    QRadioButton *m_server = nullptr;
    QLineEdit *m_url = nullptr;
    QLineEdit *m_password = nullptr;
    QPushButton *m_test = nullptr;
    QPushButton *m_save = nullptr;
    QLabel *m_status = nullptr;
    bool m_busy = false;
};

} // namespace bd
