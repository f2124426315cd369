"""A test launcher: the bridge against the MetaTrader5 test double (tests/mt5double) with a scripted market.

    python3 -m botdesk_mt5bridge.testserver --port 0 --token T --heartbeat 1 --state-dir DIR [--hedging|--netting]

Prints exactly `listening ws://127.0.0.1:PORT` as its first stdout line (flushed). The market: every symbol ticks
every --tick-ms (a seeded random walk); the server clock runs --speed times real time (default 60: one M1 bar closes
per real second), starting at real UTC + --server-utc-offset. Faults, as the simulator spells them (probabilities
per order_send, seeded by --seed): --faults drop-reply=P (the order executes, then order_send returns None with
(-10005, IPC timeout): the bridge must reconcile), requote=P (a market order gets 10004), and broker-comment=TEXT
(the broker overwrites comments: reconciliation falls back to the fuzzy match). drop-reply=1 = every order.
Never use it with the real MetaTrader5 package.
"""
import argparse
import asyncio
import logging
import os
import random
import sys
import time


def _double_path():
    env = os.environ.get("BOTDESK_MT5DOUBLE")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", "tests", "mt5double"))


def parse_faults(text):
    out = {}
    for part in filter(None, (text or "").split(",")):
        key, _, value = part.partition("=")
        if key not in ("drop-reply", "broker-comment", "requote"):
            raise SystemExit(f"--faults: unknown fault '{key}'; give drop-reply=N, broker-comment=TEXT, requote=N")
        if key in ("drop-reply", "requote"):
            try:
                p = float(value)
            except ValueError:
                p = -1.0
            if not 0.0 <= p <= 1.0:
                raise SystemExit(f"--faults: {key}={value!r} needs a probability 0..1, e.g. {key}=1")
            out[key] = p
        else:
            out[key] = value
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m botdesk_mt5bridge.testserver")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--token", default=os.environ.get("BOTDESK_MT5B_TOKEN"))
    ap.add_argument("--heartbeat", type=float, default=10.0)
    ap.add_argument("--state-dir", required=True)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--hedging", dest="hedging", action="store_true", default=True)
    mode.add_argument("--netting", dest="hedging", action="store_false")
    ap.add_argument("--server-utc-offset", type=int, default=0)
    ap.add_argument("--speed", type=float, default=60.0)
    ap.add_argument("--tick-ms", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--faults", default="")
    ap.add_argument("--reconcile-grace-ms", type=int, default=1000)
    ap.add_argument("--max-requests-per-sec", type=int, default=50)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--log-level", default="WARNING")
    args = ap.parse_args(argv)
    if not args.token:
        raise SystemExit("give --token T (or set BOTDESK_MT5B_TOKEN)")
    logging.basicConfig(level=args.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.path.insert(0, _double_path())
    import MetaTrader5 as mt5
    if not hasattr(mt5, "_double"):
        raise SystemExit(f"MetaTrader5 imported from {mt5.__file__} is not the test double; refusing to run")
    faults = parse_faults(args.faults)
    from .config import ClockRule, Config
    cfg = Config(token=args.token, host=args.host, port=args.port, heartbeat_sec=args.heartbeat,
                 state_dir=args.state_dir, reconcile_grace_ms=args.reconcile_grace_ms,
                 max_requests_per_sec=args.max_requests_per_sec, tls_cert=args.tls_cert, tls_key=args.tls_key,
                 clock=ClockRule(args.server_utc_offset), bridge_name="botdesk-mt5bridge-testserver")
    cfg.check()
    d = mt5._double
    start_ms = int(time.time() * 1000) + args.server_utc_offset * 1000
    d.reset(hedging=args.hedging, now_msc=start_ms)
    d.rng.seed(args.seed)
    d.fault_rates = {"none_after_execute": faults.get("drop-reply", 0.0), "requote": faults.get("requote", 0.0)}
    if "broker-comment" in faults:
        d.broker_comment = faults["broker-comment"]
    try:
        asyncio.run(_serve(cfg, mt5, args, start_ms))
    except KeyboardInterrupt:
        pass


async def _serve(cfg, mt5, args, start_ms):
    from .bridge import Bridge
    bridge = Bridge(cfg, mt5)
    await bridge.start()
    print(f"listening {bridge.scheme}://{cfg.host}:{bridge.port}", flush=True)
    rng = random.Random(args.seed)
    d = mt5._double
    t0 = time.monotonic()
    symbols = list(d.specs)
    while True:
        await asyncio.sleep(args.tick_ms / 1000.0)
        sim_ms = start_ms + int((time.monotonic() - t0) * 1000 * args.speed)
        for i, sym in enumerate(symbols):
            # one tick per symbol, 1 ms apart, on the simulated server clock
            d.push_tick(sym, time_msc=max(sim_ms + i, d.now_msc + 1), step_points=rng.choice((-2, -1, 1, 2)))


if __name__ == "__main__":
    main()
