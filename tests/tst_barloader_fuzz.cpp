// Fuzz-style test of the bar loader: generated garbage for a bounded time (about 2.5 s), each input checked for
// the loader's contract. It never crashes or hangs; on success the bars keep the rules (strictly increasing
// times in 1970..3000, positive finite prices, low <= open, close <= high, volumes >= 0); on failure the
// message is "<source>:<line>: <what>; <fix>" with no raw control character or replacement character in it.
// Pieces: feeding the text in random pieces gives exactly what parsing it whole gives, and a plain file
// loads exactly like its text parsed in memory. Paths: rows of plain numbers read in one pass give what the
// field-by-field path gives (forced by spaces before the commas).
//
// Inputs: random bytes; valid BotDesk CSV and MT5 exports (tab/comma, with and without <TIME>, BOM, CRLF,
// UTF-16LE) with 0-8 mutations (bit flips, tokens such as 'nan', '1e400', '99999999999999999999', NUL, BOMs,
// deleted/duplicated/swapped lines, truncation); the same gzipped, then the gzip mutated (flipped, truncated,
// padded, members joined); and bombs (a header and up to 2 MB of one repeated byte, plain or gzip).
//
// The loader's sources are compiled into this test with AddressSanitizer and UBSan (tests/CMakeLists.txt), so
// an out-of-bounds read or an overflow fails the test even where it would not crash.
//
// Reproduce: the seed is printed. BOTDESK_FUZZ_SEED=<seed> sets it, BOTDESK_FUZZ_SECONDS=<s> the time budget,
// BOTDESK_FUZZ_CASE=<n> runs case n alone (each case depends on the seed and its number only),
// BOTDESK_FUZZ_VERBOSE=1 prints every error message. A failing input is written to <build>/fuzz-failure-<seed>-<case>.bin.

#include "barloader.h"
#include "barparser.h"
#include "logging.h"
#include "textdecoder.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

#include <cmath>
#include <random>

using namespace bd;

namespace {

constexpr quint64 kDefaultSeed = 20241124;
constexpr qint64 kMaxEpochMs = 32503680000LL * 1000;  // 3000-01-01 UTC

class Gen {
public:
    explicit Gen(quint64 seed) : m_rng(seed) {}
    int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }
    qint64 between64(qint64 lo, qint64 hi) { return std::uniform_int_distribution<qint64>(lo, hi)(m_rng); }
    double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(m_rng); }
    bool chance(double p) { return std::bernoulli_distribution(p)(m_rng); }
    char byte() { return char(between(0, 255)); }
    template <typename T>
    const T &pick(const std::vector<T> &items) { return items[size_t(between(0, int(items.size()) - 1))]; }

private:
    std::mt19937_64 m_rng;
};

// A bar with low <= open, close <= high, all four written with `digits` decimals (rounding keeps the order).
QList<QByteArray> ohlc(Gen &g, int digits)
{
    const auto priceText = [&](double v) { return QByteArray::number(v, 'f', digits); };
    const double base = g.real(0.5, 2000.0);
    const double a = base * g.real(0.99, 1.01);
    const double b = base * g.real(0.99, 1.01);
    const double high = std::max(a, b) * g.real(1.0, 1.002);
    const double low = std::min(a, b) * g.real(0.998, 1.0);
    return {priceText(a), priceText(high), priceText(low), priceText(b)};
}

QByteArray lineEnd(Gen &g, bool crlf) { return crlf ? "\r\n" : (g.chance(0.02) ? "\r\n" : "\n"); }

QByteArray validBotDesk(Gen &g)
{
    const bool spread = g.chance(0.3);
    const bool crlf = g.chance(0.3);
    QByteArray text = g.chance(0.1) ? "\xEF\xBB\xBF" : "";
    text += spread ? "time,open,high,low,close,volume,spread" : (g.chance(0.1) ? "TIME,Open,High,Low,Close,Volume" : "time,open,high,low,close,volume");
    text += crlf ? "\r\n" : "\n";
    qint64 t = g.chance(0.1) ? g.between64(0, 1000) : g.between64(946684800, 1900000000);
    const int count = g.between(0, 300);
    const int digits = g.between(1, 6);
    for (int i = 0; i < count; ++i) {
        t += g.chance(0.9) ? 60 : g.between64(1, 200000);
        const QList<QByteArray> p = ohlc(g, digits);
        text += QByteArray::number(t) + ',' + p[0] + ',' + p[1] + ',' + p[2] + ',' + p[3] + ',' + QByteArray::number(g.between(0, 5000));
        if (spread)
            text += ',' + QByteArray::number(g.between(0, 300));
        text += lineEnd(g, crlf);
    }
    for (int i = g.chance(0.2) ? g.between(1, 5) : 0; i > 0; --i)
        text += crlf ? "\r\n" : "\n";
    return text;
}

QByteArray mt5DateTime(qint64 seconds, bool withSeconds, char between)
{
    const qint64 days = seconds / 86400;
    const qint64 sod = seconds % 86400;
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
    QByteArray out = QByteArray::number(int(ymd.year())).rightJustified(4, '0') + '.' + QByteArray::number(unsigned(ymd.month())).rightJustified(2, '0')
        + '.' + QByteArray::number(unsigned(ymd.day())).rightJustified(2, '0') + between
        + QByteArray::number(sod / 3600).rightJustified(2, '0') + ':' + QByteArray::number(sod / 60 % 60).rightJustified(2, '0');
    if (withSeconds)
        out += ':' + QByteArray::number(sod % 60).rightJustified(2, '0');
    return out;
}

QByteArray validMt5(Gen &g)
{
    const char sep = g.chance(0.7) ? '\t' : ',';
    const bool timeColumn = g.chance(0.7);
    const bool crlf = g.chance(0.5);
    QList<QByteArray> names = {"<DATE>", "<TIME>", "<OPEN>", "<HIGH>", "<LOW>", "<CLOSE>", "<TICKVOL>", "<VOL>", "<SPREAD>"};
    if (!timeColumn)
        names.removeAt(1);
    QByteArray text = names.join(sep) + (crlf ? "\r\n" : "\n");
    qint64 t = g.chance(0.1) ? g.between64(0, 200000) : g.between64(946684800, 1900000000);
    const bool withSeconds = g.chance(0.5);
    const int count = g.between(0, 200);
    const int digits = g.between(1, 6);
    for (int i = 0; i < count; ++i) {
        t += withSeconds && g.chance(0.2) ? g.between64(1, 59) : 60 * g.between64(1, 3);
        const QList<QByteArray> p = ohlc(g, digits);
        text += mt5DateTime(withSeconds ? t : t / 60 * 60, withSeconds, timeColumn ? sep : ' ') + sep + p[0] + sep + p[1] + sep + p[2] + sep
            + p[3] + sep + QByteArray::number(g.between(0, 900)) + sep + QByteArray::number(g.between(0, 3)) + sep
            + QByteArray::number(g.between(0, 50)) + lineEnd(g, crlf);
    }
    return text;
}

QByteArray utf16(const QByteArray &utf8)
{
    const QString s = QString::fromUtf8(utf8);
    QByteArray out("\xFF\xFE", 2);
    out.append(reinterpret_cast<const char *>(s.utf16()), s.size() * 2);
    return out;
}

QByteArray randomBytes(Gen &g, int maxSize)
{
    QByteArray out(g.between(0, maxSize), '\0');
    for (char &c : out)
        c = g.byte();
    return out;
}

QByteArray mutate(Gen &g, QByteArray text, int mutations)
{
    static const std::vector<QByteArray> tokens = {
        "nan", "inf", "-inf", "1e400", "1e-400", "-1", "0", "99999999999999999999", "-99999999999999999999", "4294967296",
        "2147483648", "9223372036854775807", "-9223372036854775808", "1.7976931348623157e308", ",", "\t", " ", "\r", "\n",
        "\n\n", "\r\n", QByteArray("\0", 1), "\xEF\xBB\xBF", "\xFF\xFE", "\xC2\xA0", "\xE2\x80\x8B", "\xED\xA0\x80", "\xFF",
        "2024.02.30", "23:59:60", "24:00", "1969.12.31", "3000.01.01", "9999.12.31", "0000.01.01", "<DATE>", "time,open",
        "PK\x03\x04", "\x1f\x8b", "0.0", "00", "0.000001", "1e-5", "1E2", ".5", "5.", "+1", " 1", "1 ", "0x10", "1,5"};
    // A file wrong in one place only is most telling when the place is one number: half of them are that.
    static const std::vector<QByteArray> edgeNumbers = {"0", "0.0", "00", "-1", "1e400", "1e-400", "99999999999999999999",
                                                        "nan", "inf", " 1", "+1", ".5", "5.", "1E2", "", "32503680001"};
    const bool oneNumber = mutations == 1 && g.chance(0.5);
    for (int m = 0; m < mutations; ++m) {
        const qsizetype pos = text.isEmpty() ? 0 : g.between(0, int(text.size()) - 1);
        switch (oneNumber ? 8 : g.between(0, 9)) {
        case 0:
            if (!text.isEmpty())
                text[pos] = char(text[pos] ^ (1 << g.between(0, 7)));
            break;
        case 1:
            if (!text.isEmpty())
                text[pos] = g.byte();
            break;
        case 2:
        case 3:
            text.insert(pos, g.pick(tokens));
            break;
        case 4:
            text.remove(pos, g.between(1, 20));
            break;
        case 5: {  // replace a field-ish range by a token
            const qsizetype end = text.indexOf(',', pos);
            text.replace(pos, end < 0 ? 1 : end - pos, g.pick(tokens));
            break;
        }
        case 6: {  // duplicate or swap lines
            QList<QByteArray> lines = text.split('\n');
            if (lines.size() > 2) {
                const int a = g.between(0, int(lines.size()) - 1);
                const int b = g.between(0, int(lines.size()) - 1);
                if (g.chance(0.5))
                    lines.insert(b, lines[a]);
                else
                    lines.swapItemsAt(a, b);
                text = lines.join('\n');
            }
            break;
        }
        case 7:
            text.truncate(pos);
            break;
        case 8: {  // replace one whole field (between separators or line ends) by a token
            qsizetype start = pos;
            while (start > 0 && !QByteArrayView(",\t\n").contains(text[start - 1]))
                --start;
            qsizetype end = pos;
            while (end < text.size() && !QByteArrayView(",\t\r\n").contains(text[end]))
                ++end;
            text.replace(start, end - start, g.pick(oneNumber ? edgeNumbers : tokens));
            break;
        }
        default:
            text.insert(pos, randomBytes(g, 8));
        }
    }
    return text;
}

// None (20 %), exactly one (40 %: a file wrong in one place only), or up to 8.
int mutationCount(Gen &g)
{
    const int roll = g.between(0, 9);
    return roll < 2 ? 0 : roll < 6 ? 1 : g.between(2, 8);
}

QByteArray gzip(Gen &g, const QByteArray &plain)
{
    z_stream zs{};
    if (deflateInit2(&zs, g.between(1, 9), Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        qFatal("deflateInit2 failed");
    QByteArray out(qsizetype(deflateBound(&zs, uLong(plain.size()))), '\0');
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(plain.constData()));
    zs.avail_in = uInt(plain.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = uInt(out.size());
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
        qFatal("deflate failed");
    out.resize(qsizetype(zs.total_out));
    deflateEnd(&zs);
    return out;
}

QByteArray mutateGzip(Gen &g, QByteArray gz)
{
    switch (g.between(0, 5)) {
    case 0:
        return gz;
    case 1:
        gz.truncate(g.between(0, int(gz.size())));
        return gz;
    case 2:  // flip bytes anywhere: header, deflate data, CRC, length
        for (int i = g.between(1, 4); i > 0 && !gz.isEmpty(); --i)
            gz[g.between(0, int(gz.size()) - 1)] = g.byte();
        return gz;
    case 3:
        return gz + QByteArray(g.between(1, 64), '\0');
    case 4:
        return gz + randomBytes(g, 32);
    default: {  // two members, the split anywhere in the text
        return gz + gzip(g, mutate(g, validBotDesk(g), g.between(0, 2)));
    }
    }
}

QByteArray bomb(Gen &g)
{
    static const std::vector<char> fills = {'\n', ' ', '0', ',', '\0', '\r', 'a'};
    QByteArray text = g.chance(0.8) ? QByteArray("time,open,high,low,close,volume\n") : QByteArray();
    if (g.chance(0.5))
        text += "1704146400,1.1,1.2,1.0,1.1,0\n";
    text += QByteArray(g.between(1000, 2'000'000), g.pick(fills));
    return text;
}

bool containsUnsafe(const QString &message)
{
    return std::any_of(message.begin(), message.end(), [](QChar c) {
        return c.unicode() < 0x20 || c.unicode() == 0x7F || c == QChar::ReplacementCharacter;
    });
}

QString describe(const Result<Bars> &r)
{
    return r.ok() ? QStringLiteral("%1 bars").arg(r->size()) : r.error().message;
}

bool sameResult(const Result<Bars> &a, const Result<Bars> &b)
{
    if (a.ok() != b.ok())
        return false;
    if (!a.ok())
        return a.error().message == b.error().message;
    if (a->size() != b->size())
        return false;
    for (size_t i = 0; i < a->size(); ++i) {
        const Bar &x = a->at(i);
        const Bar &y = b->at(i);
        if (x.timeMs != y.timeMs || x.open != y.open || x.high != y.high || x.low != y.low || x.close != y.close
            || x.tickVolume != y.tickVolume || x.spreadPoints != y.spreadPoints)
            return false;
    }
    return true;
}

// The contract every result must keep; returns what is broken, or an empty string.
QString contractBroken(const Result<Bars> &r, const QString &source)
{
    if (!r.ok()) {
        const QString &m = r.error().message;
        static const QRegularExpression prefix(QStringLiteral("^(.*):(\\d+): "));
        const QRegularExpressionMatch match = prefix.match(m);
        if (!match.hasMatch() || !m.startsWith(source + QLatin1Char(':')))
            return QStringLiteral("message lacks '<source>:<line>: ': ") + m;
        if (!m.contains(QLatin1Char(';')))
            return QStringLiteral("message lacks '; <fix>': ") + m;
        if (containsUnsafe(m))
            return QStringLiteral("message holds a control or replacement character: ") + m;
        return {};
    }
    if (r->empty())
        return QStringLiteral("success with no bars");
    for (size_t i = 0; i < r->size(); ++i) {
        const Bar &b = r->at(i);
        const bool finite = std::isfinite(b.open) && std::isfinite(b.high) && std::isfinite(b.low) && std::isfinite(b.close);
        if (!finite || b.open <= 0 || b.high <= 0 || b.low <= 0 || b.close <= 0)
            return QStringLiteral("bar %1: a price is not positive and finite").arg(i);
        if (b.low > std::min(b.open, b.close) || b.high < std::max(b.open, b.close) || b.low > b.high)
            return QStringLiteral("bar %1: low <= open, close <= high broken").arg(i);
        if (b.timeMs < 0 || b.timeMs > kMaxEpochMs)
            return QStringLiteral("bar %1: time %2 outside 1970..3000").arg(i).arg(b.timeMs);
        if (i > 0 && b.timeMs <= r->at(i - 1).timeMs)
            return QStringLiteral("bar %1: time not after the previous bar's").arg(i);
        if (b.spreadPoints < -1)
            return QStringLiteral("bar %1: negative volume or spread").arg(i);
    }
    return {};
}

// The text fed to BarParser in random pieces, as loadBars' reader would hand it out.
Result<Bars> parseInPieces(Gen &g, const QByteArray &bytes, const QString &source, const BarLoadOptions &options)
{
    TextDecoder decoder;
    BarParser parser(source, options);
    for (qsizetype i = 0; i < bytes.size();) {
        const qsizetype n = std::min<qsizetype>(bytes.size() - i, g.chance(0.3) ? g.between(1, 3) : g.between(1, 5000));
        if (auto fed = parser.feed(decoder.decode(std::string_view(bytes.constData() + i, size_t(n)))); !fed)
            return fed.error();
        i += n;
    }
    if (auto fed = parser.feed(decoder.finish()); !fed)
        return fed.error();
    if (auto done = parser.finish(); !done)
        return done.error();
    return parser.takeBars();
}

} // namespace

class TestBarLoaderFuzz : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { logging::setLevel("warn"); }  // no "loaded N bars" line per case

    void garbageNeverBreaksTheContract()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const quint64 seed = qEnvironmentVariableIsSet("BOTDESK_FUZZ_SEED") ? qEnvironmentVariable("BOTDESK_FUZZ_SEED").toULongLong() : kDefaultSeed;
        const double seconds = qEnvironmentVariableIsSet("BOTDESK_FUZZ_SECONDS") ? qEnvironmentVariable("BOTDESK_FUZZ_SECONDS").toDouble() : 2.5;
        const bool oneCase = qEnvironmentVariableIsSet("BOTDESK_FUZZ_CASE");
        const bool verbose = qEnvironmentVariableIsSet("BOTDESK_FUZZ_VERBOSE");
        const qint64 firstCase = oneCase ? qEnvironmentVariable("BOTDESK_FUZZ_CASE").toLongLong() : 0;
        qInfo("fuzz seed %llu, %.1f s budget (reproduce: BOTDESK_FUZZ_SEED=%llu BOTDESK_FUZZ_CASE=<n>)", seed, seconds, seed);

        QElapsedTimer budget;
        budget.start();
        qint64 cases = 0;
        qint64 loadedOk = 0;
        qint64 viaFile = 0;
        qint64 slowestMs = 0;
        for (qint64 index = firstCase; oneCase ? index == firstCase : budget.elapsed() < qint64(seconds * 1000); ++index) {
            Gen g(seed * 0x9E3779B97F4A7C15ULL + quint64(index));
            QByteArray bytes;
            bool toFile = g.chance(0.3);
            const int kind = g.between(0, 99);
            if (kind < 10) {
                bytes = randomBytes(g, 4096);
                if (g.chance(0.3))
                    bytes.prepend("time,open,high,low,close,volume\n");
            } else if (kind < 45) {
                bytes = mutate(g, validBotDesk(g), mutationCount(g));
            } else if (kind < 70) {
                bytes = mutate(g, validMt5(g), mutationCount(g));
            } else if (kind < 78) {
                bytes = utf16(mutate(g, g.chance(0.5) ? validMt5(g) : validBotDesk(g), g.between(0, 3)));
                if (g.chance(0.3))
                    bytes = mutate(g, bytes, g.between(1, 3));  // odd lengths, broken surrogates
            } else if (kind < 95) {
                bytes = mutateGzip(g, gzip(g, mutate(g, g.chance(0.5) ? validMt5(g) : validBotDesk(g), g.chance(0.4) ? 0 : g.between(1, 4))));
                toFile = true;
            } else {
                bytes = bomb(g);
                if (g.chance(0.5))
                    bytes = gzip(g, bytes);
                toFile = true;
            }

            BarLoadOptions options;
            if (g.chance(0.3))
                options.serverUtcOffsetSeconds = g.chance(0.9) ? g.between64(-50400, 50400) : g.between64(-4'000'000'000LL, 4'000'000'000LL);
            if (g.chance(0.05))
                options.maxBars = g.between(1, 50);

            const QString source = dir.filePath(QStringLiteral("case-%1.csv").arg(index));
            QString broken;
            QElapsedTimer one;
            one.start();
            Result<Bars> result = makeError(QString());
            if (toFile) {
                QFile f(source);
                QVERIFY(f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size());
                f.close();
                result = loadBars(source, options);
                ++viaFile;
                const bool gz = bytes.startsWith("\x1f\x8b");
                if (!gz) {  // a plain file loads exactly like its text parsed in memory
                    const Result<Bars> inMemory = parseBars(bytes, source, options);
                    if (!sameResult(result, inMemory))
                        broken = QStringLiteral("loadBars gave %1 but parseBars %2").arg(describe(result), describe(inMemory));
                }
                QFile::remove(source);
            } else {
                result = parseBars(bytes, source, options);
                {
                    const Result<Bars> pieces = parseInPieces(g, bytes, source, options);
                    if (!sameResult(result, pieces))
                        broken = QStringLiteral("whole text gave %1 but pieces %2").arg(describe(result), describe(pieces));
                }
            }
            if (broken.isEmpty() && kind >= 10 && kind < 45 && checkBarLoadOptions(options).ok()) {
                // Spaces before the commas of data rows take the parser off its one-pass path for plain rows:
                // both paths must read the same bars, or fail on the same line.
                QByteArray spaced = bytes;
                const qsizetype firstLineEnd = spaced.indexOf('\n');
                if (firstLineEnd >= 0)
                    spaced = spaced.left(firstLineEnd) + spaced.mid(firstLineEnd).replace(",", " ,");
                const Result<Bars> plain = parseBars(bytes, source, options);
                const Result<Bars> slow = parseBars(spaced, source, options);
                const auto lineOf = [](const Result<Bars> &r) { return r.error().message.section(QLatin1Char(':'), 0, 1); };
                if (plain.ok() != slow.ok() || (plain.ok() && !sameResult(plain, slow)) || (!plain.ok() && lineOf(plain) != lineOf(slow)))
                    broken = QStringLiteral("the one-pass row path gave %1 but the field-by-field one %2").arg(describe(plain), describe(slow));
            }
            slowestMs = std::max(slowestMs, one.elapsed());
            if (broken.isEmpty())
                broken = contractBroken(result, source);
            if (broken.isEmpty() && one.elapsed() > 2000)
                broken = QStringLiteral("took %1 ms").arg(one.elapsed());
            if (!broken.isEmpty()) {
                const QString keep = QStringLiteral(BOTDESK_BINARY_DIR "/fuzz-failure-%1-%2.bin").arg(seed).arg(index);
                QFile f(keep);
                if (f.open(QIODevice::WriteOnly))
                    f.write(bytes);
                QFAIL(qPrintable(QStringLiteral("seed %1 case %2 (input saved to %3): %4").arg(seed).arg(index).arg(keep, broken.left(2000))));
            }
            ++cases;
            loadedOk += result.ok() ? 1 : 0;
            if (verbose && !result.ok())
                qInfo("case %lld: %s", index, qPrintable(result.error().message.left(300)));
        }
        qInfo("fuzz: %lld cases in %lld ms (%lld through files, %lld loaded without error), slowest %lld ms", cases, budget.elapsed(),
              viaFile, loadedOk, slowestMs);
        QVERIFY(cases > 0);
        if (!oneCase)
            QVERIFY2(loadedOk > 0 && loadedOk < cases, "the generator should produce both good and bad files");
    }
};

QTEST_GUILESS_MAIN(TestBarLoaderFuzz)
#include "tst_barloader_fuzz.moc"
