#pragma once
// MarketFrame: the hot path of the mt5b stream — `tick` and `bar` events — parsed straight from the frame's UTF-8
// bytes with simdjson's On-Demand API (Debian libsimdjson-dev), without building a QJsonDocument. Everything else
// (and any frame this parser does not recognise as a tick or bar) goes through the QJsonDocument path
// (parseMarketFrameQt, envelope.h), which applies exactly the same rules; tst_mt5marketframe checks both agree.
//
// Rules (docs/mt5b-protocol.md §2, §6.1–6.2; a violation drops the frame, nothing reaches the engine):
//   envelope: an object; "v" the integer 1; "type" a string; "seq" an integer ≥ 1 (required on tick/bar events);
//   tick: "symbol" string, "time_msc" integer (ms, server clock), "bid" and "ask" finite numbers — required;
//         "last", "volume_real" numbers, "volume", "flags", "conflated" integers ≥ 0, "replay" bool — optional
//         (absent or null = 0/false);
//   bar:  "symbol", "timeframe" strings, "time" integer (s), "open", "high", "low", "close" finite numbers —
//         required; "tick_volume", "spread", "real_volume" integers, "closed", "history", "replay" bools — optional.
//   Integers are whole JSON numbers within ±2^53 (5 or 5.0; "5" and 5.5 are refused), as JsonFields reads them;
//   unknown fields are ignored.

#include "brokertypes.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace bd::mt5b {

struct MarketFrame {
    enum class Kind { Tick, Bar };
    Kind kind = Kind::Tick;
    qint64 seq = 0;
    mt5::Tick tick;     // Kind::Tick (tick.replay from the envelope's "replay")
    mt5::RateBar bar;   // Kind::Bar
    bool replay = false;
};

enum class MarketParse {
    Parsed,    // a valid tick or bar: `out` is filled
    NotMarket, // valid JSON whose type is neither "tick" nor "bar" (or could not be told): use the general path
    Invalid,   // a tick/bar frame that breaks a rule: drop it; `error` says which field
};

class MarketFrameParser {
public:
    MarketFrameParser();
    ~MarketFrameParser();
    MarketFrameParser(const MarketFrameParser &) = delete;
    MarketFrameParser &operator=(const MarketFrameParser &) = delete;

    // Parses `json` (UTF-8). `json` must have at least kPadding bytes of capacity beyond its size (reserve them:
    // the parser reads past the end, simdjson's padding); frames without it are copied first.
    MarketParse parse(QByteArray &json, MarketFrame &out, QString *error = nullptr);
    static constexpr qsizetype kPadding = 64;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

// The same rules over QJsonDocument (the general path and the benchmark's baseline).
MarketParse parseMarketFrameQt(const QByteArray &json, MarketFrame &out, QString *error = nullptr);

} // namespace bd::mt5b
