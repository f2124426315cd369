#include "liveeventlistmodel.h"

#include "reportformat.h"

#include <QJsonDocument>

#include <algorithm>

namespace bd {

LiveEventListModel::LiveEventListModel(QObject *parent) : QAbstractTableModel(parent) {}

int LiveEventListModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_shown.size()); }

int LiveEventListModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LiveEventListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *names[ColumnCount] = {"Time (UTC)", "Type", "Correlation", "Message"};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

QVariant LiveEventListModel::data(const QModelIndex &index, int role) const
{
    const LiveEvent *e = eventAt(index.row());
    if (!e || !index.isValid())
        return {};
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case TimeColumn: return report::utcSecond(e->atMs);
        case TypeColumn: return e->type;
        case CorrelationColumn: return e->correlationId.left(12);
        case MessageColumn: return e->message;
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == CorrelationColumn)
            return e->correlationId;
        if (index.column() == MessageColumn)
            return QStringLiteral("%1\n%2").arg(e->message,
                                                QString::fromUtf8(QJsonDocument(e->payload).toJson(QJsonDocument::Indented)));
    }
    return {};
}

void LiveEventListModel::clear()
{
    beginResetModel();
    m_all.clear();
    m_shown.clear();
    m_runId = QUuid();
    m_lastId = 0;
    m_types.clear();
    endResetModel();
    emit typesChanged();
}

void LiveEventListModel::addEvents(const QUuid &runId, qint64 afterId, const std::vector<LiveEvent> &events)
{
    const bool continues = runId == m_runId && afterId == m_lastId;
    if (!continues) {
        beginResetModel();
        m_runId = runId;
        m_all.clear();
        m_shown.clear();
        m_types.clear();
        m_lastId = afterId;
        endResetModel();
    }
    if (events.empty())
        return;
    bool newType = false;
    std::vector<int> shownNew;
    for (const LiveEvent &e : events) {
        if (e.id <= m_lastId)
            continue;
        m_lastId = e.id;
        if (!m_types.contains(e.type)) {
            m_types.append(e.type);
            newType = true;
        }
        m_all.push_back(e);
        if (accepts(e))
            shownNew.push_back(int(m_all.size()) - 1);
    }
    if (int(m_all.size()) > kMaxEvents) {
        beginResetModel();
        m_all.erase(m_all.begin(), m_all.begin() + (int(m_all.size()) - kMaxEvents));
        m_shown.clear();
        for (int i = 0; i < int(m_all.size()); ++i) {
            if (accepts(m_all[size_t(i)]))
                m_shown.push_back(i);
        }
        endResetModel();
    } else if (!shownNew.empty()) {
        const int first = int(m_shown.size());
        beginInsertRows({}, first, first + int(shownNew.size()) - 1);
        m_shown.insert(m_shown.end(), shownNew.begin(), shownNew.end());
        endInsertRows();
    }
    if (newType) {
        m_types.sort();
        emit typesChanged();
    }
}

QStringList LiveEventListModel::types() const { return m_types; }

bool LiveEventListModel::accepts(const LiveEvent &e) const
{
    if (!m_type.isEmpty() && e.type != m_type)
        return false;
    return m_correlation.isEmpty() || e.correlationId.startsWith(m_correlation, Qt::CaseInsensitive);
}

void LiveEventListModel::setFilter(const QString &type, const QString &correlation)
{
    if (type == m_type && correlation.trimmed() == m_correlation)
        return;
    m_type = type;
    m_correlation = correlation.trimmed();
    refilter();
}

void LiveEventListModel::refilter()
{
    beginResetModel();
    m_shown.clear();
    for (int i = 0; i < int(m_all.size()); ++i) {
        if (accepts(m_all[size_t(i)]))
            m_shown.push_back(i);
    }
    endResetModel();
}

const LiveEvent *LiveEventListModel::eventAt(int row) const
{
    return row >= 0 && row < int(m_shown.size()) ? &m_all[size_t(m_shown[size_t(row)])] : nullptr;
}

} // namespace bd
