#!/usr/bin/env python3
"""A random-weight checkpoint in BGE-M3's full shape, for memory and time measurements.

Writes OUT (default ~/.cache/longembed/bench/bge-m3-full) in the layout of BAAI/bge-m3:
  config.json          xlm-roberta: 24 layers, hidden 1024, 16 heads, intermediate 4096,
                       vocab 250002, max_position_embeddings 8194 (8192 positions after
                       padding_idx + 1), type_vocab_size 1, layer_norm_eps 1e-5
  model.safetensors    float32, the bare XLMRobertaModel tensor names (about 2.3 GB)
  sparse_linear.pt     torch.save of Linear(1024, 1).state_dict(), float16 (as BGE-M3's)
  colbert_linear.pt    torch.save of Linear(1024, 1024).state_dict(), float16
  tokenizer.json       a copy of tests/fixtures/xlmr-unigram/tokenizer.json (its ids are
                       < 3002; the benchmark feeds token ids drawn from the whole vocabulary)
  modules.json, 1_Pooling/config.json, sentence_bert_config.json (CLS pooling, Normalize,
                       as tools/make_m3_fixtures.py writes them)

The weights are normal(0, 0.02) (BERT's initializer range; LayerNorm 1 and 0), so
activations stay finite through 24 layers. The outputs mean nothing: the checkpoint
exists to measure the real shape's memory and time (bench/bench_m3_long.c). Never
commit it. The tensors are streamed one at a time into the safetensors file, so the
script needs little memory; numpy writes them, torch only the two .pt heads.
Deterministic (seed 16).

    python3 tools/make_bge_m3_full.py [--out DIR]
"""
import argparse
import json
import os
import shutil
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_m3_fixtures  # noqa: E402  (its sentence-transformers files)

H, LAYERS, HEADS, INTER, VOCAB, POS = 1024, 24, 16, 4096, 250002, 8194
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tensors():
    """(name, shape, kind) of every XLMRobertaModel tensor; kind: normal, one, zero."""
    e = "embeddings."
    yield e + "word_embeddings.weight", (VOCAB, H), "normal"
    yield e + "position_embeddings.weight", (POS, H), "normal"
    yield e + "token_type_embeddings.weight", (1, H), "normal"
    yield e + "LayerNorm.weight", (H,), "one"
    yield e + "LayerNorm.bias", (H,), "zero"
    for i in range(LAYERS):
        p = "encoder.layer.%d." % i
        for lin in ("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense"):
            yield p + lin + ".weight", (H, H), "normal"
            yield p + lin + ".bias", (H,), "zero"
        yield p + "attention.output.LayerNorm.weight", (H,), "one"
        yield p + "attention.output.LayerNorm.bias", (H,), "zero"
        yield p + "intermediate.dense.weight", (INTER, H), "normal"
        yield p + "intermediate.dense.bias", (INTER,), "zero"
        yield p + "output.dense.weight", (H, INTER), "normal"
        yield p + "output.dense.bias", (H,), "zero"
        yield p + "output.LayerNorm.weight", (H,), "one"
        yield p + "output.LayerNorm.bias", (H,), "zero"
    yield "pooler.dense.weight", (H, H), "normal"
    yield "pooler.dense.bias", (H,), "zero"


def write_safetensors(path, rng):
    """Header first (offsets known from the shapes), then each tensor as it is made."""
    header, off = {"__metadata__": {"format": "pt"}}, 0
    items = list(tensors())
    for name, shape, _ in items:
        n = int(np.prod(shape)) * 4
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [off, off + n]}
        off += n
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for name, shape, kind in items:
            if kind == "normal":
                t = rng.standard_normal(shape, dtype=np.float32) * np.float32(0.02)
            else:
                t = np.full(shape, 1.0 if kind == "one" else 0.0, dtype=np.float32)
            f.write(t.astype("<f4").tobytes())
    return off


def write_heads(out, rng):
    import torch

    for file, rows in (("sparse_linear.pt", 1), ("colbert_linear.pt", H)):
        lin = torch.nn.Linear(H, rows)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(rng.standard_normal((rows, H), dtype=np.float32) * 0.03))
            lin.bias.copy_(torch.from_numpy(rng.standard_normal((rows,), dtype=np.float32) * 0.01))
        torch.save(lin.half().state_dict(), os.path.join(out, file))


def write_config(out):
    cfg = {"architectures": ["XLMRobertaModel"], "attention_probs_dropout_prob": 0.0,
           "bos_token_id": 0, "eos_token_id": 2, "hidden_act": "gelu", "hidden_dropout_prob": 0.0,
           "hidden_size": H, "initializer_range": 0.02, "intermediate_size": INTER,
           "layer_norm_eps": 1e-05, "max_position_embeddings": POS, "model_type": "xlm-roberta",
           "num_attention_heads": HEADS, "num_hidden_layers": LAYERS, "pad_token_id": 1,
           "position_embedding_type": "absolute", "torch_dtype": "float32", "type_vocab_size": 1,
           "vocab_size": VOCAB, "_name_or_path": "bge-m3-full-random"}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    make_m3_fixtures.write_st_files(out, H)
    shutil.copyfile(os.path.join(ROOT, "tests/fixtures/xlmr-unigram/tokenizer.json"),
                    os.path.join(out, "tokenizer.json"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.expanduser("~/.cache/longembed/bench/bge-m3-full"))
    a = ap.parse_args()
    if os.path.realpath(a.out).startswith(os.path.realpath(ROOT) + os.sep):
        raise SystemExit("--out is inside the repository: the checkpoint must not be committed")
    os.makedirs(a.out, exist_ok=True)
    rng = np.random.default_rng(16)
    size = write_safetensors(os.path.join(a.out, "model.safetensors"), rng)
    write_heads(a.out, rng)
    write_config(a.out)
    print("%s: %.2f GB of float32 tensors, heads, config, tokenizer" % (a.out, size / 1e9))


if __name__ == "__main__":
    main()
