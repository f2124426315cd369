#pragma once
// The Live page (issue 10 §4, §5, §3's stop and resume): every live run of the database, hosted here or elsewhere, in
// a sortable table (status badge, heartbeat age coloured amber at 30 s and red when stale, realised P/L, drawdown
// against its cap as a bar, open positions, trades today, last action, last error) filtered by text and status; and
// the selected run's detail: its event log (filter by type and correlation id), the heartbeat loop times' p50 / p95 /
// p99 with a histogram, its open positions and its trades.
//
// Stop, Stop and close, and Resume (a HALTED run) are one click each and write what `botdesk-cli live stop [--close]`
// and `live resume` write (LiveMonitor::command); "Stop and close" closes positions, so it asks first (setConfirm
// replaces the QMessageBox, e.g. in tests). The outcome stays in the page's status line until the next command; the
// line beside it counts the runs, or says why they cannot be read.
//
// The view only talks to its LiveMonitor (injected; it never opens a database) and starts it when first shown.

#include "liveruncommands.h"
#include "livesnapshot.h"

#include <QUuid>
#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTabWidget;
class QTableView;

namespace bd {

class LatencyHistogram;
class LiveEventListModel;
class LiveMonitor;
class LiveRunsFilter;
class LiveTradeListModel;

class LiveView : public QWidget {
    Q_OBJECT
public:
    // Asked before an action that closes positions: true = go ahead.
    using Confirm = std::function<bool(const QString &title, const QString &text)>;

    explicit LiveView(LiveMonitor *monitor, QWidget *parent = nullptr);

    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }
    LiveMonitor *monitor() const { return m_monitor; }
    LiveRunsFilter *filter() const { return m_filter; }
    QTableView *runsTable() const { return m_runs; }
    LiveEventListModel *eventsModel() const { return m_events; }
    LiveTradeListModel *positionsModel() const { return m_positions; }
    LiveTradeListModel *tradesModel() const { return m_trades; }
    LatencyHistogram *histogram() const { return m_histogram; }
    QLabel *latencyLabel() const { return m_latency; }
    QLabel *statusLabel() const { return m_status; }    // the last command's outcome
    QLabel *summaryLabel() const { return m_summary; }  // how many runs, or why they cannot be read
    QPushButton *stopButton() const { return m_stop; }
    QPushButton *stopCloseButton() const { return m_stopClose; }
    QPushButton *resumeButton() const { return m_resume; }

    // Selects run `runId` in the table (false when it is not shown, e.g. filtered out).
    bool selectRun(const QUuid &runId);
    QUuid selectedRun() const { return m_selected; }
    // The run's command, as the buttons do (Stop and close asks first).
    void requestCommand(LiveRunCommand command);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void handleSelection();
    void handleDetail(const LiveRunDetail &detail);
    void updateButtons();

    LiveMonitor *m_monitor;
    Confirm m_confirm;
    QUuid m_selected;
    LiveRunsFilter *m_filter = nullptr;
    LiveEventListModel *m_events = nullptr;
    LiveTradeListModel *m_positions = nullptr;
    LiveTradeListModel *m_trades = nullptr;
    QLineEdit *m_textFilter = nullptr;
    QComboBox *m_statusFilter = nullptr;
    QTableView *m_runs = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_stopClose = nullptr;
    QPushButton *m_resume = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_latency = nullptr;
    QComboBox *m_eventType = nullptr;
    QLineEdit *m_eventCorrelation = nullptr;
    QTableView *m_eventTable = nullptr;
    QTabWidget *m_detailTabs = nullptr;
    LatencyHistogram *m_histogram = nullptr;
};

} // namespace bd
