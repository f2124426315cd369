"""The mt5b v1 server: sessions, handshake, requests, and the pollers that turn MetaTrader5 state into events.

asyncio + websockets 10.4 on one side, the MetaTrader5 worker thread (worker.py) on the other. Spec:
docs/mt5b-protocol.md; cadences per MT5_PROTOCOL.md §4.10/§4.5.
"""
import asyncio
import datetime as dt
import fnmatch
import hmac
import json
import logging
import ssl
import time

import websockets

from . import PROTOCOL_MAJOR, PROTOCOL_MINOR, SUBPROTOCOL, __version__, retcodes, symbols
from .enums import Enums
from .idempotency import Store
from .orders import OrderDesk
from .session import Connection, Session, Subscription, now_ms
from .worker import Mt5CallFailed, Worker

log = logging.getLogger("botdesk.mt5bridge")
MAX_FRAME = 1 << 20
MAX_RATES = 50000
LOOKAHEAD_SEC = 30 * 86400       # history windows end this far after "now": the package filters by `to` only
HELLO_TIMEOUT = 5.0
MAX_DEALS_PER_MESSAGE = 1000  # a deal is about 450 bytes of JSON: a part stays under the 1 MiB frame cap
CAPABILITIES = ["ticks", "bars", "history.rates", "history.ticks", "history.deals", "order.check", "resume",
                "deal_events"]
ACCOUNT_DYNAMIC = ("balance", "credit", "profit", "equity", "margin", "margin_free", "margin_level")
POSITION_PRICE_FIELDS = ("price_current", "profit")      # change every tick: not worth a position event
ORDER_PRICE_FIELDS = ("price_current",)


class Closed(Exception):
    pass


class Bridge:
    UnknownSymbol = symbols.Unknown

    def __init__(self, config, mt5):
        self.config = config
        self.mt5 = mt5
        self.enums = Enums(mt5)
        self.store = Store(config.state_dir)
        self.worker = None
        self.desk = None
        self.sessions = {}
        self.conns = set()
        self.ipc_ok = False
        self.terminal = {"connected": False, "trade_allowed": False}
        self.terminal_static = {}
        self.account_static = {}
        self.hedging = True
        self.symbol_names = []
        self.last_server_msc = 0
        self._reconnecting = False
        self._tasks = []
        self._server = None
        self.port = None
        # poller state
        self._tick_state = {}          # symbol -> [last_msc, n_at_last]
        self._bar_state = {}           # (symbol, tf) -> {"forming": row, "forming_mono": x} (forming update throttle)
        self._positions = None
        self._orders = None
        self._deals_seen = None
        self._deal_from = 0
        self._account_last = None
        self._account_push_mono = 0.0

    # ---- time --------------------------------------------------------------------------------------------------
    def offset_sec(self):
        return self.config.clock.offset_now()

    def server_ms_for_utc(self, utc_ms):
        return utc_ms + self.config.clock.offset_at(dt.datetime.fromtimestamp(utc_ms / 1000, dt.timezone.utc)) * 1000

    def server_now_ms(self):
        """The broker server clock now: the newest tick seen, or UTC + the configured offset if that is later."""
        return max(self.last_server_msc, self.server_ms_for_utc(now_ms()))

    # ---- lifecycle ---------------------------------------------------------------------------------------------
    async def start(self):
        self.worker = Worker(self.mt5, on_ipc_lost=self._ipc_lost)
        self.desk = OrderDesk(self)
        if await self._initialize():
            await self._load_static()
            await self._poll_trade()          # baselines: what exists now is state, not news
        else:
            self._declare_ipc_lost()
        ctx = None
        if self.config.tls_cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.config.tls_cert, self.config.tls_key)
        self._server = await websockets.serve(
            self._handler, self.config.host, self.config.port, subprotocols=[SUBPROTOCOL], max_size=MAX_FRAME,
            ssl=ctx, ping_interval=max(1.0, self.config.heartbeat_sec), ping_timeout=3 * max(1.0,
                                                                                               self.config.heartbeat_sec))
        self.port = self._server.sockets[0].getsockname()[1]
        self.scheme = "wss" if ctx else "ws"
        for coro in (self._market_loop(), self._trade_loop(), self._housekeeping_loop(), self._stall_loop(),
                     self.desk.recover_inflight()):
            self._tasks.append(asyncio.ensure_future(coro))
        log.info("listening %s://%s:%d", self.scheme, self.config.host, self.port)
        return self.port

    async def stop(self):
        for t in self._tasks:
            t.cancel()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self.worker is not None:
            try:
                await asyncio.wait_for(self.worker.call("shutdown"), 2.0)
            except Exception:                        # noqa: BLE001
                pass
            self.worker.stop()
        self.store.close()

    async def _initialize(self):
        c = self.config
        kwargs = {"timeout": c.init_timeout_ms, "portable": c.portable}
        if c.terminal_path:
            kwargs["path"] = c.terminal_path
        if c.login is not None:
            kwargs["login"] = c.login
        if c.password is not None:
            kwargs["password"] = c.password
        if c.server:
            kwargs["server"] = c.server

        def job(calls):
            calls.mt5.shutdown()
            ok, err = calls.call("initialize", **kwargs)
            return bool(ok), err
        ok, err = await self.worker.run(job)
        if not ok:
            log.warning("MetaTrader5.initialize failed: %s %s", err[0], err[1])
        self.ipc_ok = ok
        return ok

    async def _load_static(self):
        def job(c):
            term = c.get("terminal_info")
            acct = c.get("account_info")
            syms = c.get("symbols_get")
            return term, acct, [s.name for s in syms]
        term, acct, names = await self.worker.run(job)
        self.terminal_static = {"build": term.build, "company": term.company, "server": acct.server}
        self.terminal = {"connected": bool(term.connected), "trade_allowed": bool(term.trade_allowed)}
        self.account_static = {"login": str(acct.login), "margin_mode": self.enums.name("margin_mode", acct.margin_mode),
                               "currency": acct.currency,
                               "trade_mode": self.enums.name("account_trade_mode", acct.trade_mode),
                               "trade_allowed": bool(acct.trade_allowed), "trade_expert": bool(acct.trade_expert)}
        self.hedging = acct.margin_mode == self.mt5.ACCOUNT_MARGIN_MODE_RETAIL_HEDGING
        self.symbol_names = names
        if not term.trade_allowed or not acct.trade_expert:
            log.warning("trading is off: terminal trade_allowed=%s (the Algo Trading button), account trade_expert=%s",
                        term.trade_allowed, acct.trade_expert)

    # ---- IPC loss and reconnect (MT5_PROTOCOL.md §4.10) --------------------------------------------------------
    def _ipc_lost(self):
        """A call saw -10004/-10005. One timed-out call is not a dead link: confirm with terminal_info() first."""
        if self._reconnecting or getattr(self, "_checking", False):
            return
        self._checking = True
        self._tasks.append(asyncio.ensure_future(self._confirm_ipc_lost()))

    async def _confirm_ipc_lost(self):
        try:
            term, err = await asyncio.wait_for(self.worker.call("terminal_info"), 10.0)
        except (asyncio.TimeoutError, Exception):          # noqa: BLE001
            term = None
        finally:
            self._checking = False
        if term is None:
            self._declare_ipc_lost()

    def _declare_ipc_lost(self):
        if self._reconnecting:
            return
        self._reconnecting = True
        was = self.ipc_ok
        self.ipc_ok = False
        log.warning("lost the IPC link to the terminal; reconnecting")
        if was or self.terminal["connected"]:
            self.terminal = dict(self.terminal, connected=False)
            self.broadcast({"type": "terminal", "connected": False,
                            "trade_allowed": self.terminal["trade_allowed"]})
        self._tasks.append(asyncio.ensure_future(self._reconnect_loop()))

    async def _reconnect_loop(self):
        delay = 0.2
        try:
            while True:
                await asyncio.sleep(delay)
                if await self._initialize():
                    try:
                        await self._load_static()
                    except Mt5CallFailed:
                        self.ipc_ok = False
                        continue
                    subs = {s.symbol for sess in self.sessions.values() for s in sess.subs.values()}
                    for sym in subs:
                        await self.worker.call("symbol_select", sym, True)
                    log.info("IPC link to the terminal restored")
                    self.broadcast({"type": "terminal", **self.terminal})
                    return
                delay = min(delay * 2, self.config.reconnect_max_sec)
        finally:
            self._reconnecting = False

    # ---- sending -----------------------------------------------------------------------------------------------
    def reply(self, conn, type_, re, **fields):
        msg = {"v": 1, "type": type_}
        if re is not None:
            msg["re"] = re
        msg["ts"] = now_ms()
        msg.update({k: v for k, v in fields.items() if v is not None or k in ("client_req_id",)})
        conn.send(msg)

    def error(self, conn, re, code, message, retryable=False, fatal=False, details=None, **extra):
        fields = {"code": code, "message": message, "retryable": retryable, "fatal": fatal}
        if details:
            fields["details"] = details
        fields.update(extra)
        self.reply(conn, "error", re if isinstance(re, str) else None, **fields)

    def broadcast(self, event):
        for s in list(self.sessions.values()):
            s.emit(event)

    # ---- connection handling -----------------------------------------------------------------------------------
    async def _handler(self, ws, path=None):
        loop = asyncio.get_running_loop()
        conn = Connection(ws, loop)
        self.conns.add(conn)
        writer = asyncio.ensure_future(conn.writer())
        hb = None
        try:
            await self._handshake(conn)
            hb = asyncio.ensure_future(self._heartbeat_loop(conn))
            window = [time.monotonic(), 0]
            async for frame in ws:
                # while closing, keep reading (and dropping) frames so the close handshake is not stuck behind
                # a full receive queue
                if conn.closing:
                    continue
                verdict = self._rate_check(conn, window, frame)
                if verdict == "flood":
                    self._start_close(conn, 1008, "request flood")
                    continue
                if verdict == "limited":
                    continue
                if isinstance(frame, bytes):
                    log.warning("binary frame from %s; closing 1003", conn.peer)
                    self._start_close(conn, 1003, "binary frames are not accepted")
                    continue
                await self._on_frame(conn, frame)
        except Closed:
            pass
        except websockets.ConnectionClosed:
            pass
        except Exception:                                   # noqa: BLE001 - never let one client kill the bridge
            log.exception("connection %s failed", conn.peer)
            await self._close(conn, 1011, "internal error")
        finally:
            if hb is not None:
                hb.cancel()
            await self._drain(conn)
            writer.cancel()
            conn.closed = True
            self.conns.discard(conn)
            sess = conn.session
            if sess is not None and sess.conn is conn:
                sess.conn = None
                sess.detached_at = time.monotonic()

    async def _drain(self, conn, timeout=1.0):
        end = time.monotonic() + timeout
        while conn.queue and not conn.closed and time.monotonic() < end:
            await asyncio.sleep(0.01)

    def _start_close(self, conn, code, reason):
        conn.closing = True
        task = asyncio.ensure_future(self._close(conn, code, reason))
        self._tasks.append(task)
        task.add_done_callback(lambda f: self._tasks.remove(f) if f in self._tasks else None)

    async def _close(self, conn, code, reason):
        await self._drain(conn)
        conn.closed = True
        try:
            await conn.ws.close(code, reason)
        except Exception:                                   # noqa: BLE001
            pass

    def _rate_check(self, conn, window, frame):
        """'ok', 'limited' (answered RATE_LIMITED, not processed) or 'flood' (> 10x the limit: close 1008)."""
        now = time.monotonic()
        if now - window[0] >= 1.0:
            window[0], window[1] = now, 0
        window[1] += 1
        limit = self.config.max_requests_per_sec
        if window[1] > 10 * limit:
            log.warning("flood from %s (%d frames in a second); closing 1008", conn.peer, window[1])
            return "flood"
        if window[1] > limit:
            self.error(conn, _request_id(frame), "RATE_LIMITED", f"more than {limit} requests per second; slow down",
                       retryable=True, retry_after_ms=max(1, int((1.0 - (now - window[0])) * 1000)))
            return "limited"
        return "ok"

    async def _handshake(self, conn):
        try:
            frame = await asyncio.wait_for(conn.ws.recv(), HELLO_TIMEOUT)
        except asyncio.TimeoutError:
            log.info("no hello from %s within %.0f s; closing 4001", conn.peer, HELLO_TIMEOUT)
            await self._close(conn, 4001, "no hello within 5 s")
            raise Closed()
        if isinstance(frame, bytes):
            await self._close(conn, 1003, "binary frames are not accepted")
            raise Closed()
        try:
            msg = json.loads(frame)
        except ValueError:
            msg = None
        rid = msg.get("id") if isinstance(msg, dict) and isinstance(msg.get("id"), str) else None
        if not isinstance(msg, dict) or msg.get("type") != "hello" or not isinstance(msg.get("token"), str):
            log.warning("first frame from %s is not a valid hello; closing 4003", conn.peer)
            self.error(conn, rid, "AUTH_FAILED", "the first frame must be a hello with a string token", fatal=True)
            await self._close(conn, 4003, "authentication failed")
            raise Closed()
        if not hmac.compare_digest(msg["token"].encode("utf-8"), self.config.token.encode("utf-8")):
            log.warning("authentication failed from %s", conn.peer)
            self.error(conn, rid, "AUTH_FAILED", "authentication failed", fatal=True)
            await self._close(conn, 4003, "authentication failed")
            raise Closed()
        proto = msg.get("protocol")
        pmin = proto.get("min") if isinstance(proto, dict) else None
        pmax = proto.get("max") if isinstance(proto, dict) else None
        if proto is not None and not (isinstance(pmin, int) and isinstance(pmax, int) and pmin <= PROTOCOL_MAJOR <= pmax):
            self.error(conn, rid, "UNSUPPORTED_VERSION", f"this bridge speaks mt5b v{PROTOCOL_MAJOR} only; "
                       f"the client offered {pmin}..{pmax}", fatal=True)
            await self._close(conn, 4002, "unsupported protocol version")
            raise Closed()
        session, resumed, replay = None, False, []
        resume = msg.get("resume")
        if isinstance(resume, dict):
            old = self.sessions.get(resume.get("session_id"))
            last_seq = resume.get("last_seq")
            if old is not None and isinstance(last_seq, int) and not isinstance(last_seq, bool) and old.covers(last_seq):
                session, resumed = old, True
                replay = old.replay_after(last_seq)
                if old.conn is not None and old.conn is not conn:
                    prev = old.conn
                    old.conn = None
                    asyncio.ensure_future(self._close(prev, 4005, "session resumed on another connection"))
        if session is None:
            session = Session(self.config.ring_events)
            self.sessions[session.id] = session
        conn.authed = True
        conn.session = session
        self.reply(conn, "welcome", rid, seq=0, session_id=session.id, resumed=resumed,
                   protocol={"major": PROTOCOL_MAJOR, "minor": PROTOCOL_MINOR},
                   bridge={"kind": "mt5-python", "name": self.config.bridge_name, "version": __version__},
                   terminal={**self.terminal, **self.terminal_static},
                   account=self.account_static or {"login": "0", "margin_mode": "ACCOUNT_MARGIN_MODE_RETAIL_HEDGING",
                                                   "currency": "", "trade_mode": "ACCOUNT_TRADE_MODE_DEMO",
                                                   "trade_allowed": False, "trade_expert": False},
                   clock={"server_utc_offset_sec": self.offset_sec(), "offset_source": "config"},
                   capabilities=CAPABILITIES,
                   limits={"max_subscriptions": self.config.max_subscriptions,
                           "max_requests_per_sec": self.config.max_requests_per_sec, "tick_conflation_ms": 0,
                           "max_frame_bytes": MAX_FRAME, "max_rates_per_message": MAX_RATES},
                   heartbeat_sec=max(1, int(round(self.config.heartbeat_sec))))
        for ev in replay:
            conn.send(ev)
        session.conn = conn
        session.detached_at = None
        log.info("client %s: session %s (%s)", conn.peer, session.id, "resumed" if resumed else "new")

    async def _heartbeat_loop(self, conn):
        while not conn.closed:
            await asyncio.sleep(self.config.heartbeat_sec)
            sess = conn.session
            if sess is None or sess.conn is not conn:
                return
            # the newest MT5 time seen (ticks, deals): it stands still when the market does (weekends); before any
            # tick, UTC + the configured offset
            server_time = self.last_server_msc or self.server_ms_for_utc(now_ms())
            sess.emit({"type": "heartbeat", "terminal": dict(self.terminal), "server_time_msc": int(server_time),
                       "server_utc_offset_sec": self.offset_sec(), "offset_source": "config"})

    # ---- requests ----------------------------------------------------------------------------------------------
    async def _on_frame(self, conn, frame):
        try:
            msg = json.loads(frame)
        except ValueError:
            log.warning("malformed JSON from %s (%d bytes)", conn.peer, len(frame))
            return self.error(conn, None, "BAD_REQUEST", "the frame is not valid JSON")
        if not isinstance(msg, dict):
            return self.error(conn, None, "BAD_REQUEST", "a frame must be one JSON object")
        rid = msg.get("id")
        t = msg.get("type")
        if not isinstance(t, str):
            return self.error(conn, rid, "BAD_REQUEST", "the envelope needs a string 'type'", details={"field": "type"})
        if "v" in msg and msg["v"] != 1:
            return self.error(conn, rid, "BAD_REQUEST", f"v must be 1, not {msg['v']!r}", details={"field": "v"})
        if not isinstance(rid, str) or not 1 <= len(rid) <= 64:
            return self.error(conn, rid if isinstance(rid, str) else None, "BAD_REQUEST",
                              "every request needs an 'id' string of 1..64 characters", details={"field": "id"})
        handler = self.HANDLERS.get(t)
        if handler is None:
            return self.error(conn, rid, "UNSUPPORTED_TYPE", f"unknown request type '{t}'")
        if t in ("order.send", "order.status", "order.check"):
            # may take seconds (reconciliation): never block the connection's other requests
            task = asyncio.ensure_future(self._run(handler, conn, msg, rid, t))
            self._tasks.append(task)
            task.add_done_callback(lambda f: self._tasks.remove(f) if f in self._tasks else None)
            return
        await self._run(handler, conn, msg, rid, t)

    async def _run(self, handler, conn, msg, rid, t):
        try:
            await handler(self, conn, conn.session, msg)
        except Mt5CallFailed as e:
            retry = e.err[0] in retcodes.IPC_ERRORS
            self.error(conn, rid, "TERMINAL_DISCONNECTED" if retry else "MT5_ERROR",
                       f"{e.name}() failed: {e.err[1]}", retryable=retry, details={"last_error": list(e.err)})
        except (Closed, websockets.ConnectionClosed):
            return
        except Exception:                                  # noqa: BLE001
            log.exception("request %s (%s) failed", rid, t)
            self.error(conn, rid, "INTERNAL", f"the bridge failed on '{t}'; see its log")

    def resolve_symbol(self, requested):
        return symbols.resolve(requested, self.symbol_names, self.config.aliases)

    def _require_ipc(self, conn, rid):
        if not self.ipc_ok:
            self.error(conn, rid, "TERMINAL_DISCONNECTED", "the MetaTrader 5 terminal is not connected (IPC)",
                       retryable=True)
            return False
        return True

    async def _h_hello(self, conn, session, msg):
        self.error(conn, msg["id"], "BAD_REQUEST", "hello was already received on this connection")

    async def _h_ping(self, conn, session, msg):
        self.reply(conn, "pong", msg["id"], nonce=msg.get("nonce"))

    async def _h_subscribe(self, conn, session, msg):
        rid = msg["id"]
        streams = msg.get("streams")
        if not isinstance(streams, list) or not all(isinstance(s, dict) and isinstance(s.get("kind"), str)
                                                    and isinstance(s.get("symbol"), str) for s in streams):
            return self.error(conn, rid, "BAD_REQUEST", "streams must be a list of {kind, symbol, ...} objects",
                              details={"field": "streams"})
        for s in streams:
            if s.get("kind") == "bars":
                h, f, tf = _opt(s, "history", 0), _opt(s, "forming", False), _opt(s, "timeframe", "M1")
                if not (isinstance(h, int) and not isinstance(h, bool) and h >= 0) or not isinstance(f, bool) \
                        or not isinstance(tf, str):
                    return self.error(conn, rid, "BAD_REQUEST", "bars streams take timeframe (string), forming (bool)"
                                      " and history (integer >= 0)", details={"field": "streams"})
        if not self._require_ipc(conn, rid):
            return
        ok, errors, history = [], [], []
        for s in streams:
            kind, requested = s["kind"], s["symbol"]
            if kind not in ("ticks", "bars"):
                errors.append({"kind": kind, "requested": requested, "code": "UNSUPPORTED_TYPE",
                               "message": f"stream kind '{kind}' is not offered (ticks, bars)"})
                continue
            try:
                sym = self.resolve_symbol(requested)
            except symbols.Unknown as e:
                errors.append({"kind": kind, "requested": requested, "code": "UNKNOWN_SYMBOL", "message": str(e),
                               "suggestions": e.suggestions})
                continue
            tf_name = _opt(s, "timeframe", "M1") if kind == "bars" else None
            tf = self.enums.timeframe_value(tf_name) if kind == "bars" else None
            if kind == "bars" and tf is None:
                errors.append({"kind": kind, "requested": requested, "code": "UNSUPPORTED_TYPE",
                               "message": f"timeframe '{tf_name}' is not offered"})
                continue
            key = (kind, sym, tf_name)
            if key not in session.subs and len(session.subs) >= self.config.max_subscriptions:
                errors.append({"kind": kind, "requested": requested, "code": "BAD_REQUEST",
                               "message": f"over max_subscriptions ({self.config.max_subscriptions})"})
                continue

            def job(c, sym=sym, tf=tf, n=min(_opt(s, "history", 0), MAX_RATES) if kind == "bars" else 0):
                if not c.get("symbol_select", sym, True):
                    raise Mt5CallFailed("symbol_select", c.last)
                info = c.get("symbol_info", sym)
                tick = c.call("symbol_info_tick", sym)[0]
                bars = c.get("copy_rates_from_pos", sym, tf, 1, n) if n else []
                forming = c.get("copy_rates_from_pos", sym, tf, 0, 1) if tf is not None else []
                return info, tick, list(bars), (int(forming[0]["time"]) if len(forming) else 0)
            info, tick, bars, forming_time = await self.worker.run(job)
            item = {"kind": kind, "requested": requested, "symbol": sym, "digits": info.digits, "point": info.point}
            sub = session.subs.get(key)
            if sub is None:
                sub = Subscription(kind, sym, tf_name, bool(_opt(s, "forming", False)))
                sub.tf = tf
                sub.history_done = False
                session.subs[key] = sub
                if kind == "ticks" and sym not in self._tick_state and tick is not None:
                    # from the current quote on: the newest tick is sent once, then every later one
                    self._tick_state[sym] = [tick.time_msc, 0]
                    self.last_server_msc = max(self.last_server_msc, tick.time_msc)
            elif kind == "bars":
                sub.forming = bool(_opt(s, "forming", sub.forming))
            if kind == "bars":
                sent = 0
                if not sub.history_done:
                    # live closed bars start with the bar forming now; older ones only as history
                    sub.last_closed_sent = max(sub.last_closed_sent, forming_time - 1)
                    for r in bars:
                        if r["time"] < forming_time:
                            history.append(self._bar_event(sym, tf_name, r, True, history=True))
                            sent += 1
                sub.history_done = True      # a repeated subscribe sends no history again (no duplicate closed bars)
                item.update(timeframe=tf_name, history_sent=sent)
            ok.append(item)
        self.reply(conn, "subscribed", rid, streams=ok, errors=errors)
        for ev in history:
            session.emit(ev)

    async def _h_unsubscribe(self, conn, session, msg):
        rid = msg["id"]
        streams = msg.get("streams")
        if not isinstance(streams, list) or not all(isinstance(s, dict) and isinstance(s.get("kind"), str)
                                                    and isinstance(s.get("symbol"), str) for s in streams):
            return self.error(conn, rid, "BAD_REQUEST", "streams must be a list of {kind, symbol, ...} objects",
                              details={"field": "streams"})
        done, errors = [], []
        for s in streams:
            kind, requested = s["kind"], s["symbol"]
            try:
                sym = self.resolve_symbol(requested)
            except symbols.Unknown as e:
                errors.append({"kind": kind, "requested": requested, "code": "UNKNOWN_SYMBOL", "message": str(e)})
                continue
            tf = _opt(s, "timeframe", "M1") if kind == "bars" else None
            if session.subs.pop((kind, sym, tf), None) is None:
                errors.append({"kind": kind, "requested": requested, "code": "NOT_SUBSCRIBED",
                               "message": f"not subscribed to {kind} {sym}" + (f" {tf}" if tf else "")})
                continue
            item = {"kind": kind, "symbol": sym}
            if tf:
                item["timeframe"] = tf
            done.append(item)
        self.reply(conn, "unsubscribed", rid, streams=done, errors=errors)

    async def _h_symbols_list(self, conn, session, msg):
        rid = msg["id"]
        flt = msg.get("filter")
        if flt is not None and not isinstance(flt, str):
            return self.error(conn, rid, "BAD_REQUEST", "filter must be a glob string", details={"field": "filter"})
        if not self._require_ipc(conn, rid):
            return
        syms = await self.worker.run(lambda c: c.get("symbols_get"))
        self.symbol_names = [s.name for s in syms]
        items = [{"name": s.name, "description": s.description, "path": s.path, "visible": bool(s.visible)}
                 for s in syms if flt is None or fnmatch.fnmatchcase(s.name.upper(), flt.upper())]
        self.reply(conn, "symbols", rid, items=items)

    def _symbol_or_error(self, conn, rid, value, field="symbol"):
        if not isinstance(value, str):
            self.error(conn, rid, "BAD_REQUEST", f"{field} must be a string", details={"field": field})
            return None
        try:
            return self.resolve_symbol(value)
        except symbols.Unknown as e:
            self.error(conn, rid, "UNKNOWN_SYMBOL", str(e), details={"suggestions": e.suggestions})
            return None

    async def _h_symbol_get(self, conn, session, msg):
        rid = msg["id"]
        sym = self._symbol_or_error(conn, rid, msg.get("symbol"))
        if sym is None or not self._require_ipc(conn, rid):
            return
        info = await self.worker.run(lambda c: c.get("symbol_info", sym))
        self.reply(conn, "symbol", rid, info=self.enums.record("symbol", info))

    async def _h_history_rates(self, conn, session, msg):
        rid = msg["id"]
        sym = self._symbol_or_error(conn, rid, msg.get("symbol"))
        if sym is None:
            return
        tf_name = _opt(msg, "timeframe", "M1")
        tf = self.enums.timeframe_value(tf_name)
        if tf is None:
            return self.error(conn, rid, "BAD_REQUEST", f"timeframe {tf_name!r} is not an MT5 timeframe (M1..MN1)",
                              details={"field": "timeframe"})
        frm, to, count = msg.get("from"), msg.get("to"), msg.get("count")
        for name, v in (("from", frm), ("to", to), ("count", count)):
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
                return self.error(conn, rid, "BAD_REQUEST", f"{name} must be an integer >= 0 (server-clock epoch "
                                  "seconds for from/to)", details={"field": name})
        if frm is None and count is None:
            return self.error(conn, rid, "BAD_REQUEST", "give from (+ to or count) or count",
                              details={"field": "from"})
        if not self._require_ipc(conn, rid):
            return
        far = self.server_now_ms() // 1000 + 86400 * 7

        def job(c):
            if frm is None:
                rows = c.get("copy_rates_from_pos", sym, tf, 0, min(count, MAX_RATES * 20))
            else:
                rows = c.get("copy_rates_range", sym, tf, frm, to if to is not None else far)
                if count is not None:
                    rows = list(rows)[:count]
            latest = c.get("copy_rates_from_pos", sym, tf, 0, 1)
            return list(rows), (int(latest[0]["time"]) if len(latest) else None)
        rows, forming_time = await self.worker.run(job)
        page = rows[:MAX_RATES]
        items = [[int(r["time"]), float(r["open"]), float(r["high"]), float(r["low"]), float(r["close"]),
                  int(r["tick_volume"]), int(r["spread"]), int(r["real_volume"])] for r in page]
        fields = {"symbol": sym, "timeframe": tf_name, "items": items, "complete": len(rows) <= MAX_RATES}
        if len(rows) > MAX_RATES:
            fields["next_from"] = items[-1][0] + 1
        if items and items[-1][0] == forming_time and len(rows) <= MAX_RATES:
            fields["last_forming"] = True
        self.reply(conn, "rates", rid, **fields)

    async def _h_history_ticks(self, conn, session, msg):
        rid = msg["id"]
        sym = self._symbol_or_error(conn, rid, msg.get("symbol"))
        if sym is None:
            return
        frm, to, count = msg.get("from_msc"), msg.get("to_msc"), msg.get("count")
        for name, v in (("from_msc", frm), ("to_msc", to), ("count", count)):
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
                return self.error(conn, rid, "BAD_REQUEST", f"{name} must be an integer >= 0",
                                  details={"field": name})
        if frm is None:
            return self.error(conn, rid, "BAD_REQUEST", "history.ticks needs from_msc", details={"field": "from_msc"})
        flags_name = _opt(msg, "flags", "COPY_TICKS_ALL")
        flags = getattr(self.mt5, flags_name, None) if flags_name in ("COPY_TICKS_ALL", "COPY_TICKS_INFO",
                                                                        "COPY_TICKS_TRADE") else None
        if flags is None:
            return self.error(conn, rid, "BAD_REQUEST", "flags must be COPY_TICKS_ALL, _INFO or _TRADE",
                              details={"field": "flags"})
        if not self._require_ipc(conn, rid):
            return
        limit = min(count if count is not None else MAX_RATES, MAX_RATES)

        def job(c):
            if to is not None:
                rows = c.get("copy_ticks_range", sym, frm // 1000, to // 1000 + 1, flags)
            else:
                rows = c.get("copy_ticks_from", sym, frm // 1000, limit + 1000, flags)
            return [r for r in rows if r["time_msc"] >= frm and (to is None or r["time_msc"] <= to)]
        rows = await self.worker.run(job)
        more = len(rows) > limit and count is None or (to is not None and len(rows) > limit)
        page = rows[:limit]
        items = [[int(r["time_msc"]), float(r["bid"]), float(r["ask"]), float(r["last"]), int(r["volume"]),
                  float(r["volume_real"]), int(r["flags"])] for r in page]
        fields = {"symbol": sym, "items": items, "complete": not more}
        if more:
            fields["next_from_msc"] = items[-1][0] + 1
        self.reply(conn, "ticks.history", rid, **fields)

    async def _h_account_get(self, conn, session, msg):
        if not self._require_ipc(conn, msg["id"]):
            return
        acct = await self.worker.run(lambda c: c.get("account_info"))
        self.reply(conn, "account", msg["id"], info=self.enums.record("account", acct))

    async def _h_positions_get(self, conn, session, msg):
        if not self._require_ipc(conn, msg["id"]):
            return
        items = await self.worker.run(lambda c: c.get("positions_get"))
        self.reply(conn, "positions", msg["id"], snapshot=True,
                   items=[self.enums.record("position", p) for p in items])

    async def _h_orders_get(self, conn, session, msg):
        if not self._require_ipc(conn, msg["id"]):
            return
        items = await self.worker.run(lambda c: c.get("orders_get"))
        self.reply(conn, "orders", msg["id"], snapshot=True, items=[self.enums.record("order", o) for o in items])

    async def _h_history_deals(self, conn, session, msg):
        rid = msg["id"]
        frm, to, pos = msg.get("from"), msg.get("to"), msg.get("position")
        for name, v in (("from", frm), ("to", to)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                return self.error(conn, rid, "BAD_REQUEST", f"{name} must be server-clock epoch seconds (integer)",
                                  details={"field": name})
        if pos is not None and (not isinstance(pos, str) or not pos.isdigit()):
            return self.error(conn, rid, "BAD_REQUEST", "position must be a decimal string position id",
                              details={"field": "position"})
        if not self._require_ipc(conn, rid):
            return

        def job(c):
            if pos is not None:
                return [d for d in c.get("history_deals_get", position=int(pos)) if frm <= d.time <= to]
            return list(c.get("history_deals_get", frm, to))
        deals = await self.worker.run(job)
        self._reply_deals(conn, rid, deals)

    def _reply_deals(self, conn, rid, deals):
        """Sends `deals` in parts of at most MAX_DEALS_PER_MESSAGE (each under the 1 MiB frame cap), `complete` true
        on the last part (one empty part when there is none)."""
        at = 0
        while True:
            part = deals[at:at + MAX_DEALS_PER_MESSAGE]
            at += len(part)
            self.reply(conn, "deals", rid, items=[self.enums.record("deal", d) for d in part],
                       complete=at >= len(deals))
            if at >= len(deals):
                return

    async def _h_order_send(self, conn, session, msg):
        await self.desk.send(conn, session, msg)

    async def _h_order_status(self, conn, session, msg):
        await self.desk.status(conn, session, msg)

    async def _h_order_check(self, conn, session, msg):
        await self.desk.check(conn, msg)

    async def _h_resync(self, conn, session, msg):
        rid = msg["id"]
        since, deals_since, mode = msg.get("since_seq"), msg.get("deals_since_msc"), _opt(msg, "mode", "auto")
        if not isinstance(since, int) or isinstance(since, bool) or since < 0:
            return self.error(conn, rid, "BAD_REQUEST", "since_seq must be an integer >= 0",
                              details={"field": "since_seq"})
        if deals_since is not None and (not isinstance(deals_since, int) or isinstance(deals_since, bool)):
            return self.error(conn, rid, "BAD_REQUEST", "deals_since_msc must be an integer (server clock ms)",
                              details={"field": "deals_since_msc"})
        if mode not in ("auto", "snapshot"):
            return self.error(conn, rid, "BAD_REQUEST", "mode must be \"auto\" or \"snapshot\"",
                              details={"field": "mode"})
        if mode == "auto" and (since >= session.seq or session.covers(since)):
            events = session.replay_after(since)
            for ev in events:
                conn.send(ev)
            return self.reply(conn, "resynced", rid, mode="replay", replayed=len(events))
        if not self._require_ipc(conn, rid):
            return

        def job(c):
            acct = c.get("account_info")
            pos = c.get("positions_get")
            orders = c.get("orders_get")
            frm = (deals_since // 1000) if deals_since is not None else 0
            deals = c.get("history_deals_get", frm, self.server_now_ms() // 1000 + LOOKAHEAD_SEC)
            return acct, pos, orders, [d for d in deals if deals_since is None or d.time_msc >= deals_since]
        acct, pos, orders, deals = await self.worker.run(job)
        snap = "snap-%d" % session.seq
        as_of = session.seq
        self.reply(conn, "snapshot.begin", rid, snapshot_id=snap)
        self.reply(conn, "account", rid, info=self.enums.record("account", acct))
        self.reply(conn, "positions", rid, snapshot=True, items=[self.enums.record("position", p) for p in pos])
        self.reply(conn, "orders", rid, snapshot=True, items=[self.enums.record("order", o) for o in orders])
        self._reply_deals(conn, rid, deals)
        self.reply(conn, "snapshot.end", rid, snapshot_id=snap, as_of_seq=as_of)

    HANDLERS = {"hello": _h_hello, "ping": _h_ping, "subscribe": _h_subscribe, "unsubscribe": _h_unsubscribe,
                "symbols.list": _h_symbols_list, "symbol.get": _h_symbol_get, "history.rates": _h_history_rates,
                "history.ticks": _h_history_ticks, "account.get": _h_account_get,
                "positions.get": _h_positions_get, "orders.get": _h_orders_get, "history.deals": _h_history_deals,
                "order.send": _h_order_send, "order.status": _h_order_status, "order.check": _h_order_check,
                "resync": _h_resync}

    # ---- market data pollers -----------------------------------------------------------------------------------
    def _bar_event(self, sym, tf_name, r, closed, history=False):
        ev = {"type": "bar", "symbol": sym, "timeframe": tf_name, "time": int(r["time"]), "open": float(r["open"]),
              "high": float(r["high"]), "low": float(r["low"]), "close": float(r["close"]),
              "tick_volume": int(r["tick_volume"]), "spread": int(r["spread"]), "real_volume": int(r["real_volume"]),
              "closed": closed}
        if history:
            ev["history"] = True
        return ev

    def _subs(self, kind):
        out = {}
        for sess in self.sessions.values():
            for sub in sess.subs.values():
                if sub.kind == kind:
                    out.setdefault((sub.symbol, sub.timeframe), []).append((sess, sub))
        return out

    async def _market_loop(self):
        tick_every = self.config.tick_poll_ms / 1000.0
        bar_every = self.config.bar_poll_ms / 1000.0
        next_bars = 0.0
        while True:
            await asyncio.sleep(tick_every)
            if not self.ipc_ok:
                continue
            try:
                await self._poll_ticks()
                if time.monotonic() >= next_bars:
                    next_bars = time.monotonic() + bar_every
                    await self._poll_bars()
            except Mt5CallFailed as e:
                log.debug("market poll: %s", e)
            except Exception:                          # noqa: BLE001
                log.exception("market poll failed")

    async def _poll_ticks(self):
        subs = self._subs("ticks")
        if not subs:
            return
        wanted = {sym: list(self._tick_state.get(sym, [0, 0])) for sym, _ in subs}
        flags = self.mt5.COPY_TICKS_ALL

        def job(c):
            out = {}
            for sym, (last, _) in wanted.items():
                rows = c.get("copy_ticks_from", sym, int(last) // 1000, 1000, flags)
                out[sym] = [r for r in rows if r["time_msc"] >= last]
            return out
        got = await self.worker.run(job)
        for sym, rows in got.items():
            state = self._tick_state.setdefault(sym, [0, 0])
            last, n_at = state
            fresh = []
            seen_at_last = 0
            for r in rows:
                if r["time_msc"] == last:
                    seen_at_last += 1
                    if seen_at_last <= n_at:
                        continue
                fresh.append(r)
            if not fresh:
                continue
            new_last = int(fresh[-1]["time_msc"])     # numpy integers from the real package: plain int
            state[0] = new_last
            state[1] = sum(1 for r in rows if r["time_msc"] == new_last)
            self.last_server_msc = max(self.last_server_msc, new_last)
            for r in fresh:
                ev = {"type": "tick", "symbol": sym, "time_msc": int(r["time_msc"]), "bid": float(r["bid"]),
                      "ask": float(r["ask"]), "last": float(r["last"]), "volume": int(r["volume"]),
                      "volume_real": float(r["volume_real"]), "flags": int(r["flags"])}
                for sess, _ in subs.get((sym, None), []):
                    sess.emit_tick(ev)

    async def _poll_bars(self):
        subs = self._subs("bars")
        if not subs:
            return
        keys = {(sym, tf_name): self.enums.timeframe_value(tf_name) for sym, tf_name in subs}
        need = {k: min(sub.last_closed_sent for _, sub in subs[k]) for k in keys}

        def job(c):
            out = {}
            for (sym, tf_name), tf in keys.items():
                rows = list(c.get("copy_rates_from_pos", sym, tf, 0, 10))
                since = need[(sym, tf_name)]
                if rows and since > 0 and rows[0]["time"] > since + 1:     # a long gap (e.g. an IPC outage)
                    older = c.get("copy_rates_range", sym, tf, int(since) + 1, int(rows[0]["time"]) - 1)
                    rows = list(older) + rows
                out[(sym, tf_name)] = rows
            return out
        got = await self.worker.run(job)
        now = time.monotonic()
        for key, rows in got.items():
            if not rows:
                continue
            sym, tf_name = key
            st = self._bar_state.setdefault(key, {})
            forming = rows[-1]
            for r in rows[:-1]:                 # every bar before the newest is closed, its OHLC final
                ev = None
                for sess, sub in subs[key]:
                    if r["time"] > sub.last_closed_sent:
                        sub.last_closed_sent = int(r["time"])
                        ev = ev or self._bar_event(sym, tf_name, r, True)
                        sess.emit(ev)
            snapshot = tuple(forming)
            if st.get("forming") != snapshot and now - st.get("forming_mono", 0.0) >= 0.25:
                st["forming"], st["forming_mono"] = snapshot, now
                ev = self._bar_event(sym, tf_name, forming, False)
                for sess, sub in subs[key]:
                    if sub.forming and forming["time"] > sub.last_closed_sent:
                        sess.emit(ev)

    # ---- trade state poller (positions/orders every trade_poll_ms, deals, account, terminal) -------------------
    async def _trade_loop(self):
        while True:
            await asyncio.sleep(self.config.trade_poll_ms / 1000.0)
            if not self.ipc_ok:
                continue
            try:
                await self._poll_trade()
            except Mt5CallFailed as e:
                log.debug("trade poll: %s", e)
            except Exception:                          # noqa: BLE001
                log.exception("trade poll failed")

    async def _poll_trade(self):
        if not self._deal_from:
            # a week back: robust to a wrong configured offset; the first poll only fills the seen set
            self._deal_from = min(self.server_now_ms(), self.last_server_msc or 1 << 62) // 1000 - 7 * 86400
        deal_from = self._deal_from
        to = self.server_now_ms() // 1000 + LOOKAHEAD_SEC

        def job(c):
            term = c.get("terminal_info")
            acct = c.get("account_info")
            pos = c.get("positions_get")
            orders = c.get("orders_get")
            deals = c.get("history_deals_get", max(0, deal_from - 2), to)
            return term, acct, pos, orders, deals
        term, acct, pos, orders, deals = await self.worker.run(job)
        # terminal
        now_term = {"connected": bool(term.connected) and self.ipc_ok, "trade_allowed": bool(term.trade_allowed)}
        if now_term != self.terminal:
            self.terminal = now_term
            self.broadcast({"type": "terminal", **now_term})
        # positions
        cur = {p.ticket: p for p in pos}
        if self._positions is not None:
            for t, p in cur.items():
                old = self._positions.get(t)
                if old is None:
                    self.broadcast({"type": "position", "op": "add", "position": self.enums.record("position", p)})
                elif _differs(old, p, POSITION_PRICE_FIELDS):
                    self.broadcast({"type": "position", "op": "update",
                                    "position": self.enums.record("position", p)})
            for t, p in self._positions.items():
                if t not in cur:
                    self.broadcast({"type": "position", "op": "remove", "position": self.enums.record("position", p)})
        self._positions = cur
        # orders
        cur_o = {o.ticket: o for o in orders}
        if self._orders is not None:
            gone = [t for t in self._orders if t not in cur_o]
            finals = {}
            if gone:
                def hist(c):
                    out = {}
                    for t in gone:
                        h = c.call("history_orders_get", ticket=t)[0]
                        if h:
                            out[t] = h[0]
                    return out
                finals = await self.worker.run(hist)
            for t, o in cur_o.items():
                old = self._orders.get(t)
                if old is None:
                    self.broadcast({"type": "order", "op": "add", "order": self.enums.record("order", o)})
                elif _differs(old, o, ORDER_PRICE_FIELDS):
                    self.broadcast({"type": "order", "op": "update", "order": self.enums.record("order", o)})
            for t in gone:
                self.broadcast({"type": "order", "op": "remove",
                                "order": self.enums.record("order", finals.get(t, self._orders[t]))})
        self._orders = cur_o
        # deals (never dropped; a seen-ticket set over a sliding window)
        if self._deals_seen is None:
            self._deals_seen = {d.ticket for d in deals}
        else:
            for d in sorted((d for d in deals if d.ticket not in self._deals_seen), key=lambda d: (d.time_msc,
                                                                                                  d.ticket)):
                self._deals_seen.add(d.ticket)
                self.broadcast({"type": "deal", "deal": self.enums.record("deal", d),
                                "client_req_id": self._deal_owner(d)})
        if deals:
            self._deal_from = max(self._deal_from, max(d.time for d in deals))
            self.last_server_msc = max(self.last_server_msc, max(d.time_msc for d in deals))
        # account (partial pushes, at most 2/s)
        dyn = {k: getattr(acct, k) for k in ACCOUNT_DYNAMIC}
        if self._account_last is None:
            self._account_last = dyn
        elif time.monotonic() - self._account_push_mono >= self.config.account_push_ms / 1000.0:
            changed = {k: v for k, v in dyn.items() if self._account_last.get(k) != v}
            if changed:
                self._account_last = dyn
                self._account_push_mono = time.monotonic()
                self.broadcast({"type": "account", "partial": True, "info": changed})

    def _deal_owner(self, d):
        comment = d.comment or ""
        i = comment.rfind("|k:")
        if i >= 0:
            cid = self.store.by_tag(comment[i + 3:i + 9])
            if cid:
                return cid
        return self.desk.order_owner.get(str(d.order))

    async def _stall_loop(self):
        """A MetaTrader5 call that hangs blocks the worker (and every poll): say so instead of going quiet. The next
        trade poll after it returns reports the terminal's real state again."""
        limit = self.config.worker_stall_sec
        while True:
            await asyncio.sleep(min(1.0, limit / 4))
            since = self.worker.busy_since if self.worker else None
            if since is not None and time.monotonic() - since > limit and self.terminal["connected"]:
                log.warning("a MetaTrader5 call has been running for %.0f s; reporting the terminal as not connected",
                            time.monotonic() - since)
                self.terminal = dict(self.terminal, connected=False)
                self.broadcast({"type": "terminal", **self.terminal})

    async def _housekeeping_loop(self):
        while True:
            await asyncio.sleep(5.0)
            now = time.monotonic()
            for sid, s in list(self.sessions.items()):
                if s.conn is None and s.detached_at is not None and now - s.detached_at > self.config.session_keep_sec:
                    del self.sessions[sid]
            if self._deals_seen is not None and len(self._deals_seen) > 100000:
                self._deals_seen = set(sorted(self._deals_seen)[-50000:])


def _opt(d, key, default):
    """An optional field: absent and null both mean "not given" (mt5b §2)."""
    v = d.get(key)
    return default if v is None else v


def _request_id(frame):
    """The id of a request frame, if it can be read (so even a refused request gets a reply with `re`)."""
    try:
        msg = json.loads(frame)
    except (ValueError, TypeError):
        return None
    rid = msg.get("id") if isinstance(msg, dict) else None
    return rid if isinstance(rid, str) else None


def _differs(old, new, ignore):
    return any(getattr(old, f) != getattr(new, f) for f in old._fields if f not in ignore)
