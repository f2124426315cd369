// The simulator's durable idempotency map (connectors/mt5sim/idempotency): records survive a reload from the
// JSON-lines file, a torn last line is skipped, the request hash is canonical, the comment tag is base32(sha256).
#include "idempotencystore.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace bd::mt5sim;

class TestMt5SimIdempotency : public QObject {
    Q_OBJECT
private slots:
    void survivesReload()
    {
        QTemporaryDir dir;
        const QJsonObject result{{QStringLiteral("status"), QStringLiteral("done")},
                                 {QStringLiteral("position_id"), QStringLiteral("1000007")},
                                 {QStringLiteral("result"), QJsonObject{{QStringLiteral("deal"), QStringLiteral("1000009")},
                                                                        {QStringLiteral("order"), QStringLiteral("1000008")}}}};
        {
            auto store = IdempotencyStore::open(dir.path());
            QVERIFY(store.ok());
            QVERIFY((*store)->begin(QStringLiteral("a-1"), QStringLiteral("h1"), 111).ok());
            QVERIFY((*store)->finish(QStringLiteral("a-1"), result).ok());
            QVERIFY((*store)->begin(QStringLiteral("b-2"), QStringLiteral("h2"), 222).ok());
            QCOMPARE((*store)->find(QStringLiteral("a-1"))->state, IdempotencyRecord::State::Final);
        }
        auto again = IdempotencyStore::open(dir.path());
        QVERIFY(again.ok());
        const IdempotencyRecord *a = (*again)->find(QStringLiteral("a-1"));
        QVERIFY(a);
        QCOMPARE(a->state, IdempotencyRecord::State::Final);
        QCOMPARE(a->requestHash, QStringLiteral("h1"));
        QCOMPARE(a->result, result);
        QCOMPARE(a->sendTimeMs, 111);
        QCOMPARE((*again)->find(QStringLiteral("b-2"))->state, IdempotencyRecord::State::Inflight);
        QCOMPARE((*again)->inflightAtLoad(), std::vector<QString>{QStringLiteral("b-2")});
        QCOMPARE((*again)->maxTicket(), quint64(1000009));
        QVERIFY(!(*again)->find(QStringLiteral("never")));

        // A torn last line (a crash mid-write) is skipped; a bad line in the middle fails the load.
        {
            QFile f(dir.filePath(QStringLiteral("idempotency.jsonl")));
            QVERIFY(f.open(QIODevice::Append));
            f.write("{\"client_req_id\":\"c-3\",\"requ");
        }
        auto torn = IdempotencyStore::open(dir.path());
        QVERIFY(torn.ok());
        QCOMPARE((*torn)->size(), 2);
        {
            QFile f(dir.filePath(QStringLiteral("idempotency.jsonl")));
            QVERIFY(f.open(QIODevice::Append));
            f.write("\n{\"client_req_id\":\"d-4\",\"request_hash\":\"h\",\"state\":\"inflight\",\"send_time\":1}\n");
        }
        auto bad = IdempotencyStore::open(dir.path());
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.contains(QStringLiteral("idempotency.jsonl:")));
    }

    void inMemoryWithoutStateDir()
    {
        auto store = IdempotencyStore::open(QString());
        QVERIFY(store.ok());
        QVERIFY((*store)->begin(QStringLiteral("x"), QStringLiteral("h"), 1).ok());
        QVERIFY((*store)->filePath().isEmpty());
    }

    void canonicalHash()
    {
        const auto a = QJsonDocument::fromJson(R"({"volume":0.1,"action":"TRADE_ACTION_DEAL","position":null,"x":{"b":1,"a":null}})").object();
        const auto b = QJsonDocument::fromJson(R"({"action":"TRADE_ACTION_DEAL","x":{"b":1},"volume":0.1})").object();
        const auto c = QJsonDocument::fromJson(R"({"action":"TRADE_ACTION_DEAL","x":{"b":1},"volume":0.2})").object();
        QCOMPARE(IdempotencyStore::requestHash(a), IdempotencyStore::requestHash(b));
        QVERIFY(IdempotencyStore::requestHash(a) != IdempotencyStore::requestHash(c));
        QCOMPARE(IdempotencyStore::requestHash(a).size(), 64);
    }

    void commentTagIsBase32OfSha256()
    {
        // sha256("abc") = ba7816bf...: bits 10111 01001 11100 00001 01101 01111 → X J 4 B N P.
        QCOMPARE(IdempotencyStore::commentTag(QStringLiteral("abc")), QStringLiteral("XJ4BNP"));
        QVERIFY(IdempotencyStore::commentTag(QStringLiteral("abd")) != QStringLiteral("XJ4BNP"));
    }
};

QTEST_GUILESS_MAIN(TestMt5SimIdempotency)
#include "tst_mt5sim_idempotency.moc"
