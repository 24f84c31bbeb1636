"""Helpers of the server tests: start `longembed serve` on a free loopback
port, talk HTTP with the standard library, count checks."""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time

TINY = "tests/fixtures/bert-cased-tiny"
checks = 0
failures = 0


def check(name, cond, detail=""):
    global checks, failures
    checks += 1
    if not cond:
        failures += 1
        print(f"FAIL: {name} {detail}", file=sys.stderr)


def finish(script):
    print(f"{script}: {checks} checks, {failures} failed", file=sys.stderr)
    sys.exit(0 if checks and not failures else 1)


class Server:
    """`longembed serve` on port 0; the port is read from its first line."""

    def __init__(self, build, *args, model=TINY):
        # fp32, as cli_vectors: the tests compare the server's numbers with the CLI's and with
        # references, which are fp32's (the default, auto, may run bf16, and oneDNN's bf16
        # on AMX need not give the same bits for every batch shape)
        self.cmd = [os.path.join(build, "longembed"), "serve", "-m", model, "--port", "0",
                    "--precision", "fp32", *args]
        self.proc = subprocess.Popen(self.cmd, stderr=subprocess.PIPE, text=True)
        seen = ""
        for _ in range(50):  # notes (a model being fetched) may come first
            line = self.proc.stderr.readline()
            seen += line
            m = re.search(r"listening on http://[^ ]*:(\d+) ", line)
            if m or not line:
                break
        if not m:
            self.proc.kill()
            raise RuntimeError(f"server did not start: {seen}{self.proc.stderr.read()}")
        self.port = int(m.group(1))

    def request(self, method, path, body=None, headers=None, timeout=60):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        raw = r.read()
        c.close()
        try:
            doc = json.loads(raw)
        except ValueError:
            doc = raw.decode("utf-8", "replace")
        return r.status, doc, dict(r.getheaders())

    def post(self, path, body, **kw):
        return self.request("POST", path, body, **kw)

    def alive(self):
        try:
            return self.request("GET", "/health", timeout=10)[0] == 200
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM, timeout=30):
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = None
        self.err = self.proc.stderr.read()
        return rc


def cli_vectors(build, texts, *args, model=TINY):
    """The fp32 vectors of `longembed embed` for texts (JSONL on stdin)."""
    inp = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts))
    out = subprocess.run([os.path.join(build, "longembed"), "embed", "-m", model, "-q",
                          "--precision", "fp32", *args],
                         input=inp, capture_output=True, text=True, check=True).stdout
    return [json.loads(l)["embedding"] for l in out.splitlines()]


def max_diff(a, b):
    return max(abs(x - y) for x, y in zip(a, b)) if len(a) == len(b) else float("inf")
