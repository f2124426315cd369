#pragma once
// Test helper: writes a BotDesk CSV of M1 bars following a noisy sine wave, so that ema_crossover
// (fast/slow EMAs cross every ~200 bars) trades a few dozen times. Deterministic.

#include <QByteArray>
#include <QFile>
#include <QString>

#include <algorithm>
#include <cmath>

namespace bd::test {

inline bool writeSyntheticBars(const QString &path, int count)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    QByteArray out = "time,open,high,low,close,volume\n";
    const qint64 start = 1704153600;  // 2024-01-02 00:00 UTC
    double previous = 1.10;
    quint32 seed = 12345;
    for (int i = 0; i < count; ++i) {
        seed = seed * 1664525u + 1013904223u;
        const double noise = (double(seed >> 8) / double(1u << 24) - 0.5) * 0.0002;
        const double close = 1.10 + 0.0030 * std::sin(2.0 * M_PI * i / 400.0) + 0.0005 * std::sin(i / 37.0) + noise;
        const double open = previous;
        const double high = std::max(open, close) + 0.00008;
        const double low = std::min(open, close) - 0.00008;
        out += QByteArray::number(start + qint64(i) * 60) + ',' + QByteArray::number(open, 'f', 5) + ','
               + QByteArray::number(high, 'f', 5) + ',' + QByteArray::number(low, 'f', 5) + ','
               + QByteArray::number(close, 'f', 5) + ",1\n";
        previous = close;
    }
    return file.write(out) == out.size();
}

} // namespace bd::test
