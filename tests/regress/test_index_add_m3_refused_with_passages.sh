#!/usr/bin/env bash
# `index add -m <BGE-M3>` with the default passages failed on its first
# document ("refusing sparse vocabulary 3002 instead of 0"): an index with
# passages dropped the learned-sparse and multi-vector sections from its
# identity, but the model it checked against still declared them. Such an
# index now keeps both and fills them per document over its passages, so
# the defaults work and search --mode m3 names each hit's best passage.
. "$(dirname "$0")/../cli/lib.sh"

M3=tests/fixtures/bge-m3-tiny
printf 'BGE M3 is an embedding model supporting dense retrieval, lexical matching and multi-vector interaction.\n' > "$TMP/a.txt"
printf 'Москва — столица России.\n' > "$TMP/b.txt"
expect_ok "index add with passages" "$LE" index add -q --index "$TMP/m3.lei" -m "$M3" "$TMP/a.txt" "$TMP/b.txt"
expect_ok "index info" "$LE" index info --index "$TMP/m3.lei"
check "passages, sparse and multi-vectors" python3 -c '
import sys
t = open(sys.argv[1]).read().lower()
assert "passage" in t and "sparse" in t and "multi" in t, t
' "$TMP/out"
expect_ok "search m3" "$LE" search --index "$TMP/m3.lei" --mode m3 --json -k 2 "What is BGE M3?"
check "hits with a passage and the three scores" python3 -c '
import json, sys
row = json.loads(open(sys.argv[1]).readline())
assert len(row["hits"]) == 2, row
for h in row["hits"]:
    assert h["passage"]["index"] >= 0 and {"dense", "sparse", "multi"} <= set(h), h
' "$TMP/out"
finish
