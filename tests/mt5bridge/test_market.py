"""Symbols, ticks, bars (closed exactly once) and history over a real WebSocket, against the MetaTrader5 double."""
import asyncio
import unittest

from bridgetest import D, BridgeTest


class Symbols(BridgeTest):
    async def test_resolution_exact_alias_suffix_and_suggestions(self):
        c = await self.client()
        info = (await c.request("symbol.get", symbol="eurusd"))["info"]
        self.assertEqual(info["name"], "EURUSD.m")
        self.assertEqual(info["trade_mode"], "SYMBOL_TRADE_MODE_FULL")
        self.assertEqual(info["trade_exemode"], "SYMBOL_TRADE_EXECUTION_MARKET")
        self.assertEqual(info["filling_mode"], 3)
        self.assertEqual(info["digits"], 5)
        self.assertEqual((await c.request("symbol.get", symbol="GOLD"))["info"]["name"], "XAUUSD.m")
        self.assertEqual((await c.request("symbol.get", symbol="USDJPY.sim"))["info"]["name"], "USDJPY.m")
        e = await c.request("symbol.get", symbol="EURUSX")
        self.assertEqual(e["code"], "UNKNOWN_SYMBOL")
        self.assertEqual(e["details"]["suggestions"][0], "EURUSD.m")
        items = (await c.request("symbols.list", filter="*usd*"))["items"]
        self.assertEqual(sorted(i["name"] for i in items), ["EURUSD.m", "EURUSD.pro", "GBPUSD.m", "USDCHF.m",
                                                             "USDJPY.m", "XAUUSD.m"])
        sub = await c.request("subscribe", streams=[{"kind": "ticks", "symbol": "XAUUSD"},
                                                    {"kind": "ticks", "symbol": "NOPE"},
                                                    {"kind": "book", "symbol": "EURUSD"},
                                                    {"kind": "bars", "symbol": "EURUSD", "timeframe": "M7"}])
        self.assertEqual([s["symbol"] for s in sub["streams"]], ["XAUUSD.m"])
        self.assertEqual([e["code"] for e in sub["errors"]], ["UNKNOWN_SYMBOL", "UNSUPPORTED_TYPE",
                                                              "UNSUPPORTED_TYPE"])
        self.assertTrue(D.specs["XAUUSD.m"].selected, "symbol_select(symbol, True) before streaming")
        un = await c.request("unsubscribe", streams=[{"kind": "ticks", "symbol": "XAUUSD.m"},
                                                     {"kind": "ticks", "symbol": "EURUSD"}])
        self.assertEqual(un["streams"], [{"kind": "ticks", "symbol": "XAUUSD.m"}])
        self.assertEqual(un["errors"][0]["code"], "NOT_SUBSCRIBED")


class Streams(BridgeTest):
    async def test_ticks_arrive_once_each_in_order(self):
        c = await self.client()
        await c.request("subscribe", streams=[{"kind": "ticks", "symbol": "EURUSD"}])
        t0 = D.now_msc
        for i in range(30):                      # several ticks per poll, some on the same millisecond
            D.push_tick("EURUSD.m", bid=1.1 + i / 1e5, time_msc=t0 + 10 + i // 2)
            if i % 4 == 0:
                await asyncio.sleep(0.015)
        await c.wait(lambda m: m["type"] == "tick" and m["bid"] == round(1.1 + 29 / 1e5, 5))
        bids = [m["bid"] for m in c.of("tick") if m["time_msc"] > t0]
        self.assertEqual(bids, [1.1 + i / 1e5 for i in range(30)])
        seqs = [m["seq"] for m in c.frames if "seq" in m and m["type"] != "welcome"]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)))

    async def test_every_bar_is_closed_exactly_once_with_the_final_ohlc(self):
        c = await self.client()
        start = (D.now_msc // 60000 + 1) * 60000        # the next minute boundary, server clock
        # three closed bars of history first
        for m in range(3):
            for k in range(3):
                D.push_tick("EURUSD.m", bid=1.2 + m / 1000 + k / 1e5, time_msc=start + m * 60000 + k * 1000)
        sub = await c.request("subscribe", streams=[{"kind": "bars", "symbol": "EURUSD", "timeframe": "M1",
                                                     "history": 2, "forming": True}])
        self.assertEqual(sub["streams"][0]["history_sent"], 2)
        hist = c.of("bar")
        self.assertEqual([b["time"] for b in hist], [start // 1000, start // 1000 + 60])   # +120 is forming
        self.assertTrue(all(b["closed"] and b["history"] for b in hist))
        # live: bars 3..6, each tick polled several times
        for m in range(3, 7):
            for k in range(4):
                D.push_tick("EURUSD.m", bid=1.3 + k / 1e5, time_msc=start + m * 60000 + k * 1000)
                await asyncio.sleep(0.04)
        await c.wait(lambda m: m["type"] == "bar" and m["closed"] and m["time"] == start // 1000 + 300)
        await asyncio.sleep(0.3)
        closed = [b for b in c.of("bar") if b["closed"]]
        times = [b["time"] for b in closed]
        self.assertEqual(times, sorted(set(times)), "one closed:true per bar, in order")
        self.assertEqual(times, [start // 1000 + 60 * m for m in range(0, 6)])
        # the closed bar carries the final OHLC (the last tick of the minute), not a snapshot of the forming one
        b4 = [b for b in closed if b["time"] == start // 1000 + 240][0]
        self.assertEqual((b4["open"], b4["high"], b4["low"], b4["close"], b4["tick_volume"]),
                         (1.3, 1.30003, 1.3, 1.30003, 4))
        forming = [b for b in c.of("bar") if not b["closed"]]
        self.assertTrue(forming, "forming:true sends closed:false updates")
        self.assertFalse(any(f["time"] <= times[-1] and f["seq"] > closed[-1]["seq"] for f in forming))
        # a second subscriber without forming gets no closed:false at all
        c2 = await self.client()
        await c2.request("subscribe", streams=[{"kind": "bars", "symbol": "EURUSD", "timeframe": "M1"}])
        for k in range(3):
            D.push_tick("EURUSD.m", bid=1.4, time_msc=start + 7 * 60000 + k)
            await asyncio.sleep(0.05)
        b = await c2.wait(lambda m: m["type"] == "bar")
        self.assertTrue(b["closed"])
        self.assertEqual(b["time"], start // 1000 + 360)
        self.assertEqual(c2.of("bar", closed=False), [])

    async def test_history_rates_and_ticks(self):
        c = await self.client()
        start = (D.now_msc // 60000 + 1) * 60000
        for m in range(5):
            D.push_tick("EURUSD.m", bid=1.1 + m / 1000, time_msc=start + m * 60000)
        r = await c.request("history.rates", symbol="EURUSD", timeframe="M1", **{"from": start // 1000,
                                                                                  "to": start // 1000 + 240})
        self.assertEqual([row[0] for row in r["items"]], [start // 1000 + 60 * m for m in range(5)])
        self.assertEqual(r["items"][2][1], 1.102)
        self.assertTrue(r["complete"])
        self.assertTrue(r["last_forming"], "the newest bar is still forming")
        r = await c.request("history.rates", symbol="EURUSD", timeframe="M1", count=2)
        self.assertEqual([row[0] for row in r["items"]], [start // 1000 + 180, start // 1000 + 240])
        r = await c.request("history.rates", symbol="EURUSD", timeframe="M1", **{"from": start // 1000}, count=2)
        self.assertEqual([row[0] for row in r["items"]], [start // 1000, start // 1000 + 60])
        self.assertNotIn("last_forming", r)
        e = await c.request("history.rates", symbol="EURUSD", timeframe="M1", **{"from": "yesterday"})
        self.assertEqual(e["code"], "BAD_REQUEST")
        t = await c.request("history.ticks", symbol="EURUSD", from_msc=start, to_msc=start + 120000)
        self.assertEqual([row[0] for row in t["items"]], [start, start + 60000, start + 120000])
        self.assertEqual(len(t["items"][0]), 7)


if __name__ == "__main__":
    unittest.main()
