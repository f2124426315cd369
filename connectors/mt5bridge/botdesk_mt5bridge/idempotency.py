"""The durable client_req_id map (MT5_PROTOCOL.md §4.6 rule 2): SQLite, survives bridge restarts.

client_req_id -> request_hash (sha256 of the canonical JSON of `request`: keys sorted, no spaces), tag (the comment
tag), state ("inflight" | "final"), result (the order.result body as JSON), send_time (UTC epoch ms).
Rows are kept 7 days (the protocol asks for at least 24 h).
"""
import base64
import hashlib
import json
import os
import sqlite3
import time

KEEP_MS = 7 * 86400 * 1000


def request_hash(request):
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def tag_of(client_req_id):
    """6 base32 characters of sha256(client_req_id)."""
    return base64.b32encode(hashlib.sha256(client_req_id.encode("utf-8")).digest()).decode("ascii")[:6]


def tagged_comment(comment, tag, limit=31):
    """'<comment>|k:XXXXXX', the user comment trimmed so that the whole stays within MT5's 31 characters."""
    suffix = "|k:" + tag
    return (comment or "")[:max(0, limit - len(suffix))] + suffix


class Store:
    def __init__(self, state_dir):
        os.makedirs(state_dir, exist_ok=True)
        self.path = os.path.join(state_dir, "mt5bridge-orders.sqlite")
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("""CREATE TABLE IF NOT EXISTS orders (
            client_req_id TEXT PRIMARY KEY, request_hash TEXT NOT NULL, tag TEXT NOT NULL, state TEXT NOT NULL,
            result TEXT, request TEXT NOT NULL, send_time INTEGER NOT NULL, updated INTEGER NOT NULL)""")
        self.db.execute("CREATE INDEX IF NOT EXISTS orders_tag ON orders(tag)")
        self.db.execute("DELETE FROM orders WHERE send_time < ?", (int(time.time() * 1000) - KEEP_MS,))

    def get(self, client_req_id):
        row = self.db.execute("SELECT request_hash, tag, state, result, request, send_time FROM orders "
                              "WHERE client_req_id = ?", (client_req_id,)).fetchone()
        if row is None:
            return None
        return {"client_req_id": client_req_id, "request_hash": row[0], "tag": row[1], "state": row[2],
                "result": json.loads(row[3]) if row[3] else None, "request": json.loads(row[4]), "send_time": row[5]}

    def by_tag(self, tag):
        row = self.db.execute("SELECT client_req_id FROM orders WHERE tag = ?", (tag,)).fetchone()
        return row[0] if row else None

    def begin(self, client_req_id, rhash, tag, request, send_time):
        now = int(time.time() * 1000)
        self.db.execute("INSERT OR REPLACE INTO orders VALUES (?, ?, ?, 'inflight', NULL, ?, ?, ?)",
                        (client_req_id, rhash, tag, json.dumps(request), send_time, now))

    def finish(self, client_req_id, result):
        self.db.execute("UPDATE orders SET state = 'final', result = ?, updated = ? WHERE client_req_id = ?",
                        (json.dumps(result), int(time.time() * 1000), client_req_id))

    def forget(self, client_req_id):
        """Drop a row whose request never reached the terminal (e.g. rejected before order_send)."""
        self.db.execute("DELETE FROM orders WHERE client_req_id = ? AND state = 'inflight'", (client_req_id,))

    def inflight(self):
        return [r[0] for r in self.db.execute("SELECT client_req_id FROM orders WHERE state = 'inflight'")]

    def claimed_tickets(self):
        """Deal and order tickets already attributed to some client_req_id (fuzzy matching skips them)."""
        out = set()
        for (text,) in self.db.execute("SELECT result FROM orders WHERE state = 'final' AND result IS NOT NULL"):
            res = json.loads(text).get("result") or {}
            for k in ("deal", "order"):
                if res.get(k) not in (None, "0", 0):
                    out.add(str(res[k]))
        return out

    def close(self):
        self.db.close()
