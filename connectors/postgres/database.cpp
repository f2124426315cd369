#include "database.h"

#include "logging.h"

#include <QAtomicInteger>
#include <QRegularExpression>
#include <QSqlDriver>
#include <QSqlError>

#include "libpq.h"

#include <memory>

namespace bd {

namespace {

QAtomicInteger<quint64> g_serial;

// libpq's conninfo quoting: 'value' with \ and ' escaped. QPSQL turns every ';' of the options into a space, so
// DatabaseUrl refuses values holding ';'.
QString conninfoValue(QString value)
{
    value.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    value.replace(QLatin1Char('\''), QStringLiteral("\\'"));
    return QLatin1Char('\'') + value + QLatin1Char('\'');
}

// A server or libpq error as one readable line: "ERROR:  x\nDETAIL:  y\nCONTEXT: ...\n(23505)" -> "x (y)".
QString readableError(const QString &text)
{
    static const QRegularExpression sqlState(QStringLiteral("\\([0-9A-Z]{5}\\)\\s*$"));
    static const QRegularExpression severity(QStringLiteral("^(ERROR|FATAL|PANIC|WARNING):\\s+"));
    QString primary;
    QStringList details;
    for (QString line : QString(text).remove(sqlState).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        line = line.trimmed();
        if (line.startsWith(QLatin1String("DETAIL:")) || line.startsWith(QLatin1String("HINT:")))
            details << line.mid(line.indexOf(QLatin1Char(':')) + 1).trimmed();
        else if (line.startsWith(QLatin1String("CONTEXT:")) || line.startsWith(QLatin1String("LINE ")) || line.startsWith(QLatin1Char('^')))
            continue;
        else if (primary.isEmpty())
            primary = line.remove(severity);
    }
    if (primary.isEmpty())
        primary = QStringLiteral("no message from the server");
    return details.isEmpty() ? primary : QStringLiteral("%1 (%2)").arg(primary, details.join(QStringLiteral("; ")));
}

// "INSERT INTO bot_versions ..." : the start of a statement, for messages.
QString statementHead(const QString &sql)
{
    QString head = sql.simplified();
    if (head.size() > 60)
        head = head.left(57) + QStringLiteral("...");
    return head;
}

bool isConnectionSqlState(const QString &state)
{
    // Class 08 connection exception; 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now.
    return state.startsWith(QLatin1String("08")) || state == QLatin1String("57P01") || state == QLatin1String("57P02")
           || state == QLatin1String("57P03");
}

// Server notices ("relation already exists, skipping") go to the db logger instead of libpq's stderr default. A
// FATAL message that arrives while the connection is idle ("terminating connection due to administrator command")
// is what a server says before it closes the session: it marks the connection broken.
void receiveNotice(void *brokenFlag, const PGresult *notice)
{
    static const auto log = logging::get("db");
    const char *severity = pq::resultErrorField(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (severity && (qstrcmp(severity, "FATAL") == 0 || qstrcmp(severity, "PANIC") == 0))
        *static_cast<bool *>(brokenFlag) = true;
    log->debug("server notice: {}", QString::fromUtf8(pq::resultErrorMessage(notice)).trimmed().toStdString());
}

} // namespace

Database::Database(DatabaseTarget target, Options options)
    : m_target(std::move(target)), m_options(std::move(options)), m_thread(QThread::currentThread())
{
    if (!m_target.isLocalCluster())
        m_url = m_target.url;
    m_connectionName = QStringLiteral("botdesk-%1-%2-%3")
                           .arg(m_options.purpose)
                           .arg(quintptr(QThread::currentThreadId()), 0, 16)
                           .arg(++g_serial);
}

Database::~Database()
{
    if (QThread::currentThread() != m_thread)
        return;  // leaking the connection beats touching it from the wrong thread
    if (QSqlDatabase::contains(m_connectionName)) {
        {
            m_prepared.clear();  // the statements before their connection
            QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
            if (m_inTransaction && db.isOpen())
                db.rollback();
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

QString Database::describe() const
{
    if (!m_target.isLocalCluster())
        return m_url.redacted();
    if (m_url.host.isEmpty())
        return QStringLiteral("BotDesk's local database");
    return QStringLiteral("BotDesk's local database (%1)").arg(m_url.redacted());
}

Error Database::fail(DatabaseFailure::Kind kind, const QString &message, const QString &sqlState)
{
    m_failure = DatabaseFailure{kind, sqlState, message};
    if (kind == DatabaseFailure::Kind::ConnectionLost || kind == DatabaseFailure::Kind::Unreachable)
        m_broken = true;
    return makeError(message);
}

Result<void> Database::checkThread()
{
    if (QThread::currentThread() == m_thread)
        return {};
    return fail(DatabaseFailure::Kind::WrongThread,
                QStringLiteral("the database connection '%1' belongs to another thread; open one Database per thread")
                    .arg(m_connectionName));
}

bool Database::isOpen() const
{
    return QThread::currentThread() == m_thread && QSqlDatabase::contains(m_connectionName)
           && QSqlDatabase::database(m_connectionName, false).isOpen() && !m_broken;
}

void Database::close()
{
    if (QThread::currentThread() != m_thread || !QSqlDatabase::contains(m_connectionName))
        return;
    m_prepared.clear();
    QSqlDatabase::database(m_connectionName, false).close();
    m_inTransaction = false;
}

void *Database::libpqConnection() const
{
    if (QThread::currentThread() != m_thread || !QSqlDatabase::contains(m_connectionName))
        return nullptr;
    const QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.isOpen() || !db.driver())
        return nullptr;
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || !handle.constData())
        return nullptr;
    return *static_cast<PGconn *const *>(handle.constData());
}

bool Database::connectionAlive()
{
    auto *conn = static_cast<PGconn *>(libpqConnection());
    if (!conn || pq::status(conn) != CONNECTION_OK)
        return false;
    // Reads whatever the server sent while we were idle, without blocking: a server that stopped or restarted sent
    // a FATAL notice (receiveNotice sets m_broken) and closed the socket, which the second read sees as the end.
    for (int read = 0; read < 2; ++read) {
        if (pq::consumeInput(conn) != 1 || pq::status(conn) != CONNECTION_OK || m_broken)
            return false;
    }
    return true;
}

Result<void> Database::open()
{
    if (auto thread = checkThread(); !thread)
        return thread;
    m_failure = {};
    return ensureOpen();
}

Result<void> Database::ensureOpen()
{
    static const auto log = logging::get("db");
    if (!QSqlDatabase::contains(m_connectionName)) {
        QSqlDatabase added = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connectionName);
        if (!added.isValid()) {
            QSqlDatabase::removeDatabase(m_connectionName);
            return fail(DatabaseFailure::Kind::Unreachable,
                        QStringLiteral("Qt's PostgreSQL driver (QPSQL) is not installed; install libqt6sql6-psql "
                                       "(scripts/install-deps.sh)"));
        }
    }
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (db.isOpen()) {
        if (!m_broken && connectionAlive())
            return {};
        log->warn("reconnecting to {} (the previous connection was lost)", describe().toStdString());
        m_prepared.clear();  // before their connection goes
        db.close();
        m_inTransaction = false;
    }
    // A new connection (or none, if opening fails): the kept statements belonged to the old one, however it ended.
    m_prepared.clear();

    if (m_target.isLocalCluster()) {
        LocalCluster cluster(m_options.cluster);
        auto status = cluster.status();
        if (!status)
            return fail(DatabaseFailure::Kind::Unreachable,
                        QStringLiteral("cannot use BotDesk's local database: %1").arg(status.error().message));
        if (!status->running) {
            if (!m_options.startLocalCluster)
                return fail(DatabaseFailure::Kind::Unreachable,
                            QStringLiteral("BotDesk's local database (%1) is not running; start it with 'botdesk-cli "
                                           "db start', or give --db / BOTDESK_DB_URL")
                                .arg(status->layout.dataDir));
            auto started = cluster.start();
            if (!started)
                return fail(DatabaseFailure::Kind::Unreachable, started.error().message);
            status = started->status;
        }
        m_url = LocalCluster::urlFor(*status);
    }

    QStringList options;
    bool hasTimeout = false, hasName = false;
    for (const auto &[key, value] : m_url.options) {
        options << key + QLatin1Char('=') + conninfoValue(value);
        hasTimeout = hasTimeout || key == QLatin1String("connect_timeout");
        hasName = hasName || key == QLatin1String("application_name");
    }
    if (!hasTimeout && m_options.connectTimeoutSeconds > 0)
        options << QStringLiteral("connect_timeout=%1").arg(m_options.connectTimeoutSeconds);
    if (!m_url.host.isEmpty() && !m_url.isUnixSocket()) {
        // Over TCP a server that vanished without a word (network down, host off) would leave a statement waiting
        // for minutes: keepalives notice a silent peer within ~90 s, tcp_user_timeout unacknowledged data in 30 s.
        const std::pair<const char *, const char *> tcpDefaults[] = {
            {"keepalives_idle", "60"}, {"keepalives_interval", "10"}, {"keepalives_count", "3"}, {"tcp_user_timeout", "30000"}};
        for (const auto &[key, value] : tcpDefaults) {
            if (m_url.option(QLatin1String(key)).isEmpty())
                options << QStringLiteral("%1=%2").arg(QLatin1String(key), QLatin1String(value));
        }
    }
    if (!hasName)
        options << QStringLiteral("application_name=") + conninfoValue(QStringLiteral("botdesk-") + m_options.purpose);
    db.setHostName(m_url.host);
    db.setPort(m_url.port > 0 ? m_url.port : -1);
    db.setUserName(m_url.user);
    db.setPassword(m_url.password);
    db.setDatabaseName(m_url.dbname);
    db.setConnectOptions(options.join(QLatin1Char(';')));
    if (!db.open()) {
        const QString why = readableError(db.lastError().databaseText());
        const QString fix = m_target.isLocalCluster()
                                ? QStringLiteral("check it with 'botdesk-cli db status', restart it with 'botdesk-cli db "
                                                 "stop' and 'botdesk-cli db start'")
                                : QStringLiteral("check that the server runs and accepts this login, or fix the URL "
                                                 "(%1)").arg(m_target.origin.isEmpty() ? QStringLiteral("--db / BOTDESK_DB_URL")
                                                                                       : m_target.origin);
        db.close();
        return fail(DatabaseFailure::Kind::Unreachable,
                    QStringLiteral("cannot reach the BotDesk database at %1: %2; %3").arg(describe(), why, fix));
    }
    m_broken = false;
    m_inTransaction = false;
    if (auto *conn = static_cast<PGconn *>(libpqConnection()))
        pq::setNoticeReceiver(conn, &receiveNotice, &m_broken);
    log->debug("connected to {} as '{}'", describe().toStdString(), m_connectionName.toStdString());
    return {};
}

Result<QSqlDatabase> Database::connection()
{
    if (auto opened = open(); !opened)
        return opened.error();
    return QSqlDatabase::database(m_connectionName, false);
}

Error Database::statementFailure(const QString &sql, const QSqlError &error)
{
    const QString state = error.nativeErrorCode();
    auto *conn = static_cast<PGconn *>(libpqConnection());
    const bool lost = isConnectionSqlState(state) || !conn || pq::status(conn) != CONNECTION_OK;
    const QString text = readableError(error.databaseText().isEmpty() ? error.driverText() : error.databaseText());
    if (lost) {
        const bool duringCommit = sql == QLatin1String("COMMIT");
        const bool wasInTransaction = m_inTransaction;  // stays set: the rest of the body must not run in autocommit
        return fail(DatabaseFailure::Kind::ConnectionLost,
                    QStringLiteral("lost the connection to the BotDesk database at %1 (%2); %3; BotDesk reconnects at "
                                   "the next operation; check that the server runs%4")
                        .arg(describe(), text,
                             duringCommit ? QStringLiteral("the commit's outcome is unknown: the changes may or may "
                                                           "not be saved")
                             : wasInTransaction ? QStringLiteral("nothing of this operation was saved")
                                                : QStringLiteral("the statement '%1' may not have run")
                                                      .arg(statementHead(sql)),
                             m_target.isLocalCluster() ? QStringLiteral(" ('botdesk-cli db status')") : QString()));
    }
    return fail(DatabaseFailure::Kind::Statement,
                QStringLiteral("the BotDesk database at %1 refused '%2': %3").arg(describe(), statementHead(sql), text),
                state);
}

Result<void> Database::readyForStatement()
{
    if (auto thread = checkThread(); !thread)
        return thread;
    m_failure = {};
    if (!m_inTransaction)
        return ensureOpen();
    if (m_broken)
        return fail(DatabaseFailure::Kind::ConnectionLost,
                    QStringLiteral("lost the connection to the BotDesk database at %1 during this operation; nothing "
                                   "of it was saved; BotDesk reconnects at the next operation").arg(describe()));
    return {};
}

Result<QSqlQuery> Database::exec(const QString &sql, const QVariantList &values)
{
    if (auto ready = readyForStatement(); !ready)
        return ready.error();
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.setForwardOnly(true);
    bool ok = false;
    if (values.isEmpty()) {
        ok = query.exec(sql);
    } else {
        ok = query.prepare(sql);
        if (ok) {
            for (const QVariant &value : values)
                query.addBindValue(value);
            ok = query.exec();
        }
    }
    if (!ok) {
        const QSqlError error = query.lastError();
        query = QSqlQuery();  // release the statement before the connection may be closed
        return statementFailure(sql, error);
    }
    return query;
}

Result<QSqlQuery> Database::execPrepared(const QString &sql, const QVariantList &values)
{
    if (auto ready = readyForStatement(); !ready)
        return ready.error();
    auto kept = m_prepared.find(sql);
    if (kept == m_prepared.end()) {
        QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
        query.setForwardOnly(true);
        if (!query.prepare(sql)) {
            const QSqlError error = query.lastError();
            query = QSqlQuery();
            return statementFailure(sql, error);
        }
        kept = m_prepared.insert(sql, query);
    }
    QSqlQuery &query = kept.value();
    for (qsizetype i = 0; i < values.size(); ++i)
        query.bindValue(int(i), values[i]);
    if (!query.exec()) {
        const QSqlError error = query.lastError();
        m_prepared.erase(kept);  // prepared again next time (after a reconnect it must be)
        return statementFailure(sql, error);
    }
    // The caller's copy shares the kept statement's result (the header's rule: read it before the next call with this
    // sql). Qt 6 deprecates copying a QSqlQuery but keeps it; a move would give the kept statement away.
    QT_WARNING_PUSH
    QT_WARNING_DISABLE_DEPRECATED
    return QSqlQuery(query);
    QT_WARNING_POP
}

Result<QVariant> Database::scalar(const QString &sql, const QVariantList &values)
{
    auto query = exec(sql, values);
    if (!query)
        return query.error();
    return query->next() ? query->value(0) : QVariant();
}

Result<void> Database::execScript(const QString &sql)
{
    if (auto thread = checkThread(); !thread)
        return thread;
    m_failure = {};
    if (!m_inTransaction) {
        if (auto opened = ensureOpen(); !opened)
            return opened;
    }
    auto *conn = static_cast<PGconn *>(libpqConnection());
    if (!conn)
        return fail(DatabaseFailure::Kind::ConnectionLost,
                    QStringLiteral("no connection to the BotDesk database at %1").arg(describe()));
    std::unique_ptr<PGresult, decltype(&pq::clear)> result(pq::exec(conn, sql.toUtf8().constData()), &pq::clear);
    const ExecStatusType status = pq::resultStatus(result.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)
        return {};
    const char *state = result ? pq::resultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
    const QString text = QString::fromUtf8(result ? pq::resultErrorMessage(result.get()) : pq::errorMessage(conn));
    return statementFailure(sql, QSqlError(QStringLiteral("libpq"), text, QSqlError::StatementError,
                                           state ? QString::fromLatin1(state) : QString()));
}

Result<void> Database::begin()
{
    if (auto thread = checkThread(); !thread)
        return thread;
    auto begun = exec(QStringLiteral("BEGIN"));
    if (!begun && m_failure.kind == DatabaseFailure::Kind::ConnectionLost) {
        // Nothing was written yet, so a connection that died while idle may be replaced at once.
        begun = exec(QStringLiteral("BEGIN"));
    }
    if (!begun)
        return begun.error();
    m_inTransaction = true;
    return {};
}

Result<void> Database::commit()
{
    auto committed = exec(QStringLiteral("COMMIT"));
    m_inTransaction = false;
    if (!committed)
        return committed.error();
    m_failure = {};
    return {};
}

void Database::rollback()
{
    if (!m_inTransaction)
        return;
    if (!m_broken) {
        QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
        if (!query.exec(QStringLiteral("ROLLBACK")))
            m_broken = true;  // reopen before the next operation rather than trust this connection
    }
    m_inTransaction = false;
}

} // namespace bd
