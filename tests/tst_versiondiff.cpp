// diffVersions: the unified diff of two versions' code (applied with GNU patch, it must give the newer text) and
// their parameters key by key.
#include "versiondiff.h"

#include <QFile>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace bd;

namespace {

BotVersion version(const QString &code, const QJsonObject &params = {})
{
    BotVersion v;
    v.code = code;
    v.params = params;
    return v;
}

// `older` patched with `diff` by the patch command (a null string when patch is missing or refuses).
QString applyWithPatch(const QString &older, const QString &diff)
{
    const QString patch = QStandardPaths::findExecutable(QStringLiteral("patch"));
    if (patch.isEmpty())
        return QString();
    QTemporaryDir dir;
    QFile in(dir.filePath(QStringLiteral("older.py")));
    if (!in.open(QIODevice::WriteOnly))
        return QString();
    in.write(older.toUtf8());
    in.close();
    QProcess p;
    p.start(patch, {QStringLiteral("-s"), QStringLiteral("-o"), dir.filePath(QStringLiteral("newer.py")), in.fileName()});
    p.write(diff.toUtf8());
    p.closeWriteChannel();
    if (!p.waitForFinished(10000) || p.exitCode() != 0)
        return QStringLiteral("patch failed: ") + QString::fromUtf8(p.readAllStandardError() + p.readAllStandardOutput());
    QFile out(dir.filePath(QStringLiteral("newer.py")));
    if (!out.open(QIODevice::ReadOnly))
        return QString();
    return QString::fromUtf8(out.readAll());
}

} // namespace

class TestVersionDiff : public QObject {
    Q_OBJECT
private slots:
    void identicalVersionsHaveNoDiff()
    {
        const BotVersion v = version(QStringLiteral("a\nb\n"), {{"fast", 12}});
        const VersionDiff d = diffVersions(v, v, QStringLiteral("x@1"), QStringLiteral("x@2"));
        QVERIFY(d.identical());
        QVERIFY(d.unifiedCode.isEmpty());
        QCOMPARE(d.linesAdded, 0);
        QCOMPARE(d.linesRemoved, 0);
    }

    // The diff applies: GNU patch turns the older text into the newer one with it.
    void codeAsUnifiedDiffThatPatchApplies()
    {
        QString older, newer;
        for (int i = 1; i <= 10; ++i) {
            older += QStringLiteral("line %1\n").arg(i);
            newer += (i == 5 ? QStringLiteral("line five\n") : QStringLiteral("line %1\n").arg(i));
        }
        newer += QStringLiteral("line 11\n");
        const VersionDiff d = diffVersions(version(older), version(newer), QStringLiteral("bot@aaa"),
                                           QStringLiteral("bot@bbb"));
        QCOMPARE(d.linesAdded, 2);
        QCOMPARE(d.linesRemoved, 1);
        QVERIFY(d.unifiedCode.startsWith(QStringLiteral("--- bot@aaa\n+++ bot@bbb\n@@ -2,")));
        QVERIFY(d.unifiedCode.contains(QStringLiteral(" line 4\n-line 5\n+line five\n line 6\n")));
        QVERIFY(d.unifiedCode.endsWith(QStringLiteral(" line 10\n+line 11\n")));
        QVERIFY(!d.identical());
        QCOMPARE(applyWithPatch(older, d.unifiedCode), newer);
    }

    void farApartChangesMakeTwoHunks()
    {
        QString older, newer;
        for (int i = 1; i <= 30; ++i) {
            older += QStringLiteral("%1\n").arg(i);
            newer += (i == 3 || i == 27) ? QStringLiteral("changed %1\n").arg(i) : QStringLiteral("%1\n").arg(i);
        }
        const VersionDiff d = diffVersions(version(older), version(newer), QStringLiteral("a"), QStringLiteral("b"));
        QCOMPARE(d.unifiedCode.count(QStringLiteral("\n@@ ")), 2);
        QVERIFY(d.unifiedCode.contains(QStringLiteral("@@ -1,6 +1,6 @@\n")));
        QVERIFY(d.unifiedCode.contains(QStringLiteral("@@ -24,7 +24,7 @@\n")));
        QCOMPARE(d.linesAdded, 2);
        QCOMPARE(d.linesRemoved, 2);
        QCOMPARE(applyWithPatch(older, d.unifiedCode), newer);
    }

    void onlyTheFinalNewlineDiffers()
    {
        const VersionDiff d = diffVersions(version(QStringLiteral("a\nb\n")), version(QStringLiteral("a\nb")),
                                           QStringLiteral("a"), QStringLiteral("b"));
        QVERIFY(!d.identical());
        QVERIFY(d.unifiedCode.contains(QStringLiteral("final newline")));
    }

    void nonAsciiCodeSurvives()
    {
        const VersionDiff d = diffVersions(version(QStringLiteral("# entrée\nx = 1\n")),
                                           version(QStringLiteral("# entrée €\nx = 1\n")), QStringLiteral("a"),
                                           QStringLiteral("b"));
        QVERIFY(d.unifiedCode.contains(QStringLiteral("-# entrée\n+# entrée €\n")));
    }

    void parametersKeyByKey()
    {
        const VersionDiff d = diffVersions(version(QStringLiteral("x"), {{"fast", 12}, {"slow", 26}, {"rr", 2.0}}),
                                           version(QStringLiteral("x"), {{"fast", 10}, {"slow", 26}, {"risk_percent", 0.5}}),
                                           QStringLiteral("a"), QStringLiteral("b"));
        QVERIFY(d.unifiedCode.isEmpty());
        QCOMPARE(d.params.size(), 3);  // sorted: fast, risk_percent, rr
        QCOMPARE(d.params[0].key, QStringLiteral("fast"));
        QCOMPARE(d.params[0].before.toInt(), 12);
        QCOMPARE(d.params[0].after.toInt(), 10);
        QCOMPARE(d.params[1].key, QStringLiteral("risk_percent"));
        QVERIFY(d.params[1].before.isUndefined());
        QCOMPARE(d.params[2].key, QStringLiteral("rr"));
        QVERIFY(d.params[2].after.isUndefined());
    }
};

QTEST_GUILESS_MAIN(TestVersionDiff)
#include "tst_versiondiff.moc"
