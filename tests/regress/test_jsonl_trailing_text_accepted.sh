#!/usr/bin/env bash
# `{"id":"a","text":"x"} trailing` was embedded as if the line ended at the
# brace: cJSON stops after one value and nothing checked the rest. JSON
# parsed by longembed (JSONL lines, task directories, model files) now
# allows only white space after the value.
. "$(dirname "$0")/../cli/lib.sh"

printf '{"id":"a","text":"x"} trailing\n' > "$TMP/t.jsonl"
expect_fail "jsonl" 'stdin line 1: invalid JSON at byte 22: text after the value' \
    "$LE" embed -m "$TINY" -q --input jsonl < "$TMP/t.jsonl"
expect_fail "auto mode: a line starting with { is JSONL" 'text after the value' \
    "$LE" embed -m "$TINY" -q < "$TMP/t.jsonl"
expect_fail "index add" 'text after the value' \
    "$LE" index add --index "$TMP/ix" --bm25-only -q < "$TMP/t.jsonl"
printf '{"id":"a","text":"x"}   \n' > "$TMP/ws.jsonl"
expect_ok "white space after the object is fine" "$LE" embed -m "$TINY" -q < "$TMP/ws.jsonl"
# a model file with text after its object
rm -rf "$TMP/m"; cp -r "$TINY" "$TMP/m"
printf ' junk' >> "$TMP/m/config.json"
expect_fail "config.json" 'config.json: invalid JSON .*text after the value' "$LE" info -m "$TMP/m"
finish
