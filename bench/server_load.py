#!/usr/bin/env python3
"""Load test of `longembed serve` on loopback, and the table of issue 14.

  bench/server_load.py BUILD [-m minilm] [--clients 1,8] [--seconds 30]
                       [--long-seconds 180] [--seconds-8k 120] [--texts short,8k,mixed]
                       [--per-request 1] [--threads N] [--max-queue N]
                       [--max-batch-tokens N] [--precision fp32|bf16|int8]

It starts the server itself (port 0), runs the clients of BUILD/bench/
bench_http_load (C threads, one kept-alive connection each, sending one
/v1/embeddings request after the other: they cost the machine little next
to the server), and stops the server with SIGTERM at the end. It prints a
Markdown table: requests and texts per second, latency p50/p99 with the
count of requests they come from, statuses, the mean texts per forward
batch (from /metrics) and the server's RSS sampled every second (min-max),
then the speed-up of the most clients over one, and the server's peak RSS.

Rows: "short" (24 words, 30 MiniLM tokens) for each client count (the
runs with more than one client last --long-seconds); "8k" (7,100 words,
about 8,100 tokens, "extend": "pi", "max_tokens": 8192 in the request, as
they do not fit MiniLM's 512) for each client count, --seconds-8k each
(the requests in flight at the end are waited for and counted);
"mixed": one client of 8k inputs and the others short, to show what a
short request waits behind a long one.
A benchmark: run it on an otherwise idle machine, never from ctest."""
import argparse
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request

WORDS = ("the contract may be terminated by either party with thirty days written notice "
         "and all outstanding invoices become payable at once").split()
KINDS = {"short": 24, "8k": 7100}  # words: MiniLM gives 30 and about 8,100 tokens
LONG = {"extend": "pi", "max_tokens": 8192, "truncate": True}


def text_of(words, seed):
    return " ".join(WORDS[(seed * 7 + i) % len(WORDS)] for i in range(words))


def bodies_file(kind, per_request, count):
    """A file of count request bodies, one per line, each of per_request texts."""
    extra = LONG if kind == "8k" else {}
    f = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)
    for s in range(count):
        body = dict(extra, input=[text_of(KINDS[kind], s * per_request + i)
                                  for i in range(per_request)])
        f.write(json.dumps(body) + "\n")
    f.close()
    return f.name


def start(args):
    cmd = [os.path.join(args.build, "longembed"), "serve", "-m", args.model, "--port", "0",
           "--max-queue", str(args.max_queue)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    if args.max_batch_tokens:
        cmd += ["--max-batch-tokens", str(args.max_batch_tokens)]
    if args.precision:
        cmd += ["--precision", args.precision]
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    for line in p.stderr:  # notes (a model being fetched) may come first
        m = re.search(r"listening on http://[^ ]*:(\d+) ", line)
        if m:
            return p, int(m.group(1))
    raise SystemExit("the server did not start")


def rss_mib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return 0


def batch_stats(port):
    """Forward batches and texts in them so far, from /metrics."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=60).read().decode()
    v = {k: float(x) for k, x in
         re.findall(r"^(longembed_batch_texts_(?:sum|count)) (\S+)$", text, re.M)}
    return v.get("longembed_batch_texts_count", 0), v.get("longembed_batch_texts_sum", 0)


def load(args, port, kind, clients, seconds):
    """Runs bench_http_load; its JSON summary."""
    path = bodies_file(kind, args.per_request, 64 if kind == "short" else 8)
    try:
        out = subprocess.run([os.path.join(args.build, "bench", "bench_http_load"), str(port),
                              "/v1/embeddings", path, str(clients), str(seconds)],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    return json.loads(out)


def run_row(args, p, port, kind, clients, seconds):
    """One row: the load (mixed: an 8k client beside clients-1 short ones)
    with the server's RSS sampled meanwhile; the rows' summaries."""
    rss, done = [], threading.Event()

    def sample():
        while not done.is_set():
            rss.append(rss_mib(p.pid, "VmRSS"))
            done.wait(1)

    b0 = batch_stats(port)
    sampler = threading.Thread(target=sample)
    sampler.start()
    jobs = [("8k", 1), ("short", clients - 1)] if kind == "mixed" else [(kind, clients)]
    results = {}
    threads = [threading.Thread(target=lambda k=k, c=c: results.__setitem__(
        k, load(args, port, k, c, seconds))) for k, c in jobs if c > 0]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    sampler.join()
    b1 = batch_stats(port)
    per_batch = (b1[1] - b0[1]) / max(1, b1[0] - b0[0])
    return [(k, c, results[k], per_batch, rss) for k, c in jobs if c > 0]


def print_row(label, clients, r, per_batch, rss):
    ok = r["statuses"].get("200", 0)
    secs = r["seconds"]
    print(f"| {label} | {clients} | {secs:.0f} | {ok / secs:.2f} | {ok * ARGS.per_request / secs:.2f} | "
          f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {ok} | {r['statuses']} {r['errors']} | "
          f"{per_batch:.1f} | {min(rss):.0f}-{max(rss):.0f} |", flush=True)
    return ok / secs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("-m", "--model", default="minilm")
    ap.add_argument("--clients", default="1,8")
    ap.add_argument("--seconds", type=float, default=30,
                    help="seconds of a row (short with one client, 8k, mixed)")
    ap.add_argument("--long-seconds", type=float, default=180,
                    help="seconds of the short-input rows with more than one client")
    ap.add_argument("--seconds-8k", type=float, default=120,
                    help="seconds of the 8k rows (one 8k request takes seconds: p99 needs many)")
    ap.add_argument("--texts", default="short,8k,mixed")
    ap.add_argument("--per-request", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--max-queue", type=int, default=256)
    ap.add_argument("--max-batch-tokens", type=int, default=0)
    ap.add_argument("--precision", default="", help="the server's --precision (default: its own)")
    global ARGS
    ARGS = args = ap.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    p, port = start(args)
    print("| input | clients | seconds | requests/s | texts/s | p50 ms | p99 ms | requests (200) "
          "| statuses, connection errors | texts/batch | RSS MiB (min-max) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    speed = {}
    try:
        for kind in args.texts.split(","):
            for clients in counts if kind != "mixed" else [max(counts)]:
                secs = (args.long_seconds if clients > 1 and kind == "short" else
                        args.seconds_8k if kind == "8k" else args.seconds)
                for k, c, r, per_batch, rss in run_row(args, p, port, kind, clients, secs):
                    label = f"{k} ({KINDS[k]} words)" + (" beside short" if kind == "mixed"
                                                         and k == "8k" else "")
                    label += " beside one 8k" if kind == "mixed" and k == "short" else ""
                    rate = print_row(label, c, r, per_batch, rss)
                    if kind == "short":
                        speed[clients] = rate
        if len(speed) > 1:
            lo, hi = min(speed), max(speed)
            print(f"\nshort inputs: {hi} clients give {speed[hi] / speed[lo]:.2f}x the requests/s "
                  f"of {lo}")
        print(f"peak RSS (VmHWM) of the server: {rss_mib(p.pid, 'VmHWM'):.0f} MiB")
    finally:
        p.send_signal(signal.SIGTERM)
        rest = p.stderr.read()  # a sanitizer build reports here
        print(f"server exit status after SIGTERM: {p.wait(60)}")
        if rest.strip():
            print("server stderr:\n" + rest)


main()
