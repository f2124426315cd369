#include "libpq.h"

#include <QLibrary>

namespace bd::pq {
namespace {

struct Functions {
    decltype(&::PQconnectdb) connectdb = nullptr;
    decltype(&::PQfinish) finish = nullptr;
    decltype(&::PQstatus) status = nullptr;
    decltype(&::PQerrorMessage) errorMessage = nullptr;
    decltype(&::PQconsumeInput) consumeInput = nullptr;
    decltype(&::PQsetNoticeReceiver) setNoticeReceiver = nullptr;
    decltype(&::PQexec) exec = nullptr;
    decltype(&::PQresultStatus) resultStatus = nullptr;
    decltype(&::PQresultErrorField) resultErrorField = nullptr;
    decltype(&::PQresultErrorMessage) resultErrorMessage = nullptr;
    decltype(&::PQntuples) ntuples = nullptr;
    decltype(&::PQclear) clear = nullptr;
    bool loaded = false;
    QString error;
};

const Functions &functions()
{
    static const Functions f = [] {
        Functions r;
        QLibrary lib(QStringLiteral("pq"), 5);  // libpq.so.5; never unloaded
        if (!lib.load()) {
            r.error = QStringLiteral("cannot load libpq (libpq.so.5): %1; install it with scripts/install-deps.sh")
                          .arg(lib.errorString());
            return r;
        }
        bool ok = true;
        const auto resolve = [&](auto &fn, const char *name) {
            fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(lib.resolve(name));
            ok = ok && fn != nullptr;
        };
        resolve(r.connectdb, "PQconnectdb");
        resolve(r.finish, "PQfinish");
        resolve(r.status, "PQstatus");
        resolve(r.errorMessage, "PQerrorMessage");
        resolve(r.consumeInput, "PQconsumeInput");
        resolve(r.setNoticeReceiver, "PQsetNoticeReceiver");
        resolve(r.exec, "PQexec");
        resolve(r.resultStatus, "PQresultStatus");
        resolve(r.resultErrorField, "PQresultErrorField");
        resolve(r.resultErrorMessage, "PQresultErrorMessage");
        resolve(r.ntuples, "PQntuples");
        resolve(r.clear, "PQclear");
        r.loaded = ok;
        if (!ok)
            r.error = QStringLiteral("libpq (%1) lacks a function BotDesk needs; reinstall libpq5").arg(lib.fileName());
        return r;
    }();
    return f;
}

char *emptyText()
{
    static char empty[1] = {0};
    return empty;
}

} // namespace

bool available() { return functions().loaded; }
QString loadError() { return functions().error; }

PGconn *connectdb(const char *conninfo) { return available() ? functions().connectdb(conninfo) : nullptr; }
void finish(PGconn *conn)
{
    if (conn && available())
        functions().finish(conn);
}
ConnStatusType status(const PGconn *conn) { return available() ? functions().status(conn) : CONNECTION_BAD; }
char *errorMessage(const PGconn *conn)
{
    if (!available()) {
        static const QByteArray reason = loadError().toUtf8();
        return const_cast<char *>(reason.constData());
    }
    return functions().errorMessage(conn);
}
int consumeInput(PGconn *conn) { return available() ? functions().consumeInput(conn) : 0; }
PQnoticeReceiver setNoticeReceiver(PGconn *conn, PQnoticeReceiver receiver, void *arg)
{
    return available() ? functions().setNoticeReceiver(conn, receiver, arg) : nullptr;
}
PGresult *exec(PGconn *conn, const char *query) { return available() ? functions().exec(conn, query) : nullptr; }
ExecStatusType resultStatus(const PGresult *result)
{
    return available() ? functions().resultStatus(result) : PGRES_FATAL_ERROR;
}
char *resultErrorField(const PGresult *result, int fieldcode)
{
    return available() ? functions().resultErrorField(result, fieldcode) : nullptr;
}
char *resultErrorMessage(const PGresult *result)
{
    return available() ? functions().resultErrorMessage(result) : emptyText();
}
int ntuples(const PGresult *result) { return available() ? functions().ntuples(result) : 0; }
void clear(PGresult *result)
{
    if (result && available())
        functions().clear(result);
}

} // namespace bd::pq
