#include "botlibrary.h"

#include "botstore.h"
#include "codehash.h"
#include "logging.h"
#include "strategyregistry.h"
#include "workerthread.h"

#include <QThread>

#include <atomic>
#include <exception>

namespace bd {

// Lives on the library's worker thread; owns the store (made there, destroyed there).
class BotStoreWorker : public QObject {
    Q_OBJECT
public:
    using Job = std::function<BotLibrary::Delivery(BotStore *store)>;

    explicit BotStoreWorker(BotLibrary::StoreFactory factory)
        : m_factory(std::move(factory))
    {
    }

    void execute(const Job &job)
    {
        if (m_stopping.load())
            return;  // the library is gone: no more calls
        if (!m_store && m_factory) {
            try {
                m_store = m_factory();
            } catch (const std::exception &e) {
                logging::get("bots")->error("the bot store factory threw: {}", e.what());
            } catch (...) {
                logging::get("bots")->error("the bot store factory threw an unknown exception");
            }
        }
        emit delivered(job(m_store.get()));
    }

signals:
    void delivered(const bd::BotLibrary::Delivery &delivery);

public:
    std::atomic<bool> m_stopping{false};  // set by the library's destructor (GUI thread)

private:
    BotLibrary::StoreFactory m_factory;
    std::unique_ptr<BotStore> m_store;
};

namespace {

// How long the destructor lets a call in progress finish before leaving the thread to end on its own.
constexpr int kShutdownWaitMs = 2000;

} // namespace

BotLibrary::BotLibrary(StoreFactory factory, QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<BotLibrary::Delivery>();
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("botdesk-bots"));
    m_worker = new BotStoreWorker(std::move(factory));
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &BotStoreWorker::delivered, this, &BotLibrary::deliver, Qt::QueuedConnection);
    m_thread->start();
}

BotLibrary::~BotLibrary()
{
    // No more answers: the queued connection dies with this object. The worker ends after the call in progress;
    // its store is destroyed on its own thread (deleteLater on finished runs there).
    disconnect(m_worker, nullptr, this, nullptr);
    m_worker->m_stopping = true;
    retireWorkerThread(m_thread, kShutdownWaitMs, "bots",
                       "the bot store thread is still busy; it ends on its own when its call returns");
}

void BotLibrary::post(Operation operation, Task task)
{
    if (++m_pending == 1)
        emit busyChanged(true);
    BotStoreWorker::Job job = [this, operation, task = std::move(task)](BotStore *store) -> Delivery {
        // Runs on the worker thread: touches only the store and values; `this` is used only inside the
        // Delivery, which runs on the GUI thread.
        if (!store) {
            return {[this, operation] {
                emit failed(operation, tr("No bot database is available: BotDesk could not open a connection. "
                                          "Check --db / BOTDESK_DB_URL, or start the local one with "
                                          "'botdesk-cli db start'."));
            }};
        }
        try {
            return task(*store);
        } catch (const std::exception &e) {
            const QString message = tr("Internal error in the bot store: %1").arg(QString::fromUtf8(e.what()));
            return {[this, operation, message] { emit failed(operation, message); }};
        } catch (...) {
            return {[this, operation] { emit failed(operation, tr("Internal error in the bot store (unknown exception)")); }};
        }
    };
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, job = std::move(job)] { worker->execute(job); },
                              Qt::QueuedConnection);
}

void BotLibrary::deliver(const Delivery &delivery)
{
    --m_pending;
    if (delivery.apply)
        delivery.apply();
    if (m_pending == 0)
        emit busyChanged(false);
}

BotLibrary::Delivery BotLibrary::listingFailed(Operation operation, const quint64 &latest, quint64 generation,
                                               const QString &message)
{
    return {[this, operation, latest = &latest, generation, message] {
        if (generation == *latest)
            emit failed(operation, message);
    }};
}

void BotLibrary::refreshBots()
{
    const quint64 generation = ++m_botsGeneration;
    post(Operation::ListBots, [this, generation](BotStore &store) -> Delivery {
        auto bots = store.listBots();
        if (!bots) {
            return listingFailed(Operation::ListBots, m_botsGeneration, generation, bots.error().message);
        }
        return {[this, generation, bots = std::move(bots).value()] {
            if (generation == m_botsGeneration)
                emit botsListed(bots);
        }};
    });
}

void BotLibrary::refreshVersions(const QUuid &botId)
{
    const quint64 generation = ++m_versionsGeneration;
    post(Operation::ListVersions, [this, generation, botId](BotStore &store) -> Delivery {
        auto versions = store.listVersions(botId);
        if (!versions) {
            return listingFailed(Operation::ListVersions, m_versionsGeneration, generation, versions.error().message);
        }
        return {[this, generation, botId, versions = std::move(versions).value()] {
            if (generation == m_versionsGeneration)
                emit versionsListed(botId, versions);
        }};
    });
}

void BotLibrary::refreshRuns(const QString &botName)
{
    const quint64 generation = ++m_runsGeneration;
    post(Operation::ListRuns, [this, generation, botName](BotStore &store) -> Delivery {
        auto runs = store.listBacktestRuns(botName, kRunListLimit);
        if (!runs) {
            return listingFailed(Operation::ListRuns, m_runsGeneration, generation, runs.error().message);
        }
        return {[this, generation, botName, runs = std::move(runs).value()] {
            if (generation == m_runsGeneration)
                emit runsListed(botName, runs);
        }};
    });
}

void BotLibrary::setVersionStrategies(std::shared_ptr<const VersionStrategyProvider> strategies)
{
    m_strategies = std::move(strategies);
}

void BotLibrary::createBot(const QString &name, const QString &strategyTemplate)
{
    post(Operation::CreateBot, [this, name, strategyTemplate, strategies = m_strategies](BotStore &store) -> Delivery {
        // The provider may be called from any thread; a Python template loads the host here, not on the GUI thread.
        auto first = strategies ? strategies->firstVersionOf(strategyTemplate) : defaultVersionOf(strategyTemplate);
        if (!first)
            return {[this, message = first.error().message] { emit failed(Operation::CreateBot, message); }};
        auto bot = store.createBot(name, strategyTemplate, *first);
        if (!bot)
            return {[this, message = bot.error().message] { emit failed(Operation::CreateBot, message); }};
        // The stored first version (ids and time filled in by the store).
        auto stored = store.findVersion(bot->name, first->codeHash);
        BotVersion version = stored ? *stored : *first;
        return {[this, bot = *bot, version] { emit botCreated(bot, version); }};
    });
}

void BotLibrary::saveVersion(const BotVersion &draft)
{
    BotVersion version = draft;
    version.codeHash = computeCodeHash(version.code, version.params);
    post(Operation::SaveVersion, [this, version](BotStore &store) -> Delivery {
        auto saved = store.saveVersion(version);
        if (!saved)
            return {[this, message = saved.error().message] { emit failed(Operation::SaveVersion, message); }};
        return {[this, stored = saved->first, created = saved->second] { emit versionSaved(stored, created); }};
    });
}

void BotLibrary::saveRun(const BacktestRunRecordPtr &run)
{
    post(Operation::SaveRun, [this, run](BotStore &store) -> Delivery {
        auto saved = store.saveBacktestRun(*run);
        if (!saved)
            return {[this, message = saved.error().message] { emit failed(Operation::SaveRun, message); }};
        return {[this, id = run->id, versionId = run->versionId] { emit runSaved(id, versionId); }};
    });
}

quint64 BotLibrary::loadRuns(const QList<QUuid> &ids)
{
    const quint64 requestId = ++m_loadRequest;
    post(Operation::LoadRuns, [this, requestId, ids](BotStore &store) -> Delivery {
        std::vector<BacktestRunRecordPtr> records;
        for (const QUuid &id : ids) {
            auto record = store.loadBacktestRun(id);
            if (!record)
                return {[this, message = record.error().message] { emit failed(Operation::LoadRuns, message); }};
            records.push_back(std::make_shared<const BacktestRunRecord>(std::move(record).value()));
        }
        return {[this, requestId, records = std::move(records)] { emit runsLoaded(requestId, records); }};
    });
    return requestId;
}

} // namespace bd

#include "botlibrary.moc"
