#!/usr/bin/env bash
# A search query that was not valid UTF-8 failed with "embedding the query:
# text 0: ...", naming a text 0 the user never gave, not the input line.
# Errors about a query now name it (stdin line N, or query N for
# arguments), and say what is wrong with the query itself.
. "$(dirname "$0")/../cli/lib.sh"

printf '{"id":"a","text":"alpha"}\n' > "$TMP/a.jsonl"
expect_ok "build" "$LE" index add --index "$TMP/ix" -m "$TINY" -q < "$TMP/a.jsonl"
printf 'alpha\n\nbad \xff query\n' > "$TMP/q.txt"
expect_fail "stdin" '^longembed: stdin line 3: search: the query is not valid UTF-8 at byte 4 \(0xFF\)' \
    "$LE" search --index "$TMP/ix" < "$TMP/q.txt"
check "no text 0" bash -c "! grep -q 'text 0' '$TMP/err'"
expect_fail "arguments" '^longembed: query 2: search: the query is not valid UTF-8' \
    "$LE" search --index "$TMP/ix" alpha $'bad \xff'
finish
