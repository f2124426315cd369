// Tests for bd::BarCache / bd::loadBarsCached: a data file is parsed once, later loads map the entry; entries
// follow their source (content, size, time, options), torn or foreign entries are ignored, and a mapped
// series stays valid while the entry is replaced under it.

#include "barcache.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>

using namespace bd;

namespace {

QByteArray csv(int bars, double base)
{
    QByteArray text = "time,open,high,low,close,volume\n";
    for (int i = 0; i < bars; ++i) {
        const double open = base + i * 0.0001;
        text += QByteArray::number(1704146400 + i * 60) + ',' + QByteArray::number(open, 'f', 5) + ','
                + QByteArray::number(open + 0.0003, 'f', 5) + ',' + QByteArray::number(open - 0.0002, 'f', 5) + ','
                + QByteArray::number(open + 0.0001, 'f', 5) + ",0\n";
    }
    return text;
}

bool sameBars(std::span<const Bar> a, std::span<const Bar> b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

} // namespace

class TestBarCache : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size())
            qFatal("cannot write fixture %s", qPrintable(path));
        return path;
    }

    static void setModified(const QString &path, const QDateTime &when)
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.setFileTime(when, QFileDevice::FileModificationTime));
    }

private slots:
    void secondLoadMapsTheEntry()
    {
        const QString source = write(QStringLiteral("a.csv"), csv(500, 1.1));
        const BarCache cache(m_dir.filePath(QStringLiteral("cache1")));
        auto first = loadBarsCached(source, {}, cache);
        QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error().message));
        QVERIFY(!first->fromCache);
        QCOMPARE(first->bars.size(), size_t(500));
        QVERIFY(QFile::exists(cache.entryPath(source, {})));

        auto second = loadBarsCached(source, {}, cache);
        QVERIFY(second.ok());
        QVERIFY(second->fromCache);
        QVERIFY(sameBars(first->bars, second->bars));
        QVERIFY(cache.find(source, {}).has_value());

        // The mapped series outlives every cache object and load result it came from.
        BarSeries kept = second->bars;
        second = makeError(QStringLiteral("dropped"));
        QCOMPARE(kept.back().timeMs, qint64(1704146400 + 499 * 60) * 1000);
    }

    void bypassNeitherReadsNorWrites()
    {
        const QString source = write(QStringLiteral("b.csv"), csv(10, 1.2));
        const BarCache cache(m_dir.filePath(QStringLiteral("cache2")));
        auto r = loadBarsCached(source, {}, cache, CacheUse::Bypass);
        QVERIFY(r.ok());
        QVERIFY(!r->fromCache);
        QVERIFY(!QFile::exists(cache.entryPath(source, {})));
        QVERIFY(loadBarsCached(source, {}, cache).ok());             // writes
        auto again = loadBarsCached(source, {}, cache, CacheUse::Bypass);
        QVERIFY(again.ok());
        QVERIFY(!again->fromCache);                                  // and bypass still parses
    }

    void changedSourceIsReparsed()
    {
        const QString source = write(QStringLiteral("c.csv"), csv(200, 1.3));
        const BarCache cache(m_dir.filePath(QStringLiteral("cache3")));
        const QDateTime stamp = QDateTime::currentDateTimeUtc().addSecs(-3600);
        setModified(source, stamp);
        QVERIFY(loadBarsCached(source, {}, cache).ok());
        QVERIFY(loadBarsCached(source, {}, cache)->fromCache);

        // Same size and the same modification time, other prices: only the content fingerprint tells.
        write(QStringLiteral("c.csv"), csv(200, 1.4));
        setModified(source, stamp);
        auto changed = loadBarsCached(source, {}, cache);
        QVERIFY(changed.ok());
        QVERIFY(!changed->fromCache);
        QCOMPARE(changed->bars.front().open, 1.4);
        auto remapped = loadBarsCached(source, {}, cache);
        QVERIFY(remapped->fromCache);
        QCOMPARE(remapped->bars.front().open, 1.4);

        // Appended rows: another size.
        write(QStringLiteral("c.csv"), csv(201, 1.4));
        auto longer = loadBarsCached(source, {}, cache);
        QVERIFY(!longer->fromCache);
        QCOMPARE(longer->bars.size(), size_t(201));
    }

    void mappedSeriesSurvivesReplacement()
    {
        const QString source = write(QStringLiteral("d.csv"), csv(300, 1.1));
        const BarCache cache(m_dir.filePath(QStringLiteral("cache4")));
        QVERIFY(loadBarsCached(source, {}, cache).ok());
        auto mapped = loadBarsCached(source, {}, cache);
        QVERIFY(mapped->fromCache);
        write(QStringLiteral("d.csv"), csv(300, 1.5));
        setModified(source, QDateTime::currentDateTimeUtc().addSecs(60));
        QVERIFY(!loadBarsCached(source, {}, cache)->fromCache);  // entry rewritten (renamed over the old one)
        QCOMPARE(mapped->bars.front().open, 1.1);                   // the old mapping still reads the old bars
        QCOMPARE(mapped->bars.size(), size_t(300));
    }

    void tornOrForeignEntriesAreIgnored_data()
    {
        QTest::addColumn<int>("damage");
        QTest::newRow("truncated by one byte") << 0;
        QTest::newRow("header only") << 1;
        QTest::newRow("garbage") << 2;
        QTest::newRow("empty") << 3;
        QTest::newRow("other bar size") << 4;
    }

    void tornOrForeignEntriesAreIgnored()
    {
        QFETCH(int, damage);
        const QString source = write(QStringLiteral("e%1.csv").arg(damage), csv(100, 1.1));
        const BarCache cache(m_dir.filePath(QStringLiteral("cache5")));
        auto clean = loadBarsCached(source, {}, cache);
        QVERIFY(clean.ok());
        const QString entry = cache.entryPath(source, {});
        QFile f(entry);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QByteArray bytes = f.readAll();
        switch (damage) {
        case 0: bytes.chop(1); break;
        case 1: bytes.truncate(128); break;
        case 2: bytes.fill('\x5a'); break;
        case 3: bytes.clear(); break;
        case 4: bytes[16] = char(bytes[16] + 8); break;  // EntryHeader::barSize
        }
        QVERIFY(f.resize(0));
        QVERIFY(f.seek(0));
        QCOMPARE(f.write(bytes), bytes.size());
        f.close();

        QVERIFY(!cache.find(source, {}).has_value());
        auto reloaded = loadBarsCached(source, {}, cache);
        QVERIFY(reloaded.ok());
        QVERIFY(!reloaded->fromCache);
        QVERIFY(sameBars(reloaded->bars, clean->bars));
        QVERIFY(loadBarsCached(source, {}, cache)->fromCache);  // repaired
    }

    void optionsHaveTheirOwnEntries()
    {
        const QByteArray mt5 = "<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n"
                               "2024.01.02\t10:00:00\t1.10000\t1.10010\t1.09990\t1.10005\t12\t0\t7\n"
                               "2024.01.02\t10:01:00\t1.10005\t1.10015\t1.10000\t1.10010\t9\t0\t8\n";
        const QString source = write(QStringLiteral("f.csv"), mt5);
        const BarCache cache(m_dir.filePath(QStringLiteral("cache6")));
        BarLoadOptions gmt2;
        gmt2.serverUtcOffsetSeconds = 7200;
        QVERIFY(cache.entryPath(source, {}) != cache.entryPath(source, gmt2));
        auto utc = loadBarsCached(source, {}, cache);
        auto shifted = loadBarsCached(source, gmt2, cache);
        QVERIFY(!shifted->fromCache);
        QCOMPARE(utc->bars.front().timeMs - shifted->bars.front().timeMs, qint64(7200) * 1000);
        QCOMPARE(loadBarsCached(source, gmt2, cache)->bars.front().timeMs, shifted->bars.front().timeMs);
        QVERIFY(loadBarsCached(source, {}, cache)->fromCache);
        QCOMPARE(loadBarsCached(source, {}, cache)->bars.front().spreadPoints, 7);
    }

    void unwritableCacheStillLoads()
    {
        const QString source = write(QStringLiteral("g.csv"), csv(20, 1.1));
        // A regular file where the cache folder should be: the folder cannot be created.
        const QString blocker = write(QStringLiteral("not-a-folder"), "x");
        const BarCache cache(QDir(blocker).filePath(QStringLiteral("bars")));
        auto r = loadBarsCached(source, {}, cache);
        QVERIFY(r.ok());
        QVERIFY(!r->fromCache);
        QCOMPARE(r->bars.size(), size_t(20));
        const Result<void> stored = cache.store(source, {}, r->bars);
        QVERIFY(!stored.ok());
        QVERIFY2(stored.error().message.contains(QStringLiteral("BOTDESK_HOME")), qPrintable(stored.error().message));
    }

    void loaderErrorsPassThrough()
    {
        const BarCache cache(m_dir.filePath(QStringLiteral("cache7")));
        const QString bad = write(QStringLiteral("bad.csv"), "time,open,high,low,close,volume\n1704146400,1.1,1.0,1.2,1.1,0\n");
        auto r = loadBarsCached(bad, {}, cache);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(QStringLiteral("bad.csv:2:")), qPrintable(r.error().message));
        QVERIFY(!QFile::exists(cache.entryPath(bad, {})));
        QVERIFY(!loadBarsCached(m_dir.filePath(QStringLiteral("missing.csv")), {}, cache).ok());
    }

    void homeOverridesTheFolder()
    {
        qputenv("BOTDESK_HOME", QFile::encodeName(m_dir.filePath(QStringLiteral("home"))));
        QCOMPARE(BarCache::defaultDirectory(), QDir(m_dir.filePath(QStringLiteral("home"))).filePath(QStringLiteral("cache/bars")));
        qunsetenv("BOTDESK_HOME");
        QVERIFY(BarCache::defaultDirectory().endsWith(QStringLiteral("/bars")));
        QVERIFY(!BarCache::defaultDirectory().startsWith(m_dir.path()));
    }
};

QTEST_GUILESS_MAIN(TestBarCache)
#include "tst_barcache.moc"
