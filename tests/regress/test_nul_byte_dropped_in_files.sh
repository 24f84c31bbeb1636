#!/usr/bin/env bash
# A NUL byte was refused in a line of standard input but dropped without a
# word in a file (the tokenizer skips it), and a \u0000 in a task
# directory's JSON cut the text there (cJSON ends the string). One rule: a
# text holding a NUL byte is refused, wherever it comes from.
. "$(dirname "$0")/../cli/lib.sh"

printf 'alpha\0beta\n' > "$TMP/nul.txt"
expect_fail "embed a file" 'nul.txt: contains a NUL byte at byte 5' "$LE" embed -m "$TINY" -q "$TMP/nul.txt"
expect_fail "index add a file" 'nul.txt: contains a NUL byte' \
    "$LE" index add --index "$TMP/ix" --bm25-only -q "$TMP/nul.txt"
expect_fail "embed stdin" 'stdin line 1: contains a NUL byte' "$LE" embed -m "$TINY" -q < "$TMP/nul.txt"
printf '{"id":"a","text":"alpha\\u0000beta"}\n' > "$TMP/nul.jsonl"
expect_fail "JSONL \\u0000" 'stdin line 1: the text contains U\+0000' "$LE" embed -m "$TINY" -q < "$TMP/nul.jsonl"
printf '{"id":"a","text":"alpha"}\n' > "$TMP/a.jsonl"
expect_ok "build" "$LE" index add --index "$TMP/ix2" --bm25-only -q < "$TMP/a.jsonl"
expect_fail "search stdin" 'stdin line 1: contains a NUL byte' "$LE" search --index "$TMP/ix2" < "$TMP/nul.txt"

d="$TMP/task"
mkdir -p "$d"
printf '{"_id":"d1","text":"alpha\\u0000 beta"}\n' > "$d/corpus.jsonl"
printf '{"_id":"q1","text":"alpha"}\n' > "$d/queries.jsonl"
printf '{"qid":"q1","doc_id":"d1","score":1}\n' > "$d/qrels.jsonl"
expect_fail "bench task dir" 'corpus.jsonl:1: a string contains U\+0000' \
    "$LE" bench --retriever bm25 --task-dir "$d" -q
finish
