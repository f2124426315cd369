#pragma once
// BotLibrary: the GUI thread's access to the bot store (issue 6 §4). A QObject living on the GUI thread that
// never blocks it: every BotStore call runs on ONE dedicated worker thread ("botdesk-bots"), in the order asked,
// on a store made there by the app's factory (a store is one database connection, used only by the thread that
// made it). Results come back to the GUI thread as value types through the signals below; every failure
// (unreachable database, unknown bot, bad name, lost connection) comes back as failed(operation, message) with
// the store's own message, which names the input and the fix.
//
// Latest request wins for the listings: an answer to refreshBots/refreshVersions/refreshRuns is dropped when a
// newer request of the same kind was made before it arrived (a click on bot B after bot A never shows A's
// versions). Writes (createBot, saveVersion) and loadRuns always deliver.
//
// The factory is called lazily, on the worker thread, at the first request (so a window that never shows its Bots
// view never touches a database). It may return nullptr: every request then fails with "no bot database is
// available". Destroying the library drops every answer still to come and lets the worker end after the call in
// progress (destroying its store on its own thread); it waits for that at most 2 s (application shutdown), then
// leaves the thread to end on its own.

#include "backtestrun.h"
#include "bot.h"
#include "versionstrategy.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QUuid>

#include <functional>
#include <memory>
#include <vector>

class QThread;

namespace bd {

class BotStore;
class BotStoreWorker;

using BacktestRunRecordPtr = std::shared_ptr<const BacktestRunRecord>;

class BotLibrary : public QObject {
    Q_OBJECT
public:
    using StoreFactory = std::function<std::unique_ptr<BotStore>()>;
    enum class Operation { ListBots, ListVersions, ListRuns, CreateBot, SaveVersion, LoadRuns, SaveRun };
    Q_ENUM(Operation)

    // At most this many runs are listed per refreshRuns (newest first).
    static constexpr int kRunListLimit = 2000;

    explicit BotLibrary(StoreFactory factory, QObject *parent = nullptr);
    ~BotLibrary() override;

    // How createBot makes a bot's first version in either language (app: AppVersionStrategies). Without one
    // (nullptr, the default), createBot knows the built-ins only (defaultVersionOf).
    void setVersionStrategies(std::shared_ptr<const VersionStrategyProvider> strategies);
    std::shared_ptr<const VersionStrategyProvider> versionStrategies() const { return m_strategies; }

    // -> botsListed: every bot the login sees, by name, with its number of versions and latest hash.
    void refreshBots();
    // -> versionsListed(botId, versions newest first).
    void refreshVersions(const QUuid &botId);
    // -> runsListed(botName, summaries newest first, at most kRunListLimit).
    void refreshRuns(const QString &botName);
    // Creates bot `name` from `strategyTemplate` with its first version (the provider's firstVersionOf, made on
    // the worker thread: the template's source, params {}; a Python template needs the host to load).
    // -> botCreated(bot, firstVersion), or failed(CreateBot, the provider's or the store's message).
    void createBot(const QString &name, const QString &strategyTemplate);
    // Saves a version of draft.botId from draft.code, params, notes and parentId; the hash is computed here
    // (computeCodeHash). -> versionSaved(version, created): created=false when identical content was already
    // stored (the existing version is given).
    void saveVersion(const BotVersion &draft);
    // Stores a finished run of a version (BacktestRunRecord::versionId names it; the id makes a retried save
    // idempotent). -> runSaved(runId, versionId).
    void saveRun(const BacktestRunRecordPtr &run);
    // Loads whole stored runs (trades, equity) in the order given. -> runsLoaded(requestId, records).
    // Returns the request id (increasing from 1) so callers can match the answer.
    quint64 loadRuns(const QList<QUuid> &ids);

    // Requests sent and not answered yet.
    int pendingCount() const { return m_pending; }

signals:
    void botsListed(const std::vector<bd::Bot> &bots);
    void versionsListed(const QUuid &botId, const std::vector<bd::BotVersion> &versions);
    void runsListed(const QString &botName, const std::vector<bd::BacktestRunSummary> &runs);
    void botCreated(const bd::Bot &bot, const bd::BotVersion &firstVersion);
    void versionSaved(const bd::BotVersion &version, bool created);
    void runsLoaded(quint64 requestId, const std::vector<bd::BacktestRunRecordPtr> &runs);
    void runSaved(const QUuid &runId, const QUuid &versionId);
    void failed(bd::BotLibrary::Operation operation, const QString &message);
    // true while a request is pending.
    void busyChanged(bool busy);

public:
    // What the worker hands back: applied on the GUI thread, in the library (internal; public for the queued
    // connection's meta-type).
    struct Delivery {
        std::function<void()> apply;
    };
    using Task = std::function<Delivery(BotStore &store)>;

private:
    void post(Operation operation, Task task);
    void deliver(const Delivery &delivery);
    // A listing's failure, built on the worker thread: delivered only if `generation` is still `latest` (the
    // m_*Generation of its kind) when it arrives, like the listing itself.
    Delivery listingFailed(Operation operation, const quint64 &latest, quint64 generation, const QString &message);

    std::shared_ptr<const VersionStrategyProvider> m_strategies;
    QThread *m_thread = nullptr;
    BotStoreWorker *m_worker = nullptr;
    int m_pending = 0;
    quint64 m_botsGeneration = 0;
    quint64 m_versionsGeneration = 0;
    quint64 m_runsGeneration = 0;
    quint64 m_loadRequest = 0;
};

} // namespace bd

Q_DECLARE_METATYPE(bd::BotLibrary::Delivery)
