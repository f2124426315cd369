#!/usr/bin/python3
"""A validating relay for mt5b v1: client <-> schemaproxy <-> upstream bridge.

  schemaproxy.py --upstream ws://127.0.0.1:8765 --report /tmp/report.json [--port 0] [--once]

Listens on 127.0.0.1 (port 0 = any free port) and prints `listening ws://127.0.0.1:PORT` as its first stdout line.
Every client connection gets its own upstream connection (same subprotocol offer); frames are forwarded unchanged
both ways, and each is validated against docs/mt5b/schemas (client frames as client -> bridge, bridge frames as
bridge -> client, plus the live seq rule). Close codes are passed through. Frames are relayed whatever their size
or kind, so the bridge's own limits still apply; a binary frame or one over 1 MiB is recorded as a violation.

On SIGTERM/SIGINT (or, with --once, when the first client connection ends) it writes the JSON report
{"violations":[{"connection","direction","problem","frame"}],"frames":{"client":N,"bridge":M},"connections":K}
to --report and exits with status 0 if there were no violations, 1 otherwise.
"""
import argparse
import asyncio
import json
import os
import signal
import sys

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mt5bclient import MAX_FRAME, SUBPROTOCOL, SeqChecker  # noqa: E402
from mt5bschema import SchemaSet  # noqa: E402

UNSENDABLE = {1005, 1006, 1015}


class Proxy:
    def __init__(self, upstream, report_path, once=False):
        self.upstream = upstream
        self.report_path = report_path
        self.once = once
        self.schemas = SchemaSet()
        self.violations = []
        self.frames = {"client": 0, "bridge": 0}
        self.connections = 0
        self.done = asyncio.Event()

    def record(self, conn_no, direction, problem, frame):
        text = frame if isinstance(frame, str) else repr(frame[:200])
        self.violations.append({"connection": conn_no, "direction": direction, "problem": problem,
                                "frame": text[:500]})

    def check(self, conn_no, direction, frame, seq_checker):
        self.frames[direction] += 1
        if isinstance(frame, bytes):
            self.record(conn_no, direction, f"binary frame ({len(frame)} bytes)", frame)
            return
        if len(frame.encode("utf-8")) > MAX_FRAME:
            self.record(conn_no, direction, f"frame over 1 MiB ({len(frame.encode('utf-8'))} bytes)", frame)
            return
        for problem in self.schemas.validate_frame(frame, direction):
            self.record(conn_no, direction, problem, frame)
        try:
            msg = json.loads(frame)
        except ValueError:
            return
        if not isinstance(msg, dict):
            return
        if direction == "client" and msg.get("type") == "hello":
            resume = msg.get("resume")
            seq_checker.resumed_from = resume.get("last_seq") if isinstance(resume, dict) else None
        elif direction == "bridge":
            if msg.get("type") == "welcome" and not msg.get("resumed"):
                seq_checker.resumed_from = None
            problem = seq_checker.check(msg)
            if problem:
                self.record(conn_no, direction, problem, frame)

    async def handle(self, client, path="/"):
        self.connections += 1
        conn_no = self.connections
        seq_checker = SeqChecker()
        offered = client.request_headers.get_all("Sec-WebSocket-Protocol")
        protocols = [p.strip() for h in offered for p in h.split(",") if p.strip()]
        try:
            upstream = await websockets.connect(self.upstream + (path if path not in ("", "/") else ""),
                                                subprotocols=protocols or None, max_size=None,
                                                ping_interval=None, open_timeout=5)
        except Exception as e:  # noqa: BLE001
            self.record(conn_no, "bridge", f"cannot connect upstream {self.upstream}: {e}", "")
            await client.close(1011, "upstream unreachable")
            self.finish_connection()
            return

        async def pump(src, dst, direction):
            try:
                async for frame in src:
                    self.check(conn_no, direction, frame, seq_checker)
                    await dst.send(frame)
            except websockets.ConnectionClosed:
                pass
            code = src.close_code
            code = 1000 if code is None else code
            if code in UNSENDABLE:
                code = 1001
            await dst.close(code, (src.close_reason or "")[:120])

        await asyncio.gather(pump(client, upstream, "client"), pump(upstream, client, "bridge"))
        self.finish_connection()

    def finish_connection(self):
        self.write_report()
        if self.once:
            self.done.set()

    def write_report(self):
        report = {"upstream": self.upstream, "violations": self.violations, "frames": self.frames,
                  "connections": self.connections}
        tmp = self.report_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
        os.replace(tmp, self.report_path)

    async def run(self, port):
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.done.set)
        async with websockets.serve(self.handle, "127.0.0.1", port, subprotocols=[SUBPROTOCOL], max_size=None,
                                    ping_interval=None) as server:
            bound = server.sockets[0].getsockname()[1]
            print(f"listening ws://127.0.0.1:{bound}", flush=True)
            self.write_report()
            await self.done.wait()
        self.write_report()
        return 0 if not self.violations else 1


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--upstream", required=True, help="bridge URL, e.g. ws://127.0.0.1:8765")
    p.add_argument("--report", required=True, help="path of the JSON violation report")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default 0: any free port)")
    p.add_argument("--once", action="store_true", help="exit after the first client connection ends")
    args = p.parse_args(argv)
    if not args.upstream.startswith(("ws://", "wss://")):
        p.error(f"--upstream {args.upstream!r} is not a WebSocket URL; give ws://host:port")
    status = asyncio.run(Proxy(args.upstream, args.report, args.once).run(args.port))
    if status:
        print(f"schemaproxy: violations written to {args.report}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
