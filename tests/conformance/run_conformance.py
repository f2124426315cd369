#!/usr/bin/python3
"""Run the mt5b v1 conformance suite (test_conformance.py) against one bridge.

  run_conformance.py --url ws://127.0.0.1:8765 --token T [--kind simulator|mt5-python]
  run_conformance.py --kind simulator [--token T] -- /path/botdesk-mt5sim --data D --symbol EURUSD --port 0 \
      --token {token} --state-dir {state_dir} --heartbeat 1 --suffix .sim
In launch mode (a command after `--`, or --launch "CMD"), the command must print `listening ws://127.0.0.1:PORT`
as its first stdout line; {token} and {state_dir} are substituted (a fresh state directory per launch). Fault
scenarios relaunch the command with extra arguments per fault: --fault drop-reply="--faults drop-reply=1 --seed 1"
(defaults exist for --kind simulator). Exit status 0 when every scenario passed or was skipped with a reason.
"""
import argparse
import json
import os
import secrets
import shlex
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FAULTS = {   # botdesk-mt5sim and `python3 -m botdesk_mt5bridge.testserver` take the same fault options
    "simulator": {"drop-reply": "--faults drop-reply=1 --seed 1", "requote": "--faults requote=1 --seed 1",
                  "connection": "--faults connection=1,connection-burst=1000 --seed 1",
                  "terminal-off": "--faults terminal-off=1s,terminal-off-for=1s --seed 1"},
    "mt5-python": {"drop-reply": "--faults drop-reply=1 --seed 1", "requote": "--faults requote=1 --seed 1"},
}


def main(argv):
    launch_tail = []
    if "--" in argv:
        i = argv.index("--")
        argv, launch_tail = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="bridge URL, ws://host:port or wss://host:port")
    p.add_argument("--launch", help="command (one string) that starts the bridge; or give it after `--`")
    p.add_argument("--token", default=os.environ.get("MT5B_TOKEN"), help="bridge token (default $MT5B_TOKEN; "
                   "random in launch mode)")
    p.add_argument("--kind", choices=["simulator", "mt5-python"], help="expected welcome.bridge.kind")
    p.add_argument("--fault", action="append", default=[], metavar="NAME=ARGS",
                   help="extra launch arguments that make the bridge inject fault NAME: drop-reply (executes, reply "
                        "lost), requote (10004), connection (10031), lost-request (not executed, reply lost), "
                        "terminal-off (terminal disconnect episodes)")
    p.add_argument("--cafile", help="PEM certificate(s) to trust for a wss:// bridge (its self-signed certificate)")
    p.add_argument("--symbol", help="broker symbol to trade (default: first tradable from symbols.list)")
    p.add_argument("--bar-wait", type=float, default=6.0, help="seconds to wait for live bars to close (default 6)")
    p.add_argument("-k", dest="patterns", action="append", default=[], help="only tests matching this substring")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    launch = args.launch or (shlex.join(launch_tail) if launch_tail else None)
    if bool(args.url) == bool(launch):
        p.error("give exactly one of --url URL or a launch command (--launch CMD, or CMD after --)")
    token = args.token or (secrets.token_hex(16) if launch else None)
    if not token:
        p.error("--token is required with --url (or set MT5B_TOKEN)")
    faults = dict(DEFAULT_FAULTS.get(args.kind, {}))
    for item in args.fault:
        name, sep, extra = item.partition("=")
        if not sep or not name:
            p.error(f"--fault {item!r}: expected NAME=ARGS, e.g. drop-reply='--faults drop-reply=1'")
        faults[name] = extra
    os.environ.update(MT5B_TOKEN=token, MT5B_FAULTS=json.dumps(faults), MT5B_BAR_WAIT=str(args.bar_wait))
    for key, value in (("MT5B_URL", args.url), ("MT5B_LAUNCH", launch), ("MT5B_KIND", args.kind),
                       ("MT5B_SYMBOL", args.symbol), ("MT5B_CAFILE", args.cafile)):
        if value:
            os.environ[key] = value
        else:
            os.environ.pop(key, None)
    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = [f"*{pat}*" for pat in args.patterns]
    suite = loader.loadTestsFromName("test_conformance")
    t0 = time.monotonic()
    result = unittest.TextTestRunner(verbosity=2 if args.verbose else 1).run(suite)
    print(f"mt5b conformance ({args.kind or 'any kind'}): {result.testsRun} run, {len(result.failures)} failed, "
          f"{len(result.errors)} errors, {len(result.skipped)} skipped in {time.monotonic() - t0:.1f} s")
    for test, reason in result.skipped:
        print(f"  skipped {test.id().split('.', 1)[-1]}: {reason}")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
