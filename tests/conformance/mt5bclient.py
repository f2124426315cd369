"""A small mt5b v1 test client (websockets 10.4, asyncio) that validates every frame it receives.

Conn keeps every received message in order (conn.msgs), checks each against the schemas (bridge -> client) and the
live `seq` rule (strictly +1 from 1 in a new session; replays excepted), and records the close code. Problems go to
conn.violations; the conformance tests fail on any.
"""
import asyncio
import itertools
import json

import websockets

from mt5bschema import SchemaSet

SUBPROTOCOL = "mt5b.v1"
MAX_FRAME = 1048576
_ids = itertools.count(1)
_schemas = None


def schemas():
    global _schemas
    if _schemas is None:
        _schemas = SchemaSet()
    return _schemas


def next_id(prefix="c"):
    return f"{prefix}-{next(_ids)}"


class Closed(Exception):
    pass


class SeqChecker:
    """The live `seq` rule of one connection: a new session's first event has seq 1, after a resume the first live
    event follows the resume point, then strictly +1. Replayed events (replay:true) and welcome are exempt."""

    def __init__(self):
        self.last_live_seq = None   # None until the first live event
        self.resumed_from = None    # last_seq sent in hello.resume (None for a new session)

    def check(self, msg):
        """A problem text, or None."""
        seq = msg.get("seq") if isinstance(msg, dict) else None
        if msg.get("type") == "welcome" or not isinstance(seq, int) or isinstance(seq, bool) \
                or msg.get("replay") is True:
            return None
        problem = None
        if self.last_live_seq is None:
            if self.resumed_from is None and seq != 1:
                problem = f"first live event of a new session has seq {seq}, not 1 ({msg.get('type')})"
            elif self.resumed_from is not None and seq <= self.resumed_from:
                problem = f"live event seq {seq} after resuming from last_seq {self.resumed_from}"
        elif seq != self.last_live_seq + 1:
            problem = f"live seq jumped from {self.last_live_seq} to {seq} ({msg.get('type')})"
        self.last_live_seq = seq
        return problem


class Conn:
    def __init__(self, url, ssl=None):
        self.url = url
        self.ssl = ssl
        self.ws = None
        self.msgs = []
        self.times = []              # loop time of arrival, parallel to msgs
        self.violations = []
        self.close_code = None
        self.close_reason = None
        self.closed = asyncio.Event()
        self._changed = asyncio.Condition()
        self._reader = None
        self.seq_checker = SeqChecker()
        self.session_id = None
        self.welcome = None

    # --- connection ------------------------------------------------------------------------------------------
    async def open(self, subprotocols=(SUBPROTOCOL,)):
        kwargs = dict(subprotocols=list(subprotocols) if subprotocols else None, max_size=MAX_FRAME,
                      ping_interval=None, open_timeout=5, close_timeout=2)
        if self.ssl is not None:
            kwargs["ssl"] = self.ssl
        self.ws = await websockets.connect(self.url, **kwargs)
        self._reader = asyncio.get_running_loop().create_task(self._read())
        return self

    async def _read(self):
        try:
            async for frame in self.ws:
                await self._accept(frame)
        except websockets.ConnectionClosed:
            pass
        except Exception as e:  # noqa: BLE001 - any reader failure is a finding
            self.violations.append(f"reader failed: {e!r}")
        finally:
            self.close_code = self.ws.close_code
            self.close_reason = self.ws.close_reason
            self.closed.set()
            async with self._changed:
                self._changed.notify_all()

    async def _accept(self, frame):
        if isinstance(frame, bytes):
            self.violations.append(f"binary frame from the bridge ({len(frame)} bytes)")
            return
        problems = schemas().validate_frame(frame, "bridge")
        try:
            msg = json.loads(frame)
        except ValueError:
            msg = {"type": "<invalid json>", "raw": frame[:200]}
        if problems:
            self.violations.extend(f"{p}  <- {frame[:300]}" for p in problems)
        if isinstance(msg, dict):
            self._check_seq(msg)
            self.msgs.append(msg)
            self.times.append(asyncio.get_running_loop().time())
        async with self._changed:
            self._changed.notify_all()

    def _check_seq(self, msg):
        problem = self.seq_checker.check(msg)
        if problem:
            self.violations.append(problem)

    @property
    def last_live_seq(self):
        return self.seq_checker.last_live_seq

    async def close(self):
        if self.ws is not None:
            await self.ws.close()
            try:
                await asyncio.wait_for(self.closed.wait(), 3)
            except asyncio.TimeoutError:
                pass

    async def abort(self):
        """Drop the TCP connection without a close handshake (a 'dropped socket')."""
        if self.ws is not None:
            self.ws.transport.abort()
            try:
                await asyncio.wait_for(self.closed.wait(), 3)
            except asyncio.TimeoutError:
                pass

    async def wait_closed(self, timeout):
        try:
            await asyncio.wait_for(self.closed.wait(), timeout)
        except asyncio.TimeoutError:
            return None
        return self.close_code

    # --- sending ---------------------------------------------------------------------------------------------
    async def send(self, msg, check=True):
        """Send one message (dict) or raw text/bytes. Valid-by-intent messages are schema-checked (client side)."""
        if isinstance(msg, dict):
            if check:
                problems = schemas().validate(msg, "client")
                if problems:
                    raise AssertionError(f"the suite built an invalid client message: {problems}")
            msg = json.dumps(msg, separators=(",", ":"))
        await self.ws.send(msg)

    async def request(self, type_, timeout=5.0, check=True, **fields):
        """Send a request and return its reply (the first message with re == id)."""
        rid = next_id()
        start = len(self.msgs)
        await self.send(dict({"v": 1, "type": type_, "id": rid}, **fields), check=check)
        return await self.wait_for(lambda m: m.get("re") == rid, timeout, start,
                                   what=f"a reply to {type_} {rid}")

    async def hello(self, token, resume=None, protocol=(1, 1), timeout=5.0):
        rid = next_id("h")
        msg = {"v": 1, "type": "hello", "id": rid, "token": token, "client": {"name": "mt5b-conformance",
                                                                           "version": "1"},
               "protocol": {"min": protocol[0], "max": protocol[1]}}
        if resume is not None:
            msg["resume"] = {"session_id": resume[0], "last_seq": resume[1]}
            self.seq_checker.resumed_from = resume[1]
        start = len(self.msgs)
        await self.send(msg)
        reply = await self.wait_for(lambda m: m.get("re") == rid or m.get("type") in ("welcome", "error"), timeout,
                                    start, what="a reply to hello")
        if reply.get("type") == "welcome":
            self.welcome = reply
            self.session_id = reply.get("session_id")
            if not reply.get("resumed"):
                self.seq_checker.resumed_from = None
        return reply

    # --- receiving -------------------------------------------------------------------------------------------
    async def wait_for(self, pred, timeout=5.0, start=0, what="a matching message"):
        """The first message at index >= start satisfying pred; AssertionError after timeout or on close."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        index = start
        async with self._changed:
            while True:
                while index < len(self.msgs):
                    if pred(self.msgs[index]):
                        return self.msgs[index]
                    index += 1
                if self.closed.is_set():
                    raise Closed(f"connection closed ({self.close_code} {self.close_reason!r}) while waiting for "
                                 f"{what}")
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout} s waiting for {what}; last messages: "
                                         f"{[m.get('type') for m in self.msgs[-8:]]}")
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except asyncio.TimeoutError:
                    pass

    async def collect(self, seconds, start=0):
        await asyncio.sleep(seconds)
        return self.msgs[start:]

    def of_type(self, type_, start=0):
        return [m for m in self.msgs[start:] if m.get("type") == type_]
