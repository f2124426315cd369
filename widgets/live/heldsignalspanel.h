#pragma once
// HeldSignalsPanel: the signals an APPROVE-mode run is waiting for the trader to answer (issue 10 §6), with their
// countdown, and Approve / Reject for the selected one. It shows what the Live page's last detail read found
// (LiveRunDetail::held) and asks; the answer goes through the LiveMonitor (answerHeldSignal), so the run's host —
// this desktop or any other BotDesk on the database — sends or drops the signal.

#include "heldsignals.h"

#include <QUuid>
#include <QWidget>

#include <vector>

class QLabel;
class QPushButton;
class QTableWidget;

namespace bd {

class HeldSignalsPanel : public QWidget {
    Q_OBJECT
public:
    explicit HeldSignalsPanel(QWidget *parent = nullptr);

    // The run's held signals as read at `nowMs` (UTC epoch ms); `approveMode` false: the run sends without approval.
    void setSignals(const QUuid &runId, bool approveMode, const std::vector<HeldSignalView> &held, qint64 nowMs);
    void clear();
    int count() const { return int(m_held.size()); }

    QTableWidget *table() const { return m_table; }
    QPushButton *approveButton() const { return m_approve; }
    QPushButton *rejectButton() const { return m_reject; }
    QLabel *noteLabel() const { return m_note; }

signals:
    void answerRequested(const QUuid &runId, const QString &signalId, bd::SignalAnswer answer);

private:
    void requestAnswer(SignalAnswer answer);
    void updateButtons();

    QUuid m_runId;
    std::vector<HeldSignalView> m_held;
    QTableWidget *m_table = nullptr;
    QPushButton *m_approve = nullptr;
    QPushButton *m_reject = nullptr;
    QLabel *m_note = nullptr;
};

} // namespace bd
