"""The conformance suite can fail: one scenario against the Python bridge's test server started with
--break-rule (it breaks one mt5b rule on purpose) must fail, naming the broken rule.

- seq-gap: the live event seq skips 2; the client's seq check (every scenario) reports the jump.
- forget-orders: final order results leave the idempotency map; the dedup scenario sees a resend execute again.
The same scenarios pass against the unbroken test server (CTest conformance_mt5bridge_*).
Run: /usr/bin/python3 -m unittest test_selfcheck
"""
import os
import sys
import subprocess
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BRIDGE_PKG = os.path.normpath(os.path.join(HERE, "..", "..", "connectors", "mt5bridge"))


def run_broken(rule, scenario):
    return subprocess.run([sys.executable, os.path.join(HERE, "run_conformance.py"), "--kind", "mt5-python",
                           "-k", scenario, "--",
                           sys.executable, "-m", "botdesk_mt5bridge.testserver", "--port", "0", "--token", "{token}",
                           "--state-dir", "{state_dir}", "--heartbeat", "1", "--break-rule", rule],
                          capture_output=True, text=True, timeout=60, env=dict(os.environ, PYTHONPATH=BRIDGE_PKG))


class SelfCheckTest(unittest.TestCase):
    def assertSuiteFails(self, run, why):
        out = run.stdout + run.stderr
        self.assertEqual(run.returncode, 1, out)
        self.assertIn("1 run, 1 failed, 0 errors, 0 skipped", out)
        self.assertIn(why, out)

    def test_seq_gap_fails_the_suite(self):
        self.assertSuiteFails(run_broken("seq-gap", "test_heartbeat_within_heartbeat_sec"),
                              "live seq jumped from 1 to 3")

    def test_lost_idempotency_fails_the_suite(self):
        self.assertSuiteFails(run_broken("forget-orders", "test_idempotency_dedup_and_conflict"),
                              "the same client_req_id and request must answer dedup:true")


if __name__ == "__main__":
    unittest.main()
