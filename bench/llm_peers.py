#!/usr/bin/env python3
"""The decoder beside llama.cpp on the same GGUF, the same threads, one run (issue 17).

    python3 bench/llm_peers.py [--build build] [--model smollm2|PATH.gguf] [--threads 2]
                               [--prompt 512] [--gen 128] [--repeat 3]
                               [--precisions q8,exact]

Prints one Markdown table (tokens/s, higher is better; the median of --repeat runs):
prompt processing of --prompt tokens in one batch (pp) and generation of --gen tokens one
at a time after it (tg), longembed (build/bench/bench_llm, each --precisions entry:
q8 rounds activations per block as ggml does, exact keeps them fp32) beside llama.cpp's
own llama-bench. The CPU model and its vector features are printed with it.

llama.cpp comes from PyPI: the source distribution of llama-cpp-python (which vendors
llama.cpp) is downloaded once with pip and llama-bench is built from it with CMake
(-DGGML_NATIVE=ON, the CPU backend only) under ~/.cache/longembed/bench/llamacpp.
The first run therefore takes ~15 minutes of compiling. Not part of `make test`.
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from peers import cpu_line  # noqa: E402

LLAMA_CPP_PYTHON = "llama-cpp-python==0.3.36"
CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")),
                     "longembed")


def nice():
    return ["nice", "-n", "-19"] if os.geteuid() == 0 else []


def llama_bench_binary():
    """Path of llama-bench, built from llama-cpp-python's sdist on first use."""
    root = os.path.join(CACHE, "bench", "llamacpp")
    found = glob.glob(os.path.join(root, "*", "vendor", "llama.cpp", "build", "bin",
                                   "llama-bench"))
    if found:
        return found[0]
    os.makedirs(root, exist_ok=True)
    subprocess.check_call([sys.executable, "-m", "pip", "download", "--no-deps",
                           "--no-binary", ":all:", "-d", root, LLAMA_CPP_PYTHON])
    tar = sorted(glob.glob(os.path.join(root, "llama_cpp_python-*.tar.gz")))[-1]
    subprocess.check_call(["tar", "xzf", tar, "-C", root])
    src = glob.glob(os.path.join(root, "llama_cpp_python-*", "vendor", "llama.cpp"))[0]
    subprocess.check_call(["cmake", "-S", src, "-B", os.path.join(src, "build"),
                           "-DCMAKE_BUILD_TYPE=Release", "-DGGML_NATIVE=ON", "-DLLAMA_CURL=OFF",
                           "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF",
                           "-DLLAMA_BUILD_SERVER=OFF"])
    subprocess.check_call(["cmake", "--build", os.path.join(src, "build"), "-j2",
                           "--target", "llama-bench"])
    return os.path.join(src, "build", "bin", "llama-bench")


def resolve_model(build, model):
    """A GGUF path: the argument itself, or the alias fetched into the cache."""
    if os.path.isfile(model):
        return model
    out = subprocess.run([os.path.join(build, "longembed"), "fetch-model", model],
                         capture_output=True, text=True, check=True).stdout.strip()
    found = glob.glob(os.path.join(out.splitlines()[-1], "*.gguf"))
    if not found:
        sys.exit(f"llm_peers: no .gguf in {out!r}")
    return found[0]


def run_llama_cpp(binary, gguf, a):
    """(pp, tg) tokens/s of llama-bench: its own average over --repeat runs."""
    cmd = nice() + [binary, "-m", gguf, "-t", str(a.threads), "-p", str(a.prompt),
                    "-n", str(a.gen), "-r", str(a.repeat), "-o", "json"]
    rows = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    pp = next(r["avg_ts"] for r in rows if r["n_prompt"] == a.prompt and r["n_gen"] == 0)
    tg = next(r["avg_ts"] for r in rows if r["n_gen"] == a.gen and r["n_prompt"] == 0)
    return pp, tg, rows[0].get("build_commit", "?")


def run_longembed(build, gguf, a, precision):
    """(pp, tg) tokens/s of bench_llm: the median of --repeat fresh processes."""
    pps, tgs = [], []
    for _ in range(a.repeat):
        cmd = nice() + [os.path.join(build, "bench", "bench_llm"), "--model", gguf,
                        "--threads", str(a.threads), "--prompt", str(a.prompt),
                        "--gen", str(a.gen), "--precision", precision, "--repeat", "1",
                        "--json"]
        r = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        pps.append(r["pp_tokens_per_s"])
        tgs.append(r["tg_tokens_per_s"])
    return statistics.median(pps), statistics.median(tgs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompt", type=int, default=512)
    ap.add_argument("--gen", type=int, default=128)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--precisions", default="q8,exact")
    a = ap.parse_args()
    gguf = resolve_model(a.build, a.model)
    binary = llama_bench_binary()
    ours = [(p, *run_longembed(a.build, gguf, a, p)) for p in a.precisions.split(",")]
    cpp_pp, cpp_tg, commit = run_llama_cpp(binary, gguf, a)
    print(f"CPU: {cpu_line()}; {a.threads} threads; model {os.path.basename(gguf)}; "
          f"llama.cpp {commit} ({LLAMA_CPP_PYTHON} sdist, GGML_NATIVE)\n")
    print(f"| engine | pp{a.prompt} tokens/s | tg{a.gen} tokens/s |")
    print("|---|---:|---:|")
    print(f"| llama.cpp | {cpp_pp:,.1f} | {cpp_tg:,.1f} |")
    for p, pp, tg in ours:
        print(f"| longembed --precision {p} | {pp:,.1f} ({pp / cpp_pp:.2f}x) "
              f"| {tg:,.1f} ({tg / cpp_tg:.2f}x) |")


if __name__ == "__main__":
    main()
