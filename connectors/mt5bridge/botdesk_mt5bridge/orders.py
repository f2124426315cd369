"""order.send / order.status / order.check (mt5b §8): idempotency, comment tag, filling choice and fallback,
re-pricing, and reconciliation of unknown outcomes BEFORE answering (MT5_PROTOCOL.md §4.6).

Every MetaTrader5 call runs as a job on the worker thread; this module only decides.
"""
import asyncio
import logging
import re
import time

from . import idempotency, retcodes
from .worker import Mt5CallFailed

log = logging.getLogger("botdesk.mt5bridge.orders")
CLIENT_REQ_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
ID64 = re.compile(r"^[0-9]{1,20}$")
NO_EXEC_CLASSES = (retcodes.RETRY_REPRICE, retcodes.RETRY_BACKOFF, retcodes.RECONCILED_NOT_EXECUTED)


class BadRequest(Exception):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def drop_nulls(v):
    if isinstance(v, dict):
        return {k: drop_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [drop_nulls(x) for x in v]
    return v


class Parsed:
    """A validated order request: the MT5 dict (module numbers) and what the desk needs to know about it."""

    def __init__(self):
        self.mt5 = {}
        self.action = None
        self.action_name = None
        self.symbol = None
        self.filling_auto = True
        self.intent = None
        self.close = False
        self.fallback = []
        self.max_reprice = 0
        self.timeout_ms = None
        self.price_given = False
        self.server_hint_ms = None    # the symbol's last tick time (server clock) when the request was prepared


def parse_request(bridge, request, options, for_check=False):
    """Validate an mt5b request body; returns Parsed or raises BadRequest / symbols.Unknown."""
    en = bridge.enums
    if not isinstance(request, dict):
        raise BadRequest("request must be an object (an MT5 TradeRequest with enum strings)", "request")
    p = Parsed()
    r = {k: v for k, v in request.items() if v is not None}
    action = en.value("action", r.get("action"))
    if action is None:
        raise BadRequest(f"request.action {r.get('action')!r} is not a TRADE_ACTION_* name", "request.action")
    p.action, p.action_name = action, r["action"]
    m = {"action": action}
    for f in ("volume", "price", "stoplimit", "sl", "tp"):
        if f in r:
            if not _num(r[f]) or r[f] < 0:
                raise BadRequest(f"request.{f} must be a number >= 0, not {r[f]!r}", "request." + f)
            m[f] = float(r[f])
    for f in ("deviation", "magic", "expiration"):
        if f in r:
            if not _int(r[f]) or r[f] < 0:
                raise BadRequest(f"request.{f} must be an integer >= 0, not {r[f]!r}", "request." + f)
            m[f] = r[f]
    for f in ("order", "position", "position_by"):
        if f in r:
            if not isinstance(r[f], str) or not ID64.match(r[f]):
                raise BadRequest(f"request.{f} must be a decimal string ticket, not {r[f]!r}", "request." + f)
            if int(r[f]):
                m[f] = int(r[f])
    if "comment" in r:
        if not isinstance(r["comment"], str):
            raise BadRequest("request.comment must be a string", "request.comment")
        m["comment"] = r["comment"]
    if "type" in r:
        t = en.value("order_type", r["type"])
        if t is None:
            raise BadRequest(f"request.type {r['type']!r} is not an ORDER_TYPE_* name", "request.type")
        m["type"] = t
    if "type_time" in r:
        t = en.value("order_time", r["type_time"])
        if t is None:
            raise BadRequest(f"request.type_time {r['type_time']!r} is not an ORDER_TIME_* name", "request.type_time")
        m["type_time"] = t
    tf = r.get("type_filling", "AUTO")         # r has no null members
    if tf != "AUTO":
        t = en.value("filling", tf)
        if t is None:
            raise BadRequest(f"request.type_filling {tf!r} is not an ORDER_FILLING_* name or \"AUTO\"",
                             "request.type_filling")
        m["type_filling"] = t
        p.filling_auto = False
    if "symbol" in r:
        if not isinstance(r["symbol"], str):
            raise BadRequest("request.symbol must be a string", "request.symbol")
        p.symbol = bridge.resolve_symbol(r["symbol"])
        m["symbol"] = p.symbol
    # options
    options = options if options is not None else {}
    if not isinstance(options, dict):
        raise BadRequest("options must be an object", "options")
    fb = options.get("filling_fallback")
    fb = [] if fb is None else fb
    if not isinstance(fb, list) or any(en.value("filling", x) is None for x in fb):
        raise BadRequest("options.filling_fallback must be a list of ORDER_FILLING_* names", "options.filling_fallback")
    p.fallback = [en.value("filling", x) for x in fb]
    mr = options.get("max_reprice_attempts")
    mr = 0 if mr is None else mr
    if not _int(mr) or not 0 <= mr <= 10:
        raise BadRequest("options.max_reprice_attempts must be an integer 0..10", "options.max_reprice_attempts")
    p.max_reprice = mr
    to = options.get("timeout_ms")
    if to is not None and (not _int(to) or not 100 <= to <= 600000):
        raise BadRequest("options.timeout_ms must be an integer 100..600000", "options.timeout_ms")
    p.timeout_ms = to
    intent = options.get("intent")
    if intent is not None and intent not in ("open", "close", "modify"):
        raise BadRequest("options.intent must be \"open\", \"close\" or \"modify\"", "options.intent")
    p.intent = intent
    # per action required fields (mt5b §8.1)
    name = p.action_name
    need = {"TRADE_ACTION_DEAL": ("type", "volume"), "TRADE_ACTION_PENDING": ("symbol", "volume", "type", "price"),
            "TRADE_ACTION_SLTP": ("position",), "TRADE_ACTION_MODIFY": ("order", "price"),
            "TRADE_ACTION_REMOVE": ("order",), "TRADE_ACTION_CLOSE_BY": ("position", "position_by")}[name]
    for f in need:
        if f not in m and not (f == "position" and name == "TRADE_ACTION_SLTP" and not bridge.hedging and p.symbol):
            raise BadRequest(f"{name} needs request.{f}", "request." + f)
    if name == "TRADE_ACTION_DEAL":
        if r["type"] not in ("ORDER_TYPE_BUY", "ORDER_TYPE_SELL"):
            raise BadRequest("TRADE_ACTION_DEAL needs request.type ORDER_TYPE_BUY or ORDER_TYPE_SELL", "request.type")
        if "symbol" not in m and "position" not in m:
            raise BadRequest("TRADE_ACTION_DEAL needs request.symbol or request.position", "request.symbol")
        p.close = intent == "close" or "position" in m
        if intent == "close" and "position" not in m and bridge.hedging and not for_check:
            raise BadRequest("a close on a hedging account needs request.position (the position ticket)",
                             "request.position")
    if name == "TRADE_ACTION_PENDING":
        if r["type"] in ("ORDER_TYPE_BUY", "ORDER_TYPE_SELL", "ORDER_TYPE_CLOSE_BY"):
            raise BadRequest("TRADE_ACTION_PENDING needs a pending request.type (…_LIMIT, …_STOP, …_STOP_LIMIT)",
                             "request.type")
        if r["type"].endswith("_STOP_LIMIT") and "stoplimit" not in m:
            raise BadRequest("a stop-limit order needs request.stoplimit", "request.stoplimit")
    if "magic" not in m:
        m["magic"] = bridge.config.magic
    p.price_given = m.get("price", 0) > 0
    p.mt5 = m
    return p


def choose_fillings(mt5, info, p):
    """Fill policies to try in order (MT5_PROTOCOL.md §4.6 rule 6; `filling_mode` is a SYMBOL_FILLING_* bitmask)."""
    otype = p.mt5.get("type")
    limit_like = otype in (mt5.ORDER_TYPE_BUY_LIMIT, mt5.ORDER_TYPE_SELL_LIMIT, mt5.ORDER_TYPE_BUY_STOP_LIMIT,
                           mt5.ORDER_TYPE_SELL_STOP_LIMIT)
    if limit_like:
        auto = [mt5.ORDER_FILLING_RETURN]
    elif info.trade_exemode == mt5.SYMBOL_TRADE_EXECUTION_EXCHANGE:
        auto = [mt5.ORDER_FILLING_RETURN, mt5.ORDER_FILLING_IOC, mt5.ORDER_FILLING_FOK]
    else:
        auto = ([mt5.ORDER_FILLING_FOK] if info.filling_mode & 1 else []) + \
               ([mt5.ORDER_FILLING_IOC] if info.filling_mode & 2 else [])
        auto = auto or [mt5.ORDER_FILLING_RETURN]
    first = [p.mt5["type_filling"]] if not p.filling_auto else auto[:1]
    rest = p.fallback if p.fallback else (auto[1:] if p.filling_auto else [])
    out = []
    for f in first + rest:
        if f not in out:
            out.append(f)
    return out


class OrderDesk:
    def __init__(self, bridge):
        self.bridge = bridge
        self.mt5 = bridge.mt5
        self.store = bridge.store
        self.order_owner = {}        # order ticket (str) -> client_req_id, for deal events
        self._live = {}              # client_req_id -> asyncio.Task of the running pipeline

    # ---- entry points ----------------------------------------------------------------------------------------------
    async def send(self, conn, session, msg):
        b = self.bridge
        rid = msg.get("id")
        cid = msg.get("client_req_id")
        if not isinstance(cid, str) or not CLIENT_REQ_ID.match(cid):
            return b.error(conn, rid, "BAD_REQUEST", "client_req_id must be 1..36 characters of [A-Za-z0-9_-]",
                           details={"field": "client_req_id"})
        request = msg.get("request")
        if not isinstance(request, dict):
            return b.error(conn, rid, "BAD_REQUEST", "request must be an object", details={"field": "request"})
        rhash = idempotency.request_hash(drop_nulls(request))
        row = self.store.get(cid)
        if row is not None and cid in self._live:          # being sent, reconciled or recovered right now
            if row["request_hash"] != rhash:
                return b.error(conn, rid, "IDEMPOTENCY_CONFLICT",
                               f"client_req_id {cid} was used for a different request",
                               details={"client_req_id": cid})
            return b.reply(conn, "order.ack", rid, client_req_id=cid, state="inflight")
        if row is not None:
            stored = row["result"] or {}
            if row["state"] == "final" and stored.get("class") in NO_EXEC_CLASSES:
                row = None                       # nothing executed: the same id may be sent again (mt5b §10)
            elif row["request_hash"] != rhash:
                return b.error(conn, rid, "IDEMPOTENCY_CONFLICT",
                               f"client_req_id {cid} was used for a different request",
                               details={"client_req_id": cid})
            elif row["state"] == "inflight":
                return b.reply(conn, "order.ack", rid, client_req_id=cid, state="inflight")
            elif stored.get("status") == "unknown":
                return await self._rereconcile(conn, session, rid, row, execute_if_absent=True)
            else:
                return self._emit_result(session, rid, dict(stored, dedup=True))
        try:
            p = parse_request(b, request, msg.get("options"))
        except BadRequest as e:
            return b.error(conn, rid, "BAD_REQUEST", str(e), details={"field": e.field} if e.field else None)
        except b.UnknownSymbol as e:
            return b.error(conn, rid, "UNKNOWN_SYMBOL", str(e), details={"suggestions": e.suggestions})
        if not b.ipc_ok:
            return b.error(conn, rid, "TERMINAL_DISCONNECTED", "the MetaTrader 5 terminal is not connected (IPC); "
                           "nothing was sent, retry with the same client_req_id", retryable=True)
        tag = idempotency.tag_of(cid)
        p.mt5["comment"] = idempotency.tagged_comment(p.mt5.get("comment", ""), tag)
        send_time = int(time.time() * 1000)
        self.store.begin(cid, rhash, tag, drop_nulls(request), send_time)       # no await since the lookup
        b.reply(conn, "order.ack", rid, client_req_id=cid, state="inflight")
        task = asyncio.ensure_future(self._pipeline(session, rid, cid, tag, p, send_time))
        self._live[cid] = task
        try:
            await task
        finally:
            self._live.pop(cid, None)

    async def status(self, conn, session, msg):
        b = self.bridge
        rid, cid = msg.get("id"), msg.get("client_req_id")
        if not isinstance(cid, str) or not CLIENT_REQ_ID.match(cid):
            return b.error(conn, rid, "BAD_REQUEST", "client_req_id must be 1..36 characters of [A-Za-z0-9_-]",
                           details={"field": "client_req_id"})
        row = self.store.get(cid)
        if row is None:
            return b.reply(conn, "order.ack", rid, client_req_id=cid, state="not_found")
        if cid in self._live:
            return b.reply(conn, "order.ack", rid, client_req_id=cid, state="inflight")
        if row["state"] == "inflight":           # left in flight by a previous bridge process: reconcile now
            return await self._rereconcile(conn, session, rid, row, execute_if_absent=False)
        if (row["result"] or {}).get("status") == "unknown":
            return await self._rereconcile(conn, session, rid, row, execute_if_absent=False)
        return self._emit_result(session, rid, dict(row["result"], dedup=True))

    async def check(self, conn, msg):
        b = self.bridge
        rid = msg.get("id")
        try:
            p = parse_request(b, msg.get("request"), msg.get("options"), for_check=True)
        except BadRequest as e:
            return b.error(conn, rid, "BAD_REQUEST", str(e), details={"field": e.field} if e.field else None)
        except b.UnknownSymbol as e:
            return b.error(conn, rid, "UNKNOWN_SYMBOL", str(e), details={"suggestions": e.suggestions})
        if not b.ipc_ok:
            return b.error(conn, rid, "TERMINAL_DISCONNECTED", "the MetaTrader 5 terminal is not connected (IPC)",
                           retryable=True)
        mt5 = self.mt5

        def job(c):
            req = dict(p.mt5)
            if "symbol" in req and p.filling_auto and p.action in (mt5.TRADE_ACTION_DEAL, mt5.TRADE_ACTION_PENDING):
                req["type_filling"] = choose_fillings(mt5, c.get("symbol_info", req["symbol"]), p)[0]
            if p.action == mt5.TRADE_ACTION_DEAL and not p.price_given and "symbol" in req:
                tick = c.get("symbol_info_tick", req["symbol"])
                req["price"] = tick.ask if req["type"] == mt5.ORDER_TYPE_BUY else tick.bid
            return c.call("order_check", req)
        try:
            res, err = await b.worker.run(job)
        except Mt5CallFailed as e:
            res, err = None, e.err
        if res is None:
            return b.error(conn, rid, "MT5_ERROR", f"order_check failed: {err[1]}", retryable=err[0] in
                           retcodes.IPC_ERRORS, details={"last_error": list(err)})
        return b.reply(conn, "order.check_result", rid, retcode=res.retcode,
                       retcode_name=retcodes.name(res.retcode) if res.retcode else None,     # 0 = would pass
                       balance=res.balance, equity=res.equity, profit=res.profit, margin=res.margin,
                       margin_free=res.margin_free, margin_level=res.margin_level, comment=res.comment)

    # ---- pipeline --------------------------------------------------------------------------------------------------
    async def _pipeline(self, session, rid, cid, tag, p, send_time):
        t0 = time.monotonic()
        try:
            body = await self._execute(p, tag, send_time)
        except Exception:                                   # noqa: BLE001 - never leave an order unanswered
            log.exception("order %s: bridge failure; reconciling", cid)
            body = await self._reconcile(p, tag, send_time, None, attempts=1, filling=None,
                                         first=(-10000, "bridge internal error"))
        body["client_req_id"] = cid
        body["dedup"] = False
        body["latency_ms"] = int((time.monotonic() - t0) * 1000)
        self._finish(cid, body)
        self._emit_result(session, rid, body)

    def _finish(self, cid, body):
        self.store.finish(cid, body)
        order = (body.get("result") or {}).get("order")
        if order and order != "0":
            self.order_owner[order] = cid

    def _emit_result(self, session, rid, body):
        ev = dict(body)
        ev["type"] = "order.result"
        if rid is not None:
            ev["re"] = rid
        session.emit(ev)

    async def _execute(self, p, tag, send_time):
        b, mt5 = self.bridge, self.mt5
        timeout = (p.timeout_ms or b.config.order_timeout_ms) / 1000.0
        market_like = p.action in (mt5.TRADE_ACTION_DEAL, mt5.TRADE_ACTION_PENDING)

        def prepare(c):
            req = dict(p.mt5)
            if p.action == mt5.TRADE_ACTION_DEAL and "symbol" not in req:
                pos = c.get("positions_get", ticket=req["position"])
                if not pos:
                    return None, req, []
                req["symbol"] = pos[0].symbol
            if p.action == mt5.TRADE_ACTION_DEAL and p.intent == "close" and "position" not in req:
                pos = c.get("positions_get", symbol=req["symbol"])      # netting: the symbol's one position
                if pos:
                    req["position"] = pos[0].ticket
            if p.action == mt5.TRADE_ACTION_SLTP and "position" not in req:
                pos = c.get("positions_get", symbol=req["symbol"])
                if pos:
                    req["position"] = pos[0].ticket
            if req.get("symbol"):
                tick, _ = c.call("symbol_info_tick", req["symbol"])
                if tick is not None:
                    p.server_hint_ms = tick.time_msc
            info = c.get("symbol_info", req["symbol"]) if market_like else None
            if info is not None and not info.visible:
                c.call("symbol_select", req["symbol"], True)
            return info, req, choose_fillings(mt5, info, p) if info is not None else []
        info, req, fillings = await b.worker.run(prepare)
        if info is None and market_like and "symbol" not in req:
            return self._body(10036, None, "rejected", attempts=0, filling=None, already_closed=p.close or None)
        attempts, reprices = 0, 0
        filling_idx = 0
        while True:
            attempts += 1
            send = dict(req)
            if fillings:
                send["type_filling"] = fillings[filling_idx]
            filling_name = b.enums.name("filling", send["type_filling"]) if fillings else None
            refresh = p.action == mt5.TRADE_ACTION_DEAL and (not p.price_given or reprices > 0)

            def attempt(c, send=send, refresh=refresh):
                if refresh:
                    tick = c.get("symbol_info_tick", send["symbol"])
                    send["price"] = tick.ask if send["type"] == mt5.ORDER_TYPE_BUY else tick.bid
                res, err = c.call("order_send", send)
                pos_id = None
                if res is not None and res.retcode in (10009, 10010) and res.order:
                    deals, _ = c.call("history_deals_get", ticket=res.order)
                    if deals:
                        pos_id = deals[0].position_id
                return res, err, pos_id
            fut = b.worker.run(attempt)
            try:
                res, err, pos_id = await asyncio.wait_for(asyncio.shield(fut), timeout)
            except asyncio.TimeoutError:
                log.warning("order_send did not return within %.1f s; reconciling", timeout)
                return await self._reconcile(p, tag, send_time, fut, attempts, filling_name,
                                             first=(-10005, "bridge timeout waiting for order_send"))
            except Mt5CallFailed as e:
                return await self._reconcile(p, tag, send_time, None, attempts, filling_name, first=e.err)
            except Exception as e:                          # noqa: BLE001 - order_send raised: outcome unknown
                log.warning("order_send raised %s; reconciling", type(e).__name__)
                return await self._reconcile(p, tag, send_time, None, attempts, filling_name,
                                             first=(-10002, f"order_send raised {type(e).__name__}"))
            if res is None:
                if err[0] in retcodes.IPC_ERRORS or err[0] in (-1, -10000):
                    return await self._reconcile(p, tag, send_time, None, attempts, filling_name, first=err)
                cls = retcodes.classify(err[0])            # refused by the package before sending
                return self._body(err[0], None, "rejected", attempts, filling_name, cls=cls,
                                  comment=err[1], last_error=err)
            rc = res.retcode
            cls = retcodes.classify(rc)
            if rc == 10030 and filling_idx + 1 < len(fillings):
                filling_idx += 1
                continue
            if cls == retcodes.RETRY_REPRICE and reprices < p.max_reprice:
                reprices += 1
                continue
            if cls == retcodes.RECONCILE:
                return await self._reconcile(p, tag, send_time, None, attempts, filling_name,
                                             first=(rc, res.comment), mt5_result=res)
            if pos_id is None and p.action == mt5.TRADE_ACTION_SLTP or (pos_id is None and "position" in send):
                pos_id = send.get("position")
            return self._body(rc, res, None, attempts, filling_name, position_id=pos_id,
                              already_closed=True if rc == 10036 and p.close else None)

    def _body(self, rc, res, status, attempts, filling, cls=None, position_id=None, comment="", last_error=None,
              already_closed=None, **extra):
        cls = cls or retcodes.classify(rc)
        if status is None:
            status = {10009: "done", 10008: "placed", 10010: "partial", 10025: "no_change"}.get(rc, "rejected")
            if rc == 10036 and already_closed:
                status, cls = "done", retcodes.SUCCESS
        if res is not None:
            result = {"retcode": res.retcode, "deal": str(res.deal), "order": str(res.order), "volume": res.volume,
                      "price": res.price, "bid": res.bid, "ask": res.ask, "comment": res.comment,
                      "request_id": res.request_id, "retcode_external": res.retcode_external}
        else:
            result = {"retcode": rc, "deal": "0", "order": "0", "volume": 0.0, "price": 0.0, "bid": 0.0, "ask": 0.0,
                      "comment": comment, "request_id": 0, "retcode_external": 0}
        body = {"status": status, "retcode": rc, "retcode_name": retcodes.name(rc), "class": cls,
                "retryable": retcodes.retryable(cls), "result": result,
                "position_id": str(position_id) if position_id else None, "filling_used": filling,
                "attempts": attempts}
        if already_closed:
            body["already_closed"] = True
        if last_error is not None:
            body["mt5_last_error"] = list(last_error)
        body.update(extra)
        return body

    # ---- reconciliation --------------------------------------------------------------------------------------------
    async def _reconcile(self, p, tag, send_time, pending, attempts, filling, first, mt5_result=None):
        """Search the terminal for what the request did before answering (mt5b §8.4)."""
        b = self.bridge
        grace = b.config.reconcile_grace_ms / 1000.0
        unprovable = pending is not None
        for pass_no in (1, 2):
            if pending is not None and not pending.done():
                await asyncio.wait([pending], timeout=grace)
            search = b.worker.run(lambda c: self._search(c, p, tag, send_time))
            try:
                found = await asyncio.wait_for(asyncio.shield(search), 2 * grace)
                unprovable = pending is not None and not pending.done()
            except (Mt5CallFailed, asyncio.TimeoutError) as e:
                log.warning("reconciliation pass %d could not read the terminal (%s)", pass_no, e)
                found, unprovable = None, True
            if found is not None:
                kind, res_fields, pos_id, match = found
                rc = 10008 if kind == "placed" else 10009
                body = self._body(rc, None, kind, attempts, filling, cls=retcodes.SUCCESS, position_id=pos_id,
                                  reconciled=True, match=match)
                body["result"].update(res_fields)
                body["result"]["retcode"] = rc
                body["mt5_last_error"] = list(first)
                return body
            if pass_no == 1:
                await asyncio.sleep(grace)
        if unprovable:
            return self._body(first[0], None, "unknown", attempts, filling, cls=retcodes.RECONCILE,
                              comment=str(first[1]), last_error=first, reconciled=False)
        return self._body(first[0], None, "rejected", attempts, filling, cls=retcodes.RECONCILED_NOT_EXECUTED,
                          comment="not executed (reconciled)", last_error=first, reconciled=True)

    def _search(self, c, p, tag, send_time):
        """On the worker thread: (status, result fields, position_id, match) or None. Raises Mt5CallFailed."""
        mt5, b = self.mt5, self.bridge
        req = p.mt5
        # the window starts at the earlier of UTC+configured offset and the terminal's own last tick time, so a
        # wrong offset in the config widens the search instead of hiding the order; no hint (a bridge restart):
        # one more day back
        server_send = b.server_ms_for_utc(send_time)
        server_send = min(server_send, p.server_hint_ms) if p.server_hint_ms else server_send - 86400 * 1000
        t_from = server_send // 1000 - 5 - 60
        t_to = b.server_now_ms() // 1000 + 30 * 86400
        act = p.action
        if act == mt5.TRADE_ACTION_SLTP:
            pos = c.get("positions_get", ticket=req["position"]) if "position" in req else \
                c.get("positions_get", symbol=req.get("symbol"))
            if pos and pos[0].sl == req.get("sl", 0.0) and pos[0].tp == req.get("tp", 0.0):
                return "done", {"comment": "reconciled"}, pos[0].identifier, "tag"
            return None
        if act in (mt5.TRADE_ACTION_MODIFY, mt5.TRADE_ACTION_REMOVE):
            live = c.get("orders_get", ticket=req["order"])
            if act == mt5.TRADE_ACTION_REMOVE:
                hist = c.get("history_orders_get", ticket=req["order"])
                if not live and hist and hist[0].state == mt5.ORDER_STATE_CANCELED:
                    return "done", {"order": str(req["order"]), "comment": "reconciled"}, None, "tag"
                return None
            if live and live[0].price_open == req.get("price") and live[0].sl == req.get("sl", 0.0) \
                    and live[0].tp == req.get("tp", 0.0):
                return "done", {"order": str(req["order"]), "comment": "reconciled"}, None, "tag"
            return None
        if act == mt5.TRADE_ACTION_CLOSE_BY:
            pos = c.get("positions_get")
            open_ids = {x.ticket for x in pos}
            if req["position"] not in open_ids or req["position_by"] not in open_ids:
                deals = c.get("history_deals_get", position=req["position"])
                out_by = [d for d in deals if d.entry == mt5.DEAL_ENTRY_OUT_BY]
                if out_by:
                    d = out_by[-1]
                    return "done", {"deal": str(d.ticket), "order": str(d.order), "volume": d.volume,
                                    "price": d.price, "comment": "reconciled"}, d.position_id, "tag"
            return None
        marker = "|k:" + tag
        deals = c.get("history_deals_get", t_from, t_to)
        horders = c.get("history_orders_get", t_from, t_to)
        orders = c.get("orders_get")
        positions = c.get("positions_get")

        def deal_result(d, match):
            return "done", {"deal": str(d.ticket), "order": str(d.order), "volume": d.volume, "price": d.price,
                            "comment": "reconciled"}, d.position_id, match
        tagged = sorted((d for d in deals if marker in (d.comment or "")), key=lambda d: d.ticket)
        if tagged:
            return deal_result(tagged[0], "tag")
        for o in list(orders) + list(horders):
            if marker in (o.comment or ""):
                ds = [d for d in deals if d.order == o.ticket]
                if ds:
                    return deal_result(ds[0], "tag")
                return "placed", {"order": str(o.ticket), "volume": o.volume_initial, "price": o.price_open,
                                  "comment": "reconciled"}, None, "tag"
        for x in positions:
            if marker in (x.comment or ""):
                return "done", {"order": str(x.identifier), "volume": x.volume, "price": x.price_open,
                                "comment": "reconciled"}, x.identifier, "tag"
        # the broker may have overwritten the comment: magic + symbol + type + volume in the send window
        claimed = self.store.claimed_tickets()
        since_msc = server_send - 5000 - 60000
        vol, sym, magic = req.get("volume", 0.0), req.get("symbol"), req.get("magic")
        if act == mt5.TRADE_ACTION_DEAL:
            want = mt5.DEAL_TYPE_BUY if req["type"] == mt5.ORDER_TYPE_BUY else mt5.DEAL_TYPE_SELL
            cands = sorted((d for d in deals if d.magic == magic and d.symbol == sym and d.type == want
                            and abs(d.volume - vol) < 1e-9 and d.time_msc >= since_msc
                            and str(d.ticket) not in claimed and str(d.order) not in claimed
                            and d.reason == mt5.DEAL_REASON_EXPERT), key=lambda d: d.time_msc)
            if cands:
                return deal_result(cands[0], "fuzzy")
        else:
            cands = sorted((o for o in list(orders) + list(horders) if o.magic == magic and o.symbol == sym
                            and o.type == req["type"] and abs(o.volume_initial - vol) < 1e-9
                            and o.time_setup_msc >= since_msc and str(o.ticket) not in claimed),
                           key=lambda o: o.time_setup_msc)
            if cands:
                o = cands[0]
                return "placed", {"order": str(o.ticket), "volume": o.volume_initial, "price": o.price_open,
                                  "comment": "reconciled"}, None, "fuzzy"
        return None

    async def _rereconcile(self, conn, session, rid, row, execute_if_absent):
        """A stored unknown (or an in-flight row left by a crashed bridge): look again before answering. Only one
        look (or send) per client_req_id at a time: concurrent duplicates get order.ack{inflight}."""
        cid = row["client_req_id"]
        self._live[cid] = asyncio.current_task()
        try:
            return await self._rereconcile_locked(conn, session, rid, row, execute_if_absent)
        finally:
            self._live.pop(cid, None)

    async def _rereconcile_locked(self, conn, session, rid, row, execute_if_absent):
        b = self.bridge
        cid = row["client_req_id"]
        if not b.ipc_ok:
            if row["state"] == "inflight":
                return b.reply(conn, "order.ack", rid, client_req_id=cid, state="inflight")
            return self._emit_result(session, rid, dict(row["result"], dedup=True))
        try:
            p = parse_request(b, row["request"], None, for_check=True)
        except (BadRequest, b.UnknownSymbol):
            return b.error(conn, rid, "INTERNAL", f"stored request for {cid} cannot be parsed")
        p.mt5["comment"] = idempotency.tagged_comment(p.mt5.get("comment", ""), row["tag"])
        prev = row["result"] or {}
        first = tuple(prev.get("mt5_last_error") or (-10005, "outcome unknown (bridge restart)"))
        t0 = time.monotonic()
        body = await self._reconcile(p, row["tag"], row["send_time"], None, prev.get("attempts", 1),
                                     prev.get("filling_used"), first=first)
        if body["class"] == retcodes.RECONCILED_NOT_EXECUTED and execute_if_absent:
            self.store.begin(cid, row["request_hash"], row["tag"], row["request"], int(time.time() * 1000))
            return await self._pipeline(session, rid, cid, row["tag"], p, int(time.time() * 1000))
        body["client_req_id"] = cid
        body["dedup"] = True
        body["latency_ms"] = int((time.monotonic() - t0) * 1000)
        self._finish(cid, body)
        return self._emit_result(session, rid, body)

    async def recover_inflight(self):
        """At start: rows left in flight by a previous process are reconciled (nobody is waiting for them)."""
        rows = [self.store.get(cid) for cid in self.store.inflight()]
        for row in rows:
            self._live[row["client_req_id"]] = asyncio.current_task()
        for row in rows:
            try:
                await self._recover_one(row)
            finally:
                self._live.pop(row["client_req_id"], None)

    async def _recover_one(self, row):
        cid = row["client_req_id"]
        try:
            p = parse_request(self.bridge, row["request"], None, for_check=True)
        except Exception:                       # noqa: BLE001
            log.warning("order %s left in flight cannot be parsed; order.status will report it", cid)
            return
        p.mt5["comment"] = idempotency.tagged_comment(p.mt5.get("comment", ""), row["tag"])
        body = await self._reconcile(p, row["tag"], row["send_time"], None, 1, None,
                                     first=(-10005, "bridge restarted while the order was in flight"))
        body.update(client_req_id=cid, dedup=False, latency_ms=0)
        self._finish(cid, body)
        log.info("order %s left in flight by a previous run: %s (%s)", cid, body["status"], body["class"])
