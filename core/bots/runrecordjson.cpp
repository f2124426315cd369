#include "runrecordjson.h"

#include "backtestjson.h"

#include <QRegularExpression>
#include <QtEndian>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace bd {
namespace {

constexpr qint64 kMaxInt = std::numeric_limits<int>::max();
constexpr qint64 kMaxInt64 = std::numeric_limits<qint64>::max();  // JsonFields clamps to 2^53

QJsonValue uuidJson(const QUuid &id)
{
    return id.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(id.toString(QUuid::WithoutBraces));
}

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

bool isSha256Hex(const QString &s)
{
    static const QRegularExpression re(QStringLiteral("^[0-9a-f]{64}$"));
    return re.match(s).hasMatch();
}

std::vector<EquityPoint> readEquity(JsonFields &in)
{
    static const char *const kColumns[] = {"time_ms", "balance", "equity", "equity_low"};
    const QJsonArray rows = in.array(QStringLiteral("equity"));
    std::vector<EquityPoint> out;
    out.reserve(size_t(rows.size()));
    for (qsizetype i = 0; i < rows.size() && in.ok(); ++i) {
        const QString where = QStringLiteral("equity[%1]").arg(i);
        const QJsonArray row = rows.at(i).toArray();
        if (!rows.at(i).isArray() || row.size() != 4) {
            in.fail(where, QStringLiteral("is %1; expected [time_ms, balance, equity, equity_low]")
                               .arg(rows.at(i).isArray() ? QStringLiteral("an array of %1").arg(row.size())
                                                         : JsonFields::describe(rows.at(i))));
            break;
        }
        double cells[4];
        for (int k = 0; k < 4 && in.ok(); ++k) {
            const double d = row.at(k).toDouble(std::nan(""));
            const bool good = row.at(k).isDouble() && std::isfinite(d)
                              && (k > 0 || (d == std::floor(d) && std::fabs(d) <= 9007199254740992.0));
            if (!good)
                in.fail(QStringLiteral("%1[%2]").arg(where).arg(k),
                        QStringLiteral("is %1; expected %2 (%3)")
                            .arg(JsonFields::describe(row.at(k)),
                                 k == 0 ? QStringLiteral("a whole number") : QStringLiteral("a finite number"),
                                 QLatin1String(kColumns[k])));
            cells[k] = d;
        }
        if (in.ok())
            out.push_back(EquityPoint{row.at(0).toInteger(), cells[1], cells[2], cells[3]});
    }
    return out;
}

} // namespace

QJsonObject symbolSpecToJson(const SymbolSpec &s)
{
    return QJsonObject{
        {"name", s.name},
        {"description", s.description},
        {"currency_base", s.currencyBase},
        {"currency_profit", s.currencyProfit},
        {"digits", s.digits},
        {"point", number(s.point)},
        {"contract_size", number(s.contractSize)},
        {"trade_tick_size", number(s.tickSize)},
        {"trade_tick_value", number(s.tickValue)},
        {"volume_min", number(s.volumeMin)},
        {"volume_step", number(s.volumeStep)},
        {"volume_max", number(s.volumeMax)},
        {"spread", s.defaultSpreadPoints},
        {"trade_stops_level", s.stopsLevelPoints},
    };
}

SymbolSpec readSymbolSpec(JsonFields &in)
{
    SymbolSpec s;
    s.name = in.string(QStringLiteral("name"));
    s.description = in.string(QStringLiteral("description"));
    s.currencyBase = in.string(QStringLiteral("currency_base"));
    s.currencyProfit = in.string(QStringLiteral("currency_profit"));
    s.digits = int(in.integer(QStringLiteral("digits"), 0, 22));
    s.point = in.number(QStringLiteral("point"));
    s.contractSize = in.number(QStringLiteral("contract_size"));
    s.tickSize = in.number(QStringLiteral("trade_tick_size"));
    s.tickValue = in.number(QStringLiteral("trade_tick_value"));
    s.volumeMin = in.number(QStringLiteral("volume_min"));
    s.volumeStep = in.number(QStringLiteral("volume_step"));
    s.volumeMax = in.number(QStringLiteral("volume_max"));
    s.defaultSpreadPoints = int(in.integer(QStringLiteral("spread"), 0, kMaxInt));
    s.stopsLevelPoints = int(in.integer(QStringLiteral("trade_stops_level"), 0, kMaxInt));
    return s;
}

Result<SymbolSpec> symbolSpecFromJson(const QJsonObject &json)
{
    JsonFields in(json);
    SymbolSpec s = readSymbolSpec(in);
    return in.result(std::move(s), QStringLiteral("symbol spec"));
}

QJsonArray equityToJson(std::span<const EquityPoint> points)
{
    QJsonArray out;
    for (const EquityPoint &p : points)
        out.append(QJsonArray{p.timeMs, number(p.balance), number(p.equity), number(p.equityLow)});
    return out;
}

QJsonObject runRecordToJson(const BacktestRunRecord &r)
{
    QJsonArray trades;
    for (const Trade &t : r.trades)
        trades.append(tradeToJson(t));
    return QJsonObject{
        {"format", QLatin1String(kRunRecordFormat)},
        {"id", uuidJson(r.id)},
        {"version_id", uuidJson(r.versionId)},
        {"rerun_of", uuidJson(r.rerunOf)},
        {"status", runStatusName(r.status)},
        {"label", r.label},
        {"config", configToJson(r.config)},
        {"params", r.params},
        {"symbol", r.symbol},
        {"symbol_spec", symbolSpecToJson(r.symbolSpec)},
        {"data_path", r.dataPath},
        {"data_sha256", r.dataSha256},
        {"window_from_ms", r.fromMs},
        {"window_to_ms", r.toMs},
        {"timeframe", r.timeframe},
        {"bars", r.bars},
        {"engine_version", r.engineVersion},
        {"started_at_ms", r.startedAtMs},
        {"duration_ms", r.durationMs},
        {"error", r.error},
        {"stats", statsToJson(r.stats)},
        {"rejected_orders", r.rejectedOrders},
        {"warnings", QJsonArray::fromStringList(r.warnings)},
        {"trades", trades},
        {"equity", equityToJson(r.equity)},
        {"owner", r.owner},
    };
}

Result<BacktestRunRecord> runRecordFromJson(const QJsonObject &json)
{
    JsonFields in(json);
    BacktestRunRecord r;
    const QString format = in.string(QStringLiteral("format"));
    if (in.ok() && format != QLatin1String(kRunRecordFormat))
        in.fail(QStringLiteral("format"), QStringLiteral("is \"%1\"; expected \"%2\" (written by another program or "
                                                         "a newer BotDesk)").arg(format, QLatin1String(kRunRecordFormat)));
    r.id = in.uuid(QStringLiteral("id"), false);
    r.versionId = in.uuid(QStringLiteral("version_id"), false);
    r.rerunOf = in.uuid(QStringLiteral("rerun_of"), true);
    const QString status = in.string(QStringLiteral("status"));
    if (in.ok()) {
        if (auto s = runStatusFromName(status))
            r.status = *s;
        else
            in.fail(QStringLiteral("status"), QStringLiteral("is \"%1\"; expected pending, running, completed, failed "
                                                             "or cancelled").arg(status));
    }
    r.label = in.string(QStringLiteral("label"));
    JsonFields config = in.child(QStringLiteral("config"));
    r.config = readConfig(config);
    r.params = in.object(QStringLiteral("params"));
    r.symbol = in.string(QStringLiteral("symbol"));
    JsonFields spec = in.child(QStringLiteral("symbol_spec"));
    r.symbolSpec = readSymbolSpec(spec);
    r.dataPath = in.string(QStringLiteral("data_path"));
    r.dataSha256 = in.string(QStringLiteral("data_sha256"));
    if (in.ok() && !r.dataSha256.isEmpty() && !isSha256Hex(r.dataSha256))
        in.fail(QStringLiteral("data_sha256"), QStringLiteral("is %1; expected 64 lowercase hex digits (or \"\" when "
                                                              "the data was never read)")
                                                   .arg(JsonFields::describe(r.dataSha256)));
    r.fromMs = in.integer(QStringLiteral("window_from_ms"), -kMaxInt64, kMaxInt64);
    r.toMs = in.integer(QStringLiteral("window_to_ms"), -kMaxInt64, kMaxInt64);
    r.timeframe = in.string(QStringLiteral("timeframe"));
    r.bars = in.integer(QStringLiteral("bars"), 0, kMaxInt64);
    r.engineVersion = in.string(QStringLiteral("engine_version"));
    r.startedAtMs = in.integer(QStringLiteral("started_at_ms"), -kMaxInt64, kMaxInt64);
    r.durationMs = in.integer(QStringLiteral("duration_ms"), 0, kMaxInt64);
    r.error = in.string(QStringLiteral("error"));
    JsonFields stats = in.child(QStringLiteral("stats"));
    r.stats = readStats(stats);
    r.rejectedOrders = int(in.integer(QStringLiteral("rejected_orders"), 0, kMaxInt));
    r.warnings = in.stringList(QStringLiteral("warnings"));
    const QJsonArray trades = in.array(QStringLiteral("trades"));
    r.trades.reserve(size_t(trades.size()));
    for (qsizetype i = 0; i < trades.size() && in.ok(); ++i) {
        JsonFields trade = in.element(QStringLiteral("trades"), trades, i);
        r.trades.push_back(readTrade(trade));
    }
    r.equity = readEquity(in);
    r.owner = in.string(QStringLiteral("owner"));
    return in.result(std::move(r), QStringLiteral("backtest run record"));
}

QByteArray encodeEquityCurve(std::span<const EquityPoint> points)
{
    QByteArray out(qsizetype(points.size()) * kEquityRowBytes, Qt::Uninitialized);
    char *row = out.data();
    for (const EquityPoint &p : points) {
        qToLittleEndian<qint64>(p.timeMs, row);
        qToLittleEndian<quint64>(std::bit_cast<quint64>(p.balance), row + 8);
        qToLittleEndian<quint64>(std::bit_cast<quint64>(p.equity), row + 16);
        qToLittleEndian<quint64>(std::bit_cast<quint64>(p.equityLow), row + 24);
        row += kEquityRowBytes;
    }
    return out;
}

Result<std::vector<EquityPoint>> decodeEquityCurve(QByteArrayView bytes)
{
    if (bytes.size() % kEquityRowBytes != 0) {
        return makeError(QStringLiteral("the stored equity curve is %1 bytes, not a multiple of %2 (one row: int64 "
                                        "time ms + 3 doubles); the stored run is damaged")
                             .arg(bytes.size())
                             .arg(kEquityRowBytes));
    }
    std::vector<EquityPoint> out(size_t(bytes.size() / kEquityRowBytes));
    const char *row = bytes.data();
    for (EquityPoint &p : out) {
        p.timeMs = qFromLittleEndian<qint64>(row);
        p.balance = std::bit_cast<double>(qFromLittleEndian<quint64>(row + 8));
        p.equity = std::bit_cast<double>(qFromLittleEndian<quint64>(row + 16));
        p.equityLow = std::bit_cast<double>(qFromLittleEndian<quint64>(row + 24));
        row += kEquityRowBytes;
    }
    return out;
}

std::vector<EquityPoint> decimateEquityCurve(std::span<const EquityPoint> points, int maxPoints)
{
    const size_t n = points.size();
    const size_t limit = size_t(std::max(maxPoints, 2));
    if (n <= limit)
        return {points.begin(), points.end()};
    std::vector<EquityPoint> out;
    out.reserve(limit);
    out.push_back(points.front());
    const size_t inner = n - 2;                // points[1 .. n-2]
    const size_t buckets = (limit - 2) / 2;    // each gives at most 2 points
    for (size_t b = 0; b < buckets; ++b) {
        const size_t begin = 1 + b * inner / buckets;
        const size_t end = 1 + (b + 1) * inner / buckets;
        if (begin == end)
            continue;
        size_t low = begin;
        size_t high = begin;
        for (size_t i = begin; i < end; ++i) {
            const double trough = std::min(points[i].equityLow, points[i].equity);
            if (trough < std::min(points[low].equityLow, points[low].equity))
                low = i;
            if (points[i].equity > points[high].equity)
                high = i;
        }
        out.push_back(points[std::min(low, high)]);
        if (low != high)
            out.push_back(points[std::max(low, high)]);
    }
    out.push_back(points.back());
    return out;
}

} // namespace bd
