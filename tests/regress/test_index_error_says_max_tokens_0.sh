#!/usr/bin/env bash
# Refusing a model or method that differs from an index's said "max tokens
# 0" for an index built with the default limit, which reads as a limit of no
# tokens. Messages now say "the method's default".
. "$(dirname "$0")/../cli/lib.sh"

printf '{"id":"a","text":"alpha"}\n' > "$TMP/a.jsonl"
expect_ok "build" "$LE" index add --index "$TMP/ix" -m "$TINY" -q < "$TMP/a.jsonl"
printf '{"id":"b","text":"beta"}\n' > "$TMP/b.jsonl"
expect_fail "other max tokens" "max tokens 100 instead of the method's default" \
    "$LE" index add --index "$TMP/ix" -m "$TINY" --max-tokens 100 -q < "$TMP/b.jsonl"
check "no 'max tokens 0'" bash -c "! grep -q 'max tokens 0' '$TMP/err'"
finish
