#!/bin/bash
# Bug (issue 13): an index reached through a symbolic link was committed by
# renaming the new file over the link: the link became a regular file and
# the real index kept its old contents. Fixed: the writer resolves the link
# (base/outfile.c) and commits at the real path, so the link stays a link
# and every reader of either name sees the new documents.
. tests/cli/lib.sh
echo "the reaction wheel retaining nut" > "$TMP/a.txt"
echo "bees on the tenant's roof" > "$TMP/b.txt"
mkdir "$TMP/store"
expect_ok "build the real index" "$LE" index add -q --bm25-only --index "$TMP/store/real.lei" "$TMP/a.txt"
ln -s store/real.lei "$TMP/link.lei"
expect_ok "add through the link" "$LE" index add -q --index "$TMP/link.lei" "$TMP/b.txt"
check "the link is still a link" test -L "$TMP/link.lei"
expect_ok "info of the real index" "$LE" index info --index "$TMP/store/real.lei"
check "the real index holds both documents" grep -q '^documents  *2 ' "$TMP/out"
check "no lock or temporary file next to the link" \
    test ! -e "$TMP/link.lei.lock" -a ! -e "$TMP/link.lei.tmp"
expect_ok "delete through the link" "$LE" index delete --index "$TMP/link.lei" "$TMP/a.txt"
expect_ok "compact through the link" "$LE" index compact --index "$TMP/link.lei"
check "the link is still a link after compact" test -L "$TMP/link.lei"
expect_ok "info through the link" "$LE" index info --index "$TMP/link.lei"
check "one document left" grep -q '^documents  *1 ' "$TMP/out"
finish
