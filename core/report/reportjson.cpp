#include "reportjson.h"

#include "backtestjson.h"

#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace bd {
namespace {

// Appends `value` as compact JSON text (strings escaped by Qt's own writer).
void appendJson(QByteArray &out, const QJsonValue &value)
{
    // QJsonDocument serialises only arrays and objects: wrap the value, then drop the brackets.
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    out.append(text.constData() + 1, text.size() - 2);
}

// Streams a JSON array: one element per line, written to `out` in blocks so the text never grows with the run.
class ArrayWriter {
public:
    ArrayWriter(QIODevice &out, QByteArray &buffer, const char *key) : m_out(out), m_buffer(buffer)
    {
        m_buffer += ",\n  \"";
        m_buffer += key;
        m_buffer += "\": [";
    }
    void add(const QJsonValue &value)
    {
        m_buffer += m_first ? "\n    " : ",\n    ";
        m_first = false;
        appendJson(m_buffer, value);
        if (m_buffer.size() > (1 << 16))
            flush();
    }
    void close() { m_buffer += m_first ? "]" : "\n  ]"; }
    void flush()
    {
        m_ok = m_ok && m_out.write(m_buffer) == m_buffer.size();
        m_buffer.clear();
    }
    bool ok() const { return m_ok; }

private:
    QIODevice &m_out;
    QByteArray &m_buffer;
    bool m_first = true;
    bool m_ok = true;
};

} // namespace

bool writeBacktestReportJson(QIODevice &out, const BacktestResult &r, const QJsonObject &params, int maxCurvePoints)
{
    const QJsonObject head{
        {"format", "botdesk.backtest.v1"},
        {"symbol", r.symbol},
        {"strategy", r.strategy},
        {"params", params},
        {"config", configToJson(r.config)},
        {"bars", r.barsProcessed},
        {"first_bar_time_ms", r.firstBarTimeMs},
        {"last_bar_time_ms", r.lastBarTimeMs},
        {"cancelled", r.cancelled},
        {"rejected_orders", r.rejectedOrders},
        {"off_grid_bars", r.offGridBars},
        {"warnings", QJsonArray::fromStringList(r.warnings)},
        {"stats", statsToJson(r.stats)},
    };
    // The small part as one object, its closing brace replaced by the streamed arrays.
    QByteArray buffer = QJsonDocument(head).toJson(QJsonDocument::Indented);
    buffer.chop(buffer.endsWith("}\n") ? 2 : 1);
    while (buffer.endsWith('\n'))
        buffer.chop(1);
    bool ok = true;

    ArrayWriter trades(out, buffer, "trades");
    for (const Trade &t : r.trades)
        trades.add(tradeToJson(t));
    trades.close();
    ok = ok && trades.ok();

    ArrayWriter curve(out, buffer, "equity_curve");
    const size_t n = r.equity.size();
    const size_t buckets = std::max<size_t>(1, size_t(std::max(1, maxCurvePoints)));
    const size_t perBucket = std::max<size_t>(1, (n + buckets - 1) / buckets);
    for (size_t start = 0; start < n; start += perBucket) {
        const size_t end = std::min(n, start + perBucket);
        double low = r.equity[start].equityLow;
        for (size_t i = start + 1; i < end; ++i)
            low = std::min(low, r.equity[i].equityLow);
        const EquityPoint &last = r.equity[end - 1];
        curve.add(QJsonArray{last.timeMs, last.balance, last.equity, low});
    }
    curve.close();
    ok = ok && curve.ok();

    ArrayWriter journal(out, buffer, "journal");
    for (const QString &line : r.journal)
        journal.add(line);
    journal.close();
    buffer += "\n}\n";
    journal.flush();
    return ok && journal.ok();
}

} // namespace bd
