#pragma once
// Shared rules for the streaming indicators (sma.h, ema.h, rsi.h, atr.h, macd.h, bollinger.h,
// donchian.h). Internal helper; strategies include the indicator headers, not this one.

#include <QtGlobal>

#include <cmath>
#include <limits>

namespace bd::detail {

// A period < 1 is a programming error: Q_ASSERT fires in debug builds (QT_NO_DEBUG unset); in
// release builds the period is treated as 1 so the indicator still produces defined numbers.
inline int checkedPeriod(int period)
{
    Q_ASSERT_X(period >= 1, "bd indicator", "period must be >= 1");
    return period < 1 ? 1 : period;
}

// What value() and friends return while not ready().
inline constexpr double kNotReady = std::numeric_limits<double>::quiet_NaN();

} // namespace bd::detail
