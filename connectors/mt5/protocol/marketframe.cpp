#include "marketframe.h"

#include "jsonfields.h"

#include "mt5bjson.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <simdjson.h>

#include <array>
#include <cmath>
#include <string>
#include <string_view>

namespace bd::mt5b {

namespace od = simdjson::ondemand;

struct MarketFrameParser::Impl {
    od::parser parser;
    // Symbols repeat: the last few decoded names, so a tick costs no QString allocation for its symbol.
    struct Cached { std::string utf8; QString name; };
    std::array<Cached, 16> symbols;
    size_t nextSlot = 0;
    const QString &symbol(std::string_view s)
    {
        for (const Cached &c : symbols)
            if (c.utf8.size() == s.size() && c.utf8 == s)
                return c.name;
        Cached &slot = symbols[nextSlot++ % symbols.size()];
        slot.utf8.assign(s);
        slot.name = QString::fromUtf8(s.data(), qsizetype(s.size()));
        return slot.name;
    }
};

MarketFrameParser::MarketFrameParser() : d(std::make_unique<Impl>()) {}
MarketFrameParser::~MarketFrameParser() = default;

namespace {

// Reads one field's value with the frame's rules; false (and `error`) when it breaks one.
struct FieldReader {
    QString *error;
    bool fail(std::string_view key, const char *what)
    {
        if (error)
            *error = QStringLiteral("field '%1' %2").arg(QString::fromUtf8(key.data(), qsizetype(key.size())),
                                                         QLatin1StringView(what));
        return false;
    }
    bool isNull(od::value &v)
    {
        bool null = false;
        return !v.is_null().get(null) && null;
    }
    bool integer(od::value &v, std::string_view key, qint64 &out, bool optional)
    {
        if (optional && isNull(v)) {
            out = 0;
            return true;
        }
        // As JsonFields::integer (the QJsonDocument path): a whole number within ±2^53, written 5 or 5.0.
        constexpr double kMax = 9007199254740992.0;
        od::number_type type;
        if (v.get_number_type().get(type))
            return fail(key, "is not an integer");
        if (type == od::number_type::signed_integer) {
            int64_t i = 0;
            if (v.get_int64().get(i) || i > int64_t(kMax) || i < -int64_t(kMax))
                return fail(key, "is not an integer within 2^53");
            out = i;
            return true;
        }
        double d = 0;
        if (v.get_double().get(d) || !std::isfinite(d) || d != std::floor(d) || std::fabs(d) > kMax)
            return fail(key, "is not an integer within 2^53");
        out = qint64(d);
        return true;
    }
    bool number(od::value &v, std::string_view key, double &out, bool optional)
    {
        if (optional && isNull(v)) {
            out = 0;
            return true;
        }
        if (v.get_double().get(out) || !std::isfinite(out))
            return fail(key, "is not a finite number");
        return true;
    }
    bool string(od::value &v, std::string_view key, QString &out)
    {
        std::string_view s;
        if (v.get_string().get(s))
            return fail(key, "is not a string");
        out = QString::fromUtf8(s.data(), qsizetype(s.size()));
        return true;
    }
    bool boolean(od::value &v, std::string_view key, bool &out)
    {
        if (isNull(v)) {
            out = false;
            return true;
        }
        if (v.get_bool().get(out))
            return fail(key, "is not a boolean");
        return true;
    }
};

// Reads a value this parser does not use to its end, so that malformed JSON inside it is caught (On-Demand skips
// unread values without validating them). False when it is not valid JSON.
bool consume(od::value value, int depth = 0)
{
    if (depth > 64)
        return false;
    od::json_type type;
    if (value.type().get(type))
        return false;
    switch (type) {
    case od::json_type::object: {
        od::object o;
        if (value.get_object().get(o))
            return false;
        for (auto field : o) {
            std::string_view key;
            od::value v;
            if (field.unescaped_key().get(key) || field.value().get(v) || !consume(v, depth + 1))
                return false;
        }
        return true;
    }
    case od::json_type::array: {
        od::array a;
        if (value.get_array().get(a))
            return false;
        for (auto element : a) {
            od::value v;
            if (element.get(v) || !consume(v, depth + 1))
                return false;
        }
        return true;
    }
    case od::json_type::number: {
        od::number n;
        return !value.get_number().get(n);
    }
    case od::json_type::string: {
        std::string_view text;
        return !value.get_string().get(text);
    }
    case od::json_type::boolean: {
        bool b;
        return !value.get_bool().get(b);
    }
    case od::json_type::null: {
        bool null = false;
        return !value.is_null().get(null) && null;
    }
    }
    return false;
}

} // namespace

MarketParse MarketFrameParser::parse(QByteArray &json, MarketFrame &out, QString *error)
{
    if (json.capacity() - json.size() < kPadding)
        json.reserve(json.size() + kPadding);
    od::document doc;
    if (d->parser.iterate(json.constData(), size_t(json.size()), size_t(json.capacity())).get(doc))
        return MarketParse::NotMarket;
    od::object obj;
    if (doc.get_object().get(obj))
        return MarketParse::NotMarket;

    FieldReader r{error};
    enum { Unknown, TickType, BarType } type = Unknown;
    bool haveV = false, haveSeq = false, haveSymbol = false, haveTime = false, haveBid = false, haveAsk = false;
    bool haveBarTime = false, haveTf = false, haveO = false, haveH = false, haveL = false, haveC = false;
    qint64 v = 0;
    MarketFrame f;
    qint64 integer = 0;
    // Fields may come in any order; the type may come after the data. Read every field into both shapes.
    for (auto field : obj) {
        std::string_view key;
        if (field.unescaped_key().get(key))
            return type == Unknown ? MarketParse::NotMarket : MarketParse::Invalid;
        od::value value;
        if (field.value().get(value))
            return type == Unknown ? MarketParse::NotMarket : MarketParse::Invalid;
        bool ok = true;
        if (key == "type") {
            std::string_view t;
            if (value.get_string().get(t))
                return MarketParse::NotMarket;  // the general path reports the bad envelope
            if (t == "tick")
                type = TickType;
            else if (t == "bar")
                type = BarType;
            else
                return MarketParse::NotMarket;
        } else if (key == "v") {
            ok = r.integer(value, key, v, false);
            haveV = true;
        } else if (key == "seq") {
            ok = r.integer(value, key, f.seq, false);
            haveSeq = true;
        } else if (key == "symbol") {
            std::string_view name;
            ok = !value.get_string().get(name) || r.fail(key, "is not a string");
            if (ok)
                f.tick.symbol = d->symbol(name);
            haveSymbol = true;
        } else if (key == "time_msc") {
            ok = r.integer(value, key, f.tick.timeMsc, false);
            haveTime = true;
        } else if (key == "bid") {
            ok = r.number(value, key, f.tick.bid, false);
            haveBid = true;
        } else if (key == "ask") {
            ok = r.number(value, key, f.tick.ask, false);
            haveAsk = true;
        } else if (key == "last") {
            ok = r.number(value, key, f.tick.last, true);
        } else if (key == "volume_real") {
            ok = r.number(value, key, f.tick.volumeReal, true);
        } else if (key == "volume") {
            ok = r.integer(value, key, integer, true);
            f.tick.volume = quint64(std::max<qint64>(0, integer));
        } else if (key == "flags") {
            ok = r.integer(value, key, integer, true);
            f.tick.flags = int(integer);
        } else if (key == "conflated") {
            ok = r.integer(value, key, integer, true);
            f.tick.conflated = int(integer);
        } else if (key == "replay") {
            ok = r.boolean(value, key, f.replay);
        } else if (key == "timeframe") {
            ok = r.string(value, key, f.bar.timeframe);
            haveTf = true;
        } else if (key == "time") {
            ok = r.integer(value, key, f.bar.time, false);
            haveBarTime = true;
        } else if (key == "open") {
            ok = r.number(value, key, f.bar.open, false);
            haveO = true;
        } else if (key == "high") {
            ok = r.number(value, key, f.bar.high, false);
            haveH = true;
        } else if (key == "low") {
            ok = r.number(value, key, f.bar.low, false);
            haveL = true;
        } else if (key == "close") {
            ok = r.number(value, key, f.bar.close, false);
            haveC = true;
        } else if (key == "tick_volume") {
            ok = r.integer(value, key, f.bar.tickVolume, true);
        } else if (key == "spread") {
            ok = r.integer(value, key, integer, true);
            f.bar.spread = int(integer);
        } else if (key == "real_volume") {
            ok = r.integer(value, key, f.bar.realVolume, true);
        } else if (key == "closed") {
            ok = r.boolean(value, key, f.bar.closed);
        } else if (key == "history") {
            ok = r.boolean(value, key, f.bar.history);
        } else if (!consume(value)) {
            return type == Unknown ? MarketParse::NotMarket : MarketParse::Invalid;
        }
        if (!ok)
            return type == Unknown ? MarketParse::NotMarket : MarketParse::Invalid;
    }
    if (type == Unknown)
        return MarketParse::NotMarket;
    // Nothing may follow the object (On-Demand stops reading at its end).
    const char *trailing = nullptr;
    if (doc.current_location().get(trailing) != simdjson::OUT_OF_BOUNDS) {
        if (error)
            *error = QStringLiteral("text after the JSON object");
        return MarketParse::Invalid;
    }
    const auto missing = [&](const char *key) {
        if (error)
            *error = QStringLiteral("field '%1' is missing").arg(QLatin1StringView(key));
        return MarketParse::Invalid;
    };
    if (!haveV || v != 1) {
        if (error)
            *error = haveV ? QStringLiteral("field 'v' is %1; expected 1").arg(v) : QStringLiteral("field 'v' is missing");
        return MarketParse::Invalid;
    }
    if (!haveSeq)
        return missing("seq");
    if (f.seq < 1) {
        if (error)
            *error = QStringLiteral("field 'seq' is %1; expected an integer >= 1").arg(f.seq);
        return MarketParse::Invalid;
    }
    if (!haveSymbol)
        return missing("symbol");
    if (type == TickType) {
        if (!haveTime)
            return missing("time_msc");
        if (!haveBid)
            return missing("bid");
        if (!haveAsk)
            return missing("ask");
        f.kind = MarketFrame::Kind::Tick;
        f.tick.replay = f.replay;
    } else {
        if (!haveTf)
            return missing("timeframe");
        if (!haveBarTime)
            return missing("time");
        if (!haveO)
            return missing("open");
        if (!haveH)
            return missing("high");
        if (!haveL)
            return missing("low");
        if (!haveC)
            return missing("close");
        f.kind = MarketFrame::Kind::Bar;
        f.bar.symbol = f.tick.symbol;
    }
    out = std::move(f);
    return MarketParse::Parsed;
}

MarketParse parseMarketFrameQt(const QByteArray &json, MarketFrame &out, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return MarketParse::NotMarket;
    const QJsonObject o = doc.object();
    const QJsonValue typeValue = o.value(QLatin1String("type"));
    const QString type = typeValue.toString();
    if (!typeValue.isString() || (type != QLatin1String("tick") && type != QLatin1String("bar")))
        return MarketParse::NotMarket;
    const auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return MarketParse::Invalid;
    };
    const QJsonValue v = o.value(QLatin1String("v"));
    if (!JsonFields::isExactInteger(v) || v.toInteger() != 1)
        return fail(v.isUndefined() ? QStringLiteral("field 'v' is missing") : QStringLiteral("field 'v' is not 1"));
    const QJsonValue seq = o.value(QLatin1String("seq"));
    if (seq.isUndefined())
        return fail(QStringLiteral("field 'seq' is missing"));
    if (!JsonFields::isExactInteger(seq) || seq.toInteger() < 1)
        return fail(QStringLiteral("field 'seq' is not an integer >= 1"));
    MarketFrame f;
    f.seq = seq.toInteger();
    f.replay = o.value(QLatin1String("replay")).toBool(false);
    if (!o.value(QLatin1String("replay")).isBool() && !o.value(QLatin1String("replay")).isNull()
        && !o.value(QLatin1String("replay")).isUndefined())
        return fail(QStringLiteral("field 'replay' is not a boolean"));
    if (type == QLatin1String("tick")) {
        auto tick = tickFromJson(o);
        if (!tick)
            return fail(tick.error().message);
        f.kind = MarketFrame::Kind::Tick;
        f.tick = std::move(*tick);
    } else {
        auto bar = rateBarFromJson(o);
        if (!bar)
            return fail(bar.error().message);
        f.kind = MarketFrame::Kind::Bar;
        f.bar = std::move(*bar);
    }
    out = std::move(f);
    return MarketParse::Parsed;
}

} // namespace bd::mt5b
