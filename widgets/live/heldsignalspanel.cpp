#include "heldsignalspanel.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace bd {

namespace {

enum Column { SignalColumn, BarColumn, ExpiresColumn, MessageColumn, ColumnCount };

QString utcText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd hh:mm")) + QStringLiteral(" UTC");
}

} // namespace

HeldSignalsPanel::HeldSignalsPanel(QWidget *parent) : QWidget(parent)
{
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("liveSignalsNote"));
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("liveSignals"));
    m_table->setHorizontalHeaderLabels({tr("Signal"), tr("Bar"), tr("Expires in"), tr("Actions")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(SignalColumn, 220);
    m_table->setColumnWidth(BarColumn, 150);
    m_approve = new QPushButton(tr("Approve"), this);
    m_approve->setObjectName(QStringLiteral("liveApprove"));
    m_reject = new QPushButton(tr("Reject"), this);
    m_reject->setObjectName(QStringLiteral("liveReject"));

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_note, 1);
    buttons->addWidget(m_approve);
    buttons->addWidget(m_reject);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(m_table, 1);

    connect(m_approve, &QPushButton::clicked, this, [this] { requestAnswer(SignalAnswer::Approve); });
    connect(m_reject, &QPushButton::clicked, this, [this] { requestAnswer(SignalAnswer::Reject); });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &HeldSignalsPanel::updateButtons);
    clear();
}

void HeldSignalsPanel::clear()
{
    setSignals(QUuid(), false, {}, 0);
}

void HeldSignalsPanel::setSignals(const QUuid &runId, bool approveMode, const std::vector<HeldSignalView> &held,
                                  qint64 nowMs)
{
    // Keep the trader's selection across refreshes (every poll rewrites the countdowns).
    QString selected;
    if (const QList<QTableWidgetItem *> items = m_table->selectedItems(); !items.isEmpty() && runId == m_runId)
        selected = m_table->item(items.first()->row(), SignalColumn)->text();
    m_runId = runId;
    m_held = held;
    m_table->setRowCount(int(held.size()));
    for (int i = 0; i < int(held.size()); ++i) {
        const HeldSignalView &v = held[size_t(i)];
        const qint64 left = std::max<qint64>(0, (v.expiresAtMs - nowMs + 999) / 1000);
        const QStringList cells{v.signalId, utcText(v.barTimeMs), tr("%1 s").arg(left), v.message};
        for (int c = 0; c < ColumnCount; ++c) {
            auto *item = new QTableWidgetItem(cells.at(c));
            if (c == ExpiresColumn && left <= 10)
                item->setForeground(QColor(0xc6, 0x28, 0x28));
            m_table->setItem(i, c, item);
        }
        if (v.signalId == selected)
            m_table->selectRow(i);
    }
    if (runId.isNull())
        m_note->setText(tr("Select a run."));
    else if (!approveMode)
        m_note->setText(tr("This run is in AUTO mode: its signals are sent without approval."));
    else if (held.empty())
        m_note->setText(tr("No signal is waiting for approval."));
    else
        m_note->setText(tr("%n signal(s) waiting: select one, then approve or reject it before it expires.", nullptr,
                           int(held.size())));
    updateButtons();
}

void HeldSignalsPanel::updateButtons()
{
    const bool one = !m_table->selectedItems().isEmpty();
    m_approve->setEnabled(one);
    m_reject->setEnabled(one);
}

void HeldSignalsPanel::requestAnswer(SignalAnswer answer)
{
    const QList<QTableWidgetItem *> items = m_table->selectedItems();
    if (items.isEmpty() || m_runId.isNull())
        return;
    const QString signalId = m_table->item(items.first()->row(), SignalColumn)->text();
    m_approve->setEnabled(false);
    m_reject->setEnabled(false);
    emit answerRequested(m_runId, signalId, answer);
}

} // namespace bd
