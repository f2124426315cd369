#include "reportformat.h"

#include <QDateTime>
#include <QTimeZone>

#include <cmath>

namespace bd::report {

QString money(double value, int decimals)
{
    if (!std::isfinite(value))
        return value > 0 ? QStringLiteral("∞") : value < 0 ? QStringLiteral("-∞") : QStringLiteral("n/a");
    if (value == 0.0)
        value = 0.0;  // no "-0.00"
    QString text = QString::number(std::fabs(value), 'f', decimals);
    const qsizetype point = text.indexOf(QLatin1Char('.'));
    qsizetype intEnd = point < 0 ? text.size() : point;
    for (qsizetype pos = intEnd - 3; pos > 0; pos -= 3)
        text.insert(pos, QLatin1Char(' '));
    const bool negative = value < 0 && std::round(std::fabs(value) * std::pow(10.0, decimals)) > 0;
    return negative ? QLatin1Char('-') + text : text;
}

QString percent(double value, int decimals)
{
    return money(value, decimals) + QLatin1Char('%');
}

QString price(double value, int digits, bool emptyWhenZero)
{
    if (emptyWhenZero && value == 0.0)
        return {};
    return QString::number(value, 'f', qBound(0, digits, 10));
}

QString utcMinute(qint64 timeMs)
{
    return QDateTime::fromMSecsSinceEpoch(timeMs, QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-dd hh:mm"));
}

QString utcDate(qint64 timeMs)
{
    return QDateTime::fromMSecsSinceEpoch(timeMs, QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-dd"));
}

QString profitFactor(double value)
{
    if (std::isinf(value) && value > 0)
        return QStringLiteral("∞");
    return QString::number(value, 'f', 2);
}

} // namespace bd::report
