"""Handshake, auth, bad input, rate limit, heartbeat, ping, IPC loss, resume and resync over a real WebSocket."""
import asyncio
import json
import unittest

import websockets

from bridgetest import D, TOKEN, BridgeTest
from botdesk_mt5bridge import bridge as bridge_module


class Handshake(BridgeTest):
    async def test_welcome_announces_the_bridge_the_terminal_and_the_configured_clock(self):
        c = await self.client()
        w = c.welcome
        self.assertEqual(w["type"], "welcome")
        self.assertEqual(w["seq"], 0)
        self.assertEqual(w["re"], "h-1")
        self.assertFalse(w["resumed"])
        self.assertEqual(w["bridge"]["kind"], "mt5-python")
        self.assertEqual(w["clock"], {"server_utc_offset_sec": 7200, "offset_source": "config"})
        self.assertEqual(w["account"]["margin_mode"], "ACCOUNT_MARGIN_MODE_RETAIL_HEDGING")
        self.assertEqual(w["account"]["login"], "52001234")
        self.assertTrue(w["terminal"]["connected"])
        self.assertEqual(c.ws.subprotocol, "mt5b.v1")
        self.assertEqual(D.init_args["timeout"], 60000)

    async def test_bad_token_is_auth_failed_then_4003_and_the_token_is_not_logged(self):
        with self.assertLogs("botdesk.mt5bridge", "INFO") as logs:
            c = await self.client(token="wrong-token-xyz")
            self.assertEqual(c.welcome["code"], "AUTH_FAILED")
            self.assertTrue(c.welcome["fatal"])
            self.assertEqual((await c.closed)[0], 4003)
        self.assertNotIn("wrong-token-xyz", "\n".join(logs.output))
        self.assertNotIn(TOKEN, "\n".join(logs.output))

    async def test_a_request_before_hello_is_auth_failed(self):
        c = await self.client(hello=False)
        await c.send({"v": 1, "type": "account.get", "id": "a"})
        self.assertEqual((await c.wait(lambda m: True))["code"], "AUTH_FAILED")
        self.assertEqual((await c.closed)[0], 4003)
        c2 = await self.client(hello=False)
        await c2.send("{not json")
        self.assertEqual((await c2.closed)[0], 4003)

    async def test_unsupported_version_closes_4002(self):
        c = await self.client(hello=False)
        await c.send({"v": 1, "type": "hello", "id": "h", "token": TOKEN, "protocol": {"min": 2, "max": 3}})
        self.assertEqual((await c.wait(lambda m: True))["code"], "UNSUPPORTED_VERSION")
        self.assertEqual((await c.closed)[0], 4002)

    async def test_no_hello_in_time_closes_4001(self):
        old = bridge_module.HELLO_TIMEOUT
        bridge_module.HELLO_TIMEOUT = 0.3
        try:
            c = await self.client(hello=False)
            self.assertEqual((await asyncio.wait_for(c.closed, 3))[0], 4001)
        finally:
            bridge_module.HELLO_TIMEOUT = old

    async def test_heartbeat_and_ping(self):
        c = await self.client()
        hb = await c.wait(lambda m: m["type"] == "heartbeat", timeout=3)
        self.assertEqual(hb["seq"], 1)
        self.assertEqual(hb["server_utc_offset_sec"], 7200)
        self.assertEqual(hb["offset_source"], "config")
        self.assertTrue(hb["terminal"]["connected"])
        await c.request("subscribe", streams=[{"kind": "ticks", "symbol": "EURUSD"}])
        D.push_tick("EURUSD.m", bid=1.2, time_msc=D.now_msc + 5000)
        tick = await c.wait(lambda m: m["type"] == "tick" and m["bid"] == 1.2)
        hb = await c.wait(lambda m: m["type"] == "heartbeat", timeout=3)
        self.assertEqual(hb["server_time_msc"], tick["time_msc"], "the last MT5 time, standing still without ticks")
        pong = await c.request("ping", nonce={"any": [1, "x"]})
        self.assertEqual(pong["type"], "pong")
        self.assertEqual(pong["nonce"], {"any": [1, "x"]})
        self.assertNotIn("seq", pong)


class BadInput(BridgeTest):
    config_over = {"max_requests_per_sec": 20}

    async def test_bad_frames_get_errors_and_the_connection_stays_usable(self):
        c = await self.client()
        for frame in ("{oops", "[1,2]", "42", json.dumps({"v": 1, "id": "x"}), json.dumps({"type": "ping"}),
                      json.dumps({"v": 2, "type": "ping", "id": "v2"})):
            await c.send(frame)
            e = await c.wait(lambda m: m["type"] == "error")
            self.assertEqual(e["code"], "BAD_REQUEST", frame)
            self.assertFalse(e["fatal"])
        e = await c.request("no.such.type")
        self.assertEqual(e["code"], "UNSUPPORTED_TYPE")
        e = await c.request("hello", token=TOKEN)
        self.assertEqual(e["code"], "BAD_REQUEST")
        # wrong field types in an order: BAD_REQUEST, nothing reaches the terminal, nothing recorded
        sends = D.calls["_locked_order_send"]
        for bad in ({"volume": "0.1"}, {"position": 123}, {"type": "BUY"}, {"magic": 1.5}):
            r = await c.order("bad-1", self.buy(**bad))
            self.assertEqual(r["code"], "BAD_REQUEST", bad)
            self.assertIn("field", r["details"])
        r = await c.order("bad id with spaces", self.buy())
        self.assertEqual(r["code"], "BAD_REQUEST")
        self.assertEqual(D.calls["_locked_order_send"], sends)
        st = await c.request("order.status", client_req_id="bad-1")
        self.assertEqual(st["state"], "not_found")
        e = await c.request("subscribe", streams="EURUSD")
        self.assertEqual(e["code"], "BAD_REQUEST")
        self.assertEqual((await c.request("ping", nonce=1))["type"], "pong")

    async def test_binary_frame_closes_1003(self):
        c = await self.client()
        await c.send(b"\x00\x01")
        self.assertEqual((await c.closed)[0], 1003)

    async def test_frame_over_1_mib_closes_1009(self):
        c = await self.client()
        await c.send(json.dumps({"v": 1, "type": "ping", "id": "big", "nonce": "x" * (1 << 20)}))
        self.assertEqual((await c.closed)[0], 1009)

    async def test_rate_limit_then_flood_close(self):
        c = await self.client()
        for i in range(30):
            await c.send({"v": 1, "type": "ping", "id": f"p{i}", "nonce": i})
        limited = await c.wait(lambda m: m["type"] == "error" and m["code"] == "RATE_LIMITED")
        self.assertGreater(limited["retry_after_ms"], 0)
        self.assertTrue(limited["retryable"])
        await c.wait(lambda m: len(c.of("pong")) + len(c.of("error", code="RATE_LIMITED")) >= 30)
        self.assertEqual(len(c.of("pong")), 20, "exactly max_requests_per_sec requests were processed")
        await asyncio.sleep(1.1)
        self.assertEqual((await c.request("ping", nonce="after"))["nonce"], "after")
        for i in range(250):
            try:
                await c.send({"v": 1, "type": "ping", "id": f"f{i}"})
            except websockets.ConnectionClosed:
                break
        self.assertEqual((await asyncio.wait_for(c.closed, 3))[0], 1008)
        # the bridge lives on
        c2 = await self.client()
        self.assertEqual(c2.welcome["type"], "welcome")


class TerminalLink(BridgeTest):
    async def test_ipc_loss_pushes_terminal_disconnected_then_reconnects(self):
        c = await self.client()
        await c.request("subscribe", streams=[{"kind": "ticks", "symbol": "EURUSD"}])
        D.break_ipc(terminal_running=False)
        t = await c.wait(lambda m: m["type"] == "terminal")
        self.assertFalse(t["connected"])
        r = await c.order("ipc-1", self.buy())
        self.assertEqual(r["code"], "TERMINAL_DISCONNECTED")
        self.assertTrue(r["retryable"])
        self.assertEqual((await c.request("order.status", client_req_id="ipc-1"))["state"], "not_found")
        for _ in range(100):                              # up to 5 s: a loaded machine runs the backoff late
            if D.calls["initialize"] > 2:
                break
            await asyncio.sleep(0.05)
        self.assertGreater(D.calls["initialize"], 2, "the bridge keeps calling initialize() with backoff")
        D.restore_terminal()
        t = await c.wait(lambda m: m["type"] == "terminal", timeout=5)
        self.assertTrue(t["connected"])
        D.trade_allowed = False                           # the Algo Trading button
        t = await c.wait(lambda m: m["type"] == "terminal")
        self.assertEqual((t["connected"], t["trade_allowed"]), (True, False))
        r = await c.order("algo-off", self.buy())
        self.assertEqual((r["retcode"], r["class"]), (10027, "REJECT_STATE"))
        D.trade_allowed = True
        self.assertTrue((await c.wait(lambda m: m["type"] == "terminal"))["trade_allowed"])
        self.assertGreater(D.calls["shutdown"], 1)
        D.push_tick("EURUSD.m", bid=1.2345)
        tick = await c.wait(lambda m: m["type"] == "tick" and m["bid"] == 1.2345)
        self.assertEqual(tick["symbol"], "EURUSD.m")
        r = await c.order("ipc-1", self.buy())
        self.assertEqual(r["status"], "done")


class Conflation(unittest.TestCase):
    def test_a_slow_client_gets_the_newest_tick_with_the_count_of_dropped_ones(self):
        from botdesk_mt5bridge.session import TICK_BACKLOG, Session

        class SlowConn:
            def __init__(self):
                self.queue = [None] * (TICK_BACKLOG + 1)
                self.sent = []

            def send(self, msg):
                self.sent.append(msg)
        s = Session()
        s.conn = SlowConn()
        for i in range(5):
            s.emit_tick({"type": "tick", "symbol": "EURUSD.m", "bid": i})
        s.emit({"type": "deal", "deal": {}})                 # never dropped
        self.assertEqual([m["type"] for m in s.conn.sent], ["deal"])
        s.conn.queue = []
        s.emit_tick({"type": "tick", "symbol": "EURUSD.m", "bid": 9})
        self.assertEqual((s.conn.sent[-1]["bid"], s.conn.sent[-1]["conflated"]), (9, 5))
        self.assertEqual([m["seq"] for m in s.conn.sent], [1, 2], "dropped ticks take no seq: no gap")
        s.emit_tick({"type": "tick", "symbol": "EURUSD.m", "bid": 10})
        self.assertNotIn("conflated", s.conn.sent[-1])


class Stall(BridgeTest):
    config_over = {"worker_stall_sec": 0.3}

    async def test_a_hung_terminal_call_is_reported_then_cleared(self):
        c = await self.client()
        D.send_faults.append(("delay", 1.0))
        await c.send({"v": 1, "type": "order.send", "id": "o", "client_req_id": "hang-1", "request": self.buy()})
        t = await c.wait(lambda m: m["type"] == "terminal", timeout=3)
        self.assertFalse(t["connected"])
        t = await c.wait(lambda m: m["type"] == "terminal", timeout=3)
        self.assertTrue(t["connected"])
        r = await c.wait(lambda m: m.get("re") == "o" and m["type"] == "order.result", start=0)
        self.assertEqual(r["status"], "done")


class Resume(BridgeTest):
    async def test_resume_replays_missed_events_with_their_original_seq(self):
        c = await self.client()
        sid = c.welcome["session_id"]
        await c.request("subscribe", streams=[{"kind": "ticks", "symbol": "EURUSD"}])
        await self.ticks(n=3)
        await c.wait(lambda m: m["type"] == "tick" and m["seq"] >= 3)
        last_seq = max(m.get("seq", 0) for m in c.frames)
        await c.close()
        await asyncio.sleep(0.1)
        await self.ticks(n=4)                    # missed while disconnected
        await asyncio.sleep(0.2)
        c2 = await self.client(resume={"session_id": sid, "last_seq": last_seq})
        self.assertTrue(c2.welcome["resumed"])
        self.assertEqual(c2.welcome["session_id"], sid)
        replayed = [m for m in c2.frames if m.get("replay")]
        self.assertGreaterEqual(len([m for m in replayed if m["type"] == "tick"]), 4)
        self.assertEqual([m["seq"] for m in replayed], list(range(last_seq + 1, last_seq + 1 + len(replayed))))
        # the subscription was restored: live ticks keep coming, seq continues
        D.push_tick("EURUSD.m", bid=1.3)
        live = await c2.wait(lambda m: m["type"] == "tick" and m["bid"] == 1.3)
        self.assertNotIn("replay", live)
        self.assertGreater(live["seq"], replayed[-1]["seq"])
        # a resume the ring cannot cover: a new session, seq from 1, no subscriptions
        c3 = await self.client(resume={"session_id": "s-nope", "last_seq": 5})
        self.assertFalse(c3.welcome["resumed"])
        self.assertNotEqual(c3.welcome["session_id"], sid)

    async def test_resuming_a_live_session_closes_the_old_connection_4005(self):
        c = await self.client()
        c2 = await self.client(resume={"session_id": c.welcome["session_id"], "last_seq": 0})
        self.assertTrue(c2.welcome["resumed"])
        self.assertEqual((await asyncio.wait_for(c.closed, 3))[0], 4005)

    async def test_resync_replays_or_sends_a_snapshot_bundle(self):
        c = await self.client()
        await c.request("subscribe", streams=[{"kind": "ticks", "symbol": "EURUSD"}])
        await c.order("rs-1", self.buy())
        await self.ticks(n=3)
        await c.wait(lambda m: m["type"] == "deal")
        r = await c.request("resync", since_seq=1)
        self.assertEqual(r["type"], "resynced")
        self.assertEqual(r["mode"], "replay")
        self.assertGreater(r["replayed"], 2)
        rid = "snap-req"
        await c.send({"v": 1, "type": "resync", "id": rid, "since_seq": 1, "mode": "snapshot",
                      "deals_since_msc": 0})
        end = await c.wait(lambda m: m["type"] == "snapshot.end" and m["re"] == rid)
        bundle = [m["type"] for m in c.frames if m.get("re") == rid]
        self.assertEqual(bundle, ["snapshot.begin", "account", "positions", "orders", "deals", "snapshot.end"])
        positions = [m for m in c.frames if m.get("re") == rid and m["type"] == "positions"][0]
        self.assertEqual(len(positions["items"]), 1)
        deals = [m for m in c.frames if m.get("re") == rid and m["type"] == "deals"][0]
        self.assertIn("|k:", deals["items"][-1]["comment"])
        self.assertLessEqual(end["as_of_seq"], max(m.get("seq", 0) for m in c.frames))


if __name__ == "__main__":
    unittest.main()


class Fuzz(BridgeTest):
    config_over = {"max_requests_per_sec": 100000}

    async def test_mutated_requests_get_exactly_one_reply_and_never_an_internal_error(self):
        """Every field of valid requests replaced by wrong-typed values (seeded): one reply each, never INTERNAL,
        nothing unhandled in the log, and the bridge stays usable."""
        import random
        rng = random.Random(8)
        c = await self.client()
        base = [
            {"type": "ping", "nonce": 1},
            {"type": "subscribe", "streams": [{"kind": "bars", "symbol": "EURUSD", "timeframe": "M1", "history": 2,
                                                "forming": False}]},
            {"type": "unsubscribe", "streams": [{"kind": "ticks", "symbol": "EURUSD"}]},
            {"type": "symbol.get", "symbol": "EURUSD"}, {"type": "symbols.list", "filter": "*"},
            {"type": "history.rates", "symbol": "EURUSD", "timeframe": "M1", "count": 3},
            {"type": "history.ticks", "symbol": "EURUSD", "from_msc": 0, "count": 3},
            {"type": "history.deals", "from": 0, "to": 2 ** 33}, {"type": "account.get"},
            {"type": "positions.get"}, {"type": "orders.get"}, {"type": "order.status", "client_req_id": "fz"},
            {"type": "resync", "since_seq": 0},
            {"type": "order.check", "request": self.buy()},
            {"type": "order.send", "client_req_id": "fz", "request": self.buy(sl=0.0, magic=1, comment="c"),
             "options": {"filling_fallback": ["ORDER_FILLING_IOC"], "max_reprice_attempts": 0, "timeout_ms": 2000,
                         "intent": "open"}},
        ]
        junk = ["x", 1.5, -1, True, [], {}, "", 10 ** 30, [1, {"a": None}], "ORDER_TYPE_BUY", "0", {"kind": 1}]

        def mutate(obj):
            obj = json.loads(json.dumps(obj))
            paths = []

            def walk(o, path):
                if isinstance(o, dict):
                    for k, v in o.items():
                        if k != "type" or path:
                            paths.append(path + [k])
                        walk(v, path + [k])
                elif isinstance(o, list):
                    for i, v in enumerate(o):
                        paths.append(path + [i])
                        walk(v, path + [i])
            walk(obj, [])
            if not paths:
                return obj
            path = rng.choice(paths)
            target = obj
            for k in path[:-1]:
                target = target[k]
            target[path[-1]] = rng.choice(junk)
            return obj
        with self.assertLogs("botdesk.mt5bridge", "DEBUG") as logs:
            logging_marker = "fuzz start"
            import logging
            logging.getLogger("botdesk.mt5bridge").debug(logging_marker)
            ids = []
            for i in range(400):
                msg = mutate(rng.choice(base))
                if msg.get("type") == "order.send":
                    msg["client_req_id"] = f"fz-{i}" if isinstance(msg.get("client_req_id"), str) else \
                        msg.get("client_req_id")
                rid = f"z{i}"
                msg.update(v=1, id=rid)
                ids.append(rid)
                await c.send(msg)
                if i % 50 == 0:
                    await asyncio.sleep(0.01)
            final = lambda m: m.get("re") in ids and not (m["type"] == "order.ack" and m.get("state") == "inflight")
            await c.wait(lambda m: len({x["re"] for x in c.frames if final(x)}) == len(ids), timeout=20, start=0)
        replies = [m for m in c.frames if final(m)]
        self.assertEqual(sorted(m["re"] for m in replies), sorted(ids), "exactly one final reply per request")
        self.assertEqual([m for m in replies if m.get("code") == "INTERNAL"], [])
        self.assertFalse([r for r in logs.records if r.exc_info], "no unhandled exception in the bridge")
        codes = {m.get("code") for m in replies if m["type"] == "error"}
        self.assertIn("BAD_REQUEST", codes)
        self.assertEqual((await c.request("ping", nonce="alive"))["nonce"], "alive")
