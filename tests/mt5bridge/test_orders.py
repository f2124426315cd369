"""Every order action, retcode classes, filling choice and fallback, re-pricing, idempotency (dedup, conflict,
durable across a restart) and reconciliation of unknown outcomes, over a real WebSocket against the double."""
import asyncio
import unittest

from bridgetest import D, BridgeTest
from botdesk_mt5bridge.idempotency import Store, request_hash, tag_of, tagged_comment


class Actions(BridgeTest):
    async def test_market_open_modify_partial_close_and_events(self):
        c = await self.client()
        r = await c.order("open-1", self.buy(volume=0.3, comment="ws"))
        self.assertEqual((r["status"], r["retcode"], r["class"], r["dedup"]), ("done", 10009, "SUCCESS", False))
        self.assertEqual(r["retcode_name"], "TRADE_RETCODE_DONE")
        self.assertEqual(r["filling_used"], "ORDER_FILLING_FOK", "AUTO on FOK|IOC market execution picks FOK")
        pos_id = r["position_id"]
        self.assertEqual(pos_id, r["result"]["order"])
        p = list(D.positions.values())[0]
        self.assertEqual(p.comment, "ws|k:" + tag_of("open-1"))
        self.assertEqual(p.magic, 770001, "the configured magic when the request has none")
        deal = await c.wait(lambda m: m["type"] == "deal", start=0)
        self.assertEqual(deal["client_req_id"], "open-1")
        self.assertEqual(deal["deal"]["entry"], "DEAL_ENTRY_IN")
        add = await c.wait(lambda m: m["type"] == "position" and m["op"] == "add", start=0)
        self.assertEqual(add["position"]["ticket"], pos_id)
        acct = await c.wait(lambda m: m["type"] == "account" and "margin" in m["info"], start=0)
        self.assertTrue(acct["partial"])
        self.assertAlmostEqual(acct["info"]["margin"], D._account().margin, 2)
        # SL/TP
        r = await c.order("sltp-1", {"action": "TRADE_ACTION_SLTP", "position": pos_id, "sl": 1.08, "tp": 1.09})
        self.assertEqual(r["status"], "done")
        upd = await c.wait(lambda m: m["type"] == "position" and m["op"] == "update", start=0)
        self.assertEqual((upd["position"]["sl"], upd["position"]["tp"]), (1.08, 1.09))
        r = await c.order("sltp-2", {"action": "TRADE_ACTION_SLTP", "position": pos_id, "sl": 1.08, "tp": 1.09})
        self.assertEqual((r["status"], r["retcode"]), ("no_change", 10025))
        r = await c.order("sltp-3", {"action": "TRADE_ACTION_SLTP", "position": pos_id, "sl": 1.08499, "tp": 1.09})
        self.assertEqual((r["status"], r["retcode"], r["class"]), ("rejected", 10016, "REJECT_REQUEST"))
        # partial close, then a close that is too large
        r = await c.order("close-1", self.sell(volume=0.1, position=pos_id), {"intent": "close"})
        self.assertEqual(r["status"], "done")
        self.assertAlmostEqual(D.positions[int(pos_id)].volume, 0.2)
        r = await c.order("close-2", self.sell(volume=0.5, position=pos_id), {"intent": "close"})
        self.assertEqual((r["retcode"], r["class"]), (10038, "REJECT_REQUEST"))
        r = await c.order("close-3", {"action": "TRADE_ACTION_DEAL", "type": "ORDER_TYPE_SELL", "volume": 0.2,
                                      "position": pos_id}, {"intent": "close"})
        self.assertEqual(r["status"], "done")
        await c.wait(lambda m: m["type"] == "position" and m["op"] == "remove", start=0)
        out = await c.wait(lambda m: m["type"] == "deal" and m["deal"]["entry"] == "DEAL_ENTRY_OUT"
                           and m["client_req_id"] == "close-3", start=0)
        self.assertEqual(out["deal"]["position_id"], pos_id)
        # a close of a position that is gone: 10036 reported as done, already_closed
        r = await c.order("close-4", self.sell(volume=0.1, position=pos_id), {"intent": "close"})
        self.assertEqual((r["status"], r["retcode"], r.get("already_closed")), ("done", 10036, True))
        # a hedging close without position is a BAD_REQUEST, nothing sent
        r = await c.order("close-5", self.sell(), {"intent": "close"})
        self.assertEqual(r["code"], "BAD_REQUEST")

    async def test_pending_modify_remove_and_close_by(self):
        c = await self.client()
        ask = D.specs["EURUSD.m"].ask
        r = await c.order("pend-1", {"action": "TRADE_ACTION_PENDING", "symbol": "EURUSD", "volume": 0.1,
                                     "type": "ORDER_TYPE_BUY_LIMIT", "price": round(ask - 0.002, 5)})
        self.assertEqual((r["status"], r["retcode"]), ("done", 10009))       # as real terminals answer
        self.assertEqual(r["filling_used"], "ORDER_FILLING_RETURN", "AUTO on a limit order is RETURN")
        ticket = r["result"]["order"]
        add = await c.wait(lambda m: m["type"] == "order" and m["op"] == "add", start=0)
        self.assertEqual(add["order"]["state"], "ORDER_STATE_PLACED")
        r = await c.order("mod-1", {"action": "TRADE_ACTION_MODIFY", "order": ticket, "price": round(ask - 0.003, 5)})
        self.assertEqual(r["status"], "done")
        await c.wait(lambda m: m["type"] == "order" and m["op"] == "update", start=0)
        r = await c.order("rm-1", {"action": "TRADE_ACTION_REMOVE", "order": ticket})
        self.assertEqual(r["status"], "done")
        rm = await c.wait(lambda m: m["type"] == "order" and m["op"] == "remove", start=0)
        self.assertEqual(rm["order"]["state"], "ORDER_STATE_CANCELED")
        r = await c.order("rm-2", {"action": "TRADE_ACTION_REMOVE", "order": ticket})
        self.assertEqual((r["status"], r["retcode"]), ("rejected", 10035))
        # a pending order that triggers: the deal carries the request's client_req_id (through the tag)
        r = await c.order("pend-2", {"action": "TRADE_ACTION_PENDING", "symbol": "EURUSD", "volume": 0.1,
                                     "type": "ORDER_TYPE_BUY_STOP", "price": round(ask + 0.0005, 5)})
        self.assertEqual(r["status"], "done")
        D.push_tick("EURUSD.m", bid=round(ask + 0.0006, 5))
        d = await c.wait(lambda m: m["type"] == "deal" and m["client_req_id"] == "pend-2", start=0)
        self.assertEqual(d["deal"]["type"], "DEAL_TYPE_BUY")
        # close-by: a buy against a sell
        buy = await c.order("cb-buy", self.buy())
        sell = await c.order("cb-sell", self.sell())
        r = await c.order("cb-1", {"action": "TRADE_ACTION_CLOSE_BY", "position": buy["position_id"],
                                   "position_by": sell["position_id"]})
        self.assertEqual(r["status"], "done")
        self.assertNotIn(int(buy["position_id"]), D.positions)
        self.assertNotIn(int(sell["position_id"]), D.positions)
        await c.wait(lambda m: m["type"] == "deal" and m["deal"]["entry"] == "DEAL_ENTRY_OUT_BY", start=0)

    async def test_retcode_classes(self):
        c = await self.client()
        r = await c.order("vol-1", self.buy(volume=0.015))
        self.assertEqual((r["status"], r["retcode"], r["class"], r["retryable"]),
                         ("rejected", 10014, "REJECT_REQUEST", False))
        r = await c.order("money-1", self.buy(volume=90))
        self.assertEqual((r["retcode"], r["class"]), (10019, "REJECT_STATE"))
        D.market_closed.add("GBPUSD.m")
        r = await c.order("closed-1", self.buy("GBPUSD"))
        self.assertEqual((r["retcode"], r["retcode_name"], r["class"]),
                         (10018, "TRADE_RETCODE_MARKET_CLOSED", "REJECT_STATE"))
        r = await c.order("co-1", self.buy("USDCHF"))
        self.assertEqual((r["retcode"], r["retcode_name"], r["class"]), (10044, "TRADE_RETCODE_CLOSE_ONLY",
                                                                         "REJECT_STATE"))
        D.requote_next = 1
        r = await c.order("rq-1", self.buy())
        self.assertEqual((r["retcode"], r["class"], r["retryable"], r["attempts"]), (10004, "RETRY_REPRICE", True, 1))
        D.requote_next = 2
        r = await c.order("rq-2", self.buy(), {"max_reprice_attempts": 2})
        self.assertEqual((r["status"], r["attempts"]), ("done", 3))
        self.assertEqual(r["result"]["price"], D.specs["EURUSD.m"].ask, "re-priced from a fresh tick")
        # order.check never executes
        before = len(D.positions)
        chk = await c.request("order.check", request=self.buy(volume=0.5))
        self.assertEqual(chk["type"], "order.check_result")
        self.assertEqual(chk["retcode"], 0)
        self.assertGreater(chk["margin"], 0)
        self.assertEqual(len(D.positions), before)
        chk = await c.request("order.check", request=self.buy(volume=0.015))
        self.assertEqual(chk["retcode"], 10014)

    async def test_filling_auto_and_fallback_after_10030(self):
        c = await self.client()
        r = await c.order("fill-1", self.buy("XAUUSD", 0.1))        # XAUUSD.m allows IOC only
        self.assertEqual((r["status"], r["filling_used"], r["attempts"]), ("done", "ORDER_FILLING_IOC", 1))
        r = await c.order("fill-2", self.buy("XAUUSD", 0.1, type_filling="ORDER_FILLING_FOK"))
        self.assertEqual((r["retcode"], r["class"], r["attempts"]), (10030, "REJECT_REQUEST", 1))
        r = await c.order("fill-3", self.buy("XAUUSD", 0.1, type_filling="ORDER_FILLING_FOK"),
                          {"filling_fallback": ["ORDER_FILLING_FOK", "ORDER_FILLING_IOC"]})
        self.assertEqual((r["status"], r["filling_used"], r["attempts"]), ("done", "ORDER_FILLING_IOC", 2))
        r = await c.order("fill-4", self.buy("EURUSD.pro", 0.1))    # exchange execution: RETURN first
        self.assertEqual((r["status"], r["filling_used"]), ("done", "ORDER_FILLING_RETURN"))


class Netting(BridgeTest):
    hedging = False

    async def test_netting_close_by_symbol_and_reversal(self):
        c = await self.client()
        self.assertEqual(c.welcome["account"]["margin_mode"], "ACCOUNT_MARGIN_MODE_RETAIL_NETTING")
        r = await c.order("n-1", self.buy(volume=0.2))
        pos_id = r["position_id"]
        r = await c.order("n-2", self.sell(volume=0.1), {"intent": "close"})    # position filled in by the bridge
        self.assertEqual((r["status"], r["position_id"]), ("done", pos_id))
        self.assertAlmostEqual(D.positions[int(pos_id)].volume, 0.1)
        r = await c.order("n-3", self.sell(volume=0.3))                         # reversal: identifier kept
        self.assertEqual(r["status"], "done")
        (p,) = D.positions.values()
        self.assertEqual((p.type, p.identifier), (1, int(pos_id)))
        self.assertNotEqual(p.ticket, int(pos_id))
        d = await c.wait(lambda m: m["type"] == "deal" and m["deal"]["entry"] == "DEAL_ENTRY_INOUT", start=0)
        self.assertEqual(d["client_req_id"], "n-3")


class Idempotency(BridgeTest):
    async def test_same_id_dedups_and_a_different_request_conflicts(self):
        c = await self.client()
        first = await c.order("idem-1", self.buy())
        again = await c.order("idem-1", self.buy())
        self.assertTrue(again["dedup"])
        self.assertEqual(again["result"], first["result"])
        self.assertEqual(len(D.positions), 1, "executed once")
        conflict = await c.order("idem-1", self.buy(volume=0.2))
        self.assertEqual(conflict["code"], "IDEMPOTENCY_CONFLICT")
        self.assertEqual(conflict["details"]["client_req_id"], "idem-1")
        st = await c.request("order.status", client_req_id="idem-1")
        self.assertEqual((st["type"], st["dedup"], st["result"]), ("order.result", True, first["result"]))
        self.assertEqual((await c.request("order.status", client_req_id="never-sent"))["state"], "not_found")
        # null members are not part of the hash
        again = await c.order("idem-1", {**self.buy(), "sl": None, "position": None})
        self.assertTrue(again["dedup"])

    async def test_same_id_while_in_flight_is_acked_not_sent_twice(self):
        c = await self.client()
        D.send_faults.append(("delay", 0.4))
        await c.send({"v": 1, "type": "order.send", "id": "a", "client_req_id": "slow-1", "request": self.buy()})
        await asyncio.sleep(0.1)
        await c.send({"v": 1, "type": "order.send", "id": "b", "client_req_id": "slow-1", "request": self.buy()})
        ack = await c.wait(lambda m: m.get("re") == "b", start=0)
        self.assertEqual((ack["type"], ack["state"]), ("order.ack", "inflight"))
        await c.send({"v": 1, "type": "order.status", "id": "st", "client_req_id": "slow-1"})
        st = await c.wait(lambda m: m.get("re") == "st", start=0)
        self.assertEqual((st["type"], st["state"]), ("order.ack", "inflight"))
        res = await c.wait(lambda m: m["type"] == "order.result" and m.get("re") == "a", start=0)
        self.assertEqual(res["status"], "done")
        self.assertEqual(len(D.positions), 1)

    async def test_the_map_survives_a_bridge_restart(self):
        c = await self.client()
        first = await c.order("dur-1", self.buy())
        await c.close()
        await self.stop_bridge()
        await self.start_bridge()
        c2 = await self.client()
        again = await c2.order("dur-1", self.buy())
        self.assertTrue(again["dedup"])
        self.assertEqual(again["result"]["deal"], first["result"]["deal"])
        self.assertEqual(len(D.positions), 1)
        self.assertEqual((await c2.order("dur-1", self.sell()))["code"], "IDEMPOTENCY_CONFLICT")

    async def test_an_order_left_in_flight_by_a_crash_is_reconciled_at_the_next_start(self):
        await self.stop_bridge()
        store = Store(self.tmp.name)             # the crashed bridge wrote the row, MT5 executed the order
        req = self.buy(comment="crash")
        store.begin("crash-1", request_hash(req), tag_of("crash-1"), req, int(D.now_msc - 7200 * 1000))
        store.close()
        import MetaTrader5 as mt5
        mt5.initialize()
        sent = mt5.order_send({"action": 1, "symbol": "EURUSD.m", "volume": 0.1, "type": 0, "type_filling": 0,
                               "magic": 770001, "comment": tagged_comment("crash", tag_of("crash-1"))})
        self.assertEqual(sent.retcode, 10009)
        await self.start_bridge()
        c = await self.client()
        st = None
        for _ in range(50):
            st = await c.request("order.status", client_req_id="crash-1")
            if st["type"] == "order.result":
                break
            await asyncio.sleep(0.1)
        self.assertEqual((st["status"], st["reconciled"], st["match"]), ("done", True, "tag"))
        self.assertEqual(st["result"]["deal"], str(sent.deal))
        self.assertEqual(len(D.positions), 1)


class Reconciliation(BridgeTest):
    async def test_execute_then_none_is_reconciled_through_the_tag(self):
        c = await self.client()
        D.send_faults.append("none_after_execute")
        r = await c.order("rec-1", self.buy())
        self.assertEqual((r["status"], r["class"], r["reconciled"], r["match"]), ("done", "SUCCESS", True, "tag"))
        self.assertEqual(r["result"]["deal"], str(max(d for d in D.deals)))
        self.assertEqual(r["position_id"], str(list(D.positions)[0]))
        self.assertEqual(len(D.positions), 1)
        again = await c.order("rec-1", self.buy())                       # and the result is stored
        self.assertTrue(again["dedup"])
        self.assertEqual(len(D.positions), 1)

    async def test_overwritten_comment_falls_back_to_the_fuzzy_match(self):
        c = await self.client()
        other = await c.order("fz-0", self.buy(volume=0.1))            # same shape, claimed by another id
        D.broker_comment = "broker says hi"
        D.send_faults.append("none_after_execute")
        r = await c.order("fz-1", self.buy(volume=0.1))
        self.assertEqual((r["status"], r["reconciled"], r["match"]), ("done", True, "fuzzy"))
        self.assertNotEqual(r["result"]["deal"], other["result"]["deal"])
        self.assertEqual(len(D.positions), 2)

    async def test_other_unknown_outcomes(self):
        c = await self.client()
        D.send_faults.append("raise_after_execute")
        r = await c.order("exc-1", self.buy())
        self.assertEqual((r["status"], r["reconciled"]), ("done", True))
        D.send_faults.append(("retcode_after_execute", 10012))
        r = await c.order("tmo-1", self.buy())
        self.assertEqual((r["status"], r["reconciled"]), ("done", True))
        self.assertEqual(len(D.positions), 2)
        # IPC timeout and nothing executed: provably absent after the grace period; the same id may be sent again
        D.send_faults.append("none_before_execute")
        r = await c.order("nx-1", self.buy())
        self.assertEqual((r["status"], r["class"], r["reconciled"], r["retryable"]),
                         ("rejected", "RECONCILED_NOT_EXECUTED", True, False))
        self.assertEqual(r["retcode"], -10005)
        self.assertEqual(r["retcode_name"], "TRADE_RETCODE_UNKNOWN(-10005)")
        self.assertEqual(len(D.positions), 2)
        r = await c.order("nx-1", self.buy())
        self.assertEqual((r["status"], r["dedup"]), ("done", False))
        self.assertEqual(len(D.positions), 3)

    async def test_bridge_timeout_with_a_stuck_terminal_is_unknown_then_resolved_by_order_status(self):
        c = await self.client()
        D.send_faults.append(("delay", 3.0))
        r = await c.order("stuck-1", self.buy(), {"timeout_ms": 200}, timeout=10)
        self.assertEqual((r["status"], r["class"], r["retryable"]), ("unknown", "RECONCILE", False))
        # the client resends with the SAME id, twice at once, while the terminal is still busy: one look, one ack
        for rid in ("again-1", "again-2"):
            await c.send({"v": 1, "type": "order.send", "id": rid, "client_req_id": "stuck-1",
                          "request": self.buy(), "options": {"timeout_ms": 200}})
        ack = await c.wait(lambda m: m.get("re") == "again-2", start=0)
        self.assertEqual((ack["type"], ack["state"]), ("order.ack", "inflight"))
        again = await c.wait(lambda m: m.get("re") == "again-1", timeout=8, start=0)
        self.assertEqual((again["status"], again["reconciled"], again["dedup"]), ("done", True, True))
        st = await c.request("order.status", client_req_id="stuck-1")
        self.assertEqual((st["status"], st["result"]["deal"]), ("done", again["result"]["deal"]))
        self.assertEqual(len(D.positions), 1, "executed once")


if __name__ == "__main__":
    unittest.main()
