#include "bridgecheck.h"

#include "mt5bjson.h"
#include "mt5client.h"
#include "mt5enums.h"
#include "retcode.h"

#include <QDateTime>
#include <QLocale>
#include <QThread>
#include <QTimeZone>
#include <QUuid>

namespace bd {

using namespace bd::mt5;

namespace {

// MT5 bar times are the broker server's clock as epoch seconds: shown as they are, not converted.
QString serverTime(qint64 sec)
{
    return QDateTime::fromSecsSinceEpoch(sec, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString money(double v) { return QLocale::c().toString(v, 'f', 2); }

QString describeOutcome(const OrderOutcome &o)
{
    QString text = QStringLiteral("%1, retcode %2 %3 (%4)")
                       .arg(mt5b::outcomeStatusName(o.status))
                       .arg(o.result.retcode)
                       .arg(retcodeName(o.result.retcode), retcodeClassName(o.retcodeClass));
    if (o.dedup)
        text += QStringLiteral(", answered from the bridge's idempotency map");
    if (o.reconciled)
        text += QStringLiteral(", reconciled");
    return text;
}

QString newClientReqId() { return QUuid::createUuid().toString(QUuid::WithoutBraces); }

} // namespace

BridgeCheck::BridgeCheck(BridgeCheckOptions options, QTextStream &out, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_out(out)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        QString step = !m_live ? QStringLiteral("no welcome from the bridge")
                     : m_symbol.name.isEmpty() ? QStringLiteral("symbol %1 not resolved").arg(m_options.symbol)
                     : m_historySeen < m_options.historyBars ? QStringLiteral("history bars still missing")
                     : m_liveSeen < m_options.liveBars ? QStringLiteral("no new closed bar (is the market open?)")
                                                       : QStringLiteral("the order round trip did not finish");
        if (!m_lastStatus.error.isEmpty())
            step += QStringLiteral("; link: ") + m_lastStatus.error;
        fail(QStringLiteral("timed out after %1 s: %2").arg(m_options.timeoutSec).arg(step));
    });
}

BridgeCheck::~BridgeCheck() { stopClient(); }

void BridgeCheck::start()
{
    Mt5ClientConfig config;
    config.url = m_options.url;
    config.token = m_options.token;
    config.clientName = QStringLiteral("botdesk-mt5 check");
    config.caCertificateFile = m_options.caCertificateFile;
    m_io = new QThread;
    m_client = Mt5Client::createOn(*m_io, config);

    MarketDataPort *market = m_client->marketData();
    BrokerPort *broker = m_client->broker();
    connect(broker, &BrokerPort::linkStatusChanged, this, &BridgeCheck::onLink);
    connect(broker, &BrokerPort::accountChanged, this, &BridgeCheck::onAccount);
    connect(broker, &BrokerPort::orderOutcome, this, &BridgeCheck::onOutcome);
    connect(broker, &BrokerPort::orderRefused, this, &BridgeCheck::onRefused);
    connect(broker, &BrokerPort::bridgeError, this, [this](const QString &code, const QString &message) {
        m_out << "bridge    error " << code << ": " << message << Qt::endl;
    });
    connect(market, &MarketDataPort::symbolResolved, this, &BridgeCheck::onSymbol);
    connect(market, &MarketDataPort::subscriptionFailed, this, &BridgeCheck::onSubscriptionFailed);
    connect(market, &MarketDataPort::barReceived, this, &BridgeCheck::onBar);

    m_timeout.start(m_options.timeoutSec * 1000);
    m_io->start();
}

void BridgeCheck::onLink(const LinkStatus &status)
{
    m_lastStatus = status;
    if (status.state == LinkStatus::State::Failed) {
        fail(QStringLiteral("cannot use the bridge at %1: %2").arg(status.url, status.error));
        return;
    }
    if (status.state != LinkStatus::State::Live || m_live)
        return;
    m_live = true;
    m_out << "bridge    " << status.url << ": " << status.bridgeKind << ", session " << status.sessionId
          << ", heartbeat " << status.heartbeatSec << " s, server clock UTC"
          << (status.serverUtcOffsetSec >= 0 ? "+" : "") << status.serverUtcOffsetSec / 3600.0 << " h" << Qt::endl;
    m_out << "terminal  " << (status.terminalConnected ? "connected to its trade server" : "NOT connected to its trade server")
          << ", algo trading " << (status.tradeAllowed ? "allowed" : "NOT allowed") << Qt::endl;
    BrokerPort *broker = m_client->broker();
    MarketDataPort *market = m_client->marketData();
    const QString symbol = m_options.symbol;
    const int history = m_options.historyBars;
    QMetaObject::invokeMethod(broker, [broker] { broker->requestAccount(); }, Qt::QueuedConnection);
    QMetaObject::invokeMethod(market, [market, symbol, history] {
        market->subscribeBars(symbol, QStringLiteral("M1"), history, false);
    }, Qt::QueuedConnection);
}

void BridgeCheck::onAccount(const AccountInfo &a)
{
    if (m_done || m_accountShown)
        return;
    m_accountShown = true;
    m_out << "account   " << a.login << " on " << a.server << " (" << a.company << "), " << mt5Name(a.tradeMode)
          << ", " << mt5Name(a.marginMode) << ", " << a.currency << " balance " << money(a.balance) << " equity "
          << money(a.equity) << ", leverage 1:" << a.leverage << Qt::endl;
}

void BridgeCheck::onSymbol(const BrokerSymbol &s)
{
    if (!m_symbol.name.isEmpty())
        return;
    m_symbol = s;
    m_out << "symbol    " << m_options.symbol << " -> " << s.name << ": digits " << s.digits << ", volume "
          << s.volumeMin << ".." << s.volumeMax << " step " << s.volumeStep << " lots, stops level "
          << s.tradeStopsLevel << " points, " << mt5Name(s.tradeMode) << Qt::endl;
    proceed();
}

void BridgeCheck::onSubscriptionFailed(const QString &requested, const QString &code, const QString &message,
                                       const QStringList &suggestions)
{
    QString why = QStringLiteral("symbol %1: %2 %3").arg(requested, code, message);
    if (!suggestions.isEmpty() && !message.contains(QLatin1String("did you mean")))
        why += QStringLiteral(" (did you mean %1?)").arg(suggestions.join(QStringLiteral(", ")));
    fail(why);
}

void BridgeCheck::onBar(const RateBar &bar)
{
    if (m_done || !bar.closed)
        return;
    if (bar.history)
        ++m_historySeen;
    else
        ++m_liveSeen;
    m_lastBar = bar;
    if (!bar.history || m_historySeen == m_options.historyBars)
        m_out << "bar       " << bar.symbol << " " << bar.timeframe << " " << serverTime(bar.time) << " (server clock) O "
              << bar.open << " H " << bar.high << " L " << bar.low << " C " << bar.close
              << (bar.history ? "  [last of the history]" : "  [live]") << Qt::endl;
    proceed();
}

// The order (or success) once the broker's symbol is known and the bars asked for have arrived, in whatever order
// the symbol and the bars come.
void BridgeCheck::proceed()
{
    if (m_done || m_symbol.name.isEmpty() || m_historySeen < m_options.historyBars || m_liveSeen < m_options.liveBars
        || !m_openId.isEmpty())
        return;
    if (m_options.tradeVolume > 0)
        sendOpen();
    else
        succeed();
}

void BridgeCheck::sendOpen()
{
    TradeRequest request;
    request.type = OrderType::Buy;
    m_openId = send(request);
}

void BridgeCheck::sendClose(Ticket position)
{
    TradeRequest request;
    request.type = OrderType::Sell;
    request.position = position;
    m_closeId = send(request);
}

// One market deal of the check's volume on the resolved symbol; returns its client_req_id.
QString BridgeCheck::send(TradeRequest request)
{
    request.action = TradeAction::Deal;
    request.symbol = m_symbol.name;
    request.volume = m_options.tradeVolume;
    request.comment = QStringLiteral("botdesk check");
    const QString id = newClientReqId();
    BrokerPort *broker = m_client->broker();
    m_sent.start();
    QMetaObject::invokeMethod(broker, [broker, id, request] { broker->sendOrder(id, request, QString()); },
                              Qt::QueuedConnection);
    return id;
}

void BridgeCheck::onOutcome(const OrderOutcome &o)
{
    if (m_done)
        return;
    const bool filled = o.status == OrderOutcome::Status::Done || o.status == OrderOutcome::Status::Partial;
    // Send (this thread) -> outcome delivered back to this thread: the whole round trip a strategy would see.
    const QString roundTrip = QStringLiteral("round trip %1 ms (bridge %2 ms)")
                                  .arg(QLocale::c().toString(double(m_sent.nsecsElapsed()) / 1e6, 'f', 2))
                                  .arg(o.bridgeLatencyMs);
    if (o.clientReqId == m_openId) {
        m_out << "open      BUY " << m_options.tradeVolume << " " << m_symbol.name << ": " << describeOutcome(o);
        if (filled)
            m_out << ", at " << o.result.price << ", position " << o.positionId;
        m_out << ", " << roundTrip << Qt::endl;
        if (!filled || o.positionId == 0)
            return fail(QStringLiteral("the BUY was not filled: %1").arg(retcodeMeaning(o.result.retcode)));
        sendClose(o.positionId);
    } else if (o.clientReqId == m_closeId) {
        m_out << "close     SELL " << m_options.tradeVolume << " position " << o.positionId << ": " << describeOutcome(o);
        if (filled)
            m_out << ", at " << o.result.price;
        m_out << ", " << roundTrip << Qt::endl;
        if (!filled)
            return fail(QStringLiteral("the closing SELL was not filled: %1; close position %2 by hand")
                            .arg(retcodeMeaning(o.result.retcode)).arg(o.positionId));
        succeed();
    }
}

void BridgeCheck::onRefused(const QString &clientReqId, const QString &, const QString &reason)
{
    if (clientReqId == m_openId || clientReqId == m_closeId)
        fail(QStringLiteral("order refused before sending: %1").arg(reason));
}

void BridgeCheck::succeed()
{
    if (m_done)
        return;
    m_out << "check     passed" << Qt::endl;
    m_done = true;
    stopClient();
    emit finished(0);
}

void BridgeCheck::fail(const QString &why)
{
    if (m_done)
        return;
    m_out << "check     FAILED: " << why << Qt::endl;
    m_done = true;
    stopClient();
    emit finished(1);
}

void BridgeCheck::stopClient()
{
    m_timeout.stop();
    if (!m_io)
        return;
    QMetaObject::invokeMethod(m_client, &Mt5Client::stop, Qt::QueuedConnection);
    m_io->quit();
    m_io->wait();
    delete m_io;
    m_io = nullptr;
    m_client = nullptr;  // deleted by its thread's finished()
}

} // namespace bd
