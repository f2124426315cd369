#include "tickfile.h"

#include <zlib.h>

#include <QByteArray>
#include <QFile>
#include <QFileInfo>
#include <QList>

#include <cmath>

namespace bd::mt5sim {

Result<std::vector<SimTick>> loadTickFile(const QString &path, qint64 shiftMsc)
{
    const QFileInfo info(path);
    if (!info.isFile())
        return makeError(QStringLiteral("%1:0: no such tick file; give a CSV (or .csv.gz) with the header "
                                        "time_ms,bid,ask,bid_volume,ask_volume").arg(path));
    gzFile f = gzopen(QFile::encodeName(path).constData(), "rb");  // reads plain files too
    if (!f)
        return makeError(QStringLiteral("%1:0: cannot open the tick file; check its permissions").arg(path));
    std::vector<SimTick> ticks;
    QByteArray line(1 << 16, '\0');
    int lineNo = 0;
    qint64 last = std::numeric_limits<qint64>::min();
    double prevBid = 0, prevAsk = 0;
    while (gzgets(f, line.data(), int(line.size()))) {
        ++lineNo;
        const QByteArray row = QByteArray(line.constData()).trimmed();
        if (row.isEmpty())
            continue;
        if (lineNo == 1) {
            if (!row.startsWith("time_ms,bid,ask")) {
                gzclose(f);
                return makeError(QStringLiteral("%1:1: header is not time_ms,bid,ask,...; give a Dukascopy-style tick "
                                                "CSV").arg(path));
            }
            continue;
        }
        const QList<QByteArray> cols = row.split(',');
        bool okT = false, okB = false, okA = false;
        SimTick t;
        t.timeMsc = cols.size() >= 3 ? cols[0].toLongLong(&okT) : 0;
        t.bid = cols.size() >= 3 ? cols[1].toDouble(&okB) : 0;
        t.ask = cols.size() >= 3 ? cols[2].toDouble(&okA) : 0;
        if (!okT || !okB || !okA || !(t.bid > 0) || !(t.ask >= t.bid) || !std::isfinite(t.ask) || t.timeMsc < last) {
            gzclose(f);
            return makeError(QStringLiteral("%1:%2: bad tick row (need time_ms increasing, 0 < bid ≤ ask); fix or "
                                            "delete the row").arg(path).arg(lineNo));
        }
        last = t.timeMsc;
        t.timeMsc += shiftMsc;
        t.flags = ticks.empty() ? 6 : ((t.bid != prevBid ? 2 : 0) | (t.ask != prevAsk ? 4 : 0));
        prevBid = t.bid;
        prevAsk = t.ask;
        ticks.push_back(t);
    }
    gzclose(f);
    if (ticks.empty())
        return makeError(QStringLiteral("%1:0: the tick file has no rows; give a file with ticks").arg(path));
    return ticks;
}

} // namespace bd::mt5sim
