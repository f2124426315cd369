#include "versionlistmodel.h"

#include "codehash.h"
#include "reportformat.h"

namespace bd {

VersionListModel::VersionListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void VersionListModel::setVersions(const QUuid &botId, std::vector<BotVersion> versions)
{
    beginResetModel();
    m_botId = botId;
    m_versions = std::move(versions);
    endResetModel();
}

void VersionListModel::clear()
{
    setVersions({}, {});
}

const BotVersion *VersionListModel::versionAt(int row) const
{
    return row >= 0 && size_t(row) < m_versions.size() ? &m_versions[size_t(row)] : nullptr;
}

int VersionListModel::rowOf(const QUuid &id) const
{
    for (size_t i = 0; i < m_versions.size(); ++i) {
        if (m_versions[i].id == id)
            return int(i);
    }
    return -1;
}

int VersionListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_versions.size());
}

int VersionListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString VersionListModel::parentText(const BotVersion &v) const
{
    if (v.parentId.isNull())
        return QStringLiteral("—");
    const int row = rowOf(v.parentId);
    return row >= 0 ? shortHash(m_versions[size_t(row)].codeHash) : v.parentId.toString(QUuid::WithoutBraces);
}

QVariant VersionListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const BotVersion &v = m_versions[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case HashColumn: return shortHash(v.codeHash);
        case CreatedColumn: return report::utcSecond(v.createdAtMs);
        case NotesColumn: return v.notes;
        case ParentColumn: return parentText(v);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case HashColumn: return v.codeHash;
        case CreatedColumn: return v.createdAtMs;
        case NotesColumn: return v.notes;
        case ParentColumn: return parentText(v);
        }
        break;
    case IdRole:
        return v.id;
    case Qt::ToolTipRole:
        return tr("%1\nparams %2").arg(v.codeHash, QString::fromUtf8(canonicalJson(v.params)));
    }
    return {};
}

QVariant VersionListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case HashColumn: return tr("Version");
    case CreatedColumn: return tr("Created");
    case NotesColumn: return tr("Notes");
    case ParentColumn: return tr("Parent");
    }
    return {};
}

} // namespace bd
