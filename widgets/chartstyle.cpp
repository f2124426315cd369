#include "chartstyle.h"

#include <QTimeZone>

namespace bd::chart {

void styleAxis(QCPAxis *axis)
{
    axis->setBasePen(QPen(QColor(0x90, 0x96, 0xa0)));
    axis->setTickPen(QPen(QColor(0x90, 0x96, 0xa0)));
    axis->setSubTickPen(QPen(QColor(0xb0, 0xb5, 0xbd)));
    axis->setTickLabelColor(QColor(0x33, 0x38, 0x40));
    axis->setLabelColor(QColor(0x33, 0x38, 0x40));
    axis->grid()->setPen(QPen(QColor(0xe3, 0xe6, 0xea), 0, Qt::SolidLine));
    axis->grid()->setSubGridVisible(false);
}

QSharedPointer<QCPAxisTickerDateTime> makeUtcTimeTicker()
{
    auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
    ticker->setTimeZone(QTimeZone::utc());
    ticker->setDateTimeFormat(QStringLiteral("yyyy-MM-dd"));
    ticker->setTickCount(8);
    return ticker;
}

void fitTimeLabels(QCPAxisTickerDateTime &ticker, const QCPRange &range)
{
    const double days = range.size() / 86400.0;
    QString format = QStringLiteral("dd MMM\nhh:mm");
    if (days > 120)
        format = QStringLiteral("MMM yyyy");
    else if (days > 4)
        format = QStringLiteral("dd MMM\nyyyy");
    ticker.setDateTimeFormat(format);
}

} // namespace bd::chart
