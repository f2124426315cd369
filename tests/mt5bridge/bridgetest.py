"""Shared fixture for the bridge tests: the bridge on 127.0.0.1 port 0 against the MetaTrader5 test double, and a
small mt5b client that records every frame (and validates it against docs/mt5b/schemas when they are present)."""
import asyncio
import json
import os
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
for p in (os.path.join(ROOT, "connectors", "mt5bridge"), os.path.join(ROOT, "tests", "mt5double"),
          os.path.join(ROOT, "tests", "conformance")):
    if p not in sys.path:
        sys.path.insert(0, p)

import websockets  # noqa: E402
import MetaTrader5 as mt5  # noqa: E402

from botdesk_mt5bridge.bridge import Bridge  # noqa: E402
from botdesk_mt5bridge.config import ClockRule, Config  # noqa: E402

import logging  # noqa: E402
logging.getLogger("botdesk").addHandler(logging.NullHandler())     # quiet unless a test captures the logs

assert hasattr(mt5, "_double"), "tests must import the MetaTrader5 test double, not the real package"
D = mt5._double
TOKEN = "test-token-123"

try:                                            # the spec's validator (branch mt5-spec), when it is in this checkout
    from mt5bschema import SchemaSet
    SCHEMAS = SchemaSet()
except Exception:                               # noqa: BLE001
    SCHEMAS = None


def make_config(state_dir, **over):
    c = Config(token=TOKEN, port=0, heartbeat_sec=1.0, state_dir=state_dir, reconcile_grace_ms=300,
               tick_poll_ms=10, bar_poll_ms=30, trade_poll_ms=50, account_push_ms=100, reconnect_max_sec=0.3,
               aliases={"GOLD": "XAUUSD.m"}, clock=ClockRule(7200))
    for k, v in over.items():
        setattr(c, k, v)
    return c.check()


class Client:
    def __init__(self, ws):
        self.ws = ws
        self.frames = []
        self.problems = []
        self._n = 0
        self.closed = asyncio.get_running_loop().create_future()
        self._new = asyncio.Event()
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def connect(cls, port, hello=True, token=TOKEN, resume=None, **kw):
        ws = await websockets.connect(f"ws://127.0.0.1:{port}", subprotocols=["mt5b.v1"], max_size=None, **kw)
        c = cls(ws)
        if hello:
            msg = {"v": 1, "type": "hello", "id": "h-1", "token": token, "client": {"name": "test", "version": "0"},
                   "protocol": {"min": 1, "max": 1}}
            if resume:
                msg["resume"] = resume
            await c.send(msg)
            c.welcome = await c.wait(lambda m: m["type"] in ("welcome", "error"))
        return c

    async def _read(self):
        try:
            async for text in self.ws:
                m = json.loads(text)
                if SCHEMAS is not None:
                    self.problems += SCHEMAS.validate(m, "bridge")
                self.frames.append(m)
                self._new.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            if not self.closed.done():
                self.closed.set_result((self.ws.close_code, self.ws.close_reason))
            self._new.set()

    async def send(self, msg):
        await self.ws.send(json.dumps(msg) if isinstance(msg, dict) else msg)

    async def wait(self, pred, timeout=5.0, start=None):
        """The first frame (from index `start`, default: not yet consumed by wait) matching pred."""
        i = self._n if start is None else start
        end = time.monotonic() + timeout
        while True:
            while i < len(self.frames):
                m = self.frames[i]
                i += 1
                if pred(m):
                    if start is None:
                        self._n = i
                    return m
            if self.closed.done() and i >= len(self.frames):
                raise AssertionError(f"connection closed {self.closed.result()} while waiting")
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError("timed out; last frames: " + json.dumps(self.frames[-5:])[:1500])
            self._new.clear()
            try:
                await asyncio.wait_for(self._new.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def request(self, type_, timeout=5.0, **fields):
        rid = f"r-{type_}-{len(self.frames)}-{time.monotonic_ns()}"
        await self.send({"v": 1, "type": type_, "id": rid, **fields})
        return await self.wait(lambda m: m.get("re") == rid and m.get("state") != "inflight", timeout, start=0)

    async def order(self, cid, request, options=None, timeout=8.0):
        rid = f"o-{cid}-{time.monotonic_ns()}"
        msg = {"v": 1, "type": "order.send", "id": rid, "client_req_id": cid, "request": request}
        if options is not None:
            msg["options"] = options
        await self.send(msg)
        return await self.wait(lambda m: m.get("re") == rid and m["type"] in ("order.result", "error"), timeout,
                               start=0)

    def of(self, type_, **match):
        return [m for m in self.frames if m["type"] == type_ and all(m.get(k) == v for k, v in match.items())]

    async def close(self):
        await self.ws.close()
        self._reader.cancel()


class BridgeTest(unittest.IsolatedAsyncioTestCase):
    hedging = True
    config_over = {}

    async def asyncSetUp(self):
        D.reset(hedging=self.hedging, server_offset_sec=7200)      # the double's server clock = UTC + 2 h
        self.tmp = tempfile.TemporaryDirectory()
        self.bridge = None
        self.clients = []
        await self.start_bridge()

    async def start_bridge(self, **over):
        self.bridge = Bridge(make_config(self.tmp.name, **{**self.config_over, **over}), mt5)
        self.port = await self.bridge.start()
        return self.bridge

    async def stop_bridge(self):
        if self.bridge is not None:
            await self.bridge.stop()
            self.bridge = None

    async def client(self, **kw):
        c = await Client.connect(self.port, **kw)
        self.clients.append(c)
        return c

    async def asyncTearDown(self):
        for c in self.clients:
            try:
                await c.close()
            except Exception:                   # noqa: BLE001
                pass
        await self.stop_bridge()
        self.tmp.cleanup()
        for c in self.clients:
            self.assertEqual(c.problems, [], "frames that break docs/mt5b/schemas")

    @staticmethod
    def buy(symbol="EURUSD", volume=0.1, **kw):
        return {"action": "TRADE_ACTION_DEAL", "symbol": symbol, "volume": volume, "type": "ORDER_TYPE_BUY", **kw}

    @staticmethod
    def sell(symbol="EURUSD", volume=0.1, **kw):
        return {"action": "TRADE_ACTION_DEAL", "symbol": symbol, "volume": volume, "type": "ORDER_TYPE_SELL", **kw}

    async def ticks(self, symbol="EURUSD.m", n=3, pause=0.02, **kw):
        for _ in range(n):
            D.push_tick(symbol, step_points=1, **kw)
            await asyncio.sleep(pause)
