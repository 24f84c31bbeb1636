#!/usr/bin/env bash
# Auto input mode decided the format by the first line alone: a leading
# blank line or a UTF-8 byte order mark made JSON lines be embedded as plain
# text (exit 0), and a trailing blank line in JSONL was fatal ("not a JSON
# object"). Blank lines are no JSONL texts, the format is decided by the
# first line with text, and a byte order mark before it is dropped.
. "$(dirname "$0")/../cli/lib.sh"

printf '{"id":"a","text":"alpha"}\n\n' > "$TMP/trail.jsonl"
expect_ok "trailing blank line" "$LE" embed -m "$TINY" -q < "$TMP/trail.jsonl"
check "one vector" [ "$(wc -l < "$TMP/out")" -eq 1 ]
check "JSONL id" grep -q '^{"id":"a",' "$TMP/out"

printf '\n  \n{"id":"a","text":"alpha"}\n\n{"id":"b","text":"beta"}\n' > "$TMP/lead.jsonl"
expect_ok "leading blank lines" "$LE" embed -m "$TINY" -q < "$TMP/lead.jsonl"
check "read as JSONL" grep -q '^{"id":"a",' "$TMP/out"
check "two vectors" [ "$(wc -l < "$TMP/out")" -eq 2 ]

printf '\xef\xbb\xbf{"id":"a","text":"alpha"}\n' > "$TMP/bom.jsonl"
expect_ok "byte order mark" "$LE" embed -m "$TINY" -q < "$TMP/bom.jsonl"
check "BOM: read as JSONL" grep -q '^{"id":"a",' "$TMP/out"
expect_ok "byte order mark, --input jsonl" "$LE" embed -m "$TINY" -q --input jsonl < "$TMP/bom.jsonl"

printf '\xef\xbb\xbfplain words\n' > "$TMP/bom.txt"
expect_ok "plain text with a BOM" "$LE" index add --index "$TMP/ix" --bm25-only -q < "$TMP/bom.txt"
expect_ok "info" "$LE" index info --index "$TMP/ix" --json --docs
check "BOM dropped from the text" grep -q '"title":"plain words"' "$TMP/out"
finish
