#include "barparser.h"

#include "quotedtext.h"
#include "reportformat.h"

#include <QStringList>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>

namespace bd {
namespace {

using std::string_view;

constexpr qint64 kMaxEpochSeconds = 32503680000LL;  // 3000-01-01 00:00:00 UTC
constexpr qint64 kMaxEpochMs = kMaxEpochSeconds * 1000;
constexpr qint64 kMaxTickVolume = 4294967295LL;       // Bar::tickVolume is 32-bit

// How a field parsed: the true reason is reported ("out of range" is not "not a number").
enum class Num { Ok, Bad, OutOfRange };

inline string_view trimSpaces(string_view s)
{
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

template <typename T>
inline Num parseWithFromChars(string_view s, T &out)
{
    s = trimSpaces(s);
    if (s.empty())
        return Num::Bad;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ptr != s.data() + s.size())
        return Num::Bad;
    if (ec == std::errc::result_out_of_range)
        return Num::OutOfRange;
    return ec == std::errc() ? Num::Ok : Num::Bad;
}

// Digits only (1..18 of them, so no overflow), ending at the first other byte.
inline bool scanWhole(const char *&p, const char *end, qint64 &out)
{
    const char *const start = p;
    const char *const limit = p + std::min<std::ptrdiff_t>(end - p, 18);
    qint64 value = 0;
    for (; p < limit && unsigned(*p - '0') < 10; ++p)
        value = value * 10 + (*p - '0');
    out = value;
    return p > start && !(p < end && unsigned(*p - '0') < 10);
}

// "digits[.digits]" within Clinger's fast path, ending at the first other byte: with a mantissa m <= 2^53 and
// k <= 22 decimals, m and 10^k are exact doubles and one IEEE division m / 10^k is correctly rounded, as
// from_chars is (W. D. Clinger, "How to read floating point numbers accurately", PLDI 1990).
inline bool scanDecimal(const char *&p, const char *end, double &out)
{
    static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    quint64 mantissa = 0;
    int digits = 0;
    int decimals = 0;
    for (; p < end && unsigned(*p - '0') < 10; ++p, ++digits)
        mantissa = mantissa * 10 + unsigned(*p - '0');
    if (digits == 0)
        return false;
    if (p < end && *p == '.') {
        for (++p; p < end && unsigned(*p - '0') < 10; ++p, ++digits, ++decimals)
            mantissa = mantissa * 10 + unsigned(*p - '0');
    }
    if (digits > 19 || decimals > 22 || mantissa > (quint64(1) << 53))
        return false;
    out = double(mantissa) / kPow10[decimals];
    return true;
}

// Fast paths for what bar files hold (plain digits, "1.10427"), giving exactly what from_chars gives
// (numbersReadExactlyAsFromChars); anything else (spaces, signs, exponents, long mantissas) goes to from_chars.
inline Num parseNumber(string_view s, double &out)
{
    const char *p = s.data();
    if (scanDecimal(p, s.data() + s.size(), out) && p == s.data() + s.size())
        return Num::Ok;
    return parseWithFromChars(s, out);
}

inline Num parseNumber(string_view s, qint64 &out)
{
    const char *p = s.data();
    if (scanWhole(p, s.data() + s.size(), out) && p == s.data() + s.size())
        return Num::Ok;
    return parseWithFromChars(s, out);
}

// Volume columns: whole numbers, but "12.0" (written by some tools) is accepted too, up to 9e15.
inline Num parseCount(string_view s, qint64 &out)
{
    const Num asInt = parseNumber(s, out);
    if (asInt != Num::Bad)
        return asInt;
    double d = 0;
    const Num asDouble = parseNumber(s, d);
    if (asDouble != Num::Ok)
        return asDouble;
    if (!std::isfinite(d) || d != std::floor(d))
        return Num::Bad;
    if (std::fabs(d) > 9e15)
        return Num::OutOfRange;
    out = static_cast<qint64>(d);
    return Num::Ok;
}

inline bool twoDigits(const char *p, int &out)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return false;
    out = (p[0] - '0') * 10 + (p[1] - '0');
    return true;
}

// "YYYY.MM.DD" -> days since 1970-01-01 (negative before it; the range is checked on the final time).
inline bool parseMt5Date(string_view s, qint64 &daysOut)
{
    s = trimSpaces(s);
    if (s.size() != 10 || s[4] != '.' || s[7] != '.')
        return false;
    int hi = 0, lo = 0, m = 0, d = 0;
    if (!twoDigits(s.data(), hi) || !twoDigits(s.data() + 2, lo) || !twoDigits(s.data() + 5, m)
        || !twoDigits(s.data() + 8, d))
        return false;
    const std::chrono::year_month_day date{std::chrono::year{hi * 100 + lo}, std::chrono::month{unsigned(m)},
                                           std::chrono::day{unsigned(d)}};
    if (!date.ok())
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

inline bool isBlank(string_view s)
{
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

QString num(double v) { return QString::number(v, 'g', 15); }

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

const char *const kBotDeskHeader = "time,open,high,low,close,volume";
const char *const kAcceptedHeaders =
    "expected the BotDesk CSV header 'time,open,high,low,close,volume' (optionally ',spread'), or the "
    "MetaTrader 5 export header '<DATE> <TIME> <OPEN> <HIGH> <LOW> <CLOSE> <TICKVOL> <VOL> <SPREAD>' "
    "(tab- or comma-separated; '<TIME>' may be omitted when '<DATE>' holds 'YYYY.MM.DD HH:MM:SS')";

} // namespace

BarParser::BarParser(QString sourceName, const BarLoadOptions &options) : m_source(std::move(sourceName))
{
    if (auto ok = checkBarLoadOptions(options); !ok) {
        fail(0, ok.error().message);  // every feed()/finish() returns it; no arithmetic on the bad value
        return;
    }
    m_offsetMs = options.serverUtcOffsetSeconds * 1000;  // |offset| <= 14 h: no overflow
    m_maxBars = options.maxBars;
}

// ---------------------------------------------------------------------------------------------
// Errors

Error BarParser::failure(qint64 line, const QString &what) const
{
    return makeError(QStringLiteral("%1:%2: %3").arg(m_source).arg(line).arg(what));
}

bool BarParser::fail(qint64 line, const QString &what)
{
    m_failed = true;
    m_error = failure(line, what);
    return false;
}

bool BarParser::badField(int col, const char *expected)
{
    return fail(m_lineNo, QStringLiteral("column '%1' is %2, not %3; fix or delete the row")
                              .arg(colName(col), quotedText(trimSpaces(m_row.f[size_t(col)])), QString::fromLatin1(expected)));
}

bool BarParser::outOfRange(int col, const QString &rule)
{
    return fail(m_lineNo, QStringLiteral("column '%1' is %2, out of range; %3")
                              .arg(colName(col), quotedText(trimSpaces(m_row.f[size_t(col)])), rule));
}

// The message does not depend on where the pieces were cut: an unended line is not measured further.
bool BarParser::lineTooLong(qint64 line, string_view start, size_t bytes, bool ended)
{
    return fail(line, QStringLiteral("line longer than %1 KiB (%2), starting %3; not a bar file, whose rows are "
                                     "under 200 bytes: check that this is the right file")
                          .arg(kMaxLineBytes / 1024)
                          .arg(ended ? QStringLiteral("%1 bytes").arg(bytes)
                                     : QStringLiteral("no line end within its first %1 bytes").arg(kMaxLineBytes))
                          .arg(quotedText(start.substr(0, 40))));
}

QString BarParser::expectedColumns() const
{
    QStringList names;
    for (int i = 0; i < m_layout.columns; ++i)
        names << colName(i);
    return names.join(m_layout.sep == '\t' ? QStringLiteral(" ") : QStringLiteral(","));
}

// The time as written in the file, plus UTC when they differ.
QString BarParser::describeTime(qint64 timeMs, string_view rawLine) const
{
    Row r;
    splitFields(rawLine, m_layout.sep, r);
    const auto field = [&](size_t i) {
        const string_view f = trimSpaces(r.f[i]);
        return QString::fromUtf8(f.data(), qsizetype(f.size()));
    };
    QString written = field(0);
    if (m_layout.format == Format::Mt5)
        written += QLatin1Char(' ') + field(1);
    return QStringLiteral("%1 (%2)").arg(written, report::utcSecond(timeMs));
}

// ---------------------------------------------------------------------------------------------
// Header

void BarParser::splitFields(string_view line, char sep, Row &row)
{
    // A plain byte loop: fields are a few bytes long, too short for a memchr call per field to pay.
    int count = 0;
    size_t start = 0;
    for (size_t i = 0; i < line.size(); ++i) {
        if (line[i] != sep)
            continue;
        if (count < kMaxFields)
            row.f[size_t(count)] = line.substr(start, i - start);
        ++count;
        start = i + 1;
    }
    if (count < kMaxFields)
        row.f[size_t(count)] = line.substr(start);
    row.count = count + 1;
}

bool BarParser::detectLayout(string_view header, Layout &layout)
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
    const auto matches = [&](size_t skip) {
        if (size_t(row.count) != kMt5.size() - skip)
            return false;
        for (size_t i = 0, j = 0; i < kMt5.size(); ++i) {
            if (skip && i == 1)
                continue;  // no <TIME> column
            if (!equalsIgnoreCase(trimSpaces(row.f[j++]), kMt5[i]))
                return false;
        }
        return true;
    };
    layout.sep = sep;
    layout.hasSpread = true;
    if (matches(0)) {
        layout.format = Format::Mt5;
        layout.columns = 9;
        layout.names = {"<DATE>", "<TIME>", "<OPEN>", "<HIGH>", "<LOW>", "<CLOSE>", "<TICKVOL>", "<VOL>", "<SPREAD>"};
        return true;
    }
    if (matches(1)) {
        layout.format = Format::Mt5DateTime;
        layout.columns = 8;
        layout.names = {"<DATE>", "<OPEN>", "<HIGH>", "<LOW>", "<CLOSE>", "<TICKVOL>", "<VOL>", "<SPREAD>"};
        return true;
    }
    return false;
}

bool BarParser::parseHeader(string_view line)
{
    if (detectLayout(line, m_layout)) {
        m_haveHeader = true;
        return true;
    }
    QString hint;
    if (!line.empty() && line.front() >= '0' && line.front() <= '9')
        hint = QStringLiteral(" (it looks like a data row: the header line is missing)");
    else if (line.substr(0, 4) == string_view("PK\x03\x04", 4))
        hint = QStringLiteral(" (it is a zip archive: unzip it and pass the .csv inside)");
    return fail(1, QStringLiteral("unknown header %1%2; %3").arg(quotedText(line), hint, QString::fromLatin1(kAcceptedHeaders)));
}

// ---------------------------------------------------------------------------------------------
// Lines

Result<void> BarParser::feed(string_view text)
{
    if (m_failed)
        return m_error;
    if (text.empty())
        return {};  // (its data() may be null: not for memchr)
    const char *p = text.data();
    const char *const end = p + text.size();
    if (!m_carry.empty()) {
        const char *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        m_carry.append(p, nl ? nl : end);
        if (!nl) {
            if (m_carry.size() > kMaxLineBytes)
                lineTooLong(m_lineNo + 1, m_carry, m_carry.size(), false);
            return m_failed ? Result<void>(m_error) : Result<void>();
        }
        p = nl + 1;
        const bool ok = parseLine(m_carry);
        keepPreviousLine();  // it may point into m_carry
        m_carry.clear();
        if (!ok)
            return m_error;
    }
    while (p < end) {
        const char *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        if (!nl) {
            if (size_t(end - p) > kMaxLineBytes) {
                lineTooLong(m_lineNo + 1, string_view(p, size_t(end - p)), size_t(end - p), false);
                return m_error;
            }
            m_carry.assign(p, end);
            break;
        }
        if (!parseLine(string_view(p, size_t(nl - p))))
            return m_error;
        p = nl + 1;
    }
    keepPreviousLine();
    return {};
}

Result<void> BarParser::finish()
{
    if (m_failed)
        return m_error;
    if (!m_carry.empty()) {
        const std::string last = std::move(m_carry);
        m_carry.clear();
        if (!parseLine(last))
            return m_error;
        keepPreviousLine();
    }
    if (!m_haveHeader) {
        fail(1, QStringLiteral("the file is empty; export the bars again (the first line must be a header: %1)")
                    .arg(QString::fromLatin1(kAcceptedHeaders)));
        return m_error;
    }
    if (m_bars.empty()) {
        fail(2, QStringLiteral("no bars after the header; the file holds no data, export the bars again"));
        return m_error;
    }
    return {};
}

void BarParser::keepPreviousLine()
{
    if (!m_prevLine.empty() && m_prevLine.data() != m_prevStore.data()) {
        m_prevStore.assign(m_prevLine);
        m_prevLine = m_prevStore;
    }
}

bool BarParser::parseLine(string_view line)
{
    ++m_lineNo;
    m_textDone += qint64(line.size()) + 1;
    if (line.size() > kMaxLineBytes)
        return lineTooLong(m_lineNo, line, line.size(), true);
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    if (isBlank(line)) [[unlikely]] {
        if (m_blankRunStart == 0)
            m_blankRunStart = m_lineNo;
        if (++m_blankRun <= kMaxBlankLines)
            return true;
        if (!m_haveHeader) {
            return fail(1, QStringLiteral("the file starts with more than %1 blank lines: not a bar file; %2")
                               .arg(kMaxBlankLines)
                               .arg(QString::fromLatin1(kAcceptedHeaders)));
        }
        if (m_bars.empty()) {
            return fail(m_blankRunStart, QStringLiteral("no bars after the header but more than %1 blank lines: not a bar file; "
                                                        "export the bars again")
                                             .arg(kMaxBlankLines));
        }
        return fail(m_blankRunStart, QStringLiteral("more than %1 blank lines from here: blank lines are accepted only at the "
                                                    "end of the file, %1 at most; delete them")
                                         .arg(kMaxBlankLines));
    }
    if (m_blankRunStart != 0) [[unlikely]] {
        if (!m_haveHeader)
            return fail(1, QStringLiteral("the first line is blank; the header must be on the first line: delete the blank "
                                          "lines above it"));
        return fail(m_blankRunStart, QStringLiteral("blank line between data rows; delete it"));
    }
    if (!m_haveHeader) [[unlikely]]
        return parseHeader(line);
    return parseRow(line);
}

// ---------------------------------------------------------------------------------------------
// Rows

bool BarParser::parseRow(string_view line)
{
    Bar bar;
    if (!(m_layout.format == Format::BotDesk && readPlainBotDeskRow(line, bar)) && !readRow(line, bar))
        return false;
    return keepBar(bar, line);
}

// The common case in one pass: a BotDesk row of plain numbers (no spaces, signs or exponents) that keeps every
// rule. Returns false for anything else, which readRow() then parses or rejects with the reason: so a row
// reads the same either way (the same values as from_chars, see numbersReadExactlyAsFromChars).
bool BarParser::readPlainBotDeskRow(string_view line, Bar &bar) const
{
    const char *p = line.data();
    const char *const end = p + line.size();
    qint64 seconds = 0;
    if (!scanWhole(p, end, seconds) || seconds > kMaxEpochSeconds)
        return false;
    double *const prices[4] = {&bar.open, &bar.high, &bar.low, &bar.close};
    for (double *price : prices) {
        if (p == end || *p++ != ',' || !scanDecimal(p, end, *price) || *price <= 0.0)
            return false;
    }
    qint64 ticks = 0;
    if (p == end || *p++ != ',' || !scanWhole(p, end, ticks) || ticks < 0 || ticks > kMaxTickVolume)
        return false;
    bar.tickVolume = quint32(ticks);
    if (m_layout.hasSpread) {
        qint64 spread = 0;
        if (p == end || *p++ != ',' || !scanWhole(p, end, spread) || spread > std::numeric_limits<int>::max())
            return false;
        bar.spreadPoints = int(spread);
    }
    if (p != end || bar.high < bar.low || bar.high < std::max(bar.open, bar.close) || bar.low > std::min(bar.open, bar.close))
        return false;
    bar.timeMs = seconds * 1000;
    return true;
}

// Any row of the layout, field by field, failing with the reason.
bool BarParser::readRow(string_view line, Bar &bar)
{
    Row &row = m_row;
    splitFields(line, m_layout.sep, row);
    if (row.count != m_layout.columns) {
        return fail(m_lineNo, QStringLiteral("%1 columns, expected %2 (%3); fix or delete the row")
                                  .arg(row.count)
                                  .arg(m_layout.columns)
                                  .arg(expectedColumns()));
    }

    bar = Bar{};
    // --- time
    const bool mt5 = m_layout.format != Format::BotDesk;
    if (!mt5) {
        qint64 seconds = 0;
        const Num n = parseNumber(row.f[0], seconds);
        if (n == Num::Bad)
            return badField(0, "a whole number of UTC epoch seconds");
        if (n == Num::OutOfRange || seconds < 0 || seconds > kMaxEpochSeconds) {
            const bool millis = n == Num::Ok && seconds > kMaxEpochSeconds && seconds <= kMaxEpochMs;
            return outOfRange(0, QStringLiteral("time must be UTC epoch seconds from 1970 to 3000%1; fix or delete the row")
                                     .arg(millis ? QStringLiteral(" (these look like milliseconds: divide by 1000)") : QString()));
        }
        bar.timeMs = seconds * 1000;
    } else {
        qint64 days = 0;
        qint64 secs = 0;
        if (m_layout.format == Format::Mt5) {
            if (!parseMt5Date(row.f[0], days))
                return badField(0, "a date YYYY.MM.DD");
            if (!parseMt5Time(row.f[1], secs))
                return badField(1, "a time HH:MM or HH:MM:SS");
        } else {
            const string_view dt = trimSpaces(row.f[0]);
            const size_t space = dt.find(' ');
            if (space == string_view::npos || !parseMt5Date(dt.substr(0, space), days)
                || !parseMt5Time(dt.substr(space + 1), secs))
                return badField(0, "a date and time YYYY.MM.DD HH:MM[:SS]");
        }
        // |days| < 3.7 M (years 0000..9999) and |offset| <= 14 h: no overflow.
        bar.timeMs = (days * 86400 + secs) * 1000 - m_offsetMs;
        if (bar.timeMs < 0 || bar.timeMs > kMaxEpochMs) {
            return outOfRange(0, QStringLiteral("bar times must fall from 1970 to 3000 UTC%1; fix or delete the row")
                                     .arg(m_offsetMs != 0 ? QStringLiteral(" (after the server UTC offset of %1 s)").arg(m_offsetMs / 1000)
                                                          : QString()));
        }
    }

    // --- prices
    const int priceCol = m_layout.format == Format::Mt5 ? 2 : 1;  // first price column
    double *const prices[4] = {&bar.open, &bar.high, &bar.low, &bar.close};
    for (int i = 0; i < 4; ++i) {
        const int col = priceCol + i;
        const Num n = parseNumber(row.f[size_t(col)], *prices[i]);
        if (n == Num::Bad)
            return badField(col, "a number");
        if (n == Num::OutOfRange)
            return outOfRange(col, QStringLiteral("prices must be positive finite numbers, fix or delete the row"));
        if (!std::isfinite(*prices[i]) || *prices[i] <= 0.0) {
            return fail(m_lineNo, QStringLiteral("column '%1' is %2; prices must be positive finite numbers, fix or delete the row")
                                      .arg(colName(col), quotedText(trimSpaces(row.f[size_t(col)]))));
        }
    }
    if (bar.high < bar.low || bar.high < std::max(bar.open, bar.close) || bar.low > std::min(bar.open, bar.close)) {
        return fail(m_lineNo, QStringLiteral("inconsistent prices open %1 high %2 low %3 close %4: need low <= open, close <= high; "
                                             "fix or delete the row")
                                  .arg(num(bar.open), num(bar.high), num(bar.low), num(bar.close)));
    }

    // --- volume / spread
    const int volCol = priceCol + 4;
    qint64 ticks = 0;
    const Num vol = parseCount(row.f[size_t(volCol)], ticks);
    if (vol == Num::Bad)
        return badField(volCol, "a whole number");
    if (vol == Num::OutOfRange || ticks > kMaxTickVolume)
        return outOfRange(volCol, QStringLiteral("volumes must be whole numbers from 0 to 4294967295 (ticks per bar), fix or delete the row"));
    if (ticks < 0)
        return fail(m_lineNo, QStringLiteral("column '%1' is negative (%2); volumes must be >= 0")
                                  .arg(colName(volCol), quotedText(trimSpaces(row.f[size_t(volCol)]))));
    bar.tickVolume = quint32(ticks);
    if (mt5) {
        qint64 realVolume = 0;  // <VOL>: real (exchange) volume, 0 for forex; validated, not stored
        const Num real = parseCount(row.f[size_t(volCol + 1)], realVolume);
        if (real == Num::Bad)
            return badField(volCol + 1, "a whole number");
        if (real == Num::OutOfRange)
            return outOfRange(volCol + 1, QStringLiteral("volumes must be whole numbers from 0 to 9e15, fix or delete the row"));
    }
    if (m_layout.hasSpread) {
        const int spreadCol = m_layout.columns - 1;
        qint64 spread = 0;
        const Num n = parseCount(row.f[size_t(spreadCol)], spread);
        if (n == Num::Bad)
            return badField(spreadCol, "a whole number of points");
        if (n == Num::OutOfRange || spread > std::numeric_limits<int>::max())
            return outOfRange(spreadCol, QStringLiteral("the spread must be 0 to 2147483647 points, fix or delete the row"));
        if (spread < 0)
            return fail(m_lineNo, QStringLiteral("column '%1' is %2; the spread must be >= 0 points")
                                      .arg(colName(spreadCol), quotedText(trimSpaces(row.f[size_t(spreadCol)]))));
        bar.spreadPoints = int(spread);
    }
    return true;
}

// Keeps a bar read from `line` if its time is after the previous bar's.
bool BarParser::keepBar(const Bar &bar, string_view line)
{
    if (!m_bars.empty() && bar.timeMs <= m_bars.back().timeMs) {
        const qint64 prevMs = m_bars.back().timeMs;
        if (bar.timeMs == prevMs) {
            return fail(m_lineNo, QStringLiteral("duplicate time %1, same as line %2; rows must have strictly increasing "
                                                 "times: delete the duplicate row")
                                      .arg(describeTime(bar.timeMs, line))
                                      .arg(m_prevLineNo));
        }
        return fail(m_lineNo, QStringLiteral("time out of order: %1 is before %2 on line %3; rows must have strictly "
                                             "increasing times: sort the file by time")
                                  .arg(describeTime(bar.timeMs, line), describeTime(prevMs, m_prevLine))
                                  .arg(m_prevLineNo));
    }
    if (m_bars.size() == m_growAt) [[unlikely]] {
        if (!reserveMore())
            return false;
    }
    m_prevLineNo = m_lineNo;
    m_prevLine = line;
    m_bars.push_back(bar);
    return true;
}

// ---------------------------------------------------------------------------------------------
// Capacity

bool BarParser::reserveMore()
{
    const size_t n = m_bars.size();
    if (qint64(n) >= m_maxBars) {
        return fail(m_lineNo, QStringLiteral("more than %1 bars: over the loader's limit (BarLoadOptions::maxBars); "
                                             "split the file or load a shorter period")
                                  .arg(m_maxBars));
    }
    const size_t limit = size_t(m_maxBars);
    size_t target = 0;
    if (m_expectedTextBytes > 0 && n >= 1024) {
        // Measured mean row length into the whole text's expected size. The estimate drifts by a few % as the
        // file goes on (the compression ratio varies), so room for 10 % more is reserved at once, and only an
        // estimate beyond the capacity moves the bars: pages reserved but never written cost no memory.
        const double bytesPerBar = double(m_textDone) / double(n);
        const double estimate = double(m_expectedTextBytes) / bytesPerBar + 1024.0;
        if (estimate * 1.02 > double(m_bars.capacity()))
            target = size_t(std::min(estimate * 1.10, double(limit)));
    }
    if (n == m_bars.capacity())
        target = std::max(target, n < 1024 ? size_t(1024) : n + n / 2);  // full: grow anyway
    target = std::min(target, limit);
    if (target > m_bars.capacity()) {
        try {
            m_bars.reserve(target);
        } catch (const std::bad_alloc &) {
            m_bars.reserve(std::min(limit, n + n / 2 + 1));  // an estimate too greedy for this machine
        }
    }
    // Look again at 4× the size (the estimate sharpens as more is read), or when full.
    m_growAt = std::min({m_bars.capacity(), limit, std::max<size_t>(n * 4, 1024)});
    return true;
}

} // namespace bd
