#!/usr/bin/env python3
"""longembed beside the fastest peers that install here, in one run on one machine.

    python3 bench/peers.py [--build build] [--threads 2] [--long 2048,8192,32768] [--quick]
                           [--short-models minilm,bert-base]

Table 1 (tokens/s, higher is better): all-MiniLM-L6-v2 and a BERT-base-shaped random
checkpoint (tools/make_bench_models.py), 32 texts x 128 tokens and 8 x 512:
longembed fp32 / bf16 / int8 (bench/bench_embed) beside PyTorch fp32 / bf16 (transformers)
and ONNX Runtime fp32 / int8 (the model exported by torch.onnx; int8 = onnxruntime's
dynamic quantization with per-channel int8 weights) - bench/torch_bench.py.
Table 2 (seconds, lower is better): one document of 2k/8k/32k tokens through the
BERT-base shape with PI positions: longembed fp32 / bf16 / int8 beside PyTorch sdpa
fp32 / bf16 (bench/torch_long_bench.py), with peak RSS.

The peers come from PyPI into a venv this script creates (BUILD/bench-venv, with the
system's site-packages visible so an installed torch is reused). Every configuration runs
in a fresh process, the same thread count for all; when run as root each process gets
nice -19 so that other work on the machine disturbs the comparison less. The CPU model
and its matrix features are printed with the tables. Not part of `make test`.
"""
import argparse
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEER_PACKAGES = ["torch", "transformers", "sentence_transformers", "onnxruntime", "onnx"]
BERT_BASE = "/tmp/longembed-bench-models/bert-base-random"


def ensure_venv(build):
    """Re-executes this script inside BUILD/bench-venv, creating it and installing the peers."""
    venv = os.path.join(build, "bench-venv")
    py = os.path.join(venv, "bin", "python3")
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):  # also through a symlinked venv
        return
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", "--system-site-packages", venv])
    missing = [p for p in PEER_PACKAGES
               if subprocess.call([py, "-c", f"import {p}"], stderr=subprocess.DEVNULL) != 0]
    if missing:
        subprocess.check_call([py, "-m", "pip", "install", "-q"] + missing)
    os.execv(py, [py] + sys.argv)


def cpu_line():
    model, flags = platform.processor() or "?", ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
            if line.startswith("Flags:"):
                have = set(line.split(":", 1)[1].split())
                flags = " ".join(f for f in ["avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_int8"]
                                 if f in have)
    except OSError:
        pass
    return f"{model} ({flags}), {os.cpu_count()} CPUs"


def nice():
    return ["nice", "-n", "-19"] if os.geteuid() == 0 else []


def run_json(cmd, env=None):
    """The last JSON line a command prints, or None (its stderr's last line is kept as the reason)."""
    p = subprocess.run(nice() + cmd, capture_output=True, text=True, env=env)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    if p.returncode != 0 or not lines:
        err = (p.stderr.strip().splitlines() or ["no output"])[-1]
        sys.stderr.write(f"# failed: {' '.join(cmd[:4])}...: {err}\n")
        return None
    return json.loads(lines[-1])


def longembed(build, model, texts, tokens, threads, precision, extend=None, runs=None, warmup=None):
    cmd = [os.path.join(build, "bench", "bench_embed"), "-m", model, "--texts", str(texts), "--tokens",
           str(tokens), "--threads", str(threads), "--precision", precision,
           "--source", os.path.join(ROOT, "samples", "history-of-bread.txt")]
    if extend:
        cmd += ["--extend", extend]
    if runs:
        cmd += ["--runs", str(runs)]
    if warmup is not None:
        cmd += ["--warmup", str(warmup)]
    return run_json(cmd)


def peer(model_dir, texts, tokens, threads, impl, dtype="fp32"):
    return run_json([sys.executable, os.path.join(HERE, "torch_bench.py"), "--_child", "--impl", impl,
                     "--dtype", dtype, "--threads", str(threads), "--texts", str(texts), "--tokens",
                     str(tokens), "--batch-size", str(texts), "--runs", "5", "--warmup", "2",
                     "--model-dir", model_dir, "--onnx-dir", os.path.join(ROOT, "build", "bench-onnx")],
                    env=dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
                             OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads)))


def fmt(x, key="tokens_per_s", digits=0):
    if not x or x.get(key) is None:
        return "-"
    return f"{x[key]:,.{digits}f}"


def table_short(args, models):
    print("| model | texts x tokens | longembed fp32 | longembed bf16 | longembed int8 | PyTorch fp32 "
          "| PyTorch bf16 | ORT fp32 | ORT int8 | best longembed / best peer |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, model, model_dir in models:
        for texts, tokens in [(32, 128), (8, 512)]:
            le = [longembed(args.build, model, texts, tokens, args.threads, p) for p in ("fp32", "bf16", "int8")]
            pe = [peer(model_dir, texts, tokens, args.threads, "transformers", "fp32"),
                  peer(model_dir, texts, tokens, args.threads, "transformers", "bf16"),
                  peer(model_dir, texts, tokens, args.threads, "ort-fp32"),
                  peer(model_dir, texts, tokens, args.threads, "ort-int8")]
            best_le = max([x["tokens_per_s"] for x in le if x] or [0])
            best_pe = max([x["tokens_per_s"] for x in pe if x] or [0])
            ratio = f"{best_le / best_pe:.2f}x" if best_pe else "-"
            cells = " | ".join(fmt(x) for x in le + pe)
            print(f"| {name} | {texts} x {tokens} | {cells} | {ratio} |", flush=True)


def long_peer(model_dir, tokens, threads, dtype):
    runs = "1" if tokens >= 32768 else "2"
    return run_json([sys.executable, os.path.join(HERE, "torch_long_bench.py"), "--model-dir", model_dir,
                     "--tokens", str(tokens), "--eager-at", "--threads", str(threads), "--dtype", dtype,
                     "--warmup", "0" if tokens >= 32768 else "1", "--runs", runs])


def table_long(args):
    print("\n| tokens (BERT-base shape, pi) | longembed fp32 s | longembed bf16 s | longembed int8 s "
          "| longembed peak RSS MB | PyTorch fp32 s | PyTorch bf16 s | PyTorch peak RSS MB "
          "| best longembed / best peer |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for L in args.long:
        runs, warmup = (1, 0) if L >= 32768 else (2, 1)  # as long_peer's
        le = [longembed(args.build, BERT_BASE, 1, L, args.threads, p, "pi", runs, warmup)
              for p in ("fp32", "bf16", "int8")]
        pe = [long_peer(BERT_BASE, L, args.threads, d) for d in ("fp32", "bf16")]
        pe = [x if x and x.get("status") == "ok" else None for x in pe]
        best_le = min([x["seconds"] for x in le if x] or [0])
        best_pe = min([x["seconds"] for x in pe if x] or [0])
        ratio = f"{best_pe / best_le:.2f}x" if best_le and best_pe else "-"
        rss_le = max([x["peak_rss_mb"] for x in le if x] or [0])
        rss_pe = max([x["peak_rss_mb"] for x in pe if x] or [0])
        cells = " | ".join(fmt(x, "seconds", 2) for x in le)
        pcells = " | ".join(fmt(x, "seconds", 2) for x in pe)
        print(f"| {L} | {cells} | {rss_le:,.0f} | {pcells} | {rss_pe:,.0f} | {ratio} |", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--long", default="2048,8192,32768", help="document lengths of table 2 ('' skips it)")
    ap.add_argument("--quick", action="store_true", help="MiniLM only, no table 2")
    ap.add_argument("--short-models", default="minilm,bert-base",
                    help="models of table 1: minilm, bert-base ('' skips table 1)")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    ensure_venv(args.build)
    args.long = [int(x) for x in args.long.split(",") if x] if not args.quick else []
    minilm = os.path.expanduser("~/.cache/longembed/models/minilm")
    if not os.path.isdir(BERT_BASE) and not args.quick:
        subprocess.check_call([sys.executable, os.path.join(ROOT, "tools", "make_bench_models.py")],
                              env=dict(os.environ, HF_HUB_OFFLINE="1"))
    wanted = [m for m in args.short_models.split(",") if m]
    unknown = set(wanted) - {"minilm", "bert-base"}
    if unknown:
        ap.error(f"--short-models: unknown {', '.join(sorted(unknown))} (minilm, bert-base)")
    models = [("all-MiniLM-L6-v2", "minilm", minilm)] if "minilm" in wanted else []
    if "bert-base" in wanted and not args.quick:
        models.append(("BERT-base shape", BERT_BASE, BERT_BASE))
    print(f"CPU: {cpu_line()}; {args.threads} threads; longembed: {args.build}")
    if models:
        table_short(args, models)
    if args.long:
        table_long(args)


if __name__ == "__main__":
    main()
