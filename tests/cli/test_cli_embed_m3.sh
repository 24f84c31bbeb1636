#!/usr/bin/env bash
# embed --output dense,sparse,colbert on the BGE-M3-shaped fixture: the JSONL
# fields equal the reference of tools/make_m3_fixtures.py, --output picks
# the fields, and bad uses are refused (exit 2 for usage, 1 for a model
# without the head files).
. "$(dirname "$0")/lib.sh"
M3=tests/fixtures/bge-m3-tiny

json_check() { python3 -c "$1" "$TMP/out" "$M3/expected.json"; }

printf 'What is BGE M3?\nDefination of BM25\n' > "$TMP/q.txt"
# the reference's numbers are fp32's (the command line's default, auto, may run bf16)
expect_ok "embed dense,sparse,colbert" "$LE" embed -m "$M3" --precision fp32 --output dense,sparse,colbert "$TMP/q.txt"
expect_ok "embed lines" "$LE" embed -m "$M3" --precision fp32 --output dense,sparse,colbert < "$TMP/q.txt"
check "fields equal the reference" json_check '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
want = json.load(open(sys.argv[2]))["texts"][:2]
assert len(rows) == 2
for r, w in zip(rows, want):
    assert max(abs(a - b) for a, b in zip(r["embedding"], w["dense"])) < 1e-5
    assert set(r["lexical_weights"]) == set(w["lexical_weights"]), (r["lexical_weights"], w["lexical_weights"])
    assert all(abs(r["lexical_weights"][k] - v) < 1e-5 for k, v in w["lexical_weights"].items())
    assert sorted(r["lexical_tokens"].values()) == sorted(r["lexical_weights"].values())
    assert len(r["colbert_vecs"]) == w["n_colbert"] == len(w["ids"]) - 1
    assert max(abs(a - b) for x, y in zip(r["colbert_vecs"], w["colbert_vecs"]) for a, b in zip(x, y)) < 1e-5
'
expect_ok "sparse only" "$LE" embed -m "$M3" --output sparse < "$TMP/q.txt"
check "no embedding, no colbert_vecs" json_check '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert all("embedding" not in r and "colbert_vecs" not in r and "lexical_weights" in r for r in rows)
'
expect_fail "unknown output" "--output: a comma-separated list" "$LE" embed -m "$M3" --output dense,splade "$TMP/q.txt"
check "usage exit code" test "$(set +e; "$LE" embed -m "$M3" --output x "$TMP/q.txt" >/dev/null 2>&1; echo $?)" = 2
expect_fail "with passages" "do not combine with --passages" "$LE" embed -m "$M3" --output colbert --passages 8 "$TMP/q.txt"
expect_fail "no head files" "sparse_linear.pt" "$LE" embed -m "$TINY" --output sparse "$TMP/q.txt"
# index add with the model stores lexical weights and ColBERT vectors (whole documents)
printf 'BGE M3 is an embedding model supporting dense retrieval, lexical matching and multi-vector interaction.\nBM25 is a bag-of-words retrieval function.\n' > "$TMP/d1.txt"
printf 'Москва — столица России.\n' > "$TMP/d2.txt"
expect_ok "index add" "$LE" index add -q --index "$TMP/m3.lei" -m "$M3" --no-passages "$TMP/d1.txt" "$TMP/d2.txt"
for mode in sparse multi colbert hybrid m3; do
    expect_ok "search $mode" "$LE" search --index "$TMP/m3.lei" --mode $mode --json -k 2 "What is BGE M3?"
    check "search $mode: hits with their $mode scores" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
hits = rows[0]["hits"] if "hits" in rows[0] else rows
key = {"sparse": "sparse", "multi": "multi", "colbert": "multi", "hybrid": "sparse", "m3": "multi"}[sys.argv[2]]
assert hits and key in json.dumps(hits), rows
' "$TMP/out" $mode
done
# m3: compute_score's weighted mean of the three scores, default weights 0.4,0.2,0.4
m3_check() {
    python3 -c '
import json, sys
w = [float(x) for x in sys.argv[2].split(",")]
row = json.loads(open(sys.argv[1]).readline())
assert row["mode"] == "m3" and len(row["hits"]) == 2, row
for h in row["hits"]:
    want = (w[0] * h["dense"] + w[1] * h["sparse"] + w[2] * h["multi"]) / sum(w)
    assert abs(h["score"] - want) < 1e-5, (h, want)
assert row["hits"][0]["score"] >= row["hits"][1]["score"]
' "$TMP/out" "$1"
}
expect_ok "search m3" "$LE" search --index "$TMP/m3.lei" --mode m3 --json -k 2 "What is BGE M3?"
check "m3 = 0.4 dense + 0.2 sparse + 0.4 colbert" m3_check 0.4,0.2,0.4
expect_ok "search m3 weights" "$LE" search --index "$TMP/m3.lei" --mode m3 --m3-weights 1,2,0.5 --json -k 2 "What is BGE M3?"
check "--m3-weights 1,2,0.5" m3_check 1,2,0.5
expect_ok "search m3 text" "$LE" search --index "$TMP/m3.lei" --mode m3 -k 2 "What is BGE M3?"
check "text output shows the three scores" grep -q "dense .*, sparse .*, colbert " "$TMP/out"
for bad in 1,2 1,2,3,4 -1,1,1 0,0,0 a,b,c; do
    check "--m3-weights $bad: usage" test "$(set +e; "$LE" search --index "$TMP/m3.lei" --mode m3 --m3-weights "$bad" q >/dev/null 2>&1; echo $?)" = 2
done
expect_ok "minilm index" "$LE" index add -q --index "$TMP/mini.lei" -m "$TINY" --no-passages "$TMP/d2.txt"
expect_fail "m3 without BGE-M3 sections" "m3 needs an index with dense vectors, learned-sparse" "$LE" search --index "$TMP/mini.lei" --mode m3 q
finish
