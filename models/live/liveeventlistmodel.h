#pragma once
// LiveEventListModel: a run's event log in the run detail (issue 10 §5), filtered by type and correlation id.
// Events arrive in order (LiveRunDetail::newEvents after afterEventId): new ones are appended (beginInsertRows), so
// the log grows under the trader's eyes without a reset; another run, or a gap, resets it. At most kMaxEvents are
// kept (the oldest go).
// Columns: time (UTC), type, correlation id, message.

#include "tradestore.h"

#include <QAbstractTableModel>
#include <QStringList>
#include <QUuid>

#include <vector>

namespace bd {

class LiveEventListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TimeColumn, TypeColumn, CorrelationColumn, MessageColumn, ColumnCount };
    static constexpr int kMaxEvents = 20'000;

    explicit LiveEventListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // `events` of `runId` following event id `afterId` (0 = the run's first): appended when they follow what is kept
    // for that run, else the log restarts with them.
    void addEvents(const QUuid &runId, qint64 afterId, const std::vector<LiveEvent> &events);
    void clear();
    QUuid runId() const { return m_runId; }
    qint64 lastEventId() const { return m_lastId; }   // of every event kept (shown or filtered out)
    int totalEvents() const { return int(m_all.size()); }
    // Every type seen in this run's events, sorted (for the filter's choices).
    QStringList types() const;

    // Exact type ("" = all) and correlation id prefix, case-insensitive ("" = all).
    void setFilter(const QString &type, const QString &correlation);
    const LiveEvent *eventAt(int row) const;

signals:
    void typesChanged();

private:
    bool accepts(const LiveEvent &e) const;
    void refilter();

    QUuid m_runId;
    qint64 m_lastId = 0;
    std::vector<LiveEvent> m_all;
    std::vector<int> m_shown;  // indexes into m_all
    QString m_type, m_correlation;
    QStringList m_types;
};

} // namespace bd
