#!/usr/bin/env python3
"""A random-weight BGE-M3-shaped checkpoint and the outputs the engine must match.

Writes tests/fixtures/bge-m3-tiny/ in the layout of BAAI/bge-m3:
  config.json           model_type "xlm-roberta", 2 layers, hidden 32, 4 heads,
                        max_position_embeddings 8194 (8192 positions after padding_idx + 1),
                        type_vocab_size 1, layer_norm_eps 1e-5, pad_token_id 1
  model.safetensors     the bare XLMRobertaModel tensors (no "roberta." prefix), float32
  tokenizer.json        a symlink to ../xlmr-unigram/tokenizer.json (tools/make_unigram_fixtures.py)
  modules.json, 1_Pooling/config.json, sentence_bert_config.json
                        CLS pooling + Normalize, max_seq_length 8192, as BGE-M3 has them
  sparse_linear.pt      torch.save of Linear(32, 1).state_dict(), float16 (BGE-M3's are fp16)
  colbert_linear.pt     torch.save of Linear(32, 32).state_dict(), float16
  expected.json         {"texts": [{"text", "ids", "dense", "lexical_weights", "colbert_vecs"
                        (all of them for short texts; "colbert_head"/"colbert_tail", the
                        first and last 8, for long ones), "n_colbert"}], "pairs": [{"q", "p",
                        "dense", "sparse", "colbert", "sparse+dense", "colbert+sparse+dense",
                        "weights"}]}

The reference is transformers' XLMRobertaModel (float32, CPU, one thread) with
FlagEmbedding's M3 post-processing re-implemented here, because the FlagEmbedding
package (PyPI FlagEmbedding 1.4.2) pulls in datasets, accelerate, peft,
sentence-transformers and ir-datasets. What it computes, read from FlagEmbedding's
inference/embedder/encoder_only/m3.py and finetune/embedder/encoder_only/m3/modeling.py:
  dense    normalize(last_hidden_state[:, 0])                    (pooling "cls")
  sparse   relu(sparse_linear(h)) per token; per token id the maximum; the ids of
           <s>, </s>, <pad>, <unk> dropped, and weights <= 0   (_process_token_weights)
  colbert  normalize(colbert_linear(h[:, 1:]) * mask[:, 1:]); the first n_tokens - 1
           kept (every token after <s>, </s> included)          (_process_colbert_vecs)
  scores   dense q·p; sparse sum over shared ids of w_q·w_p; colbert: the mean over the
           query's vectors of the best dot product with the passage's; compute_score's
           "sparse+dense" = (w1·s + w0·d)/(w1 + w0) and "colbert+sparse+dense" =
           (w2·c + w1·s + w0·d)/(w0 + w1 + w2), weights [1, 1, 1] by default. Each pair is
           scored alone (no padding inside a batch).

Deterministic (fixed seeds, one thread): two runs give identical files.

    python3 tools/make_m3_fixtures.py [--out tests/fixtures/bge-m3-tiny]
"""
import argparse
import json
import os
import random
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_unigram_fixtures as uf  # noqa: E402

HIDDEN, LAYERS, HEADS, INTER = 32, 2, 4, 64
SPECIAL = {0, 1, 2, 3}  # <s>, <pad>, </s>, <unk>
KEEP_EDGE = 8


def config(vocab):
    return {
        "architectures": ["XLMRobertaModel"],
        "attention_probs_dropout_prob": 0.0,
        "bos_token_id": 0,
        "classifier_dropout": None,
        "eos_token_id": 2,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "hidden_size": HIDDEN,
        "initializer_range": 0.02,
        "intermediate_size": INTER,
        "layer_norm_eps": 1e-05,
        "max_position_embeddings": 8194,
        "model_type": "xlm-roberta",
        "num_attention_heads": HEADS,
        "num_hidden_layers": LAYERS,
        "output_past": True,
        "pad_token_id": 1,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
        "type_vocab_size": 1,
        "use_cache": True,
        "vocab_size": vocab,
    }


def random_weights(model, gen):
    """Wide enough that positions, heads and layers all move the outputs."""
    sd = {}
    for name, t in model.state_dict().items():
        if name.endswith("LayerNorm.weight"):
            v = 1 + torch.randn(t.shape, generator=gen, dtype=torch.float64) * 0.1
        elif name.endswith(".bias"):
            v = torch.randn(t.shape, generator=gen, dtype=torch.float64) * 0.05
        elif "embeddings" in name:
            v = torch.randn(t.shape, generator=gen, dtype=torch.float64) * 0.5
        elif ".query." in name or ".key." in name:
            v = torch.randn(t.shape, generator=gen, dtype=torch.float64) * 0.4
        else:
            v = torch.randn(t.shape, generator=gen, dtype=torch.float64) * 0.2
        sd[name] = v.float()
    model.load_state_dict(sd)
    return sd


def texts(tok):
    rng = random.Random(3)
    short = [
        "What is BGE M3?",
        "Defination of BM25",
        "BGE M3 is an embedding model supporting dense retrieval, lexical matching and "
        "multi-vector interaction.",
        "BM25 is a bag-of-words retrieval function that ranks a set of documents based on "
        "the query terms appearing in each document",
        "长文本的嵌入需要特别的方法。",
        "Москва — столица России.",
        "ภาษาไทยไม่มีการเว้นวรรค",
        "x",
    ]
    out = list(short)
    for target in (500, 8000):
        line = ""
        while len(tok.encode(line).ids) < target:
            line += (" " if line else "") + uf.random_line(rng).replace("\n", " ")
        out.append(line)
    return out


def m3_outputs(model, sparse, colbert, ids):
    with torch.no_grad():
        x = torch.tensor([ids])
        h = model(input_ids=x, attention_mask=torch.ones_like(x)).last_hidden_state[0]
        return m3_from_hidden(h, ids, sparse, colbert)


def pi_hidden(model, ids, window):
    """The engine's PI on a learned table past the window (docs/extension-methods.md):
    s = ceil(L / Lo); token t takes position t / s between the rows floor(t / s) and the
    next (fraction (t mod s) / s), clamped to the last row; the rows counted after
    padding_idx + 1; attention logits x ln(L) / ln(Lo)."""
    import math

    n = len(ids)
    s = -(-n // window)
    emb = model.embeddings
    rows, frac = [], []
    for t in range(n):
        i = t // s
        rows.append(min(i, window - 1))
        frac.append(0.0 if i >= window - 1 else (t - i * s) / s)
    off = 2  # padding_idx + 1
    r = torch.tensor(rows) + off
    f = torch.tensor(frac, dtype=torch.float32)[:, None]
    table = emb.position_embeddings.weight
    pos = (1.0 - f) * table[r] + f * table[torch.clamp(r + 1, max=table.shape[0] - 1)]
    x = (emb.word_embeddings.weight[torch.tensor(ids)] + pos) + emb.token_type_embeddings.weight[0]
    h = emb.LayerNorm(x)[None]
    factor = max(1.0, math.log(n) / math.log(window))
    for layer in model.encoder.layer:
        layer.attention.self.scaling = layer.attention.self.attention_head_size ** -0.5 * factor
    out = model.encoder(h).last_hidden_state[0]
    for layer in model.encoder.layer:
        layer.attention.self.scaling = layer.attention.self.attention_head_size ** -0.5
    return out


def m3_from_hidden(h, ids, sparse, colbert):
    dense = torch.nn.functional.normalize(h[0], dim=-1)
    w = torch.relu(sparse(h)).squeeze(-1)
    lex = {}
    for wi, i in zip(w.tolist(), ids):
        if i not in SPECIAL and wi > 0 and wi > lex.get(str(i), 0):
            lex[str(i)] = wi
    cv = torch.nn.functional.normalize(colbert(h[1:]), dim=-1)[: len(ids) - 1]
    return dense, lex, cv


def scores(q, p, weights):
    d = float(q["dense_t"] @ p["dense_t"])
    s = sum(w * p["lex"][k] for k, w in q["lex"].items() if k in p["lex"])
    c = float((q["colbert_t"] @ p["colbert_t"].T).max(dim=1).values.sum() / q["colbert_t"].shape[0])
    w0, w1, w2 = weights
    return {
        "dense": d,
        "sparse": s,
        "colbert": c,
        "sparse+dense": (w1 * s + w0 * d) / (w1 + w0),
        "colbert+sparse+dense": (w2 * c + w1 * s + w0 * d) / (w0 + w1 + w2),
        "weights": list(weights),
    }


def write_st_files(out, hidden):
    """BGE-M3's sentence-transformers files: CLS pooling, Normalize, 8192 tokens."""
    os.makedirs(os.path.join(out, "1_Pooling"), exist_ok=True)
    with open(os.path.join(out, "1_Pooling", "config.json"), "w") as f:
        json.dump({"word_embedding_dimension": hidden, "pooling_mode_cls_token": True,
                   "pooling_mode_mean_tokens": False, "pooling_mode_max_tokens": False,
                   "pooling_mode_mean_sqrt_len_tokens": False}, f, indent=2)
    with open(os.path.join(out, "modules.json"), "w") as f:
        json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                   {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                   {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
                  f, indent=2)
    with open(os.path.join(out, "sentence_bert_config.json"), "w") as f:
        json.dump({"max_seq_length": 8192, "do_lower_case": False}, f, indent=2)


def write_checkpoint(out, model, gen, vocab):
    from safetensors.torch import save_file

    sd = random_weights(model, gen)
    save_file({k: v.contiguous() for k, v in sd.items()}, os.path.join(out, "model.safetensors"),
              metadata={"format": "pt"})
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config(vocab), f, indent=2)
    write_st_files(out, HIDDEN)
    link = os.path.join(out, "tokenizer.json")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink("../xlmr-unigram/tokenizer.json", link)


def heads(out, gen):
    sparse = torch.nn.Linear(HIDDEN, 1)
    colbert = torch.nn.Linear(HIDDEN, HIDDEN)
    for lin, std in ((sparse, 0.5), (colbert, 0.3)):
        with torch.no_grad():
            lin.weight.copy_((torch.randn(lin.weight.shape, generator=gen, dtype=torch.float64) * std).half().float())
            lin.bias.copy_((torch.randn(lin.bias.shape, generator=gen, dtype=torch.float64) * 0.1).half().float())
    torch.save(sparse.half().state_dict(), os.path.join(out, "sparse_linear.pt"))
    torch.save(colbert.half().state_dict(), os.path.join(out, "colbert_linear.pt"))
    return sparse.float(), colbert.float()


def pt_cases(out):
    """Small torch.save files for the .pt reader's tests (bge-m3-tiny-pt/): good ones with
    known values, and objects it must refuse."""
    import collections
    import io
    import zipfile

    os.makedirs(out, exist_ok=True)
    a = torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5 - 1
    good = collections.OrderedDict(
        a=a, b=torch.tensor([1e-8, -2.5, 65504.0]),
        h=torch.tensor([6e-8, -1.5, 65504.0, 0.333251953125]).half(),
        g=torch.tensor([1.0, -3.140625, 1e30]).bfloat16(),
        s=torch.arange(12, dtype=torch.float32)[4:10].reshape(3, 2))  # a view: offset 4
    torch.save(good, os.path.join(out, "good.pt"))
    torch.manual_seed(0)  # the module's own random init
    torch.save(torch.nn.Linear(2, 2), os.path.join(out, "module.pt"))
    torch.save({"w": torch.nn.Parameter(a)}, os.path.join(out, "parameter.pt"))
    torch.save({"w": a, "n": 3}, os.path.join(out, "int_value.pt"))
    torch.save({"w": a.t()}, os.path.join(out, "transposed.pt"))
    torch.save({"w": torch.arange(4, dtype=torch.int64)}, os.path.join(out, "int64.pt"))
    # a pickle that would run os.system("echo pwned") if it were unpickled
    buf = io.BytesIO()
    torch.save({"w": a}, buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(os.path.join(out, "exploit.pt"), "w", zipfile.ZIP_STORED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith("data.pkl"):
                data = b"\x80\x02cos\nsystem\nX\x0b\x00\x00\x00echo pwnedq\x00\x85R."
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            z.writestr(zi, data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="tests/fixtures/bge-m3-tiny")
    ap.add_argument("--tokenizer", default="tests/fixtures/xlmr-unigram/tokenizer.json")
    args = ap.parse_args()
    torch.set_num_threads(1)
    from tokenizers import Tokenizer
    from transformers import XLMRobertaConfig, XLMRobertaModel

    tok = Tokenizer.from_file(args.tokenizer)
    vocab = tok.get_vocab_size()
    os.makedirs(args.out, exist_ok=True)
    gen = torch.Generator().manual_seed(1616)
    model = XLMRobertaModel(XLMRobertaConfig(**config(vocab)), add_pooling_layer=True).eval()
    write_checkpoint(args.out, model, gen, vocab)
    sparse, colbert = heads(args.out, gen)
    pt_cases(args.out.rstrip("/") + "-pt")

    rows, keep = [], []
    for text in texts(tok):
        ids = tok.encode(text).ids
        dense, lex, cv = m3_outputs(model, sparse, colbert, ids)
        row = {"text": text, "ids": ids, "dense": dense.tolist(), "lexical_weights": lex,
               "n_colbert": cv.shape[0]}
        if cv.shape[0] <= 64:
            row["colbert_vecs"] = cv.tolist()
        else:
            row["colbert_head"] = cv[:KEEP_EDGE].tolist()
            row["colbert_tail"] = cv[-KEEP_EDGE:].tolist()
        rows.append(row)
        keep.append({"dense_t": dense, "lex": lex, "colbert_t": cv})
    pairs = []
    for qi, pi in ((0, 2), (0, 3), (1, 2), (1, 3), (4, 5), (0, 8), (6, 9)):
        for weights in ((1.0, 1.0, 1.0), (0.4, 0.2, 0.4)):
            sc = scores(keep[qi], keep[pi], weights)
            pairs.append({"q": qi, "p": pi, **sc})
    rng = random.Random(5)
    line = ""
    while len(tok.encode(line).ids) < 16000:
        line += (" " if line else "") + uf.random_line(rng).replace("\n", " ")
    ids = tok.encode(line).ids
    with torch.no_grad():
        dense, lex, cv = m3_from_hidden(pi_hidden(model, ids, 8192), ids, sparse, colbert)
        # the same path at the window reproduces transformers' own forward
        same = pi_hidden(model, rows[8]["ids"], 8192)
        ref = model(input_ids=torch.tensor([rows[8]["ids"]])).last_hidden_state[0]
        assert float((same - ref).abs().max()) < 1e-5
    extend = [{"method": "pi", "text": line, "ids": ids, "dense": dense.tolist(),
               "lexical_weights": lex, "n_colbert": cv.shape[0],
               "colbert_head": cv[:KEEP_EDGE].tolist(), "colbert_tail": cv[-KEEP_EDGE:].tolist()}]
    with open(os.path.join(args.out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"texts": rows, "pairs": pairs, "extend": extend}, f, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
