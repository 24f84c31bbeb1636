#!/usr/bin/env python3
"""PyTorch side of the speed comparison for the default model (all-MiniLM-L6-v2).

    python3 bench/torch_bench.py --threads 1 --texts 32 --tokens 128
    python3 bench/torch_bench.py --threads 2 --texts 8 --tokens 512

Builds --texts distinct texts cut from the haystack essays, each exactly --tokens
tokens long *including* [CLS] and [SEP] (so --tokens 512 is the model's maximum),
counted with the model's own tokenizer (tokenizer.json, truncation/padding off).

Prints two JSON lines, one per implementation, each measured in its own fresh
Python process (so peak RSS is that implementation's alone):

    {"engine": "pytorch", "impl": "transformers", ...}          AutoModel fp32 forward + mean pooling + L2 norm
    {"engine": "pytorch", "impl": "sentence-transformers", ...} SentenceTransformer.encode

Fields: threads, texts, tokens_per_text, seconds (median wall time of one pass over
all texts, text in -> normalised embeddings out, tokenization included), tokens_per_s
(texts * tokens_per_text / seconds), peak_rss_mb (ru_maxrss of the process), runs,
import_rss_mb (ru_maxrss after importing torch + the library, before loading the model;
this CUDA build of torch costs several hundred MB just to import).
torch.set_num_threads(N) (and OMP/MKL thread variables) under torch.inference_mode();
--warmup passes first, then the median of --runs (>= 5) passes.  All texts go in one
batch (--batch-size, default = --texts); equal lengths mean no padding.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODEL = os.path.expanduser("~/.cache/longembed/models/minilm")


def build_texts(tokenizer_json, n_texts, n_tokens):
    sys.path.insert(0, os.path.join(HERE, "..", "tools"))
    import fixture_texts as FT
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(tokenizer_json)
    tok.no_truncation()
    tok.no_padding()
    words = FT.essay_words()

    def count(ws):
        return len(tok.encode(" ".join(ws)).ids)

    texts, start = [], 0
    while len(texts) < n_texts:
        # grow a word window until it reaches n_tokens; keep it only if it hits exactly
        w = max(1, (n_tokens - 2) // 2)
        while count(words[start:start + w]) >= n_tokens and w > 1:
            w -= 1
        while count(words[start:start + w]) < n_tokens:
            w += 1
        if count(words[start:start + w]) == n_tokens:
            texts.append(" ".join(words[start:start + w]))
            start += w  # next text starts after this one: all texts differ
        else:
            start += 1
        if start + 4 * n_tokens > len(words):
            raise SystemExit("essays too short for the requested texts")
    return texts


def onnx_files(args):
    """model.onnx (fp32, exported once) and model.int8.onnx (dynamic int8, per-channel) for the model."""
    import torch
    from transformers import AutoModel
    out = os.path.join(args.onnx_dir, os.path.basename(os.path.normpath(args.model_dir)))
    fp32, int8 = os.path.join(out, "model.onnx"), os.path.join(out, "model.int8.onnx")
    if not os.path.exists(fp32):
        os.makedirs(out, exist_ok=True)
        model = AutoModel.from_pretrained(args.model_dir, dtype=torch.float32).eval()

        class Wrap(torch.nn.Module):  # keyword arguments, whatever forward's positional order
            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.m(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state
        model = Wrap(model).eval()
        ids = torch.ones(2, 16, dtype=torch.long)
        axes = {0: "batch", 1: "tokens"}
        torch.onnx.export(model, (ids, ids, torch.zeros_like(ids)), fp32, dynamo=False,
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"], opset_version=17,
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                        "last_hidden_state": axes})
    if not os.path.exists(int8):
        from onnxruntime.quantization import QuantType, quantize_dynamic
        quantize_dynamic(fp32, int8, per_channel=True, weight_type=QuantType.QInt8)
    return fp32, int8


def ort_runner(args, texts):
    """ONNX Runtime: tokenize, run, mean-pool and normalise in numpy, like the transformers path."""
    import numpy as np
    import onnxruntime as ort
    from transformers import AutoTokenizer
    fp32, int8 = onnx_files(args)
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(int8 if args.impl == "ort-int8" else fp32, so, providers=["CPUExecutionProvider"])
    tok = AutoTokenizer.from_pretrained(args.model_dir)

    def run():
        out = []
        for i in range(0, len(texts), args.batch_size):
            enc = tok(texts[i:i + args.batch_size], padding=True, truncation=False, return_tensors="np")
            feed = {"input_ids": enc["input_ids"].astype(np.int64),
                    "attention_mask": enc["attention_mask"].astype(np.int64),
                    "token_type_ids": np.zeros_like(enc["input_ids"], dtype=np.int64)}
            h = sess.run(None, feed)[0]
            m = feed["attention_mask"][..., None].astype(np.float32)
            v = (h * m).sum(1) / np.maximum(m.sum(1), 1e-9)
            out.append(v / np.linalg.norm(v, axis=-1, keepdims=True))
        return np.concatenate(out)
    return run, ort.__version__


def child(args):
    import resource
    import statistics

    import torch
    torch.set_num_threads(args.threads)
    texts = build_texts(os.path.join(args.model_dir, "tokenizer.json"), args.texts, args.tokens)
    engine_version = None
    if args.impl == "transformers":
        import transformers  # noqa: F401
    else:
        import sentence_transformers  # noqa: F401
    base_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    if args.impl in ("ort-fp32", "ort-int8"):
        run, engine_version = ort_runner(args, texts)
    elif args.impl == "transformers":
        from transformers import AutoModel, AutoTokenizer
        tok = AutoTokenizer.from_pretrained(args.model_dir)
        dtype = torch.bfloat16 if args.dtype == "bf16" else torch.float32
        model = AutoModel.from_pretrained(args.model_dir, dtype=dtype).eval()

        def run():
            out = []
            for i in range(0, len(texts), args.batch_size):
                enc = tok(texts[i:i + args.batch_size], padding=True, truncation=False, return_tensors="pt")
                assert enc["input_ids"].shape[1] == args.tokens
                h = model(**enc).last_hidden_state
                m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
                v = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(v.float(), dim=-1))
            return torch.cat(out)
    else:
        from sentence_transformers import SentenceTransformer
        model = SentenceTransformer(args.model_dir, device="cpu")
        model.max_seq_length = 512

        def run():
            return model.encode(texts, batch_size=args.batch_size, convert_to_numpy=True,
                                show_progress_bar=False)

    times = []
    with torch.inference_mode():
        for _ in range(args.warmup):
            run()
        for _ in range(args.runs):
            t0 = time.perf_counter()
            e = run()
            times.append(time.perf_counter() - t0)
    assert e.shape[0] == args.texts
    sec = statistics.median(times)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB
    print(json.dumps({
        "engine": "onnxruntime" if args.impl.startswith("ort") else "pytorch",
        "impl": args.impl, "dtype": args.dtype if args.impl == "transformers" else args.impl[4:] if args.impl.startswith("ort") else "fp32", "model": os.path.basename(os.path.normpath(args.model_dir)),
        "threads": args.threads, "texts": args.texts,
        "tokens_per_text": args.tokens, "seconds": round(sec, 6),
        "tokens_per_s": round(args.texts * args.tokens / sec, 1), "peak_rss_mb": round(rss_mb, 1),
        "import_rss_mb": round(base_rss_mb, 1),
        "runs": args.runs, "torch": torch.__version__,
        "onnxruntime": engine_version if args.impl.startswith("ort") else None,
    }), flush=True)


def main():
    ap = argparse.ArgumentParser(description="PyTorch baseline for the longembed speed comparison")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--texts", type=int, default=32)
    ap.add_argument("--tokens", type=int, default=128, help="tokens per text incl. [CLS]/[SEP] (<= 512)")
    ap.add_argument("--batch-size", type=int, default=0, help="default: all texts in one batch")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--model-dir", default=DEFAULT_MODEL)
    ap.add_argument("--impl", choices=["transformers", "sentence-transformers", "both", "ort-fp32", "ort-int8"],
                    default="both", help="ort-*: ONNX Runtime on the model exported by torch.onnx (int8: "
                    "dynamic quantization, per-channel int8 weights), cached under --onnx-dir")
    ap.add_argument("--dtype", choices=["fp32", "bf16"], default="fp32", help="transformers: the model's dtype")
    ap.add_argument("--onnx-dir", default=os.path.join(HERE, "..", "build", "bench-onnx"))
    ap.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not 3 <= args.tokens <= 512:
        ap.error("--tokens must be in 3..512")
    if args.runs < 5:
        ap.error("--runs must be >= 5")
    if args.batch_size <= 0:
        args.batch_size = args.texts

    if args._child:
        child(args)
        return
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    impls = ["transformers", "sentence-transformers"] if args.impl == "both" else [args.impl]
    rc = 0
    for impl in impls:
        cmd = [sys.executable, os.path.abspath(__file__), "--_child", "--impl", impl,
               "--threads", str(args.threads), "--texts", str(args.texts), "--tokens", str(args.tokens),
               "--batch-size", str(args.batch_size), "--runs", str(args.runs), "--warmup", str(args.warmup),
               "--model-dir", args.model_dir, "--dtype", args.dtype, "--onnx-dir", args.onnx_dir]
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
        if p.returncode != 0 or not lines:
            sys.stderr.write(p.stderr)
            rc = 1
            continue
        print(lines[-1], flush=True)
    sys.exit(rc)


if __name__ == "__main__":
    main()
