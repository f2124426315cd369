#pragma once
// An in-memory BotStore for GUI tests that need no database (the real-PostgreSQL tests use PgBotStore).
// It keeps the port's contract where the GUI relies on it: names checked, identical content returns the existing
// version, versions newest first, runs newest first, errors naming the input. Shared state (FakeBotData) so a
// test can look inside and make calls fail or slow ("outage"); every call records the thread it ran on.

#include "botstore.h"
#include "codehash.h"

#include <QDateTime>
#include <QMutex>
#include <QMutexLocker>
#include <QRegularExpression>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <thread>

namespace bd::test {

struct FakeBotData {
    QMutex mutex;
    std::vector<Bot> bots;
    std::vector<BotVersion> versions;          // in insertion order
    std::map<QUuid, BacktestRunRecord> runs;
    std::atomic<bool> down{false};             // every call fails as an unreachable server would
    std::atomic<int> delayMs{0};               // every call sleeps this long first
    std::atomic<int> calls{0};
    QList<QThread *> callThreads;              // the thread of each call
    qint64 clockMs = 1'700'000'000'000;        // store time: +1 s per write, so "newest first" is defined
};

class FakeBotStore final : public BotStore {
public:
    explicit FakeBotStore(std::shared_ptr<FakeBotData> data) : m_data(std::move(data)) {}

    Result<Bot> createBot(const QString &name, const QString &strategyTemplate, const BotVersion &first) override
    {
        if (auto e = enter(); !e) return e.error();
        QMutexLocker lock(&m_data->mutex);
        static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"));
        if (!valid.match(name).hasMatch())
            return makeError(QStringLiteral("'%1' is not a valid bot name; use letters, digits, '_', '.', '-'").arg(name));
        for (const Bot &b : m_data->bots) {
            if (b.name == name)
                return makeError(QStringLiteral("a bot named '%1' already exists; choose another name").arg(name));
        }
        if (first.codeHash != computeCodeHash(first.code, first.params))
            return makeError(QStringLiteral("first version's code_hash does not match its content"));
        Bot bot;
        bot.id = QUuid::createUuid();
        bot.name = name;
        bot.owner = QStringLiteral("botdesk");
        bot.strategyTemplate = strategyTemplate;
        bot.createdAtMs = bot.updatedAtMs = tick();
        m_data->bots.push_back(bot);
        BotVersion v = first;
        v.id = QUuid::createUuid();
        v.botId = bot.id;
        v.owner = bot.owner;
        v.createdAtMs = tick();
        m_data->versions.push_back(v);
        return bot;
    }

    Result<std::vector<Bot>> listBots() override
    {
        if (auto e = enter(); !e) return e.error();
        QMutexLocker lock(&m_data->mutex);
        auto bots = m_data->bots;
        std::sort(bots.begin(), bots.end(), [](const Bot &a, const Bot &b) { return a.name < b.name; });
        return bots;
    }

    Result<Bot> findBot(const QString &name) override
    {
        if (auto e = enter(); !e) return e.error();
        QMutexLocker lock(&m_data->mutex);
        return findBotLocked(name);
    }

    Result<std::pair<BotVersion, bool>> saveVersion(const BotVersion &version) override
    {
        if (auto e = enter(); !e) return e.error();
        QMutexLocker lock(&m_data->mutex);
        if (version.codeHash != computeCodeHash(version.code, version.params))
            return makeError(QStringLiteral("code_hash does not match the version's content"));
        for (const BotVersion &v : m_data->versions) {
            if (v.botId == version.botId && v.codeHash == version.codeHash)
                return std::pair{v, false};
        }
        BotVersion v = version;
        v.id = QUuid::createUuid();
        v.owner = QStringLiteral("botdesk");
        v.createdAtMs = tick();
        m_data->versions.push_back(v);
        return std::pair{v, true};
    }

    Result<std::vector<BotVersion>> listVersions(const QUuid &botId) override
    {
        if (auto e = enter(); !e) return e.error();
        QMutexLocker lock(&m_data->mutex);
        return versionsOf(botId);
    }

    Result<BotVersion> findVersion(const QString &botName, const QString &hashPrefix) override
    {
        if (auto e = enter(); !e) return e.error();
        QMutexLocker lock(&m_data->mutex);
        auto bot = findBotLocked(botName);
        if (!bot) return bot.error();
        for (const BotVersion &v : versionsOf(bot->id)) {
            if (v.codeHash.startsWith(hashPrefix))
                return v;
        }
        return makeError(QStringLiteral("bot '%1' has no version %2").arg(botName, hashPrefix));
    }

    Result<void> saveBacktestRun(const BacktestRunRecord &run) override
    {
        if (auto e = enter(); !e) return e.error();
        QMutexLocker lock(&m_data->mutex);
        m_data->runs[run.id] = run;
        return {};
    }

    Result<std::vector<BacktestRunSummary>> listBacktestRuns(const QString &botName, int limit) override
    {
        if (auto e = enter(); !e) return e.error();
        QMutexLocker lock(&m_data->mutex);
        std::vector<BacktestRunSummary> out;
        for (const auto &[id, run] : m_data->runs) {
            const BotVersion *version = nullptr;
            for (const BotVersion &v : m_data->versions) {
                if (v.id == run.versionId)
                    version = &v;
            }
            if (!version) continue;
            QString name;
            for (const Bot &b : m_data->bots) {
                if (b.id == version->botId)
                    name = b.name;
            }
            if (botName.isEmpty() || name == botName)
                out.push_back(summarizeRun(run, name, version->codeHash));
        }
        std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.startedAtMs > b.startedAtMs; });
        if (int(out.size()) > limit) out.resize(size_t(limit));
        return out;
    }

    Result<BacktestRunRecord> loadBacktestRun(const QUuid &id) override
    {
        if (auto e = enter(); !e) return e.error();
        QMutexLocker lock(&m_data->mutex);
        auto it = m_data->runs.find(id);
        if (it == m_data->runs.end())
            return makeError(QStringLiteral("no backtest run %1").arg(id.toString(QUuid::WithoutBraces)));
        BacktestRunRecord r = it->second;
        r.owner = QStringLiteral("botdesk");
        return r;
    }

private:
    Result<void> enter()
    {
        ++m_data->calls;
        {
            QMutexLocker lock(&m_data->mutex);
            m_data->callThreads << QThread::currentThread();
        }
        if (int ms = m_data->delayMs.load(); ms > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        if (m_data->down.load())
            return makeError(QStringLiteral("cannot reach the BotDesk database at fake://test: server is down; "
                                            "start it with `botdesk-cli db start`"));
        return {};
    }
    qint64 tick() { return m_data->clockMs += 1000; }
    Result<Bot> findBotLocked(const QString &name) const
    {
        for (const Bot &b : m_data->bots) {
            if (b.name == name)
                return b;
        }
        return makeError(QStringLiteral("no bot '%1'").arg(name));
    }
    std::vector<BotVersion> versionsOf(const QUuid &botId) const
    {
        std::vector<BotVersion> out;
        for (const BotVersion &v : m_data->versions) {
            if (v.botId == botId)
                out.insert(out.begin(), v);
        }
        return out;
    }

    std::shared_ptr<FakeBotData> m_data;
};

} // namespace bd::test
