#include "botlistmodel.h"

#include "reportformat.h"

namespace bd {

BotListModel::BotListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void BotListModel::setBots(std::vector<Bot> bots)
{
    beginResetModel();
    m_bots = std::move(bots);
    endResetModel();
}

const Bot *BotListModel::entryAt(int row) const
{
    return row >= 0 && size_t(row) < m_bots.size() ? &m_bots[size_t(row)] : nullptr;
}

int BotListModel::rowOf(const QUuid &id) const
{
    for (size_t i = 0; i < m_bots.size(); ++i) {
        if (m_bots[i].id == id)
            return int(i);
    }
    return -1;
}

int BotListModel::rowOfName(const QString &name) const
{
    for (size_t i = 0; i < m_bots.size(); ++i) {
        if (m_bots[i].name == name)
            return int(i);
    }
    return -1;
}

int BotListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_bots.size());
}

int BotListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant BotListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Bot &e = m_bots[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return e.name;
        case TemplateColumn: return e.strategyTemplate;
        case VersionsColumn: return QString::number(e.versionCount);
        case CreatedColumn: return report::utcMinute(e.createdAtMs);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case NameColumn: return e.name;
        case TemplateColumn: return e.strategyTemplate;
        case VersionsColumn: return e.versionCount;
        case CreatedColumn: return e.createdAtMs;
        }
        break;
    case IdRole:
        return e.id;
    case Qt::ToolTipRole:
        return e.latestHash.isEmpty() ? QVariant() : QVariant(tr("Latest version %1").arg(e.latestHash));
    case Qt::TextAlignmentRole:
        if (index.column() == VersionsColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant BotListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Bot");
    case TemplateColumn: return tr("Template");
    case VersionsColumn: return tr("Versions");
    case CreatedColumn: return tr("Created (UTC)");
    }
    return {};
}

} // namespace bd
