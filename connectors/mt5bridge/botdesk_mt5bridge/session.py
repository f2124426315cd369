"""A client session: its seq counter, its ring of recent events (for resume/resync) and its subscriptions.

A session outlives its WebSocket connection for `keep_sec` (10 min) so that hello.resume can pick it up.
Events are stamped here: seq strictly +1 from 1, ts = UTC epoch ms (mt5b §2).
"""
import collections
import json
import logging
import secrets
import time

log = logging.getLogger("botdesk.mt5bridge.session")
RING_SECONDS = 600.0
TICK_BACKLOG = 2000      # frames queued for a client above which its ticks are conflated (mt5b §6.1)


def now_ms():
    return int(time.time() * 1000)


def _finite(v):
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    return v


def dumps(msg):
    """Compact JSON; a NaN/inf from MT5 becomes null (JSON has no NaN)."""
    try:
        return json.dumps(msg, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    except ValueError:
        return json.dumps(_finite(msg), separators=(",", ":"), ensure_ascii=False)


class Subscription:
    def __init__(self, kind, symbol, timeframe=None, forming=False):
        self.kind, self.symbol, self.timeframe, self.forming = kind, symbol, timeframe, forming
        self.last_closed_sent = 0        # open time of the newest closed bar sent to this session

    @property
    def key(self):
        return (self.kind, self.symbol, self.timeframe)


class Session:
    def __init__(self, ring_events=50000):
        self.id = "s-" + secrets.token_hex(6)
        self.seq = 0
        self.ring = collections.deque(maxlen=ring_events)     # (seq, monotonic, event dict)
        self.subs = {}
        self.conn = None
        self.detached_at = None
        self.dropped = {}                 # symbol -> ticks dropped for a slow client since its last tick

    def emit_tick(self, event):
        """Ticks are the only data that may be dropped: with a backlog, keep only the newest and count the rest."""
        sym = event["symbol"]
        if self.conn is not None and len(self.conn.queue) > TICK_BACKLOG:
            self.dropped[sym] = self.dropped.get(sym, 0) + 1
            return None
        n = self.dropped.pop(sym, 0)
        return self.emit(dict(event, conflated=n) if n else event)

    def emit(self, event):
        """Stamp an event with seq/ts, keep it in the ring and send it if a connection is attached."""
        event = dict(event)
        self.seq += 1
        event["v"] = 1
        event["seq"] = self.seq
        event["ts"] = now_ms()
        mono = time.monotonic()
        self.ring.append((self.seq, mono, event))
        while self.ring and mono - self.ring[0][1] > RING_SECONDS:
            self.ring.popleft()
        if self.conn is not None:
            self.conn.send(event)
        return event

    def covers(self, last_seq):
        """Does the ring hold every event after last_seq?"""
        if not isinstance(last_seq, int) or last_seq < 0 or last_seq > self.seq:
            return False
        if last_seq == self.seq:
            return True
        return bool(self.ring) and self.ring[0][0] <= last_seq + 1

    def replay_after(self, last_seq):
        out = []
        for seq, _, event in self.ring:
            if seq > last_seq:
                e = dict(event)
                e["replay"] = True
                e.pop("re", None)
                out.append(e)
        return out


class Connection:
    """Outgoing side of one WebSocket: a queue drained by a writer task, so emitters never block."""

    MAX_BACKLOG = 20000

    def __init__(self, ws, loop):
        self.ws = ws
        self.queue = collections.deque()
        self.wakeup = loop.create_future()
        self.loop = loop
        self.closed = False
        self.closing = False
        self.session = None
        self.authed = False

    def send(self, msg):
        if self.closed:
            return
        if len(self.queue) >= self.MAX_BACKLOG:
            log.warning("client %s too slow (%d frames queued); closing so it resumes", self.peer, len(self.queue))
            self.closed = True
            self.loop.create_task(self.ws.close(1008, "client too slow"))
            return
        self.queue.append(dumps(msg))
        if not self.wakeup.done():
            self.wakeup.set_result(None)

    @property
    def peer(self):
        try:
            return "%s:%s" % self.ws.remote_address[:2]
        except Exception:                      # noqa: BLE001
            return "?"

    async def writer(self):
        try:
            while not self.closed:
                if not self.queue:
                    await self.wakeup
                    self.wakeup = self.loop.create_future()
                    continue
                text = self.queue.popleft()
                await self.ws.send(text)
        except Exception:                      # noqa: BLE001 - connection gone; the reader side cleans up
            self.closed = True
