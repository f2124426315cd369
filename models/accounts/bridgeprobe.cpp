#include "bridgeprobe.h"

namespace bd {

QString BridgeProbeResult::summary() const
{
    if (!ok())
        return error.isEmpty() ? QStringLiteral("no answer from %1").arg(url) : error;
    QString text = accountKnown ? QStringLiteral("login %1 on %2").arg(login, server)
                                : QStringLiteral("connected to %1").arg(url);
    text += QStringLiteral(" (%1), terminal %2, trading %3")
                .arg(bridgeKind.isEmpty() ? QStringLiteral("bridge") : bridgeKind,
                     terminalConnected ? QStringLiteral("connected") : QStringLiteral("NOT connected"),
                     tradeAllowed && (!accountKnown || accountTradeAllowed) ? QStringLiteral("allowed")
                                                                            : QStringLiteral("NOT allowed"));
    if (!symbol.isEmpty())
        text += symbolResolved ? QStringLiteral(", %1 -> %2%3").arg(symbol, brokerSymbol,
                                                                    symbolTradable ? QString() : QStringLiteral(" (not tradable)"))
                               : QStringLiteral(", %1 not resolved: %2").arg(symbol, symbolError);
    return text;
}

} // namespace bd
