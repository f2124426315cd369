#include "latencyhistogram.h"

#include "latencyring.h"

#include <QPainter>

#include <algorithm>

namespace bd {

namespace {
constexpr int kBins = 20;
}

LatencyHistogram::LatencyHistogram(QWidget *parent) : QWidget(parent) { setMinimumHeight(90); }

void LatencyHistogram::setSamples(std::vector<double> samples)
{
    m_samples = std::move(samples);
    m_bins.assign(kBins, 0);
    m_max = m_samples.empty() ? 0 : *std::max_element(m_samples.begin(), m_samples.end());
    for (double s : m_samples) {
        const int bin = m_max > 0 ? std::min(kBins - 1, int(s / m_max * kBins)) : 0;
        ++m_bins[size_t(bin)];
    }
    m_p50 = LatencyRing::percentile(m_samples, 50);
    m_p95 = LatencyRing::percentile(m_samples, 95);
    m_p99 = LatencyRing::percentile(m_samples, 99);
    update();
}

void LatencyHistogram::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), Qt::white);
    const QRect area = rect().adjusted(6, 6, -6, -18);
    p.setPen(QColor(0x6b, 0x72, 0x80));
    if (m_samples.empty()) {
        p.drawText(rect(), Qt::AlignCenter, tr("No heartbeat loop times yet"));
        return;
    }
    const int top = std::max(1, *std::max_element(m_bins.begin(), m_bins.end()));
    const double w = double(area.width()) / kBins;
    for (int i = 0; i < kBins; ++i) {
        const int h = int(double(area.height()) * m_bins[size_t(i)] / top);
        p.fillRect(QRectF(area.left() + i * w + 1, area.bottom() - h, w - 2, h), QColor(0x3b, 0x82, 0xf6));
    }
    const auto mark = [&](double v, const QColor &c, const QString &label) {
        const double x = area.left() + (m_max > 0 ? v / m_max : 0) * area.width();
        p.setPen(QPen(c, 1.5, Qt::DashLine));
        p.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()));
        p.drawText(QPointF(std::min(x + 2, double(area.right() - 40)), area.top() + 10), label);
    };
    mark(m_p50, QColor(0x16, 0xa3, 0x4a), QStringLiteral("p50"));
    mark(m_p95, QColor(0xd9, 0x77, 0x06), QStringLiteral("p95"));
    mark(m_p99, QColor(0xdc, 0x26, 0x26), QStringLiteral("p99"));
    p.setPen(QColor(0x37, 0x41, 0x51));
    p.drawText(QRect(area.left(), area.bottom() + 2, area.width(), 16), Qt::AlignLeft, QStringLiteral("0 ms"));
    p.drawText(QRect(area.left(), area.bottom() + 2, area.width(), 16), Qt::AlignRight,
               QStringLiteral("%1 ms").arg(m_max, 0, 'f', 2));
}

} // namespace bd
