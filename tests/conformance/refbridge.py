#!/usr/bin/python3
"""A small reference mt5b v1 bridge over a synthetic market, used to test the conformance suite and schemaproxy.py
themselves (it is not a product bridge: the simulator and the Python bridge are). Hedging account only; pending
orders are placed/modified/removed but never triggered; SL/TP are checked on every tick.

  refbridge.py --port 0 --token T [--heartbeat 1] [--state-dir DIR] [--suffix .m] [--faults drop-reply=1,requote=1]
               [--tls-cert PEM --tls-key PEM]
Prints `listening ws://127.0.0.1:PORT` first. The market clock runs at 100x real time (an M1 bar every 0.6 s).
"""
import argparse
import asyncio
import collections
import hashlib
import hmac
import json
import math
import os
import random
import sys
import time

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mt5bschema import SchemaSet  # noqa: E402

SUFFIXES = ["-ECN", ".sim", ".fx", ".m", ".s", "m", "."]
RETCODES = {10004: ("REQUOTE", "RETRY_REPRICE"), 10008: ("PLACED", "SUCCESS"), 10009: ("DONE", "SUCCESS"),
            10013: ("INVALID", "REJECT_REQUEST"), 10014: ("INVALID_VOLUME", "REJECT_REQUEST"),
            10015: ("INVALID_PRICE", "REJECT_REQUEST"), 10016: ("INVALID_STOPS", "REJECT_REQUEST"),
            10017: ("TRADE_DISABLED", "REJECT_STATE"), 10019: ("NO_MONEY", "REJECT_STATE"),
            10025: ("NO_CHANGES", "SUCCESS"), 10036: ("POSITION_CLOSED", "STATE_CONFLICT"),
            10038: ("INVALID_CLOSE_VOLUME", "REJECT_REQUEST"), 10031: ("CONNECTION", "RETRY_BACKOFF")}
STATUS = {10008: "placed", 10009: "done", 10025: "no_change"}
START_SEC = 1704153600          # 2024-01-02 00:00 server clock (UTC, offset 0)
TICK_REAL_MS = 50
SIM_PER_REAL = 100


def now_ms():
    return int(time.time() * 1000)


def base_of(name):
    for s in SUFFIXES:
        if len(name) > len(s) and name.lower().endswith(s.lower()):
            return name[:-len(s)].upper()
    return name.upper()


def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def tag_of(crid):
    import base64
    return base64.b32encode(hashlib.sha256(crid.encode()).digest()).decode()[:6]


class Symbol:
    def __init__(self, name, price, digits, mode="SYMBOL_TRADE_MODE_FULL", seed=1):
        self.name, self.digits, self.point, self.mode = name, digits, 10 ** -digits, mode
        self.rng = random.Random(seed)
        self.bid = price
        self.spread = 10
        self.bars = []           # closed M1 rows
        self.forming = None      # [time, o, h, l, c, tick_volume]
        t = START_SEC - 200 * 60
        for _ in range(200):
            o = self.bid
            self.walk()
            self.bars.append([t, o, max(o, self.bid), min(o, self.bid), self.bid, 10, self.spread, 0])
            t += 60

    @property
    def ask(self):
        return round(self.bid + self.spread * self.point, self.digits)

    def walk(self):
        self.bid = round(self.bid + self.rng.choice((-3, -1, 1, 3)) * self.point, self.digits)

    def info(self):
        return {"name": self.name, "digits": self.digits, "point": self.point, "trade_tick_size": self.point,
                "trade_tick_value": 1.0, "trade_tick_value_profit": 1.0, "trade_tick_value_loss": 1.0,
                "trade_contract_size": 100000.0, "volume_min": 0.01, "volume_max": 100.0, "volume_step": 0.01,
                "trade_stops_level": 10, "trade_freeze_level": 0, "trade_mode": self.mode,
                "trade_exemode": "SYMBOL_TRADE_EXECUTION_MARKET", "filling_mode": 3, "order_mode": 127,
                "expiration_mode": 15, "currency_base": self.name[:3], "currency_profit": "USD",
                "currency_margin": self.name[:3], "spread": self.spread, "bid": self.bid, "ask": self.ask,
                "description": self.name, "path": "Forex\\" + self.name, "visible": True}


class Session:
    def __init__(self, sid):
        self.id = sid
        self.seq = 0
        self.ring = collections.deque(maxlen=50000)
        self.conn = None
        self.subs = set()        # ("ticks", sym) / ("bars", sym, forming)
        self.left_at = None
        self.last_forming = {}

    def emit(self, msg, re=None):
        self.seq += 1
        msg = dict({"v": 1, "seq": self.seq, "ts": now_ms()}, **msg)
        if re is not None and msg["type"] in ("order.result", "sim.state"):
            self.ring.append(dict(msg))
            msg["re"] = re
        else:
            self.ring.append(msg)
        if self.conn:
            self.conn.out(msg)


class Conn:
    def __init__(self, ws):
        self.ws = ws
        self.queue = asyncio.Queue()
        self.frames = collections.deque()
        self.session = None

    def out(self, msg):
        self.queue.put_nowait(json.dumps(msg, separators=(",", ":")))

    def reply(self, re, type_, **fields):
        self.out(dict({"v": 1, "type": type_, "re": re, "ts": now_ms()}, **fields))

    def error(self, re, code, message, fatal=False, **extra):
        msg = {"v": 1, "type": "error", "ts": now_ms(), "code": code, "message": message,
               "retryable": code in ("RATE_LIMITED", "TERMINAL_DISCONNECTED"), "fatal": fatal}
        if re is not None:
            msg["re"] = re
        msg.update(extra)
        self.out(msg)

    async def writer(self):
        while True:
            text = await self.queue.get()
            if text is None:
                return
            await self.ws.send(text)


class Bridge:
    def __init__(self, args):
        self.args = args
        self.token = args.token.encode()
        self.schemas = SchemaSet()
        self.sessions = {}
        self.symbols = {s.name: s for s in (Symbol("EURUSD" + args.suffix, 1.10000, 5, seed=1),
                                            Symbol("USDCHF" + args.suffix, 0.88000, 5, seed=2),
                                            Symbol("GBPUSD" + args.suffix, 1.27000, 5, seed=3),
                                            Symbol("XAGUSD" + args.suffix, 23.500, 3, "SYMBOL_TRADE_MODE_DISABLED",
                                                   seed=4))}
        self.sim_ms = START_SEC * 1000
        self.terminal_connected = True
        self.playing, self.speed = True, float(SIM_PER_REAL)
        self.ticket = 1000000
        self.balance = 10000.0
        self.positions, self.orders, self.deals = {}, {}, []
        self.faults = dict(f.split("=") for f in args.faults.split(",") if f) if args.faults else {}
        self.idem_path = os.path.join(args.state_dir, "idempotency.jsonl") if args.state_dir else None
        self.idem = {}
        if self.idem_path and os.path.exists(self.idem_path):
            with open(self.idem_path, encoding="utf-8") as f:
                for line in f:
                    rec = json.loads(line)
                    self.idem[rec["client_req_id"]] = rec

    # --- plumbing --------------------------------------------------------------------------------------------
    def next_ticket(self):
        self.ticket += 1
        return str(self.ticket)

    def broadcast(self, msg):
        for s in self.sessions.values():
            if s.left_at is None or s.conn is not None:
                s.emit(dict(msg))

    def resolve(self, requested):
        by_lower = {n.lower(): n for n in self.symbols}
        if requested.lower() in by_lower:
            return by_lower[requested.lower()], None
        matches = [n for n in self.symbols if base_of(n) == base_of(requested)]
        if len(matches) == 1:
            return matches[0], None
        ranked = sorted(self.symbols, key=lambda n: (edit_distance(base_of(n), base_of(requested)), n))
        return None, ranked[:5]

    async def serve(self):
        kwargs = dict(subprotocols=["mt5b.v1"], max_size=1048576, ping_interval=None)
        scheme = "ws"
        if self.args.tls_cert:
            import ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.args.tls_cert, self.args.tls_key)
            kwargs["ssl"], scheme = context, "wss"
        async with websockets.serve(self.handle, "127.0.0.1", self.args.port, **kwargs) as server:
            print(f"listening {scheme}://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            import signal
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            tasks = [asyncio.create_task(self.market())]
            if self.faults.get("terminal-off"):
                tasks.append(asyncio.create_task(self.terminal_episodes(float(self.faults["terminal-off"]))))
            await stop.wait()
            for t in tasks:
                t.cancel()

    async def terminal_episodes(self, every_sec):
        """terminal-off=SEC: every SEC a 1 s terminal disconnect (orders answer 10031 meanwhile)."""
        while True:
            await asyncio.sleep(every_sec)
            for connected in (False, True):
                self.terminal_connected = connected
                self.broadcast({"type": "terminal", "connected": connected, "trade_allowed": True})
                if not connected:
                    await asyncio.sleep(1.0)

    async def handle(self, ws, path="/"):
        conn = Conn(ws)
        writer = asyncio.create_task(conn.writer())
        hb = None
        try:
            try:
                first = await asyncio.wait_for(ws.recv(), 5)
            except asyncio.TimeoutError:
                await ws.close(4001, "no hello within 5 s")
                return
            if isinstance(first, bytes):
                await ws.close(1003, "binary frame")
                return
            if not await self.hello(conn, first):
                return
            hb = asyncio.create_task(self.heartbeats(conn))
            async for frame in ws:
                if isinstance(frame, bytes):
                    await self.flush(conn)
                    await ws.close(1003, "binary frame")
                    return
                if not await self.admit(conn):
                    return
                self.dispatch(conn, frame)
        except websockets.ConnectionClosed:
            pass
        finally:
            if hb:
                hb.cancel()
            if conn.session and conn.session.conn is conn:
                conn.session.conn = None
                conn.session.left_at = time.monotonic()
            conn.queue.put_nowait(None)
            try:
                await asyncio.wait_for(writer, 2)
            except (asyncio.TimeoutError, websockets.ConnectionClosed):
                writer.cancel()

    async def flush(self, conn):
        for _ in range(50):
            if conn.queue.empty():
                return
            await asyncio.sleep(0.01)

    async def admit(self, conn):
        t = time.monotonic()
        conn.frames.append(t)
        while conn.frames and t - conn.frames[0] > 1.0:
            conn.frames.popleft()
        limit = self.args.rate_limit
        if len(conn.frames) > 10 * limit:
            await self.flush(conn)
            await conn.ws.close(1008, "flood")
            return False
        conn.limited = len(conn.frames) > limit
        if conn.limited:
            conn.retry_after = max(1, int((1.0 - (t - conn.frames[len(conn.frames) - limit - 1])) * 1000))
        return True

    async def hello(self, conn, frame):
        try:
            msg = json.loads(frame)
        except ValueError:
            msg = None
        rid = msg.get("id") if isinstance(msg, dict) and isinstance(msg.get("id"), str) else None
        ok = isinstance(msg, dict) and msg.get("type") == "hello" and not self.schemas.validate(msg, "client")
        if not ok or not hmac.compare_digest(hashlib.sha256(str(msg.get("token")).encode()).digest(),
                                             hashlib.sha256(self.token).digest()):
            conn.error(rid, "AUTH_FAILED", "authentication failed: send hello with the bridge's token first",
                       fatal=True)
            await self.flush(conn)
            await conn.ws.close(4003, "authentication failed")
            return False
        proto = msg["protocol"]
        if not proto["min"] <= 1 <= proto["max"]:
            conn.error(rid, "UNSUPPORTED_VERSION", "this bridge speaks mt5b v1 only", fatal=True)
            await self.flush(conn)
            await conn.ws.close(4002, "unsupported version")
            return False
        resume = msg.get("resume") or {}
        session = self.sessions.get(resume.get("session_id"))
        resumed = False
        if session is not None:
            last = resume["last_seq"]
            covered = last >= session.seq or (session.ring and session.ring[0]["seq"] <= last + 1) or \
                (not session.ring and last == session.seq)
            resumed = bool(covered) and last <= session.seq
        if not resumed:
            session = Session("s-" + os.urandom(6).hex())
            self.sessions[session.id] = session
        elif session.conn is not None:
            old = session.conn
            session.conn = None
            asyncio.create_task(old.ws.close(4005, "session resumed on another connection"))
        conn.session = session
        conn.out({"v": 1, "type": "welcome", "re": rid, "seq": 0, "ts": now_ms(), "session_id": session.id,
                  "resumed": resumed, "protocol": {"major": 1, "minor": 0},
                  "bridge": {"kind": self.args.kind, "name": "refbridge", "version": "1"},
                  "terminal": {"connected": True, "trade_allowed": True},
                  "account": {"login": "1000001", "margin_mode": "ACCOUNT_MARGIN_MODE_RETAIL_HEDGING",
                              "currency": "USD", "trade_mode": "ACCOUNT_TRADE_MODE_DEMO", "trade_allowed": True,
                              "trade_expert": True},
                  "clock": {"server_utc_offset_sec": 0, "offset_source": "dataset"},
                  "capabilities": ["ticks", "bars", "history.rates", "history.deals", "order.check", "resume",
                                   "deal_events"] + (["sim.control"] if self.args.kind == "simulator" else []),
                  "limits": {"max_subscriptions": 200, "max_requests_per_sec": self.args.rate_limit,
                             "tick_conflation_ms": 0, "max_frame_bytes": 1048576, "max_rates_per_message": 50000},
                  "heartbeat_sec": self.args.heartbeat})
        if resumed:
            for ev in list(session.ring):
                if ev["seq"] > resume["last_seq"]:
                    conn.out(dict(ev, replay=True))
        session.conn, session.left_at = conn, None
        return True

    async def heartbeats(self, conn):
        while True:
            await asyncio.sleep(self.args.heartbeat)
            conn.session.emit({"type": "heartbeat", "terminal": {"connected": self.terminal_connected,
                                                                 "trade_allowed": True},
                               "server_time_msc": self.sim_ms, "server_utc_offset_sec": 0,
                               "offset_source": "dataset"})

    # --- requests --------------------------------------------------------------------------------------------
    def dispatch(self, conn, frame):
        try:
            msg = json.loads(frame)
        except ValueError as e:
            return conn.error(None, "BAD_REQUEST", f"frame is not JSON: {e}")
        rid = msg.get("id") if isinstance(msg, dict) and isinstance(msg.get("id"), str) else None
        if getattr(conn, "limited", False):
            return conn.error(rid, "RATE_LIMITED", "over max_requests_per_sec", retry_after_ms=conn.retry_after)
        if not isinstance(msg, dict) or msg.get("v") != 1 or not isinstance(msg.get("type"), str) or rid is None:
            return conn.error(rid, "BAD_REQUEST", "a request is a JSON object with v:1, a string type and id")
        handler = getattr(self, "on_" + msg["type"].replace(".", "_"), None)
        if handler is None or msg["type"] not in self.schemas.types("client") or \
                (msg["type"] == "sim.control" and self.args.kind != "simulator"):
            return conn.error(rid, "UNSUPPORTED_TYPE", f"unknown request type {msg['type']!r}")
        problems = self.schemas.validate(msg, "client")
        if problems:
            return conn.error(rid, "BAD_REQUEST", problems[0])
        handler(conn, rid, msg)

    def on_hello(self, conn, rid, msg):
        conn.error(rid, "BAD_REQUEST", "already authenticated")

    def on_ping(self, conn, rid, msg):
        conn.reply(rid, "pong", **({"nonce": msg["nonce"]} if "nonce" in msg else {}))

    def on_symbols_list(self, conn, rid, msg):
        conn.reply(rid, "symbols", items=[{"name": n, "description": n, "path": "Forex\\" + n, "visible": True}
                                          for n in self.symbols])

    def on_symbol_get(self, conn, rid, msg):
        name, suggestions = self.resolve(msg["symbol"])
        if name is None:
            return conn.error(rid, "UNKNOWN_SYMBOL", f"no symbol {msg['symbol']!r}",
                              details={"suggestions": suggestions})
        conn.reply(rid, "symbol", info=self.symbols[name].info())

    def on_subscribe(self, conn, rid, msg):
        streams, errors, pending = [], [], []
        for st in msg["streams"]:
            name, suggestions = self.resolve(st["symbol"])
            if st["kind"] not in ("ticks", "bars") or (st.get("timeframe") or "M1") != "M1":
                errors.append({"kind": st["kind"], "requested": st["symbol"], "code": "UNSUPPORTED_TYPE",
                               "message": "ticks and M1 bars only"})
                continue
            if name is None:
                errors.append({"kind": st["kind"], "requested": st["symbol"], "code": "UNKNOWN_SYMBOL",
                               "message": f"no symbol {st['symbol']!r}", "suggestions": suggestions})
                continue
            sym = self.symbols[name]
            item = {"kind": st["kind"], "requested": st["symbol"], "symbol": name, "digits": sym.digits,
                    "point": sym.point}
            if st["kind"] == "ticks":
                conn.session.subs.add(("ticks", name))
            else:
                conn.session.subs.add(("bars", name, bool(st.get("forming"))))
                history = sym.bars[-(st.get("history") or 0):] if st.get("history") else []
                item.update(timeframe="M1", history_sent=len(history))
                pending += [self.bar_msg(name, row, True, history=True) for row in history]
            streams.append(item)
        conn.reply(rid, "subscribed", streams=streams, errors=errors)
        for ev in pending:
            conn.session.emit(ev)

    def on_unsubscribe(self, conn, rid, msg):
        done, errors = [], []
        for st in msg["streams"]:
            name, _ = self.resolve(st["symbol"])
            keys = [k for k in conn.session.subs if k[0] == st["kind"] and k[1] == name]
            if not keys:
                errors.append({"kind": st["kind"], "requested": st["symbol"], "code": "NOT_SUBSCRIBED",
                               "message": "not subscribed"})
                continue
            conn.session.subs.difference_update(keys)
            done.append({"kind": st["kind"], "symbol": name})
        conn.reply(rid, "unsubscribed", streams=done, errors=errors)

    def on_history_rates(self, conn, rid, msg):
        name, suggestions = self.resolve(msg["symbol"])
        if name is None:
            return conn.error(rid, "UNKNOWN_SYMBOL", "unknown symbol", details={"suggestions": suggestions})
        rows = self.symbols[name].bars
        if msg.get("from") is not None:
            rows = [r for r in rows if r[0] >= msg["from"] and (msg.get("to") is None or r[0] <= msg["to"])]
            rows = rows[:msg["count"]] if msg.get("count") else rows
        else:
            rows = rows[-msg["count"]:]
        conn.reply(rid, "rates", symbol=name, timeframe="M1", items=rows, complete=True)

    def account_info(self):
        profit = sum(p["profit"] for p in self.positions.values())
        margin = sum(p["volume"] * 100000 * p["price_open"] / 100 for p in self.positions.values())
        equity = self.balance + profit
        return {"login": "1000001", "currency": "USD", "balance": self.balance, "equity": equity,
                "margin": margin, "margin_free": equity - margin,
                "margin_level": equity / margin * 100 if margin else 0.0, "profit": profit, "leverage": 100,
                "margin_mode": "ACCOUNT_MARGIN_MODE_RETAIL_HEDGING", "trade_mode": "ACCOUNT_TRADE_MODE_DEMO",
                "trade_allowed": True, "trade_expert": True}

    def on_account_get(self, conn, rid, msg):
        conn.reply(rid, "account", info=self.account_info())

    def on_positions_get(self, conn, rid, msg):
        conn.reply(rid, "positions", snapshot=True, items=list(self.positions.values()))

    def on_orders_get(self, conn, rid, msg):
        conn.reply(rid, "orders", snapshot=True, items=list(self.orders.values()))

    def on_history_deals(self, conn, rid, msg):
        conn.reply(rid, "deals", items=[d for d in self.deals if msg["from"] <= d["time"] <= msg["to"] and
                                        msg.get("position") in (None, d["position_id"])])

    def on_resync(self, conn, rid, msg):
        s = conn.session
        since = msg["since_seq"]
        if msg.get("mode") != "snapshot" and (since >= s.seq or (s.ring and s.ring[0]["seq"] <= since + 1)):
            replay = [dict(ev, replay=True) for ev in s.ring if ev["seq"] > since]
            for ev in replay:
                conn.out(ev)
            return conn.reply(rid, "resynced", mode="replay", replayed=len(replay))
        snap = "snap-" + os.urandom(3).hex()
        conn.reply(rid, "snapshot.begin", snapshot_id=snap)
        conn.reply(rid, "account", info=self.account_info())
        conn.reply(rid, "positions", snapshot=True, items=list(self.positions.values()))
        conn.reply(rid, "orders", snapshot=True, items=list(self.orders.values()))
        conn.reply(rid, "deals", items=[d for d in self.deals if d["time_msc"] >= (msg.get("deals_since_msc") or 0)])
        conn.reply(rid, "snapshot.end", snapshot_id=snap, as_of_seq=s.seq)

    def on_sim_control(self, conn, rid, msg):
        cmd = msg["cmd"]
        if cmd == "play":
            self.playing = True
        elif cmd == "pause":
            self.playing = False
        elif cmd == "speed":
            self.speed = msg["x"]
        elif cmd == "seek":
            self.sim_ms = msg["time_msc"]
        state = {"type": "sim.state", "playing": self.playing, "speed": self.speed, "time_msc": self.sim_ms,
                 "symbols": list(self.symbols)}
        conn.session.emit(dict(state), re=rid)

    # --- trading ---------------------------------------------------------------------------------------------
    def on_order_status(self, conn, rid, msg):
        rec = self.idem.get(msg["client_req_id"])
        if rec is None:
            return conn.reply(rid, "order.ack", client_req_id=msg["client_req_id"], state="not_found")
        conn.session.emit(dict(rec["result"], dedup=True), re=rid)

    def on_order_check(self, conn, rid, msg):
        retcode, _ = self.check(msg["request"])
        acc = self.account_info()
        conn.reply(rid, "order.check_result", retcode=retcode, balance=acc["balance"], equity=acc["equity"],
                   profit=acc["profit"], margin=acc["margin"], margin_free=acc["margin_free"],
                   margin_level=acc["margin_level"], comment="Done" if retcode == 0 else "rejected")

    def on_order_send(self, conn, rid, msg):
        crid, request = msg["client_req_id"], msg["request"]
        canonical = json.dumps({k: v for k, v in request.items() if v is not None}, sort_keys=True,
                               separators=(",", ":"))
        h = hashlib.sha256(canonical.encode()).hexdigest()
        rec = self.idem.get(crid)
        if rec is not None:
            if rec["request_hash"] != h:
                return conn.error(rid, "IDEMPOTENCY_CONFLICT", f"client_req_id {crid} was used for another request",
                                  details={"client_req_id": crid})
            return conn.session.emit(dict(rec["result"], dedup=True), re=rid)
        if request["action"] == "TRADE_ACTION_DEAL" and (msg.get("options") or {}).get("intent") == "close" \
                and not request.get("position"):
            return conn.error(rid, "BAD_REQUEST", "a close on a hedging account needs request.position")
        t0 = time.monotonic()
        if self.faults.get("requote") == "1":
            retcode, result = 10004, self.result(10004, request)
        elif self.faults.get("connection") == "1" or not self.terminal_connected:
            retcode, result = 10031, self.result(10031, request)
        elif self.faults.get("lost-request") == "1":
            retcode, result = 10012, self.result(10012, request)
        else:
            retcode, result = self.execute(request, crid)
        reconciled = None
        if self.faults.get("drop-reply") == "1":
            found = [d for d in self.deals if d["comment"].endswith("|k:" + tag_of(crid))]
            reconciled = True
            if found:
                result = self.result(10009, request, deal=found[0]["ticket"], order=found[0]["order"],
                                     volume=found[0]["volume"], price=found[0]["price"],
                                     position=found[0]["position_id"])
                retcode = 10009
        name, cls = RETCODES.get(retcode, ("UNKNOWN", "UNKNOWN"))
        if retcode == 10012:   # lost: the tag is not in the history, so nothing executed
            name, cls, reconciled = "TIMEOUT", "RECONCILED_NOT_EXECUTED", True
        out = {"type": "order.result", "client_req_id": crid, "status": STATUS.get(retcode, "rejected"),
               "dedup": False, "retcode": retcode, "retcode_name": "TRADE_RETCODE_" + name, "class": cls,
               "retryable": cls in ("RETRY_REPRICE", "RETRY_BACKOFF"), "result": result,
               "position_id": result.pop("_position", None), "filling_used": "ORDER_FILLING_FOK"
               if retcode in (10008, 10009) else None, "attempts": 1,
               "latency_ms": int((time.monotonic() - t0) * 1000)}
        if reconciled:
            out.update(reconciled=True, match="tag")
        rec = {"client_req_id": crid, "request_hash": h, "state": "final", "result": out, "send_time": now_ms()}
        self.idem[crid] = rec
        if self.idem_path:
            with open(self.idem_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(rec) + "\n")
        conn.session.emit(dict(out), re=rid)

    def result(self, retcode, request, deal="0", order="0", volume=0.0, price=0.0, position=None):
        sym = self.symbols.get(request.get("symbol") or "")
        r = {"retcode": retcode, "deal": deal, "order": order, "volume": volume, "price": price,
             "bid": sym.bid if sym else 0.0, "ask": sym.ask if sym else 0.0,
             "comment": "Request executed" if retcode in (10008, 10009) else RETCODES.get(retcode, ("?",))[0],
             "request_id": 1, "retcode_external": 0}
        if position:
            r["_position"] = position
        return r

    def check(self, req):
        """MT5-style validation: (retcode or 0, resolved symbol)."""
        pos = self.positions.get(req.get("position") or "")
        name = None
        if req.get("symbol"):
            name, _ = self.resolve(req["symbol"])
            if name is None:
                return 10013, None
        elif pos:
            name = pos["symbol"]
        action = req["action"]
        sym = self.symbols.get(name) if name else None
        if action in ("TRADE_ACTION_DEAL", "TRADE_ACTION_PENDING"):
            if sym is None:
                return 10013, None
            if sym.mode == "SYMBOL_TRADE_MODE_DISABLED":
                return 10017, sym
            v = req["volume"]
            if v < 0.01 - 1e-9 or v > 100 + 1e-9 or abs(v / 0.01 - round(v / 0.01)) > 1e-6:
                return 10014, sym
            if req.get("position"):
                if pos is None:
                    return 10036, sym
                if v > pos["volume"] + 1e-9:
                    return 10038, sym
                return 0, sym
            if action == "TRADE_ACTION_DEAL":
                margin = self.account_info()["margin"] + v * 100000 * sym.ask / 100
                if margin > self.account_info()["equity"]:
                    return 10019, sym
            else:
                price, buy = req["price"], req["type"].startswith("ORDER_TYPE_BUY")
                limit = "LIMIT" in req["type"]
                ref = sym.ask if buy else sym.bid
                if (buy == limit and price > ref - 10 * sym.point) or (buy != limit and price < ref + 10 * sym.point):
                    return 10015, sym
        if action == "TRADE_ACTION_SLTP":
            if pos is None:
                return 10013, None
            sym = self.symbols[pos["symbol"]]
            sl, tp = req.get("sl") or 0.0, req.get("tp") or 0.0
            lvl = 10 * sym.point
            if pos["type"] == "POSITION_TYPE_BUY":
                bad = (sl and sl > sym.bid - lvl) or (tp and tp < sym.bid + lvl)
            else:
                bad = (sl and sl < sym.ask + lvl) or (tp and tp > sym.ask - lvl)
            if bad:
                return 10016, sym
        if action in ("TRADE_ACTION_MODIFY", "TRADE_ACTION_REMOVE") and req["order"] not in self.orders:
            return 10013, None
        if action == "TRADE_ACTION_CLOSE_BY":
            by = self.positions.get(req["position_by"])
            if pos is None or by is None or pos["type"] == by["type"] or pos["symbol"] != by["symbol"]:
                return 10013, None
        return 0, sym

    def execute(self, req, crid):
        retcode, sym = self.check(req)
        if retcode:
            return retcode, self.result(retcode, req)
        action, comment = req["action"], (req.get("comment") or "")[:22] + "|k:" + tag_of(crid)
        if action == "TRADE_ACTION_DEAL":
            buy = req["type"] == "ORDER_TYPE_BUY"
            price = sym.ask if buy else sym.bid
            order = self.next_ticket()
            pos = self.positions.get(req.get("position") or "")
            if pos:
                deal = self.close(pos, req["volume"], price, "DEAL_REASON_EXPERT", crid, order, comment)
                return 10009, self.result(10009, req, deal, order, req["volume"], price, pos["identifier"])
            p = {"ticket": order, "identifier": order, "symbol": sym.name,
                 "type": "POSITION_TYPE_BUY" if buy else "POSITION_TYPE_SELL", "volume": req["volume"],
                 "price_open": price, "sl": req.get("sl") or 0.0, "tp": req.get("tp") or 0.0, "price_current": price,
                 "profit": 0.0, "magic": req.get("magic") or 0, "time_msc": self.sim_ms, "time": self.sim_ms // 1000,
                 "swap": 0.0, "comment": comment, "reason": "POSITION_REASON_EXPERT"}
            self.positions[order] = p
            deal = self.add_deal(order, sym.name, "DEAL_TYPE_BUY" if buy else "DEAL_TYPE_SELL", "DEAL_ENTRY_IN",
                                 req["volume"], price, order, p["magic"], "DEAL_REASON_EXPERT", 0.0, comment, crid)
            self.broadcast({"type": "position", "op": "add", "position": dict(p)})
            return 10009, self.result(10009, req, deal, order, req["volume"], price, order)
        if action == "TRADE_ACTION_PENDING":
            t = self.next_ticket()
            o = {"ticket": t, "symbol": sym.name, "type": req["type"], "state": "ORDER_STATE_PLACED",
                 "volume_initial": req["volume"], "volume_current": req["volume"], "price_open": req["price"],
                 "sl": req.get("sl") or 0.0, "tp": req.get("tp") or 0.0, "magic": req.get("magic") or 0,
                 "time_setup_msc": self.sim_ms, "type_time": req.get("type_time") or "ORDER_TIME_GTC",
                 "type_filling": "ORDER_FILLING_RETURN", "comment": comment}
            self.orders[t] = o
            self.broadcast({"type": "order", "op": "add", "order": dict(o)})
            return 10008, self.result(10008, req, order=t, volume=req["volume"], price=req["price"])
        if action == "TRADE_ACTION_SLTP":
            p = self.positions[req["position"]]
            if (p["sl"], p["tp"]) == (req.get("sl") or 0.0, req.get("tp") or 0.0):
                return 10025, self.result(10025, req)
            p.update(sl=req.get("sl") or 0.0, tp=req.get("tp") or 0.0)
            self.broadcast({"type": "position", "op": "update", "position": dict(p)})
            return 10009, self.result(10009, req, position=p["identifier"])
        if action == "TRADE_ACTION_MODIFY":
            o = self.orders[req["order"]]
            o.update(price_open=req["price"], sl=req.get("sl") or o["sl"], tp=req.get("tp") or o["tp"])
            self.broadcast({"type": "order", "op": "update", "order": dict(o)})
            return 10009, self.result(10009, req, order=o["ticket"])
        if action == "TRADE_ACTION_REMOVE":
            o = self.orders.pop(req["order"])
            o["state"] = "ORDER_STATE_CANCELED"
            self.broadcast({"type": "order", "op": "remove", "order": dict(o)})
            return 10009, self.result(10009, req, order=o["ticket"])
        pos, by = self.positions[req["position"]], self.positions[req["position_by"]]
        volume = min(pos["volume"], by["volume"])
        order = self.next_ticket()
        deal = self.close(pos, volume, by["price_open"], "DEAL_REASON_EXPERT", crid, order, comment, "DEAL_ENTRY_OUT_BY")
        self.close(by, volume, by["price_open"], "DEAL_REASON_EXPERT", crid, order, comment, "DEAL_ENTRY_OUT_BY")
        return 10009, self.result(10009, req, deal, order, volume, by["price_open"], pos["identifier"])

    def close(self, pos, volume, price, reason, crid, order, comment, entry="DEAL_ENTRY_OUT"):
        sign = 1 if pos["type"] == "POSITION_TYPE_BUY" else -1
        profit = round(sign * (price - pos["price_open"]) * 100000 * volume, 2)
        self.balance += profit
        dtype = "DEAL_TYPE_SELL" if sign > 0 else "DEAL_TYPE_BUY"
        deal = self.add_deal(order, pos["symbol"], dtype, entry, volume, price, pos["identifier"], pos["magic"],
                             reason, profit, comment, crid)
        pos["volume"] = round(pos["volume"] - volume, 8)
        if pos["volume"] <= 1e-9:
            del self.positions[pos["ticket"]]
            self.broadcast({"type": "position", "op": "remove", "position": dict(pos, volume=volume)})
        else:
            self.broadcast({"type": "position", "op": "update", "position": dict(pos)})
        self.broadcast({"type": "account", "partial": True, "info": {"balance": self.balance}})
        return deal

    def add_deal(self, order, symbol, dtype, entry, volume, price, position_id, magic, reason, profit, comment, crid):
        d = {"ticket": self.next_ticket(), "order": order, "time": self.sim_ms // 1000, "time_msc": self.sim_ms,
             "type": dtype, "entry": entry, "magic": magic, "position_id": position_id, "reason": reason,
             "volume": volume, "price": price, "commission": 0.0, "swap": 0.0, "profit": profit, "fee": 0.0,
             "symbol": symbol, "comment": comment, "external_id": ""}
        self.deals.append(d)
        self.broadcast({"type": "deal", "deal": dict(d), "client_req_id": crid})
        return d["ticket"]

    # --- market ----------------------------------------------------------------------------------------------
    def bar_msg(self, name, row, closed, history=False):
        msg = {"type": "bar", "symbol": name, "timeframe": "M1", "time": row[0], "open": row[1], "high": row[2],
               "low": row[3], "close": row[4], "tick_volume": row[5], "spread": row[6], "real_volume": row[7],
               "closed": closed}
        if history:
            msg["history"] = True
        return msg

    async def market(self):
        while True:
            await asyncio.sleep(TICK_REAL_MS / 1000)
            if not self.playing:
                continue
            self.sim_ms += int(TICK_REAL_MS * self.speed)
            for sym in self.symbols.values():
                sym.walk()
                minute = self.sim_ms // 60000 * 60
                f = sym.forming
                closed = None
                if f is None or f[0] != minute:
                    if f is not None:
                        closed = [f[0], f[1], f[2], f[3], f[4], f[5], sym.spread, 0]
                        sym.bars.append(closed)
                    f = sym.forming = [minute, sym.bid, sym.bid, sym.bid, sym.bid, 0]
                f[2], f[3], f[4], f[5] = max(f[2], sym.bid), min(f[3], sym.bid), sym.bid, f[5] + 1
                tick = {"type": "tick", "symbol": sym.name, "time_msc": self.sim_ms, "bid": sym.bid, "ask": sym.ask,
                        "last": 0.0, "volume": 0, "volume_real": 0.0, "flags": 6}
                for s in list(self.sessions.values()):
                    if ("ticks", sym.name) in s.subs:
                        s.emit(dict(tick))
                    for forming in (False, True):
                        if ("bars", sym.name, forming) not in s.subs:
                            continue
                        if closed:
                            s.emit(self.bar_msg(sym.name, closed, True))
                        last = s.last_forming.get(sym.name, 0)
                        if forming and time.monotonic() - last >= 0.25:
                            s.last_forming[sym.name] = time.monotonic()
                            s.emit(self.bar_msg(sym.name, f + [sym.spread, 0], False))
                self.stops(sym)
            cutoff = time.monotonic() - 600
            for sid in [k for k, s in self.sessions.items() if s.left_at is not None and s.left_at < cutoff]:
                del self.sessions[sid]

    def stops(self, sym):
        for p in [p for p in self.positions.values() if p["symbol"] == sym.name]:
            buy = p["type"] == "POSITION_TYPE_BUY"
            px = sym.bid if buy else sym.ask
            hit_sl = p["sl"] and ((buy and px <= p["sl"]) or (not buy and px >= p["sl"]))
            hit_tp = p["tp"] and ((buy and px >= p["tp"]) or (not buy and px <= p["tp"]))
            if hit_sl or hit_tp:
                self.close(p, p["volume"], px, "DEAL_REASON_SL" if hit_sl else "DEAL_REASON_TP", None,
                           self.next_ticket(), "[sl]" if hit_sl else "[tp]")
            elif not math.isclose(p["price_current"], px):
                p["price_current"] = px
                p["profit"] = round((1 if buy else -1) * (px - p["price_open"]) * 100000 * p["volume"], 2)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--token", default=os.environ.get("MT5B_TOKEN"))
    p.add_argument("--heartbeat", type=int, default=10)
    p.add_argument("--state-dir")
    p.add_argument("--suffix", default=".m")
    p.add_argument("--faults", default="")
    p.add_argument("--rate-limit", type=int, default=50)
    p.add_argument("--tls-cert", help="PEM certificate: serve wss://")
    p.add_argument("--tls-key", help="PEM private key of --tls-cert")
    p.add_argument("--kind", default="simulator", choices=["simulator", "mt5-python"])
    args = p.parse_args(argv)
    if not args.token:
        p.error("give --token T or set MT5B_TOKEN")
    asyncio.run(Bridge(args).serve())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
