#!/usr/bin/env bash
# The main job (make run): embed the sample long documents with the default
# model and rank them for a few questions.
set -euo pipefail
bin=${1:-./build/longembed}
here=$(cd "$(dirname "$0")/.." && pwd)
samples="$here/samples"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

model=${LONGEMBED_MODEL:-minilm}
echo "== model"
"$bin" info -m "$model" | sed -n '1,8p'
echo
echo "== embedding $(ls "$samples"/*.txt | wc -l) sample documents (whole, with --extend pi)"
"$bin" embed -m "$model" --extend pi --max-tokens 8192 "$samples"/*.txt > "$tmp/docs.jsonl"
cut -f1 "$samples/queries.tsv" > "$tmp/queries.txt"
"$bin" embed -m "$model" -q < "$tmp/queries.txt" > "$tmp/queries.jsonl"
echo
echo "== questions, with the three closest documents (cosine)"
python3 - "$tmp/docs.jsonl" "$tmp/queries.jsonl" "$samples/queries.tsv" <<'PY'
import json, os, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
queries = [json.loads(l) for l in open(sys.argv[2])]
expected = [l.rstrip("\n").split("\t") for l in open(sys.argv[3]) if l.strip()]
hits = 0
for q, (text, want) in zip(queries, expected):
    scores = sorted(((sum(a * b for a, b in zip(q["embedding"], d["embedding"])),
                      os.path.basename(d["id"])) for d in docs), reverse=True)
    hits += scores[0][1] == want
    print(f"? {text}")
    for s, name in scores[:3]:
        mark = "*" if name == want else " "
        print(f"   {mark} {s:.3f}  {name}")
print(f"\nthe expected document ranked first for {hits} of {len(expected)} questions")
print("tokens per document:", ", ".join(f"{os.path.basename(d['id'])} {d['tokens']}" for d in docs))
PY
