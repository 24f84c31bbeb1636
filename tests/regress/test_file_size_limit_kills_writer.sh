#!/bin/bash
# Bug (issue 13): past a file size limit (ulimit -f) the kernel sent
# SIGXFSZ, which killed longembed without a word: stdout redirected to a
# file, a report, an index commit. Fixed: main ignores SIGXFSZ, so the
# write fails with EFBIG and is reported like any write error (exit 1, the
# reason named); an index commit that fails this way leaves the previous
# version and no temporary file.
. tests/cli/lib.sh
HAY=${LE_HAYSTACK_DIR:-../shared/data/haystack}
echo "the reaction wheel retaining nut" > "$TMP/a.txt"
"$LE" index add -q --bm25-only --index "$TMP/i.lei" "$TMP/a.txt" >/dev/null
cp "$TMP/i.lei" "$TMP/before.lei"
# stdout into a file past the limit (1 KiB)
expect_fail "tokenize past the size limit" "cannot write the output: File too large" \
    bash -c "ulimit -f 1 && exec '$LE' tokenize -m $TINY samples/office-lease.txt >'$TMP/big.jsonl'"
# a report past the limit
expect_fail "bench --json past the size limit" "r.json: cannot write: File too large" \
    bash -c "ulimit -f 1 && exec '$LE' bench -q --tasks passkey --lengths 256 --retriever bm25 \
        --haystack '$HAY' --json '$TMP/r.json' >/dev/null"
# an index commit past the limit: refused, the old version stays
expect_fail "index add past the size limit" "File too large" \
    bash -c "ulimit -f 4 && exec '$LE' index add -q --index '$TMP/i.lei' samples/*.txt"
check "the previous version is untouched" cmp -s "$TMP/i.lei" "$TMP/before.lei"
check "no temporary file is left" test -z "$(find "$TMP" -name '*.tmp*')"
expect_ok "the index still verifies" "$LE" index verify --deep --index "$TMP/i.lei"
finish
