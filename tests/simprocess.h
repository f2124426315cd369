#pragma once
// SimProcess: one botdesk-mt5sim process for a test, on 127.0.0.1 with a free port; its first stdout line gives the
// URL ("listening ws://127.0.0.1:PORT"). The token goes through BOTDESK_MT5SIM_TOKEN (never on the command line).
// Stopped (SIGTERM, then waited for) by stop() or the destructor; its stderr is kept for failure messages and the
// process object for its exit status.

#include <QElapsedTimer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace bd::test {

struct SimProcess {
    std::unique_ptr<QProcess> proc;
    QUrl url;
    QByteArray stderrText;

    // Starts `binary` with `args` (add "--port 0"); false when it does not print its URL within 15 s.
    bool start(const QString &binary, const QStringList &args, const QString &token)
    {
        proc = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("BOTDESK_MT5SIM_TOKEN"), token);
        proc->setProcessEnvironment(env);
        proc->start(binary, args);
        if (!proc->waitForStarted(5000))
            return false;
        QByteArray line;
        QElapsedTimer t;
        t.start();
        while (!line.contains('\n') && t.elapsed() < 15000) {
            proc->waitForReadyRead(200);
            line += proc->readAllStandardOutput();
        }
        const QString first = QString::fromUtf8(line.left(line.indexOf('\n')));
        if (!first.startsWith(QStringLiteral("listening ws")))
            return false;
        url = QUrl(first.mid(10));
        return true;
    }
    void stop()
    {
        if (!proc)
            return;
        proc->terminate();
        proc->waitForFinished(5000);
        stderrText += proc->readAllStandardError();
    }
    ~SimProcess() { stop(); }
};

} // namespace bd::test
