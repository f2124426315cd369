#include "faultplan.h"

#include <QRegularExpression>
#include <QStringList>

#include <algorithm>
#include <optional>

namespace bd::mt5sim {

namespace {

const QString kKnown = QStringLiteral("drop-reply, requote, price-off, lost-request, connection, connection-burst, latency, "
                                      "disconnect, terminal-off, terminal-off-for, conflate");

std::optional<qint64> parseDuration(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^([0-9]{1,9})(ms|s|m)$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    const qint64 n = m.captured(1).toLongLong();
    const QString unit = m.captured(2);
    return unit == QLatin1String("ms") ? n : unit == QLatin1String("s") ? n * 1000 : n * 60'000;
}

} // namespace

Result<FaultConfig> parseFaults(const QString &spec)
{
    FaultConfig c;
    if (spec.trimmed().isEmpty())
        return c;
    for (const QString &rawItem : spec.split(QLatin1Char(','))) {
        const QString item = rawItem.trimmed();
        const qsizetype eq = item.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return makeError(QStringLiteral("--faults: item '%1' is not name=value; e.g. requote=0.05 or latency=5ms").arg(item));
        const QString name = item.left(eq);
        const QString value = item.mid(eq + 1);
        auto probability = [&](double &out) -> Result<void> {
            bool ok = false;
            const double p = value.toDouble(&ok);
            if (!ok || !(p >= 0 && p <= 1))
                return makeError(QStringLiteral("--faults: item '%1' needs a probability from 0 to 1 (e.g. %2=0.05)")
                                     .arg(item, name));
            out = p;
            return {};
        };
        auto duration = [&](qint64 &out) -> Result<void> {
            const auto d = parseDuration(value);
            if (!d)
                return makeError(QStringLiteral("--faults: item '%1' needs a duration with a unit ms, s or m "
                                                "(e.g. %2=250ms or %2=30s)").arg(item, name));
            out = *d;
            return {};
        };
        Result<void> r;
        if (name == QLatin1String("drop-reply"))
            r = probability(c.dropReply);
        else if (name == QLatin1String("requote"))
            r = probability(c.requote);
        else if (name == QLatin1String("price-off"))
            r = probability(c.priceOff);
        else if (name == QLatin1String("lost-request"))
            r = probability(c.lostRequest);
        else if (name == QLatin1String("connection"))
            r = probability(c.connection);
        else if (name == QLatin1String("connection-burst")) {
            bool ok = false;
            const int n = value.toInt(&ok);
            if (!ok || n < 1 || n > 1000)
                r = makeError(QStringLiteral("--faults: item '%1' needs a whole number of requests from 1 to 1000").arg(item));
            else
                c.connectionBurst = n;
        } else if (name == QLatin1String("latency"))
            r = duration(c.latencyMs);
        else if (name == QLatin1String("disconnect"))
            r = duration(c.disconnectEveryMs);
        else if (name == QLatin1String("terminal-off"))
            r = duration(c.terminalOffEveryMs);
        else if (name == QLatin1String("terminal-off-for"))
            r = duration(c.terminalOffForMs);
        else if (name == QLatin1String("conflate"))
            r = duration(c.conflateMs);
        else
            return makeError(QStringLiteral("--faults: unknown item '%1'; known: %2").arg(name, kKnown));
        if (!r)
            return r.error();
        if ((name == QLatin1String("disconnect") && c.disconnectEveryMs == 0)
            || (name == QLatin1String("terminal-off") && c.terminalOffEveryMs == 0))
            return makeError(QStringLiteral("--faults: item '%1' needs a period above 0 (e.g. %2=30s)").arg(item, name));
    }
    return c;
}

QString describeFaults(const FaultConfig &c)
{
    QStringList parts;
    auto p = [&](const char *name, double v) { if (v > 0) parts << QStringLiteral("%1=%2").arg(QLatin1String(name)).arg(v); };
    auto d = [&](const char *name, qint64 v) { if (v > 0) parts << QStringLiteral("%1=%2ms").arg(QLatin1String(name)).arg(v); };
    p("drop-reply", c.dropReply);
    p("requote", c.requote);
    p("price-off", c.priceOff);
    p("lost-request", c.lostRequest);
    p("connection", c.connection);
    if (c.connection > 0)
        parts << QStringLiteral("connection-burst=%1").arg(c.connectionBurst);
    d("latency", c.latencyMs);
    d("disconnect", c.disconnectEveryMs);
    d("terminal-off", c.terminalOffEveryMs);
    if (c.terminalOffEveryMs > 0)
        d("terminal-off-for", c.terminalOffForMs);
    d("conflate", c.conflateMs);
    return parts.isEmpty() ? QStringLiteral("none") : parts.join(QLatin1Char(','));
}

FaultPlan::FaultPlan(FaultConfig config, quint64 seed)
    : m_config(config), m_requote(seed * 6364136223846793005ULL + 1), m_priceOff(seed * 6364136223846793005ULL + 2),
      m_connection(seed * 6364136223846793005ULL + 3), m_dropReply(seed * 6364136223846793005ULL + 4),
      m_disconnect(seed * 6364136223846793005ULL + 5), m_terminal(seed * 6364136223846793005ULL + 6),
      m_lostRequest(seed * 6364136223846793005ULL + 7)
{
}

bool FaultPlan::draw(std::mt19937_64 &rng, double p)
{
    // 53 random bits → [0, 1): the same on every platform (std::uniform_real_distribution is not specified exactly).
    const double u = double(rng() >> 11) * (1.0 / 9007199254740992.0);
    return u < p;
}

qint64 FaultPlan::jitter(std::mt19937_64 &rng, qint64 periodMs)
{
    const double u = double(rng() >> 11) * (1.0 / 9007199254740992.0);
    return std::max<qint64>(1, qint64(double(periodMs) * (0.8 + 0.4 * u)));
}

FaultPlan::OrderFault FaultPlan::nextOrderFault(bool marketOrder)
{
    // Every enabled stream draws on every call, so the sequence depends only on the seed and the request count.
    const bool requote = m_config.requote > 0 && draw(m_requote, m_config.requote);
    const bool priceOff = m_config.priceOff > 0 && draw(m_priceOff, m_config.priceOff);
    const bool burst = m_config.connection > 0 && draw(m_connection, m_config.connection);
    const bool lost = m_config.lostRequest > 0 && draw(m_lostRequest, m_config.lostRequest);
    if (m_burstLeft > 0) {
        --m_burstLeft;
        return OrderFault::Connection;
    }
    if (burst) {
        m_burstLeft = m_config.connectionBurst - 1;
        return OrderFault::Connection;
    }
    if (priceOff)
        return OrderFault::PriceOff;
    if (requote && marketOrder)
        return OrderFault::Requote;
    if (lost)
        return OrderFault::LostRequest;
    return OrderFault::None;
}

bool FaultPlan::nextDropReply() { return m_config.dropReply > 0 && draw(m_dropReply, m_config.dropReply); }

qint64 FaultPlan::nextDisconnectDelayMs()
{
    return m_config.disconnectEveryMs > 0 ? jitter(m_disconnect, m_config.disconnectEveryMs) : 0;
}

qint64 FaultPlan::nextTerminalOffDelayMs()
{
    return m_config.terminalOffEveryMs > 0 ? jitter(m_terminal, m_config.terminalOffEveryMs) : 0;
}

} // namespace bd::mt5sim
