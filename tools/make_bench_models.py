#!/usr/bin/env python3
"""Write the random-weight models used by the long-input benchmark (never committed).

    HF_HUB_OFFLINE=1 python3 tools/make_bench_models.py [OUT_DIR]
        [--minilm-dir ~/.cache/longembed/models/minilm]

OUT_DIR defaults to /tmp/longembed-bench-models.  Writes OUT_DIR/bert-base-random/:

  * a BERT-base-shaped transformers.BertModel (12 layers, hidden 768, 12 heads, FFN 3072,
    512 positions, vocab 30522, type vocab 2, gelu, LayerNorm eps 1e-12, with pooler),
    saved with save_pretrained (model.safetensors, float32, ~438 MB);
  * the all-MiniLM-L6-v2 tokenizer files copied in (tokenizer.json, vocab.txt,
    tokenizer_config.json, special_tokens_map.json) -- the same uncased BERT vocabulary;
  * the sentence-transformers layout: modules.json (Transformer, Pooling, Normalize),
    1_Pooling/config.json with MEAN pooling, sentence_bert_config.json (max_seq_length 512).

Weights are deterministic (torch.Generator seeded with SEED, parameters in name order):
weight matrices and embedding tables N(0, 0.02) (BERT's initializer_range), biases and
LayerNorm betas N(0, 0.01), LayerNorm gammas 1 + N(0, 0.05).  Nonzero biases/betas keep
every code path busy; the values only matter for speed in that they are ordinary normal
floats (no denormals, no zeros).  Re-running gives a byte-identical model.safetensors (its
SHA-256 is printed).  Only the speed and memory of this model mean anything.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402

SEED = 20240602
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json")


def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def init_weights(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if name.endswith("LayerNorm.weight"):
                p.copy_(1.0 + 0.05 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.01 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.02 * torch.randn(p.shape, generator=g))


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def make_bert_base(out_root, minilm_dir):
    from transformers import BertConfig, BertModel
    d = os.path.join(out_root, "bert-base-random")
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    cfg = BertConfig(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                     intermediate_size=3072, max_position_embeddings=512, type_vocab_size=2, hidden_act="gelu",
                     layer_norm_eps=1e-12, pad_token_id=0, initializer_range=0.02,
                     hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    torch.manual_seed(SEED)
    model = BertModel(cfg)
    init_weights(model, SEED)
    model.eval()
    model.save_pretrained(d, safe_serialization=True)
    with open(os.path.join(d, "config.json"), encoding="utf-8") as f:
        c = json.load(f)
    out = {"_name_or_path": "longembed/bert-base-random"}
    out.update(c)
    write_json(os.path.join(d, "config.json"), out)
    for fn in TOKENIZER_FILES:
        shutil.copyfile(os.path.join(minilm_dir, fn), os.path.join(d, fn))
    write_json(os.path.join(d, "modules.json"), [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    os.makedirs(os.path.join(d, "1_Pooling"))
    write_json(os.path.join(d, "1_Pooling", "config.json"), {
        "word_embedding_dimension": 768,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    })
    write_json(os.path.join(d, "sentence_bert_config.json"), {"max_seq_length": 512, "do_lower_case": False})
    n_params = sum(p.numel() for p in model.parameters())

    # check: it loads back and gives a finite, normalised mean-pooled vector (with
    # sentence-transformers when it is installed, else with transformers alone, as in
    # the bench venv)
    texts = ["The quick brown fox jumps over the lazy dog.", "A completely different sentence."]
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        SentenceTransformer = None
    if SentenceTransformer is not None:
        st = SentenceTransformer(d, device="cpu")
        assert st[1].pooling_mode == "mean" and st.max_seq_length == 512
        e = torch.from_numpy(st.encode(texts, convert_to_numpy=True, show_progress_bar=False))
    else:
        from transformers import AutoModel, AutoTokenizer
        tok, back = AutoTokenizer.from_pretrained(d), AutoModel.from_pretrained(d).eval()
        batch = tok(texts, padding=True, return_tensors="pt")
        with torch.inference_mode():
            h = back(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(h.dtype)
        e = torch.nn.functional.normalize((h * mask).sum(1) / mask.sum(1), dim=-1)
    assert e.shape == (2, 768) and abs(float((e[0] ** 2).sum()) - 1.0) < 1e-4
    print(f"  {d}: {n_params / 1e6:.1f} M parameters, cosine of two texts {float(e[0] @ e[1]):.4f}")
    print(f"  model.safetensors sha256 {sha256(os.path.join(d, 'model.safetensors'))} "
          f"({os.path.getsize(os.path.join(d, 'model.safetensors')) / 1e6:.1f} MB)")
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?", default="/tmp/longembed-bench-models")
    ap.add_argument("--minilm-dir", default=os.path.expanduser("~/.cache/longembed/models/minilm"))
    args = ap.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if os.path.abspath(args.out).startswith(repo + os.sep):
        sys.exit("refusing to write benchmark models inside the repository")
    torch.set_num_threads(2)
    os.makedirs(args.out, exist_ok=True)
    make_bert_base(args.out, args.minilm_dir)


if __name__ == "__main__":
    main()
