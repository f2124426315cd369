#pragma once
// How the runs monitor draws two of LiveRunsModel's columns (issue 10 §4):
//   StatusBadgeDelegate   the status as a coloured badge (RUNNING green, HALTED amber, ERROR red, STOPPED grey,
//                         PENDING / STOPPING blue), from LiveRunsModel::StatusRole;
//   DrawdownBarDelegate   the drawdown against its cap as a bar (LiveRunsModel::DrawdownFractionRole: 0 empty, 1 full
//                         at the cap; green below half, amber below the cap, red at it) with the text over it.

#include <QStyledItemDelegate>

namespace bd {

class StatusBadgeDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    // The badge colour of a status name ("RUNNING", ...).
    static QColor colorOf(const QString &status);
};

class DrawdownBarDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace bd
