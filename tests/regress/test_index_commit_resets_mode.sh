#!/bin/bash
# Bug (issue 13): every index commit created the new file with mode 0644 and
# renamed it over the old one, so a private 0600 index holding document text
# became readable by everyone after the next add. Fixed: a commit gives the
# new file the permission bits, owner and group of the file it replaces
# (owner and group where permitted); a new index gets 0666 less the umask.
. tests/cli/lib.sh
echo "the reaction wheel retaining nut" > "$TMP/a.txt"
echo "bees on the tenant's roof" > "$TMP/b.txt"
(umask 077 && "$LE" index add -q --bm25-only --index "$TMP/p.lei" "$TMP/a.txt" >/dev/null)
check "a new index under umask 077 is 600" test "$(stat -c %a "$TMP/p.lei")" = 600
expect_ok "add to the private index" "$LE" index add -q --index "$TMP/p.lei" "$TMP/b.txt"
check "still 600 after add (got $(stat -c %a "$TMP/p.lei"))" test "$(stat -c %a "$TMP/p.lei")" = 600
chmod 640 "$TMP/p.lei"
expect_ok "delete" "$LE" index delete --index "$TMP/p.lei" "$TMP/a.txt"
check "640 kept by delete" test "$(stat -c %a "$TMP/p.lei")" = 640
expect_ok "compact" "$LE" index compact --index "$TMP/p.lei"
check "640 kept by compact" test "$(stat -c %a "$TMP/p.lei")" = 640
if [ "$(id -u)" = 0 ]; then # as root the owner and group can be kept too
    chown 65534:65534 "$TMP/p.lei"
    expect_ok "add as root to another user's index" "$LE" index add -q --index "$TMP/p.lei" "$TMP/a.txt"
    check "owner and group kept" test "$(stat -c %u:%g "$TMP/p.lei")" = 65534:65534
fi
finish
