"""Start a bridge process for a test and read its address from the first stdout line.

The command is a list of arguments (or a string, split with shlex). Placeholders: {token} (the test token) and
{state_dir} (a fresh temporary directory per launch unless one is given, e.g. to restart on the same state).
The process must print `listening ws://127.0.0.1:PORT` (or wss://) as its first stdout line within the timeout.
"""
import os
import re
import shlex
import signal
import subprocess
import tempfile
import threading

LISTENING = re.compile(r"^listening (wss?://\S+)\s*$")


class LaunchError(RuntimeError):
    pass


class Bridge:
    def __init__(self, command, token, extra_args=(), state_dir=None, timeout=15.0, env=None):
        if isinstance(command, str):
            command = shlex.split(command)
        self._tmp = None
        if state_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="mt5b-state-")
            state_dir = self._tmp.name
        self.state_dir = state_dir
        self.argv = [a.replace("{token}", token).replace("{state_dir}", state_dir) for a in command]
        self.argv += [a.replace("{state_dir}", state_dir) for a in extra_args]
        self.token = token
        self.timeout = timeout
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.url = None
        self.stderr_lines = []
        self.stdout_lines = []

    def start(self):
        try:
            self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         stdin=subprocess.DEVNULL, env=self.env, text=True, bufsize=1)
        except OSError as e:
            raise LaunchError(f"cannot start {self.argv[0]!r}: {e}") from e
        self._threads = [threading.Thread(target=self._drain, args=(self.proc.stderr, self.stderr_lines), daemon=True)]
        self._threads[0].start()
        first = []
        reader = threading.Thread(target=lambda: first.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.timeout)
        line = first[0] if first else None
        if line is None or not line:
            try:
                code = self.proc.wait(2) if line is not None else self.proc.poll()   # "" = stdout closed (EOF)
            except subprocess.TimeoutExpired:
                code = None
            self.stop()
            why = f"exited with status {code}" if code is not None else f"printed no first line in {self.timeout} s"
            raise LaunchError(f"{' '.join(self.argv)} {why}; stderr: {''.join(self.stderr_lines)[-2000:]}")
        m = LISTENING.match(line.strip())
        if not m:
            self.stop()
            raise LaunchError(f"first stdout line of {self.argv[0]} is {line.strip()!r}, expected "
                              f"'listening ws://127.0.0.1:PORT'")
        self.url = m.group(1)
        self._threads.append(threading.Thread(target=self._drain, args=(self.proc.stdout, self.stdout_lines),
                                              daemon=True))
        self._threads[-1].start()
        return self

    @staticmethod
    def _drain(stream, sink):
        for line in stream:
            sink.append(line)

    def stop(self, timeout=5.0):
        """SIGTERM, then SIGKILL after timeout; returns the exit status (None if it had to be killed)."""
        if self.proc is None:
            return None
        status = self.proc.poll()
        if status is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                status = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                status = None
        for t in getattr(self, "_threads", []):
            t.join(2)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream and not stream.closed:
                stream.close()
        return status

    def cleanup(self):
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


