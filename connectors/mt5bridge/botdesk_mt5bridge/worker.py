"""The one thread that makes every MetaTrader5 call (MT5_PROTOCOL.md §4.10).

The package is not thread-safe and last_error() is global state, so the asyncio side never touches the module: it
submits jobs, a job runs on this thread with a Calls object, and every call's last_error() is read right after it.
"""
import asyncio
import logging
import queue
import threading

from . import retcodes

log = logging.getLogger("botdesk.mt5bridge.worker")


class Calls:
    """Handed to a job: call(name, ...) -> (value, (code, message)); notes IPC loss for the reconnect logic."""

    def __init__(self, mt5):
        self.mt5 = mt5
        self.ipc_lost = False
        self.last = (1, "Success")

    def call(self, name, *args, **kwargs):
        value = getattr(self.mt5, name)(*args, **kwargs)
        err = self.mt5.last_error()
        err = (int(err[0]), str(err[1])) if err else (1, "Success")
        self.last = err
        if value is None and err[0] in retcodes.RECONNECT_ERRORS:
            self.ipc_lost = True
        return value, err

    def get(self, name, *args, **kwargs):
        """Like call, but raises Mt5CallFailed when the package returns None."""
        value, err = self.call(name, *args, **kwargs)
        if value is None:
            raise Mt5CallFailed(name, err)
        return value


class Mt5CallFailed(Exception):
    def __init__(self, name, err):
        super().__init__(f"{name}() returned None, last_error {err}")
        self.name, self.err = name, err


class Worker:
    def __init__(self, mt5, on_ipc_lost=None):
        self.mt5 = mt5
        self.on_ipc_lost = on_ipc_lost      # called on the event loop when a job saw -10004/-10005
        self._q = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="mt5-worker", daemon=True)
        self.busy_since = None
        self._thread.start()

    def run(self, job):
        """Submit job(calls) -> value; returns an asyncio future (exceptions from the job propagate)."""
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._q.put((job, fut, loop))
        return fut

    async def call(self, name, *args, **kwargs):
        return await self.run(lambda c: c.call(name, *args, **kwargs))

    def stop(self):
        self._q.put(None)

    def _run(self):
        import time
        while True:
            item = self._q.get()
            if item is None:
                return
            job, fut, loop = item
            calls = Calls(self.mt5)
            self.busy_since = time.monotonic()
            try:
                value, exc = job(calls), None
            except BaseException as e:         # noqa: BLE001 - handed to the awaiting coroutine
                value, exc = None, e
            self.busy_since = None
            if loop.is_closed():
                continue
            try:
                loop.call_soon_threadsafe(self._settle, fut, value, exc, calls.ipc_lost)
            except RuntimeError:
                pass

    def _settle(self, fut, value, exc, ipc_lost):
        if ipc_lost and self.on_ipc_lost is not None:
            self.on_ipc_lost()
        if fut.done():
            return
        if exc is not None:
            fut.set_exception(exc)
        else:
            fut.set_result(value)
