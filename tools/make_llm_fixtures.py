#!/usr/bin/env python3
"""Reference outputs of a GGUF decoder, computed by transformers (issue 17).

transformers loads the GGUF itself (dequantizing every tensor to float32) and runs
its own LlamaForCausalLM / Qwen2ForCausalLM in float32 with the eager attention. The
engine keeps the weights quantized and quantizes activations per block as ggml does,
so its logits differ from these by that rounding; the tests state the bound.

Usage (from the repository root; needs torch, transformers, accelerate, gguf; no
network):

    python3 tools/make_llm_fixtures.py --gguf PATH/SmolLM2-135M-Instruct.Q4_1.gguf \
        --out tests/fixtures/llm/smollm2.json [--new-tokens 32] [--top 64]

What it writes: one JSON object
    {"model": file name, "new_tokens": N, "top": T,
     "prompts": [{"text", "ids", "greedy", "last_top": [[id, logit], ...],
                  "last_logsumexp", "pos_argmax"}]}
  ids         the prompt's token ids by transformers' tokenizer built from the GGUF
              (no BOS: SmolLM2's GGUF says add_bos_token false)
  greedy      the N ids that transformers' generate(do_sample=False) appends
  last_top    the T largest logits of the last prompt position (id, value)
  last_logsumexp  log Σ exp(logits) of that position (checks the whole row's scale)
  pos_argmax  the argmax id at every prompt position (checks the prefill at each
              position, not only the last)
  llamacpp    (with --llama-simple PATH) the text llama.cpp's examples/simple prints for
              32 greedy tokens of the same prompt and GGUF: llama.cpp keeps weights
              quantized and rounds activations to 8-bit blocks, as the engine's default
              path does, so this is the reference for that path's divergence
"""
import argparse
import json
import os
import subprocess

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

PROMPTS = [
    "Once upon a time, there was a little",
    "The capital of France is",
    "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n",
    "Question: What is 17 plus 25?\nAnswer:",
    "The meeting discussed the remote control's buttons and",
    "In 1969, Neil Armstrong",
    "Here is a list of fruits:\n1. Apple\n2.",
    "Photosynthesis is the process by which",
    "<|im_start|>user\nWhat is the tallest mountain on Earth?<|im_end|>\n<|im_start|>assistant\n",
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
    "<|im_end|>\n<|im_start|>user\nWrite a haiku about autumn.<|im_end|>\n"
    "<|im_start|>assistant\n",
    "The quick brown fox jumps over the lazy dog. The quick brown fox",
    "Translate to French: 'Good morning, how are you?'\nFrench:",
    "SELECT name, age FROM users WHERE",
    "A prime number is a natural number greater than 1 that",
    "Les vacances d'été commencent en juillet et",
    "Water boils at 100 degrees Celsius at sea level, but at high altitude",
    "To make a cup of tea, first",
    "The three primary colors are red,",
    "import numpy as np\nx = np.arange(10)\nprint(",
    "Dear hiring manager,\n\nI am writing to apply for the position of",
]


def reference(model, ids, new_tokens, top):
    """Logits of a prompt and its greedy continuation, both from transformers."""
    x = torch.tensor([ids])
    with torch.no_grad():
        logits = model(x).logits[0].double()
        out = model.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=new_tokens,
                             min_new_tokens=new_tokens, do_sample=False)
    last = logits[-1]
    vals, idx = torch.topk(last, top)
    return {
        "greedy": out[0, len(ids):].tolist(),
        "last_top": [[int(i), float(v)] for i, v in zip(idx.tolist(), vals.tolist())],
        "last_logsumexp": float(torch.logsumexp(last, 0)),
        "pos_argmax": logits.argmax(-1).tolist(),
    }


def llama_cpp_text(binary, gguf, text, new_tokens):
    """What llama-simple continues text with (greedy), without the echoed prompt."""
    out = subprocess.run([binary, "-m", gguf, "-n", str(new_tokens), text],
                         capture_output=True, text=True, check=True).stdout
    if not out.startswith(text):
        raise SystemExit(f"llama-simple did not echo the prompt {text!r}")
    return out[len(text):]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--new-tokens", type=int, default=32)
    ap.add_argument("--top", type=int, default=64)
    ap.add_argument("--llama-simple", help="llama.cpp's llama-simple binary (optional)")
    a = ap.parse_args()
    d, f = os.path.split(os.path.abspath(a.gguf))
    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, dtype=torch.float32,
                                                 attn_implementation="eager")
    model.eval()
    rows = []
    for text in PROMPTS:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        row = {"text": text, "ids": ids}
        row.update(reference(model, ids, a.new_tokens, a.top))
        if a.llama_simple:
            row["llamacpp"] = llama_cpp_text(a.llama_simple, a.gguf, text, a.new_tokens)
        rows.append(row)
        print(f"{len(ids):3d} ids -> {tok.decode(row['greedy'])!r}")
    doc = {"model": f, "new_tokens": a.new_tokens, "top": a.top, "prompts": rows}
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as fh:
        json.dump(doc, fh, separators=(",", ":"))
        fh.write("\n")


if __name__ == "__main__":
    main()
