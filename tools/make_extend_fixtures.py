#!/usr/bin/env python3
"""Generate the committed context-extension parity fixtures in tests/fixtures/extend/
(and the tiny E5-Base-4k-style checkpoint tests/fixtures/e5-4k-tiny/).
See the "Context extension" section of tests/fixtures/README.md.

Usage (from the repository root; needs torch, transformers, sentence-transformers,
tokenizers, safetensors, numpy; no network):

    HF_HUB_OFFLINE=1 python3 tools/make_extend_fixtures.py
        [--model-dir ~/.cache/longembed/models/minilm]    # all-MiniLM-L6-v2, ST layout
        [--fixtures tests/fixtures]
        [--only minilm|bert-cased-tiny|e5-4k-tiny]         # default: all three
        [--check all|some|none]                            # independent float64 recomputation

What it writes (under --fixtures):

    e5-4k-tiny/                      random BERT, 4096-row position table, config
                                     "_name_or_path": "intfloat/e5-base-v2" (so the engine applies
                                     the E5-Base-4k position stride 8), mean pooling + Normalize,
                                     tokenizer of bert-cased-tiny, weights stored as F16
    extend/manifest.json             what is where (lengths, offsets, methods, pooling, factors)
    extend/<model>/ids_<L>.json      L-2 content ids (no [CLS]/[SEP]) cut from the tokenized
                                     haystack essays at a per-L offset (a JSON list)
    extend/<model>/embeddings_<L>.json
                                     {"tokens": L, "attn_scale": f, "methods": {name: vector}}
    extend/minilm/embeddings_1500_noscale.json
                                     gp/pi at L = 1500 with the log-length attention scaling off

Reference semantics (the engine must match them):
  * A document is [CLS] + content + [SEP], L tokens; Lo = 512; s = ceil(L / Lo) (1 if L <= Lo).
  * Position of token t (0-based, specials included):
      none: t (L <= 512);  gp: floor(t / s);  rp: t mod Lo;
      pi:   i = floor(t / s), f = (t - i*s) / s (a float32 division, as the engine does),
            row = (1 - f) * E[i] + f * E[i+1] in float32; for i >= Lo - 1 the row is E[Lo - 1].
      stride (E5-Base-4k convention, 4096-row table): t * 8 for L <= 512, t otherwise.
  * Attention log-length scaling for gp/rp/pi/stride when L > Lo: every attention logit is
    multiplied by a = float32(ln L / ln 512) (computed in double, rounded to float, as the
    engine does).  Implemented by multiplying every layer's query weight and bias by a in a
    copy of the model (mathematically the same thing).  "_noscale" variants use a = 1.
  * pcw: content split in chunks of 510 ids: chunk k starts at 510*k, the last one is the
    final 510 ids (right-aligned, may overlap); ceil(n / 510) chunks; each run alone as
    [CLS] + chunk + [SEP] with positions 0..511 (a = 1); each pooled as the model pools
    (without normalisation); the document vector is the mean of the chunk vectors, then
    L2-normalised.
  * Pooling over all L tokens as the model declares (minilm: mean incl. specials;
    bert-cased-tiny: CLS; e5-4k-tiny: mean), then L2 normalisation.
  * token_type_ids all 0, attention mask all 1, one document per forward (no padding).
  * Forward: transformers BertModel, eager attention, float32, CPU, torch.set_num_threads(2),
    with the model's position table replaced by an explicit L-row table built as above and
    position_ids = arange(L).
  * Every vector is recomputed independently (--check all, the default): a hand-written
    float64 BERT forward from the state dict, positions built a second way (numpy, float64),
    the scaling applied to the logits, PCW windows recomputed from the slicing rule.  The max
    abs difference is printed and must stay below 5e-5 (minilm) / 2e-4 (random models).
    For L = 300 the "none" vector is also compared with the sentence-transformers modules
    run on the same ids.
  * Floats: shortest decimal that round-trips the float32 (numpy repr), as in make_fixtures.py.

Idempotent: deterministic ids and weights; re-running gives byte-identical files on the same
library versions and machine (checked by the author by running twice).
"""

import argparse
import copy
import hashlib
import json
import math
import os
import shutil
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import fixture_texts as FT  # noqa: E402
import make_fixtures as MF  # noqa: E402  (helpers: f32s, init_tiny_weights, write_json, SEED)

LO = 512
PCW_CHUNK = LO - 2
E5_STRIDE = 8
E5_ROWS = 4096

# where each length's content ids start in the tokenized haystack (content tokens, no
# specials); different per L so that the documents differ
OFFSETS = {100: 90000, 300: 0, 512: 80000, 513: 70000, 600: 5000, 1500: 10000, 4096: 20000, 8192: 40000}

MODELS = {
    # name: (lengths, methods for L > 512)
    "minilm": ([300, 513, 600, 1500, 4096, 8192], ["gp", "rp", "pi", "pcw"]),
    "bert-cased-tiny": ([300, 513, 600, 1500, 4096, 8192], ["gp", "rp", "pi", "pcw"]),
    "e5-4k-tiny": ([100, 512, 513, 600, 1500, 4096], ["stride"]),
}
E5_TOO_LONG = [8192]          # ids written, no embeddings: more tokens than the 4096-row table
NOSCALE = ("minilm", 1500, ["gp", "pi"])


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------

def attn_factor(L, scale=True):
    """float32(max(1, ln L / ln 512)) -- as the engine: double log ratio rounded to float."""
    if not scale or L <= LO:
        return np.float32(1.0)
    return np.float32(math.log(L) / math.log(LO))


def n_windows(L):
    return 1 if L <= LO else (L + LO - 1) // LO


def pcw_windows(n):
    """[start, end) of each 510-id chunk of n content ids (last one right-aligned)."""
    if n <= PCW_CHUNK:
        return [(0, n)]
    out = []
    for idx in range(0, n, PCW_CHUNK):
        if idx + PCW_CHUNK > n:
            out.append((n - PCW_CHUNK, n))
            break
        out.append((idx, idx + PCW_CHUNK))
    assert len(out) == -(-n // PCW_CHUNK)
    return out


def vec_json(v):
    return "[" + ", ".join(MF.f32s(x) for x in v) + "]"


def write_embeddings(path, L, factor, methods, extra=None):
    """methods: dict name -> np.float32 vector; written with raw float32 reprs."""
    parts = [f'"tokens": {L}', f'"attn_scale": {MF.f32s(factor)}']
    for k, v in (extra or {}).items():
        parts.append(json.dumps(k) + ": " + json.dumps(v))
    body = ",\n  ".join(json.dumps(k) + ": " + vec_json(v) for k, v in methods.items())
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("{" + ", ".join(parts) + ',\n "methods": {\n  ' + body + "\n }}\n")


def write_ids(path, ids):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps([int(i) for i in ids]) + "\n")


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def read_pooling(model_dir):
    with open(os.path.join(model_dir, "1_Pooling", "config.json"), encoding="utf-8") as f:
        p = json.load(f)
    if p.get("pooling_mode_cls_token"):
        return "cls"
    assert p.get("pooling_mode_mean_tokens"), p
    return "mean"


def haystack_ids(tokenizer_json):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(tokenizer_json)
    tok.no_truncation()
    tok.no_padding()
    ids = tok.encode(FT.essay_text(), add_special_tokens=False).ids
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    assert cls not in ids and sep not in ids
    return ids, cls, sep


# ---------------------------------------------------------------------------
# e5-4k-tiny: the tiny cased BERT recipe with a 4096-row position table
# ---------------------------------------------------------------------------

def make_e5_tiny(fixtures):
    from transformers import BertConfig, BertModel
    src = os.path.join(fixtures, "bert-cased-tiny")
    d = os.path.join(fixtures, "e5-4k-tiny")
    print("== e5-4k-tiny:", d)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    with open(os.path.join(src, "config.json"), encoding="utf-8") as f:
        src_cfg = json.load(f)
    torch.manual_seed(MF.SEED)
    cfg = BertConfig(vocab_size=src_cfg["vocab_size"], hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=128, max_position_embeddings=E5_ROWS, type_vocab_size=2, hidden_act="gelu",
                     layer_norm_eps=1e-12, pad_token_id=0, initializer_range=0.02,
                     hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertModel(cfg)
    MF.init_tiny_weights(model)   # same recipe as bert-cased-tiny: N(0, .2) / N(0, .1) / 1 + N(0, .1)
    model.eval()
    # Stored as float16 (like the real dwzhu/e5-base-4k, which ships fp16 weights): keeps the
    # checkpoint under 2 MB with the 4096 x 64 table.  The reference runs in float32 on the
    # exactly upcast float16 values.
    model = model.half()
    model.save_pretrained(d, safe_serialization=True)
    with open(os.path.join(d, "config.json"), encoding="utf-8") as f:
        c = json.load(f)
    out = {"_name_or_path": "intfloat/e5-base-v2"}
    out.update(c)
    MF.write_json(os.path.join(d, "config.json"), out)
    for fn in ("tokenizer.json", "vocab.txt", "special_tokens_map.json"):
        shutil.copyfile(os.path.join(src, fn), os.path.join(d, fn))
    with open(os.path.join(src, "tokenizer_config.json"), encoding="utf-8") as f:
        tc = json.load(f)
    tc["model_max_length"] = E5_ROWS        # as dwzhu/e5-base-4k after its HF PR #2
    MF.write_json(os.path.join(d, "tokenizer_config.json"), tc)
    MF.write_st_files(d, 64)
    MF.write_json(os.path.join(d, "1_Pooling", "config.json"), {
        "word_embedding_dimension": 64,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    })
    MF.write_json(os.path.join(d, "sentence_bert_config.json"), {"max_seq_length": E5_ROWS, "do_lower_case": False})
    # round trip: loads as float16 tensors, 4096 positions, name recorded
    m2 = BertModel.from_pretrained(d, dtype=torch.float32)
    assert m2.config.max_position_embeddings == E5_ROWS
    for (n1, p1), (n2, p2) in zip(model.state_dict().items(), m2.state_dict().items()):
        assert n1 == n2 and torch.equal(p1.float(), p2), n1
    with open(os.path.join(d, "config.json"), encoding="utf-8") as f:
        assert json.load(f)["_name_or_path"] == "intfloat/e5-base-v2"
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)
    print(f"  directory size {size / 1e6:.2f} MB")
    assert size < 2_000_000, size
    return d


# ---------------------------------------------------------------------------
# the reference: transformers BertModel with an explicit position table
# ---------------------------------------------------------------------------

def position_table(E, L, method, stride=1):
    """E: [rows, d] float32 (the model's table).  Returns the [L, d] float32 table."""
    t = torch.arange(L)
    lo = E.shape[0] // stride
    s = n_windows(L)
    if method in ("none", "stride"):
        rows = t * stride if L <= lo else t
        assert int(rows.max()) < E.shape[0], "input longer than the position table"
        return E[rows].clone()
    if method == "gp":
        return E[t // s].clone()
    if method == "rp":
        return E[t % lo].clone()
    if method == "pi":
        i = t // s
        f = (t - i * s).to(torch.float32) / torch.tensor(float(s), dtype=torch.float32)
        past = i >= lo - 1
        i = torch.where(past, torch.full_like(i, lo - 1), i)
        f = torch.where(past, torch.zeros_like(f), f)
        i1 = torch.clamp(i + 1, max=E.shape[0] - 1)
        f = f[:, None]
        return (1 - f) * E[i] + f * E[i1]
    raise ValueError(method)


class Reference:
    def __init__(self, model_dir):
        from transformers import BertModel
        self.dir = model_dir
        self.model = BertModel.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="eager").eval()
        self.pooling = read_pooling(model_dir)
        self.E = self.model.embeddings.position_embeddings.weight.detach().clone()
        cfg = self.model.config
        nop = getattr(cfg, "_name_or_path", "") or ""
        with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
            nop = json.load(f).get("_name_or_path", nop)
        self.stride = E5_STRIDE if ("e5-base-v2" in nop and cfg.max_position_embeddings == E5_ROWS) else 1
        self._scaled = {}

    def scaled(self, a):
        a = np.float32(a)
        if a == 1.0:
            return self.model
        if float(a) not in self._scaled:
            m = copy.deepcopy(self.model)
            with torch.no_grad():
                for layer in m.encoder.layer:
                    q = layer.attention.self.query
                    q.weight.mul_(torch.tensor(a))
                    q.bias.mul_(torch.tensor(a))
            self._scaled = {float(a): m}   # keep one copy only
        return self._scaled[float(a)]

    def hidden(self, ids, table, a):
        m = self.scaled(a)
        L = len(ids)
        emb = m.embeddings
        orig = emb.position_embeddings
        new = torch.nn.Embedding(L, table.shape[1])
        with torch.no_grad():
            new.weight.copy_(table)
        emb.position_embeddings = new
        try:
            ii = torch.tensor([ids])
            with torch.inference_mode():
                out = m(input_ids=ii, attention_mask=torch.ones_like(ii), token_type_ids=torch.zeros_like(ii),
                        position_ids=torch.arange(L)[None])
        finally:
            emb.position_embeddings = orig
        return out.last_hidden_state[0]

    def pool(self, h):
        return h[0] if self.pooling == "cls" else h.mean(0)

    def embed(self, content, cls, sep, method, scale=True):
        ids = [cls] + list(content) + [sep]
        L = len(ids)
        if method == "pcw":
            vs = []
            for a, b in pcw_windows(len(content)):
                w = [cls] + list(content[a:b]) + [sep]
                vs.append(self.pool(self.hidden(w, position_table(self.E, len(w), "none"), 1.0)))
            v = torch.stack(vs).mean(0)
        else:
            a = attn_factor(L, scale)
            v = self.pool(self.hidden(ids, position_table(self.E, L, method, self.stride), a))
        v = torch.nn.functional.normalize(v, dim=0)
        out = v.numpy().astype(np.float32)
        assert np.isfinite(out).all()
        return out


# ---------------------------------------------------------------------------
# the independent check: a hand-written float64 BERT
# ---------------------------------------------------------------------------

class Independent:
    def __init__(self, ref):
        sd = ref.model.state_dict()
        self.W = {k: v.detach().to(torch.float64) for k, v in sd.items()}
        cfg = ref.model.config
        self.heads = cfg.num_attention_heads
        self.layers = cfg.num_hidden_layers
        self.eps = cfg.layer_norm_eps
        assert cfg.hidden_act == "gelu"
        self.pooling = ref.pooling
        self.E = self.W["embeddings.position_embeddings.weight"].numpy()
        self.stride = ref.stride

    def positions(self, L, method):
        E = self.E
        lo = E.shape[0] // self.stride
        t = np.arange(L, dtype=np.float64)
        s = math.ceil(L / lo) if L > lo else 1
        if method in ("none", "stride"):
            x = t * self.stride if L <= lo else t
            return E[x.astype(np.int64)]
        if method == "gp":
            return E[np.floor(t / s).astype(np.int64)]
        if method == "rp":
            return E[np.fmod(t, lo).astype(np.int64)]
        if method == "pi":
            x = np.minimum(t / s, lo - 1)          # continuous position, clamped at the last anchor
            out = np.empty((L, E.shape[1]))
            for k in range(E.shape[1]):
                out[:, k] = np.interp(x, np.arange(lo, dtype=np.float64), E[:lo, k])
            return out
        raise ValueError(method)

    def ln(self, x, p):
        mu = x.mean(-1, keepdim=True)
        var = ((x - mu) ** 2).mean(-1, keepdim=True)
        return (x - mu) / torch.sqrt(var + self.eps) * self.W[p + ".weight"] + self.W[p + ".bias"]

    def lin(self, x, p):
        return x @ self.W[p + ".weight"].T + self.W[p + ".bias"]

    def forward(self, ids, pos, a):
        W = self.W
        x = W["embeddings.word_embeddings.weight"][torch.tensor(ids)] + torch.from_numpy(pos) \
            + W["embeddings.token_type_embeddings.weight"][0]
        x = self.ln(x, "embeddings.LayerNorm")
        L, d = x.shape
        dh = d // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = self.lin(x, p + "attention.self.query")
            k = self.lin(x, p + "attention.self.key")
            v = self.lin(x, p + "attention.self.value")
            ctx = torch.empty_like(x)
            for h in range(self.heads):
                sl = slice(h * dh, (h + 1) * dh)
                sc = (q[:, sl] @ k[:, sl].T) * (a / math.sqrt(dh))
                sc = torch.softmax(sc, dim=-1)
                ctx[:, sl] = sc @ v[:, sl]
                del sc
            x = self.ln(x + self.lin(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            u = self.lin(x, p + "intermediate.dense")
            u = 0.5 * u * (1.0 + torch.erf(u / math.sqrt(2.0)))
            x = self.ln(x + self.lin(u, p + "output.dense"), p + "output.LayerNorm")
        return x

    def pool(self, h):
        return h[0] if self.pooling == "cls" else h.sum(0) / h.shape[0]

    def embed(self, content, cls, sep, method, scale=True):
        n = len(content)
        if method == "pcw":
            # slicing rule restated: chunk k = [510k, 510k + 510) while it fits, else the last 510
            nc = -(-n // PCW_CHUNK)
            acc = 0
            for k in range(nc):
                a0 = min(k * PCW_CHUNK, max(n - PCW_CHUNK, 0))
                w = [cls] + list(content[a0:a0 + PCW_CHUNK]) + [sep]
                acc = acc + self.pool(self.forward(w, self.positions(len(w), "none"), 1.0))
            v = acc / nc
        else:
            L = n + 2
            a = max(1.0, math.log(L) / math.log(LO)) if scale else 1.0
            v = self.pool(self.forward([cls] + list(content) + [sep], self.positions(L, method), a))
        return (v / torch.linalg.vector_norm(v)).numpy()


# ---------------------------------------------------------------------------
# per model
# ---------------------------------------------------------------------------

def make_model_fixtures(name, model_dir, out_root, check, summary):
    print(f"== {name}: {model_dir}")
    lengths, methods = MODELS[name]
    od = os.path.join(out_root, name)
    if os.path.isdir(od):
        shutil.rmtree(od)
    os.makedirs(od)
    hay, cls, sep = haystack_ids(os.path.join(model_dir, "tokenizer.json"))
    print(f"  haystack: {len(hay)} content tokens")
    ref = Reference(model_dir)
    ind = Independent(ref) if check != "none" else None
    if name == "e5-4k-tiny":
        assert ref.stride == E5_STRIDE and ref.pooling == "mean"
    tol = 5e-5 if name == "minilm" else 2e-4
    maxdiff = 0.0
    info = {"pooling": ref.pooling, "position_stride": ref.stride, "files": {}}

    def checked(content, method, scale=True, label=""):
        nonlocal maxdiff
        v = ref.embed(content, cls, sep, method, scale)
        L = len(content) + 2
        do = check == "all" or (check == "some" and L <= 1500)
        if do:
            w = ind.embed(content, cls, sep, method, scale)
            dd = float(np.abs(w - v.astype(np.float64)).max())
            maxdiff = max(maxdiff, dd)
            print(f"    {label or method:>11s} L={L:5d}: |ref - float64 independent| = {dd:.2e}")
            assert dd < tol, (name, L, method, dd)
        else:
            print(f"    {label or method:>11s} L={L:5d}: (not rechecked)")
        return v

    for L in lengths + (E5_TOO_LONG if name == "e5-4k-tiny" else []):
        off = OFFSETS[L]
        content = hay[off:off + L - 2]
        assert len(content) == L - 2
        write_ids(os.path.join(od, f"ids_{L}.json"), content)
        if L in E5_TOO_LONG and name == "e5-4k-tiny":
            info["files"][f"ids_{L}.json"] = {"tokens": L, "offset": off, "expect": "too long (4096-row table)"}
            continue
        rec = {"tokens": L, "offset": off, "s": n_windows(L), "attn_scale": MF.f32s(attn_factor(L))}
        extra = None
        if name == "e5-4k-tiny":
            vecs = {"stride": checked(content, "stride")}
            rec["positions"] = "t*8" if L <= LO else "t"
            if L <= LO:
                # the stride must be visible: plain positions 0..L-1 give another vector
                ids = [cls] + list(content) + [sep]
                h = ref.hidden(ids, ref.E[:L].clone(), 1.0)
                plain = torch.nn.functional.normalize(ref.pool(h), dim=0).numpy()
                d = float(np.abs(plain - vecs["stride"]).max())
                print(f"    stride vs plain positions 0..{L - 1}: max |diff| {d:.4f}")
                assert d > 1e-3
        elif L <= LO:
            v = checked(content, "none")
            # every method is the plain model here; and the plain model is sentence-transformers'
            for m in methods:
                w = ref.embed(content, cls, sep, m)
                assert np.array_equal(w, v) or float(np.abs(w - v).max()) < 1e-6, (m, float(np.abs(w - v).max()))
            st_check(model_dir, [cls] + content + [sep], v)
            vecs = {"none": v}
        else:
            vecs = {m: checked(content, m) for m in methods}
            extra = {"pcw_windows": [list(w) for w in pcw_windows(L - 2)]}
            rec["pcw_windows"] = len(extra["pcw_windows"])
        fn = f"embeddings_{L}.json"
        write_embeddings(os.path.join(od, fn), L, attn_factor(L), vecs, extra)
        rec["methods"] = list(vecs)
        info["files"][fn] = rec
        info["files"][f"ids_{L}.json"] = {"tokens": L, "offset": off}
        # how distinct are the methods? (a sanity print, not a check)
        if len(vecs) > 1:
            ks = list(vecs)
            cos = [float(vecs[a] @ vecs[b]) for i, a in enumerate(ks) for b in ks[i + 1:]]
            print(f"  L={L}: cosine between methods min {min(cos):.4f} max {max(cos):.4f}")

    if name == NOSCALE[0]:
        L = NOSCALE[1]
        content = hay[OFFSETS[L]:OFFSETS[L] + L - 2]
        vecs = {f"{m}_noscale": checked(content, m, scale=False, label=f"{m}_noscale") for m in NOSCALE[2]}
        with open(os.path.join(od, f"embeddings_{L}.json"), encoding="utf-8") as f:
            scaled = json.load(f)["methods"]
        for m in NOSCALE[2]:
            d = float(np.abs(np.array(scaled[m], dtype=np.float32) - vecs[f"{m}_noscale"]).max())
            print(f"  {m}: scaled vs unscaled max |diff| {d:.4f}")
            assert d > 1e-3, "the scaling makes no visible difference"
        fn = f"embeddings_{L}_noscale.json"
        write_embeddings(os.path.join(od, fn), L, np.float32(1.0), vecs, {"attn_scale_mode": "none"})
        info["files"][fn] = {"tokens": L, "offset": OFFSETS[L], "attn_scale": "1.0",
                             "methods": list(vecs), "ids": f"ids_{L}.json"}

    if ind is not None:
        print(f"  max |reference - independent float64| over checked vectors: {maxdiff:.2e}")
    info["max_abs_diff_vs_float64"] = float(f"{maxdiff:.3g}")
    summary[name] = info


def st_check(model_dir, ids, v):
    """The sentence-transformers modules on the same ids give the same vector (L <= 512)."""
    from sentence_transformers import SentenceTransformer
    st = SentenceTransformer(model_dir, device="cpu")
    st.eval()
    ii = torch.tensor([ids])
    with torch.inference_mode():
        out = st({"input_ids": ii, "attention_mask": torch.ones_like(ii), "token_type_ids": torch.zeros_like(ii)})
    e = out["sentence_embedding"][0].numpy()
    d = float(np.abs(e - v).max())
    print(f"    sentence-transformers modules vs reference (none, L={len(ids)}): {d:.2e}")
    assert d < 1e-5


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-dir", default=os.path.expanduser("~/.cache/longembed/models/minilm"))
    ap.add_argument("--fixtures", default=os.path.join(ROOT, "tests", "fixtures"))
    ap.add_argument("--only", choices=list(MODELS))
    ap.add_argument("--check", choices=["all", "some", "none"], default="all")
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(MF.SEED)
    import sentence_transformers
    import tokenizers
    import transformers
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, "
          f"sentence-transformers {sentence_transformers.__version__}, tokenizers {tokenizers.__version__}")
    out_root = os.path.join(args.fixtures, "extend")
    os.makedirs(out_root, exist_ok=True)
    man_path = os.path.join(out_root, "manifest.json")
    summary = {}
    if os.path.exists(man_path):
        with open(man_path, encoding="utf-8") as f:
            summary = json.load(f).get("models", {})
    dirs = {"minilm": args.model_dir, "bert-cased-tiny": os.path.join(args.fixtures, "bert-cased-tiny"),
            "e5-4k-tiny": os.path.join(args.fixtures, "e5-4k-tiny")}
    for name in MODELS:
        if args.only and args.only != name:
            continue
        if name == "e5-4k-tiny":
            make_e5_tiny(args.fixtures)
        make_model_fixtures(name, dirs[name], out_root, args.check, summary)
        summary[name]["model_dir"] = ("~/.cache/longembed/models/minilm (all-MiniLM-L6-v2)" if name == "minilm"
                                      else f"tests/fixtures/{name}")
    MF.write_json(man_path, {
        "generator": "tools/make_extend_fixtures.py",
        "window": LO, "pcw_chunk": PCW_CHUNK,
        "versions": {"torch": torch.__version__.split("+")[0], "transformers": transformers.__version__,
                     "sentence-transformers": sentence_transformers.__version__},
        "models": {k: summary[k] for k in MODELS if k in summary},
    })
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(out_root) for f in fs)
    print(f"extend/: {total / 1e6:.2f} MB")
    assert total < 3_000_000
    for r, _, fs in sorted(os.walk(out_root)):
        for f in sorted(fs):
            print(f"  {sha(os.path.join(r, f))}  {os.path.relpath(os.path.join(r, f), args.fixtures)}")


if __name__ == "__main__":
    main()
