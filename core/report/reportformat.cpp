#include "reportformat.h"

#include <QDateTime>
#include <QTimeZone>

#include <cmath>
#include <cstdlib>

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

QString utcSecond(qint64 timeMs)
{
    return QDateTime::fromMSecsSinceEpoch(timeMs, QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"))
        + QStringLiteral(" UTC");
}

QString utcDate(qint64 timeMs)
{
    return QDateTime::fromMSecsSinceEpoch(timeMs, QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-dd"));
}

QString duration(qint64 ms)
{
    const QString sign = ms < 0 ? QStringLiteral("-") : QString();
    qint64 s = std::llabs(ms) / 1000;
    const qint64 days = s / 86400;
    s %= 86400;
    const QString hms = QStringLiteral("%1:%2:%3")
                            .arg(s / 3600, 2, 10, QLatin1Char('0'))
                            .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
                            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return sign + (days > 0 ? QStringLiteral("%1d %2").arg(days).arg(hms) : hms);
}

QString profitFactor(double value)
{
    if (std::isinf(value) && value > 0)
        return QStringLiteral("∞");
    return QString::number(value, 'f', 2);
}

} // namespace bd::report
