#!/usr/bin/env bash
# Plain-text lines given to `index add` took their line numbers as ids, so a
# second batch replaced the first silently (line 1 of run 2 = line 1 of run
# 1). Texts without an id of their own are now refused when the index holds
# documents already; into a new or empty index they still get line numbers.
. "$(dirname "$0")/../cli/lib.sh"

printf 'alpha beta\ngamma delta\n' > "$TMP/a.txt"
expect_ok "first batch" "$LE" index add --index "$TMP/ix" --bm25-only -q < "$TMP/a.txt"
printf 'epsilon zeta\n' > "$TMP/b.txt"
expect_fail "second plain batch refused" 'stdin line 1: no id.*holds 2 documents' \
    "$LE" index add --index "$TMP/ix" -q < "$TMP/b.txt"
printf '{"text":"epsilon zeta"}\n' > "$TMP/b.jsonl"
expect_fail "JSONL without ids refused too" 'stdin line 1: no id' \
    "$LE" index add --index "$TMP/ix" -q < "$TMP/b.jsonl"
expect_ok "info" "$LE" index info --index "$TMP/ix" --json
check "the first batch is intact" grep -q '"documents":2,' "$TMP/out"
printf '{"id":"e","text":"epsilon zeta"}\n' > "$TMP/c.jsonl"
expect_ok "with ids it is added" "$LE" index add --index "$TMP/ix" -q < "$TMP/c.jsonl"
expect_ok "info" "$LE" index info --index "$TMP/ix" --json
check "three documents" grep -q '"documents":3,' "$TMP/out"
finish
