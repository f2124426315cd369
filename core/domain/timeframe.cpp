#include "timeframe.h"

namespace bd {

namespace {
struct Timeframe {
    const char *name;
    qint64 seconds;
};
constexpr Timeframe kTimeframes[] = {{"M1", 60},    {"M5", 300},    {"M15", 900}, {"M30", 1800},
                                     {"H1", 3600},  {"H4", 14400},  {"D1", 86400}};
} // namespace

std::optional<qint64> timeframeSeconds(QStringView name)
{
    for (const Timeframe &tf : kTimeframes) {
        if (name == QLatin1String(tf.name))
            return tf.seconds;
    }
    return std::nullopt;
}

QStringList timeframeNames()
{
    QStringList out;
    for (const Timeframe &tf : kTimeframes)
        out << QLatin1String(tf.name);
    return out;
}

} // namespace bd
