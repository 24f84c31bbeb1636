#!/usr/bin/env python3
"""A random-weight Qwen2-shaped GGUF and transformers' outputs on it (issue 17: "a
random-weight Qwen2-shaped GGUF written by a tools/ script runs too, parity with
transformers").

Writes tests/fixtures/llm/qwen2-tiny/:
  model.gguf   arch qwen2 (q/k/v biases, NEOX RoPE, untied output head), 2 blocks,
               hidden 64, 4 heads, 2 kv heads (GQA), FFN 128, rope theta 10000, context
               256; matrices F16, norms and biases F32; a byte-level BPE tokenizer
               (800 tokens trained here with Qwen2's pre-tokenizer: tokenizer.ggml.pre
               "qwen2", merges, <|endoftext|>/<|im_start|>/<|im_end|> as control tokens)
               and a ChatML chat template with Qwen2's default system prompt
  ref.json     per prompt: the ids of transformers' GGUF tokenizer, the logits of the
               last position and 16 greedy tokens, from AutoModelForCausalLM loading
               the GGUF (fp32, dequantized) — tests/generate/test_qwen2_tiny.c

    python3 tools/make_qwen2_tiny.py          # deterministic (seeded), needs torch,
                                              # transformers, tokenizers, gguf
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_bpe_fixtures as bf  # noqa: E402

OUT = "tests/fixtures/llm/qwen2-tiny"
LAYERS, HIDDEN, HEADS, KV_HEADS, FFN, CONTEXT = 2, 64, 4, 2, 128, 256
HEAD_DIM = HIDDEN // HEADS
PROMPTS = ["Hello world", "The quick brown fox jumps over the lazy dog.",
           "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
           "Numbers 12345 and 3.14, 東京 and café!", "def f(x):\n    return x ** 2\n"]
CHAT = ("{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
        "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
        "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
        "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")


def train_tokenizer():
    """Tokens (specials first) and merges of a small Qwen2-style byte-level BPE."""
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(bf.QWEN2), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    trainer = trainers.BpeTrainer(vocab_size=800, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    tok.train_from_iterator(bf.bpe_texts(), trainer=trainer)
    j = json.loads(tok.to_str())
    vocab = j["model"]["vocab"]
    tokens = [None] * len(vocab)
    for t, i in vocab.items():
        tokens[i] = t
    merges = [" ".join(m) if isinstance(m, list) else m for m in j["model"]["merges"]]
    return tokens, merges


def write_gguf(path, tokens, merges):
    import gguf
    rng = np.random.default_rng(17)
    w = gguf.GGUFWriter(path, "qwen2")
    w.add_name("qwen2-tiny (random weights)")
    w.add_context_length(CONTEXT)
    w.add_embedding_length(HIDDEN)
    w.add_block_count(LAYERS)
    w.add_feed_forward_length(FFN)
    w.add_head_count(HEADS)
    w.add_head_count_kv(KV_HEADS)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_file_type(1)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("qwen2")
    w.add_token_list(tokens)
    w.add_token_types([3 if t.startswith("<|") and t.endswith("|>") else 1 for t in tokens])
    w.add_token_merges(merges)
    w.add_bos_token_id(0)
    w.add_eos_token_id(2)
    w.add_pad_token_id(0)
    w.add_add_bos_token(False)
    w.add_chat_template(CHAT)
    n = len(tokens)

    def t(shape, scale=0.08):
        """Random weights: matrices F16 (halves the file), vectors F32 (norms, biases)."""
        x = (rng.standard_normal(shape) * scale).astype(np.float32)
        return x.astype(np.float16) if len(shape) == 2 else x

    w.add_tensor("token_embd.weight", t((n, HIDDEN), 0.5))
    for b in range(LAYERS):
        p = f"blk.{b}."
        w.add_tensor(p + "attn_norm.weight", (1 + t((HIDDEN,), 0.1)))
        w.add_tensor(p + "attn_q.weight", t((HEADS * HEAD_DIM, HIDDEN)))
        w.add_tensor(p + "attn_q.bias", t((HEADS * HEAD_DIM,), 0.2))
        w.add_tensor(p + "attn_k.weight", t((KV_HEADS * HEAD_DIM, HIDDEN)))
        w.add_tensor(p + "attn_k.bias", t((KV_HEADS * HEAD_DIM,), 0.2))
        w.add_tensor(p + "attn_v.weight", t((KV_HEADS * HEAD_DIM, HIDDEN)))
        w.add_tensor(p + "attn_v.bias", t((KV_HEADS * HEAD_DIM,), 0.2))
        w.add_tensor(p + "attn_output.weight", t((HIDDEN, HEADS * HEAD_DIM)))
        w.add_tensor(p + "ffn_norm.weight", (1 + t((HIDDEN,), 0.1)))
        w.add_tensor(p + "ffn_gate.weight", t((FFN, HIDDEN)))
        w.add_tensor(p + "ffn_up.weight", t((FFN, HIDDEN)))
        w.add_tensor(p + "ffn_down.weight", t((HIDDEN, FFN)))
    w.add_tensor("output_norm.weight", (1 + t((HIDDEN,), 0.1)))
    w.add_tensor("output.weight", t((n, HIDDEN), 0.3))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def reference(path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    torch.manual_seed(0)
    d, f = os.path.dirname(path), os.path.basename(path)
    tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, dtype=torch.float32).eval()
    rows = []
    for p in PROMPTS:
        ids = tok(p, add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0, -1].tolist()
            out = model.generate(torch.tensor([ids]), max_new_tokens=16, do_sample=False,
                                 eos_token_id=None, pad_token_id=0)[0, len(ids):].tolist()
        rows.append({"text": p, "ids": ids, "last_logits": [round(x, 6) for x in logits],
                     "greedy": out})
    chat = tok.apply_chat_template([{"role": "user", "content": "Hi!"}], tokenize=False,
                                   add_generation_prompt=True)
    return {"prompts": rows, "chat_hi": chat, "vocab": len(tok)}


def main():
    os.makedirs(OUT, exist_ok=True)
    tokens, merges = train_tokenizer()
    path = os.path.join(OUT, "model.gguf")
    write_gguf(path, tokens, merges)
    ref = reference(path)
    with open(os.path.join(OUT, "ref.json"), "w") as f:
        json.dump(ref, f, ensure_ascii=True)
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes;", len(ref["prompts"]), "prompts")


if __name__ == "__main__":
    main()
