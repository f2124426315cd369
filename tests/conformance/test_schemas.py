"""Unit test of the mt5b v1 schemas (docs/mt5b/schemas) and of mt5bschema.py.

Every JSON example in docs/mt5b-protocol.md and one hand-written example per message type must validate; each
broken variant below must be rejected. Run: /usr/bin/python3 -m unittest test_schemas  (from this directory)
"""
import copy
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mt5bschema  # noqa: E402

SPEC = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                                     "mt5b-protocol.md"))

POSITION = {"ticket": "1000011", "identifier": "1000011", "symbol": "EURUSD.sim", "type": "POSITION_TYPE_BUY",
            "volume": 0.1, "price_open": 1.08522, "sl": 0.0, "tp": 0.0, "price_current": 1.08512, "profit": -1.0,
            "magic": 770001, "time_msc": 1717999990123, "swap": 0.0, "reason": "POSITION_REASON_EXPERT",
            "comment": "ws|k:7QXK2M", "external_id": ""}
ORDER = {"ticket": "1000020", "symbol": "EURUSD.sim", "type": "ORDER_TYPE_BUY_LIMIT", "state": "ORDER_STATE_PLACED",
         "volume_initial": 0.1, "volume_current": 0.1, "price_open": 1.08, "sl": 0.0, "tp": 0.0, "magic": 0,
         "time_setup_msc": 1717999990123, "type_time": "ORDER_TIME_GTC", "type_filling": "ORDER_FILLING_RETURN",
         "position_id": "0", "reason": "ORDER_REASON_EXPERT", "comment": "|k:ABCDEF"}
DEAL = {"ticket": "1000012", "order": "1000011", "time": 1717999990, "time_msc": 1717999990123,
        "type": "DEAL_TYPE_BUY", "entry": "DEAL_ENTRY_IN", "magic": 770001, "position_id": "1000011",
        "reason": "DEAL_REASON_EXPERT", "volume": 0.1, "price": 1.08522, "commission": 0.0, "swap": 0.0,
        "profit": 0.0, "fee": 0.0, "symbol": "EURUSD.sim", "comment": "ws|k:7QXK2M"}
ACCOUNT_INFO = {"login": "1000001", "currency": "USD", "balance": 10000.0, "equity": 9999.0, "margin": 108.5,
                "margin_free": 9890.5, "margin_level": 9215.6, "profit": -1.0, "leverage": 100,
                "margin_mode": "ACCOUNT_MARGIN_MODE_RETAIL_HEDGING", "trade_mode": "ACCOUNT_TRADE_MODE_DEMO",
                "trade_allowed": True, "trade_expert": True, "margin_so_mode": "ACCOUNT_STOPOUT_MODE_PERCENT",
                "margin_so_so": 50.0}
RESULT = {"retcode": 10014, "deal": "0", "order": "0", "volume": 0.0, "price": 0.0, "bid": 1.08512, "ask": 1.08522,
          "comment": "Invalid volume", "request_id": 3, "retcode_external": 0}

# One valid example per message type not already exemplified in the spec.
EXAMPLES = [
    {"v": 1, "type": "unsubscribe", "id": "c-5", "streams": [{"kind": "ticks", "symbol": "EURUSD.sim"}]},
    {"v": 1, "type": "symbols.list", "id": "c-6", "filter": "*USD*"},
    {"v": 1, "type": "history.ticks", "id": "c-7", "symbol": "EURUSD.sim", "from_msc": 1717999000000, "count": 10,
     "flags": "COPY_TICKS_ALL"},
    {"v": 1, "type": "history.rates", "id": "c-8", "symbol": "EURUSD", "timeframe": "M1", "count": 5},
    {"v": 1, "type": "account.get", "id": "c-9"},
    {"v": 1, "type": "positions.get", "id": "c-10"},
    {"v": 1, "type": "orders.get", "id": "c-11", "ts": 1718000000000},
    {"v": 1, "type": "history.deals", "id": "c-12", "from": 1717900000, "to": 1718000000, "position": "1000011"},
    {"v": 1, "type": "order.check", "id": "c-13", "request": {"action": "TRADE_ACTION_DEAL", "symbol": "EURUSD.sim",
                                                              "volume": 0.1, "type": "ORDER_TYPE_SELL"}},
    {"v": 1, "type": "order.status", "id": "c-14", "client_req_id": "a1b2-c3_d4"},
    {"v": 1, "type": "order.send", "id": "c-15", "client_req_id": "p1",
     "request": {"action": "TRADE_ACTION_PENDING", "symbol": "EURUSD.sim", "volume": 0.1,
                 "type": "ORDER_TYPE_BUY_LIMIT", "price": 1.08, "position": None}},
    {"v": 1, "type": "order.send", "id": "c-16", "client_req_id": "s1",
     "request": {"action": "TRADE_ACTION_SLTP", "position": "1000011", "sl": 1.08, "tp": 1.09}},
    {"v": 1, "type": "order.send", "id": "c-17", "client_req_id": "m1",
     "request": {"action": "TRADE_ACTION_MODIFY", "order": "1000020", "price": 1.079}},
    {"v": 1, "type": "order.send", "id": "c-18", "client_req_id": "r1",
     "request": {"action": "TRADE_ACTION_REMOVE", "order": "1000020"}},
    {"v": 1, "type": "order.send", "id": "c-19", "client_req_id": "cb1",
     "request": {"action": "TRADE_ACTION_CLOSE_BY", "position": "1000011", "position_by": "1000013"}},
    {"v": 1, "type": "order.send", "id": "c-20", "client_req_id": "close-1",
     "request": {"action": "TRADE_ACTION_DEAL", "position": "1000011", "volume": 0.05, "type": "ORDER_TYPE_SELL",
                 "type_filling": "AUTO"}, "options": {"intent": "close"}},
    {"v": 1, "type": "sim.control", "id": "c-21", "cmd": "seek", "time_msc": 1704153600000},
    {"v": 1, "type": "resync", "id": "c-22", "since_seq": 0, "mode": "snapshot"},
    {"v": 1, "type": "unsubscribed", "re": "c-5", "ts": 1, "streams": [{"kind": "ticks", "symbol": "EURUSD.sim"}],
     "errors": []},
    {"v": 1, "type": "symbols", "re": "c-6", "ts": 1,
     "items": [{"name": "EURUSD.sim", "description": "Euro vs US Dollar", "path": "Forex\\EURUSD.sim",
                "visible": True}]},
    {"v": 1, "type": "ticks.history", "re": "c-7", "ts": 1, "symbol": "EURUSD.sim",
     "items": [[1717999990123, 1.08512, 1.08522, 0.0, 0, 0.0, 6]], "complete": True},
    {"v": 1, "type": "rates", "re": "c-8", "ts": 1, "symbol": "EURUSD.sim", "timeframe": "M1",
     "items": [[1717999860, 1.085, 1.0852, 1.0849, 1.0851, 37, 10, 0]], "complete": False, "next_from": 1717999920},
    {"v": 1, "type": "account", "re": "c-9", "ts": 1, "info": ACCOUNT_INFO},
    {"v": 1, "type": "account", "seq": 3, "ts": 1, "partial": True, "info": {"equity": 9998.5, "profit": -1.5}},
    {"v": 1, "type": "positions", "re": "c-10", "ts": 1, "snapshot": True, "items": [POSITION]},
    {"v": 1, "type": "orders", "re": "c-11", "ts": 1, "snapshot": True, "items": [ORDER]},
    {"v": 1, "type": "deals", "re": "c-12", "ts": 1, "items": [DEAL]},
    {"v": 1, "type": "order.check_result", "re": "c-13", "ts": 1, "retcode": 0, "balance": 10000.0,
     "equity": 10000.0, "profit": 0.0, "margin": 108.5, "margin_free": 9891.5, "margin_level": 9216.6,
     "comment": "Done"},
    {"v": 1, "type": "snapshot.begin", "re": "c-22", "ts": 1, "snapshot_id": "snap-1"},
    {"v": 1, "type": "position", "seq": 4, "ts": 1, "op": "add", "position": POSITION},
    {"v": 1, "type": "order", "seq": 5, "ts": 1, "op": "remove", "order": dict(ORDER, state="ORDER_STATE_FILLED")},
    {"v": 1, "type": "deal", "seq": 6, "ts": 1, "deal": DEAL, "client_req_id": "01J0Z7Q5N8X4K3M2TQ9V6W1B7C",
     "replay": True},
    {"v": 1, "type": "order.result", "re": "c-20", "seq": 7, "ts": 1, "client_req_id": "bad-vol", "status": "rejected",
     "dedup": False, "retcode": 10014, "retcode_name": "TRADE_RETCODE_INVALID_VOLUME", "class": "REJECT_REQUEST",
     "retryable": False, "result": RESULT, "position_id": None, "filling_used": None, "attempts": 1,
     "latency_ms": 0},
    {"v": 1, "type": "order.result", "seq": 8, "ts": 1, "client_req_id": "lost-1", "status": "done", "dedup": False,
     "retcode": 10009, "retcode_name": "TRADE_RETCODE_DONE", "class": "SUCCESS", "retryable": False,
     "result": dict(RESULT, retcode=10009, deal="1000012", order="1000011"), "position_id": "1000011",
     "filling_used": "ORDER_FILLING_FOK", "attempts": 1, "latency_ms": 12, "reconciled": True, "match": "tag"},
    {"v": 1, "type": "order.result", "seq": 9, "ts": 1, "client_req_id": "ipc-1", "status": "unknown",
     "dedup": False, "retcode": -10005, "retcode_name": "TRADE_RETCODE_UNKNOWN(-10005)", "class": "RECONCILE",
     "retryable": False, "result": dict(RESULT, retcode=-10005), "position_id": None, "filling_used": None,
     "attempts": 1, "latency_ms": 10000},
    {"v": 1, "type": "error", "ts": 1, "code": "BAD_REQUEST", "message": "frame is not JSON", "retryable": False,
     "fatal": False},
    {"v": 1, "type": "error", "re": "c-30", "ts": 1, "code": "RATE_LIMITED", "message": "over 50 requests/s",
     "retryable": True, "fatal": False, "retry_after_ms": 120},
    {"v": 1, "type": "error", "re": "c-3", "ts": 1, "code": "UNKNOWN_SYMBOL", "message": "no symbol 'EURUSX'",
     "retryable": False, "fatal": False, "details": {"suggestions": ["EURUSD.sim"]}},
]


def spec_examples():
    with open(SPEC, encoding="utf-8") as f:
        text = f.read()
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", text, re.S)]


def by_type(msgs, type_name):
    return copy.deepcopy(next(m for m in msgs if m["type"] == type_name))


class SchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.schemas = mt5bschema.SchemaSet()
        cls.spec = spec_examples()
        cls.valid = cls.spec + copy.deepcopy(EXAMPLES)

    def assertValid(self, msg, direction=None):
        problems = self.schemas.validate(msg, direction)
        self.assertEqual(problems, [], json.dumps(msg)[:300])

    def assertInvalid(self, msg, direction=None, why=""):
        problems = self.schemas.validate(msg, direction)
        self.assertTrue(problems, f"accepted but should be rejected ({why}): {json.dumps(msg)[:300]}")

    def test_every_type_listed_in_the_spec_has_a_schema(self):
        with open(SPEC, encoding="utf-8") as f:
            text = f.read()
        section = text[text.index("## 3. Message types"):text.index("## 4. Session")]
        listed = set(re.findall(r"`([a-z][a-z_.]*)`", section))
        listed -= {"id", "re", "seq", "partial", "info", "true", "false"}
        self.assertEqual(sorted(listed - set(self.schemas.types())), [])
        self.assertEqual(sorted(set(self.schemas.types()) - listed), [])

    def test_spec_examples_are_valid(self):
        self.assertGreaterEqual(len(self.spec), 20)
        for msg in self.spec:
            with self.subTest(type=msg["type"]):
                self.assertValid(msg)

    def test_each_type_has_a_valid_example(self):
        covered = {m["type"] for m in self.valid}
        self.assertEqual(sorted(set(self.schemas.types()) - covered), [])
        for msg in EXAMPLES:
            with self.subTest(type=msg["type"], id=msg.get("id") or msg.get("re") or msg.get("seq")):
                self.assertValid(msg)

    def test_direction_is_checked(self):
        hello = by_type(self.valid, "hello")
        self.assertValid(hello, "client")
        self.assertInvalid(hello, "bridge", "hello is a client message")
        self.assertInvalid(by_type(self.valid, "welcome"), "client", "welcome is a bridge message")

    def test_unknown_fields_are_allowed(self):
        tick = by_type(self.valid, "tick")
        tick["future_field"] = {"anything": [1, 2]}
        self.assertValid(tick, "bridge")
        send = by_type(self.valid, "order.send")
        send["request"]["new_mt5_field"] = 3
        self.assertValid(send, "client")

    def test_frames(self):
        self.assertTrue(self.schemas.validate_frame("{not json", "client"))
        self.assertTrue(self.schemas.validate_frame("[1,2]", "client"))
        self.assertTrue(self.schemas.validate_frame('{"v":1,"type":"nope","id":"x"}', "client"))
        self.assertEqual(self.schemas.validate_frame('{"v":1,"type":"ping","id":"x","nonce":1}', "client"), [])

    def test_broken_messages_are_rejected(self):
        v = self.valid
        cases = []

        def case(type_name, why, mutate, direction=None, source=None):
            msg = by_type(source or v, type_name)
            mutate(msg)
            cases.append((why, msg, direction))

        case("tick", "event without seq", lambda m: m.pop("seq"))
        case("tick", "negative seq", lambda m: m.update(seq=-1))
        case("tick", "seq 0 on an event", lambda m: m.update(seq=0))
        case("tick", "ts as a string", lambda m: m.update(ts="1718000000300"))
        case("tick", "ts as a float", lambda m: m.update(ts=1718000000300.5))
        case("tick", "v 2", lambda m: m.update(v=2))
        case("tick", "bid as a string", lambda m: m.update(bid="1.08"))
        case("tick", "event with re", lambda m: m.update(re="c-1"))
        case("bar", "missing closed", lambda m: m.pop("closed"))
        case("bar", "timeframe as the MT5 number", lambda m: m.update(timeframe=1))
        case("pong", "reply with seq", lambda m: m.update(seq=5))
        case("pong", "reply without re", lambda m: m.pop("re"))
        case("welcome", "welcome seq 1", lambda m: m.update(seq=1))
        case("welcome", "unknown bridge kind", lambda m: m["bridge"].update(kind="mt4"))
        case("welcome", "login as a number", lambda m: m["account"].update(login=1000001))
        case("welcome", "margin_mode as a number", lambda m: m["account"].update(margin_mode=2))
        case("welcome", "no heartbeat_sec", lambda m: m.pop("heartbeat_sec"))
        case("welcome", "bad offset_source", lambda m: m["clock"].update(offset_source="guess"))
        case("heartbeat", "no server_utc_offset_sec", lambda m: m.pop("server_utc_offset_sec"))
        case("hello", "no token", lambda m: m.pop("token"))
        case("hello", "token as a number", lambda m: m.update(token=123))
        case("hello", "no id", lambda m: m.pop("id"))
        case("hello", "id longer than 64", lambda m: m.update(id="x" * 65))
        case("hello", "negative last_seq", lambda m: m.update(resume={"session_id": "s", "last_seq": -1}))
        case("subscribe", "streams not an array", lambda m: m.update(streams={"kind": "ticks"}))
        case("subscribe", "stream without symbol", lambda m: m["streams"][0].pop("symbol"))
        case("subscribed", "error item without code", lambda m: m["errors"][0].pop("code"))
        case("subscribed", "more than 5 suggestions", lambda m: m["errors"][0].update(suggestions=list("abcdef")))
        case("symbol", "filling_mode as an ORDER_FILLING string",
             lambda m: m["info"].update(filling_mode="ORDER_FILLING_IOC"))
        case("symbol", "trade_mode as a number", lambda m: m["info"].update(trade_mode=4))
        case("rates", "row with 7 columns", lambda m: m["items"].append([1, 1.0, 1.0, 1.0, 1.0, 1, 1]))
        case("rates", "incomplete without next_from", lambda m: m.update(complete=False))
        case("deal", "ticket as a number", lambda m: m["deal"].update(ticket=1000012))
        case("deal", "ticket with a sign", lambda m: m["deal"].update(ticket="-5"))
        case("deal", "entry misspelt", lambda m: m["deal"].update(entry="DEAL_ENTRY_CLOSE"))
        case("deal", "no client_req_id member", lambda m: m.pop("client_req_id"))
        case("positions", "snapshot false", lambda m: m.update(snapshot=False))
        case("positions", "position without identifier", lambda m: m["items"][0].pop("identifier"))
        case("orders", "order state as a number", lambda m: m["items"][0].update(state=1))
        case("account", "partial event without seq", lambda m: m.pop("seq"),
             source=[x for x in v if x["type"] == "account" and x.get("partial")])
        case("account", "reply with seq", lambda m: m.update(seq=4),
             source=[x for x in v if x["type"] == "account" and not x.get("partial")])
        case("account", "reply without balance", lambda m: m["info"].pop("balance"),
             source=[x for x in v if x["type"] == "account" and not x.get("partial")])
        case("order.send", "client_req_id over 36 chars", lambda m: m.update(client_req_id="a" * 37))
        case("order.send", "client_req_id with a space", lambda m: m.update(client_req_id="a b"))
        case("order.send", "no action", lambda m: m["request"].pop("action"))
        case("order.send", "short action name", lambda m: m["request"].update(action="DEAL"))
        case("order.send", "DEAL without volume", lambda m: m["request"].pop("volume"))
        case("order.send", "volume as a string", lambda m: m["request"].update(volume="0.1"))
        case("order.send", "DEAL with a pending type", lambda m: m["request"].update(type="ORDER_TYPE_BUY_LIMIT"))
        case("order.send", "DEAL without symbol or position", lambda m: m["request"].pop("symbol"))
        case("order.send", "position as a number", lambda m: m["request"].update(position=1000011))
        case("order.send", "unknown filling", lambda m: m["request"].update(type_filling="ORDER_FILLING_ALL"))
        case("order.send", "magic as a string", lambda m: m["request"].update(magic="770001"))
        case("order.send", "SLTP without position",
             lambda m: m.update(request={"action": "TRADE_ACTION_SLTP", "sl": 1.0}))
        case("order.send", "REMOVE without order", lambda m: m.update(request={"action": "TRADE_ACTION_REMOVE"}))
        case("order.send", "CLOSE_BY without position_by",
             lambda m: m.update(request={"action": "TRADE_ACTION_CLOSE_BY", "position": "1"}))
        case("order.send", "PENDING without price",
             lambda m: m.update(request={"action": "TRADE_ACTION_PENDING", "symbol": "X", "volume": 1.0,
                                         "type": "ORDER_TYPE_BUY_LIMIT"}))
        case("order.send", "negative timeout", lambda m: m["options"].update(timeout_ms=-1))
        case("order.result", "unknown status", lambda m: m.update(status="filled"))
        case("order.result", "retryable true for SUCCESS", lambda m: m.update(retryable=True))
        case("order.result", "done with a REJECT class", lambda m: m.update(**{"class": "REJECT_REQUEST"}))
        case("order.result", "deal id as a number", lambda m: m["result"].update(deal=1000012))
        case("order.result", "no position_id member", lambda m: m.pop("position_id"))
        case("order.result", "bad retcode_name", lambda m: m.update(retcode_name="DONE"))
        case("order.ack", "unknown state", lambda m: m.update(state="done"))
        case("error", "unknown code", lambda m: m.update(code="OOPS"))
        case("error", "no fatal", lambda m: m.pop("fatal"))
        case("error", "error with seq", lambda m: m.update(seq=3))
        case("error", "RATE_LIMITED without retry_after_ms", lambda m: m.update(code="RATE_LIMITED"))
        case("sim.control", "unknown cmd", lambda m: m.update(cmd="rewind"))
        case("sim.control", "speed without x", lambda m: m.pop("x"))
        case("sim.state", "speed negative", lambda m: m.update(speed=-1))
        case("resync", "since_seq as a string", lambda m: m.update(since_seq="4811"))
        case("history.rates", "neither from nor count", lambda m: m.pop("from"))
        case("order.status", "no client_req_id", lambda m: m.pop("client_req_id"))
        case("snapshot.end", "no as_of_seq", lambda m: m.pop("as_of_seq"))
        case("ticks.history", "tick row too short", lambda m: m["items"].append([1, 1.0]))
        self.assertGreater(len(cases), 60)
        for why, msg, direction in cases:
            with self.subTest(why=why):
                self.assertInvalid(msg, direction, why)


if __name__ == "__main__":
    unittest.main()
