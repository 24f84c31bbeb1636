#!/usr/bin/env bash
# --keep-going covered only texts the model refused: a JSONL line that did
# not parse or had a bad "text"/"id", a directory or a missing file ended
# the run with no output although earlier texts were fine. Such inputs are
# now skipped like the rest: embed writes {"id", "error"} in their place,
# index add skips them with a message; the exit code is 1 at the end.
. "$(dirname "$0")/../cli/lib.sh"

rc_is() { checks=$((checks + 1)); [ "$1" -eq "$2" ] || fail "$3: exit $1, expected $2"; }

printf '{"id":"a","text":"alpha"}\nnot json\n{"id":"c","text":7}\n{"id":[1],"text":"x"}\n{"id":"e","text":"epsilon"}\n' \
    > "$TMP/mixed.jsonl"
"$LE" embed -m "$TINY" -q --keep-going < "$TMP/mixed.jsonl" > "$TMP/out" 2> "$TMP/err"
rc_is $? 1 "embed --keep-going, JSONL"
check "five lines out" [ "$(wc -l < "$TMP/out")" -eq 5 ]
check "a embedded" grep -q '^{"id":"a","tokens"' "$TMP/out"
check "line 2 an error" grep -q '^{"id":2,"error":"stdin line 2: invalid JSON' "$TMP/out"
check "line 3 an error" grep -q '^{"id":3,"error":"stdin line 3: no \\"text\\" string' "$TMP/out"
check "line 4 an error" grep -q '^{"id":4,"error":"stdin line 4: \\"id\\" must be' "$TMP/out"
check "e embedded" grep -q '^{"id":"e","tokens"' "$TMP/out"

echo "one" > "$TMP/f1"
echo "two" > "$TMP/f2"
mkdir -p "$TMP/dir"
"$LE" embed -m "$TINY" -q --keep-going "$TMP/f1" "$TMP/missing" "$TMP/dir" "$TMP/f2" \
    > "$TMP/out" 2> "$TMP/err"
rc_is $? 1 "embed --keep-going, files"
check "four lines out" [ "$(wc -l < "$TMP/out")" -eq 4 ]
check "missing file an error" grep -q 'missing","error":".*cannot open' "$TMP/out"
check "directory an error" grep -q 'dir","error":".*is a directory' "$TMP/out"
check "f2 embedded" grep -q 'f2","tokens"' "$TMP/out"

"$LE" index add --index "$TMP/ix" --bm25-only -q --keep-going "$TMP/f1" "$TMP/missing" \
    "$TMP/dir" "$TMP/f2" > "$TMP/out" 2> "$TMP/err"
rc_is $? 1 "index add --keep-going, files"
check "skipped named" grep -q 'skipped: .*missing: cannot open' "$TMP/err"
check "two added" grep -q 'added 2 documents' "$TMP/out"
"$LE" index add --index "$TMP/ix2" --bm25-only -q --keep-going < "$TMP/mixed.jsonl" \
    > "$TMP/out" 2> "$TMP/err"
rc_is $? 1 "index add --keep-going, JSONL"
check "two added from JSONL" grep -q 'added 2 documents' "$TMP/out"

# without --keep-going the first bad input stops the run, after what came before
expect_fail "embed stops" 'stdin line 2: invalid JSON' "$LE" embed -m "$TINY" -q < "$TMP/mixed.jsonl"
check "the text before it is written" grep -q '^{"id":"a"' "$TMP/out"
finish
