#!/usr/bin/env bash
# Invalid UTF-8 was refused by everything that tokenizes (dense embedding)
# but taken, as U+FFFD separators, by BM25: a BM25 search query, a
# --bm25-only index add, and the BM25 side of bench on a task directory.
# One rule now: a text that is not valid UTF-8 is refused everywhere, with
# the byte offset.
. "$(dirname "$0")/../cli/lib.sh"

printf '{"id":"a","text":"alpha"}\n' > "$TMP/a.jsonl"
expect_ok "build" "$LE" index add --index "$TMP/ix" --bm25-only -q < "$TMP/a.jsonl"
expect_fail "bm25 query" 'query 1: search: the query is not valid UTF-8 at byte 1' \
    "$LE" search --index "$TMP/ix" --mode bm25 $'a\xffb'
printf '{"id":"b","text":"b\xfe"}\n{"id":"c","text":"gamma"}\n' > "$TMP/bad.jsonl"
expect_fail "bm25-only add" 'stdin line 1: text is not valid UTF-8 at byte 1' \
    "$LE" index add --index "$TMP/ix" -q < "$TMP/bad.jsonl"
"$LE" index add --index "$TMP/ix" -q --keep-going < "$TMP/bad.jsonl" > "$TMP/out" 2> "$TMP/err"
rc=$?
checks=$((checks + 1))
[ $rc -eq 1 ] || fail "--keep-going: exit $rc, expected 1"
check "--keep-going skips it" grep -q 'stdin line 1: skipped: text is not valid UTF-8' "$TMP/err"
check "--keep-going adds the rest" grep -q 'added 1 documents' "$TMP/out"

d="$TMP/task"
mkdir -p "$d"
printf '{"_id":"d1","text":"alpha \xff"}\n' > "$d/corpus.jsonl"
printf '{"_id":"q1","text":"alpha"}\n' > "$d/queries.jsonl"
printf '{"qid":"q1","doc_id":"d1","score":1}\n' > "$d/qrels.jsonl"
expect_fail "bench bm25 task dir" 'corpus.jsonl:1: the text is not valid UTF-8 at byte 6' \
    "$LE" bench --retriever bm25 --task-dir "$d" -q
finish
