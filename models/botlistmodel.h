#pragma once
// The bots the login sees, one row each: name, strategy template, number of versions, created (UTC).
// Fed by value snapshots (setBots replaces everything: a model reset).
// Roles: DisplayRole text; SortRole the raw value (name/template as text, versions as int, created as qint64 UTC
// epoch ms); IdRole the bot's QUuid (every column); ToolTipRole the latest version's hash.

#include "bot.h"

#include <QAbstractTableModel>
#include <QUuid>

#include <vector>

namespace bd {

class BotListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, TemplateColumn, VersionsColumn, CreatedColumn, ColumnCount };
    enum Role { SortRole = Qt::UserRole, IdRole };

    explicit BotListModel(QObject *parent = nullptr);

    void setBots(std::vector<Bot> bots);
    const std::vector<Bot> &bots() const { return m_bots; }
    // The entry of `row`; nullptr when out of range.
    const Bot *entryAt(int row) const;
    // Row of the bot with `id` or named `name`; -1 when absent.
    int rowOf(const QUuid &id) const;
    int rowOfName(const QString &name) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<Bot> m_bots;
};

} // namespace bd
