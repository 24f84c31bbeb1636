#!/usr/bin/env bash
# `search` cut a query longer than the index's token limit to the limit
# without a word, where embed and index add refuse a text that long unless
# --truncate. search now does the same: an error naming the query, and
# --truncate to cut it.
. "$(dirname "$0")/../cli/lib.sh"

printf '{"id":"a","text":"alpha"}\n{"id":"b","text":"beta"}\n' > "$TMP/ab.jsonl"
expect_ok "build" "$LE" index add --index "$TMP/ix" -m "$TINY" --no-passages -q < "$TMP/ab.jsonl"
long=$(python3 -c 'print("alpha " * 600)')
expect_fail "long query refused" 'query 1: search: the query: [0-9]+ tokens exceed the limit of 512.*--truncate' \
    "$LE" search --index "$TMP/ix" "$long"
printf 'alpha\n%s\n' "$long" > "$TMP/q.txt"
expect_fail "from stdin, named by line" 'stdin line 2: search: the query: [0-9]+ tokens exceed' \
    "$LE" search --index "$TMP/ix" < "$TMP/q.txt"
expect_ok "--truncate cuts it" "$LE" search --index "$TMP/ix" --truncate -k 1 "$long"
check "and finds alpha" grep -q ' a ' "$TMP/out"
expect_ok "bm25 has no token limit" "$LE" search --index "$TMP/ix" --mode bm25 -k 1 "$long"
finish
