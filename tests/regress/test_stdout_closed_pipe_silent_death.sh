#!/bin/bash
# Bug (issue 13): writing to a closed pipe (`longembed ... | head -0`, a
# reader that went away) killed the process with SIGPIPE: no message, and
# for the commands that did not check their output at all the shell saw a
# death by signal or, with SIGPIPE ignored, exit 0. Fixed: main ignores
# SIGPIPE, so a write to a closed pipe fails with EPIPE, which the check
# after every command reports: exit 1, "cannot write the output: Broken
# pipe" (README: "Output and write errors").
. tests/cli/lib.sh
HAY=${LE_HAYSTACK_DIR:-../shared/data/haystack}
echo "the reaction wheel retaining nut" > "$TMP/a.txt"
"$LE" index add -q --bm25-only --index "$TMP/i.lei" "$TMP/a.txt" >/dev/null
CMDS=(
    "'$LE' --version"
    "'$LE' tokenize -m $TINY '$TMP/a.txt'"
    "'$LE' info -m $TINY"
    "'$LE' embed -m $TINY '$TMP/a.txt'"
    "'$LE' index info --index '$TMP/i.lei'"
    "'$LE' index verify --index '$TMP/i.lei'"
    "'$LE' index add -q --index '$TMP/i.lei' '$TMP/a.txt'"
    "'$LE' search --index '$TMP/i.lei' --mode bm25 nut"
    "'$LE' bench -q --tasks passkey --lengths 256 --retriever bm25 --haystack '$HAY'"
)
# the reader (true) is gone before anything is written: sleep first
{
    sleep 1
    i=0
    for c in "${CMDS[@]}"; do
        bash -c "$c" 2>"$TMP/err.$i"
        echo $? >"$TMP/rc.$i"
        i=$((i + 1))
    done
} | true
i=0
for c in "${CMDS[@]}"; do
    rc=$(cat "$TMP/rc.$i")
    check "$c | (closed): exit 1, got $rc" test "$rc" = 1
    check "$c | (closed): the message" grep -q "cannot write the output: Broken pipe" "$TMP/err.$i"
    i=$((i + 1))
done
finish
