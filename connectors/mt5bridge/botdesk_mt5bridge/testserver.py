"""A test launcher: the bridge against the MetaTrader5 test double (tests/mt5double) with a scripted market.

    python3 -m botdesk_mt5bridge.testserver --port 0 --token T --heartbeat 1 --state-dir DIR [--hedging|--netting]

Prints exactly `listening ws://127.0.0.1:PORT` as its first stdout line (flushed). The market: every symbol ticks
every --tick-ms (a seeded random walk); the server clock runs --speed times real time (default 60: one M1 bar closes
per real second), starting at real UTC + --server-utc-offset. Faults, as the simulator spells them (probabilities
per order_send, seeded by --seed): --faults drop-reply=P (the order executes, then order_send returns None with
(-10005, IPC timeout): the bridge must reconcile), lost-request=P (order_send returns None, nothing executed: the
bridge reconciles to RECONCILED_NOT_EXECUTED), connection=P (10031, nothing executed), requote=P (a market order gets
10004), broker-comment=TEXT (the broker overwrites comments: reconciliation falls back to the fuzzy match), and
terminal-off=SEC[,terminal-off-for=SEC] (after SEC seconds up, the terminal closes for terminal-off-for seconds,
default 1, then starts again; repeated). drop-reply=1 = every order.
--break-rule seq-gap|forget-orders deliberately breaks one mt5b rule (the live seq skips a number once; executed
orders leave the idempotency map, so a resend executes again): only to prove the conformance suite can fail.
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


RATE_FAULTS = {"drop-reply": "none_after_execute", "lost-request": "none_before_execute", "connection": "connection",
               "requote": "requote"}      # --faults name -> the double's fault_rates name
SECOND_FAULTS = ("terminal-off", "terminal-off-for")


def parse_faults(text):
    out = {}
    for part in filter(None, (text or "").split(",")):
        key, _, value = part.partition("=")
        if key in RATE_FAULTS:
            try:
                p = float(value)
            except ValueError:
                p = -1.0
            if not 0.0 <= p <= 1.0:
                raise SystemExit(f"--faults: {key}={value!r} needs a probability 0..1, e.g. {key}=1")
            out[key] = p
        elif key in SECOND_FAULTS:
            try:
                sec = float(value[:-1] if value.endswith("s") else value)
            except ValueError:
                sec = 0.0
            if not sec > 0:
                raise SystemExit(f"--faults: {key}={value!r} needs seconds > 0, e.g. {key}=2s")
            out[key] = sec
        elif key == "broker-comment":
            out[key] = value
        else:
            raise SystemExit(f"--faults: unknown fault '{key}'; give drop-reply=P, lost-request=P, connection=P, "
                             f"requote=P, broker-comment=TEXT, terminal-off=SEC, terminal-off-for=SEC")
    if "terminal-off-for" in out and "terminal-off" not in out:
        raise SystemExit("--faults: terminal-off-for needs terminal-off=SEC (the up time between episodes)")
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
    ap.add_argument("--break-rule", choices=["seq-gap", "forget-orders"],
                    help="break one mt5b rule on purpose (the conformance suite's self-check)")
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
    _break_rule(args.break_rule)
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
    d.fault_rates = {RATE_FAULTS[k]: p for k, p in faults.items() if k in RATE_FAULTS}
    if "broker-comment" in faults:
        d.broker_comment = faults["broker-comment"]
    try:
        asyncio.run(_serve(cfg, mt5, args, start_ms, faults))
    except KeyboardInterrupt:
        pass


def _break_rule(rule):
    if rule == "seq-gap":                   # mt5b §2: event seq is strictly +1; here seq 2 is never sent
        from .session import Session
        emit = Session.emit

        def gap_emit(self, event):
            if self.seq == 1:
                self.seq = 2
            return emit(self, event)
        Session.emit = gap_emit
    elif rule == "forget-orders":           # mt5b §8.2: a final result is kept; here it is dropped
        from .idempotency import Store
        Store.finish = lambda self, client_req_id, result: self.forget(client_req_id)


async def _serve(cfg, mt5, args, start_ms, faults):
    from .bridge import Bridge
    bridge = Bridge(cfg, mt5)
    await bridge.start()
    print(f"listening {bridge.scheme}://{cfg.host}:{bridge.port}", flush=True)
    if "terminal-off" in faults:
        episodes = _terminal_episodes(mt5._double, faults["terminal-off"], faults.get("terminal-off-for", 1.0))
        asyncio.ensure_future(episodes)
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


async def _terminal_episodes(d, up_sec, off_sec):
    """The terminal process closes (IPC calls fail, initialize() fails) for off_sec after every up_sec."""
    while True:
        await asyncio.sleep(up_sec)
        d.break_ipc(terminal_running=False)
        await asyncio.sleep(off_sec)
        d.restore_terminal()


if __name__ == "__main__":
    main()
