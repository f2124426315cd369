"""MT5 enumerations as mt5b identifier strings, and MT5 records as mt5b JSON objects (MT5_PROTOCOL.md §1, §4.1).

Numbers always come from the MetaTrader5 module itself (getattr(mt5, NAME)), so the bridge follows whatever values the
installed package uses; only the identifier names are listed here. A value the table does not know stays an integer.
"""

def _names(prefix, suffixes):
    return [prefix + s for s in suffixes.split()]


ENUMS = {
    "action": _names("TRADE_ACTION_", "DEAL PENDING SLTP MODIFY REMOVE CLOSE_BY"),
    "order_type": _names("ORDER_TYPE_", "BUY SELL BUY_LIMIT SELL_LIMIT BUY_STOP SELL_STOP BUY_STOP_LIMIT "
                                        "SELL_STOP_LIMIT CLOSE_BY"),
    "filling": _names("ORDER_FILLING_", "FOK IOC RETURN BOC"),
    "order_time": _names("ORDER_TIME_", "GTC DAY SPECIFIED SPECIFIED_DAY"),
    "order_state": _names("ORDER_STATE_", "STARTED PLACED CANCELED PARTIAL FILLED REJECTED EXPIRED REQUEST_ADD "
                                          "REQUEST_MODIFY REQUEST_CANCEL"),
    "order_reason": _names("ORDER_REASON_", "CLIENT MOBILE WEB EXPERT SL TP SO"),
    "position_type": _names("POSITION_TYPE_", "BUY SELL"),
    "position_reason": _names("POSITION_REASON_", "CLIENT MOBILE WEB EXPERT"),
    "deal_type": _names("DEAL_TYPE_", "BUY SELL BALANCE CREDIT CHARGE CORRECTION BONUS COMMISSION COMMISSION_DAILY "
                                      "COMMISSION_MONTHLY COMMISSION_AGENT_DAILY COMMISSION_AGENT_MONTHLY INTEREST "
                                      "BUY_CANCELED SELL_CANCELED") + ["DEAL_DIVIDEND", "DEAL_DIVIDEND_FRANKED",
                                                                        "DEAL_TAX"],
    "deal_entry": _names("DEAL_ENTRY_", "IN OUT INOUT OUT_BY"),
    "deal_reason": _names("DEAL_REASON_", "CLIENT MOBILE WEB EXPERT SL TP SO ROLLOVER VMARGIN SPLIT CORPORATE_ACTION"),
    "margin_mode": _names("ACCOUNT_MARGIN_MODE_", "RETAIL_NETTING EXCHANGE RETAIL_HEDGING"),
    "account_trade_mode": _names("ACCOUNT_TRADE_MODE_", "DEMO CONTEST REAL"),
    "stopout_mode": _names("ACCOUNT_STOPOUT_MODE_", "PERCENT MONEY"),
    "symbol_trade_mode": _names("SYMBOL_TRADE_MODE_", "DISABLED LONGONLY SHORTONLY CLOSEONLY FULL"),
    "exemode": _names("SYMBOL_TRADE_EXECUTION_", "REQUEST INSTANT MARKET EXCHANGE"),
    "calc_mode": _names("SYMBOL_CALC_MODE_", "FOREX FUTURES CFD CFDINDEX CFDLEVERAGE FOREX_NO_LEVERAGE EXCH_STOCKS "
                                             "EXCH_FUTURES EXCH_FUTURES_FORTS EXCH_BONDS EXCH_STOCKS_MOEX "
                                             "EXCH_BONDS_MOEX SERV_COLLATERAL"),
    "chart_mode": _names("SYMBOL_CHART_MODE_", "BID LAST"),
    "swap_mode": _names("SYMBOL_SWAP_MODE_", "DISABLED POINTS CURRENCY_SYMBOL CURRENCY_MARGIN CURRENCY_DEPOSIT "
                                             "INTEREST_CURRENT INTEREST_OPEN REOPEN_CURRENT REOPEN_BID"),
    "day_of_week": _names("DAY_OF_WEEK_", "SUNDAY MONDAY TUESDAY WEDNESDAY THURSDAY FRIDAY SATURDAY"),
    "timeframe": _names("TIMEFRAME_", "M1 M2 M3 M4 M5 M6 M10 M12 M15 M20 M30 H1 H2 H3 H4 H6 H8 H12 D1 W1 MN1"),
}

# which enumeration each field of each MT5 record uses
RECORD_ENUMS = {
    "position": {"type": "position_type", "reason": "position_reason"},
    "order": {"type": "order_type", "type_time": "order_time", "type_filling": "filling", "state": "order_state",
              "reason": "order_reason"},
    "deal": {"type": "deal_type", "entry": "deal_entry", "reason": "deal_reason"},
    "account": {"margin_mode": "margin_mode", "trade_mode": "account_trade_mode", "margin_so_mode": "stopout_mode"},
    "symbol": {"trade_mode": "symbol_trade_mode", "trade_exemode": "exemode", "trade_calc_mode": "calc_mode",
               "chart_mode": "chart_mode", "swap_mode": "swap_mode", "swap_rollover3days": "day_of_week"},
}
ID_FIELDS = frozenset(("ticket", "order", "deal", "position", "position_by", "identifier", "position_id",
                       "position_by_id"))


class Enums:
    """Name <-> value for the installed MetaTrader5 module."""

    def __init__(self, mt5):
        self.to_value = {}
        self.to_name = {}
        for kind, names in ENUMS.items():
            fwd, back = {}, {}
            for n in names:
                v = getattr(mt5, n, None)
                if isinstance(v, int):
                    fwd[n] = v
                    back.setdefault(v, n)
            self.to_value[kind], self.to_name[kind] = fwd, back

    def name(self, kind, value):
        return self.to_name[kind].get(value, value)

    def value(self, kind, name):
        """The module's number for an identifier string; None if it is not one of this enumeration's names."""
        return self.to_value[kind].get(name) if isinstance(name, str) else None

    def timeframe_name(self, value):
        n = self.to_name["timeframe"].get(value)
        return n[len("TIMEFRAME_"):] if n else None

    def timeframe_value(self, short):
        return self.to_value["timeframe"].get("TIMEFRAME_" + short) if isinstance(short, str) else None

    def record(self, kind, rec):
        """A namedtuple (TradePosition, TradeOrder, TradeDeal, AccountInfo, SymbolInfo) as an mt5b JSON object."""
        out = rec._asdict()
        for field, enum in RECORD_ENUMS.get(kind, {}).items():
            if field in out:
                out[field] = self.name(enum, out[field])
        for field in ID_FIELDS & out.keys():
            out[field] = str(out[field])
        if kind == "account":
            out["login"] = str(out["login"])
        return out
