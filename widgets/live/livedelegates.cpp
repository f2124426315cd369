#include "livedelegates.h"

#include "liverunsmodel.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace bd {

QColor StatusBadgeDelegate::colorOf(const QString &status)
{
    if (status == QLatin1String("RUNNING"))
        return QColor(0x16, 0xa3, 0x4a);
    if (status == QLatin1String("HALTED"))
        return QColor(0xd9, 0x77, 0x06);
    if (status == QLatin1String("ERROR"))
        return QColor(0xdc, 0x26, 0x26);
    if (status == QLatin1String("STOPPED"))
        return QColor(0x6b, 0x72, 0x80);
    return QColor(0x25, 0x63, 0xeb);  // PENDING, STOPPING
}

void StatusBadgeDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    opt.widget ? opt.widget->style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget)
               : QStyledItemDelegate::paint(painter, opt, index);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QFontMetrics fm(opt.font);
    const QRect r = option.rect.adjusted(3, 3, -3, -3);
    const int width = std::min(r.width(), fm.horizontalAdvance(text) + 14);
    const QRect badge(r.left(), r.top(), width, r.height());
    QPainterPath path;
    path.addRoundedRect(badge, badge.height() / 2.0, badge.height() / 2.0);
    painter->fillPath(path, colorOf(index.data(LiveRunsModel::StatusRole).toString()));
    painter->setPen(Qt::white);
    QFont f = opt.font;
    f.setBold(true);
    painter->setFont(f);
    painter->drawText(badge, Qt::AlignCenter, fm.elidedText(text, Qt::ElideRight, badge.width() - 6));
    painter->restore();
}

void DrawdownBarDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    opt.widget ? opt.widget->style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget)
               : QStyledItemDelegate::paint(painter, opt, index);
    const double fraction = index.data(LiveRunsModel::DrawdownFractionRole).toDouble();
    painter->save();
    const QRect track = option.rect.adjusted(3, 4, -3, -4);
    painter->fillRect(track, QColor(0xe5, 0xe7, 0xeb));
    if (fraction > 0) {
        QRect bar = track;
        bar.setWidth(int(track.width() * std::min(1.0, fraction)));
        const QColor c = fraction >= 1.0 ? QColor(0xdc, 0x26, 0x26)
                         : fraction >= 0.5 ? QColor(0xf5, 0x9e, 0x0b)
                                           : QColor(0x22, 0xc5, 0x5e);
        painter->fillRect(bar, c);
    }
    painter->setPen(QColor(0x11, 0x18, 0x27));
    painter->drawText(track.adjusted(4, 0, -4, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
    painter->restore();
}

} // namespace bd
