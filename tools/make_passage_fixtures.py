#!/usr/bin/env python3
"""Late-chunking parity fixtures (issue 11): the PyTorch reference of passage vectors
pooled from the token states of a whole document, for a learned-table BERT (random and
real) and a random RoPE encoder, with the training-free extension methods.

Usage (from the repository root; needs torch, transformers, tokenizers, safetensors,
numpy; no network; the fixtures of make_fixtures.py / make_rope_fixtures.py must exist):

    HF_HUB_OFFLINE=1 python3 tools/make_passage_fixtures.py
        [--minilm-dir ~/.cache/longembed/models/minilm] [--fixtures tests/fixtures]

What it writes: tests/fixtures/passages/cases.json
    {"cases": [{"name", "model", "extend", "max_tokens", "ids", "spans", "expected"}]}
    model     "minilm" (the default model, real weights) or a fixture directory name
    ids       the document's content ids (no [CLS]/[SEP])
    spans     passages as [start, end) content-token ranges, in order (they may overlap)
    expected  one float32 vector per span

Reference semantics (the engine's late chunking, docs/retrieval.md):
  * Windows: the spans are packed greedily, in order, into forward windows: a window
    starts at the first span not yet placed and takes the following spans while
    (last end - first start) + 2 <= max_tokens. The window is [CLS] + ids[first start :
    last end] + [SEP], run alone with the extension method planned for its own length L
    (s = ceil(L / 512); for RoPE cases max_tokens equals L, so target and length agree).
  * Each span's vector is the mean of the final token states of its tokens in its window
    (content tokens only: the specials are not pooled; a CLS-pooling model pools passages
    by mean too), then L2-normalised.
  * The forward passes are those of make_extend_fixtures.py (transformers' BertModel with
    an explicit position table: none, gp, pi; the log attention scaling past the window)
    and make_rope_fixtures.py (the e5rope re-implementation: ntk, selfextend).
"""

import argparse
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import make_extend_fixtures as XF  # noqa: E402  (BERT reference with position tables)
import make_rope_fixtures as RF  # noqa: E402  (RoPE re-implementations)

# name, model, extend, content tokens, max_tokens (0: the window), passage size, overlap
CASES = [
    ("bert_none_400", "bert-cased-tiny", "none", 400, 0, 128, 0),
    ("bert_pi_1500", "bert-cased-tiny", "pi", 1498, 1500, 200, 30),
    ("bert_gp_1500", "bert-cased-tiny", "gp", 1498, 1500, 300, 0),
    ("bert_pi_windows", "bert-cased-tiny", "pi", 2998, 1024, 250, 50),
    ("minilm_pi_2048", "minilm", "pi", 2046, 2048, 254, 0),
    ("e5rope_ntk_1000", "e5rope-tiny", "ntk", 998, 1000, 100, 10),
    ("e5rope_selfextend_4096", "e5rope-tiny", "selfextend", 4094, 4096, 510, 64),
]


def plan_spans(n, size, overlap):
    """Balanced passages of at most size tokens over n tokens (every token a unit),
    consecutive ones sharing overlap tokens: the engine's rule with single-token units."""
    out, a = [], 0
    while True:
        left = n - a
        if left <= size:
            out.append((a, n))
            return out
        step = size - overlap
        count = -(-(left - overlap) // step)
        want = -(-(left - overlap) // count) + overlap
        out.append((a, a + want))
        a = a + want - overlap


def windows(spans, max_tokens):
    """Greedy packing of spans into windows of at most max_tokens (2 specials)."""
    out, i = [], 0
    while i < len(spans):
        j = i + 1
        while j < len(spans) and spans[j][1] - spans[i][0] + 2 <= max_tokens:
            j += 1
        out.append((i, j))
        i = j
    return out


class Bert:
    def __init__(self, model_dir):
        self.ref = XF.Reference(model_dir)
        from tokenizers import Tokenizer
        tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
        self.cls, self.sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
        self.tok = tok

    def content(self, n):
        ids, _, _ = XF.haystack_ids(os.path.join(self.ref.dir, "tokenizer.json"))
        return ids[:n]

    def hidden(self, content, method):
        ids = [self.cls] + list(content) + [self.sep]
        L = len(ids)
        table = XF.position_table(self.ref.E, L, method if L > XF.LO else "none")
        return self.ref.hidden(ids, table, XF.attn_factor(L, True))


class Rope:
    def __init__(self, name, fixtures):
        from safetensors.torch import load_file
        self.name = name
        d = os.path.join(fixtures, name)
        with open(os.path.join(d, "config.json"), encoding="utf-8") as f:
            self.cfg = json.load(f)
        self.sd = load_file(os.path.join(d, "model.safetensors"))

    def content(self, n):
        return RF.content_ids(n)

    def hidden(self, content, method):
        ids = [RF.CLS] + list(content) + [RF.SEP]
        plan = RF.plan_for(method, len(ids), {"extend": method})
        return RF.forward(self.name, self.cfg, self.sd, ids, plan, torch.float32)


def run_case(model, content, extend, max_tokens, spans):
    limit = max_tokens or XF.LO
    vecs = []
    for i, j in windows(spans, limit):
        a0, b0 = spans[i][0], spans[j - 1][1]
        h = model.hidden(content[a0:b0], extend)
        for a, b in spans[i:j]:
            v = h[1 + a - a0: 1 + b - a0].mean(0)
            vecs.append(torch.nn.functional.normalize(v, dim=0).numpy().astype(np.float32))
    return vecs


def vec_json(v):
    return "[" + ", ".join(RF.f32s(x) for x in v) + "]"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixtures", default=os.path.join(ROOT, "tests", "fixtures"))
    ap.add_argument("--minilm-dir", default=os.path.expanduser("~/.cache/longembed/models/minilm"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    models = {}
    rows = []
    for name, mname, extend, n, max_tokens, size, overlap in CASES:
        if mname not in models:
            models[mname] = (Bert(a.minilm_dir) if mname == "minilm" else
                             Bert(os.path.join(a.fixtures, mname)) if mname.startswith("bert") else
                             Rope(mname, a.fixtures))
        model = models[mname]
        content = model.content(n)
        assert len(content) == n
        spans = plan_spans(n, size, overlap)
        vecs = run_case(model, content, extend, max_tokens, spans)
        assert all(np.isfinite(v).all() for v in vecs)
        rows.append((name, mname, extend, max_tokens, content, spans, vecs))
        print(f"{name:26s} {len(spans):3d} passages, {len(windows(spans, max_tokens or XF.LO))} windows",
              flush=True)
    out = os.path.join(a.fixtures, "passages")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "cases.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write('{"cases": [\n')
        for k, (name, mname, extend, max_tokens, content, spans, vecs) in enumerate(rows):
            f.write(' {"name": %s, "model": %s, "extend": %s, "max_tokens": %d,\n' %
                    (json.dumps(name), json.dumps(mname), json.dumps(extend), max_tokens))
            f.write('  "ids": %s,\n' % json.dumps([int(i) for i in content]))
            f.write('  "spans": %s,\n' % json.dumps([list(s) for s in spans]))
            f.write('  "expected": [\n   ' + ",\n   ".join(vec_json(v) for v in vecs) + "]}")
            f.write(",\n" if k + 1 < len(rows) else "\n")
        f.write("]}\n")


if __name__ == "__main__":
    sys.exit(main())
