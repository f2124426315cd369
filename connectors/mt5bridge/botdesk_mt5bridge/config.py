"""The bridge's configuration: a TOML or JSON file (README.md), secrets from environment variables or files.

Every error names the bad key and the fix; nothing here ever prints the token or the password.
"""
import datetime as dt
import ipaddress
import json
import os
import tomllib
from dataclasses import dataclass, field


class ConfigError(Exception):
    pass


@dataclass
class ClockRule:
    """The trade server's UTC offset: base offset (standard time) plus dst_shift_sec while the DST rule is in force.

    dst "none": fixed offset. "us": US daylight time (second Sunday of March 07:00 UTC .. first Sunday of November
    06:00 UTC), the rule of the common "New York close" GMT+2/GMT+3 brokers. "eu": EU summer time (last Sunday of
    March 01:00 UTC .. last Sunday of October 01:00 UTC).
    """
    server_utc_offset_sec: int = 0
    dst: str = "none"
    dst_shift_sec: int = 3600

    def offset_at(self, utc: dt.datetime) -> int:
        """Seconds to add to UTC to get the broker server clock at that UTC instant."""
        if self.dst == "none":
            return self.server_utc_offset_sec
        y = utc.year
        if self.dst == "us":
            start = _nth_sunday(y, 3, 2).replace(hour=7)
            end = _nth_sunday(y, 11, 1).replace(hour=6)
        else:
            start = _last_sunday(y, 3).replace(hour=1)
            end = _last_sunday(y, 10).replace(hour=1)
        in_dst = start <= utc.replace(tzinfo=None) < end
        return self.server_utc_offset_sec + (self.dst_shift_sec if in_dst else 0)

    def offset_now(self) -> int:
        return self.offset_at(dt.datetime.now(dt.timezone.utc))


def _nth_sunday(year, month, n):
    d = dt.datetime(year, month, 1)
    d += dt.timedelta(days=(6 - d.weekday()) % 7)
    return d + dt.timedelta(weeks=n - 1)


def _last_sunday(year, month):
    d = dt.datetime(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return d - dt.timedelta(days=(d.weekday() - 6) % 7)


@dataclass
class Config:
    # terminal (MetaTrader5.initialize arguments; None = let the package use the running terminal)
    terminal_path: str | None = None
    login: int | None = None
    server: str | None = None
    password: str | None = field(default=None, repr=False)
    init_timeout_ms: int = 60000
    portable: bool = False
    # listening side
    host: str = "127.0.0.1"
    port: int = 8765
    token: str = field(default="", repr=False)
    tls_cert: str | None = None
    tls_key: str | None = None
    allow_insecure_remote: bool = False
    heartbeat_sec: float = 10.0
    max_requests_per_sec: int = 50
    max_subscriptions: int = 200
    state_dir: str = "."
    bridge_name: str = "botdesk-mt5bridge"
    # trading
    magic: int = 770001
    reconcile_grace_ms: int = 5000
    order_timeout_ms: int = 10000
    aliases: dict = field(default_factory=dict)
    clock: ClockRule = field(default_factory=ClockRule)
    # polling (ms)
    tick_poll_ms: int = 25
    bar_poll_ms: int = 100
    trade_poll_ms: int = 300
    account_push_ms: int = 500
    reconnect_max_sec: float = 5.0
    session_keep_sec: float = 600.0
    worker_stall_sec: float = 10.0     # one MetaTrader5 call running longer: report the terminal as not connected
    ring_events: int = 50000

    def check(self):
        if not self.token:
            raise ConfigError("no token configured: set bridge.token_env to an environment variable that holds it, "
                              "or bridge.token_file to a file that holds it")
        if len(self.token) < 8 and self.host not in ("127.0.0.1", "::1", "localhost"):
            raise ConfigError("the token is shorter than 8 characters; use a long random token "
                              "(e.g. python -c \"import secrets; print(secrets.token_urlsafe(32))\")")
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ConfigError("give both bridge.tls_cert and bridge.tls_key (PEM files) for wss://, or neither")
        if not _is_loopback(self.host) and not self.tls_cert and not self.allow_insecure_remote:
            raise ConfigError(f"bridge.listen_host '{self.host}' is not a loopback address; give bridge.tls_cert and "
                              "bridge.tls_key so clients connect with wss://, or set "
                              "bridge.allow_insecure_remote = true if a VPN already encrypts the link")
        if self.clock.dst not in ("none", "us", "eu"):
            raise ConfigError(f"clock.dst '{self.clock.dst}' is not a DST rule; give \"none\", \"us\" or \"eu\"")
        if not 0.05 <= self.heartbeat_sec <= 300:
            raise ConfigError(f"bridge.heartbeat_sec {self.heartbeat_sec} is out of range; give 0.05..300 seconds")
        return self


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secret(section, key, where):
    """A secret from <key>_env (environment variable name) or <key>_file (path); never from the file itself."""
    env, path = section.get(key + "_env"), section.get(key + "_file")
    if key in section:
        raise ConfigError(f"{where}.{key} must not be written in the config file; put it in an environment variable "
                          f"named by {where}.{key}_env, or in a file named by {where}.{key}_file")
    if env:
        value = os.environ.get(env)
        if value is None:
            raise ConfigError(f"{where}.{key}_env names the environment variable '{env}', which is not set; "
                              "set it before starting the bridge")
        return value.strip()
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                return f.read().strip()
        except OSError as e:
            raise ConfigError(f"{where}.{key}_file '{path}' cannot be read ({e.strerror}); fix the path") from None
    return None


def load(path) -> Config:
    """Read a .toml or .json config file; raises ConfigError naming the bad key and the fix."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ConfigError(f"config file '{path}' cannot be read ({e.strerror}); give --config FILE") from None
    try:
        data = json.loads(raw) if str(path).lower().endswith(".json") else tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise ConfigError(f"config file '{path}' is not valid {'JSON' if str(path).endswith('.json') else 'TOML'}: "
                          f"{e}") from None
    return from_dict(data, base_dir=os.path.dirname(os.path.abspath(path)))


def _get(section, key, kind, where, default):
    if key not in section:
        return default
    v = section[key]
    ok = isinstance(v, kind) and not (kind is not bool and isinstance(v, bool))
    if kind is float and isinstance(v, int) and not isinstance(v, bool):
        ok, v = True, float(v)
    if not ok:
        raise ConfigError(f"{where}.{key} = {v!r} is not a {kind.__name__}; fix the config file")
    return v


def from_dict(data, base_dir=".") -> Config:
    term, bridge = data.get("terminal", {}), data.get("bridge", {})
    trading, clock, aliases = data.get("trading", {}), data.get("clock", {}), data.get("aliases", {})
    c = Config()
    c.terminal_path = _get(term, "path", str, "terminal", None)
    c.login = _get(term, "login", int, "terminal", None)
    c.server = _get(term, "server", str, "terminal", None)
    c.password = _secret(term, "password", "terminal")
    c.init_timeout_ms = _get(term, "timeout_ms", int, "terminal", c.init_timeout_ms)
    c.portable = _get(term, "portable", bool, "terminal", False)
    c.worker_stall_sec = _get(term, "stall_sec", float, "terminal", c.worker_stall_sec)
    c.host = _get(bridge, "listen_host", str, "bridge", c.host)
    c.port = _get(bridge, "listen_port", int, "bridge", c.port)
    c.token = _secret(bridge, "token", "bridge") or ""
    c.tls_cert = _get(bridge, "tls_cert", str, "bridge", None) or None
    c.tls_key = _get(bridge, "tls_key", str, "bridge", None) or None
    c.allow_insecure_remote = _get(bridge, "allow_insecure_remote", bool, "bridge", False)
    c.heartbeat_sec = _get(bridge, "heartbeat_sec", float, "bridge", c.heartbeat_sec)
    c.max_requests_per_sec = _get(bridge, "max_requests_per_sec", int, "bridge", c.max_requests_per_sec)
    c.state_dir = os.path.join(base_dir, _get(bridge, "state_dir", str, "bridge", "state"))
    c.magic = _get(trading, "magic", int, "trading", c.magic)
    c.reconcile_grace_ms = _get(trading, "reconcile_grace_ms", int, "trading", c.reconcile_grace_ms)
    c.order_timeout_ms = _get(trading, "order_timeout_ms", int, "trading", c.order_timeout_ms)
    c.clock = ClockRule(_get(clock, "server_utc_offset_sec", int, "clock", 0), _get(clock, "dst", str, "clock", "none"),
                        _get(clock, "dst_shift_sec", int, "clock", 3600))
    if not isinstance(aliases, dict) or not all(isinstance(v, str) for v in aliases.values()):
        raise ConfigError("[aliases] must map names to broker symbol names, e.g. GOLD = \"XAUUSD.m\"")
    c.aliases = {k.upper(): v for k, v in aliases.items()}
    return c.check()
