#include "backtestjob.h"

#include "barcache.h"

#include "barloader.h"
#include "engineversion.h"
#include "filesha256.h"
#include "logging.h"
#include "strategyregistry.h"
#include "symbolspec.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QUuid>
#include <QFileInfo>
#include <QMetaObject>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <exception>
#include <mutex>

namespace bd {

// Shared between the GUI-side job and one worker run. The worker posts to `owner` only under the mutex,
// and the job clears `owner` under the same mutex before it goes away or moves on to a newer run,
// so a post never races with the job's destruction. Posted calls still queued when the job dies are
// discarded by ~QObject.
struct BacktestJob::Channel {
    explicit Channel(BacktestJob *job, quint64 id) : owner(job), jobId(id) {}

    template <typename F>
    void post(F f)  // f(BacktestJob *) runs on the owner's thread
    {
        std::lock_guard lock(mutex);
        if (!owner)
            return;
        BacktestJob *job = owner;
        QMetaObject::invokeMethod(job, [job, f = std::move(f)]() mutable { f(job); }, Qt::QueuedConnection);
    }

    std::mutex mutex;
    BacktestJob *owner = nullptr;  // guarded by mutex
    const quint64 jobId;
    std::atomic<bool> cancel{false};
};

BacktestJob::BacktestJob(QObject *parent)
    : QObject(parent)
{
    registerModelMetaTypes();
}

BacktestJob::~BacktestJob()
{
    detachChannel();
}

void BacktestJob::detachChannel()
{
    if (!m_channel)
        return;
    m_channel->cancel.store(true);
    {
        std::lock_guard lock(m_channel->mutex);
        m_channel->owner = nullptr;
    }
    m_channel.reset();
}

quint64 BacktestJob::start(const BacktestRequest &request)
{
    detachChannel();  // latest request wins: the previous run is cancelled and can no longer post
    ++m_jobId;
    m_channel = std::make_shared<Channel>(this, m_jobId);
    logging::get("ui")->info("backtest job {} started: {} {} {}", m_jobId, request.strategy.toStdString(),
                             request.symbol.toStdString(), request.dataFile.toStdString());

    setRunning(true);  // first, so listeners reset their progress display before the updates below
    m_progress = -1;
    emit progressChanged(-1);
    m_phase = tr("Starting…");
    emit phaseChanged(m_phase);

    // The future is not kept: results come back through the channel, and the global pool is drained
    // by ~QCoreApplication.
    auto future = QtConcurrent::run(&BacktestJob::work, m_channel, request);
    Q_UNUSED(future);
    return m_jobId;
}

void BacktestJob::cancel()
{
    if (!m_channel)
        return;
    m_channel->cancel.store(true);
    m_phase = tr("Cancelling…");
    emit phaseChanged(m_phase);
}

void BacktestJob::setRunning(bool running)
{
    if (m_running == running)
        return;
    m_running = running;
    emit runningChanged(running);
}

void BacktestJob::handleProgress(quint64 jobId, int percent)
{
    if (jobId != m_jobId || !m_running || percent == m_progress)
        return;
    m_progress = percent;
    emit progressChanged(percent);
}

void BacktestJob::handlePhase(quint64 jobId, const QString &phase)
{
    if (jobId != m_jobId || !m_running || phase == m_phase)
        return;
    if (m_channel && m_channel->cancel.load())
        return;  // keep "Cancelling…" visible
    m_phase = phase;
    emit phaseChanged(phase);
}

void BacktestJob::handleVersionRunRecorded(quint64 jobId, const std::shared_ptr<const BacktestRunRecord> &run)
{
    if (jobId != m_jobId || !m_running)
        return;  // stale: a newer request replaced this run
    emit versionRunRecorded(run);
}

void BacktestJob::handleDone(quint64 jobId, Outcome outcome, std::shared_ptr<const BacktestResult> result,
                             BarSeries bars, const QString &message)
{
    if (jobId != m_jobId || !m_running)
        return;  // stale: a newer request replaced this run
    m_channel.reset();
    setRunning(false);
    auto log = logging::get("ui");
    switch (outcome) {
    case Outcome::Finished:
        log->info("backtest job {} finished: {} trades", jobId, result ? result->trades.size() : 0);
        m_phase = tr("Finished");
        emit phaseChanged(m_phase);
        emit finished(std::move(result), std::move(bars));
        break;
    case Outcome::Failed:
        log->warn("backtest job {} failed: {}", jobId, message.toStdString());
        m_phase = tr("Failed");
        emit phaseChanged(m_phase);
        emit failed(message);
        break;
    case Outcome::Cancelled:
        log->info("backtest job {} cancelled", jobId);
        m_phase = tr("Cancelled");
        emit phaseChanged(m_phase);
        emit cancelled();
        break;
    }
}

// Runs on a pool thread. Touches nothing but its arguments; talks to the GUI only through `channel`.
void BacktestJob::work(const std::shared_ptr<Channel> &channel, const BacktestRequest &request)
{
    const quint64 id = channel->jobId;
    BarSeries testedBars;  // handed to the GUI with a finished result
    auto done = [&](Outcome outcome, std::shared_ptr<const BacktestResult> result, QString message) {
        BarSeries bars = outcome == Outcome::Finished ? testedBars : BarSeries();
        channel->post([id, outcome, result = std::move(result), bars = std::move(bars),
                       message = std::move(message)](BacktestJob *job) {
            job->handleDone(id, outcome, result, bars, message);
        });
    };
    auto phase = [&](QString text) {
        channel->post([id, text = std::move(text)](BacktestJob *job) { job->handlePhase(id, text); });
    };
    auto progress = [&](int percent) {
        channel->post([id, percent](BacktestJob *job) { job->handleProgress(id, percent); });
    };

    try {
        auto log = logging::get("backtest");
        QElapsedTimer clock;
        clock.start();

        // Cheap checks first, so a typo in the parameters does not wait for a year of M1 bars to load.
        auto catalog = SymbolCatalog::builtin();
        if (!catalog)
            return done(Outcome::Failed, nullptr, catalog.error().message);
        auto found = catalog->lookup(request.symbol);
        if (!found)
            return done(Outcome::Failed, nullptr, found.error().message);
        const SymbolSpec *spec = *found;
        // A built-in by name, or a stored bot version's own code (either language) through the app's provider.
        VersionStrategy strategy;
        QString strategyTitle = request.strategy;
        if (request.version) {
            const VersionRun &v = *request.version;
            strategyTitle = QStringLiteral("%1@%2").arg(v.bot.name, shortHash(v.version.codeHash));
            phase(QObject::tr("Loading %1…").arg(strategyTitle));
            auto loaded = v.strategies->load(v.bot.strategyTemplate, v.version.code,
                                             versionCodeName(v.bot.name, v.version.codeHash), v.version.params);
            if (!loaded)
                return done(Outcome::Failed, nullptr, QObject::tr("%1: %2").arg(strategyTitle, loaded.error().message));
            strategy = std::move(loaded).value();
            strategy.setCancelFlag(&channel->cancel);
        } else {
            auto builtin = createStrategy(request.strategy, request.params);
            if (!builtin)
                return done(Outcome::Failed, nullptr, builtin.error().message);
            strategy.strategy = std::move(builtin).value();
        }

        phase(QObject::tr("Loading %1…").arg(QFileInfo(request.dataFile).fileName()));
        progress(-1);
        const BarCache cache(request.barCacheDirectory);
        BarLoadOptions loadOptions = request.loadOptions;
        loadOptions.cancelRequested = &channel->cancel;  // Cancel stops a long parse within one 256 KiB piece
        auto loaded = loadBarsCached(request.dataFile, loadOptions, cache,
                                     request.barCacheDirectory.isEmpty() ? CacheUse::Bypass : CacheUse::ReadWrite);
        if (!loaded && channel->cancel.load())
            return done(Outcome::Cancelled, nullptr, {});
        if (!loaded)
            return done(Outcome::Failed, nullptr, loaded.error().message);
        // Shared (not copied), so the GUI can show them after the run.
        testedBars = loaded->bars;
        const BarSeries *bars = &testedBars;
        log->info("job {}: {} {} bars from {} in {} ms", id, loaded->fromCache ? "mapped" : "loaded", bars->size(),
                  request.dataFile.toStdString(), clock.elapsed());
        if (channel->cancel.load())
            return done(Outcome::Cancelled, nullptr, {});

        // What a stored run needs to name its data: the file's SHA-256 (read once more, in pieces; ~50 ms for the
        // EURUSD year's .gz).
        QString dataSha256;
        if (request.version) {
            auto sha = sha256OfFile(request.dataFile);
            if (!sha)
                return done(Outcome::Failed, nullptr, sha.error().message);
            dataSha256 = *sha;
            strategy.setBars(*bars);
        }
        const qint64 startedAtMs = QDateTime::currentMSecsSinceEpoch();
        QElapsedTimer runClock;
        runClock.start();

        phase(QObject::tr("Testing %1 on %2 (%3 bars)…")
                  .arg(strategyTitle, spec->name)
                  .arg(bars->size()));
        progress(0);
        int lastPercent = 0;
        BacktestControl control;
        control.cancelRequested = &channel->cancel;
        control.onProgress = [&](int percent) {
            if (percent == lastPercent)
                return;  // whole percents only
            lastPercent = percent;
            progress(percent);
        };
        auto result = runBacktest(*bars, *spec, *strategy.strategy, request.config, control);
        if (!result)
            return done(Outcome::Failed, nullptr, result.error().message);
        log->info("job {}: {} trades, net {:.2f}, {} ms total{}", id, result->trades.size(),
                  result->stats.totalNetProfit, clock.elapsed(), result->cancelled ? " (cancelled)" : "");
        if (result->cancelled || channel->cancel.load())
            return done(Outcome::Cancelled, nullptr, {});
        progress(100);
        auto shared = std::make_shared<const BacktestResult>(std::move(result).value());
        if (request.version) {
            auto run = std::make_shared<BacktestRunRecord>();
            run->id = QUuid::createUuid();
            run->versionId = request.version->version.id;
            run->config = request.config;
            run->params = strategy.resolvedParams;
            run->symbol = spec->name;
            run->symbolSpec = *spec;
            run->dataPath = QFileInfo(request.dataFile).absoluteFilePath();
            run->dataSha256 = dataSha256;
            run->engineVersion = engineVersion();
            run->startedAtMs = startedAtMs;
            recordOutcome(*run, *shared);
            run->durationMs = runClock.elapsed();
            channel->post([id, run = std::shared_ptr<const BacktestRunRecord>(std::move(run))](BacktestJob *job) {
                job->handleVersionRunRecorded(id, run);
            });
        }
        done(Outcome::Finished, std::move(shared), {});
    } catch (const std::exception &e) {
        done(Outcome::Failed, nullptr, QObject::tr("Internal error during the backtest: %1").arg(QString::fromUtf8(e.what())));
    } catch (...) {
        done(Outcome::Failed, nullptr, QObject::tr("Internal error during the backtest (unknown exception)"));
    }
}

} // namespace bd
