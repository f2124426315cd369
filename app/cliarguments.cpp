#include "cliarguments.h"

#include "displaytext.h"
#include "strategyregistry.h"

#include <QLocale>
#include <QRegularExpression>
#include <QStringList>

#include <cmath>

namespace bd {
namespace {

QString formatBound(double v)
{
    return v == std::floor(v) && std::fabs(v) < 1e15 ? QString::number(v, 'f', 0) : QString::number(v, 'g', 15);
}

// "give a whole number of points from 0 to 100000", "give a number above 0 and at most 1000000000000 (money)".
QString fixFor(const NumberRange &range)
{
    QString fix = range.wholeNumber ? QStringLiteral("give a whole number of %1").arg(range.unit)
                                    : QStringLiteral("give an amount of %1").arg(range.unit);
    fix += range.minExclusive ? QStringLiteral(" above %1 and at most %2") : QStringLiteral(" from %1 to %2");
    fix = fix.arg(formatBound(range.min), formatBound(range.max));
    if (range.maxDecimals >= 0)
        fix += QStringLiteral(" with at most %1 decimals").arg(range.maxDecimals);
    if (!range.note.isEmpty())
        fix += QLatin1Char(' ') + range.note;
    return fix;
}

Error optionError(const QString &option, const QString &text, const QString &problem, const NumberRange &range)
{
    return makeError(QStringLiteral("--%1 '%2' %3; %4").arg(option, escapeForDisplay(text), problem, fixFor(range)));
}

NumberRange pointsRange(int max)
{
    NumberRange range;
    range.max = max;
    range.wholeNumber = true;
    range.unit = QStringLiteral("points");
    return range;
}

} // namespace

Result<double> parseNumberOption(const QString &option, const QString &text, const NumberRange &range)
{
    static const QRegularExpression kDecimal(QStringLiteral(R"(\A[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\z)"));
    static const QRegularExpression kNonFinite(QStringLiteral(R"(\A[+-]?(?:nan|inf|infinity)\z)"),
                                               QRegularExpression::CaseInsensitiveOption);
    if (text.isEmpty())
        return optionError(option, text, QStringLiteral("is empty"), range);
    if (kNonFinite.match(text).hasMatch())
        return optionError(option, text, QStringLiteral("is not a finite number"), range);
    if (!kDecimal.match(text).hasMatch())
        return optionError(option, text, QStringLiteral("is not a number"), range);

    bool ok = false;
    const double value = QLocale::c().toDouble(text, &ok);  // the C locale: '.' whatever LANG says
    if (!ok) {
        // The syntax is valid, so the only failure left is a magnitude a double cannot hold.
        return optionError(option, text,
                           std::isinf(value) ? QStringLiteral("is out of range") : QStringLiteral("is too close to 0 to represent"),
                           range);
    }
    const bool aboveMin = range.minExclusive ? value > range.min : value >= range.min;
    if (!aboveMin || value > range.max)
        return optionError(option, text, QStringLiteral("is out of range"), range);
    if (range.wholeNumber && value != std::floor(value))
        return optionError(option, text, QStringLiteral("is not a whole number of %1").arg(range.unit), range);
    if (range.maxDecimals >= 0) {
        const double scale = std::pow(10.0, range.maxDecimals);
        if (std::round(value * scale) / scale != value)
            return optionError(option, text, QStringLiteral("has more than %1 decimals").arg(range.maxDecimals), range);
    }
    return value + 0.0;  // -0 becomes 0
}

Result<int> parseSpreadPoints(const QString &text)
{
    auto v = parseNumberOption(QStringLiteral("spread"), text, pointsRange(cliLimits::kMaxSpreadPoints));
    if (!v)
        return v.error();
    return int(*v);
}

Result<int> parseSlippagePoints(const QString &text)
{
    auto v = parseNumberOption(QStringLiteral("slippage"), text, pointsRange(cliLimits::kMaxSlippagePoints));
    if (!v)
        return v.error();
    return int(*v);
}

Result<double> parseCommissionPerLot(const QString &text)
{
    NumberRange range;
    range.max = cliLimits::kMaxCommissionPerLot;
    range.unit = QStringLiteral("money in the deposit currency per lot per deal");
    return parseNumberOption(QStringLiteral("commission"), text, range);
}

Result<double> parseDeposit(const QString &text)
{
    NumberRange range;
    range.max = cliLimits::kMaxDeposit;
    range.minExclusive = true;
    range.unit = QStringLiteral("money in the deposit currency");
    return parseNumberOption(QStringLiteral("deposit"), text, range);
}

Result<qint64> parseServerUtcOffsetSeconds(const QString &text)
{
    NumberRange range;
    range.min = -cliLimits::kMaxServerUtcOffsetSeconds;
    range.max = cliLimits::kMaxServerUtcOffsetSeconds;
    range.wholeNumber = true;
    range.unit = QStringLiteral("seconds");
    range.note = QStringLiteral("(server time minus UTC, e.g. 7200 for GMT+2)");
    auto v = parseNumberOption(QStringLiteral("server-utc-offset"), text, range);
    if (!v)
        return v.error();
    return qint64(*v);
}

Result<std::string> parseLogLevel(const QString &text)
{
    static const QStringList kLevels{QStringLiteral("trace"), QStringLiteral("debug"), QStringLiteral("info"),
                                     QStringLiteral("warn"),  QStringLiteral("error"), QStringLiteral("off")};
    for (const QString &level : kLevels) {
        if (text.compare(level, Qt::CaseInsensitive) == 0)
            return level.toStdString();
    }
    return makeError(QStringLiteral("--log-level %1").arg(unknownChoiceMessage(QStringLiteral("log level"), text, kLevels)));
}

QString unknownChoiceMessage(const QString &what, const QString &value, const QStringList &choices, int maxShown)
{
    QString message = QStringLiteral("'%1' is not a known %2; choose one of: ").arg(escapeForDisplay(value), what);
    QStringList shown;
    for (qsizetype i = 0; i < choices.size() && i < maxShown; ++i)
        shown << escapeForDisplay(choices[i]);
    message += shown.join(QStringLiteral(", "));
    if (choices.size() > maxShown)
        message += QStringLiteral(" (and %1 more)").arg(choices.size() - maxShown);
    return message;
}

Result<const SymbolSpec *> symbolOption(const SymbolCatalog &catalog, const QString &name)
{
    if (const SymbolSpec *symbol = catalog.find(name))
        return symbol;
    QStringList names;
    for (const SymbolSpec &s : catalog.symbols())
        names << s.name;
    return makeError(QStringLiteral("--symbol %1").arg(unknownChoiceMessage(QStringLiteral("symbol"), name, names)));
}

Result<void> strategyOption(const QString &name)
{
    QStringList names;
    for (const StrategyInfo &info : builtinStrategies())
        names << info.name;
    if (names.contains(name))
        return {};
    return makeError(QStringLiteral("--strategy %1").arg(unknownChoiceMessage(QStringLiteral("strategy"), name, names)));
}

} // namespace bd
