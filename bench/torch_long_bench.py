#!/usr/bin/env python3
"""PyTorch side of the long-input benchmark: one long document through transformers'
BertModel with PI-style positions.

    python3 bench/torch_long_bench.py                                  # minilm + bert-base-random
    python3 bench/torch_long_bench.py --model-dir DIR [--model-dir DIR2 ...]
        [--tokens 512 2048 8192 32768] [--eager-at 8192] [--threads 2]
        [--warmup 1] [--runs 3] [--rlimit-gib 20] [--timeout 10800] [--out results.jsonl]

Default models: ~/.cache/longembed/models/minilm (all-MiniLM-L6-v2) and
/tmp/longembed-bench-models/bert-base-random (tools/make_bench_models.py; skipped with a
note if absent).

For every (model, L, attention implementation) a FRESH Python process is started (this
script with --child), so import costs, caches and peak RSS are that configuration's alone.
Each child:
  * sets RLIMIT_AS (address space) to --rlimit-gib GiB before importing torch (the machine
    has 24 GiB and no swap): an allocation past it fails inside the process and is reported
    as status "oom" instead of the kernel OOM-killing something;
  * torch.set_num_threads(--threads) (and OMP/MKL_NUM_THREADS);
  * loads BertModel fp32 with attn_implementation "sdpa" (transformers' default) or "eager";
  * builds one document of exactly L tokens: [CLS] + the first L-2 ids of the tokenized
    haystack essays (the model's tokenizer.json, no truncation) + [SEP];
  * PI positions as in the engine (tools/make_extend_fixtures.py): s = ceil(L/512), token t
    at t/s, rows linearly interpolated from the 512-row table (clamped past the last
    anchor), swapped in as an explicit L-row position table with position_ids = arange(L);
    token_type_ids = 0; log-length attention scaling max(1, ln L / ln 512) folded into every
    layer's query weight and bias (done once, before timing: it is free at run time);
  * timed region = build the L-row table + forward + pooling (the model's own: mean or CLS)
    + L2 normalisation, under torch.inference_mode(); --warmup untimed passes, then the
    median of --runs passes.
Output: one JSON line per configuration on stdout:
  {"engine": "pytorch", "model", "tokens", "attn", "threads", "seconds", "peak_rss_mb",
   "status": "ok" | "oom" | "error: ...", "runs", "load_rss_mb", "all_seconds", "cpu_seconds", "loadavg_1m"}
seconds = median wall time of one pass (null unless ok); peak_rss_mb = ru_maxrss of the
child (also for failed runs, when the child could still report it); load_rss_mb = ru_maxrss
after loading the model, before the first pass.  A child killed by a signal (e.g. the
kernel OOM killer, SIGKILL) is reported as "oom" (SIGKILL) or "error: signal N".
cpu_seconds = median CPU time (all threads of the process) of one pass: less sensitive to
other load on the machine than wall time; about threads x seconds on an idle machine.
loadavg_1m = the 1-minute load average when the child started and when it finished: the
numbers only mean something when nothing else runs on the machine (check it).
"""

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODELS = [os.path.expanduser("~/.cache/longembed/models/minilm"),
                  "/tmp/longembed-bench-models/bert-base-random"]
LO = 512


def model_name(d):
    return os.path.basename(os.path.normpath(d))


# ---------------------------------------------------------------------------
# child: one configuration
# ---------------------------------------------------------------------------

def child(args):
    import resource
    lim = int(args.rlimit_gib * (1 << 30))
    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    load0 = round(os.getloadavg()[0], 2)
    rec = {"engine": "pytorch", "model": model_name(args.model_dir), "tokens": args.tokens,
           "attn": args.attn, "threads": args.threads, "seconds": None, "peak_rss_mb": None,
           "status": "ok", "runs": args.runs, "load_rss_mb": None}

    def rss():
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)  # KiB on Linux

    try:
        import statistics

        import torch
        torch.set_num_threads(args.threads)
        from tokenizers import Tokenizer
        from transformers import BertModel
        sys.path.insert(0, os.path.join(HERE, "..", "tools"))
        import fixture_texts as FT

        L = args.tokens
        tok = Tokenizer.from_file(os.path.join(args.model_dir, "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        if args.ids_json:   # content ids from a file (used to cross-check against the fixtures)
            with open(args.ids_json, encoding="utf-8") as f:
                hay = json.load(f)
        else:
            hay = tok.encode(FT.essay_text(), add_special_tokens=False).ids
        if len(hay) < L - 2:
            raise RuntimeError(f"haystack has only {len(hay)} tokens")
        ids = torch.tensor([[tok.token_to_id("[CLS]")] + hay[:L - 2] + [tok.token_to_id("[SEP]")]])
        del hay
        with open(os.path.join(args.model_dir, "1_Pooling", "config.json"), encoding="utf-8") as f:
            pooling = "cls" if json.load(f).get("pooling_mode_cls_token") else "mean"

        model = BertModel.from_pretrained(args.model_dir, dtype=torch.float32,
                                          attn_implementation=args.attn).eval()
        if args.dtype == "bf16":  # after the fp32 load: the table interpolation stays in fp32
            model = model.to(torch.bfloat16)
        E = model.embeddings.position_embeddings.weight.detach().clone()
        lo = E.shape[0]
        a = max(1.0, math.log(L) / math.log(lo))
        if a > 1.0:
            with torch.no_grad():
                for layer in model.encoder.layer:
                    layer.attention.self.query.weight.mul_(a)
                    layer.attention.self.query.bias.mul_(a)
        emb = model.embeddings
        s = 1 if L <= lo else -(-L // lo)
        t = torch.arange(L)
        i = t // s
        f = ((t - i * s).to(torch.float32) / float(s))
        past = i >= lo - 1
        i = torch.where(past, torch.full_like(i, lo - 1), i)
        f = torch.where(past, torch.zeros_like(f), f)[:, None]
        i1 = torch.clamp(i + 1, max=lo - 1)
        tti = torch.zeros_like(ids)
        mask = torch.ones_like(ids)
        pos_ids = torch.arange(L)[None]

        def run():
            table = ((1 - f) * E[i].float() + f * E[i1].float()).to(E.dtype)
            emb.position_embeddings = torch.nn.Embedding.from_pretrained(table, freeze=True)
            h = model(input_ids=ids, attention_mask=mask, token_type_ids=tti,
                      position_ids=pos_ids).last_hidden_state[0]
            v = h[0] if pooling == "cls" else h.mean(0)
            return torch.nn.functional.normalize(v.float(), dim=0)

        rec["load_rss_mb"] = rss()
        times, cpu = [], []
        with torch.inference_mode():
            for _ in range(args.warmup):
                run()
            for _ in range(args.runs):
                c0 = time.process_time()
                t0 = time.perf_counter()
                v = run()
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
        assert torch.isfinite(v).all()
        rec["seconds"] = round(statistics.median(times), 4)
        rec["all_seconds"] = [round(x, 4) for x in times]
        rec["cpu_seconds"] = round(statistics.median(cpu), 4)
        if args.print_vector:
            rec["vector"] = [float(x) for x in v]
    except MemoryError:
        rec["status"] = "oom"
    except Exception as e:  # noqa: BLE001
        msg = f"{type(e).__name__}: {e}".replace("\n", " ")
        low = msg.lower()
        if "memory" in low or "alloc" in low or "bad_alloc" in low:
            rec["status"] = "oom"
            rec["detail"] = msg[:200]
        else:
            rec["status"] = "error: " + msg[:300]
    rec["peak_rss_mb"] = rss()
    rec["loadavg_1m"] = [load0, round(os.getloadavg()[0], 2)]
    print(json.dumps(rec), flush=True)


# ---------------------------------------------------------------------------
# parent: one fresh process per configuration
# ---------------------------------------------------------------------------

def run_config(args, model_dir, L, attn):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", "--model-dir", model_dir, "--tokens", str(L),
           "--attn", attn, "--dtype", args.dtype, "--threads", str(args.threads), "--warmup", str(args.warmup), "--runs", str(args.runs),
           "--rlimit-gib", str(args.rlimit_gib)]
    env = dict(os.environ)
    env.update({"OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads),
                "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"})
    base = {"engine": "pytorch", "model": model_name(model_dir), "tokens": L, "attn": attn, "dtype": args.dtype,
            "threads": args.threads, "seconds": None, "peak_rss_mb": None, "runs": args.runs}
    try:
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return dict(base, status=f"error: timeout after {args.timeout} s")
    lines = [x for x in p.stdout.splitlines() if x.startswith("{")]
    if p.returncode == 0 and lines:
        return json.loads(lines[-1])
    if p.returncode < 0:
        sig = -p.returncode
        st = "oom" if sig == signal.SIGKILL else f"error: signal {sig}"
        return dict(base, status=st, detail=f"child killed by signal {sig}")
    err = (p.stderr.strip().splitlines() or ["?"])[-1]
    return dict(base, status=f"error: exit {p.returncode}: {err[:300]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-dir", action="append", help="model directory (repeatable)")
    ap.add_argument("--tokens", type=int, nargs="*", default=[512, 2048, 8192, 32768])
    ap.add_argument("--eager-at", type=int, nargs="*", default=[8192],
                    help="also run attn_implementation=eager at these lengths")
    ap.add_argument("--attn", default="sdpa", choices=["sdpa", "eager"], help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dtype", default="fp32", choices=["fp32", "bf16"], help="the model's weights and activations")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rlimit-gib", type=float, default=20.0)
    ap.add_argument("--timeout", type=float, default=10800.0, help="seconds per configuration")
    ap.add_argument("--out", help="also append the JSON lines to this file")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--ids-json", help=argparse.SUPPRESS)
    ap.add_argument("--print-vector", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        args.model_dir = args.model_dir[0]
        args.tokens = args.tokens[0]
        child(args)
        return
    models = args.model_dir or DEFAULT_MODELS
    for d in models:
        if not os.path.isdir(d):
            print(f"# skipping {d}: not found (tools/make_bench_models.py writes bert-base-random)",
                  file=sys.stderr)
            continue
        configs = [(L, "sdpa") for L in args.tokens] + [(L, "eager") for L in args.eager_at]
        for L, attn in configs:
            rec = run_config(args, d, L, attn)
            line = json.dumps(rec)
            print(line, flush=True)
            if args.out:
                with open(args.out, "a", encoding="utf-8") as f:
                    f.write(line + "\n")


if __name__ == "__main__":
    main()
