#pragma once
// What a (simulated) broker holds for one magic number, asked through a second MT5 connector session on its own
// thread: every entry deal (each position ever opened) and the open positions. Tests compare it with the database
// to prove that no order was sent twice and none was lost.

#include "mt5client.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTest>
#include <QThread>
#include <QUrl>

#include <algorithm>

namespace bd::test {

struct AtBroker {
    int entryDeals = -1;     // -1: no answer
    int openPositions = -1;
    QVector<mt5::Deal> deals;  // every deal of the magic (entries and exits), as the broker's history holds them
};

inline AtBroker atBroker(const QUrl &url, const QString &token, qint64 magic, QObject *context)
{
    QThread io;
    mt5::Mt5ClientConfig config;
    config.url = url;
    config.token = token;
    config.account = QStringLiteral("checker");
    mt5::Mt5Client *client = mt5::Mt5Client::createOn(io, config);
    bool live = false;
    AtBroker out;
    mt5::BrokerPort *br = client->broker();
    QObject::connect(br, &mt5::BrokerPort::linkStatusChanged, context,
                     [&live](const mt5::LinkStatus &s) { live = s.state == mt5::LinkStatus::State::Live; });
    QElapsedTimer lastPage;  // the deal history arrives in parts (at most 1,000 deals each)
    QObject::connect(br, &mt5::BrokerPort::dealsReceived, context, [&out, &lastPage, magic](const QVector<mt5::Deal> &deals) {
        lastPage.start();
        out.entryDeals = std::max(out.entryDeals, 0);
        for (const mt5::Deal &d : deals) {
            out.entryDeals += d.magic == magic && d.entry == mt5::DealEntry::In;
            if (d.magic == magic)
                out.deals.push_back(d);
        }
    });
    QObject::connect(br, &mt5::BrokerPort::positionsSnapshot, context, [&out, magic](const QVector<mt5::Position> &ps) {
        out.openPositions = int(std::count_if(ps.begin(), ps.end(), [magic](const mt5::Position &p) { return p.magic == magic; }));
    });
    io.start();
    QElapsedTimer t;
    t.start();
    while (!live && t.elapsed() < 10000)
        QTest::qWait(20);
    QMetaObject::invokeMethod(br, [br] {
        br->requestDeals(0, 4'000'000'000LL);
        br->requestPositions();
    }, Qt::QueuedConnection);
    t.restart();
    while ((out.entryDeals < 0 || out.openPositions < 0) && t.elapsed() < 10000)
        QTest::qWait(20);
    while (lastPage.isValid() && lastPage.elapsed() < 500 && t.elapsed() < 20000)
        QTest::qWait(20);  // until no part has come for 500 ms
    QMetaObject::invokeMethod(client, &mt5::Mt5Client::stop, Qt::QueuedConnection);
    io.quit();
    io.wait();
    return out;
}

} // namespace bd::test
