#include "liveparity.h"

#include <QDateTime>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <map>

namespace bd {

namespace {

constexpr qint64 kMinuteMs = 60'000;
constexpr int kJournalLimit = 1000;  // BacktestResult::journal: the first 1,000 lines

// "yyyy-MM-dd hh:mm UTC: order rejected: BUY at ..." -> the minute (UTC ms) and the side; nothing for other lines.
std::optional<ParityEntry> refusalOf(const QString &line)
{
    static const QLatin1String marker(" UTC: order rejected: ");
    const qsizetype at = line.indexOf(marker);
    if (at != 16)
        return std::nullopt;
    QDateTime time = QDateTime::fromString(line.left(16), QStringLiteral("yyyy-MM-dd hh:mm"));
    if (!time.isValid())
        return std::nullopt;
    time.setTimeSpec(Qt::UTC);
    const QStringView rest = QStringView(line).mid(at + marker.size());
    ParityEntry e;
    e.barTimeMs = time.toMSecsSinceEpoch();
    if (rest.startsWith(QLatin1String("BUY ")))
        e.side = Side::Buy;
    else if (rest.startsWith(QLatin1String("SELL ")))
        e.side = Side::Sell;
    else
        return std::nullopt;
    return e;
}

using Key = std::pair<qint64, int>;  // (deciding bar time, side)
Key keyOf(const ParityEntry &e) { return {e.barTimeMs, e.side == Side::Buy ? 0 : 1}; }

} // namespace

int ParityReport::runOnly() const
{
    return int(std::count_if(mismatches.begin(), mismatches.end(),
                             [](const ParityMismatch &m) { return m.where == ParityMismatch::Where::RunOnly; }));
}

int ParityReport::backtestOnly() const { return int(mismatches.size()) - runOnly(); }

std::vector<ParityEntry> runEntriesOf(const std::vector<IntentRecord> &intents)
{
    std::vector<ParityEntry> out;
    for (const IntentRecord &r : intents) {
        if (r.action == IntentAction::Open && r.intent.source == TradeSource::Bot && r.barTimeMs > 0)
            out.push_back({r.barTimeMs, r.intent.side});
    }
    std::sort(out.begin(), out.end(), [](const ParityEntry &a, const ParityEntry &b) { return keyOf(a) < keyOf(b); });
    return out;
}

Bars barsOf(const std::vector<RunBar> &bars)
{
    Bars out;
    out.reserve(bars.size());
    for (const RunBar &b : bars)
        out.push_back(b.bar);
    return out;
}

Result<ParityReport> compareRunWithBacktest(const std::vector<RunBar> &bars, const std::vector<ParityEntry> &runEntries,
                                            const BacktestResult &backtest)
{
    ParityReport report;
    report.bars = qint64(bars.size());
    if (bars.empty())
        return report;
    QHash<qint64, qint64> indexOfTime;    // bar open time -> index
    QHash<qint64, qint64> indexOfMinute;  // the journal's minute -> index
    indexOfTime.reserve(qsizetype(bars.size()));
    for (size_t i = 0; i < bars.size(); ++i) {
        const qint64 t = bars[i].bar.timeMs;
        if (i > 0 && t <= bars[i - 1].bar.timeMs)
            return makeError(QStringLiteral("recorded bar %1 (%2 ms) is not after the bar before it (%3 ms): the bars "
                                            "must be in strictly increasing time order")
                                 .arg(i).arg(t).arg(bars[i - 1].bar.timeMs));
        indexOfTime.insert(t, qint64(i));
        indexOfMinute.insert(t - ((t % kMinuteMs) + kMinuteMs) % kMinuteMs, qint64(i));  // floor to the minute
        if (!bars[i].warmup) {
            ++report.liveBars;
            if (!report.firstLiveBarTimeMs)
                report.firstLiveBarTimeMs = t;
            report.lastLiveBarTimeMs = t;
        }
    }
    report.firstBarTimeMs = bars.front().bar.timeMs;
    report.lastBarTimeMs = bars.back().bar.timeMs;
    const qint64 last = qint64(bars.size()) - 1;
    // Bar i is compared when the run decided on it live and the backtest has bar i+1 to fill at.
    const auto compared = [&](qint64 i) { return i >= 0 && i < last && !bars[size_t(i)].warmup; };

    // The backtest's entries on compared bars: trades (a partial close books several Trades of one ticket) and
    // refused OPENs.
    std::map<Key, int> backtestLeft;
    QSet<quint64> tickets;
    for (const Trade &t : backtest.trades) {
        if (tickets.contains(t.ticket))
            continue;
        tickets.insert(t.ticket);
        const auto it = indexOfTime.constFind(t.openTimeMs);
        if (it == indexOfTime.constEnd())
            return makeError(QStringLiteral("the backtest opened ticket %1 at %2 ms, which is not a recorded bar: it "
                                            "was not run over the run's bars")
                                 .arg(t.ticket).arg(t.openTimeMs));
        if (compared(it.value() - 1)) {
            ++backtestLeft[keyOf({bars[size_t(it.value() - 1)].bar.timeMs, t.side})];
            ++report.backtestEntries;
        }
    }
    std::map<Key, int> refusals;  // the backtest's refused entries, a subset of backtestLeft's counts
    for (const QString &line : backtest.journal) {
        const std::optional<ParityEntry> refused = refusalOf(line);
        if (!refused)
            continue;
        const auto it = indexOfMinute.constFind(refused->barTimeMs);
        if (it == indexOfMinute.constEnd() || !compared(it.value() - 1))
            continue;
        const ParityEntry decided{bars[size_t(it.value() - 1)].bar.timeMs, refused->side};
        ++backtestLeft[keyOf(decided)];
        ++refusals[keyOf(decided)];
        ++report.backtestEntries;
    }
    report.journalFull = backtest.journal.size() >= kJournalLimit;

    for (const ParityEntry &e : runEntries) {
        const auto it = indexOfTime.constFind(e.barTimeMs);
        if (it == indexOfTime.constEnd()) {
            if (e.barTimeMs < report.firstBarTimeMs || e.barTimeMs > report.lastBarTimeMs) {
                ++report.runEntriesNotCompared;
            } else {
                ++report.runEntries;
                report.mismatches.push_back({ParityMismatch::Where::RunOnly, e,
                                             QStringLiteral("its bar was not recorded")});
            }
            continue;
        }
        if (!compared(it.value())) {
            ++report.runEntriesNotCompared;
            continue;
        }
        ++report.runEntries;
        const auto left = backtestLeft.find(keyOf(e));
        if (left == backtestLeft.end() || left->second == 0) {
            report.mismatches.push_back({ParityMismatch::Where::RunOnly, e, QString()});
            continue;
        }
        --left->second;
        ++report.matched;
        if (auto r = refusals.find(keyOf(e)); r != refusals.end() && r->second > 0) {
            --r->second;
            ++report.matchedRefusals;
        }
    }
    for (const auto &[key, count] : backtestLeft) {
        for (int n = 0; n < count; ++n)
            report.mismatches.push_back({ParityMismatch::Where::BacktestOnly,
                                         ParityEntry{key.first, key.second == 0 ? Side::Buy : Side::Sell}, QString()});
    }
    std::stable_sort(report.mismatches.begin(), report.mismatches.end(),
                     [](const ParityMismatch &a, const ParityMismatch &b) { return keyOf(a.entry) < keyOf(b.entry); });
    return report;
}

} // namespace bd
