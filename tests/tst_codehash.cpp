// code_hash and canonical JSON (core/bots/codehash.h): fixed golden hashes, key order and number normalisation.

#include "codehash.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <cmath>

using namespace bd;

namespace {

// Unsorted keys, 12.0, -0, 0.1, 1e21, 1e-7, escapes, a nested array and object, a non-ASCII key (JSON text;
// moc misreads raw string literals holding backslashes, hence plain literals there).
const char kGoldenParams[] =
    "{\"slow\": 26, \"fast\": 12.0, \"rr\": 0.1, \"big\": 1e21, \"neg\": -0.0, \"tiny\": 0.0000001,"
    " \"name\": \"a\\\"b\\\\c\\n\\t\", \"list\": [1, true, null, {\"z\": 1, \"a\": 2}], \"\\u00e9\": \"\\u00fc\"}";

QJsonObject parse(const char *json)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qFatal("bad test JSON %s: %s", json, qPrintable(error.errorString()));
    return doc.object();
}

bool isLowerHex64(const QString &s)
{
    static const QRegularExpression re(QStringLiteral("^[0-9a-f]{64}$"));
    return re.match(s).hasMatch();
}

} // namespace

class TestCodeHash : public QObject {
    Q_OBJECT
private slots:
    // The hashes below were computed outside BotDesk, from the exact bytes the formula prescribes, with GNU
    // coreutils (bash's printf expands \n, \\ and \xNN; sha256sum hashes stdin):
    //   printf '\n--botdesk-params--\n{}' | sha256sum
    //   printf 'int main() { return 0; }\n\n--botdesk-params--\n{"fast":12,"slow":26}' | sha256sum
    //   printf '// \xc3\xa9 \xe2\x88\x93\nx\n\n--botdesk-params--\n{"big":1e+21,"fast":12,"list":[1,true,null,
    //           {"a":2,"z":1}],"name":"a\\"b\\\\c\\n\\t","neg":0,"rr":0.1,"slow":26,"tiny":1e-07,
    //           "\xc3\xa9":"\xc3\xbc"}' | sha256sum            (one line, without the breaks shown here)
    // If one of these fails, the hash of every stored version would change: fix the code, never the figures.
    void goldenHashes_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<QJsonObject>("params");
        QTest::addColumn<QString>("hash");
        QTest::newRow("empty") << QString() << QJsonObject{}
                               << "c96655f8c1be1196482dd991674b694c6a57b6145865769fe9fd326836039dd0";
        QTest::newRow("two integers")
            << QStringLiteral("int main() { return 0; }\n") << QJsonObject{{"slow", 26}, {"fast", 12}}
            << "fca3ac01b977c5abd1332014d24a6a45312c0325bb4b4064def6fa3831473605";
        // Non-ASCII code, unsorted keys, 12.0, -0, 0.1, 1e21, 1e-7, escapes, nested array and object.
        QTest::newRow("everything")
            << QStringLiteral("// \u00e9 \u2213\nx\n")
            << parse(kGoldenParams)
            << "89d9db990c6553566baa23ffd623bb1c7ac7ae866dce404dfd2dadb5c317e86c";
    }

    void goldenHashes()
    {
        QFETCH(QString, code);
        QFETCH(QJsonObject, params);
        QFETCH(QString, hash);
        QCOMPARE(computeCodeHash(code, params), hash);
    }

    void canonicalTextOfTheGoldenParams()
    {
        const QJsonObject params = parse(kGoldenParams);
        QCOMPARE(canonicalJson(params),
                 QByteArray("{\"big\":1e+21,\"fast\":12,\"list\":[1,true,null,{\"a\":2,\"z\":1}],"
                            "\"name\":\"a\\\"b\\\\c\\n\\t\",\"neg\":0,\"rr\":0.1,\"slow\":26,\"tiny\":1e-07,"
                            "\"\xc3\xa9\":\"\xc3\xbc\"}"));
    }

    void numbers_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("12") << 12.0 << QByteArray("12");
        QTest::newRow("-3") << -3.0 << QByteArray("-3");
        QTest::newRow("0") << 0.0 << QByteArray("0");
        QTest::newRow("-0") << -0.0 << QByteArray("0");
        QTest::newRow("0.1") << 0.1 << QByteArray("0.1");
        QTest::newRow("-2.5") << -2.5 << QByteArray("-2.5");
        QTest::newRow("1e21") << 1e21 << QByteArray("1e+21");
        QTest::newRow("1e-7") << 1e-7 << QByteArray("1e-07");
        QTest::newRow("2^53-1") << 9007199254740991.0 << QByteArray("9007199254740991");
        QTest::newRow("2^53") << 9007199254740992.0 << QByteArray("9007199254740992");  // shortest double form
        QTest::newRow("1e17") << 1e17 << QByteArray("1e+17");
        QTest::newRow("1/3") << 1.0 / 3.0 << QByteArray("0.3333333333333333");
        QTest::newRow("min subnormal") << 5e-324 << QByteArray("5e-324");
        QTest::newRow("max") << 1.7976931348623157e308 << QByteArray("1.7976931348623157e+308");
        QTest::newRow("inf") << std::numeric_limits<double>::infinity() << QByteArray("null");
    }

    void numbers()
    {
        QFETCH(double, value);
        QFETCH(QByteArray, text);
        QCOMPARE(canonicalJson(QJsonValue(value)), text);
        if (std::isfinite(value))  // the text reads back to the same double
            QCOMPARE(QJsonDocument::fromJson("[" + text + "]").array().at(0).toDouble(), value == 0 ? 0.0 : value);
    }

    void equalNumbersWrittenDifferentlyHashTheSame_data()
    {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::newRow("12 vs 12.0") << QByteArray(R"({"x": 12})") << QByteArray(R"({"x": 12.0})");
        QTest::newRow("12 vs 1.2e1") << QByteArray(R"({"x": 12})") << QByteArray(R"({"x": 1.2e1})");
        QTest::newRow("0.1 vs 1e-1") << QByteArray(R"({"x": 0.1})") << QByteArray(R"({"x": 1e-1})");
        QTest::newRow("0.1 vs 0.10") << QByteArray(R"({"x": 0.1})") << QByteArray(R"({"x": 0.100})");
        QTest::newRow("1e21 in full") << QByteArray(R"({"x": 1e21})") << QByteArray(R"({"x": 1000000000000000000000})");
        QTest::newRow("-0 vs 0") << QByteArray(R"({"x": -0})") << QByteArray(R"({"x": 0})");
        QTest::newRow("-0.0 vs 0") << QByteArray(R"({"x": -0.0})") << QByteArray(R"({"x": 0})");
    }

    void equalNumbersWrittenDifferentlyHashTheSame()
    {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        const QString code = QStringLiteral("code");
        QCOMPARE(canonicalJson(parse(a)), canonicalJson(parse(b)));
        QCOMPARE(computeCodeHash(code, parse(a)), computeCodeHash(code, parse(b)));
        // And built in C++ from a double and from an integer.
        QCOMPARE(computeCodeHash(code, {{"x", 12}}), computeCodeHash(code, {{"x", 12.0}}));
        QCOMPARE(computeCodeHash(code, {{"x", 0}}), computeCodeHash(code, {{"x", -0.0}}));
    }

    void differentNumbersHashDifferently()
    {
        const QString code = QStringLiteral("code");
        QVERIFY(computeCodeHash(code, {{"x", 0.1}}) != computeCodeHash(code, {{"x", std::nextafter(0.1, 1.0)}}));
        QVERIFY(computeCodeHash(code, {{"x", 12}}) != computeCodeHash(code, {{"x", 12.5}}));
        QVERIFY(computeCodeHash(code, {{"x", 12}}) != computeCodeHash(code, {{"x", "12"}}));
        QVERIFY(computeCodeHash(code, {{"x", 1}}) != computeCodeHash(code, {{"x", true}}));
    }

    void keyOrderDoesNotMatter()
    {
        const QJsonObject a = parse(R"({"fast": 12, "slow": 26, "nested": {"b": [1, {"y": 1, "x": 2}], "a": null}})");
        const QJsonObject b = parse("{\n  \"nested\" : { \"a\" : null , \"b\" : [ 1 , { \"x\" : 2 , \"y\" : 1 } ] } ,"
                                    "\n  \"slow\" : 26 ,\n  \"fast\" : 12\n}");
        QCOMPARE(canonicalJson(a), canonicalJson(b));
        QCOMPARE(canonicalJson(a), QByteArray(R"({"fast":12,"nested":{"a":null,"b":[1,{"x":2,"y":1}]},"slow":26})"));
        QCOMPARE(computeCodeHash("c", a), computeCodeHash("c", b));
        // Array order does matter.
        QVERIFY(computeCodeHash("c", parse(R"({"l": [1, 2]})")) != computeCodeHash("c", parse(R"({"l": [2, 1]})")));
    }

    void keysSortByUtf16CodeUnits()
    {
        // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FF21 in UTF-16 but after it in code points.
        QJsonObject o;
        for (const QString &key : {QStringLiteral("\uFF21"), QStringLiteral("\U0001F600"), QStringLiteral("\u00e9"),
                                   QStringLiteral("a"), QStringLiteral("Z"), QStringLiteral("")})
            o.insert(key, 1);
        QCOMPARE(canonicalJson(o), QStringLiteral("{\"\":1,\"Z\":1,\"a\":1,\"\u00e9\":1,\"\U0001F600\":1,\"\uFF21\":1}").toUtf8());
    }

    void stringsAreEscapedExactlyAsQtWritesThem()
    {
        // Every UTF-16 code unit on its own (lone surrogates included), then valid pairs, against Qt 6's writer.
        QString all;
        for (int u = 0; u <= 0xFFFF; ++u)
            all += QChar(char16_t(u));
        all += QStringLiteral("\U0001F600\U0010FFFF");
        for (const QString &s : {all, QStringLiteral("plain"), QString()}) {
            const QByteArray qt = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
            QCOMPARE(canonicalJson(QJsonValue(s)), qt.mid(1, qt.size() - 2));
            const QByteArray qtKey = QJsonDocument(QJsonObject{{s, 1}}).toJson(QJsonDocument::Compact);
            QCOMPARE(canonicalJson(QJsonObject{{s, 1}}), qtKey);
        }
        QCOMPARE(canonicalJson(QJsonValue(QStringLiteral("a\"b\\c/\x01\x1f\x7f"))), QByteArray("\"a\\\"b\\\\c/\\u0001\\u001f\x7f\""));
    }

    void anyChangeOfCodeOrParamsChangesTheHash()
    {
        const QString code = QStringLiteral("void onBar() { buy(); }\n");
        const QJsonObject params{{"fast", 12}};
        const QString base = computeCodeHash(code, params);
        QVERIFY(isLowerHex64(base));
        QCOMPARE(computeCodeHash(code, params), base);  // deterministic
        for (qsizetype i = 0; i < code.size(); ++i) {    // flip each character by one code unit
            QString changed = code;
            changed[i] = QChar(char16_t(changed[i].unicode() ^ 1));
            QVERIFY2(computeCodeHash(changed, params) != base, qPrintable(changed));
        }
        QVERIFY(computeCodeHash(code + QLatin1Char(' '), params) != base);
        QVERIFY(computeCodeHash(code.chopped(1), params) != base);
        QVERIFY(computeCodeHash(code, {{"fast", 13}}) != base);
        QVERIFY(computeCodeHash(code, {}) != base);
        QVERIFY(computeCodeHash(code, {{"fast", 12}, {"slow", 26}}) != base);
    }
};

QTEST_GUILESS_MAIN(TestCodeHash)
#include "tst_codehash.moc"
