#pragma once
// A throwaway self-signed certificate for 127.0.0.1 (cert.pem + key.pem in `dir`), made with the openssl command,
// for tests of wss:// servers and of clients that verify them.

#include <QDir>
#include <QProcess>
#include <QStandardPaths>
#include <QString>

struct SelfSignedCert {
    QString certFile;     // PEM certificate, CN and subjectAltName 127.0.0.1, valid one day
    QString keyFile;      // its unencrypted PEM key
    bool noOpenssl = false;
    QString error;        // empty when both files were made
};

inline SelfSignedCert makeSelfSignedCert(const QString &dir)
{
    SelfSignedCert c;
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (openssl.isEmpty()) {
        c.noOpenssl = true;
        c.error = QStringLiteral("no openssl executable to make a throwaway certificate");
        return c;
    }
    c.certFile = QDir(dir).filePath(QStringLiteral("cert.pem"));
    c.keyFile = QDir(dir).filePath(QStringLiteral("key.pem"));
    QProcess gen;
    gen.start(openssl, {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", c.keyFile, "-out", c.certFile,
                        "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
    if (!gen.waitForFinished(30000) || gen.exitStatus() != QProcess::NormalExit || gen.exitCode() != 0)
        c.error = QStringLiteral("openssl req failed: %1").arg(QString::fromUtf8(gen.readAllStandardError()));
    return c;
}
