#!/usr/bin/env python3
"""Generate the committed parity fixtures in tests/fixtures/ (see tests/fixtures/README.md).

Usage (from the repository root; needs torch, transformers, sentence-transformers,
tokenizers, safetensors, numpy; no network):

    HF_HUB_OFFLINE=1 python3 tools/make_fixtures.py
        [--model-dir ~/.cache/longembed/models/minilm]   # all-MiniLM-L6-v2, ST layout
        [--out tests/fixtures]
        [--only minilm|tiny]                              # default: both

What it writes (all under --out):

    minilm/tokens.jsonl                  {"text", "ids"} for every text in tools/fixture_texts.py
    minilm/embeddings.jsonl              {"text", "tokens", "ids", "embedding"} (>= 60 texts, max_seq_length 512)
    minilm/embeddings_truncated256.jsonl the same for 10 texts > 256 tokens at the default max_seq_length 256
    bert-cased-tiny/                     random-weight cased BERT in HF + sentence-transformers layout
    bert-cased-tiny-prefixed/            the same weights with "bert." tensor names (+ an MLM head)
    bert-cased-tiny/tokens.jsonl         tokens for every fixture text with the tiny cased tokenizer
    bert-cased-tiny/embeddings.jsonl     CLS pooling + Normalize embeddings (>= 60 texts)

Reference semantics
  * ids come from tokenizers.Tokenizer.from_file(tokenizer.json) with no_truncation() and
    no_padding(), special tokens included ([CLS] ... [SEP]).  The minilm tokenizer.json
    declares truncation 128 / padding 128; those settings are disabled for the reference.
    AutoTokenizer (transformers' tokenizers-backed "fast" class) must give identical ids
    (checked, the script fails otherwise); the pure-Python BertTokenizerLegacy ("slow") is
    compared for information only and its differences are printed and recorded in
    <model>/tokenizer_crosscheck.json.
  * Embeddings come from SentenceTransformer(dir, device="cpu").encode(text, batch_size=1)
    in fp32 with torch.set_num_threads(1): one text per batch, so there is no padding.
    Every embedding is also recomputed by hand (AutoModel forward + pooling + L2 norm)
    and the max abs difference is printed.
  * Whitespace stripping: sentence-transformers 2.x-5.x stripped leading/trailing
    whitespace before tokenizing; 6.x no longer does.  For these tokenizers it makes no
    difference: BertNormalizer maps every whitespace character to ' ' (or drops it as a
    control character) and BertPreTokenizer drops whitespace, so ids(text) ==
    ids(text.strip()) for every fixture text.  The script asserts this.
  * Floats are written as the shortest decimal string that round-trips the float32
    value (numpy's repr of np.float32), as JSON numbers; parse as double, cast to float.

Idempotent: fixed seeds, one thread, deterministic text list; re-running gives
byte-identical files on the same library versions (the tiny tokenizer's WordPiece
training is checked for determinism by training twice).
"""

import argparse
import json
import os
import shutil
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_texts as FT  # noqa: E402

SEED = 20240601
TINY_VOCAB_SIZE = 3000
TINY_WEIGHT_STD = 0.2      # all weight matrices and embedding tables: N(0, 0.2)
TINY_BIAS_STD = 0.1        # all biases (incl. LayerNorm beta): N(0, 0.1)
TINY_LN_GAMMA_STD = 0.1    # LayerNorm gamma: 1 + N(0, 0.1)

# Texts never shown to the tiny tokenizer's trainer, so that characters missing from the
# cased vocabulary (and therefore whole-word [UNK]) are exercised.  They are appended to
# the tiny model's tokens.jsonl only.
TINY_HELD_OUT = [
    "Linear B 𐀀𐀁 is unknown",
    "Gothic 𐌰𐌱𐌲 and cuneiform 𒀀 and hieroglyph 𓀀",
    "known𐌰word and 𐌰 alone",
    "Runes ᚠᚢᚦ and Ogham ᚁᚂ",
    "Braille ⠓⠑⠇⠇⠕ pattern",
]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def f32s(v):
    """Shortest round-tripping decimal for a float32."""
    s = str(np.float32(v))
    assert np.float32(float(s)) == np.float32(v), (s, v)
    assert s not in ("nan", "inf", "-inf")
    return s


def write_jsonl(path, rows):
    """rows: list of dicts; 'embedding' values are lists of np.float32 and written raw."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            parts = []
            for k, v in r.items():
                if k == "embedding":
                    parts.append(json.dumps(k) + ": [" + ", ".join(f32s(x) for x in v) + "]")
                else:
                    parts.append(json.dumps(k) + ": " + json.dumps(v, ensure_ascii=False))
            f.write("{" + ", ".join(parts) + "}\n")
    print(f"  wrote {path} ({len(rows)} rows, {os.path.getsize(path) / 1024:.0f} KiB)")


def load_ref_tokenizer(path):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(path)
    tok.no_truncation()
    tok.no_padding()
    return tok


def ref_ids(tok, text):
    return tok.encode(text, add_special_tokens=True).ids


def crosscheck(name, tok, model_dir, texts, slow_kwargs):
    """Compare reference ids with AutoTokenizer (fast) and BertTokenizerLegacy (slow)."""
    from transformers import AutoTokenizer, BertTokenizerLegacy
    fast = AutoTokenizer.from_pretrained(model_dir)
    slow = BertTokenizerLegacy(vocab_file=os.path.join(model_dir, "vocab.txt"), **slow_kwargs)
    fast_diff, slow_diff = [], []
    for t in texts:
        ref = ref_ids(tok, t)
        f = fast(t, add_special_tokens=True, truncation=False, padding=False)["input_ids"]
        s = slow(t, add_special_tokens=True, truncation=False, padding=False)["input_ids"]
        if f != ref:
            fast_diff.append({"text": t, "ref": ref, "fast": f})
        if s != ref:
            slow_diff.append({"text": t, "ref": ref, "slow": s})
        # whitespace stripping (old sentence-transformers behaviour) changes nothing
        assert ref_ids(tok, t.strip()) == ref, f"strip() changes ids for {t!r}"
    print(f"  [{name}] AutoTokenizer ({type(fast).__name__}, fast) differs on {len(fast_diff)}/{len(texts)} texts; "
          f"BertTokenizerLegacy (slow) differs on {len(slow_diff)}/{len(texts)}")
    for d in slow_diff:
        print(f"    slow differs: {d['text'][:60]!r}")
    return fast_diff, slow_diff


def texts_with_token_count(tok, words, targets, min_start=0):
    """For each target total length T (incl. [CLS]/[SEP]) find an essay word window
    whose ids have exactly T entries.  Deterministic: scans start offsets in order."""
    out = []
    for i, T in enumerate(targets):
        start = min_start + 1500 * i
        while True:
            w = max(1, int((T - 2) * 0.6))
            n = len(ref_ids(tok, " ".join(words[start:start + w])))
            while n >= T and w > 1:
                w -= 1
                n = len(ref_ids(tok, " ".join(words[start:start + w])))
            while n < T:
                w += 1
                n = len(ref_ids(tok, " ".join(words[start:start + w])))
            if n == T:
                out.append(" ".join(words[start:start + w]))
                break
            start += 1
    return out


def st_embed_rows(model, texts, expect_max):
    """Encode each text alone with sentence-transformers; also recompute by hand."""
    rows = []
    hf = model[0].auto_model
    pooling = model[1]
    maxdiff = 0.0
    for t in texts:
        feats = model.preprocess([t])
        ids = feats["input_ids"][0].tolist()
        assert len(ids) <= expect_max
        emb = model.encode([t], batch_size=1, convert_to_numpy=True, show_progress_bar=False)[0]
        assert emb.dtype == np.float32 and emb.shape == (model.get_embedding_dimension(),)
        # manual recomputation: HF forward + pooling + L2 normalisation
        with torch.inference_mode():
            ii = torch.tensor([ids])
            out = hf(input_ids=ii, attention_mask=torch.ones_like(ii), token_type_ids=torch.zeros_like(ii))
            h = out.last_hidden_state[0]
            if pooling.pooling_mode == "cls":
                v = h[0]
            else:
                assert pooling.pooling_mode == "mean"
                v = h.mean(0)
            v = torch.nn.functional.normalize(v, dim=0)
        maxdiff = max(maxdiff, float(np.abs(v.numpy() - emb).max()))
        rows.append({"text": t, "tokens": len(ids), "ids": ids, "embedding": emb})
    print(f"  manual forward vs sentence-transformers: max |diff| = {maxdiff:.3g}")
    assert maxdiff < 1e-5
    return rows


def dedup(seq):
    seen, out = set(), []
    for x in seq:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


# ---------------------------------------------------------------------------
# all-MiniLM-L6-v2
# ---------------------------------------------------------------------------

def make_minilm(model_dir, out_dir):
    from sentence_transformers import SentenceTransformer
    print("== minilm:", model_dir)
    od = os.path.join(out_dir, "minilm")
    os.makedirs(od, exist_ok=True)
    tok = load_ref_tokenizer(os.path.join(model_dir, "tokenizer.json"))
    texts = FT.texts()

    # (a) tokens
    write_jsonl(os.path.join(od, "tokens.jsonl"), [{"text": t, "ids": ref_ids(tok, t)} for t in texts])
    fast_diff, slow_diff = crosscheck("minilm", tok, model_dir, texts,
                                      dict(do_lower_case=True, tokenize_chinese_chars=True, strip_accents=None))
    assert not fast_diff, "AutoTokenizer (fast) disagrees with tokenizer.json"
    with open(os.path.join(od, "tokenizer_crosscheck.json"), "w", encoding="utf-8") as f:
        json.dump({"texts": len(texts), "fast_differences": fast_diff, "slow_differences": slow_diff},
                  f, ensure_ascii=False, indent=1)
        f.write("\n")

    # (b) embeddings with max_seq_length 512
    words = FT.essay_words()
    exact = texts_with_token_count(tok, words, [48, 100, 160, 256, 257, 300, 333, 380, 420, 470, 500, 511, 512],
                                   min_start=2000)
    emb_texts = dedup(FT.EMBED_SHORT + FT.EMBED_HARD + exact)
    assert "" not in emb_texts
    torch.manual_seed(SEED)
    model = SentenceTransformer(model_dir, device="cpu")
    model.eval()
    assert model.max_seq_length == 256
    model.max_seq_length = 512
    rows = st_embed_rows(model, emb_texts, 512)
    for r in rows:
        assert r["ids"] == ref_ids(tok, r["text"]), r["text"]
    write_jsonl(os.path.join(od, "embeddings.jsonl"), rows)

    # (b') 10 texts > 256 tokens at the default max_seq_length 256
    long_fixture = [t for t in texts if len(ref_ids(tok, t)) > 512]
    trunc_texts = long_fixture[:4]
    trunc_texts += texts_with_token_count(tok, words, [257, 258, 300], min_start=60000)
    trunc_texts.append("中文测试我爱北京天安门这是一个句子" * 20)          # 340 CJK chars
    trunc_texts.append(("naïve café 😀 İstanbul [MASK] Ｈｅｌｌｏ ﬁnance " * 30).strip())
    # a text whose 254th content token is followed by a "##" continuation, so the cut
    # falls inside a word
    start = 70000
    while True:
        cand = " ".join(words[start:start + 300])
        enc = tok.encode(cand)
        if len(enc.ids) > 256 and enc.tokens[255].startswith("##"):
            break
        start += 1
    trunc_texts.append(cand)
    assert len(trunc_texts) == 10 and all(len(ref_ids(tok, t)) > 256 for t in trunc_texts)
    model256 = SentenceTransformer(model_dir, device="cpu")
    model256.eval()
    assert model256.max_seq_length == 256
    rows = st_embed_rows(model256, trunc_texts, 256)
    for r in rows:
        assert r["tokens"] == 256
        full = ref_ids(tok, r["text"])
        assert r["ids"] == full[:255] + [full[-1]], "truncation is not first 254 content tokens + specials"
    write_jsonl(os.path.join(od, "embeddings_truncated256.jsonl"), rows)
    return {"tokens": len(texts), "embeddings": len(emb_texts), "truncated": len(trunc_texts),
            "fast_diff": len(fast_diff), "slow_diff": len(slow_diff)}


# ---------------------------------------------------------------------------
# tiny cased BERT
# ---------------------------------------------------------------------------

def build_tiny_tokenizer():
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors, trainers
    from tokenizers.models import WordPiece
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(WordPiece(unk_token="[UNK]", continuing_subword_prefix="##", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True,
                                                strip_accents=False, lowercase=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix="##")
    trainer = trainers.WordPieceTrainer(vocab_size=TINY_VOCAB_SIZE, min_frequency=2, special_tokens=specials,
                                        continuing_subword_prefix="##", show_progress=False)
    corpus = [p for p in FT.essay_text().split("\n") if p.strip()] + FT.texts()
    tok.train_from_iterator(corpus, trainer=trainer)
    # The trained *set* of tokens is deterministic, but the ids of the "##c" alphabet and of
    # the merged tokens depend on Rust HashMap iteration order (random per run).  Re-number
    # canonically: specials, single characters (code point order), "##" + single character,
    # then the merged tokens by (length, string).  WordPiece lookup only depends on the set.
    trained = tok.get_vocab()
    rest = [t for t in trained if t not in specials]
    singles = sorted(t for t in rest if len(t) == 1)
    cont = sorted(t for t in rest if len(t) == 3 and t.startswith("##"))
    merged = sorted((t for t in rest if t not in set(singles) | set(cont)), key=lambda t: (len(t), t))
    order = specials + singles + cont + merged
    assert len(order) == len(trained) == len(set(order))
    tok.model = WordPiece({t: i for i, t in enumerate(order)}, unk_token="[UNK]",
                          continuing_subword_prefix="##", max_input_chars_per_word=100)
    for i, s in enumerate(specials):
        assert tok.token_to_id(s) == i, (s, tok.token_to_id(s))
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tok.no_truncation()
    tok.no_padding()
    return tok


def init_tiny_weights(model):
    g = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if name.endswith("LayerNorm.weight"):
                p.copy_(1.0 + TINY_LN_GAMMA_STD * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(TINY_BIAS_STD * torch.randn(p.shape, generator=g))
            else:
                p.copy_(TINY_WEIGHT_STD * torch.randn(p.shape, generator=g))


def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def write_st_files(d, dim):
    write_json(os.path.join(d, "modules.json"), [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    os.makedirs(os.path.join(d, "1_Pooling"), exist_ok=True)
    write_json(os.path.join(d, "1_Pooling", "config.json"), {
        "word_embedding_dimension": dim,
        "pooling_mode_cls_token": True,
        "pooling_mode_mean_tokens": False,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    })
    write_json(os.path.join(d, "sentence_bert_config.json"), {"max_seq_length": 512, "do_lower_case": False})


def write_tokenizer_files(d, tok):
    tok.save(os.path.join(d, "tokenizer.json"))
    vocab = tok.get_vocab()
    inv = sorted(vocab.items(), key=lambda kv: kv[1])
    assert [i for _, i in inv] == list(range(len(inv)))
    with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8", newline="\n") as f:
        for t, _ in inv:
            assert "\n" not in t and "\r" not in t
            f.write(t + "\n")
    write_json(os.path.join(d, "tokenizer_config.json"), {
        "tokenizer_class": "BertTokenizer", "do_lower_case": False, "strip_accents": False,
        "tokenize_chinese_chars": True, "model_max_length": 512,
        "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]",
    })
    write_json(os.path.join(d, "special_tokens_map.json"), {
        "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]",
    })


def make_tiny(out_dir):
    from safetensors.torch import load_file, save_file
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel
    print("== bert-cased-tiny")
    d = os.path.join(out_dir, "bert-cased-tiny")
    dp = os.path.join(out_dir, "bert-cased-tiny-prefixed")
    for x in (d, dp):
        if os.path.isdir(x):
            shutil.rmtree(x)
        os.makedirs(x)

    tok = build_tiny_tokenizer()
    for _ in range(2):
        assert build_tiny_tokenizer().to_str() == tok.to_str(), "WordPiece training is not deterministic"
    print(f"  tokenizer: vocab {tok.get_vocab_size()}")

    torch.manual_seed(SEED)
    cfg = BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=128, max_position_embeddings=512, type_vocab_size=2, hidden_act="gelu",
                     layer_norm_eps=1e-12, pad_token_id=0, initializer_range=0.02,
                     hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertModel(cfg)
    init_tiny_weights(model)
    model.eval()
    model.save_pretrained(d, safe_serialization=True)
    write_tokenizer_files(d, tok)
    write_st_files(d, 64)

    # prefixed copy: BertForMaskedLM-style names ("bert." + name) plus an MLM head
    # (cls.predictions.*) that an embedding loader must ignore
    sd = load_file(os.path.join(d, "model.safetensors"))
    g = torch.Generator().manual_seed(SEED + 1)
    pref = {"bert." + k: v.contiguous() for k, v in sd.items()}
    pref["cls.predictions.bias"] = TINY_BIAS_STD * torch.randn(cfg.vocab_size, generator=g)
    pref["cls.predictions.transform.dense.weight"] = TINY_WEIGHT_STD * torch.randn(64, 64, generator=g)
    pref["cls.predictions.transform.dense.bias"] = TINY_BIAS_STD * torch.randn(64, generator=g)
    pref["cls.predictions.transform.LayerNorm.weight"] = 1.0 + TINY_LN_GAMMA_STD * torch.randn(64, generator=g)
    pref["cls.predictions.transform.LayerNorm.bias"] = TINY_BIAS_STD * torch.randn(64, generator=g)
    save_file(dict(sorted(pref.items())), os.path.join(dp, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(d, "config.json"), encoding="utf-8") as f:
        pcfg = json.load(f)
    pcfg["architectures"] = ["BertForMaskedLM"]
    write_json(os.path.join(dp, "config.json"), pcfg)
    write_tokenizer_files(dp, tok)
    write_st_files(dp, 64)

    # check the prefixed copy loads to the same BertModel (no missing keys)
    m2, info = BertModel.from_pretrained(dp, output_loading_info=True)
    assert not info["missing_keys"], info
    for (n1, p1), (n2, p2) in zip(model.state_dict().items(), m2.state_dict().items()):
        assert n1 == n2 and torch.equal(p1, p2), n1

    # tokens
    texts = FT.texts() + TINY_HELD_OUT
    ref = load_ref_tokenizer(os.path.join(d, "tokenizer.json"))
    write_jsonl(os.path.join(d, "tokens.jsonl"), [{"text": t, "ids": ref_ids(ref, t)} for t in texts])
    fast_diff, slow_diff = crosscheck("tiny", ref, d, texts,
                                      dict(do_lower_case=False, tokenize_chinese_chars=True, strip_accents=False))
    assert not fast_diff, "AutoTokenizer (fast) disagrees with tokenizer.json"
    write_json(os.path.join(d, "tokenizer_crosscheck.json"),
               {"texts": len(texts), "fast_differences": fast_diff, "slow_differences": slow_diff})
    n_unk = sum(1 for t in texts if 1 in ref_ids(ref, t))
    print(f"  texts containing [UNK]: {n_unk}")

    # embeddings
    words = FT.essay_words()
    exact = texts_with_token_count(ref, words, [48, 100, 160, 256, 300, 350, 400, 450, 500, 511, 512], min_start=3000)
    emb_texts = dedup(FT.EMBED_SHORT + FT.EMBED_HARD + TINY_HELD_OUT[:2] + exact)
    st = SentenceTransformer(d, device="cpu")
    st.eval()
    assert st.max_seq_length == 512 and st[1].pooling_mode == "cls" and len(st) == 3, st
    rows = st_embed_rows(st, emb_texts, 512)
    for r in rows:
        assert r["ids"] == ref_ids(ref, r["text"]), r["text"]
    # the prefixed copy gives identical embeddings
    stp = SentenceTransformer(dp, device="cpu")
    for r in rows[:5] + rows[-3:]:
        e = stp.encode([r["text"]], batch_size=1, convert_to_numpy=True, show_progress_bar=False)[0]
        assert np.array_equal(e, r["embedding"]), r["text"]
    E = np.stack([r["embedding"] for r in rows])
    C = E @ E.T
    off = C[~np.eye(len(rows), dtype=bool)]
    print(f"  pairwise cosine between tiny embeddings: min {off.min():.3f} mean {off.mean():.3f} max {off.max():.3f}")
    write_jsonl(os.path.join(d, "embeddings.jsonl"), rows)
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)
    sizep = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(dp) for f in fs)
    print(f"  directory sizes: {size / 1e6:.2f} MB, prefixed {sizep / 1e6:.2f} MB")
    return {"tokens": len(texts), "embeddings": len(emb_texts), "vocab": tok.get_vocab_size(),
            "fast_diff": len(fast_diff), "slow_diff": len(slow_diff), "unk_texts": n_unk}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-dir", default=os.path.expanduser("~/.cache/longembed/models/minilm"))
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                  "tests", "fixtures"))
    ap.add_argument("--only", choices=["minilm", "tiny"])
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    import sentence_transformers
    import tokenizers
    import transformers
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, "
          f"sentence-transformers {sentence_transformers.__version__}, tokenizers {tokenizers.__version__}")
    summary = {}
    if args.only in (None, "minilm"):
        summary["minilm"] = make_minilm(args.model_dir, args.out)
    if args.only in (None, "tiny"):
        summary["tiny"] = make_tiny(args.out)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
