// PgOrderOutbox (connectors/postgres/pgorderoutbox.h, migration 0002) on a real PostgreSQL 15 (a throwaway cluster,
// pgharness.h): an order recorded before sending is found by a new connection (a restarted BotDesk), the same id
// with the same request is a no-op and with another request a clear error, the unfinished ones of one account come
// oldest first, a final result is kept (the first one wins), bad ids are refused, a server outage is an error with
// nothing written, and logins see only their own rows. And Mt5Client with this outbox on its I/O thread against a
// scripted bridge: an order in flight when the process dies is asked with order.status by the next process (never
// sent again), and its row ends final.

#include "brokermetatypes.h"
#include "database.h"
#include "mt5client.h"
#include "scriptedbridge.h"
#include "pgharness.h"
#include "pgorderoutbox.h"
#include "resultcheck.h"

#include <QCryptographicHash>
#include <QThread>
#include <QtTest>

using namespace bd;
using namespace bd::mt5;
using namespace bd::pgtest;

namespace {

OutboxEntry order(const QString &id, const QString &account, const QString &run, double volume)
{
    OutboxEntry e;
    e.clientReqId = id;
    e.account = account;
    e.runId = run;
    e.requestJson = QStringLiteral(R"({"action":"TRADE_ACTION_DEAL","symbol":"EURUSD.m","type":"ORDER_TYPE_BUY","volume":%1})")
                        .arg(volume).toUtf8();
    e.requestHash = QString::fromLatin1(QCryptographicHash::hash(e.requestJson, QCryptographicHash::Sha256).toHex());
    return e;
}

} // namespace

class TestPgOrderOutbox : public QObject {
    Q_OBJECT
    PgHarness pg;

private slots:
    void initTestCase() { QVERIFY_OK(pg.start()); }

    void recordedOrdersSurviveARestart()
    {
        auto url = pg.createMigratedDatabase(QStringLiteral("outbox"));
        QVERIFY_OK(url);
        {
            Database db(pg.target(*url), options("io"));
            PgOrderOutbox outbox(db);
            QVERIFY_OK(outbox.recordBeforeSend(order("a-1", "12345@Demo", "run-1", 0.1)));
            QVERIFY_OK(outbox.recordBeforeSend(order("a-2", "12345@Demo", "", 0.2)));
            QVERIFY_OK(outbox.recordBeforeSend(order("b-1", "999@Other", "run-9", 0.3)));
            QVERIFY_OK(outbox.recordBeforeSend(order("a-3", "12345@Demo", "run-1", 0.4)));
            QVERIFY_OK(outbox.markFinal("a-3", R"({"type":"order.result","status":"done","retcode":10009})"));
        }
        // "After the crash": a new connection sees what was committed.
        Database db(pg.target(*url), options("restart"));
        PgOrderOutbox outbox(db);
        auto open = outbox.unfinished("12345@Demo");
        QVERIFY_OK(open);
        QCOMPARE(open->size(), size_t(2));
        QCOMPARE(open->at(0).clientReqId, QStringLiteral("a-1"));
        QCOMPARE(open->at(0).runId, QStringLiteral("run-1"));
        QCOMPARE(open->at(1).clientReqId, QStringLiteral("a-2"));
        QCOMPARE(open->at(1).runId, QString());
        QCOMPARE(open->at(0).requestJson, order("a-1", "", "", 0.1).requestJson);  // byte for byte
        QCOMPARE(open->at(0).requestHash, order("a-1", "", "", 0.1).requestHash);
        QVERIFY(open->at(0).createdAtMs > 1'700'000'000'000);
        QCOMPARE(count(db, "SELECT count(*) FROM order_outbox WHERE run_id IS NULL"), 1);

        auto done = outbox.find("a-3");
        QVERIFY_OK(done);
        QCOMPARE(done->state, OutboxEntry::State::Final);
        QVERIFY(done->resultJson.contains("10009"));
        QVERIFY(done->updatedAtMs >= done->createdAtMs);
        // The first final result stays.
        QVERIFY_OK(outbox.markFinal("a-3", R"({"status":"rejected"})"));
        QVERIFY(outbox.find("a-3")->resultJson.contains("10009"));
        QVERIFY_OK(outbox.markFinal("a-1", R"({"status":"done"})"));
        QCOMPARE(outbox.unfinished("12345@Demo")->size(), size_t(1));
        auto unknown = outbox.markFinal("zz", "{}");
        QVERIFY(!unknown);
        QVERIFY2(unknown.error().message.contains("'zz'"), qPrintable(unknown.error().message));
        QVERIFY(!outbox.find("zz"));
    }

    void sameIdSameRequestIsANoOpAnotherRequestIsAConflict()
    {
        auto url = pg.createMigratedDatabase(QStringLiteral("conflict"));
        QVERIFY_OK(url);
        Database db(pg.target(*url), options("io"));
        PgOrderOutbox outbox(db);
        QVERIFY_OK(outbox.recordBeforeSend(order("x-1", "acct", "run", 0.1)));
        QVERIFY_OK(outbox.recordBeforeSend(order("x-1", "acct", "run", 0.1)));
        auto conflict = outbox.recordBeforeSend(order("x-1", "acct", "run", 0.5));
        QVERIFY(!conflict);
        QVERIFY2(conflict.error().message.contains("already used for another request"), qPrintable(conflict.error().message));
        QCOMPARE(count(db, "SELECT count(*) FROM order_outbox"), 1);
        for (const QString &bad : {QStringLiteral(""), QStringLiteral("has space"), QString(37, QLatin1Char('a')),
                                  QStringLiteral("semi;colon")}) {
            auto refused = outbox.recordBeforeSend(order(bad, "acct", "", 0.1));
            QVERIFY(!refused);
            QVERIFY2(refused.error().message.contains("use a UUID"), qPrintable(refused.error().message));
        }
        QCOMPARE(count(db, "SELECT count(*) FROM order_outbox"), 1);
    }

    void anOutageIsAnErrorAndWritesNothing()
    {
        auto url = pg.createMigratedDatabase(QStringLiteral("outage"));
        QVERIFY_OK(url);
        Database db(pg.target(*url), options("io"));
        PgOrderOutbox outbox(db);
        QVERIFY_OK(outbox.recordBeforeSend(order("o-1", "acct", "", 0.1)));
        QVERIFY_OK(pg.stopServer());
        auto failed = outbox.recordBeforeSend(order("o-2", "acct", "", 0.1));
        QVERIFY(!failed);
        QVERIFY2(failed.error().message.contains("cannot record order o-2 in the outbox"), qPrintable(failed.error().message));
        QVERIFY_OK(pg.startServer());
        QVERIFY(!outbox.find("o-2"));  // reconnects; nothing of o-2 was written
        QCOMPARE(outbox.unfinished("acct")->size(), size_t(1));
    }

    void loginsSeeOnlyTheirOwnOrders()
    {
        auto url = pg.createMigratedDatabase(QStringLiteral("rls"));
        QVERIFY_OK(url);
        QVERIFY_OK(pg.createLoginRole(QStringLiteral("alice"), {QStringLiteral("botdesk_user")}));
        QVERIFY_OK(pg.createLoginRole(QStringLiteral("bob"), {QStringLiteral("botdesk_user")}));
        Database aliceDb(pg.target(QStringLiteral("rls"), QStringLiteral("alice")), options("alice"));
        Database bobDb(pg.target(QStringLiteral("rls"), QStringLiteral("bob")), options("bob"));
        PgOrderOutbox alice(aliceDb), bob(bobDb);
        QVERIFY_OK(alice.recordBeforeSend(order("al-1", "acct", "", 0.1)));
        QCOMPARE(alice.unfinished("acct")->size(), size_t(1));
        QCOMPARE(bob.unfinished("acct")->size(), size_t(0));
        QVERIFY(!bob.find("al-1"));
        QVERIFY(!bob.markFinal("al-1", "{}"));
        // Bob cannot take alice's id either (the key is global); the error says to use a new id.
        auto taken = bob.recordBeforeSend(order("al-1", "acct", "", 0.1));
        QVERIFY(!taken);
        QVERIFY2(taken.error().message.contains("new client_req_id"), qPrintable(taken.error().message));
        QCOMPARE(alice.find("al-1")->state, OutboxEntry::State::InFlight);
    }

    void theClientRecordsInPostgresAndAsksAfterACrash()
    {
        registerBrokerMetaTypes();
        auto url = pg.createMigratedDatabase(QStringLiteral("client"));
        QVERIFY_OK(url);
        const DatabaseTarget target = pg.target(*url);
        test::ScriptedBridge bridge;
        bridge.holdOrders = true;
        QVERIFY(bridge.listen());
        Mt5ClientConfig config;
        config.url = bridge.url();
        config.token = test::kToken;
        config.outboxFactory = [target] { return makePgOrderOutbox(target, options("mt5-io")); };
        const auto run = [&](const std::function<void(Mt5Client *)> &body) {
            QThread io;
            Mt5Client *client = Mt5Client::createOn(io, config);
            io.start();
            body(client);
            io.quit();
            io.wait();
        };
        Database db(target, options("check"));
        run([&](Mt5Client *client) {
            BrokerPort *br = client->broker();
            TradeRequest buy;
            buy.symbol = QStringLiteral("EURUSD");
            buy.volume = 0.1;
            bool live = false;
            QObject::connect(br, &BrokerPort::linkStatusChanged, this,
                             [&live](const LinkStatus &s) { live = s.state == LinkStatus::State::Live; });
            QTRY_VERIFY_WITH_TIMEOUT(live, 5000);
            QMetaObject::invokeMethod(br, [br, buy] { br->sendOrder(QStringLiteral("pg-1"), buy, QStringLiteral("run-1")); },
                                      Qt::QueuedConnection);
            QTRY_COMPARE_WITH_TIMEOUT(bridge.receivedOfType("order.send").size(), 1, 5000);
            QObject::disconnect(br, nullptr, this, nullptr);
            // Recorded before it was sent: the row is there, in flight, under this account.
            QCOMPARE(count(db, "SELECT count(*) FROM order_outbox WHERE client_req_id = 'pg-1' AND state = 'inflight' "
                               "AND account = '1000001@Sim-Server' AND run_id = 'run-1'"), 1);
        });  // the process dies with pg-1 in flight
        const QJsonObject request = bridge.receivedOfType("order.send").first().value("request").toObject();
        bridge.results.insert(QStringLiteral("pg-1"), bridge.resultBody(QStringLiteral("pg-1"), request, false));
        bridge.holdOrders = false;
        QList<OrderOutcome> outcomes;
        run([&](Mt5Client *client) {
            QObject::connect(client->broker(), &BrokerPort::orderOutcome, this,
                             [&outcomes](const OrderOutcome &o) { outcomes << o; });
            QTRY_COMPARE_WITH_TIMEOUT(outcomes.size(), 1, 8000);
        });
        QCOMPARE(outcomes.first().clientReqId, QStringLiteral("pg-1"));
        QVERIFY(outcomes.first().dedup);
        QCOMPARE(bridge.receivedOfType("order.send").size(), 1);  // asked, never sent again
        QCOMPARE(bridge.receivedOfType("order.status").size(), 1);
        QCOMPARE(count(db, "SELECT count(*) FROM order_outbox WHERE client_req_id = 'pg-1' AND state = 'final' "
                           "AND result->>'status' = 'done'"), 1);
    }
};

QTEST_GUILESS_MAIN(TestPgOrderOutbox)
#include "tst_pgorderoutbox.moc"
