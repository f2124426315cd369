"""python -m botdesk_mt5bridge --config FILE: serve mt5b v1 next to a MetaTrader 5 terminal (see README.md)."""
import argparse
import asyncio
import logging
import signal
import sys

from . import __version__
from .bridge import Bridge
from .config import ConfigError, load


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m botdesk_mt5bridge",
                                 description="BotDesk's mt5b v1 bridge next to a MetaTrader 5 terminal")
    ap.add_argument("--config", required=True, help="TOML or JSON config file (see README.md)")
    ap.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    ap.add_argument("--version", action="version", version=__version__)
    args = ap.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load(args.config)
    except ConfigError as e:
        print(f"botdesk_mt5bridge: {e}", file=sys.stderr)
        return 2
    try:
        import MetaTrader5 as mt5
    except ImportError:
        print("botdesk_mt5bridge: the MetaTrader5 package is not installed; run: pip install MetaTrader5 websockets "
              "(Windows, 64-bit Python 3.11, next to the terminal)", file=sys.stderr)
        return 2
    return asyncio.run(_serve(config, mt5))


async def _serve(config, mt5):
    bridge = Bridge(config, mt5)
    try:
        await bridge.start()
    except OSError as e:
        print(f"botdesk_mt5bridge: cannot listen on {config.host}:{config.port} ({e.strerror}); "
              "change bridge.listen_port or stop what uses it", file=sys.stderr)
        return 1
    print(f"listening {bridge.scheme}://{config.host}:{bridge.port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):      # Windows: Ctrl+C raises KeyboardInterrupt instead
            pass
    try:
        await stop.wait()
    finally:
        await bridge.stop()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
