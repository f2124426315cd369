#include "barloader.h"

#include "logging.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QStringList>
#include <QTimeZone>

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>

namespace bd {
namespace {

using std::string_view;

spdlog::logger &dataLog()
{
    static const std::shared_ptr<spdlog::logger> log = logging::get("data");
    return *log;
}

// ---------------------------------------------------------------------------------------------
// Reading and decompressing

bool hasGzipMagic(const QByteArray &raw)
{
    return raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0x1f && static_cast<unsigned char>(raw[1]) == 0x8b;
}

// Inflates a gzip file held in memory (several concatenated members are allowed, as `cat a.gz b.gz`
// produces). On failure `errorOut` says what zlib reported and how many lines were decoded intact.
bool gunzip(const QByteArray &compressed, QByteArray &out, QString &errorOut, qint64 &goodLinesOut)
{
    // The gzip trailer holds the uncompressed size mod 2^32: a good first guess for the buffer.
    qint64 guess = compressed.size() * 4;
    if (compressed.size() >= 18) {
        const auto *p = reinterpret_cast<const unsigned char *>(compressed.constData() + compressed.size() - 4);
        const qint64 isize = qint64(p[0]) | (qint64(p[1]) << 8) | (qint64(p[2]) << 16) | (qint64(p[3]) << 24);
        if (isize >= compressed.size() / 2)
            guess = isize + 1;
    }
    out.resize(std::max<qint64>(guess, 4096));

    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        errorOut = QStringLiteral("zlib could not be initialised");
        return false;
    }
    const auto *in = reinterpret_cast<const Bytef *>(compressed.constData());
    qint64 inLeft = compressed.size();
    qint64 produced = 0;
    bool ok = true;
    for (;;) {
        if (produced == out.size())
            out.resize(out.size() * 2);
        // zlib counts in uInt; feed at most 1 GiB per call.
        constexpr qint64 kChunk = qint64(1) << 30;
        zs.next_in = const_cast<Bytef *>(in);
        zs.avail_in = static_cast<uInt>(std::min(inLeft, kChunk));
        zs.next_out = reinterpret_cast<Bytef *>(out.data() + produced);
        zs.avail_out = static_cast<uInt>(std::min(out.size() - produced, kChunk));
        const uInt inBefore = zs.avail_in;
        const uInt outBefore = zs.avail_out;
        const int rc = inflate(&zs, Z_NO_FLUSH);
        in += inBefore - zs.avail_in;
        inLeft -= inBefore - zs.avail_in;
        produced += outBefore - zs.avail_out;
        if (rc == Z_STREAM_END) {
            // Another gzip member may follow; trailing zero padding is tolerated as gzip(1) does.
            while (inLeft > 0 && *in == 0) {
                ++in;
                --inLeft;
            }
            if (inLeft == 0)
                break;
            inflateReset(&zs);
            continue;
        }
        if (rc == Z_OK)
            continue;
        if (rc == Z_BUF_ERROR && zs.avail_out == 0)
            continue; // output full; grown at the top of the loop
        if (rc == Z_BUF_ERROR && inLeft == 0) {
            errorOut = QStringLiteral("gzip data ends before the end of the compressed stream (file truncated)");
        } else {
            errorOut = QStringLiteral("gzip data is corrupt (zlib: %1)")
                           .arg(QString::fromLatin1(zs.msg ? zs.msg : zError(rc)));
        }
        ok = false;
        break;
    }
    inflateEnd(&zs);
    out.resize(produced);
    if (!ok)
        goodLinesOut = std::count(out.constBegin(), out.constEnd(), '\n');
    return ok;
}

// ---------------------------------------------------------------------------------------------
// Parsing helpers

enum class Format { BotDesk, Mt5, Mt5DateTime };

constexpr int kMaxFields = 12;

struct Row {
    std::array<string_view, kMaxFields> f;
    int count = 0;   // fields found (may exceed kMaxFields: then only the first ones are kept)
};

inline void splitFields(string_view line, char sep, Row &row)
{
    row.count = 0;
    size_t start = 0;
    for (;;) {
        const size_t pos = line.find(sep, start);
        const string_view field = line.substr(start, pos == string_view::npos ? string_view::npos : pos - start);
        if (row.count < kMaxFields)
            row.f[size_t(row.count)] = field;
        ++row.count;
        if (pos == string_view::npos)
            return;
        start = pos + 1;
    }
}

inline string_view trimSpaces(string_view s)
{
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

inline bool parseDouble(string_view s, double &out)
{
    s = trimSpaces(s);
    if (s.empty())
        return false;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

inline bool parseInt(string_view s, qint64 &out)
{
    s = trimSpaces(s);
    if (s.empty())
        return false;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

// Volume columns: whole numbers, but "12.0" (written by some tools) is accepted too.
inline bool parseCount(string_view s, qint64 &out)
{
    if (parseInt(s, out))
        return true;
    double d = 0;
    if (!parseDouble(s, d) || !std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9e15)
        return false;
    out = static_cast<qint64>(d);
    return true;
}

inline bool twoDigits(const char *p, int &out)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return false;
    out = (p[0] - '0') * 10 + (p[1] - '0');
    return true;
}

// "YYYY.MM.DD" -> days since epoch.
inline bool parseMt5Date(string_view s, qint64 &daysOut)
{
    s = trimSpaces(s);
    if (s.size() != 10 || s[4] != '.' || s[7] != '.')
        return false;
    int hi = 0, lo = 0, m = 0, d = 0;
    if (!twoDigits(s.data(), hi) || !twoDigits(s.data() + 2, lo) || !twoDigits(s.data() + 5, m)
        || !twoDigits(s.data() + 8, d))
        return false;
    const int y = hi * 100 + lo;
    const std::chrono::year_month_day date{std::chrono::year{y}, std::chrono::month{unsigned(m)},
                                           std::chrono::day{unsigned(d)}};
    if (y < 1970 || !date.ok())
        return false;
    daysOut = std::chrono::sys_days{date}.time_since_epoch().count();
    return true;
}

// "HH:MM" or "HH:MM:SS" -> seconds of the day.
inline bool parseMt5Time(string_view s, qint64 &secondsOut)
{
    s = trimSpaces(s);
    if ((s.size() != 5 && s.size() != 8) || s[2] != ':')
        return false;
    int h = 0, m = 0, sec = 0;
    if (!twoDigits(s.data(), h) || !twoDigits(s.data() + 3, m))
        return false;
    if (s.size() == 8 && (s[5] != ':' || !twoDigits(s.data() + 6, sec)))
        return false;
    if (h > 23 || m > 59 || sec > 59)
        return false;
    secondsOut = h * 3600 + m * 60 + sec;
    return true;
}

QString quoted(string_view s)
{
    constexpr size_t kMax = 40;
    QString text = QString::fromUtf8(s.data(), qsizetype(std::min(s.size(), kMax)));
    if (s.size() > kMax)
        text += QStringLiteral("...");
    return QLatin1Char('\'') + text + QLatin1Char('\'');
}

QString utcText(qint64 timeMs)
{
    return QDateTime::fromMSecsSinceEpoch(timeMs, QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) + QStringLiteral(" UTC");
}

QString num(double v) { return QString::number(v, 'g', 15); }

const char *const kBotDeskHeader = "time,open,high,low,close,volume";
const char *const kAcceptedHeaders =
    "expected the BotDesk CSV header 'time,open,high,low,close,volume' (optionally ',spread'), or the "
    "MetaTrader 5 export header '<DATE> <TIME> <OPEN> <HIGH> <LOW> <CLOSE> <TICKVOL> <VOL> <SPREAD>' "
    "(tab- or comma-separated; '<TIME>' may be omitted when '<DATE>' holds 'YYYY.MM.DD HH:MM:SS')";

bool equalsIgnoreCase(string_view a, string_view b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

struct Layout {
    Format format = Format::BotDesk;
    char sep = ',';
    int columns = 0;
    bool hasSpread = false;
    std::array<const char *, kMaxFields> names{};
};

// Recognises the header line; returns false if it is none of the accepted ones.
bool detectLayout(string_view header, Layout &layout)
{
    header = trimSpaces(header);
    if (equalsIgnoreCase(header, kBotDeskHeader) || equalsIgnoreCase(header, "time,open,high,low,close,volume,spread")) {
        layout.format = Format::BotDesk;
        layout.sep = ',';
        layout.hasSpread = header.size() > std::strlen(kBotDeskHeader);
        layout.columns = layout.hasSpread ? 7 : 6;
        layout.names = {"time", "open", "high", "low", "close", "volume", "spread"};
        return true;
    }
    const char sep = header.find('\t') != string_view::npos ? '\t' : ',';
    Row row;
    splitFields(header, sep, row);
    static constexpr std::array<const char *, 9> kMt5 = {"<DATE>", "<TIME>", "<OPEN>", "<HIGH>", "<LOW>",
                                                         "<CLOSE>", "<TICKVOL>", "<VOL>", "<SPREAD>"};
    const auto matches = [&](const auto &expected, size_t skip) {
        const size_t n = expected.size() - skip;
        if (size_t(row.count) != n)
            return false;
        for (size_t i = 0, j = 0; i < expected.size(); ++i) {
            if (skip && i == 1)
                continue; // no <TIME> column
            if (!equalsIgnoreCase(trimSpaces(row.f[j++]), expected[i]))
                return false;
        }
        return true;
    };
    layout.sep = sep;
    layout.hasSpread = true;
    if (matches(kMt5, 0)) {
        layout.format = Format::Mt5;
        layout.columns = 9;
        layout.names = {"<DATE>", "<TIME>", "<OPEN>", "<HIGH>", "<LOW>", "<CLOSE>", "<TICKVOL>", "<VOL>", "<SPREAD>"};
        return true;
    }
    if (matches(kMt5, 1)) {
        layout.format = Format::Mt5DateTime;
        layout.columns = 8;
        layout.names = {"<DATE>", "<OPEN>", "<HIGH>", "<LOW>", "<CLOSE>", "<TICKVOL>", "<VOL>", "<SPREAD>"};
        return true;
    }
    return false;
}

QString expectedColumns(const Layout &layout)
{
    QStringList names;
    for (int i = 0; i < layout.columns; ++i)
        names << QString::fromLatin1(layout.names[size_t(i)]);
    return names.join(layout.sep == '\t' ? QStringLiteral(" ") : QStringLiteral(","));
}

} // namespace

// ---------------------------------------------------------------------------------------------

Result<Bars> parseBars(const QByteArray &text, const QString &sourceName, const BarLoadOptions &options)
{
    // MetaTrader may write UTF-16LE (with a BOM); everything else is read as ASCII/UTF-8.
    QByteArray utf8;
    const QByteArray *input = &text;
    if (text.size() >= 2 && std::memcmp(text.constData(), "\xFF\xFE", 2) == 0) {
        utf8 = QString::fromUtf16(reinterpret_cast<const char16_t *>(text.constData() + 2), (text.size() - 2) / 2).toUtf8();
        input = &utf8;
    }
    const char *p = input->constData();
    const char *const end = p + input->size();
    if (input->size() >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; // UTF-8 byte-order mark

    const auto fail = [&](qint64 line, const QString &what) {
        return makeError(QStringLiteral("%1:%2: %3").arg(sourceName).arg(line).arg(what));
    };

    const auto nextLine = [&](string_view &line) {
        if (p >= end)
            return false;
        const char *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        const char *lineEnd = nl ? nl : end;
        line = string_view(p, size_t(lineEnd - p));
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        p = nl ? nl + 1 : end;
        return true;
    };
    const auto isBlank = [](string_view s) {
        return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
    };

    string_view header;
    if (!nextLine(header) || (isBlank(header) && std::all_of(p, end, [](char c) {
                                  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
                              })))
        return fail(1, QStringLiteral("the file is empty; export the bars again (the first line must be a header: %1)")
                           .arg(QString::fromLatin1(kAcceptedHeaders)));

    Layout layout;
    if (!detectLayout(header, layout)) {
        QString hint;
        if (!header.empty() && (std::isdigit(static_cast<unsigned char>(header.front())) != 0))
            hint = QStringLiteral(" (it looks like a data row: the header line is missing)");
        return fail(1, QStringLiteral("unknown header %1%2; %3").arg(quoted(header), hint, QString::fromLatin1(kAcceptedHeaders)));
    }

    Bars bars;
    bars.reserve(size_t(std::count(p, end, '\n')) + 1);

    const qint64 offsetMs = options.serverUtcOffsetSeconds * 1000;
    const bool mt5 = layout.format != Format::BotDesk;
    const int priceCol = layout.format == Format::Mt5 ? 2 : 1;  // first price column
    Row row;
    qint64 lineNo = 1;
    qint64 prevLine = 0;
    string_view prevTimeText;
    string_view line;

    const auto colName = [&](int i) { return QString::fromLatin1(layout.names[size_t(i)]); };
    const auto notNumber = [&](int col, const char *kind) {
        return fail(lineNo, QStringLiteral("column '%1' is %2, not %3; fix or delete the row")
                                .arg(colName(col), quoted(trimSpaces(row.f[size_t(col)])), QString::fromLatin1(kind)));
    };

    while (nextLine(line)) {
        ++lineNo;
        if (isBlank(line)) {
            // Blank lines are tolerated only at the end of the file.
            const char *q = p;
            if (std::all_of(q, end, [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }))
                break;
            return fail(lineNo, QStringLiteral("blank line between data rows; delete it"));
        }
        splitFields(line, layout.sep, row);
        if (row.count != layout.columns) {
            return fail(lineNo, QStringLiteral("%1 columns, expected %2 (%3); fix or delete the row")
                                    .arg(row.count)
                                    .arg(layout.columns)
                                    .arg(expectedColumns(layout)));
        }

        Bar bar;
        // --- time
        if (!mt5) {
            qint64 seconds = 0;
            if (!parseInt(row.f[0], seconds))
                return notNumber(0, "a whole number of UTC epoch seconds");
            if (seconds < 0 || seconds > 32503680000LL) { // 3000-01-01
                return fail(lineNo, QStringLiteral("column 'time' is %1, outside 1970..3000%2; time must be UTC epoch seconds")
                                        .arg(quoted(trimSpaces(row.f[0])),
                                             seconds > 32503680000LL ? QStringLiteral(" (milliseconds?)") : QString()));
            }
            bar.timeMs = seconds * 1000;
        } else {
            qint64 days = 0;
            qint64 secs = 0;
            if (layout.format == Format::Mt5) {
                if (!parseMt5Date(row.f[0], days))
                    return notNumber(0, "a date YYYY.MM.DD");
                if (!parseMt5Time(row.f[1], secs))
                    return notNumber(1, "a time HH:MM or HH:MM:SS");
            } else {
                const string_view dt = trimSpaces(row.f[0]);
                const size_t space = dt.find(' ');
                if (space == string_view::npos || !parseMt5Date(dt.substr(0, space), days)
                    || !parseMt5Time(dt.substr(space + 1), secs))
                    return notNumber(0, "a date and time YYYY.MM.DD HH:MM[:SS]");
            }
            bar.timeMs = (days * 86400 + secs) * 1000 - offsetMs;
        }

        // --- prices
        double *const prices[4] = {&bar.open, &bar.high, &bar.low, &bar.close};
        for (int i = 0; i < 4; ++i) {
            const int col = priceCol + i;
            if (!parseDouble(row.f[size_t(col)], *prices[i]))
                return notNumber(col, "a number");
            if (!std::isfinite(*prices[i]) || *prices[i] <= 0.0) {
                return fail(lineNo, QStringLiteral("column '%1' is %2; prices must be positive finite numbers, fix or delete the row")
                                        .arg(colName(col), quoted(trimSpaces(row.f[size_t(col)]))));
            }
        }
        if (bar.high < bar.low || bar.high < std::max(bar.open, bar.close) || bar.low > std::min(bar.open, bar.close)) {
            return fail(lineNo, QStringLiteral("inconsistent prices open %1 high %2 low %3 close %4: need low <= open, close <= high; "
                                               "fix or delete the row")
                                    .arg(num(bar.open), num(bar.high), num(bar.low), num(bar.close)));
        }

        // --- volume / spread
        const int volCol = priceCol + 4;
        if (!parseCount(row.f[size_t(volCol)], bar.tickVolume))
            return notNumber(volCol, "a whole number");
        if (bar.tickVolume < 0)
            return fail(lineNo, QStringLiteral("column '%1' is negative (%2); volumes must be >= 0")
                                    .arg(colName(volCol), quoted(row.f[size_t(volCol)])));
        if (mt5) {
            qint64 realVolume = 0; // <VOL>: real (exchange) volume, 0 for forex; validated, not stored
            if (!parseCount(row.f[size_t(volCol + 1)], realVolume))
                return notNumber(volCol + 1, "a whole number");
        }
        if (layout.hasSpread) {
            const int spreadCol = layout.columns - 1;
            qint64 spread = 0;
            if (!parseCount(row.f[size_t(spreadCol)], spread))
                return notNumber(spreadCol, "a whole number of points");
            if (spread < 0 || spread > std::numeric_limits<int>::max())
                return fail(lineNo, QStringLiteral("column '%1' is %2; the spread must be >= 0 points")
                                        .arg(colName(spreadCol), quoted(row.f[size_t(spreadCol)])));
            bar.spreadPoints = int(spread);
        }

        // --- order
        if (!bars.empty() && bar.timeMs <= bars.back().timeMs) {
            const qint64 prevMs = bars.back().timeMs;
            const auto describe = [&](qint64 ms, string_view rawLine) {
                // Show the time as written in the file, plus UTC when they differ.
                Row r;
                splitFields(rawLine, layout.sep, r);
                QString written = QString::fromUtf8(trimSpaces(r.f[0]).data(), qsizetype(trimSpaces(r.f[0]).size()));
                if (layout.format == Format::Mt5)
                    written += QLatin1Char(' ') + QString::fromUtf8(trimSpaces(r.f[1]).data(), qsizetype(trimSpaces(r.f[1]).size()));
                return QStringLiteral("%1 (%2)").arg(written, utcText(ms));
            };
            if (bar.timeMs == prevMs) {
                return fail(lineNo, QStringLiteral("duplicate time %1, same as line %2; rows must have strictly increasing "
                                                   "times: delete the duplicate row")
                                        .arg(describe(bar.timeMs, line))
                                        .arg(prevLine));
            }
            return fail(lineNo, QStringLiteral("time out of order: %1 is before %2 on line %3; rows must have strictly "
                                               "increasing times: sort the file by time")
                                    .arg(describe(bar.timeMs, line), describe(prevMs, prevTimeText))
                                    .arg(prevLine));
        }
        prevLine = lineNo;
        prevTimeText = line;
        bars.push_back(bar);
    }

    if (bars.empty())
        return fail(2, QStringLiteral("no bars after the header; the file holds no data, export the bars again"));
    return bars;
}

Result<Bars> loadBars(const QString &path, const BarLoadOptions &options)
{
    QElapsedTimer timer;
    timer.start();

    const QFileInfo info(path);
    if (info.isDir())
        return makeError(QStringLiteral("%1:0: is a directory, not a bar file; pass the path of a .csv or .csv.gz file").arg(path));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(QStringLiteral("%1:0: cannot open the file (%2); check the path and the permissions")
                             .arg(path, file.errorString()));
    }
    QByteArray raw = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return makeError(QStringLiteral("%1:0: cannot read the file (%2); check the disk and the permissions").arg(path, file.errorString()));
    file.close();

    QByteArray text;
    const bool gz = hasGzipMagic(raw);
    if (gz) {
        QString zerr;
        qint64 goodLines = 0;
        if (!gunzip(raw, text, zerr, goodLines)) {
            return makeError(QStringLiteral("%1:%2: %3 after %4 complete lines; re-download the file or recompress it (gzip -t tests it)")
                                 .arg(path)
                                 .arg(goodLines + 1)
                                 .arg(zerr)
                                 .arg(goodLines));
        }
    } else {
        text = std::move(raw);
    }
    const qint64 readMs = timer.elapsed();

    Result<Bars> result = parseBars(text, path, options);
    if (!result.ok()) {
        if (!gz && path.endsWith(QStringLiteral(".gz"), Qt::CaseInsensitive) && result.error().message.contains(QStringLiteral("unknown header")))
            return makeError(result.error().message + QStringLiteral(" (the name ends in .gz but the file is not gzip-compressed)"));
        return result;
    }
    const Bars &bars = result.value();
    dataLog().info("loaded {} bars from {} in {} ms (read{} {} ms, parse {} ms); {} .. {}", bars.size(), path.toStdString(),
                   timer.elapsed(), gz ? "+gunzip" : "", readMs, timer.elapsed() - readMs,
                   utcText(bars.front().timeMs).toStdString(), utcText(bars.back().timeMs).toStdString());
    return result;
}

} // namespace bd
