"""mt5b v1 conformance suite: the scenarios of docs/mt5b-protocol.md run against a live bridge.

Run it with run_conformance.py (which sets the environment below), or directly:
    MT5B_URL=ws://127.0.0.1:8765 MT5B_TOKEN=T /usr/bin/python3 -m unittest test_conformance
Environment:
    MT5B_URL        bridge URL (ws:// or wss://), or
    MT5B_LAUNCH     a command that starts the bridge and prints `listening ws://127.0.0.1:PORT` first
                    (placeholders {token}, {state_dir}); the suite starts it once and stops it at the end
    MT5B_TOKEN      the bridge's token
    MT5B_KIND       expected welcome.bridge.kind ("simulator" | "mt5-python"), optional
    MT5B_FAULTS     JSON object: fault name -> extra launch arguments, e.g.
                    {"drop-reply": "--faults drop-reply=1 --seed 1", "requote": "--faults requote=1 --seed 1"};
                    fault scenarios launch their own bridge with these (needs MT5B_LAUNCH) or skip
    MT5B_SYMBOL     broker symbol to trade (default: the first tradable one from symbols.list)
    MT5B_BAR_WAIT   seconds to wait for live bars to close (default 6)
    MT5B_CAFILE     PEM certificate(s) to trust for a wss:// bridge (e.g. its self-signed certificate)
Every frame received is validated against docs/mt5b/schemas; any violation fails the test that saw it.
"""
import asyncio
import collections
import json
import os
import shlex
import ssl
import sys
import unittest
import uuid

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from launcher import Bridge  # noqa: E402
from mt5bclient import MAX_FRAME, SUBPROTOCOL, Closed, Conn, next_id  # noqa: E402

SUFFIXES = ["-ECN", ".sim", ".fx", ".m", ".s", "m", "."]   # spec §5.1, longest first
CONFIG = {}
_bridge = None


def setUpModule():
    global _bridge
    CONFIG.update(url=os.environ.get("MT5B_URL"), launch=os.environ.get("MT5B_LAUNCH"),
                  token=os.environ.get("MT5B_TOKEN", ""), kind=os.environ.get("MT5B_KIND"),
                  faults=json.loads(os.environ.get("MT5B_FAULTS") or "{}"), symbol=os.environ.get("MT5B_SYMBOL"),
                  bar_wait=float(os.environ.get("MT5B_BAR_WAIT", "6")), cafile=os.environ.get("MT5B_CAFILE"))
    if not CONFIG["url"] and not CONFIG["launch"]:
        raise unittest.SkipTest("no bridge: set MT5B_URL or MT5B_LAUNCH (or use run_conformance.py)")
    if not CONFIG["token"]:
        raise unittest.SkipTest("MT5B_TOKEN is not set")
    if CONFIG["launch"] and not CONFIG["url"]:
        _bridge = Bridge(CONFIG["launch"], CONFIG["token"]).start()
        CONFIG["url"] = _bridge.url


def tearDownModule():
    if _bridge is not None:
        _bridge.cleanup()


def base_of(name):
    for suffix in SUFFIXES:
        if len(name) > len(suffix) and name.lower().endswith(suffix.lower()):
            return name[:-len(suffix)], suffix
    return name, ""


def new_crid():
    return "cf-" + uuid.uuid4().hex[:24]


def tls_context(url):
    """The client TLS context for a wss:// URL (verifying, trusting MT5B_CAFILE if given); None for ws://."""
    if not url.startswith("wss://"):
        return None
    return ssl.create_default_context(cafile=CONFIG["cafile"]) if CONFIG["cafile"] else ssl.create_default_context()


def round_to(value, step, digits):
    return round(round(value / step) * step, digits)


class BridgeTest(unittest.IsolatedAsyncioTestCase):
    """Base: connections opened through self.connect() are closed at the end and their violations fail the test."""

    async def asyncSetUp(self):
        asyncio.get_running_loop().slow_callback_duration = 5.0   # IsolatedAsyncioTestCase runs in debug mode
        self.conns = []
        self.url = CONFIG["url"]

    async def asyncTearDown(self):
        for c in self.conns:
            if not c.closed.is_set():
                await c.close()
        problems = [v for c in self.conns for v in c.violations]
        self.assertEqual(problems, [], "protocol violations seen on the wire")

    async def connect(self, hello=True, url=None, subprotocols=(SUBPROTOCOL,), token=None):
        c = Conn(url or self.url, ssl=tls_context(url or self.url))
        await c.open(subprotocols)
        self.conns.append(c)
        if hello:
            w = await c.hello(CONFIG["token"] if token is None else token)
            self.assertEqual(w.get("type"), "welcome", f"hello was answered with {w}")
        return c

    async def market(self, c):
        """(broker symbol, symbol info) of a tradable symbol."""
        name = CONFIG["symbol"]
        if not name:
            reply = await c.request("symbols.list")
            self.assertEqual(reply["type"], "symbols")
            for item in reply["items"]:
                info = await c.request("symbol.get", symbol=item["name"])
                if info["type"] == "symbol" and info["info"]["trade_mode"] == "SYMBOL_TRADE_MODE_FULL":
                    name = item["name"]
                    break
            self.assertTrue(name, "symbols.list has no symbol with trade_mode SYMBOL_TRADE_MODE_FULL")
        reply = await c.request("symbol.get", symbol=name)
        self.assertEqual(reply["type"], "symbol", f"symbol.get {name}: {reply}")
        return reply["info"]["name"], reply["info"]

    async def request_settled(self, c, type_, seconds=8.0, **fields):
        """request(), repeated while the bridge answers a retryable error (e.g. TERMINAL_DISCONNECTED while it
        reconnects its IPC after a fault); the last reply otherwise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            reply = await c.request(type_, **fields)
            if reply["type"] != "error" or not reply.get("retryable") or loop.time() > deadline:
                return reply
            await asyncio.sleep(max(0.1, (reply.get("retry_after_ms") or 0) / 1000))

    def expect_error(self, msg, code, re=None):
        self.assertEqual(msg.get("type"), "error", f"expected error {code}, got {msg}")
        self.assertEqual(msg.get("code"), code, msg)
        if re is not None:
            self.assertEqual(msg.get("re"), re, msg)


# ---------------------------------------------------------------------------------------------------------------
class SessionTests(BridgeTest):
    async def test_handshake_welcome_fields_and_subprotocol(self):
        c = await self.connect(hello=False)
        self.assertEqual(c.ws.subprotocol, SUBPROTOCOL, "the bridge must select subprotocol mt5b.v1 when offered")
        w = await c.hello(CONFIG["token"])
        self.assertEqual(w["type"], "welcome")
        self.assertEqual(w["seq"], 0)
        self.assertFalse(w["resumed"])
        self.assertEqual(w["protocol"]["major"], 1)
        if CONFIG["kind"]:
            self.assertEqual(w["bridge"]["kind"], CONFIG["kind"])
        self.assertEqual("sim.control" in w["capabilities"], w["bridge"]["kind"] == "simulator",
                         "capability sim.control is announced by the simulator only")
        self.assertGreaterEqual(w["heartbeat_sec"], 1)
        self.assertIs(c.msgs[0], w, "welcome must be the first frame")

    async def test_bad_token_auth_failed_4003(self):
        c = await self.connect(hello=False)
        reply = await c.hello(CONFIG["token"] + "-wrong")
        self.expect_error(reply, "AUTH_FAILED")
        self.assertTrue(reply["fatal"])
        self.assertEqual(await c.wait_closed(3), 4003)
        self.assertNotIn(CONFIG["token"], json.dumps(reply), "the token must never be echoed")

    async def test_request_before_hello_auth_failed_4003(self):
        c = await self.connect(hello=False)
        await c.send({"v": 1, "type": "ping", "id": "early", "nonce": 1})
        self.expect_error(await c.wait_for(lambda m: True, 3), "AUTH_FAILED")
        self.assertEqual(await c.wait_closed(3), 4003)

    async def test_unsupported_version_4002(self):
        c = await self.connect(hello=False)
        reply = await c.hello(CONFIG["token"], protocol=(2, 3))
        self.expect_error(reply, "UNSUPPORTED_VERSION")
        self.assertEqual(await c.wait_closed(3), 4002)

    async def test_no_hello_within_5s_4001(self):
        c = await self.connect(hello=False)
        code = await c.wait_closed(7)
        self.assertEqual(code, 4001, "no hello within 5 s must close with 4001")

    async def test_ping_pong_echoes_nonce(self):
        c = await self.connect()
        for nonce in (123, "abc", {"k": [1, 2]}):
            reply = await c.request("ping", nonce=nonce)
            self.assertEqual(reply["type"], "pong")
            self.assertEqual(reply.get("nonce"), nonce)

    async def test_heartbeat_within_heartbeat_sec(self):
        c = await self.connect()
        hb = c.welcome["heartbeat_sec"]
        if hb > 3:
            self.skipTest(f"heartbeat_sec is {hb}; launch the bridge with a small heartbeat (e.g. 1 s) to test it")
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        first = await c.wait_for(lambda m: m["type"] == "heartbeat", hb + 1.0, what="a heartbeat")
        second = await c.wait_for(lambda m: m["type"] == "heartbeat" and m is not first, hb + 1.0,
                                  c.msgs.index(first) + 1, what="a second heartbeat")
        self.assertLess(loop.time() - t0, 2 * hb + 1.5)
        self.assertGreater(second["seq"], first["seq"])
        self.assertEqual(first["server_utc_offset_sec"], c.welcome["clock"]["server_utc_offset_sec"])


# ---------------------------------------------------------------------------------------------------------------
class MarketDataTests(BridgeTest):
    async def test_symbol_get_and_list(self):
        c = await self.connect()
        sym, info = await self.market(c)
        self.assertGreater(info["point"], 0)
        self.assertLessEqual(info["volume_min"], info["volume_max"])
        self.assertLessEqual(info["bid"], info["ask"])
        listed = await c.request("symbols.list", filter="*")
        self.assertIn(sym, [i["name"] for i in listed["items"]])

    async def test_unknown_symbol_with_suggestions(self):
        c = await self.connect()
        sym, _ = await self.market(c)
        base, _ = base_of(sym)
        wrong = base[:-1] + ("X" if base[-1].upper() != "X" else "Y")
        reply = await c.request("subscribe", streams=[{"kind": "ticks", "symbol": wrong}])
        self.assertEqual(reply["type"], "subscribed", reply)
        self.assertEqual(reply["streams"], [])
        self.assertEqual(len(reply["errors"]), 1)
        err = reply["errors"][0]
        self.assertEqual(err["code"], "UNKNOWN_SYMBOL")
        self.assertEqual(err["requested"], wrong)
        self.assertIn(sym, err.get("suggestions") or [], f"suggestions for {wrong} should include {sym}")
        reply = await c.request("symbol.get", symbol="NOSUCHSYMBOL_ZZ9")
        self.expect_error(reply, "UNKNOWN_SYMBOL")
        self.assertIsInstance((reply.get("details") or {}).get("suggestions"), list)

    async def test_symbol_resolution_case_and_suffix(self):
        c = await self.connect()
        sym, _ = await self.market(c)
        reply = await c.request("symbol.get", symbol=sym.lower())
        self.assertEqual(reply["info"]["name"], sym, "exact names resolve case-insensitively")
        base, suffix = base_of(sym)
        if not suffix:
            self.skipTest(f"broker symbol {sym} has no known suffix; launch the bridge with one (e.g. --suffix .sim)")
        reply = await c.request("subscribe", streams=[{"kind": "ticks", "symbol": base}])
        self.assertEqual(reply["errors"], [])
        self.assertEqual(reply["streams"][0]["requested"], base)
        self.assertEqual(reply["streams"][0]["symbol"], sym)
        other = base + (".m" if suffix.lower() != ".m" else ".fx")
        reply = await c.request("symbol.get", symbol=other)
        self.assertEqual(reply.get("info", {}).get("name"), sym, f"{other} should resolve to {sym}: {reply}")
        tick = await c.wait_for(lambda m: m["type"] == "tick", 5, what="a tick")
        self.assertEqual(tick["symbol"], sym, "after resolution every message uses the broker symbol")

    async def test_bar_closed_exactly_once(self):
        c = await self.connect()
        sym, _ = await self.market(c)
        reply = await c.request("subscribe", streams=[{"kind": "bars", "symbol": sym, "timeframe": "M1",
                                                       "forming": True, "history": 5}])
        self.assertEqual(reply["errors"], [])
        sent = reply["streams"][0].get("history_sent") or 0
        self.assertGreater(sent, 0, "the bridge has history; history:5 should send some bars")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CONFIG["bar_wait"]
        while loop.time() < deadline:
            live_closed = [m for m in c.of_type("bar") if m["closed"] and not m.get("history")]
            if len(live_closed) >= 2:
                break
            await asyncio.sleep(0.1)
        bars = [(m, t) for m, t in zip(c.msgs, c.times) if m["type"] == "bar" and not m.get("replay")]
        history = [m for m, _ in bars if m.get("history")]
        self.assertEqual(len(history), sent, "history_sent must equal the history bars sent")
        self.assertTrue(all(m["closed"] for m in history), "history bars are closed:true")
        first_live = next((i for i, (m, _) in enumerate(bars) if not m.get("history")), len(bars))
        self.assertTrue(all(m.get("history") for m, _ in bars[:first_live]) and
                        not any(m.get("history") for m, _ in bars[first_live:]),
                        "history bars come before live bars")
        closed_times = [m["time"] for m, _ in bars if m["closed"]]
        dup = [t for t, n in collections.Counter(closed_times).items() if n > 1]
        self.assertEqual(dup, [], "a bar time was sent closed:true more than once")
        self.assertEqual(closed_times, sorted(closed_times), "closed bars arrive in time order")
        self.assertTrue(all(t % 60 == 0 for t in closed_times), "M1 bar times are minute open times")
        last_closed = None
        forming_at = []
        for m, t in bars:
            if m["closed"]:
                last_closed = m["time"]
            else:
                forming_at.append(t)
                if last_closed is not None:
                    self.assertGreater(m["time"], last_closed, "a forming update for a bar already closed")
            self.assertLessEqual(m["low"], min(m["open"], m["close"]))
            self.assertGreaterEqual(m["high"], max(m["open"], m["close"]))
        for i in range(len(forming_at)):
            in_second = [t for t in forming_at[i:] if t - forming_at[i] < 1.0]
            self.assertLessEqual(len(in_second), 4 + 1, "forming updates are limited to 4/s per symbol")
        if not any(not m.get("history") and m["closed"] for m, _ in bars):
            self.skipTest(f"no live bar closed within {CONFIG['bar_wait']} s (history part checked)")

    async def test_history_rates(self):
        c = await self.connect()
        sym, _ = await self.market(c)
        reply = await c.request("history.rates", symbol=sym, timeframe="M1", count=10)
        self.assertEqual(reply["type"], "rates", reply)
        self.assertEqual(reply["symbol"], sym)
        rows = reply["items"]
        self.assertTrue(0 < len(rows) <= 10, f"count 10 gave {len(rows)} rows")
        times = [r[0] for r in rows]
        self.assertEqual(times, sorted(set(times)), "rows are oldest first, one per time")
        closed = rows[:-1] if reply.get("last_forming") else rows
        if len(closed) < 2:
            self.skipTest("fewer than 2 closed bars in history")
        ranged = await c.request("history.rates", symbol=sym, timeframe="M1",
                                 **{"from": closed[0][0], "to": closed[-1][0]})
        self.assertEqual(ranged["type"], "rates", ranged)
        got = ranged["items"][:-1] if ranged.get("last_forming") else ranged["items"]
        self.assertEqual([r[0] for r in got], [r[0] for r in closed], "from/to is inclusive at both ends")
        self.assertEqual(got, closed, "the same bars by count and by range")

    async def test_unsubscribe_and_not_subscribed(self):
        c = await self.connect()
        sym, _ = await self.market(c)
        await c.request("subscribe", streams=[{"kind": "ticks", "symbol": sym}])
        reply = await c.request("unsubscribe", streams=[{"kind": "ticks", "symbol": sym}])
        self.assertEqual(reply["type"], "unsubscribed")
        self.assertEqual([s["symbol"] for s in reply["streams"]], [sym])
        reply = await c.request("unsubscribe", streams=[{"kind": "ticks", "symbol": sym}])
        self.assertEqual(reply["streams"], [])
        self.assertEqual([e["code"] for e in reply["errors"]], ["NOT_SUBSCRIBED"])

    async def test_account_positions_orders_deals_replies(self):
        c = await self.connect()
        acc = await c.request("account.get")
        self.assertEqual(acc["type"], "account")
        self.assertEqual(acc["info"]["login"], c.welcome["account"]["login"])
        self.assertEqual(acc["info"]["margin_mode"], c.welcome["account"]["margin_mode"])
        for t, r in (("positions.get", "positions"), ("orders.get", "orders")):
            reply = await c.request(t)
            self.assertEqual(reply["type"], r)
            self.assertTrue(reply["snapshot"])
        reply = await c.request("history.deals", **{"from": 0, "to": 4102444800})
        self.assertEqual(reply["type"], "deals")


# ---------------------------------------------------------------------------------------------------------------
class OrderTests(BridgeTest):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.c = await self.connect()
        self.sym, self.info = await self.market(self.c)
        self.hedging = self.c.welcome["account"]["margin_mode"] == "ACCOUNT_MARGIN_MODE_RETAIL_HEDGING"
        self.vmin = self.info["volume_min"]
        self.step = self.info["volume_step"]
        await self.flatten()

    def vol(self, lots):
        return round(round(lots / self.step) * self.step, 8)

    def price(self, p):
        return round_to(p, self.info["trade_tick_size"] or self.info["point"], self.info["digits"])

    def distance(self, extra_points=100):
        levels = max(self.info["trade_stops_level"], self.info["trade_freeze_level"])
        return (levels + extra_points) * self.info["point"]

    async def quote(self):
        info = (await self.c.request("symbol.get", symbol=self.sym))["info"]
        return info["bid"], info["ask"]

    async def send(self, request, crid=None, options=None, timeout=10.0, conn=None):
        c = conn or self.c
        rid = next_id()
        msg = {"v": 1, "type": "order.send", "id": rid, "client_req_id": crid or new_crid(), "request": request}
        if options:
            msg["options"] = options
        start = len(c.msgs)
        await c.send(msg)
        reply = await c.wait_for(lambda m: m.get("re") == rid and m["type"] in ("order.result", "error"), timeout,
                                 start, what=f"order.result for {rid}")
        for ack in c.of_type("order.ack", start):
            if ack.get("re") == rid:
                self.assertEqual(ack["state"], "inflight")
                self.assertEqual(ack["client_req_id"], msg["client_req_id"])
        if reply["type"] == "order.result":
            self.assertEqual(reply["client_req_id"], msg["client_req_id"])
        return reply

    def assertResult(self, r, status, retcode, cls):
        self.assertEqual(r.get("type"), "order.result", r)
        self.assertEqual((r["status"], r["retcode"], r["class"]), (status, retcode, cls), r)
        self.assertEqual(r["result"]["retcode"], retcode if not r.get("reconciled") else r["result"]["retcode"])

    async def positions(self):
        return {p["ticket"]: p for p in (await self.c.request("positions.get"))["items"]}

    async def orders(self):
        return {o["ticket"]: o for o in (await self.c.request("orders.get"))["items"]}

    async def flatten(self):
        for ticket, o in (await self.orders()).items():
            await self.send({"action": "TRADE_ACTION_REMOVE", "order": ticket})
        for ticket, p in (await self.positions()).items():
            opposite = "ORDER_TYPE_SELL" if p["type"] == "POSITION_TYPE_BUY" else "ORDER_TYPE_BUY"
            await self.send({"action": "TRADE_ACTION_DEAL", "symbol": p["symbol"], "position": ticket,
                             "volume": p["volume"], "type": opposite}, options={"intent": "close"})

    async def open(self, side, volume=None):
        crid = new_crid()
        r = await self.send({"action": "TRADE_ACTION_DEAL", "symbol": self.sym, "volume": volume or self.vmin,
                             "type": side, "deviation": 50, "magic": 8008, "comment": "conformance"}, crid=crid)
        self.assertResult(r, "done", 10009, "SUCCESS")
        self.assertFalse(r["dedup"])
        self.assertNotEqual(r["position_id"] or "0", "0")
        self.assertNotEqual(r["result"]["deal"], "0")
        self.assertAlmostEqual(r["result"]["volume"], volume or self.vmin, places=8)
        return r, crid

    async def test_market_buy_then_close_by_position(self):
        r, crid = await self.open("ORDER_TYPE_BUY")
        pid = r["position_id"]
        deal = await self.c.wait_for(lambda m: m["type"] == "deal" and m["deal"]["ticket"] == r["result"]["deal"],
                                     3, what="the deal event of the buy")
        self.assertEqual(deal["deal"]["entry"], "DEAL_ENTRY_IN")
        self.assertEqual(deal["deal"]["type"], "DEAL_TYPE_BUY")
        self.assertEqual(deal["client_req_id"], crid)
        self.assertEqual(deal["deal"]["position_id"], pid)
        pos = [p for p in (await self.positions()).values() if p["identifier"] == pid]
        self.assertEqual(len(pos), 1, f"position {pid} should be open")
        self.assertEqual(pos[0]["type"], "POSITION_TYPE_BUY")
        close = await self.send({"action": "TRADE_ACTION_DEAL", "symbol": self.sym, "position": pos[0]["ticket"],
                                 "volume": self.vmin, "type": "ORDER_TYPE_SELL"}, options={"intent": "close"})
        self.assertResult(close, "done", 10009, "SUCCESS")
        out = await self.c.wait_for(lambda m: m["type"] == "deal" and m["deal"]["ticket"] == close["result"]["deal"],
                                    3, what="the closing deal event")
        self.assertEqual(out["deal"]["entry"], "DEAL_ENTRY_OUT")
        self.assertNotIn(pid, [p["identifier"] for p in (await self.positions()).values()])
        await self.c.wait_for(lambda m: m["type"] == "position" and m["op"] == "remove" and
                              m["position"]["identifier"] == pid, 3, what="position remove event")

    async def test_market_sell_then_close(self):
        r, _ = await self.open("ORDER_TYPE_SELL")
        pos = [p for p in (await self.positions()).values() if p["identifier"] == r["position_id"]]
        self.assertEqual([p["type"] for p in pos], ["POSITION_TYPE_SELL"])
        close = await self.send({"action": "TRADE_ACTION_DEAL", "symbol": self.sym, "position": pos[0]["ticket"],
                                 "volume": self.vmin, "type": "ORDER_TYPE_BUY"}, options={"intent": "close"})
        self.assertResult(close, "done", 10009, "SUCCESS")
        self.assertEqual(await self.positions(), {})

    async def test_partial_close(self):
        volume = self.vol(self.vmin * 3)
        r, _ = await self.open("ORDER_TYPE_BUY", volume)
        ticket = [t for t, p in (await self.positions()).items() if p["identifier"] == r["position_id"]][0]
        part = await self.send({"action": "TRADE_ACTION_DEAL", "symbol": self.sym, "position": ticket,
                                "volume": self.vmin, "type": "ORDER_TYPE_SELL"}, options={"intent": "close"})
        self.assertResult(part, "done", 10009, "SUCCESS")
        left = [p for p in (await self.positions()).values() if p["identifier"] == r["position_id"]]
        self.assertEqual(len(left), 1, "a partial close leaves the position open")
        self.assertAlmostEqual(left[0]["volume"], self.vol(volume - self.vmin), places=8)

    async def test_sltp_modify_and_invalid_stops(self):
        r, _ = await self.open("ORDER_TYPE_BUY")
        ticket = [t for t, p in (await self.positions()).items() if p["identifier"] == r["position_id"]][0]
        bid, ask = await self.quote()
        d = self.distance()
        sl, tp = self.price(bid - 5 * d), self.price(ask + 5 * d)
        mod = await self.send({"action": "TRADE_ACTION_SLTP", "symbol": self.sym, "position": ticket, "sl": sl,
                               "tp": tp})
        self.assertResult(mod, "done", 10009, "SUCCESS")
        p = (await self.positions())[ticket]
        self.assertAlmostEqual(p["sl"], sl, places=self.info["digits"])
        self.assertAlmostEqual(p["tp"], tp, places=self.info["digits"])
        bad = await self.send({"action": "TRADE_ACTION_SLTP", "symbol": self.sym, "position": ticket,
                               "sl": self.price(bid + 5 * d), "tp": tp})
        self.assertResult(bad, "rejected", 10016, "REJECT_REQUEST")
        self.assertFalse(bad["retryable"])

    async def test_pending_place_modify_remove(self):
        bid, ask = await self.quote()
        d = self.distance()
        price = self.price(ask - 10 * d)
        placed = await self.send({"action": "TRADE_ACTION_PENDING", "symbol": self.sym, "volume": self.vmin,
                                  "type": "ORDER_TYPE_BUY_LIMIT", "price": price, "type_time": "ORDER_TIME_GTC"})
        self.assertEqual(placed.get("type"), "order.result", placed)
        # MT5 answers a pending placement with 10009 DONE (a real terminal) or 10008 PLACED; both are conformant
        if placed["retcode"] == 10009:
            self.assertResult(placed, "done", 10009, "SUCCESS")
        else:
            self.assertResult(placed, "placed", 10008, "SUCCESS")
        ticket = placed["result"]["order"]
        self.assertNotEqual(ticket, "0")
        orders = await self.orders()
        self.assertIn(ticket, orders)
        self.assertEqual(orders[ticket]["type"], "ORDER_TYPE_BUY_LIMIT")
        self.assertAlmostEqual(orders[ticket]["price_open"], price, places=self.info["digits"])
        await self.c.wait_for(lambda m: m["type"] == "order" and m["op"] == "add" and m["order"]["ticket"] == ticket,
                              3, what="order add event")
        new_price = self.price(ask - 12 * d)
        mod = await self.send({"action": "TRADE_ACTION_MODIFY", "order": ticket, "price": new_price})
        self.assertResult(mod, "done", 10009, "SUCCESS")
        self.assertAlmostEqual((await self.orders())[ticket]["price_open"], new_price, places=self.info["digits"])
        rm = await self.send({"action": "TRADE_ACTION_REMOVE", "order": ticket})
        self.assertResult(rm, "done", 10009, "SUCCESS")
        self.assertNotIn(ticket, await self.orders())
        gone = await self.c.wait_for(lambda m: m["type"] == "order" and m["op"] == "remove" and
                                     m["order"]["ticket"] == ticket, 3, what="order remove event")
        self.assertEqual(gone["order"]["state"], "ORDER_STATE_CANCELED")

    async def test_close_by_on_hedging(self):
        if not self.hedging:
            self.skipTest("TRADE_ACTION_CLOSE_BY needs a hedging account")
        buy, _ = await self.open("ORDER_TYPE_BUY")
        sell, _ = await self.open("ORDER_TYPE_SELL")
        pos = await self.positions()
        tb = [t for t, p in pos.items() if p["identifier"] == buy["position_id"]][0]
        ts = [t for t, p in pos.items() if p["identifier"] == sell["position_id"]][0]
        r = await self.send({"action": "TRADE_ACTION_CLOSE_BY", "symbol": self.sym, "position": tb,
                             "position_by": ts})
        self.assertResult(r, "done", 10009, "SUCCESS")
        self.assertEqual(await self.positions(), {})
        await self.c.wait_for(lambda m: m["type"] == "deal" and m["deal"]["entry"] == "DEAL_ENTRY_OUT_BY", 3,
                              what="a DEAL_ENTRY_OUT_BY deal")

    async def test_hedging_close_intent_without_position_is_bad_request(self):
        if not self.hedging:
            self.skipTest("netting accounts close by symbol")
        r = await self.send({"action": "TRADE_ACTION_DEAL", "symbol": self.sym, "volume": self.vmin,
                             "type": "ORDER_TYPE_SELL"}, options={"intent": "close"})
        self.expect_error(r, "BAD_REQUEST")

    async def test_invalid_volume_reject_request_10014(self):
        for volume in (self.vmin / 2, self.vol(self.vmin + self.step / 2) + self.step / 2,
                       self.info["volume_max"] + self.step):
            r = await self.send({"action": "TRADE_ACTION_DEAL", "symbol": self.sym, "volume": volume,
                                 "type": "ORDER_TYPE_BUY"})
            self.assertResult(r, "rejected", 10014, "REJECT_REQUEST")
            self.assertEqual(r["retcode_name"], "TRADE_RETCODE_INVALID_VOLUME")
        self.assertEqual(await self.positions(), {})

    async def test_no_money_reject_state_10019(self):
        acc = (await self.c.request("account.get"))["info"]
        bid, ask = await self.quote()
        lots_needed = acc["margin_free"] * acc["leverage"] / (self.info["trade_contract_size"] * ask) * 4
        volume = self.vol(max(self.vmin, min(self.info["volume_max"], lots_needed)))
        if volume * self.info["trade_contract_size"] * ask / acc["leverage"] <= acc["margin_free"]:
            self.skipTest("volume_max is affordable on this account; no 10019 to provoke")
        r = await self.send({"action": "TRADE_ACTION_DEAL", "symbol": self.sym, "volume": volume,
                             "type": "ORDER_TYPE_BUY"})
        self.assertResult(r, "rejected", 10019, "REJECT_STATE")

    async def test_close_already_closed_position_state_conflict(self):
        r, _ = await self.open("ORDER_TYPE_BUY")
        ticket = [t for t, p in (await self.positions()).items() if p["identifier"] == r["position_id"]][0]
        req = {"action": "TRADE_ACTION_DEAL", "symbol": self.sym, "position": ticket, "volume": self.vmin,
               "type": "ORDER_TYPE_SELL"}
        self.assertResult(await self.send(req, options={"intent": "close"}), "done", 10009, "SUCCESS")
        again = await self.send(req, options={"intent": "close"})
        self.assertEqual(again["type"], "order.result", again)
        if again["status"] == "done":
            self.assertTrue(again.get("already_closed"), f"a close of a closed position: {again}")
        else:
            self.assertEqual(again["class"], "STATE_CONFLICT", again)
        self.assertEqual(await self.positions(), {})

    async def test_disabled_symbol_reject_state(self):
        listed = await self.c.request("symbols.list")
        for item in listed["items"][:30]:
            info = (await self.c.request("symbol.get", symbol=item["name"]))["info"]
            expected = {"SYMBOL_TRADE_MODE_DISABLED": 10017, "SYMBOL_TRADE_MODE_CLOSEONLY": 10044,
                        "SYMBOL_TRADE_MODE_LONGONLY": 10042}.get(info["trade_mode"])
            if expected:
                side = "ORDER_TYPE_SELL" if expected == 10042 else "ORDER_TYPE_BUY"
                r = await self.send({"action": "TRADE_ACTION_DEAL", "symbol": info["name"],
                                     "volume": info["volume_min"], "type": side})
                self.assertResult(r, "rejected", expected, "REJECT_STATE")
                return
        self.skipTest("the bridge offers no symbol with trade disabled/close-only/long-only")

    async def test_idempotency_dedup_and_conflict(self):
        crid = new_crid()
        req = {"action": "TRADE_ACTION_DEAL", "symbol": self.sym, "volume": self.vmin, "type": "ORDER_TYPE_BUY"}
        first = await self.send(req, crid=crid)
        self.assertResult(first, "done", 10009, "SUCCESS")
        again = await self.send(dict(req), crid=crid)
        self.assertEqual(again["type"], "order.result")
        self.assertTrue(again["dedup"], "the same client_req_id and request must answer dedup:true")
        self.assertEqual(again["result"]["deal"], first["result"]["deal"])
        self.assertEqual(again["position_id"], first["position_id"])
        self.assertGreater(again["seq"], first["seq"])
        self.assertEqual(len([p for p in (await self.positions()).values()
                              if p["identifier"] == first["position_id"]]), 1)
        self.assertEqual(len(await self.positions()), 1, "a dedup must not execute again")
        conflict = await self.send(dict(req, volume=self.vol(self.vmin * 2)), crid=crid)
        self.expect_error(conflict, "IDEMPOTENCY_CONFLICT")
        self.assertEqual(len(await self.positions()), 1)

    async def test_order_status_final_and_not_found(self):
        crid = new_crid()
        first = await self.send({"action": "TRADE_ACTION_DEAL", "symbol": self.sym, "volume": self.vmin,
                                 "type": "ORDER_TYPE_BUY"}, crid=crid)
        self.assertResult(first, "done", 10009, "SUCCESS")
        st = await self.c.request("order.status", client_req_id=crid)
        self.assertEqual(st["type"], "order.result", st)
        self.assertTrue(st["dedup"])
        self.assertEqual(st["result"]["deal"], first["result"]["deal"])
        unknown = new_crid()
        st = await self.c.request("order.status", client_req_id=unknown)
        self.assertEqual((st["type"], st.get("state"), st.get("client_req_id")), ("order.ack", "not_found", unknown))

    async def test_wrong_field_types_never_execute(self):
        crid = new_crid()
        rid = next_id()
        await self.c.send({"v": 1, "type": "order.send", "id": rid, "client_req_id": crid,
                           "request": {"action": "TRADE_ACTION_DEAL", "symbol": self.sym, "volume": str(self.vmin),
                                       "type": "ORDER_TYPE_BUY"}}, check=False)
        self.expect_error(await self.c.wait_for(lambda m: m.get("re") == rid, 5), "BAD_REQUEST", rid)
        rid = next_id()
        await self.c.send({"v": 1, "type": "order.send", "id": rid, "client_req_id": new_crid(),
                           "request": {"action": "TRADE_ACTION_SLTP", "position": 12345, "sl": 1.0}}, check=False)
        self.expect_error(await self.c.wait_for(lambda m: m.get("re") == rid, 5), "BAD_REQUEST", rid)
        st = await self.c.request("order.status", client_req_id=crid)
        self.assertEqual(st.get("state"), "not_found", "a BAD_REQUEST order must not be recorded or executed")
        self.assertEqual(await self.positions(), {})

    async def test_order_check_never_executes(self):
        r = await self.c.request("order.check", request={"action": "TRADE_ACTION_DEAL", "symbol": self.sym,
                                                         "volume": self.vmin, "type": "ORDER_TYPE_BUY"})
        self.assertEqual(r["type"], "order.check_result", r)
        self.assertEqual(r["retcode"], 0, r)
        bad = await self.c.request("order.check", request={"action": "TRADE_ACTION_DEAL", "symbol": self.sym,
                                                           "volume": self.vmin / 2, "type": "ORDER_TYPE_BUY"})
        self.assertEqual(bad["retcode"], 10014, bad)
        self.assertEqual(await self.positions(), {})


# ---------------------------------------------------------------------------------------------------------------
class FaultTests(BridgeTest):
    """Scenarios that need a bridge launched with fault injection (or restarted on the same state)."""

    def launch(self, fault=None, state_dir=None):
        if not CONFIG["launch"]:
            self.skipTest("needs a launch command (--launch / MT5B_LAUNCH)")
        extra = []
        if fault:
            if fault not in CONFIG["faults"]:
                self.skipTest(f"no launch arguments for fault {fault!r} for this bridge (--fault {fault}=ARGS)")
            extra = shlex.split(CONFIG["faults"][fault])
        b = Bridge(CONFIG["launch"], CONFIG["token"], extra, state_dir=state_dir).start()
        self.addCleanup(b.cleanup)
        return b

    async def market_buy(self, c, sym, volume, crid):
        """order.send, repeated (same client_req_id: always safe) while the bridge answers a retryable error."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 8
        while True:
            rid = next_id()
            start = len(c.msgs)
            await c.send({"v": 1, "type": "order.send", "id": rid, "client_req_id": crid,
                          "request": {"action": "TRADE_ACTION_DEAL", "symbol": sym, "volume": volume,
                                      "type": "ORDER_TYPE_BUY"}, "options": {"timeout_ms": 3000}})
            r = await c.wait_for(lambda m: m.get("re") == rid and m["type"] in ("order.result", "error"), 15, start)
            if r["type"] != "error" or not r.get("retryable") or loop.time() > deadline:
                return r
            await asyncio.sleep(0.2)

    async def test_unknown_outcome_is_reconciled(self):
        b = self.launch("drop-reply")
        c = await self.connect(url=b.url)
        sym, info = await self.market(c)
        crid = new_crid()
        r = await self.market_buy(c, sym, info["volume_min"], crid)
        self.assertEqual(r["type"], "order.result", r)
        self.assertTrue(r.get("reconciled"), f"an execute-then-lost reply must be reconciled: {r}")
        self.assertEqual((r["status"], r["class"]), ("done", "SUCCESS"), r)
        self.assertNotEqual(r["position_id"] or "0", "0")
        pos = await self.request_settled(c, "positions.get")
        self.assertEqual(pos["type"], "positions", pos)
        self.assertEqual([p["identifier"] for p in pos["items"]], [r["position_id"]], "executed exactly once")
        again = await self.market_buy(c, sym, info["volume_min"], crid)
        self.assertTrue(again["dedup"], again)
        self.assertEqual(len((await self.request_settled(c, "positions.get"))["items"]), 1)

    async def test_requote_is_retry_reprice(self):
        b = self.launch("requote")
        c = await self.connect(url=b.url)
        sym, info = await self.market(c)
        r = await self.market_buy(c, sym, info["volume_min"], new_crid())
        self.assertEqual((r["status"], r["retcode"], r["class"], r["retryable"]),
                         ("rejected", 10004, "RETRY_REPRICE", True), r)

    async def test_connection_fault_is_retry_backoff(self):
        b = self.launch("connection")
        c = await self.connect(url=b.url)
        sym, info = await self.market(c)
        crid = new_crid()
        rid = next_id()
        await c.send({"v": 1, "type": "order.send", "id": rid, "client_req_id": crid,
                      "request": {"action": "TRADE_ACTION_DEAL", "symbol": sym, "volume": info["volume_min"],
                                  "type": "ORDER_TYPE_BUY"}})
        r = await c.wait_for(lambda m: m.get("re") == rid and m["type"] in ("order.result", "error"), 15)
        self.assertEqual((r.get("status"), r.get("retcode"), r.get("class"), r.get("retryable")),
                         ("rejected", 10031, "RETRY_BACKOFF", True), r)
        self.assertEqual((await self.request_settled(c, "positions.get"))["items"], [], "10031 executes nothing")

    async def test_lost_request_is_reconciled_not_executed(self):
        b = self.launch("lost-request")
        c = await self.connect(url=b.url)
        sym, info = await self.market(c)
        r = await self.market_buy(c, sym, info["volume_min"], new_crid())
        self.assertEqual((r.get("status"), r.get("class"), r.get("reconciled")),
                         ("rejected", "RECONCILED_NOT_EXECUTED", True), r)
        self.assertEqual((await self.request_settled(c, "positions.get"))["items"], [])

    async def test_terminal_disconnect_events(self):
        b = self.launch("terminal-off")
        c = await self.connect(url=b.url)
        sym, info = await self.market(c)
        off = await c.wait_for(lambda m: m["type"] == "terminal" and not m["connected"], 8,
                               what="terminal{connected:false}")
        start = c.msgs.index(off)
        rid = next_id()
        await c.send({"v": 1, "type": "order.send", "id": rid, "client_req_id": new_crid(),
                      "request": {"action": "TRADE_ACTION_DEAL", "symbol": sym, "volume": info["volume_min"],
                                  "type": "ORDER_TYPE_BUY"}})
        on = await c.wait_for(lambda m: m["type"] == "terminal" and m["connected"], 8, start,
                              what="terminal{connected:true} after the episode")
        r = await c.wait_for(lambda m: m.get("re") == rid and m["type"] in ("order.result", "error"), 10)
        if r["type"] == "error":
            self.expect_error(r, "TERMINAL_DISCONNECTED")
            self.assertTrue(r["retryable"])
        elif r["seq"] < on["seq"]:
            self.assertEqual((r["retcode"], r["class"]), (10031, "RETRY_BACKOFF"),
                             f"an order while the terminal is disconnected: {r}")
        between = [m for m in c.msgs[start:c.msgs.index(on)] if m["type"] == "heartbeat"]
        self.assertTrue(all(not m["terminal"]["connected"] for m in between),
                        "heartbeats during the episode say terminal.connected:false")

    async def test_idempotency_map_survives_restart(self):
        b = self.launch()
        state_dir = b.state_dir
        c = await self.connect(url=b.url)
        sym, info = await self.market(c)
        crid = new_crid()
        first = await self.market_buy(c, sym, info["volume_min"], crid)
        self.assertEqual(first["status"], "done", first)
        await c.close()
        b.stop()
        b2 = self.launch(state_dir=state_dir)
        c2 = await self.connect(url=b2.url)
        st = await c2.request("order.status", client_req_id=crid)
        self.assertEqual(st["type"], "order.result", f"order.status after a restart: {st}")
        self.assertTrue(st["dedup"])
        self.assertEqual(st["result"]["deal"], first["result"]["deal"])


# ---------------------------------------------------------------------------------------------------------------
class ResumeResyncTests(BridgeTest):
    async def session_with_events(self, n=10):
        c = await self.connect()
        sym, _ = await self.market(c)
        reply = await c.request("subscribe", streams=[{"kind": "bars", "symbol": sym, "timeframe": "M1",
                                                       "forming": False, "history": 20},
                                                      {"kind": "ticks", "symbol": sym}])
        self.assertEqual(reply["errors"], [])
        await c.wait_for(lambda m: isinstance(m.get("seq"), int) and m["seq"] >= n, 5, what=f"event seq {n}")
        return c, sym

    def check_replay(self, msgs, originals, first, last):
        replayed = [m for m in msgs if m.get("replay") is True]
        seqs = [m["seq"] for m in replayed]
        self.assertEqual(seqs[:last - first + 1], list(range(first, last + 1)),
                         "replay must resend every event from last_seq+1 with its original seq, in order")
        by_seq = {m["seq"]: m for m in originals if isinstance(m.get("seq"), int) and m["type"] != "welcome"}
        for m in replayed[:last - first + 1]:
            o = by_seq[m["seq"]]
            self.assertEqual(m["type"], o["type"], f"replayed seq {m['seq']}")
            if m["type"] == "bar":
                self.assertEqual((m["time"], m["close"]), (o["time"], o["close"]))

    async def test_dropped_socket_resume_replays_with_original_seq(self):
        c1, sym = await self.session_with_events()
        if "resume" not in c1.welcome["capabilities"]:
            self.skipTest("the bridge does not announce capability resume")
        top = c1.last_live_seq
        resume_from = top - 5
        await c1.abort()
        c2 = await self.connect(hello=False)
        w = await c2.hello(CONFIG["token"], resume=(c1.session_id, resume_from))
        self.assertEqual(w["type"], "welcome", w)
        self.assertTrue(w["resumed"], "the ring still covers last_seq+1; resumed must be true")
        self.assertEqual(w["session_id"], c1.session_id)
        await c2.wait_for(lambda m: m.get("replay") is True and m.get("seq") == top, 5, what=f"replay of seq {top}")
        self.check_replay(c2.msgs, c1.msgs, resume_from + 1, top)
        bars = [m for m in c2.msgs + c1.msgs if m["type"] == "bar"]
        self.assertFalse(any(not m["closed"] for m in bars), "forming:false streams never send closed:false")

    async def test_resume_unknown_session_starts_fresh(self):
        c = await self.connect(hello=False)
        w = await c.hello(CONFIG["token"], resume=("no-such-session-42", 7))
        self.assertEqual(w["type"], "welcome", w)
        self.assertFalse(w["resumed"])
        self.assertNotEqual(w["session_id"], "no-such-session-42")

    async def test_resync_replay_after_gap(self):
        c, _ = await self.session_with_events()
        top = c.last_live_seq
        start = len(c.msgs)
        reply = await c.request("resync", since_seq=top - 5, deals_since_msc=0)
        self.assertEqual(reply["type"], "resynced", reply)
        self.assertEqual(reply["mode"], "replay")
        self.assertGreaterEqual(reply.get("replayed", 5), 5)
        self.check_replay(c.msgs[start:], c.msgs[:start], top - 4, top)

    async def test_resync_snapshot_bundle(self):
        c, _ = await self.session_with_events()
        top = c.last_live_seq
        rid = next_id()
        start = len(c.msgs)
        await c.send({"v": 1, "type": "resync", "id": rid, "since_seq": 0, "deals_since_msc": 0, "mode": "snapshot"})
        end = await c.wait_for(lambda m: m.get("re") == rid and m["type"] == "snapshot.end", 5, start)
        bundle = [m["type"] for m in c.msgs[start:] if m.get("re") == rid]
        self.assertEqual(bundle, ["snapshot.begin", "account", "positions", "orders", "deals", "snapshot.end"])
        begin = next(m for m in c.msgs[start:] if m.get("re") == rid)
        self.assertEqual(begin["snapshot_id"], end["snapshot_id"])
        self.assertGreaterEqual(end["as_of_seq"], top)


# ---------------------------------------------------------------------------------------------------------------
class BadInputTests(BridgeTest):
    async def still_usable(self, c):
        reply = await c.request("ping", nonce="alive")
        self.assertEqual(reply["type"], "pong")

    async def test_malformed_json_bad_request_connection_stays(self):
        c = await self.connect()
        for raw in ('{"v":1,"type":"ping","id":', "[1,2,3]", '"text"', '{"v":1,"type":"ping"}',
                    '{"v":"1","type":"ping","id":"x1"}', '{"v":1,"type":7,"id":"x2"}'):
            start = len(c.msgs)
            await c.send(raw)
            err = await c.wait_for(lambda m: m["type"] == "error", 3, start, what=f"an error for {raw!r}")
            self.expect_error(err, "BAD_REQUEST")
        await self.still_usable(c)

    async def test_unknown_type_unsupported_type(self):
        c = await self.connect()
        reply = await c.request("no.such.type", check=False)
        self.expect_error(reply, "UNSUPPORTED_TYPE")
        await self.still_usable(c)

    async def test_wrong_and_missing_fields_bad_request(self):
        c = await self.connect()
        self.expect_error(await c.request("symbol.get", check=False), "BAD_REQUEST")
        self.expect_error(await c.request("symbol.get", check=False, symbol=42), "BAD_REQUEST")
        self.expect_error(await c.request("subscribe", check=False, streams="EURUSD"), "BAD_REQUEST")
        self.expect_error(await c.request("history.rates", check=False, symbol="EURUSD", timeframe="M1",
                                          count="ten"), "BAD_REQUEST")
        self.expect_error(await c.request("resync", check=False, since_seq="12"), "BAD_REQUEST")
        await self.still_usable(c)

    async def test_second_hello_and_backwards_seq(self):
        c = await self.connect()
        reply = await c.request("hello", token=CONFIG["token"], protocol={"min": 1, "max": 1})
        self.expect_error(reply, "BAD_REQUEST")
        self.assertEqual((await c.request("ping", check=False, seq=50, nonce=1))["type"], "pong")
        self.assertEqual((await c.request("ping", check=False, seq=3, nonce=2))["type"], "pong")

    async def test_binary_frame_closes_1003(self):
        c = await self.connect()
        await c.send(b'{"v":1,"type":"ping","id":"b"}')
        self.assertEqual(await c.wait_closed(3), 1003)

    async def test_oversized_frame_closes_1009(self):
        c = await self.connect()
        try:
            await c.send('{"v":1,"type":"ping","id":"big","nonce":"' + "x" * MAX_FRAME + '"}')
        except websockets.exceptions.ConnectionClosed:
            pass  # a bridge may close as soon as the frame header announces the size, before the body is sent
        self.assertEqual(await c.wait_closed(5), 1009)

    async def test_flood_rate_limited_then_usable(self):
        c = await self.connect()
        limit = c.welcome["limits"]["max_requests_per_sec"]
        ids = [next_id("f") for _ in range(2 * limit)]
        start = len(c.msgs)
        for rid in ids:
            await c.send({"v": 1, "type": "ping", "id": rid, "nonce": 0})
        wanted = set(ids)
        try:
            await c.wait_for(lambda m: False if m.get("re") not in wanted else
                             (wanted.discard(m["re"]) or not wanted), 10, start,
                             what="one reply per flooded request")
        except AssertionError:
            anonymous = [m for m in c.msgs[start:] if m["type"] == "error" and not m.get("re")]
            self.assertEqual(anonymous, [], "RATE_LIMITED must carry re, the id of the request it refused "
                                            "(spec §10, §13): the client must learn which request was not processed")
            raise
        replies = [m for m in c.msgs[start:] if m.get("re") in set(ids)]
        limited = [m for m in replies if m["type"] == "error"]
        self.assertTrue(limited, f"{2 * limit} requests in a burst with max_requests_per_sec={limit}: no RATE_LIMITED")
        for m in limited:
            self.expect_error(m, "RATE_LIMITED")
            self.assertTrue(m["retryable"])
        self.assertEqual(len(replies), len(ids), "exactly one reply per request")
        await asyncio.sleep(max(m["retry_after_ms"] for m in limited) / 1000 + 0.05)
        await self.still_usable(c)

    async def test_heavy_flood_closes_1008(self):
        c = await self.connect()
        limit = c.welcome["limits"]["max_requests_per_sec"]
        try:
            for i in range(11 * limit + 5):
                await c.send({"v": 1, "type": "ping", "id": f"h{i}", "nonce": 0})
        except Exception:  # noqa: BLE001 - the bridge may close while we are still sending
            pass
        self.assertEqual(await c.wait_closed(5), 1008)


# ---------------------------------------------------------------------------------------------------------------
class TlsTests(BridgeTest):
    async def test_wss_certificate_is_verified(self):
        if not self.url.startswith("wss://"):
            self.skipTest("the bridge was started without TLS (give it --tls-cert/--tls-key and the suite --cafile)")
        c = await self.connect()
        self.assertEqual(c.ws.subprotocol, SUBPROTOCOL)
        if not CONFIG["cafile"]:
            return   # trusted through the system store: nothing to contrast with
        untrusting = Conn(self.url, ssl=ssl.create_default_context())
        with self.assertRaises(ssl.SSLCertVerificationError, msg="an untrusted certificate must be refused"):
            await untrusting.open()
        if untrusting.ws is not None:
            await untrusting.close()


# ---------------------------------------------------------------------------------------------------------------
class SimControlTests(BridgeTest):
    async def test_sim_control_pause_play_speed(self):
        c = await self.connect()
        if "sim.control" not in c.welcome["capabilities"]:
            self.skipTest("the bridge does not offer sim.control")
        paused = await c.request("sim.control", cmd="pause")
        self.assertEqual(paused["type"], "sim.state", paused)
        self.assertFalse(paused["playing"])
        speed = paused["speed"]
        fast = await c.request("sim.control", cmd="speed", x=speed * 2 if speed else 2)
        self.assertEqual(fast["speed"], speed * 2 if speed else 2)
        await c.request("sim.control", cmd="speed", x=speed)
        played = await c.request("sim.control", cmd="play")
        self.assertTrue(played["playing"])
        self.expect_error(await c.request("sim.control", check=False, cmd="rewind"), "BAD_REQUEST")


if __name__ == "__main__":
    unittest.main()
