#!/usr/bin/env bash
# A bad --pooling, --isa or --precision value exited 1 (a runtime error), or
# with no input not at all, instead of 2 (bad usage) as every other bad
# option value: they were only checked when the model was opened. They are
# now checked with the options.
. "$(dirname "$0")/../cli/lib.sh"

usage() { # NAME PATTERN CMD...: exit 2 with PATTERN on stderr
    local name=$1 pattern=$2
    shift 2
    checks=$((checks + 1))
    "$@" < /dev/null > "$TMP/out" 2> "$TMP/err"
    local rc=$?
    [ $rc -eq 2 ] || fail "$name: exit $rc, expected 2"
    grep -Eq -- "$pattern" "$TMP/err" || { fail "$name: no /$pattern/ on stderr"; cat "$TMP/err" >&2; }
}
usage "embed --pooling" '--pooling: expected cls, mean or max' "$LE" embed -m "$TINY" --pooling avg
usage "index --pooling" '--pooling' "$LE" index add --index "$TMP/ix" -m "$TINY" --pooling avg
usage "embed --isa" '--isa: expected' "$LE" embed -m "$TINY" --isa sse9
usage "info --isa" '--isa' "$LE" info -m "$TINY" --isa sse9
usage "search --precision" '--precision: expected fp32, bf16, int8 or auto' \
    "$LE" search --index "$TMP/ix" --precision fp8 q
usage "bench --precision" '--precision' "$LE" bench --retriever bm25 --precision fp8
finish
