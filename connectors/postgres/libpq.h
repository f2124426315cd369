#pragma once
// libpq, loaded when first needed instead of linked: libpq pulls in OpenSSL, Kerberos, LDAP and GnuTLS, whose
// loading and relocation would slow the start of every botdesk-cli command, including those that never touch a
// database. Qt's QPSQL driver loads the same libpq.so.5 when a connection opens.
//
// Each function has libpq's signature and meaning (https://www.postgresql.org/docs/15/libpq.html). When libpq cannot
// be loaded (libpq5 missing: scripts/install-deps.sh installs it with libqt6sql6-psql), they act as on a failed
// connection: connectdb returns nullptr, status CONNECTION_BAD, exec nullptr, the text functions "" and
// errorMessage the reason; available() tells which.

#include <libpq-fe.h>

#include <QString>

namespace bd::pq {

// Loads libpq.so.5 on the first call (thread-safe); true when every function below resolved.
bool available();
// Why available() is false (empty when it is true).
QString loadError();

PGconn *connectdb(const char *conninfo);
void finish(PGconn *conn);
ConnStatusType status(const PGconn *conn);
char *errorMessage(const PGconn *conn);
int consumeInput(PGconn *conn);
PQnoticeReceiver setNoticeReceiver(PGconn *conn, PQnoticeReceiver receiver, void *arg);
PGresult *exec(PGconn *conn, const char *query);
ExecStatusType resultStatus(const PGresult *result);
char *resultErrorField(const PGresult *result, int fieldcode);
char *resultErrorMessage(const PGresult *result);
int ntuples(const PGresult *result);
void clear(PGresult *result);

} // namespace bd::pq
