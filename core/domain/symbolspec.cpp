#include "symbolspec.h"

#include <QStringList>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <algorithm>
#include <cmath>

namespace bd {
namespace {

constexpr int kMaxDigits = 10;


bool nearlyEqual(double a, double b, double relTol = 1e-6)
{
    return std::fabs(a - b) <= relTol * std::max(std::fabs(a), std::fabs(b));
}

// The catalogue's key for a name: Unicode case folding, as UTF-8.
std::string foldedKey(const QString &name)
{
    return name.toCaseFolded().toStdString();
}

QString num(double v) { return QString::number(v, 'g', 12); }

// Reads the fields of one symbol object, validating as it goes. The first problem wins.
class SymbolReader {
public:
    SymbolReader(const QJsonObject &obj, const QString &sourceName, int index)
        : m_obj(obj), m_source(sourceName), m_index(index)
    {
    }

    Result<SymbolSpec> read()
    {
        SymbolSpec s;
        const QJsonValue nameValue = m_obj.value(QStringLiteral("name"));
        if (!nameValue.isString() || nameValue.toString().trimmed().isEmpty())
            return fail(QStringLiteral("name"), QStringLiteral("is missing or not a non-empty string"));
        s.name = nameValue.toString().trimmed();
        m_name = s.name;

        if (!text(QStringLiteral("description"), s.description, false) || !text(QStringLiteral("currency_base"), s.currencyBase, true)
            || !text(QStringLiteral("currency_profit"), s.currencyProfit, true))
            return m_error;

        double digits = 0;
        if (!number(QStringLiteral("digits"), digits, true))
            return m_error;
        if (digits != std::floor(digits) || digits < 0 || digits > kMaxDigits)
            return fail(QStringLiteral("digits"), QStringLiteral("is %1, must be a whole number 0..%2").arg(num(digits)).arg(kMaxDigits));
        s.digits = int(digits);

        if (!positive(QStringLiteral("point"), s.point) || !positive(QStringLiteral("contract_size"), s.contractSize)
            || !positive(QStringLiteral("trade_tick_size"), s.tickSize) || !positive(QStringLiteral("trade_tick_value"), s.tickValue)
            || !positive(QStringLiteral("volume_min"), s.volumeMin) || !positive(QStringLiteral("volume_step"), s.volumeStep)
            || !positive(QStringLiteral("volume_max"), s.volumeMax))
            return m_error;

        if (!nearlyEqual(s.point, 1.0 / SymbolSpec::pow10(s.digits)))
            return fail(QStringLiteral("point"), QStringLiteral("is %1 but digits %2 needs point %3").arg(num(s.point)).arg(s.digits).arg(num(1.0 / SymbolSpec::pow10(s.digits))));
        const double ticksPerPoint = s.tickSize / s.point;
        if (ticksPerPoint < 1.0 - 1e-9 || !nearlyEqual(ticksPerPoint, std::round(ticksPerPoint)))
            return fail(QStringLiteral("trade_tick_size"), QStringLiteral("is %1, must be a whole multiple of point %2").arg(num(s.tickSize), num(s.point)));
        if (!nearlyEqual(s.tickValue, s.tickSize * s.contractSize)) {
            return fail(QStringLiteral("trade_tick_value"),
                        QStringLiteral("is %1 but trade_tick_size x contract_size = %2 (tick value is money in the profit currency "
                                       "%3 per tick per lot)")
                            .arg(num(s.tickValue), num(s.tickSize * s.contractSize), s.currencyProfit));
        }
        if (s.volumeMin > s.volumeMax)
            return fail(QStringLiteral("volume_min"), QStringLiteral("is %1, larger than volume_max %2").arg(num(s.volumeMin), num(s.volumeMax)));

        double spread = 0;
        if (!number(QStringLiteral("spread"), spread, true))
            return m_error;
        if (spread != std::floor(spread) || spread < 0 || spread > 1e6)
            return fail(QStringLiteral("spread"), QStringLiteral("is %1, must be a whole number of points >= 0").arg(num(spread)));
        s.defaultSpreadPoints = int(spread);

        double stops = 0;
        if (!number(QStringLiteral("trade_stops_level"), stops, false))
            return m_error;
        if (stops != std::floor(stops) || stops < 0 || stops > 1e6)
            return fail(QStringLiteral("trade_stops_level"), QStringLiteral("is %1, must be a whole number of points >= 0").arg(num(stops)));
        s.stopsLevelPoints = int(stops);
        return s;
    }

    Error fail(const QString &field, const QString &what)
    {
        const QString who = m_name.isEmpty() ? QStringLiteral("symbol #%1").arg(m_index + 1)
                                             : QStringLiteral("symbol '%1' (#%2)").arg(m_name).arg(m_index + 1);
        m_error = makeError(QStringLiteral("%1: %2: field '%3' %4; fix the symbol entry").arg(m_source, who, field, what));
        return m_error;
    }

private:
    bool text(const QString &field, QString &out, bool required)
    {
        const QJsonValue v = m_obj.value(field);
        if (v.isUndefined() && !required)
            return true;
        if (!v.isString() || (required && v.toString().trimmed().isEmpty())) {
            fail(field, v.isUndefined() ? QStringLiteral("is missing") : QStringLiteral("must be a non-empty string"));
            return false;
        }
        out = v.toString().trimmed();
        return true;
    }

    bool number(const QString &field, double &out, bool required)
    {
        const QJsonValue v = m_obj.value(field);
        if (v.isUndefined() && !required)
            return true;
        if (!v.isDouble()) {
            fail(field, v.isUndefined() ? QStringLiteral("is missing") : QStringLiteral("must be a number"));
            return false;
        }
        out = v.toDouble();
        return true;
    }

    bool positive(const QString &field, double &out)
    {
        if (!number(field, out, true))
            return false;
        if (!(out > 0) || !std::isfinite(out)) {
            fail(field, QStringLiteral("is %1, must be > 0").arg(num(out)));
            return false;
        }
        return true;
    }

    const QJsonObject &m_obj;
    QString m_source;
    int m_index;
    QString m_name;
    Error m_error;
};

} // namespace

Result<SymbolCatalog> SymbolCatalog::fromJson(const QByteArray &json, const QString &sourceName)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const qsizetype offset = std::min<qsizetype>(parseError.offset, json.size());
        const qsizetype line = std::count(json.constBegin(), json.constBegin() + offset, '\n') + 1;
        return makeError(QStringLiteral("%1:%2: invalid JSON (%3 at offset %4); fix the syntax")
                             .arg(sourceName)
                             .arg(line)
                             .arg(parseError.errorString())
                             .arg(parseError.offset));
    }
    const QJsonValue list = doc.object().value(QStringLiteral("symbols"));
    if (!doc.isObject() || !list.isArray())
        return makeError(QStringLiteral("%1: expected an object {\"symbols\": [...]}; put the symbol entries in a \"symbols\" array").arg(sourceName));

    SymbolCatalog catalog;
    const QJsonArray array = list.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isObject())
            return makeError(QStringLiteral("%1: symbol #%2 is not a JSON object; each entry must be {\"name\": ..., ...}").arg(sourceName).arg(i + 1));
        const QJsonObject obj = array.at(i).toObject();
        SymbolReader reader(obj, sourceName, int(i));
        Result<SymbolSpec> spec = reader.read();
        if (!spec.ok())
            return spec.error();
        // One hash lookup and insert per symbol: a catalogue of 100,000 symbols loads in linear time.
        const auto [earlier, inserted] = catalog.m_indexByFoldedName.try_emplace(foldedKey(spec->name), catalog.m_symbols.size());
        if (!inserted) {
            return reader.fail(QStringLiteral("name"), QStringLiteral("duplicates symbol '%1' (#%2); names must be unique (case-insensitive)")
                                                           .arg(catalog.m_symbols[earlier->second].name)
                                                           .arg(earlier->second + 1));
        }
        catalog.m_symbols.push_back(std::move(spec).value());
    }
    if (catalog.m_symbols.empty())
        return makeError(QStringLiteral("%1: the \"symbols\" array is empty; add at least one symbol").arg(sourceName));
    return catalog;
}

Result<SymbolCatalog> SymbolCatalog::fromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("%1: cannot open the symbol catalogue (%2); check the path").arg(path, file.errorString()));
    return fromJson(file.readAll(), path);
}

Result<SymbolCatalog> SymbolCatalog::builtin()
{
    return fromFile(QStringLiteral(":/botdesk/symbols.json"));
}

const SymbolSpec *SymbolCatalog::find(const QString &name) const
{
    const auto it = m_indexByFoldedName.find(foldedKey(name));
    return it == m_indexByFoldedName.end() ? nullptr : &m_symbols[it->second];
}

Result<const SymbolSpec *> SymbolCatalog::lookup(const QString &name) const
{
    if (const SymbolSpec *spec = find(name))
        return spec;
    QStringList names;
    for (const SymbolSpec &s : m_symbols)
        names << s.name;
    return makeError(QStringLiteral("unknown symbol '%1'; choose one of: %2").arg(name, names.join(QStringLiteral(", "))));
}

} // namespace bd
