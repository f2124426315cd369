#pragma once
// MarketDataPort: how the live engine receives ticks and bars of a MetaTrader 5 account (issue 8). core defines the
// port; connectors/mt5 implements it (Mt5Client's market-data side, on its own I/O thread); tests may fake it.
//
// Threads: the implementation lives on the connector's thread. Call the slots only through queued calls
// (QMetaObject::invokeMethod(port, [=]{ port->subscribeTicks(s); }, Qt::QueuedConnection) or a queued signal) and
// receive the signals with queued connections: every argument is a value type (brokertypes.h, linkstatus.h). No
// slot blocks or returns data; answers come back as signals.
//
// Symbols: BotDesk's name ("EURUSD") is resolved by the bridge to the broker's ("EURUSD.m"); symbolResolved()
// tells which, and every tick and bar after it carries the broker name. An unknown symbol comes back as
// subscriptionFailed() with the bridge's suggestions.
// Units: prices in quote currency, volumes in lots; tick/bar times are the MT5 server clock (brokertypes.h).

#include "brokertypes.h"
#include "linkstatus.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

namespace bd::mt5 {

class MarketDataPort : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~MarketDataPort() override = default;

public slots:
    // Streams ticks of `symbol` from now on. Repeating it is harmless. Kept across reconnects (re-subscribed or
    // restored by resume).
    virtual void subscribeTicks(const QString &symbol) = 0;
    virtual void unsubscribeTicks(const QString &symbol) = 0;
    // Streams closed bars of `symbol` on `timeframe` ("M1", "M5", ... "H1"); `historyBars` (0..50,000) closed bars
    // are sent first with RateBar::history set. `forming` also streams the forming bar (closed=false, ≤ 4/s).
    // After a reconnect the connector backfills the bars missed since the last closed one (history.rates).
    virtual void subscribeBars(const QString &symbol, const QString &timeframe, int historyBars, bool forming) = 0;
    virtual void unsubscribeBars(const QString &symbol, const QString &timeframe) = 0;
    // Asks for the closed bars of `symbol`/`timeframe` with open time in [fromSec, toSec] (server clock, epoch
    // seconds); answered by barHistory(requestId, ...) (possibly several pages, the last with complete=true) or
    // requestFailed(requestId, code, ...) ("NOT_CONNECTED" while the link is not Live, else the bridge's code).
    virtual void requestBarHistory(const QString &requestId, const QString &symbol, const QString &timeframe,
                                   qint64 fromSec, qint64 toSec) = 0;

signals:
    void tickReceived(const bd::mt5::Tick &tick);
    // Closed bars (closed=true; history=true for warm-up and backfill) and forming updates (closed=false).
    void barReceived(const bd::mt5::RateBar &bar);
    void barHistory(const QString &requestId, const QVector<bd::mt5::RateBar> &bars, bool complete);
    // The broker's symbol for a requested one, with what order entry needs (digits, volume step...).
    void symbolResolved(const bd::mt5::BrokerSymbol &symbol);
    // `requested` could not be subscribed: code is the bridge's ("UNKNOWN_SYMBOL", "NOT_SUBSCRIBED", ...).
    void subscriptionFailed(const QString &requested, const QString &code, const QString &message,
                            const QStringList &suggestions);
    void requestFailed(const QString &requestId, const QString &code, const QString &message);
    // A symbol became stale (no tick for longer than the threshold while the terminal is connected) or fresh again.
    void symbolStalenessChanged(const bd::mt5::SymbolFeedState &state);
    // The link and every subscribed symbol's freshness; emitted on every change and about once a second.
    void feedStatusChanged(const bd::mt5::FeedStatus &status);
};

} // namespace bd::mt5
