#!/usr/bin/env bash
# `bench --task-dir ""` ran the synthetic benchmark instead, as if no task
# directory had been given. An empty --task-dir is now bad usage (exit 2),
# and the library refuses an empty list as it refuses an empty item.
. "$(dirname "$0")/../cli/lib.sh"

"$LE" bench --retriever bm25 --task-dir "" > "$TMP/out" 2> "$TMP/err"
rc=$?
checks=$((checks + 1))
[ $rc -eq 2 ] || fail "exit $rc, expected 2"
check "message" grep -q -- '--task-dir: empty' "$TMP/err"
check "nothing ran" bash -c "! grep -q 'passkey' '$TMP/out' '$TMP/err'"
finish
