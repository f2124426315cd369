// Client-side tick parsing on one core (issue 8 §7): mt5b `tick` frames parsed into bd::mt5::Tick by the hot path
// (simdjson On-Demand, connectors/mt5/protocol/marketframe.h) and by the QJsonDocument path with the same rules,
// measured in the same run. Each measurement parses every frame of a set of 200,000 distinct frames (varying symbol,
// prices, times); the figure is the median of N runs (default 7) of each, interleaved. Aim: >= 500,000 ticks/s.
//   bench_mt5_ticks [runs]

#include "marketframe.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QVector>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace bd::mt5b;

namespace {

QVector<QByteArray> makeFrames(int n)
{
    static const char *symbols[] = {"EURUSD.sim", "GBPUSD.sim", "USDJPY.sim", "XAUUSD.sim", "US500.sim"};
    QVector<QByteArray> frames;
    frames.reserve(n);
    double bid = 1.08512;
    for (int i = 0; i < n; ++i) {
        bid += ((i * 7919) % 11 - 5) * 0.00001;
        QByteArray f = QByteArrayLiteral("{\"v\":1,\"type\":\"tick\",\"seq\":") + QByteArray::number(i + 1)
                       + ",\"ts\":" + QByteArray::number(1718000000000LL + i) + ",\"symbol\":\"" + symbols[i % 5]
                       + "\",\"time_msc\":" + QByteArray::number(1717999990000LL + i * 13) + ",\"bid\":"
                       + QByteArray::number(bid, 'f', 5) + ",\"ask\":" + QByteArray::number(bid + 0.00012, 'f', 5)
                       + ",\"last\":0.0,\"volume\":0,\"volume_real\":0.0,\"flags\":6}";
        f.reserve(f.size() + MarketFrameParser::kPadding);  // as the client does: no copy in the parser
        frames.push_back(f);
    }
    return frames;
}

template <typename Parse>
double ticksPerSecond(QVector<QByteArray> &frames, Parse parse, double &checksum)
{
    MarketFrame out;
    QElapsedTimer t;
    t.start();
    for (QByteArray &f : frames) {
        if (parse(f, out) != MarketParse::Parsed) {
            std::fprintf(stderr, "frame not parsed: %s\n", f.constData());
            std::exit(1);
        }
        checksum += out.tick.bid;
    }
    const double seconds = double(t.nsecsElapsed()) / 1e9;
    return double(frames.size()) / seconds;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int runs = argc > 1 ? std::max(1, atoi(argv[1])) : 7;
    QVector<QByteArray> frames = makeFrames(200000);
    MarketFrameParser parser;
    double checksum = 0;
    std::vector<double> fast, qt;
    // One warm-up of each, then interleaved runs.
    ticksPerSecond(frames, [&](QByteArray &f, MarketFrame &o) { return parser.parse(f, o); }, checksum);
    ticksPerSecond(frames, [](QByteArray &f, MarketFrame &o) { return parseMarketFrameQt(f, o); }, checksum);
    for (int r = 0; r < runs; ++r) {
        fast.push_back(ticksPerSecond(frames, [&](QByteArray &f, MarketFrame &o) { return parser.parse(f, o); }, checksum));
        qt.push_back(ticksPerSecond(frames, [](QByteArray &f, MarketFrame &o) { return parseMarketFrameQt(f, o); }, checksum));
    }
    const double f = median(fast), q = median(qt);
    std::printf("mt5b tick frames -> bd::mt5::Tick, one core, %d frames x %d runs (median), avg frame %lld bytes\n",
                int(frames.size()), runs, (long long)(frames.first().size()));
    std::printf("  simdjson On-Demand : %12.0f ticks/s  (%.0f ns/tick)\n", f, 1e9 / f);
    std::printf("  QJsonDocument      : %12.0f ticks/s  (%.0f ns/tick)\n", q, 1e9 / q);
    std::printf("  ratio              : %.1fx   target >= 500000 ticks/s: %s\n", f / q, f >= 500000 ? "met" : "NOT met");
    std::printf("  (checksum %.3f)\n", checksum);
    return 0;
}
