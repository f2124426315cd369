#pragma once
// Running one of BotDesk's executables from a test: its exit code, stdout and stderr, and how a failure is shown.

#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

struct ProcessRun {
    int exitCode = -1;  // -1: it crashed, did not start or did not finish in time (then `err` says which)
    QString out;
    QString err;
};

// Runs `program` with `args` in `environment` and waits up to `timeoutMs`; a process still running then is killed.
inline ProcessRun runProcess(const QString &program, const QStringList &args,
                             const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment(),
                             int timeoutMs = 300000)
{
    QProcess p;
    p.setProcessEnvironment(environment);
    p.start(program, args);
    ProcessRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("%1 did not finish within %2 s").arg(program).arg(timeoutMs / 1000);
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

// Exit code, stdout and stderr, for a failed check's message.
inline QString describe(const ProcessRun &r)
{
    return QStringLiteral("exit %1\nstdout:\n%2\nstderr:\n%3").arg(r.exitCode).arg(r.out, r.err);
}

// The run id botdesk-cli prints after "saved as backtest run "; empty when there is none.
inline QString savedRunId(const QString &out)
{
    static const QRegularExpression re(QStringLiteral("saved as backtest run ([0-9a-f-]{36})"));
    return re.match(out).captured(1);
}
