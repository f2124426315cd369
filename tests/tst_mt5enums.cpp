// MT5 enumerations and return codes: names round-trip, numeric values are MT5's, every code has one class.
#include "brokertypes.h"
#include "mt5enums.h"
#include "retcode.h"

#include <QtTest>

using namespace bd::mt5;

class TestMt5Enums : public QObject {
    Q_OBJECT
private slots:
    void namesRoundTrip()
    {
        for (int v : {0, 1, 2, 3, 4, 5, 6, 7, 8}) {
            const auto type = OrderType(v);
            QCOMPARE(parseMt5<OrderType>(mt5Name(type)), std::optional<OrderType>(type));
        }
        for (int v : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) {
            const auto reason = DealReason(v);
            QCOMPARE(parseMt5<DealReason>(mt5Name(reason)), std::optional<DealReason>(reason));
        }
        QCOMPARE(mt5Name(TradeAction::CloseBy), QStringLiteral("TRADE_ACTION_CLOSE_BY"));
        QCOMPARE(mt5Name(MarginMode::RetailHedging), QStringLiteral("ACCOUNT_MARGIN_MODE_RETAIL_HEDGING"));
        QCOMPARE(mt5Name(DealEntry::OutBy), QStringLiteral("DEAL_ENTRY_OUT_BY"));
    }
    void numericValuesAreMt5s()
    {
        // The MetaTrader5 package constants (MT5_PROTOCOL.md §1.1): a wrong value here sends the wrong order.
        QCOMPARE(int(*parseMt5<TradeAction>(u"TRADE_ACTION_SLTP")), 6);
        QCOMPARE(int(*parseMt5<TradeAction>(u"TRADE_ACTION_REMOVE")), 8);
        QCOMPARE(int(*parseMt5<OrderType>(u"ORDER_TYPE_SELL_STOP")), 5);
        QCOMPARE(int(*parseMt5<OrderFilling>(u"ORDER_FILLING_RETURN")), 2);
        QCOMPARE(int(*parseMt5<DealReason>(u"DEAL_REASON_SO")), 6);
    }
    void unknownNamesAreRefused()
    {
        QVERIFY(!parseMt5<OrderType>(u"ORDER_TYPE_BUY ").has_value());
        QVERIFY(!parseMt5<OrderType>(u"order_type_buy").has_value());
        QVERIFY(!parseMt5<OrderType>(u"DEAL_TYPE_BUY").has_value());
        QVERIFY(!parseMt5<DealEntry>(u"").has_value());
        QCOMPARE(mt5Name(OrderType(42)), QStringLiteral("ORDER_TYPE(42)"));
    }
    void sides()
    {
        QVERIFY(isBuy(OrderType::BuyStopLimit));
        QVERIFY(!isBuy(OrderType::SellLimit));
        QVERIFY(isMarket(OrderType::Sell));
        QVERIFY(!isMarket(OrderType::BuyLimit));
    }
    void retcodeClasses_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("cls");
        QTest::newRow("done") << 10009 << "SUCCESS";
        QTest::newRow("placed") << 10008 << "SUCCESS";
        QTest::newRow("no changes") << 10025 << "SUCCESS";
        QTest::newRow("requote") << 10004 << "RETRY_REPRICE";
        QTest::newRow("price changed") << 10020 << "RETRY_REPRICE";
        QTest::newRow("price off") << 10021 << "RETRY_BACKOFF";
        QTest::newRow("connection") << 10031 << "RETRY_BACKOFF";
        QTest::newRow("error") << 10011 << "RECONCILE";
        QTest::newRow("timeout") << 10012 << "RECONCILE";
        QTest::newRow("invalid volume") << 10014 << "REJECT_REQUEST";
        QTest::newRow("invalid stops") << 10016 << "REJECT_REQUEST";
        QTest::newRow("invalid fill") << 10030 << "REJECT_REQUEST";
        QTest::newRow("no money") << 10019 << "REJECT_STATE";
        QTest::newRow("market closed") << 10018 << "REJECT_STATE";
        QTest::newRow("hedge prohibited") << 10046 << "REJECT_STATE";
        QTest::newRow("frozen") << 10029 << "STATE_CONFLICT";
        QTest::newRow("position closed") << 10036 << "STATE_CONFLICT";
        QTest::newRow("no 10005") << 10005 << "UNKNOWN";
        QTest::newRow("no 10037") << 10037 << "UNKNOWN";
        QTest::newRow("zero") << 0 << "UNKNOWN";
    }
    void retcodeClasses()
    {
        QFETCH(int, code);
        QFETCH(QString, cls);
        QCOMPARE(retcodeClassName(classifyRetcode(code)), cls);
    }
    void retcodeNames()
    {
        QCOMPARE(retcodeName(10016), QStringLiteral("TRADE_RETCODE_INVALID_STOPS"));
        QCOMPARE(retcodeFromName(QStringLiteral("TRADE_RETCODE_INVALID_STOPS")), 10016);
        QCOMPARE(retcodeName(10037), QStringLiteral("TRADE_RETCODE_UNKNOWN(10037)"));
        QCOMPARE(retcodeFromName(QStringLiteral("TRADE_RETCODE_UNKNOWN")), 0);
        QCOMPARE(retcodeMeaning(10019), QStringLiteral("There is not enough money to complete the request"));
        // Every code from 10004 to 10046 except 10005 and 10037 is in the table, named and classified.
        for (int code = 10004; code <= 10046; ++code) {
            const bool expected = code != 10005 && code != 10037;
            QCOMPARE(classifyRetcode(code) != RetcodeClass::Unknown, expected);
            if (expected)
                QCOMPARE(retcodeFromName(retcodeName(code)), code);
        }
        QVERIFY(isRetryable(classifyRetcode(10004)));
        QVERIFY(!isRetryable(classifyRetcode(10012)));
    }
};

QTEST_APPLESS_MAIN(TestMt5Enums)
#include "tst_mt5enums.moc"
