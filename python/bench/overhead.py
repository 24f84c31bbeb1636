"""The Python binding's call overhead: 10,000 one-word texts encoded in
batches of 32 through longembed.Model.encode, against the C benchmark
(bench/bench_embed) embedding 32 texts of one word (3 tokens with [CLS] and
[SEP]) per call, on the same model and thread count. Rounds alternate the
two so that a machine whose load changes treats both alike.

    python python/bench/overhead.py BUILD_DIR [--model minilm] [--threads 1] [--rounds 5]

Run it on an idle machine: it prints the texts/s of both and the ratio.
"""
import argparse
import json
import statistics
import subprocess
import time

import longembed


def one_token_words(model, n):
    """n texts of one word each that the tokenizer keeps as one token."""
    words, i = [], 1000
    while len(words) < n:
        p = model.token_piece(i)
        i += 1
        if p and p.isalpha() and p.isascii() and len(model.tokenize(p)) == 3:
            words.append(p)
        if i > model.info()["vocab_size"]:
            i = 1000  # fewer distinct words than n: repeat them
            words = words * 2
    return words[:n]


def python_round(model, texts, batch):
    """(texts/s of encode(texts, batch_size), median s of one encode(32 texts) call)"""
    t0 = time.perf_counter()
    model.encode(texts, batch_size=batch)
    whole = len(texts) / (time.perf_counter() - t0)
    per = []
    for i in range(0, len(texts), batch):
        t = time.perf_counter()
        model.encode(texts[i:i + batch])
        per.append(time.perf_counter() - t)
    return whole, statistics.median(per)


def c_round(build, model, threads, batch, runs):
    """the C bench's median seconds for one call of `batch` one-word texts"""
    out = subprocess.run([f"{build}/bench/bench_embed", "-m", model, "--texts", str(batch),
                          "--tokens", "3", "--threads", str(threads), "--runs", str(runs)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["seconds"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--model", default="minilm")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--texts", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=32)
    a = ap.parse_args()
    m = longembed.Model(a.model, threads=a.threads)
    texts = one_token_words(m, a.texts)
    m.encode(texts[:a.batch])  # warm up
    py_whole, py_call, c_call = [], [], []
    for _ in range(a.rounds):
        c_call.append(c_round(a.build, a.model, a.threads, a.batch, a.texts // a.batch))
        w, p = python_round(m, texts, a.batch)
        py_whole.append(w)
        py_call.append(p)
    c_rate = a.batch / statistics.median(c_call)
    py_call_rate = a.batch / statistics.median(py_call)
    py_whole_rate = statistics.median(py_whole)
    print(f"model {a.model}, {a.threads} thread(s), {a.texts} one-word texts, batches of "
          f"{a.batch}, median of {a.rounds} rounds")
    print(f"C bench_embed (one call of {a.batch}):        {c_rate:9.0f} texts/s")
    print(f"Python encode(batch) per call of {a.batch}:     {py_call_rate:9.0f} texts/s "
          f"({py_call_rate / c_rate:.3f} of C)")
    print(f"Python encode(all, batch_size={a.batch}):      {py_whole_rate:9.0f} texts/s "
          f"({py_whole_rate / c_rate:.3f} of C)")


if __name__ == "__main__":
    main()
