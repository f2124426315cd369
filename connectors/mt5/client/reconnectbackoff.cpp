#include "reconnectbackoff.h"

#include <algorithm>
#include <cmath>

namespace bd::mt5 {

qint64 ReconnectBackoff::baseDelayMs(int attempt) const
{
    double delay = double(m_options.initialMs);
    for (int i = 1; i < attempt && delay < double(m_options.maxMs); ++i)
        delay *= m_options.factor;
    return std::min<qint64>(qint64(std::llround(delay)), m_options.maxMs);
}

qint64 ReconnectBackoff::nextDelayMs()
{
    ++m_attempts;
    const double base = double(baseDelayMs(m_attempts));
    const double jitter = std::clamp(m_options.jitter, 0.0, 1.0);
    const double scale = 1.0 + jitter * (2.0 * m_random.generateDouble() - 1.0);  // [1-j, 1+j)
    return std::max<qint64>(1, qint64(std::llround(base * scale)));
}

} // namespace bd::mt5
