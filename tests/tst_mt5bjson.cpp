// The mt5b wire form of MT5's value types: round trips, the protocol's examples, and refusal of bad fields.
#include "mt5bjson.h"

#include <QJsonDocument>
#include <QtTest>

using namespace bd;
using namespace bd::mt5;

namespace {
QJsonObject parse(const char *json) { return QJsonDocument::fromJson(QByteArray(json)).object(); }
}

class TestMt5bJson : public QObject {
    Q_OBJECT
private slots:
    void tickets_data()
    {
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<quint64>("ticket");
        QTest::newRow("decimal") << QJsonValue("1268074569") << true << quint64(1268074569);
        QTest::newRow("max uint64") << QJsonValue("18446744073709551615") << true << quint64(18446744073709551615ULL);
        QTest::newRow("null") << QJsonValue(QJsonValue::Null) << true << quint64(0);
        QTest::newRow("number") << QJsonValue(1268074569.0) << false << quint64(0);
        QTest::newRow("overflow") << QJsonValue("18446744073709551616") << false << quint64(0);
        QTest::newRow("sign") << QJsonValue("-1") << false << quint64(0);
        QTest::newRow("space") << QJsonValue(" 12") << false << quint64(0);
        QTest::newRow("empty") << QJsonValue("") << false << quint64(0);
    }
    void tickets()
    {
        QFETCH(QJsonValue, value);
        QFETCH(bool, ok);
        QFETCH(quint64, ticket);
        const auto parsed = mt5b::ticketFromJson(value, QStringLiteral("deal.ticket"));
        QCOMPARE(parsed.ok(), ok);
        if (ok)
            QCOMPARE(*parsed, ticket);
        else
            QVERIFY2(parsed.error().message.contains(QStringLiteral("deal.ticket")), qPrintable(parsed.error().message));
    }
    void ticketAbove2To53SurvivesTheRoundTrip()
    {
        // 2^53 + 1 is not representable as a double: the reason tickets travel as strings.
        Deal deal;
        deal.ticket = (quint64(1) << 53) + 1;
        deal.symbol = QStringLiteral("EURUSD.m");
        const QByteArray text = QJsonDocument(mt5b::toJson(deal)).toJson();
        const auto back = mt5b::dealFromJson(QJsonDocument::fromJson(text).object());
        QVERIFY(back.ok());
        QCOMPARE(back->ticket, (quint64(1) << 53) + 1);
    }
    void dealFromTheSpecExample()
    {
        const auto deal = mt5b::dealFromJson(parse(R"({"ticket":"1250629232","order":"1268074569","time":1718000001,
            "time_msc":1718000001815,"type":"DEAL_TYPE_SELL","entry":"DEAL_ENTRY_OUT","magic":770001,
            "position_id":"1268000000","reason":"DEAL_REASON_SL","volume":0.10,"price":1.08420,"commission":-0.35,
            "swap":0.0,"profit":-41.2,"fee":0.0,"symbol":"EURUSD.m","comment":"[sl 1.08420]","external_id":"",
            "future_field":{"ignored":true}})"));
        QVERIFY2(deal.ok(), deal.ok() ? "" : qPrintable(deal.error().message));
        QCOMPARE(deal->ticket, quint64(1250629232));
        QCOMPARE(deal->positionId, quint64(1268000000));
        QCOMPARE(deal->type, DealType::Sell);
        QCOMPARE(deal->entry, DealEntry::Out);
        QCOMPARE(deal->reason, DealReason::Sl);
        QCOMPARE(deal->timeMsc, qint64(1718000001815));
        QCOMPARE(deal->profit, -41.2);
    }
    void badEnumNamesTheField()
    {
        const auto deal = mt5b::dealFromJson(parse(R"({"ticket":"1","type":"SELL","entry":"DEAL_ENTRY_OUT"})"));
        QVERIFY(!deal.ok());
        QVERIFY2(deal.error().message.contains(QStringLiteral("'type'")), qPrintable(deal.error().message));
        QVERIFY2(deal.error().message.contains(QStringLiteral("DEAL_TYPE_BUY")), qPrintable(deal.error().message));
    }
    void tradeRequestRoundTrip()
    {
        TradeRequest q;
        q.action = TradeAction::Deal;
        q.symbol = QStringLiteral("EURUSD.m");
        q.volume = 0.1;
        q.type = OrderType::Sell;
        q.sl = 1.083;
        q.tp = 1.089;
        q.deviation = 10;
        q.magic = 770001;
        q.comment = QStringLiteral("ws");
        q.typeFilling = QStringLiteral("ORDER_FILLING_IOC");
        q.position = 1268074569;
        const QJsonObject json = mt5b::toJson(q);
        QCOMPARE(json.value("type").toString(), QStringLiteral("ORDER_TYPE_SELL"));
        QCOMPARE(json.value("position").toString(), QStringLiteral("1268074569"));
        QVERIFY(json.value("order").isNull());
        const auto back = mt5b::tradeRequestFromJson(json);
        QVERIFY(back.ok());
        QCOMPARE(back->type, OrderType::Sell);
        QCOMPARE(back->position, quint64(1268074569));
        QCOMPARE(back->order, quint64(0));
        QCOMPARE(back->sl, 1.083);
        QCOMPARE(back->typeFilling, QStringLiteral("ORDER_FILLING_IOC"));
    }
    void tradeRequestNeedsAnActionAndATypeForDeals()
    {
        QVERIFY(!mt5b::tradeRequestFromJson(parse(R"({"symbol":"EURUSD","volume":0.1,"type":"ORDER_TYPE_BUY"})")).ok());
        const auto noType = mt5b::tradeRequestFromJson(parse(R"({"action":"TRADE_ACTION_DEAL","symbol":"EURUSD"})"));
        QVERIFY(!noType.ok());
        QVERIFY2(noType.error().message.contains(QStringLiteral("'type'")), qPrintable(noType.error().message));
        // SLTP needs no order type.
        QVERIFY(mt5b::tradeRequestFromJson(parse(R"({"action":"TRADE_ACTION_SLTP","position":"5","sl":1.1})")).ok());
        // A volume sent as a string is refused, not read as 0.
        QVERIFY(!mt5b::tradeRequestFromJson(parse(R"({"action":"TRADE_ACTION_DEAL","type":"ORDER_TYPE_BUY","volume":"0.1"})")).ok());
    }
    void orderResultFromTheSpecExample()
    {
        const auto outcome = mt5b::orderOutcomeFromJson(parse(R"({"client_req_id":"01J0Z7Q5N8X4K3M2TQ9V6W1B7C",
            "status":"done","dedup":false,"retcode":10009,"retcode_name":"TRADE_RETCODE_DONE","class":"SUCCESS",
            "retryable":false,"result":{"retcode":10009,"deal":"1250629231","order":"1268074569","volume":0.10,
            "price":1.08515,"bid":1.08513,"ask":1.08515,"comment":"Request executed","request_id":17,
            "retcode_external":0},"position_id":"1268074569","filling_used":"ORDER_FILLING_IOC","attempts":1,
            "latency_ms":84})"));
        QVERIFY2(outcome.ok(), outcome.ok() ? "" : qPrintable(outcome.error().message));
        QCOMPARE(outcome->status, OrderOutcome::Status::Done);
        QCOMPARE(outcome->retcodeClass, RetcodeClass::Success);
        QCOMPARE(outcome->result.deal, quint64(1250629231));
        QCOMPARE(outcome->positionId, quint64(1268074569));
        QCOMPARE(outcome->bridgeLatencyMs, qint64(84));
        // Written back, then read again: the same outcome.
        const auto again = mt5b::orderOutcomeFromJson(mt5b::toJson(*outcome));
        QVERIFY(again.ok());
        QCOMPARE(again->result.price, 1.08515);
        QCOMPARE(again->fillingUsed, QStringLiteral("ORDER_FILLING_IOC"));
    }
    void reconciledNotExecutedKeepsItsClass()
    {
        const auto outcome = mt5b::orderOutcomeFromJson(parse(R"({"client_req_id":"a","status":"rejected",
            "retcode":10012,"class":"RECONCILED_NOT_EXECUTED","reconciled":true})"));
        QVERIFY(outcome.ok());
        QCOMPARE(outcome->retcodeClass, RetcodeClass::ReconciledNotExecuted);
        QVERIFY(outcome->reconciled);
        QVERIFY(!mt5b::orderOutcomeFromJson(parse(R"({"client_req_id":"a","status":"maybe","retcode":10009})")).ok());
    }
    void tickAndBar()
    {
        const auto tick = mt5b::tickFromJson(parse(R"({"symbol":"EURUSD.m","time_msc":1717999990123,"bid":1.08512,
            "ask":1.08514,"last":0.0,"volume":0,"volume_real":0.0,"flags":6})"));
        QVERIFY(tick.ok());
        QCOMPARE(tick->timeMsc, qint64(1717999990123));
        QCOMPARE(tick->flags, 6);
        QVERIFY(!mt5b::tickFromJson(parse(R"({"symbol":"EURUSD.m","time_msc":1,"bid":"1.1","ask":1.2})")).ok());
        QVERIFY(!mt5b::tickFromJson(parse(R"({"symbol":"EURUSD.m","time_msc":1.5,"bid":1.1,"ask":1.2})")).ok());
        RateBar bar;
        bar.symbol = QStringLiteral("EURUSD.m");
        bar.timeframe = QStringLiteral("M1");
        bar.time = 1717999980;
        bar.open = 1.1;
        bar.high = 1.2;
        bar.low = 1.0;
        bar.close = 1.15;
        bar.closed = true;
        const auto back = mt5b::rateBarFromJson(mt5b::toJson(bar));
        QVERIFY(back.ok());
        QVERIFY(back->closed);
        QCOMPARE(back->time, qint64(1717999980));
        QCOMPARE(back->close, 1.15);
    }
    void positionOrderAccountSymbol()
    {
        Position p;
        p.ticket = 658189343;
        p.identifier = 658189343;
        p.symbol = QStringLiteral("XAUUSD");
        p.type = PositionType::Sell;
        p.volume = 0.01;
        p.priceOpen = 2420.07;
        const auto pos = mt5b::positionFromJson(mt5b::toJson(p));
        QVERIFY(pos.ok());
        QCOMPARE(pos->type, PositionType::Sell);
        QVERIFY(!mt5b::positionFromJson(parse(R"({"symbol":"X","type":"POSITION_TYPE_BUY","volume":1,"price_open":1})")).ok());

        Order o;
        o.ticket = 77;
        o.symbol = QStringLiteral("EURUSD");
        o.type = OrderType::BuyLimit;
        o.state = OrderState::Placed;
        const auto order = mt5b::orderFromJson(mt5b::toJson(o));
        QVERIFY(order.ok());
        QCOMPARE(order->type, OrderType::BuyLimit);

        AccountInfo a;
        a.login = QStringLiteral("12345678");
        a.marginMode = MarginMode::RetailNetting;
        a.balance = 10000;
        const auto account = mt5b::accountInfoFromJson(mt5b::toJson(a));
        QVERIFY(account.ok());
        QCOMPARE(account->marginMode, MarginMode::RetailNetting);
        QCOMPARE(mt5b::accountInfoFromJson(parse(R"({"login":12345678})"))->login, QStringLiteral("12345678"));

        BrokerSymbol s;
        s.name = QStringLiteral("EURUSD.sim");
        const auto symbol = mt5b::brokerSymbolFromJson(mt5b::toJson(s));
        QVERIFY(symbol.ok());
        QCOMPARE(symbol->volumeStep, 0.01);
        QJsonObject broken = mt5b::toJson(s);
        broken.insert(QStringLiteral("volume_step"), 0);
        QVERIFY(!mt5b::brokerSymbolFromJson(broken).ok());
    }
};

QTEST_APPLESS_MAIN(TestMt5bJson)
#include "tst_mt5bjson.moc"
