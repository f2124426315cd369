#include "liverunsfilter.h"

#include "liverunsmodel.h"

namespace bd {

LiveRunsFilter::LiveRunsFilter(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(LiveRunsModel::SortRole);
    setDynamicSortFilter(true);
}

void LiveRunsFilter::setText(const QString &text)
{
    if (text.trimmed() == m_text)
        return;
    m_text = text.trimmed();
    invalidateFilter();
}

void LiveRunsFilter::setStatus(const QString &status)
{
    if (status == m_status)
        return;
    m_status = status;
    invalidateFilter();
}

bool LiveRunsFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *m = sourceModel();
    if (!m)
        return false;
    if (!m_status.isEmpty()
        && m->index(sourceRow, 0, sourceParent).data(LiveRunsModel::StatusRole).toString() != m_status)
        return false;
    if (m_text.isEmpty())
        return true;
    for (int column : {int(LiveRunsModel::BotColumn), int(LiveRunsModel::AccountColumn), int(LiveRunsModel::SymbolColumn),
                       int(LiveRunsModel::LastErrorColumn)}) {
        if (m->index(sourceRow, column, sourceParent).data().toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return m->index(sourceRow, 0, sourceParent).data(LiveRunsModel::RunIdRole).toUuid().toString(QUuid::WithoutBraces)
        .startsWith(m_text, Qt::CaseInsensitive);
}

} // namespace bd
