"""A test double of MetaQuotes' ``MetaTrader5`` Python package (the terminal cannot run on these machines).

It follows the documented semantics the BotDesk bridge relies on (../../shared/docs/MT5_PROTOCOL.md §1):
- module-level functions with the official names and arguments (initialize, shutdown, last_error, terminal_info,
  account_info, symbols_get, symbol_info, symbol_info_tick, symbol_select, copy_rates_from_pos, copy_rates_from,
  copy_rates_range, copy_ticks_from, copy_ticks_range, positions_get, orders_get, history_orders_get,
  history_deals_get, order_check, order_send, ...);
- constants with the documented numeric values; results as namedtuples with the documented field names and order;
- rates and ticks as a list of rows that behave like rows of the package's numpy structured arrays (numpy is not
  installed here): ``row['time']`` and tuple unpacking both work;
- ``last_error()`` is global state overwritten by every call (read it right after the call);
- times are broker server-clock epoch values (seconds / milliseconds), as the package returns them.

The market is driven by the test (``_double``): ``push_tick`` advances a symbol, M1..H1 bars are built from bid ticks
(a bar appears only when a tick falls in it), pending orders and SL/TP trigger on ticks. Hedging or netting account.

Fault hooks on ``_double`` (thread-safe, the bridge calls from its worker thread):
- ``break_ipc(terminal_running=False)``: every call fails with (-10004, 'No IPC connection') until a successful
  ``initialize()``; ``initialize()`` fails with -10003 while ``terminal_running`` is False (``restore_terminal()``).
- ``send_faults``: a list consumed one per ``order_send``: ``"none_after_execute"`` (executes, then returns None with
  (-10005, 'IPC timeout')), ``"none_before_execute"`` (returns None, nothing executed), ``"raise_after_execute"``,
  ``("retcode_after_execute", 10012)``, ``("delay", seconds)``, ``("requote", n)`` is ``requote_next``.
- ``requote_next``: the next N market orders get 10004 REQUOTE with fresh bid/ask.
- ``fault_rates``: {"none_after_execute": P, "requote": P, ...} applied per order_send with the seeded ``rng``.
- ``broker_comment``: when set, the broker overwrites the comment of new orders, deals and positions.
- ``market_closed``: a set of symbols whose orders get 10018.
"""
import collections
import datetime as _dt
import random as _random
import threading
import time as _time

__version__ = "5.0.4424"
__author__ = "BotDesk test double"

# --- constants (documented values) --------------------------------------------------------------------------------
TIMEFRAME_M1, TIMEFRAME_M2, TIMEFRAME_M3, TIMEFRAME_M4, TIMEFRAME_M5, TIMEFRAME_M6 = 1, 2, 3, 4, 5, 6
TIMEFRAME_M10, TIMEFRAME_M12, TIMEFRAME_M15, TIMEFRAME_M20, TIMEFRAME_M30 = 10, 12, 15, 20, 30
TIMEFRAME_H1, TIMEFRAME_H2, TIMEFRAME_H3, TIMEFRAME_H4, TIMEFRAME_H6 = 16385, 16386, 16387, 16388, 16390
TIMEFRAME_H8, TIMEFRAME_H12, TIMEFRAME_D1, TIMEFRAME_W1, TIMEFRAME_MN1 = 16392, 16396, 16408, 32769, 49153

COPY_TICKS_ALL, COPY_TICKS_INFO, COPY_TICKS_TRADE = -1, 1, 2
TICK_FLAG_BID, TICK_FLAG_ASK, TICK_FLAG_LAST, TICK_FLAG_VOLUME, TICK_FLAG_BUY, TICK_FLAG_SELL = 2, 4, 8, 16, 32, 64

TRADE_ACTION_DEAL, TRADE_ACTION_PENDING, TRADE_ACTION_SLTP = 1, 5, 6
TRADE_ACTION_MODIFY, TRADE_ACTION_REMOVE, TRADE_ACTION_CLOSE_BY = 7, 8, 10

ORDER_TYPE_BUY, ORDER_TYPE_SELL, ORDER_TYPE_BUY_LIMIT, ORDER_TYPE_SELL_LIMIT = 0, 1, 2, 3
ORDER_TYPE_BUY_STOP, ORDER_TYPE_SELL_STOP, ORDER_TYPE_BUY_STOP_LIMIT, ORDER_TYPE_SELL_STOP_LIMIT = 4, 5, 6, 7
ORDER_TYPE_CLOSE_BY = 8
# ORDER_FILLING_BOC: the package exposes it in newer builds; 3 is the value current builds use (MT5_PROTOCOL.md §5).
ORDER_FILLING_FOK, ORDER_FILLING_IOC, ORDER_FILLING_RETURN, ORDER_FILLING_BOC = 0, 1, 2, 3
ORDER_TIME_GTC, ORDER_TIME_DAY, ORDER_TIME_SPECIFIED, ORDER_TIME_SPECIFIED_DAY = 0, 1, 2, 3
ORDER_STATE_STARTED, ORDER_STATE_PLACED, ORDER_STATE_CANCELED, ORDER_STATE_PARTIAL = 0, 1, 2, 3
ORDER_STATE_FILLED, ORDER_STATE_REJECTED, ORDER_STATE_EXPIRED = 4, 5, 6
ORDER_STATE_REQUEST_ADD, ORDER_STATE_REQUEST_MODIFY, ORDER_STATE_REQUEST_CANCEL = 7, 8, 9
ORDER_REASON_CLIENT, ORDER_REASON_MOBILE, ORDER_REASON_WEB, ORDER_REASON_EXPERT = 0, 1, 2, 3
ORDER_REASON_SL, ORDER_REASON_TP, ORDER_REASON_SO = 4, 5, 6

POSITION_TYPE_BUY, POSITION_TYPE_SELL = 0, 1
POSITION_REASON_CLIENT, POSITION_REASON_MOBILE, POSITION_REASON_WEB, POSITION_REASON_EXPERT = 0, 1, 2, 3

DEAL_TYPE_BUY, DEAL_TYPE_SELL, DEAL_TYPE_BALANCE, DEAL_TYPE_CREDIT, DEAL_TYPE_CHARGE = 0, 1, 2, 3, 4
DEAL_TYPE_CORRECTION, DEAL_TYPE_BONUS, DEAL_TYPE_COMMISSION = 5, 6, 7
DEAL_TYPE_COMMISSION_DAILY, DEAL_TYPE_COMMISSION_MONTHLY = 8, 9
DEAL_TYPE_COMMISSION_AGENT_DAILY, DEAL_TYPE_COMMISSION_AGENT_MONTHLY = 10, 11
DEAL_TYPE_INTEREST, DEAL_TYPE_BUY_CANCELED, DEAL_TYPE_SELL_CANCELED = 12, 13, 14
DEAL_DIVIDEND, DEAL_DIVIDEND_FRANKED, DEAL_TAX = 15, 16, 17
DEAL_ENTRY_IN, DEAL_ENTRY_OUT, DEAL_ENTRY_INOUT, DEAL_ENTRY_OUT_BY = 0, 1, 2, 3
DEAL_REASON_CLIENT, DEAL_REASON_MOBILE, DEAL_REASON_WEB, DEAL_REASON_EXPERT = 0, 1, 2, 3
DEAL_REASON_SL, DEAL_REASON_TP, DEAL_REASON_SO, DEAL_REASON_ROLLOVER = 4, 5, 6, 7
DEAL_REASON_VMARGIN, DEAL_REASON_SPLIT, DEAL_REASON_CORPORATE_ACTION = 8, 9, 10

SYMBOL_FILLING_FOK, SYMBOL_FILLING_IOC, SYMBOL_FILLING_BOC = 1, 2, 4
SYMBOL_ORDER_MARKET, SYMBOL_ORDER_LIMIT, SYMBOL_ORDER_STOP, SYMBOL_ORDER_STOP_LIMIT = 1, 2, 4, 8
SYMBOL_ORDER_SL, SYMBOL_ORDER_TP, SYMBOL_ORDER_CLOSEBY = 16, 32, 64
SYMBOL_EXPIRATION_GTC, SYMBOL_EXPIRATION_DAY, SYMBOL_EXPIRATION_SPECIFIED, SYMBOL_EXPIRATION_SPECIFIED_DAY = 1, 2, 4, 8
SYMBOL_TRADE_MODE_DISABLED, SYMBOL_TRADE_MODE_LONGONLY, SYMBOL_TRADE_MODE_SHORTONLY = 0, 1, 2
SYMBOL_TRADE_MODE_CLOSEONLY, SYMBOL_TRADE_MODE_FULL = 3, 4
SYMBOL_TRADE_EXECUTION_REQUEST, SYMBOL_TRADE_EXECUTION_INSTANT = 0, 1
SYMBOL_TRADE_EXECUTION_MARKET, SYMBOL_TRADE_EXECUTION_EXCHANGE = 2, 3
SYMBOL_CALC_MODE_FOREX, SYMBOL_CALC_MODE_FUTURES, SYMBOL_CALC_MODE_CFD = 0, 1, 2
SYMBOL_CHART_MODE_BID, SYMBOL_CHART_MODE_LAST = 0, 1
SYMBOL_SWAP_MODE_DISABLED, SYMBOL_SWAP_MODE_POINTS = 0, 1
DAY_OF_WEEK_SUNDAY, DAY_OF_WEEK_MONDAY, DAY_OF_WEEK_WEDNESDAY = 0, 1, 3

ACCOUNT_TRADE_MODE_DEMO, ACCOUNT_TRADE_MODE_CONTEST, ACCOUNT_TRADE_MODE_REAL = 0, 1, 2
ACCOUNT_STOPOUT_MODE_PERCENT, ACCOUNT_STOPOUT_MODE_MONEY = 0, 1
ACCOUNT_MARGIN_MODE_RETAIL_NETTING, ACCOUNT_MARGIN_MODE_EXCHANGE, ACCOUNT_MARGIN_MODE_RETAIL_HEDGING = 0, 1, 2

BOOK_TYPE_SELL, BOOK_TYPE_BUY, BOOK_TYPE_SELL_MARKET, BOOK_TYPE_BUY_MARKET = 1, 2, 3, 4

TRADE_RETCODE_REQUOTE = 10004
TRADE_RETCODE_REJECT = 10006
TRADE_RETCODE_CANCEL = 10007
TRADE_RETCODE_PLACED = 10008
TRADE_RETCODE_DONE = 10009
TRADE_RETCODE_DONE_PARTIAL = 10010
TRADE_RETCODE_ERROR = 10011
TRADE_RETCODE_TIMEOUT = 10012
TRADE_RETCODE_INVALID = 10013
TRADE_RETCODE_INVALID_VOLUME = 10014
TRADE_RETCODE_INVALID_PRICE = 10015
TRADE_RETCODE_INVALID_STOPS = 10016
TRADE_RETCODE_TRADE_DISABLED = 10017
TRADE_RETCODE_MARKET_CLOSED = 10018
TRADE_RETCODE_NO_MONEY = 10019
TRADE_RETCODE_PRICE_CHANGED = 10020
TRADE_RETCODE_PRICE_OFF = 10021
TRADE_RETCODE_INVALID_EXPIRATION = 10022
TRADE_RETCODE_ORDER_CHANGED = 10023
TRADE_RETCODE_TOO_MANY_REQUESTS = 10024
TRADE_RETCODE_NO_CHANGES = 10025
TRADE_RETCODE_SERVER_DISABLES_AT = 10026
TRADE_RETCODE_CLIENT_DISABLES_AT = 10027
TRADE_RETCODE_LOCKED = 10028
TRADE_RETCODE_FROZEN = 10029
TRADE_RETCODE_INVALID_FILL = 10030
TRADE_RETCODE_CONNECTION = 10031
TRADE_RETCODE_ONLY_REAL = 10032
TRADE_RETCODE_LIMIT_ORDERS = 10033
TRADE_RETCODE_LIMIT_VOLUME = 10034
TRADE_RETCODE_INVALID_ORDER = 10035
TRADE_RETCODE_POSITION_CLOSED = 10036
TRADE_RETCODE_INVALID_CLOSE_VOLUME = 10038
TRADE_RETCODE_CLOSE_ORDER_EXIST = 10039
TRADE_RETCODE_LIMIT_POSITIONS = 10040
TRADE_RETCODE_REJECT_CANCEL = 10041
TRADE_RETCODE_LONG_ONLY = 10042
TRADE_RETCODE_SHORT_ONLY = 10043
TRADE_RETCODE_CLOSE_ONLY = 10044
TRADE_RETCODE_FIFO_CLOSE = 10045
TRADE_RETCODE_HEDGE_PROHIBITED = 10046

RES_S_OK, RES_E_FAIL, RES_E_INVALID_PARAMS, RES_E_NO_MEMORY, RES_E_NOT_FOUND = 1, -1, -2, -3, -4
RES_E_INVALID_VERSION, RES_E_AUTH_FAILED, RES_E_UNSUPPORTED, RES_E_AUTO_TRADING_DISABLED = -5, -6, -7, -8
RES_E_INTERNAL_FAIL, RES_E_INTERNAL_FAIL_SEND, RES_E_INTERNAL_FAIL_RECEIVE = -10000, -10001, -10002
RES_E_INTERNAL_FAIL_INIT, RES_E_INTERNAL_FAIL_CONNECT, RES_E_INTERNAL_FAIL_TIMEOUT = -10003, -10004, -10005

# --- result types (documented field names and order) --------------------------------------------------------------
TerminalInfo = collections.namedtuple("TerminalInfo", (
    "community_account community_connection connected dlls_allowed trade_allowed tradeapi_disabled email_enabled "
    "ftp_enabled notifications_enabled mqid build maxbars codepage ping_last community_balance retransmission "
    "company name language path data_path commondata_path").split())
AccountInfo = collections.namedtuple("AccountInfo", (
    "login trade_mode leverage limit_orders margin_so_mode trade_allowed trade_expert margin_mode currency_digits "
    "fifo_close balance credit profit equity margin margin_free margin_level margin_so_call margin_so_so "
    "margin_initial margin_maintenance assets liabilities commission_blocked name server currency company").split())
SymbolInfo = collections.namedtuple("SymbolInfo", (
    "custom chart_mode select visible session_deals session_buy_orders session_sell_orders volume volumehigh "
    "volumelow time digits spread spread_float ticks_bookdepth trade_calc_mode trade_mode start_time "
    "expiration_time trade_stops_level trade_freeze_level trade_exemode swap_mode swap_rollover3days "
    "margin_hedged_use_leg expiration_mode filling_mode order_mode order_gtc_mode option_mode option_right bid "
    "bidhigh bidlow ask askhigh asklow last lasthigh lastlow volume_real volumehigh_real volumelow_real "
    "option_strike point trade_tick_value trade_tick_value_profit trade_tick_value_loss trade_tick_size "
    "trade_contract_size trade_accrued_interest trade_face_value trade_liquidity_rate volume_min volume_max "
    "volume_step volume_limit swap_long swap_short margin_initial margin_maintenance session_volume "
    "session_turnover session_interest session_buy_orders_volume session_sell_orders_volume session_open "
    "session_close session_aw session_price_settlement session_price_limit_min session_price_limit_max "
    "margin_hedged price_change price_volatility price_theoretical price_greeks_delta price_greeks_theta "
    "price_greeks_gamma price_greeks_vega price_greeks_rho price_greeks_omega price_sensitivity basis category "
    "currency_base currency_profit currency_margin bank description exchange formula isin name page path").split())
Tick = collections.namedtuple("Tick", "time bid ask last volume time_msc flags volume_real".split())
TradePosition = collections.namedtuple("TradePosition", (
    "ticket time time_msc time_update time_update_msc type magic identifier reason volume price_open sl tp "
    "price_current swap profit symbol comment external_id").split())
TradeOrder = collections.namedtuple("TradeOrder", (
    "ticket time_setup time_setup_msc time_done time_done_msc time_expiration type type_time type_filling state "
    "magic position_id position_by_id reason volume_initial volume_current price_open sl tp price_current "
    "price_stoplimit symbol comment external_id").split())
TradeDeal = collections.namedtuple("TradeDeal", (
    "ticket order time time_msc type entry magic position_id reason volume price commission swap profit fee "
    "symbol comment external_id").split())
TradeRequest = collections.namedtuple("TradeRequest", (
    "action magic order symbol volume price stoplimit sl tp deviation type type_filling type_time expiration "
    "comment position position_by").split())
OrderSendResult = collections.namedtuple("OrderSendResult", (
    "retcode deal order volume price bid ask comment request_id retcode_external request").split())
OrderCheckResult = collections.namedtuple("OrderCheckResult", (
    "retcode balance equity profit margin margin_free margin_level comment request").split())


def _row_type(name, fields):
    """A row of a numpy structured array look-alike: tuple unpacking and row['field'] both work."""
    base = collections.namedtuple(name, fields)

    def getitem(self, key):
        if isinstance(key, str):
            return getattr(self, key)
        return tuple.__getitem__(self, key)
    return type(name, (base,), {"__getitem__": getitem, "__slots__": ()})


RateRow = _row_type("RateRow", "time open high low close tick_volume spread real_volume".split())
TickRow = _row_type("TickRow", "time bid ask last volume time_msc flags volume_real".split())

_TF_SECONDS = {TIMEFRAME_M1: 60, TIMEFRAME_M5: 300, TIMEFRAME_M15: 900, TIMEFRAME_M30: 1800, TIMEFRAME_H1: 3600}
_RETCODE_TEXT = {
    10004: "Requote", 10006: "Request rejected", 10008: "Order placed", 10009: "Request executed",
    10010: "Request executed partially", 10011: "Request processing error", 10012: "Request canceled by timeout",
    10013: "Invalid request", 10014: "Invalid volume", 10015: "Invalid price", 10016: "Invalid stops",
    10017: "Trade disabled", 10018: "Market closed", 10019: "No money", 10025: "No changes",
    10027: "AutoTrading disabled by client", 10042: "Long only", 10043: "Short only", 10044: "Close only", 10030: "Unsupported filling mode", 10035: "Invalid order",
    10036: "Position already closed", 10038: "Invalid close volume", 10046: "Hedge prohibited",
}

_REQUEST_FIELDS = {"action": int, "magic": int, "order": int, "symbol": str, "volume": float, "price": float,
                   "stoplimit": float, "sl": float, "tp": float, "deviation": int, "type": int,
                   "type_filling": int, "type_time": int, "expiration": int, "comment": str, "position": int,
                   "position_by": int}


class _Spec:
    def __init__(self, name, digits, contract, bid, spread_points, filling, exemode=SYMBOL_TRADE_EXECUTION_MARKET,
                 stops=10, freeze=0, base="EUR", profit="USD", description="", path="Forex\\"):
        self.name, self.digits, self.point = name, digits, 10.0 ** -digits
        self.contract, self.filling, self.exemode = contract, filling, exemode
        self.stops, self.freeze, self.base, self.profit = stops, freeze, base, profit
        self.description, self.path = description or name, path + name
        self.trade_mode = SYMBOL_TRADE_MODE_FULL
        self.vmin, self.vmax, self.vstep = 0.01, 100.0, 0.01
        self.tick_value = contract * self.point if profit == "USD" else contract * self.point / bid
        self.selected = False
        self.bid, self.ask, self.spread_points = bid, round(bid + spread_points * self.point, digits), spread_points
        self.ticks = []          # TickRow, oldest first
        self.bars = {}           # timeframe -> list of [time, o, h, l, c, tick_volume, spread, real_volume]


class _Terminal:
    """The whole simulated terminal + trade server; every public function of the module goes through it."""

    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    # -- test controls ------------------------------------------------------------------------------------------
    def reset(self, hedging=True, balance=10000.0, now_msc=None, server_offset_sec=0):
        with self.lock:
            self.hedging = hedging
            self.initialized = False
            self.ipc_broken = False
            self.terminal_running = True
            self.trade_allowed = True
            self.connected = True
            self.error = (RES_S_OK, "Success")
            self.balance = balance
            self.next_ticket = 5000000001
            self.request_id = 0
            self.positions, self.orders, self.history_orders, self.deals = {}, {}, {}, {}
            self.send_faults = []
            self.fault_rates = {}        # fault name ("none_after_execute", "requote") -> probability per order_send
            self.rng = _random.Random(1)
            self.requote_next = 0
            self.broker_comment = None
            self.market_closed = set()
            self.calls = collections.Counter()
            self.init_args = None
            start = now_msc if now_msc is not None else int(_time.time() * 1000) + server_offset_sec * 1000
            self.now_msc = start
            self.specs = {}
            for spec in (
                _Spec("EURUSD.m", 5, 100000, 1.08500, 12, SYMBOL_FILLING_FOK | SYMBOL_FILLING_IOC,
                      description="Euro vs US Dollar"),
                _Spec("GBPUSD.m", 5, 100000, 1.27000, 15, SYMBOL_FILLING_FOK | SYMBOL_FILLING_IOC, base="GBP",
                      description="Great Britain Pound vs US Dollar"),
                _Spec("USDJPY.m", 3, 100000, 151.200, 14, SYMBOL_FILLING_IOC, base="USD", profit="JPY",
                      description="US Dollar vs Japanese Yen"),
                _Spec("XAUUSD.m", 2, 100, 2350.00, 25, SYMBOL_FILLING_IOC, stops=50, base="XAU",
                      description="Gold vs US Dollar", path="Metals\\"),
                _Spec("EURUSD.pro", 5, 100000, 1.08500, 3, SYMBOL_FILLING_FOK | SYMBOL_FILLING_IOC,
                      exemode=SYMBOL_TRADE_EXECUTION_EXCHANGE, description="Euro vs US Dollar (pro)",
                      path="Pro\\"),
                _Spec("USDCHF.m", 5, 100000, 0.88000, 15, SYMBOL_FILLING_FOK | SYMBOL_FILLING_IOC, base="USD",
                      profit="CHF", description="US Dollar vs Swiss Franc (close only)"),
            ):
                self.specs[spec.name] = spec
            self.specs["USDCHF.m"].trade_mode = SYMBOL_TRADE_MODE_CLOSEONLY
            # an opening balance deal, as every MT5 account history has
            t = self._ticket()
            self.deals[t] = TradeDeal(t, 0, self.now_msc // 1000 - 86400, self.now_msc - 86400000, DEAL_TYPE_BALANCE,
                                      DEAL_ENTRY_IN, 0, 0, DEAL_REASON_CLIENT, 0.0, 0.0, 0.0, 0.0, balance, 0.0, "",
                                      "deposit", "")
            for spec in self.specs.values():
                self._record_tick(spec, self.now_msc - 1, spec.bid, spec.ask)

    def push_tick(self, symbol, bid=None, ask=None, time_msc=None, step_points=None):
        """Advance one symbol by a tick (time defaults to now+1 ms of the simulated server clock)."""
        with self.lock:
            spec = self.specs[symbol]
            if step_points is not None:
                bid = round(spec.bid + step_points * spec.point, spec.digits)
            if bid is None:
                bid = spec.bid
            if ask is None:
                ask = round(bid + spec.spread_points * spec.point, spec.digits)
            if time_msc is None:
                time_msc = self.now_msc + 1
            self.now_msc = max(self.now_msc, time_msc)
            self._record_tick(spec, time_msc, bid, ask)
            self._check_triggers(spec)

    def advance_clock(self, ms):
        with self.lock:
            self.now_msc += ms

    def break_ipc(self, terminal_running=False):
        with self.lock:
            self.ipc_broken = True
            self.terminal_running = terminal_running

    def restore_terminal(self):
        with self.lock:
            self.terminal_running = True

    def set_deal_comment(self, ticket, comment):
        with self.lock:
            self.deals[ticket] = self.deals[ticket]._replace(comment=comment)

    # -- internals ------------------------------------------------------------------------------------------------
    def _ticket(self):
        t = self.next_ticket
        self.next_ticket += 1
        return t

    def _record_tick(self, spec, time_msc, bid, ask):
        flags = (TICK_FLAG_BID if bid != spec.bid else 0) | (TICK_FLAG_ASK if ask != spec.ask else 0)
        spec.bid, spec.ask = bid, ask
        spec.ticks.append(TickRow(time_msc // 1000, bid, ask, 0.0, 0, time_msc, flags or 6, 0.0))
        if len(spec.ticks) > 200000:
            del spec.ticks[:100000]
        spread = int(round((ask - bid) / spec.point))
        for tf, secs in _TF_SECONDS.items():
            bars = spec.bars.setdefault(tf, [])
            start = (time_msc // 1000) // secs * secs
            if bars and bars[-1][0] == start:
                b = bars[-1]
                b[2], b[3], b[4], b[5] = max(b[2], bid), min(b[3], bid), bid, b[5] + 1
            elif not bars or bars[-1][0] < start:
                bars.append([start, bid, bid, bid, bid, 1, spread, 0])

    def _fail(self, code, message):
        self.error = (code, message)
        return None

    def _ok(self, value):
        self.error = (RES_S_OK, "Success")
        return value

    def _guard(self):
        """None + last_error when the IPC link is down (every call but initialize/shutdown/last_error/version)."""
        if self.ipc_broken or not self.initialized:
            self.error = (RES_E_INTERNAL_FAIL_CONNECT, "No IPC connection")
            return False
        return True

    def _account(self):
        profit = sum(p.profit for p in self.positions.values())
        margin = sum(self._margin(self.specs[p.symbol], p.volume, p.price_open) for p in self.positions.values())
        equity = self.balance + profit
        level = equity / margin * 100 if margin else 0.0
        return AccountInfo(
            login=52001234, trade_mode=ACCOUNT_TRADE_MODE_DEMO, leverage=100, limit_orders=200,
            margin_so_mode=ACCOUNT_STOPOUT_MODE_PERCENT, trade_allowed=True, trade_expert=True,
            margin_mode=ACCOUNT_MARGIN_MODE_RETAIL_HEDGING if self.hedging else ACCOUNT_MARGIN_MODE_RETAIL_NETTING,
            currency_digits=2, fifo_close=False, balance=round(self.balance, 2), credit=0.0, profit=round(profit, 2),
            equity=round(equity, 2), margin=round(margin, 2), margin_free=round(equity - margin, 2),
            margin_level=round(level, 2), margin_so_call=50.0, margin_so_so=30.0, margin_initial=0.0,
            margin_maintenance=0.0, assets=0.0, liabilities=0.0, commission_blocked=0.0, name="Test Trader",
            server="Double-Demo", currency="USD", company="Double Broker Ltd")

    def _margin(self, spec, volume, price):
        rate = price if spec.profit == "USD" else 1.0
        return volume * spec.contract * rate / 100.0

    def _profit(self, spec, ptype, volume, open_price, close_price):
        diff = (close_price - open_price) if ptype == POSITION_TYPE_BUY else (open_price - close_price)
        usd = diff * volume * spec.contract
        if spec.profit != "USD":
            usd /= close_price
        return round(usd, 2)

    def _refresh_positions(self, spec):
        for t, p in list(self.positions.items()):
            if p.symbol == spec.name:
                cur = spec.bid if p.type == POSITION_TYPE_BUY else spec.ask
                self.positions[t] = p._replace(price_current=cur,
                                               profit=self._profit(spec, p.type, p.volume, p.price_open, cur))

    def _comment(self, requested):
        return self.broker_comment if self.broker_comment is not None else requested

    def _check_triggers(self, spec):
        for t, o in list(self.orders.items()):
            if o.symbol != spec.name:
                continue
            hit = ((o.type == ORDER_TYPE_BUY_LIMIT and spec.ask <= o.price_open) or
                   (o.type == ORDER_TYPE_BUY_STOP and spec.ask >= o.price_open) or
                   (o.type == ORDER_TYPE_SELL_LIMIT and spec.bid >= o.price_open) or
                   (o.type == ORDER_TYPE_SELL_STOP and spec.bid <= o.price_open))
            if hit:
                del self.orders[t]
                side = ORDER_TYPE_BUY if o.type in (ORDER_TYPE_BUY_LIMIT, ORDER_TYPE_BUY_STOP) else ORDER_TYPE_SELL
                price = spec.ask if side == ORDER_TYPE_BUY else spec.bid
                self._fill(spec, t, side, o.volume_current, price, o.magic, o.comment, o.sl, o.tp, 0,
                           DEAL_REASON_EXPERT, o.type_filling)
                self.history_orders[t] = o._replace(state=ORDER_STATE_FILLED, time_done=self.now_msc // 1000,
                                                    time_done_msc=self.now_msc, volume_current=0.0)
        for t, p in list(self.positions.items()):
            if p.symbol != spec.name:
                continue
            if p.type == POSITION_TYPE_BUY:
                reason = DEAL_REASON_SL if p.sl and spec.bid <= p.sl else DEAL_REASON_TP if p.tp and spec.bid >= p.tp else None
            else:
                reason = DEAL_REASON_SL if p.sl and spec.ask >= p.sl else DEAL_REASON_TP if p.tp and spec.ask <= p.tp else None
            if reason is not None:
                side = ORDER_TYPE_SELL if p.type == POSITION_TYPE_BUY else ORDER_TYPE_BUY
                price = spec.bid if side == ORDER_TYPE_SELL else spec.ask
                order = self._ticket()
                self.history_orders[order] = TradeOrder(
                    order, self.now_msc // 1000, self.now_msc, self.now_msc // 1000, self.now_msc, 0, side,
                    ORDER_TIME_GTC, ORDER_FILLING_FOK, ORDER_STATE_FILLED, p.magic, p.identifier, 0,
                    ORDER_REASON_SL if reason == DEAL_REASON_SL else ORDER_REASON_TP, p.volume, 0.0, price, 0.0, 0.0,
                    price, 0.0, p.symbol, "[sl]" if reason == DEAL_REASON_SL else "[tp]", "")
                self._fill(spec, order, side, p.volume, price, p.magic,
                           "[sl %s]" % price if reason == DEAL_REASON_SL else "[tp %s]" % price, 0.0, 0.0, t, reason,
                           ORDER_FILLING_FOK)
        self._refresh_positions(spec)

    def _fill(self, spec, order, side, volume, price, magic, comment, sl, tp, position, reason, filling):
        """Execute a deal; returns (deal_ticket, position_id). Handles hedging and netting."""
        now_s, now_msc = self.now_msc // 1000, self.now_msc
        ptype = POSITION_TYPE_BUY if side == ORDER_TYPE_BUY else POSITION_TYPE_SELL
        deal_type = DEAL_TYPE_BUY if side == ORDER_TYPE_BUY else DEAL_TYPE_SELL
        target = None
        if position:
            target = self.positions.get(position)
        elif not self.hedging:
            target = next((p for p in self.positions.values() if p.symbol == spec.name), None)
        deal = self._ticket()
        if target is None or target.type == ptype:
            if target is None:
                target = TradePosition(order, now_s, now_msc, now_s, now_msc, ptype, magic, order,
                                       POSITION_REASON_EXPERT, volume, price, sl, tp, price, 0.0, 0.0, spec.name,
                                       comment, "")
            else:
                total = target.volume + volume
                avg = round((target.price_open * target.volume + price * volume) / total, spec.digits)
                target = target._replace(volume=round(total, 2), price_open=avg, time_update=now_s,
                                         time_update_msc=now_msc, sl=sl or target.sl, tp=tp or target.tp)
            self.positions[target.ticket] = target
            entry, profit = DEAL_ENTRY_IN, 0.0
        else:
            closed = min(volume, target.volume)
            profit = self._profit(spec, target.type, closed, target.price_open, price)
            self.balance += profit
            rest = round(target.volume - volume, 2)
            if rest > 0:
                self.positions[target.ticket] = target._replace(volume=rest, time_update=now_s,
                                                                time_update_msc=now_msc)
                entry = DEAL_ENTRY_OUT
            elif rest == 0:
                del self.positions[target.ticket]
                entry = DEAL_ENTRY_OUT
            else:  # netting reversal: the ticket changes to the order's, the identifier stays
                del self.positions[target.ticket]
                self.positions[order] = TradePosition(order, now_s, now_msc, now_s, now_msc, ptype, magic,
                                                      target.identifier, POSITION_REASON_EXPERT, -rest, price, sl, tp,
                                                      price, 0.0, 0.0, spec.name, comment, "")
                entry = DEAL_ENTRY_INOUT
        commission = round(-3.5 * volume, 2) if spec.profit == "USD" else 0.0
        self.balance += commission
        self.deals[deal] = TradeDeal(deal, order, now_s, now_msc, deal_type, entry, magic, target.identifier, reason,
                                     volume, price, commission, 0.0, profit, 0.0, spec.name, comment, "")
        self._refresh_positions(spec)
        return deal, target.identifier

    def order_send(self, req):
        if not isinstance(req, dict):
            return self._fail(RES_E_INVALID_PARAMS, "Invalid arguments")
        for k, v in req.items():
            want = _REQUEST_FIELDS.get(k)
            if want is None or not (isinstance(v, want) or (want is float and isinstance(v, int))) \
                    or isinstance(v, bool):
                return self._fail(RES_E_INVALID_PARAMS, "Invalid arguments")
        full = {k: (req.get(k, "" if t is str else t(0))) for k, t in _REQUEST_FIELDS.items()}
        echo = TradeRequest(**full)
        fault = self.send_faults.pop(0) if self.send_faults else None
        if fault is None:
            for name, p in self.fault_rates.items():
                if name != "requote" and self.rng.random() < p:
                    fault = name
                    break
        if isinstance(fault, tuple) and fault[0] == "delay":
            self.lock.release()
            try:
                _time.sleep(fault[1])
            finally:
                self.lock.acquire()
            fault = None
        if fault == "none_before_execute":
            return self._fail(RES_E_INTERNAL_FAIL_TIMEOUT, "IPC timeout")
        self.request_id += 1
        result = self._execute(full, echo)
        if fault == "none_after_execute":
            return self._fail(RES_E_INTERNAL_FAIL_TIMEOUT, "IPC timeout")
        if fault == "raise_after_execute":
            self.error = (RES_E_INTERNAL_FAIL_RECEIVE, "IPC recv failed")
            raise RuntimeError("IPC receive failed")
        if isinstance(fault, tuple) and fault[0] == "retcode_after_execute":
            result = result._replace(retcode=fault[1], comment=_RETCODE_TEXT.get(fault[1], ""), deal=0, order=0)
        return self._ok(result)

    def _result(self, echo, retcode, deal=0, order=0, volume=0.0, price=0.0, spec=None):
        bid, ask = (spec.bid, spec.ask) if spec else (0.0, 0.0)
        return OrderSendResult(retcode, deal, order, volume, price, bid, ask, _RETCODE_TEXT.get(retcode, ""),
                               self.request_id, 0, echo)

    def _check_stops(self, spec, otype, price, sl, tp):
        lvl = spec.stops * spec.point
        buy = otype in (ORDER_TYPE_BUY, ORDER_TYPE_BUY_LIMIT, ORDER_TYPE_BUY_STOP)
        ref = spec.bid if otype in (ORDER_TYPE_BUY, ORDER_TYPE_SELL) and buy else \
            spec.ask if otype in (ORDER_TYPE_BUY, ORDER_TYPE_SELL) else price
        if buy:
            return not ((sl and ref - sl < lvl - 1e-12) or (tp and tp - ref < lvl - 1e-12))
        return not ((sl and sl - ref < lvl - 1e-12) or (tp and ref - tp < lvl - 1e-12))

    def _check_volume(self, spec, volume):
        if volume < spec.vmin - 1e-9 or volume > spec.vmax + 1e-9:
            return False
        steps = volume / spec.vstep
        return abs(steps - round(steps)) < 1e-6

    def _filling_ok(self, spec, action, otype, filling):
        if action == TRADE_ACTION_DEAL or otype in (ORDER_TYPE_BUY_STOP, ORDER_TYPE_SELL_STOP):
            if filling == ORDER_FILLING_FOK:
                return bool(spec.filling & SYMBOL_FILLING_FOK)
            if filling == ORDER_FILLING_IOC:
                return bool(spec.filling & SYMBOL_FILLING_IOC)
            if filling == ORDER_FILLING_RETURN:
                return spec.exemode == SYMBOL_TRADE_EXECUTION_EXCHANGE
            return False
        return filling in (ORDER_FILLING_RETURN, ORDER_FILLING_FOK, ORDER_FILLING_IOC)

    def _execute(self, r, echo):
        action = r["action"]
        if not self.trade_allowed:
            return self._result(echo, TRADE_RETCODE_CLIENT_DISABLES_AT)
        if action in (TRADE_ACTION_DEAL, TRADE_ACTION_PENDING):
            return self._deal_or_pending(r, echo)
        if action == TRADE_ACTION_SLTP:
            p = self.positions.get(r["position"])
            if p is None:
                return self._result(echo, TRADE_RETCODE_POSITION_CLOSED if r["position"] else TRADE_RETCODE_INVALID)
            spec = self.specs[p.symbol]
            if (p.sl, p.tp) == (r["sl"], r["tp"]):
                return self._result(echo, TRADE_RETCODE_NO_CHANGES, spec=spec)
            if not self._check_stops(spec, p.type, 0, r["sl"], r["tp"]):
                return self._result(echo, TRADE_RETCODE_INVALID_STOPS, spec=spec)
            self.positions[p.ticket] = p._replace(sl=r["sl"], tp=r["tp"], time_update=self.now_msc // 1000,
                                                  time_update_msc=self.now_msc)
            return self._result(echo, TRADE_RETCODE_DONE, spec=spec)
        if action in (TRADE_ACTION_MODIFY, TRADE_ACTION_REMOVE):
            o = self.orders.get(r["order"])
            if o is None:
                return self._result(echo, TRADE_RETCODE_INVALID_ORDER if r["order"] else TRADE_RETCODE_INVALID)
            spec = self.specs[o.symbol]
            if action == TRADE_ACTION_REMOVE:
                del self.orders[o.ticket]
                self.history_orders[o.ticket] = o._replace(state=ORDER_STATE_CANCELED, time_done=self.now_msc // 1000,
                                                           time_done_msc=self.now_msc)
                return self._result(echo, TRADE_RETCODE_DONE, order=o.ticket, spec=spec)
            price = r["price"] or o.price_open
            if (price, r["sl"], r["tp"]) == (o.price_open, o.sl, o.tp):
                return self._result(echo, TRADE_RETCODE_NO_CHANGES, order=o.ticket, spec=spec)
            if not self._check_stops(spec, o.type, price, r["sl"], r["tp"]):
                return self._result(echo, TRADE_RETCODE_INVALID_STOPS, spec=spec)
            self.orders[o.ticket] = o._replace(price_open=price, sl=r["sl"], tp=r["tp"])
            return self._result(echo, TRADE_RETCODE_DONE, order=o.ticket, spec=spec)
        if action == TRADE_ACTION_CLOSE_BY:
            if not self.hedging:
                return self._result(echo, TRADE_RETCODE_INVALID_ORDER)
            a, b = self.positions.get(r["position"]), self.positions.get(r["position_by"])
            if a is None or b is None:
                return self._result(echo, TRADE_RETCODE_POSITION_CLOSED)
            if a.symbol != b.symbol or a.type == b.type:
                return self._result(echo, TRADE_RETCODE_INVALID)
            spec = self.specs[a.symbol]
            vol = min(a.volume, b.volume)
            order = self._ticket()
            now_s = self.now_msc // 1000
            self.history_orders[order] = TradeOrder(
                order, now_s, self.now_msc, now_s, self.now_msc, 0, ORDER_TYPE_CLOSE_BY, ORDER_TIME_GTC,
                ORDER_FILLING_FOK, ORDER_STATE_FILLED, r["magic"], a.identifier, b.identifier, ORDER_REASON_EXPERT, vol,
                0.0, a.price_open, 0.0, 0.0, 0.0, 0.0, a.symbol, self._comment(r["comment"]), "")
            last = 0
            for p, other in ((a, b), (b, a)):
                profit = self._profit(spec, p.type, vol, p.price_open, other.price_open)
                self.balance += profit
                last = self._ticket()
                self.deals[last] = TradeDeal(
                    last, order, now_s, self.now_msc, DEAL_TYPE_SELL if p.type == POSITION_TYPE_BUY else DEAL_TYPE_BUY,
                    DEAL_ENTRY_OUT_BY, r["magic"], p.identifier, DEAL_REASON_EXPERT, vol, other.price_open, 0.0, 0.0,
                    profit, 0.0, p.symbol, self._comment(r["comment"]), "")
                rest = round(p.volume - vol, 2)
                if rest > 0:
                    self.positions[p.ticket] = p._replace(volume=rest)
                else:
                    del self.positions[p.ticket]
            return self._result(echo, TRADE_RETCODE_DONE, deal=last, order=order, volume=vol, spec=spec)
        return self._result(echo, TRADE_RETCODE_INVALID)

    def _deal_or_pending(self, r, echo):
        spec = self.specs.get(r["symbol"])
        position = None
        if r["action"] == TRADE_ACTION_DEAL and r["position"]:
            position = self.positions.get(r["position"])
            if position is None:
                return self._result(echo, TRADE_RETCODE_POSITION_CLOSED)
            spec = spec or self.specs[position.symbol]
        if spec is None:
            return self._result(echo, TRADE_RETCODE_INVALID)
        otype = r["type"]
        if r["action"] == TRADE_ACTION_DEAL and otype not in (ORDER_TYPE_BUY, ORDER_TYPE_SELL):
            return self._result(echo, TRADE_RETCODE_INVALID_ORDER, spec=spec)
        if r["action"] == TRADE_ACTION_PENDING and otype not in (2, 3, 4, 5):
            return self._result(echo, TRADE_RETCODE_INVALID_ORDER, spec=spec)
        if spec.trade_mode == SYMBOL_TRADE_MODE_DISABLED:
            return self._result(echo, TRADE_RETCODE_TRADE_DISABLED, spec=spec)
        opening = position is None and (self.hedging or not any(
            p.symbol == spec.name and p.type != otype for p in self.positions.values()))
        if opening and spec.trade_mode == SYMBOL_TRADE_MODE_CLOSEONLY:
            return self._result(echo, TRADE_RETCODE_CLOSE_ONLY, spec=spec)
        if opening and spec.trade_mode == SYMBOL_TRADE_MODE_LONGONLY and otype in (1, 3, 5, 7):
            return self._result(echo, TRADE_RETCODE_LONG_ONLY, spec=spec)
        if opening and spec.trade_mode == SYMBOL_TRADE_MODE_SHORTONLY and otype in (0, 2, 4, 6):
            return self._result(echo, TRADE_RETCODE_SHORT_ONLY, spec=spec)
        if spec.name in self.market_closed:
            return self._result(echo, TRADE_RETCODE_MARKET_CLOSED, spec=spec)
        volume = r["volume"]
        if not self._check_volume(spec, volume):
            return self._result(echo, TRADE_RETCODE_INVALID_VOLUME, spec=spec)
        if position is not None and volume > position.volume + 1e-9:
            return self._result(echo, TRADE_RETCODE_INVALID_CLOSE_VOLUME, spec=spec)
        if not self._filling_ok(spec, r["action"], otype, r["type_filling"]):
            return self._result(echo, TRADE_RETCODE_INVALID_FILL, spec=spec)
        if r["action"] == TRADE_ACTION_PENDING:
            price = r["price"]
            if price <= 0:
                return self._result(echo, TRADE_RETCODE_INVALID_PRICE, spec=spec)
            lvl = spec.stops * spec.point
            ok = {ORDER_TYPE_BUY_LIMIT: spec.ask - price >= lvl, ORDER_TYPE_SELL_LIMIT: price - spec.bid >= lvl,
                  ORDER_TYPE_BUY_STOP: price - spec.ask >= lvl, ORDER_TYPE_SELL_STOP: spec.bid - price >= lvl}[otype]
            if not ok or not self._check_stops(spec, otype, price, r["sl"], r["tp"]):
                return self._result(echo, TRADE_RETCODE_INVALID_STOPS, spec=spec)
            t = self._ticket()
            now_s = self.now_msc // 1000
            self.orders[t] = TradeOrder(t, now_s, self.now_msc, 0, 0, r["expiration"], otype, r["type_time"],
                                        r["type_filling"], ORDER_STATE_PLACED, r["magic"], 0, 0, ORDER_REASON_EXPERT,
                                        volume, volume, price, r["sl"], r["tp"],
                                        spec.ask if otype in (2, 4) else spec.bid, r["stoplimit"], spec.name,
                                        self._comment(r["comment"]), "")
            # real terminals answer a synchronous pending placement with DONE (mt5b §15.17)
            return self._result(echo, TRADE_RETCODE_DONE, order=t, volume=volume, price=price, spec=spec)
        rate = self.fault_rates.get("requote", 0.0)
        if position is None and (self.requote_next > 0 or (rate and self.rng.random() < rate)):
            self.requote_next = max(0, self.requote_next - 1)
            self.push_tick(spec.name, step_points=3)
            return self._result(echo, TRADE_RETCODE_REQUOTE, spec=spec)
        price = spec.ask if otype == ORDER_TYPE_BUY else spec.bid
        if position is None and not self._check_stops(spec, otype, price, r["sl"], r["tp"]):
            return self._result(echo, TRADE_RETCODE_INVALID_STOPS, spec=spec)
        acct = self._account()
        closing = position is not None or (not self.hedging and any(
            p.symbol == spec.name and p.type != otype for p in self.positions.values()))
        if not closing and self._margin(spec, volume, price) > acct.margin_free:
            return self._result(echo, TRADE_RETCODE_NO_MONEY, spec=spec)
        order = self._ticket()
        now_s = self.now_msc // 1000
        comment = self._comment(r["comment"])
        deal, pos_id = self._fill(spec, order, otype, volume, price, r["magic"], comment, r["sl"], r["tp"],
                                  r["position"], DEAL_REASON_EXPERT, r["type_filling"])
        self.history_orders[order] = TradeOrder(
            order, now_s, self.now_msc, now_s, self.now_msc, 0, otype, ORDER_TIME_GTC, r["type_filling"],
            ORDER_STATE_FILLED, r["magic"], pos_id, 0, ORDER_REASON_EXPERT, volume, 0.0, price, r["sl"], r["tp"],
            price, 0.0, spec.name, comment, "")
        return self._result(echo, TRADE_RETCODE_DONE, deal=deal, order=order, volume=volume, price=price, spec=spec)

    def symbol_info(self, spec):
        z = 0.0
        return SymbolInfo(
            False, SYMBOL_CHART_MODE_BID, spec.selected, spec.selected, 0, 0, 0, 0, 0, 0, spec.ticks[-1].time,
            spec.digits, int(round((spec.ask - spec.bid) / spec.point)), True, 0, SYMBOL_CALC_MODE_FOREX,
            spec.trade_mode, 0, 0, spec.stops, spec.freeze, spec.exemode, SYMBOL_SWAP_MODE_POINTS, DAY_OF_WEEK_WEDNESDAY,
            False, 15, spec.filling, 127, 0, 0, 0, spec.bid, spec.bid, spec.bid, spec.ask, spec.ask, spec.ask, z, z, z,
            z, z, z, z, spec.point, spec.tick_value, spec.tick_value, spec.tick_value, spec.point, float(spec.contract),
            z, z, z, spec.vmin, spec.vmax, spec.vstep, z, -7.5, 2.1, z, z, z, z, z, z, z, z, z, z, z, z, z, z, z, z,
            z, z, z, z, z, z, z, z, z, "", spec.base, spec.profit, spec.base, "", spec.description, "", "", "",
            spec.name, "", spec.path)


_T = _Terminal()
_double = _T


def _time_s(value):
    """A date argument as the package takes it: a datetime (naive = UTC) or integer seconds; anything else fails."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return int(value.timestamp())
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"date must be a datetime or int seconds, not {type(value).__name__}")
    return value


def _call(fn):
    """Wrap a module function: IPC guard + last_error bookkeeping, under the terminal lock."""
    def wrapper(*args, **kwargs):
        with _T.lock:
            _T.calls[fn.__name__] += 1
            if not _T._guard():
                return None
            try:
                return fn(*args, **kwargs)
            except (TypeError, ValueError):
                return _T._fail(RES_E_INVALID_PARAMS, "Invalid arguments")
    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def initialize(path=None, login=None, password=None, server=None, timeout=60000, portable=False):
    with _T.lock:
        _T.calls["initialize"] += 1
        _T.init_args = {"path": path, "login": login, "server": server, "timeout": timeout, "portable": portable,
                        "password_given": password is not None}
        if not _T.terminal_running:
            _T.error = (RES_E_INTERNAL_FAIL_INIT, "IPC initialize failed, MetaTrader 5 x64 not found")
            return False
        _T.initialized, _T.ipc_broken = True, False
        _T.error = (RES_S_OK, "Success")
        return True


def login(login, password=None, server=None, timeout=60000):
    with _T.lock:
        if not _T._guard():
            return False
        return _T._ok(True)


def shutdown():
    with _T.lock:
        _T.calls["shutdown"] += 1
        _T.initialized = False
        return True


def version():
    with _T.lock:
        return (500, 4424, "15 Jun 2024") if _T._guard() else None


def last_error():
    with _T.lock:
        return _T.error


@_call
def terminal_info():
    return _T._ok(TerminalInfo(False, False, _T.connected, False, _T.trade_allowed, False, False, False, False, 0,
                               4424, 100000, 0, 12000, 0.0, 0.0, "Double Broker Ltd", "MetaTrader 5 (double)",
                               "English", "C:\\Program Files\\MetaTrader 5", "C:\\data", "C:\\common"))


@_call
def account_info():
    return _T._ok(_T._account())


@_call
def symbols_total():
    return _T._ok(len(_T.specs))


@_call
def symbols_get(group=None):
    return _T._ok(tuple(_T.symbol_info(s) for s in _T.specs.values()))


@_call
def symbol_info(symbol):
    spec = _T.specs.get(symbol)
    if spec is None:
        return _T._fail(RES_E_NOT_FOUND, "Terminal: Not found")
    return _T._ok(_T.symbol_info(spec))


@_call
def symbol_info_tick(symbol):
    spec = _T.specs.get(symbol)
    if spec is None:
        return _T._fail(RES_E_NOT_FOUND, "Terminal: Not found")
    return _T._ok(Tick(*spec.ticks[-1]))


@_call
def symbol_select(symbol, enable=True):
    spec = _T.specs.get(symbol)
    if spec is None:
        return _T._ok(False)
    spec.selected = bool(enable)
    return _T._ok(True)


def _rates(symbol, timeframe):
    spec = _T.specs.get(symbol)
    if spec is None or timeframe not in _TF_SECONDS:
        return None
    return spec.bars.get(timeframe, [])


@_call
def copy_rates_from_pos(symbol, timeframe, start_pos, count):
    bars = _rates(symbol, timeframe)
    if bars is None:
        return _T._fail(RES_E_INVALID_PARAMS, "Invalid params")
    end = len(bars) - start_pos
    rows = bars[max(0, end - count):max(0, end)]
    return _T._ok([RateRow(*b) for b in rows])


@_call
def copy_rates_from(symbol, timeframe, date_from, count):
    bars = _rates(symbol, timeframe)
    if bars is None:
        return _T._fail(RES_E_INVALID_PARAMS, "Invalid params")
    t = _time_s(date_from)
    rows = [b for b in bars if b[0] <= t][-count:]
    return _T._ok([RateRow(*b) for b in rows])


@_call
def copy_rates_range(symbol, timeframe, date_from, date_to):
    bars = _rates(symbol, timeframe)
    if bars is None:
        return _T._fail(RES_E_INVALID_PARAMS, "Invalid params")
    a, b = _time_s(date_from), _time_s(date_to)
    return _T._ok([RateRow(*x) for x in bars if a <= x[0] <= b])


@_call
def copy_ticks_from(symbol, date_from, count, flags):
    spec = _T.specs.get(symbol)
    if spec is None:
        return _T._fail(RES_E_INVALID_PARAMS, "Invalid params")
    t = _time_s(date_from) * 1000
    out = []
    for row in spec.ticks:                      # linear is fine for the test sizes
        if row.time_msc >= t:
            out.append(row)
            if len(out) >= count:
                break
    return _T._ok(out)


@_call
def copy_ticks_range(symbol, date_from, date_to, flags):
    spec = _T.specs.get(symbol)
    if spec is None:
        return _T._fail(RES_E_INVALID_PARAMS, "Invalid params")
    a, b = _time_s(date_from) * 1000, _time_s(date_to) * 1000
    return _T._ok([r for r in spec.ticks if a <= r.time_msc <= b])


def _select(items, symbol=None, group=None, ticket=None):
    out = []
    for x in items:
        if symbol is not None and x.symbol != symbol:
            continue
        if ticket is not None and x.ticket != ticket:
            continue
        if group is not None and group not in ("*", "") and not _group_match(group, x.symbol):
            continue
        out.append(x)
    return tuple(out)


def _group_match(group, name):
    import fnmatch
    return any(fnmatch.fnmatch(name, g) for g in group.split(",") if not g.startswith("!"))


@_call
def positions_total():
    return _T._ok(len(_T.positions))


@_call
def positions_get(symbol=None, group=None, ticket=None):
    return _T._ok(_select(_T.positions.values(), symbol, group, ticket))


@_call
def orders_total():
    return _T._ok(len(_T.orders))


@_call
def orders_get(symbol=None, group=None, ticket=None):
    return _T._ok(_select(_T.orders.values(), symbol, group, ticket))


@_call
def history_orders_get(date_from=None, date_to=None, group=None, ticket=None, position=None):
    if ticket is not None:
        return _T._ok(tuple(o for o in _T.history_orders.values() if o.ticket == ticket))
    if position is not None:
        return _T._ok(tuple(o for o in _T.history_orders.values() if o.position_id == position))
    if date_from is None or date_to is None:
        return _T._fail(RES_E_INVALID_PARAMS, "Invalid arguments")
    a, b = _time_s(date_from), _time_s(date_to)
    return _T._ok(tuple(o for o in _T.history_orders.values() if a <= o.time_setup <= b
                        and (group is None or _group_match(group, o.symbol))))


@_call
def history_deals_get(date_from=None, date_to=None, group=None, ticket=None, position=None):
    if ticket is not None:
        return _T._ok(tuple(d for d in _T.deals.values() if d.order == ticket))
    if position is not None:
        return _T._ok(tuple(d for d in _T.deals.values() if d.position_id == position))
    if date_from is None or date_to is None:
        return _T._fail(RES_E_INVALID_PARAMS, "Invalid arguments")
    a, b = _time_s(date_from), _time_s(date_to)
    return _T._ok(tuple(d for d in _T.deals.values() if a <= d.time <= b
                        and (group is None or _group_match(group, d.symbol))))


@_call
def history_orders_total(date_from, date_to):
    return _T._ok(len(history_orders_get(date_from, date_to)))


@_call
def history_deals_total(date_from, date_to):
    return _T._ok(len(history_deals_get(date_from, date_to)))


@_call
def order_calc_margin(action, symbol, volume, price):
    spec = _T.specs.get(symbol)
    if spec is None:
        return _T._fail(RES_E_INVALID_PARAMS, "Invalid params")
    return _T._ok(round(_T._margin(spec, volume, price), 2))


@_call
def order_calc_profit(action, symbol, volume, price_open, price_close):
    spec = _T.specs.get(symbol)
    if spec is None:
        return _T._fail(RES_E_INVALID_PARAMS, "Invalid params")
    return _T._ok(_T._profit(spec, action, volume, price_open, price_close))


@_call
def order_check(request):
    if not isinstance(request, dict):
        return _T._fail(RES_E_INVALID_PARAMS, "Invalid arguments")
    full = {k: request.get(k, "" if t is str else t(0)) for k, t in _REQUEST_FIELDS.items()}
    echo = TradeRequest(**full)
    acct = _T._account()
    spec = _T.specs.get(full["symbol"])
    retcode, margin = 0, 0.0
    if full["action"] == TRADE_ACTION_DEAL:
        if spec is None:
            retcode = TRADE_RETCODE_INVALID
        elif not _T._check_volume(spec, full["volume"]):
            retcode = TRADE_RETCODE_INVALID_VOLUME
        elif not _T._filling_ok(spec, full["action"], full["type"], full["type_filling"]):
            retcode = TRADE_RETCODE_INVALID_FILL
        else:
            price = spec.ask if full["type"] == ORDER_TYPE_BUY else spec.bid
            margin = round(_T._margin(spec, full["volume"], price), 2)
            if margin > acct.margin_free:
                retcode = TRADE_RETCODE_NO_MONEY
    total_margin = acct.margin + margin
    level = acct.equity / total_margin * 100 if total_margin else 0.0
    return _T._ok(OrderCheckResult(retcode, acct.balance, acct.equity, acct.profit, round(total_margin, 2),
                                   round(acct.equity - total_margin, 2), round(level, 2),
                                   "Done" if retcode == 0 else _RETCODE_TEXT.get(retcode, ""), echo))


@_call
def _locked_order_send(request):
    return _T.order_send(request)


def order_send(request):
    return _locked_order_send(request)
