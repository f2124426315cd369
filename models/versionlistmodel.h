#pragma once
// The versions of one bot, newest first as the store lists them: short hash (12 hex), created (UTC), notes,
// parent's short hash ("—" for none; the full parent id when the parent is not in the list).
// Fed by value snapshots (setVersions: a model reset).
// Roles: DisplayRole text; SortRole the raw value (hash text, created qint64 UTC epoch ms, notes, parent hash);
// IdRole the version's QUuid; ToolTipRole the full hash and the params as canonical JSON.

#include "bot.h"

#include <QAbstractTableModel>
#include <QUuid>

#include <vector>

namespace bd {

class VersionListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { HashColumn, CreatedColumn, NotesColumn, ParentColumn, ColumnCount };
    enum Role { SortRole = Qt::UserRole, IdRole };

    explicit VersionListModel(QObject *parent = nullptr);

    // `botId`: whose versions these are (kept so a late answer for another bot can be told apart).
    void setVersions(const QUuid &botId, std::vector<BotVersion> versions);
    void clear();
    QUuid botId() const { return m_botId; }
    const std::vector<BotVersion> &versions() const { return m_versions; }
    const BotVersion *versionAt(int row) const;
    int rowOf(const QUuid &id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString parentText(const BotVersion &v) const;

    QUuid m_botId;
    std::vector<BotVersion> m_versions;
};

} // namespace bd
