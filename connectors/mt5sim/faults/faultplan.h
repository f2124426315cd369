#pragma once
// Deterministic fault injection for botdesk-mt5sim (MT5_PROTOCOL.md §4.9): the --faults option and the
// decisions drawn from --seed. Each kind of fault draws from its own random stream (std::mt19937_64 seeded from the
// seed and the kind), so the same seed and the same sequence of requests give the same faults, and turning one fault
// on does not move another's draws.
//
// --faults is a comma-separated list of name=value items:
//   drop-reply=P        probability that an order.send executes but MT5's reply is lost: the simulator answers after
//                       reconciling through its own history (order.result reconciled:true, match "tag")
//   requote=P           probability of TRADE_RETCODE_REQUOTE (10004) for a market order (nothing executes)
//   price-off=P         probability of TRADE_RETCODE_PRICE_OFF (10021)
//   lost-request=P      probability that an order.send never reaches the trade server and its reply is lost: the
//                       simulator reconciles, finds nothing and answers status "rejected", class
//                       RECONCILED_NOT_EXECUTED (retcode 10012 TIMEOUT, reconciled:true)
//   connection=P        probability that a burst of TRADE_RETCODE_CONNECTION (10031) answers starts
//   connection-burst=N  requests answered 10031 in one burst (default 3)
//   latency=DUR         delay before every order.result (e.g. 5ms)
//   disconnect=DUR      drop every client socket about every DUR (±20 %, from the seed): proves resume
//   terminal-off=DUR    a terminal{connected:false} episode about every DUR: ticks stop, orders get 10031
//   terminal-off-for=DUR  length of each episode (default 2s)
//   conflate=DUR        tick conflation: at most one tick per symbol per DUR; a sent tick carries conflated:N
// P is a probability in [0, 1]; DUR a whole number with a unit: ms, s or m ("250ms", "30s", "2m").

#include "result.h"

#include <QString>
#include <QtGlobal>

#include <random>

namespace bd::mt5sim {

struct FaultConfig {
    double dropReply = 0;
    double requote = 0;
    double priceOff = 0;
    double lostRequest = 0;
    double connection = 0;
    int connectionBurst = 3;
    qint64 latencyMs = 0;
    qint64 disconnectEveryMs = 0;
    qint64 terminalOffEveryMs = 0;
    qint64 terminalOffForMs = 2000;
    qint64 conflateMs = 0;

    bool any() const
    {
        return dropReply > 0 || requote > 0 || priceOff > 0 || lostRequest > 0 || connection > 0 || latencyMs > 0 || disconnectEveryMs > 0
            || terminalOffEveryMs > 0 || conflateMs > 0;
    }
};

// Parses the --faults text. Errors name the item and the fix: "--faults: item 'requote=2' needs a probability from
// 0 to 1 (e.g. requote=0.05)", "--faults: unknown item 'drop'; known: drop-reply, requote, …". An empty text is no
// faults.
Result<FaultConfig> parseFaults(const QString &spec);
// The text form of `config` (only the items that are on), for the startup log.
QString describeFaults(const FaultConfig &config);

class FaultPlan {
public:
    FaultPlan(FaultConfig config, quint64 seed);

    enum class OrderFault { None, Requote, PriceOff, Connection, LostRequest };
    // The injected refusal for the next order.send (draws once per call from each enabled stream).
    OrderFault nextOrderFault(bool marketOrder);
    // Whether the next executed order.send loses its reply.
    bool nextDropReply();
    // Milliseconds until the next socket drop / terminal-off episode (jittered ±20 %); 0 when that fault is off.
    qint64 nextDisconnectDelayMs();
    qint64 nextTerminalOffDelayMs();

    const FaultConfig &config() const { return m_config; }

private:
    static bool draw(std::mt19937_64 &rng, double p);
    static qint64 jitter(std::mt19937_64 &rng, qint64 periodMs);

    FaultConfig m_config;
    std::mt19937_64 m_requote, m_priceOff, m_connection, m_dropReply, m_disconnect, m_terminal, m_lostRequest;
    int m_burstLeft = 0;
};

} // namespace bd::mt5sim
