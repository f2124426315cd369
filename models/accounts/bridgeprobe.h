#pragma once
// BridgeProbe: "Test connection" and the start dialog's pre-flight (issue 10 §2, §3). Connects to a live account's
// mt5b bridge, reads the welcome (terminal connected, trade allowed, server clock), the account (login, server) and,
// when asked, resolves a symbol at the broker; then disconnects. Never blocks the caller's thread: the app's
// implementation (app/accounts/mt5bridgeprobe.h) looks the token up off the GUI thread and runs the MT5 client on its
// own thread. finished() is emitted exactly once per probe(), on the probe's thread.

#include "liverunstore.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <functional>

namespace bd {

struct BridgeProbeResult {
    QString account;               // the LiveAccount's name
    QString url;                   // the bridge URL asked
    bool connected = false;        // a welcome was received
    QString error;                 // why the probe failed (names the URL or symbol and the fix); empty on success
    // The welcome
    QString bridgeKind;            // "simulator" | "mt5-python"
    bool terminalConnected = false;
    bool tradeAllowed = false;     // the terminal's algo trading switch
    qint64 serverUtcOffsetSec = 0; // broker server clock − UTC, seconds
    // The account (account.get)
    bool accountKnown = false;
    QString login;
    QString server;
    QString company;
    QString currency;
    double balance = 0;            // account currency
    double equity = 0;
    bool accountTradeAllowed = false;
    // The symbol (when one was asked)
    QString symbol;                // BotDesk's name asked; empty = none asked
    bool symbolResolved = false;
    QString brokerSymbol;          // the broker's name ("EURUSD.sim")
    bool symbolTradable = false;   // the symbol's trade mode allows opening positions
    QString symbolError;           // why it did not resolve (the bridge's message, with its suggestions)
    qint64 elapsedMs = 0;

    bool ok() const { return connected && error.isEmpty(); }
    // One line for people: "login 1001 on BotDesk-Sim (simulator), trade allowed" or the error.
    QString summary() const;
};

class BridgeProbe : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    // Starts a probe of `account`'s bridge (symbol empty = connection only). One probe at a time per object: a call
    // while one runs is answered at once with an error. Bounded: the implementation gives up after its timeout.
    virtual void probe(const bd::LiveAccount &account, const QString &symbol) = 0;

signals:
    void finished(const bd::BridgeProbeResult &result);
};

// Makes a probe owned by `parent` (app: Mt5BridgeProbe; tests: the same against the simulator).
using BridgeProbeFactory = std::function<BridgeProbe *(QObject *parent)>;

} // namespace bd

Q_DECLARE_METATYPE(bd::BridgeProbeResult)
