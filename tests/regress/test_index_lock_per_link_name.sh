#!/bin/bash
# Bug (issue 13): the writer lock was taken on the path as given plus
# ".lock", so a writer through a symbolic link (link.lei.lock) and one
# through the real path (real.lei.lock) did not exclude each other and
# the later commit silently dropped the other's documents. Fixed: the lock
# is taken next to the real file (the link resolved), whichever name the
# writer was given.
. tests/cli/lib.sh
echo "the reaction wheel retaining nut" > "$TMP/a.txt"
expect_ok "build the index" "$LE" index add -q --bm25-only --index "$TMP/real.lei" "$TMP/a.txt"
ln -s real.lei "$TMP/link.lei"
# hold the real file's lock as another writer would
bash -c 'exec 9>>"$1" && flock -x 9 && exec sleep 60' _ "$TMP/real.lei.lock" >/dev/null 2>&1 &
holder=$! # the sleep itself (exec), holding the lock on fd 9
for _ in $(seq 50); do flock -n -x "$TMP/real.lei.lock" true || break; sleep 0.1; done
expect_fail "a writer through the link waits for the real file's lock" "locked by another writer" \
    "$LE" index add -q --index "$TMP/link.lei" "$TMP/a.txt"
kill "$holder"
wait "$holder" 2>/dev/null
check "nothing was locked by link name" test ! -e "$TMP/link.lei.lock"
finish
