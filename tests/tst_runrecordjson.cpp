// A stored backtest run as JSON and back (core/bots/runrecordjson.h), the stored equity bytes and the decimation.

#include "backtestjson.h"
#include "barloader.h"
#include "runrecordcompare.h"
#include "runrecordjson.h"
#include "strategyregistry.h"
#include "syntheticbars.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>

using namespace bd;
using namespace bd::test;

namespace {

// Through JSON text and back, as a spool file or a jsonb column carries it.
QJsonObject viaText(const QJsonObject &o)
{
    return QJsonDocument::fromJson(QJsonDocument(o).toJson(QJsonDocument::Indented)).object();
}

// `node` with the value at `path` ("trades[1].type", "equity[5][2]", "stats.sharpe_ratio") replaced by
// `value`; an undefined `value` removes the key.
QJsonValue withPath(const QJsonValue &node, QStringView path, const QJsonValue &value)
{
    if (path.isEmpty())
        return value;
    if (path.front() == QLatin1Char('[')) {
        const qsizetype close = path.indexOf(QLatin1Char(']'));
        const int index = path.mid(1, close - 1).toInt();
        QStringView rest = path.mid(close + 1);
        if (rest.startsWith(QLatin1Char('.')))
            rest = rest.mid(1);
        QJsonArray a = node.toArray();
        a[index] = withPath(a.at(index), rest, value);
        return a;
    }
    qsizetype end = 0;
    while (end < path.size() && path[end] != QLatin1Char('.') && path[end] != QLatin1Char('['))
        ++end;
    const QString key = path.left(end).toString();
    QStringView rest = path.mid(end);
    if (rest.startsWith(QLatin1Char('.')))
        rest = rest.mid(1);
    QJsonObject o = node.toObject();
    if (rest.isEmpty() && value.isUndefined())
        o.remove(key);
    else
        o.insert(key, withPath(o.value(key), rest, value));
    return o;
}

// ema_crossover with every default on 20,000 synthetic M1 bars (tests/syntheticbars.h), EURUSD of the bundled
// catalogue, a spread, slippage and commission, saved as a completed run.
BacktestRunRecord realRun(const QString &dir)
{
    const QString path = dir + QStringLiteral("/bars.csv");
    if (!test::writeSyntheticBars(path, 20000))
        qFatal("cannot write %s", qPrintable(path));
    auto bars = loadBars(path, BarLoadOptions{});
    auto catalog = SymbolCatalog::builtin();
    if (!bars || !catalog)
        qFatal("cannot load the bars or the catalogue");
    const SymbolSpec spec = *catalog->find(QStringLiteral("EURUSD"));
    const StrategyInfo info = builtinStrategies().front();
    auto strategy = createStrategy(info.name, info.defaultParams);
    if (!strategy)
        qFatal("%s", qPrintable(strategy.error().message));
    BacktestConfig config;
    config.initialDeposit = 12345.67;
    config.spreadPoints = 12;
    config.slippagePoints = 1;
    config.commissionPerLot = 3.5;
    auto result = runBacktest(*bars, spec, **strategy, config);
    if (!result)
        qFatal("%s", qPrintable(result.error().message));
    QFile file(path);
    file.open(QIODevice::ReadOnly);

    BacktestRunRecord r;
    r.id = QUuid::createUuid();
    r.versionId = QUuid::createUuid();
    r.rerunOf = QUuid::createUuid();
    r.label = QStringLiteral("spread 12, \"quoted\", caf\u00e9\n2nd line");
    r.config = result->config;
    r.params = info.defaultParams;
    r.symbol = spec.name;
    r.symbolSpec = spec;
    r.dataPath = path;
    r.dataSha256 = QString::fromLatin1(QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex());
    r.engineVersion = QStringLiteral("botdesk 0.1.0 engine 1");
    r.startedAtMs = 1718000000123;
    r.durationMs = 42;
    recordOutcome(r, std::move(*result));
    r.warnings << QStringLiteral("a warning with \"quotes\" and \\ backslash");
    r.owner = QStringLiteral("alice");
    return r;
}

} // namespace

class TestRunRecordJson : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_run = realRun(m_dir.path());
        // A run worth the name: trades of both sides and reasons, a curve decimated from 20,000 points.
        QVERIFY2(m_run.trades.size() >= 20, qPrintable(QString::number(m_run.trades.size())));
        QSet<int> sides, reasons;
        for (const Trade &t : m_run.trades) {
            sides.insert(int(t.side));
            reasons.insert(int(t.closeReason));
        }
        QCOMPARE(sides.size(), 2);
        QVERIFY(reasons.size() >= 2);
        QVERIFY(m_run.stats.profitFactor > 0 && std::isfinite(m_run.stats.profitFactor));
        QVERIFY2(m_run.equity.size() > 2000 && m_run.equity.size() <= size_t(kStoredEquityPoints),
                 qPrintable(QString::number(m_run.equity.size())));
    }

    void realRunRoundTripsThroughJsonText()
    {
        const QJsonObject json = runRecordToJson(m_run);
        QCOMPARE(json.value("format").toString(), QString(kRunRecordFormat));
        QCOMPARE(json.value("status").toString(), QString("completed"));
        QCOMPARE(json.value("trades").toArray().size(), qsizetype(m_run.trades.size()));
        auto back = runRecordFromJson(viaText(json));
        QVERIFY2(back.ok(), back.ok() ? "" : qPrintable(back.error().message));
        compareRecords(m_run, *back);
        // And the text is stable: writing what was read gives the same text.
        QCOMPARE(QJsonDocument(runRecordToJson(*back)).toJson(), QJsonDocument(json).toJson());
    }

    void everyStatsFieldRoundTrips()
    {
        // Distinct awkward values in every field (not what a run gives, so a swapped or missing key shows).
        BacktestStats s;
        double d = 0.1;
        qint64 n = 7;
#define BD_FILL_STAT(f) s.f = std::is_same_v<decltype(s.f), double> ? decltype(s.f)(d += 1.0 / 3.0) : decltype(s.f)(n += 11);
        BD_STATS_FIELDS(BD_FILL_STAT)
#undef BD_FILL_STAT
        const QJsonObject json = statsToJson(s);
        int fields = 0;
#define BD_COUNT_STAT(f) ++fields;
        BD_STATS_FIELDS(BD_COUNT_STAT)
#undef BD_COUNT_STAT
        QCOMPARE(json.size(), qsizetype(fields));
        auto back = statsFromJson(viaText(json));
        QVERIFY(back.ok());
        compareStats(s, *back);
    }

    void infiniteProfitFactorIsNullAndBack()
    {
        BacktestRunRecord r = m_run;
        r.stats.profitFactor = std::numeric_limits<double>::infinity();  // no losing trade
        const QJsonObject json = runRecordToJson(r);
        QVERIFY(json.value("stats").toObject().value("profit_factor").isNull());
        auto back = runRecordFromJson(viaText(json));
        QVERIFY(back.ok());
        QVERIFY(std::isinf(back->stats.profitFactor) && back->stats.profitFactor > 0);
    }

    void pendingRunWithoutResultsRoundTrips()
    {
        BacktestRunRecord r;
        r.id = QUuid::createUuid();
        r.versionId = QUuid::createUuid();
        r.status = RunStatus::Failed;
        r.error = QStringLiteral("cannot open bars.csv");
        auto back = runRecordFromJson(viaText(runRecordToJson(r)));
        QVERIFY2(back.ok(), back.ok() ? "" : qPrintable(back.error().message));
        compareRecords(r, *back);
        QVERIFY(back->rerunOf.isNull());
    }

    void badFieldsAreNamed_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("message");
        const QJsonValue missing(QJsonValue::Undefined);
        QTest::newRow("format") << "format" << QJsonValue("botdesk.backtest.v1") << "field 'format' is \"botdesk.backtest.v1\"; expected \"botdesk.run.v1\"";
        QTest::newRow("id missing") << "id" << missing << "field 'id' is missing";
        QTest::newRow("id bad") << "id" << QJsonValue("42") << "field 'id' is \"42\"; expected a UUID";
        QTest::newRow("version null") << "version_id" << QJsonValue(QJsonValue::Null) << "field 'version_id' is null; expected a UUID";
        QTest::newRow("rerun_of number") << "rerun_of" << QJsonValue(12) << "field 'rerun_of' is 12; expected a UUID such as";
        QTest::newRow("status") << "status" << QJsonValue("done") << "field 'status' is \"done\"; expected pending, running, completed";
        QTest::newRow("params array") << "params" << QJsonValue(QJsonArray{1}) << "field 'params' is an array; expected an object";
        QTest::newRow("config spread") << "config.spread_points" << QJsonValue(2.5) << "field 'config.spread_points' is 2.5; expected a whole number";
        QTest::newRow("config deposit") << "config.initial_deposit" << QJsonValue("1000") << "field 'config.initial_deposit' is \"1000\"; expected a finite number";
        QTest::newRow("spec digits") << "symbol_spec.digits" << QJsonValue("5") << "field 'symbol_spec.digits' is \"5\"";
        QTest::newRow("spec missing") << "symbol_spec.trade_tick_value" << missing << "field 'symbol_spec.trade_tick_value' is missing";
        QTest::newRow("sha") << "data_sha256" << QJsonValue("ABC") << "field 'data_sha256' is \"ABC\"; expected 64 lowercase hex digits";
        QTest::newRow("bars negative") << "bars" << QJsonValue(-1) << "field 'bars' is -1; expected a whole number from 0";
        QTest::newRow("stats null") << "stats.sharpe_ratio" << QJsonValue(QJsonValue::Null) << "field 'stats.sharpe_ratio' is null; expected a finite number";
        QTest::newRow("stats pf text") << "stats.profit_factor" << QJsonValue("inf") << "field 'stats.profit_factor' is \"inf\"; expected a finite number, or null";
        QTest::newRow("stats count") << "stats.total_trades" << QJsonValue(-3) << "field 'stats.total_trades' is -3";
        QTest::newRow("stats missing") << "stats.average_holding_time_ms" << missing << "field 'stats.average_holding_time_ms' is missing";
        QTest::newRow("warning") << "warnings[0]" << QJsonValue(5) << "field 'warnings[0]' is 5; expected a string";
        QTest::newRow("trade not object") << "trades[4]" << QJsonValue("x") << "field 'trades[4]' is \"x\"; expected an object";
        QTest::newRow("trade side") << "trades[1].type" << QJsonValue("LONG") << "field 'trades[1].type' is \"LONG\"; expected \"BUY\" or \"SELL\"";
        QTest::newRow("trade reason") << "trades[2].close_reason" << QJsonValue("TP") << "field 'trades[2].close_reason' is \"TP\"; expected TP_HIT";
        QTest::newRow("trade volume") << "trades[3].volume" << QJsonValue("0.1") << "field 'trades[3].volume' is \"0.1\"; expected a finite number";
        QTest::newRow("trade ticket") << "trades[0].ticket" << QJsonValue(1.5) << "field 'trades[0].ticket' is 1.5; expected a whole number";
        QTest::newRow("equity row") << "equity[3]" << QJsonValue(QJsonArray{1, 2, 3}) << "field 'equity[3]' is an array of 3; expected [time_ms, balance, equity, equity_low]";
        QTest::newRow("equity cell") << "equity[5][2]" << QJsonValue(QJsonValue::Null) << "field 'equity[5][2]' is null; expected a finite number (equity)";
        QTest::newRow("equity time") << "equity[6][0]" << QJsonValue(0.5) << "field 'equity[6][0]' is 0.5; expected a whole number (time_ms)";
        QTest::newRow("owner") << "owner" << QJsonValue(true) << "field 'owner' is true; expected a string";
    }

    void badFieldsAreNamed()
    {
        QFETCH(QString, path);
        QFETCH(QJsonValue, value);
        QFETCH(QString, message);
        QVERIFY(!m_run.warnings.isEmpty());
        const QJsonObject good = runRecordToJson(m_run);
        QVERIFY(runRecordFromJson(good).ok());
        const QJsonObject bad = withPath(good, path, value).toObject();
        QVERIFY(bad != good);
        auto r = runRecordFromJson(bad);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.startsWith("backtest run record: " + message), qPrintable(r.error().message));
    }

    void piecesNameTheirContext()
    {
        auto stats = statsFromJson(withPath(statsToJson(m_run.stats), u"gross_loss", "x").toObject());
        QVERIFY(!stats.ok());
        QVERIFY2(stats.error().message.startsWith("stats: field 'gross_loss' is \"x\""), qPrintable(stats.error().message));
        auto trade = tradeFromJson(withPath(tradeToJson(m_run.trades[0]), u"mae", missing()).toObject());
        QVERIFY(!trade.ok());
        QCOMPARE(trade.error().message, QString("trade: field 'mae' is missing"));
        auto config = configFromJson(withPath(configToJson(m_run.config), u"slippage_points", -1).toObject());
        QVERIFY(!config.ok());
        QVERIFY2(config.error().message.startsWith("backtest config: field 'slippage_points' is -1"), qPrintable(config.error().message));
        auto spec = symbolSpecFromJson(withPath(symbolSpecToJson(m_run.symbolSpec), u"point", "1e-5").toObject());
        QVERIFY(!spec.ok());
        QVERIFY2(spec.error().message.startsWith("symbol spec: field 'point' is \"1e-5\""), qPrintable(spec.error().message));
    }

    void everyCatalogueSymbolRoundTrips()
    {
        auto catalog = SymbolCatalog::builtin();
        QVERIFY(catalog.ok());
        QVERIFY(catalog->symbols().size() > 1);
        for (const SymbolSpec &s : catalog->symbols()) {
            auto back = symbolSpecFromJson(viaText(symbolSpecToJson(s)));
            QVERIFY(back.ok());
            compareSpec(s, *back);
        }
    }

    // ---- the stored equity bytes ----

    void equityBytesAreLittleEndianRows()
    {
        // time 0x0102030405060708, balance 1.0 (0x3FF0000000000000), equity -2.0 (0xC000000000000000),
        // equityLow 0.5 (0x3FE0000000000000): each 8 bytes, least significant first.
        const EquityPoint p{0x0102030405060708, 1.0, -2.0, 0.5};
        const QByteArray bytes = encodeEquityCurve(std::vector<EquityPoint>{p});
        QCOMPARE(bytes.toHex(), QByteArray("0807060504030201" "000000000000f03f" "00000000000000c0" "000000000000e03f"));
        QVERIFY(encodeEquityCurve({}).isEmpty());
    }

    void equityBytesRoundTripBitForBit()
    {
        std::vector<EquityPoint> points = m_run.equity;
        points.push_back({-1, -0.0, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::denorm_min()});
        points.push_back({std::numeric_limits<qint64>::max(), std::numeric_limits<double>::quiet_NaN(), -1e308, 0.1});
        const QByteArray bytes = encodeEquityCurve(points);
        QCOMPARE(bytes.size(), qsizetype(points.size()) * 32);
        auto back = decodeEquityCurve(bytes);
        QVERIFY(back.ok());
        QCOMPARE(back->size(), points.size());
        QVERIFY(std::memcmp(back->data(), points.data(), points.size() * sizeof(EquityPoint)) == 0);
        QVERIFY(decodeEquityCurve(QByteArray())->empty());
    }

    void equityBytesOfAWrongLengthAreRefused_data()
    {
        QTest::addColumn<int>("size");
        QTest::newRow("1") << 1;
        QTest::newRow("31") << 31;
        QTest::newRow("33") << 33;
        QTest::newRow("100") << 100;
    }

    void equityBytesOfAWrongLengthAreRefused()
    {
        QFETCH(int, size);
        auto r = decodeEquityCurve(QByteArray(size, '\0'));
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.startsWith(QStringLiteral("the stored equity curve is %1 bytes, not a multiple of 32").arg(size)),
                 qPrintable(r.error().message));
    }

    // ---- decimation ----

    void shortCurvesAreKeptWhole()
    {
        const std::vector<EquityPoint> few(m_run.equity.begin(), m_run.equity.begin() + 10);
        const auto kept = decimateEquityCurve(few, 10);
        QCOMPARE(kept.size(), size_t(10));
        QVERIFY(std::memcmp(kept.data(), few.data(), sizeof(EquityPoint) * 10) == 0);
        QCOMPARE(decimateEquityCurve(few, 0).size(), size_t(2));  // below 2: first and last
        QCOMPARE(decimateEquityCurve(few, 3).size(), size_t(2));
        QVERIFY(decimateEquityCurve({}, 100).empty());
    }

    void decimationKeepsEachBucketsExtremesInTimeOrder()
    {
        // 100,001 points of a noisy curve with one deep trough and one high peak; 4,000 points kept.
        std::vector<EquityPoint> curve;
        quint32 seed = 99;
        for (int i = 0; i <= 100000; ++i) {
            seed = seed * 1664525u + 1013904223u;
            const double e = 10000 + 500 * std::sin(i / 3000.0) + double(seed >> 20) / 100.0;
            curve.push_back({qint64(i) * 60000, e - 5, e, e - double(seed >> 28)});
        }
        curve[31337].equityLow = 100.0;  // the deepest trough
        curve[77777].equity = 99999.0;   // the highest peak
        const auto kept = decimateEquityCurve(curve, 4000);
        QVERIFY(kept.size() <= 4000 && kept.size() >= 2000);
        comparePoint(kept.front(), curve.front());
        comparePoint(kept.back(), curve.back());
        for (size_t i = 1; i < kept.size(); ++i)
            QVERIFY(kept[i - 1].timeMs < kept[i].timeMs);
        // Every kept point is an input point, unchanged.
        for (const EquityPoint &p : kept)
            QVERIFY(std::memcmp(&p, &curve[size_t(p.timeMs / 60000)], sizeof p) == 0);
        // Both extremes survive, and so does each bucket's: 1,999 buckets over points 1..99,999.
        const auto has = [&](qint64 t) { return std::any_of(kept.begin(), kept.end(), [t](const EquityPoint &p) { return p.timeMs == t; }); };
        QVERIFY(has(31337 * 60000LL));
        QVERIFY(has(77777 * 60000LL));
        const size_t inner = curve.size() - 2;
        const size_t buckets = (4000 - 2) / 2;
        for (size_t b = 0; b < buckets; ++b) {
            const size_t begin = 1 + b * inner / buckets;
            const size_t end = 1 + (b + 1) * inner / buckets;
            size_t low = begin, high = begin;
            for (size_t i = begin; i < end; ++i) {
                if (std::min(curve[i].equityLow, curve[i].equity) < std::min(curve[low].equityLow, curve[low].equity))
                    low = i;
                if (curve[i].equity > curve[high].equity)
                    high = i;
            }
            QVERIFY2(has(curve[low].timeMs) && has(curve[high].timeMs), qPrintable(QString::number(b)));
        }
    }

private:
    static QJsonValue missing() { return QJsonValue(QJsonValue::Undefined); }

    QTemporaryDir m_dir;
    BacktestRunRecord m_run;
};

QTEST_GUILESS_MAIN(TestRunRecordJson)
#include "tst_runrecordjson.moc"
