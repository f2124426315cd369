#pragma once
// BridgeCheck: `botdesk-mt5 check` — connects to an mt5b bridge (a trader's terminal-side bridge or botdesk-mt5sim)
// through the same Mt5Client the live engine uses, and reports what a trader needs to know before going live:
// the bridge and terminal, the account, the symbol as the broker names it, recent closed bars, and optionally one
// round trip of the smallest order (opened, then closed) with its latency.
//
// The client runs on its own I/O thread; this object lives on the caller's thread and talks to it only through the
// ports' queued slots and signals, as the engine will. finished(exitCode) is emitted once:
// 0 every step passed; 1 a step failed (the line says which and why); the link never blocks the caller's thread.

#include "brokertypes.h"
#include "linkstatus.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTextStream>
#include <QTimer>
#include <QUrl>

class QThread;

namespace bd::mt5 {
class Mt5Client;
}

namespace bd {

struct BridgeCheckOptions {
    QUrl url;                  // ws://127.0.0.1:8765 or wss://...
    QString token;             // never printed
    QString caCertificateFile; // wss: trust only this certificate (empty: the system CA store)
    QString symbol = QStringLiteral("EURUSD");  // as BotDesk names it; the bridge resolves the broker's name
    int historyBars = 5;       // closed M1 bars to fetch first
    int liveBars = 1;          // closed M1 bars to wait for after the history
    double tradeVolume = 0;    // lots; > 0 opens and closes one market BUY of this volume
    int timeoutSec = 30;       // for the whole check
};

class BridgeCheck : public QObject {
    Q_OBJECT
public:
    BridgeCheck(BridgeCheckOptions options, QTextStream &out, QObject *parent = nullptr);
    ~BridgeCheck() override;

    void start();

signals:
    void finished(int exitCode);

private:
    void onLink(const bd::mt5::LinkStatus &status);
    void onAccount(const bd::mt5::AccountInfo &account);
    void onSymbol(const bd::mt5::BrokerSymbol &symbol);
    void onSubscriptionFailed(const QString &requested, const QString &code, const QString &message,
                              const QStringList &suggestions);
    void onBar(const bd::mt5::RateBar &bar);
    void onOutcome(const bd::mt5::OrderOutcome &outcome);
    void onRefused(const QString &clientReqId, const QString &runId, const QString &reason);
    void proceed();
    void sendOpen();
    void sendClose(bd::mt5::Ticket position);
    QString send(bd::mt5::TradeRequest request);
    void succeed();
    void fail(const QString &why);
    void stopClient();

    BridgeCheckOptions m_options;
    QTextStream &m_out;
    mt5::Mt5Client *m_client = nullptr;
    QThread *m_io = nullptr;
    QTimer m_timeout;
    bool m_live = false;
    bool m_done = false;
    bool m_accountShown = false;
    bd::mt5::BrokerSymbol m_symbol;
    int m_historySeen = 0;
    int m_liveSeen = 0;
    bd::mt5::RateBar m_lastBar;
    QString m_openId;
    QString m_closeId;
    QElapsedTimer m_sent;  // since the last order was handed to the client
    bd::mt5::LinkStatus m_lastStatus;
};

} // namespace bd
