#!/usr/bin/env bash
# The main job (make run): build a retrieval index over the sample long
# documents with the default model (each document as passages of the model's
# window, the default), then rank the documents for the questions in
# samples/queries.tsv with dense, BM25 and hybrid search, show the passage
# that answers in hybrid's first hit, and count how often the expected
# document ranks first.
set -euo pipefail
bin=${1:-./build/longembed}
here=$(cd "$(dirname "$0")/.." && pwd)
samples="$here/samples"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
index="$tmp/samples.lei"
model=${LONGEMBED_MODEL:-minilm}

echo "== model"
"$bin" info -m "$model" | sed -n '1,8p'
echo
echo "== indexing $(ls "$samples"/*.txt | wc -l) sample documents (as passages of the model's window)"
"$bin" index add --index "$index" -m "$model" "$samples"/*.txt
"$bin" index verify --deep --index "$index"
"$bin" index info --index "$index" | grep -E '^(documents|passages|segments|bm25|file) '
echo
for mode in dense bm25 hybrid; do
    cut -f1 "$samples/queries.tsv" | "$bin" search --index "$index" --mode "$mode" -k 3 --json \
        >"$tmp/$mode.jsonl"
done
echo "== questions, with the three best documents per mode (* = the expected one)"
python3 - "$samples/queries.tsv" "$tmp" <<'PY'
import json, os, sys
expected = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
modes = ["dense", "bm25", "hybrid"]
runs = {m: [json.loads(l) for l in open(os.path.join(sys.argv[2], m + ".jsonl"))] for m in modes}
first = {m: 0 for m in modes}
for qi, (question, want) in enumerate(expected):
    print(f"? {question}")
    for m in modes:
        hits = runs[m][qi]["hits"]
        names = [os.path.basename(h["id"]) for h in hits]
        if names and names[0] == want:
            first[m] += 1
        cells = "   ".join(f"{'*' if n == want else ' '}{h['score']:7.3f} {n}" for h, n in zip(hits, names))
        print(f"   {m:<6} {cells}")
    top = runs["hybrid"][qi]["hits"][:1]
    if top and "passage" in top[0]:
        p = top[0]["passage"]
        text = " ".join(p["text"].split())
        text = text if len(text) <= 110 else text[:110].rsplit(" ", 1)[0] + " …"
        print(f"   where: characters {p['start']}-{p['end']} of {os.path.basename(top[0]['id'])}: {text}")
print()
n = len(expected)
print("the expected document ranked first: " + ", ".join(f"{m} {first[m]} of {n}" for m in modes))
PY
