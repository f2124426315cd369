"""The config file (secrets from the environment or a file, loopback/TLS rules, the DST rule) and the two launchers
(`python -m botdesk_mt5bridge --config` with TLS, and the conformance test server), as real processes."""
import asyncio
import datetime as dt
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest

import websockets

import bridgetest  # noqa: F401 - sys.path
from botdesk_mt5bridge.config import ClockRule, ConfigError, from_dict, load

PY = sys.executable
PKG = os.path.join(bridgetest.ROOT, "connectors", "mt5bridge")
DOUBLE = os.path.join(bridgetest.ROOT, "tests", "mt5double")


def utc(*a):
    return dt.datetime(*a, tzinfo=dt.timezone.utc)


class Config(unittest.TestCase):
    def test_secrets_come_from_the_environment_or_a_file_never_the_config(self):
        os.environ["MT5B_TEST_TOKEN"] = "tok-from-env"
        c = from_dict({"bridge": {"token_env": "MT5B_TEST_TOKEN"}, "aliases": {"gold": "XAUUSD.m"}})
        self.assertEqual(c.token, "tok-from-env")
        self.assertEqual(c.host, "127.0.0.1")
        self.assertEqual(c.aliases, {"GOLD": "XAUUSD.m"})
        self.assertNotIn("tok-from-env", repr(c))
        with self.assertRaisesRegex(ConfigError, "must not be written in the config file"):
            from_dict({"bridge": {"token": "inline"}})
        with self.assertRaisesRegex(ConfigError, "NOPE_NOT_SET.*not set"):
            from_dict({"bridge": {"token_env": "NOPE_NOT_SET"}})
        with self.assertRaisesRegex(ConfigError, "no token"):
            from_dict({})
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "tok")
            with open(path, "w") as f:
                f.write("tok-from-file\n")
            self.assertEqual(from_dict({"bridge": {"token_file": path}}).token, "tok-from-file")
            cfg = os.path.join(d, "bridge.toml")
            with open(cfg, "w") as f:
                f.write('[bridge]\ntoken_file = "%s"\nlisten_port = 9000\n[clock]\nserver_utc_offset_sec = 7200\n'
                        'dst = "us"\n[terminal]\nlogin = 123\n' % path.replace("\\", "/"))
            c = load(cfg)
            self.assertEqual((c.port, c.login, c.clock.dst), (9000, 123, "us"))
            with open(cfg, "w") as f:
                f.write("[bridge\n")
            with self.assertRaisesRegex(ConfigError, "not valid TOML"):
                load(cfg)

    def test_remote_listening_needs_tls_or_an_explicit_opt_in(self):
        os.environ["MT5B_TEST_TOKEN"] = "a-long-enough-token"
        base = {"token_env": "MT5B_TEST_TOKEN", "listen_host": "0.0.0.0"}
        with self.assertRaisesRegex(ConfigError, "not a loopback address"):
            from_dict({"bridge": base})
        self.assertEqual(from_dict({"bridge": {**base, "allow_insecure_remote": True}}).host, "0.0.0.0")
        with self.assertRaisesRegex(ConfigError, "both bridge.tls_cert and bridge.tls_key"):
            from_dict({"bridge": {**base, "tls_cert": "c.pem"}})
        with self.assertRaisesRegex(ConfigError, "listen_port"):
            from_dict({"bridge": {"token_env": "MT5B_TEST_TOKEN", "listen_port": "8765"}})

    def test_dst_rules(self):
        us = ClockRule(7200, "us")
        self.assertEqual(us.offset_at(utc(2026, 1, 15)), 7200)
        self.assertEqual(us.offset_at(utc(2026, 7, 1)), 10800)
        self.assertEqual(us.offset_at(utc(2026, 3, 8, 6, 59)), 7200)       # second Sunday of March 2026 = 8th
        self.assertEqual(us.offset_at(utc(2026, 3, 8, 7, 0)), 10800)
        self.assertEqual(us.offset_at(utc(2026, 11, 1, 6, 0)), 7200)       # first Sunday of November 2026
        eu = ClockRule(3600, "eu")
        self.assertEqual(eu.offset_at(utc(2026, 3, 29, 0, 59)), 3600)      # last Sunday of March 2026 = 29th
        self.assertEqual(eu.offset_at(utc(2026, 3, 29, 1, 0)), 7200)
        self.assertEqual(eu.offset_at(utc(2026, 10, 25, 1, 0)), 3600)      # last Sunday of October 2026 = 25th
        self.assertEqual(ClockRule(-18000).offset_at(utc(2026, 7, 1)), -18000)


class Launchers(unittest.IsolatedAsyncioTestCase):
    async def _spawn(self, args, env=None):
        proc = await asyncio.create_subprocess_exec(PY, *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                    env={**os.environ, **(env or {})})
        self.addAsyncCleanup(self._kill, proc)
        line = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode()
        return proc, line

    async def _kill(self, proc):
        if proc.returncode is None:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 5)

    async def test_testserver_prints_its_address_and_serves_a_scripted_market(self):
        with tempfile.TemporaryDirectory() as d:
            proc, line = await self._spawn(["-m", "botdesk_mt5bridge.testserver", "--port", "0", "--token", "T",
                                            "--heartbeat", "1", "--state-dir", d, "--netting",
                                            "--faults", "drop-reply=1", "--seed", "3"], {"PYTHONPATH": PKG})
            self.assertRegex(line, r"^listening ws://127\.0\.0\.1:\d+\n$")
            async with websockets.connect(line.split()[1], subprotocols=["mt5b.v1"]) as ws:
                await ws.send(json.dumps({"v": 1, "type": "hello", "id": "h", "token": "T"}))
                w = json.loads(await ws.recv())
                self.assertEqual(w["account"]["margin_mode"], "ACCOUNT_MARGIN_MODE_RETAIL_NETTING")
                await ws.send(json.dumps({"v": 1, "type": "subscribe", "id": "s", "streams": [
                    {"kind": "bars", "symbol": "EURUSD", "timeframe": "M1"}]}))
                await ws.send(json.dumps({"v": 1, "type": "order.send", "id": "o", "client_req_id": "ts-1",
                                          "request": {"action": "TRADE_ACTION_DEAL", "symbol": "EURUSD",
                                                      "volume": 0.1, "type": "ORDER_TYPE_BUY"}}))
                seen = {}
                while not ("bar" in seen and "order.result" in seen):
                    m = json.loads(await asyncio.wait_for(ws.recv(), 5))
                    seen.setdefault(m["type"], m)
                self.assertTrue(seen["bar"]["closed"], "a bar closes within seconds (the clock runs 60x)")
                self.assertEqual((seen["order.result"]["status"], seen["order.result"]["reconciled"]), ("done", True))

    @unittest.skipUnless(shutil.which("openssl"), "openssl CLI needed to make a throwaway certificate")
    async def test_main_entry_serves_wss_with_the_given_certificate(self):
        with tempfile.TemporaryDirectory() as d:
            cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                            "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"],
                           check=True, capture_output=True)
            with open(os.path.join(d, "tok"), "w") as f:
                f.write("tls-token-123")
            cfg = os.path.join(d, "bridge.json")
            with open(cfg, "w") as f:
                json.dump({"bridge": {"token_file": os.path.join(d, "tok"), "listen_port": 0, "tls_cert": cert,
                                      "tls_key": key, "state_dir": "state"},
                           "clock": {"server_utc_offset_sec": 10800}}, f)
            proc, line = await self._spawn(["-m", "botdesk_mt5bridge", "--config", cfg, "--log-level", "WARNING"],
                                           {"PYTHONPATH": PKG + os.pathsep + DOUBLE})
            self.assertRegex(line, r"^listening wss://127\.0\.0\.1:\d+\n$")
            ctx = ssl.create_default_context(cafile=cert)
            async with websockets.connect(line.split()[1], ssl=ctx) as ws:
                await ws.send(json.dumps({"v": 1, "type": "hello", "id": "h", "token": "tls-token-123"}))
                w = json.loads(await ws.recv())
                self.assertEqual(w["clock"], {"server_utc_offset_sec": 10800, "offset_source": "config"})
            with self.assertRaises(ssl.SSLCertVerificationError):     # the client verifies the certificate
                await websockets.connect(line.split()[1], ssl=ssl.create_default_context())
            self.assertTrue(os.path.exists(os.path.join(d, "state", "mt5bridge-orders.sqlite")))
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 5)
            self.assertNotIn(b"tls-token-123", await proc.stderr.read())

    async def test_main_entry_names_a_bad_config(self):
        with tempfile.TemporaryDirectory() as d:
            cfg = os.path.join(d, "bridge.toml")
            with open(cfg, "w") as f:
                f.write('[bridge]\ntoken = "inline"\n')
            proc = await asyncio.create_subprocess_exec(PY, "-m", "botdesk_mt5bridge", "--config", cfg,
                                                        stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": PKG})
            _, err = await asyncio.wait_for(proc.communicate(), 10)
            self.assertEqual(proc.returncode, 2)
            self.assertIn(b"bridge.token must not be written in the config file", err)
            self.assertNotIn(b"inline", err.replace(b"token must not", b""))


if __name__ == "__main__":
    unittest.main()
