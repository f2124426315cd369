#pragma once
// LiveRunsFilter: the runs monitor's sort and filter over LiveRunsModel — a text (case-insensitive, found in the bot,
// account, symbol, last error or run id) and a status ("RUNNING", ...; empty = every status). Sorts by
// LiveRunsModel::SortRole (numbers as numbers).

#include <QSortFilterProxyModel>

namespace bd {

class LiveRunsFilter : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit LiveRunsFilter(QObject *parent = nullptr);

    void setText(const QString &text);
    void setStatus(const QString &status);
    QString text() const { return m_text; }
    QString status() const { return m_status; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    QString m_status;
};

} // namespace bd
