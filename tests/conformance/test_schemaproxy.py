"""schemaproxy.py end to end: refbridge.py <- schemaproxy.py <- a websockets client.

A clean session leaves an empty report and exit status 0; a client frame and a bridge frame that break the schemas
are both reported (with their direction) and the exit status is 1. Run: /usr/bin/python3 -m unittest test_schemaproxy
"""
import asyncio
import json
import os
import secrets
import sys
import tempfile
import unittest

import websockets

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from launcher import Bridge  # noqa: E402
from mt5bclient import Conn  # noqa: E402

PY = sys.executable


class SchemaProxyTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        asyncio.get_running_loop().slow_callback_duration = 5.0   # IsolatedAsyncioTestCase runs in debug mode

    def setUp(self):
        self.token = secrets.token_hex(8)
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.bridge = Bridge([PY, os.path.join(HERE, "refbridge.py"), "--port", "0", "--token", "{token}",
                              "--heartbeat", "1", "--suffix", ".m"], self.token).start()
        self.addCleanup(self.bridge.cleanup)
        self.report = os.path.join(self.tmp.name, "report.json")
        self.proxy = self.start_proxy(self.bridge.url)

    def start_proxy(self, upstream):
        proxy = Bridge([PY, os.path.join(HERE, "schemaproxy.py"), "--upstream", upstream, "--report", self.report],
                       self.token).start()
        self.addCleanup(proxy.cleanup)
        return proxy

    def finish(self):
        status = self.proxy.stop()
        with open(self.report, encoding="utf-8") as f:
            return status, json.load(f)

    async def session(self):
        c = Conn(self.proxy.url)
        await c.open()
        welcome = await c.hello(self.token)
        self.assertEqual(welcome["type"], "welcome")
        self.assertEqual(c.ws.subprotocol, "mt5b.v1", "the proxy passes the subprotocol through")
        reply = await c.request("subscribe", streams=[{"kind": "bars", "symbol": "EURUSD", "history": 3}])
        self.assertEqual(reply["streams"][0]["symbol"], "EURUSD.m")
        await c.wait_for(lambda m: m["type"] == "bar", 3)
        return c

    async def test_clean_session_exit_0(self):
        c = await self.session()
        self.assertEqual((await c.request("ping", nonce=5))["nonce"], 5)
        await c.close()
        self.assertEqual(c.violations, [])
        status, report = self.finish()
        self.assertEqual(report["violations"], [])
        self.assertGreaterEqual(report["frames"]["client"], 3)
        self.assertGreaterEqual(report["frames"]["bridge"], 5)
        self.assertEqual(status, 0)

    async def test_bad_bridge_frames_are_reported(self):
        async def bad_bridge(ws, path="/"):
            await ws.recv()
            await ws.send('{"v":1,"type":"welcome","re":"h","seq":0,"ts":1}')           # required fields missing
            await ws.send('{"v":1,"type":"heartbeat","seq":1,"ts":1,"terminal":{"connected":true,'
                          '"trade_allowed":true},"server_time_msc":0,"server_utc_offset_sec":0,'
                          '"offset_source":"dataset"}')
            await ws.send('{"v":1,"type":"heartbeat","seq":3,"ts":1,"terminal":{"connected":true,'
                          '"trade_allowed":true},"server_time_msc":0,"server_utc_offset_sec":0,'
                          '"offset_source":"dataset"}')                                # seq gap
            await ws.close(1000)

        async with websockets.serve(bad_bridge, "127.0.0.1", 0, subprotocols=["mt5b.v1"]) as server:
            self.proxy.cleanup()
            self.proxy = self.start_proxy(f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}")
            c = Conn(self.proxy.url)
            await c.open()
            await c.send({"v": 1, "type": "hello", "id": "h", "token": "t", "protocol": {"min": 1, "max": 1}})
            await c.wait_closed(3)
        status, report = self.finish()
        problems = [(v["direction"], v["problem"]) for v in report["violations"]]
        self.assertTrue(any(d == "bridge" and "welcome" in p for d, p in problems), problems)
        self.assertTrue(any(d == "bridge" and "jumped from 1 to 3" in p for d, p in problems), problems)
        self.assertFalse(any(d == "client" for d, p in problems), problems)
        self.assertEqual(status, 1)

    async def test_client_violations_exit_1(self):
        c = await self.session()
        # client side: a volume as a string (the bridge answers BAD_REQUEST; the proxy reports the client frame)
        await c.send({"v": 1, "type": "order.send", "id": "bad-1", "client_req_id": "x1",
                      "request": {"action": "TRADE_ACTION_DEAL", "symbol": "EURUSD.ref", "volume": "0.1",
                                  "type": "ORDER_TYPE_BUY"}}, check=False)
        await c.wait_for(lambda m: m.get("re") == "bad-1", 3)
        await c.send(b"\x00\x01")
        self.assertEqual(await c.wait_closed(3), 1003, "the close code is passed through the proxy")
        status, report = self.finish()
        problems = [(v["direction"], v["problem"]) for v in report["violations"]]
        self.assertTrue(any(d == "client" and "volume" in p for d, p in problems), problems)
        self.assertTrue(any(d == "client" and "binary" in p for d, p in problems), problems)
        self.assertEqual(status, 1)


if __name__ == "__main__":
    unittest.main()
