#pragma once
// A fleet of live runs for the soak test and the 100-run bench (issue 9 §7, §8): in a migrated BotDesk database,
// one bot with stored versions of the built-in ema_crossover over varied fast/slow EMAs (so runs decide on different
// bars), `accounts` accounts on one bridge (each its own magic, so the broker tells their orders apart), and `runs`
// runs spread round-robin over the accounts: EURUSD M1, BAR decisions, AUTO, up to 2 open positions each.
// Risk is 0.01 % of equity per entry, so 100 runs' positions fit the simulator's margin.
//
//   test::FleetOptions o; o.runs = 100; o.bridgeUrl = sim.url.toString();
//   Result<test::Fleet> fleet = test::stageFleet(db, o);   // then runs.createRun(spec) for each spec, or createRuns
//
// Errors: the message of the store call that failed (nothing is rolled back: use a fresh database).

#include "codehash.h"
#include "database.h"
#include "liverun.h"
#include "pgbotstore.h"
#include "pgliverunstore.h"
#include "result.h"
#include "strategyregistry.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QUrl>
#include <QUuid>
#include <QWebSocket>

#include <algorithm>
#include <vector>

namespace bd::test {

struct FleetOptions {
    int runs = 100;
    int accounts = 1;                    // runs are spread round-robin over them
    QString bridgeUrl;                   // ws://127.0.0.1:PORT of the bridge (the simulator)
    QString tokenEnv = QStringLiteral("BOTDESK_TEST_BRIDGE_TOKEN");
    qint64 firstMagic = 7100;            // account i has magic firstMagic + i
    QString botName = QStringLiteral("ema-fleet");
    int emaScale = 1;                    // EMA periods × this (1: 2..6 / 5..16 bars, crossing often; 4: 8..24 / 20..64)
};

struct Fleet {
    std::vector<LiveAccount> accounts;
    std::vector<LiveRunSpec> specs;      // not yet created (createRuns)
    int versions = 0;                    // distinct stored versions the runs use
};

// ema_crossover's parameters for run i: fast 2..6, slow fast+3 .. fast+10 (40 pairs), each × `scale`; risk 0.01 %.
inline QJsonObject fleetParams(int i, int scale = 1)
{
    const int fast = scale * (2 + i % 5);
    const int slow = fast + scale * (3 + (i / 5) % 8);
    return QJsonObject{{QStringLiteral("fast"), fast}, {QStringLiteral("slow"), slow},
                       {QStringLiteral("risk_percent"), 0.01}};
}

inline Result<Fleet> stageFleet(Database &db, const FleetOptions &o)
{
    PgBotStore bots(db);
    PgLiveRunStore runs(db);
    Result<BotVersion> first = defaultVersionOf(QStringLiteral("ema_crossover"));
    if (!first)
        return first.error();
    if (Result<Bot> created = bots.createBot(o.botName, QStringLiteral("ema_crossover"), first.value()); !created)
        return created.error();
    Result<Bot> bot = bots.findBot(o.botName);
    if (!bot)
        return bot.error();
    Fleet fleet;
    for (int a = 0; a < std::max(1, o.accounts); ++a) {
        LiveAccount account;
        account.name = QStringLiteral("fleet-%1").arg(a + 1);
        account.bridgeUrl = o.bridgeUrl;
        account.tokenEnv = o.tokenEnv;
        account.magic = o.firstMagic + a;
        if (Result<void> added = runs.addAccount(account); !added)
            return added.error();
        fleet.accounts.push_back(account);
    }
    QHash<QString, BotVersion> byHash;  // params → stored version
    for (int i = 0; i < o.runs; ++i) {
        BotVersion v = first.value();
        v.botId = bot.value().id;
        v.params = fleetParams(i, std::max(1, o.emaScale));
        v.codeHash = computeCodeHash(v.code, v.params);
        if (!byHash.contains(v.codeHash)) {
            Result<std::pair<BotVersion, bool>> saved = bots.saveVersion(v);
            if (!saved)
                return saved.error();
            byHash.insert(v.codeHash, saved.value().first);
        }
        const BotVersion &stored = byHash[v.codeHash];
        LiveRunSpec s;
        s.id = QUuid::createUuid();
        s.botVersionId = stored.id;
        s.botName = o.botName;
        s.codeHash = stored.codeHash;
        s.account = fleet.accounts[size_t(i) % fleet.accounts.size()].name;
        s.symbol = QStringLiteral("EURUSD");
        s.timeframe = QStringLiteral("M1");
        s.decision = DecisionMode::Bar;
        s.approval = ApprovalMode::Auto;
        s.guardrails.maxOpenPerSymbol = 2;
        s.guardrails.maxRiskPercent = 5.0;
        fleet.specs.push_back(s);
    }
    fleet.versions = int(byHash.size());
    return fleet;
}

// botdesk-mt5sim's arguments for a fleet: `dataFile` (EURUSD M1) as EURUSD with the broker suffix .sim, 1 s
// heartbeats, replay `speed`× real time, a 100,000 USD deposit, and a request limit of 1000/s per connection
// (one connection carries every order of an account's runs); `extra` appended (e.g. --paused, --faults ...).
inline QStringList fleetSimArgs(const QString &dataFile, double speed, const QStringList &extra = {})
{
    return QStringList{"--data", dataFile, "--symbol", "EURUSD", "--port", "0", "--heartbeat", "1", "--suffix", ".sim",
                       "--speed", QString::number(speed), "--deposit", "100000", "--rate-limit", "1000"}
           + extra;
}

// Sends one `sim.control` command ("play", "pause", ...) to the simulator at `url` on a connection of its own and
// waits for its sim.state answer. Error: no answer within 5 s, or the simulator's error message.
inline Result<void> simControl(const QUrl &url, const QString &token, const QString &cmd)
{
    QWebSocket ws;
    QEventLoop loop;
    QString error = QStringLiteral("no answer from %1 within 5 s").arg(url.toString());
    bool done = false;
    QObject::connect(&ws, &QWebSocket::connected, &loop, [&] {
        ws.sendTextMessage(QString::fromUtf8(QJsonDocument(QJsonObject{
            {"v", 1}, {"type", "hello"}, {"id", "c-1"}, {"token", token},
            {"client", QJsonObject{{"name", "botdesk-test"}, {"version", "0"}}},
            {"protocol", QJsonObject{{"min", 1}, {"max", 1}}}}).toJson(QJsonDocument::Compact)));
    });
    QObject::connect(&ws, &QWebSocket::textMessageReceived, &loop, [&](const QString &text) {
        const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
        const QString type = o.value(QStringLiteral("type")).toString();
        if (type == QLatin1String("welcome")) {
            ws.sendTextMessage(QString::fromUtf8(QJsonDocument(QJsonObject{
                {"v", 1}, {"type", "sim.control"}, {"id", "c-2"}, {"cmd", cmd}}).toJson(QJsonDocument::Compact)));
        } else if (o.value(QStringLiteral("re")).toString() == QLatin1String("c-2") || type == QLatin1String("error")) {
            done = type == QLatin1String("sim.state");
            if (!done)
                error = QStringLiteral("sim.control %1: %2").arg(cmd, o.value(QStringLiteral("message")).toString());
            loop.quit();
        }
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    ws.open(url);
    loop.exec();
    ws.close();
    if (!done)
        return makeError(error);
    return {};
}

// Creates every run of the fleet (desired state RUNNING: a host takes them at its next poll or notification).
inline Result<void> createRuns(Database &db, const Fleet &fleet)
{
    PgLiveRunStore runs(db);
    for (const LiveRunSpec &s : fleet.specs) {
        if (Result<LiveRunRecord> r = runs.createRun(s); !r)
            return r.error();
    }
    return {};
}

} // namespace bd::test
