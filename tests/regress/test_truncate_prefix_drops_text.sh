#!/usr/bin/env bash
# With --truncate, a prefix as long as the token limit kept only prefix
# tokens: every text was dropped whole and the prefix embedded in its place,
# exit 0. A prefix that leaves no room for text is now an error.
. "$(dirname "$0")/../cli/lib.sh"

expect_fail "embed" 'the prefix takes 6 tokens: with 2 special tokens it leaves no room for text within the limit of 8' \
    bash -c "echo hello | '$LE' embed -m '$TINY' -q --truncate --max-tokens 8 --prefix 'a b c d e f'"
expect_fail "index add" 'leaves no room for text' \
    bash -c "echo '{\"id\":\"x\",\"text\":\"hello\"}' | '$LE' index add --index '$TMP/ix' -m '$TINY' -q --no-passages --truncate --max-tokens 8 --prefix 'a b c d e f'"
expect_ok "room for one token of text is fine" \
    bash -c "echo hello world | '$LE' embed -m '$TINY' -q --truncate --max-tokens 9 --prefix 'a b c d e f'"
check "the text is cut, not dropped" grep -q '"tokens":9,"truncated":true' "$TMP/out"
finish
