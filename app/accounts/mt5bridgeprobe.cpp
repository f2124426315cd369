#include "mt5bridgeprobe.h"

#include "logging.h"
#include "mt5client.h"

#include <QPointer>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

namespace bd {

using namespace bd::mt5;

Mt5BridgeProbe::Mt5BridgeProbe(KeychainTokenReader keychain, QObject *parent, int timeoutMs)
    : BridgeProbe(parent), m_keychain(std::move(keychain)), m_timeoutMs(timeoutMs)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        QString why = !m_result.connected ? QStringLiteral("no welcome from the bridge at %1 within %2 s; is the bridge "
                                                           "(or botdesk-mt5sim) running there?")
                                                .arg(m_result.url).arg(m_timeoutMs / 1000)
                    : !m_result.accountKnown ? QStringLiteral("the bridge at %1 did not send the account within %2 s")
                                                   .arg(m_result.url).arg(m_timeoutMs / 1000)
                                             : QStringLiteral("symbol %1 was not resolved within %2 s")
                                                   .arg(m_result.symbol).arg(m_timeoutMs / 1000);
        finish(why);
    });
}

Mt5BridgeProbe::~Mt5BridgeProbe()
{
    stopClient();
}

void Mt5BridgeProbe::probe(const LiveAccount &account, const QString &symbol)
{
    if (m_running) {
        BridgeProbeResult busy;
        busy.account = account.name;
        busy.url = account.bridgeUrl;
        busy.error = QStringLiteral("a test of account %1 is still running; wait for it").arg(m_account.name);
        emit finished(busy);
        return;
    }
    m_running = true;
    m_symbolAnswered = symbol.isEmpty();
    ++m_generation;
    m_account = account;
    m_result = BridgeProbeResult{};
    m_result.account = account.name;
    m_result.url = account.bridgeUrl;
    m_result.symbol = symbol.trimmed().toUpper();
    m_clock.start();
    m_timeout.start(m_timeoutMs);

    const QUrl url(account.bridgeUrl, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != QLatin1String("ws") && url.scheme() != QLatin1String("wss")) || url.host().isEmpty()) {
        finish(QStringLiteral("bridge URL '%1' of account %2 is not a WebSocket URL; give ws://host:port or wss://host:port "
                              "(e.g. ws://127.0.0.1:8765)").arg(account.bridgeUrl.left(200), account.name));
        return;
    }
    // The keychain may block for a while (a locked keyring asks the user): never on this thread.
    QPointer<Mt5BridgeProbe> self(this);
    const quint64 generation = m_generation;
    KeychainTokenReader keychain = m_keychain;
    (void)QtConcurrent::run([self, generation, account, keychain] {
        Result<QString> token = accountToken(account, keychain);
        if (!self)
            return;
        QMetaObject::invokeMethod(self.data(), [self, generation, token] {
            if (!self || generation != self->m_generation || !self->m_running)
                return;
            if (!token)
                self->finish(token.error().message);
            else
                self->connectWith(*token);
        }, Qt::QueuedConnection);
    });
}

void Mt5BridgeProbe::connectWith(const QString &token)
{
    Mt5ClientConfig config;
    config.url = QUrl(m_account.bridgeUrl);
    config.token = token;
    config.clientName = QStringLiteral("botdesk test connection");
    config.connectTimeoutMs = m_timeoutMs;
    m_io = new QThread;
    m_client = Mt5Client::createOn(*m_io, config);
    BrokerPort *broker = m_client->broker();
    MarketDataPort *market = m_client->marketData();
    connect(broker, &BrokerPort::linkStatusChanged, this, &Mt5BridgeProbe::onLink);
    connect(broker, &BrokerPort::accountChanged, this, &Mt5BridgeProbe::onAccount);
    connect(market, &MarketDataPort::symbolResolved, this, &Mt5BridgeProbe::onSymbol);
    connect(market, &MarketDataPort::subscriptionFailed, this, &Mt5BridgeProbe::onSymbolFailed);
    m_io->start();
}

void Mt5BridgeProbe::onLink(const LinkStatus &status)
{
    if (!m_running)
        return;
    if (status.state == LinkStatus::State::Failed
        || (!m_result.connected && status.state == LinkStatus::State::Reconnecting)) {
        finish(QStringLiteral("cannot use the bridge at %1: %2").arg(m_result.url,
                                                                     status.error.isEmpty() ? QStringLiteral("the connection closed") : status.error));
        return;
    }
    if (status.state != LinkStatus::State::Live || m_result.connected)
        return;
    m_result.connected = true;
    m_result.bridgeKind = status.bridgeKind;
    m_result.terminalConnected = status.terminalConnected;
    m_result.tradeAllowed = status.tradeAllowed;
    m_result.serverUtcOffsetSec = status.serverUtcOffsetSec;
    BrokerPort *broker = m_client->broker();
    QMetaObject::invokeMethod(broker, [broker] { broker->requestAccount(); }, Qt::QueuedConnection);
    if (!m_result.symbol.isEmpty()) {
        MarketDataPort *market = m_client->marketData();
        const QString symbol = m_result.symbol;
        QMetaObject::invokeMethod(market, [market, symbol] { market->subscribeTicks(symbol); }, Qt::QueuedConnection);
    }
}

void Mt5BridgeProbe::onAccount(const AccountInfo &a)
{
    if (!m_running || m_result.accountKnown)
        return;
    m_result.accountKnown = true;
    m_result.login = a.login;
    m_result.server = a.server;
    m_result.company = a.company;
    m_result.currency = a.currency;
    m_result.balance = a.balance;
    m_result.equity = a.equity;
    m_result.accountTradeAllowed = a.tradeAllowed;
    maybeFinish();
}

void Mt5BridgeProbe::onSymbol(const BrokerSymbol &s)
{
    if (!m_running || m_symbolAnswered)
        return;
    m_symbolAnswered = true;
    m_result.symbolResolved = true;
    m_result.brokerSymbol = s.name;
    m_result.symbolTradable = s.tradeMode == SymbolTradeMode::Full || s.tradeMode == SymbolTradeMode::LongOnly
                              || s.tradeMode == SymbolTradeMode::ShortOnly;
    maybeFinish();
}

void Mt5BridgeProbe::onSymbolFailed(const QString &requested, const QString &code, const QString &message,
                                    const QStringList &suggestions)
{
    if (!m_running || m_symbolAnswered)
        return;
    m_symbolAnswered = true;
    m_result.symbolError = QStringLiteral("%1 %2").arg(code, message);
    if (!suggestions.isEmpty() && !message.contains(QLatin1String("did you mean")))
        m_result.symbolError += QStringLiteral(" (did you mean %1?)").arg(suggestions.join(QStringLiteral(", ")));
    Q_UNUSED(requested)
    maybeFinish();
}

void Mt5BridgeProbe::maybeFinish()
{
    if (m_result.connected && m_result.accountKnown && m_symbolAnswered)
        finish();
}

void Mt5BridgeProbe::finish(const QString &error)
{
    if (!m_running)
        return;
    m_running = false;
    m_timeout.stop();
    m_result.error = error;
    m_result.elapsedMs = m_clock.elapsed();
    stopClient();
    if (error.isEmpty())
        logging::get("accounts")->info("test connection of {}: {}", m_result.account.toStdString(), m_result.summary().toStdString());
    else
        logging::get("accounts")->warn("test connection of {}: {}", m_result.account.toStdString(), error.toStdString());
    const BridgeProbeResult result = m_result;
    emit finished(result);
}

void Mt5BridgeProbe::stopClient()
{
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
