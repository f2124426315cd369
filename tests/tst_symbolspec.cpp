// Tests for bd::SymbolSpec and bd::SymbolCatalog: the bundled catalogue, lookups, validation, money maths.

#include "symbolspec.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace bd;

namespace {

QJsonObject validEurusd()
{
    return QJsonObject{{"name", "EURUSD"},          {"description", "test"},     {"currency_base", "EUR"},
                       {"currency_profit", "USD"}, {"digits", 5},               {"point", 0.00001},
                       {"contract_size", 100000},  {"trade_tick_size", 0.00001}, {"trade_tick_value", 1.0},
                       {"volume_min", 0.01},       {"volume_step", 0.01},       {"volume_max", 100},
                       {"spread", 10},             {"trade_stops_level", 0}};
}

QByteArray catalogJson(const QJsonArray &symbols)
{
    return QJsonDocument(QJsonObject{{"symbols", symbols}}).toJson();
}

// A catalogue of `count` valid symbols named S000000, S000001, ...; `lastName`, when given, names the last one.
QByteArray manySymbolsJson(int count, const QByteArray &lastName = {})
{
    QByteArray entry = QJsonDocument(validEurusd()).toJson(QJsonDocument::Compact);
    entry.replace("\"EURUSD\"", "\"%1\"");
    QByteArray json = "{\"symbols\": [";
    json.reserve(qsizetype(count) * (entry.size() + 2) + 16);
    for (int i = 0; i < count; ++i) {
        const QByteArray name = i == count - 1 && !lastName.isEmpty() ? lastName : QByteArray::number(i).rightJustified(6, '0').prepend('S');
        json += QByteArray(entry).replace("%1", name);
        json += i + 1 < count ? ",\n" : "";
    }
    return json + "]}";
}

} // namespace

class TestSymbolSpec : public QObject {
    Q_OBJECT

private slots:
    void builtinResourceIsLinked()
    {
        QVERIFY2(QFile::exists(QStringLiteral(":/botdesk/symbols.json")), "resource :/botdesk/symbols.json missing from botdesk_core");
        const Result<SymbolCatalog> cat = SymbolCatalog::builtin();
        QVERIFY2(cat.ok(), qPrintable(cat.ok() ? QString() : cat.error().message));
        QVERIFY(cat->symbols().size() >= 5);
        for (const char *name : {"EURUSD", "GBPUSD", "AUDUSD", "XAUUSD", "XAGUSD"})
            QVERIFY2(cat->find(QString::fromLatin1(name)) != nullptr, name);
        for (const SymbolSpec &s : cat->symbols()) {
            QCOMPARE(s.currencyProfit, QStringLiteral("USD"));
            QVERIFY2(!s.description.isEmpty(), qPrintable(s.name));
        }
    }

    void builtinEurusd()
    {
        const Result<SymbolCatalog> cat = SymbolCatalog::builtin();
        QVERIFY2(cat.ok(), qPrintable(cat.ok() ? QString() : cat.error().message));
        const SymbolSpec *s = cat->find(QStringLiteral("EURUSD"));
        QVERIFY(s);
        QCOMPARE(s->name, QStringLiteral("EURUSD"));
        QCOMPARE(s->currencyBase, QStringLiteral("EUR"));
        QCOMPARE(s->currencyProfit, QStringLiteral("USD"));
        QCOMPARE(s->digits, 5);
        QCOMPARE(s->point, 0.00001);
        QCOMPARE(s->contractSize, 100000.0);
        QCOMPARE(s->tickSize, 0.00001);
        QCOMPARE(s->tickValue, 1.0);
        QCOMPARE(s->volumeMin, 0.01);
        QCOMPARE(s->volumeStep, 0.01);
        QCOMPARE(s->volumeMax, 100.0);
        QCOMPARE(s->defaultSpreadPoints, 10);
        QCOMPARE(s->stopsLevelPoints, 0);
    }

    void builtinXauusd()
    {
        const Result<SymbolCatalog> cat = SymbolCatalog::builtin();
        QVERIFY2(cat.ok(), qPrintable(cat.ok() ? QString() : cat.error().message));
        const SymbolSpec *s = cat->find(QStringLiteral("XAUUSD"));
        QVERIFY(s);
        QCOMPARE(s->currencyBase, QStringLiteral("XAU"));
        QCOMPARE(s->digits, 3);
        QCOMPARE(s->point, 0.001);
        QCOMPARE(s->contractSize, 100.0);
        QCOMPARE(s->tickSize, 0.001);
        QCOMPARE(s->tickValue, 0.1);
        QCOMPARE(s->volumeMin, 0.01);
        QCOMPARE(s->volumeStep, 0.01);
        QCOMPARE(s->volumeMax, 100.0);
        QCOMPARE(s->defaultSpreadPoints, 250);
    }

    void findIsCaseInsensitive()
    {
        const Result<SymbolCatalog> cat = SymbolCatalog::builtin();
        QVERIFY2(cat.ok(), qPrintable(cat.ok() ? QString() : cat.error().message));
        const SymbolSpec *upper = cat->find(QStringLiteral("XAUUSD"));
        QVERIFY(upper);
        QCOMPARE(cat->find(QStringLiteral("xauusd")), upper);
        QCOMPARE(cat->find(QStringLiteral("XauUsd")), upper);
        QCOMPARE(cat->find(QStringLiteral("USDJPY")), nullptr);
        QCOMPARE(cat->find(QString()), nullptr);
    }

    void moneyForPriceMove()
    {
        const Result<SymbolCatalog> cat = SymbolCatalog::builtin();
        QVERIFY2(cat.ok(), qPrintable(cat.ok() ? QString() : cat.error().message));
        const SymbolSpec *eurusd = cat->find(QStringLiteral("EURUSD"));
        const SymbolSpec *xauusd = cat->find(QStringLiteral("XAUUSD"));
        QVERIFY(eurusd && xauusd);
        // EURUSD: 1 pip (0.0001) on 1 lot = 100,000 EUR x 0.0001 USD/EUR = 10 USD.
        QCOMPARE(qRound64(eurusd->moneyForPriceMove(0.0001, 1.0) * 1e6), qint64(10'000'000));
        // 0.5 lots, 1.10000 -> 1.10250 (+25 pips): 100,000 x 0.5 x 0.0025 = 125 USD.
        QCOMPARE(qRound64(eurusd->moneyForPriceMove(1.10250 - 1.10000, 0.5) * 1e6), qint64(125'000'000));
        // Loss: -17.3 pips on 0.01 lots = -1.73 USD.
        QCOMPARE(qRound64(eurusd->moneyForPriceMove(-0.00173, 0.01) * 1e6), qint64(-1'730'000));
        // XAUUSD: 1 lot = 100 oz; +1.00 USD/oz = 100 USD.
        QCOMPARE(qRound64(xauusd->moneyForPriceMove(1.0, 1.0) * 1e6), qint64(100'000'000));
        // 0.1 lots (10 oz), 2062.568 -> 2062.998 (+0.430): 4.30 USD.
        QCOMPARE(qRound64(xauusd->moneyForPriceMove(2062.998 - 2062.568, 0.1) * 1e6), qint64(4'300'000));
        // One point (0.001) on 1 lot = 0.1 USD; the default 250-point spread on 1 lot costs 25 USD.
        QCOMPARE(qRound64(xauusd->moneyForPriceMove(xauusd->point, 1.0) * 1e6), qint64(100'000));
        QCOMPARE(qRound64(xauusd->moneyForPriceMove(xauusd->defaultSpreadPoints * xauusd->point, 1.0) * 1e6), qint64(25'000'000));
    }

    void normalizePrice()
    {
        SymbolSpec eurusd; // defaults: 5 digits
        QCOMPARE(eurusd.normalizePrice(1.104271), 1.10427);
        QCOMPARE(eurusd.normalizePrice(1.104279), 1.10428);
        QCOMPARE(eurusd.normalizePrice(1.1 + 0.2 - 0.2), 1.1);
        QCOMPARE(eurusd.normalizePrice(1.10427 + 3 * 0.00001), 1.1043);
        SymbolSpec gold;
        gold.digits = 3;
        QCOMPARE(gold.normalizePrice(2062.56849), 2062.568);
        QCOMPARE(gold.normalizePrice(2062.5681 + 0.0005), 2062.569);
        QCOMPARE(gold.normalizePrice(-0.0004), -0.0);
        SymbolSpec whole;
        whole.digits = 0;
        QCOMPARE(whole.normalizePrice(101.6), 102.0);
    }

    void fromFileAndFromJson()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("symbols.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(catalogJson(QJsonArray{validEurusd()}));
        f.close();
        const Result<SymbolCatalog> cat = SymbolCatalog::fromFile(path);
        QVERIFY2(cat.ok(), qPrintable(cat.ok() ? QString() : cat.error().message));
        QCOMPARE(cat->symbols().size(), size_t(1));
        QCOMPARE(cat->find(QStringLiteral("eurusd"))->description, QStringLiteral("test"));

        const Result<SymbolCatalog> missing = SymbolCatalog::fromFile(dir.filePath(QStringLiteral("nope.json")));
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().message.contains(QStringLiteral("nope.json")), qPrintable(missing.error().message));

        // Optional fields: description and trade_stops_level.
        QJsonObject minimal = validEurusd();
        minimal.remove(QStringLiteral("description"));
        minimal.remove(QStringLiteral("trade_stops_level"));
        const Result<SymbolCatalog> min = SymbolCatalog::fromJson(catalogJson(QJsonArray{minimal}), QStringLiteral("min.json"));
        QVERIFY2(min.ok(), qPrintable(min.ok() ? QString() : min.error().message));
        QCOMPARE(min->symbols().front().stopsLevelPoints, 0);
    }

    void documentErrors_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("syntax") << QByteArray("{\n  \"symbols\": [\n    {\"name\": \"EURUSD\",,}\n  ]\n}") << QStringLiteral("cat.json:3: invalid JSON");
        QTest::newRow("no symbols array") << QByteArray("{\"instruments\": []}") << QStringLiteral("\"symbols\" array");
        QTest::newRow("top-level array") << QByteArray("[]") << QStringLiteral("\"symbols\" array");
        QTest::newRow("empty array") << QByteArray("{\"symbols\": []}") << QStringLiteral("is empty");
        QTest::newRow("entry not object") << QByteArray("{\"symbols\": [42]}") << QStringLiteral("symbol #1 is not a JSON object");
    }

    void documentErrors()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        const Result<SymbolCatalog> r = SymbolCatalog::fromJson(json, QStringLiteral("cat.json"));
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.startsWith(QStringLiteral("cat.json")), qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains(expected), qPrintable(r.error().message));
    }

    // Each case edits one field of a valid EURUSD; the error must name the symbol and that field.
    void fieldErrors_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QJsonValue>("value"); // Undefined = remove the field
        QTest::addColumn<QString>("expected");
        const QJsonValue remove(QJsonValue::Undefined);
        QTest::newRow("currency_base missing") << "currency_base" << remove << "is missing";
        QTest::newRow("currency_profit empty") << "currency_profit" << QJsonValue("") << "non-empty string";
        QTest::newRow("digits missing") << "digits" << remove << "is missing";
        QTest::newRow("digits string") << "digits" << QJsonValue("5") << "must be a number";
        QTest::newRow("digits 11") << "digits" << QJsonValue(11) << "0..10";
        QTest::newRow("digits negative") << "digits" << QJsonValue(-1) << "0..10";
        QTest::newRow("digits fractional") << "digits" << QJsonValue(4.5) << "whole number";
        QTest::newRow("point zero") << "point" << QJsonValue(0) << "must be > 0";
        QTest::newRow("point vs digits") << "point" << QJsonValue(0.0001) << "digits 5 needs point 1e-05";
        QTest::newRow("contract_size negative") << "contract_size" << QJsonValue(-100000) << "must be > 0";
        QTest::newRow("tick size zero") << "trade_tick_size" << QJsonValue(0) << "must be > 0";
        QTest::newRow("tick size below point") << "trade_tick_size" << QJsonValue(0.000005) << "whole multiple of point";
        QTest::newRow("tick value zero") << "trade_tick_value" << QJsonValue(0) << "must be > 0";
        QTest::newRow("tick value inconsistent") << "trade_tick_value" << QJsonValue(10.0) << "trade_tick_size x contract_size = 1";
        QTest::newRow("volume_min zero") << "volume_min" << QJsonValue(0) << "must be > 0";
        QTest::newRow("volume_step zero") << "volume_step" << QJsonValue(0) << "must be > 0";
        QTest::newRow("volume_step missing") << "volume_step" << remove << "is missing";
        QTest::newRow("volume_max zero") << "volume_max" << QJsonValue(0) << "must be > 0";
        QTest::newRow("volume_min > volume_max") << "volume_min" << QJsonValue(200) << "larger than volume_max 100";
        QTest::newRow("spread missing") << "spread" << remove << "is missing";
        QTest::newRow("spread negative") << "spread" << QJsonValue(-3) << ">= 0";
        QTest::newRow("stops level fractional") << "trade_stops_level" << QJsonValue(1.5) << "whole number";
    }

    void fieldErrors()
    {
        QFETCH(QString, field);
        QFETCH(QJsonValue, value);
        QFETCH(QString, expected);
        QJsonObject sym = validEurusd();
        if (value.isUndefined())
            sym.remove(field);
        else
            sym.insert(field, value);
        // The bad symbol is the second entry, after a valid one.
        QJsonObject first = validEurusd();
        first.insert(QStringLiteral("name"), QStringLiteral("GBPUSD"));
        sym.insert(QStringLiteral("name"), QStringLiteral("EURUSD"));
        const Result<SymbolCatalog> r = SymbolCatalog::fromJson(catalogJson(QJsonArray{first, sym}), QStringLiteral("cat.json"));
        QVERIFY(!r.ok());
        const QString msg = r.error().message;
        QVERIFY2(msg.startsWith(QStringLiteral("cat.json: symbol 'EURUSD' (#2): field '%1' ").arg(field)), qPrintable(msg));
        QVERIFY2(msg.contains(expected), qPrintable(msg));
    }

    void nameErrors()
    {
        QJsonObject noName = validEurusd();
        noName.remove(QStringLiteral("name"));
        Result<SymbolCatalog> r = SymbolCatalog::fromJson(catalogJson(QJsonArray{noName}), QStringLiteral("cat.json"));
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.startsWith(QStringLiteral("cat.json: symbol #1: field 'name' is missing")), qPrintable(r.error().message));

        QJsonObject lower = validEurusd();
        lower.insert(QStringLiteral("name"), QStringLiteral("eurusd"));
        r = SymbolCatalog::fromJson(catalogJson(QJsonArray{validEurusd(), lower}), QStringLiteral("cat.json"));
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(QStringLiteral("symbol 'eurusd' (#2): field 'name' duplicates symbol 'EURUSD' (#1)")),
                 qPrintable(r.error().message));
    }

    // The duplicate check and find() are hash lookups: 100,000 symbols load in linear time (it was quadratic:
    // 'botdesk-cli symbols' took 1.5 s for 10,000 and hung on 100,000). The time is printed, not asserted.
    void largeCatalogueLoadsInLinearTime()
    {
        constexpr int kCount = 100000;
        const QByteArray json = manySymbolsJson(kCount);
        QElapsedTimer timer;
        timer.start();
        const Result<SymbolCatalog> cat = SymbolCatalog::fromJson(json, QStringLiteral("many.json"));
        const qint64 loadMs = timer.elapsed();
        QVERIFY2(cat.ok(), qPrintable(cat.ok() ? QString() : cat.error().message));
        QCOMPARE(cat->symbols().size(), size_t(kCount));
        timer.restart();
        for (int i = 0; i < kCount; i += 997) {
            const QString name = QStringLiteral("s%1").arg(i, 6, 10, QLatin1Char('0'));  // lower case: case-insensitive
            const SymbolSpec *s = cat->find(name);
            QVERIFY2(s == &cat->symbols()[size_t(i)], qPrintable(name));
        }
        QVERIFY(cat->find(QStringLiteral("S100000")) == nullptr);
        QVERIFY(cat->find(QStringLiteral("S00000")) == nullptr);
        qInfo("%d symbols: fromJson %lld ms (JSON %lld MB), 101 finds %lld us", kCount, loadMs,
              qint64(json.size()) >> 20, timer.nsecsElapsed() / 1000);

        // A copy answers from its own symbols, not the original's.
        const SymbolCatalog copy = *cat;
        QVERIFY(copy.find(QStringLiteral("S099999")) == &copy.symbols().back());

        // The duplicate check still works at that size, with a case-folded name at the very end.
        const Result<SymbolCatalog> dup = SymbolCatalog::fromJson(manySymbolsJson(20000, "s000123"), QStringLiteral("dup.json"));
        QVERIFY(!dup.ok());
        QVERIFY2(dup.error().message.contains(QStringLiteral("symbol 's000123' (#20000): field 'name' duplicates symbol 'S000123' (#124)")),
                 qPrintable(dup.error().message));
    }
};

QTEST_GUILESS_MAIN(TestSymbolSpec)
#include "tst_symbolspec.moc"
