#include "keychainpassword.h"

#include "logging.h"

#include <QObject>
#include <QPointer>

#include <qt6keychain/keychain.h>

#include <chrono>

namespace bd {
namespace {

const QString kPgpassFix = QStringLiteral(
    "start a keychain service in this session (GNOME Keyring or KWallet), or leave the password out of BotDesk and "
    "put it in libpq's ~/.pgpass (a line host:port:dbname:user:password, file mode 0600)");

QString errorName(QKeychain::Error error)
{
    switch (error) {
    case QKeychain::NoError: return QStringLiteral("NoError");
    case QKeychain::EntryNotFound: return QStringLiteral("EntryNotFound");
    case QKeychain::CouldNotDeleteEntry: return QStringLiteral("CouldNotDeleteEntry");
    case QKeychain::AccessDeniedByUser: return QStringLiteral("AccessDeniedByUser");
    case QKeychain::AccessDenied: return QStringLiteral("AccessDenied");
    case QKeychain::NoBackendAvailable: return QStringLiteral("NoBackendAvailable");
    case QKeychain::NotImplemented: return QStringLiteral("NotImplemented");
    case QKeychain::OtherError: return QStringLiteral("OtherError");
    }
    return QStringLiteral("error %1").arg(int(error));
}

KeychainEntry databaseEntry(const QString &key)
{
    return {key, QStringLiteral("database password"), kPgpassFix};
}

// "cannot <what> the <entry.what> of '<key>' in the system keychain: <cause> (QtKeychain: <code>, '<text>'); <fix>"
Error keychainError(const QString &what, const KeychainEntry &entry, const QKeychain::Job &job)
{
    QString cause;
    switch (job.error()) {
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        cause = QStringLiteral("access was denied");
        break;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::OtherError:
        // On Linux, OtherError with "Unknown error" is what QtKeychain reports when no Secret Service/KWallet
        // answers on the session D-Bus (typical of CI and headless machines).
        cause = QStringLiteral("no keychain service answered");
        break;
    default:
        cause = QStringLiteral("the keychain refused");
        break;
    }
    const QString where = what == QLatin1String("store") ? QStringLiteral("in") : QStringLiteral("from");
    const QString secret = entry.what == QLatin1String("database password") ? QStringLiteral("password") : entry.what;
    return makeError(QStringLiteral("cannot %1 the %2 of '%3' %4 the system keychain: %5 (QtKeychain: %6, '%7'); %8")
                         .arg(what, secret, entry.key, where, cause, errorName(job.error()), job.errorString(), entry.fix));
}

template <typename JobT>
JobT *makeJob(const QString &key)
{
    auto *job = new JobT(keychainService());
    job->setAutoDelete(true);
    job->setInsecureFallback(false);  // never a plain settings file
    job->setKey(key);
    return job;
}

} // namespace

QString keychainService()
{
    return QStringLiteral("BotDesk");
}

QString keychainKey(const DatabaseUrl &url)
{
    return QStringLiteral("%1@%2:%3/%4").arg(url.user, url.host).arg(url.port > 0 ? url.port : 5432).arg(url.dbname);
}

void readKeychainPassword(const QString &key, QObject *context, std::function<void(Result<QString>)> done)
{
    readKeychainEntry(databaseEntry(key), context, std::move(done));
}

void writeKeychainPassword(const QString &key, const QString &password, QObject *context,
                           std::function<void(Result<void>)> done)
{
    writeKeychainEntry(databaseEntry(key), password, context, std::move(done));
}

void deleteKeychainPassword(const QString &key, QObject *context, std::function<void(Result<void>)> done)
{
    deleteKeychainEntry(databaseEntry(key), context, std::move(done));
}

void readKeychainEntry(const KeychainEntry &entry, QObject *context, std::function<void(Result<QString>)> done)
{
    auto *job = makeJob<QKeychain::ReadPasswordJob>(entry.key);
    QObject::connect(job, &QKeychain::Job::finished, context, [entry, done = std::move(done)](QKeychain::Job *finished) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(finished);
        if (read->error() == QKeychain::NoError) {
            logging::get("keychain")->info("read the {} of '{}' from the system keychain", entry.what.toStdString(),
                                           entry.key.toStdString());
            done(read->textData());
        } else if (read->error() == QKeychain::EntryNotFound) {
            logging::get("keychain")->info("the system keychain has no {} for '{}'", entry.what.toStdString(),
                                           entry.key.toStdString());
            done(QString());
        } else {
            Error error = keychainError(QStringLiteral("read"), entry, *read);
            logging::get("keychain")->warn("{}", error.message.toStdString());
            done(std::move(error));
        }
    });
    job->start();
}

void writeKeychainEntry(const KeychainEntry &entry, const QString &secret, QObject *context,
                        std::function<void(Result<void>)> done)
{
    auto *job = makeJob<QKeychain::WritePasswordJob>(entry.key);
    job->setTextData(secret);
    QObject::connect(job, &QKeychain::Job::finished, context, [entry, done = std::move(done)](QKeychain::Job *finished) {
        if (finished->error() == QKeychain::NoError) {
            logging::get("keychain")->info("stored the {} of '{}' in the system keychain", entry.what.toStdString(),
                                           entry.key.toStdString());
            done({});
            return;
        }
        Error error = keychainError(QStringLiteral("store"), entry, *finished);
        logging::get("keychain")->warn("{}", error.message.toStdString());
        done(std::move(error));
    });
    job->start();
}

void deleteKeychainEntry(const KeychainEntry &entry, QObject *context, std::function<void(Result<void>)> done)
{
    auto *job = makeJob<QKeychain::DeletePasswordJob>(entry.key);
    QObject::connect(job, &QKeychain::Job::finished, context, [entry, done = std::move(done)](QKeychain::Job *finished) {
        if (finished->error() == QKeychain::NoError || finished->error() == QKeychain::EntryNotFound)
            done({});
        else
            done(keychainError(QStringLiteral("remove"), entry, *finished));
    });
    job->start();
}

void PendingPassword::set(Result<QString> answer)
{
    {
        const std::lock_guard lock(m_mutex);
        if (m_answer)
            return;
        m_answer = std::move(answer);
    }
    m_ready.notify_all();
}

void PendingPassword::abandon(const QString &reason)
{
    set(makeError(reason));
}

Result<QString> PendingPassword::wait(int timeoutMs)
{
    std::unique_lock lock(m_mutex);
    if (!m_ready.wait_for(lock, std::chrono::milliseconds(timeoutMs), [this] { return m_answer.has_value(); }))
        return makeError(QStringLiteral("the system keychain did not answer within %1 s; %2").arg(timeoutMs / 1000).arg(kPgpassFix));
    return *m_answer;
}

} // namespace bd
