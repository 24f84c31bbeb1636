#!/usr/bin/env python3
"""Load test of `longembed serve` on loopback: C concurrent clients, each
sending one request after the other (keep-alive) for S seconds, and a
table of throughput, latency (p50, p99), statuses and the server's RSS.

  bench/server_load.py BUILD [-m minilm] [--clients 1,8] [--seconds 20]
                       [--long-seconds 20] [--texts short|8k|both] [--per-request 1]

It starts the server itself (port 0) and stops it with SIGTERM at the end.
The 8k inputs ask for "extend": "pi", "max_tokens": 8192 in the request, so
that they fit a 512-token model; the short ones use the model as trained.
A benchmark: run it on an otherwise idle machine, never from ctest."""
import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import threading
import time

WORDS = ("the contract may be terminated by either party with thirty days written notice "
         "and all outstanding invoices become payable at once").split()


def text_of(tokens, seed):
    words = [WORDS[(seed * 7 + i) % len(WORDS)] for i in range(tokens)]
    return " ".join(words)


def start(args):
    cmd = [os.path.join(args.build, "longembed"), "serve", "-m", args.model, "--port", "0",
           "--max-queue", str(args.max_queue)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    for line in p.stderr:  # notes (a model being fetched) may come first
        m = re.search(r"listening on http://[^ ]*:(\d+) ", line)
        if m:
            return p, int(m.group(1))
    raise SystemExit("the server did not start")


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def run(pid, port, clients, seconds, body_for):
    lat, statuses, stop = [], {}, time.time() + seconds
    lock = threading.Lock()

    def client(c):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        k = 0
        while time.time() < stop:
            body = json.dumps(body_for(c * 100000 + k))
            t0 = time.time()
            conn.request("POST", "/v1/embeddings", body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            dt = time.time() - t0
            with lock:
                statuses[r.status] = statuses.get(r.status, 0) + 1
                if r.status == 200:
                    lat.append(dt)
            k += 1
        conn.close()

    t0 = time.time()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    rss = []
    while any(t.is_alive() for t in threads):  # the server's RSS every 2 s: flat or growing?
        rss.append(rss_kib(pid, "VmRSS") / 1024)
        time.sleep(2)
    for t in threads:
        t.join()
    return lat, statuses, time.time() - t0, rss


def batch_stats(port):
    """Mean texts and tokens per forward batch so far, from /metrics."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    c.close()
    v = {k: float(x) for k, x in re.findall(r"^(longembed_batch_\w+_(?:sum|count)) (\S+)$", text, re.M)}
    n = v.get("longembed_batch_texts_count", 0)
    return (n, v.get("longembed_batch_texts_sum", 0), v.get("longembed_batch_tokens_sum", 0))


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("-m", "--model", default="minilm")
    ap.add_argument("--clients", default="1,8")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--long-seconds", type=float, default=20,
                    help="seconds of the short-input runs with more than one client")
    ap.add_argument("--texts", default="both")
    ap.add_argument("--per-request", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--max-queue", type=int, default=256)
    args = ap.parse_args()
    kinds = {"short": 24, "8k": 7100}  # words: MiniLM gives 30 and about 8,100 tokens
    use = list(kinds) if args.texts == "both" else [args.texts]
    p, port = start(args)
    print("| input | clients | seconds | requests/s | texts/s | p50 ms | p99 ms | statuses "
          "| texts/batch | RSS MiB (min-max) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    try:
        for kind in use:
            for clients in [int(c) for c in args.clients.split(",")]:
                n = args.per_request
                extra = {"extend": "pi", "max_tokens": 8192, "truncate": True} if kind == "8k" else {}

                def body_for(s, kind=kind, extra=extra):
                    return dict(extra, input=[text_of(kinds[kind], s * n + i) for i in range(n)])

                b0 = batch_stats(port)
                secs_of = args.long_seconds if clients > 1 and kind == "short" else args.seconds
                lat, st, secs, rss = run(p.pid, port, clients, secs_of, body_for)
                b1 = batch_stats(port)
                per_batch = (b1[1] - b0[1]) / max(1, b1[0] - b0[0])
                ok = st.get(200, 0)
                print(f"| {kind} ({kinds[kind]} words) | {clients} | {secs:.0f} | {ok / secs:.2f} | "
                      f"{ok * n / secs:.2f} | {pct(lat, 0.5) * 1e3:.0f} | {pct(lat, 0.99) * 1e3:.0f} | "
                      f"{st} | {per_batch:.1f} | {min(rss):.0f}-{max(rss):.0f} |", flush=True)
        print(f"\npeak RSS (VmHWM) of the server: {rss_kib(p.pid, 'VmHWM') / 1024:.0f} MiB")
    finally:
        p.send_signal(signal.SIGTERM)
        rest = p.stderr.read()  # a sanitizer build reports here
        print(f"server exit status after SIGTERM: {p.wait(60)}")
        if rest.strip():
            print("server stderr:\n" + rest)


main()
