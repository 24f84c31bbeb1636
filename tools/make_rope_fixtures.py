#!/usr/bin/env python3
"""Random-weight RoPE and ALiBi checkpoints in the Hugging Face layout, and the
PyTorch reference embeddings the engine must match (issue 5).

Usage (from the repository root; needs torch, transformers, safetensors, tokenizers,
numpy; no network):

    HF_HUB_OFFLINE=1 python3 tools/make_rope_fixtures.py [--only e5rope-tiny|nomic-tiny|jina-tiny]
        [--fixtures tests/fixtures] [--no-f64]
    python3 tools/make_rope_fixtures.py --bench-model DIR   # a random 12-layer/768/3072
                                                            # e5rope checkpoint (not committed)
    python3 tools/make_rope_fixtures.py --reference DIR --arch e5rope-tiny --length 4096 \
        --extend selfextend [--se-group 9 --se-window 64]  # one reference vector (JSON) for
                                                            # [CLS] + ids[:L-2] + [SEP], any size

What it writes (under --fixtures):

    e5rope-tiny/   model_type "e5rope" (LongEmbed's modeling_e5rope.py): BERT without a
                   position table, RoPE on q and k (rotate-half, theta 10000, cos/sin cache
                   in float64 from a float32 inv_freq), no sentence-transformers files
                   (so: mean pooling, L2-normalised, as LongEmbed evaluates it)
    nomic-tiny/    model_type "nomic_bert" (modeling_hf_nomic_bert.py of
                   nomic-embed-text-v1.5): fused Wqkv, no biases, SwiGLU fc11/fc12/fc2,
                   post-norm norm1/norm2, emb_ln, RoPE base 1000 with float32 angles,
                   n_positions 512, max_trained_positions 256 (dynamic NTK past it when a
                   rotary_scaling_factor is given), vocabulary padded to a multiple of 64;
                   mean pooling + Normalize
    jina-tiny/     model_type "bert", position_embedding_type "alibi" (jina-bert-v2):
                   ALiBi with 3 heads (not a power of two), GEGLU gated_layers/wo/layernorm,
                   max_position_embeddings 512; mean pooling, no Normalize
    rope/ids.json  8190 content ids (the tiny cased tokenizer over the haystack essays);
                   a document of L tokens is [CLS] + ids[:L-2] + [SEP]
    rope/<model>.json
                   {"model", "window", "cases": [{"name", "length", "options", "expected",
                   "f64_diff"}]}: options are le_embed_options fields (max_tokens, extend,
                   attn_scale, ntk_lambda, rope_factor, se_group, se_window,
                   rotary_scaling_factor); expected the float32 embedding; f64_diff the
                   max |difference| between this float32 reference and the same reference
                   run in float64 (how much float32 rounding alone moves it)

All three use the tokenizer of tests/fixtures/bert-cased-tiny (BERT WordPiece, cased,
3000 tokens): their real tokenizers are BERT WordPiece too.

Reference semantics (what the engine must match; docs/extension-methods.md):
  * Lo = the window (512 for all three). L = tokens with [CLS]/[SEP]; max_tokens = L, so
    the target length is L and s = ceil(L / Lo). Inputs with L <= Lo run as trained
    (every method equals none there).
  * Architectures, each re-implemented in PyTorch from the public modeling code (facts
    only; see the report and the doc for the sources):
      e5rope: x = LN(word + type0); per layer q,k,v = Linear; q,k rotated (rotate-half);
              q *= max(1, ln L / ln 512) (float32, as the model); softmax(q k^T / sqrt(d));
              out dense + LN(+x); GELU(erf) MLP + LN(+x).
      nomic:  x = emb_ln(word + type0); Wqkv (no bias); rotary on q,k with angles
              t·inv_freq in float32; softmax(q k^T / sqrt(d)); out_proj; norm1(+x);
              fc2(fc11(x) * silu(fc12(x))); norm2(+x). Dynamic NTK (rotary_scaling_factor
              f, L > 256): base·(f·L/256 − (f − 1))^(d/(d−2)).
      jina:   x = LN(word + type0); BERT attention with bias −slope_h·|i − j| (slopes of the
              ALiBi code for 3 heads); GEGLU: wo(gelu(g[:I]) * g[I:]) + LN(+x).
  * Methods (RoPE models), with the rotary frequencies of transformers'
    modeling_rope_utils where it defines them:
      gp   positions floor(t / s)                          (s = ceil(L / Lo) per input)
      pi   transformers' "linear": inv_freq / s
      ntk  theta · λ, λ = 3 / 5 / 10 / 1.25·s for s <= 2 / 4 / 8 / beyond (or given)
      yarn transformers' "yarn" (factor s, original_max_position_embeddings Lo): its
           inv_freq, and cos, sin × its attention factor
      selfextend  the LongEmbed reference's e5rope_self_extend_forward, dense: the
           neighbour score matrix (true positions), the grouped lower matrix (query at
           i//g + w − w//g, key at j//g) and upper matrix (query at i//g, key at
           j//g + w − w//g), merged as tril(lower) + triu(upper, 1), the neighbour score
           where |i − j| < w, one softmax. Defaults g = p + 1, w = Lo / p with p the power
           of two >= s (4096: 9 / 64).
      pcw  windows of Lo − 2 content ids (the last right-aligned), each [CLS] + ids +
           [SEP] alone with method none, mean-pooled, averaged, then normalised as the
           model does.
    Past the window every method (and ALiBi's none) multiplies the attention logits by
    max(1, ln L / ln Lo) (the paper's log scaling; "_noscale" cases turn it off). For
    e5rope this is its own code (the query scaled; the SelfExtend path scales the
    logits by math.log(L, 512), as the reference does); for nomic and jina the query is
    scaled by float32(ln L / ln Lo).
  * Pooling: mean over all L tokens (specials included), then L2 normalisation where the
    model normalises (e5rope, nomic).
  * Float32 throughout, one document per forward, torch.set_num_threads(1).

Idempotent: fixed seeds and ids; re-running gives byte-identical files on the same library
versions.
"""

import argparse
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
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SEED = 20250405
LO = 512
LENGTHS = [512, 1000, 4096, 8192]
HAYSTACK = os.environ.get("LE_HAYSTACK_DIR", "/work/shared/data/haystack")
TOKENIZER_SRC = os.path.join(ROOT, "tests", "fixtures", "bert-cased-tiny")
TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"]
CLS, SEP = 2, 3  # of the tiny cased tokenizer (checked below)

CONFIGS = {
    "e5rope-tiny": {
        "architectures": ["E5RopeModel"],
        "model_type": "e5rope",
        "_name_or_path": "dwzhu/e5rope-base (random tiny)",
        "vocab_size": 3000,
        "hidden_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 128,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 512,
        "type_vocab_size": 2,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "pad_token_id": 0,
        "rotary_value": False,
        "rope_theta": 10000,
        "use_pose": False,
        "pose_target_len": None,
        "embedding_size": 64,
        "torch_dtype": "float32",
    },
    "nomic-tiny": {
        "architectures": ["NomicBertModel"],
        "model_type": "nomic_bert",
        "_name_or_path": "nomic-ai/nomic-embed-text-v1.5 (random tiny)",
        "activation_function": "swiglu",
        "attn_pdrop": 0.0,
        "bos_token_id": None,
        "causal": False,
        "dense_seq_output": True,
        "embd_pdrop": 0.0,
        "eos_token_id": None,
        "fused_bias_fc": True,
        "fused_dropout_add_ln": True,
        "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-12,
        "max_trained_positions": 256,
        "mlp_fc1_bias": False,
        "mlp_fc2_bias": False,
        "n_embd": 64,
        "n_head": 2,
        "n_inner": 256,
        "n_layer": 2,
        "n_positions": 512,
        "pad_vocab_size_multiple": 64,
        "parallel_block": False,
        "parallel_block_tied_norm": False,
        "prenorm": False,
        "qkv_proj_bias": False,
        "reorder_and_upcast_attn": False,
        "resid_pdrop": 0.0,
        "rotary_emb_base": 1000,
        "rotary_emb_fraction": 1.0,
        "rotary_emb_interleaved": False,
        "rotary_emb_scale_base": None,
        "rotary_scaling_factor": None,
        "scale_attn_by_inverse_layer_idx": False,
        "scale_attn_weights": True,
        "summary_activation": None,
        "summary_first_dropout": 0.0,
        "summary_proj_to_labels": True,
        "summary_type": "cls_index",
        "summary_use_proj": True,
        "torch_dtype": "float32",
        "type_vocab_size": 2,
        "use_cache": True,
        "use_flash_attn": True,
        "use_rms_norm": False,
        "use_xentropy": True,
        "vocab_size": 3000,
    },
    "jina-tiny": {
        "architectures": ["JinaBertForMaskedLM"],
        "model_type": "bert",
        "_name_or_path": "jinaai/jina-embeddings-v2-base-en (random tiny)",
        "attention_probs_dropout_prob": 0.0,
        "classifier_dropout": None,
        "emb_pooler": "mean",
        "feed_forward_type": "geglu",
        "gradient_checkpointing": False,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": 96,
        "initializer_range": 0.02,
        "intermediate_size": 128,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": 512,
        "num_attention_heads": 3,
        "num_hidden_layers": 2,
        "pad_token_id": 0,
        "position_embedding_type": "alibi",
        "torch_dtype": "float32",
        "type_vocab_size": 2,
        "use_cache": True,
        "vocab_size": 3000,
    },
}
ST_FILES = {"e5rope-tiny": None, "nomic-tiny": True, "jina-tiny": False}  # None: none; bool: Normalize


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def f32s(v):
    """Shortest round-tripping decimal for a float32."""
    s = str(np.float32(v))
    assert np.float32(float(s)) == np.float32(v), (s, v)
    assert s not in ("nan", "inf", "-inf")
    return s


def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def content_ids(count):
    """count content ids of the haystack essays (sorted by name), tiny cased tokenizer."""
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(TOKENIZER_SRC, "tokenizer.json"))
    assert tok.token_to_id("[CLS]") == CLS and tok.token_to_id("[SEP]") == SEP
    ids = []
    for name in sorted(os.listdir(HAYSTACK)):
        if not name.endswith(".txt") or name.isupper() or name.startswith("SOURCE"):
            continue
        with open(os.path.join(HAYSTACK, name), encoding="utf-8") as f:
            ids.extend(tok.encode(f.read(), add_special_tokens=False).ids)
        if len(ids) >= count:
            break
    assert len(ids) >= count, len(ids)
    return ids[:count]


def alibi_slopes(n):
    """jina-bert-v2's _get_alibi_head_slopes."""
    def pow2(n):
        start = 2 ** (-2 ** -(math.log2(n) - 3))
        ratio = start
        return [start * ratio ** i for i in range(n)]
    if math.log2(n).is_integer():
        return pow2(n)
    c = 2 ** math.floor(math.log2(n))
    return pow2(c) + alibi_slopes(2 * c)[0::2][: n - c]


# ---------------------------------------------------------------------------
# random checkpoints in the real tensor layout
# ---------------------------------------------------------------------------

def random_weights(name, cfg, gen, scale=1.0):
    """scale multiplies the standard deviations of the matrices (the bench model's wider
    layers take sqrt(64 / 768) so that its logits stay as spread as the tiny models')."""
    def nrm(*shape, std):
        if len(shape) == 2 and shape[0] != cfg.get("vocab_size") and shape[0] != 2:
            std *= scale
        return (torch.randn(*shape, generator=gen, dtype=torch.float64) * std).float()

    def ln(n):
        return (1 + nrm(n, std=0.1)), nrm(n, std=0.05)

    sd = {}
    if name == "nomic-tiny":
        h, i, nl = cfg["n_embd"], cfg["n_inner"], cfg["n_layer"]
        vocab = -(-cfg["vocab_size"] // cfg["pad_vocab_size_multiple"]) * cfg["pad_vocab_size_multiple"]
        sd["embeddings.word_embeddings.weight"] = nrm(vocab, h, std=0.5)
        sd["embeddings.token_type_embeddings.weight"] = nrm(2, h, std=0.5)
        sd["emb_ln.weight"], sd["emb_ln.bias"] = ln(h)
        for l in range(nl):
            p = f"encoder.layers.{l}."
            wqkv = nrm(3 * h, h, std=0.1)
            wqkv[: 2 * h] *= 2.0  # peaky attention: positions matter
            sd[p + "attn.Wqkv.weight"] = wqkv
            sd[p + "attn.out_proj.weight"] = nrm(h, h, std=0.1)
            sd[p + "norm1.weight"], sd[p + "norm1.bias"] = ln(h)
            sd[p + "mlp.fc11.weight"] = nrm(i, h, std=0.1)
            sd[p + "mlp.fc12.weight"] = nrm(i, h, std=0.1)
            sd[p + "mlp.fc2.weight"] = nrm(h, i, std=0.1)
            sd[p + "norm2.weight"], sd[p + "norm2.bias"] = ln(h)
        return sd
    h, i, nl = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    sd["embeddings.word_embeddings.weight"] = nrm(cfg["vocab_size"], h, std=0.5)
    sd["embeddings.token_type_embeddings.weight"] = nrm(2, h, std=0.5)
    sd["embeddings.LayerNorm.weight"], sd["embeddings.LayerNorm.bias"] = ln(h)
    for l in range(nl):
        p = f"encoder.layer.{l}."
        for part, std in (("query", 0.2), ("key", 0.2), ("value", 0.1)):
            sd[p + f"attention.self.{part}.weight"] = nrm(h, h, std=std)
            sd[p + f"attention.self.{part}.bias"] = nrm(h, std=0.05)
        sd[p + "attention.output.dense.weight"] = nrm(h, h, std=0.1)
        sd[p + "attention.output.dense.bias"] = nrm(h, std=0.05)
        sd[p + "attention.output.LayerNorm.weight"], sd[p + "attention.output.LayerNorm.bias"] = ln(h)
        if name == "jina-tiny":
            sd[p + "mlp.gated_layers.weight"] = nrm(2 * i, h, std=0.1)
            sd[p + "mlp.wo.weight"] = nrm(h, i, std=0.1)
            sd[p + "mlp.wo.bias"] = nrm(h, std=0.05)
            sd[p + "mlp.layernorm.weight"], sd[p + "mlp.layernorm.bias"] = ln(h)
        else:
            sd[p + "intermediate.dense.weight"] = nrm(i, h, std=0.1)
            sd[p + "intermediate.dense.bias"] = nrm(i, std=0.05)
            sd[p + "output.dense.weight"] = nrm(h, i, std=0.1)
            sd[p + "output.dense.bias"] = nrm(h, std=0.05)
            sd[p + "output.LayerNorm.weight"], sd[p + "output.LayerNorm.bias"] = ln(h)
    return sd


def write_checkpoint(d, name, cfg, sd, st_normalize, copy_tokenizer=True):
    from safetensors.torch import save_file
    os.makedirs(d, exist_ok=True)
    write_json(os.path.join(d, "config.json"), cfg)
    save_file({k: v.contiguous() for k, v in sorted(sd.items())}, os.path.join(d, "model.safetensors"),
              metadata={"format": "pt"})
    if copy_tokenizer:
        for f in TOKENIZER_FILES:
            shutil.copyfile(os.path.join(TOKENIZER_SRC, f), os.path.join(d, f))
    if st_normalize is None:
        return
    mods = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    if st_normalize:
        mods.append({"idx": 2, "name": "2", "path": "2_Normalize",
                     "type": "sentence_transformers.models.Normalize"})
    write_json(os.path.join(d, "modules.json"), mods)
    os.makedirs(os.path.join(d, "1_Pooling"), exist_ok=True)
    dim = cfg.get("hidden_size", cfg.get("n_embd"))
    write_json(os.path.join(d, "1_Pooling", "config.json"), {
        "word_embedding_dimension": dim, "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False, "include_prompt": True})
    write_json(os.path.join(d, "sentence_bert_config.json"), {"max_seq_length": 512, "do_lower_case": False})


# ---------------------------------------------------------------------------
# the rotary frequencies (float32, as the models and transformers compute them)
# ---------------------------------------------------------------------------

def model_inv_freq(name, base, d):
    """The model's own inv_freq formula (E5RopeRotaryEmbedding / NomicBertRotaryEmbedding)."""
    if name == "e5rope-tiny":
        return 1.0 / (base ** (torch.arange(0, d, 2).float() / d))
    dim = float(d)  # nomic: rotary_emb_dim = head_dim * rotary_emb_fraction (a float)
    return 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))


def transformers_inv_freq(kind, base, d, factor):
    """transformers' "linear" and "yarn" (modeling_rope_utils) for head size d."""
    from transformers import LlamaConfig
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS
    params = {"rope_type": kind, "rope_theta": float(base), "factor": float(factor)}
    if kind == "yarn":
        params["original_max_position_embeddings"] = LO
    c = LlamaConfig(hidden_size=d, num_attention_heads=1, max_position_embeddings=LO, rope_parameters=params)
    inv, af = ROPE_INIT_FUNCTIONS[kind](c, "cpu")
    return inv.float(), af


def rotary_tables(name, cfg, plan, positions, dtype):
    """cos, sin [len(positions)][d] (rotate-half layout: the d/2 angles twice)."""
    d = head_dim(name, cfg)
    base = cfg["rope_theta"] if name == "e5rope-tiny" else cfg["rotary_emb_base"]
    att = 1.0
    n = plan["n"]
    if plan.get("dyn") and n > cfg["max_trained_positions"]:
        f, T, dim = plan["dyn"], cfg["max_trained_positions"], float(d)
        base = base * ((f * n / T) - (f - 1)) ** (dim / (dim - 2))
    if plan["kind"] == "ntk":
        base = base * plan["lambda"]
    if plan["kind"] == "pi":
        inv, _ = transformers_inv_freq("linear", base, d, plan["factor"])
    elif plan["kind"] == "yarn":
        inv, att = transformers_inv_freq("yarn", base, d, plan["factor"])
    else:
        inv = model_inv_freq(name, base, d)
    pos = torch.tensor(positions)
    if name == "e5rope-tiny":  # float64 angles, cast
        freqs = torch.outer(pos.double(), inv.double())
        cos, sin = freqs.cos().float(), freqs.sin().float()
    else:  # nomic: float32 angles
        freqs = torch.outer(pos.float(), inv)
        cos, sin = torch.cos(freqs), torch.sin(freqs)
    if att != 1.0:
        cos, sin = cos * att, sin * att
    cos, sin = torch.cat([cos, cos], -1), torch.cat([sin, sin], -1)
    return cos.to(dtype), sin.to(dtype)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rope(x, cos, sin):
    """x [heads][n][d]; cos, sin [n][d]."""
    return x * cos + rotate_half(x) * sin


def head_dim(name, cfg):
    if name == "nomic-tiny":
        return cfg["n_embd"] // cfg["n_head"]
    return cfg["hidden_size"] // cfg["num_attention_heads"]


# ---------------------------------------------------------------------------
# the reference forward
# ---------------------------------------------------------------------------

def log_factor(n, lo, scale):
    return float(np.float32(math.log(n) / math.log(lo))) if scale and n > lo else 1.0


def attention(name, cfg, plan, q, k, v, dtype):
    """q, k, v [heads][n][d] (before rotary) → [n][heads·d]."""
    heads, n, d = q.shape
    scale = plan["scale"]
    if name == "jina-tiny":
        if n > LO and scale:
            q = q * torch.tensor(log_factor(n, LO, True), dtype=dtype)
        s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d)
        rel = (torch.arange(n)[None, :] - torch.arange(n)[:, None]).abs()
        slopes = torch.tensor(alibi_slopes(heads), dtype=torch.float32).to(dtype)
        s = s + (slopes[:, None, None] * -rel[None].to(dtype))
        return torch.matmul(torch.softmax(s, -1), v).transpose(0, 1).reshape(n, heads * d)
    if plan["kind"] == "se":
        return self_extend(name, cfg, plan, q, k, v, dtype)
    t = np.arange(n)
    positions = (t // plan["pos_div"]).tolist() if plan["kind"] == "gp" else t.tolist()
    cos, sin = rotary_tables(name, cfg, plan, positions, dtype)
    q, k = rope(q, cos, sin), rope(k, cos, sin)
    if n > LO and scale:
        if name == "e5rope-tiny":  # its own: float32 torch.log(len) / torch.log(512), clamped
            f = torch.clamp(torch.log(torch.tensor(n)) / torch.log(torch.tensor(512)), min=1.0)
            q = q * f.to(dtype)
        else:
            q = q * torch.tensor(log_factor(n, LO, True), dtype=dtype)
    s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d)
    return torch.matmul(torch.softmax(s, -1), v).transpose(0, 1).reshape(n, heads * d)


def self_extend(name, cfg, plan, q, k, v, dtype):
    """LongEmbed's e5rope_self_extend_forward, dense: the full merged score matrix."""
    heads, n, d = q.shape
    g, w = plan["g"], plan["w"]
    pos = np.arange(n)
    sh = 0 if pos.max() < w else w - w // g
    cos, sin = rotary_tables(name, cfg, plan, list(range(n + sh + 1)), dtype)
    near_q, near_k = rope(q, cos[pos], sin[pos]), rope(k, cos[pos], sin[pos])
    lo_q = rope(q, cos[pos // g + sh], sin[pos // g + sh])
    lo_k = rope(k, cos[pos // g], sin[pos // g])
    up_q = rope(q, cos[pos // g], sin[pos // g])
    up_k = rope(k, cos[pos // g + sh], sin[pos // g + sh])
    out = torch.empty(n, heads * d, dtype=dtype)
    dist = torch.arange(n)[:, None] - torch.arange(n)[None, :]
    neighbour = dist.abs() < w
    factor = max(math.log(n, 512), 1) if plan["scale"] else 1.0
    for h in range(heads):  # one head at a time: four n×n matrices at 8192 tokens
        near = torch.matmul(near_q[h], near_k[h].T) / math.sqrt(d)
        lower = torch.matmul(lo_q[h], lo_k[h].T) / math.sqrt(d)
        upper = torch.matmul(up_q[h], up_k[h].T) / math.sqrt(d)
        group = torch.tril(lower) + torch.triu(upper, diagonal=1)
        del lower, upper
        near, group = near * factor, group * factor
        merged = torch.where(neighbour, near, group)
        del near, group
        p = torch.softmax(merged, -1)
        out[:, h * d:(h + 1) * d] = torch.matmul(p, v[h])
    return out


def layer_norm(x, wb, eps):
    return F.layer_norm(x, (x.shape[-1],), wb[0], wb[1], eps)


def forward(name, cfg, sd, ids, plan, dtype):
    """Token states [n][H] of one document."""
    W = {k: t.to(dtype) for k, t in sd.items()}
    ids_t = torch.tensor(ids)
    n = len(ids)
    if name == "nomic-tiny":
        h, heads, nl, eps = cfg["n_embd"], cfg["n_head"], cfg["n_layer"], cfg["layer_norm_epsilon"]
        x = W["embeddings.word_embeddings.weight"][ids_t] + W["embeddings.token_type_embeddings.weight"][0]
        x = layer_norm(x, (W["emb_ln.weight"], W["emb_ln.bias"]), eps)
        d = h // heads
        for l in range(nl):
            p = f"encoder.layers.{l}."
            qkv = (x @ W[p + "attn.Wqkv.weight"].T).view(n, 3, heads, d)
            q, k, v = (qkv[:, i].transpose(0, 1) for i in range(3))
            a = attention(name, cfg, plan, q, k, v, dtype) @ W[p + "attn.out_proj.weight"].T
            x = layer_norm(a + x, (W[p + "norm1.weight"], W[p + "norm1.bias"]), eps)
            y = (x @ W[p + "mlp.fc11.weight"].T) * F.silu(x @ W[p + "mlp.fc12.weight"].T)
            x = layer_norm(y @ W[p + "mlp.fc2.weight"].T + x, (W[p + "norm2.weight"], W[p + "norm2.bias"]), eps)
        return x
    h, heads, nl, eps = (cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"],
                         cfg["layer_norm_eps"])
    d = h // heads
    x = W["embeddings.word_embeddings.weight"][ids_t] + W["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, (W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"]), eps)
    for l in range(nl):
        p = f"encoder.layer.{l}."

        def lin(t, m):
            return t @ W[p + m + ".weight"].T + W[p + m + ".bias"]
        q, k, v = (lin(x, f"attention.self.{m}").view(n, heads, d).transpose(0, 1) for m in ("query", "key", "value"))
        a = lin(attention(name, cfg, plan, q, k, v, dtype), "attention.output.dense")
        x = layer_norm(a + x, (W[p + "attention.output.LayerNorm.weight"], W[p + "attention.output.LayerNorm.bias"]), eps)
        if name == "jina-tiny":
            i = cfg["intermediate_size"]
            gl = x @ W[p + "mlp.gated_layers.weight"].T
            y = lin(F.gelu(gl[:, :i]) * gl[:, i:], "mlp.wo")
            x = layer_norm(y + x, (W[p + "mlp.layernorm.weight"], W[p + "mlp.layernorm.bias"]), eps)
        else:
            y = lin(F.gelu(lin(x, "intermediate.dense")), "output.dense")
            x = layer_norm(y + x, (W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"]), eps)
    return x


# ---------------------------------------------------------------------------
# cases: method × length → engine options and the reference plan
# ---------------------------------------------------------------------------

def paper_lambda(lt, lo=LO):
    s = 1 if lt <= lo else -(-lt // lo)
    return 1.0 if s <= 1 else 3.0 if s <= 2 else 5.0 if s <= 4 else 10.0 if s <= 8 else 1.25 * s


def paper_se(lt, lo=LO):
    s = 1 if lt <= lo else -(-lt // lo)
    p = 1
    while p < s:
        p *= 2
    p = max(p, 2)
    return p + 1, max(lo // p, 1)


def plan_for(method, L, opts):
    """The reference's plan of one L-token document (the engine's rules, written again)."""
    scale = opts.get("attn_scale", "log") == "log"
    plan = {"n": L, "scale": scale, "kind": "none", "dyn": opts.get("rotary_scaling_factor", 0)}
    if L <= LO or method in ("none", "pcw"):
        return plan
    s = -(-L // LO)
    if method == "gp":
        plan.update(kind="gp", pos_div=s)
    elif method == "pi":
        plan.update(kind="pi", factor=opts.get("rope_factor") or s)
    elif method == "ntk":
        plan.update(kind="ntk", **{"lambda": opts.get("ntk_lambda") or paper_lambda(L)})
    elif method == "yarn":
        plan.update(kind="yarn", factor=opts.get("rope_factor") or s)
    elif method == "selfextend":
        g, w = paper_se(L)
        plan.update(kind="se", g=opts.get("se_group") or g, w=opts.get("se_window") or w)
    return plan


def cases_for(name):
    out = []
    rope_methods = ["none", "pcw", "gp", "pi", "ntk", "yarn", "selfextend"]
    for L in LENGTHS:
        methods = rope_methods if name != "jina-tiny" else ["none", "pcw"]
        for m in methods:
            if m == "none" and L > LO and name != "jina-tiny":
                continue  # past the window none is refused (tested in C)
            out.append((f"{m}", L, {"extend": m}))
    if name != "jina-tiny":
        # the paper's three SelfExtend settings at 4096 (the dense merged-matrix reference)
        for g, w in ((3, 256), (5, 128), (9, 64)):
            out.append((f"selfextend_g{g}_w{w}", 4096, {"extend": "selfextend", "se_group": g, "se_window": w}))
        out.append(("selfextend_noscale", 4096, {"extend": "selfextend", "attn_scale": "none"}))
        out.append(("ntk_lambda4", 1000, {"extend": "ntk", "ntk_lambda": 4.0}))
        out.append(("ntk_noscale", 1000, {"extend": "ntk", "attn_scale": "none"}))
        out.append(("pi_factor3", 1000, {"extend": "pi", "rope_factor": 3.0}))
        out.append(("yarn_factor4", 1000, {"extend": "yarn", "rope_factor": 4.0}))
    else:
        out.append(("none_noscale", 4096, {"extend": "none", "attn_scale": "none"}))
    if name == "nomic-tiny":
        out.append(("none_rsf2", 512, {"extend": "none", "rotary_scaling_factor": 2.0}))
        out.append(("none_rsf16", 300, {"extend": "none", "rotary_scaling_factor": 16.0}))
    return out


def pcw_windows(n_content, per):
    if n_content <= per:
        return [(0, n_content)]
    k = -(-n_content // per)
    return [((n_content - per) if j == k - 1 else j * per, ((n_content - per) if j == k - 1 else j * per) + per)
            for j in range(k)]


def embed(name, cfg, sd, content, L, method, opts, normalize, dtype):
    ids = [CLS] + content[: L - 2] + [SEP]
    if method == "pcw" and L > LO:
        acc = None
        wins = pcw_windows(L - 2, LO - 2)
        for a, b in wins:
            w = [CLS] + content[a:b] + [SEP]
            hs = forward(name, cfg, sd, w, plan_for("none", len(w), opts), dtype)
            v = hs.mean(0)
            acc = v if acc is None else acc + v
        v = acc / len(wins)
    else:
        hs = forward(name, cfg, sd, ids, plan_for(method, L, opts), dtype)
        v = hs.mean(0)
    if normalize:
        v = F.normalize(v, dim=0)
    return v


def make_model(name, fixtures, content, with_f64):
    cfg = CONFIGS[name]
    gen = torch.Generator().manual_seed(SEED + sum(map(ord, name)))
    sd = random_weights(name, cfg, gen)
    d = os.path.join(fixtures, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    write_checkpoint(d, name, cfg, sd, ST_FILES[name])
    normalize = ST_FILES[name] is not False  # e5rope: no ST files → LongEmbed normalises
    cases = []
    for cname, L, opts in cases_for(name):
        method = opts["extend"]
        v32 = embed(name, cfg, sd, content, L, method, opts, normalize, torch.float32)
        row = {"name": cname, "length": L, "options": dict(opts, max_tokens=L),
               "expected": [float(x) for x in v32.numpy().astype(np.float32)]}
        if with_f64:
            v64 = embed(name, cfg, sd, content, L, method, opts, normalize, torch.float64)
            row["f64_diff"] = float((v32.double() - v64).abs().max())
        cases.append(row)
        print(f"{name} {cname:24s} L={L:5d}  f32 vs f64 {row.get('f64_diff', float('nan')):.2e}", flush=True)
    # methods must change the vectors (else the test would prove nothing)
    by = {(c["name"], c["length"]): np.array(c["expected"]) for c in cases}
    for (cname, L), v in by.items():
        if L > LO and cname in ("gp", "pi", "ntk", "yarn", "selfextend") and ("pcw", L) in by:
            assert np.abs(v - by[("pcw", L)]).max() > 1e-3, (name, cname, L)
    return {"model": name, "window": LO, "dir": f"tests/fixtures/{name}", "cases": cases}


def write_cases(path, obj):
    """JSON with the vectors as raw float32 reprs."""
    lines = ["{", f'  "model": {json.dumps(obj["model"])},', f'  "window": {obj["window"]},',
             f'  "dir": {json.dumps(obj["dir"])},', '  "cases": [']
    for i, c in enumerate(obj["cases"]):
        parts = [f'"name": {json.dumps(c["name"])}', f'"length": {c["length"]}',
                 f'"options": {json.dumps(c["options"], sort_keys=True)}']
        if "f64_diff" in c:
            parts.append(f'"f64_diff": {c["f64_diff"]:.3e}')
        parts.append('"expected": [' + ", ".join(f32s(x) for x in c["expected"]) + "]")
        lines.append("    {" + ", ".join(parts) + "}" + ("," if i + 1 < len(obj["cases"]) else ""))
    lines += ["  ]", "}"]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def make_bench_model(d):
    """A random E5-RoPE-Base-shaped checkpoint (12 layers, 768, 3072, vocab 30522)."""
    cfg = dict(CONFIGS["e5rope-tiny"], hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
               intermediate_size=3072, vocab_size=30522, embedding_size=768,
               _name_or_path="dwzhu/e5rope-base (random, bench)")
    gen = torch.Generator().manual_seed(SEED)
    sd = random_weights("e5rope-tiny", cfg, gen, scale=math.sqrt(64 / 768))
    write_checkpoint(d, "e5rope-tiny", cfg, sd, None)
    print(f"wrote {d}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixtures", default=os.path.join(ROOT, "tests", "fixtures"))
    ap.add_argument("--only", choices=list(CONFIGS))
    ap.add_argument("--no-f64", action="store_true", help="skip the float64 cross-check")
    ap.add_argument("--bench-model", metavar="DIR", help="write the bench checkpoint and exit")
    ap.add_argument("--reference", metavar="DIR", help="print one reference vector of the model in DIR")
    ap.add_argument("--arch", choices=list(CONFIGS), default="e5rope-tiny",
                    help="--reference: the architecture's semantics")
    ap.add_argument("--length", type=int, default=4096)
    ap.add_argument("--extend", default="selfextend")
    ap.add_argument("--se-group", type=int, default=0)
    ap.add_argument("--se-window", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.bench_model:
        make_bench_model(a.bench_model)
        return
    if a.reference:
        from safetensors.torch import load_file
        with open(os.path.join(a.reference, "config.json")) as f:
            cfg = json.load(f)
        sd = load_file(os.path.join(a.reference, "model.safetensors"))
        opts = {"extend": a.extend, "se_group": a.se_group, "se_window": a.se_window}
        v = embed(a.arch, cfg, sd, content_ids(a.length - 2), a.length, a.extend, opts,
                  ST_FILES[a.arch] is not False, torch.float32)
        print(json.dumps([float(x) for x in v.numpy()]))
        return
    content = content_ids(max(LENGTHS) - 2)
    rope_dir = os.path.join(a.fixtures, "rope")
    os.makedirs(rope_dir, exist_ok=True)
    with open(os.path.join(rope_dir, "ids.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(content) + "\n")
    for name in CONFIGS:
        if a.only and name != a.only:
            continue
        obj = make_model(name, a.fixtures, content, not a.no_f64)
        write_cases(os.path.join(rope_dir, f"{name}.json"), obj)


if __name__ == "__main__":
    sys.exit(main())
