"""wss:// end to end: refbridge.py with a throwaway self-signed certificate (made with the openssl CLI), then the
suite's handshake and TLS scenarios with --cafile. Run: /usr/bin/python3 -m unittest test_tls
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class TlsTest(unittest.TestCase):
    def test_suite_over_wss_with_a_given_certificate(self):
        openssl = shutil.which("openssl")
        if not openssl:
            self.skipTest("no openssl CLI to make a test certificate")
        with tempfile.TemporaryDirectory() as tmp:
            cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
            subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                            "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                           check=True, capture_output=True, timeout=60)
            run = subprocess.run([sys.executable, os.path.join(HERE, "run_conformance.py"), "--cafile", cert,
                                  "-k", "wss", "-k", "handshake", "-k", "ping_pong", "--",
                                  sys.executable, os.path.join(HERE, "refbridge.py"), "--port", "0", "--token",
                                  "{token}", "--tls-cert", cert, "--tls-key", key],
                                 capture_output=True, text=True, timeout=120)
            summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            self.assertIn("3 run, 0 failed, 0 errors, 0 skipped", summary, run.stdout + run.stderr)


if __name__ == "__main__":
    unittest.main()
