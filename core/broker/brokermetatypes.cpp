#include "brokermetatypes.h"

#include "brokerport.h"
#include "brokertypes.h"
#include "linkstatus.h"

#include <QVector>

namespace bd::mt5 {

void registerBrokerMetaTypes()
{
    static const bool once = [] {
        qRegisterMetaType<Tick>("bd::mt5::Tick");
        qRegisterMetaType<RateBar>("bd::mt5::RateBar");
        qRegisterMetaType<TradeRequest>("bd::mt5::TradeRequest");
        qRegisterMetaType<OrderOutcome>("bd::mt5::OrderOutcome");
        qRegisterMetaType<Position>("bd::mt5::Position");
        qRegisterMetaType<Order>("bd::mt5::Order");
        qRegisterMetaType<Deal>("bd::mt5::Deal");
        qRegisterMetaType<AccountInfo>("bd::mt5::AccountInfo");
        qRegisterMetaType<BrokerSymbol>("bd::mt5::BrokerSymbol");
        qRegisterMetaType<LinkStatus>("bd::mt5::LinkStatus");
        qRegisterMetaType<SymbolFeedState>("bd::mt5::SymbolFeedState");
        qRegisterMetaType<FeedStatus>("bd::mt5::FeedStatus");
        qRegisterMetaType<ChangeOp>("bd::mt5::ChangeOp");
        qRegisterMetaType<QVector<RateBar>>("QVector<bd::mt5::RateBar>");
        qRegisterMetaType<QVector<Position>>("QVector<bd::mt5::Position>");
        qRegisterMetaType<QVector<Order>>("QVector<bd::mt5::Order>");
        qRegisterMetaType<QVector<Deal>>("QVector<bd::mt5::Deal>");
        return true;
    }();
    (void)once;
}

} // namespace bd::mt5
