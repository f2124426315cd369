#pragma once
// Mt5BridgeProbe: the BridgeProbe (models/accounts/bridgeprobe.h) over the MT5 client the live engine uses
// (connectors/mt5/client, as `botdesk-mt5 check` does): the token is looked up on a pool thread (accountToken,
// app/live/accounttoken.h: the keychain first when a reader is given, then the environment), the client runs on its
// own I/O thread, and this object on the caller's (GUI) thread only receives queued signals.
//
// A probe ends with finished() at the first of: everything asked has arrived (welcome, account, and the symbol
// resolved or refused); the link fails or drops before the welcome (connection refused, bad token, TLS: the
// client's reason, naming the URL); `timeoutMs` (default 10 s) passes. The client is then stopped.

#include "accounttoken.h"
#include "bridgeprobe.h"

#include <QElapsedTimer>
#include <QTimer>

class QThread;

namespace bd::mt5 {
class Mt5Client;
struct LinkStatus;
struct AccountInfo;
struct BrokerSymbol;
}

namespace bd {

class Mt5BridgeProbe final : public BridgeProbe {
    Q_OBJECT
public:
    // `keychain` may be empty (environment only).
    explicit Mt5BridgeProbe(KeychainTokenReader keychain, QObject *parent = nullptr, int timeoutMs = 10'000);
    ~Mt5BridgeProbe() override;

    void probe(const bd::LiveAccount &account, const QString &symbol) override;

private:
    void connectWith(const QString &token);
    void onLink(const bd::mt5::LinkStatus &status);
    void onAccount(const bd::mt5::AccountInfo &account);
    void onSymbol(const bd::mt5::BrokerSymbol &symbol);
    void onSymbolFailed(const QString &requested, const QString &code, const QString &message, const QStringList &suggestions);
    void maybeFinish();
    void finish(const QString &error = {});
    void stopClient();

    KeychainTokenReader m_keychain;
    int m_timeoutMs;
    bool m_running = false;
    bool m_symbolAnswered = false;
    quint64 m_generation = 0;
    LiveAccount m_account;
    BridgeProbeResult m_result;
    QTimer m_timeout;
    QElapsedTimer m_clock;
    QThread *m_io = nullptr;
    mt5::Mt5Client *m_client = nullptr;
};

} // namespace bd
