#!/usr/bin/env bash
# A JSONL line that failed to parse for a reason cJSON does not name (a lone
# UTF-16 surrogate escape, nesting beyond cJSON's 1000 levels) was reported
# as "not a JSON object". The message now gives the reason and the byte.
. "$(dirname "$0")/../cli/lib.sh"

printf '{"id":"a","text":"\\ud800 x"}\n' > "$TMP/sur.jsonl"
expect_fail "lone surrogate" 'stdin line 1: invalid JSON at byte [0-9]+: an unpaired UTF-16 surrogate' \
    "$LE" embed -m "$TINY" -q --input jsonl < "$TMP/sur.jsonl"
check "not called 'not a JSON object'" bash -c "! grep -q 'not a JSON object' '$TMP/err'"
python3 -c 'print("{\"text\":\"x\",\"n\":" + "[" * 1100 + "]" * 1100 + "}")' > "$TMP/deep.jsonl"
expect_fail "deep nesting" 'stdin line 1: invalid JSON at byte [0-9]+: nested deeper than 1000' \
    "$LE" embed -m "$TINY" -q --input jsonl < "$TMP/deep.jsonl"
printf '[1,2]\n' > "$TMP/arr.jsonl"
expect_fail "an array is still 'not a JSON object'" 'stdin line 1: not a JSON object' \
    "$LE" embed -m "$TINY" -q --input jsonl < "$TMP/arr.jsonl"
finish
