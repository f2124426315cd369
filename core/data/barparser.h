#pragma once
// BarParser: bar-file text -> Bars, fed piece by piece (a line may span pieces). The formats and rules are
// those of barloader.h; this is the streaming engine behind loadBars and parseBars.
//
// Memory: the bars kept, plus the one line that spans two pieces (at most kMaxLineBytes).
// Limits, each failing fast with the line that breaks it:
//  * a line longer than kMaxLineBytes (64 KiB; a bar row is under 200 bytes, an MT5 header ~60);
//  * more than kMaxBlankLines (1000) blank lines in a row: blank lines are accepted only at the end of the
//    file, so a file of a header and millions of blank lines fails after 1000 of them, not at its end;
//  * more than BarLoadOptions::maxBars bars.
// Capacity for the bars is reserved from an estimate: the expected text size (setExpectedTextBytes, from the
// real file size and the compression ratio measured so far) ÷ the mean row length measured so far, +10 %
// (reserved pages never written cost no memory), never above maxBars, never from a count written in the file.
// The estimate is checked again at 4×, 16×... 1024 bars; if it still falls short the vector grows by half.

#include "bar.h"
#include "barloader.h"
#include "result.h"

#include <QString>

#include <array>
#include <string>
#include <string_view>

namespace bd {

class BarParser {
public:
    static constexpr size_t kMaxLineBytes = 64 * 1024;
    static constexpr qint64 kMaxBlankLines = 1000;

    // `sourceName` starts every error message ("<sourceName>:<line>: <what>; <fix>"). Options that fail
    // checkBarLoadOptions make every call fail with that error (line 0).
    BarParser(QString sourceName, const BarLoadOptions &options);

    // Parses the next piece of text. After the first error every call returns it again.
    Result<void> feed(std::string_view text);
    // The text is complete: parses a last line without '\n' and checks that there were bars.
    Result<void> finish();

    // Lines begun so far (the line being parsed, or that failed, is this number).
    qint64 lineNumber() const { return m_lineNo; }
    // Hint for reserving capacity: the whole text's size in bytes (0 = unknown).
    void setExpectedTextBytes(qint64 bytes) { m_expectedTextBytes = bytes; }
    qint64 barCount() const { return qint64(m_bars.size()); }
    Bars takeBars() { return std::move(m_bars); }

private:
    enum class Format { BotDesk, Mt5, Mt5DateTime };
    static constexpr int kMaxFields = 12;
    struct Row {
        std::array<std::string_view, kMaxFields> f;
        int count = 0;  // fields found (may exceed kMaxFields: then only the first ones are kept)
    };
    struct Layout {
        Format format = Format::BotDesk;
        char sep = ',';
        int columns = 0;
        bool hasSpread = false;
        std::array<const char *, kMaxFields> names{};
    };

    // Each returns false after recording the error (m_error): no Result per line on the hot path.
    bool parseLine(std::string_view line);
    bool parseHeader(std::string_view line);
    bool parseRow(std::string_view line);
    bool readPlainBotDeskRow(std::string_view line, Bar &bar) const;
    bool readRow(std::string_view line, Bar &bar);
    bool keepBar(const Bar &bar, std::string_view line);
    bool reserveMore();
    bool fail(qint64 line, const QString &what);
    bool badField(int col, const char *expected);
    bool outOfRange(int col, const QString &rule);
    bool lineTooLong(qint64 line, std::string_view start, size_t bytes, bool ended);
    Error failure(qint64 line, const QString &what) const;
    void keepPreviousLine();
    QString describeTime(qint64 timeMs, std::string_view rawLine) const;
    QString expectedColumns() const;
    QString colName(int i) const { return QString::fromLatin1(m_layout.names[size_t(i)]); }

    static bool detectLayout(std::string_view header, Layout &layout);
    static void splitFields(std::string_view line, char sep, Row &row);

    QString m_source;
    qint64 m_offsetMs = 0;
    qint64 m_maxBars = 0;
    qint64 m_expectedTextBytes = 0;

    bool m_haveHeader = false;
    Layout m_layout;
    Row m_row;
    qint64 m_lineNo = 0;
    qint64 m_textDone = 0;          // bytes of the lines parsed so far, '\n' included
    qint64 m_blankRunStart = 0;     // first line of the current run of blank lines, 0 when none
    qint64 m_blankRun = 0;
    std::string m_carry;            // a line begun in the previous piece
    std::string_view m_prevLine;    // the last row kept (for time-order messages)...
    std::string m_prevStore;        // ...copied here when its piece goes away
    qint64 m_prevLineNo = 0;
    Bars m_bars;
    size_t m_growAt = 0;            // bar count at which reserveMore() looks at the capacity again
    bool m_failed = false;
    Error m_error;
};

} // namespace bd
