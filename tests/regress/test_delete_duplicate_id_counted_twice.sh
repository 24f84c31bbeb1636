#!/usr/bin/env bash
# `index delete` counted an id given twice in one call twice ("deleted 2 of
# 2 ids" for one document): the second lookup still found it, as the delete
# is only applied at the commit. The writer now remembers the ids it deleted.
. "$(dirname "$0")/../cli/lib.sh"

printf '{"id":"a","text":"alpha"}\n{"id":"b","text":"beta"}\n' > "$TMP/d.jsonl"
expect_ok "add" "$LE" index add --index "$TMP/ix" --bm25-only -q < "$TMP/d.jsonl"
expect_ok "delete a twice" "$LE" index delete --index "$TMP/ix" a a
check "counted once" grep -q '^deleted 1 of 2 ids' "$TMP/out"
expect_ok "info" "$LE" index info --index "$TMP/ix" --json
check "one document left" grep -q '"documents":1,' "$TMP/out"
finish
