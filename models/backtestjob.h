#pragma once
// Runs one backtest at a time in the background (QtConcurrent on the global thread pool) and reports
// to the GUI thread through queued calls. Lives on, and must only be used from, the GUI thread.
//
// * Latest request wins: start() while a run is active cancels that run, and anything it still
//   delivers is dropped (every run carries a job id).
// * cancel() sets the run's std::atomic<bool>; the loader polls it between 256 KiB pieces and the engine
//   between bars. A cancelled run ends with cancelled() (never finished()).
// * Every failure (unreadable file, bad row, unknown symbol, bad strategy parameters, invalid config,
//   internal exception) ends with failed(message) carrying the core error text. No exception leaves the worker.
// * Destroying the job cancels its run and never waits for it; the worker then posts nothing.

#include "backtestrequest.h"
#include "backtestrun.h"
#include "metatypes.h"

#include <QObject>
#include <QString>

#include <memory>

namespace bd {

class BacktestJob : public QObject {
    Q_OBJECT
public:
    explicit BacktestJob(QObject *parent = nullptr);
    ~BacktestJob() override;

    // Starts a run; returns its job id (increasing from 1).
    quint64 start(const BacktestRequest &request);
    // Requests cancellation of the active run (no-op when idle).
    void cancel();

    bool isRunning() const { return m_running; }
    quint64 currentJobId() const { return m_jobId; }
    int progress() const { return m_progress; }
    QString phase() const { return m_phase; }

signals:
    // 0..100 while the engine runs; -1 while the length of the work is unknown (loading bars).
    void progressChanged(int percent);
    void phaseChanged(const QString &phase);
    // `bars` are the bars the run was tested on (loaded or mapped on the worker and shared, never copied).
    void finished(std::shared_ptr<const bd::BacktestResult> result, bd::BarSeries bars);
    // A run of a bot version (BacktestRequest::version) finished: its record for the store (id new, the version's
    // id, resolved parameters, symbol snapshot, data file and its SHA-256, outcome), emitted just before finished.
    void versionRunRecorded(std::shared_ptr<const bd::BacktestRunRecord> run);
    void failed(const QString &message);
    void cancelled();
    void runningChanged(bool running);

private:
    struct Channel;
    enum class Outcome { Finished, Failed, Cancelled };

    void handleProgress(quint64 jobId, int percent);
    void handlePhase(quint64 jobId, const QString &phase);
    void handleVersionRunRecorded(quint64 jobId, const std::shared_ptr<const BacktestRunRecord> &run);
    void handleDone(quint64 jobId, Outcome outcome, std::shared_ptr<const BacktestResult> result,
                    BarSeries bars, const QString &message);
    void setRunning(bool running);
    static void work(const std::shared_ptr<Channel> &channel, const BacktestRequest &request);
    void detachChannel();

    std::shared_ptr<Channel> m_channel;  // of the active run; null when idle
    quint64 m_jobId = 0;
    bool m_running = false;
    int m_progress = 0;
    QString m_phase;
};

} // namespace bd
