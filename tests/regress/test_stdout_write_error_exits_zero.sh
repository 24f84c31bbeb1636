#!/bin/bash
# Bug (issue 13): tokenize, info, index info/verify/delete/compact, index
# add's summary, bench's table, fetch-model and --help/--version exited 0
# when standard output could not be written (a full disk): the output was
# lost and success reported (only embed and search checked). Fixed: main
# flushes and closes stdout after every command (cli_finish_output in
# cli.c), so no command can forget: exit 1 and "cannot write the output:
# <reason>".
. tests/cli/lib.sh
HAY=${LE_HAYSTACK_DIR:-../shared/data/haystack}
echo "the reaction wheel retaining nut" > "$TMP/a.txt"
"$LE" index add -q --bm25-only --index "$TMP/i.lei" "$TMP/a.txt" >/dev/null
mkdir -p "$TMP/cache/models/minilm" # fetch-model finds it there and prints its path
CMDS=(
    "'$LE' --version"
    "'$LE' --help"
    "'$LE' tokenize --help"
    "'$LE' tokenize -m $TINY '$TMP/a.txt'"
    "'$LE' info -m $TINY"
    "'$LE' info -m $TINY --json"
    "'$LE' embed -m $TINY '$TMP/a.txt'"
    "'$LE' index info --index '$TMP/i.lei'"
    "'$LE' index info --json --docs --index '$TMP/i.lei'"
    "'$LE' index verify --deep --index '$TMP/i.lei'"
    "'$LE' index add -q --index '$TMP/i.lei' '$TMP/a.txt'"
    "'$LE' index delete --index '$TMP/i.lei' nothing"
    "'$LE' index compact --index '$TMP/i.lei'"
    "'$LE' search --index '$TMP/i.lei' --mode bm25 nut"
    "'$LE' bench -q --tasks passkey --lengths 256 --retriever bm25 --haystack '$HAY'"
    "'$LE' fetch-model --cache-dir '$TMP/cache' minilm"
)
for c in "${CMDS[@]}"; do
    expect_fail "$c >/dev/full" "cannot write the output: No space left on device" \
        bash -c "$c >/dev/full"
done
# the same commands with a working stdout still succeed
for c in "${CMDS[@]}"; do
    expect_ok "$c" bash -c "$c"
done
finish
