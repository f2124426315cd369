// The Database dialog (app/databasedialog.h) and the system keychain (app/keychainpassword.h) on real PostgreSQL 15
// (a throwaway cluster, pgharness.h), with no keychain service (the session D-Bus address points at nothing, as on
// CI): a URL holding a password is refused; the settings file (an .ini in a temporary folder, read byte for byte)
// never holds a password; "Test connection" against the harness succeeds without blocking the GUI thread, and
// against an unreachable or stopped server shows the error; storing a password reports the keychain's error and
// writes it nowhere; the Bots page's store uses ~/.pgpass-style connections when the keychain has nothing, and names
// the keychain's error only when the server then asks for a password.

#include "databasebotstore.h"
#include "databasedialog.h"
#include "keychainpassword.h"
#include "mainwindow.h"
#include "migrator.h"
#include "pgharness.h"

#include <QAction>
#include <QApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace bd;

namespace {

const QByteArray kSecret = "hunter2-Zq9-secret";

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Every file under `dir` whose bytes contain `needle`.
QStringList filesContaining(const QString &dir, const QByteArray &needle)
{
    QStringList hits;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (fileBytes(path).contains(needle))
            hits << path;
    }
    return hits;
}

} // namespace

class TestDatabaseDialog : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QStandardPaths::setTestModeEnabled(true);  // QtKeychain's (disabled) fallback would use the app's QSettings
        auto started = m_pg.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
        auto url = m_pg.createMigratedDatabase(QStringLiteral("dialog"));
        QVERIFY2(url, qPrintable(url ? QString() : url.error().message));
        m_url = *url;
    }

    void init()
    {
        QFile::remove(settingsPath());
        m_settings = std::make_unique<QSettings>(settingsPath(), QSettings::IniFormat);
    }

    void urlWithPasswordRefused_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("user:password@") << QStringLiteral("postgresql://trader:%1@db.example:5432/botdesk").arg(QString::fromLatin1(kSecret));
        QTest::newRow("?password=") << QStringLiteral("postgres://trader@db.example/botdesk?password=%1").arg(QString::fromLatin1(kSecret));
    }
    void urlWithPasswordRefused()
    {
        QFETCH(QString, url);
        DatabaseDialog dialog(m_settings.get());
        QSignalSpy saved(&dialog, &DatabaseDialog::databaseSaved);
        dialog.serverButton()->setChecked(true);
        dialog.urlEdit()->setText(url);
        QVERIFY(!dialog.save());
        QVERIFY2(dialog.statusText().contains(QStringLiteral("password field")), qPrintable(dialog.statusText()));
        QVERIFY2(dialog.statusText().contains(QStringLiteral("system keychain")), qPrintable(dialog.statusText()));
        QVERIFY(!dialog.statusText().contains(QString::fromLatin1(kSecret)));
        QCOMPARE(saved.count(), 0);
        m_settings->sync();
        QVERIFY(!m_settings->contains(DatabaseDialog::settingKey()));
        QVERIFY(!fileBytes(settingsPath()).contains(kSecret));
        // Test connection refuses it too, before connecting anywhere.
        QVERIFY(!dialog.testConnection());
        QVERIFY(dialog.statusText().contains(QStringLiteral("password field")));
    }

    void saveWritesUrlOnly()
    {
        const QString url = QStringLiteral("postgresql://trader@db.example:5433/botdesk?sslmode=verify-full");
        DatabaseDialog dialog(m_settings.get());
        QSignalSpy saved(&dialog, &DatabaseDialog::databaseSaved);
        QSignalSpy finished(&dialog, &DatabaseDialog::saveFinished);
        dialog.serverButton()->setChecked(true);
        dialog.urlEdit()->setText(url);
        dialog.passwordEdit()->setText(QString::fromLatin1(kSecret));

        // No keychain service: the password cannot be stored, so nothing is saved and the error says why.
        QVERIFY(dialog.save());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        const QString error = finished.at(0).at(1).toString();
        QVERIFY2(error.contains(QStringLiteral("cannot store the password of 'trader@db.example:5433/botdesk' in the system keychain")),
                 qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("~/.pgpass")), qPrintable(error));
        QVERIFY(!error.contains(QString::fromLatin1(kSecret)));
        QCOMPARE(dialog.statusText(), error);
        QCOMPARE(saved.count(), 0);
        m_settings->sync();
        QVERIFY(!m_settings->contains(DatabaseDialog::settingKey()));
        // Written nowhere else: not in this folder, not in the (test-mode) configuration and data folders where an
        // insecure fallback would have put it.
        for (const QString &dir : {m_dir.path(), QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation),
                                   QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)})
            QVERIFY2(filesContaining(dir, kSecret).isEmpty(), qPrintable(filesContaining(dir, kSecret).join(u' ')));

        // Without the password (libpq's ~/.pgpass then): the URL alone is saved.
        dialog.passwordEdit()->clear();
        QVERIFY(dialog.save());
        QCOMPARE(finished.count(), 2);
        QCOMPARE(finished.at(1).at(0).toBool(), true);
        QCOMPARE(saved.count(), 1);
        const auto target = saved.at(0).at(0).value<DatabaseTarget>();
        QCOMPARE(target.url.host, QStringLiteral("db.example"));
        QVERIFY(target.url.password.isEmpty());
        QSettings reread(settingsPath(), QSettings::IniFormat);
        QCOMPARE(reread.value(DatabaseDialog::settingKey()).toString(), url);
        const QByteArray bytes = fileBytes(settingsPath());
        QVERIFY2(bytes.contains("db.example"), bytes.constData());
        QVERIFY(!bytes.contains(kSecret));

        // The next dialog shows the saved choice; Local removes the setting.
        DatabaseDialog again(m_settings.get());
        QVERIFY(again.serverButton()->isChecked());
        QCOMPARE(again.urlEdit()->text(), url);
        again.localButton()->setChecked(true);
        QVERIFY(!again.urlEdit()->isEnabled());
        QVERIFY(again.save());
        m_settings->sync();
        QVERIFY(!m_settings->contains(DatabaseDialog::settingKey()));
    }

    void keychainWithoutService()
    {
        // The keychain API itself: storing fails with the keychain's error; reading gives an error, not a password.
        QObject context;
        std::optional<Result<void>> stored;
        writeKeychainPassword(QStringLiteral("k@h:5432/d"), QString::fromLatin1(kSecret), &context,
                              [&](Result<void> r) { stored = r; });
        QTRY_VERIFY_WITH_TIMEOUT(stored.has_value(), 30000);
        QVERIFY(!*stored);
        QVERIFY2(stored->error().message.contains(QStringLiteral("'k@h:5432/d'")), qPrintable(stored->error().message));
        std::optional<Result<QString>> read;
        readKeychainPassword(QStringLiteral("k@h:5432/d"), &context, [&](Result<QString> r) { read = r; });
        QTRY_VERIFY_WITH_TIMEOUT(read.has_value(), 30000);
        QVERIFY(!*read);
        QVERIFY2(read->error().message.contains(QStringLiteral("cannot read the password")), qPrintable(read->error().message));

        QCOMPARE(keychainKey(*DatabaseUrl::parse(QStringLiteral("postgresql://u@h/db"))), QStringLiteral("u@h:5432/db"));
        QCOMPARE(keychainKey(*DatabaseUrl::parse(QStringLiteral("postgresql://u:x@h:6000/db?sslmode=require"))),
                 QStringLiteral("u@h:6000/db"));
    }

    void testConnectionSucceeds()
    {
        DatabaseDialog dialog(m_settings.get());
        QSignalSpy tested(&dialog, &DatabaseDialog::testFinished);
        dialog.serverButton()->setChecked(true);
        dialog.urlEdit()->setText(m_url.redacted());  // the socket URL: postgresql://botdesk@/dialog?host=/tmp/...
        QElapsedTimer clock;
        clock.start();
        QVERIFY(dialog.testConnection());
        const qint64 startMs = clock.elapsed();
        // The GUI thread is free while the worker connects: the buttons are disabled until the answer.
        QVERIFY(dialog.isBusy());
        QVERIFY(!dialog.testButton()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 1, 30000);
        qInfo("testConnection() returned in %lld ms; answer after %lld ms", startMs, clock.elapsed());
        QVERIFY2(tested.at(0).at(0).toBool(), qPrintable(tested.at(0).at(1).toString()));
        const QString text = dialog.statusText();
        QVERIFY2(text.contains(QStringLiteral("PostgreSQL 15.")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("schema version %1 (this BotDesk needs %1)")
                                   .arg(Migrator::latestCompiledVersion())), qPrintable(text));
        QVERIFY(!dialog.isBusy());
        QVERIFY(dialog.testButton()->isEnabled());
        // Testing writes nothing.
        m_settings->sync();
        QVERIFY(!m_settings->contains(DatabaseDialog::settingKey()));
    }

    void testConnectionUnreachable()
    {
        DatabaseDialog dialog(m_settings.get());
        QSignalSpy tested(&dialog, &DatabaseDialog::testFinished);
        dialog.serverButton()->setChecked(true);
        const QString missing = m_dir.filePath(QStringLiteral("no-server-here"));
        dialog.urlEdit()->setText(QStringLiteral("postgresql://botdesk@/dialog?host=%1").arg(missing));
        QVERIFY(dialog.testConnection());
        QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 1, 30000);
        QCOMPARE(tested.at(0).at(0).toBool(), false);
        QVERIFY2(dialog.statusText().contains(QStringLiteral("cannot reach")), qPrintable(dialog.statusText()));
        QVERIFY2(dialog.statusText().contains(missing), qPrintable(dialog.statusText()));
    }

    void botStoreUsesNoPasswordWhenKeychainFails()
    {
        // The app's start-up path: the keychain had no answer (no service); trust/.pgpass connections still work
        // and the keychain's error is not shown.
        DatabaseTarget target = m_pg.target(m_url);
        auto factory = makeDatabaseBotStoreFactory(target, QStringLiteral("t"), [] {
            return Result<QString>(makeError(QStringLiteral("cannot read the password: no keychain service answered")));
        });
        auto store = factory();
        auto bots = store->listBots();
        QVERIFY2(bots, qPrintable(bots ? QString() : bots.error().message));

        // A role that must give a password (scram over TCP is not set up by the harness, so simulate the server's
        // answer through the classifier the store uses).
        QVERIFY(isMissingPasswordError(QStringLiteral("cannot reach ...: fe_sendauth: no password supplied")));
        QVERIFY(isMissingPasswordError(QStringLiteral("FATAL:  password authentication failed for user \"x\"")));
        QVERIFY(!isMissingPasswordError(QStringLiteral("could not connect to server: No such file or directory")));
    }

    void windowMenuOpensDialogRequest()
    {
        MainWindow window;
        window.setInteractive(false);
        QSignalSpy requested(&window, &MainWindow::databaseSettingsRequested);
        auto *action = window.findChild<QAction *>(QStringLiteral("databaseSettingsAction"));
        QVERIFY(action);
        action->trigger();
        QCOMPARE(requested.count(), 1);
        // A new factory replaces a Bots page already shown (the page asks the new store at once).
        window.setBotStoreFactory(makeDatabaseBotStoreFactory(m_pg.target(m_url), QStringLiteral("t1")));
        window.show();
        window.showBotsPage();
        QVERIFY(window.botLibrary());
        QPointer<BotLibrary> first = window.botLibrary();
        window.setBotStoreFactory(makeDatabaseBotStoreFactory(m_pg.target(m_url), QStringLiteral("t2")));
        QVERIFY(first.isNull());
        QVERIFY(window.botLibrary());
        QVERIFY(window.botsView());
    }

    void testConnectionServerStopped()
    {
        auto stopped = m_pg.stopServer();
        QVERIFY2(stopped, qPrintable(stopped ? QString() : stopped.error().message));
        DatabaseDialog dialog(m_settings.get());
        QSignalSpy tested(&dialog, &DatabaseDialog::testFinished);
        dialog.serverButton()->setChecked(true);
        dialog.urlEdit()->setText(m_url.redacted());
        QVERIFY(dialog.testConnection());
        QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 1, 30000);
        QCOMPARE(tested.at(0).at(0).toBool(), false);
        QVERIFY2(dialog.statusText().contains(QStringLiteral("cannot reach")), qPrintable(dialog.statusText()));
        auto restarted = m_pg.startServer();
        QVERIFY2(restarted, qPrintable(restarted ? QString() : restarted.error().message));
        QVERIFY(dialog.testConnection());
        QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 2, 30000);
        QVERIFY2(tested.at(1).at(0).toBool(), qPrintable(tested.at(1).at(1).toString()));
    }

private:
    QString settingsPath() const { return m_dir.filePath(QStringLiteral("BotDesk.ini")); }

    QTemporaryDir m_dir;
    PgHarness m_pg;
    DatabaseUrl m_url;
    std::unique_ptr<QSettings> m_settings;
};

int main(int argc, char *argv[])
{
    // No keychain service, as on CI: the session bus points at nothing, and no X display to autolaunch one.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/botdesk-test-bus");
    qunsetenv("DISPLAY");
    QApplication app(argc, argv);
    TestDatabaseDialog test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_databasedialog.moc"
