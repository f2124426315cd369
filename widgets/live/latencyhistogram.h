#pragma once
// LatencyHistogram: a small bar chart of latency samples (ms) in 20 equal bins from 0 to the largest sample, with the
// p50 / p95 / p99 marked (nearest rank, latencyring.h) — the run detail's heartbeat loop times (issue 10 §5).

#include <QWidget>

#include <vector>

namespace bd {

class LatencyHistogram : public QWidget {
    Q_OBJECT
public:
    explicit LatencyHistogram(QWidget *parent = nullptr);
    void setSamples(std::vector<double> samples);
    const std::vector<int> &bins() const { return m_bins; }
    QSize sizeHint() const override { return {320, 120}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    std::vector<double> m_samples;
    std::vector<int> m_bins;
    double m_max = 0;
    double m_p50 = 0, m_p95 = 0, m_p99 = 0;
};

} // namespace bd
