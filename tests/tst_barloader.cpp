// Tests for bd::loadBars / bd::parseBars: formats, compression, every error message, and the real data.

#include "barloader.h"

#include <QDateTime>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <zlib.h>

using namespace bd;

namespace {

const QByteArray kHeader = "time,open,high,low,close,volume\n";

qint64 utcMs(int y, int mo, int d, int h, int mi, int s = 0)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi, s), QTimeZone::utc()).toMSecsSinceEpoch();
}

} // namespace

class TestBarLoader : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString writeFile(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
            qFatal("cannot write fixture %s", qPrintable(path));
        return path;
    }

    QByteArray gzipBytes(const QByteArray &plain)
    {
        const QString tmp = m_dir.filePath(QStringLiteral("scratch.gz"));
        gzFile gz = gzopen(QFile::encodeName(tmp).constData(), "wb");
        if (!gz || gzwrite(gz, plain.constData(), unsigned(plain.size())) != int(plain.size()) || gzclose(gz) != Z_OK)
            qFatal("gzip fixture failed");
        QFile f(tmp);
        if (!f.open(QIODevice::ReadOnly))
            qFatal("cannot read gzip fixture");
        return f.readAll();
    }

    // Loads `bytes` from a file `name` and checks that it fails at `line` with all of `parts` in the message.
    void expectError(const QString &name, const QByteArray &bytes, int line, const QStringList &parts)
    {
        const QString path = writeFile(name, bytes);
        const Result<Bars> r = loadBars(path);
        QVERIFY2(!r.ok(), qPrintable(QStringLiteral("expected an error, got %1 bars").arg(r.ok() ? r->size() : 0)));
        const QString msg = r.error().message;
        const QString prefix = QStringLiteral("%1:%2: ").arg(path).arg(line);
        QVERIFY2(msg.startsWith(prefix), qPrintable(QStringLiteral("'%1' does not start with '%2'").arg(msg, prefix)));
        QVERIFY2(msg.contains(QLatin1Char(';')), qPrintable(QStringLiteral("no '; how to fix' part: ") + msg));
        for (const QString &part : parts)
            QVERIFY2(msg.contains(part), qPrintable(QStringLiteral("'%1' lacks '%2'").arg(msg, part)));
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void botDeskCsv()
    {
        const QString path = writeFile(QStringLiteral("basic.csv"),
                                       kHeader + "1704146400,1.10427,1.10429,1.10425,1.10429,0\n"
                                                 "1704146460,1.1043,1.1045,1.1041,1.1044,17\n");
        const Result<Bars> r = loadBars(path);
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->size(), size_t(2));
        const Bar &b = r->at(0);
        QCOMPARE(b.timeMs, 1704146400000LL);
        QCOMPARE(b.timeMs, utcMs(2024, 1, 1, 22, 0));
        QCOMPARE(b.open, 1.10427);
        QCOMPARE(b.high, 1.10429);
        QCOMPARE(b.low, 1.10425);
        QCOMPARE(b.close, 1.10429);
        QCOMPARE(b.tickVolume, 0LL);
        QCOMPARE(b.spreadPoints, -1);
        QCOMPARE(r->at(1).tickVolume, 17LL);
        QCOMPARE(r->at(1).close, 1.1044);
    }

    void spreadColumn()
    {
        const Result<Bars> r = parseBars("time,open,high,low,close,volume,spread\n"
                                         "1704146400,1.1,1.2,1.0,1.1,5,12\n",
                                         QStringLiteral("mem"));
        QVERIFY(r.ok());
        QCOMPARE(r->at(0).spreadPoints, 12);
        QCOMPARE(r->at(0).tickVolume, 5LL);
    }

    void bomCrlfTrailingBlankLinesNoFinalNewline()
    {
        const QByteArray body = "1704146400,1.1,1.2,1.0,1.1,0\r\n1704146460,1.1,1.2,1.0,1.15,0";
        Result<Bars> r = parseBars("\xEF\xBB\xBFtime,open,high,low,close,volume\r\n" + body + "\r\n\r\n\r\n", QStringLiteral("crlf"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->size(), size_t(2));
        QCOMPARE(r->at(1).close, 1.15);
        r = parseBars(kHeader + body, QStringLiteral("nofinal"));
        QVERIFY(r.ok());
        QCOMPARE(r->size(), size_t(2));
        QCOMPARE(r->at(1).close, 1.15);
    }

    void utf16WithBom()
    {
        const QString text = QStringLiteral("time,open,high,low,close,volume\r\n1704146400,1.1,1.2,1.0,1.1,0\r\n");
        QByteArray bytes("\xFF\xFE", 2);
        bytes.append(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
        const Result<Bars> r = parseBars(bytes, QStringLiteral("utf16"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->size(), size_t(1));
        QCOMPARE(r->at(0).high, 1.2);
    }

    void gapsAreAccepted()
    {
        // Friday 21:58 -> Sunday 22:00 (weekend), then a 7-minute hole.
        const Result<Bars> r = parseBars(kHeader + "1704488280,1.09,1.09,1.09,1.09,0\n"
                                                   "1704664800,1.09,1.10,1.08,1.095,0\n"
                                                   "1704665220,1.09,1.10,1.08,1.095,0\n",
                                         QStringLiteral("gaps"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->size(), size_t(3));
        QCOMPARE(r->at(1).timeMs - r->at(0).timeMs, 176520000LL);
        QCOMPARE(r->at(2).timeMs - r->at(1).timeMs, 7 * 60000LL);
    }

    void gzipDetectedByMagicBytes()
    {
        const QByteArray plain = kHeader + "1704146400,1.1,1.2,1.0,1.1,0\n1704146460,1.1,1.3,1.0,1.2,0\n";
        const QByteArray gz = gzipBytes(plain);
        QCOMPARE(uchar(gz.at(0)), uchar(0x1f));
        for (const QString &name : {QStringLiteral("bars.csv.gz"), QStringLiteral("bars_without_gz_extension.csv")}) {
            const Result<Bars> r = loadBars(writeFile(name, gz));
            QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
            QCOMPARE(r->size(), size_t(2));
            QCOMPARE(r->at(1).high, 1.3);
        }
        // Plain text named .gz is plain text.
        const Result<Bars> plainNamedGz = loadBars(writeFile(QStringLiteral("plain.csv.gz"), plain));
        QVERIFY(plainNamedGz.ok());
        QCOMPARE(plainNamedGz->size(), size_t(2));
        // Concatenated members (cat a.gz b.gz) decode as one file.
        const QByteArray two = gzipBytes(kHeader + "1704146400,1.1,1.2,1.0,1.1,0\n") + gzipBytes("1704146460,1.1,1.3,1.0,1.2,0\n");
        const Result<Bars> joined = loadBars(writeFile(QStringLiteral("joined.gz"), two));
        QVERIFY2(joined.ok(), qPrintable(joined.ok() ? QString() : joined.error().message));
        QCOMPARE(joined->size(), size_t(2));
    }

    void gzipLargerThanFirstBufferGuess()
    {
        // Highly compressible data followed by a tiny second gzip member: the size hint in the file's last
        // trailer (that member's size) is useless, so the output buffer has to grow several times.
        QByteArray plain = kHeader;
        for (int i = 0; i < 50000; ++i)
            plain += QByteArray::number(1704146400 + 60LL * i) + ",1.1,1.1,1.1,1.1,0\n";
        const QByteArray gz = gzipBytes(plain) + gzipBytes("1704146400000,1.1,1.1,1.1,1.1,0\n");
        QVERIFY(gz.size() * 8 < plain.size());
        // The extra row is in milliseconds: the error proves the second member was decoded, on the right line.
        expectError(QStringLiteral("big.csv.gz"), gz, 50002, {QStringLiteral("milliseconds")});
        const Result<Bars> r = loadBars(writeFile(QStringLiteral("big2.csv.gz"), gzipBytes(plain) + gzipBytes("2000000000,1.1,1.1,1.1,1.1,0\n")));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->size(), size_t(50001));
        QCOMPARE(r->at(49999).timeMs, (1704146400 + 60LL * 49999) * 1000);
        QCOMPARE(r->back().timeMs, 2000000000000LL);
    }

    void corruptAndTruncatedGzip()
    {
        QByteArray plain = kHeader;
        for (int i = 0; i < 2000; ++i)
            plain += QByteArray::number(1704146400 + 60LL * i) + ",1.10" + QByteArray::number(100 + i % 800) + ",1.2,1.0,1.1,0\n";
        const QByteArray gz = gzipBytes(plain);

        QByteArray corrupt = gz;
        for (qsizetype i = gz.size() / 2; i < gz.size() / 2 + 16; ++i)
            corrupt[i] = char(~corrupt[i]);
        const QString corruptPath = writeFile(QStringLiteral("corrupt.csv.gz"), corrupt);
        const Result<Bars> r1 = loadBars(corruptPath);
        QVERIFY(!r1.ok());
        QVERIFY2(r1.error().message.startsWith(corruptPath + QLatin1Char(':')), qPrintable(r1.error().message));
        QVERIFY2(r1.error().message.contains(QStringLiteral("corrupt")), qPrintable(r1.error().message));

        const QString truncPath = writeFile(QStringLiteral("truncated.csv.gz"), gz.left(gz.size() * 2 / 3));
        const Result<Bars> r2 = loadBars(truncPath);
        QVERIFY(!r2.ok());
        QVERIFY2(r2.error().message.startsWith(truncPath + QLatin1Char(':')), qPrintable(r2.error().message));
        QVERIFY2(r2.error().message.contains(QStringLiteral("truncated")), qPrintable(r2.error().message));

        // A bad CRC in the trailer is caught too.
        QByteArray badCrc = gz;
        badCrc[badCrc.size() - 8] = char(~badCrc[badCrc.size() - 8]);
        const Result<Bars> r3 = loadBars(writeFile(QStringLiteral("badcrc.csv.gz"), badCrc));
        QVERIFY(!r3.ok());
        QVERIFY2(r3.error().message.contains(QStringLiteral("corrupt")), qPrintable(r3.error().message));
    }

    void missingFileAndDirectory()
    {
        const QString path = m_dir.filePath(QStringLiteral("does_not_exist.csv"));
        const Result<Bars> r = loadBars(path);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.startsWith(path + QStringLiteral(":0: cannot open")), qPrintable(r.error().message));
        const Result<Bars> d = loadBars(m_dir.path());
        QVERIFY(!d.ok());
        QVERIFY2(d.error().message.contains(QStringLiteral("directory")), qPrintable(d.error().message));
    }

    void fileLevelErrors_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("line");
        QTest::addColumn<QStringList>("parts");
        QTest::newRow("empty") << QByteArray() << 1 << QStringList{QStringLiteral("empty")};
        QTest::newRow("only blank lines") << QByteArray("\r\n\n  \n") << 1 << QStringList{QStringLiteral("empty")};
        QTest::newRow("header only") << kHeader << 2 << QStringList{QStringLiteral("no bars")};
        QTest::newRow("unknown header")
            << QByteArray("date,o,h,l,c\n1,2,3,4,5\n") << 1
            << QStringList{QStringLiteral("unknown header 'date,o,h,l,c'"), QStringLiteral("time,open,high,low,close,volume"),
                           QStringLiteral("<DATE>")};
        QTest::newRow("header missing")
            << QByteArray("1704146400,1.1,1.2,1.0,1.1,0\n") << 1
            << QStringList{QStringLiteral("header line is missing")};
        QTest::newRow("blank line inside data")
            << kHeader + "1704146400,1.1,1.2,1.0,1.1,0\n\n1704146460,1.1,1.2,1.0,1.1,0\n" << 3
            << QStringList{QStringLiteral("blank line")};
    }

    void fileLevelErrors()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, line);
        QFETCH(QStringList, parts);
        expectError(QStringLiteral("filelevel.csv"), bytes, line, parts);
    }

    // Each bad row is line 3 (header, one good row, the bad row).
    void rowErrors_data()
    {
        QTest::addColumn<QByteArray>("row");
        QTest::addColumn<QStringList>("parts");
        const auto add = [](const char *tag, const char *row, QStringList parts) {
            QTest::newRow(tag) << QByteArray(row) << std::move(parts);
        };
        add("too few columns", "1704146460,1.1,1.2,1.0,1.1", {"5 columns, expected 6", "time,open,high,low,close,volume"});
        add("too many columns", "1704146460,1.1,1.2,1.0,1.1,0,3", {"7 columns, expected 6"});
        add("high not a number", "1704146460,1.1,abc,1.0,1.1,0", {"column 'high'", "'abc'", "not a number"});
        add("empty close", "1704146460,1.1,1.2,1.0,,0", {"column 'close'", "''"});
        add("time not a number", "2024-01-01 22:01,1.1,1.2,1.0,1.1,0", {"column 'time'", "'2024-01-01 22:01'"});
        add("time in milliseconds", "1704146460000,1.1,1.2,1.0,1.1,0", {"column 'time'", "milliseconds"});
        add("volume not a number", "1704146460,1.1,1.2,1.0,1.1,x", {"column 'volume'", "'x'"});
        add("negative volume", "1704146460,1.1,1.2,1.0,1.1,-4", {"column 'volume'", "negative"});
        add("zero price", "1704146460,0,1.2,1.0,1.1,0", {"column 'open'", "'0'", "positive"});
        add("negative price", "1704146460,1.1,1.2,-1.0,1.1,0", {"column 'low'", "'-1.0'", "positive"});
        add("infinite price", "1704146460,1.1,inf,1.0,1.1,0", {"column 'high'", "'inf'", "finite"});
        add("nan price", "1704146460,1.1,1.2,1.0,nan,0", {"column 'close'", "'nan'"});
        add("high below open", "1704146460,1.3,1.2,1.0,1.1,0", {"open 1.3 high 1.2", "low <= open, close <= high"});
        add("high below close", "1704146460,1.1,1.2,1.0,1.25,0", {"close 1.25"});
        add("low above close", "1704146460,1.1,1.2,1.15,1.12,0", {"low 1.15 close 1.12"});
        add("high below low", "1704146460,1.1,1.0,1.2,1.1,0", {"high 1 low 1.2"});
        add("duplicate time", "1704146400,1.1,1.2,1.0,1.1,0",
            {"duplicate time", "1704146400 (2024-01-01 22:00:00 UTC)", "line 2", "delete the duplicate"});
        add("out of order", "1704146340,1.1,1.2,1.0,1.1,0",
            {"out of order", "1704146340 (2024-01-01 21:59:00 UTC)", "1704146400 (2024-01-01 22:00:00 UTC)", "line 2",
             "sort"});
    }

    void rowErrors()
    {
        QFETCH(QByteArray, row);
        QFETCH(QStringList, parts);
        expectError(QStringLiteral("rows.csv"), kHeader + "1704146400,1.1,1.2,1.0,1.1,0\n" + row + "\n1704150000,1.1,1.2,1.0,1.1,0\n", 3,
                    parts);
    }

    void errorLineCountsCrlfAndGzip()
    {
        // Line numbers are physical lines, also through gzip and with CRLF.
        const QByteArray text = "time,open,high,low,close,volume\r\n1704146400,1.1,1.2,1.0,1.1,0\r\n"
                                "1704146460,1.1,1.2,1.0,1.1,0\r\n1704146520,1.1,oops,1.0,1.1,0\r\n";
        expectError(QStringLiteral("crlf.csv.gz"), gzipBytes(text), 4, {QStringLiteral("column 'high'"), QStringLiteral("'oops'")});
    }

    void mt5ExportSample()
    {
        const QString path = QStringLiteral(BOTDESK_TEST_DATA_DIR "/EURUSD_M1_mt5_export.csv");
        const Result<Bars> r = loadBars(path);
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->size(), size_t(4));
        QCOMPARE(r->at(0).timeMs, utcMs(2024, 1, 2, 0, 0));
        QCOMPARE(r->at(0).open, 1.10427);
        QCOMPARE(r->at(0).tickVolume, 12LL);
        QCOMPARE(r->at(0).spreadPoints, 8);
        QCOMPARE(r->at(2).timeMs, utcMs(2024, 1, 2, 0, 5));
        QCOMPARE(r->at(2).low, 1.104);
        QCOMPARE(r->at(3).timeMs, utcMs(2024, 2, 29, 23, 59));
        QCOMPARE(r->at(3).spreadPoints, 12);

        // Server time GMT+2: 2024.01.02 00:00 server = 2024-01-01 22:00 UTC.
        BarLoadOptions gmt2;
        gmt2.serverUtcOffsetSeconds = 7200;
        const Result<Bars> shifted = loadBars(path, gmt2);
        QVERIFY(shifted.ok());
        QCOMPARE(shifted->at(0).timeMs, 1704146400000LL);
        QCOMPARE(shifted->at(3).timeMs, utcMs(2024, 2, 29, 21, 59));
    }

    void mt5Variants()
    {
        // Comma-separated, HH:MM times.
        Result<Bars> r = parseBars("<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<TICKVOL>,<VOL>,<SPREAD>\n"
                                   "2023.01.02,23:00,1826.837,1827.337,1826.617,1826.637,40,0,250\n",
                                   QStringLiteral("comma"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->at(0).timeMs, utcMs(2023, 1, 2, 23, 0));
        QCOMPARE(r->at(0).close, 1826.637);
        QCOMPARE(r->at(0).spreadPoints, 250);
        // One <DATE> column holding date and time.
        r = parseBars("<DATE>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n"
                      "2023.01.02 23:00:30\t1826.837\t1827.337\t1826.617\t1826.637\t40\t0\t250\n"
                      "2023.01.02 23:01:30\t1826.837\t1827.337\t1826.617\t1826.637\t40\t0\t250\n",
                      QStringLiteral("datetime"), BarLoadOptions{-3600});
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->size(), size_t(2));
        QCOMPARE(r->at(0).timeMs, utcMs(2023, 1, 3, 0, 0, 30));
    }

    void mt5DateArithmetic_data()
    {
        QTest::addColumn<QByteArray>("date");
        QTest::addColumn<qint64>("expectedMs");
        QTest::newRow("epoch") << QByteArray("1970.01.01\t00:00:00") << 0LL;
        QTest::newRow("2000 leap day") << QByteArray("2000.02.29\t12:34:56") << utcMs(2000, 2, 29, 12, 34, 56);
        QTest::newRow("2000.03.01") << QByteArray("2000.03.01\t00:00") << utcMs(2000, 3, 1, 0, 0);
        QTest::newRow("2023 year end") << QByteArray("2023.12.31\t23:59:59") << utcMs(2023, 12, 31, 23, 59, 59);
        QTest::newRow("2024 leap day") << QByteArray("2024.02.29\t00:01") << utcMs(2024, 2, 29, 0, 1);
        QTest::newRow("2100 no leap") << QByteArray("2100.03.01\t00:00") << utcMs(2100, 3, 1, 0, 0);
    }

    void mt5DateArithmetic()
    {
        QFETCH(QByteArray, date);
        QFETCH(qint64, expectedMs);
        const Result<Bars> r = parseBars("<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n" + date
                                             + "\t1\t1\t1\t1\t0\t0\t0\n",
                                         QStringLiteral("dates"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->at(0).timeMs, expectedMs);
    }

    void mt5Errors_data()
    {
        QTest::addColumn<QByteArray>("row");
        QTest::addColumn<QStringList>("parts");
        QTest::newRow("month 13") << QByteArray("2024.13.01\t00:02\t1\t1\t1\t1\t0\t0\t0") << QStringList{"column '<DATE>'", "'2024.13.01'"};
        QTest::newRow("2023 has no Feb 29") << QByteArray("2023.02.29\t00:02\t1\t1\t1\t1\t0\t0\t0") << QStringList{"column '<DATE>'"};
        QTest::newRow("iso date") << QByteArray("2024-01-02\t00:02\t1\t1\t1\t1\t0\t0\t0") << QStringList{"column '<DATE>'", "YYYY.MM.DD"};
        QTest::newRow("hour 24") << QByteArray("2024.01.02\t24:00\t1\t1\t1\t1\t0\t0\t0") << QStringList{"column '<TIME>'", "'24:00'"};
        QTest::newRow("bad spread") << QByteArray("2024.01.02\t00:02\t1\t1\t1\t1\t0\t0\tx") << QStringList{"column '<SPREAD>'"};
        QTest::newRow("negative spread") << QByteArray("2024.01.02\t00:02\t1\t1\t1\t1\t0\t0\t-1") << QStringList{"column '<SPREAD>'", ">= 0"};
        QTest::newRow("bad real volume") << QByteArray("2024.01.02\t00:02\t1\t1\t1\t1\t0\t?\t0") << QStringList{"column '<VOL>'"};
        QTest::newRow("8 columns") << QByteArray("2024.01.02\t00:02\t1\t1\t1\t1\t0\t0") << QStringList{"8 columns, expected 9"};
        QTest::newRow("duplicate") << QByteArray("2024.01.02\t00:01\t1\t1\t1\t1\t0\t0\t0")
                                   << QStringList{"duplicate time", "2024.01.02 00:01 (2024-01-02 00:01:00 UTC)", "line 2"};
    }

    void mt5Errors()
    {
        QFETCH(QByteArray, row);
        QFETCH(QStringList, parts);
        expectError(QStringLiteral("mt5.csv"),
                    "<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n"
                    "2024.01.02\t00:01\t1\t1\t1\t1\t0\t0\t0\n"
                        + row + "\n",
                    3, parts);
    }

    void realEurusd2024()
    {
        const QString path = QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz");
        QVERIFY2(QFile::exists(path), qPrintable(QStringLiteral("real data file missing: ") + path));
        const Result<Bars> r = loadBars(path);
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        const Bars &bars = r.value();
        QCOMPARE(bars.size(), size_t(372379));

        const Bar &first = bars.front(); // 1704146400,1.10427,1.10429,1.10425,1.10429,0
        QCOMPARE(first.timeMs, 1704146400000LL);
        QCOMPARE(first.open, 1.10427);
        QCOMPARE(first.high, 1.10429);
        QCOMPARE(first.low, 1.10425);
        QCOMPARE(first.close, 1.10429);
        QCOMPARE(first.tickVolume, 0LL);
        QCOMPARE(first.spreadPoints, -1);

        const Bar &last = bars.back(); // 1735682280,1.03539,1.03539,1.03529,1.03531,0
        QCOMPARE(last.timeMs, 1735682280000LL);
        QCOMPARE(last.open, 1.03539);
        QCOMPARE(last.high, 1.03539);
        QCOMPARE(last.low, 1.03529);
        QCOMPARE(last.close, 1.03531);

        qint64 weekendGaps = 0;
        for (size_t i = 1; i < bars.size(); ++i) {
            QVERIFY2(bars[i].timeMs > bars[i - 1].timeMs, qPrintable(QStringLiteral("bar %1 not after bar %2").arg(i).arg(i - 1)));
            QVERIFY(bars[i].timeMs % 60000 == 0);
            if (bars[i].timeMs - bars[i - 1].timeMs >= 24 * 3600 * 1000LL)
                ++weekendGaps;
        }
        QVERIFY2(weekendGaps >= 50, qPrintable(QString::number(weekendGaps))); // ~52 weekends plus holidays
    }

    void realXauusd2023()
    {
        const QString path = QStringLiteral(BOTDESK_SHARED_DATA_DIR "/XAUUSD_M1_2023.csv.gz");
        QVERIFY2(QFile::exists(path), qPrintable(QStringLiteral("real data file missing: ") + path));
        const Result<Bars> r = loadBars(path);
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->size(), size_t(308752));
        QCOMPARE(r->front().timeMs, 1672700400000LL); // 1672700400,1826.837,1827.337,1826.617,1826.637,0
        QCOMPARE(r->front().open, 1826.837);
        QCOMPARE(r->back().timeMs, 1703887020000LL);  // 1703887020,2062.795,2062.878,2062.675,2062.728,0
        QCOMPARE(r->back().close, 2062.728);
    }
};

QTEST_GUILESS_MAIN(TestBarLoader)
#include "tst_barloader.moc"
