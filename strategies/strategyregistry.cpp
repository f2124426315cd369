#include "strategyregistry.h"

#include "boxbreakout.h"
#include "codehash.h"
#include "emacrossover.h"
#include "strategyparams.h"

#include <QFile>
#include <QStringList>

namespace bd {
namespace {

// One built-in: its name, its class and the base name of its source files (strategies/<source>.h and .cpp,
// compiled in under :/botdesk/strategy-sources/, see strategies/CMakeLists.txt).
struct Builtin {
    const char *name;
    const char *description;
    const char *source;
    const std::vector<ParameterSpec> &(*parameters)();
    // Reads the parameters from `in` and builds the strategy (nullptr when `in` holds an error).
    std::unique_ptr<Strategy> (*create)(StrategyParams &in);
};

template <typename S>
std::unique_ptr<Strategy> build(StrategyParams &in)
{
    const auto params = S::readParams(in);
    if (!in.status())
        return nullptr;
    return std::make_unique<S>(params);
}

const Builtin kBuiltins[] = {
    {"ema_crossover", "EMA fast/slow crossover, ATR stop, TP at rr x risk, risk-% sizing", "emacrossover",
     &EmaCrossover::parameters, &build<EmaCrossover>},
    {"box_breakout", "Breakout of the previous N-bar high/low box, SL at the far side, TP at rr x risk", "boxbreakout",
     &BoxBreakout::parameters, &build<BoxBreakout>},
};

Result<const Builtin *> find(const QString &name)
{
    QStringList names;
    for (const Builtin &b : kBuiltins) {
        if (name == QLatin1String(b.name))
            return &b;
        names << QLatin1String(b.name);
    }
    return makeError(QStringLiteral("unknown strategy '%1'; built-in strategies are: %2").arg(name, names.join(", ")));
}

QJsonObject defaultsOf(const std::vector<ParameterSpec> &specs)
{
    QJsonObject out;
    for (const ParameterSpec &spec : specs)
        out.insert(spec.key, spec.defaultJson());
    return out;
}

} // namespace

std::vector<StrategyInfo> builtinStrategies()
{
    std::vector<StrategyInfo> out;
    for (const Builtin &b : kBuiltins) {
        const std::vector<ParameterSpec> &specs = b.parameters();
        out.push_back({QLatin1String(b.name), QLatin1String(b.description), specs, defaultsOf(specs)});
    }
    return out;
}

Result<std::unique_ptr<Strategy>> createStrategy(const QString &name, const QJsonObject &params)
{
    auto builtin = find(name);
    if (!builtin)
        return builtin.error();
    StrategyParams in(name, (*builtin)->parameters(), params);
    std::unique_ptr<Strategy> strategy = (*builtin)->create(in);
    if (auto s = in.status(); !s)
        return s.error();
    return strategy;
}

Result<QJsonObject> resolveStrategyParams(const QString &name, const QJsonObject &given)
{
    auto builtin = find(name);
    if (!builtin)
        return builtin.error();
    StrategyParams in(name, (*builtin)->parameters(), given);
    (*builtin)->create(in);  // the same checks as createStrategy, cross-parameter ones included
    if (auto s = in.status(); !s)
        return s.error();
    return in.resolved();
}

Result<QString> builtinStrategySource(const QString &name)
{
    auto builtin = find(name);
    if (!builtin)
        return builtin.error();
    QByteArray text;
    for (const char *suffix : {".h", ".cpp"}) {
        const QString path = QStringLiteral(":/botdesk/strategy-sources/%1%2").arg(QLatin1String((*builtin)->source), QLatin1String(suffix));
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))  // a build defect: the resource list misses the file
            return makeError(QStringLiteral("the source of built-in strategy %1 is missing from this binary (%2); rebuild BotDesk").arg(name, path));
        text += file.readAll();
    }
    text.replace("\r\n", "\n");
    return QString::fromUtf8(text);
}

Result<BotVersion> defaultVersionOf(const QString &templateName)
{
    auto code = builtinStrategySource(templateName);
    if (!code)
        return code.error();
    BotVersion v;
    v.code = std::move(code).value();
    v.params = QJsonObject{};
    v.codeHash = computeCodeHash(v.code, v.params);
    return v;
}

} // namespace bd
