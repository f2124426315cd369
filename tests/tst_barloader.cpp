// Tests for bd::loadBars / bd::parseBars: formats, compression, every error message, and the real data.

#include "barloader.h"
#include "barparser.h"
#include "quotedtext.h"
#include "textdecoder.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <zlib.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <random>
#include <cstring>

using namespace bd;

namespace {

const QByteArray kHeader = "time,open,high,low,close,volume\n";

qint64 utcMs(int y, int mo, int d, int h, int mi, int s = 0)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi, s), QTimeZone::utc()).toMSecsSinceEpoch();
}

// Peak resident memory of this process so far (Linux reports KiB).
double peakRssMiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;
}

// gzip of `prefix` followed by `count` copies of `fill`, deflated as a stream (the plain text is never built).
QByteArray gzipRepeated(const QByteArray &prefix, char fill, qint64 count)
{
    z_stream zs{};
    if (deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        qFatal("deflateInit2 failed");
    QByteArray out;
    QByteArray block(1 << 20, fill);
    char buffer[1 << 16];
    const auto pump = [&](const char *data, qint64 size, int flush) {
        zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
        zs.avail_in = uInt(size);
        do {
            zs.next_out = reinterpret_cast<Bytef *>(buffer);
            zs.avail_out = sizeof buffer;
            deflate(&zs, flush);
            out.append(buffer, qsizetype(sizeof buffer - zs.avail_out));
        } while (zs.avail_out == 0);
    };
    pump(prefix.constData(), prefix.size(), Z_NO_FLUSH);
    for (qint64 left = count; left > 0; left -= block.size())
        pump(block.constData(), std::min<qint64>(left, block.size()), Z_NO_FLUSH);
    pump(nullptr, 0, Z_FINISH);
    deflateEnd(&zs);
    return out;
}

QByteArray rows(int count, qint64 firstTime = 1704146400)
{
    QByteArray text;
    for (int i = 0; i < count; ++i)
        text += QByteArray::number(firstTime + 60LL * i) + ",1.1,1.2,1.0,1.1," + QByteArray::number(i % 7) + "\n";
    return text;
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
        QCOMPARE(b.tickVolume, 0u);
        QCOMPARE(b.spreadPoints, -1);
        QCOMPARE(r->at(1).tickVolume, 17u);
        QCOMPARE(r->at(1).close, 1.1044);
    }

    void spreadColumn()
    {
        const Result<Bars> r = parseBars("time,open,high,low,close,volume,spread\n"
                                         "1704146400,1.1,1.2,1.0,1.1,5,12\n",
                                         QStringLiteral("mem"));
        QVERIFY(r.ok());
        QCOMPARE(r->at(0).spreadPoints, 12);
        QCOMPARE(r->at(0).tickVolume, 5u);
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
        // The line count is that of the lines zlib can decode from the truncated file.
        {
            const QByteArray cut = gz.left(gz.size() * 2 / 3);
            z_stream zs{};
            QCOMPARE(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
            QByteArray decoded(plain.size(), '\0');
            zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(cut.constData()));
            zs.avail_in = uInt(cut.size());
            zs.next_out = reinterpret_cast<Bytef *>(decoded.data());
            zs.avail_out = uInt(decoded.size());
            QCOMPARE(inflate(&zs, Z_SYNC_FLUSH), Z_OK);
            const qsizetype lines = decoded.left(qsizetype(zs.total_out)).count('\n');
            inflateEnd(&zs);
            QVERIFY(lines > 100);
            QVERIFY2(r2.error().message.startsWith(QStringLiteral("%1:%2: gzip data ends before the end of the compressed stream "
                                                                  "(file truncated) after %3 complete lines;")
                                                       .arg(truncPath).arg(lines + 1).arg(lines)),
                     qPrintable(r2.error().message));
        }

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
        QTest::newRow("blank first line")
            << "\n" + kHeader + "1704146400,1.1,1.2,1.0,1.1,0\n" << 1
            << QStringList{QStringLiteral("the first line is blank; the header must be on the first line")};
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
        add("zero low", "1704146460,1.1,1.2,0,1.1,0", {"column 'low'", "'0'", "positive"});
        add("zero low with decimals", "1704146460,1.1,1.2,0.000,1.1,0", {"column 'low'", "'0.000'", "positive"});
        add("time one second past 3000", "32503680001,1.1,1.2,1.0,1.1,0", {"column 'time'", "out of range", "milliseconds"});
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
        QCOMPARE(r->at(0).tickVolume, 12u);
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
        BarLoadOptions gmtMinus1;
        gmtMinus1.serverUtcOffsetSeconds = -3600;
        r = parseBars("<DATE>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n"
                      "2023.01.02 23:00:30\t1826.837\t1827.337\t1826.617\t1826.637\t40\t0\t250\n"
                      "2023.01.02 23:01:30\t1826.837\t1827.337\t1826.617\t1826.637\t40\t0\t250\n",
                      QStringLiteral("datetime"), gmtMinus1);
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

    // --- Streaming ------------------------------------------------------------------------------

    void streamingMatchesWholeText()
    {
        // The same text fed whole, byte by byte and in pieces of 7 bytes gives the same bars.
        const QByteArray text = "\xEF\xBB\xBFtime,open,high,low,close,volume,spread\r\n" + rows(300).replace("\n", ",3\r\n") + "\r\n\r\n";
        const Result<Bars> whole = parseBars(text, QStringLiteral("whole"));
        QVERIFY2(whole.ok(), qPrintable(whole.ok() ? QString() : whole.error().message));
        QCOMPARE(whole->size(), size_t(300));
        for (const int piece : {1, 7, 4096}) {
            TextDecoder decoder;
            BarParser parser(QStringLiteral("pieces"), BarLoadOptions{});
            for (qsizetype i = 0; i < text.size(); i += piece)
                QVERIFY(parser.feed(decoder.decode(std::string_view(text.constData() + i, size_t(std::min<qsizetype>(piece, text.size() - i))))).ok());
            QVERIFY(parser.feed(decoder.finish()).ok());
            QVERIFY(parser.finish().ok());
            const Bars bars = parser.takeBars();
            QCOMPARE(bars.size(), whole->size());
            for (size_t i = 0; i < bars.size(); ++i) {
                QCOMPARE(bars[i].timeMs, whole->at(i).timeMs);
                QCOMPARE(bars[i].close, whole->at(i).close);
                QCOMPARE(bars[i].tickVolume, whole->at(i).tickVolume);
                QCOMPARE(bars[i].spreadPoints, 3);
            }
        }
    }

    void utf16SplitBetweenPieces()
    {
        // A surrogate pair and the code units split at odd bytes between pieces decode as a whole.
        const QString text = QStringLiteral("a\U0001F600b,\u00E9");
        QByteArray bytes("\xFF\xFE", 2);
        bytes.append(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
        TextDecoder decoder;
        QByteArray utf8;
        for (qsizetype i = 0; i < bytes.size(); ++i) {
            const std::string_view out = decoder.decode(std::string_view(bytes.constData() + i, 1));
            utf8.append(out.data(), qsizetype(out.size()));
        }
        const std::string_view rest = decoder.finish();
        utf8.append(rest.data(), qsizetype(rest.size()));
        QVERIFY(decoder.isUtf16());
        QCOMPARE(QString::fromUtf8(utf8), text);
    }

    void largePlainAndUtf16FilesAcrossPieces()
    {
        // Well over one 256 KiB piece, so rows straddle piece boundaries; CRLF; and the same as UTF-16LE.
        const int count = 30000;
        QByteArray text = kHeader + rows(count);
        text.replace("\n", "\r\n");
        Result<Bars> r = loadBars(writeFile(QStringLiteral("large.csv"), text));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->size(), size_t(count));
        QCOMPARE(r->back().timeMs, (1704146400 + 60LL * (count - 1)) * 1000);
        QVERIFY(r->capacity() <= size_t(count) * 5 / 4);  // sized from the file, not grown by doubling

        const QString wide = QString::fromLatin1(text);
        QByteArray utf16("\xFF\xFE", 2);
        utf16.append(reinterpret_cast<const char *>(wide.utf16()), wide.size() * 2);
        r = loadBars(writeFile(QStringLiteral("large16.csv.gz"), gzipBytes(utf16)));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->size(), size_t(count));
        QCOMPARE(r->at(12345).tickVolume, 12345u % 7);
    }

    void gzipMembersWithZeroPadding()
    {
        const QByteArray gz = gzipBytes(kHeader + rows(2)) + QByteArray(100, '\0') + gzipBytes(rows(3, 1704150000)) + QByteArray(7, '\0');
        const Result<Bars> r = loadBars(writeFile(QStringLiteral("padded.csv.gz"), gz));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->size(), size_t(5));
    }

    void numbersReadExactlyAsFromChars()
    {
        // The parser's fast path for plain decimals must give bit for bit what std::from_chars gives.
        std::mt19937_64 rng(7);
        QByteArray text = kHeader;
        QList<QByteArray> prices;
        for (int i = 0; i < 20000; ++i) {
            const int digits = int(rng() % 21) + 1;  // up to 21: past the fast path's 19 and 2^53
            QByteArray p;
            for (int d = 0; d < digits; ++d)
                p += char('0' + rng() % 10);
            if (p.count('0') == p.size())
                p[0] = '1';
            if (rng() % 4 != 0)
                p.insert(qsizetype(rng() % quint64(p.size())) + (rng() % 2), '.');
            if (p.startsWith('.') && rng() % 2)
                p.prepend('0');
            prices << p;
            text += QByteArray::number(1704146400 + 60LL * i) + ',' + p + ',' + p + ',' + p + ',' + p + ",0\n";
        }
        const Result<Bars> r = parseBars(text, QStringLiteral("numbers"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        for (int i = 0; i < prices.size(); ++i) {
            double expected = 0;
            const QByteArray &p = prices[i];
            std::from_chars(p.constData(), p.constData() + p.size(), expected);
            QVERIFY2(std::memcmp(&expected, &r->at(size_t(i)).open, sizeof expected) == 0,
                     qPrintable(QStringLiteral("%1 read as %2, from_chars says %3").arg(QString::fromLatin1(p)).arg(r->at(size_t(i)).open, 0, 'g', 17).arg(expected, 0, 'g', 17)));
        }
    }

    // --- Hostile input ----------------------------------------------------------------------------

    void notRegularFiles()
    {
        const QString fifo = m_dir.filePath(QStringLiteral("bars.fifo"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        const QString socketPath = m_dir.filePath(QStringLiteral("bars.sock"));
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        QVERIFY(fd >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const QByteArray encoded = QFile::encodeName(socketPath);
        QVERIFY(size_t(encoded.size()) < sizeof address.sun_path);
        std::memcpy(address.sun_path, encoded.constData(), size_t(encoded.size()));
        QCOMPARE(::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address), 0);

        const QList<QPair<QString, QString>> cases = {{fifo, QStringLiteral("a FIFO (named pipe)")},
                                                      {QStringLiteral("/dev/zero"), QStringLiteral("a character device")},
                                                      {m_dir.path(), QStringLiteral("a directory")},
                                                      {socketPath, QStringLiteral("a socket")}};
        for (const auto &[path, kind] : cases) {
            QElapsedTimer timer;
            timer.start();
            const Result<Bars> r = loadBars(path);  // a FIFO without a writer must not block
            QVERIFY(timer.elapsed() < 1000);
            QVERIFY(!r.ok());
            QCOMPARE(r.error().message, QStringLiteral("%1:0: is not a regular file but %2; pass the path of a .csv or .csv.gz file")
                                            .arg(path, kind));
        }
        ::close(fd);
    }

    void newlineBomb()
    {
        // The reproduction at a tenth of the size: header + 50 MB of '\n', gzip (~50 KB). It used to
        // reserve one bar per newline (std::bad_alloc at 500 MB); now it stops after the first 256 KiB of text.
        const QByteArray gz = gzipRepeated(kHeader, '\n', 50'000'000);
        QVERIFY(gz.size() < 300'000);
        const QString path = writeFile(QStringLiteral("nl.csv.gz"), gz);
        const double rssBefore = peakRssMiB();
        QElapsedTimer timer;
        timer.start();
        const Result<Bars> r = loadBars(path);
        QVERIFY2(timer.elapsed() < 500, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(peakRssMiB() - rssBefore < 16);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.startsWith(path + QStringLiteral(":0: gzip data decompresses more than 100× its size")),
                 qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains(QStringLiteral("not a bar file")), qPrintable(r.error().message));

        // Plain: a header and 5 M blank lines fail after 1000 of them, not at the end of the file.
        const QString plain = writeFile(QStringLiteral("nl.csv"), kHeader + QByteArray(5'000'000, '\n'));
        timer.restart();
        const Result<Bars> p = loadBars(plain);
        QVERIFY(timer.elapsed() < 500);
        QVERIFY(!p.ok());
        QCOMPARE(p.error().message, plain + QStringLiteral(":2: no bars after the header but more than 1000 blank lines: "
                                                           "not a bar file; export the bars again"));
        // Between rows, a long run of blank lines is named at its first line; a few at the end are fine.
        expectError(QStringLiteral("blankrun.csv"), kHeader + rows(2) + QByteArray(1001, '\n') + rows(1, 1704150000), 4,
                    {QStringLiteral("more than 1000 blank lines from here")});
        const Result<Bars> trailing = parseBars(kHeader + rows(2) + QByteArray(1000, '\n'), QStringLiteral("trailing"));
        QVERIFY(trailing.ok());
        QCOMPARE(trailing->size(), size_t(2));
    }

    void compressionRatioCap()
    {
        // 64 MiB of zeros (gzip level 1, ratio ~230): fails on the first piece of text.
        const QByteArray gz = gzipRepeated(QByteArray(), '\0', qint64(64) << 20);
        const QString path = writeFile(QStringLiteral("zeros.gz"), gz);
        const double rssBefore = peakRssMiB();
        QElapsedTimer timer;
        timer.start();
        const Result<Bars> r = loadBars(path);
        QVERIFY2(timer.elapsed() < 200, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(peakRssMiB() - rssBefore < 16);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.startsWith(path + QStringLiteral(":0: gzip data decompresses more than 100× its size (256.0 KiB of text from ")),
                 qPrintable(r.error().message));

        // The cap has margin: the most compressible real-looking export (UTF-16 MT5 rows with constant prices and
        // volumes, ~30×) loads.
        QString text = QStringLiteral("<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\r\n");
        const QDateTime start(QDate(2024, 1, 1), QTime(0, 0), QTimeZone::utc());
        const int count = 60000;
        for (int i = 0; i < count; ++i)
            text += start.addSecs(60LL * i).toString(QStringLiteral("yyyy.MM.dd\tHH:mm")) + QStringLiteral("\t1.1\t1.1\t1.1\t1.1\t0\t0\t0\r\n");
        QByteArray utf16("\xFF\xFE", 2);
        utf16.append(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
        const QByteArray flat = gzipBytes(utf16);
        QVERIFY2(utf16.size() > 20 * flat.size(), qPrintable(QString::number(double(utf16.size()) / flat.size())));
        const Result<Bars> ok = loadBars(writeFile(QStringLiteral("flat16.csv.gz"), flat));
        QVERIFY2(ok.ok(), qPrintable(ok.ok() ? QString() : ok.error().message));
        QCOMPARE(ok->size(), size_t(count));
    }

    void gzipTrailerIsNotTrusted()
    {
        // A trailer claiming 4 GiB - 1 of text: nothing is reserved from it; zlib's length check reports it.
        QByteArray gz = gzipBytes(kHeader + rows(3));
        for (int i = 1; i <= 4; ++i)
            gz[gz.size() - i] = char(0xFF);
        const QString path = writeFile(QStringLiteral("liar.csv.gz"), gz);
        const double rssBefore = peakRssMiB();
        const Result<Bars> r = loadBars(path);
        QVERIFY(peakRssMiB() - rssBefore < 16);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message, path + QStringLiteral(":5: gzip data is corrupt (zlib: incorrect length check) after 4 complete "
                                                          "lines; re-download the file or recompress it (gzip -t tests it)"));
    }

    void hugeLine()
    {
        // 8 MB without a line end: fails on the first piece, naming the line.
        const QString path = writeFile(QStringLiteral("longline.csv"), kHeader + QByteArray(8'000'000, 'a'));
        QElapsedTimer timer;
        timer.start();
        const Result<Bars> r = loadBars(path);
        QVERIFY(timer.elapsed() < 500);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.startsWith(path + QStringLiteral(":2: line longer than 64 KiB (no line end within its first 65536 bytes), starting 'aaaa")), qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains(QStringLiteral("starting 'aaaaaaaa")), qPrintable(r.error().message));
        // A long line that does end, between good rows, is refused too (line 4).
        expectError(QStringLiteral("longrow.csv"), kHeader + rows(2) + "1704150000,1.1" + QByteArray(70'000, ' ') + ",1.2,1.0,1.1,0\n", 4,
                    {QStringLiteral("line longer than 64 KiB (70028 bytes), starting '1704150000,1.1  ")});
    }

    void tooManyBars()
    {
        BarLoadOptions options;
        options.maxBars = 10;
        const QString path = writeFile(QStringLiteral("eleven.csv"), kHeader + rows(11));
        const Result<Bars> r = loadBars(path, options);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message, path + QStringLiteral(":12: more than 10 bars: over the loader's limit (BarLoadOptions::maxBars); "
                                                          "split the file or load a shorter period"));
        QVERIFY(loadBars(writeFile(QStringLiteral("ten.csv"), kHeader + rows(10)), options).ok());
        options.maxBars = 0;
        QVERIFY(!loadBars(path, options).ok());
    }

    void cancellationAndProgress()
    {
        const QString path = writeFile(QStringLiteral("progress.csv"), kHeader + rows(40000));  // ~1.3 MB: 6 pieces
        std::atomic<bool> cancel{true};
        BarLoadOptions options;
        options.cancelRequested = &cancel;
        Result<Bars> r = loadBars(path, options);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message, path + QStringLiteral(":0: loading cancelled; no bars were loaded"));

        // Progress runs 0..100, each percent at most once; cancelling from it stops the load part-way.
        cancel = false;
        QList<int> seen;
        options.onProgress = [&](int percent) {
            seen << percent;
            if (percent >= 30)
                cancel = true;
        };
        r = loadBars(path, options);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.endsWith(QStringLiteral("loading cancelled; no bars were loaded")));
        QVERIFY2(!seen.isEmpty() && seen.first() == 0 && seen.last() >= 30 && seen.last() < 100, qPrintable(QString::number(seen.last())));

        cancel = false;
        seen.clear();
        options.onProgress = [&](int percent) { seen << percent; };
        r = loadBars(path, options);
        QVERIFY(r.ok());
        QCOMPARE(r->size(), size_t(40000));
        QVERIFY(seen.size() >= 3);
        QCOMPARE(seen.first(), 0);
        QCOMPARE(seen.last(), 100);
        for (qsizetype i = 1; i < seen.size(); ++i)
            QVERIFY(seen[i] > seen[i - 1]);
    }

    void cancellationWhileInflatingAhead()
    {
        // gzip is inflated on a second thread ahead of the parse: cancelling part-way still stops the load
        // within a piece and leaves no thread behind (the load returns; the next one works).
        const QString path = writeFile(QStringLiteral("progress.csv.gz"), gzipBytes(kHeader + rows(200000)));
        std::atomic<bool> cancel{false};
        BarLoadOptions options;
        options.cancelRequested = &cancel;
        QList<int> seen;
        options.onProgress = [&](int percent) {
            seen << percent;
            if (percent > 0)
                cancel = true;
        };
        Result<Bars> r = loadBars(path, options);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message, path + QStringLiteral(":0: loading cancelled; no bars were loaded"));
        QVERIFY2(seen.size() >= 2 && seen.last() < 100, qPrintable(QString::number(seen.last())));

        cancel = false;
        seen.clear();
        options.onProgress = [&](int percent) { seen << percent; };
        r = loadBars(path, options);
        QVERIFY(r.ok());
        QCOMPARE(r->size(), size_t(200000));
        QCOMPARE(seen.first(), 0);
        QCOMPARE(seen.last(), 100);
        for (qsizetype i = 1; i < seen.size(); ++i)
            QVERIFY(seen[i] > seen[i - 1]);
    }

    void quotedTextEscapes_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << QByteArray("1.1050") << QStringLiteral("'1.1050'");
        QTest::newRow("controls") << QByteArray("a\tb\r\n\x01\x7F", 7) << QStringLiteral("'a\\tb\\r\\n\\x01\\x7F'");
        QTest::newRow("nul") << QByteArray("1\0002", 3) << QStringLiteral("'1\\02'");
        QTest::newRow("backslash") << QByteArray("a\\x41") << QStringLiteral("'a\\\\x41'");
        QTest::newRow("no-break space and zero-width space") << QByteArray("1.1\xC2\xA0\xE2\x80\x8B") << QStringLiteral("'1.1\\u00A0\\u200B'");
        QTest::newRow("BOM in the middle") << QByteArray("x\xEF\xBB\xBFy") << QStringLiteral("'x\\uFEFFy'");
        QTest::newRow("replacement character") << QByteArray("1\xEF\xBF\xBD") << QStringLiteral("'1\\uFFFD'");
        QTest::newRow("visible non-ASCII kept") << QByteArray("\xC3\xA9\xE2\x82\xAC") << QStringLiteral("'\u00E9\u20AC'");
        QTest::newRow("invalid UTF-8") << QByteArray("\xFF\xFE\xC3(\xED\xA0\x80") << QStringLiteral("'\\xFF\\xFE\\xC3(\\xED\\xA0\\x80'");
        QTest::newRow("cut") << QByteArray(100, 'z') << QStringLiteral("'%1...' (100 bytes)").arg(QString(40, QLatin1Char('z')));
    }

    void quotedTextEscapes()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        QCOMPARE(quotedText(std::string_view(bytes.constData(), size_t(bytes.size()))), expected);
    }

    void escapedValuesInMessages()
    {
        expectError(QStringLiteral("nbsp.csv"), kHeader + rows(1) + "1704146460,1.1,1.2\xC2\xA0,1.0,1.1,0\n", 3,
                    {QStringLiteral("column 'high' is '1.2\\u00A0', not a number")});
        expectError(QStringLiteral("binary.csv"), kHeader + rows(1) + QByteArray("1704146460,\x00\x01\xFF,1.2,1.0,1.1,0\n", 29), 3,
                    {QStringLiteral("column 'open' is '\\0\\x01\\xFF', not a number")});
        expectError(QStringLiteral("png.csv"), QByteArray("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16), 1,
                    {QStringLiteral("unknown header '\\x89PNG'")});
        expectError(QStringLiteral("zipped.csv"), QByteArray("PK\x03\x04\x14\0\0\0\x08\0", 10) + "\n", 1,
                    {QStringLiteral("unknown header 'PK\\x03\\x04\\x14\\0\\0\\0\\x08\\0'"), QStringLiteral("zip archive: unzip it")});
        expectError(QStringLiteral("longvalue.csv"), kHeader + rows(1) + "1704146460,1.1," + QByteArray(300, '9') + "x,1.0,1.1,0\n", 3,
                    {QStringLiteral("column 'high' is '%1...' (301 bytes), not a number").arg(QString(40, QLatin1Char('9')))});
    }

    void outOfRangeNumbers_data()
    {
        QTest::addColumn<QByteArray>("row");
        QTest::addColumn<QString>("part");
        QTest::newRow("time overflows int64") << QByteArray("99999999999999999999,1.1,1.2,1.0,1.1,0")
                                              << QStringLiteral("column 'time' is '99999999999999999999', out of range; time must be UTC epoch seconds from 1970 to 3000;");
        QTest::newRow("negative time") << QByteArray("-60,1.1,1.2,1.0,1.1,0") << QStringLiteral("column 'time' is '-60', out of range;");
        QTest::newRow("price overflows double") << QByteArray("1704146460,1.1,1e400,1.0,1.1,0")
                                                << QStringLiteral("column 'high' is '1e400', out of range; prices must be positive finite numbers");
        QTest::newRow("price underflows double") << QByteArray("1704146460,1.1,1.2,1e-400,1.1,0")
                                                 << QStringLiteral("column 'low' is '1e-400', out of range;");
        QTest::newRow("volume overflows int64") << QByteArray("1704146460,1.1,1.2,1.0,1.1,99999999999999999999")
                                                << QStringLiteral("column 'volume' is '99999999999999999999', out of range; volumes must be whole numbers");
        QTest::newRow("volume over 32 bits") << QByteArray("1704146460,1.1,1.2,1.0,1.1,4294967296")
                                             << QStringLiteral("column 'volume' is '4294967296', out of range; volumes must be whole numbers from 0 to 4294967295");
        QTest::newRow("volume as huge double") << QByteArray("1704146460,1.1,1.2,1.0,1.1,1e300")
                                               << QStringLiteral("column 'volume' is '1e300', out of range;");
    }

    void outOfRangeNumbers()
    {
        QFETCH(QByteArray, row);
        QFETCH(QString, part);
        expectError(QStringLiteral("range.csv"), kHeader + rows(1) + row + "\n", 3, {part});
        const Result<Bars> r = parseBars(kHeader + rows(1) + row + "\n", QStringLiteral("mem"));
        QVERIFY(!r.ok());
        QVERIFY2(!r.error().message.contains(QStringLiteral("not a")), qPrintable(r.error().message));
    }

    void spreadOutOfRange()
    {
        expectError(QStringLiteral("spread.csv"), "time,open,high,low,close,volume,spread\n1704146400,1.1,1.2,1.0,1.1,0,3000000000\n", 2,
                    {QStringLiteral("column 'spread' is '3000000000', out of range; the spread must be 0 to 2147483647 points")});
    }

    void serverUtcOffsetRange()
    {
        const QByteArray mt5 = "<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n"
                               "1970.01.01\t01:00\t1\t1\t1\t1\t0\t0\t0\n";
        const QString path = writeFile(QStringLiteral("offset.csv"), mt5);
        for (const qint64 offset : {qint64(50401), qint64(-50401), qint64(3'000'000'000), std::numeric_limits<qint64>::min(),
                                    std::numeric_limits<qint64>::max()}) {
            BarLoadOptions options;
            options.serverUtcOffsetSeconds = offset;
            const Result<Bars> r = loadBars(path, options);
            QVERIFY(!r.ok());
            QCOMPARE(r.error().message, path + QStringLiteral(":0: server UTC offset %1 s is outside -14 h..+14 h (-50400..50400 s), "
                                                              "the range of real time zones; give the trade server's clock minus "
                                                              "UTC in seconds, e.g. 7200 for GMT+2")
                                                   .arg(offset));
            QVERIFY(!parseBars(mt5, QStringLiteral("mem"), options).ok());
        }
        // The edges are accepted: 01:00 server time at GMT-14 is 15:00 UTC.
        BarLoadOptions edge;
        edge.serverUtcOffsetSeconds = -50400;
        const Result<Bars> r = loadBars(path, edge);
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->at(0).timeMs, utcMs(1970, 1, 1, 15, 0));
        // At GMT+2 the same bar would open before 1970: out of range, said so.
        edge.serverUtcOffsetSeconds = 7200;
        const Result<Bars> before = loadBars(path, edge);
        QVERIFY(!before.ok());
        QVERIFY2(before.error().message.contains(QStringLiteral(
                     ":2: column '<DATE>' is '1970.01.01', out of range; bar times must fall from 1970 to 3000 UTC (after the "
                     "server UTC offset of 7200 s)")),
                 qPrintable(before.error().message));
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
        QCOMPARE(first.tickVolume, 0u);
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
